#!/bin/bash
# render-listings.sh — screenshots of the same folder (htdocs/files/) listed by preforkd's
# mod_autoindex, Apache's mod_autoindex (FancyIndexing) and nginx's autoindex, each started here
# on its own loopback port and rendered by headless Chromium at the same window size.
#   docs/render-listings.sh        (as root on Debian 12; writes docs/listing-*.png)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
need=""
for p in apache2 nginx chromium; do command -v "$p" >/dev/null || need="$need $p"; done
[ -z "$need" ] || apt-get install -y -qq $need >/dev/null
[ -x "$top/build/server/preforkd" ] || { echo "build first: ./build.sh" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    [ -f "$work/apache.pid" ] && kill "$(cat "$work/apache.pid")" 2>/dev/null || true
    [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
    sleep 0.5
    rm -rf "$work"
}
trap cleanup EXIT
cp -r "$top/htdocs" "$work/htdocs"
chmod -R a+rX "$work"

cat > "$work/preforkd.conf" <<CONF
listen = {"127.0.0.1:18401"}
document_root = "htdocs"
module_dir = "$top/build/modules"
mime_types = "$top/config/mime.types"
modules = {"static", "autoindex"}
location "^/files/" { autoindex = true }
error_log = "preforkd-error.log"
CONF
"$top/build/server/preforkd" -f "$work/preforkd.conf" &
pids+=($!)

mods=/usr/lib/apache2/modules
cat > "$work/apache.conf" <<CONF
ServerRoot "$work"
Listen 127.0.0.1:18402
PidFile $work/apache.pid
ErrorLog $work/apache-error.log
LoadModule mpm_prefork_module $mods/mod_mpm_prefork.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule dir_module $mods/mod_dir.so
LoadModule mime_module $mods/mod_mime.so
LoadModule autoindex_module $mods/mod_autoindex.so
LoadModule alias_module $mods/mod_alias.so
TypesConfig /etc/mime.types
User nobody
Group nogroup
DocumentRoot "$work/htdocs"
Alias /icons/ "/usr/share/apache2/icons/"
<Directory "/usr/share/apache2/icons">
    Require all granted
</Directory>
<Directory "$work/htdocs">
    Options Indexes
    IndexOptions FancyIndexing HTMLTable VersionSort NameWidth=* FoldersFirst
    Include /etc/apache2/mods-available/autoindex.conf
    Require all granted
</Directory>
CONF
sed -i '/Include \/etc\/apache2\/mods-available\/autoindex.conf/d' "$work/apache.conf"
grep -v '^<IfModule\|^</IfModule\|Alias /icons/\|^\s*<Directory "/usr/share/apache2/icons">\|^\s*Options FollowSymlinks\|^\s*AllowOverride\|^\s*Require all granted\|^\s*</Directory>' \
    /etc/apache2/mods-available/autoindex.conf | grep -E '^\s*(AddIcon|DefaultIcon|ReadmeName|HeaderName|IndexIgnore|AddDescription)' >> "$work/apache.conf" || true
apache2 -f "$work/apache.conf" -k start

cat > "$work/nginx.conf" <<CONF
pid $work/nginx.pid;
error_log $work/nginx-error.log;
worker_processes 1;
events {}
http {
    include /etc/nginx/mime.types;
    access_log off;
    server {
        listen 127.0.0.1:18403;
        root $work/htdocs;
        location /files/ { autoindex on; }
    }
}
CONF
nginx -c "$work/nginx.conf" -p "$work"

for port in 18401 18402 18403; do
    for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/files/" && break; sleep 0.1; done
done
shot() {
    chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=900,640 \
        --screenshot="$top/docs/listing-$1.png" "http://127.0.0.1:$2/files/" >/dev/null 2>&1
}
shot preforkd 18401
shot apache 18402
shot nginx 18403
ls -l "$top"/docs/listing-*.png
