/*
 * check_autoindex.c — directory listings from the real binary with mod_autoindex: when they are
 * shown (and 403 when not), every C/O ordering, the options, ignore patterns, header and readme
 * files, hostile file names through real HTML and JSON parsers, revalidation and pages.
 *
 * The modules are listed as in the default config, `modules = {"static", "autoindex"}`: static
 * serves files and index files and declines a folder without one, which autoindex then lists.
 */
#include "testsupport_autoindex.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testsupport_run.h"

#define T0 1600000000 /* 2020-09-13: the mtimes of the test files */
#define ON "modules = {\"static\", \"autoindex\"}\nmodule \"autoindex\" { enabled = true "
#define REQ(path, headers)                                                                         \
    "GET " path " HTTP/1.1\r\nHost: 127.0.0.1\r\n" headers "Connection: close\r\n\r\n"

/* ---- helpers ------------------------------------------------------------------------------ */

static void get(const struct ts_server *s, const char *raw, struct ts_response *r, int status)
{
    int rc = ts_request(s->port, raw, r);
    ck_assert_msg(rc == TS_OK, "%s: %s", raw, ts_result_name(rc));
    ck_assert_msg(r->status == status, "%s: expected %d, got %s\n%.2000s", raw, status,
                  ts_response_describe(r), r->body);
}

static void get_path(const struct ts_server *s, const char *path, struct ts_response *r, int status)
{
    char raw[1024];
    snprintf(raw, sizeof(raw), "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
             path);
    get(s, raw, r, status);
}

static void assert_hrefs(const struct ts_response *r, const char *expected, const char *what)
{
    char *hrefs = ts_autoindex_hrefs(r->body);
    ck_assert_msg(hrefs != NULL && strcmp(hrefs, expected) == 0, "%s: rows\n%s\nexpected\n%s", what,
                  hrefs, expected);
    free(hrefs);
}

static void assert_body_has(const struct ts_response *r, const char *needle, bool present)
{
    bool found = r->body != NULL && strstr(r->body, needle) != NULL;
    ck_assert_msg(found == present, "body %s \"%s\":\n%.3000s", present ? "lacks" : "has", needle,
                  r->body);
}

static void assert_valid_html(const struct ts_response *r)
{
    char *why = ts_autoindex_html_problems(r->body, r->body_len);
    ck_assert_msg(why == NULL, "the page does not parse cleanly: %s\n%.3000s", why, r->body);
    const char *type = ts_response_header(r, "Content-Type");
    ck_assert_msg(type != NULL && strcmp(type, "text/html; charset=utf-8") == 0, "Content-Type %s",
                  type);
}

/* list/: two folders and four files whose name, mtime, size and type orders all differ. */
static void fill_list(const char *docroot, void *arg)
{
    (void)arg;
    char list[TS_PATH_MAX + 8];
    snprintf(list, sizeof(list), "%s/list", docroot);
    int rc = ts_autoindex_dir(docroot, "list", 0);
    rc |= ts_autoindex_dir(list, "zdir", T0 + 5) | ts_autoindex_dir(list, "adir", T0);
    rc |= ts_autoindex_file(list, "a.txt", 300, T0 + 2);
    rc |= ts_autoindex_file(list, "b.html", 100, T0 + 3);
    rc |= ts_autoindex_file(list, "c.css", 2000, T0 + 1);
    rc |= ts_autoindex_file(list, "d.txt", 50, T0 + 4);
    ck_assert_msg(rc == 0, "cannot fill %s", list);
}

/* ---- when a listing is shown -------------------------------------------------------------- */

START_TEST(test_disabled_is_403)
{
    struct ts_server s;
    ts_autoindex_start(&s, "modules = {\"static\", \"autoindex\"}\n", fill_list, NULL);
    struct ts_response r;
    get_path(&s, "/list/", &r, 403);
    assert_body_has(&r, "a.txt", false);
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

START_TEST(test_when_listed)
{
    struct ts_server s;
    ts_autoindex_start(&s, ON "}\n", fill_list, NULL);
    struct ts_response r;
    get_path(&s, "/", &r, 200); /* an index file wins over a listing */
    assert_body_has(&r, "the index page", true);
    ts_response_free(&r);
    get_path(&s, "/list", &r, 301); /* the slash first: relative links need it */
    ts_response_free(&r);
    get_path(&s, "/nothere/", &r, 404);
    ts_response_free(&r);
    get_path(&s, "/list/a.txt", &r, 200);
    ck_assert_uint_eq(r.body_len, 300);
    ts_response_free(&r);
    get_path(&s, "/list/", &r, 200);
    assert_valid_html(&r);
    assert_body_has(&r, "<title>Index of /list/</title>", true);
    assert_body_has(&r, "<a href=\"../\">Parent Directory</a>", true);
    assert_body_has(&r, "<td>2.0K</td><td>text/css</td>", true);
    assert_body_has(&r, "<td>2020-09-13 12:26</td>", false); /* times carry a title, see below */
    assert_body_has(&r, "title=\"2020-09-13T12:26:42Z\">2020-09-13 12:26<", true);
    ck_assert_msg(ts_response_header(&r, "Content-Length") == NULL && r.chunked,
                  "a listing is streamed chunked");
    ts_response_free(&r);
    get(&s, "HEAD /list/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &r, 200);
    ck_assert_uint_eq(r.body_len, 0);
    ck_assert_ptr_nonnull(ts_response_header(&r, "ETag"));
    ts_response_free(&r);
    get(&s, "POST /list/ HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", &r,
        405);
    ck_assert_str_eq(ts_response_header(&r, "Allow"), "GET, HEAD, OPTIONS");
    ts_response_free(&r);
    get(&s, "OPTIONS /list/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &r, 200);
    ck_assert_str_eq(ts_response_header(&r, "Allow"), "GET, HEAD, OPTIONS");
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* ---- ordering ----------------------------------------------------------------------------- */

static const struct order_case {
    const char *query;
    const char *hrefs;
    const char *name_link; /* the Name column's link: the other direction when it is current */
} order_cases[] = {
    {"?C=N;O=A", "adir/\nzdir/\na.txt\nb.html\nc.css\nd.txt\n", "?C=N;O=D"},
    {"?C=N;O=D", "zdir/\nadir/\nd.txt\nc.css\nb.html\na.txt\n", "?C=N;O=A"},
    {"?C=M;O=A", "adir/\nzdir/\nc.css\na.txt\nb.html\nd.txt\n", "?C=N;O=A"},
    {"?C=M;O=D", "zdir/\nadir/\nd.txt\nb.html\na.txt\nc.css\n", "?C=N;O=A"},
    {"?C=S;O=A", "adir/\nzdir/\nd.txt\nb.html\na.txt\nc.css\n", "?C=N;O=A"},
    {"?C=S;O=D", "zdir/\nadir/\nc.css\na.txt\nb.html\nd.txt\n", "?C=N;O=A"},
    {"?C=D;O=A", "adir/\nzdir/\nc.css\nb.html\na.txt\nd.txt\n", "?C=N;O=A"},
    {"?C=D;O=D", "zdir/\nadir/\nd.txt\na.txt\nb.html\nc.css\n", "?C=N;O=A"},
    /* Apache's other spellings and bad values: the default, never an error. */
    {"?C=M&O=D", "zdir/\nadir/\nd.txt\nb.html\na.txt\nc.css\n", "?C=N;O=A"},
    {"?C=S", "adir/\nzdir/\nd.txt\nb.html\na.txt\nc.css\n", "?C=N;O=A"},
    {"?O=D", "zdir/\nadir/\nd.txt\nc.css\nb.html\na.txt\n", "?C=N;O=A"},
    {"?C=X;O=Z;page=-1;F=%00", "adir/\nzdir/\na.txt\nb.html\nc.css\nd.txt\n", "?C=N;O=D"},
    {"?C=;O=;;&&=", "adir/\nzdir/\na.txt\nb.html\nc.css\nd.txt\n", "?C=N;O=D"},
};
#define N_ORDER_CASES ((int)(sizeof(order_cases) / sizeof(order_cases[0])))

START_TEST(test_order)
{
    struct ts_server s;
    ts_autoindex_start(&s, ON "}\n", fill_list, NULL);
    for (int i = 0; i < N_ORDER_CASES; i++) {
        const struct order_case *c = &order_cases[i];
        char path[128], link[64];
        snprintf(path, sizeof(path), "/list/%s", c->query);
        struct ts_response r;
        get_path(&s, path, &r, 200);
        assert_hrefs(&r, c->hrefs, c->query);
        snprintf(link, sizeof(link), "<a href=\"%s\">Name</a>", c->name_link);
        assert_body_has(&r, link, true);
        ts_response_free(&r);
    }
    ts_server_stop(&s);
}
END_TEST

static void fill_numbers(const char *docroot, void *arg)
{
    (void)arg;
    char list[TS_PATH_MAX + 8];
    snprintf(list, sizeof(list), "%s/n", docroot);
    int rc = ts_autoindex_dir(docroot, "n", 0);
    static const char *const names[] = {"file10", "file2", "file1", "File3"};
    static const size_t sizes[] = {1536, 100, 5000, 20};
    static const time_t times[] = {T0 + 3, T0 + 1, T0, T0 + 2};
    for (size_t i = 0; i < 4; i++)
        rc |= ts_autoindex_file(list, names[i], sizes[i], times[i]);
    rc |= ts_autoindex_dir(list, "sub", T0);
    ck_assert_msg(rc == 0, "cannot fill %s", list);
}

static const struct option_case {
    const char *options;
    const char *hrefs;
    const char *has; /* in the body, or NULL */
    const char *lacks;
} option_cases[] = {
    {"", "sub/\nFile3\nfile1\nfile2\nfile10\n", "<td>4.9K</td>", "<td>5000</td>"},
    {"natural_sort = false", "sub/\nFile3\nfile1\nfile10\nfile2\n", NULL, NULL},
    {"folders_first = false", "File3\nfile1\nfile2\nfile10\nsub/\n", NULL, NULL},
    {"exact_size = true", "sub/\nFile3\nfile1\nfile2\nfile10\n", "<td>1536</td>", "1.5K"},
    {"sort_links = false", "sub/\nFile3\nfile1\nfile2\nfile10\n",
     "<th aria-sort=\"ascending\">Name", "?C="},
    {"default_sort = \"size\" default_order = \"descending\"",
     "sub/\nfile1\nfile10\nfile2\nFile3\n", "<a href=\"?C=S;O=A\">Size</a> &#8595;", NULL},
    {"default_sort = \"mtime\"", "sub/\nfile1\nfile2\nFile3\nfile10\n", NULL, NULL},
};
#define N_OPTION_CASES ((int)(sizeof(option_cases) / sizeof(option_cases[0])))

START_TEST(test_options)
{
    const struct option_case *c = &option_cases[_i];
    char extra[512];
    snprintf(extra, sizeof(extra), ON "%s }\n", c->options);
    struct ts_server s;
    ts_autoindex_start(&s, extra, fill_numbers, NULL);
    struct ts_response r;
    get_path(&s, "/n/", &r, 200);
    assert_hrefs(&r, c->hrefs, c->options);
    if (c->has != NULL)
        assert_body_has(&r, c->has, true);
    if (c->lacks != NULL)
        assert_body_has(&r, c->lacks, false);
    assert_valid_html(&r);
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

START_TEST(test_bad_option_refused)
{
    static const char *const bad[][2] = {
        {"default_sort = \"colour\"", "module \"autoindex\": option \"default_sort\": \"colour\""},
        {"default_order = \"up\"", "module \"autoindex\": option \"default_order\": \"up\""},
        {"page_size = -1", "module \"autoindex\": option \"page_size\": -1"},
        {"header_file = \"../x\"", "module \"autoindex\": option \"header_file\": \"../x\""}};
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char extra[256];
        snprintf(extra, sizeof(extra), ON "%s }\n", bad[i][0]);
        ck_assert_int_eq(ts_server_configure(&s, extra), 0);
        char *out = NULL;
        /* The module checks its options in init(), which -t does not run: start it for real. */
        const char *argv[] = {PFD_BINARY, "-X", "-f", s.conf, NULL};
        int rc = ts_run(argv, 10, &out);
        ck_assert_msg(rc > 0 && ts_file_contains(s.error_log, bad[i][1]),
                      "%s: not refused at start (exit %d): %s", bad[i][0], rc, out);
        free(out);
    }
    ts_server_stop(&s);
}
END_TEST

/* ---- what is left out, and what is added ---------------------------------------------------- */

static void fill_ignore(const char *docroot, void *arg)
{
    (void)arg;
    char dir[TS_PATH_MAX + 8];
    snprintf(dir, sizeof(dir), "%s/ig", docroot);
    int rc = ts_autoindex_dir(docroot, "ig", 0);
    static const char *const names[] = {".hidden",   "backup~",         "keep.txt",
                                        "debug.log", "secret-plan.txt", "notes.md"};
    for (size_t i = 0; i < 6; i++)
        rc |= ts_autoindex_file(dir, names[i], 10, T0 + (time_t)i);
    rc |= ts_autoindex_dir(dir, ".git", T0);
    ck_assert_msg(rc == 0, "cannot fill %s", dir);
}

START_TEST(test_ignore_default)
{
    struct ts_server s;
    ts_autoindex_start(&s, ON "}\n", fill_ignore, NULL);
    struct ts_response r;
    get_path(&s, "/ig/", &r, 200);
    assert_hrefs(&r, "debug.log\nkeep.txt\nnotes.md\nsecret-plan.txt\n", "hidden files");
    ts_response_free(&r);
    get_path(&s, "/ig/?F=json", &r, 200);
    assert_body_has(&r, ".hidden", false);
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

START_TEST(test_ignore_patterns)
{
    struct ts_server s;
    ts_autoindex_start(&s, ON "index_ignore = {\"*.log\", \"secret*\", \"[.]git\"} }\n",
                       fill_ignore, NULL);
    struct ts_response r;
    get_path(&s, "/ig/", &r, 200);
    assert_hrefs(&r, "backup~\nkeep.txt\nnotes.md\n", "custom patterns, no hidden names");
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

START_TEST(test_ignore_nothing)
{
    struct ts_server s;
    ts_autoindex_start(&s, "serve_hidden = true\n" ON "index_ignore = {} }\n", fill_ignore, NULL);
    struct ts_response r;
    get_path(&s, "/ig/", &r, 200);
    assert_hrefs(&r, ".git/\n.hidden\nbackup~\ndebug.log\nkeep.txt\nnotes.md\nsecret-plan.txt\n",
                 "no patterns");
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/*
 * Hidden names are not listed, whatever index_ignore says, unless serve_hidden (mod_static
 * answers 404 for them: a listing must not reveal them); a hidden folder is not listed either.
 * serve_hidden is the core's, one setting for both modules: they cannot disagree.
 */
START_TEST(test_hidden_names_not_listed_without_serve_hidden)
{
    static const char *const configs[] = {
        ON "index_ignore = {} }\n",
        "serve_hidden = true\n" ON "index_ignore = {} }\n",
    };
    for (int i = 0; i < 2; i++) {
        struct ts_server s;
        ts_autoindex_start(&s, configs[i], fill_ignore, NULL);
        struct ts_response r;
        get_path(&s, "/ig/", &r, 200);
        assert_hrefs(&r,
                     i == 0 ? "backup~\ndebug.log\nkeep.txt\nnotes.md\nsecret-plan.txt\n"
                            : ".git/\n.hidden\nbackup~\ndebug.log\nkeep.txt\nnotes.md\n"
                              "secret-plan.txt\n",
                     configs[i]);
        ts_response_free(&r);
        get_path(&s, "/ig/?F=json", &r, 200);
        assert_body_has(&r, ".hidden", i == 1);
        ts_response_free(&r);
        get_path(&s, "/ig/.git/", &r, i == 0 ? 404 : 200);
        ts_response_free(&r);
        get_path(&s, "/ig/%2egit/", &r, i == 0 ? 404 : 200);
        ts_response_free(&r);
        ts_server_stop(&s);
    }
}
END_TEST

/* Links show what they point to; what stat() cannot see, and what is neither file nor folder,
 * is skipped; a folder the server may not read is 403. */
static void fill_links(const char *docroot, void *arg)
{
    (void)arg;
    char dir[TS_PATH_MAX + 8], path[TS_PATH_MAX + 32];
    snprintf(dir, sizeof(dir), "%s/ln", docroot);
    int rc = ts_autoindex_dir(docroot, "ln", 0);
    rc |= ts_autoindex_file(dir, "target.txt", 2048, T0);
    rc |= ts_autoindex_dir(dir, "real", T0);
    rc |= ts_autoindex_dir(dir, "closed", T0);
    snprintf(path, sizeof(path), "%s/closed", dir);
    rc |= chmod(path, 0);
    snprintf(path, sizeof(path), "%s/file-link", dir);
    rc |= symlink("target.txt", path);
    snprintf(path, sizeof(path), "%s/dir-link", dir);
    rc |= symlink("real", path);
    snprintf(path, sizeof(path), "%s/broken-link", dir);
    rc |= symlink("nowhere", path);
    snprintf(path, sizeof(path), "%s/fifo", dir);
    rc |= mkfifo(path, 0644);
    ck_assert_msg(rc == 0, "cannot fill %s", dir);
}

START_TEST(test_links_and_specials)
{
    struct ts_server s;
    ts_autoindex_start(&s, ON "}\n", fill_links, NULL);
    struct ts_response r;
    get_path(&s, "/ln/", &r, 200);
    assert_hrefs(&r, "closed/\ndir-link/\nreal/\nfile-link\ntarget.txt\n", "links");
    assert_body_has(&r,
                    "<a href=\"file-link\">file-link</a></td><td title=\"2020-09-13T12:26:40Z\">"
                    "2020-09-13 12:26</td><td>2.0K</td>",
                    true);
    ts_response_free(&r);
    get_path(&s, "/ln/closed/", &r, 403);
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* fill_links, plus (as root) theirs.txt owned by nobody and their-link → it, a link of ours. */
static void fill_links_foreign(const char *docroot, void *arg)
{
    fill_links(docroot, arg);
    if (geteuid() != 0)
        return;
    char path[TS_PATH_MAX + 32];
    snprintf(path, sizeof(path), "%s/ln/theirs.txt", docroot);
    int rc = ts_autoindex_file_text(docroot, "ln/theirs.txt", "theirs, 3 KiB") |
             chown(path, 65534, 65534);
    snprintf(path, sizeof(path), "%s/ln/their-link", docroot);
    rc |= symlink("theirs.txt", path);
    ck_assert_msg(rc == 0, "cannot add the foreign file");
}

/*
 * A listing shows no symlink that follow_symlinks (the core's, mod_static's too) refuses, nor its
 * target's size and time: "off" lists no link, "if_owner_match" only links whose owner owns
 * the target (root only for a foreign owner).
 */
START_TEST(test_links_refused_by_policy_not_listed)
{
    struct ts_server s;
    ts_autoindex_start(&s, "follow_symlinks = \"off\"\n" ON "}\n", fill_links, NULL);
    struct ts_response r;
    get_path(&s, "/ln/", &r, 200);
    assert_hrefs(&r, "closed/\nreal/\ntarget.txt\n", "links off");
    ts_response_free(&r);
    get_path(&s, "/ln/?F=json", &r, 200);
    assert_body_has(&r, "link", false);
    ts_response_free(&r);
    ts_server_stop(&s);

    ts_autoindex_start(&s, "follow_symlinks = \"if_owner_match\"\n" ON "}\n", fill_links_foreign,
                       NULL);
    get_path(&s, "/ln/", &r, 200);
    assert_hrefs(&r,
                 geteuid() == 0 ? "closed/\ndir-link/\nreal/\nfile-link\ntarget.txt\ntheirs.txt\n"
                                : "closed/\ndir-link/\nreal/\nfile-link\ntarget.txt\n",
                 "links if_owner_match");
    assert_body_has(&r, "their-link", false);
    ts_response_free(&r);
    ts_server_stop(&s);

    /* Without mod_static in front, the listed folder itself obeys the policy too. */
    ts_autoindex_start(&s,
                       "modules = {\"autoindex\"}\nfollow_symlinks = \"off\"\n"
                       "module \"autoindex\" { enabled = true }\n",
                       fill_links, NULL);
    get_path(&s, "/ln/real/", &r, 200);
    ts_response_free(&r);
    get_path(&s, "/ln/dir-link/", &r, 403);
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

static void fill_header(const char *docroot, void *arg)
{
    const char *readme = arg;
    char dir[TS_PATH_MAX + 8];
    snprintf(dir, sizeof(dir), "%s/hr", docroot);
    int rc = ts_autoindex_dir(docroot, "hr", 0);
    rc |=
        ts_autoindex_file_text(dir, "HEADER.html", "<p class=\"intro\">Welcome <em>here</em></p>");
    rc |= ts_autoindex_file_text(dir, "README.txt", readme);
    rc |= ts_autoindex_file_text(dir, "notes.txt", "x");
    ck_assert_msg(rc == 0, "cannot fill %s", dir);
}

START_TEST(test_header_readme)
{
    struct ts_server s;
    ts_autoindex_start(&s, ON "}\n", fill_header,
                       "Read <b>me</b> & \"enjoy\"\n</pre><script>x</script>");
    struct ts_response r;
    get_path(&s, "/hr/", &r, 200);
    assert_valid_html(&r);
    const char *header = strstr(r.body, "<p class=\"intro\">Welcome <em>here</em></p>");
    const char *table = strstr(r.body, "<table>");
    const char *readme = strstr(r.body, "Read &lt;b&gt;me&lt;/b&gt; &amp; &quot;enjoy&quot;");
    ck_assert_msg(header != NULL && table != NULL && readme != NULL && header < table &&
                      table < readme,
                  "header above, readme (escaped) below the table:\n%s", r.body);
    assert_body_has(&r, "&lt;/pre&gt;&lt;script&gt;", true);
    ts_response_free(&r);
    ts_server_stop(&s);

    ts_autoindex_start(&s, ON "header_file = \"\" readme_file = \"notes.txt\" }\n", fill_header,
                       "the readme");
    get_path(&s, "/hr/", &r, 200);
    assert_body_has(&r, "intro", false);
    assert_body_has(&r, "the readme", false);
    assert_body_has(&r, "<div class=\"readme\"><pre>x</pre></div>", true);
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* ---- hostile names ------------------------------------------------------------------------ */

static const char *const hostile_names[] = {"<script>alert(1)",
                                            "<img src=x onerror=alert(1)>",
                                            "a&b\"c'd",
                                            "spa ce",
                                            "\xc3\xbcn\xc3\xaf",
                                            "bad\xff\xfe",
                                            "q?x#y%z",
                                            "ctl\x01\x1f\x7f",
                                            "colon:name",
                                            "<td><tr><table>x",
                                            "\xed\xa0\x80surrogate",
                                            "\xc0\xafoverlong",
                                            "-->&#0;&amp;"};
#define N_HOSTILE (sizeof(hostile_names) / sizeof(hostile_names[0]))

static void fill_hostile(const char *docroot, void *arg)
{
    (void)arg;
    char dir[TS_PATH_MAX + 8];
    snprintf(dir, sizeof(dir), "%s/h", docroot);
    int rc = ts_autoindex_dir(docroot, "h", 0);
    for (size_t i = 0; i < N_HOSTILE; i++)
        rc |= ts_autoindex_file(dir, hostile_names[i], i, T0);
    rc |= ts_autoindex_dir(dir, "<b>dir \"x\"", T0);
    rc |= ts_autoindex_file_text(dir, "README.txt", "<script>alert('readme')</script>");
    ck_assert_msg(rc == 0, "cannot fill %s", dir);
}

START_TEST(test_hostile_names_html)
{
    struct ts_server s;
    ts_autoindex_start(&s, ON "}\n", fill_hostile, NULL);
    struct ts_response r;
    get_path(&s, "/h/", &r, 200);
    assert_valid_html(&r);
    ck_assert_msg(strcasestr(r.body, "<script") == NULL && strcasestr(r.body, "<img") == NULL &&
                      strcasestr(r.body, "<b>") == NULL,
                  "markup from a name got through:\n%s", r.body);
    static const char *const links[] = {
        "href=\"spa%20ce\">spa ce</a>",
        "href=\"%C3%BCn%C3%AF\">\xc3\xbcn\xc3\xaf</a>",
        "href=\"q%3Fx%23y%25z\">q?x#y%z</a>",
        "href=\"bad%FF%FE\">bad\xef\xbf\xbd\xef\xbf\xbd</a>",
        "href=\"colon%3Aname\">colon:name</a>",
        "href=\"a%26b%22c%27d\">a&amp;b&quot;c&#39;d</a>",
        "href=\"%3Cb%3Edir%20%22x%22/\">&lt;b&gt;dir &quot;x&quot;/</a>",
        "href=\"--%3E%26%230%3B%26amp%3B\">--&gt;&amp;#0;&amp;amp;</a>",
        "href=\"ctl%01%1F%7F\">ctl\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd</a>",
    };
    for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
        assert_body_has(&r, links[i], true);
    ck_assert_uint_eq(ts_autoindex_rows(r.body), N_HOSTILE + 1 /* the folder */ + 1 /* README */);
    ts_response_free(&r);

    /* Each link reaches its file: the encoding is exact even where the text is not. */
    get_path(&s, "/h/bad%FF%FE", &r, 200);
    ck_assert_uint_eq(r.body_len, 5);
    ts_response_free(&r);
    get_path(&s, "/h/q%3Fx%23y%25z", &r, 200);
    ck_assert_uint_eq(r.body_len, 6);
    ts_response_free(&r);
    get_path(&s, "/h/%3Cb%3Edir%20%22x%22/", &r, 200); /* the listing of a hostile folder */
    assert_valid_html(&r);
    assert_body_has(&r, "<title>Index of /h/&lt;b&gt;dir &quot;x&quot;/</title>", true);
    assert_body_has(&r, "<a href=\"/h/%3Cb%3Edir%20%22x%22/\">&lt;b&gt;dir &quot;x&quot;</a>/",
                    true);
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

START_TEST(test_hostile_names_json)
{
    struct ts_server s;
    ts_autoindex_start(&s, ON "}\n", fill_hostile, NULL);
    struct ts_response r;
    get_path(&s, "/h/?F=json", &r, 200);
    ck_assert_str_eq(ts_response_header(&r, "Content-Type"), "application/json");
    char *names = NULL;
    char *why = ts_autoindex_json_problems(r.body, r.body_len, &names);
    ck_assert_msg(why == NULL, "invalid JSON: %s\n%s", why, r.body);
    static const char *const expected[] = {
        "'<b>dir \"x\"'\n", /* folders first */
        "'<script>alert(1)'\n",
        "'bad\\ufffd\\ufffd'\n",
        "'ctl\\x01\\x1f\\x7f'\n",
        "'\\xfcn\\xef'\n",
        "'\\ufffd\\ufffd\\ufffdsurrogate'\n",
        "'a&b\"c\\'d'\n",
    };
    for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
        ck_assert_msg(strstr(names, expected[i]) != NULL, "JSON names lack %s:\n%s", expected[i],
                      names);
    ck_assert_msg(strncmp(names, expected[0], strlen(expected[0])) == 0, "order: %s", names);
    free(names);
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

START_TEST(test_json)
{
    struct ts_server s;
    ts_autoindex_start(&s, ON "}\n", fill_list, NULL);
    static const char *const requests[] = {
        REQ("/list/?F=json", ""),
        REQ("/list/", "Accept: application/json\r\n"),
        REQ("/list/", "Accept: text/html;q=0.5, application/json\r\n"),
        REQ("/list/?C=S;O=D;F=json", ""),
    };
    for (size_t i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
        struct ts_response r;
        get(&s, requests[i], &r, 200);
        ck_assert_str_eq(ts_response_header(&r, "Content-Type"), "application/json");
        ck_assert_msg(ts_response_header_has(&r, "Vary", "Accept"), "Vary: Accept");
        char *names = NULL;
        char *why = ts_autoindex_json_problems(r.body, r.body_len, &names);
        ck_assert_msg(why == NULL, "invalid JSON: %s\n%s", why, r.body);
        ck_assert_str_eq(names, i == 3 ? "'zdir'\n'adir'\n'c.css'\n'a.txt'\n'b.html'\n'd.txt'\n"
                                       : "'adir'\n'zdir'\n'a.txt'\n'b.html'\n'c.css'\n'd.txt'\n");
        free(names);
        assert_body_has(&r,
                        "{\"name\":\"c.css\",\"type\":\"file\",\"size\":2000,"
                        "\"mtime\":\"2020-09-13T12:26:41Z\",\"href\":\"c.css\"}",
                        true);
        ts_response_free(&r);
    }
    /* A browser's Accept (HTML first, JSON nowhere or lower) keeps HTML. */
    struct ts_response r;
    get(&s, REQ("/list/", "Accept: text/html,application/xhtml+xml,*/*;q=0.8\r\n"), &r, 200);
    assert_valid_html(&r);
    ts_response_free(&r);
    get(&s, REQ("/list/", "Accept: text/html, application/json;q=0.9\r\n"), &r, 200);
    assert_valid_html(&r);
    ts_response_free(&r);
    ts_server_stop(&s);
}
END_TEST

/* ---- revalidation ------------------------------------------------------------------------- */

static char *header_copy(const struct ts_response *r, const char *name)
{
    const char *v = ts_response_header(r, name);
    ck_assert_msg(v != NULL, "no %s: %s", name, ts_response_describe(r));
    return strdup(v);
}

static int status_with(const struct ts_server *s, const char *path, const char *header,
                       const char *value)
{
    char raw[1024];
    snprintf(raw, sizeof(raw),
             "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s: %s\r\nConnection: close\r\n\r\n", path,
             header, value);
    struct ts_response r;
    int rc = ts_request(s->port, raw, &r);
    int status = rc == TS_OK ? r.status : rc;
    if (status == 304)
        ck_assert_msg(r.body_len == 0 && ts_response_header(&r, "ETag") != NULL,
                      "a 304 has no body and repeats the ETag");
    ts_response_free(&r);
    return status;
}

START_TEST(test_revalidation)
{
    struct ts_server s;
    ts_autoindex_start(&s, ON "}\n", fill_list, NULL);
    struct ts_response r;
    get_path(&s, "/list/", &r, 200);
    char *etag = header_copy(&r, "ETag");
    char *modified = header_copy(&r, "Last-Modified");
    ts_response_free(&r);
    ck_assert_msg(strncmp(etag, "W/\"", 3) == 0, "a weak ETag: %s", etag);
    ck_assert_int_eq(status_with(&s, "/list/", "If-None-Match", etag), 304);
    ck_assert_int_eq(status_with(&s, "/list/", "If-None-Match", "*"), 304);
    /* "*" inside a list is not RFC 9110's grammar: malformed, so no match (mod_static's
     * reading, now the core's), and the full listing goes out. */
    ck_assert_int_eq(status_with(&s, "/list/", "If-None-Match", "\"other\", *"), 200);
    /* The core's evaluator also gives listings If-Match and If-Unmodified-Since (§13.2.2): a
     * weak ETag never passes If-Match's strong comparison, only "*" does. */
    ck_assert_int_eq(status_with(&s, "/list/", "If-Match", etag), 412);
    ck_assert_int_eq(status_with(&s, "/list/", "If-Match", "*"), 200);
    ck_assert_int_eq(
        status_with(&s, "/list/", "If-Unmodified-Since", "Sun, 06 Nov 1994 08:49:37 GMT"), 412);
    ck_assert_int_eq(status_with(&s, "/list/", "If-None-Match", "\"other\""), 200);
    ck_assert_int_eq(status_with(&s, "/list/", "If-Modified-Since", modified), 304);
    ck_assert_int_eq(
        status_with(&s, "/list/", "If-Modified-Since", "Sun, 06 Nov 1994 08:49:37 GMT"), 200);
    ck_assert_int_eq(status_with(&s, "/list/", "If-Modified-Since", "garbage"), 200);
    /* The same date reading as mod_static's (the core's parser). */
    ck_assert_int_eq(status_with(&s, "/list/", "If-Modified-Since", "fri, 1 jan 2100 00:00:00 gmt"),
                     304);
    /* Another order or format is another representation. */
    ck_assert_int_eq(status_with(&s, "/list/?C=S;O=D", "If-None-Match", etag), 200);
    ck_assert_int_eq(status_with(&s, "/list/?F=json", "If-None-Match", etag), 200);

    /* HEAD answers with the same validators, and revalidates too. */
    struct ts_response h;
    get(&s, "HEAD /list/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &h, 200);
    ck_assert_str_eq(ts_response_header(&h, "ETag"), etag);
    ck_assert_str_eq(ts_response_header(&h, "Last-Modified"), modified);
    ts_response_free(&h);
    /* A file added changes the folder, so the listing's ETag. */
    ts_sleep_ms(20); /* a new ctime even on a coarse clock */
    ck_assert_int_eq(ts_autoindex_file(s.docroot, "list/new.txt", 1, T0 + 9), 0);
    ck_assert_int_eq(status_with(&s, "/list/", "If-None-Match", etag), 200);
    get_path(&s, "/list/", &r, 200);
    ck_assert_str_ne(ts_response_header(&r, "ETag"), etag);
    ts_response_free(&r);
    free(etag);
    free(modified);
    ts_server_stop(&s);
}
END_TEST

/* ---- the cache of rendered listings ---------------------------------------------------------- */

/* One worker, so that every request meets the listing the one before it left in the cache. */
#define ONE_WORKER                                                                                 \
    "prefork { start_servers = 1  min_spare_servers = 1  max_spare_servers = 1"                    \
    "  max_workers = 1 }\n"

/* A listing asked for again comes from the worker's cache (sent with a Content-Length, where a
 * rendering streams chunks) and is the same page; a file added shows at once, the folder's
 * mtime set back explicitly or not: the cache keys on the folder's state, not on time alone
 * (cache_valid_ms is a minute here). */
START_TEST(test_cache_follows_folder)
{
    struct ts_server s;
    ts_autoindex_start(&s, ONE_WORKER ON "cache_valid_ms = 60000 }\n", fill_list, NULL);
    struct ts_response first, again;
    get_path(&s, "/list/", &first, 200);
    ck_assert_ptr_null(ts_response_header(&first, "Content-Length"));
    get_path(&s, "/list/", &again, 200);
    ck_assert_msg(ts_response_header(&again, "Content-Length") != NULL,
                  "the same listing again was rendered again, not taken from the cache");
    ck_assert_uint_eq(again.body_len, first.body_len);
    ck_assert_int_eq(memcmp(again.body, first.body, first.body_len), 0);
    ck_assert_str_eq(ts_response_header(&again, "ETag"), ts_response_header(&first, "ETag"));
    ts_response_free(&again);
    /* Another order is another page, not the cached one. */
    get_path(&s, "/list/?C=S;O=D", &again, 200);
    assert_hrefs(&again, "zdir/\nadir/\nc.css\na.txt\nb.html\nd.txt\n", "?C=S;O=D");
    ts_response_free(&again);
    ts_response_free(&first);

    char list[TS_PATH_MAX + 8];
    snprintf(list, sizeof(list), "%s/list", s.docroot);
    ck_assert_int_eq(ts_autoindex_file(list, "e.txt", 7, T0 + 6), 0);
    ck_assert_int_eq(ts_autoindex_touch(list, T0 + 100), 0);
    get_path(&s, "/list/", &again, 200);
    assert_hrefs(&again, "adir/\nzdir/\na.txt\nb.html\nc.css\nd.txt\ne.txt\n",
                 "after a file was added");
    ts_response_free(&again);
    /* Removed, and the folder's mtime set back to what it was: still seen. */
    ck_assert_int_eq(unlink(strcat(list, "/e.txt")), 0);
    list[strlen(list) - strlen("/e.txt")] = '\0';
    ck_assert_int_eq(ts_autoindex_touch(list, T0 + 100), 0);
    get_path(&s, "/list/", &again, 200);
    assert_hrefs(&again, "adir/\nzdir/\na.txt\nb.html\nc.css\nd.txt\n", "after it was removed");
    ts_response_free(&again);
    ts_server_stop(&s);
}
END_TEST

/* A file rewritten in place leaves its folder as it was: its new size shows once the cached
 * listing is cache_valid_ms old, not later. */
START_TEST(test_cache_expires)
{
    struct ts_server s;
    ts_autoindex_start(&s, ONE_WORKER ON "cache_valid_ms = 300  exact_size = true }\n", fill_list,
                       NULL);
    struct ts_response r;
    get_path(&s, "/list/", &r, 200);
    assert_body_has(&r, "<td>300</td>", true);
    ts_response_free(&r);
    char path[TS_PATH_MAX + 16];
    snprintf(path, sizeof(path), "%s/list/a.txt", s.docroot);
    FILE *f = fopen(path, "a"); /* in place: the folder does not change */
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fputs("12345", f) >= 0, 1);
    ck_assert_int_eq(fclose(f), 0);
    double start = ts_now();
    bool seen = false;
    while (!seen && ts_now() - start < 5.0) {
        get_path(&s, "/list/", &r, 200);
        seen = strstr(r.body, "<td>305</td>") != NULL;
        ts_response_free(&r);
        if (!seen)
            ts_sleep_ms(50);
    }
    double waited = ts_now() - start;
    ck_assert_msg(seen && waited < 0.3 + 1.0, "the new size showed %s after %.2f s (valid 0.3 s)",
                  seen ? "only" : "not even", waited);
    ts_server_stop(&s);
}
END_TEST

/* ---- pages -------------------------------------------------------------------------------- */

static void fill_pages(const char *docroot, void *arg)
{
    (void)arg;
    char dir[TS_PATH_MAX + 8];
    snprintf(dir, sizeof(dir), "%s/p", docroot);
    int rc = ts_autoindex_dir(docroot, "p", 0);
    for (int i = 1; i <= 7; i++) {
        char name[16];
        snprintf(name, sizeof(name), "f%d", i);
        rc |= ts_autoindex_file(dir, name, (size_t)i, T0 + i);
    }
    ck_assert_msg(rc == 0, "cannot fill %s", dir);
}

static const struct page_case {
    const char *query;
    const char *hrefs;
    const char *has;
} page_cases[] = {
    {"", "f1\nf2\nf3\n", "Page 1 of 3: <strong>1</strong><a href=\"?C=N;O=A;page=2\">next</a>"},
    {"?page=2", "f4\nf5\nf6\n", "<a href=\"?C=N;O=A;page=1\">first</a>"},
    {"?page=3", "f7\n", "<a href=\"?C=N;O=A;page=2\">previous</a>"},
    {"?page=99", "f7\n", "Page 3 of 3"},
    {"?page=abc", "f1\nf2\nf3\n", "Page 1 of 3"},
    {"?page=0", "f1\nf2\nf3\n", "Page 1 of 3"},
    {"?page=99999999999999999999", "f1\nf2\nf3\n", "Page 1 of 3"},
    {"?C=N;O=D;page=2", "f4\nf3\nf2\n", "<a href=\"?C=N;O=D;page=3\">next</a>"},
};

START_TEST(test_pages)
{
    struct ts_server s;
    ts_autoindex_start(&s, ON "page_size = 3 }\n", fill_pages, NULL);
    for (size_t i = 0; i < sizeof(page_cases) / sizeof(page_cases[0]); i++) {
        const struct page_case *c = &page_cases[i];
        char path[128];
        snprintf(path, sizeof(path), "/p/%s", c->query);
        struct ts_response r;
        get_path(&s, path, &r, 200);
        assert_hrefs(&r, c->hrefs, c->query);
        assert_body_has(&r, c->has, true);
        assert_valid_html(&r);
        ts_response_free(&r);
    }
    /* JSON has the same pages, and says where the others are. */
    static const struct {
        const char *query, *names, *has;
    } json_pages[] = {
        {"?F=json;page=2", "'f4'\n'f5'\n'f6'\n",
         "\"page\":2,\"pages\":3,\"total\":7,\"prev\":\"?C=N;O=A;F=json;page=1\","
         "\"next\":\"?C=N;O=A;F=json;page=3\""},
        {"?F=json", "'f1'\n'f2'\n'f3'\n", "\"prev\":null,\"next\":\"?C=N;O=A;F=json;page=2\""},
        {"?F=json;page=9;C=S;O=D", "'f1'\n",
         "\"page\":3,\"pages\":3,\"total\":7,"
         "\"prev\":\"?C=S;O=D;F=json;page=2\",\"next\":null"},
    };
    for (size_t i = 0; i < sizeof(json_pages) / sizeof(json_pages[0]); i++) {
        char path[64];
        snprintf(path, sizeof(path), "/p/%s", json_pages[i].query);
        struct ts_response r;
        get_path(&s, path, &r, 200);
        char *names = NULL;
        char *why = ts_autoindex_json_problems(r.body, r.body_len, &names);
        ck_assert_msg(why == NULL, "%s: %s", path, why);
        ck_assert_msg(strcmp(names, json_pages[i].names) == 0, "%s: %s", path, names);
        assert_body_has(&r, json_pages[i].has, true);
        free(names);
        ts_response_free(&r);
    }
    ts_server_stop(&s);
}
END_TEST

static Suite *autoindex_suite(void)
{
    Suite *suite = suite_create("autoindex");
    TCase *basics = tcase_create("basics");
    tcase_set_timeout(basics, 60);
    tcase_add_test(basics, test_disabled_is_403);
    tcase_add_test(basics, test_when_listed);
    tcase_add_test(basics, test_order);
    tcase_add_loop_test(basics, test_options, 0, N_OPTION_CASES);
    tcase_add_test(basics, test_bad_option_refused);
    suite_add_tcase(suite, basics);

    TCase *content = tcase_create("content");
    tcase_set_timeout(content, 60);
    tcase_add_test(content, test_ignore_default);
    tcase_add_test(content, test_ignore_patterns);
    tcase_add_test(content, test_ignore_nothing);
    tcase_add_test(content, test_hidden_names_not_listed_without_serve_hidden);
    tcase_add_test(content, test_links_and_specials);
    tcase_add_test(content, test_links_refused_by_policy_not_listed);
    tcase_add_test(content, test_header_readme);
    tcase_add_test(content, test_hostile_names_html);
    tcase_add_test(content, test_hostile_names_json);
    tcase_add_test(content, test_json);
    tcase_add_test(content, test_revalidation);
    tcase_add_test(content, test_pages);
    tcase_add_test(content, test_cache_follows_folder);
    tcase_add_test(content, test_cache_expires);
    suite_add_tcase(suite, content);
    return suite;
}

int main(void)
{
    return ts_run_session(autoindex_suite());
}
