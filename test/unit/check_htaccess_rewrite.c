/*
 * check_htaccess_rewrite.c — unit tests for server/serve/htaccess_rewrite.c and
 * htaccess_rewrite_eval.c: mod_rewrite in .htaccess files with Apache's per-directory semantics.
 *
 * Each case writes the rewrite lines of one or two .htaccess files (the document root's and a
 * subfolder's), parses them with the engine's parser, compiles them through the group's
 * directive table as the engine does at load, applies them to a request built by hand (root
 * first, then the subfolder, as the engine walks the folders) and runs pfd_ht_rewrite_run(). The
 * request's files are real: a temp document root holds index.php, style.css, an empty file, a
 * folder and a php file under core/, so -f, -d and -s test what is on disk.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "parse/uri.h"
#include "serve/htaccess.h"
#include "serve/request.h"
#include "testsupport.h"

#define TEST_COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define TEST_MAX_HEADERS 8

/* ---- .htaccess text into nodes, by the engine's parser, compiled as at load ---------------- */

struct test_file {
    struct pfd_ht_file file;
    char url_dir[64];
    char err[512]; /* the first compile() error, "LINE: why" */
};

static const struct pfd_ht_directive *test_directive(const char *name)
{
    for (const struct pfd_ht_directive *d = pfd_ht_rewrite_directives(); d->name != NULL; d++)
        if (strcasecmp(d->name, name) == 0)
            return d;
    return NULL;
}

/* Parses and compiles text (rewrite directives, no sections) as the file of url_dir under dir. */
static void test_file_load(struct test_file *f, const char *dir, const char *url_dir,
                           const char *text)
{
    memset(f, 0, sizeof(*f));
    snprintf(f->url_dir, sizeof(f->url_dir), "%s", url_dir);
    ck_assert_int_ne(asprintf(&f->file.path, "%s%s.htaccess", dir, url_dir), -1);
    ck_assert_int_ne(asprintf(&f->file.dir, "%s%s", dir, url_dir), -1);
    unsigned err_line = 0;
    char err[256] = "";
    ck_assert_msg(pfd_htp_parse(text, strlen(text), &f->file.nodes, &f->file.nnodes, &err_line, err,
                                sizeof(err)) == 0,
                  "parse: %u: %s", err_line, err);
    for (size_t i = 0; i < f->file.nnodes; i++) {
        struct pfd_ht_node *n = &f->file.nodes[i];
        n->directive = test_directive(n->name);
        ck_assert_msg(n->directive != NULL, "no directive %s", n->name);
        if (n->directive->compile(n, err, sizeof(err)) != 0 && f->err[0] == '\0')
            snprintf(f->err, sizeof(f->err), "%u: %s", n->line, err);
    }
}

static void test_file_free(struct test_file *f)
{
    for (size_t i = 0; i < f->file.nnodes; i++) {
        struct pfd_ht_node *n = &f->file.nodes[i];
        if (n->directive->free_data != NULL)
            n->directive->free_data(n->data);
        n->data = NULL;
    }
    pfd_htp_free(f->file.nodes, f->file.nnodes);
    free(f->file.path);
    free(f->file.dir);
}

/* ---- a request on a temp document root ------------------------------------------------------ */

struct test_req {
    char root[TS_PATH_MAX];
    struct pfd_config conf;
    struct pfd_server server;
    struct pfd_conn conn;
    struct pfd_request r;
    struct pfd_http_header headers[TEST_MAX_HEADERS];
    struct pfd_ht_result result;
};

static void test_put(const char *root, const char *name, const char *data)
{
    char path[TS_PATH_MAX + 64];
    snprintf(path, sizeof(path), "%s/%s", root, name);
    ck_assert_int_eq(ts_file_put(path, data, strlen(data)), 0);
}

static void test_root_make(char *root, size_t size)
{
    snprintf(root, size, "/tmp/check_htaccess_rewrite.XXXXXX");
    ck_assert_msg(mkdtemp(root) != NULL, "mkdtemp: %s", strerror(errno));
    test_put(root, "index.php", "<?php front controller");
    test_put(root, "style.css", "body {}");
    test_put(root, "empty.txt", "");
    test_put(root, "real/file.txt", "in a folder");
    test_put(root, "core/lib/x.php", "<?php");
    test_put(root, "app/index.php", "<?php app");
}

/* The request "METHOD path?query" with Host host and the "Name: value" lines of headers. */
static void test_req_init(struct test_req *t, const char *root, const char *path, const char *query,
                          const char *host, const char *headers)
{
    memset(t, 0, sizeof(*t));
    snprintf(t->root, sizeof(t->root), "%s", root);
    t->conf.document_root = t->root;
    t->conf.server_name = "server.test";
    t->server.conf = &t->conf;
    t->conn.server = &t->server;
    t->conn.fd = -1;
    t->conn.local_port = 80;
    snprintf(t->conn.peer_ip, sizeof(t->conn.peer_ip), "127.0.0.1");
    snprintf(t->conn.local_ip, sizeof(t->conn.local_ip), "127.0.0.1");
    pfd_arena_init(&t->conn.arena, 8192);
    struct pfd_request *r = &t->r;
    r->conn = &t->conn;
    r->server = &t->server;
    r->conf = &t->conf;
    r->method_name = "GET";
    r->protocol = "HTTP/1.1";
    r->path = pfd_request_strdup(r, path);
    r->query = query;
    r->request_line =
        pfd_request_printf(r, "GET %s%s%s HTTP/1.1", path, query ? "?" : "", query ? query : "");
    size_t size = strlen(root) + strlen(path) + 1;
    r->file_path = pfd_request_alloc(r, size);
    ck_assert_int_eq(pfd_uri_map(root, path, r->file_path, size), 0);
    r->head.headers = t->headers;
    r->head.headers_cap = TEST_MAX_HEADERS;
    char *all = pfd_request_printf(r, "Host: %s\n%s", host, headers != NULL ? headers : "");
    char *save = NULL;
    for (char *l = strtok_r(all, "\n", &save); l != NULL; l = strtok_r(NULL, "\n", &save)) {
        char *colon = strchr(l, ':');
        ck_assert(colon != NULL && r->head.nheaders < TEST_MAX_HEADERS);
        *colon = '\0';
        struct pfd_http_header *h = &t->headers[r->head.nheaders++];
        h->name = l;
        h->name_len = strlen(l);
        h->value = colon + 1 + strspn(colon + 1, " ");
        h->value_len = strlen(h->value);
    }
    char *lower = pfd_request_strdup(r, host);
    char *port = strchr(lower, ':');
    if (port != NULL)
        *port = '\0';
    for (char *p = lower; *p != '\0'; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    r->host = lower;
}

static void test_req_free(struct test_req *t)
{
    pfd_arena_free(&t->conn.arena);
}

/* Applies the files (root first) whose folder holds the path, then runs the rules. */
static int test_run(struct test_req *t, struct test_file **files, size_t nfiles, char **url,
                    FILE *trace)
{
    memset(&t->result, 0, sizeof(t->result));
    struct pfd_ht_ctx ctx = {.r = &t->r, .result = &t->result, .trace = trace};
    for (size_t i = 0; i < nfiles; i++) {
        if (strncmp(t->r.path, files[i]->url_dir, strlen(files[i]->url_dir)) != 0 &&
            strncmp(t->r.path, files[i]->url_dir, strlen(t->r.path)) != 0)
            continue; /* not on the walk to the path */
        ctx.file = &files[i]->file;
        ctx.url_dir = files[i]->url_dir;
        for (size_t k = 0; k < files[i]->file.nnodes; k++)
            ck_assert_int_eq(
                files[i]->file.nodes[k].directive->apply(&ctx, &files[i]->file.nodes[k]), 0);
    }
    return pfd_ht_rewrite_run(&ctx, url);
}

/* ---- the table ------------------------------------------------------------------------------ */

struct rewrite_case {
    const char *name;
    const char *root_ht; /* the document root's .htaccess, or NULL */
    const char *sub_dir; /* a subfolder's URL ("/app/") and its .htaccess, or NULL */
    const char *sub_ht;
    const char *path;
    const char *query; /* NULL: none */
    const char *host;  /* the Host header */
    const char *headers;
    int want_rc;
    const char *want_url; /* NULL: *url stays NULL */
};

static const char wordpress[] = "RewriteEngine On\n"
                                "RewriteBase /\n"
                                "RewriteRule ^index\\.php$ - [L]\n"
                                "RewriteCond %{REQUEST_FILENAME} !-f\n"
                                "RewriteCond %{REQUEST_FILENAME} !-d\n"
                                "RewriteRule . /index.php [L]\n";

static const char drupal[] =
    "RewriteEngine on\n"
    "RewriteRule ^ - [E=protossl]\n"
    "RewriteCond %{HTTPS} on\n"
    "RewriteRule ^ - [E=protossl:s]\n"
    "RewriteRule ^ - [E=HTTP_AUTHORIZATION:%{HTTP:Authorization}]\n"
    "RewriteRule \"/\\.|^\\.(?!well-known/)\" - [F]\n"
    "RewriteCond %{HTTP_HOST} .\n"
    "RewriteCond %{HTTP_HOST} ^www\\.(.+)$ [NC]\n"
    "RewriteRule ^ http%{ENV:protossl}://%1%{REQUEST_URI} [L,R=301]\n"
    "RewriteCond %{REQUEST_FILENAME} !-f\n"
    "RewriteCond %{REQUEST_FILENAME} !-d\n"
    "RewriteCond %{REQUEST_URI} !=/favicon.ico\n"
    "RewriteRule ^ index.php [L]\n"
    "RewriteCond %{REQUEST_URI} !/core/[^/]*\\.php$\n"
    "RewriteCond %{REQUEST_URI} !/core/modules/system/tests/https?\\.php\n"
    "RewriteCond %{REQUEST_URI} !/core/modules/statistics/statistics\\.php$\n"
    "RewriteRule \"^(.+/.*|autoload)\\.php($|/)\" - [F]\n";

static const char laravel[] = "RewriteEngine On\n"
                              "RewriteCond %{HTTP:Authorization} .\n"
                              "RewriteRule .* - [E=HTTP_AUTHORIZATION:%{HTTP:Authorization}]\n"
                              "RewriteCond %{REQUEST_FILENAME} !-d\n"
                              "RewriteCond %{REQUEST_URI} (.+)/$\n"
                              "RewriteRule ^ %1 [L,R=301]\n"
                              "RewriteCond %{REQUEST_FILENAME} !-d\n"
                              "RewriteCond %{REQUEST_FILENAME} !-f\n"
                              "RewriteRule ^ index.php [L]\n";

static const char wp_multisite[] =
    "RewriteEngine On\n"
    "RewriteRule .* - [E=HTTP_AUTHORIZATION:%{HTTP:Authorization}]\n"
    "RewriteBase /\n"
    "RewriteRule ^index\\.php$ - [L]\n"
    "RewriteRule ^([_0-9a-zA-Z-]+/)?wp-admin$ $1wp-admin/ [R=301,L]\n"
    "RewriteCond %{REQUEST_FILENAME} -f [OR]\n"
    "RewriteCond %{REQUEST_FILENAME} -d\n"
    "RewriteRule ^ - [L]\n"
    "RewriteRule ^([_0-9a-zA-Z-]+/)?(wp-(content|admin|includes).*) $2 [L]\n"
    "RewriteRule ^([_0-9a-zA-Z-]+/)?(.*\\.php)$ $2 [L]\n"
    "RewriteRule . index.php [L]\n";

static const char joomla[] = "RewriteEngine On\n"
                             "RewriteCond %{QUERY_STRING} base64_encode[^(]*\\([^)]*\\) [OR]\n"
                             "RewriteCond %{QUERY_STRING} (<|%3C)([^s]*s)+cript.*(>|%3E) [NC,OR]\n"
                             "RewriteCond %{QUERY_STRING} GLOBALS(=|\\[|\\%[0-9A-Z]{0,2}) [OR]\n"
                             "RewriteCond %{QUERY_STRING} _REQUEST(=|\\[|\\%[0-9A-Z]{0,2})\n"
                             "RewriteRule .* index.php [F]\n"
                             "RewriteRule .* - [E=HTTP_AUTHORIZATION:%{HTTP:Authorization}]\n"
                             "RewriteCond %{REQUEST_URI} !^/index\\.php\n"
                             "RewriteCond %{REQUEST_FILENAME} !-f\n"
                             "RewriteCond %{REQUEST_FILENAME} !-d\n"
                             "RewriteRule .* index.php [L]\n";

static const char to_https[] = "RewriteEngine On\n"
                               "RewriteCond %{HTTPS} off\n"
                               "RewriteRule ^(.*)$ https://%{HTTP_HOST}/$1 [R=301,L]\n";

static const char to_www[] = "RewriteEngine On\n"
                             "RewriteCond %{HTTP_HOST} !^www\\. [NC]\n"
                             "RewriteRule ^(.*)$ http://www.%{HTTP_HOST}/$1 [R=301,L]\n";

static const struct rewrite_case rewrite_cases[] = {
    /* WordPress */
    {"wp: pretty URL → front controller", wordpress, NULL, NULL, "/blog/2024/hello", NULL,
     "example.com", NULL, 1, "/index.php"},
    {"wp: the query goes along", wordpress, NULL, NULL, "/blog/2024/hello", "p=1&x=%20",
     "example.com", NULL, 1, "/index.php?p=1&x=%20"},
    {"wp: a file is served as is", wordpress, NULL, NULL, "/style.css", NULL, "example.com", NULL,
     0, NULL},
    {"wp: a folder is served as is", wordpress, NULL, NULL, "/real/", NULL, "example.com", NULL, 0,
     NULL},
    {"wp: index.php itself stops at [L]", wordpress, NULL, NULL, "/index.php", NULL, "example.com",
     NULL, 0, NULL},
    {"wp: the root is no match for '.'", wordpress, NULL, NULL, "/", NULL, "example.com", NULL, 0,
     NULL},
    {"wp: path info after a real file: REQUEST_FILENAME is the file", wordpress, NULL, NULL,
     "/index.php/wp-json/x", NULL, "example.com", NULL, 0, NULL},
    {"wp in a subfolder with its RewriteBase", NULL, "/wp/",
     "RewriteEngine On\nRewriteBase /wp/\nRewriteRule ^index\\.php$ - [L]\n"
     "RewriteCond %{REQUEST_FILENAME} !-f\nRewriteCond %{REQUEST_FILENAME} !-d\n"
     "RewriteRule . /wp/index.php [L]\n",
     "/wp/2024/hello", NULL, "example.com", NULL, 1, "/wp/index.php"},
    /* WordPress multisite (sub-folder sites) */
    {"wp multisite: wp-admin gets its slash, under the site's folder", wp_multisite, NULL, NULL,
     "/site2/wp-admin", NULL, "example.com", NULL, 301, "http://example.com/site2/wp-admin/"},
    {"wp multisite: wp-content of a site is the shared one", wp_multisite, NULL, NULL,
     "/site2/wp-content/themes/x.css", NULL, "example.com", NULL, 1, "/wp-content/themes/x.css"},
    {"wp multisite: a site's php file is the shared one", wp_multisite, NULL, NULL,
     "/site2/wp-login.php", "action=x", "example.com", NULL, 1, "/wp-login.php?action=x"},
    {"wp multisite: a page of a site → index.php", wp_multisite, NULL, NULL, "/site2/hello/", NULL,
     "example.com", NULL, 1, "/index.php"},
    {"wp multisite: a real file stops at [L]", wp_multisite, NULL, NULL, "/style.css", NULL,
     "example.com", NULL, 0, NULL},
    /* Joomla */
    {"joomla: GLOBALS= in the query is forbidden", joomla, NULL, NULL, "/", "GLOBALS=1",
     "example.com", NULL, 403, NULL},
    {"joomla: a script tag in the query is forbidden", joomla, NULL, NULL, "/x", "q=%3Cscript%3E",
     "example.com", NULL, 403, NULL},
    {"joomla: SEF URL → index.php", joomla, NULL, NULL, "/article/1", "a=b", "example.com", NULL, 1,
     "/index.php?a=b"},
    {"joomla: index.php itself is not rewritten", joomla, NULL, NULL, "/index.php/article/1", NULL,
     "example.com", NULL, 0, NULL},
    /* Drupal */
    {"drupal: clean URL → index.php", drupal, NULL, NULL, "/node/1", "a=b", "example.com", NULL, 1,
     "/index.php?a=b"},
    {"drupal: dot files are forbidden", drupal, NULL, NULL, "/.git/config", NULL, "example.com",
     NULL, 403, NULL},
    {"drupal: dot folders under others too", drupal, NULL, NULL, "/sites/.svn/x", NULL,
     "example.com", NULL, 403, NULL},
    {"drupal: .well-known passes", drupal, NULL, NULL, "/.well-known/acme", NULL, "example.com",
     NULL, 1, "/index.php"},
    {"drupal: a missing favicon is not rewritten", drupal, NULL, NULL, "/favicon.ico", NULL,
     "example.com", NULL, 0, NULL},
    {"drupal: php files in folders are forbidden", drupal, NULL, NULL, "/core/lib/x.php", NULL,
     "example.com", NULL, 403, NULL},
    {"drupal: www. goes away with %1 and the query", drupal, NULL, NULL, "/node/1", "a=b",
     "WWW.example.com", NULL, 301, "http://example.com/node/1?a=b"},
    /* Laravel */
    {"laravel: route → index.php", laravel, NULL, NULL, "/users/5", NULL, "example.com", NULL, 1,
     "/index.php"},
    {"laravel: a trailing slash is redirected away", laravel, NULL, NULL, "/users/", "page=2",
     "example.com:8080", NULL, 301, "http://example.com:8080/users?page=2"},
    {"laravel: a real folder keeps its slash", laravel, NULL, NULL, "/real/", NULL, "example.com",
     NULL, 0, NULL},
    {"laravel: a real file is served", laravel, NULL, NULL, "/style.css", NULL, "example.com", NULL,
     0, NULL},
    {"laravel in /app/: the relative target gets the folder's prefix", NULL, "/app/", laravel,
     "/app/users/5", NULL, "example.com", NULL, 1, "/app/index.php"},
    /* redirects */
    {"https: the same host and port, path and query", to_https, NULL, NULL, "/a/b", "x=1",
     "example.com:8080", NULL, 301, "https://example.com:8080/a/b?x=1"},
    {"https: a decoded path is escaped again", to_https, NULL, NULL, "/a b/%", NULL, "example.com",
     NULL, 301, "https://example.com/a%20b/%25"},
    {"www: added when missing", to_www, NULL, NULL, "/x", NULL, "example.com", NULL, 301,
     "http://www.example.com/x"},
    {"www: [NC] takes WWW. as it is", to_www, NULL, NULL, "/x", NULL, "WWW.example.com", NULL, 0,
     NULL},
    {"no RewriteEngine On: the rules do not run", "RewriteRule ^old$ /new [R]\n", NULL, NULL,
     "/old", NULL, "example.com", NULL, 0, NULL}, /* no RewriteEngine On: off */
    {"R on a relative path: base and origin", "RewriteEngine On\nRewriteRule ^old$ new [R=302]\n",
     NULL, NULL, "/old", NULL, "example.com", NULL, 302, "http://example.com/new"},
    {"R=303 by name", "RewriteEngine On\nRewriteRule ^old$ /new [R=seeother,L]\n", NULL, NULL,
     "/old", NULL, "example.com", NULL, 303, "http://example.com/new"},
    {"another host without R redirects", "RewriteEngine On\nRewriteRule ^x$ http://elsewhere/y\n",
     NULL, NULL, "/x", NULL, "example.com", NULL, 302, "http://elsewhere/y"},
    {"this host without R is a path", "RewriteEngine On\nRewriteRule ^x$ http://example.com/y\n",
     NULL, NULL, "/x", NULL, "example.com", NULL, 1, "/y"},
    /* queries */
    {"QSA appends the request's query",
     "RewriteEngine On\nRewriteRule ^p/(\\w+)$ index.php?page=$1 [QSA,L]\n", NULL, NULL, "/p/home",
     "x=1", "example.com", NULL, 1, "/index.php?page=home&x=1"},
    {"without QSA the substitution's query replaces it",
     "RewriteEngine On\nRewriteRule ^p/(\\w+)$ index.php?page=$1 [L]\n", NULL, NULL, "/p/home",
     "x=1", "example.com", NULL, 1, "/index.php?page=home"},
    {"QSD drops it", "RewriteEngine On\nRewriteRule ^old$ /new [QSD,L]\n", NULL, NULL, "/old",
     "x=1", "example.com", NULL, 1, "/new?"},
    {"a bare '?' drops it", "RewriteEngine On\nRewriteRule ^old$ /new? [L]\n", NULL, NULL, "/old",
     "x=1", "example.com", NULL, 1, "/new?"},
    {"no '?' keeps it", "RewriteEngine On\nRewriteRule ^old$ /new [L]\n", NULL, NULL, "/old", "x=1",
     "example.com", NULL, 1, "/new?x=1"},
    {"%1 from the query into a redirect",
     "RewriteEngine On\nRewriteCond %{QUERY_STRING} ^id=(\\d+)$\n"
     "RewriteRule ^item$ /items/%1? [R=301,L]\n",
     NULL, NULL, "/item", "id=42", "example.com", NULL, 301, "http://example.com/items/42"},
    {"a '?' a capture brings stays in the path", "RewriteEngine On\nRewriteRule ^(.*)$ /x/$1 [L]\n",
     NULL, NULL, "/a?b", NULL, "example.com", NULL, 1, "/x/a%3Fb"},
    {"[B] escapes back-references in the query",
     "RewriteEngine On\nRewriteRule ^s/(.*)$ /search.php?q=$1 [B,L]\n", NULL, NULL, "/s/a&b c",
     NULL, "example.com", NULL, 1, "/search.php?q=a%26b%20c"},
    /* F, G, statuses */
    {"F: 403", "RewriteEngine On\nRewriteRule ^secret - [F]\n", NULL, NULL, "/secret/x", NULL,
     "example.com", NULL, 403, NULL},
    {"G: 410", "RewriteEngine On\nRewriteRule ^gone$ - [G]\n", NULL, NULL, "/gone", NULL,
     "example.com", NULL, 410, NULL},
    {"R=404 drops the substitution", "RewriteEngine On\nRewriteRule ^x$ /y [R=404]\n", NULL, NULL,
     "/x", NULL, "example.com", NULL, 404, NULL},
    {"a lexical =",
     "RewriteEngine On\nRewriteCond %{REQUEST_METHOD} =GET\nRewriteRule ^form$ - [F]\n", NULL, NULL,
     "/form", NULL, "example.com", NULL, 403, NULL},
    {"< and >",
     "RewriteEngine On\nRewriteCond %{QUERY_STRING} >m\nRewriteCond %{QUERY_STRING} <o\n"
     "RewriteRule ^ - [F]\n",
     NULL, NULL, "/x", "n", "example.com", NULL, 403, NULL},
    {"-s: not empty", "RewriteEngine On\nRewriteCond %{REQUEST_FILENAME} -s\nRewriteRule ^ - [F]\n",
     NULL, NULL, "/empty.txt", NULL, "example.com", NULL, 0, NULL},
    {"[OR]",
     "RewriteEngine On\nRewriteCond %{HTTP_USER_AGENT} bot [NC,OR]\n"
     "RewriteCond %{HTTP_REFERER} spam\nRewriteRule ^ - [F]\n",
     NULL, NULL, "/x", NULL, "example.com", "User-Agent: GoodBOT/1", 403, NULL},
    {"[OR], none holds",
     "RewriteEngine On\nRewriteCond %{HTTP_USER_AGENT} bot [NC,OR]\n"
     "RewriteCond %{HTTP_REFERER} spam\nRewriteRule ^ - [F]\n",
     NULL, NULL, "/x", NULL, "example.com", "User-Agent: Mozilla", 0, NULL},
    {"%{HTTP:Header} and %{ENV:X} set by [E]",
     "RewriteEngine On\nRewriteRule ^ - [E=TOKEN:%{HTTP:X-Token}]\n"
     "RewriteCond %{ENV:TOKEN} =s3cret\nRewriteRule ^ - [F]\n",
     NULL, NULL, "/x", NULL, "example.com", "X-Token: s3cret", 403, NULL},
    {"NC on the rule", "RewriteEngine On\nRewriteRule ^ABC$ /x [NC,L]\n", NULL, NULL, "/abc", NULL,
     "example.com", NULL, 1, "/x"},
    {"without L the next rule sees the new path",
     "RewriteEngine On\nRewriteRule ^a$ b\nRewriteRule ^b$ c [L]\n", NULL, NULL, "/a", NULL,
     "example.com", NULL, 1, "/c"},
    {"C: a chain is skipped with its head",
     "RewriteEngine On\nRewriteRule ^a - [C]\nRewriteRule ^(.*)$ /chained/$1 [L]\n", NULL, NULL,
     "/b", NULL, "example.com", NULL, 0, NULL},
    {"C: a chain runs when its head matches",
     "RewriteEngine On\nRewriteRule ^a - [C]\nRewriteRule ^(.*)$ /chained/$1 [L]\n", NULL, NULL,
     "/abc", NULL, "example.com", NULL, 1, "/chained/abc"},
    {"S=1 skips the next rule",
     "RewriteEngine On\nRewriteRule ^s - [S=1]\nRewriteRule ^ - [F]\nRewriteRule ^s /skipped "
     "[L]\n",
     NULL, NULL, "/s", NULL, "example.com", NULL, 1, "/skipped"},
    {"loop guard: a rule giving the same URL changes nothing",
     "RewriteEngine On\nRewriteRule ^(.*)$ /$1 [L]\n", NULL, NULL, "/x", "q=1", "example.com", NULL,
     0, NULL},
    /* folders */
    {"subfolder: the pattern does not see the prefix, RewriteBase is put before", NULL, "/app/",
     "RewriteEngine On\nRewriteBase /base/\nRewriteRule ^app - [F]\n"
     "RewriteRule ^x/(.*)$ y.php?v=$1 [L]\n",
     "/app/x/abc", NULL, "example.com", NULL, 1, "/base/y.php?v=abc"},
    {"subfolder: the folder without its slash is left to mod_static", NULL, "/app/",
     "RewriteEngine On\nRewriteRule ^ - [F]\n", "/app", NULL, "example.com", NULL, 0, NULL},
    {"the deepest file's rules replace the root's", "RewriteEngine On\nRewriteRule ^ - [F]\n",
     "/app/", "RewriteRule ^nothing$ - [F]\n", "/app/x", NULL, "example.com", NULL, 0, NULL},
    {"the engine state is inherited", "RewriteEngine On\n", "/app/", "RewriteRule ^x$ - [F]\n",
     "/app/x", NULL, "example.com", NULL, 403, NULL},
    {"RewriteEngine off in the subfolder", "RewriteEngine On\n", "/app/",
     "RewriteEngine off\nRewriteRule ^x$ - [F]\n", "/app/x", NULL, "example.com", NULL, 0, NULL},
    {"Inherit: the parent's rules after the folder's", "RewriteEngine On\nRewriteRule ^x$ - [F]\n",
     "/app/", "RewriteOptions Inherit\nRewriteRule ^nothing$ - [G]\n", "/app/x", NULL,
     "example.com", NULL, 403, NULL},
    {"a subfolder file without rewrite directives leaves the root's, with the root's prefix",
     "RewriteEngine On\nRewriteRule ^app/x$ - [F]\n", "/app/", "# nothing to rewrite here\n",
     "/app/x", NULL, "example.com", NULL, 403, NULL},
    {"InheritBefore: the parent's rules first", "RewriteEngine On\nRewriteRule ^x$ - [F]\n",
     "/app/", "RewriteOptions InheritBefore\nRewriteRule ^x$ - [G]\n", "/app/x", NULL,
     "example.com", NULL, 403, NULL},
    {"RewriteBase is not inherited", "RewriteEngine On\nRewriteBase /base/\n", "/app/",
     "RewriteRule ^x$ y [L]\n", "/app/x", NULL, "example.com", NULL, 1, "/app/y"},
    {"MergeBase inherits it", "RewriteEngine On\nRewriteBase /base/\n", "/app/",
     "RewriteOptions MergeBase\nRewriteRule ^x$ y [L]\n", "/app/x", NULL, "example.com", NULL, 1,
     "/base/y"},
    {"the root's rules outside the subfolder", "RewriteEngine On\nRewriteRule ^x$ - [F]\n", "/app/",
     "RewriteEngine On\n", "/x", NULL, "example.com", NULL, 403, NULL},
};

START_TEST(test_rewrite_table)
{
    const struct rewrite_case *c = &rewrite_cases[_i];
    char root[TS_PATH_MAX];
    test_root_make(root, sizeof(root));
    struct test_file files[2];
    struct test_file *list[2];
    size_t n = 0;
    if (c->root_ht != NULL) {
        test_file_load(&files[n], root, "/", c->root_ht);
        list[n] = &files[n];
        n++;
    }
    if (c->sub_ht != NULL) {
        test_file_load(&files[n], root, c->sub_dir, c->sub_ht);
        list[n] = &files[n];
        n++;
    }
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(files[i].err[0] == '\0', "%s: compile: %s", c->name, files[i].err);
    struct test_req t;
    test_req_init(&t, root, c->path, c->query, c->host, c->headers);
    char *url = NULL;
    int rc = test_run(&t, list, n, &url, NULL);
    ck_assert_msg(rc == c->want_rc, "%s: rc %d, want %d (url %s)", c->name, rc, c->want_rc,
                  url ? url : "NULL");
    if (c->want_url == NULL)
        ck_assert_msg(url == NULL, "%s: url %s, want none", c->name, url);
    else
        ck_assert_msg(url != NULL && strcmp(url, c->want_url) == 0, "%s: url %s, want %s", c->name,
                      url ? url : "NULL", c->want_url);
    test_req_free(&t);
    for (size_t i = 0; i < n; i++)
        test_file_free(&files[i]);
    ts_dir_remove(root);
}
END_TEST

/* ---- compile errors: every one is a 500 with FILE:LINE ------------------------------------- */

static const struct {
    const char *line;
    const char *why; /* a part of the message */
} compile_errors[] = {
    {"RewriteRule ^x y [Q]", "unknown or unsupported flag 'Q'"},
    {"RewriteRule ^x y [L,CO=a:b:c]", "unknown or unsupported flag 'CO'"},
    {"RewriteRule ^x y L", "must be in [brackets]"},
    {"RewriteRule ^x y [R=200]", "bad redirect status"},
    {"RewriteRule ^(x y [L]", "bad regex"},
    {"RewriteRule ^x ${map:y}", "RewriteMap"},
    {"RewriteRule ^x", "takes a Pattern"},
    {"RewriteCond %{NOPE} x", "unknown or unsupported variable %{NOPE}"},
    {"RewriteCond %{HTTP_HOST} -U", "not supported"},
    {"RewriteCond %{HTTP_HOST} x [NC,Q]", "unknown flag 'Q'"},
    {"RewriteCond expr \"true\"", "expr is not supported"},
    {"RewriteEngine maybe", "On or Off"},
    {"RewriteBase relative/", "not a URL path"},
    {"RewriteOptions AllowNoSlash", "not supported"},
};

START_TEST(test_compile_errors)
{
    struct test_file f;
    char text[256];
    snprintf(text, sizeof(text), "RewriteEngine On\n%s\n", compile_errors[_i].line);
    test_file_load(&f, "/nowhere", "/", text);
    ck_assert_msg(strncmp(f.err, "2: ", 3) == 0 && strstr(f.err, compile_errors[_i].why) != NULL,
                  "%s: got \"%s\", want line 2 and \"%s\"", compile_errors[_i].line, f.err,
                  compile_errors[_i].why);
    test_file_free(&f);
}
END_TEST

/* ---- what a run records, and what it stops ------------------------------------------------- */

START_TEST(test_env_and_type_recorded)
{
    char root[TS_PATH_MAX];
    test_root_make(root, sizeof(root));
    struct test_file f;
    test_file_load(
        &f, root, "/",
        "RewriteEngine On\nRewriteRule ^ - [E=HTTP_AUTHORIZATION:%{HTTP:Authorization}]\n"
        "RewriteRule ^ - [E=GONE:1]\nRewriteRule ^ - [E=!GONE,T=text/css]\n");
    ck_assert_str_eq(f.err, "");
    struct test_file *list[] = {&f};
    struct test_req t;
    test_req_init(&t, root, "/x", NULL, "example.com", "Authorization: Bearer abc");
    char *url = NULL;
    ck_assert_int_eq(test_run(&t, list, 1, &url, NULL), 0);
    const struct pfd_ht_rewrite_var *v = t.result.rewrite.env;
    ck_assert_ptr_nonnull(v);
    ck_assert_str_eq(v->name, "GONE");
    ck_assert_ptr_null(v->value); /* unset */
    for (; v != NULL && strcmp(v->name, "HTTP_AUTHORIZATION") != 0; v = v->next)
        ;
    ck_assert_ptr_nonnull(v);
    ck_assert_str_eq(v->value, "Bearer abc");
    ck_assert_str_eq(t.result.rewrite.force_type, "text/css");
    test_req_free(&t);
    test_file_free(&f);
    ts_dir_remove(root);
}
END_TEST

/* [END]: no more .htaccess rewriting for the request, in later rounds either; [L] only ends the
 * round. */
START_TEST(test_end_stops_later_rounds)
{
    char root[TS_PATH_MAX];
    test_root_make(root, sizeof(root));
    struct test_file f;
    test_file_load(&f, root, "/",
                   "RewriteEngine On\nRewriteRule ^a$ /b [END]\nRewriteRule ^b$ /c [L]\n");
    struct test_file *list[] = {&f};
    struct test_req t;
    test_req_init(&t, root, "/a", NULL, "example.com", NULL);
    char *url = NULL;
    ck_assert_int_eq(test_run(&t, list, 1, &url, NULL), 1);
    ck_assert_str_eq(url, "/b");
    t.r.path = url; /* the caller routes it again */
    ck_assert_int_eq(test_run(&t, list, 1, &url, NULL), 0);
    ck_assert_ptr_null(url);
    t.r.ht_rewrite_end = false; /* as after [L]: the second round rewrites */
    ck_assert_int_eq(test_run(&t, list, 1, &url, NULL), 1);
    ck_assert_str_eq(url, "/c");
    test_req_free(&t);
    test_file_free(&f);
    ts_dir_remove(root);
}
END_TEST

/* A pattern that backtracks without end hits the config's match limit: 500, not a stuck worker. */
START_TEST(test_match_limit_is_500)
{
    char root[TS_PATH_MAX];
    test_root_make(root, sizeof(root));
    struct test_file f;
    test_file_load(&f, root, "/", "RewriteEngine On\nRewriteRule ^(a|a?)+$ - [F]\n");
    struct test_file *list[] = {&f};
    struct test_req t;
    test_req_init(&t, root, "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", NULL, "example.com",
                  NULL);
    t.conf.match_context = pcre2_match_context_create(NULL);
    pcre2_set_match_limit(t.conf.match_context, 10000);
    char *url = NULL;
    ck_assert_int_eq(test_run(&t, list, 1, &url, NULL), 500);
    pcre2_match_context_free(t.conf.match_context);
    test_req_free(&t);
    test_file_free(&f);
    ts_dir_remove(root);
}
END_TEST

/* preforkd -T: each rule that applies is printed with FILE:LINE and what it gives. */
START_TEST(test_trace_lines)
{
    char root[TS_PATH_MAX];
    test_root_make(root, sizeof(root));
    struct test_file f;
    test_file_load(&f, root, "/", wordpress);
    struct test_file *list[] = {&f};
    struct test_req t;
    test_req_init(&t, root, "/blog/x", NULL, "example.com", NULL);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    char *url = NULL;
    ck_assert_int_eq(test_run(&t, list, 1, &url, out), 1);
    fclose(out);
    char want[TS_PATH_MAX + 128];
    snprintf(want, sizeof(want), "  %s/.htaccess:6: RewriteRule . /index.php [L] → /index.php\n",
             root);
    ck_assert_msg(strstr(buf, want) != NULL, "trace:\n%s\nwant:\n%s", buf, want);
    free(buf);
    test_req_free(&t);
    test_file_free(&f);
    ts_dir_remove(root);
}
END_TEST

static Suite *htaccess_rewrite_suite(void)
{
    Suite *s = suite_create("htaccess_rewrite");
    TCase *tc = tcase_create("rules");
    tcase_add_loop_test(tc, test_rewrite_table, 0, (int)TEST_COUNT(rewrite_cases));
    tcase_add_loop_test(tc, test_compile_errors, 0, (int)TEST_COUNT(compile_errors));
    tcase_add_test(tc, test_env_and_type_recorded);
    tcase_add_test(tc, test_end_stops_later_rounds);
    tcase_add_test(tc, test_match_limit_is_500);
    tcase_add_test(tc, test_trace_lines);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(htaccess_rewrite_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
