#!/bin/sh
# Regenerates the THROWAWAY self-signed certificate of examples/apiguard.yaml
# (localhost, 127.0.0.1, ::1; ECDSA P-256; ten years). Run from anywhere:
#   sh examples/tls/gen.sh
set -eu
cd "$(dirname "$0")"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
  -subj "/CN=apiguard example (localhost)" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
  -addext "extendedKeyUsage=serverAuth" \
  -keyout localhost.key -out localhost.crt
chmod 600 localhost.key
