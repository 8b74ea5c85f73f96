/*
 * check_tls_browser.c — a real browser over HTTPS (issue 17): headless Chromium, its NSS
 * database trusting a test CA made here (testsupport_tls.c), loads pages from the real binary's
 * tls_listen with no certificate check turned off:
 *
 *  - a page and the script it loads from the same server, both over TLS (the DOM holds what the
 *    script wrote), logged as TLS 1.3 and HTTP/1.1 by preforkd, and in the browser's net log
 *    as TLS 1.3 with ALPN http/1.1 although it offered h2 first (we offer only http/1.1);
 *  - a profile that does not trust the CA, and a certificate that does not name localhost, get
 *    no page: the browser says why, and preforkd logs the failed handshake;
 *  - docs/https.md's plain-HTTP-to-HTTPS redirect, as written, ends on the HTTPS page.
 *
 * Skipped (passing, saying so) without chromium and certutil, except under CI=true: build.sh
 * installs them for the tests, so CI must run this for real.
 */
#include "testsupport_browser.h"
#include "testsupport_tls.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testsupport_run.h"

#define BROWSER_TIMEOUT_S 30.0
#define LOG_WAIT_S 5.0
#define PAGE_LOG_TAIL 4000 /* bytes of the browser's log shown when a test fails */
#define SECTION_MAX (2 * TS_PATH_MAX + 64)
#define HTTPS_DOC PFD_SOURCE_DIR "/docs/https.md"

/* The page loads its script from the same server; the script writes APP_MARK and the scheme
 * into the DOM, text the page itself does not hold: in the DOM, it proves both came over. */
#define PAGE_HTML                                                                                  \
    "<!DOCTYPE html>\n<html><head><title>browser test</title></head>\n"                            \
    "<body><p>the page</p><script src=\"/app.js\"></script></body></html>\n"
#define APP_JS "document.body.append(\"written by app.js over \" + location.protocol);\n"
#define APP_MARK "written by app.js over https:"

/* Protocol, cipher and SNI after each request: as mod_ssl's %{SSL_PROTOCOL}x and friends. */
#define LOG_FORMAT                                                                                 \
    "access_log_format = \"\\\"%r\\\" %>s %{SSL_PROTOCOL}x %{SSL_CIPHER}x %{SSL_TLS_SNI}x\"\n"

/* preforkd with plain HTTP on s.port and HTTPS on tls_port, serving a certificate for one name
 * signed by the test CA, and a profile that trusts that CA. */
struct browser_site {
    struct ts_server s;
    int tls_port;
    struct ts_tls_cert cert;
    struct ts_browser trusting;
};

/* Skips (passes, saying why) when the tools are missing; fails instead under CI=true. */
static bool tools_missing(void)
{
    if (ts_browser_available() && ts_tls_available())
        return false;
    const char *ci = getenv("CI");
    ck_assert_msg(ci == NULL || strcmp(ci, "true") != 0,
                  "CI=true, but " TS_BROWSER ", " TS_CERTUTIL " or openssl is missing "
                  "(build.sh test installs chromium, libnss3-tools and openssl)");
    fprintf(stderr, "check_tls_browser: SKIPPED, " TS_BROWSER ", " TS_CERTUTIL
                    " or /usr/bin/openssl missing\n");
    return true;
}

/* The site, the CA, a certificate for cert_host, the trusting profile, a port for HTTPS. */
static void site_prepare(struct browser_site *t, const char *cert_host)
{
    ck_assert_int_eq(ts_server_init(&t->s), 0);
    char path[TS_PATH_MAX + 16];
    snprintf(path, sizeof(path), "%s/page.html", t->s.docroot);
    ck_assert_int_eq(ts_file_put(path, PAGE_HTML, strlen(PAGE_HTML)), 0);
    snprintf(path, sizeof(path), "%s/app.js", t->s.docroot);
    ck_assert_int_eq(ts_file_put(path, APP_JS, strlen(APP_JS)), 0);
    ck_assert_msg(ts_tls_ca(&t->s) == 0, "cannot make the test CA");
    ck_assert_msg(ts_tls_cert(&t->s, "site", cert_host, 90, &t->cert) == 0,
                  "cannot make the certificate of %s", cert_host);
    snprintf(path, sizeof(path), "%s/trusting", t->s.dir);
    ck_assert_msg(ts_browser_profile(&t->trusting, path, ts_tls_ca_file(&t->s)) == 0,
                  "cannot make the browser profile");
    t->tls_port = ts_port_pick();
    ck_assert_int_gt(t->tls_port, 0);
}

/* preforkd with tls_listen, the certificate, the log format and extra (verbatim, or NULL). */
static void site_launch(struct browser_site *t, const char *extra)
{
    char section[SECTION_MAX], conf[8192];
    ts_tls_section(&t->cert, section, sizeof(section));
    snprintf(conf, sizeof(conf), "tls_listen = {\"%s:%d\"}\n%s%s%s", TS_HOST, t->tls_port, section,
             LOG_FORMAT, extra != NULL ? extra : "");
    ts_server_launch(&t->s, conf);
}

static void site_start(struct browser_site *t, const char *cert_host)
{
    site_prepare(t, cert_host);
    site_launch(t, NULL);
}

/*
 * Fails the test with what unless ok, after printing the DOM and the tail of the browser's log to
 * stderr (Check's messages are short: a browser log does not fit in one).
 */
static void page_assert(bool ok, const char *url, const struct ts_browser_page *page,
                        const char *what)
{
    if (ok)
        return;
    size_t len = strlen(page->log);
    const char *tail = len > PAGE_LOG_TAIL ? page->log + len - PAGE_LOG_TAIL : page->log;
    fprintf(stderr, "%s: the DOM:\n%s\nthe browser's log (its tail):\n%s\n", url, page->dom, tail);
    ck_abort_msg("%s: %s (the browser exited %d; its DOM and log above)", url, what,
                 page->exit_code);
}

/* The browser with profile b on url; fails the test when it could not be run or timed out. */
static void site_load(const struct ts_browser *b, const char *url, struct ts_browser_page *page)
{
    ck_assert_msg(ts_browser_dump_dom(b, url, BROWSER_TIMEOUT_S, page) == 0,
                  "cannot start " TS_BROWSER);
    page_assert(page->exit_code != -1, url, page, "the browser outlived its time");
}

/* https://localhost:<tls_port><path> into url (256 bytes). */
static void site_https_url(const struct browser_site *t, const char *path, char *url)
{
    snprintf(url, 256, "https://localhost:%d%s", t->tls_port, path);
}

/* The page loads in a browser that trusts the test CA: the DOM is the page's, and holds what the
 * script (a second request, over TLS too) wrote, with location.protocol "https:". */
START_TEST(test_page_and_script_over_https)
{
    if (tools_missing())
        return;
    struct browser_site t;
    site_start(&t, "localhost");
    char url[256];
    site_https_url(&t, "/page.html", url);
    struct ts_browser_page page;
    site_load(&t.trusting, url, &page);
    page_assert(page.exit_code == 0, url, &page, "the browser failed");
    page_assert(strstr(page.dom, "<title>browser test</title>") != NULL, url, &page,
                "the DOM is not the page's");
    page_assert(strstr(page.dom, APP_MARK) != NULL, url, &page,
                "the DOM lacks what app.js wrote over https");
    ts_browser_page_free(&page);
    ts_server_stop(&t.s);
}
END_TEST

/* What the browser saw of the handshakes, in its net log: it offered h2 first, and ALPN gave it
 * http/1.1 (all we offer), over TLS 1.3. */
static const char *const netlog_has[] = {
    "\"alpn_protos\":\"h2,http/1.1\"",
    "\"next_proto\":\"http/1.1\"",
    "\"version\":\"TLS 1.3\"",
};

/* The same load from both ends: the access log has each request over TLS 1.3 with a TLS 1.3
 * cipher and SNI localhost, as HTTP/1.1; the browser's net log has its ALPN and TLS version. */
START_TEST(test_tls13_http11_in_both_logs)
{
    if (tools_missing())
        return;
    struct browser_site t;
    site_start(&t, "localhost");
    char url[256];
    site_https_url(&t, "/page.html", url);
    struct ts_browser_page page;
    site_load(&t.trusting, url, &page);
    for (size_t i = 0; i < sizeof(netlog_has) / sizeof(netlog_has[0]); i++)
        ck_assert_msg(strstr(page.netlog, netlog_has[i]) != NULL,
                      "the browser's net log (%zu bytes) lacks %s", strlen(page.netlog),
                      netlog_has[i]);
    ck_assert_msg(strstr(page.netlog, "\"next_proto\":\"h2\"") == NULL, "the browser got h2");
    ts_browser_page_free(&page);
    static const char *const requests[] = {"\"GET /page.html ", "\"GET /app.js "};
    for (size_t i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
        ck_assert_msg(ts_file_wait_for(t.s.access_log, requests[i], LOG_WAIT_S),
                      "no %s in the access log", requests[i]);
        char *line = ts_file_line_with(t.s.access_log, requests[i]);
        ck_assert_ptr_nonnull(line);
        ck_assert_msg(strstr(line, " HTTP/1.1\" 200 TLSv1.3 TLS_") != NULL &&
                          strstr(line, " localhost") != NULL,
                      "expected HTTP/1.1, 200, TLSv1.3, a TLS 1.3 cipher and SNI localhost: %s",
                      line);
        free(line);
    }
    ts_server_stop(&t.s);
}
END_TEST

/* A browser that must refuse the server: no page, its reason, and the handshake failure in
 * preforkd's error log (at info, with OpenSSL's reason: the browser's alert). */
struct refusal {
    const char *cert_host;  /* the name the server's certificate is for */
    bool profile_trusts_ca; /* whether the browser's NSS database trusts the test CA */
    const char *net_error;  /* Chromium's reason, in its log */
};

static const struct refusal refusals[] = {
    {"localhost", false, "net::ERR_CERT_AUTHORITY_INVALID"},
    {"other.test", true, "net::ERR_CERT_COMMON_NAME_INVALID"}, /* SAN: other.test, 127.0.0.1 */
};

static void refusal_check(const struct refusal *r)
{
    struct browser_site t;
    site_start(&t, r->cert_host);
    struct ts_browser untrusting;
    const struct ts_browser *browser = &t.trusting;
    if (!r->profile_trusts_ca) {
        char dir[TS_PATH_MAX + 16];
        snprintf(dir, sizeof(dir), "%s/untrusting", t.s.dir);
        ck_assert_int_eq(ts_browser_profile(&untrusting, dir, NULL), 0);
        browser = &untrusting;
    }
    char url[256];
    site_https_url(&t, "/page.html", url);
    struct ts_browser_page page;
    site_load(browser, url, &page);
    page_assert(strstr(page.dom, "the page") == NULL && strstr(page.dom, APP_MARK) == NULL, url,
                &page, "the browser shows the page");
    char reason[128];
    snprintf(reason, sizeof(reason), "the browser does not say %s", r->net_error);
    page_assert(strstr(page.log, r->net_error) != NULL, url, &page, reason);
    ts_browser_page_free(&page);
    char failed[96];
    snprintf(failed, sizeof(failed), "TLS handshake on %s:%d failed: ", TS_HOST, t.tls_port);
    ck_assert_msg(ts_file_wait_for(t.s.error_log, failed, LOG_WAIT_S), "the error log lacks \"%s\"",
                  failed);
    char *line = ts_file_line_with(t.s.error_log, failed);
    ck_assert_msg(line != NULL && strstr(line, "[info]") != NULL, "not at info: %s", line);
    free(line);
    ck_assert_msg(!ts_file_contains(t.s.access_log, "GET /page.html"),
                  "the access log shows the page served");
    ts_server_stop(&t.s);
}

/* The same browser with a profile whose NSS database does not hold the test CA: the trust
 * check is real. */
START_TEST(test_untrusted_ca_refused)
{
    if (tools_missing())
        return;
    refusal_check(&refusals[0]);
}
END_TEST

/* A certificate from the trusted CA for another name: localhost is not in its SAN. */
START_TEST(test_wrong_name_refused)
{
    if (tools_missing())
        return;
    refusal_check(&refusals[1]);
}
END_TEST

/* docs/https.md's redirect example as written, its host (example.com) replaced by ours, into
 * out: the config that sends plain HTTP to https://localhost:<tls_port>/. */
static void redirect_example(const struct browser_site *t, char *out, size_t size)
{
    static const char documented[] = "https://example.com/";
    char *block = ts_doc_example(HTTPS_DOC, "redirect");
    ck_assert_msg(block != NULL, HTTPS_DOC " has no example \"redirect\"");
    const char *host = strstr(block, documented);
    ck_assert_msg(host != NULL, "the redirect example no longer sends to %s:\n%s", documented,
                  block);
    snprintf(out, size, "%.*shttps://localhost:%d/%s", (int)(host - block), block, t->tls_port,
             host + strlen(documented));
    free(block);
}

/* The browser asks http://localhost:PORT/page.html, follows the 301 to the HTTPS port and shows
 * the page there (its script too); the log shows the plain 301, then the page over TLS. */
START_TEST(test_plain_http_redirect_to_https)
{
    if (tools_missing())
        return;
    struct browser_site t;
    site_prepare(&t, "localhost");
    char extra[1024];
    redirect_example(&t, extra, sizeof(extra));
    site_launch(&t, extra);
    char url[256];
    snprintf(url, sizeof(url), "http://localhost:%d/page.html", t.s.port);
    struct ts_browser_page page;
    site_load(&t.trusting, url, &page);
    page_assert(page.exit_code == 0 && strstr(page.dom, APP_MARK) != NULL, url, &page,
                "the DOM lacks what app.js wrote over https");
    ts_browser_page_free(&page);
    static const char *const logged[] = {
        "\"GET /page.html HTTP/1.1\" 301 - - -",
        "\"GET /page.html HTTP/1.1\" 200 TLSv1.3 TLS_",
    };
    for (size_t i = 0; i < sizeof(logged) / sizeof(logged[0]); i++)
        ck_assert_msg(ts_file_wait_for(t.s.access_log, logged[i], LOG_WAIT_S),
                      "the access log lacks %s", logged[i]);
    ts_server_stop(&t.s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tls_browser");
    const struct ts_case cases[] = {
        {"page_and_script_over_https", test_page_and_script_over_https},
        {"tls13_http11_in_both_logs", test_tls13_http11_in_both_logs},
        {"untrusted_ca_refused", test_untrusted_ca_refused},
        {"wrong_name_refused", test_wrong_name_refused},
        {"plain_http_redirect_to_https", test_plain_http_redirect_to_https},
    };
    ts_suite_add_cases(s, cases, sizeof(cases) / sizeof(cases[0]), 60);
    return ts_run_session(s);
}
