#!/bin/sh
# build.sh — the README's two commands: install what is missing, build, then run or test.
#   ./build.sh run     serve htdocs/ on 127.0.0.1:8080 with config/preforkd.conf (foreground)
#   ./build.sh test    run the whole test suite under ctest
#   ./build.sh deb     build the Debian package (build-deb/preforkd_VERSION_ARCH.deb; docs/ec2.md)
# SANITIZE=1 builds with AddressSanitizer + UndefinedBehaviorSanitizer into build-asan/.
set -eu

# Say how to use it before installing or building anything.
case "${1:-}" in
run | test | deb) ;;
*)
    echo "usage: $0 run|test|deb" >&2
    exit 2
    ;;
esac
cd "$(dirname "$0")"

packages="build-essential cmake pkg-config libconfuse-dev libpcre2-dev libssl-dev check"
# The tests run real CGI scripts (shell, Perl CGI.pm, Python, PHP) and DokuWiki, validate listings, make
# htpasswd files and load with ab (apache2-utils), put HAProxy in front of two servers, and run
# logrotate on the shipped config/preforkd.logrotate; openssl makes the HTTPS tests' CA and certificates;
# gunicorn and python3-flask run the Flask app mod_proxy is tested against.
[ "${1:-}" = test ] && packages="$packages curl python3 perl libcgi-pm-perl php-cgi libxml2-utils apache2-utils haproxy logrotate dokuwiki openssl gunicorn python3-flask"
# Headless Chromium loads pages over HTTPS (check_tls_browser), the test CA in its NSS database
# by certutil (libnss3-tools): some 140 MB to download, a minute to install.
[ "${1:-}" = test ] && packages="$packages chromium libnss3-tools"
# The package: dpkg-shlibdeps (dpkg-dev) and file compute its dependencies; the tests build it
# (test/pkg/check_deb.sh), and render the man pages with man-db.
[ "${1:-}" = test ] || [ "${1:-}" = deb ] && packages="$packages dpkg-dev file man-db"

missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "installing:$missing"
    if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
fi

build=build
flags=""
if [ "${1:-}" = deb ]; then
    # Installed paths compiled in (module_dir, the config read without -f); only what the
    # package holds is built, not the tests. DEB_BUILD_DIR: another folder (the package test's).
    build=${DEB_BUILD_DIR:-build-deb}
    flags="-DCMAKE_INSTALL_PREFIX=/usr -DPFD_INSTALL_DEFAULTS=ON -DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON"
elif [ "${SANITIZE:-0}" = 1 ]; then
    build=build-asan
    flags="-DSANITIZE=ON -DCMAKE_BUILD_TYPE=Debug"
fi
cmake -S . -B "$build" $flags >/dev/null
if [ "${1:-}" = deb ]; then
    cmake --build "$build" -j "$(nproc)" --target preforkd modules man
    cd "$build"
    cpack -G DEB >/dev/null
    ls "$PWD"/preforkd_*.deb
    exit 0
fi
cmake --build "$build" -j "$(nproc)"

case "${1:-}" in
run)
    exec "./$build/server/preforkd" -f config/preforkd.conf
    ;;
test)
    cd "$build"
    exec ctest --output-on-failure -j 2
    ;;
esac
