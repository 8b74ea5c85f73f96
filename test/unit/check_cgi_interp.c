/*
 * check_cgi_interp.c — interpreter mappings (modules/cgi/cgi_interp.c): parsing the configured
 * text, checking the program, choosing the mapping for a file name or a handler name.
 */
#include "cgi_interp.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testsupport_run.h"

struct parse_row {
    const char *description;
    const char *text;
    bool with_ext;
    bool ok;
    const char *ext;
    size_t argc;
    const char *last; /* the last argv word */
};

static const struct parse_row parse_rows[] = {
    {"extension and program", ".php /usr/bin/php-cgi", true, true, ".php", 1, "/usr/bin/php-cgi"},
    {"with arguments", ".php /usr/bin/php-cgi -d upload_max_filesize=16M", true, true, ".php", 3,
     "upload_max_filesize=16M"},
    {"tabs and runs of blanks", "\t.py   /usr/bin/python3\t-u ", true, true, ".py", 2, "-u"},
    {"program alone", "/usr/bin/php-cgi", false, true, NULL, 1, "/usr/bin/php-cgi"},
    {"program alone, with arguments", "/usr/bin/php-cgi -n", false, true, NULL, 2, "-n"},
    {"no program", ".php", true, false, NULL, 0, NULL},
    {"empty", "", true, false, NULL, 0, NULL},
    {"blanks", "   ", false, false, NULL, 0, NULL},
    {"extension without a dot", "php /usr/bin/php-cgi", true, false, NULL, 0, NULL},
    {"a lone dot", ". /usr/bin/php-cgi", true, false, NULL, 0, NULL},
    {"a slash in the extension", ".x/y /usr/bin/php-cgi", true, false, NULL, 0, NULL},
    {"relative program", ".php php-cgi", true, false, NULL, 0, NULL},
    {"relative program alone", "bin/php-cgi", false, false, NULL, 0, NULL},
    {"an extension where a program belongs", ".php", false, false, NULL, 0, NULL},
    {"16 arguments", "/p 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16", false, true, NULL, 17, "16"},
    {"17 arguments", "/p 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17", false, false, NULL, 0, NULL},
    {"17 arguments after an extension", ".x /p 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17", true,
     false, NULL, 0, NULL},
};

START_TEST(test_parse)
{
    const struct parse_row *row = &parse_rows[_i];
    struct cgi_interp in;
    const char *why = cgi_interp_parse(row->text, row->with_ext, &in);
    ck_assert_msg((why == NULL) == row->ok, "%s: %s", row->description, why ? why : "accepted");
    if (row->ok) {
        if (row->ext != NULL)
            ck_assert_str_eq(in.ext, row->ext);
        else
            ck_assert_ptr_null(in.ext);
        ck_assert_uint_eq(in.argc, row->argc);
        ck_assert_str_eq(in.argv[in.argc - 1], row->last);
        ck_assert_ptr_null(in.argv[in.argc]);
    } else {
        ck_assert_ptr_null(in.words);
    }
    cgi_interp_free(&in);
}
END_TEST

START_TEST(test_parse_bounded)
{
    char text[CGI_INTERP_TEXT_MAX + 16];
    memset(text, 'a', sizeof(text) - 1);
    text[0] = '/';
    text[sizeof(text) - 1] = '\0';
    struct cgi_interp in;
    ck_assert_ptr_nonnull(cgi_interp_parse(text, false, &in));
}
END_TEST

START_TEST(test_check_program)
{
    ck_assert_ptr_null(cgi_interp_check_program("/bin/sh"));
    ck_assert_ptr_nonnull(cgi_interp_check_program("/nonexistent/php-cgi"));
    ck_assert_ptr_nonnull(cgi_interp_check_program("/tmp")); /* a folder */
    char plain[] = "/tmp/check_cgi_interp_XXXXXX";           /* a file without an exec bit */
    int fd = mkstemp(plain);
    ck_assert_int_ge(fd, 0);
    close(fd);
    const char *why = cgi_interp_check_program(plain);
    unlink(plain);
    ck_assert_ptr_nonnull(why);
}
END_TEST

/* Two mappings, the second's extension ending in the first's. */
static void interp_pair(struct cgi_interp list[3])
{
    ck_assert_ptr_null(cgi_interp_parse(".php /usr/bin/php-cgi", true, &list[0]));
    ck_assert_ptr_null(cgi_interp_parse(".tpl.php /usr/bin/php -n", true, &list[1]));
    ck_assert_ptr_null(cgi_interp_parse(".py /usr/bin/python3", true, &list[2]));
}

static void interp_pair_free(struct cgi_interp list[3])
{
    for (int i = 0; i < 3; i++)
        cgi_interp_free(&list[i]);
}

static const struct {
    const char *description;
    const char *name;
    int index; /* into the list, -1: none */
} find_rows[] = {
    {"plain", "/srv/www/index.php", 0},
    {"upper case", "/srv/www/INDEX.PHP", 0},
    {"the longest extension wins", "/srv/www/page.tpl.php", 1},
    {"another", "/srv/www/app.py", 2},
    {"not at the end", "/srv/www/index.php.txt", -1},
    {"no extension", "/srv/www/README", -1},
    {"a shorter name than any extension", "p", -1},
};

START_TEST(test_find)
{
    struct cgi_interp list[3];
    interp_pair(list);
    const char *name = find_rows[_i].name;
    const struct cgi_interp *in = cgi_interp_find(list, 3, name, strlen(name));
    int want = find_rows[_i].index;
    ck_assert_msg(in == (want < 0 ? NULL : &list[want]), "%s", find_rows[_i].description);
    interp_pair_free(list);
}
END_TEST

static const struct {
    const char *handler;
    int index;
} handler_rows[] = {
    {"interpreter:.php", 0},
    {"INTERPRETER:.PY", 2},
    {"interpreter:.tpl.php", 1},
    {"php-script", 0},
    {"application/x-httpd-php", 0},
    {"x-httpd-php", 0},
    {"php5-script", 0},
    {"cgi-script", -1},
    {"interpreter:.rb", -1},
    {"interpreter:php", -1},
    {"default-handler", -1},
    {"", -1},
};

START_TEST(test_for_handler)
{
    struct cgi_interp list[3];
    interp_pair(list);
    const struct cgi_interp *in = cgi_interp_for_handler(list, 3, handler_rows[_i].handler);
    int want = handler_rows[_i].index;
    ck_assert_msg(in == (want < 0 ? NULL : &list[want]), "\"%s\"", handler_rows[_i].handler);
    interp_pair_free(list);
}
END_TEST

static const struct {
    const char *handler, *name;
    int index;
} dir_handler_rows[] = {
    {"php-script", "/w/page.html", 0},      /* AddHandler php-script .html */
    {"interpreter:.py", "/w/tool", 2},      /* SetHandler interpreter:.py */
    {"php82-script", "/w/index.php", 0},    /* a host's own name: the extension decides */
    {"php82-script", "/w/page.tpl.php", 1}, /* the longest extension */
    {"php82-script", "/w/readme.txt", -1},  /* nothing maps it: not run */
    {"interpreter:.rb", "/w/index.php", 0}, /* an unmapped name: the extension's */
};

START_TEST(test_for_dir_handler)
{
    struct cgi_interp list[3];
    interp_pair(list);
    const char *name = dir_handler_rows[_i].name;
    const struct cgi_interp *in =
        cgi_interp_for_dir_handler(list, 3, dir_handler_rows[_i].handler, name, strlen(name));
    int want = dir_handler_rows[_i].index;
    ck_assert_msg(in == (want < 0 ? NULL : &list[want]), "\"%s\" for %s",
                  dir_handler_rows[_i].handler, name);
    interp_pair_free(list);
}
END_TEST

static Suite *cgi_interp_suite(void)
{
    Suite *s = suite_create("cgi_interp");
    TCase *tc = tcase_create("interp");
    tcase_add_loop_test(tc, test_parse, 0, (int)(sizeof(parse_rows) / sizeof(parse_rows[0])));
    tcase_add_test(tc, test_parse_bounded);
    tcase_add_test(tc, test_check_program);
    tcase_add_loop_test(tc, test_find, 0, (int)(sizeof(find_rows) / sizeof(find_rows[0])));
    tcase_add_loop_test(tc, test_for_handler, 0,
                        (int)(sizeof(handler_rows) / sizeof(handler_rows[0])));
    tcase_add_loop_test(tc, test_for_dir_handler, 0,
                        (int)(sizeof(dir_handler_rows) / sizeof(dir_handler_rows[0])));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(cgi_interp_suite());
}
