#!/bin/bash
# check_install.sh — `cmake --install BUILD --prefix /usr/local` with DESTDIR puts every file where
# docs/operations.md says, with that prefix's paths inside (issue 19). No root needed: it
# installs into a temporary folder only.
#
#   test/pkg/check_install.sh BUILD_DIR
set -euo pipefail
build=$1
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
root=$(mktemp -d /tmp/check_install.XXXXXX)
chmod 755 "$root" # as root, -t checks that the workers' user can read the docroot
trap 'rm -rf "$root"' EXIT

DESTDIR=$root cmake --install "$build" --prefix /usr/local >"$root.log" 2>&1 ||
    { cat "$root.log" >&2; rm -f "$root.log"; fail "cmake --install"; }
rm -f "$root.log"

for f in usr/local/sbin/preforkd \
    usr/local/lib/preforkd/modules/mod_static.so usr/local/lib/preforkd/modules/mod_cgi.so \
    usr/local/lib/preforkd/modules/mod_autoindex.so usr/local/lib/preforkd/modules/mod_status.so \
    etc/preforkd/preforkd.conf etc/preforkd/mime.types etc/logrotate.d/preforkd \
    usr/local/lib/systemd/system/preforkd.service \
    usr/local/share/man/man8/preforkd.8 usr/local/share/man/man5/preforkd.conf.5 \
    usr/local/share/doc/preforkd/README.md usr/local/share/doc/preforkd/operations.md \
    usr/local/share/doc/preforkd/ec2.md usr/local/share/preforkd/index.html; do
    [ -f "$root/$f" ] || fail "cmake --install did not install /$f"
done
[ -x "$root/usr/local/sbin/preforkd" ] || fail "/usr/local/sbin/preforkd is not executable"

conf=$root/etc/preforkd/preforkd.conf
unit=$root/usr/local/lib/systemd/system/preforkd.service
grep -q '^module_dir = "/usr/local/lib/preforkd/modules"' "$conf" ||
    fail "the installed config does not load the installed modules: $(grep module_dir "$conf")"
grep -q '^document_root = "/var/www/html"' "$conf" || fail "installed document_root"
grep -q '^user = "www-data"' "$conf" || fail "installed user"
grep -q '^error_log = "/var/log/preforkd/error.log"' "$conf" || fail "installed error_log"
grep -q '^access_log = "/var/log/preforkd/access.log"' "$conf" || fail "installed access_log"
grep -q '^pid_file = "/run/preforkd.pid"' "$conf" || fail "installed pid_file"
grep -q '^ExecStart=/usr/local/sbin/preforkd -f' "$unit" || fail "the unit's ExecStart"
grep -q 'kill -USR1' "$root/etc/logrotate.d/preforkd" || fail "the logrotate recipe sends no USR1"

# The installed config loads as it is (-t), its paths moved under the staging folder: docroot,
# modules and mime.types are the installed ones (a port in use is only a warning for -t).
docroot=$root/var/www/html
mkdir -p "$docroot" "$root/var/log/preforkd"
sed -e "s|\"/usr/local/lib/preforkd/modules\"|\"$root/usr/local/lib/preforkd/modules\"|" \
    -e "s|\"/var/|\"$root/var/|" -e "s|^listen = .*|listen = {\"127.0.0.1:59999\"}|" \
    -e "s|^pid_file = .*||" -e "s|^user = .*||" "$conf" >"$root/etc/preforkd/test.conf"
out=$("$root/usr/local/sbin/preforkd" -t -f "$root/etc/preforkd/test.conf" 2>&1) || true
[[ $out == *"syntax OK"* ]] ||
    fail "the installed config with the installed modules does not load: $out"
echo "ok: cmake --install --prefix /usr/local with DESTDIR: every file, with its prefix's paths"
