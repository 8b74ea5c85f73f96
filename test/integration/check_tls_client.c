/*
 * check_tls_client.c — client certificates (tls { verify_client, client_ca, verify_depth }, as
 * Apache's SSLVerifyClient and SSLCACertificateFile), through the real binary and real clients:
 * curl with and without --cert, a certificate of another CA, openssl s_client resuming a session
 * made where no certificate was asked for. CGI sees mod_ssl's SSL_CLIENT_* variables and the
 * access log names the client. The CAs and certificates are made here with the openssl command
 * line (testsupport_tls.c).
 */
#include "testsupport_cgi.h"
#include "testsupport_tls.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testsupport_run.h"

#define CURL "/usr/bin/curl"
#define TOOL_TIMEOUT_S 20.0
#define SECTION_MAX (4 * TS_PATH_MAX + 256)

/* An HTTPS server whose CA also signed alice's client certificate; mallory's comes from a CA
 * the server was not told about (made in other's temp dir). */
struct client_server {
    struct ts_server s, other;
    int tls_port;
    struct ts_tls_cert cert, alice, secure, mallory;
};

static bool tools_missing(void)
{
    if (ts_tls_available() && access(CURL, X_OK) == 0)
        return false;
    fprintf(stderr, "check_tls_client: SKIPPED, " CURL " or openssl missing\n");
    return true;
}

static void client_prepare(struct client_server *t)
{
    ck_assert_int_eq(ts_server_init(&t->s), 0);
    ck_assert_int_eq(ts_server_init(&t->other), 0);
    ck_assert_msg(ts_tls_ca(&t->s) == 0 && ts_tls_ca(&t->other) == 0, "cannot make the CAs");
    ck_assert_int_eq(ts_tls_cert(&t->s, "localhost", "localhost", 90, &t->cert), 0);
    ck_assert_int_eq(ts_tls_cert(&t->s, "secure", "secure.test", 90, &t->secure), 0);
    ck_assert_int_eq(ts_tls_cert(&t->s, "alice", "alice", 90, &t->alice), 0);
    ck_assert_int_eq(ts_tls_cert(&t->other, "mallory", "mallory", 90, &t->mallory), 0);
    t->tls_port = ts_port_pick();
    ck_assert_int_gt(t->tls_port, 0);
}

/* "tls { certificate; certificate_key }" of cert, with verify and client_ca (this server's CA)
 * when verify is not "". */
static void client_section(const struct client_server *t, const struct ts_tls_cert *cert,
                           const char *verify, char *out, size_t size)
{
    if (*verify == '\0')
        snprintf(out, size, "tls {\n  certificate = \"%s\"\n  certificate_key = \"%s\"\n}\n",
                 cert->cert, cert->key);
    else
        snprintf(out, size,
                 "tls {\n  certificate = \"%s\"\n  certificate_key = \"%s\"\n  %s\n  "
                 "client_ca = \"%s\"\n}\n",
                 cert->cert, cert->key, verify, ts_tls_ca_file(&t->s));
}

/* The top level without client certificates; vhost "secure.test" with its own certificate,
 * which requires one. */
static void client_start_vhost(struct client_server *t)
{
    client_prepare(t);
    char secure[SECTION_MAX], top[SECTION_MAX], conf[16384];
    client_section(t, &t->secure, "verify_client = \"require\"", secure, sizeof(secure));
    client_section(t, &t->cert, "", top, sizeof(top));
    snprintf(conf, sizeof(conf), "tls_listen = {\"%s:%d\"}\n%svhost \"secure.test\" {\n%s}\n",
             TS_HOST, t->tls_port, top, secure);
    ts_server_launch(&t->s, conf);
}

/* The top level's tls { } with verify (as client_section()), CGI on /cgi-bin/, the access log
 * naming the client, then extra. */
static void client_start(struct client_server *t, const char *verify, const char *extra)
{
    client_prepare(t);
    char section[SECTION_MAX], conf[16384];
    client_section(t, &t->cert, verify, section, sizeof(section));
    snprintf(conf, sizeof(conf),
             "tls_listen = {\"%s:%d\"}\nlog_level = \"info\"\n"
             "modules = {\"static\", \"cgi\"}\n"
             "location \"^/cgi-bin/\" { handler = \"cgi\" }\n"
             "access_log_format = \"%%h %%{SSL_CLIENT_VERIFY}x [%%{SSL_CLIENT_S_DN}x] \\\"%%r\\\" "
             "%%>s\"\n%s%s",
             TS_HOST, t->tls_port, section, extra != NULL ? extra : "");
    ck_assert_int_eq(ts_cgi_install(&t->s, "cgi-bin", "printenv.sh"), 0);
    ts_server_launch(&t->s, conf);
}

static void client_stop(struct client_server *t)
{
    ts_server_stop(&t->s);
    ts_server_stop(&t->other);
}

/* curl to https://host:tls_port<path> (host resolved to 127.0.0.1, the test CA trusted), with
 * the client certificate cert (NULL: none) and Host: host_header (NULL: host's). Its exit code;
 * the body, or the status with status_only, in *out. */
static int curl_as(const struct client_server *t, const struct ts_tls_cert *cert, const char *host,
                   const char *host_header, const char *path, bool status_only, char **out)
{
    char url[512], resolve[512], header[256];
    snprintf(url, sizeof(url), "https://%s:%d%s", host, t->tls_port, path);
    snprintf(resolve, sizeof(resolve), "%s:%d:127.0.0.1", host, t->tls_port);
    const char *argv[32] = {CURL,   "-sS",      "--http1.1",           "--max-time",
                            "10",   "--cacert", ts_tls_ca_file(&t->s), "--resolve",
                            resolve};
    size_t n = 9;
    if (cert != NULL) {
        argv[n++] = "--cert";
        argv[n++] = cert->cert;
        argv[n++] = "--key";
        argv[n++] = cert->key;
    }
    if (host_header != NULL) {
        snprintf(header, sizeof(header), "Host: %s", host_header);
        argv[n++] = "-H";
        argv[n++] = header;
    }
    if (status_only) {
        argv[n++] = "-o";
        argv[n++] = "/dev/null";
        argv[n++] = "-w";
        argv[n++] = "%{http_code}";
    }
    argv[n++] = url;
    argv[n] = NULL;
    return ts_run(argv, TOOL_TIMEOUT_S, out);
}

/* CGI's value of name for a request with cert, or NULL when unset (fails on a failed request). */
static char *cgi_var(const struct client_server *t, const struct ts_tls_cert *cert,
                     const char *name)
{
    char *out = NULL;
    int rc = curl_as(t, cert, "localhost", NULL, "/cgi-bin/printenv.sh", false, &out);
    ck_assert_msg(rc == 0, "curl %d: %s", rc, out);
    char *value = ts_cgi_env_value(out, name);
    free(out);
    return value;
}

static void assert_cgi_var(const struct client_server *t, const struct ts_tls_cert *cert,
                           const char *name, const char *want)
{
    char *got = cgi_var(t, cert, name);
    ck_assert_msg(got != NULL && strcmp(got, want) == 0, "%s: expected %s, got %s", name, want,
                  got != NULL ? got : "(unset)");
    free(got);
}

/* A request that must not be served: the handshake fails (curl exits non-zero), no 200. */
static void assert_refused(const struct client_server *t, const struct ts_tls_cert *cert,
                           const char *what)
{
    char *out = NULL;
    int rc = curl_as(t, cert, "localhost", NULL, "/hello.txt", true, &out);
    ck_assert_msg(rc != 0 && (out == NULL || strstr(out, "200") == NULL),
                  "%s: served (curl %d: %s)", what, rc, out != NULL ? out : "");
    free(out);
}

/* require: alice's certificate is served and described to CGI and the log; no certificate, or
 * one of another CA, gets no answer at all, and the reason is logged. */
START_TEST(test_require)
{
    if (tools_missing())
        return;
    struct client_server t;
    client_start(&t, "verify_client = \"require\"", NULL);
    assert_cgi_var(&t, &t.alice, "SSL_CLIENT_VERIFY", "SUCCESS");
    assert_cgi_var(&t, &t.alice, "SSL_CLIENT_S_DN", "CN=alice");
    assert_cgi_var(&t, &t.alice, "SSL_CLIENT_S_DN_CN", "alice");
    assert_cgi_var(&t, &t.alice, "SSL_CLIENT_I_DN", "CN=preforkd test CA");
    char *serial = cgi_var(&t, &t.alice, "SSL_CLIENT_M_SERIAL");
    ck_assert_msg(serial != NULL && strlen(serial) > 0 &&
                      strspn(serial, "0123456789ABCDEF") == strlen(serial),
                  "SSL_CLIENT_M_SERIAL: %s", serial != NULL ? serial : "(unset)");
    free(serial);
    char *end = cgi_var(&t, &t.alice, "SSL_CLIENT_V_END");
    ck_assert_msg(end != NULL && strstr(end, " GMT") != NULL, "SSL_CLIENT_V_END: %s",
                  end != NULL ? end : "(unset)");
    free(end);
    ck_assert_msg(ts_file_wait_for(t.s.access_log, "SUCCESS [CN=alice] \"GET /cgi-bin/", 5.0),
                  "the access log does not name alice");

    assert_refused(&t, NULL, "no client certificate");
    assert_refused(&t, &t.mallory, "a certificate of another CA");
    ck_assert_msg(ts_file_wait_for(t.s.error_log, "peer did not return a certificate", 5.0),
                  "no reason logged for the missing certificate");
    ck_assert_msg(ts_file_wait_for(t.s.error_log, "certificate verify failed", 5.0),
                  "no reason logged for the certificate of another CA");
    client_stop(&t);
}
END_TEST

/* optional: a client without a certificate is served (SSL_CLIENT_VERIFY=NONE, no DN); with
 * alice's, SUCCESS; a certificate of another CA is still refused. */
START_TEST(test_optional)
{
    if (tools_missing())
        return;
    struct client_server t;
    client_start(&t, "verify_client = \"optional\"", NULL);
    assert_cgi_var(&t, NULL, "SSL_CLIENT_VERIFY", "NONE");
    char *dn = cgi_var(&t, NULL, "SSL_CLIENT_S_DN");
    ck_assert_msg(dn == NULL, "SSL_CLIENT_S_DN without a certificate: %s", dn);
    assert_cgi_var(&t, &t.alice, "SSL_CLIENT_VERIFY", "SUCCESS");
    assert_cgi_var(&t, &t.alice, "SSL_CLIENT_S_DN_CN", "alice");
    assert_refused(&t, &t.mallory, "a certificate of another CA");
    ck_assert_msg(ts_file_wait_for(t.s.access_log, "NONE [-] \"GET /cgi-bin/", 5.0),
                  "the access log does not show the request without a certificate");
    client_stop(&t);
}
END_TEST

/* One vhost asks for certificates, the top level does not. SNI of the vhost without a
 * certificate is refused; the vhost reached without SNI, or under another name's SNI, is 421,
 * not a way around the certificate. */
START_TEST(test_vhost_requires)
{
    if (tools_missing())
        return;
    struct client_server t;
    client_start_vhost(&t);
    static const struct {
        const char *sni, *host; /* sni NULL: none (an address in the URL) */
        bool with_cert;
        const char *status; /* NULL: refused in the handshake */
    } cases[] = {
        {"secure.test", NULL, true, "200"}, {"secure.test", NULL, false, NULL},
        {"localhost", NULL, false, "200"},  {"localhost", "secure.test", true, "421"},
        {NULL, "secure.test", true, "421"}, {NULL, "localhost", false, "200"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *out = NULL;
        int rc;
        const struct ts_tls_cert *cert = cases[i].with_cert ? &t.alice : NULL;
        if (cases[i].sni != NULL) {
            rc = curl_as(&t, cert, cases[i].sni, cases[i].host, "/hello.txt", true, &out);
        } else {
            char url[128], header[128];
            snprintf(url, sizeof(url), "https://127.0.0.1:%d/hello.txt", t.tls_port);
            snprintf(header, sizeof(header), "Host: %s", cases[i].host);
            const char *plain[] = {CURL, "-sS",  "--http1.1", "--max-time", "10",
                                   "-k", "-o",   "/dev/null", "-w",         "%{http_code}",
                                   "-H", header, url,         NULL};
            rc = ts_run(plain, TOOL_TIMEOUT_S, &out);
        }
        const char *sni = cases[i].sni != NULL ? cases[i].sni : "(none)";
        if (cases[i].status == NULL)
            ck_assert_msg(rc != 0 && (out == NULL || strstr(out, "200") == NULL),
                          "SNI %s without a certificate: served (curl %d: %s)", sni, rc, out);
        else
            ck_assert_msg(rc == 0 && strcmp(out, cases[i].status) == 0,
                          "SNI %s, Host %s: curl %d: %s (expected %s)", sni,
                          cases[i].host != NULL ? cases[i].host : sni, rc, out, cases[i].status);
        free(out);
    }
    client_stop(&t);
}
END_TEST

/* A session made on the top level's context (no certificate asked for) does not resume on the
 * vhost that asks for one: resuming would skip the check. */
START_TEST(test_session_does_not_skip_the_check)
{
    if (tools_missing())
        return;
    struct client_server t;
    client_start_vhost(&t);
    char sess[TS_PATH_MAX + 16], cmd[4 * TS_PATH_MAX];
    snprintf(sess, sizeof(sess), "%s/session.pem", t.s.dir);
    for (int round = 0; round < 2; round++) {
        const char *name = round == 0 ? "localhost" : "secure.test";
        snprintf(
            cmd, sizeof(cmd),
            "printf 'GET /hello.txt HTTP/1.1\\r\\nHost: %s\\r\\nConnection: close\\r\\n\\r\\n' "
            "| timeout 15 /usr/bin/openssl s_client -connect %s:%d -servername %s -CAfile %s "
            "-ign_eof %s %s 2>&1",
            name, TS_HOST, t.tls_port, name, ts_tls_ca_file(&t.s),
            round == 0 ? "-sess_out" : "-sess_in", sess);
        const char *sh[] = {"/bin/sh", "-c", cmd, NULL};
        char *out = NULL;
        (void)ts_run(sh, TOOL_TIMEOUT_S, &out);
        ck_assert_msg(out != NULL, "s_client said nothing");
        if (round == 0)
            ck_assert_msg(strstr(out, TS_HELLO_TXT) != NULL, "first session not served: %s", out);
        else
            ck_assert_msg(strstr(out, "\nReused, ") == NULL && strstr(out, TS_HELLO_TXT) == NULL,
                          "the session resumed on the vhost that asks for a certificate: %s", out);
        free(out);
    }
    client_stop(&t);
}
END_TEST

/* -t: verify_client without client_ca, client_ca without verify_client, a client_ca that is not
 * there and a value it does not know are refused with FILE:LINE; a good one says how many CAs. */
START_TEST(test_check_refuses_bad_settings)
{
    if (tools_missing())
        return;
    struct client_server t;
    client_prepare(&t);
    static const struct {
        const char *lines, *want;
    } cases[] = {
        {"verify_client = \"require\"", "needs client_ca"},
        {"client_ca = \"CA\"", "set verify_client"},
        {"verify_client = \"maybe\"", "expected off, optional or require"},
        {"verify_client = \"optional\"\n  client_ca = \"/nonexistent/ca.pem\"",
         "client_ca \"/nonexistent/ca.pem\": No such file"},
        {"verify_client = \"require\"\n  verify_depth = 17", "between 0 and 16"},
        {"verify_client = \"require\"\n  client_ca = \"CA\"",
         "client certificates required, from 1 CA"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char lines[TS_PATH_MAX + 128], conf[8192], *ca;
        snprintf(lines, sizeof(lines), "%s", cases[i].lines);
        if ((ca = strstr(lines, "\"CA\"")) != NULL)
            snprintf(ca, sizeof(lines) - (size_t)(ca - lines), "\"%s\"", ts_tls_ca_file(&t.s));
        snprintf(conf, sizeof(conf),
                 "tls_listen = {\"%s:%d\"}\ntls {\n  certificate = \"%s\"\n  certificate_key = "
                 "\"%s\"\n  %s\n}\n",
                 TS_HOST, t.tls_port, t.cert.cert, t.cert.key, lines);
        ck_assert_int_eq(ts_server_configure(&t.s, conf), 0);
        const char *argv[] = {PFD_BINARY, "-t", "-f", t.s.conf, NULL};
        char *out = NULL;
        int rc = ts_run(argv, TOOL_TIMEOUT_S, &out);
        bool good = i == sizeof(cases) / sizeof(cases[0]) - 1;
        ck_assert_msg((good ? rc == 0 : rc != 0) && out != NULL && strstr(out, cases[i].want),
                      "%s: -t exit %d: %s", cases[i].lines, rc, out != NULL ? out : "");
        ck_assert_msg(good || strstr(out, t.s.conf) != NULL, "%s: no FILE:LINE: %s", cases[i].lines,
                      out);
        free(out);
    }
    client_stop(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tls_client");
    const struct ts_case cases[] = {
        {"require", test_require},
        {"optional", test_optional},
        {"vhost_requires", test_vhost_requires},
        {"session_does_not_skip_the_check", test_session_does_not_skip_the_check},
        {"check_refuses_bad_settings", test_check_refuses_bad_settings},
    };
    ts_suite_add_cases(s, cases, sizeof(cases) / sizeof(cases[0]), 60);
    return ts_run_session(s);
}
