#!/bin/bash
# check_deb.sh — the Debian package does what a server's package must (issue 19), on this machine:
#
#   1. `./build.sh deb` builds it; its dependencies were computed (libconfuse2, libpcre2-8-0).
#   2. `dpkg -i` installs it, and again over itself (an upgrade) keeping an edited conffile;
#      `preforkd -V` names the installed paths; `man` finds both pages.
#   3. The installed binary, started as root with the installed config (only `listen` changed, to
#      a free loopback port: this machine's Apache/nginx may hold port 80), serves the package's
#      page and /server-status?auto, its workers running as www-data.
#   4. `logrotate -f` with the shipped /etc/logrotate.d/preforkd, while requests keep coming:
#      every request has its line, in access.log or access.log.1.
#   5. `dpkg -r` stops the server and leaves the conffiles; `dpkg -P` leaves nothing the package
#      or its scripts made (nothing listed after that was not listed before).
#
#   test/pkg/check_deb.sh SOURCE_DIR BUILD_DIR
#
# Exit 77 (ctest: skipped) when not root, or when this machine already has a preforkd installed
# or running with /run/preforkd.pid (never touched). Everything installed is removed on any exit.
set -euo pipefail
src=$1
build=$2
skip() {
    echo "SKIP: $*"
    exit 77
}
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
[ "$(id -u)" -eq 0 ] || skip "not root: dpkg -i and a server on /run/preforkd.pid need root"
command -v dpkg-shlibdeps >/dev/null || skip "dpkg-shlibdeps missing (Debian package dpkg-dev)"
command -v logrotate >/dev/null || skip "logrotate missing"
command -v curl >/dev/null || skip "curl missing"

# One package test at a time on this machine (other build trees run the same suite).
exec 9>/run/lock/preforkd-check-deb.lock
flock -w 240 9 || fail "another check_deb holds /run/lock/preforkd-check-deb.lock"

dpkg-query -W preforkd >/dev/null 2>&1 && skip "a preforkd package is installed: left alone"
if [ -s /run/preforkd.pid ] && [ "$(cat "/proc/$(cat /run/preforkd.pid)/comm" 2>/dev/null)" = preforkd ]; then
    skip "a preforkd runs with /run/preforkd.pid: left alone"
fi

tmp=$(mktemp -d /tmp/check_deb.XXXXXX)
pid=""
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; fi
    if dpkg-query -W preforkd >/dev/null 2>&1; then dpkg -P preforkd >/dev/null 2>&1 || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT

# What the package and its scripts may create, listed: the same after the purge as before.
footprint() {
    {
        find /etc /usr /var/lib /var/log /run /lib -xdev -name '*preforkd*' 2>/dev/null
        ls -la /var/www/html 2>/dev/null | awk '{print $NF}'
        ls /etc/systemd/system/multi-user.target.wants 2>/dev/null
    } | grep -v "^/run/lock/preforkd-check-deb.lock$" | sort
}
footprint >"$tmp/before"

# ---- 1. build ------------------------------------------------------------------------------------
DEB_BUILD_DIR="$build/deb" "$src/build.sh" deb >"$tmp/build.log" 2>&1 ||
    { cat "$tmp/build.log" >&2; fail "./build.sh deb failed"; }
deb=$(ls "$build"/deb/preforkd_*.deb)
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libconfuse2 libpcre2-8-0 libc6; do
    [[ $depends == *"$lib"* ]] || fail "Depends: lacks $lib (shlibdeps): $depends"
done
dpkg-deb -f "$deb" Conffiles >/dev/null
dpkg-deb -e "$deb" "$tmp/control"
grep -qx /etc/preforkd/preforkd.conf "$tmp/control/conffiles" || fail "preforkd.conf is not a conffile"
echo "ok 1: $(basename "$deb"), Depends: $depends"

# ---- 2. install, upgrade over itself -----------------------------------------------------------
dpkg -i "$deb" >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log" >&2; fail "dpkg -i"; }
echo "# edited by check_deb" >>/etc/preforkd/preforkd.conf
dpkg -i "$deb" >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log" >&2; fail "dpkg -i over itself"; }
grep -q "^# edited by check_deb" /etc/preforkd/preforkd.conf || fail "the upgrade lost a conffile edit"
/usr/sbin/preforkd -V >"$tmp/V"
grep -q "^config file: /etc/preforkd/preforkd.conf" "$tmp/V" || fail "-V: $(cat "$tmp/V")"
grep -q "^module_dir: /usr/lib/preforkd/modules" "$tmp/V" || fail "-V: $(cat "$tmp/V")"
[ -d /var/log/preforkd ] && [ "$(stat -c %U:%G /var/log/preforkd)" = root:adm ] ||
    fail "postinst did not make /var/log/preforkd root:adm"
man -w 8 preforkd >/dev/null || fail "man does not find preforkd(8)"
man -w 5 preforkd.conf >/dev/null || fail "man does not find preforkd.conf(5)"
# Port 80 taken by another server is a warning for -t, not an error.
/usr/sbin/preforkd -t >"$tmp/t" 2>&1 || fail "preforkd -t on the installed config: $(cat "$tmp/t")"
echo "ok 2: installed, reinstalled over itself (conffile edit kept), -V, man pages"

# ---- 3. start it as root with the installed config on a free loopback port ------------------------
# A random port; another one when it is taken (the start fails: -D reports it before forking).
mkdir "$tmp/etc"
cp /etc/preforkd/mime.types "$tmp/etc/"
started=""
for try in 1 2 3 4 5; do
    port=$((20000 + (RANDOM % 20000)))
    sed "s|^listen = .*|listen = {\"127.0.0.1:$port\"}|" /etc/preforkd/preforkd.conf \
        >"$tmp/etc/preforkd.conf"
    if /usr/sbin/preforkd -D -f "$tmp/etc/preforkd.conf" 2>"$tmp/start.err"; then
        started=1
        break
    fi
done
[ -n "$started" ] || fail "the installed preforkd did not start: $(cat "$tmp/start.err")"
for i in $(seq 100); do
    [ -s /run/preforkd.pid ] && break
    sleep 0.1
done
pid=$(cat /run/preforkd.pid) || fail "no /run/preforkd.pid after 10 s"
url="http://127.0.0.1:$port"
body=$(curl -sS --max-time 5 "$url/index.preforkd.html") || fail "GET /index.preforkd.html"
[[ $body == *"preforkd works"* ]] || fail "the package's page: $body"
status=$(curl -sS --max-time 5 "$url/server-status?auto") || fail "GET /server-status?auto"
[[ $status == *"Scoreboard: "* ]] || fail "server-status?auto: $status"
# The users of the master's children (workers, keepers), from /proc: no procps on a fresh Debian.
child_users() {
    for st in /proc/[0-9]*/status; do
        awk -v m="$pid" '/^PPid:/ { pp = $2 } /^Uid:/ { u = $2 } END { if (pp == m) print u }' \
            "$st" 2>/dev/null || true
    done | sort -u | while read -r uid; do getent passwd "$uid" | cut -d: -f1; done | tr '\n' ' '
}
workers=$(child_users)
[ "$workers" = "www-data " ] || fail "the master's children run as: $workers (want www-data only)"
echo "ok 3: serves on $url (master $pid, workers as $workers)"

# ---- 4. logrotate while requests come: no line lost ----------------------------------------------
fetch() { # fetch FIRST LAST: requests /?check_deb=N, each must answer
    for n in $(seq "$1" "$2"); do
        curl -s -o /dev/null --max-time 5 "$url/index.preforkd.html?check_deb=$n" || return 1
    done
}
lines() { cat /var/log/preforkd/access.log* 2>/dev/null | grep -c "check_deb=" || true; }
fetch 1 50 || fail "requests before the rotation"
fetch 51 250 &
load=$!
logrotate -f -s "$tmp/logrotate.state" /etc/logrotate.d/preforkd || fail "logrotate -f"
wait "$load" || fail "a request during the rotation failed"
fetch 251 300 || fail "requests after the rotation"
[ -e /var/log/preforkd/access.log.1 ] || fail "logrotate did not rename access.log"
for i in $(seq 100); do
    [ "$(lines)" -ge 300 ] && break
    sleep 0.1
done
[ "$(lines)" -eq 300 ] || fail "$(lines) access log lines for 300 requests"
grep -q "check_deb=300 " /var/log/preforkd/access.log || fail "the new access.log is not written"
echo "ok 4: logrotate -f: 300 requests, 300 lines ($(grep -c check_deb= /var/log/preforkd/access.log.1) in access.log.1)"

# ---- 5. remove, purge ------------------------------------------------------------------------------
dpkg -r preforkd >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log" >&2; fail "dpkg -r"; }
for i in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
! kill -0 "$pid" 2>/dev/null || fail "dpkg -r left the server running"
[ ! -e /usr/sbin/preforkd ] || fail "dpkg -r left /usr/sbin/preforkd"
[ -e /etc/preforkd/preforkd.conf ] || fail "dpkg -r removed the config"
dpkg -P preforkd >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log" >&2; fail "dpkg -P"; }
footprint >"$tmp/after"
# Only what is new counts: a stale /run/preforkd.pid left by a server killed earlier (CI's
# `./build.sh run`) is in "before", and the server started here overwrites it and removes it on stop.
left=$(comm -13 "$tmp/before" "$tmp/after")
[ -z "$left" ] || fail "dpkg -P left these behind: $left"
echo "ok 5: dpkg -r stopped the server and kept the config; dpkg -P left nothing"
