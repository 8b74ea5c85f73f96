/*
 * check_tls.c — HTTPS through the real binary and real clients: curl (HTTP/1.1, --cacert),
 * openssl s_client (which protocol versions are offered), Python's ssl module (keep-alive over
 * TLS). The test CA and certificates are made here with the openssl command line
 * (testsupport_tls.c). Also: SNI picks a vhost's certificate, plain HTTP to the HTTPS port gets
 * nginx's clear-text 400, a client that never sends its ClientHello is cut off at
 * timeouts { header }, CGI sees HTTPS=on and mod_ssl's SSL_* variables, -t refuses a key that
 * does not match its certificate, and redirects say https://.
 */
#include "testsupport_cgi.h"
#include "testsupport_tls.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testsupport_run.h"

#define CURL "/usr/bin/curl"
#define PYTHON "/usr/bin/python3"
#define OPENSSL "/usr/bin/openssl"
#define TOOL_TIMEOUT_S 20.0
#define SECTION_MAX (2 * TS_PATH_MAX + 64)

/* An HTTPS server: plain HTTP on s.port (the harness's readiness check), HTTPS on tls_port, the
 * certificate of "localhost" at the top level. */
struct tls_server {
    struct ts_server s;
    int tls_port;
    struct ts_tls_cert cert;
};

/* Skips (passes, saying why) when a tool the test needs is missing. */
static bool tools_missing(const char *tool)
{
    if (ts_tls_available() && access(tool, X_OK) == 0)
        return false;
    fprintf(stderr, "check_tls: SKIPPED, %s or " OPENSSL " missing\n", tool);
    return true;
}

/* The temp dir, the test CA, the localhost certificate and a port for HTTPS. */
static void tls_prepare(struct tls_server *t)
{
    ck_assert_int_eq(ts_server_init(&t->s), 0);
    ck_assert_msg(ts_tls_ca(&t->s) == 0, "cannot make the test CA");
    ck_assert_msg(ts_tls_cert(&t->s, "localhost", "localhost", 90, &t->cert) == 0,
                  "cannot make the localhost certificate");
    t->tls_port = ts_port_pick();
    ck_assert_int_gt(t->tls_port, 0);
}

/* tls_listen, the top level's tls { }, then extra (verbatim), into conf. */
static void tls_config_text(const struct tls_server *t, const char *extra, char *conf, size_t size)
{
    char section[SECTION_MAX];
    ts_tls_section(&t->cert, section, sizeof(section));
    snprintf(conf, size, "tls_listen = {\"%s:%d\"}\n%s%s", TS_HOST, t->tls_port, section,
             extra != NULL ? extra : "");
}

static void tls_configure(struct tls_server *t, const char *extra)
{
    char conf[16384];
    tls_config_text(t, extra, conf, sizeof(conf));
    ck_assert_int_eq(ts_server_configure(&t->s, conf), 0);
}

static void tls_launch(struct tls_server *t, const char *extra)
{
    char conf[16384];
    tls_config_text(t, extra, conf, sizeof(conf));
    ts_server_launch(&t->s, conf);
}

static void tls_start(struct tls_server *t, const char *extra)
{
    tls_prepare(t);
    tls_launch(t, extra);
}

/* curl over HTTPS to https://host:tls_port<path>, host resolved to 127.0.0.1 (so the
 * certificate is checked against host, and SNI names it), HTTP/1.1, the test CA trusted. Its
 * exit code; what it printed in *out. more: arguments before the URL, NULL-terminated, or NULL. */
static int curl_https(const struct tls_server *t, const char *host, const char *path,
                      const char *const *more, char **out)
{
    char url[512], resolve[512];
    snprintf(url, sizeof(url), "https://%s:%d%s", host, t->tls_port, path);
    snprintf(resolve, sizeof(resolve), "%s:%d:127.0.0.1", host, t->tls_port);
    const char *argv[32] = {CURL,   "-sS",      "--http1.1",           "--max-time",
                            "10",   "--cacert", ts_tls_ca_file(&t->s), "--resolve",
                            resolve};
    size_t n = 9;
    for (size_t i = 0; more != NULL && more[i] != NULL && n < 30; i++)
        argv[n++] = more[i];
    argv[n++] = url;
    argv[n] = NULL;
    return ts_run(argv, TOOL_TIMEOUT_S, out);
}

START_TEST(test_https_static_files)
{
    if (tools_missing(CURL))
        return;
    struct tls_server t;
    tls_start(&t, "access_log_format = \"%h \\\"%r\\\" %>s %{SSL_PROTOCOL}x %{SSL_CIPHER}x\"\n");
    char *out = NULL;
    const char *show[] = {"-w", "\n%{http_version} %{http_code} %{ssl_verify_result}", NULL};
    int rc = curl_https(&t, "localhost", "/hello.txt", show, &out);
    ck_assert_msg(rc == 0, "curl failed (%d): %s", rc, out);
    ck_assert_msg(strcmp(out, TS_HELLO_TXT "\n1.1 200 0") == 0, "curl got: %s", out);
    free(out);
    /* A file larger than a TLS record and than the socket buffers, byte for byte. */
    char file[TS_PATH_MAX + 16];
    snprintf(file, sizeof(file), "%s/big.out", t.s.dir);
    const char *save[] = {"-o", file, "-w", "%{size_download}", NULL};
    rc = curl_https(&t, "localhost", TS_BIG_PATH, save, &out);
    ck_assert_msg(rc == 0 && atol(out) == TS_BIG_SIZE, "big file: curl %d: %s", rc, out);
    free(out);
    size_t len = 0;
    unsigned char *got = (unsigned char *)ts_file_read(file, &len);
    ck_assert_msg(got != NULL && len == TS_BIG_SIZE, "big file: %zu bytes", len);
    for (size_t i = 0; i < len; i++)
        ck_assert_msg(got[i] == ts_big_byte(i), "big file: byte %zu differs", i);
    free(got);
    /* The access log names protocol and cipher, as mod_ssl's %{SSL_PROTOCOL}x does. */
    ck_assert_msg(
        ts_file_wait_for(t.s.access_log, "\"GET /hello.txt HTTP/1.1\" 200 TLSv1.3 TLS_", 5),
        "the access log lacks the TLS fields");
    /* The trailing-slash redirect keeps the scheme. */
    const char *head[] = {"-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", NULL};
    rc = curl_https(&t, "localhost", "/sub", head, &out);
    char want[128];
    snprintf(want, sizeof(want), "301 https://localhost:%d/sub/", t.tls_port);
    ck_assert_msg(rc == 0 && strcmp(out, want) == 0, "/sub: curl %d: %s", rc, out);
    free(out);
    ts_server_stop(&t.s);
}
END_TEST

/* Each vhost serves its own certificate to a client whose SNI names it (or an alias); any other
 * name gets the top level's. curl checks the certificate against the name it asked for, so the
 * wrong one fails the request. */
/* Two vhosts with their own certificates: a.test's names a.test; b.test's (alias www.b.test)
 * names only www.b.test. The top level serves localhost's. */
static void tls_start_two_vhosts(struct tls_server *t)
{
    tls_prepare(t);
    struct ts_tls_cert a, b;
    ck_assert_int_eq(ts_tls_cert(&t->s, "a", "a.test", 90, &a), 0);
    ck_assert_int_eq(ts_tls_cert(&t->s, "b", "www.b.test", 90, &b), 0);
    char sa[SECTION_MAX], sb[SECTION_MAX], extra[8192];
    ts_tls_section(&a, sa, sizeof(sa));
    ts_tls_section(&b, sb, sizeof(sb));
    snprintf(extra, sizeof(extra),
             "vhost \"a.test\" {\n%s}\nvhost \"b.test\" {\naliases = {\"www.b.test\"}\n%s}\n", sa,
             sb);
    tls_launch(t, extra);
}

START_TEST(test_sni_picks_vhost_certificate)
{
    if (tools_missing(CURL))
        return;
    struct tls_server t;
    tls_start_two_vhosts(&t);
    static const struct {
        const char *host;
        int curl_exit; /* 0: verified and served; 60: the certificate does not name host */
    } cases[] = {
        {"a.test", 0},
        {"www.b.test", 0},
        {"localhost", 0}, /* no vhost: the top level's */
        {"b.test", 60},   /* b's certificate names www.b.test only: proof it was b's */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *out = NULL;
        int rc = curl_https(&t, cases[i].host, "/hello.txt", NULL, &out);
        ck_assert_msg(rc == cases[i].curl_exit, "%s: curl exit %d, expected %d: %s", cases[i].host,
                      rc, cases[i].curl_exit, out);
        if (rc == 0)
            ck_assert_msg(strcmp(out, TS_HELLO_TXT) == 0, "%s: got %s", cases[i].host, out);
        free(out);
    }
    ts_server_stop(&t.s);
}
END_TEST

/* A Host that names a vhost with another certificate than the one SNI chose is answered 421
 * (Misdirected Request, as Apache's mod_ssl does): SNI cannot carry a request to a vhost under
 * another vhost's TLS settings. The same certificate (Host of the SNI's vhost or alias, or two
 * names that both get the top level's), or no SNI at all, is served. */
START_TEST(test_host_of_another_certificate_is_421)
{
    if (tools_missing(CURL))
        return;
    struct tls_server t;
    tls_start_two_vhosts(&t);
    static const struct {
        const char *sni, *host, *status;
    } cases[] = {
        {"a.test", "b.test", "421"},
        {"a.test", "other.test", "421"},
        {"localhost", "www.b.test", "421"},
        {"www.b.test", "b.test", "200"},
        {"localhost", "other.test", "200"},
        {"a.test", "A.TEST.", "200"},
        {NULL, "a.test", "200"}, /* no SNI: an address in the URL, the certificate unchecked */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char header[128], url[128], *out = NULL;
        snprintf(header, sizeof(header), "Host: %s", cases[i].host);
        int rc;
        if (cases[i].sni != NULL) {
            const char *more[] = {"-o", "/dev/null", "-w", "%{http_code}", "-H", header, NULL};
            rc = curl_https(&t, cases[i].sni, "/hello.txt", more, &out);
        } else {
            snprintf(url, sizeof(url), "https://127.0.0.1:%d/hello.txt", t.tls_port);
            const char *argv[] = {CURL, "-sS",  "--http1.1", "--max-time", "10",
                                  "-k", "-o",   "/dev/null", "-w",         "%{http_code}",
                                  "-H", header, url,         NULL};
            rc = ts_run(argv, TOOL_TIMEOUT_S, &out);
        }
        ck_assert_msg(rc == 0 && strcmp(out, cases[i].status) == 0, "SNI %s, Host %s: curl %d: %s",
                      cases[i].sni != NULL ? cases[i].sni : "(none)", cases[i].host, rc, out);
        free(out);
    }
    ck_assert_msg(ts_file_contains(t.s.access_log, "\" 421 "), "no 421 in the access log");
    ts_server_stop(&t.s);
}
END_TEST

/* TLS 1.2 and 1.3 are offered; 1.0 and 1.1 (RFC 8996) are not, even to a client that would
 * accept them (s_client at security level 0). */
START_TEST(test_protocol_versions)
{
    if (tools_missing(OPENSSL))
        return;
    struct tls_server t;
    tls_start(&t, NULL);
    static const struct {
        const char *flag;
        const char *name;
        bool offered;
    } cases[] = {
        {"-tls1", "TLSv1", false},
        {"-tls1_1", "TLSv1.1", false},
        {"-tls1_2", "TLSv1.2", true},
        {"-tls1_3", "TLSv1.3", true},
    };
    char connect[64];
    snprintf(connect, sizeof(connect), "%s:%d", TS_HOST, t.tls_port);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *argv[] = {OPENSSL,   "s_client",           "-connect",
                              connect,   "-servername",        "localhost",
                              "-CAfile", ts_tls_ca_file(&t.s), cases[i].flag,
                              "-cipher", "DEFAULT@SECLEVEL=0", "-verify_return_error",
                              NULL};
        char *out = NULL;
        int rc = ts_run(argv, TOOL_TIMEOUT_S, &out);
        char protocol[64];
        snprintf(protocol, sizeof(protocol), "Protocol  : %s\n", cases[i].name);
        bool connected = rc == 0 && strstr(out, "Verify return code: 0 (ok)") != NULL;
        ck_assert_msg(connected == cases[i].offered, "%s: s_client exit %d, expected %s:\n%s",
                      cases[i].name, rc, cases[i].offered ? "a handshake" : "a refusal", out);
        if (cases[i].offered)
            ck_assert_msg(strstr(out, cases[i].name) != NULL, "%s not negotiated:\n%s",
                          cases[i].name, out);
        free(out);
    }
    ts_server_stop(&t.s);
}
END_TEST

/* Runs source (a Python script, written to the server's folder as name) with the test CA's file
 * and the HTTPS port as its arguments; its exit code, *out what it printed (malloc'd). */
static int python_run(const struct tls_server *t, const char *name, const char *source, char **out)
{
    char script[TS_PATH_MAX + 32], port[16];
    snprintf(script, sizeof(script), "%s/%s", t->s.dir, name);
    ck_assert_int_eq(ts_file_write(script, source, strlen(source)), 0);
    snprintf(port, sizeof(port), "%d", t->tls_port);
    const char *argv[] = {PYTHON, script, ts_tls_ca_file(&t->s), port, NULL};
    return ts_run(argv, TOOL_TIMEOUT_S, out);
}

/* Python's ssl module (certificate and host name checked) over one kept-alive connection: two
 * requests, the same socket, ALPN http/1.1. */
START_TEST(test_python_client_keepalive)
{
    if (tools_missing(PYTHON))
        return;
    struct tls_server t;
    tls_start(&t, NULL);
    char text[2048];
    snprintf(text, sizeof(text),
             "import http.client, ssl, sys\n"
             "ctx = ssl.create_default_context(cafile=sys.argv[1])\n"
             "ctx.set_alpn_protocols(['h2', 'http/1.1'])\n"
             "c = http.client.HTTPSConnection('localhost', int(sys.argv[2]), context=ctx,"
             " timeout=10)\n"
             "c.request('GET', '/hello.txt')\n"
             "r = c.getresponse(); body = r.read(); first = c.sock\n"
             "print(r.status, body.decode().strip(), c.sock.selected_alpn_protocol(),"
             " c.sock.version())\n"
             "c.request('GET', '/index.html')\n"
             "r = c.getresponse(); r.read()\n"
             "print(r.status, 'same connection' if c.sock is first else 'new connection')\n");
    char *out = NULL;
    int rc = python_run(&t, "client.py", text, &out);
    ck_assert_msg(rc == 0 &&
                      strcmp(out, "200 hello world http/1.1 TLSv1.3\n200 same connection\n") == 0,
                  "python exit %d:\n%s", rc, out);
    free(out);
    ts_server_stop(&t.s);
}
END_TEST

/* Two requests in two TLS records that reach the server in one TCP segment (the client corks
 * its socket): OpenSSL reads both records at once (read-ahead), so the second waits in its
 * buffer, not in the socket; it is answered at once, not after a poll that would see nothing. */
START_TEST(test_pipelined_records_in_one_segment)
{
    if (tools_missing(PYTHON))
        return;
    struct tls_server t;
    tls_start(&t, NULL);
    char text[2048];
    snprintf(text, sizeof(text),
             "import socket, ssl, sys\n"
             "ctx = ssl.create_default_context(cafile=sys.argv[1])\n"
             "raw = socket.create_connection(('127.0.0.1', int(sys.argv[2])), timeout=3)\n"
             "s = ctx.wrap_socket(raw, server_hostname='localhost')\n"
             "req = b'GET /hello.txt HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n'\n"
             "s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)\n"
             "s.sendall(req); s.sendall(req)\n"
             "s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 0)\n"
             "got = b''\n"
             "try:\n"
             "    while got.count(b'hello world') < 2:\n"
             "        b = s.recv(65536)\n"
             "        if not b: break\n"
             "        got += b\n"
             "except socket.timeout:\n"
             "    pass\n"
             "print(got.count(b'HTTP/1.1 200'), 'answers')\n");
    char *out = NULL;
    int rc = python_run(&t, "pipeline.py", text, &out);
    ck_assert_msg(rc == 0 && strcmp(out, "2 answers\n") == 0, "python exit %d:\n%s", rc, out);
    free(out);
    ts_server_stop(&t.s);
}
END_TEST

/* Plain HTTP to the HTTPS port: a 400 in clear text that says why (nginx's words), then the
 * close; the server goes on serving HTTPS. */
START_TEST(test_plain_http_to_https_port)
{
    if (tools_missing(CURL))
        return;
    struct tls_server t;
    tls_start(&t, NULL);
    struct ts_response r;
    int rc = ts_request(t.tls_port, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", &r);
    ck_assert_msg(rc == TS_OK, "plain request: %s", ts_result_name(rc));
    ck_assert_int_eq(r.status, 400);
    ck_assert_msg(strstr(r.body, "The plain HTTP request was sent to HTTPS port") != NULL,
                  "body: %s", r.body);
    ck_assert(ts_response_header_has(&r, "Connection", "close"));
    ts_response_free(&r);
    char *out = NULL;
    ck_assert_int_eq(curl_https(&t, "localhost", "/hello.txt", NULL, &out), 0);
    free(out);
    ts_server_stop(&t.s);
}
END_TEST

/* A client that connects to the HTTPS port and never sends its ClientHello is cut off at
 * timeouts { header } (after the second TCP_DEFER_ACCEPT holds it in the kernel). Without
 * parking its worker waits, and logs the cut-off at info; with parking (the default) it waits in
 * a keeper, as a slow head does, and silent clients hold no worker: a pool of one still serves
 * HTTPS while three of them wait. */
START_TEST(test_silent_client_cut_off)
{
    if (tools_missing(CURL))
        return;
    static const struct {
        bool park;
    } cases[] = {{false}, {true}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tls_server t;
        char extra[512];
        snprintf(extra, sizeof(extra),
                 "log_level = \"info\"\ntimeouts { header = %d }\n"
                 "keepalive { park = %s }\n"
                 "prefork { start_servers = 1  min_spare_servers = 1  max_spare_servers = 1"
                 "  max_workers = 1 }\n",
                 cases[i].park ? 8 : 1, cases[i].park ? "true" : "false");
        tls_start(&t, extra);
        struct ts_conn silent[3];
        size_t nsilent = cases[i].park ? 3 : 1;
        for (size_t k = 0; k < nsilent; k++)
            ck_assert_int_eq(ts_conn_open(&silent[k], t.tls_port, 2000), 0);
        double start = ts_now();
        if (cases[i].park) {
            /* Past TCP_DEFER_ACCEPT and park_grace_ms: the worker has met and parked them. */
            ts_sleep_ms(1500);
            char *out = NULL;
            const char *quick[] = {"--max-time", "4", NULL};
            int rc = curl_https(&t, "localhost", "/hello.txt", quick, &out);
            ck_assert_msg(rc == 0 && strcmp(out, TS_HELLO_TXT) == 0,
                          "park: silent clients hold the only worker: curl %d: %s", rc, out);
            free(out);
        }
        double limit = cases[i].park ? 8.0 + 3.0 : 1.0 + 3.0;
        for (size_t k = 0; k < nsilent; k++) {
            ck_assert_msg(ts_conn_closed_within(&silent[k], (int)(limit * 1000)),
                          "park %d: silent client %zu was not cut off", cases[i].park, k);
            ts_conn_close(&silent[k]);
        }
        double took = ts_now() - start;
        double header = cases[i].park ? 8.0 : 1.0;
        ck_assert_msg(took >= header - 0.1, "park %d: cut off after %.2f s, before %g s",
                      cases[i].park, took, header);
        if (!cases[i].park)
            ck_assert_msg(
                ts_file_wait_for(t.s.error_log, "no ClientHello within timeouts { header }", 5),
                "the cut-off was not logged");
        ts_server_stop(&t.s);
    }
}
END_TEST

/* A CGI script over HTTPS sees what Apache's mod_ssl sets. */
START_TEST(test_cgi_environment)
{
    if (tools_missing(CURL))
        return;
    struct tls_server t;
    tls_start(&t, "modules = {\"static\", \"cgi\"}\n"
                  "location \"^/cgi-bin/\" { handler = \"cgi\" }\n");
    ck_assert_int_eq(ts_cgi_install(&t.s, "cgi-bin", "printenv.sh"), 0);
    char *out = NULL;
    int rc = curl_https(&t, "localhost", "/cgi-bin/printenv.sh", NULL, &out);
    ck_assert_msg(rc == 0, "curl %d: %s", rc, out);
    char port[16];
    snprintf(port, sizeof(port), "%d", t.tls_port);
    const struct {
        const char *name, *want; /* want NULL: set, any value */
    } vars[] = {
        {"HTTPS", "on"},
        {"REQUEST_SCHEME", "https"},
        {"SERVER_PORT", port},
        {"SSL_PROTOCOL", "TLSv1.3"},
        {"SSL_TLS_SNI", "localhost"},
        {"SSL_CIPHER", NULL},
    };
    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
        char *got = ts_cgi_env_value(out, vars[i].name);
        ck_assert_msg(got != NULL && (vars[i].want == NULL || strcmp(got, vars[i].want) == 0),
                      "%s: expected %s, got %s", vars[i].name,
                      vars[i].want != NULL ? vars[i].want : "a value", got ? got : "(unset)");
        free(got);
    }
    free(out);
    ts_server_stop(&t.s);
}
END_TEST

/* preforkd -t reads the keys as start-up would: a key that is not its certificate's is refused
 * with FILE:LINE; a good pair says when it expires. */
START_TEST(test_check_refuses_mismatched_key)
{
    if (tools_missing(OPENSSL))
        return;
    struct tls_server t;
    tls_prepare(&t);
    struct ts_tls_cert other;
    ck_assert_int_eq(ts_tls_cert(&t.s, "other", "other.test", 5, &other), 0);
    tls_configure(&t, NULL);
    const char *argv[] = {PFD_BINARY, "-t", "-f", t.s.conf, NULL};
    char *out = NULL;
    int rc = ts_run(argv, TOOL_TIMEOUT_S, &out);
    ck_assert_msg(rc == 0 &&
                      (strstr(out, "expires in 89 days") || strstr(out, "expires in 90 days")) &&
                      strstr(out, "warning") == NULL,
                  "-t: %d: %s", rc, out);
    free(out);
    /* The localhost certificate with other's key. */
    memcpy(t.cert.key, other.key, sizeof(t.cert.key));
    tls_configure(&t, NULL);
    rc = ts_run(argv, TOOL_TIMEOUT_S, &out);
    char want[TS_PATH_MAX + 64];
    snprintf(want, sizeof(want), "%s:", t.s.conf);
    ck_assert_msg(rc == 1 && strstr(out, want) != NULL &&
                      strstr(out, "does not match the certificate") != NULL,
                  "-t with a mismatched key: %d: %s", rc, out);
    free(out);
    /* A certificate that expires within 14 days is a warning. */
    memcpy(t.cert.cert, other.cert, sizeof(t.cert.cert));
    tls_configure(&t, NULL);
    rc = ts_run(argv, TOOL_TIMEOUT_S, &out);
    ck_assert_msg(rc == 0 && strstr(out, "warning: certificate") != NULL &&
                      strstr(out, " days: renew it") != NULL,
                  "-t with a certificate near its end: %d: %s", rc, out);
    free(out);
    ts_server_stop(&t.s);
}
END_TEST

/* A certificate that expires within 14 days is warned about in the error log at start. */
START_TEST(test_start_warns_of_expiry)
{
    if (tools_missing(OPENSSL))
        return;
    struct tls_server t;
    tls_prepare(&t);
    struct ts_tls_cert soon;
    ck_assert_int_eq(ts_tls_cert(&t.s, "soon", "localhost", 5, &soon), 0);
    t.cert = soon;
    tls_launch(&t, NULL);
    char *line = ts_file_line_with(t.s.error_log, "days: renew it");
    ck_assert_msg(line != NULL && strstr(line, "[warn]") != NULL &&
                      strstr(line, "warning: certificate") != NULL,
                  "no warning at start: %s", line != NULL ? line : "(none)");
    free(line);
    ts_server_stop(&t.s);
}
END_TEST

/* Mistakes in the TLS settings stop -t with the line to fix. */
START_TEST(test_check_refuses_bad_settings)
{
    if (tools_missing(OPENSSL))
        return;
    struct tls_server t;
    tls_prepare(&t);
    char section[SECTION_MAX];
    ts_tls_section(&t.cert, section, sizeof(section));
    char conf[SECTION_MAX + 512];
    static const struct {
        const char *config; /* "%d": the HTTPS port, "%s": the good tls section */
        const char *why;    /* after "FILE:LINE: " */
    } cases[] = {
        {"tls_listen = {\"127.0.0.1:%d\"}\n", "tls_listen: needs tls { certificate"},
        {"tls_listen = {\"127.0.0.1:%d\"}\n%svhost \"a.test\" {\n tls { protocols = \"TLSv1.1\" "
         "}\n}\n",
         "TLSv1 and TLSv1.1 are deprecated"},
        {"tls_listen = {\"127.0.0.1:%d\"}\n%svhost \"a.test\" {\n tls { certificate = \"x.pem\" "
         "}\n}\n",
         "certificate_key is missing"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(conf, sizeof(conf), cases[i].config, t.tls_port, section);
        ck_assert_int_eq(ts_server_configure(&t.s, conf), 0);
        const char *argv[] = {PFD_BINARY, "-t", "-f", t.s.conf, NULL};
        char *out = NULL;
        int rc = ts_run(argv, TOOL_TIMEOUT_S, &out);
        char *line = strstr(out, cases[i].why);
        ck_assert_msg(rc == 1 && line != NULL && line - out > (ptrdiff_t)strlen(t.s.conf) &&
                          strncmp(out, t.s.conf, strlen(t.s.conf)) == 0,
                      "case %zu: -t exit %d: %s", i, rc, out);
        free(out);
    }
    ts_server_stop(&t.s);
}
END_TEST

/* curl to host until it exits with want (a reload's new workers replace the old ones in turn),
 * at most 5 s; its last exit code. */
static int curl_until(const struct tls_server *t, const char *host, int want)
{
    int rc = -1;
    for (double end = ts_now() + 5.0; ts_now() < end;) {
        char *out = NULL;
        rc = curl_https(t, host, "/hello.txt", NULL, &out);
        free(out);
        if (rc == want)
            break;
        ts_sleep_ms(100);
    }
    return rc;
}

/* SIGHUP reads the certificates again: a new one is served after the reload; one whose key does
 * not match fails the reload, logged, and the running certificate stays. */
START_TEST(test_reload_reads_certificates)
{
    if (tools_missing(CURL))
        return;
    struct tls_server t;
    tls_start(&t, NULL);
    ck_assert_int_eq(curl_until(&t, "next.test", 60), 60); /* localhost's: not for next.test */
    struct ts_tls_cert next, spare;
    ck_assert_int_eq(ts_tls_cert(&t.s, "next", "next.test", 90, &next), 0);
    ck_assert_int_eq(ts_tls_cert(&t.s, "spare", "spare.test", 90, &spare), 0);
    t.cert = next;
    tls_configure(&t, NULL);
    ck_assert_int_eq(kill(t.s.pid, SIGHUP), 0);
    ck_assert_msg(ts_file_wait_for(t.s.error_log, "reloaded", 10), "no reload");
    ck_assert_int_eq(curl_until(&t, "next.test", 0), 0);
    memcpy(t.cert.key, spare.key, sizeof(t.cert.key));
    tls_configure(&t, NULL);
    ck_assert_int_eq(kill(t.s.pid, SIGHUP), 0);
    ck_assert_msg(ts_file_wait_for(t.s.error_log, "does not match the certificate", 10),
                  "the bad key was not reported");
    ck_assert_msg(ts_file_contains(t.s.error_log, "reload failed, keeping the running config"),
                  "the reload did not fail");
    ck_assert_int_eq(curl_until(&t, "next.test", 0), 0);
    ts_server_stop(&t.s);
}
END_TEST

/* mod_status lists the HTTPS listener as such (?json and the HTML page), served over HTTPS. */
START_TEST(test_status_shows_tls_listener)
{
    if (tools_missing(CURL))
        return;
    struct tls_server t;
    tls_start(&t, "modules = {\"static\", \"status\"}\n"
                  "location \"= /server-status\" { handler = \"status\" }\n");
    char *out = NULL;
    int rc = curl_https(&t, "localhost", "/server-status?json", NULL, &out);
    char want[128];
    snprintf(want, sizeof(want), "{\"address\": \"%s:%d\", \"tls\": true,", TS_HOST, t.tls_port);
    ck_assert_msg(rc == 0 && strstr(out, want) != NULL, "?json: curl %d, no %s in:\n%s", rc, want,
                  out);
    snprintf(want, sizeof(want), "{\"address\": \"%s:%d\", \"tls\": false,", TS_HOST, t.s.port);
    ck_assert_msg(strstr(out, want) != NULL, "?json: no %s in:\n%s", want, out);
    free(out);
    rc = curl_https(&t, "localhost", "/server-status", NULL, &out);
    snprintf(want, sizeof(want), "Listen queue on %s:%d (HTTPS)", TS_HOST, t.tls_port);
    ck_assert_msg(rc == 0 && strstr(out, want) != NULL, "HTML: curl %d, no %s", rc, want);
    free(out);
    ts_server_stop(&t.s);
}
END_TEST

/* A .htaccess RewriteCond on %{HTTPS} sees "on" over HTTPS only (mod_rewrite's variable). */
START_TEST(test_htaccess_https_variable)
{
    if (tools_missing(CURL))
        return;
    struct tls_server t;
    tls_start(&t, "allow_override = {\"FileInfo\"}\n");
    static const char rules[] = "RewriteEngine On\nRewriteCond %{HTTPS} =on\nRewriteRule ^ - [F]\n";
    char path[TS_PATH_MAX + 32];
    snprintf(path, sizeof(path), "%s/sub/.htaccess", t.s.docroot);
    ck_assert_int_eq(ts_file_put(path, rules, sizeof(rules) - 1), 0);
    char *out = NULL;
    const char *code[] = {"-o", "/dev/null", "-w", "%{http_code}", NULL};
    int rc = curl_https(&t, "localhost", "/sub/", code, &out);
    ck_assert_msg(rc == 0 && strcmp(out, "403") == 0, "HTTPS: curl %d: %s", rc, out);
    free(out);
    ck_assert_int_eq(ts_get_status(t.s.port, "/sub/"), 200);
    ts_server_stop(&t.s);
}
END_TEST

/* A tls_listen address marked proxy_protocol (a network load balancer passing TLS through, AWS
 * NLB's "proxy protocol v2"): the PROXY header comes first, then the handshake, and the header's
 * source is the client. Python sends each header in the same segment as its ClientHello, so a
 * server that read past the header would hand OpenSSL a truncated hello. */
START_TEST(test_proxy_protocol_before_tls)
{
    if (tools_missing(PYTHON))
        return;
    struct tls_server t;
    tls_prepare(&t);
    char extra[256];
    snprintf(extra, sizeof(extra), "proxy_protocol = {\"%s:%d\"}\n", TS_HOST, t.tls_port);
    tls_launch(&t, extra);
    static const char text[] =
        "import socket, ssl, struct, sys\n"
        "ctx = ssl.create_default_context(cafile=sys.argv[1]); port = int(sys.argv[2])\n"
        "def v2(src, sport):\n"
        "    a = socket.inet_aton(src) + socket.inet_aton('127.0.0.1') + struct.pack('!HH', "
        "sport, port)\n"
        "    return b'\\r\\n\\r\\n\\x00\\r\\nQUIT\\n\\x21\\x11' + struct.pack('!H', len(a)) + a\n"
        "def get(header):\n"
        "    s = socket.create_connection(('127.0.0.1', port), timeout=10)\n"
        "    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()\n"
        "    tls = ctx.wrap_bio(inc, out, server_hostname='localhost')\n"
        "    while True:\n"
        "        try:\n"
        "            tls.do_handshake(); break\n"
        "        except ssl.SSLWantReadError:\n"
        "            s.sendall(header + out.read()); header = b''\n"
        "            got = s.recv(65536)\n"
        "            if not got: return 'closed during the handshake'\n"
        "            inc.write(got)\n"
        "    tls.write(b'GET /hello.txt HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: "
        "close\\r\\n\\r\\n')\n"
        "    s.sendall(out.read()); answer = b''\n"
        "    while True:\n"
        "        try:\n"
        "            chunk = tls.read(65536)\n"
        "            if not chunk: break\n"
        "            answer += chunk\n"
        "        except ssl.SSLWantReadError:\n"
        "            s.sendall(out.read()); got = s.recv(65536)\n"
        "            if not got: break\n"
        "            inc.write(got)\n"
        "        except ssl.SSLError: break\n"
        "    return answer.split(b'\\r\\n', 1)[0].decode() + ' ' + answer.split(b'\\r\\n\\r\\n', "
        "1)[-1].decode().strip()\n"
        "print(get(v2('203.0.113.7', 40000)))\n"
        "print(get(b'PROXY TCP4 198.51.100.9 127.0.0.1 40001 443\\r\\n'))\n";
    char *out = NULL;
    int rc = python_run(&t, "proxied.py", text, &out);
    ck_assert_msg(rc == 0 && strcmp(out, "HTTP/1.1 200 OK hello world\nHTTP/1.1 200 OK hello "
                                         "world\n") == 0,
                  "python exit %d:\n%s", rc, out);
    free(out);
    ck_assert_msg(ts_file_wait_for(t.s.access_log, "203.0.113.7 ", 5), "v2's source not logged");
    ck_assert_msg(ts_file_wait_for(t.s.access_log, "198.51.100.9 ", 5), "v1's source not logged");
    ts_server_stop(&t.s);
}
END_TEST

/* A socket listening on 127.0.0.1:port, or -1 when the port is taken (by whatever holds it). */
static int listen_on_loopback(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sin = {.sin_family = AF_INET,
                              .sin_port = htons((uint16_t)port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (fd >= 0 && bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 && listen(fd, 1) == 0)
        return fd;
    if (fd >= 0)
        close(fd);
    return -1;
}

/* A config that names only tls_listen addresses opens no plain HTTP port: listen's default
 * (127.0.0.1:8080) is for a config that names no address. It used to be opened too, so such a
 * server failed to start wherever 8080 was taken; here it is (by the test, or already by
 * something else), and the server starts and answers over HTTPS. */
START_TEST(test_tls_listen_alone_opens_no_plain_port)
{
    if (tools_missing(CURL))
        return;
    struct tls_server t;
    tls_prepare(&t);
    int held = listen_on_loopback(8080);
    tls_configure(&t, NULL);
    size_t len = 0;
    char *conf = ts_file_read(t.s.conf, &len);
    ck_assert_ptr_nonnull(conf);
    char *line = strstr(conf, "\nlisten = ");
    ck_assert_msg(line != NULL, "no listen line to take out of:\n%s", conf);
    char *end = strchr(line + 1, '\n');
    memmove(line, end, strlen(end) + 1);
    ck_assert_int_eq(ts_file_put(t.s.conf, conf, strlen(conf)), 0);
    free(conf);
    const char *argv[] = {"-f", t.s.conf, NULL};
    ck_assert_int_eq(ts_server_spawn(&t.s, argv), 0);
    int rc = curl_until(&t, "localhost", 0);
    if (rc != 0)
        ts_server_dump(&t.s);
    ck_assert_msg(rc == 0, "not served over HTTPS (curl %d)", rc);
    ck_assert_msg(!ts_file_contains(t.s.error_log, "8080"), "the log names 8080");
    ts_server_stop(&t.s);
    if (held >= 0)
        close(held);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tls");
    const struct ts_case cases[] = {
        {"https_static_files", test_https_static_files},
        {"sni_picks_vhost_certificate", test_sni_picks_vhost_certificate},
        {"host_of_another_certificate_is_421", test_host_of_another_certificate_is_421},
        {"protocol_versions", test_protocol_versions},
        {"python_client_keepalive", test_python_client_keepalive},
        {"pipelined_records_in_one_segment", test_pipelined_records_in_one_segment},
        {"plain_http_to_https_port", test_plain_http_to_https_port},
        {"silent_client_cut_off", test_silent_client_cut_off},
        {"cgi_environment", test_cgi_environment},
        {"check_refuses_mismatched_key", test_check_refuses_mismatched_key},
        {"check_refuses_bad_settings", test_check_refuses_bad_settings},
        {"start_warns_of_expiry", test_start_warns_of_expiry},
        {"reload_reads_certificates", test_reload_reads_certificates},
        {"status_shows_tls_listener", test_status_shows_tls_listener},
        {"htaccess_https_variable", test_htaccess_https_variable},
        {"tls_listen_alone_opens_no_plain_port", test_tls_listen_alone_opens_no_plain_port},
        {"proxy_protocol_before_tls", test_proxy_protocol_before_tls},
    };
    ts_suite_add_cases(s, cases, sizeof(cases) / sizeof(cases[0]), 60);
    return ts_run_session(s);
}
