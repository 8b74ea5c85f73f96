/*
 * check_docs.c — the documentation's config examples do what the text around them says.
 *
 *  - Every config block of docs/routing.md marked `<!-- example: NAME -->` runs, as written, in a
 *    real server, and the requests its text promises get the status, headers and body it says.
 *    A block without checks here, or checks for a block that is gone, fail the test.
 *  - Every location title and rewrite pattern shown in README.md and docs/ (`location "…"`,
 *    `pattern = "…"`) is loaded as a config would hold it and matched against a path it must
 *    match and one it must not: the backslash of "\.png$" once vanished on the way to pcre2.
 *  - The documents the README and docs/ name exist, and so does the CMake function it names.
 */
#include "testsupport.h"

#include <check.h>
#include <crypt.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "parse/rewrite.h"
#include "serve/route.h"
#include "testsupport_run.h"

#define DOCS_MAX_EXAMPLES 32
#define DOCS_MAX_TITLES 128

/* ---- the examples of docs/routing.md ----------------------------------------------------- */

struct docs_example {
    char name[32];
    char *text; /* the block, malloc'd */
};

/* The blocks of routing.md marked <!-- example: NAME -->; how many. */
static size_t docs_examples_read(struct docs_example *out, size_t max)
{
    char *doc = ts_file_read(PFD_SOURCE_DIR "/docs/routing.md", NULL);
    ck_assert_msg(doc != NULL, "docs/routing.md cannot be read");
    const char *mark = "\n<!-- example: "; /* at the start of a line: not the one in the prose */
    size_t n = 0;
    for (const char *p = strstr(doc, mark); p != NULL && n < max; p = strstr(p + 1, mark)) {
        const char *name = p + strlen(mark), *name_end = strstr(name, " -->");
        const char *open = strstr(name, "\n```\n");
        const char *close = open != NULL ? strstr(open + 5, "\n```") : NULL;
        ck_assert_msg(name_end != NULL && open != NULL && close != NULL,
                      "routing.md: a marked example without its ``` block");
        snprintf(out[n].name, sizeof(out[n].name), "%.*s", (int)(name_end - name), name);
        out[n].text = strndup(open + 5, (size_t)(close - open - 4));
        ck_assert_ptr_nonnull(out[n].text);
        n++;
    }
    free(doc);
    return n;
}

/* One request and what the example's text promises for it. */
struct docs_check {
    const char *example;
    const char *target; /* request-target */
    const char *host;   /* Host header; NULL: "localhost" */
    bool auth;          /* send alice's credentials */
    int status;
    const char *header; /* "Name: substring" that must be there, "!Name: substring" that must not,
                           or NULL */
    const char *body;   /* a substring of the body, or NULL */
};

static const struct docs_check docs_checks[] = {
    {"forms", "/exact.txt", NULL, false, 200, "X-Example: exact", NULL},
    {"forms", "/img/logo.png", NULL, false, 200, "X-Example: prefix", NULL},
    {"forms", "/logo.png", NULL, false, 200, "X-Example: regex", NULL},
    {"forms", "/apng", NULL, false, 200, "!X-Example: regex", NULL},
    {"forms", "/photo.JPG", NULL, false, 200, "X-Example: caseless", NULL},

    {"rewrite", "/old/12.html", NULL, false, 200, NULL, "new twelve"},
    {"rewrite", "/old/x.html", NULL, false, 404, NULL, NULL},
    {"rewrite", "/blog/7", NULL, false, 301, "Location: /posts/7", NULL},
    {"rewrite", "/blog/latest?page=2", NULL, false, 302, "Location: /posts/?id=last&page=2", NULL},
    {"rewrite", "/docs/any/thing", NULL, false, 200, NULL, "docs index"},
    {"rewrite", "/search?q=a", NULL, false, 200, NULL, TS_HELLO_TXT},

    {"redirect", "/go/abc?x=1", NULL, false, 302, "Location: https://example.com/abc?x=1", NULL},
    {"redirect", "/go/a-b", NULL, false, 404, NULL, NULL},
    {"redirect", "/moved", NULL, false, 301, "Location: /hello.txt", NULL},

    {"alias", "/static/app.css", NULL, false, 200, NULL, "static css"},
    {"alias", "/v2/app.css", NULL, false, 200, NULL, "v2 css"},

    {"access", "/admin/", NULL, false, 200, NULL, "admin"},
    {"access", "/intranet/", NULL, false, 403, NULL, NULL},

    {"auth", "/private/", NULL, false, 401,
     "WWW-Authenticate: Basic realm=\"Private area\", charset=\"UTF-8\"", NULL},
    {"auth", "/private/", NULL, true, 200, NULL, "private"},

    {"headers", "/hello.txt", NULL, false, 200, "X-Frame-Options: DENY", NULL},
    {"headers", "/hello.txt", NULL, false, 200, "X-Content-Type-Options: nosniff", NULL},

    {"errors", "/nothing", NULL, false, 404, NULL, "custom not found"},
    {"errors", "/shop/nothing", NULL, false, 404, NULL, "shop not found"},

    {"handler", "/server-status?auto", NULL, false, 200, NULL, "Scoreboard: "},

    {"vhost", "/", "www.example.com", false, 200, "X-Site: example", "example site"},
    {"vhost", "/", "example.com:8080", false, 200, "X-Site: example", "example site"},
    {"vhost", "/", "a.example.org", false, 200, NULL, "org site"},
    {"vhost", "/", "other.test", false, 200, "!X-Site: example", "the index page"},
};

#define DOCS_NCHECKS (sizeof(docs_checks) / sizeof(docs_checks[0]))

/* dir/name with the text, folders made on the way. */
static void docs_put(const char *dir, const char *name, const char *text)
{
    char path[TS_PATH_MAX + 128];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    ck_assert_msg(ts_file_put(path, text, strlen(text)) == 0, "cannot write %s", path);
}

/* The files every example's text names, and alice's htpasswd ($6$, what crypt_r() checks). */
static void docs_site_make(const struct ts_server *s)
{
    static const struct {
        bool in_docroot;
        const char *name, *text;
    } files[] = {
        {true, "exact.txt", "exact\n"},
        {true, "img/logo.png", "png\n"},
        {true, "logo.png", "png\n"},
        {true, "apng", "not a png\n"},
        {true, "photo.JPG", "jpeg\n"},
        {true, "new/12.html", "new twelve\n"},
        {true, "docs/index.html", "docs index\n"},
        {true, "admin/index.html", "admin\n"},
        {true, "intranet/index.html", "intranet\n"},
        {true, "private/index.html", "private\n"},
        {true, "errors/404.html", "custom not found\n"},
        {true, "errors/shop-404.html", "shop not found\n"},
        {false, "static-files/app.css", "static css\n"},
        {false, "static-files/v2/app.css", "v2 css\n"},
        {false, "sites/example/index.html", "example site\n"},
        {false, "sites/org/index.html", "org site\n"},
    };
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        docs_put(files[i].in_docroot ? s->docroot : s->dir, files[i].name, files[i].text);
    struct crypt_data cd = {0};
    const char *hash = crypt_r("secret", "$6$docsexample$", &cd);
    ck_assert_msg(hash != NULL && hash[0] == '$', "crypt_r() failed");
    char line[256];
    snprintf(line, sizeof(line), "alice:%s\n", hash);
    docs_put(s->dir, "htpasswd", line);
}

/* Whether r has a header name whose value holds value. */
static bool docs_has_header(const struct ts_response *r, const char *name, const char *value)
{
    for (size_t i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->headers[i].name, name) == 0 && strstr(r->headers[i].value, value))
            return true;
    return false;
}

static void docs_check_run(const struct ts_server *s, const struct docs_check *c)
{
    char raw[1024];
    snprintf(raw, sizeof(raw), "GET %s HTTP/1.1\r\nHost: %s\r\n%sConnection: close\r\n\r\n",
             c->target, c->host != NULL ? c->host : "localhost",
             c->auth ? "Authorization: Basic YWxpY2U6c2VjcmV0\r\n" : ""); /* alice:secret */
    struct ts_response r;
    int rc = ts_request(s->port, raw, &r);
    ck_assert_msg(rc == TS_OK, "example %s, %s: %s", c->example, c->target, ts_result_name(rc));
    char what[256];
    snprintf(what, sizeof(what), "%s", ts_response_describe(&r));
    bool status_ok = r.status == c->status;
    bool header_ok = true, body_ok = c->body == NULL || strstr(r.body, c->body) != NULL;
    if (c->header != NULL) {
        bool negate = c->header[0] == '!';
        const char *h = c->header + negate, *colon = strchr(h, ':');
        char name[64];
        snprintf(name, sizeof(name), "%.*s", (int)(colon - h), h);
        header_ok = docs_has_header(&r, name, colon + 2) != negate;
    }
    ts_response_free(&r);
    ck_assert_msg(status_ok && header_ok && body_ok,
                  "example %s: GET %s (Host %s) gave %s; docs/routing.md says %d%s%s%s%s",
                  c->example, c->target, c->host != NULL ? c->host : "localhost", what, c->status,
                  c->header != NULL ? ", header " : "", c->header != NULL ? c->header : "",
                  c->body != NULL ? ", body with " : "", c->body != NULL ? c->body : "");
}

/* Each marked example of routing.md runs in its own server; every one has checks here and every
 * check an example there. */
START_TEST(test_routing_examples_serve_as_documented)
{
    struct docs_example examples[DOCS_MAX_EXAMPLES];
    size_t n = docs_examples_read(examples, DOCS_MAX_EXAMPLES);
    ck_assert_msg(n >= 10, "only %zu marked examples in docs/routing.md", n);
    for (size_t c = 0; c < DOCS_NCHECKS; c++) {
        bool found = false;
        for (size_t e = 0; e < n; e++)
            found = found || strcmp(examples[e].name, docs_checks[c].example) == 0;
        ck_assert_msg(found, "checks for example \"%s\", which routing.md no longer has",
                      docs_checks[c].example);
    }
    for (size_t e = 0; e < n; e++) {
        size_t checked = 0;
        struct ts_server s;
        ck_assert_int_eq(ts_server_init(&s), 0);
        docs_site_make(&s);
        ck_assert_int_eq(ts_server_configure(&s, examples[e].text), 0); /* the block as written */
        const char *args[] = {"-f", s.conf, NULL};
        ck_assert_int_eq(ts_server_spawn(&s, args), 0);
        if (ts_server_wait_ready(&s, TS_START_TIMEOUT_S) != 0) {
            ts_server_dump(&s);
            ck_abort_msg("routing.md example \"%s\": the server does not start", examples[e].name);
        }
        for (size_t c = 0; c < DOCS_NCHECKS; c++) {
            if (strcmp(docs_checks[c].example, examples[e].name) == 0) {
                docs_check_run(&s, &docs_checks[c]);
                checked++;
            }
        }
        ts_server_stop(&s);
        ck_assert_msg(checked > 0, "routing.md example \"%s\" has no checks in check_docs.c",
                      examples[e].name);
        free(examples[e].text);
    }
}
END_TEST

/* ---- every regex shown in the docs --------------------------------------------------------- */

/* A location title or rewrite pattern as the docs write it (between the quotes of the config
 * text), a path it must match and one it must not (NULL: none to give). */
static const struct {
    const char *written;
    const char *match, *no_match;
} docs_regexes[] = {
    /* README.md and docs/mod_*.md, docs/operations.md */
    {"^/cgi-bin/", "/cgi-bin/env.sh", "/cgi-bin"},
    {"\\.cgi$", "/app/run.cgi", "/app/runcgi"},
    {"^/server-status$", "/server-status", "/server-status/x"},
    {"^/healthz$", "/healthz", "/healthzz"},
    {"^/files/", "/files/a.txt", "/filesx"},
    {"^/", "/anything", NULL},
    {"^/assets/", "/assets/app.css", "/asset/app.css"},
    {"^/uploads/", "/uploads/a.png", "/upload/a.png"},
    {"/app/", "/app/login", "/application"}, /* mod_proxy's proxy_prefix */
    /* docs/routing.md's examples */
    {"= /exact.txt", "/exact.txt", "/exact.txt/x"},
    {"/img/", "/img/logo.png", "/images/logo.png"},
    {"~ \\.png$", "/logo.png", "/apng"},
    {"~* \\.jpe?g$", "/photo.JPG", "/photojpg"},
    {"/old/", "/old/12.html", "/older"},
    {"^/old/(\\d+)\\.html$", "/old/12.html", "/old/ab.html"},
    {"/blog/", "/blog/7", "/blog"},
    {"^/blog/(\\d+)$", "/blog/7", "/blog/d"},
    {"^/blog/latest$", "/blog/latest", "/blog/latest/x"},
    {"/docs/", "/docs/any/thing", "/doc/"},
    {"^/docs/.+$", "/docs/x", "/docs/"},
    {"= /search", "/search", "/search/x"},
    {"^/search$", "/search", "/searchx"},
    {"^/find$", "/find", "/finder"},
    {"~ ^/go/(\\w+)$", "/go/abc", "/go/a-b"},
    {"= /moved", "/moved", "/moved/"},
    {"/static/", "/static/app.css", "/statics/app.css"},
    {"~ ^/v(\\d+)/(.+)$", "/v2/app.css", "/vx/app.css"},
    {"/admin/", "/admin/", "/adm/"},
    {"/intranet/", "/intranet/a", "/intranets"},
    {"/private/", "/private/", "/priv/"},
    {"/", "/hello.txt", NULL},
    {"/shop/", "/shop/x", "/shopping"},
    {"= /server-status", "/server-status", "/server-status/"},
    {"~ ^/(.*)$", "/a/b", NULL},
};

#define DOCS_NREGEXES (sizeof(docs_regexes) / sizeof(docs_regexes[0]))

/* Placeholders the docs use in prose, not config: "TITLE", "REGEX", "…". */
static bool docs_placeholder(const char *s)
{
    return strcmp(s, "TITLE") == 0 || strcmp(s, "REGEX") == 0 || strcmp(s, "…") == 0 ||
           strcmp(s, "re") == 0;
}

/* Appends to out (up to max) each `KEY"…"` string of file: the text between the quotes, as
 * written (a backslash and what follows it kept). */
static size_t docs_quoted_after(const char *file, const char *key, char **out, size_t n, size_t max)
{
    char *doc = ts_file_read(file, NULL);
    ck_assert_msg(doc != NULL, "%s cannot be read", file);
    for (const char *p = strstr(doc, key); p != NULL && n < max; p = strstr(p + 1, key)) {
        const char *start = p + strlen(key), *end = start;
        while (*end != '\0' && *end != '"' && *end != '\n')
            end += end[0] == '\\' && end[1] != '\0' ? 2 : 1;
        if (*end != '"')
            continue;
        char *s = strndup(start, (size_t)(end - start));
        ck_assert_ptr_nonnull(s);
        if (docs_placeholder(s))
            free(s);
        else
            out[n++] = s;
    }
    free(doc);
    return n;
}

/* Loads `location "WRITTEN" { }` (or a rewrite with that pattern) from a file, as a server
 * would, and tells whether path matches it. */
static bool docs_regex_matches(const char *dir, const char *written, bool rewrite, const char *path)
{
    char conf_path[TS_PATH_MAX + 32], text[1024], err[4096] = "";
    snprintf(conf_path, sizeof(conf_path), "%s/regex.conf", dir);
    if (rewrite)
        snprintf(text, sizeof(text),
                 "modules = {}\ndocument_root = \"htdocs\"\n"
                 "location \"/\" { rewrite { pattern = \"%s\" to = \"/\" } }\n",
                 written);
    else
        snprintf(text, sizeof(text),
                 "modules = {}\ndocument_root = \"htdocs\"\nlocation \"%s\" { }\n", written);
    ck_assert_int_eq(ts_file_write(conf_path, text, strlen(text)), 0);
    struct pfd_config *conf = pfd_config_load(conf_path, PFD_CONFIG_PARSE_ONLY, err, sizeof(err));
    ck_assert_msg(conf != NULL, "\"%s\" from the docs is refused:\n%s", written, err);
    pcre2_match_data *md = pcre2_match_data_create(PFD_REWRITE_CAPTURES, NULL);
    bool hit;
    if (rewrite) {
        hit = pcre2_match(conf->locations[0].rewrites[0].regex, (PCRE2_SPTR)path, strlen(path), 0,
                          0, md, NULL) >= 0;
    } else {
        int npairs, error;
        hit = pfd_route_location(&conf->routes, path, strlen(path), md, conf->match_context,
                                 &npairs, &error) != NULL;
    }
    pcre2_match_data_free(md);
    pfd_config_free(conf);
    return hit;
}

START_TEST(test_docs_regexes_match_as_documented)
{
    static const char *const files[] = {
        PFD_SOURCE_DIR "/README.md",          PFD_SOURCE_DIR "/docs/routing.md",
        PFD_SOURCE_DIR "/docs/operations.md", PFD_SOURCE_DIR "/docs/mod_static.md",
        PFD_SOURCE_DIR "/docs/mod_cgi.md",    PFD_SOURCE_DIR "/docs/mod_autoindex.md",
    };
    char *locations[DOCS_MAX_TITLES], *patterns[DOCS_MAX_TITLES];
    size_t nloc = 0, npat = 0;
    for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
        nloc = docs_quoted_after(files[f], "location \"", locations, nloc, DOCS_MAX_TITLES);
        npat = docs_quoted_after(files[f], "pattern = \"", patterns, npat, DOCS_MAX_TITLES);
    }
    ck_assert_msg(nloc >= 20 && npat >= 5, "%zu titles, %zu patterns found", nloc, npat);
    struct ts_server s; /* its temp dir: htdocs/ and room for the config */
    ck_assert_int_eq(ts_server_init(&s), 0);
    for (size_t i = 0; i < nloc + npat; i++) {
        bool rewrite = i >= nloc;
        const char *written = rewrite ? patterns[i - nloc] : locations[i];
        size_t row = 0;
        while (row < DOCS_NREGEXES && strcmp(docs_regexes[row].written, written) != 0)
            row++;
        ck_assert_msg(row < DOCS_NREGEXES,
                      "the docs show \"%s\": add a row to docs_regexes with a path it must match",
                      written);
        ck_assert_msg(docs_regex_matches(s.dir, written, rewrite, docs_regexes[row].match),
                      "\"%s\" (as written in the docs) does not match \"%s\"", written,
                      docs_regexes[row].match);
        if (docs_regexes[row].no_match != NULL)
            ck_assert_msg(!docs_regex_matches(s.dir, written, rewrite, docs_regexes[row].no_match),
                          "\"%s\" (as written in the docs) matches \"%s\"", written,
                          docs_regexes[row].no_match);
    }
    for (size_t i = 0; i < nloc; i++)
        free(locations[i]);
    for (size_t i = 0; i < npat; i++)
        free(patterns[i]);
    ts_server_stop(&s); /* never started: removes its temp dir */
}
END_TEST

/* ---- what the docs point to ----------------------------------------------------------------- */

/* Whether rel, named in a document in folder doc_dir, exists: relative to that folder or to the
 * top of the tree; a bare name (RESULTS.md in prose about the benchmark) in any folder that
 * holds documents. */
static bool docs_target_exists(const char *doc_dir, const char *rel)
{
    const char *bases[] = {doc_dir, PFD_SOURCE_DIR, PFD_SOURCE_DIR "/docs",
                           PFD_SOURCE_DIR "/test/bench"};
    size_t nbases = strchr(rel, '/') != NULL ? 2 : 4;
    for (size_t i = 0; i < nbases; i++) {
        char path[TS_PATH_MAX * 2];
        snprintf(path, sizeof(path), "%s/%s", bases[i], rel);
        if (access(path, F_OK) == 0)
            return true;
    }
    return false;
}

/* Every markdown document the README and docs/ name — links `](x.md#…)` and mentions `x.md` —
 * is in the repository (the README once sent readers to a design document that was not), and
 * every CMake function the README names (`pfd_add_…(`) is defined. */
START_TEST(test_docs_point_to_what_exists)
{
    static const struct {
        const char *file, *dir;
    } docs[] = {
        {PFD_SOURCE_DIR "/README.md", PFD_SOURCE_DIR},
        {PFD_SOURCE_DIR "/docs/routing.md", PFD_SOURCE_DIR "/docs"},
        {PFD_SOURCE_DIR "/docs/operations.md", PFD_SOURCE_DIR "/docs"},
        {PFD_SOURCE_DIR "/docs/design.md", PFD_SOURCE_DIR "/docs"},
        {PFD_SOURCE_DIR "/docs/mod_static.md", PFD_SOURCE_DIR "/docs"},
        {PFD_SOURCE_DIR "/docs/mod_cgi.md", PFD_SOURCE_DIR "/docs"},
        {PFD_SOURCE_DIR "/docs/mod_autoindex.md", PFD_SOURCE_DIR "/docs"},
    };
    size_t named = 0;
    for (size_t d = 0; d < sizeof(docs) / sizeof(docs[0]); d++) {
        char *text = ts_file_read(docs[d].file, NULL);
        ck_assert_msg(text != NULL, "%s is missing", docs[d].file);
        for (const char *p = strstr(text, ".md"); p != NULL; p = strstr(p + 1, ".md")) {
            const char *start = p;
            while (start > text &&
                   (isalnum((unsigned char)start[-1]) || strchr("_./-", start[-1]) != NULL))
                start--;
            if (start == p || (start > text && start[-1] == ':') || strncmp(start, "//", 2) == 0)
                continue; /* ".md" alone, or part of a URL */
            char rel[TS_PATH_MAX];
            snprintf(rel, sizeof(rel), "%.*s.md", (int)(p - start), start);
            named++;
            ck_assert_msg(docs_target_exists(docs[d].dir, rel), "%s names %s, which does not exist",
                          docs[d].file, rel);
        }
        free(text);
    }
    ck_assert_msg(named >= 10, "only %zu documents named: is the scan broken?", named);
    char *readme = ts_file_read(PFD_SOURCE_DIR "/README.md", NULL);
    char *cmake = ts_file_read(PFD_SOURCE_DIR "/modules/CMakeLists.txt", NULL);
    ck_assert_ptr_nonnull(readme);
    ck_assert_ptr_nonnull(cmake);
    for (const char *p = strstr(readme, "pfd_add_"); p != NULL; p = strstr(p + 1, "pfd_add_")) {
        char name[64], def[80];
        snprintf(name, sizeof(name), "%.*s", (int)strspn(p, "abcdefghijklmnopqrstuvwxyz_"), p);
        snprintf(def, sizeof(def), "function(%s", name);
        ck_assert_msg(strstr(cmake, def) != NULL,
                      "README.md names %s(), which no CMake file defines", name);
    }
    free(readme);
    free(cmake);
}
END_TEST

static Suite *docs_suite(void)
{
    Suite *suite = suite_create("docs");
    TCase *tc = tcase_create("examples");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_docs_regexes_match_as_documented);
    tcase_add_test(tc, test_routing_examples_serve_as_documented);
    tcase_add_test(tc, test_docs_point_to_what_exists);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    return ts_run_session(docs_suite());
}
