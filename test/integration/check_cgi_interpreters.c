/*
 * check_cgi_interpreters.c — mod_cgi's interpreter mappings through the real binary and real
 * interpreters (php-cgi, python3, Perl CGI.pm): scripts without a #! line or the exec bit, the
 * environment PHP reads, sources never served, -t's checks, and 3 MB uploads on the default
 * limits.body (issue 16).
 */
#include "testsupport_cgi.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/md5.h"
#include "testsupport_run.h"

#define HOST "Host: " TS_HOST "\r\n"
#define PHP_CGI "/usr/bin/php-cgi"
/* PHP's own upload limits (upload_max_filesize 2M in Debian's php.ini) are PHP's, as under
 * Apache: raised by the interpreter's arguments. */
#define PHP_CONF                                                                                   \
    "modules = {\"cgi\", \"static\"}\n"                                                            \
    "index_files = {\"index.php\", \"index.html\"}\n"                                              \
    "module \"cgi\" {\n"                                                                           \
    "  interpreters = {\".php " PHP_CGI " -d upload_max_filesize=16M -d post_max_size=16M\",\n"    \
    "                  \".py /usr/bin/python3\"}\n"                                                \
    "}\n"

/* What PHP computes from the environment ($_SERVER), one "NAME=value" line each. */
static const char env_php[] =
    "<?php\n"
    "header('Content-Type: text/plain');\n"
    "foreach (['PHP_SELF', 'SCRIPT_NAME', 'SCRIPT_FILENAME', 'PATH_INFO', 'PATH_TRANSLATED',\n"
    "          'REQUEST_URI', 'REDIRECT_URL', 'REDIRECT_STATUS'] as $k)\n"
    "    echo $k, '=', $_SERVER[$k] ?? '(unset)', \"\\n\";\n";

static void put_or_fail(const struct ts_server *s, const char *dir, const char *name,
                        const char *text, int mode)
{
    ck_assert_msg(ts_cgi_write(s, dir, name, text, mode) == 0, "cannot write %s/%s", dir, name);
}

static void expect_value(const char *text, const char *name, const char *want, const char *url)
{
    char *got = ts_cgi_env_value(text, name);
    ck_assert_msg(got != NULL && strcmp(got, want) == 0, "%s: %s is \"%s\", want \"%s\"\n%s", url,
                  name, got != NULL ? got : "(absent)", want, text);
    free(got);
}

/* ---- PHP without a #! line: what $_SERVER holds ------------------------------------------- */

/* Values as Apache + php-cgi (Action) and lighttpd + php-cgi give them; "@" stands for the
 * document root. */
static const struct {
    const char *url;
    const char *php_self, *script_name, *script_filename, *path_info, *path_translated,
        *request_uri, *redirect_url;
} php_rows[] = {
    {"/", "/index.php", "/index.php", "@/index.php", "(unset)", "(unset)", "/", "/"},
    {"/app/env.php", "/app/env.php", "/app/env.php", "@/app/env.php", "(unset)", "(unset)",
     "/app/env.php", "(unset)"},
    {"/app/env.php/a/b?x=1", "/app/env.php/a/b", "/app/env.php", "@/app/env.php", "/a/b", "@/a/b",
     "/app/env.php/a/b?x=1", "(unset)"},
    {"/app/", "/app/index.php", "/app/index.php", "@/app/index.php", "(unset)", "(unset)", "/app/",
     "/app/"},
    /* a local redirect (RFC 3875 §6.2.2) to a URL with path info: no REDIRECT_URL, which would
     * send php-cgi looking for the script at PATH_TRANSLATED ("No input file specified") */
    {"/app/go.py", "/app/env.php/a/b", "/app/env.php", "@/app/env.php", "/a/b", "@/a/b",
     "/app/go.py", "(unset)"},
    /* a front controller (.htaccess, as WordPress ships it): the pretty URL is REDIRECT_URL */
    {"/fc/blog/hello?x=1", "/fc/index.php", "/fc/index.php", "@/fc/index.php", "(unset)", "(unset)",
     "/fc/blog/hello?x=1", "/fc/blog/hello"},
    {"/app/INDEX.PHP", "/app/INDEX.PHP", "/app/INDEX.PHP", "@/app/INDEX.PHP", "(unset)", "(unset)",
     "/app/INDEX.PHP", "(unset)"},
};

static const char *with_root(const struct ts_server *s, const char *v, char *buf, size_t size)
{
    if (v[0] != '@')
        return v;
    snprintf(buf, size, "%s%s", s->docroot, v + 1);
    return buf;
}

#define FRONT_CONTROLLER                                                                           \
    "RewriteEngine On\n"                                                                           \
    "RewriteCond %{REQUEST_FILENAME} !-f\n"                                                        \
    "RewriteCond %{REQUEST_FILENAME} !-d\n"                                                        \
    "RewriteRule . index.php [L]\n"

/* index.php and env.php, mode 0644 and no #! line, run through php-cgi with its default
 * cgi.force_redirect = 1 (REDIRECT_STATUS); index_files routes "/" to index.php. */
START_TEST(test_php_without_shebang)
{
    struct ts_server s;
    ts_server_start(&s, PHP_CONF "allow_override = {\"All\"}\n");
    put_or_fail(&s, ".", "index.php", env_php, 0644);
    put_or_fail(&s, "app", "env.php", env_php, 0644);
    put_or_fail(&s, "app", "index.php", env_php, 0644);
    put_or_fail(&s, "app", "INDEX.PHP", env_php, 0644);
    put_or_fail(&s, "fc", "index.php", env_php, 0644);
    put_or_fail(&s, "fc", ".htaccess", FRONT_CONTROLLER, 0644);
    put_or_fail(&s, "app", "go.py", "print('Location: /app/env.php/a/b\\n')\n", 0644);
    for (size_t i = 0; i < sizeof(php_rows) / sizeof(php_rows[0]); i++) {
        const char *url = php_rows[i].url;
        struct ts_response r;
        ck_assert_int_eq(ts_get(s.port, url, &r), TS_OK);
        ck_assert_msg(r.status == 200, "%s: %s\n%s", url, ts_response_describe(&r), r.body);
        char a[TS_PATH_MAX * 2], b[TS_PATH_MAX * 2];
        expect_value(r.body, "PHP_SELF", php_rows[i].php_self, url);
        expect_value(r.body, "SCRIPT_NAME", php_rows[i].script_name, url);
        expect_value(r.body, "SCRIPT_FILENAME",
                     with_root(&s, php_rows[i].script_filename, a, sizeof(a)), url);
        expect_value(r.body, "PATH_INFO", php_rows[i].path_info, url);
        expect_value(r.body, "PATH_TRANSLATED",
                     with_root(&s, php_rows[i].path_translated, b, sizeof(b)), url);
        expect_value(r.body, "REQUEST_URI", php_rows[i].request_uri, url);
        expect_value(r.body, "REDIRECT_URL", php_rows[i].redirect_url, url);
        expect_value(r.body, "REDIRECT_STATUS", "200", url);
        ts_response_free(&r);
    }
    ts_server_stop(&s);
}
END_TEST

/* ---- what an interpreter gets on its command line ----------------------------------------- */

/* The interpreter, its own arguments, then the script; never words of the query (RFC 3875 §4.4
 * gives an ISINDEX query's words to a script that runs itself, but "?-s" given to php-cgi is
 * CVE-2012-1823: the source, or worse). */
START_TEST(test_query_words_never_reach_the_interpreter)
{
    struct ts_server s;
    ts_server_start(&s, PHP_CONF);
    put_or_fail(&s, "py", "argv.py",
                "import sys\n"
                "print('Content-Type: text/plain\\n')\n"
                "print('args=' + ' '.join(sys.argv[1:]))\n",
                0644);
    put_or_fail(&s, "py", "secret.php", "<?php echo 'ran';\n", 0644);
    static const char *const urls[] = {"/py/argv.py?-s", "/py/argv.py?-d+auto_prepend_file=x",
                                       "/py/argv.py"};
    for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
        struct ts_response r;
        ck_assert_int_eq(ts_get(s.port, urls[i], &r), TS_OK);
        ck_assert_msg(r.status == 200 && strcmp(r.body, "args=\n") == 0, "%s: %s\n%s", urls[i],
                      ts_response_describe(&r), r.body);
        ts_response_free(&r);
    }
    struct ts_response r;
    ck_assert_int_eq(ts_get(s.port, "/py/secret.php?-s", &r), TS_OK);
    ck_assert_msg(r.status == 200 && strcmp(r.body, "ran") == 0, "%s", r.body);
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* ---- the source never leaks --------------------------------------------------------------- */

#define SECRET_PHP "<?php $password = 'hunter2'; echo 'ran';\n"

/* A .php file where mod_cgi does not run it is 403, never its source: a location whose handler
 * is static (an upload folder), a location whose own cgi_interpreters leave .php out, an index
 * file found there. Elsewhere it runs; other files are served as before. */
START_TEST(test_source_is_never_served)
{
    static const struct {
        const char *url;
        int status;
        const char *body; /* NULL: not checked beyond the password */
    } rows[] = {
        {"/secret.php", 200, "ran"},          {"/files/secret.php", 403, NULL},
        {"/files/SECRET.PHP", 403, NULL},     {"/files/", 403, NULL}, /* its index.php */
        {"/files/readme.txt", 200, "text\n"}, {"/py/secret.php", 403, NULL},
        {"/py/secret.php/more", 403, NULL},   {"/py/readme.txt", 200, "text\n"},
    };
    struct ts_server s;
    ts_server_start(&s, PHP_CONF
                    "location \"^/files/\" { handler = \"static\" }\n"
                    "location \"^/py/\" { cgi_interpreters = {\".py /usr/bin/python3\"} }\n");
    put_or_fail(&s, ".", "secret.php", SECRET_PHP, 0644);
    const char *dirs[] = {"files", "py"};
    for (size_t d = 0; d < 2; d++) {
        put_or_fail(&s, dirs[d], "secret.php", SECRET_PHP, 0644);
        put_or_fail(&s, dirs[d], "SECRET.PHP", SECRET_PHP, 0644);
        put_or_fail(&s, dirs[d], "index.php", SECRET_PHP, 0644);
        put_or_fail(&s, dirs[d], "readme.txt", "text\n", 0644);
    }
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct ts_response r;
        ck_assert_int_eq(ts_get(s.port, rows[i].url, &r), TS_OK);
        ck_assert_msg(r.status == rows[i].status, "%s: %s", rows[i].url, ts_response_describe(&r));
        ck_assert_msg(strstr(r.body, "hunter2") == NULL, "%s: the source leaked", rows[i].url);
        if (rows[i].body != NULL)
            ck_assert_msg(strcmp(r.body, rows[i].body) == 0, "%s: %s", rows[i].url, r.body);
        ts_response_free(&r);
    }
    ts_server_stop(&s);
}
END_TEST

/* ---- .htaccess handlers reach the mappings ------------------------------------------------ */

/* AddHandler/SetHandler in .htaccess (allow_override) choose a mapping by name as Apache sites
 * write them; a name nothing maps is 500 and SetHandler default-handler is 403, never the
 * source; Options -ExecCGI does not stop an interpreter (Apache's Action runs the interpreter). */
START_TEST(test_htaccess_handlers)
{
    static const struct {
        const char *dir, *htaccess, *file, *text;
        int status;
        const char *body;
    } rows[] = {
        {"html", "AddHandler application/x-httpd-php .html\n", "page.html", "<?php echo 'ran';\n",
         200, "ran"},
        {"py", "SetHandler interpreter:.py\n", "tool",
         "print('Content-Type: text/plain\\n')\nprint('py ran')\n", 200, "py ran\n"},
        {"own", "AddHandler php82-script .php\n", "x.php", "<?php echo 'ran';\n", 200, "ran"},
        {"unmapped", "AddHandler php82-script .phtml\n", "x.phtml", SECRET_PHP, 500, NULL},
        {"plain", "SetHandler default-handler\n", "secret.php", SECRET_PHP, 403, NULL},
        {"noexec", "Options -ExecCGI\n", "x.php", "<?php echo 'ran';\n", 200, "ran"},
    };
    struct ts_server s;
    ts_server_start(&s, PHP_CONF "allow_override = {\"All\"}\n");
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        put_or_fail(&s, rows[i].dir, ".htaccess", rows[i].htaccess, 0644);
        put_or_fail(&s, rows[i].dir, rows[i].file, rows[i].text, 0644);
        char url[128];
        snprintf(url, sizeof(url), "/%s/%s", rows[i].dir, rows[i].file);
        struct ts_response r;
        ck_assert_int_eq(ts_get(s.port, url, &r), TS_OK);
        ck_assert_msg(r.status == rows[i].status, "%s: %s", url, ts_response_describe(&r));
        ck_assert_msg(rows[i].body == NULL || strcmp(r.body, rows[i].body) == 0, "%s: %s", url,
                      r.body);
        ck_assert_msg(strstr(r.body, "hunter2") == NULL, "%s: the source leaked", url);
        ts_response_free(&r);
    }
    ts_server_stop(&s);
}
END_TEST

/* ---- a location's cgi_interpreter: everything there ----------------------------------------- */

START_TEST(test_location_interpreter)
{
    struct ts_server s;
    ts_server_start(&s, "modules = {\"cgi\", \"static\"}\n"
                        "location \"^/tools/\" {\n"
                        "  handler = \"cgi\"\n"
                        "  cgi_interpreter = \"/usr/bin/python3 -S\"\n"
                        "}\n");
    put_or_fail(&s, "tools", "report",
                "import os\n"
                "print('Content-Type: text/plain\\n')\n"
                "print('report ' + os.environ['SCRIPT_NAME'] + ' ' + os.environ['PATH_INFO'])\n",
                0600 | 0044);
    struct ts_response r;
    ck_assert_int_eq(ts_get(s.port, "/tools/report/x", &r), TS_OK);
    ck_assert_msg(r.status == 200 && strcmp(r.body, "report /tools/report /x\n") == 0, "%s\n%s",
                  ts_response_describe(&r), r.body);
    ts_response_free(&r);
    ck_assert_int_eq(ts_get_status(s.port, "/tools/missing"), 404);
    ts_server_stop(&s);
}
END_TEST

/* ---- -t checks the mappings ---------------------------------------------------------------- */

static const struct {
    const char *description;
    const char *config;
    const char *line; /* ":N:" of the option */
    const char *why;
} refused_rows[] = {
    {"a missing program",
     "modules = {\"cgi\"}\nmodule \"cgi\" {\n"
     "  interpreters = {\".php /nonexistent/php-cgi\"}\n}\n",
     ":", "does not exist"},
    {"no extension",
     "modules = {\"cgi\"}\nmodule \"cgi\" {\n  interpreters = {\"/usr/bin/php-cgi\"}\n}\n", ":",
     "extension"},
    {"a relative program",
     "modules = {\"cgi\"}\nmodule \"cgi\" {\n  interpreters = {\".php php-cgi\"}\n}\n", ":",
     "absolute"},
    {"a location's missing program",
     "modules = {\"cgi\"}\nlocation \"^/x/\" {\n  cgi_interpreter = \"/nonexistent/python\"\n}\n",
     ":", "does not exist"},
    {"a location's program that is a folder",
     "modules = {\"cgi\"}\nlocation \"^/x/\" {\n  cgi_interpreters = {\".py /tmp\"}\n}\n", ":",
     "not a regular file"},
};

START_TEST(test_check_refuses_bad_mappings)
{
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    ck_assert_int_eq(ts_server_configure(&s, refused_rows[_i].config), 0);
    const char *argv[] = {PFD_BINARY, "-t", "-f", s.conf, NULL};
    char *out = NULL;
    int rc = ts_run(argv, 10.0, &out);
    char where[TS_PATH_MAX + 8];
    snprintf(where, sizeof(where), "%s:", s.conf);
    ck_assert_msg(rc != 0 && out != NULL && strstr(out, where) != NULL &&
                      strstr(out, refused_rows[_i].why) != NULL,
                  "%s: rc %d\n%s", refused_rows[_i].description, rc, out != NULL ? out : "");
    free(out);
    ts_dir_remove(s.dir);
}
END_TEST

/* ---- 3 MB uploads on the default limits.body ---------------------------------------------- */

#define UPLOAD_SIZE (3 * 1000 * 1000)

/* A multipart/form-data request of one file of UPLOAD_SIZE patterned bytes to url; *md5 gets
 * their digest in hex. */
static char *upload_request(const char *url, char md5[2 * PFD_MD5_SIZE + 1], size_t *len)
{
    static const char before[] = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
                                 "filename=\"big.bin\"\r\nContent-Type: application/octet-stream"
                                 "\r\n\r\n",
                      after[] = "\r\n--XyZ--\r\n";
    size_t body_len = sizeof(before) - 1 + UPLOAD_SIZE + sizeof(after) - 1;
    char head[256];
    int head_len =
        snprintf(head, sizeof(head),
                 "POST %s HTTP/1.1\r\n" HOST "Content-Type: multipart/form-data; boundary=XyZ\r\n"
                 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                 url, body_len);
    char *raw = malloc((size_t)head_len + body_len + 1), *p = raw;
    ck_assert_ptr_nonnull(raw);
    memcpy(p, head, (size_t)head_len);
    p += head_len;
    memcpy(p, before, sizeof(before) - 1);
    p += sizeof(before) - 1;
    for (size_t i = 0; i < UPLOAD_SIZE; i++) /* every byte value, blocks shifted */
        p[i] = (char)((i * 7 + i / 4096) & 0xff);
    struct pfd_md5 ctx;
    unsigned char digest[PFD_MD5_SIZE];
    pfd_md5_init(&ctx);
    pfd_md5_update(&ctx, p, UPLOAD_SIZE);
    pfd_md5_final(&ctx, digest);
    for (int i = 0; i < PFD_MD5_SIZE; i++)
        snprintf(md5 + 2 * i, 3, "%02x", digest[i]);
    p += UPLOAD_SIZE;
    memcpy(p, after, sizeof(after)); /* with its NUL */
    *len = (size_t)head_len + body_len;
    return raw;
}

static const char upload_pl[] = "#!/usr/bin/perl\n"
                                "use strict;\nuse warnings;\nuse CGI;\nuse Digest::MD5;\n"
                                "my $q = CGI->new;\n"
                                "print $q->header(-type => 'text/plain');\n"
                                "my $fh = $q->upload('file') or die 'no file';\n"
                                "binmode $fh;\nlocal $/;\nmy $data = <$fh>;\n"
                                "printf \"bytes=%d md5=%s\\n\", length($data),\n"
                                "    Digest::MD5::md5_hex($data);\n";

static const char upload_php[] = "<?php\n"
                                 "header('Content-Type: text/plain');\n"
                                 "$f = $_FILES['file'] ?? null;\n"
                                 "if ($f === null || $f['error'] !== UPLOAD_ERR_OK) {\n"
                                 "    echo 'upload error ', $f['error'] ?? 'none', \"\\n\";\n"
                                 "    exit;\n"
                                 "}\n"
                                 "echo 'bytes=', filesize($f['tmp_name']), ' md5=',\n"
                                 "    md5_file($f['tmp_name']), \"\\n\";\n";

/* No limits { body } in the config (1 GiB by default, Apache 2.4.54's): CGI.pm and php-cgi each
 * get every byte of a 3 MB file, by size and MD5. */
START_TEST(test_upload_3mb)
{
    static const struct {
        const char *url;
    } rows[] = {{"/up/upload.pl"}, {"/up/upload.php"}};
    struct ts_server s;
    ts_server_start(&s, PHP_CONF "location \"^/up/\" { exec_cgi = true }\n");
    put_or_fail(&s, "up", "upload.pl", upload_pl, 0755);
    put_or_fail(&s, "up", "upload.php", upload_php, 0644);
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char md5[2 * PFD_MD5_SIZE + 1], want[128];
        size_t len;
        char *raw = upload_request(rows[i].url, md5, &len);
        struct ts_conn c;
        ts_conn_open_or_fail(&c, &s);
        c.timeout_ms = 30000;
        ts_assert_ok(ts_conn_send(&c, raw, len), "sending the upload");
        struct ts_response r;
        ts_assert_ok(ts_response_read_final(&c, &r, false), "reading the answer");
        snprintf(want, sizeof(want), "bytes=%d md5=%s\n", UPLOAD_SIZE, md5);
        ck_assert_msg(r.status == 200 && strcmp(r.body, want) == 0, "%s: %s\n%s", rows[i].url,
                      ts_response_describe(&r), r.body);
        ts_response_free(&r);
        ts_conn_close(&c);
        free(raw);
    }
    ts_server_stop(&s);
}
END_TEST

/* ---- docs/mod_cgi.md's example runs as written ------------------------------------------- */

/* The config block of docs/mod_cgi.md marked <!-- example: php --> (malloc'd). */
static char *docs_php_example(void)
{
    char *block = ts_doc_example(PFD_SOURCE_DIR "/docs/mod_cgi.md", "php");
    ck_assert_msg(block != NULL, "docs/mod_cgi.md: no php example");
    return block;
}

START_TEST(test_docs_php_example)
{
    char *example = docs_php_example();
    struct ts_server s;
    ts_server_start(&s, example);
    free(example);
    put_or_fail(&s, ".", "index.php", "<?php echo 'home ', $_SERVER['SCRIPT_NAME'];\n", 0644);
    put_or_fail(&s, "blog", "post.php", "<?php echo 'post ', $_SERVER['PATH_INFO'];\n", 0644);
    put_or_fail(&s, "uploads", "evil.php", SECRET_PHP, 0644);
    static const struct {
        const char *url;
        int status;
        const char *body;
    } rows[] = {
        {"/", 200, "home /index.php"},
        {"/blog/post.php/2024", 200, "post /2024"},
        {"/uploads/evil.php", 403, NULL},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct ts_response r;
        ck_assert_int_eq(ts_get(s.port, rows[i].url, &r), TS_OK);
        ck_assert_msg(r.status == rows[i].status, "%s: %s", rows[i].url, ts_response_describe(&r));
        ck_assert_msg(rows[i].body == NULL || strcmp(r.body, rows[i].body) == 0, "%s: %s",
                      rows[i].url, r.body);
        ck_assert_msg(strstr(r.body, "hunter2") == NULL, "%s: the source leaked", rows[i].url);
        ts_response_free(&r);
    }
    ts_server_stop(&s);
}
END_TEST

static Suite *cgi_interp_suite(void)
{
    Suite *s = suite_create("cgi_interp");
    TCase *tc = tcase_create("interp");
    tcase_add_test(tc, test_php_without_shebang);
    tcase_add_test(tc, test_query_words_never_reach_the_interpreter);
    tcase_add_test(tc, test_source_is_never_served);
    tcase_add_test(tc, test_location_interpreter);
    tcase_add_test(tc, test_htaccess_handlers);
    tcase_add_loop_test(tc, test_check_refuses_bad_mappings, 0,
                        (int)(sizeof(refused_rows) / sizeof(refused_rows[0])));
    tcase_add_test(tc, test_upload_3mb);
    tcase_add_test(tc, test_docs_php_example);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(cgi_interp_suite());
}
