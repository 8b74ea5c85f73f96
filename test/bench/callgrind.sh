#!/bin/bash
# callgrind.sh — instructions per request on the hot path (read, parse, route, respond, log).
#
# Runs build/server/preforkd -X (one process) under valgrind's callgrind twice, serving N1 and
# then N2 keep-alive GETs of a small static file from one client connection, and reports
# (Ir(N2) - Ir(N1)) / (N2 - N1): the marginal instruction count of one request, with start-up
# and shutdown cancelled out; then the same with a new connection for each request
# ("Connection: close": accept, addresses, close). Instruction counts are repeatable whatever
# else the machine does.
#
#   test/bench/callgrind.sh [--htaccess FILE] [--allow-override WORDS] [--keepalive-only]
#                           [--proxy] [BUILD_DIR] [N1 [N2]]
#                           (defaults: build, from the source tree's top; 2000 12000;
#                            needs valgrind and python3)
#
#   --htaccess FILE         FILE becomes the document root's .htaccess (issue 16's row: the same
#                           docroot measured with and without --allow-override)
#   --allow-override WORDS  the top level's allow_override, e.g. All or "AuthConfig Limit"
#                           (default: none, preforkd's: the file is not even looked for)
#   --keepalive-only        only the keep-alive number (half the time)
#   --proxy                 every request goes through mod_proxy to epoll_ref (built here from
#                           test/bench/epoll_ref.c, one process): the proxy's own cost (issue 18);
#                           epoll_ref runs outside valgrind and is not counted
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$top/build
htaccess="" allow_override="" keepalive_only=0 proxy=0
while [ $# -gt 0 ]; do
    case $1 in
        --htaccess) [ -f "${2:-}" ] || { echo "--htaccess: no such file: ${2:-}" >&2; exit 2; }
            htaccess=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
        --allow-override) [[ ${2:-} =~ ^[A-Za-z]+( [A-Za-z]+)*$ ]] ||
                { echo "--allow-override: words such as All or \"AuthConfig Limit\"" >&2; exit 2; }
            allow_override=$2; shift 2 ;;
        --keepalive-only) keepalive_only=1; shift ;;
        --proxy) proxy=1; shift ;;
        *) break ;;
    esac
done
if [ $# -gt 0 ] && [ -d "$1" ]; then build=$(cd "$1" && pwd); shift; fi
bin=$build/server/preforkd
n1=${1:-2000}
n2=${2:-12000}
[ -x "$bin" ] || { echo "build first: ./build.sh" >&2; exit 1; }
command -v valgrind >/dev/null || apt-get install -y -qq valgrind >/dev/null

work=$(mktemp -d)
upstream_pid=""
trap '[ -n "$upstream_pid" ] && kill "$upstream_pid"; rm -rf "$work"' EXIT

mkdir "$work/htdocs"
printf '%1024s' '' | tr ' ' a > "$work/htdocs/1k.txt"
[ -n "$htaccess" ] && cp "$htaccess" "$work/htdocs/.htaccess"
override_line=""
[ -n "$allow_override" ] && override_line="allow_override = {$(sed -E 's/([A-Za-z]+)/"\1"/g; s/ /, /g' <<<"$allow_override")}"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
proxy_lines=""
if [ "$proxy" = 1 ]; then
    gcc -O2 -Wall -o "$work/epoll_ref" "$top/test/bench/epoll_ref.c"
    upstream_port=$(free_port)
    "$work/epoll_ref" "$upstream_port" 1 &
    upstream_pid=$!
    proxy_lines="modules = {\"static\", \"proxy\"}
location \"/\" { handler = \"proxy\"  proxy_pass = {\"http://127.0.0.1:$upstream_port\"} }"
fi
cat > "$work/preforkd.conf" <<CONF
listen = {"127.0.0.1:$port"}
document_root = "htdocs"
module_dir = "$build/modules"
mime_types = "$top/config/mime.types"
error_log = "error.log"
access_log = "access.log"
keepalive { max_requests = 0 }
$override_line
$proxy_lines
# callgrind opens its output file at start: the worker must not switch user under it (as root,
# that takes allow_root_workers, which nothing but this measurement should set).
user = "$(id -un)"
$( [ "$(id -u)" -eq 0 ] && echo 'allow_root_workers = true' )
CONF

# Sends n sequential requests, reading each response fully: on one keep-alive connection, or
# (mode close) each on a new connection that the server closes after it.
client() {
    python3 - "$port" "$1" "$mode" <<'PY'
import socket, sys, time
port, n, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
for _ in range(100):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=30); break
    except OSError:
        time.sleep(0.1)
if mode == "close":
    s.close()
    req = (b"GET /1k.txt HTTP/1.1\r\nHost: localhost\r\nUser-Agent: callgrind-bench\r\n"
           b"Connection: close\r\n\r\n")
    for _ in range(n):
        c = socket.create_connection(("127.0.0.1", port), timeout=30)
        c.sendall(req)
        while c.recv(65536):
            pass
        c.close()
    sys.exit(0)
req = b"GET /1k.txt HTTP/1.1\r\nHost: localhost\r\nUser-Agent: callgrind-bench\r\n\r\n"
buf = b""
for _ in range(n):
    s.sendall(req)
    while True:
        end = buf.find(b"\r\n\r\n")
        if end >= 0:
            head = buf[:end].decode()
            if not head.startswith("HTTP/1.1 200 "):
                sys.exit("not a 200: " + head.splitlines()[0])
            length = int([l.split(":")[1] for l in head.split("\r\n") if l.lower().startswith("content-length")][0])
            if len(buf) >= end + 4 + length:
                buf = buf[end + 4 + length:]
                break
        chunk = s.recv(65536)
        if not chunk:
            sys.exit("connection closed early")
        buf += chunk
s.close()
PY
}

measure() {
    rm -f "$work"/callgrind.out.*
    valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out.%p" \
        "$bin" -X -f "$work/preforkd.conf" 2>"$work/valgrind.log" &
    local pid=$!
    client "$1"
    kill -TERM $pid
    wait $pid 2>/dev/null || true
    # every process of the run (a module may fork a helper): their sum, which the subtraction
    # below rids of each process's fixed start-up and shutdown cost
    grep -h '^summary:' "$work"/callgrind.out.* | awk '{s += $2} END {print s}'
}

mode=keepalive
ir1=$(measure "$n1")
ir2=$(measure "$n2")
per=$(( (ir2 - ir1) / (n2 - n1) ))
what="a 1 KiB static file"
[ "$proxy" = 1 ] && what="1 KiB through mod_proxy from epoll_ref"
if [ "$keepalive_only" = 1 ]; then
    echo "callgrind: $n1 requests: $ir1 Ir; $n2 requests: $ir2 Ir"
    echo "instructions per request (keep-alive GET of $what): $per"
    exit 0
fi
# the first run's connection (a probe) costs the same in both: cancelled out like start-up
mode=close
n1c=$(( n1 / 4 )) n2c=$(( n2 / 4 ))
ic1=$(measure "$n1c")
ic2=$(measure "$n2c")
perc=$(( (ic2 - ic1) / (n2c - n1c) ))
echo "callgrind: $n1 requests: $ir1 Ir; $n2 requests: $ir2 Ir; $n1c connections: $ic1 Ir; $n2c connections: $ic2 Ir"
echo "instructions per request (keep-alive GET of $what): $per"
echo "instructions per connection (one GET of $what, Connection: close): $perc"
