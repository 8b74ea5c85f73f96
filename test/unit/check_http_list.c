/*
 * check_http_list.c — server/parse/http_list.c: the elements of Accept-like lists and their qvalues
 * (RFC 9110 §5.6.1, §12.4.2), with the cases of the two readers it replaced (mod_static's
 * Accept-Encoding, mod_autoindex's Accept).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse/http_list.h"
#include "testsupport_run.h"

#define HTTP_LIST_MAX 8

static const struct list_case {
    const char *desc;
    const char *value;
    const char *elements; /* "name=q name=q": what the loop yields, in order */
} list_cases[] = {
    {"none", NULL, ""},
    {"empty", "", ""},
    {"one, no weight", "gzip", "gzip=1000"},
    {"weights", "gzip;q=0.5, br;q=1", "gzip=500 br=1000"},
    {"blanks around everything", "  gzip ; q=0.5 ,\tbr\t", "gzip=500 br=1000"},
    {"empty elements count for nothing", ", ,gzip,, ,br,", "gzip=1000 br=1000"},
    {"upper-case Q", "gzip;Q=0.25", "gzip=250"},
    {"three decimals", "gzip;q=0.123", "gzip=123"},
    {"1.000 is 1", "gzip;q=1.000", "gzip=1000"},
    {"zero", "gzip;q=0", "gzip=0"},
    {"0. without digits", "gzip;q=0.", "gzip=0"},
    {"four decimals: malformed", "gzip;q=0.5000", "gzip=-1"},
    {"above 1: malformed", "gzip;q=1.5", "gzip=-1"},
    {"exponent: malformed", "gzip;q=1e-1", "gzip=-1"},
    {"no number: malformed", "gzip;q=", "gzip=-1"},
    {"junk before the parameters: malformed", "gzip x;q=1", "gzip=-1"},
    {"other parameters kept out", "text/html;level=1;q=0.7", "text/html=700"},
    {"q before another parameter", "a;q=0.3;x=y", "a=300"},
    {"a media range with a star", "*/*;q=0.1, text/*", "*/*=100 text/*=1000"},
    {"a weight without a name", ";q=0.5, gzip", "=500 gzip=1000"},
};

START_TEST(test_list)
{
    const struct list_case *c = &list_cases[_i];
    char got[256] = "";
    struct pfd_http_element e;
    int n = 0;
    for (const char *p = c->value; (p = pfd_http_list_next(p, &e)) != NULL; n++) {
        ck_assert_int_lt(n, HTTP_LIST_MAX);
        size_t len = strlen(got);
        snprintf(got + len, sizeof(got) - len, "%s%.*s=%d", n ? " " : "", (int)e.name_len, e.name,
                 e.q);
    }
    ck_assert_msg(strcmp(got, c->elements) == 0, "%s: \"%s\", want \"%s\"", c->desc, got,
                  c->elements);
}
END_TEST

/* Each call consumes at least one byte: a list of n elements ends after n calls. */
START_TEST(test_list_bounded)
{
    char value[4096];
    memset(value, ',', sizeof(value) - 1);
    value[sizeof(value) - 1] = '\0';
    struct pfd_http_element e;
    ck_assert_ptr_null(pfd_http_list_next(value, &e));
    for (size_t i = 0; i + 2 < sizeof(value); i += 2)
        value[i] = 'a';
    int n = 0;
    for (const char *p = value; (p = pfd_http_list_next(p, &e)) != NULL; n++)
        ck_assert_int_le(n, (int)sizeof(value));
    ck_assert_int_eq(n, (int)(sizeof(value) - 2) / 2);
}
END_TEST

static Suite *http_list_suite(void)
{
    Suite *s = suite_create("http_list");
    TCase *tc = tcase_create("list");
    tcase_add_loop_test(tc, test_list, 0, (int)(sizeof(list_cases) / sizeof(list_cases[0])));
    tcase_add_test(tc, test_list_bounded);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(http_list_suite());
}
