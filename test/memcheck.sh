#!/bin/sh
# memcheck.sh — runs integration programs with the server under valgrind memcheck and fails on
# any memory error or definite leak in the master or a worker.
#
#   test/memcheck.sh BUILD_DIR [check_program ...]
#
# BUILD_DIR is a normal (not SANITIZE) build. The harness prefixes the server command with
# PFD_TEST_WRAPPER; every process valgrind follows (the master and each forked worker) writes
# its own log, and this script reads them all: "ERROR SUMMARY: N" with N > 0 or
# "definitely lost: N" / "indirectly lost: N" with N > 0 fail. Still-reachable memory at a
# signal-driven exit (the scoreboard, the config, module handles) is not a leak.
set -eu
build=${1:?usage: test/memcheck.sh BUILD_DIR [check_program ...]}
shift
[ $# -gt 0 ] || set -- check_http check_malformed
command -v valgrind >/dev/null || { echo "memcheck: valgrind is not installed" >&2; exit 2; }

logs=$(mktemp -d /tmp/pfd-memcheck.XXXXXX)
chmod 0777 "$logs" # workers run as nobody and write their own logs
trap 'rm -rf "$logs"' EXIT
export PFD_TEST_WRAPPER="valgrind --quiet --error-exitcode=99 --leak-check=full \
--errors-for-leak-kinds=definite,indirect --track-fds=no --child-silent-after-fork=no \
--log-file=$logs/vg.%p.log"
# valgrind slows start-up and every request; the harness' deadlines still hold, but give Check
# more room per test case.
export CK_DEFAULT_TIMEOUT=${CK_DEFAULT_TIMEOUT:-240}

status=0
for prog in "$@"; do
    echo "memcheck: $prog"
    if ! "$build/test/$prog"; then
        echo "memcheck: $prog failed under valgrind" >&2
        status=1
    fi
done

bad=0
for f in "$logs"/vg.*.log; do
    [ -s "$f" ] || continue
    if grep -Eq 'ERROR SUMMARY: [1-9]|definitely lost: [1-9]|indirectly lost: [1-9]|Invalid (read|write)|uninitialised' "$f"; then
        echo "---- $f" >&2
        cat "$f" >&2
        bad=$((bad + 1))
    fi
done
n=$(ls "$logs" | wc -l)
echo "memcheck: $n process logs, $bad with errors"
[ "$bad" -eq 0 ] || status=1
exit $status
