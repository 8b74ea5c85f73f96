#!/bin/bash
# testssl.sh — audits preforkd's default HTTPS settings with testssl.sh (Debian package
# `testssl.sh`, command `testssl`), on 127.0.0.1 only, and writes the summary to
# docs/tls-audit.md. Not in ctest: a full testssl run takes minutes.
#
#   test/tls/testssl.sh [BUILD_DIR]     (default: build; the lead runs it before a release)
#
# It makes an ECDSA P-256 certificate and a small CA with the openssl CLI in a temp folder,
# starts the built preforkd with nothing but `tls_listen` and `tls { certificate
# certificate_key }` (every other TLS setting at its default: what a user gets), runs testssl
# over it, stops the server by its pid, and fails (exit 1) when any finding about the server's
# settings is rated HIGH or CRITICAL. Findings about the certificate itself (`cert_*`: its
# lifetime, no OCSP or CRL address — properties of the throwaway test certificate, not of
# preforkd) are listed apart and do not fail the run.
#
# Environment: TESTSSL_ARGS (extra testssl options: "--fast", or "-P" for the cipher order
# only), TESTSSL_TLS (more lines for the tls section, to audit a variant:
# "prefer_server_ciphers = true"), AUDIT_OUT (default docs/tls-audit.md; "-": stdout only),
# TESTSSL_KEY (ecdsa [default] or rsa).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$top/build}" && pwd) || exit 2
pfd=$build/server/preforkd
out=${AUDIT_OUT:-$top/docs/tls-audit.md}
key_kind=${TESTSSL_KEY:-ecdsa}
die() { echo "testssl.sh: $*" >&2; exit 2; }
[ -x "$pfd" ] || die "no $pfd: build first"
command -v testssl >/dev/null || die "testssl is missing (apt-get install testssl.sh)"
command -v openssl >/dev/null || die "openssl is missing"

work=$(mktemp -d /tmp/pfd-testssl-XXXXXX) || die "mktemp failed"
chmod 755 "$work" # the workers run as nobody when started as root
server_pid=""
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid"
        for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$server_pid" 2>/dev/null
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# ---- a CA and a certificate for 127.0.0.1 and localhost
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -subj "/CN=preforkd audit CA" -keyout "$work/ca.key" -out "$work/ca.pem" >/dev/null 2>&1 ||
    die "openssl: the CA"
if [ "$key_kind" = rsa ]; then
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/server.key" 2>/dev/null
else
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/server.key" 2>/dev/null
fi || die "openssl: the key"
openssl req -new -key "$work/server.key" -subj "/CN=localhost" -out "$work/server.csr" 2>/dev/null &&
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > "$work/ext" &&
    openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
        -CAcreateserial -days 90 -extfile "$work/ext" -out "$work/leaf.pem" 2>/dev/null ||
    die "openssl: the certificate"
cat "$work/leaf.pem" "$work/ca.pem" > "$work/chain.pem"

# ---- the server: defaults but the certificate
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/htdocs" && echo hello > "$work/htdocs/index.html"
cat > "$work/preforkd.conf" <<CONF
tls_listen = {"127.0.0.1:$port"}
document_root = "$work/htdocs"
module_dir = "$build/modules"
modules = {"static"}
mime_types = "$top/config/mime.types"
pid_file = "$work/preforkd.pid"
error_log = "$work/error.log"
access_log = "$work/access.log"
$([ "$(id -u)" = 0 ] && echo 'user = "nobody"')
prefork { start_servers = 4 }
tls {
    certificate = "$work/chain.pem"
    certificate_key = "$work/server.key"
    ${TESTSSL_TLS:-}
}
CONF
"$pfd" -t -f "$work/preforkd.conf" || die "the config was refused"
"$pfd" -f "$work/preforkd.conf" >"$work/stdout" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
    curl -s -o /dev/null --cacert "$work/ca.pem" "https://127.0.0.1:$port/" && break
    sleep 0.1
done
curl -s -o /dev/null --cacert "$work/ca.pem" "https://127.0.0.1:$port/" || {
    cat "$work/stdout" "$work/error.log" >&2; die "the server did not answer over HTTPS"; }

# ---- testssl
# --ip one: localhost's other addresses (::1) have no listener. --warnings off: no prompt.
# --add-ca: the test CA is trusted, as a public CA would be (else the chain is "self signed").
testssl --quiet --color 0 --warnings off --ip one --add-ca "$work/ca.pem" \
    --jsonfile "$work/testssl.json" \
    ${TESTSSL_ARGS:-} "127.0.0.1:$port" > "$work/testssl.txt" 2>&1
rc=$?

# ---- the summary
summary=$(python3 - "$work/testssl.json" "$key_kind" "$(testssl --version 2>/dev/null |
          sed -n 's/.*testssl *\([0-9][0-9.a-z-]*\).*/\1/p' | head -1)" \
          "$(openssl version)" "${TESTSSL_ARGS:-}" "${TESTSSL_TLS:-}" <<'PY'
import json, sys, time
findings = json.load(open(sys.argv[1]))
order = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "WARN", "INFO", "OK"]
count = {s: 0 for s in order}
for f in findings:
    count[f.get("severity", "INFO")] = count.get(f.get("severity", "INFO"), 0) + 1
def about_cert(f):
    return f.get("id", "").startswith("cert_") or f.get("id", "").startswith("intermediate_cert")
bad = [f for f in findings if f.get("severity") in ("CRITICAL", "HIGH") and not about_cert(f)]
notable = [f for f in findings if f.get("severity") in ("CRITICAL", "HIGH", "MEDIUM", "LOW", "WARN")]
print("# TLS audit: testssl.sh against the default HTTPS settings")
print()
print("Made by `test/tls/testssl.sh` (%s UTC): testssl %s, %s, against preforkd on 127.0.0.1 "
      "with only `tls_listen` and `tls { certificate certificate_key }` set%s (an %s certificate "
      "from a test CA, which testssl is told to trust)%s. "
      "**%d finding(s) about the server's settings rated HIGH or CRITICAL.**"
      % (time.strftime("%Y-%m-%d %H:%M", time.gmtime()), sys.argv[3] or "?", sys.argv[4],
         " and `%s`" % sys.argv[6] if sys.argv[6] else "",
         "ECDSA P-256" if sys.argv[2] == "ecdsa" else "RSA 2048",
         ", testssl options `%s`" % sys.argv[5] if sys.argv[5] else "", len(bad)))
print()
print("| severity | findings |")
print("| --- | ---: |")
for s in order:
    if count.get(s):
        print("| %s | %d |" % (s, count[s]))
print()
if notable:
    print("Findings rated WARN or above (`id`: what testssl says):")
    print()
    for f in sorted(notable, key=lambda f: order.index(f.get("severity", "INFO"))):
        print("- **%s** `%s`: %s%s" % (f["severity"], f.get("id", "?"),
                                       f.get("finding", "").replace("|", "/")[:300],
                                       " *(the test certificate, not the server's settings)*"
                                       if about_cert(f) else ""))
    print()
sys.exit(1 if bad else 0)
PY
)
verdict=$?
if [ "$out" = - ]; then
    echo "$summary"
else
    echo "$summary" > "$out"
    echo "testssl.sh: summary in $out (testssl exit $rc)"
fi
[ "$verdict" = 0 ] || { echo "testssl.sh: findings rated HIGH or CRITICAL" >&2; exit 1; }
exit 0
