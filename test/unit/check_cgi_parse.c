/*
 * check_cgi_parse.c — the CGI response head parser, the environment rules and the PATH_INFO split
 * (modules/cgi/cgi_*.c), without a server.
 */
#include "cgi_args.h"
#include "cgi_env.h"
#include "cgi_parse.h"
#include "cgi_path.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testsupport_run.h"

struct head_row {
    const char *description;
    const char *input;
    bool nph;
    int rc;
    int status;
    const char *location;
    const char *content_type;
    long long content_length;
    size_t nfields;
};

static const struct head_row head_rows[] = {
    {"CRLF head", "Content-Type: text/html\r\n\r\nbody", false, 0, 0, NULL, "text/html", -1, 0},
    {"LF head", "Content-Type: text/html\n\nbody", false, 0, 0, NULL, "text/html", -1, 0},
    {"Status and reason", "Status: 404 Not Found\r\n\r\n", false, 0, 404, NULL, NULL, -1, 0},
    {"Status without reason", "Status: 201\n\n", false, 0, 201, NULL, NULL, -1, 0},
    {"Location", "Location: /x?y\n\n", false, 0, 0, "/x?y", NULL, -1, 0},
    {"Content-Length", "Content-Length: 12\nX-A: b\n\n", false, 0, 0, NULL, NULL, 12, 1},
    {"Content-Length twice, the same", "Content-Length: 5\nContent-Length: 5\n\n", false, 0, 0,
     NULL, NULL, 5, 0},
    {"Content-Length twice, different",
     "HTTP/1.1 200 OK\nContent-Length: 5\nContent-Length: 50\n\n", true, -1, 0, NULL, NULL, -1, 0},
    {"empty head", "\r\nbody", false, 0, 0, NULL, NULL, -1, 0},
    {"folded line", "X-A: a\n b\n\n", false, 0, 0, NULL, NULL, -1, 1},
    {"no colon", "garbage\n\n", false, -1, 0, NULL, NULL, -1, 0},
    {"space in a name", "Bad Name: x\n\n", false, -1, 0, NULL, NULL, -1, 0},
    {"Status letters", "Status: abc\n\n", false, -1, 0, NULL, NULL, -1, 0},
    {"Status 600", "Status: 600\n\n", false, -1, 0, NULL, NULL, -1, 0},
    {"Content-Length negative", "Content-Length: -1\n\n", false, -1, 0, NULL, NULL, -1, 0},
    {"nph status line", "HTTP/1.1 202 Accepted\r\nX-A: b\r\n\r\n", true, 0, 202, NULL, NULL, -1, 1},
    {"nph without a status line", "X-A: b\r\n\r\n", true, -1, 0, NULL, NULL, -1, 0},
};

START_TEST(test_head_parse)
{
    const struct head_row *row = &head_rows[_i];
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", row->input);
    size_t end = cgi_head_end(buf, strlen(buf), 0);
    ck_assert_msg(end > 0, "%s: no end found", row->description);
    struct cgi_head h;
    const char *err = NULL;
    int rc = cgi_head_parse(buf, end, row->nph, &h, &err);
    ck_assert_msg(rc == row->rc, "%s: rc %d (%s)", row->description, rc, err);
    if (rc != 0)
        return;
    ck_assert_int_eq(h.status, row->status);
    ck_assert_int_eq(h.content_length, row->content_length);
    ck_assert_uint_eq(h.nfields, row->nfields);
    if (row->location != NULL)
        ck_assert_str_eq(h.location, row->location);
    if (row->content_type != NULL)
        ck_assert_str_eq(h.content_type, row->content_type);
}
END_TEST

/* RFC 9110 §5.5: field values are VCHAR, obs-text, SP and HTAB. A control byte, a bare CR or
 * DEL in any value (Status and Location included) refuses the head; so does a fold in an nph-
 * head, which is sent unchanged (RFC 9112 §5.2). */
static const struct {
    const char *description;
    const char *input;
    bool nph;
    int rc;
} control_rows[] = {
    {"\\x01 in a value", "X-A: a\001b\n\n", false, -1},
    {"a bare CR in a value", "X-A: a\rb\r\n\r\n", false, -1},
    {"a bare CR ending a value before CRLF", "X-A: ab\r\r\n\r\n", false, -1},
    {"DEL in a value", "X-A: a\177\n\n", false, -1},
    {"ESC in Content-Type", "Content-Type: text/html\033[0m\n\n", false, -1},
    {"a control byte in Location", "Location: /x\002y\n\n", false, -1},
    {"a control byte in Status' reason", "Status: 200 O\001K\n\n", false, -1},
    {"a control byte in an nph status line", "HTTP/1.1 200 O\002K\r\n\r\n", true, -1},
    {"a folded line in an nph head", "HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\n\r\n", true, -1},
    {"HTAB, SP and obs-text are fine", "X-A: a\tb c\351\n\n", false, 0},
    {"a folded line is joined with spaces", "X-A: a\r\n\tb\r\n\r\n", false, 0},
};

START_TEST(test_head_refuses_control_characters)
{
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", control_rows[_i].input);
    size_t end = cgi_head_end(buf, strlen(buf), 0);
    ck_assert_msg(end > 0, "%s: no end found", control_rows[_i].description);
    struct cgi_head h;
    const char *err = NULL;
    int rc = cgi_head_parse(buf, end, control_rows[_i].nph, &h, &err);
    ck_assert_msg(rc == control_rows[_i].rc, "%s: rc %d (%s)", control_rows[_i].description, rc,
                  err);
    if (rc == 0 && h.nfields == 1)
        for (const char *p = h.fields[0].value; *p != '\0'; p++)
            ck_assert_msg(*p != '\r' && *p != '\n', "%s: a line end left in the value",
                          control_rows[_i].description);
}
END_TEST

/* The end is found whichever way the head is cut into pieces. */
START_TEST(test_head_end_in_pieces)
{
    const char *head = "A: b\r\nC: d\r\n\r\nbody";
    size_t len = strlen(head), want = strlen("A: b\r\nC: d\r\n\r\n");
    for (size_t cut = 1; cut < len; cut++) {
        size_t end = cgi_head_end(head, cut, 0);
        if (end == 0)
            end = cgi_head_end(head, len, cut);
        ck_assert_msg(end == want, "cut at %zu: %zu", cut, end);
    }
    ck_assert_uint_eq(cgi_head_end("A: b\n", 5, 0), 0);
}
END_TEST

struct header_row {
    const char *field;
    bool pass_auth;
    const char *want; /* NULL: not passed */
};

static const struct header_row header_rows[] = {
    {"X-Foo", false, "HTTP_X_FOO"},
    {"user-agent", false, "HTTP_USER_AGENT"},
    {"X_Foo", false, NULL},
    {"Proxy", false, NULL},
    {"Authorization", false, NULL},
    {"Authorization", true, "HTTP_AUTHORIZATION"},
    {"Proxy-Authorization", true, NULL},
    {"Content-Type", false, NULL},
    {"Content-Length", false, NULL},
    {"X.Y", false, NULL},
};

START_TEST(test_env_header_name)
{
    const struct header_row *row = &header_rows[_i];
    char out[CGI_ENV_NAME_MAX];
    int rc = cgi_env_header_name(row->field, row->pass_auth, out, sizeof(out));
    if (row->want == NULL)
        ck_assert_msg(rc == -1, "%s should be dropped, got %s", row->field, out);
    else
        ck_assert_msg(rc == 0 && strcmp(out, row->want) == 0, "%s", row->field);
}
END_TEST

START_TEST(test_env_list)
{
    struct cgi_env e;
    cgi_env_init(&e);
    ck_assert_int_eq(cgi_env_set(&e, "A", "1"), 0);
    ck_assert_int_eq(cgi_env_set(&e, "A", "2"), 0);
    ck_assert_int_eq(cgi_env_append(&e, "HTTP_COOKIE", "; ", "a=1"), 0);
    ck_assert_int_eq(cgi_env_append(&e, "HTTP_COOKIE", "; ", "b=2"), 0);
    ck_assert_int_eq(cgi_env_put(&e, "B=x=y"), 0);
    ck_assert_int_eq(cgi_env_put(&e, "=bad"), -1);
    ck_assert_int_eq(cgi_env_set(&e, "C=D", "x"), -1);
    ck_assert_uint_eq(e.n, 3);
    ck_assert_str_eq(cgi_env_get(&e, "A"), "2");
    ck_assert_str_eq(cgi_env_get(&e, "HTTP_COOKIE"), "a=1; b=2");
    ck_assert_str_eq(cgi_env_get(&e, "B"), "x=y");
    ck_assert_ptr_null(e.vars[3]);
    for (int i = 0; i < CGI_ENV_MAX_VARS + 10; i++) {
        char name[32];
        snprintf(name, sizeof(name), "V%d", i);
        if (cgi_env_set(&e, name, "v") != 0)
            break;
    }
    ck_assert_uint_eq(e.n, CGI_ENV_MAX_VARS);
    cgi_env_free(&e);
}
END_TEST

START_TEST(test_path_split)
{
    char root[] = "/tmp/check-cgi-path-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(root));
    char dir[128], file[160], path[256];
    snprintf(dir, sizeof(dir), "%s/cgi-bin", root);
    snprintf(file, sizeof(file), "%s/s.cgi", dir);
    ck_assert_int_eq(mkdir(dir, 0755), 0);
    FILE *f = fopen(file, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    size_t len = 0;
    struct stat st;
    snprintf(path, sizeof(path), "%s/extra/path", file);
    ck_assert_int_eq(cgi_path_split(path, strlen(root), &len, &st), 0);
    ck_assert_uint_eq(len, strlen(file));
    ck_assert_int_eq(cgi_path_split(file, strlen(root), &len, &st), 0);
    ck_assert_uint_eq(len, strlen(file));
    ck_assert_int_eq(cgi_path_split(dir, strlen(root), &len, &st), 0);
    ck_assert(S_ISDIR(st.st_mode));
    snprintf(path, sizeof(path), "%s/missing/x", dir);
    ck_assert_int_eq(cgi_path_split(path, strlen(root), &len, &st), -1);
    unlink(file);
    rmdir(dir);
    rmdir(root);
}
END_TEST

/* RFC 3875 §4.4: search words become arguments; a query with '=' does not. */
static const struct {
    const char *desc;
    const char *query;
    size_t n;
    const char *words[4];
} args_cases[] = {
    {"one word", "hello", 1, {"hello"}},
    {"words split on plus", "a+b+c", 3, {"a", "b", "c"}},
    {"escapes decoded after the split", "a%2Bb+%3Cc%3E", 2, {"a+b", "<c>"}},
    {"an empty word", "a++b", 3, {"a", "", "b"}},
    {"a form query is not a search", "a=1&b=2", 0, {NULL}},
    {"empty query", "", 0, {NULL}},
    {"a bad escape: no arguments", "a+%zz", 0, {NULL}},
    {"a decoded NUL: no arguments", "a%00b", 0, {NULL}},
};

START_TEST(test_search_args)
{
    char copy[64];
    char *words[CGI_ARGS_MAX];
    snprintf(copy, sizeof(copy), "%s", args_cases[_i].query);
    size_t n = cgi_args_from_query(copy, words, CGI_ARGS_MAX);
    ck_assert_msg(n == args_cases[_i].n, "%s: %zu words", args_cases[_i].desc, n);
    for (size_t k = 0; k < n; k++)
        ck_assert_msg(strcmp(words[k], args_cases[_i].words[k]) == 0, "%s: word %zu is \"%s\"",
                      args_cases[_i].desc, k, words[k]);
}
END_TEST

START_TEST(test_search_args_bounded)
{
    char copy[512] = "";
    for (int k = 0; k < CGI_ARGS_MAX + 10; k++)
        strcat(copy, k ? "+w" : "w");
    char *words[CGI_ARGS_MAX];
    ck_assert_uint_eq(cgi_args_from_query(copy, words, CGI_ARGS_MAX), CGI_ARGS_MAX);
}
END_TEST

static Suite *cgi_parse_suite(void)
{
    Suite *s = suite_create("cgi_parse");
    TCase *tc = tcase_create("cgi");
    tcase_add_loop_test(tc, test_head_parse, 0, (int)(sizeof(head_rows) / sizeof(head_rows[0])));
    tcase_add_loop_test(tc, test_head_refuses_control_characters, 0,
                        (int)(sizeof(control_rows) / sizeof(control_rows[0])));
    tcase_add_test(tc, test_head_end_in_pieces);
    tcase_add_loop_test(tc, test_env_header_name, 0,
                        (int)(sizeof(header_rows) / sizeof(header_rows[0])));
    tcase_add_test(tc, test_env_list);
    tcase_add_test(tc, test_path_split);
    tcase_add_loop_test(tc, test_search_args, 0, sizeof(args_cases) / sizeof(args_cases[0]));
    tcase_add_test(tc, test_search_args_bounded);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(cgi_parse_suite());
}
