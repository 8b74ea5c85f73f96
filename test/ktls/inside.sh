#!/bin/bash
# inside.sh — preforkd's kTLS path, for real: what test/ktls/vm.sh runs in its guest (a kernel
# with the tls module loaded). It may also run on any machine whose kernel takes TCP_ULP "tls".
#
#   test/ktls/inside.sh [BUILD_DIR]        (BUILD_DIR: preforkd's build folder [build])
#
# It starts the real preforkd with tls_listen and tls { ktls = true } (a CA and a certificate
# made here with the openssl CLI, a 10 MB random file) and checks what a user would see:
#   - the error log says "HTTPS static files: kTLS and SSL_sendfile";
#   - for TLS 1.2 and 1.3 and each AES-GCM and ChaCha20 suite: curl --cacert gets the 10 MB
#     file, a Range (bytes=1000-2999999), a small file (the read path) and three files on one
#     kept-alive connection, each byte for byte, and mod_status's TLSStaticKTLS counts them
#     (TLSStaticBuffered does not), as does the kernel (/proc/net/tls_stat: TlsTxSw);
# then the same with tls { ktls = false } (buffered: TLSStaticBuffered counts them). With
# KTLS_BENCH=1 (the default) it then measures MB/s of the 10 MB file with wrk over https (c=4
# and c=16, KTLS_BENCH_DURATION [3; 10 under qemu's TCG] s, median of KTLS_BENCH_REPEATS [3]) for preforkd ktls on and
# off and nginx with and without "ssl_conf_command Options KTLS" (bench.py's records, into
# $KTLS_OUT/raw.jsonl). A summary goes to $KTLS_OUT/summary.txt. Exit status: 0 when every check
# passed, 1 otherwise (the benchmark's numbers are not checks).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$top/build}" && pwd) || { echo "inside.sh: no build folder" >&2; exit 2; }
pfd=$build/server/preforkd
[ -x "$pfd" ] || pfd=$build/preforkd
out=${KTLS_OUT:-$(mktemp -d)}
bench=${KTLS_BENCH:-1}
# Under qemu's TCG a 10 MB response takes about a second: longer runs, or c=16 sees a handful.
duration=${KTLS_BENCH_DURATION:-$([ "${KTLS_ACCEL:-}" = tcg ] && echo 10 || echo 3)}
repeats=${KTLS_BENCH_REPEATS:-3}
big=$((10 * 1024 * 1024))
failures=0

say() { echo "inside.sh: $*" | tee -a "$out/summary.txt"; }
fail() { say "FAIL: $*"; failures=$((failures + 1)); }
pass() { say "ok: $*"; }
[ -x "$pfd" ] || { echo "inside.sh: no preforkd in $build" >&2; exit 2; }
: >"$out/summary.txt"

work=$(mktemp -d /tmp/ktls.XXXXXX) && chmod 755 "$work" || exit 2
docroot=$work/htdocs
mkdir -p "$docroot" "$work/tls"
head -c "$big" /dev/urandom >"$docroot/10m.bin"
head -c 1024 /dev/zero | tr '\0' a >"$docroot/1k.txt"
head -c 5000 /dev/urandom >"$docroot/small.bin"       # under STATIC_SMALL_FILE: read and write
head -c 300000 /dev/urandom >"$docroot/medium.bin"    # over it: sendfile
chmod -R a+rX "$docroot"

# A CA and a certificate it signs for 127.0.0.1 (curl checks it with --cacert).
make_certs() {
    local d=$work/tls
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
        -subj "/CN=ktls test CA" -keyout "$d/ca.key" -out "$d/ca.crt" &&
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
            -keyout "$d/server.key" -out "$d/server.csr" &&
        openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
            -CAcreateserial -days 2 -extfile <(echo "subjectAltName=IP:127.0.0.1") \
            -out "$d/server.crt"
} >/dev/null 2>&1
make_certs || { echo "inside.sh: openssl could not make the certificates" >&2; exit 2; }

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
# Root runs the workers as nobody (as test/bench/run.sh does); they read the docroot only.
runas=""
[ "$(id -u)" = 0 ] && runas='user = "nobody"'

# ---------------------------------------------------------------- preforkd
pfd_pid="" nginx_pid=""
stop_pid() { # pid: TERM, then KILL after 10 s
    local p=$1 i
    [ -n "$p" ] || return 0
    kill -TERM "$p" 2>/dev/null || return 0
    for ((i = 0; i < 100; i++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null
    wait "$p" 2>/dev/null
    return 0
}
cleanup() { stop_pid "$pfd_pid"; stop_pid "$nginx_pid"; }
trap cleanup EXIT

# Starts preforkd with tls { ktls = $1 } on new ports (plain: mod_status; tls: the files) and
# waits (10 s at most) until it answers over HTTPS.
pfd_start() { # ktls
    plain_port=$(free_port) tls_port=$(free_port)
    conf=$work/preforkd-ktls-$1.conf
    cat >"$conf" <<CONF
listen = {"127.0.0.1:$plain_port"}
tls_listen = {"127.0.0.1:$tls_port"}
document_root = "$docroot"
module_dir = "$build/modules"
modules = {"static", "status"}
mime_types = "$top/config/mime.types"
pid_file = "$work/preforkd-ktls-$1.pid"
error_log = "$work/preforkd-ktls-$1.error.log"
$runas
prefork { start_servers = 16  min_spare_servers = 4  max_spare_servers = 32  max_workers = 64 }
keepalive { enabled = true  max_requests = 10000 }
module "static" { sendfile = true }
location "= /server-status" { handler = "status" }
tls {
    certificate = "$work/tls/server.crt"
    certificate_key = "$work/tls/server.key"
    protocols = "TLSv1.2 TLSv1.3"
    ktls = $1
}
CONF
    setsid "$pfd" -f "$conf" >"$work/preforkd-ktls-$1.stdout" 2>&1 </dev/null &
    pfd_pid=$!
    local i
    for ((i = 0; i < 100; i++)); do
        curl -s -o /dev/null --max-time 2 --cacert "$work/tls/ca.crt" \
            "https://127.0.0.1:$tls_port/1k.txt" && return 0
        kill -0 "$pfd_pid" 2>/dev/null || break
        sleep 0.1
    done
    cat "$work/preforkd-ktls-$1.stdout" "$work/preforkd-ktls-$1.error.log" >&2
    return 1
}

status_counter() { # name: TLSStaticKTLS or TLSStaticBuffered, from mod_status ?auto
    curl -s --max-time 5 "http://127.0.0.1:$plain_port/server-status?auto" |
        awk -F': ' -v k="$1" '$1 == k {print $2}'
}
tls_tx_sw() { # TLS sessions the kernel encrypted for since boot (/proc/net/tls_stat)
    awk '$1 == "TlsTxSw" {print $2}' /proc/net/tls_stat 2>/dev/null || echo 0
}

# ---------------------------------------------------------------- what a user sees
# curl with one protocol and suite, our CA; -v's "SSL connection using …" line says what was
# negotiated.
tls_curl() { # version suite curl-args...
    local v=$1 suite=$2
    shift 2
    local opts=(--tlsv1.2 --tls-max 1.2 --ciphers "$suite")
    [ "$v" = 1.3 ] && opts=(--tlsv1.3 --tls13-ciphers "$suite")
    curl -sS --http1.1 --max-time 60 --cacert "$work/tls/ca.crt" "${opts[@]}" "$@"
}

same_bytes() { # got want what
    if cmp -s "$1" "$2"; then return 0; fi
    fail "$3: $(stat -c %s "$1" 2>/dev/null || echo no) bytes, not those of the file ($(stat -c %s "$2"))"
    return 1
}

# One protocol and suite against the running preforkd (path: ktls or buffered): the big file,
# a range of it, a small file, three files on one connection; then the counters.
check_case() { # path version suite
    local path=$1 v=$2 suite=$3 url=https://127.0.0.1:$tls_port d=$work/got k0 b0 t0 k1 b1 t1 ok=1
    local counted=4 # files over STATIC_SMALL_FILE that go through pfd_conn_send_file_tls
    rm -rf "$d" && mkdir -p "$d"
    k0=$(status_counter TLSStaticKTLS) b0=$(status_counter TLSStaticBuffered) t0=$(tls_tx_sw)
    tls_curl "$v" "$suite" -v -o "$d/10m" "$url/10m.bin" 2>"$d/10m.err" || {
        fail "$path TLS $v $suite: curl 10m.bin: $(tail -n 1 "$d/10m.err")"; return; }
    local used
    used=$(grep -o 'SSL connection using .*' "$d/10m.err" | head -n 1)
    same_bytes "$d/10m" "$docroot/10m.bin" "$path TLS $v $suite: 10m.bin" || ok=0
    local code
    code=$(tls_curl "$v" "$suite" -r 1000-2999999 -o "$d/range" -w '%{http_code}' "$url/10m.bin")
    tail -c +1001 "$docroot/10m.bin" | head -c 2999000 >"$d/range.want"
    [ "$code" = 206 ] || { fail "$path TLS $v $suite: Range: status $code"; ok=0; }
    same_bytes "$d/range" "$d/range.want" "$path TLS $v $suite: bytes=1000-2999999" || ok=0
    tls_curl "$v" "$suite" -o "$d/small" "$url/small.bin" || ok=0
    same_bytes "$d/small" "$docroot/small.bin" "$path TLS $v $suite: small.bin" || ok=0
    local conns
    conns=$(tls_curl "$v" "$suite" -w '%{num_connects}\n' -o "$d/ka1" "$url/medium.bin" \
        -o "$d/ka2" "$url/small.bin" -o "$d/ka3" "$url/10m.bin" | awk '{s += $1} END {print s}')
    [ "$conns" = 1 ] || { fail "$path TLS $v $suite: keep-alive: $conns connections for 3 files"; ok=0; }
    same_bytes "$d/ka1" "$docroot/medium.bin" "$path TLS $v $suite: keep-alive medium.bin" || ok=0
    same_bytes "$d/ka2" "$docroot/small.bin" "$path TLS $v $suite: keep-alive small.bin" || ok=0
    same_bytes "$d/ka3" "$docroot/10m.bin" "$path TLS $v $suite: keep-alive 10m.bin" || ok=0
    k1=$(status_counter TLSStaticKTLS) b1=$(status_counter TLSStaticBuffered) t1=$(tls_tx_sw)
    local dk=$((k1 - k0)) db=$((b1 - b0)) dt=$((t1 - t0)) want_k=$counted want_b=0
    [ "$path" = buffered ] && want_k=0 want_b=$counted
    if [ "$dk" != "$want_k" ] || [ "$db" != "$want_b" ]; then
        fail "$path TLS $v $suite: mod_status TLSStaticKTLS +$dk, TLSStaticBuffered +$db (want +$want_k, +$want_b)"
        ok=0
    fi
    if { [ "$path" = ktls ] && [ "$dt" -lt 1 ]; } || { [ "$path" = buffered ] && [ "$dt" != 0 ]; }; then
        fail "$path TLS $v $suite: the kernel's TlsTxSw went up by $dt"
        ok=0
    fi
    [ "$ok" = 1 ] && pass "$path TLS $v $suite ($used): 10 MB (md5 $(md5sum <"$d/10m" | cut -c1-32)), Range, small, keep-alive byte-exact; TLSStaticKTLS +$dk, TLSStaticBuffered +$db, kernel TlsTxSw +$dt"
}

cases=("1.2 ECDHE-ECDSA-AES128-GCM-SHA256" "1.2 ECDHE-ECDSA-AES256-GCM-SHA384"
       "1.2 ECDHE-ECDSA-CHACHA20-POLY1305" "1.3 TLS_AES_128_GCM_SHA256"
       "1.3 TLS_AES_256_GCM_SHA384" "1.3 TLS_CHACHA20_POLY1305_SHA256")

say "kernel $(uname -r); tcp_available_ulp: $(cat /proc/sys/net/ipv4/tcp_available_ulp); $(openssl version)"
for k in true false; do
    pfd_start "$k" || { fail "preforkd (ktls = $k) did not start"; continue; }
    line=$(grep -o 'HTTPS static files: .*' "$work/preforkd-ktls-$k.error.log" | head -n 1)
    say "ktls = $k: error log: ${line:-(no such line)}"
    path=buffered
    if [ "$k" = true ]; then
        [[ $line == *"kTLS and SSL_sendfile"* ]] && path=ktls ||
            fail "ktls = true: the log does not say kTLS and SSL_sendfile"
    fi
    for c in "${cases[@]}"; do
        read -r v suite <<<"$c"
        check_case "$path" "$v" "$suite"
    done
    stop_pid "$pfd_pid"
    pfd_pid=""
done
say "md5 of the file served: $(md5sum <"$docroot/10m.bin" | cut -c1-32)"

# ---------------------------------------------------------------- MB/s (KTLS_BENCH=1)
# nginx with TLS the way test/bench/run.sh's conf_nginx_tls has it (Debian's binary, this file
# only), on the same certificate; "ssl_conf_command Options KTLS" when asked.
nginx_start() { # ktls (1 or 0)
    local d=$work/nginx-$1
    nginx_port=$(free_port)
    mkdir -p "$d/tmp"
    cat >"$d/nginx.conf" <<CONF
$([ "$(id -u)" = 0 ] && echo "user nobody nogroup;")
worker_processes $(nproc);
pid $d/nginx.pid;
error_log $d/error.log warn;
daemon off;
events { worker_connections 4096; }
http {
    types { text/plain txt; application/octet-stream bin; }
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    keepalive_timeout 30;
    keepalive_requests 10000;
    client_body_temp_path tmp/body;
    proxy_temp_path tmp/proxy;
    fastcgi_temp_path tmp/fastcgi;
    uwsgi_temp_path tmp/uwsgi;
    scgi_temp_path tmp/scgi;
    server {
        listen 127.0.0.1:$nginx_port ssl;
        root $docroot;
        ssl_certificate $work/tls/server.crt;
        ssl_certificate_key $work/tls/server.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_session_tickets on;
        $([ "$1" = 1 ] && echo "ssl_conf_command Options KTLS;")
    }
}
CONF
    setsid nginx -p "$d/" -e "$d/error.log" -c "$d/nginx.conf" >"$d/stdout" 2>&1 </dev/null &
    nginx_pid=$!
    local i
    for ((i = 0; i < 100; i++)); do
        curl -s -o /dev/null --max-time 2 --cacert "$work/tls/ca.crt" \
            "https://127.0.0.1:$nginx_port/1k.txt" && return 0
        kill -0 "$nginx_pid" 2>/dev/null || break
        sleep 0.1
    done
    cat "$d/stdout" "$d/error.log" >&2
    return 1
}

bench_one() { # name port ktls
    python3 "$top/test/bench/bench.py" tls --record tls-vm --name "$1" --port "$2" --cert ecdsa \
        --ktls "$3" --duration "$duration" --repeats "$repeats" \
        --workloads tls-big-c4,tls-big-c16 --out "$out/raw.jsonl" | tee -a "$out/summary.txt"
}

if [ "$bench" = 1 ]; then
    command -v wrk >/dev/null && command -v nginx >/dev/null ||
        say "no wrk or nginx here: no MB/s (apt-get install wrk nginx)"
    if command -v wrk >/dev/null; then
        for k in true false; do
            pfd_start "$k" || { fail "preforkd (ktls = $k) did not start"; continue; }
            [ "$k" = true ] && name=preforkd-tls || name=preforkd-tls-noktls
            bench_one "$name" "$tls_port" "$([ "$k" = true ] && echo 1 || echo 0)"
            say "$name: mod_status after the runs: TLSStaticKTLS $(status_counter TLSStaticKTLS), TLSStaticBuffered $(status_counter TLSStaticBuffered)"
            stop_pid "$pfd_pid"
            pfd_pid=""
        done
    fi
    if command -v wrk >/dev/null && command -v nginx >/dev/null; then
        for k in 1 0; do
            nginx_start "$k" || { say "nginx (ktls $k) did not start: no row"; continue; }
            [ "$k" = 1 ] && name=nginx-tls-ktls || name=nginx-tls
            t0=$(tls_tx_sw)
            bench_one "$name" "$nginx_port" "$k"
            say "$name: kernel TlsTxSw +$(($(tls_tx_sw) - t0)) during its runs"
            stop_pid "$nginx_pid"
            nginx_pid=""
        done
    fi
fi

# what the report needs beside the MB/s: where it ran and what the logs said
python3 - "$out/raw.jsonl" "$(uname -r)" "$(openssl version)" "$failures" \
    "$(grep -ho 'HTTPS static files: .*' "$work"/preforkd-ktls-true.error.log | head -n 1)" <<'PY'
import json, sys
raw, kernel, openssl, failures, seen = sys.argv[1:6]
with open(raw, "a") as f:
    f.write(json.dumps({"type": "tls-vm-info", "kernel": kernel, "openssl": openssl,
                        "failures": int(failures), "ktls_seen": seen}) + "\n")
PY
say "$failures check(s) failed"
[ "$failures" = 0 ]
