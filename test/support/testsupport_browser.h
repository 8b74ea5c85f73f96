/*
 * testsupport_browser.h — a real browser in the integration tests: Debian's headless Chromium,
 * run once per URL with --dump-dom from a private folder that is its HOME (whose NSS database,
 * ~/.pki/nssdb, is where Chromium on Linux finds the CAs a user added), its profile and its
 * TMPDIR. Each run is bounded in time; its whole process group is killed and reaped after it.
 */
#ifndef PFD_TESTSUPPORT_BROWSER_H
#define PFD_TESTSUPPORT_BROWSER_H

#include <stdbool.h>

#include "testsupport.h"

#define TS_BROWSER "/usr/bin/chromium"
#define TS_CERTUTIL "/usr/bin/certutil" /* Debian's libnss3-tools */

/* A browser profile: dir is its HOME; the profile and TMPDIR are folders in it. */
struct ts_browser {
    char dir[TS_PATH_MAX];
};

/* What one run of the browser left. */
struct ts_browser_page {
    int exit_code; /* its exit code, 128+signal, or -1 when it outlived the timeout */
    char *dom;     /* what --dump-dom printed (stdout): the page's DOM, "" when none loaded */
    char *log;     /* its stderr: why a load failed ("Page load failed: net::ERR_…") */
    /* Its net log (--log-net-log, JSON): what it offered and got in each TLS handshake, as
     * "alpn_protos":"h2,http/1.1" and an SSL_CONNECT event's "next_proto":"http/1.1",
     * "version":"TLS 1.3"; "" when it wrote none. */
    char *netlog;
};

/* Whether chromium and certutil are there (the tests skip, saying so, when not). */
bool ts_browser_available(void);
/*
 * A fresh profile in dir (made here; its parent must exist) with an NSS database that trusts
 * ca_file to identify web sites (certutil -t "C,,"), or trusts nothing added when ca_file is
 * NULL; 0, or -1 after printing what failed. The caller removes dir: the tests make it in the
 * server's temp dir, which ts_server_stop() (or, after a failed test, the session's end) removes.
 */
int ts_browser_profile(struct ts_browser *b, const char *dir, const char *ca_file);
/*
 * Loads url in headless Chromium with b's profile and prints its DOM once loaded (--dump-dom).
 * No certificate check is turned off. localhost resolves to 127.0.0.1 (not ::1) and no other
 * host name resolves, so the browser reaches nothing but the test's servers. 0 when it ran
 * (whatever it exited with: see page->exit_code), -1 when it could not be started; page is
 * always safe to free.
 */
int ts_browser_dump_dom(const struct ts_browser *b, const char *url, double timeout_s,
                        struct ts_browser_page *page);
void ts_browser_page_free(struct ts_browser_page *page);

#endif
