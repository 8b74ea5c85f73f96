/*
 * check_htaccess_parse.c — parse/htaccess_parse.c: Apache's configuration syntax into nodes
 * (lines, continuations, comments, quotes, sections) and every bound (line, file, directives,
 * nesting) refused with the line to blame.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse/htaccess_parse.h"
#include "testsupport_run.h"

/* The tree as text: "Name(arg|arg)@line" for a directive, "<Name(args)@line>{…}" for a section,
 * each followed by ';'. */
static void dump(const struct pfd_ht_node *nodes, size_t n, char *out, size_t size)
{
    for (size_t i = 0; i < n; i++) {
        const struct pfd_ht_node *nd = &nodes[i];
        size_t len = strlen(out);
        snprintf(out + len, size - len, "%s%s(", nd->container ? "<" : "", nd->name);
        for (size_t a = 0; a < nd->nargs; a++) {
            len = strlen(out);
            snprintf(out + len, size - len, "%s%s", a > 0 ? "|" : "", nd->args[a]);
        }
        len = strlen(out);
        snprintf(out + len, size - len, ")@%u%s", nd->line, nd->container ? ">{" : "");
        if (nd->container) {
            dump(nd->children, nd->nchildren, out, size);
            len = strlen(out);
            snprintf(out + len, size - len, "}");
        }
        len = strlen(out);
        snprintf(out + len, size - len, ";");
    }
}

static const struct {
    const char *what;
    const char *text;
    const char *tree;
} good[] = {
    {"empty", "", ""},
    {"comments and blanks", "# a comment\n\n   # indented\n\t\n", ""},
    {"one directive", "Require all granted\n", "Require(all|granted)@1;"},
    {"no final newline", "Require all denied", "Require(all|denied)@1;"},
    {"CRLF", "AuthType Basic\r\nAuthName x\r\n", "AuthType(Basic)@1;AuthName(x)@2;"},
    {"BOM", "\xEF\xBB\xBFOptions -Indexes\n", "Options(-Indexes)@1;"},
    {"continuation", "Require \\\n  all \\\r\n granted\nX y\n", "Require(all|granted)@1;X(y)@4;"},
    {"a # later is an argument", "Require all granted # no\n", "Require(all|granted|#|no)@1;"},
    {"double quotes", "AuthName \"Admin area\"\n", "AuthName(Admin area)@1;"},
    {"single quotes", "Header set X 'a \"b\" c'\n", "Header(set|X|a \"b\" c)@1;"},
    {"escapes in quotes", "X \"a\\\"b\" 'it\\'s' \"c\\\\d\" \"\\.e\"\n",
     "X(a\"b|it's|c\\d|\\.e)@1;"},
    {"backslashes outside quotes", "RewriteRule ^a\\.b$ x\\\\y\n",
     "RewriteRule(^a\\.b$|x\\\\y)@1;"},
    {"empty quoted argument", "SetEnv X \"\"\n", "SetEnv(X|)@1;"},
    {"section", "<Files ~ \"\\.(inc|sql)$\">\n  Require all denied\n</Files>\n",
     "<Files(~|\\.(inc|sql)$)@1>{Require(all|denied)@2;};"},
    {"nested sections, any case",
     "<IfModule !mod_authz_core.c>\n<Limit GET POST>\nOrder allow,deny\n</limit>\n</IFMODULE>\n",
     "<IfModule(!mod_authz_core.c)@1>{<Limit(GET|POST)@2>{Order(allow,deny)@3;};};"},
    {"section closing with blanks", "<RequireAll>\nRequire valid-user\n</RequireAll >\n",
     "<RequireAll()@1>{Require(valid-user)@2;};"},
};

START_TEST(test_parse_good)
{
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        struct pfd_ht_node *nodes;
        size_t n;
        unsigned line;
        char err[256] = "", tree[2048] = "";
        int rc =
            pfd_htp_parse(good[i].text, strlen(good[i].text), &nodes, &n, &line, err, sizeof(err));
        ck_assert_msg(rc == 0, "%s: refused at line %u: %s", good[i].what, line, err);
        dump(nodes, n, tree, sizeof(tree));
        ck_assert_msg(strcmp(tree, good[i].tree) == 0, "%s: %s, want %s", good[i].what, tree,
                      good[i].tree);
        pfd_htp_free(nodes, n);
    }
}
END_TEST

static const struct {
    const char *what;
    const char *text;
    unsigned line;
    const char *why;
} bad[] = {
    {"unclosed section", "X y\n<Files a>\nRequire all denied\n", 2, "<Files> is not closed"},
    {"close without open", "X\n</Files>\n", 2, "without a matching"},
    {"mismatched close", "<Files a>\n<Limit GET>\n</Files>\n</Limit>\n", 3,
     "</Limit> (of line 2) was expected"},
    {"section line without >", "<Files a\nX\n</Files>\n", 1, "must end with '>'"},
    {"empty section name", "<>\n", 1, "without a name"},
    {"open quote", "\nAuthName \"Admin\n", 2, "quote is not closed"},
    {"NUL byte", "X\nY\0Z\n", 2, "NUL"},
};

START_TEST(test_parse_bad)
{
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct pfd_ht_node *nodes = (struct pfd_ht_node *)1;
        size_t n = 1;
        unsigned line;
        char err[256] = "";
        size_t len = strlen(bad[i].text);
        if (strcmp(bad[i].what, "NUL byte") == 0)
            len = 6;
        int rc = pfd_htp_parse(bad[i].text, len, &nodes, &n, &line, err, sizeof(err));
        ck_assert_msg(rc == -1, "%s: accepted", bad[i].what);
        ck_assert_msg(nodes == NULL && n == 0, "%s: nodes left", bad[i].what);
        ck_assert_msg(line == bad[i].line, "%s: line %u, want %u", bad[i].what, line, bad[i].line);
        ck_assert_msg(strstr(err, bad[i].why) != NULL, "%s: \"%s\" lacks \"%s\"", bad[i].what, err,
                      bad[i].why);
    }
}
END_TEST

/* Runs text (len bytes) and wants a refusal at line with why. */
static void refused(const char *text, size_t len, unsigned want_line, const char *why)
{
    struct pfd_ht_node *nodes;
    size_t n;
    unsigned line;
    char err[256] = "";
    ck_assert_int_eq(pfd_htp_parse(text, len, &nodes, &n, &line, err, sizeof(err)), -1);
    ck_assert_msg(line == want_line, "line %u, want %u (%s)", line, want_line, err);
    ck_assert_msg(strstr(err, why) != NULL, "\"%s\" lacks \"%s\"", err, why);
}

START_TEST(test_parse_bounds)
{
    /* a line of 8 KiB is fine, one byte more (continuations joined) is not */
    char *text = malloc(PFD_HTP_MAX_FILE + 2);
    ck_assert_ptr_nonnull(text);
    memset(text, 'a', PFD_HTP_MAX_LINE);
    memcpy(text, "X ", 2);
    text[PFD_HTP_MAX_LINE] = '\n';
    struct pfd_ht_node *nodes;
    size_t n;
    unsigned line;
    char err[256];
    ck_assert_int_eq(pfd_htp_parse(text, PFD_HTP_MAX_LINE + 1, &nodes, &n, &line, err, sizeof(err)),
                     0);
    pfd_htp_free(nodes, n);
    size_t len = (size_t)sprintf(text, "Y\nX ");
    memset(text + len, 'a', PFD_HTP_MAX_LINE - 4); /* "X a…a" is 8190 bytes */
    len += PFD_HTP_MAX_LINE - 4;
    len += (size_t)sprintf(text + len, "\\\nbbb\n"); /* joined: 8193 */
    refused(text, len, 2, "longer than 8192");

    /* 10 000 directives are fine, 10 001 are not */
    len = 0;
    for (int i = 0; i < PFD_HTP_MAX_DIRECTIVES + 1; i++)
        len += (size_t)sprintf(text + len, "X\n");
    ck_assert_int_eq(pfd_htp_parse(text, len - 2, &nodes, &n, &line, err, sizeof(err)), 0);
    ck_assert_uint_eq(n, PFD_HTP_MAX_DIRECTIVES);
    pfd_htp_free(nodes, n);
    refused(text, len, PFD_HTP_MAX_DIRECTIVES + 1, "more than 10000 directives");

    /* 16 sections deep are fine, 17 are not */
    len = 0;
    for (int i = 0; i < PFD_HTP_MAX_DEPTH; i++)
        len += (size_t)sprintf(text + len, "<IfModule m%d>\n", i);
    for (int i = 0; i < PFD_HTP_MAX_DEPTH; i++)
        len += (size_t)sprintf(text + len, "</IfModule>\n");
    ck_assert_int_eq(pfd_htp_parse(text, len, &nodes, &n, &line, err, sizeof(err)), 0);
    pfd_htp_free(nodes, n);
    len = 0;
    for (int i = 0; i <= PFD_HTP_MAX_DEPTH; i++)
        len += (size_t)sprintf(text + len, "<IfModule m%d>\n", i);
    refused(text, len, PFD_HTP_MAX_DEPTH + 1, "nested more than 16");

    /* a file over 1 MiB, even of comments */
    memset(text, '#', PFD_HTP_MAX_FILE + 1);
    refused(text, PFD_HTP_MAX_FILE + 1, 0, "larger than");
    free(text);
}
END_TEST

static Suite *htaccess_parse_suite(void)
{
    Suite *s = suite_create("htaccess_parse");
    TCase *tc = tcase_create("htaccess_parse");
    tcase_add_test(tc, test_parse_good);
    tcase_add_test(tc, test_parse_bad);
    tcase_add_test(tc, test_parse_bounds);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(htaccess_parse_suite());
}
