/*
 * check_htaccess_fileinfo.c — server/serve/htaccess_fileinfo.c and its companions
 * (htaccess_headers.c, htaccess_env.c, htaccess_index.c): each directive's compile() on good and
 * bad lines, apply() into a request's result, and what the core and the modules then read
 * (media type, handler, options, symlink policy, environment, listing, response head).
 *
 * Nodes are built by hand as the engine's parser would make them: one line, split into words.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "serve/htaccess.h"
#include "serve/htaccess_env.h"
#include "serve/htaccess_expires.h"
#include "serve/htaccess_headers.h"
#include "serve/request.h"
#include "testsupport_run.h"

#define MAX_WORDS 16

/* One line's node: words split on blanks, double quotes grouping ("access plus 1 month"). */
struct line {
    struct pfd_ht_node node;
    char *args[MAX_WORDS];
    char buf[512];
};

static const struct pfd_ht_directive *directive(const char *name)
{
    for (const struct pfd_ht_directive *d = pfd_ht_fileinfo_directives(); d->name != NULL; d++)
        if (strcasecmp(d->name, name) == 0)
            return d;
    return NULL;
}

static void line_split(struct line *l, const char *text)
{
    memset(l, 0, sizeof(*l));
    strncpy(l->buf, text, sizeof(l->buf) - 1);
    char *p = l->buf, *words[MAX_WORDS + 1];
    size_t n = 0;
    while (*p != '\0' && n <= MAX_WORDS) {
        p += strspn(p, " ");
        if (*p == '\0')
            break;
        if (*p == '"') {
            words[n++] = ++p;
            p += strcspn(p, "\"");
        } else {
            words[n++] = p;
            p += strcspn(p, " ");
        }
        if (*p != '\0')
            *p++ = '\0';
    }
    ck_assert_uint_gt(n, 0);
    l->node.name = words[0];
    for (size_t i = 1; i < n; i++)
        l->args[i - 1] = words[i];
    l->node.args = l->args;
    l->node.nargs = n - 1;
    l->node.line = 1;
}

/* compile() of one line: its return code; err gets why. */
static int compile_line(struct line *l, const char *text, char *err, size_t err_size)
{
    line_split(l, text);
    const struct pfd_ht_directive *d = directive(l->node.name);
    ck_assert_msg(d != NULL, "no directive %s", l->node.name);
    l->node.directive = d;
    err[0] = '\0';
    return d->compile(&l->node, err, err_size);
}

static void line_free(struct line *l)
{
    if (l->node.directive != NULL && l->node.directive->free_data != NULL)
        l->node.directive->free_data(l->node.data);
    l->node.data = NULL;
}

/* A request as far as apply() and the readers use one: its arena, head and result. */
struct fixture {
    struct pfd_conn conn;
    struct pfd_request r;
    struct pfd_ht_result result;
    struct pfd_ht_ctx ctx;
    struct pfd_http_header headers[4];
    struct line lines[12];
    size_t nlines;
};

static struct fixture *fixture_new(void)
{
    struct fixture *f = calloc(1, sizeof(*f));
    pfd_arena_init(&f->conn.arena, 4096);
    strcpy(f->conn.peer_ip, "127.0.0.1");
    strcpy(f->conn.local_ip, "127.0.0.1");
    f->r.conn = &f->conn;
    f->r.status = 200;
    f->r.path = "/app/run.sh/extra";
    f->r.method_name = "GET";
    f->r.protocol = "HTTP/1.1";
    f->r.head.headers = f->headers;
    f->r.head.headers_cap = 4;
    f->r.htaccess = &f->result;
    f->ctx = (struct pfd_ht_ctx){.r = &f->r, .result = &f->result, .url_dir = "/app/"};
    return f;
}

static void fixture_header(struct fixture *f, const char *name, const char *value)
{
    f->headers[f->r.head.nheaders++] =
        (struct pfd_http_header){name, strlen(name), value, strlen(value)};
}

/* Compiles and applies each line in order, as the engine does for one file. */
static void fixture_apply(struct fixture *f, const char *const *texts)
{
    char err[256];
    for (; *texts != NULL; texts++) {
        ck_assert_uint_lt(f->nlines, 12);
        struct line *l = &f->lines[f->nlines++];
        ck_assert_msg(compile_line(l, *texts, err, sizeof(err)) == 0, "%s: %s", *texts, err);
        ck_assert_int_eq(l->node.directive->apply(&f->ctx, &l->node), 0);
    }
}

static void fixture_free(struct fixture *f)
{
    for (size_t i = 0; i < f->nlines; i++)
        line_free(&f->lines[i]);
    pfd_buf_free(&f->conn.resp_headers);
    pfd_arena_free(&f->conn.arena);
    free(f);
}

/* ---- compile: what is refused, what is taken --------------------------------------------------
 */

static const struct {
    const char *line;
    int rc;
} compile_cases[] = {
    {"Options Indexes FollowSymLinks", 0},
    {"Options +ExecCGI -Indexes", 0},
    {"Options All", 0},
    {"Options None", 0},
    {"Options -MultiViews", 0},
    {"Options Indexes -ExecCGI", -1}, /* Apache 2.4: no mixing */
    {"Options +Indexes FollowSymLinks", -1},
    {"Options +MultiViews", -1}, /* not supported: 500, logged */
    {"Options Includes", -1},
    {"Options +Bogus", -1},
    {"Options +All", -1},
    {"Options", -1},
    {"AddType text/x-foo .foo bar", 0},
    {"AddType nonsense .foo", -1},
    {"AddType text/plain", -1},
    {"RemoveType .foo", 0},
    {"ForceType application/json", 0},
    {"ForceType None", 0},
    {"ForceType json", -1},
    {"DefaultType text/plain", 0},
    {"AddHandler cgi-script .cgi .sh", 0},
    {"SetHandler cgi-script", 0},
    {"SetHandler", -1},
    {"RemoveHandler .cgi", 0},
    {"AddCharset utf-8 .txt", 0},
    {"AddCharset \"utf 8\" .txt", -1},
    {"AddEncoding gzip svgz .gz", 0},
    {"AddEncoding \"x gzip\" .gz", -1},
    {"RemoveEncoding .gz", 0},
    {"AddLanguage en-GB .en", 0},
    {"RemoveLanguage .en", 0},
    {"FileETag None", 0},
    {"FileETag MTime Size", 0},
    {"FileETag -INode", 0},
    {"FileETag Checksum", -1},
    {"AddDefaultCharset On", 0},
    {"AddDefaultCharset a;b", -1},
    {"Header set X-Frame-Options SAMEORIGIN", 0},
    {"Header always set X-A \"a b\"", 0},
    {"Header onsuccess unset ETag", 0},
    {"Header append Vary Accept-Encoding env=!NOVARY", 0},
    {"Header merge Cache-Control public", 0},
    {"Header setifempty X-B b", 0},
    {"Header echo ^X-Req", 0},
    {"Header edit Set-Cookie ^(.*)$ $1;HttpOnly", 0},
    {"Header edit* X-A a b", 0},
    {"Header set X-A \"100%%\"", 0},
    {"Header set X-A \"%t %D %{VAR}e\"", 0},
    {"Header set X-A \"%x\"", -1}, /* other specifiers are refused, not sent as written */
    {"Header set X-A \"%{HTTPS}s\"", -1},
    {"Header set X-A \"50%\"", -1},
    {"Header set", -1},
    {"Header set X-A", -1},
    {"Header bogus X-A b", -1},
    {"Header note X-A b", -1},
    {"Header set X-A b expr=%{REQUEST_URI}", -1},
    {"Header set X-A b early", -1},
    {"Header set \"X A\" b", -1},
    {"Header unset X-A b", -1},
    {"Header echo (", -1},
    {"RequestHeader set X-Forwarded-Proto https", 0},
    {"RequestHeader unset Proxy", 0},
    {"RequestHeader append Accept text/html env=X", 0},
    {"RequestHeader edit Cookie ^a= b=", 0},
    {"RequestHeader set Host evil.test", -1},
    {"RequestHeader set Content-Length 0", -1},
    {"RequestHeader echo ^X", -1},
    {"RequestHeader always set X-A b", -1},
    {"ExpiresActive On", 0},
    {"ExpiresActive maybe", -1},
    {"ExpiresByType text/html \"access plus 1 month\"", 0},
    {"ExpiresByType image/png A3600", 0},
    {"ExpiresByType png A3600", -1},
    {"ExpiresDefault \"modification plus 2 days 3 hours\"", 0},
    {"ExpiresDefault \"later plus 1 day\"", -1},
    {"SetEnv APP_MODE production", 0},
    {"SetEnv NO_VALUE", 0},
    {"SetEnv BAD-NAME x", -1},
    {"UnsetEnv A B", 0},
    {"SetEnvIf Request_URI \\.gif$ image=1 !nolog", 0},
    {"SetEnvIfNoCase User-Agent ^curl IS_CURL", 0},
    {"SetEnvIf Remote_Addr ^127 A=x !B=y", -1},
    {"SetEnvIf Remote_Addr (", -1},
    {"SetEnvIf Remote_Addr", -1},
    {"SetEnvIf ^X-(Foo ^a A", -1},
    {"SetEnvIfNoCase ^Authorization$ \"(.+)\" XAUTHORIZATION=$1", 0},
    {"IndexIgnore *.bak .??* README", 0},
    {"IndexIgnoreReset On", 0},
    {"IndexIgnoreReset maybe", -1},
    {"IndexOptions FancyIndexing FoldersFirst NameWidth=* +VersionSort", 0},
    {"IndexOptions -FoldersFirst +SuppressColumnSorting", 0},
    {"IndexOptions +Bogus", -1}, /* Apache refuses unknown words: so do we */
    {"IndexOrderDefault Descending Date", 0},
    {"IndexOrderDefault Down Date", -1},
    {"HeaderName HEADER.html", 0},
    {"ReadmeName ../etc/passwd", -1},
};

START_TEST(test_compile)
{
    struct line l;
    char err[256];
    int rc = compile_line(&l, compile_cases[_i].line, err, sizeof(err));
    ck_assert_msg(rc == compile_cases[_i].rc, "\"%s\": %d (%s)", compile_cases[_i].line, rc, err);
    if (rc != 0)
        ck_assert_msg(err[0] != '\0', "\"%s\": no reason given", compile_cases[_i].line);
    line_free(&l);
}
END_TEST

/* Each directive in the class Apache's "Override:" line gives it. */
START_TEST(test_classes)
{
    static const struct {
        const char *name;
        unsigned cls;
    } rows[] = {
        {"Options", PFD_OVERRIDE_OPTIONS},           {"AddType", PFD_OVERRIDE_FILEINFO},
        {"ForceType", PFD_OVERRIDE_FILEINFO},        {"DefaultType", PFD_OVERRIDE_FILEINFO},
        {"AddHandler", PFD_OVERRIDE_FILEINFO},       {"SetHandler", PFD_OVERRIDE_FILEINFO},
        {"RemoveHandler", PFD_OVERRIDE_FILEINFO},    {"AddDefaultCharset", PFD_OVERRIDE_FILEINFO},
        {"Header", PFD_OVERRIDE_FILEINFO},           {"ExpiresActive", PFD_OVERRIDE_INDEXES},
        {"ExpiresByType", PFD_OVERRIDE_INDEXES},     {"ExpiresDefault", PFD_OVERRIDE_INDEXES},
        {"SetEnv", PFD_OVERRIDE_FILEINFO},           {"UnsetEnv", PFD_OVERRIDE_FILEINFO},
        {"SetEnvIf", PFD_OVERRIDE_FILEINFO},         {"SetEnvIfNoCase", PFD_OVERRIDE_FILEINFO},
        {"IndexIgnore", PFD_OVERRIDE_INDEXES},       {"IndexOptions", PFD_OVERRIDE_INDEXES},
        {"IndexOrderDefault", PFD_OVERRIDE_INDEXES}, {"HeaderName", PFD_OVERRIDE_INDEXES},
        {"ReadmeName", PFD_OVERRIDE_INDEXES},        {"AddEncoding", PFD_OVERRIDE_FILEINFO},
        {"AddLanguage", PFD_OVERRIDE_FILEINFO},      {"FileETag", PFD_OVERRIDE_FILEINFO},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const struct pfd_ht_directive *d = directive(rows[i].name);
        ck_assert_msg(d != NULL, "%s missing", rows[i].name);
        ck_assert_msg(d->overrides == rows[i].cls, "%s: class %u", rows[i].name, d->overrides);
        ck_assert(!d->container);
    }
}
END_TEST

/* ---- Options ----------------------------------------------------------------------------------
 */

START_TEST(test_options_relative_and_absolute)
{
    struct fixture *f = fixture_new();
    ck_assert_int_eq(pfd_request_dir_option(&f->r, PFD_DIR_INDEXES), -1);
    fixture_apply(f, (const char *const[]){"Options -Indexes +ExecCGI", NULL});
    ck_assert_int_eq(pfd_request_dir_option(&f->r, PFD_DIR_INDEXES), 0);
    ck_assert_int_eq(pfd_request_dir_option(&f->r, PFD_DIR_EXEC_CGI), 1);
    ck_assert_int_eq(pfd_request_dir_option(&f->r, PFD_DIR_FOLLOW_SYMLINKS), -1);
    /* A deeper file's bare list replaces everything: ExecCGI goes. */
    fixture_apply(f, (const char *const[]){"Options Indexes", NULL});
    ck_assert_int_eq(pfd_request_dir_option(&f->r, PFD_DIR_INDEXES), 1);
    ck_assert_int_eq(pfd_request_dir_option(&f->r, PFD_DIR_EXEC_CGI), 0);
    ck_assert_int_eq(pfd_request_dir_option(&f->r, PFD_DIR_FOLLOW_SYMLINKS), 0);
    fixture_apply(f, (const char *const[]){"Options All", NULL});
    ck_assert_int_eq(pfd_request_dir_option(&f->r, PFD_DIR_EXEC_CGI), 1);
    fixture_free(f);
}
END_TEST

START_TEST(test_options_symlinks)
{
    static const struct {
        enum pfd_symlinks server;
        const char *line;
        enum pfd_symlinks want;
    } rows[] = {
        {PFD_SYMLINKS_ON, "Options -FollowSymLinks", PFD_SYMLINKS_OFF},
        {PFD_SYMLINKS_ON, "Options -Indexes", PFD_SYMLINKS_ON},
        {PFD_SYMLINKS_OFF, "Options +FollowSymLinks", PFD_SYMLINKS_ON},
        {PFD_SYMLINKS_OFF, "Options +SymLinksIfOwnerMatch", PFD_SYMLINKS_IF_OWNER_MATCH},
        {PFD_SYMLINKS_ON, "Options -FollowSymLinks +SymLinksIfOwnerMatch",
         PFD_SYMLINKS_IF_OWNER_MATCH},
        {PFD_SYMLINKS_IF_OWNER_MATCH, "Options +FollowSymLinks", PFD_SYMLINKS_ON},
        {PFD_SYMLINKS_ON, "Options Indexes", PFD_SYMLINKS_OFF},
        {PFD_SYMLINKS_OFF, "Options All", PFD_SYMLINKS_ON},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct fixture *f = fixture_new();
        fixture_apply(f, (const char *const[]){rows[i].line, NULL});
        ck_assert_msg(pfd_ht_fileinfo_symlinks(&f->result.info, rows[i].server) == rows[i].want,
                      "%s", rows[i].line);
        fixture_free(f);
    }
    ck_assert_int_eq(pfd_ht_fileinfo_symlinks(NULL, PFD_SYMLINKS_ON), PFD_SYMLINKS_ON);
}
END_TEST

/* ---- media types, charsets, handlers ----------------------------------------------------------
 */

START_TEST(test_types)
{
    struct fixture *f = fixture_new();
    const char *type = "unset";
    ck_assert_ptr_null(pfd_ht_fileinfo_type(&f->result.info, "/a/x.foo", &type));
    ck_assert_ptr_null(type);
    fixture_apply(
        f, (const char *const[]){"AddType text/x-foo .foo BAR", "AddCharset utf-8 .foo", NULL});
    ck_assert_str_eq(pfd_ht_fileinfo_type(&f->result.info, "/a/x.FOO", &type), "utf-8");
    ck_assert_str_eq(type, "text/x-foo");
    pfd_ht_fileinfo_type(&f->result.info, "/a/x.bar", &type);
    ck_assert_str_eq(type, "text/x-foo");
    /* Only the last extension: "x.foo.txt" is not a .foo file. */
    pfd_ht_fileinfo_type(&f->result.info, "/a/x.foo.txt", &type);
    ck_assert_ptr_null(type);
    fixture_apply(f, (const char *const[]){"RemoveType .foo", NULL});
    pfd_ht_fileinfo_type(&f->result.info, "/a/x.foo", &type);
    ck_assert_ptr_null(type);
    pfd_ht_fileinfo_type(&f->result.info, "/a/x.bar", &type);
    ck_assert_str_eq(type, "text/x-foo");
    fixture_apply(f, (const char *const[]){"ForceType image/gif", NULL});
    pfd_ht_fileinfo_type(&f->result.info, "/a/x.bar", &type);
    ck_assert_str_eq(type, "image/gif");
    fixture_apply(f, (const char *const[]){"ForceType None", NULL});
    pfd_ht_fileinfo_type(&f->result.info, "/a/x.bar", &type);
    ck_assert_str_eq(type, "text/x-foo");
    fixture_free(f);
}
END_TEST

START_TEST(test_handlers)
{
    struct fixture *f = fixture_new();
    ck_assert_ptr_null(pfd_request_dir_handler(&f->r, NULL));
    fixture_apply(f, (const char *const[]){"AddHandler cgi-script .sh cgi", NULL});
    ck_assert_str_eq(pfd_request_dir_handler(&f->r, "/srv/app/run.sh"), "cgi-script");
    ck_assert_str_eq(pfd_request_dir_handler(&f->r, "/srv/app/run.CGI"), "cgi-script");
    ck_assert_ptr_null(pfd_request_dir_handler(&f->r, "/srv/app/run.sh.txt"));
    ck_assert_ptr_null(pfd_request_dir_handler(&f->r, "/srv/app/sh"));
    /* The request's: the script segment before PATH_INFO. */
    ck_assert_str_eq(pfd_request_dir_handler(&f->r, NULL), "cgi-script");
    f->r.path = "/app/notes.txt";
    ck_assert_ptr_null(pfd_request_dir_handler(&f->r, NULL));
    fixture_apply(f, (const char *const[]){"SetHandler default-handler", NULL});
    ck_assert_str_eq(pfd_request_dir_handler(&f->r, NULL), "default-handler");
    fixture_apply(f, (const char *const[]){"SetHandler None", "RemoveHandler .sh", NULL});
    ck_assert_ptr_null(pfd_request_dir_handler(&f->r, "/srv/app/run.sh"));
    ck_assert_str_eq(pfd_request_dir_handler(&f->r, "/srv/app/run.cgi"), "cgi-script");
    fixture_free(f);

    const char *also = NULL;
    ck_assert_str_eq(pfd_ht_fileinfo_handler_module("cgi-script", &also), "cgi");
    ck_assert_ptr_null(also);
    ck_assert_str_eq(pfd_ht_fileinfo_handler_module("default-handler", &also), "static");
    ck_assert_str_eq(also, "autoindex");
    ck_assert_str_eq(pfd_ht_fileinfo_handler_module("server-status", &also), "status");
    ck_assert_str_eq(pfd_ht_fileinfo_handler_module("php-script", &also), "cgi");
}
END_TEST

/* ---- environment -------------------------------------------------------------------------------
 */

static const char *env_of(const struct pfd_request *r, const char *name, bool *present)
{
    const char *n, *v;
    *present = false;
    for (size_t i = 0; pfd_request_env_at(r, i, &n, &v); i++) {
        if (strcmp(n, name) == 0) {
            *present = true;
            return v;
        }
    }
    return NULL;
}

START_TEST(test_env)
{
    struct fixture *f = fixture_new();
    fixture_header(f, "User-Agent", "curl/8.5.0");
    fixture_header(f, "Host", "example.test");
    fixture_apply(
        f, (const char *const[]){
               "SetEnv APP_MODE production", "SetEnv EMPTY",
               "SetEnvIf User-Agent ^curl/([0-9]+) CURL_MAJOR=v$1 IS_CURL",
               "SetEnvIfNoCase Host ^EXAMPLE\\. EXAMPLE=yes", "SetEnvIf Host ^EXAMPLE\\. CASED=yes",
               "SetEnvIf Remote_Addr ^127\\. LOCAL", "SetEnvIf Request_URI ^/app/ IN_APP=1",
               "SetEnvIf LOCAL ^1$ FROM_VAR=1", "SetEnvIf Authorization (.*) AUTH=[$1]",
               "SetEnvIfNoCase ^user-agent$ (.+) UA=$1", "SetEnvIf ^X-Nope (.*) NOPE=1",
               "UnsetEnv EMPTY", NULL});
    bool present;
    ck_assert_str_eq(env_of(&f->r, "APP_MODE", &present), "production");
    ck_assert_str_eq(env_of(&f->r, "CURL_MAJOR", &present), "v8");
    ck_assert_str_eq(env_of(&f->r, "IS_CURL", &present), "1");
    ck_assert_str_eq(env_of(&f->r, "EXAMPLE", &present), "yes");
    ck_assert_ptr_null(env_of(&f->r, "CASED", &present));
    ck_assert(!present);
    ck_assert_str_eq(env_of(&f->r, "LOCAL", &present), "1");
    ck_assert_str_eq(env_of(&f->r, "IN_APP", &present), "1");
    ck_assert_str_eq(env_of(&f->r, "FROM_VAR", &present), "1");
    ck_assert_str_eq(env_of(&f->r, "AUTH", &present), "[]"); /* absent header: matched as "" */
    ck_assert_str_eq(env_of(&f->r, "UA", &present), "curl/8.5.0"); /* a regex of field names */
    ck_assert_ptr_null(env_of(&f->r, "NOPE", &present));
    ck_assert(!present);
    ck_assert_ptr_null(env_of(&f->r, "EMPTY", &present));
    ck_assert(present); /* unset: mod_cgi removes it from set_env's too */
    fixture_free(f);
}
END_TEST

/* A RewriteRule's [E=] wins over SetEnv for the same name (its fixup runs last); each name once. */
START_TEST(test_env_with_rewrite)
{
    struct fixture *f = fixture_new();
    fixture_apply(f, (const char *const[]){"SetEnv X fi", "SetEnv Z fi", NULL});
    struct pfd_ht_rewrite_var old = {"X", "rw-old", NULL}, unset = {"Y", NULL, &old},
                              newest = {"X", "rw-new", &unset};
    f->result.rewrite.env = &newest;
    const char *names[4] = {NULL}, *values[4] = {NULL};
    size_t n = 0;
    while (n < 4 && pfd_request_env_at(&f->r, n, &names[n], &values[n]))
        n++;
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(names[0], "X");
    ck_assert_str_eq(values[0], "rw-new");
    ck_assert_str_eq(names[1], "Y");
    ck_assert_ptr_null(values[1]);
    ck_assert_str_eq(names[2], "Z");
    ck_assert_str_eq(values[2], "fi");
    ck_assert_str_eq(pfd_ht_env_get(&f->result, "X"), "rw-new");
    ck_assert_ptr_null(pfd_ht_env_get(&f->result, "Y"));
    fixture_free(f);
}
END_TEST

/* RequestHeader changes the request's fields at once, in order. */
START_TEST(test_request_header)
{
    struct fixture *f = fixture_new();
    fixture_header(f, "User-Agent", "curl/8");
    fixture_header(f, "Accept", "text/plain");
    fixture_header(f, "Cookie", "a=1; a=2");
    fixture_apply(
        f, (const char *const[]){
               "RequestHeader unset User-Agent", "RequestHeader set X-Forwarded-Proto https",
               "RequestHeader merge Accept text/html", "RequestHeader merge Accept text/plain",
               "RequestHeader edit* Cookie a= b=", "RequestHeader set X-Cond 1 env=NOPE", NULL});
    const struct pfd_http_request_head *q = &f->r.head;
    ck_assert_uint_eq(q->nheaders, 3);
    ck_assert_ptr_null(pfd_http_header_find(q, "User-Agent"));
    ck_assert_str_eq(pfd_http_header_find(q, "X-Forwarded-Proto")->value, "https");
    ck_assert_str_eq(pfd_http_header_find(q, "Accept")->value, "text/plain, text/html");
    ck_assert_str_eq(pfd_http_header_find(q, "Cookie")->value, "b=1; b=2");
    /* Past the request's room for fields: 500, nothing half-done. */
    struct line l;
    char err[128];
    ck_assert_int_eq(compile_line(&l, "RequestHeader add X-More 1", err, sizeof(err)), 0);
    ck_assert_int_eq(l.node.directive->apply(&f->ctx, &l.node), 0);
    ck_assert_int_eq(l.node.directive->apply(&f->ctx, &l.node), 500);
    ck_assert_uint_eq(q->nheaders, 4);
    line_free(&l);
    fixture_free(f);
}
END_TEST

/* ---- listing --------------------------------------------------------------------------------- */

START_TEST(test_listing)
{
    struct fixture *f = fixture_new();
    ck_assert_ptr_null(pfd_request_dir_listing(&f->r));
    fixture_apply(
        f, (const char *const[]){"IndexIgnore *.bak secret", "IndexOptions +FoldersFirst", NULL});
    const struct pfd_dir_listing *l = pfd_request_dir_listing(&f->r);
    ck_assert_ptr_nonnull(l);
    ck_assert_uint_eq(l->nignore, 2);
    ck_assert_str_eq(l->ignore[0], "*.bak");
    ck_assert_str_eq(l->ignore[1], "secret");
    ck_assert_int_eq(l->folders_first, 1);
    ck_assert_int_eq(l->version_sort, -1);
    ck_assert_int_eq(l->column_sorting, -1);
    fixture_apply(f, (const char *const[]){
                         "IndexIgnore *.tmp", "IndexOptions FancyIndexing SuppressColumnSorting",
                         "IndexOrderDefault Descending Date", "ReadmeName FOOTER.txt", NULL});
    ck_assert_uint_eq(l->nignore, 3);
    ck_assert_int_eq(l->folders_first, 0); /* a bare word starts afresh, as in Apache */
    ck_assert_int_eq(l->version_sort, 0);
    ck_assert_int_eq(l->column_sorting, 0);
    ck_assert_int_eq(l->order_column, 'M');
    ck_assert_int_eq(l->order, 'D');
    ck_assert_str_eq(l->readme_name, "FOOTER.txt");
    ck_assert_ptr_null(l->header_name);
    fixture_apply(f, (const char *const[]){"IndexIgnoreReset On", NULL});
    ck_assert_uint_eq(l->nignore, 0);
    ck_assert(l->ignore_reset);
    fixture_free(f);
}
END_TEST

/* ---- the response head ------------------------------------------------------------------------
 */

static void head_set(struct fixture *f, const char *text)
{
    f->conn.resp_headers.len = 0;
    pfd_buf_append_str(&f->conn.resp_headers, text);
}

static const char *head_text(struct fixture *f)
{
    pfd_ht_headers_finish(&f->r);
    return f->conn.resp_headers.len > 0 ? f->conn.resp_headers.data : "";
}

START_TEST(test_header_lines)
{
    struct fixture *f = fixture_new();
    fixture_header(f, "X-Req-Id", "42");
    fixture_apply(f, (const char *const[]){
                         "Header set X-Frame-Options SAMEORIGIN", "Header unset X-Powered-By",
                         "Header append Vary Accept-Encoding", "Header merge Cache-Control public",
                         "Header merge Cache-Control public", "Header setifempty X-Old new",
                         "Header add Set-Cookie b=2", "Header edit Set-Cookie ^(a=1)$ $1;HttpOnly",
                         "Header echo ^X-Req-", "Header always set X-Always yes",
                         "Header set Content-Length 999", "Header set X-Cond yes env=NOPE", NULL});
    head_set(f, "Content-Type: text/html\r\nX-Powered-By: PHP\r\nVary: Accept\r\n"
                "Cache-Control: private\r\nX-Old: old\r\nSet-Cookie: a=1\r\n");
    ck_assert_str_eq(head_text(f), "Content-Type: text/html\r\n"
                                   "Vary: Accept, Accept-Encoding\r\n"
                                   "Cache-Control: private, public\r\n"
                                   "X-Old: old\r\n"
                                   "Set-Cookie: a=1;HttpOnly\r\n"
                                   "X-Frame-Options: SAMEORIGIN\r\n"
                                   "Set-Cookie: b=2\r\n"
                                   "X-Req-Id: 42\r\n"
                                   "X-Always: yes\r\n");
    /* An error: only the "always" lines. */
    f->r.status = 404;
    head_set(f, "Content-Type: text/html\r\nX-Powered-By: PHP\r\n");
    ck_assert_str_eq(head_text(f), "Content-Type: text/html\r\nX-Powered-By: PHP\r\n"
                                   "X-Always: yes\r\n");
    fixture_free(f);
}
END_TEST

/* Values with %{VAR}e, %t, %D, %% (mod_headers' format). */
START_TEST(test_header_format)
{
    struct fixture *f = fixture_new();
    fixture_apply(f, (const char *const[]){"SetEnv APP v1", "Header set X-E \"%{APP}e/%{NONE}e\"",
                                           "Header set X-T %t", "Header set X-P 100%%",
                                           "RequestHeader set X-Req %{APP}e", NULL});
    head_set(f, "");
    const char *h = head_text(f);
    ck_assert_msg(strstr(h, "X-E: v1/(null)\r\n") != NULL, "%s", h);
    ck_assert_msg(strstr(h, "X-T: t=") != NULL, "%s", h);
    ck_assert_msg(strstr(h, "X-P: 100%\r\n") != NULL, "%s", h);
    ck_assert_str_eq(pfd_http_header_find(&f->r.head, "X-Req")->value, "v1");
    fixture_free(f);
}
END_TEST

START_TEST(test_default_charset)
{
    struct fixture *f = fixture_new();
    fixture_apply(f, (const char *const[]){"AddDefaultCharset utf-8", NULL});
    head_set(f, "Content-Type: text/html\r\n");
    ck_assert_str_eq(head_text(f), "Content-Type: text/html; charset=utf-8\r\n");
    head_set(f, "Content-Type: text/plain; charset=iso-8859-1\r\n");
    ck_assert_str_eq(head_text(f), "Content-Type: text/plain; charset=iso-8859-1\r\n");
    head_set(f, "Content-Type: text/css\r\n");
    ck_assert_str_eq(head_text(f), "Content-Type: text/css\r\n");
    fixture_apply(f, (const char *const[]){"AddDefaultCharset Off", NULL});
    head_set(f, "Content-Type: text/html\r\n");
    ck_assert_str_eq(head_text(f), "Content-Type: text/html\r\n");
    fixture_free(f);
}
END_TEST

/* AddEncoding, AddLanguage by the file's extension; FileETag None. */
START_TEST(test_file_fields)
{
    struct fixture *f = fixture_new();
    fixture_apply(f, (const char *const[]){"AddEncoding gzip svgz", "AddLanguage de .de",
                                           "FileETag None", NULL});
    f->r.file_path = "/srv/www/logo.svgz";
    head_set(f, "Content-Type: image/svg+xml\r\nETag: \"1\"\r\n");
    ck_assert_str_eq(head_text(f), "Content-Type: image/svg+xml\r\nContent-Encoding: gzip\r\n");
    f->r.file_path = "/srv/www/page.html.de";
    head_set(f, "Content-Type: text/html\r\nContent-Language: fr\r\n");
    ck_assert_str_eq(head_text(f), "Content-Type: text/html\r\nContent-Language: fr\r\n");
    f->r.file_path = "/srv/www/index.de";
    head_set(f, "Content-Type: text/html\r\n");
    ck_assert_str_eq(head_text(f), "Content-Type: text/html\r\nContent-Language: de\r\n");
    f->r.status = 404;
    f->r.file_path = "/srv/www/gone.svgz";
    head_set(f, "Content-Type: text/html\r\n");
    ck_assert_str_eq(head_text(f), "Content-Type: text/html\r\n");
    fixture_free(f);
}
END_TEST

static const struct {
    const char *in;
    int rc;
    char base;
    long long seconds;
} expires_cases[] = {
    {"A3600", 0, 'A', 3600},
    {"M86400", 0, 'M', 86400},
    {"access plus 1 month", 0, 'A', 30LL * 86400},
    {"now plus 1 day 2 hours", 0, 'A', 86400 + 7200},
    {"modification plus 1 year", 0, 'M', 365LL * 86400},
    {"access 10 seconds", 0, 'A', 10},
    {"Access Plus 2 Weeks 1 minute", 0, 'A', 14LL * 86400 + 60},
    {"access plus 0 seconds", 0, 'A', 0},
    {"access plus 1", -1, 0, 0},
    {"access plus x days", -1, 0, 0},
    {"access plus 1 fortnight", -1, 0, 0},
    {"later plus 1 day", -1, 0, 0},
    {"A", -1, 0, 0},
    {"A-5", -1, 0, 0},
    {"access plus 99999999999 years", -1, 0, 0},
};

START_TEST(test_expires_parse)
{
    struct pfd_ht_expires_spec spec;
    char err[200];
    int rc = pfd_ht_expires_parse(expires_cases[_i].in, &spec, err, sizeof(err));
    ck_assert_msg(rc == expires_cases[_i].rc, "\"%s\": %d", expires_cases[_i].in, rc);
    if (rc == 0) {
        ck_assert_int_eq(spec.base, expires_cases[_i].base);
        ck_assert_int_eq(spec.seconds, expires_cases[_i].seconds);
    }
}
END_TEST

START_TEST(test_expires_head)
{
    struct fixture *f = fixture_new();
    fixture_apply(f, (const char *const[]){"ExpiresActive On",
                                           "ExpiresByType text/html \"access plus 1 minute\"",
                                           "ExpiresByType image/* A120", "ExpiresDefault A10",
                                           "ExpiresByType text/css M3600", NULL});
    head_set(f, "Content-Type: text/html; charset=utf-8\r\n");
    const char *h = head_text(f);
    ck_assert_msg(strstr(h, "Cache-Control: max-age=60\r\nExpires: ") != NULL, "%s", h);
    head_set(f, "Content-Type: image/png\r\nCache-Control: public\r\n");
    h = head_text(f);
    ck_assert_msg(strstr(h, "Cache-Control: public, max-age=120\r\n") != NULL, "%s", h);
    head_set(f, "Content-Type: application/pdf\r\n");
    ck_assert_msg(strstr(head_text(f), "max-age=10\r\n") != NULL, "default");
    /* modification: from Last-Modified, an hour after 2001 is long past. */
    head_set(f, "Content-Type: text/css\r\nLast-Modified: Mon, 01 Jan 2001 00:00:00 GMT\r\n");
    h = head_text(f);
    ck_assert_msg(strstr(h, "max-age=0\r\nExpires: Mon, 01 Jan 2001 01:00:00 GMT\r\n") != NULL,
                  "%s", h);
    /* Without Last-Modified an M rule gives nothing; an Expires of the handler's stays. */
    head_set(f, "Content-Type: text/css\r\n");
    ck_assert_str_eq(head_text(f), "Content-Type: text/css\r\n");
    head_set(f, "Content-Type: text/html\r\nExpires: 0\r\n");
    ck_assert_str_eq(head_text(f), "Content-Type: text/html\r\nExpires: 0\r\n");
    /* Errors get none. */
    f->r.status = 404;
    head_set(f, "Content-Type: text/html\r\n");
    ck_assert_str_eq(head_text(f), "Content-Type: text/html\r\n");
    f->r.status = 200;
    fixture_apply(f, (const char *const[]){"ExpiresActive Off", NULL});
    head_set(f, "Content-Type: text/html\r\n");
    ck_assert_str_eq(head_text(f), "Content-Type: text/html\r\n");
    fixture_free(f);
}
END_TEST

static Suite *htaccess_fileinfo_suite(void)
{
    Suite *s = suite_create("htaccess_fileinfo");
    TCase *tc = tcase_create("fileinfo");
    tcase_add_loop_test(tc, test_compile, 0, sizeof(compile_cases) / sizeof(compile_cases[0]));
    tcase_add_test(tc, test_classes);
    tcase_add_test(tc, test_options_relative_and_absolute);
    tcase_add_test(tc, test_options_symlinks);
    tcase_add_test(tc, test_types);
    tcase_add_test(tc, test_handlers);
    tcase_add_test(tc, test_env);
    tcase_add_test(tc, test_env_with_rewrite);
    tcase_add_test(tc, test_request_header);
    tcase_add_test(tc, test_listing);
    tcase_add_test(tc, test_header_lines);
    tcase_add_test(tc, test_header_format);
    tcase_add_test(tc, test_default_charset);
    tcase_add_test(tc, test_file_fields);
    tcase_add_loop_test(tc, test_expires_parse, 0,
                        sizeof(expires_cases) / sizeof(expires_cases[0]));
    tcase_add_test(tc, test_expires_head);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(htaccess_fileinfo_suite());
}
