#!/bin/sh
# autoindex_100k.sh — times mod_autoindex listing a folder of 100 000 files (issue 5: no
# quadratic time, bounded memory per entry; issue 13: HEAD and 304 without reading the folder,
# JSON in pages, one page sorted by selection). Not a unit test: it prints times and the server's
# peak memory, and fails only when a listing takes longer than BUDGET seconds (default 10).
#
#   test/bench/autoindex_100k.sh [BUILD_DIR]        (default: build, from the source tree's top)
#   N=1000000 BUDGET=60 test/bench/autoindex_100k.sh build
set -eu

src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
n=${N:-100000}
budget=${BUDGET:-10}
command -v curl >/dev/null || { echo "autoindex_100k: needs curl" >&2; exit 2; }
command -v python3 >/dev/null || { echo "autoindex_100k: needs python3" >&2; exit 2; }

tmp=$(mktemp -d /tmp/pfd-aix-bench-XXXXXX)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
chmod 755 "$tmp"
mkdir -p "$tmp/htdocs/big"

# N files of varied names and sizes, made in one process (a shell loop would take minutes).
python3 - "$tmp/htdocs/big" "$n" <<'PY'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    with open(os.path.join(d, "file-%d-%s.txt" % (i, "x" * (i % 40))), "wb") as f:
        f.write(b"x" * (i % 5000))
PY
chmod -R a+rX "$tmp/htdocs"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$tmp/preforkd.conf" <<CONF
listen = {"127.0.0.1:$port"}
document_root = "$tmp/htdocs"
module_dir = "$build/modules"
modules = {"static", "autoindex"}
error_log = "$tmp/error.log"
module "autoindex" { enabled = true }
CONF
sed "s/enabled = true/enabled = true  page_size = 0/" "$tmp/preforkd.conf" > "$tmp/whole.conf"

# One listing: seconds, bytes and HTTP status, through curl's own clock. Extra curl arguments
# (-I for HEAD, -H for a conditional request) follow the URL.
time_one() { # url [curl args...]
    url=$1
    shift
    curl -s -o /dev/null -w '%{time_total} s  %{size_download} bytes  HTTP %{http_code}' \
        --max-time $((budget * 3)) "$@" "$url"
}

check_budget() { # "secs s ..."
    secs=${1%% s*}
    if python3 -c "import sys; sys.exit(0 if float('$secs') <= $budget else 1)"; then :; else
        echo "autoindex_100k: over the budget of $budget s" >&2; exit 1
    fi
}

run() { # conf label
    "$build/server/preforkd" -X -f "$1" &
    pid=$!
    i=0
    until curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null; do
        i=$((i + 1)); [ $i -lt 100 ] || { echo "preforkd did not start" >&2; cat "$tmp/error.log" >&2; exit 1; }
        sleep 0.1
    done
    for q in "" "?C=S;O=D" "?C=M;O=A;page=50" "?F=json" "?F=json;page=50"; do
        out=$(time_one "http://127.0.0.1:$port/big/$q")
        echo "$2 GET  /big/$q: $out"
        check_budget "$out"
    done
    out=$(time_one "http://127.0.0.1:$port/big/" -I)
    echo "$2 HEAD /big/: $out"
    check_budget "$out"
    etag=$(curl -s -I "http://127.0.0.1:$port/big/" | tr -d '\r' | sed -n 's/^[Ee][Tt][Aa][Gg]: //p')
    out=$(time_one "http://127.0.0.1:$port/big/" -H "If-None-Match: $etag")
    echo "$2 304  /big/ (If-None-Match: $etag): $out"
    check_budget "$out"
    echo "$2 peak memory of the serving process: $(grep VmHWM /proc/$pid/status | tr -s ' \t' ' ')"
    kill "$pid"; wait "$pid" 2>/dev/null || true
    pid=
}

echo "autoindex_100k: $n files, preforkd -X from $build"
run "$tmp/preforkd.conf" "page_size=1000"
run "$tmp/whole.conf" "page_size=0   "
