/*
 * check_dokuwiki.c — a real PHP application through mod_cgi's interpreter mapping: Debian's
 * DokuWiki (package dokuwiki, which build.sh installs), run by php-cgi with no #! line, its files
 * copied into the test server's document root (issue 16).
 *
 * Debian splits the wiki: the code in /usr/share/dokuwiki, the config in /etc/dokuwiki, the data
 * in /var/lib/dokuwiki. The copy puts them back together as upstream's tarball lays them out
 * (dokuwiki/conf/, dokuwiki/data/, each with its shipped .htaccess), and points inc/preload.php and
 * conf/dokuwiki.php at the copy, so the wiki writes only there. With allow_override = {"All"}
 * those shipped .htaccess files deny conf/, data/ and inc/ as under Apache.
 */
#include "testsupport.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testsupport_run.h"

#define HOST "Host: " TS_HOST "\r\n"
#define WIKI "/dokuwiki/"
#define WIKI_TIMEOUT_MS 30000 /* php-cgi compiles DokuWiki anew for each request */

#define WIKI_CONF                                                                                  \
    "modules = {\"cgi\", \"static\"}\n"                                                            \
    "index_files = {\"doku.php\", \"index.php\", \"index.html\"}\n"                                \
    "module \"cgi\" { interpreters = {\".php /usr/bin/php-cgi\"} }\n"

/* Copies the wiki into <docroot>/dokuwiki: code, conf/ and data/ (symlinks followed), paths fixed
 * to the copy, ACLs off so that an anonymous visitor may edit, everything writable by the
 * workers' user. */
static const char wiki_copy[] =
    "set -e\n"
    "W=\"$1\"\n"
    "mkdir -p \"$W/conf\" \"$W/data\"\n"
    "cp -rL /usr/share/dokuwiki/. \"$W\"\n"
    "cp -rL /etc/dokuwiki/. \"$W/conf\"\n"
    "cp -rL /var/lib/dokuwiki/data/. \"$W/data\"\n"
    "sed -i \"s|/etc/dokuwiki|$W/conf|g; s|/var/lib/dokuwiki|$W|g\" \"$W/inc/preload.php\"\n"
    "sed -i \"s|/var/lib/dokuwiki/data|$W/data|\" \"$W/conf/dokuwiki.php\"\n"
    "printf '$conf[\"useacl\"] = 0;\\n' >>\"$W/conf/local.php\"\n"
    "chmod -R a+rwX \"$W\"\n";

static void wiki_start(struct ts_server *s, const char *extra)
{
    char conf[1024];
    snprintf(conf, sizeof(conf), "%s%s", WIKI_CONF, extra);
    ts_server_start(s, conf);
    char dir[TS_PATH_MAX + 16];
    snprintf(dir, sizeof(dir), "%s/dokuwiki", s->docroot);
    const char *argv[] = {"/bin/sh", "-c", wiki_copy, "sh", dir, NULL};
    char *out = NULL;
    int rc = ts_run(argv, 60.0, &out);
    ck_assert_msg(rc == 0, "copying DokuWiki failed (%d): %s", rc, out != NULL ? out : "");
    free(out);
}

/* One request on a new connection with the wiki's deadline; the final response. */
static void wiki_request(const struct ts_server *s, const char *raw, struct ts_response *r)
{
    struct ts_conn c;
    ts_conn_open_or_fail(&c, s);
    c.timeout_ms = WIKI_TIMEOUT_MS;
    ts_assert_ok(ts_conn_send_str(&c, raw), "sending the request");
    ts_assert_ok(ts_response_read_final(&c, r, false), "reading the response");
    ts_conn_close(&c);
}

static void wiki_get(const struct ts_server *s, const char *url, const char *cookie,
                     struct ts_response *r)
{
    char raw[1024];
    snprintf(raw, sizeof(raw), "GET %s HTTP/1.1\r\n" HOST "%s%s%sConnection: close\r\n\r\n", url,
             cookie != NULL ? "Cookie: " : "", cookie != NULL ? cookie : "",
             cookie != NULL ? "\r\n" : "");
    wiki_request(s, raw, r);
}

/* The value of the hidden input `name` of html (malloc'd; "" when empty), or NULL. */
static char *form_value(const char *html, const char *name)
{
    char needle[64];
    snprintf(needle, sizeof(needle), "name=\"%s\" value=\"", name);
    const char *p = strstr(html, needle);
    if (p == NULL)
        return NULL;
    p += strlen(needle);
    const char *end = strchr(p, '"');
    return end != NULL ? strndup(p, (size_t)(end - p)) : NULL;
}

/* "NAME=value" of the response's first Set-Cookie (malloc'd), or NULL. */
static char *session_cookie(const struct ts_response *r)
{
    const char *v = ts_response_header(r, "Set-Cookie");
    return v != NULL ? strndup(v, strcspn(v, ";")) : NULL;
}

/* application/x-www-form-urlencoded: letters, digits and -._ kept, space as '+'. */
static void form_append(char *out, size_t size, const char *name, const char *value)
{
    size_t len = strlen(out);
    len += (size_t)snprintf(out + len, size - len, "%s%s=", len > 0 ? "&" : "", name);
    for (const unsigned char *p = (const unsigned char *)value; *p != '\0' && len + 4 < size; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._", *p) != NULL)
            out[len++] = (char)*p;
        else if (*p == ' ')
            out[len++] = '+';
        else
            len += (size_t)snprintf(out + len, size - len, "%%%02X", *p);
    }
    out[len] = '\0';
}

/* The start page renders through php-cgi: "/dokuwiki/" is doku.php by index_files. */
START_TEST(test_start_page)
{
    struct ts_server s;
    wiki_start(&s, "");
    struct ts_response r;
    wiki_get(&s, WIKI, NULL, &r);
    ck_assert_msg(r.status == 200 && strstr(r.body, "DokuWiki") != NULL &&
                      strstr(r.body, "<!DOCTYPE html>") != NULL,
                  "%s", ts_response_describe(&r));
    ck_assert_msg(strstr(r.body, "<?php") == NULL, "PHP source in the page");
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* A page is created as a browser does it — the edit page, then its form posted back with its
 * hidden fields (sectok, changecheck …) and the session cookie — and reads back. */
START_TEST(test_create_and_read_page)
{
    struct ts_server s;
    wiki_start(&s, "");
    struct ts_response r;
    wiki_get(&s, WIKI "doku.php?id=test:page&do=edit", NULL, &r);
    ck_assert_msg(r.status == 200 && strstr(r.body, "dw__editform") != NULL, "%s",
                  ts_response_describe(&r));
    char *cookie = session_cookie(&r);
    static const char *const hidden[] = {"sectok", "id",     "rev",         "date",
                                         "prefix", "suffix", "changecheck", "target"};
    char body[4096] = "";
    for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++) {
        char *v = form_value(r.body, hidden[i]);
        ck_assert_msg(v != NULL, "the edit form has no %s", hidden[i]);
        form_append(body, sizeof(body), hidden[i], v);
        free(v);
    }
    ts_response_free(&r);
    form_append(body, sizeof(body), "wikitext",
                "====== Made here ======\nWritten through preforkd.");
    form_append(body, sizeof(body), "summary", "created by check_dokuwiki");
    form_append(body, sizeof(body), "do[save]", "1");
    char raw[8192];
    snprintf(raw, sizeof(raw),
             "POST " WIKI "doku.php?id=test:page&do=edit HTTP/1.1\r\n" HOST
             "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %zu\r\n"
             "%s%s%sConnection: close\r\n\r\n%s",
             strlen(body), cookie != NULL ? "Cookie: " : "", cookie != NULL ? cookie : "",
             cookie != NULL ? "\r\n" : "", body);
    wiki_request(&s, raw, &r);
    /* saved: DokuWiki redirects to the page (POST, then GET) */
    ck_assert_msg(r.status == 302 && ts_response_header(&r, "Location") != NULL &&
                      strstr(ts_response_header(&r, "Location"), "id=test:page") != NULL,
                  "%s\n%.2000s", ts_response_describe(&r), r.body);
    ts_response_free(&r);
    wiki_get(&s, WIKI "doku.php?id=test:page", cookie, &r);
    ck_assert_msg(r.status == 200 && strstr(r.body, "Written through preforkd.") != NULL &&
                      strstr(r.body, "Made here") != NULL,
                  "%s", ts_response_describe(&r));
    ts_response_free(&r);
    wiki_get(&s, WIKI "doku.php?id=test:page&do=export_raw", NULL, &r);
    ck_assert_msg(r.status == 200 && strstr(r.body, "Written through preforkd.") != NULL, "%s",
                  ts_response_describe(&r));
    ts_response_free(&r);
    free(cookie);
    ts_server_stop(&s);
}
END_TEST

/* With .htaccess files honoured (allow_override = {"All"}), the wiki's own files deny what they
 * deny under Apache: conf/, data/, inc/ and what is in them are 403; the wiki still runs. */
START_TEST(test_shipped_htaccess_denies)
{
    static const struct {
        const char *url;
        int status;
    } rows[] = {
        {WIKI "data/", 403},
        {WIKI "data/pages/wiki/dokuwiki.txt", 403},
        {WIKI "conf/", 403},
        {WIKI "conf/local.php", 403},
        {WIKI "conf/users.auth.php", 403},
        {WIKI "inc/", 403},
        {WIKI "inc/init.php", 403},
        {WIKI "VERSION", 403},
        {WIKI, 200},
    };
    struct ts_server s;
    wiki_start(&s, "allow_override = {\"All\"}\n");
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct ts_response r;
        wiki_get(&s, rows[i].url, NULL, &r);
        ck_assert_msg(r.status == rows[i].status, "%s: %s", rows[i].url, ts_response_describe(&r));
        ts_response_free(&r);
    }
    ts_server_stop(&s);
}
END_TEST

static Suite *dokuwiki_suite(void)
{
    Suite *s = suite_create("dokuwiki");
    TCase *tc = tcase_create("dokuwiki");
    tcase_add_test(tc, test_start_page);
    tcase_add_test(tc, test_create_and_read_page);
    tcase_add_test(tc, test_shipped_htaccess_denies);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(dokuwiki_suite());
}
