#!/usr/bin/env bash
# bench/run.sh: compare apiguard's proxying cost with a bare Go reverse proxy
# and nginx, all on loopback, in one run. See bench/README.md.
#
#   bench/run.sh                      # direct bare nginx apiguard (+ apiguard-defaults)
#   bench/run.sh extended             # the above + apiguard-limited apiguard-audit-tmpfs
#   bench/run.sh direct bare nginx    # a subset
#   DURATION=20s bench/run.sh bare apiguard
#   BENCH_TLS=1 bench/run.sh bare apiguard   # adds bare-tls and apiguard-tls rows
set -euo pipefail

# ---------------------------------------------------------------- settings
DURATION=${DURATION:-10s}         # wrk throughput run
WARMUP=${WARMUP:-2s}              # wrk warm-up before it (discarded)
THREADS=${THREADS:-2}             # wrk -t
CONNS=${CONNS:-64}                # wrk -c
FIXED_RATE=${FIXED_RATE:-1000}    # fixed-rate latency run, requests/s
FIXED_CONNS=${FIXED_CONNS:-16}    # ... over at most this many connections
FIXED_DURATION=${FIXED_DURATION:-8s}
FIXED_WARMUP=${FIXED_WARMUP:-1s}
BENCH_PATH=${BENCH_PATH:-/v1/orders}
BENCH_TLS=${BENCH_TLS:-0}         # 1: also bare-tls and apiguard-tls
BARE_BUFFER_POOL=${BARE_BUFFER_POOL:-1}  # 1: bare proxy reuses its copy buffers (ReverseProxy.BufferPool)
NGINX_WORKERS=${NGINX_WORKERS:-auto}  # auto = one per core, like Go's GOMAXPROCS default
READY_TIMEOUT=${READY_TIMEOUT:-30}    # seconds to wait for a server to answer
ROUNDS=${ROUNDS:-1}               # >1: repeat the measurements, targets interleaved; report medians
KEEP_TMP=${KEEP_TMP:-0}           # 1: keep the temp dir (configs, logs, raw outputs)
APIGUARD_BIN=${APIGUARD_BIN:-}    # use this binary instead of building ./cmd/apiguard
AUDIT_TMPFS_DIR=${AUDIT_TMPFS_DIR:-/dev/shm}  # apiguard-audit-tmpfs: a tmpfs directory for its audit file
VERBOSE=${VERBOSE:-0}             # 1: print raw wrk / fixedrate output

ALL_TARGETS=(direct bare bare-tls nginx apiguard apiguard-defaults apiguard-limited apiguard-audit-tmpfs apiguard-tls)
AG_ALL=(apiguard apiguard-defaults apiguard-limited apiguard-audit-tmpfs apiguard-tls)
DEFAULT_TARGETS=(direct bare nginx apiguard)
# Rows that compare apiguard with itself; in the default run they would take
# it past ~3 minutes, so `extended` (or naming them) adds them.
EXTENDED_TARGETS=(apiguard-limited apiguard-audit-tmpfs)
declare -A LABEL=(
  [direct]="upstream (direct)"
  [bare]="bare ReverseProxy"
  [bare-tls]="bare ReverseProxy TLS"
  [nginx]="nginx"
  [apiguard]="apiguard (waf/mask off)"
  [apiguard-defaults]="apiguard (defaults)"
  [apiguard-limited]="apiguard (rate limit, never hit)"
  [apiguard-audit-tmpfs]="apiguard (audit on tmpfs)"
  [apiguard-tls]="apiguard TLS (waf/mask off)"
)

usage() {
  cat >&2 <<EOF
usage: bench/run.sh [TARGET...]
targets: ${DEFAULT_TARGETS[*]} (default: all four)
  apiguard also runs apiguard-defaults; with BENCH_TLS=1, bare and apiguard
  add bare-tls and apiguard-tls. extended = the default targets plus
  ${EXTENDED_TARGETS[*]} (apiguard with a rate limit that never
  triggers; apiguard with its audit file on tmpfs). Any of
  ${ALL_TARGETS[*]}
  may also be named on its own.
environment: DURATION=$DURATION WARMUP=$WARMUP THREADS=$THREADS CONNS=$CONNS
  FIXED_RATE=$FIXED_RATE FIXED_CONNS=$FIXED_CONNS FIXED_DURATION=$FIXED_DURATION
  FIXED_WARMUP=$FIXED_WARMUP BENCH_PATH=$BENCH_PATH BENCH_TLS=$BENCH_TLS
  BARE_BUFFER_POOL=$BARE_BUFFER_POOL NGINX_WORKERS=$NGINX_WORKERS READY_TIMEOUT=$READY_TIMEOUT ROUNDS=$ROUNDS KEEP_TMP=$KEEP_TMP
  APIGUARD_BIN=PATH VERBOSE=$VERBOSE AUDIT_TMPFS_DIR=$AUDIT_TMPFS_DIR
EOF
}

die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }
warn() { printf 'bench: warning: %s\n' "$*" >&2; }
note() { printf 'bench: %s\n' "$*" >&2; }

# Durations like 10s, 2m or a bare number of seconds -> whole seconds.
to_seconds() {
  local d=$1
  case $d in
    *s) echo "${d%s}" ;;
    *m) echo $(( ${d%m} * 60 )) ;;
    *h) echo $(( ${d%h} * 3600 )) ;;
    *) echo "$d" ;;
  esac
}
# Normalised to whole seconds ("12s"), which both wrk and Go understand.
for v in DURATION WARMUP FIXED_DURATION FIXED_WARMUP; do
  [[ ${!v} =~ ^[0-9]+(s|m|h)?$ ]] || die "$v=${!v}: want a whole number of seconds, minutes or hours (e.g. 10s)"
  printf -v "$v" '%ds' "$(to_seconds "${!v}")"
done
[[ $DURATION != 0s && $FIXED_DURATION != 0s ]] || die "DURATION and FIXED_DURATION must be at least 1s"
for v in THREADS CONNS FIXED_RATE FIXED_CONNS READY_TIMEOUT ROUNDS; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v=${!v}: want a positive integer"
done
[[ $BENCH_PATH == /* ]] || die "BENCH_PATH must start with /"
[[ $BARE_BUFFER_POOL == [01] ]] || die "BARE_BUFFER_POOL must be 0 or 1"

# ---------------------------------------------------------------- targets
declare -A WANT=()
if (($# == 0)); then set -- "${DEFAULT_TARGETS[@]}"; fi
ARGS=()
for a in "$@"; do
  if [[ $a == extended ]]; then ARGS+=("${DEFAULT_TARGETS[@]}" "${EXTENDED_TARGETS[@]}"); else ARGS+=("$a"); fi
done
for a in "${ARGS[@]}"; do
  case $a in
    -h|--help|help) usage; exit 0 ;;
    bare) WANT[bare]=1; [[ $BENCH_TLS == 1 ]] && WANT[bare-tls]=1 ;;
    apiguard) WANT[apiguard]=1; WANT[apiguard-defaults]=1; [[ $BENCH_TLS == 1 ]] && WANT[apiguard-tls]=1 ;;
    direct|nginx|bare-tls|apiguard-defaults|apiguard-limited|apiguard-audit-tmpfs|apiguard-tls) WANT[$a]=1 ;;
    *) usage; die "unknown target '$a'" ;;
  esac
done
TARGETS=()
for t in "${ALL_TARGETS[@]}"; do [[ -n ${WANT[$t]:-} ]] && TARGETS+=("$t"); done
want_any() { local t; for t in "$@"; do [[ -n ${WANT[$t]:-} ]] && return 0; done; return 1; }

# ---------------------------------------------------------------- tools
need() { command -v "$1" >/dev/null 2>&1 || die "'$1' not found: $2"; }
need go "install Go 1.26+ (https://go.dev/dl/)"
need wrk "install it: apt-get install -y wrk"
need curl "install it: apt-get install -y curl"
need timeout "coreutils 'timeout' is required"
need awk "install awk"
if want_any nginx; then
  NGINX=$(command -v nginx || true)
  [[ -z $NGINX && -x /usr/sbin/nginx ]] && NGINX=/usr/sbin/nginx
  [[ -n $NGINX ]] || die "'nginx' not found: apt-get install -y nginx-light (or drop the nginx target)"
fi
if want_any bare-tls apiguard-tls; then
  need openssl "needed for BENCH_TLS=1 (self-signed certificate): apt-get install -y openssl"
fi

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[[ -f $ROOT/go.mod && -d $ROOT/bench ]] || die "cannot find the repository root from $0"
cd "$ROOT"

# ---------------------------------------------------------------- processes
TMP=$(mktemp -d "${TMPDIR:-/tmp}/apiguard-bench.XXXXXX")
SHM_DIR=""  # apiguard-audit-tmpfs: its directory under AUDIT_TMPFS_DIR (removed like TMP)
PIDS=()
declare -A PNAME=()

stop_pid() {
  local pid=$1 i
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      warn "${PNAME[$pid]:-pid $pid} did not stop on SIGTERM within 5s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  wait "$pid" 2>/dev/null || true
  local keep=() p
  for p in "${PIDS[@]}"; do [[ $p != "$pid" ]] && keep+=("$p"); done
  PIDS=("${keep[@]}")
}

cleanup() {
  local rc=$? pid
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  if [[ $KEEP_TMP == 1 ]]; then
    note "kept $TMP${SHM_DIR:+ and $SHM_DIR (tmpfs: it uses memory until removed)}"
  else
    rm -rf "$TMP"
    [[ -n $SHM_DIR ]] && rm -rf "$SHM_DIR"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_bg NAME LOG CMD... ; sets REPLY to the pid
start_bg() {
  local name=$1 log=$2; shift 2
  "$@" >"$log" 2>&1 </dev/null &
  REPLY=$!
  PIDS+=("$REPLY")
  PNAME[$REPLY]=$name
}

# run_fg OUT ERR CMD...: run a bounded client (wrk, fixedrate) as a tracked
# child and wait for it, so a signal interrupts the wait at once and the
# EXIT trap stops the client together with the servers.
run_fg() {
  local out=$1 err=$2 pid rc=0; shift 2
  if [[ $err == "$out" ]]; then "$@" >"$out" 2>&1 </dev/null & else "$@" >"$out" 2>"$err" </dev/null & fi
  pid=$!
  PIDS+=("$pid")
  PNAME[$pid]=$(basename "$1")
  wait "$pid" || rc=$?
  local keep=() p
  for p in "${PIDS[@]}"; do [[ $p != "$pid" ]] && keep+=("$p"); done
  PIDS=("${keep[@]}")
  return "$rc"
}

show_log() { # NAME LOG
  [[ -s $2 ]] || return 0
  printf -- '--- last lines of %s log (%s) ---\n' "$1" "$2" >&2
  tail -n 20 "$2" >&2
  printf -- '---\n' >&2
}

# wait_http NAME PID URL [CURL_OPTS...]: poll until URL answers 200 or the deadline.
wait_http() {
  local name=$1 pid=$2 url=$3; shift 3
  local deadline=$((SECONDS + READY_TIMEOUT)) code
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      REPLY="$name exited before answering $url"
      return 1
    fi
    code=$(curl -s -o /dev/null -w '%{http_code}' -m 1 "$@" "$url" 2>/dev/null || true)
    [[ $code == 200 ]] && return 0
    sleep 0.1
  done
  REPLY="$name did not answer 200 on $url within ${READY_TIMEOUT}s (last status ${code:-none})"
  return 1
}

# ---------------------------------------------------------------- ports
declare -A USED_PORTS=()
# free_port: a loopback port nothing listens on, below the ephemeral range
# (so wrk's own client sockets cannot take it); sets REPLY.
free_port() {
  local lo=32768 hi p i
  if [[ -r /proc/sys/net/ipv4/ip_local_port_range ]]; then read -r lo hi </proc/sys/net/ipv4/ip_local_port_range; fi
  ((lo > 12000)) || lo=61000
  for ((i = 0; i < 500; i++)); do
    p=$((10000 + (RANDOM * 32768 + RANDOM) % (lo - 10000)))
    [[ -n ${USED_PORTS[$p]:-} ]] && continue
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then continue; fi
    if command -v ss >/dev/null 2>&1 && [[ -n $(ss -Htln "sport = :$p" 2>/dev/null) ]]; then continue; fi
    USED_PORTS[$p]=1
    REPLY=$p
    return 0
  done
  die "no free loopback port found"
}

# ---------------------------------------------------------------- build
mkdir -p "$TMP/bin" "$TMP/logs" "$TMP/out"
note "building bench programs (standard library only)"
if ! go build -o "$TMP/bin/" ./bench/upstream ./bench/bareproxy ./bench/fixedrate 2>"$TMP/logs/build-bench.log"; then
  cat "$TMP/logs/build-bench.log" >&2
  die "cannot build bench/upstream, bench/bareproxy, bench/fixedrate"
fi

# ---------------------------------------------------------------- TLS material
if want_any bare-tls apiguard-tls; then
  mkdir -p "$TMP/tls"
  openssl req -x509 -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -keyout "$TMP/tls/server.key" -out "$TMP/tls/server.crt" -days 2 -subj /CN=localhost \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" >"$TMP/logs/openssl.log" 2>&1 ||
    { cat "$TMP/logs/openssl.log" >&2; die "openssl could not create a self-signed certificate"; }
fi

# write_apiguard_config DIR MODE(tuned|defaults|limited) TLS(0|1) PORT ADMIN_PORT [AUDIT_FILE]
# limited = tuned + a rate limit on every route that never triggers.
write_apiguard_config() {
  local d=$1 mode=$2 tls=$3 port=$4 aport=$5 audit_file=${6:-data/audit.jsonl} tlsblock="" defaults
  local limit="" limit_comment="# no rate_limit: none is configured, so none applies"
  mkdir -p "$d/data" "$d/secrets"
  (umask 077; od -An -tx1 -N24 /dev/urandom | tr -d ' \n' >"$d/secrets/admin.token")
  if [[ $tls == 1 ]]; then
    mkdir -p "$d/tls"
    cp "$TMP/tls/server.crt" "$TMP/tls/server.key" "$d/tls/"
    tlsblock=$'\n  tls:\n    cert_file: tls/server.crt\n    key_file: tls/server.key'
  fi
  if [[ $mode == defaults ]]; then
    defaults='{auth: none}'
  else
    defaults='{auth: none, waf: "off", block_secrets_in_url: false, response: {mask: []}}'
  fi
  if [[ $mode == limited ]]; then
    # 1,000,000/s is the highest rate apiguard accepts (one request per µs,
    # its GCRA resolution); with a burst as large, a loopback run cannot
    # reach it. Every request comes from 127.0.0.1: one key, one entry.
    limit=$'\n    rate_limit: {rate: 1000000, per: 1s, burst: 1000000, key: ip}'
    limit_comment="# rate_limit on every route (so whichever BENCH_PATH is requested is limited); never reached"
  fi
  cat >"$d/apiguard.yaml" <<EOF
# generated by bench/run.sh ($mode, tls=$tls): public routes to the bench upstream
server:
  listen: "127.0.0.1:$port"$tlsblock
  admin: "127.0.0.1:$aport"
  admin_token_file: secrets/admin.token

store: "sqlite:data/apiguard.db"

audit:
  file: "$audit_file"

upstreams:
  orders:
    url: "$UP_URL"
    timeout: 10s

$limit_comment
defaults: $defaults

routes:
  - name: list-orders
    methods: [GET]
    path: /v1/orders
    upstream: orders$limit
  - name: health
    methods: [GET]
    path: /v1/health
    upstream: orders$limit
EOF
}

# ---------------------------------------------------------------- apiguard configs and binary
# Ports and configurations first, so they exist (and can be inspected) even
# when the gateway itself does not build yet.
free_port; UP_PORT=$REPLY
UP_URL="http://127.0.0.1:$UP_PORT"
declare -A AG_PORT=() AG_ADMIN=() AG_SKIP=()
AG_TARGETS=()
# Where the audit file lives matters to the audit-tmpfs comparison: the
# other apiguard rows write it under TMP (TMPDIR or /tmp).
TMP_FS=$(stat -f -c %T "$TMP" 2>/dev/null || echo "?")
SHM_FS=""
if want_any apiguard-audit-tmpfs; then
  SHM_FS=$(stat -f -c %T "$AUDIT_TMPFS_DIR" 2>/dev/null || echo "?")
  if [[ $SHM_FS != tmpfs ]]; then
    AG_SKIP[apiguard-audit-tmpfs]="AUDIT_TMPFS_DIR=$AUDIT_TMPFS_DIR is not a tmpfs (file system: $SHM_FS); set AUDIT_TMPFS_DIR to a tmpfs directory"
  elif ! SHM_DIR=$(mktemp -d "$AUDIT_TMPFS_DIR/apiguard-bench.XXXXXX" 2>/dev/null); then
    SHM_DIR=""
    AG_SKIP[apiguard-audit-tmpfs]="cannot create a directory in AUDIT_TMPFS_DIR=$AUDIT_TMPFS_DIR"
  fi
fi
for t in "${AG_ALL[@]}"; do
  want_any "$t" || continue
  [[ -n ${AG_SKIP[$t]:-} ]] && continue
  AG_TARGETS+=("$t")
  free_port; AG_PORT[$t]=$REPLY
  free_port; AG_ADMIN[$t]=$REPLY
  case $t in
    apiguard) write_apiguard_config "$TMP/config/$t" tuned 0 "${AG_PORT[$t]}" "${AG_ADMIN[$t]}" ;;
    apiguard-defaults) write_apiguard_config "$TMP/config/$t" defaults 0 "${AG_PORT[$t]}" "${AG_ADMIN[$t]}" ;;
    apiguard-limited) write_apiguard_config "$TMP/config/$t" limited 0 "${AG_PORT[$t]}" "${AG_ADMIN[$t]}" ;;
    apiguard-audit-tmpfs) write_apiguard_config "$TMP/config/$t" tuned 0 "${AG_PORT[$t]}" "${AG_ADMIN[$t]}" "$SHM_DIR/audit.jsonl" ;;
    apiguard-tls) write_apiguard_config "$TMP/config/$t" tuned 1 "${AG_PORT[$t]}" "${AG_ADMIN[$t]}" ;;
  esac
  note "wrote $TMP/config/$t/apiguard.yaml (listen 127.0.0.1:${AG_PORT[$t]}, admin 127.0.0.1:${AG_ADMIN[$t]})"
done

if ((${#AG_TARGETS[@]})); then
  if [[ -n $APIGUARD_BIN ]]; then
    [[ -x $APIGUARD_BIN ]] || die "APIGUARD_BIN=$APIGUARD_BIN is not an executable file"
    cp "$APIGUARD_BIN" "$TMP/apiguard"
  else
    note "building apiguard: go build -o \$tmp/apiguard ./cmd/apiguard"
    if ! go build -o "$TMP/apiguard" ./cmd/apiguard 2>"$TMP/logs/build-apiguard.log"; then
      {
        for t in "${AG_TARGETS[@]}"; do
          echo "bench: generated $TMP/config/$t/apiguard.yaml (KEEP_TMP=1 keeps it):"
          sed 's/^/    /' "$TMP/config/$t/apiguard.yaml"
        done
        echo "bench: error: apiguard does not build yet; go build ./cmd/apiguard says:"
        head -n 30 "$TMP/logs/build-apiguard.log" | sed 's/^/    /'
        echo "bench: the other targets do not need it: bench/run.sh direct bare nginx"
      } >&2
      exit 1
    fi
  fi
fi


# ---------------------------------------------------------------- upstream
start_bg upstream "$TMP/logs/upstream.log" "$TMP/bin/upstream" -addr "127.0.0.1:$UP_PORT"
UP_PID=$REPLY
wait_http upstream "$UP_PID" "$UP_URL$BENCH_PATH" || { show_log upstream "$TMP/logs/upstream.log"; die "$REPLY"; }

# ---------------------------------------------------------------- per-target start
# Each start_* sets URL and SRV_PID (0: nothing to stop) or returns 1 with REPLY = reason.
start_direct() { URL="$UP_URL$BENCH_PATH"; SRV_PID=0; }

start_bare_common() { # TLS(0|1)
  free_port; local port=$REPLY scheme=http args=()
  if [[ $1 == 1 ]]; then scheme=https; args=(-tls-cert "$TMP/tls/server.crt" -tls-key "$TMP/tls/server.key"); fi
  start_bg bareproxy "$TMP/logs/$T.log" "$TMP/bin/bareproxy" -listen "127.0.0.1:$port" -upstream "$UP_URL" \
    -max-idle-per-host $((CONNS * 2)) -buffer-pool="$( ((BARE_BUFFER_POOL)) && echo true || echo false)" "${args[@]}"
  SRV_PID=$REPLY
  URL="$scheme://127.0.0.1:$port$BENCH_PATH"
  wait_http bareproxy "$SRV_PID" "$URL" -k
}
start_bare() { start_bare_common 0; }
start_bare_tls() { start_bare_common 1; }

start_nginx() {
  free_port; local port=$REPLY d="$TMP/nginx" user=""
  mkdir -p "$d/logs" "$d/tmp"
  ((EUID == 0)) && user="user root;"
  cat >"$d/nginx.conf" <<EOF
# generated by bench/run.sh: a plain loopback reverse proxy
$user
worker_processes $NGINX_WORKERS;
daemon off;
pid $d/nginx.pid;
error_log $d/logs/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    server_tokens off;
    client_body_temp_path $d/tmp/client_body;
    proxy_temp_path $d/tmp/proxy;
    fastcgi_temp_path $d/tmp/fastcgi;
    uwsgi_temp_path $d/tmp/uwsgi;
    scgi_temp_path $d/tmp/scgi;
    # Go's servers never close a keep-alive connection after N requests;
    # nginx does (1000 by default) on both sides, so lift that for fairness.
    keepalive_requests 1000000;
    keepalive_timeout 75s;
    upstream backend {
        server 127.0.0.1:$UP_PORT;
        keepalive 64;
        keepalive_requests 1000000;
    }
    server {
        listen 127.0.0.1:$port;
        location / {
            proxy_pass http://backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        }
    }
}
EOF
  if ! "$NGINX" -t -p "$d" -e "$d/logs/error.log" -c "$d/nginx.conf" >"$TMP/logs/nginx-t.log" 2>&1; then
    show_log "nginx -t" "$TMP/logs/nginx-t.log"
    REPLY="nginx rejected the generated $d/nginx.conf"
    return 1
  fi
  start_bg nginx "$TMP/logs/nginx.log" "$NGINX" -p "$d" -e "$d/logs/error.log" -c "$d/nginx.conf"
  SRV_PID=$REPLY
  URL="http://127.0.0.1:$port$BENCH_PATH"
  wait_http nginx "$SRV_PID" "$URL" || { show_log "nginx error" "$d/logs/error.log"; return 1; }
}

start_apiguard_common() { # TLS(0|1); the config was written before the build
  if [[ -n ${AG_SKIP[$T]:-} ]]; then REPLY=${AG_SKIP[$T]}; return 1; fi
  local tls=$1 d="$TMP/config/$T" scheme=http port=${AG_PORT[$T]} aport=${AG_ADMIN[$T]}
  [[ $tls == 1 ]] && scheme=https
  # `check` is advisory here: `serve` is what decides.
  if ! timeout 30 "$TMP/apiguard" check -c "$d/apiguard.yaml" >"$TMP/logs/$T-check.log" 2>&1; then
    warn "apiguard check -c $d/apiguard.yaml did not pass (trying serve anyway):"
    sed 's/^/    /' "$TMP/logs/$T-check.log" | head -n 15 >&2
  fi
  start_bg "apiguard ($T)" "$TMP/logs/$T.log" "$TMP/apiguard" serve -c "$d/apiguard.yaml" --log-level warn
  SRV_PID=$REPLY
  if ! wait_http "apiguard ($T)" "$SRV_PID" "http://127.0.0.1:$aport/readyz"; then
    show_log "apiguard ($T)" "$TMP/logs/$T.log"
    return 1
  fi
  URL="$scheme://127.0.0.1:$port$BENCH_PATH"
  local code
  code=$(curl -sk -D "$TMP/out/$T-probe.headers" -o "$TMP/out/$T-probe.body" -w '%{http_code}' -m 5 "$URL" || true)
  if [[ $code != 200 ]]; then
    REPLY="apiguard ($T) is ready but GET $BENCH_PATH answered ${code:-nothing}: $(head -c 300 "$TMP/out/$T-probe.body" 2>/dev/null)"
    show_log "apiguard ($T)" "$TMP/logs/$T.log"
    return 1
  fi
  # The limited row is only worth its name if the limit is on the path:
  # apiguard then answers RateLimit-Policy (and the other rows must not).
  local policy
  policy=$(grep -i '^ratelimit-policy:' "$TMP/out/$T-probe.headers" | tr -d '\r' | head -n 1 || true)
  if [[ $T == apiguard-limited && -z $policy ]]; then
    REPLY="apiguard ($T) answered GET $BENCH_PATH without a RateLimit-Policy header: the rate limit is not applied, so this row would measure nothing"
    return 1
  elif [[ $T != apiguard-limited && -n $policy ]]; then
    warn "[$T] answered with '$policy' although no rate limit is configured"
  fi
}
start_apiguard() { start_apiguard_common 0; }
start_apiguard_defaults() { start_apiguard_common 0; }
start_apiguard_limited() { start_apiguard_common 0; }
start_apiguard_audit_tmpfs() { start_apiguard_common 0; }
start_apiguard_tls() { start_apiguard_common 1; }

# ---------------------------------------------------------------- measuring
to_us() { # wrk latency like 340.00us, 2.10ms, 1.02s -> integer µs
  awk -v v="$1" 'BEGIN { n = v; sub(/[a-z]+$/, "", n); u = v; sub(/^[0-9.]+/, "", u)
    m = (u == "us") ? 1 : (u == "ms") ? 1000 : (u == "s") ? 1e6 : (u == "m") ? 6e7 : -1
    if (m < 0 || n == "") print "?"; else printf "%.0f", n * m }'
}

# Per-target lists of per-round values (space-separated), and notes.
declare -A RPS_L=() P50_L=() P99_L=() F50_L=() F90_L=() F99_L=() NOTE=() STATUS=()
EXIT_CODE=0

run_wrk() { # OUTFILE DURATION
  local secs
  secs=$(to_seconds "$2")
  run_fg "$1" "$1" timeout $((secs + 30)) wrk -t"$THREADS" -c"$CONNS" -d"$2" --latency "$URL"
}

addnote() { NOTE[$T]+="${NOTE[$T]:+; }$1"; }

measure() { # ROUND; uses T and URL
  local r=$1 out="$TMP/out/$T-r$1" tag="[$T]"
  ((ROUNDS > 1)) && tag="[$T round $r/$ROUNDS]"
  if ((r == 1)) && [[ $WARMUP != 0s ]]; then
    note "$tag warm-up ${WARMUP} (wrk -t$THREADS -c$CONNS)"
    run_wrk "$out-warmup.txt" "$WARMUP" || { REPLY="wrk warm-up failed: $(tail -n 3 "$out-warmup.txt")"; return 1; }
  fi
  note "$tag throughput ${DURATION} (wrk -t$THREADS -c$CONNS -d$DURATION --latency)"
  run_wrk "$out-wrk.txt" "$DURATION" || { REPLY="wrk failed: $(tail -n 3 "$out-wrk.txt")"; return 1; }
  [[ $VERBOSE == 1 ]] && sed 's/^/    /' "$out-wrk.txt" >&2
  local rps p50 p99 non2xx sockerr
  rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out-wrk.txt")
  p50=$(awk '/Latency Distribution/ { d = 1 } d && $1 == "50%" { print $2; exit }' "$out-wrk.txt")
  p99=$(awk '/Latency Distribution/ { d = 1 } d && $1 == "99%" { print $2; exit }' "$out-wrk.txt")
  non2xx=$(awk -F: '/Non-2xx or 3xx responses/ { gsub(/ /, "", $2); print $2 }' "$out-wrk.txt")
  sockerr=$(awk '/Socket errors:/ { gsub(/,/, ""); print $4 + $6 + $8 + $10 }' "$out-wrk.txt")
  [[ -n $rps && -n $p50 && -n $p99 ]] || { REPLY="cannot parse wrk output ($out-wrk.txt)"; return 1; }
  RPS_L[$T]+="$rps "
  P50_L[$T]+="$(to_us "$p50") "
  P99_L[$T]+="$(to_us "$p99") "
  [[ -n $non2xx && $non2xx != 0 ]] && addnote "wrk: $non2xx non-2xx responses"
  [[ -n $sockerr && $sockerr != 0 ]] && addnote "wrk: $sockerr socket errors"

  note "$tag fixed rate ${FIXED_RATE}/s for ${FIXED_DURATION} over ${FIXED_CONNS} connections (open loop)"
  local secs line kv k v
  secs=$(( $(to_seconds "$FIXED_DURATION") + $(to_seconds "$FIXED_WARMUP") + 30 ))
  if ! run_fg "$out-fixed.txt" "$out-fixed.err" timeout "$secs" "$TMP/bin/fixedrate" -url "$URL" -insecure \
      -rate "$FIXED_RATE" -conns "$FIXED_CONNS" -duration "$FIXED_DURATION" -warmup "$FIXED_WARMUP" -format kv; then
    REPLY="fixedrate failed: $(tail -n 3 "$out-fixed.err")"
    return 1
  fi
  line=$(head -n 1 "$out-fixed.txt")
  [[ $VERBOSE == 1 ]] && echo "    $line" >&2
  declare -A FR=()
  for kv in $line; do k=${kv%%=*}; v=${kv#*=}; FR[$k]=$v; done
  F50_L[$T]+="${FR[p50_us]:-?} "
  F90_L[$T]+="${FR[p90_us]:-?} "
  F99_L[$T]+="${FR[p99_us]:-?} "
  local bad=$(( ${FR[non2xx]:-0} + ${FR[errors]:-0} + ${FR[unsent]:-0} ))
  if ((bad > 0)); then
    local msg="fixed: ${FR[non2xx]:-0} non-2xx, ${FR[errors]:-0} errors, ${FR[unsent]:-0} not sent"
    [[ -s $out-fixed.err ]] && msg+=" ($(head -n 1 "$out-fixed.err"))"
    addnote "$msg"
  fi
  if awk -v a="${FR[rps]:-0}" -v r="$FIXED_RATE" 'BEGIN { exit !(a < 0.95 * r) }'; then
    addnote "fixed: only ${FR[rps]:-0} req/s answered of $FIXED_RATE"
  fi
  return 0
}

median() { # space-separated numbers -> median (integer)
  awk -v l="$1" 'BEGIN { n = split(l, a, " "); if (n == 0) { print "?"; exit }
    for (i = 2; i <= n; i++) { x = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
    if (n % 2) printf "%.0f", a[(n + 1) / 2]; else printf "%.0f", (a[n / 2] + a[n / 2 + 1]) / 2 }'
}

# ---------------------------------------------------------------- header
read -r LOAD1 LOAD5 _ </proc/loadavg || LOAD1="?"
NCPU=$(nproc 2>/dev/null || echo "?")
NGINX_DESC=""
if want_any nginx; then
  NGINX_DESC="nginx $("$NGINX" -v 2>&1 | sed 's#.*nginx/##'), worker_processes $NGINX_WORKERS"
  LABEL[nginx]="nginx ($NGINX_WORKERS workers)"
fi
echo
echo "apiguard bench  $(date -u +%Y-%m-%dT%H:%M:%SZ)  $(go env GOVERSION)  $(wrk -v 2>&1 | head -n 1 | awk '{print $1, $2}')  ${NGINX_DESC}"
echo "cpus=$NCPU  loadavg(1m)=$LOAD1  GOMAXPROCS=${GOMAXPROCS:-default ($NCPU)}  upstream=$UP_URL  path=$BENCH_PATH"
echo "throughput: wrk -t$THREADS -c$CONNS -d$DURATION (after ${WARMUP} warm-up); latency: fixedrate $FIXED_RATE req/s, $FIXED_CONNS conns, $FIXED_DURATION"
echo "targets: ${TARGETS[*]}  rounds: $ROUNDS$( ((ROUNDS > 1)) && echo ' (table shows medians)')"
if ((${#AG_TARGETS[@]})); then
  echo "apiguard audit file: $TMP_FS under $TMP$([[ -n $SHM_DIR ]] && echo "; ${LABEL[apiguard-audit-tmpfs]}: $SHM_FS under $SHM_DIR")"
fi
if [[ -n $SHM_DIR && $TMP_FS == tmpfs ]]; then
  warn "$TMP is on tmpfs too: the audit-on-tmpfs row compares tmpfs with tmpfs; set TMPDIR to a directory on disk"
fi
if [[ $LOAD1 != "?" && $NCPU != "?" ]] && awk -v l="$LOAD1" -v n="$NCPU" 'BEGIN { exit !(l > n * 0.5) }'; then
  warn "the machine is already busy (load $LOAD1 on $NCPU CPUs): expect noisy numbers, compare ratios, run again"
fi
echo

# ---------------------------------------------------------------- run
# Start every target first, then measure them in turn (ROUNDS times,
# interleaved, so a burst of outside load does not land on one target only).
declare -A SPID=() TURL=()
for T in "${TARGETS[@]}"; do
  fn="start_${T//-/_}"
  STATUS[$T]=ok
  URL="" SRV_PID=0
  note "[$T] starting"
  if ! "$fn"; then
    STATUS[$T]="not run: $REPLY"
    warn "[$T] ${STATUS[$T]}"
    # The tuned apiguard row is the point of the run; the defaults row is
    # best effort, and so is a row this machine cannot provide (no tmpfs).
    [[ $T != apiguard-defaults && -z ${AG_SKIP[$T]:-} ]] && EXIT_CODE=1
    ((SRV_PID > 0)) && stop_pid "$SRV_PID"
    continue
  fi
  SPID[$T]=$SRV_PID
  TURL[$T]=$URL
done
for ((round = 1; round <= ROUNDS; round++)); do
  for T in "${TARGETS[@]}"; do
    [[ ${STATUS[$T]} == ok ]] || continue
    URL=${TURL[$T]}
    if ! measure "$round"; then
      STATUS[$T]="failed: $REPLY"
      warn "[$T] ${STATUS[$T]}"
      EXIT_CODE=1
    fi
  done
done
for T in "${TARGETS[@]}"; do
  if ((${SPID[$T]:-0} > 0)); then stop_pid "${SPID[$T]}"; fi
done
declare -A RPS=() P50=() P99=() F50=() F90=() F99=()
for T in "${TARGETS[@]}"; do
  [[ ${STATUS[$T]} == ok ]] || continue
  RPS[$T]=$(median "${RPS_L[$T]}")
  P50[$T]=$(median "${P50_L[$T]}")
  P99[$T]=$(median "${P99_L[$T]}")
  F50[$T]=$(median "${F50_L[$T]}")
  F90[$T]=$(median "${F90_L[$T]}")
  F99[$T]=$(median "${F99_L[$T]}")
done

# ---------------------------------------------------------------- table
echo
printf '%-32s %10s %9s %9s | %9s %9s %9s\n' "" "wrk" "wrk" "wrk" "${FIXED_RATE}/s" "${FIXED_RATE}/s" "${FIXED_RATE}/s"
printf '%-32s %10s %9s %9s | %9s %9s %9s\n' "target" "req/s" "p50 ms" "p99 ms" "p50 µs" "p90 µs" "p99 µs"
printf '%s\n' "---------------------------------------------------------------------------------------------"
ms() { awk -v u="$1" 'BEGIN { if (u == "?" || u == "") print "?"; else printf "%.2f", u / 1000 }'; }
NOTES=()
for T in "${TARGETS[@]}"; do
  if [[ ${STATUS[$T]} != ok ]]; then
    printf '%-32s %s\n' "${LABEL[$T]}" "(${STATUS[$T]%%:*})"
    NOTES+=("${LABEL[$T]}: ${STATUS[$T]}")
    continue
  fi
  flag=""
  [[ -n ${NOTE[$T]:-} ]] && { flag=" !"; NOTES+=("${LABEL[$T]}: ${NOTE[$T]}"); }
  printf '%-32s %10s %9s %9s | %9s %9s %9s%s\n' "${LABEL[$T]}" "${RPS[$T]}" "$(ms "${P50[$T]}")" "$(ms "${P99[$T]}")" \
    "${F50[$T]}" "${F90[$T]}" "${F99[$T]}" "$flag"
done
if ((ROUNDS > 1)); then
  echo
  echo "per round (medians above): wrk req/s | fixed-rate p50 µs"
  for T in "${TARGETS[@]}"; do
    [[ -n ${RPS_L[$T]:-} ]] && printf '  %-30s %s| %s\n' "${LABEL[$T]}" "${RPS_L[$T]}" "${F50_L[$T]}"
  done
fi
# What the gateway said about its own configuration matters for reading its
# rows: a feature it does not enforce yet costs nothing here.
for T in "${AG_ALL[@]}"; do
  log="$TMP/logs/$T.log"
  [[ -n ${WANT[$T]:-} && -s $log ]] || continue
  unenforced=$(grep 'not enforced' "$log" | grep -o '"field":"[^"]*"' | sed 's/^"field":"//; s/"$//; s/ (.*//' | sort -u | paste -sd, - | sed 's/,/, /g' || true)
  [[ -n $unenforced ]] && NOTES+=("${LABEL[$T]}: this build logs \"configured but not enforced\" for: $unenforced")
  errors=$(grep -c '"level":"ERROR"' "$log" || true)
  ((errors > 0)) && NOTES+=("${LABEL[$T]}: $errors ERROR lines in its log (KEEP_TMP=1 keeps $log)")
done
if [[ ${STATUS[apiguard-audit-tmpfs]:-} == ok ]]; then
  NOTES+=("${LABEL[apiguard-audit-tmpfs]}: audit file on $SHM_FS ($SHM_DIR); the other apiguard rows write theirs on $TMP_FS ($TMP)")
fi
if ((${#NOTES[@]})); then
  echo
  echo "notes (a row marked ! had errors, non-2xx answers or missed its fixed rate: not like-for-like):"
  for n in "${NOTES[@]}"; do echo "  - $n"; done
fi

# ---------------------------------------------------------------- summary
have() { [[ ${STATUS[$1]:-} == ok ]]; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "?" }'; }
delta() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "?" || b == "?") { print "?"; exit }
  d = a - b; printf "%s%d", (d >= 0 ? "+" : ""), d }'; }
summary() { # GATEWAY BARE
  local g=$1 b=$2 parts=() joined
  have "$g" || return 0
  have "$b" && parts+=("$(ratio "${RPS[$g]}" "${RPS[$b]}") of ${LABEL[$b]}")
  have nginx && [[ $g != *tls ]] && parts+=("$(ratio "${RPS[$g]}" "${RPS[nginx]}") of nginx")
  have direct && parts+=("$(ratio "${RPS[$g]}" "${RPS[direct]}") of the upstream alone")
  ((${#parts[@]})) || return 0
  joined=$(printf '%s, ' "${parts[@]}")
  echo "${LABEL[$g]}: throughput ${joined%, }"
  if have "$b"; then
    echo "  added latency at ${FIXED_RATE} req/s over ${LABEL[$b]}: p50 $(delta "${F50[$g]}" "${F50[$b]}") µs, p99 $(delta "${F99[$g]}" "${F99[$b]}") µs"
  fi
}
# A variant of apiguard against the apiguard row itself: what one setting costs.
variant() { # VARIANT WHAT
  local g=$1 base=apiguard
  have "$g" || return 0
  if ! have "$base"; then summary "$g" bare; return 0; fi
  echo "${LABEL[$g]}: throughput $(ratio "${RPS[$g]}" "${RPS[$base]}") of ${LABEL[$base]} ($2)"
  echo "  latency at ${FIXED_RATE} req/s minus ${LABEL[$base]}'s: p50 $(delta "${F50[$g]}" "${F50[$base]}") µs, p99 $(delta "${F99[$g]}" "${F99[$base]}") µs"
}
echo
summary apiguard bare
summary apiguard-defaults bare
variant apiguard-limited "1.00x: checking the limit costs nothing; below: what it costs"
variant apiguard-audit-tmpfs "1.00x: the audit file's $TMP_FS disk costs nothing over tmpfs; above: what it costs"
summary apiguard-tls bare-tls
if have bare && have nginx && ! want_any "${AG_ALL[@]}"; then
  echo "bare ReverseProxy: throughput $(ratio "${RPS[bare]}" "${RPS[nginx]}") of nginx"
fi
if [[ $KEEP_TMP == 1 ]]; then echo "raw outputs, configs and logs: $TMP"; fi
exit "$EXIT_CODE"
