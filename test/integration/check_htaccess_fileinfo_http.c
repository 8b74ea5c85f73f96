/*
 * check_htaccess_fileinfo_http.c — .htaccess FileInfo, Options and Indexes directives against the
 * real binary: what a site's files change in the responses (Content-Type, scripts run or refused,
 * listings, headers, Expires, the scripts' environment, symlinks).
 *
 * Every server here sets allow_override = {"All"} at the top level; the files are written into
 * the docroot after the start (the engine reads them on the first request that reaches them).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testsupport.h"
#include "testsupport_cgi.h"
#include "testsupport_run.h"

#define OVERRIDE "allow_override = {\"All\"}\n"
#define SCRIPT_OUT(body) "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\n" body
#define REQ(path, headers)                                                                         \
    "GET " path " HTTP/1.1\r\nHost: 127.0.0.1\r\n" headers "Connection: close\r\n\r\n"

/* ---- helpers --------------------------------------------------------------------------------- */

/* docroot/rel with text; fails the test when it cannot be written. */
static void put(const struct ts_server *s, const char *rel, const char *text)
{
    char path[TS_PATH_MAX * 2];
    snprintf(path, sizeof(path), "%s/%s", s->docroot, rel);
    ck_assert_msg(ts_file_put(path, text, strlen(text)) == 0, "cannot write %s", path);
}

static void get(const struct ts_server *s, const char *raw, struct ts_response *r, int status)
{
    int rc = ts_request(s->port, raw, r);
    ck_assert_msg(rc == TS_OK, "%s: %s", raw, ts_result_name(rc));
    ck_assert_msg(r->status == status, "%s: expected %d, got %s\n%.1000s", raw, status,
                  ts_response_describe(r), r->body);
}

static void get_path(const struct ts_server *s, const char *path, struct ts_response *r, int status)
{
    int rc = ts_get(s->port, path, r);
    ck_assert_msg(rc == TS_OK, "%s: %s", path, ts_result_name(rc));
    ck_assert_msg(r->status == status, "%s: expected %d, got %s\n%.1000s", path, status,
                  ts_response_describe(r), r->body);
}

static void assert_header(const struct ts_response *r, const char *name, const char *want)
{
    const char *v = ts_response_header(r, name);
    if (want == NULL)
        ck_assert_msg(v == NULL, "%s: unexpected \"%s\"", name, v);
    else
        ck_assert_msg(v != NULL && strcmp(v, want) == 0, "%s: \"%s\", expected \"%s\"", name,
                      v != NULL ? v : "(none)", want);
}

/* ---- media types -------------------------------------------------------------------------------
 */

/* AddType, AddCharset and ForceType change the Content-Type of files served as they are. */
START_TEST(test_addtype_forcetype)
{
    struct ts_server s;
    ts_server_start(&s, OVERRIDE);
    put(&s, "t/.htaccess", "AddType text/x-pfd .pfd\nAddCharset utf-8 .pfd\n");
    put(&s, "t/a.pfd", "typed\n");
    put(&s, "f/.htaccess", "ForceType application/x-forced\n");
    put(&s, "f/b.txt", "forced\n");
    put(&s, "f/keep/.htaccess", "ForceType None\n");
    put(&s, "f/keep/c.txt", "plain\n");
    struct ts_response r;
    get_path(&s, "/t/a.pfd", &r, 200);
    assert_header(&r, "Content-Type", "text/x-pfd; charset=utf-8");
    ck_assert_str_eq(r.body, "typed\n");
    ts_response_free(&r);
    get_path(&s, "/f/b.txt", &r, 200);
    assert_header(&r, "Content-Type", "application/x-forced");
    ts_response_free(&r);
    get_path(&s, "/f/keep/c.txt", &r, 200);
    assert_header(&r, "Content-Type", "text/plain");
    ts_response_free(&r);
    get_path(&s, "/hello.txt", &r, 200); /* no file above it says anything */
    assert_header(&r, "Content-Type", "text/plain");
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* The mod_mime and core lines of a boilerplate .htaccess (HTML5 Boilerplate's kind): compressed
 * SVG served with its encoding, a charset on text, no ETag. */
START_TEST(test_boilerplate_mime)
{
    struct ts_server s;
    ts_server_start(&s, OVERRIDE);
    put(&s, "bp/.htaccess",
        "<IfModule mod_mime.c>\n  AddType image/svg+xml svg svgz\n  AddEncoding gzip svgz\n"
        "  AddCharset utf-8 .css .txt\n</IfModule>\nAddDefaultCharset utf-8\n"
        "<IfModule mod_headers.c>\n  Header unset ETag\n</IfModule>\nFileETag None\n"
        "Options -MultiViews\n");
    put(&s, "bp/logo.svgz", "not really gzip");
    put(&s, "bp/a.txt", "a\n");
    put(&s, "bp/b.html", "<p>b</p>\n");
    struct ts_response r;
    get_path(&s, "/bp/logo.svgz", &r, 200);
    assert_header(&r, "Content-Type", "image/svg+xml");
    assert_header(&r, "Content-Encoding", "gzip");
    assert_header(&r, "ETag", NULL);
    ts_response_free(&r);
    get_path(&s, "/bp/a.txt", &r, 200);
    assert_header(&r, "Content-Type", "text/plain; charset=utf-8");
    ts_response_free(&r);
    get_path(&s, "/bp/b.html", &r, 200);
    assert_header(&r, "Content-Type", "text/html; charset=utf-8");
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* ---- scripts: AddHandler, Options ExecCGI
 * -------------------------------------------------------- */

/* A folder whose location does not run scripts runs *.sh once its .htaccess says +ExecCGI and
 * maps .sh to cgi-script (with PATH_INFO), and +ExecCGI alone runs cgi_extensions (the server's
 * AddHandler); the mapping without ExecCGI is 403, as in Apache, its source never sent. */
START_TEST(test_addhandler_execcgi)
{
    struct ts_server s;
    ts_server_start(&s, OVERRIDE "modules = {\"cgi\", \"static\"}\n");
    put(&s, "run/.htaccess",
        "Options +ExecCGI\nAddHandler cgi-script .sh\nDirectoryIndex index.sh\n");
    ck_assert_int_eq(ts_cgi_write(&s, "run", "index.sh", SCRIPT_OUT("echo index\n"), 0755), 0);
    ck_assert_int_eq(
        ts_cgi_write(&s, "run", "hi.sh", SCRIPT_OUT("echo \"ran [$PATH_INFO]\"\n"), 0755), 0);
    put(&s, "ext/.htaccess", "Options +ExecCGI\n"); /* cgi_extensions: .cgi, .pl */
    ck_assert_int_eq(ts_cgi_write(&s, "ext", "x.cgi", SCRIPT_OUT("echo ext\n"), 0755), 0);
    ck_assert_int_eq(ts_cgi_write(&s, ".", "y.cgi", SCRIPT_OUT("echo ext\n"), 0755), 0);
    put(&s, "norun/.htaccess", "AddHandler cgi-script .sh\nDirectoryIndex hi.sh\n");
    ck_assert_int_eq(ts_cgi_write(&s, "norun", "hi.sh", SCRIPT_OUT("echo ran\n"), 0755), 0);
    struct ts_response r;
    get_path(&s, "/run/hi.sh", &r, 200);
    ck_assert_str_eq(r.body, "ran []\n");
    ts_response_free(&r);
    get_path(&s, "/run/hi.sh/more/path", &r, 200);
    ck_assert_str_eq(r.body, "ran [/more/path]\n");
    ts_response_free(&r);
    get_path(&s, "/ext/x.cgi", &r, 200);
    ck_assert_str_eq(r.body, "ext\n");
    ts_response_free(&r);
    get_path(&s, "/y.cgi", &r, 200); /* no ExecCGI here: the file as it is */
    ck_assert_ptr_nonnull(strstr(r.body, "echo ext"));
    ts_response_free(&r);
    get_path(&s, "/norun/hi.sh", &r, 403);
    ck_assert_ptr_null(strstr(r.body, "echo"));
    ts_response_free(&r);
    /* An index file with a handler: run by it (mod_dir's internal redirect), never its source. */
    get_path(&s, "/run/", &r, 200);
    ck_assert_str_eq(r.body, "index\n");
    ts_response_free(&r);
    get_path(&s, "/norun/", &r, 403);
    ck_assert_ptr_null(strstr(r.body, "echo"));
    ts_response_free(&r);
    ck_assert(ts_file_wait_for(s.error_log, "Options ExecCGI is off", 5.0));
    ts_server_stop(&s);
}
END_TEST

/* -ExecCGI in a location that runs scripts by extension (exec_cgi = true) refuses them: 403. */
START_TEST(test_execcgi_off)
{
    struct ts_server s;
    ts_server_start(&s, OVERRIDE "modules = {\"cgi\", \"static\"}\n"
                                 "module \"cgi\" { cgi_extensions = {\".cgi\"} }\n"
                                 "location \"^/ext/\" { exec_cgi = true }\n");
    ck_assert_int_eq(ts_cgi_write(&s, "ext", "on.cgi", SCRIPT_OUT("echo ran\n"), 0755), 0);
    ck_assert_int_eq(ts_cgi_write(&s, "ext/off", "x.cgi", SCRIPT_OUT("echo ran\n"), 0755), 0);
    put(&s, "ext/off/.htaccess", "Options -ExecCGI\n");
    struct ts_response r;
    get_path(&s, "/ext/on.cgi", &r, 200);
    ck_assert_str_eq(r.body, "ran\n");
    ts_response_free(&r);
    get_path(&s, "/ext/off/x.cgi", &r, 403);
    ck_assert_ptr_null(strstr(r.body, "echo"));
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* A handler no loaded module serves, and Options MultiViews, are 500: never the file as is. */
START_TEST(test_unserved_handler_and_unsupported_option)
{
    struct ts_server s;
    ts_server_start(&s, OVERRIDE "modules = {\"cgi\", \"static\"}\n");
    put(&s, "php/.htaccess", "AddHandler application/x-httpd-php .php\nOptions +ExecCGI\n");
    put(&s, "php/index.php", "<?php echo 'secret'; ?>\n");
    put(&s, "mv/.htaccess", "Options +MultiViews\n");
    put(&s, "mv/a.txt", "a\n");
    struct ts_response r;
    get_path(&s, "/php/index.php", &r, 500);
    ck_assert_ptr_null(strstr(r.body, "secret"));
    ts_response_free(&r);
    get_path(&s, "/mv/a.txt", &r, 500);
    ts_response_free(&r);
    ck_assert(ts_file_wait_for(s.error_log, "MultiViews", 5.0));
    ts_server_stop(&s);
}
END_TEST

/* SetHandler picks the module: default-handler serves a script folder's files as they are,
 * cgi-script inside <FilesMatch> runs only the files it matches, server-status shows
 * mod_status's page, None takes back a parent's. */
START_TEST(test_sethandler)
{
    struct ts_server s;
    ts_server_start(&s, OVERRIDE "modules = {\"cgi\", \"static\", \"status\"}\n"
                                 "location \"^/cgi-bin/\" { handler = \"cgi\" }\n");
    ck_assert_int_eq(ts_cgi_write(&s, "cgi-bin", "run.sh", SCRIPT_OUT("echo ran\n"), 0755), 0);
    ck_assert_int_eq(ts_cgi_write(&s, "cgi-bin/src", "run.sh", SCRIPT_OUT("echo ran\n"), 0755), 0);
    put(&s, "cgi-bin/src/.htaccess", "SetHandler default-handler\n");
    put(&s, "fm/.htaccess",
        "Options +ExecCGI\n<FilesMatch \"\\.sh$\">\n  SetHandler cgi-script\n</FilesMatch>\n");
    ck_assert_int_eq(ts_cgi_write(&s, "fm", "a.sh", SCRIPT_OUT("echo fm\n"), 0755), 0);
    put(&s, "fm/b.txt", "b\n");
    put(&s, "st/.htaccess", "SetHandler server-status\n");
    put(&s, "st/none/.htaccess", "SetHandler None\n");
    put(&s, "st/none/a.txt", "a\n");
    struct ts_response r;
    get_path(&s, "/cgi-bin/run.sh", &r, 200);
    ck_assert_str_eq(r.body, "ran\n");
    ts_response_free(&r);
    get_path(&s, "/cgi-bin/src/run.sh", &r, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "echo ran"));
    ts_response_free(&r);
    get_path(&s, "/fm/a.sh", &r, 200); /* SetHandler inside <FilesMatch> */
    ck_assert_str_eq(r.body, "fm\n");
    ts_response_free(&r);
    get_path(&s, "/fm/b.txt", &r, 200);
    ck_assert_str_eq(r.body, "b\n");
    ts_response_free(&r);
    get_path(&s, "/st/", &r, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "preforkd"));
    ts_response_free(&r);
    get_path(&s, "/st/none/a.txt", &r, 200);
    ck_assert_str_eq(r.body, "a\n");
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* ---- listings: Options Indexes, IndexIgnore
 * ------------------------------------------------------ */

/* autoindex on: -Indexes in a folder's file is 403 there, others are listed; autoindex off:
 * +Indexes turns the listing on for that folder, as in Apache. */
START_TEST(test_options_indexes)
{
    struct ts_server s;
    ts_server_start(&s, OVERRIDE "modules = {\"static\", \"autoindex\"}\n"
                                 "module \"autoindex\" { enabled = true }\n");
    put(&s, "closed/.htaccess", "Options -Indexes\n");
    put(&s, "closed/a.txt", "a\n");
    put(&s, "listed/a.txt", "a\n");
    struct ts_response r;
    get_path(&s, "/closed/", &r, 403);
    ck_assert_ptr_null(strstr(r.body, "a.txt"));
    ts_response_free(&r);
    get_path(&s, "/listed/", &r, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "a.txt"));
    ts_response_free(&r);
    ts_server_stop(&s);

    ts_server_start(&s, OVERRIDE "modules = {\"static\", \"autoindex\"}\n");
    put(&s, "on/.htaccess", "Options +Indexes\n");
    put(&s, "on/b.txt", "b\n");
    put(&s, "plain/b.txt", "b\n");
    get_path(&s, "/on/", &r, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "b.txt"));
    ts_response_free(&r);
    get_path(&s, "/plain/", &r, 403);
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* IndexIgnore hides a file from the listing (it is still served when asked for). */
START_TEST(test_index_ignore)
{
    struct ts_server s;
    ts_server_start(&s, OVERRIDE "modules = {\"static\", \"autoindex\"}\n"
                                 "module \"autoindex\" { enabled = true }\n");
    put(&s, "ig/.htaccess", "IndexIgnore *.bak\nIndexOptions +FoldersFirst\n");
    put(&s, "ig/keep.txt", "k\n");
    put(&s, "ig/old.bak", "o\n");
    struct ts_response r;
    get_path(&s, "/ig/", &r, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "keep.txt"));
    ck_assert_ptr_null(strstr(r.body, "old.bak"));
    ts_response_free(&r);
    get_path(&s, "/ig/old.bak", &r, 200);
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* ---- Header, Expires ----------------------------------------------------------------------------
 */

/* Header set/unset on a file: on success only; "always" on the 404 too. */
START_TEST(test_header_static)
{
    struct ts_server s;
    ts_server_start(&s, OVERRIDE);
    put(&s, "h/.htaccess",
        "Header set X-Pfd yes\nHeader unset ETag\nHeader always set X-Always on\n");
    put(&s, "h/a.txt", "a\n");
    struct ts_response r;
    get_path(&s, "/hello.txt", &r, 200);
    ck_assert_ptr_nonnull(ts_response_header(&r, "ETag")); /* there is one to unset */
    ts_response_free(&r);
    get_path(&s, "/h/a.txt", &r, 200);
    assert_header(&r, "X-Pfd", "yes");
    assert_header(&r, "X-Always", "on");
    assert_header(&r, "ETag", NULL);
    ts_response_free(&r);
    get_path(&s, "/h/missing.txt", &r, 404);
    assert_header(&r, "X-Pfd", NULL);
    assert_header(&r, "X-Always", "on");
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* Header on a script's response: what the script sent can be dropped, fields added. */
START_TEST(test_header_cgi)
{
    struct ts_server s;
    ts_server_start(&s, OVERRIDE "modules = {\"cgi\", \"static\"}\n");
    put(&s, "run/.htaccess",
        "Options +ExecCGI\nAddHandler cgi-script .sh\nHeader set X-Cgi yes\nHeader unset "
        "X-Script\n");
    ck_assert_int_eq(ts_cgi_write(&s, "run", "h.sh",
                                  "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\nX-Script: "
                                  "1\\r\\nX-Other: 2\\r\\n\\r\\nbody\\n'\n",
                                  0755),
                     0);
    struct ts_response r;
    get_path(&s, "/run/h.sh", &r, 200);
    ck_assert_str_eq(r.body, "body\n");
    assert_header(&r, "X-Cgi", "yes");
    assert_header(&r, "X-Script", NULL);
    assert_header(&r, "X-Other", "2");
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* ExpiresByType: Cache-Control max-age and Expires for that type only. */
START_TEST(test_expires_by_type)
{
    struct ts_server s;
    ts_server_start(&s, OVERRIDE);
    put(&s, "e/.htaccess", "ExpiresActive On\nExpiresByType text/plain \"access plus 1 hour\"\n");
    put(&s, "e/x.txt", "x\n");
    put(&s, "e/y.html", "<p>y</p>\n");
    struct ts_response r;
    get_path(&s, "/e/x.txt", &r, 200);
    assert_header(&r, "Cache-Control", "max-age=3600");
    ck_assert_ptr_nonnull(ts_response_header(&r, "Expires"));
    ts_response_free(&r);
    get_path(&s, "/e/y.html", &r, 200);
    assert_header(&r, "Expires", NULL);
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* ---- SetEnv, SetEnvIf
 * ---------------------------------------------------------------------------- */

/* SetEnv and SetEnvIf reach the script, and what RequestHeader sets (as HTTP_*). */
START_TEST(test_env_reaches_script)
{
    struct ts_server s;
    ts_server_start(&s, OVERRIDE "modules = {\"cgi\", \"static\"}\n");
    put(&s, "envd/.htaccess",
        "Options +ExecCGI\nAddHandler cgi-script .sh\nSetEnv APP_MODE test\n"
        "SetEnvIf User-Agent ^pfd-test/([0-9]+) UA_VER=$1\nSetEnv REMOTE_ADDR forged\n"
        "RequestHeader set X-Added yes\n");
    ck_assert_int_eq(
        ts_cgi_write(
            &s, "envd", "env.sh",
            SCRIPT_OUT("echo \"mode=$APP_MODE ua=$UA_VER addr=$REMOTE_ADDR x=$HTTP_X_ADDED\"\n"),
            0755),
        0);
    struct ts_response r;
    get(&s, REQ("/envd/env.sh", "User-Agent: pfd-test/7\r\n"), &r, 200);
    /* The meta-variables stay the server's, as in Apache. */
    ck_assert_str_eq(r.body, "mode=test ua=7 addr=127.0.0.1 x=yes\n");
    ts_response_free(&r);
    get(&s, REQ("/envd/env.sh", "User-Agent: other\r\n"), &r, 200);
    ck_assert_str_eq(r.body, "mode=test ua= addr=127.0.0.1 x=yes\n");
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* mod_rewrite's [E=] reaches the script (the Authorization header the way PHP applications ask
 * for it, though pass_authorization is off), [T=] sets the type of a file. */
START_TEST(test_rewrite_env_and_type)
{
    struct ts_server s;
    ts_server_start(&s, OVERRIDE "modules = {\"cgi\", \"static\"}\n");
    put(&s, "rw/.htaccess",
        "Options +ExecCGI\nAddHandler cgi-script .sh\nRewriteEngine On\n"
        "RewriteRule \\.dat$ - [T=application/json]\n"
        "RewriteRule .* - [E=HTTP_AUTHORIZATION:%{HTTP:Authorization}]\n");
    ck_assert_int_eq(
        ts_cgi_write(&s, "rw", "auth.sh", SCRIPT_OUT("echo \"auth=$HTTP_AUTHORIZATION\"\n"), 0755),
        0);
    put(&s, "rw/x.dat", "{}\n");
    struct ts_response r;
    get(&s, REQ("/rw/auth.sh", "Authorization: Bearer abc\r\n"), &r, 200);
    ck_assert_str_eq(r.body, "auth=Bearer abc\n");
    ts_response_free(&r);
    get_path(&s, "/rw/x.dat", &r, 200);
    assert_header(&r, "Content-Type", "application/json");
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* ---- Options FollowSymLinks
 * ----------------------------------------------------------------------- */

START_TEST(test_no_follow_symlinks)
{
    struct ts_server s;
    ts_server_start(&s, OVERRIDE "follow_symlinks = \"on\"\n");
    put(&s, "ln/.htaccess", "Options -FollowSymLinks\n");
    put(&s, "ok/.keep", "");
    char target[TS_PATH_MAX * 2], link1[TS_PATH_MAX * 2], link2[TS_PATH_MAX * 2];
    snprintf(target, sizeof(target), "%s/hello.txt", s.docroot);
    snprintf(link1, sizeof(link1), "%s/ln/link.txt", s.docroot);
    snprintf(link2, sizeof(link2), "%s/ok/link.txt", s.docroot);
    ck_assert_int_eq(symlink(target, link1), 0);
    ck_assert_int_eq(symlink(target, link2), 0);
    struct ts_response r;
    get_path(&s, "/ok/link.txt", &r, 200);
    ck_assert_str_eq(r.body, TS_HELLO_TXT);
    ts_response_free(&r);
    get_path(&s, "/ln/link.txt", &r, 403);
    ck_assert_ptr_null(strstr(r.body, TS_HELLO_TXT));
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

static Suite *htaccess_fileinfo_suite(void)
{
    Suite *s = suite_create("htaccess_fileinfo");
    const struct ts_case cases[] = {
        {"addtype_forcetype", test_addtype_forcetype},
        {"boilerplate_mime", test_boilerplate_mime},
        {"addhandler_execcgi", test_addhandler_execcgi},
        {"execcgi_off", test_execcgi_off},
        {"unserved_handler", test_unserved_handler_and_unsupported_option},
        {"sethandler", test_sethandler},
        {"options_indexes", test_options_indexes},
        {"index_ignore", test_index_ignore},
        {"header_static", test_header_static},
        {"header_cgi", test_header_cgi},
        {"expires_by_type", test_expires_by_type},
        {"env_reaches_script", test_env_reaches_script},
        {"rewrite_env_and_type", test_rewrite_env_and_type},
        {"no_follow_symlinks", test_no_follow_symlinks},
    };
    ts_suite_add_cases(s, cases, sizeof(cases) / sizeof(cases[0]), 60);
    return s;
}

int main(void)
{
    return ts_run_session(htaccess_fileinfo_suite());
}
