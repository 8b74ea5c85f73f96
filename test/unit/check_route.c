/*
 * check_route.c — unit tests for server/route.c and the templates of server/rewrite.c as the
 * router uses them: which location serves a path (first match in file order; "= /x", "/x",
 * "~ re", "~* re" and the legacy "^re" forms), captures carried into alias and redirect
 * templates, and which vhost serves a host (names, aliases, wildcards, port and trailing dot).
 *
 * Each test writes a config into a temp folder (with htdocs/ and the other docroots it names)
 * and loads it with pfd_config_load(), as the server does; no socket is opened.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "parse/rewrite.h"
#include "serve/route.h"
#include "testsupport.h"
#include "testsupport_run.h"

#define TEST_COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define TEST_PATH_MAX 512
#define TEST_ERR_SIZE 4096

/* ---- a config in a temp folder ----------------------------------------------------------- */

struct test_conf {
    char dir[TEST_PATH_MAX];
    struct pfd_config *conf;
    pcre2_match_data *md;
};

/* Writes text as test.conf in a new temp folder holding htdocs/, site2/ and data/, and loads it;
 * the test fails with the loader's errors when it is refused. */
static void test_conf_load(struct test_conf *t, const char *text)
{
    snprintf(t->dir, sizeof(t->dir), "/tmp/check_route.XXXXXX");
    ck_assert_msg(mkdtemp(t->dir) != NULL, "mkdtemp: %s", strerror(errno));
    char path[TEST_PATH_MAX + 32];
    const char *folders[] = {"htdocs", "site2", "data"};
    for (size_t i = 0; i < TEST_COUNT(folders); i++) {
        snprintf(path, sizeof(path), "%s/%s", t->dir, folders[i]);
        ck_assert_int_eq(mkdir(path, 0755), 0);
    }
    snprintf(path, sizeof(path), "%s/test.conf", t->dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "modules = {}\n%s", text);
    ck_assert_int_eq(fclose(f), 0);
    char err[TEST_ERR_SIZE] = "";
    t->conf = pfd_config_load(path, false, err, sizeof(err));
    ck_assert_msg(t->conf != NULL, "the config was refused:\n%s", err);
    t->md = pcre2_match_data_create(PFD_REWRITE_CAPTURES, NULL);
    ck_assert_ptr_nonnull(t->md);
}

static void test_conf_free(struct test_conf *t)
{
    pcre2_match_data_free(t->md);
    pfd_config_free(t->conf);
    ts_dir_remove(t->dir);
}

/* The index in conf->locations of the location routes picks for path, or -1 for none. */
static int test_location(struct test_conf *t, const struct pfd_routes *routes, const char *path,
                         int *npairs, int *error)
{
    const struct pfd_location *loc = pfd_route_location(routes, path, strlen(path), t->md,
                                                        t->conf->match_context, npairs, error);
    return loc != NULL ? (int)(loc - t->conf->locations) : -1;
}

/* ---- location forms and order ------------------------------------------------------------ */

static const char forms_config[] =
    "location \"= /exact\" { }\n"                  /* 0 */
    "location \"/pre/\" { }\n"                     /* 1 */
    "location \"~ ^/pre/special$\" { }\n"          /* 2: shadowed by 1, which comes first */
    "location \"~ ^/re/([a-z]+)/([0-9]+)$\" { }\n" /* 3 */
    "location \"~* \\\\.PNG$\" { }\n"              /* 4 */
    "location \"^/legacy/\" { }\n"                 /* 5: a title not starting with '/' */
    "location \"= /special\" { }\n"                /* 6 */
    "location \"~ ^/special\" { }\n"               /* 7 */
    "location \"/\" { }\n";                        /* 8: everything else */

static const struct {
    const char *desc;
    const char *path;
    int location; /* index, or -1 */
    int npairs;   /* capture pairs a regex match leaves (0 for the other forms) */
} forms_cases[] = {
    {"exact", "/exact", 0, 0},
    {"exact is not a prefix", "/exact/x", 8, 0},
    {"exact is case-sensitive", "/EXACT", 8, 0},
    {"prefix", "/pre/a/b", 1, 0},
    {"prefix itself", "/pre/", 1, 0},
    {"prefix needs its slash", "/pre", 8, 0},
    {"first match wins over a later regex", "/pre/special", 1, 0},
    {"regex with two groups", "/re/abc/42", 3, 3},
    {"regex is case-sensitive", "/re/ABC/42", 8, 0},
    {"regex anchored at the end", "/re/abc/42/", 8, 0},
    {"~* is caseless", "/img/a.png", 4, 1},
    {"~* is caseless, mixed", "/img/a.PnG", 4, 1},
    {"legacy ^re title", "/legacy/x", 5, 1},
    {"exact before a regex that also matches", "/special", 6, 0},
    {"the regex after it for longer paths", "/specialist", 7, 1},
    {"catch-all prefix", "/anything", 8, 0},
};

START_TEST(test_location_forms)
{
    struct test_conf t;
    test_conf_load(&t, forms_config);
    ck_assert_uint_eq(t.conf->routes.nlocations, 9);
    int npairs = -1, error = -1;
    int got = test_location(&t, &t.conf->routes, forms_cases[_i].path, &npairs, &error);
    ck_assert_int_eq(error, 0);
    int want = forms_cases[_i].location, want_pairs = forms_cases[_i].npairs;
    test_conf_free(&t);
    ck_assert_msg(got == want && npairs == want_pairs,
                  "%s: \"%s\": location %d (%d pairs), want %d (%d)", forms_cases[_i].desc,
                  forms_cases[_i].path, got, npairs, want, want_pairs);
}
END_TEST

START_TEST(test_location_kinds)
{
    struct test_conf t;
    test_conf_load(&t, forms_config);
    const struct pfd_location *l = t.conf->locations;
    ck_assert_int_eq(l[0].kind, PFD_LOCATION_EXACT);
    ck_assert_uint_eq(l[0].match_len, strlen("/exact"));
    ck_assert_int_eq(strncmp(l[0].match, "/exact", l[0].match_len), 0);
    ck_assert_int_eq(l[1].kind, PFD_LOCATION_PREFIX);
    ck_assert_int_eq(l[3].kind, PFD_LOCATION_REGEX);
    ck_assert_int_eq(l[4].kind, PFD_LOCATION_REGEX);
    ck_assert_int_eq(l[5].kind, PFD_LOCATION_REGEX);
    for (size_t i = 0; i < t.conf->nlocations; i++)
        ck_assert_int_eq(l[i].line, (int)i + 2); /* after "modules = {}" */
    test_conf_free(&t);
}
END_TEST

START_TEST(test_location_none)
{
    struct test_conf t;
    test_conf_load(&t, "location \"/a/\" { }\nlocation \"~ ^/b$\" { }\n");
    int npairs = -1, error = -1;
    ck_assert_int_eq(test_location(&t, &t.conf->routes, "/c", &npairs, &error), -1);
    ck_assert_int_eq(error, 0);
    ck_assert_int_eq(npairs, 0);
    /* without match data a regex location cannot be tried: 500, not a wrong match */
    const struct pfd_location *loc =
        pfd_route_location(&t.conf->routes, "/b", 2, NULL, NULL, &npairs, &error);
    ck_assert_ptr_null(loc);
    ck_assert_int_eq(error, 500);
    test_conf_free(&t);
}
END_TEST

/* A pattern that backtracks exponentially stops at the match limit: 500, not a stalled worker. */
START_TEST(test_location_match_limit)
{
    struct test_conf t;
    test_conf_load(&t, "location \"~ ^/(a|aa)+$\" { }\n");
    char path[64] = "/";
    memset(path + 1, 'a', 50);
    path[51] = 'b';
    path[52] = '\0';
    int npairs = -1, error = -1;
    ck_assert_int_eq(test_location(&t, &t.conf->routes, path, &npairs, &error), -1);
    ck_assert_int_eq(error, 500);
    test_conf_free(&t);
}
END_TEST

/* ---- captures into alias and redirect ---------------------------------------------------- */

static const char captures_config[] =
    "location \"~ ^/img/([a-z]+)/(.*)\\\\.png$\" { alias = \"/srv/pics/$1/$2.png\" }\n"
    "location \"~ ^/old/(.*)$\" { redirect = \"301 https://example.com/new/$1\" }\n"
    "location \"/files/\" { alias = \"data\" }\n";

static const struct {
    const char *desc;
    const char *path;
    bool redirect; /* expand the redirect (escaped) rather than the alias */
    const char *want;
} captures_cases[] = {
    {"alias with two groups", "/img/cats/tom.png", false, "/srv/pics/cats/tom.png"},
    {"alias group with a slash", "/img/cats/a/b.png", false, "/srv/pics/cats/a/b.png"},
    {"redirect with a group", "/old/x/y", true, "https://example.com/new/x/y"},
    {"redirect escapes what a URL may not hold", "/old/a b?#%", true,
     "https://example.com/new/a%20b%3F%23%25"},
    {"redirect with an empty group", "/old/", true, "https://example.com/new/"},
};

START_TEST(test_captures)
{
    struct test_conf t;
    test_conf_load(&t, captures_config);
    const char *path = captures_cases[_i].path;
    int npairs = 0, error = 0;
    int i = test_location(&t, &t.conf->routes, path, &npairs, &error);
    ck_assert_int_ge(i, 0);
    ck_assert_int_gt(npairs, 0);
    const struct pfd_location *loc = &t.conf->locations[i];
    const char *tmpl = captures_cases[_i].redirect ? loc->redirect_to : loc->alias;
    ck_assert_ptr_nonnull(tmpl);
    if (captures_cases[_i].redirect)
        ck_assert_int_eq(loc->redirect_status, 301);
    char out[PFD_ROUTE_MAX_URI];
    long n = pfd_rewrite_expand(tmpl, path, pcre2_get_ovector_pointer(t.md), npairs,
                                captures_cases[_i].redirect, out, sizeof(out));
    test_conf_free(&t);
    ck_assert_int_gt(n, 0);
    ck_assert_msg(strcmp(out, captures_cases[_i].want) == 0, "%s: \"%s\", want \"%s\"",
                  captures_cases[_i].desc, out, captures_cases[_i].want);
}
END_TEST

/* The router itself carries the captures: preforkd -T's account of a request. */
static char *test_explain(struct test_conf *t, const char *url, const char *host)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(out);
    pfd_route_explain(t->conf, url, host, out);
    ck_assert_int_eq(fclose(out), 0);
    return text;
}

START_TEST(test_captures_routed)
{
    struct test_conf t;
    test_conf_load(&t, captures_config);
    char *out = test_explain(&t, "/old/a%20b?q=1", NULL);
    ck_assert_msg(strstr(out, "redirect: 301 https://example.com/new/a%20b?q=1\n") != NULL, "%s",
                  out);
    free(out);
    out = test_explain(&t, "/img/cats/tom.png", NULL);
    ck_assert_msg(strstr(out, "file: /srv/pics/cats/tom.png\n") != NULL, "%s", out);
    free(out);
    char want[TEST_PATH_MAX + 64];
    out = test_explain(&t, "/files/x/y.html", NULL);
    char *real = realpath(t.dir, NULL); /* /tmp may be a symlink */
    ck_assert_ptr_nonnull(real);
    snprintf(want, sizeof(want), "file: %s/data/x/y.html\n", real);
    free(real);
    ck_assert_msg(strstr(out, want) != NULL, "want %s in:\n%s", want, out);
    free(out);
    test_conf_free(&t);
}
END_TEST

/* ---- vhosts ------------------------------------------------------------------------------ */

static const char vhosts_config[] =
    "location \"/top/\" { }\n"
    "vhost \"Example.COM\" {\n" /* line 3 */
    "  aliases = {\"www.example.com\", \"*.cdn.example.net\"}\n"
    "  document_root = \"site2\"\n"
    "  location \"/v/\" { }\n"
    "}\n"
    "vhost \"*.example.com\" { }\n"   /* line 8 */
    "vhost \"a.example.com\" { }\n"   /* line 9: exact names win over wildcards */
    "vhost \"trailing.test.\" { }\n"; /* line 10 */

static const struct {
    const char *desc;
    const char *host; /* as pfd_route_vhost gets it: lower case, no port, no trailing dot */
    int vhost;        /* index, or -1: the top level */
} vhost_cases[] = {
    {"name (configured in mixed case)", "example.com", 0},
    {"alias", "www.example.com", 0},
    {"wildcard alias", "img.cdn.example.net", 0},
    {"wildcard alias does not match its base", "cdn.example.net", -1},
    {"wildcard", "b.example.com", 1},
    {"wildcard, deeper", "x.y.example.com", 1},
    {"an exact name beats an earlier wildcard", "a.example.com", 2},
    {"trailing dot dropped from the name", "trailing.test", 3},
    {"unknown host", "other.test", -1},
    {"no Host", NULL, -1},
    {"a suffix is not a subdomain", "badexample.com", -1},
};

START_TEST(test_vhost_select)
{
    struct test_conf t;
    test_conf_load(&t, vhosts_config);
    ck_assert_uint_eq(t.conf->nvhosts, 4);
    const struct pfd_vhost *vh = pfd_route_vhost(t.conf, vhost_cases[_i].host);
    int got = vh != NULL ? (int)(vh - t.conf->vhosts) : -1;
    test_conf_free(&t);
    ck_assert_msg(got == vhost_cases[_i].vhost, "%s: \"%s\": vhost %d, want %d",
                  vhost_cases[_i].desc, vhost_cases[_i].host ? vhost_cases[_i].host : "(null)", got,
                  vhost_cases[_i].vhost);
}
END_TEST

/* What a request's Host header holds (any case, a port, a trailing dot) reaches the same vhost,
 * whose own locations then apply and the top level's do not. */
START_TEST(test_vhost_host_forms)
{
    struct test_conf t;
    test_conf_load(&t, vhosts_config);
    const char *hosts[] = {"example.com", "EXAMPLE.com", "example.com:8080", "Example.Com.:80",
                           "www.example.com."};
    for (size_t i = 0; i < TEST_COUNT(hosts); i++) {
        char *out = test_explain(&t, "/v/x", hosts[i]);
        ck_assert_msg(strstr(out, "vhost: example.com (line 3)\n") != NULL, "%s: %s", hosts[i],
                      out);
        ck_assert_msg(strstr(out, "location: \"/v/\" (line 6)\n") != NULL, "%s: %s", hosts[i], out);
        free(out);
    }
    char *out = test_explain(&t, "/top/x", "example.com");
    ck_assert_msg(strstr(out, "location: none\n") != NULL, "%s", out);
    free(out);
    out = test_explain(&t, "/top/x", "elsewhere.test:8080");
    ck_assert_msg(strstr(out, "vhost: none, the top level serves it\n") != NULL, "%s", out);
    ck_assert_msg(strstr(out, "location: \"/top/\" (line 2)\n") != NULL, "%s", out);
    free(out);
    /* the vhost's view: its own document_root and server_name */
    const struct pfd_vhost *vh = pfd_route_vhost(t.conf, "example.com");
    ck_assert_ptr_nonnull(vh);
    ck_assert_str_eq(vh->view->server_name, "example.com");
    ck_assert_ptr_nonnull(strstr(vh->view->document_root, "/site2"));
    ck_assert_uint_eq(vh->view->routes.nlocations, 1);
    test_conf_free(&t);
}
END_TEST

static Suite *route_suite(void)
{
    Suite *s = suite_create("route");
    TCase *tc = tcase_create("route");
    tcase_add_loop_test(tc, test_location_forms, 0, TEST_COUNT(forms_cases));
    tcase_add_test(tc, test_location_kinds);
    tcase_add_test(tc, test_location_none);
    tcase_add_test(tc, test_location_match_limit);
    tcase_add_loop_test(tc, test_captures, 0, TEST_COUNT(captures_cases));
    tcase_add_test(tc, test_captures_routed);
    tcase_add_loop_test(tc, test_vhost_select, 0, TEST_COUNT(vhost_cases));
    tcase_add_test(tc, test_vhost_host_forms);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(route_suite());
}
