#!/usr/bin/env bash
# bench/run.sh: the former name of bench/run, kept so that existing commands
# and notes keep working. Same arguments, same environment; see bench/README.md.
exec "$(dirname "${BASH_SOURCE[0]}")/run" "$@"
