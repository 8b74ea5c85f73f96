#!/bin/bash
# run.sh — the comparison benchmark (issue 8): preforkd against Apache (mpm_prefork and
# mpm_event), nginx, lighttpd and a minimal epoll responder (the ceiling), on this machine,
# in one run. Writes test/bench/RESULTS.md and PNG plots beside it.
#
#   test/bench/run.sh                 (as root on Debian 12; about 20 minutes)
#
# It installs what is missing (apt-get), builds preforkd if needed, writes every server's
# config into a temp folder, starts each server by hand (never through the packages' services)
# on its own 127.0.0.1 port, runs the workloads interleaved and repeated (bench.py run), holds
# 1 000 / 5 000 / 10 000 idle keep-alive connections against each (bench.py c10k), counts
# preforkd's instructions per request (callgrind.sh), stops every server it started by its pid
# (also on failure or Ctrl-C) and writes the report (bench.py report).
#
# Environment (defaults in brackets):
#   BENCH_DURATION [3]      seconds per measured run        BENCH_REPEATS [3]   repetitions
#   BENCH_WARMUP [1]        seconds per warm-up run (0: none)
#   BENCH_SERVERS           [preforkd preforkd-park apache-prefork apache-event nginx lighttpd
#                           epoll-ref]; preforkd is the classic model (keepalive { park = false },
#                           the pool of BENCH_POOL), preforkd-park parks idle keep-alive
#                           connections in a keeper (keepalive { park = true }, BENCH_PARK_POOL)
#   BENCH_WORKLOADS         [all] comma list of bench.py workload names (ka-c16,close-c16 ...)
#   BENCH_C10K [1]          the C10K probe (0: skip)        BENCH_C10K_LEVELS [1000,5000,10000]
#   BENCH_C10K_POOL [10000] max_workers of the extra preforkd that holds every connection
#                           (0: no such run)
#   BENCH_PARK_POOL [256]   fixed pool of preforkd-park
#   BENCH_PARK_BIG_LEVELS [15000,20000,30000]  C10K levels past 10 000 for an extra preforkd-park
#                           with keepalive { keepers = BENCH_PARK_KEEPERS [2]; max_parked =
#                           BENCH_PARK_MAX_PARKED [30000] } (empty: no such run); the probe
#                           spreads a level over processes of 15 000 sockets at most, each bound
#                           to its own source address (127.0.0.1, 127.0.0.2 ...)
#   BENCH_C10K_WAIT [10]    seconds to wait for the held connections' answers (and for the
#                           fresh client)
#   BENCH_POOL [1024]       fixed pool of preforkd and Apache prefork (start = max = this)
#   BENCH_CALLGRIND [1]     run callgrind.sh (0: skip)
#   BENCH_RAMP [1]          the pool ramp: preforkd classic and Apache prefork started at 8
#                           workers (spare 5..20, max 256) under 256 new keep-alive
#                           connections: the time to 256 workers (0: skip)
#   BENCH_SYSCALLS [1]      syscalls per request of preforkd (both), nginx and lighttpd:
#                           strace -c -f over 2 000 requests, keep-alive and not (0: skip)
#   BENCH_PROXY [1]         the reverse-proxy rows (issue 18): Gunicorn running examples/flask
#                           and epoll_ref (a trivial upstream), each straight, behind nginx
#                           (proxy_pass, upstream keepalive) and behind preforkd (mod_proxy, a
#                           fixed pool of 64), wrk c=16 keep-alive; with BENCH_SYSCALLS, both
#                           fronts' syscalls per proxied request, with BENCH_CALLGRIND preforkd's
#                           instructions per proxied request (callgrind.sh --proxy) (0: skip;
#                           needs gunicorn and python3-flask, installed when missing)
#   BENCH_TLS [1]           the HTTPS rows: nginx and preforkd (classic, pool BENCH_TLS_POOL [64])
#                           with TLS, an ECDSA P-256 and an RSA 2048 certificate made here with
#                           the openssl CLI: 1 KB keep-alive c=4 and c=16 (wrk https), new TLS connections
#                           per second (ab https, a full handshake each), resumed ones (openssl
#                           s_time -reuse, c=1), 10 MB over HTTPS with and without kTLS; nginx
#                           and preforkd run at the same time and take turns; on ECDSA a second
#                           preforkd with prefork { scheduling = "batch" } takes its turn too (0: skip)
#   BENCH_KTLS_VM [0]       1: the same 10 MB file over HTTPS where the kernel has kTLS: test/ktls/vm.sh
#                           boots Debian 12's own kernel (tls module loaded) in qemu over this
#                           machine's userland and runs test/ktls/inside.sh there (byte-exact
#                           checks, then wrk c=4 and c=16 against preforkd ktls on/off and nginx
#                           with/without Options KTLS); needs /dev/kvm or time (qemu's TCG)
#   BENCH_HTACCESS [1]      the .htaccess cost (issue 16), when preforkd is in BENCH_SERVERS:
#                           preforkd classic (BENCH_POOL) twice on a copy of the docroot holding
#                           test/bench/bench.htaccess, without and with allow_override =
#                           {"All"}: ka-c16 alternating (durations and repeats as above), and
#                           callgrind's instructions per request of both (with BENCH_CALLGRIND)
#                           (0: skip)
#   BENCH_BUILD [build]     preforkd build folder (built with cmake when missing)
#   BENCH_OUT [test/bench]  where RESULTS.md and the plots go
#   BENCH_KEEP [0]          1: keep the temp folder (configs, logs, raw data)
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${BENCH_BUILD:-$top/build}
duration=${BENCH_DURATION:-3}
repeats=${BENCH_REPEATS:-3}
warmup=${BENCH_WARMUP:-1}
servers=${BENCH_SERVERS:-"preforkd preforkd-park apache-prefork apache-event nginx lighttpd epoll-ref"}
workloads=${BENCH_WORKLOADS:-}
c10k=${BENCH_C10K:-1}
c10k_levels=${BENCH_C10K_LEVELS:-1000,5000,10000}
c10k_pool=${BENCH_C10K_POOL:-10000}
c10k_wait=${BENCH_C10K_WAIT:-10}
pool=${BENCH_POOL:-1024}
park_pool=${BENCH_PARK_POOL:-256}
park_big_levels=${BENCH_PARK_BIG_LEVELS-15000,20000,30000}
park_keepers=${BENCH_PARK_KEEPERS:-2}
park_max_parked=${BENCH_PARK_MAX_PARKED:-30000}
callgrind=${BENCH_CALLGRIND:-1}
syscalls=${BENCH_SYSCALLS:-1}
ramp=${BENCH_RAMP:-1}
proxy=${BENCH_PROXY:-1}
proxy_pool=64        # preforkd's fixed pool in front of an upstream: c=16 needs no more
tls=${BENCH_TLS:-1}
tls_pool=${BENCH_TLS_POOL:-64}
htaccess=${BENCH_HTACCESS:-1}
ktls_vm=${BENCH_KTLS_VM:-0}
out=${BENCH_OUT:-$here}
keep=${BENCH_KEEP:-0}
ka_timeout=30        # keep-alive timeout of every server: longer than one C10K level lasts
ka_requests=10000    # requests per keep-alive connection, every server
backlog=511          # listen backlog, every server that has the setting
min_spare=$((pool < 32 ? pool : 32))
nproc=$(nproc)

die() { echo "run.sh: $*" >&2; exit 1; }
log() { echo "== $(date +%H:%M:%S) $*"; }

for v in duration repeats warmup pool tls_pool c10k_pool c10k_wait park_pool park_keepers park_max_parked; do
    [[ ${!v} =~ ^[0-9]+$ ]] || die "BENCH_${v^^} must be a whole number"
done
[ "$repeats" -ge 1 ] && [ "$duration" -ge 1 ] && [ "$pool" -ge 1 ] && [ "$park_pool" -ge 1 ] ||
    die "durations, repeats and pools must be at least 1"
[ "$c10k_pool" -le 20000 ] && [ "$pool" -le 20000 ] || die "preforkd pools are at most 20000"
[[ $c10k_levels =~ ^[0-9]+(,[0-9]+)*$ ]] || die "BENCH_C10K_LEVELS: comma-separated numbers"
[[ $park_big_levels =~ ^([0-9]+(,[0-9]+)*)?$ ]] || die "BENCH_PARK_BIG_LEVELS: comma-separated numbers"
[[ $workloads =~ ^([a-z0-9-]+(,[a-z0-9-]+)*)?$ ]] || die "BENCH_WORKLOADS: comma-separated names"
for s in $servers; do
    case $s in preforkd|preforkd-park|apache-prefork|apache-event|nginx|lighttpd|epoll-ref) ;;
        *) die "unknown server '$s' in BENCH_SERVERS" ;; esac
done
command=""
for v in BENCH_DURATION BENCH_REPEATS BENCH_WARMUP BENCH_SERVERS BENCH_C10K BENCH_C10K_LEVELS \
         BENCH_C10K_POOL BENCH_C10K_WAIT BENCH_POOL BENCH_CALLGRIND BENCH_SYSCALLS BENCH_RAMP BENCH_TLS BENCH_TLS_POOL BENCH_KTLS_VM BENCH_HTACCESS BENCH_PROXY BENCH_BUILD BENCH_OUT \
         BENCH_WORKLOADS BENCH_PARK_POOL BENCH_PARK_BIG_LEVELS BENCH_PARK_KEEPERS \
         BENCH_PARK_MAX_PARKED; do
    [ -n "${!v+x}" ] && command+="$v=$(printf '%q' "${!v}") "
done
command+="test/bench/run.sh"

# ------------------------------------------------------------------ clean-up, whatever happens
work=""
started=()          # "name pid" of every server this script started
policy_created=0
stop_pid() { # name pid: TERM the server, wait up to 15 s, then KILL what is left of its tree
    local name=$1 pid=$2 tree i
    kill -0 "$pid" 2>/dev/null || return 0
    tree=$(python3 "$here/bench.py" tree "$pid" 2>/dev/null)
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < 150; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    wait "$pid" 2>/dev/null
    local left=()
    for p in $tree; do
        # only processes of the tree we saw, still alive: nothing else is ever signalled
        [ -d "/proc/$p" ] && [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" != Z ] && left+=("$p")
    done
    if [ ${#left[@]} -gt 0 ]; then
        echo "run.sh: $name: ${#left[@]} processes still up after TERM: KILL" >&2
        kill -KILL "${left[@]}" 2>/dev/null
        wait "$pid" 2>/dev/null
    fi
}
stop_named() { # name: stop the servers of that name started so far
    local e
    for e in "${started[@]}"; do
        [ "${e%% *}" = "$1" ] && stop_pid $e
    done
}
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    local e
    for e in "${started[@]}"; do stop_pid $e; done
    [ "$policy_created" = 1 ] && rm -f /usr/sbin/policy-rc.d
    if [ -n "$work" ]; then
        if [ "$keep" = 1 ] || [ "$rc" -ne 0 ]; then
            echo "run.sh: configs, logs and raw data kept in $work"
        else
            rm -rf "$work"
        fi
    fi
    exit "$rc"
}
# A long step runs in the background and is waited for, so that a signal interrupts the wait
# (bash runs a trap only after the foreground command ends); the step itself is stopped too.
child=""
step() {
    "$@" &
    child=$!
    wait "$child"
    local rc=$?
    child=""
    return $rc
}
on_signal() {
    [ -n "$child" ] && kill -TERM "$child" 2>/dev/null && wait "$child" 2>/dev/null
    exit 130
}
trap cleanup EXIT
trap on_signal INT TERM

# ------------------------------------------------------------------ what the run needs
need_pkgs=()
want() { command -v "$1" >/dev/null 2>&1 || need_pkgs+=("$2"); }
want python3 python3
want wrk wrk
want ab apache2-utils
want gcc build-essential
want cmake cmake
want pkg-config pkg-config
[ "$tls" = 1 ] && want openssl openssl
[[ " $servers " == *" apache-"* ]] && want apache2 apache2
[[ " $servers " == *" nginx "* ]] && { want nginx nginx-light; }
[[ " $servers " == *" lighttpd "* ]] && want lighttpd lighttpd
want gnuplot gnuplot-nox
[ "$callgrind" = 1 ] && want valgrind valgrind
[ "$syscalls" = 1 ] && want strace strace
if [ "$proxy" = 1 ]; then
    want nginx nginx-light
    want gunicorn gunicorn
    python3 -c 'import flask' 2>/dev/null || need_pkgs+=(python3-flask)
fi
[ -x "$build/server/preforkd" ] || need_pkgs+=(libconfuse-dev libpcre2-dev)
PATH=$PATH:/usr/sbin:/sbin
if [ ${#need_pkgs[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || die "missing packages (${need_pkgs[*]}): run as root, or install them"
    log "installing ${need_pkgs[*]}"
    # The packages' services must not start: a policy-rc.d refusing every start, for the
    # duration of the install only (unless the machine already has one).
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
        policy_created=1
    fi
    pre_pids=$(cat /run/apache2/apache2.pid /run/nginx.pid /run/lighttpd.pid 2>/dev/null | tr '\n' ' ')
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq "${need_pkgs[@]}" >/dev/null ||
        { apt-get update -qq && apt-get install -y -qq "${need_pkgs[@]}" >/dev/null; } ||
        die "apt-get install ${need_pkgs[*]} failed"
    [ "$policy_created" = 1 ] && rm -f /usr/sbin/policy-rc.d && policy_created=0
    # Should a service have started anyway, stop it: only one whose pid file appeared with this
    # install and whose process is that daemon.
    for f in /run/apache2/apache2.pid /run/nginx.pid /run/lighttpd.pid; do
        p=$(cat "$f" 2>/dev/null) || continue
        [[ $p =~ ^[0-9]+$ ]] && [[ " $pre_pids " != *" $p "* ]] || continue
        case $(cat "/proc/$p/comm" 2>/dev/null) in
            apache2|nginx|lighttpd) log "stopping the $(cat /proc/$p/comm) service the install started (pid $p)"
                kill -TERM "$p" ;;
        esac
    done
fi
command -v wrk >/dev/null || die "wrk is missing"

if [ ! -x "$build/server/preforkd" ] || [ ! -e "$build/modules/mod_static.so" ]; then
    log "building preforkd in $build"
    cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null &&
        cmake --build "$build" -j "$nproc" --target preforkd modules >/dev/null ||
        die "the build failed"
fi
build=$(cd "$build" && pwd)
pfd=$build/server/preforkd

# Descriptors: 10 000 held connections need more than the usual 1 024 (servers inherit this).
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null
nofile=$(ulimit -n)
[ "$nofile" = unlimited ] && nofile=1048576

# ------------------------------------------------------------------ the temp folder
work=$(mktemp -d /tmp/pfd-bench-XXXXXX) || die "mktemp failed"
chmod 755 "$work"
docroot=$work/htdocs
mkdir -p "$docroot/dir" "$docroot/cgi-bin" "$work/apache-prefork" "$work/apache-event" \
         "$work/nginx/tmp" "$work/lighttpd"
head -c 1024 /dev/zero | tr '\0' a > "$docroot/1k.txt"
head -c $((10 * 1024 * 1024)) /dev/urandom > "$docroot/10m.bin"
for i in $(seq 1 100); do
    head -c $((i * 37)) /dev/zero > "$docroot/dir/file-$i-$(printf '%0*d' $((i % 20)) 0).txt"
done
gcc -O2 -o "$docroot/cgi-bin/c.cgi" "$here/hello_cgi.c" || die "cannot compile hello_cgi.c"
cp "$here/hello_cgi.sh" "$docroot/cgi-bin/sh.cgi"
chmod -R a+rX "$docroot" && chmod 755 "$docroot/cgi-bin/"*.cgi
gcc -O2 -Wall -o "$work/epoll_ref" "$here/epoll_ref.c" || die "cannot compile epoll_ref.c"

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
if [ "$(id -u)" = 0 ]; then
    runas_user=nobody runas_group=nogroup
    chown "$runas_user:$runas_group" "$work/lighttpd"   # lighttpd opens its error log as that user
else
    runas_user="" runas_group=""
fi

# ------------------------------------------------------------------ certificates (BENCH_TLS)
# One self-signed certificate per key type, for 127.0.0.1, served by every TLS server alike.
tls_dir=$work/tls
make_cert() { # kind: ecdsa (P-256) or rsa (2048)
    local key_opts=(-newkey ec -pkeyopt ec_paramgen_curve:P-256)
    [ "$1" = rsa ] && key_opts=(-newkey rsa:2048)
    openssl req -x509 "${key_opts[@]}" -nodes -days 30 -subj "/CN=127.0.0.1" \
        -addext "subjectAltName=IP:127.0.0.1" -keyout "$tls_dir/$1.key" -out "$tls_dir/$1.crt" \
        >/dev/null 2>&1 || die "openssl req ($1) failed"
    chmod 600 "$tls_dir/$1.key"
}
if [ "$tls" = 1 ]; then
    mkdir -p "$tls_dir" && make_cert ecdsa && make_cert rsa
fi
# Mozilla's "intermediate" profile (ssl-config.mozilla.org, version 5.7): TLS 1.2 suites.
mozilla_ciphers=ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305

# ------------------------------------------------------------------ the configs
conf_preforkd() { # file port pool [keepers max_parked]: no keepers: the classic model
    local park="park = false"
    [ -n "${4:-}" ] && park="park = true  keepers = $4  max_parked = $5"
    cat > "$1" <<CONF
# preforkd for the benchmark: the pool is fixed (start = max) like Apache prefork's below.
listen = {"127.0.0.1:$2"}
document_root = "$docroot"
module_dir = "$build/modules"
modules = {"cgi", "static", "autoindex", "status"}
mime_types = "$top/config/mime.types"
pid_file = "${1%.conf}.pid"
error_log = "${1%.conf}.error.log"
${runas_user:+user = \"$runas_user\"}
prefork {
    start_servers = $3
    min_spare_servers = $((min_spare < $3 ? min_spare : $3))
    max_spare_servers = $3
    max_workers = $3
    max_requests_per_child = 0
    listen_backlog = $backlog
    max_spawn_rate = 32
}
timeouts { keepalive = $ka_timeout }
keepalive { enabled = true  max_requests = $ka_requests  $park }
module "static" { sendfile = true }
location "^/cgi-bin/" { handler = "cgi" }
location "^/dir/" { autoindex = true }
# bench.py reads the keepers' Parks and Unparks here before and after each run
location "^/server-status\$" { handler = "status" }
CONF
}

conf_apache() { # mpm port [dir]
    local d=${3:-$work/apache-$1} mpm
    if [ "$1" = prefork ]; then
        mpm="LoadModule mpm_prefork_module /usr/lib/apache2/modules/mod_mpm_prefork.so
LoadModule cgi_module /usr/lib/apache2/modules/mod_cgi.so
StartServers $pool
MinSpareServers $min_spare
MaxSpareServers $pool
ServerLimit $pool
MaxRequestWorkers $pool
MaxConnectionsPerChild 0"
    else
        mpm="LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule cgid_module /usr/lib/apache2/modules/mod_cgid.so
ScriptSock $d/cgid.sock
StartServers 2
ServerLimit 16
ThreadsPerChild 64
MaxRequestWorkers 1024
MinSpareThreads 64
MaxSpareThreads 1024
AsyncRequestWorkerFactor 10
MaxConnectionsPerChild 0"
    fi
    cat > "$d/apache2.conf" <<CONF
# Apache 2.4 mpm_$1 for the benchmark (Debian's binary, this file only).
ServerRoot $d
DefaultRuntimeDir $d
PidFile $d/apache2.pid
ErrorLog $d/error.log
LogLevel warn
Listen 127.0.0.1:$2
ListenBacklog $backlog
ServerName 127.0.0.1
$mpm
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
LoadModule dir_module /usr/lib/apache2/modules/mod_dir.so
LoadModule autoindex_module /usr/lib/apache2/modules/mod_autoindex.so
LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so
${runas_user:+User $runas_user}
${runas_group:+Group $runas_group}
TypesConfig /dev/null
AddType text/plain .txt
AddType text/html .html
KeepAlive On
KeepAliveTimeout $ka_timeout
MaxKeepAliveRequests $ka_requests
Timeout 60
EnableSendfile On
HostnameLookups Off
DocumentRoot $docroot
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory $docroot>
    Options Indexes
    Require all granted
</Directory>
ScriptAlias /cgi-bin/ $docroot/cgi-bin/
<Directory $docroot/cgi-bin>
    Options +ExecCGI
    Require all granted
</Directory>
CONF
}

conf_nginx() { # port
    local wc=$((nofile - 100 < 16384 ? nofile - 100 : 16384))
    cat > "$work/nginx/nginx.conf" <<CONF
# nginx for the benchmark (Debian's binary, this file only).
${runas_user:+user $runas_user $runas_group;}
worker_processes $nproc;
worker_rlimit_nofile $nofile;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
daemon off;
events { worker_connections $wc; }
http {
    types { text/plain txt; text/html html; application/octet-stream bin; }
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    keepalive_timeout $ka_timeout;
    keepalive_requests $ka_requests;
    client_body_temp_path tmp/body;
    proxy_temp_path tmp/proxy;
    fastcgi_temp_path tmp/fastcgi;
    uwsgi_temp_path tmp/uwsgi;
    scgi_temp_path tmp/scgi;
    server {
        listen 127.0.0.1:$1 backlog=$backlog;
        root $docroot;
        location /dir/ { autoindex on; }
    }
}
CONF
}

conf_nginx_tls() { # dir port cert ktls: HTTPS only, Mozilla intermediate, session tickets on
    mkdir -p "$1/tmp"
    cat > "$1/nginx.conf" <<CONF
# nginx with TLS for the benchmark (Debian's binary, this file only).
${runas_user:+user $runas_user $runas_group;}
worker_processes $nproc;
worker_rlimit_nofile $nofile;
pid $1/nginx.pid;
error_log $1/error.log warn;
daemon off;
events { worker_connections 4096; }
http {
    types { text/plain txt; text/html html; application/octet-stream bin; }
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    keepalive_timeout $ka_timeout;
    keepalive_requests $ka_requests;
    client_body_temp_path tmp/body;
    proxy_temp_path tmp/proxy;
    fastcgi_temp_path tmp/fastcgi;
    uwsgi_temp_path tmp/uwsgi;
    scgi_temp_path tmp/scgi;
    server {
        listen 127.0.0.1:$2 ssl backlog=$backlog;
        root $docroot;
        ssl_certificate $tls_dir/$3.crt;
        ssl_certificate_key $tls_dir/$3.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_ciphers $mozilla_ciphers;
        ssl_prefer_server_ciphers off;
        ssl_session_cache shared:SSL:10m;
        ssl_session_tickets on;
        $([ "$4" = 1 ] && echo "ssl_conf_command Options KTLS;")
    }
}
CONF
}

# preforkd's TLS lines, appended to conf_preforkd's file (README, "HTTPS").
conf_preforkd_tls() { # file port cert ktls
    sed -i "s|^listen = .*|tls_listen = {\"127.0.0.1:$2\"}|" "$1"
    cat >> "$1" <<CONF
tls {
    certificate = "$tls_dir/$3.crt"
    certificate_key = "$tls_dir/$3.key"
    protocols = "TLSv1.2 TLSv1.3"
    ciphers = "$mozilla_ciphers"
    prefer_server_ciphers = false
    ktls = $([ "$4" = 1 ] && echo true || echo false)
}
CONF
}

conf_lighttpd() { # port
    cat > "$work/lighttpd/lighttpd.conf" <<CONF
# lighttpd for the benchmark (Debian's binary, this file only).
server.modules = ("mod_dirlisting", "mod_cgi")
server.document-root = "$docroot"
server.bind = "127.0.0.1"
server.port = $1
server.pid-file = "$work/lighttpd/lighttpd.pid"
server.errorlog = "$work/lighttpd/error.log"
${runas_user:+server.username = \"$runas_user\"}
${runas_group:+server.groupname = \"$runas_group\"}
server.max-fds = $nofile
server.max-connections = 16384
server.listen-backlog = $backlog
server.max-keep-alive-idle = $ka_timeout
server.max-keep-alive-requests = $ka_requests
server.network-backend = "sendfile"
mimetype.assign = (".txt" => "text/plain", ".html" => "text/html", "" => "application/octet-stream")
\$HTTP["url"] =~ "^/dir/" { dir-listing.activate = "enable" }
\$HTTP["url"] =~ "^/cgi-bin/" { cgi.assign = ("" => "") }
CONF
}

# The pool ramp's servers: start 8, spare 5..20, at most 256 (issue 15's settings), in either
# config (preforkd's prefork section or Apache's directives; the rest as the main runs').
ramp_pool() { # file
    sed -i -e 's/start_servers = [0-9]*/start_servers = 8/' \
        -e 's/min_spare_servers = [0-9]*/min_spare_servers = 5/' \
        -e 's/max_spare_servers = [0-9]*/max_spare_servers = 20/' \
        -e 's/max_workers = [0-9]*/max_workers = 256/' \
        -e 's/^StartServers .*/StartServers 8/' -e 's/^MinSpareServers .*/MinSpareServers 5/' \
        -e 's/^MaxSpareServers .*/MaxSpareServers 20/' -e 's/^ServerLimit .*/ServerLimit 256/' \
        -e 's/^MaxRequestWorkers .*/MaxRequestWorkers 256/' "$1"
}

# ------------------------------------------------------------------ starting servers
declare -A port pid
: > "$work/servers.txt"
: > "$work/raw.jsonl"
: > "$work/c10k.jsonl"

start() { # name [pool]: start the server in the foreground of a background job; sets pid[name]
    local name=$1 p procs flags="ka,close,big,listing,cgi" cmd=() parking=() k ready_scheme=http
    p=$(free_port)
    case $name in
        preforkd-ramp)
            conf_preforkd "$work/$name.conf" "$p" 256
            ramp_pool "$work/$name.conf"
            cmd=("$pfd" -f "$work/$name.conf"); procs=9 ;;
        apache-ramp)
            mkdir -p "$work/apache-ramp"
            conf_apache prefork "$p" "$work/apache-ramp"
            ramp_pool "$work/apache-ramp/apache2.conf"
            cmd=(apache2 -f "$work/apache-ramp/apache2.conf" -DFOREGROUND); procs=9 ;;
        preforkd-ht-off|preforkd-ht-on)
            # the classic preforkd on the .htaccess docroot; "on" reads the access files
            conf_preforkd "$work/$name.conf" "$p" "$pool"
            sed -i "s|^document_root = .*|document_root = \"$ht_root\"|" "$work/$name.conf"
            [ "$name" = preforkd-ht-on ] && echo 'allow_override = {"All"}' >> "$work/$name.conf"
            "$pfd" -t -f "$work/$name.conf" >/dev/null 2>"$work/$name.check" ||
                { cat "$work/$name.check" >&2; die "$name: config refused"; }
            cmd=("$pfd" -f "$work/$name.conf"); procs=$((pool + 1)) ;;
        preforkd|preforkd-10k|preforkd-park|preforkd-park-big)
            case $name in
                preforkd-park) parking=(1 10000) ;;   # the defaults: one keeper, 10 000 parked
                preforkd-park-big) parking=("$park_keepers" "$park_max_parked") ;;
            esac
            conf_preforkd "$work/$name.conf" "$p" "${2:-$pool}" "${parking[@]}"
            "$pfd" -t -f "$work/$name.conf" >/dev/null 2>"$work/$name.check" ||
                { cat "$work/$name.check" >&2; die "$name: config refused"; }
            cmd=("$pfd" -f "$work/$name.conf"); procs=$((${2:-$pool} + 1 + ${parking[0]:-0})) ;;
        apache-prefork|apache-event)
            conf_apache "${name#apache-}" "$p"
            cmd=(apache2 -f "$work/$name/apache2.conf" -DFOREGROUND)
            [ "$name" = apache-prefork ] && procs=$((pool + 1)) || procs=3 ;;
        nginx)
            conf_nginx "$p"
            cmd=(nginx -p "$work/nginx/" -e "$work/nginx/error.log" -c "$work/nginx/nginx.conf")
            procs=$((nproc + 1)); flags="ka,close,big,listing" ;;
        nginx-tls|nginx-tls-ktls)
            [ "$name" = nginx-tls-ktls ] && k=1 || k=0
            conf_nginx_tls "$work/$name" "$p" "$tls_cert" "$k"
            cmd=(nginx -p "$work/$name/" -e "$work/$name/error.log" -c "$work/$name/nginx.conf")
            procs=$((nproc + 1)); ready_scheme=https ;;
        preforkd-tls|preforkd-tls-noktls|preforkd-tls-batch)
            [ "$name" = preforkd-tls-noktls ] && k=0 || k=1
            conf_preforkd "$work/$name.conf" "$p" "$tls_pool"
            conf_preforkd_tls "$work/$name.conf" "$p" "$tls_cert" "$k"
            # the same with SCHED_BATCH workers (README: prefork { scheduling })
            [ "$name" = preforkd-tls-batch ] &&
                sed -i 's/^prefork {$/prefork {\n    scheduling = "batch"/' "$work/$name.conf"
            "$pfd" -t -f "$work/$name.conf" >/dev/null 2>"$work/$name.check" ||
                { cat "$work/$name.check" >&2; echo "run.sh: $name: config refused: no HTTPS rows" >&2; return 1; }
            cmd=("$pfd" -f "$work/$name.conf"); procs=$((tls_pool + 1)); ready_scheme=https ;;
        lighttpd)
            conf_lighttpd "$p"
            cmd=(lighttpd -D -f "$work/lighttpd/lighttpd.conf"); procs=1 ;;
        epoll-ref)
            cmd=("$work/epoll_ref" "$p" "$nproc"); procs=$((nproc + 1)); flags="ka,close" ;;
    esac
    # Its own session and process group: Apache signals its whole process group when it stops.
    local since ready_extra=()
    if [ "$name" = preforkd-10k ]; then
        # the whole cost of 10 000 workers: the time until every one is idle, and what the
        # kernel holds for them beside PSS
        ready_extra=(--idle-workers "${2:-$pool}" --meminfo-before
                     "$(awk '/^PageTables:/ {p = $2} /^KernelStack:/ {k = $2} END {print p "," k}' /proc/meminfo)")
    fi
    since=$(date +%s.%N)
    setsid "${cmd[@]}" >"$work/$name.stdout" 2>&1 </dev/null &
    pid[$name]=$!
    port[$name]=$p
    started+=("$name ${pid[$name]}")
    log "started $name (pid ${pid[$name]}) on 127.0.0.1:$p"
    step python3 "$here/bench.py" ready --name "$name" --port "$p" --pid "${pid[$name]}" \
        --procs "$procs" --timeout 300 --out "$3" --since "$since" --scheme "$ready_scheme" \
        "${ready_extra[@]}" >/dev/null ||
        { tail -n 20 "$work/$name.stdout" "$work/$name"*error* "$work/$name"/*error* 2>/dev/null >&2
          die "$name did not start"; }
    [ -n "${4:-}" ] && echo "$name $p ${pid[$name]} $flags" >> "$work/servers.txt"
    return 0
}

# ------------------------------------------------------------------ run
n_servers=$(wc -w <<<"$servers")
n_levels=$(tr ',' ' ' <<<"$c10k_levels" | wc -w)
# about 0.7 s of overhead per wrk run (memory reading, a pause); 11 workloads per server on average
est=$(( (repeats * (duration * 10 + 7) + (warmup > 0 ? warmup * 10 + 7 : 0)) * 11 * n_servers / 10 + 60 ))
[ "$c10k" = 1 ] && est=$((est + (n_servers + 1) * n_levels * (c10k_wait / 2 + 3) + 60))
[ "$c10k" = 1 ] && [ -n "$park_big_levels" ] && est=$((est + $(tr ',' ' ' <<<"$park_big_levels" | wc -w) * (c10k_wait + 10)))
[ "$callgrind" = 1 ] && est=$((est + 60))
[ "$syscalls" = 1 ] && est=$((est + 120))
[ "$ramp" = 1 ] && est=$((est + 60))
[ "$proxy" = 1 ] && est=$((est + 6 * (repeats * (duration + 1) + warmup + 1) + 30))
[ "$proxy" = 1 ] && [ "$syscalls" = 1 ] && est=$((est + 30))
[ "$proxy" = 1 ] && [ "$callgrind" = 1 ] && est=$((est + 30))
# HTTPS: 14 measured workloads over 6 servers started in turn (each start about 5 s)
[ "$tls" = 1 ] && est=$((est + 19 * repeats * (duration + 1) + 30))
[ "$htaccess" = 1 ] && [[ " $servers " == *" preforkd "* ]] && est=$((est + repeats * 2 * (duration + 1) + 60))
log "preforkd benchmark: servers: $servers; ${duration}s x $repeats (warm-up ${warmup}s); C10K: $([ "$c10k" = 1 ] && echo "$c10k_levels" || echo off); up to about $((est / 60)) min"
log "work folder: $work; open-file limit: $nofile"

for s in $servers; do
    if [ "$s" = preforkd-park ]; then start "$s" "$park_pool" "$work/raw.jsonl" yes
    else start "$s" "" "$work/raw.jsonl" yes; fi
done
python3 "$here/bench.py" check --servers "$work/servers.txt"

log "workloads"
step python3 "$here/bench.py" run --servers "$work/servers.txt" --out "$work/raw.jsonl" \
    --duration "$duration" --repeats "$repeats" --warmup "$warmup" ${workloads:+--workloads "$workloads"} ||
    die "bench.py run failed"

if [ "$ramp" = 1 ]; then
    log "pool ramp: 8 → 256 workers under 256 new keep-alive connections"
    for s in preforkd-ramp apache-ramp; do
        [ "$s" = preforkd-ramp ] && main=preforkd || main=apache-prefork
        [[ " $servers " == *" $main "* ]] || continue
        start "$s" "" "$work/ramp-idle.jsonl"
        step python3 "$here/bench.py" ramp --name "$s" --port "${port[$s]}" --pid "${pid[$s]}" \
            --target 256 --conns 256 --timeout 60 --out "$work/raw.jsonl" ||
            die "bench.py ramp $s failed"
        stop_named "$s"
    done
fi

# ------------------------------------------------------------------ the reverse proxy (issue 18)
conf_nginx_proxy() { # dir port upstream_port: nginx as Gunicorn's docs set it up, kept connections
    mkdir -p "$1/tmp"
    cat > "$1/nginx.conf" <<CONF
# nginx as a reverse proxy for the benchmark (Debian's binary, this file only).
${runas_user:+user $runas_user $runas_group;}
worker_processes $nproc;
pid $1/nginx.pid;
error_log $1/error.log warn;
daemon off;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_timeout $ka_timeout;
    keepalive_requests $ka_requests;
    client_body_temp_path tmp/body;
    proxy_temp_path tmp/proxy;
    fastcgi_temp_path tmp/fastcgi;
    uwsgi_temp_path tmp/uwsgi;
    scgi_temp_path tmp/scgi;
    upstream app { server 127.0.0.1:$3; keepalive 32; }
    server {
        listen 127.0.0.1:$2 backlog=$backlog;
        location / {
            proxy_pass http://app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$http_host;
            proxy_set_header X-Forwarded-For \$remote_addr;
            proxy_set_header X-Forwarded-Proto \$scheme;
        }
    }
}
CONF
}
conf_preforkd_proxy() { # file port upstream_port: the benchmark's preforkd, "/" to the upstream
    conf_preforkd "$1" "$2" "$proxy_pool"
    sed -i 's/^modules = {\(.*\)}/modules = {\1, "proxy"}/' "$1"
    echo "location \"/\" { handler = \"proxy\"  proxy_pass = {\"http://127.0.0.1:$3\"} }" >> "$1"
}
proxy_start() { # name command…: in its own session, stopped by the clean-up like the others
    local name=$1
    shift
    setsid "$@" >"$work/$name.stdout" 2>&1 </dev/null &
    started+=("$name $!")
}
if [ "$proxy" = 1 ]; then
    log "reverse proxy: Gunicorn and epoll_ref, straight, behind nginx and behind preforkd (c=16)"
    targets=$work/proxy-targets.txt
    gp=$(free_port) tp=$(free_port)
    proxy_start gunicorn env PYTHONDONTWRITEBYTECODE=1 gunicorn --chdir "$top/examples/flask" \
        -c "$top/examples/flask/gunicorn.conf.py" --bind "127.0.0.1:$gp" --workers "$nproc" app:app
    proxy_start trivial "$work/epoll_ref" "$tp" "$nproc"
    for up in gunicorn trivial; do
        if [ "$up" = gunicorn ]; then u=$gp path=/; else u=$tp path=/1k.txt; fi
        echo "$up-direct $u $path" >> "$targets"
        p=$(free_port)
        conf_nginx_proxy "$work/nginx-$up" "$p" "$u"
        proxy_start "nginx-$up" nginx -p "$work/nginx-$up/" -e "$work/nginx-$up/error.log" \
            -c "$work/nginx-$up/nginx.conf"
        echo "$up-nginx $p $path" >> "$targets"
        port[$up-nginx]=$p pid[$up-nginx]=${started[-1]#* }
        p=$(free_port)
        conf_preforkd_proxy "$work/preforkd-$up.conf" "$p" "$u"
        "$pfd" -t -f "$work/preforkd-$up.conf" >/dev/null 2>"$work/preforkd-$up.check" ||
            { cat "$work/preforkd-$up.check" >&2; die "preforkd-$up: config refused"; }
        proxy_start "preforkd-$up" "$pfd" -f "$work/preforkd-$up.conf"
        echo "$up-preforkd $p $path" >> "$targets"
        port[$up-preforkd]=$p pid[$up-preforkd]=${started[-1]#* }
    done
    step python3 "$here/bench.py" proxy --targets "$targets" --out "$work/raw.jsonl" \
        --duration "$duration" --repeats "$repeats" --warmup "$warmup" || die "bench.py proxy failed"
    # the proxy's own cost in counts that do not move with the machine's load: syscalls per
    # request of both fronts to the trivial upstream, and preforkd's instructions per request
    if [ "$syscalls" = 1 ]; then
        for s in nginx preforkd; do
            step python3 "$here/bench.py" syscalls --name "proxy-$s" --port "${port[trivial-$s]}" \
                --pid "${pid[trivial-$s]}" --requests 2000 --workloads ka-c16 \
                --out "$work/raw.jsonl" || die "bench.py syscalls proxy-$s failed"
        done
    fi
    if [ "$callgrind" = 1 ]; then
        n=$(timeout 600 "$here/callgrind.sh" --proxy --keepalive-only "$build" 2>&1 | tail -n 1)
        [[ $n =~ :\ ([0-9]+)$ ]] || die "callgrind.sh --proxy failed: $n"
        printf '{"type": "proxy-callgrind", "instructions": %s}\n' "${BASH_REMATCH[1]}" >> "$work/raw.jsonl"
        log "mod_proxy: ${BASH_REMATCH[1]} instructions per proxied request"
    fi
    for s in preforkd-gunicorn nginx-gunicorn preforkd-trivial nginx-trivial gunicorn trivial; do
        stop_named "$s"
    done
fi

if [ "$syscalls" = 1 ]; then
    log "syscalls per request (strace)"
    for s in preforkd preforkd-park nginx lighttpd; do
        [[ " $servers " == *" $s "* ]] || continue
        step python3 "$here/bench.py" syscalls --name "$s" --port "${port[$s]}" --pid "${pid[$s]}" \
            --requests 2000 --out "$work/raw.jsonl" || die "bench.py syscalls $s failed"
    done
fi

if [ "$tls" = 1 ]; then
    log "HTTPS: nginx and preforkd with TLS (ECDSA P-256 and RSA 2048)"
    # Groups of servers started together and measured in turn (bench.py tls): cert, workloads,
    # then name:ktls of each. The big file does not depend on the certificate (the record layer
    # is the same cipher), the handshake does; kTLS matters for the big file only.
    for group in "ecdsa tls-ka-c4,tls-ka-c16,tls-new-c16,tls-big-c16,tls-resume-c1 nginx-tls:0 preforkd-tls:1 preforkd-tls-batch:1" \
                 "rsa tls-new-c16 nginx-tls:0 preforkd-tls:1" \
                 "ecdsa tls-big-c16 nginx-tls-ktls:1 preforkd-tls-noktls:0"; do
        read -r tls_cert w members <<<"$group"
        names=() ports=() ktls_asked=()
        for m in $members; do
            s=${m%%:*}
            [[ " $servers " == *" ${s%%-*} "* ]] || continue
            start "$s" "" "$work/tls-idle.jsonl" || continue
            names+=("$s") ports+=("${port[$s]}") ktls_asked+=("${m#*:}")
        done
        if [ ${#names[@]} -gt 0 ]; then
            step python3 "$here/bench.py" tls --name "$(IFS=,; echo "${names[*]}")" \
                --port "$(IFS=,; echo "${ports[*]}")" --ktls "$(IFS=,; echo "${ktls_asked[*]}")" \
                --cert "$tls_cert" --duration "$duration" --repeats "$repeats" --warmup "$warmup" \
                --workloads "$w" --out "$work/raw.jsonl" || log "bench.py tls ${names[*]} failed"
        fi
        for s in "${names[@]}"; do stop_named "$s"; done
    done
    # what preforkd's master logged at start: "HTTPS static files: kTLS and SSL_sendfile" or
    # "…: buffered writes (why)"
    ktls_seen=$(grep -ho 'HTTPS static files: .*' "$work/preforkd-tls.error.log" 2>/dev/null | sort -u | head -2 | tr '\n' ' ')
fi

if [ "$ktls_vm" = 1 ]; then
    # its own guest (the servers here keep running, idle): the records land in raw.jsonl
    log "HTTPS in a VM with Debian 12's kernel (test/ktls/vm.sh, log: $work/ktls-vm.log)"
    mkdir -p "$work/ktls-vm"
    KTLS_VM_OUT=$work/ktls-vm KTLS_BENCH_REPEATS=$repeats \
        "$top/test/ktls/vm.sh" "$top/test/ktls/inside.sh" "$build" >"$work/ktls-vm.log" 2>&1 ||
        log "test/ktls/vm.sh failed ($?): $(tail -n 1 "$work/ktls-vm.log")"
    cat "$work/ktls-vm/raw.jsonl" "$work/ktls-vm/vm.json" >>"$work/raw.jsonl" 2>/dev/null
fi

if [ "$c10k" = 1 ]; then
    log "C10K probe: $c10k_levels idle keep-alive connections"
    log_from=$(stat -c %s "$work/preforkd.error.log" 2>/dev/null || echo 0)
    for s in $servers; do
        step python3 "$here/bench.py" c10k --name "$s" --port "${port[$s]}" --pid "${pid[$s]}" \
            --levels "$c10k_levels" --wait "$c10k_wait" --fresh-timeout "$c10k_wait" \
            --out "$work/c10k.jsonl" || die "bench.py c10k $s failed"
    done
    # The process-per-connection servers are stopped to make room for preforkd's big pool.
    stop_named apache-prefork
    stop_named preforkd
    stop_named preforkd-park
    if [ "$c10k_pool" -gt 0 ]; then
        log "preforkd with max_workers = $c10k_pool"
        start preforkd-10k "$c10k_pool" "$work/c10k.jsonl"
        step python3 "$here/bench.py" c10k --name preforkd-10k --port "${port[preforkd-10k]}" \
            --pid "${pid[preforkd-10k]}" --levels "$c10k_levels" --wait "$c10k_wait" \
            --fresh-timeout "$c10k_wait" --out "$work/c10k.jsonl" || die "bench.py c10k failed"
        stop_named preforkd-10k
    fi
    if [ -n "$park_big_levels" ]; then
        log "preforkd parking, pool $park_pool, keepers = $park_keepers, max_parked = $park_max_parked: $park_big_levels"
        start preforkd-park-big "$park_pool" "$work/c10k.jsonl"
        step python3 "$here/bench.py" c10k --name preforkd-park-big \
            --port "${port[preforkd-park-big]}" --pid "${pid[preforkd-park-big]}" \
            --levels "$park_big_levels" --wait "$c10k_wait" --fresh-timeout "$c10k_wait" \
            --out "$work/c10k.jsonl" || die "bench.py c10k failed"
        stop_named preforkd-park-big
    fi
fi
for e in "${started[@]}"; do stop_pid $e; done

if [ "$htaccess" = 1 ] && [[ " $servers " == *" preforkd "* ]]; then
    # Its own docroot, so that no other server ever sees the file; both instances serve it.
    ht_root=$work/htdocs-ht
    mkdir -p "$ht_root" && cp "$docroot/1k.txt" "$ht_root/" &&
        cp "$here/bench.htaccess" "$ht_root/.htaccess" && chmod -R a+rX "$ht_root" ||
        die "cannot make $ht_root"
    log ".htaccess cost: preforkd classic ($pool workers) without and with allow_override"
    start preforkd-ht-off "" "$work/ht-idle.jsonl"
    start preforkd-ht-on "" "$work/ht-idle.jsonl"
    step python3 "$here/bench.py" htaccess --off-port "${port[preforkd-ht-off]}" \
        --on-port "${port[preforkd-ht-on]}" --file "$ht_root/.htaccess" --out "$work/raw.jsonl" \
        --duration "$duration" --repeats "$repeats" --warmup "$warmup" ||
        die "bench.py htaccess failed"
    stop_named preforkd-ht-off
    stop_named preforkd-ht-on
    if [ "$callgrind" = 1 ]; then
        log ".htaccess cost: callgrind, instructions per request without and with allow_override"
        ht_ir=()
        for o in "" All; do
            n=$(timeout 600 "$here/callgrind.sh" --htaccess "$here/bench.htaccess" \
                ${o:+--allow-override "$o"} --keepalive-only "$build" 2>&1 | tail -n 1)
            [[ $n =~ :\ ([0-9]+)$ ]] || die "callgrind.sh --htaccess failed: $n"
            ht_ir+=("${BASH_REMATCH[1]}")
        done
        printf '{"type": "htaccess-callgrind", "off": %s, "on": %s}\n' "${ht_ir[@]}" >> "$work/raw.jsonl"
        log "instructions per request: off ${ht_ir[0]}, on ${ht_ir[1]}"
    fi
fi

cg=""
if [ "$callgrind" = 1 ]; then
    log "callgrind: instructions per request"
    cg=$(timeout 900 "$here/callgrind.sh" "$build" 2>&1 | tail -n 3) || cg="callgrind.sh failed: $cg"
    echo "$cg"
fi

# ------------------------------------------------------------------ the report
smoke=0
{ [ "$duration" -lt 3 ] || [ "$repeats" -lt 3 ] || [ "$c10k" != 1 ] ||
  [ "$c10k_levels" != 1000,5000,10000 ] || [ "$c10k_pool" -lt 10000 ] || [ -n "$workloads" ]; } && smoke=1
export BM_COMMAND=$command BM_SERVERS=$servers BM_CG=$cg BM_WORK=$work BM_SMOKE=$smoke \
    BM_POOL=$pool BM_MIN_SPARE=$min_spare BM_DURATION=$duration BM_REPEATS=$repeats \
    BM_WARMUP=$warmup BM_KA=$ka_timeout BM_KAREQ=$ka_requests BM_BACKLOG=$backlog \
    BM_NOFILE=$nofile BM_PFD=$pfd BM_TOP=$top BM_LOG_FROM=${log_from:-0} BM_C10K_POOL=$c10k_pool \
    BM_PARK_POOL=$park_pool BM_PARK_KEEPERS=$park_keepers BM_PARK_MAX_PARKED=$park_max_parked \
    BM_PARK_BIG_LEVELS=$park_big_levels BM_TLS=$tls BM_KTLS_SEEN=${ktls_seen:-} \
    BM_KTLS_VM=$ktls_vm
python3 - "$work/meta.json" <<'PY'
import json, os, platform, re, subprocess, sys, time
def sh(c):
    try:
        r = subprocess.run(c, shell=True, capture_output=True, text=True, timeout=20)
        return (r.stdout + r.stderr).strip().splitlines()[0] if (r.stdout + r.stderr).strip() else "n/a"
    except Exception:
        return "n/a"
e = os.environ
w = e["BM_WORK"]
cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-").strip()
mem = sh("awk '/MemTotal/ {printf \"%.1f GB\", $2/1048576}' /proc/meminfo")
osname = sh(". /etc/os-release && echo \"$PRETTY_NAME\"") + " (Debian " + sh("cat /etc/debian_version") + ")"
log = []
for f, start in ((w + "/preforkd.error.log", int(e["BM_LOG_FROM"])), (w + "/preforkd-10k.error.log", 0),
                 (w + "/preforkd-park.error.log", 0), (w + "/preforkd-park-big.error.log", 0)):
    try:
        with open(f, errors="replace") as fh:
            fh.seek(start)
            # the last four of each file, so that one busy log does not hide the others
            log += [os.path.basename(f) + ": " + l.rstrip() for l in fh
                    if re.search(r"\b(warn|error|crit|alert|emerg)", l, re.I)][-4:]
    except OSError:
        pass
configs = [(n, p) for n, p in (
    ("preforkd classic", w + "/preforkd.conf"), ("preforkd, max_workers = 10000", w + "/preforkd-10k.conf"),
    ("preforkd parking", w + "/preforkd-park.conf"),
    ("preforkd parking, past 10 000", w + "/preforkd-park-big.conf"),
    ("preforkd classic, .htaccess on (off: the same without allow_override)", w + "/preforkd-ht-on.conf"),
    ("Apache mpm_prefork", w + "/apache-prefork/apache2.conf"),
    ("Apache mpm_event", w + "/apache-event/apache2.conf"), ("nginx", w + "/nginx/nginx.conf"),
    ("lighttpd", w + "/lighttpd/lighttpd.conf"), ("preforkd HTTPS", w + "/preforkd-tls.conf"),
    ("nginx HTTPS", w + "/nginx-tls/nginx.conf"),
    ("preforkd mod_proxy (to Gunicorn)", w + "/preforkd-gunicorn.conf"),
    ("nginx proxy_pass (to Gunicorn)", w + "/nginx-gunicorn/nginx.conf")) if os.path.exists(p)]
meta = {
    "date": time.strftime("%Y-%m-%d %H:%M %Z"), "command": e["BM_COMMAND"],
    "servers": e["BM_SERVERS"].split(), "smoke": e["BM_SMOKE"] == "1",
    "cpu": cpu, "nproc": os.cpu_count(), "memory": mem, "kernel": platform.release(),
    "os": osname, "nofile": e["BM_NOFILE"],
    "preforkd": sh(e["BM_PFD"] + " -v") + " (" + sh("git -C '%s' describe --always --dirty 2>/dev/null" % e["BM_TOP"]) + ")",
    "apache": sh("apache2 -v"), "nginx": sh("nginx -v"), "lighttpd": sh("lighttpd -v"),
    "wrk": sh("wrk -v"), "compiler": sh("gcc --version"),
    "pool": int(e["BM_POOL"]), "min_spare": int(e["BM_MIN_SPARE"]),
    "duration": int(e["BM_DURATION"]), "repeats": int(e["BM_REPEATS"]),
    "warmup": int(e["BM_WARMUP"]), "keepalive_timeout": int(e["BM_KA"]),
    "keepalive_requests": int(e["BM_KAREQ"]), "backlog": int(e["BM_BACKLOG"]),
    "callgrind": e.get("BM_CG", ""), "c10k_pool": int(e["BM_C10K_POOL"]), "preforkd_log_tail": log[-16:], "workdir": w,
    "park_pool": int(e["BM_PARK_POOL"]), "park_keepers": int(e["BM_PARK_KEEPERS"]),
    "park_max_parked": int(e["BM_PARK_MAX_PARKED"]), "park_big_levels": e["BM_PARK_BIG_LEVELS"],
    "configs": configs, "tls": e.get("BM_TLS") == "1",
    "ktls_seen": e.get("BM_KTLS_SEEN") or "not known", "ktls_vm": e.get("BM_KTLS_VM") == "1",
}
json.dump(meta, open(sys.argv[1], "w"), indent=1)
PY
mkdir -p "$out"
python3 "$here/bench.py" report --raw "$work/raw.jsonl" --c10k "$work/c10k.jsonl" \
    --meta "$work/meta.json" --out "$out/RESULTS.md" --plots "$out" || die "report failed"
cp "$work/raw.jsonl" "$out/raw.jsonl" 2>/dev/null
cp "$work/c10k.jsonl" "$out/c10k.jsonl" 2>/dev/null
log "done: $out/RESULTS.md"
