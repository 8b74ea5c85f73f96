/*
 * check_static_range.c — modules/static/static_range.c: Range parsing (RFC 9110 §14.1.2), 416
 * conditions, clipping, coalescing and the amplification guards.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "static_range.h"
#include "testsupport_run.h"

static const struct {
    const char *what;
    const char *in;
    long long size;
    enum static_range_result rc;
    const char *expect; /* "first-last,first-last" after coalescing */
} range_cases[] = {
    {"first bytes", "bytes=0-499", 1000, STATIC_RANGE_OK, "0-499"},
    {"open end", "bytes=500-", 1000, STATIC_RANGE_OK, "500-999"},
    {"suffix", "bytes=-200", 1000, STATIC_RANGE_OK, "800-999"},
    {"suffix longer than the file", "bytes=-5000", 1000, STATIC_RANGE_OK, "0-999"},
    {"last past the end is clipped", "bytes=900-5000", 1000, STATIC_RANGE_OK, "900-999"},
    {"single byte", "bytes=0-0", 1000, STATIC_RANGE_OK, "0-0"},
    {"last byte", "bytes=999-999", 1000, STATIC_RANGE_OK, "999-999"},
    {"unit case-insensitive", "Bytes=1-2", 1000, STATIC_RANGE_OK, "1-2"},
    {"two ranges", "bytes=0-9,20-29", 1000, STATIC_RANGE_OK, "0-9,20-29"},
    {"blanks around commas", "bytes=0-9 ,  20-29", 1000, STATIC_RANGE_OK, "0-9,20-29"},
    {"empty elements", "bytes=,0-9,,20-29,", 1000, STATIC_RANGE_OK, "0-9,20-29"},
    {"sorted", "bytes=20-29,0-9", 1000, STATIC_RANGE_OK, "0-9,20-29"},
    {"overlap coalesced", "bytes=0-9,5-14", 1000, STATIC_RANGE_OK, "0-14"},
    {"adjacent coalesced", "bytes=0-9,10-19", 1000, STATIC_RANGE_OK, "0-19"},
    {"one unsatisfiable of two", "bytes=0-9,5000-6000", 1000, STATIC_RANGE_OK, "0-9"},
    {"first past the end", "bytes=1000-", 1000, STATIC_RANGE_UNSATISFIABLE, ""},
    {"zero suffix", "bytes=-0", 1000, STATIC_RANGE_UNSATISFIABLE, ""},
    {"empty file", "bytes=0-", 0, STATIC_RANGE_UNSATISFIABLE, ""},
    {"all unsatisfiable", "bytes=2000-3000,4000-", 1000, STATIC_RANGE_UNSATISFIABLE, ""},
    {"huge first-pos", "bytes=99999999999999999999999-", 1000, STATIC_RANGE_UNSATISFIABLE, ""},
    {"huge last-pos", "bytes=10-99999999999999999999999", 1000, STATIC_RANGE_OK, "10-999"},
    {"last before first: invalid", "bytes=10-5", 1000, STATIC_RANGE_IGNORE, ""},
    {"other unit", "items=0-5", 1000, STATIC_RANGE_IGNORE, ""},
    {"no equals", "bytes 0-5", 1000, STATIC_RANGE_IGNORE, ""},
    {"no spec", "bytes=", 1000, STATIC_RANGE_IGNORE, ""},
    {"only commas", "bytes=,,", 1000, STATIC_RANGE_IGNORE, ""},
    {"no dash", "bytes=5", 1000, STATIC_RANGE_IGNORE, ""},
    {"double dash", "bytes=--5", 1000, STATIC_RANGE_IGNORE, ""},
    {"letters", "bytes=a-b", 1000, STATIC_RANGE_IGNORE, ""},
    {"negative", "bytes=-5-10", 1000, STATIC_RANGE_IGNORE, ""},
    {"junk after", "bytes=0-5x", 1000, STATIC_RANGE_IGNORE, ""},
    {"sum over size: repeated", "bytes=0-999,0-999", 1000, STATIC_RANGE_IGNORE, ""},
    {"sum over size: overlapping", "bytes=0-600,400-999", 1000, STATIC_RANGE_IGNORE, ""},
    {"large file end", "bytes=3221225471-", 3221225472LL, STATIC_RANGE_OK, "3221225471-3221225471"},
};

static void format_ranges(const struct static_range *r, size_t n, char *out, size_t size)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && len < size; i++)
        len += (size_t)snprintf(out + len, size - len, "%s%lld-%lld", i ? "," : "",
                                (long long)r[i].first, (long long)r[i].last);
}

START_TEST(test_range_parse)
{
    struct static_range r[STATIC_RANGE_MAX];
    size_t n = 99;
    enum static_range_result rc =
        static_range_parse(range_cases[_i].in, range_cases[_i].size, r, STATIC_RANGE_MAX, &n);
    ck_assert_msg(rc == range_cases[_i].rc, "%s: \"%s\" gave %d, expected %d", range_cases[_i].what,
                  range_cases[_i].in, rc, range_cases[_i].rc);
    char got[512];
    format_ranges(r, rc == STATIC_RANGE_OK ? n : 0, got, sizeof(got));
    ck_assert_msg(strcmp(got, range_cases[_i].expect) == 0, "%s: \"%s\" gave %s, expected %s",
                  range_cases[_i].what, range_cases[_i].in, got, range_cases[_i].expect);
}
END_TEST

/* More specs than allowed: ignored (200), even when each is tiny. */
START_TEST(test_range_too_many)
{
    char header[4096] = "bytes=";
    for (int i = 0; i < 101; i++)
        snprintf(header + strlen(header), sizeof(header) - strlen(header), "%s%d-%d", i ? "," : "",
                 i * 10, i * 10);
    struct static_range r[STATIC_RANGE_MAX];
    size_t n = 0;
    ck_assert_int_eq(static_range_parse(header, 100000, r, STATIC_RANGE_MAX, &n),
                     STATIC_RANGE_IGNORE);
    /* Exactly the maximum is fine, and 100 separate ranges stay 100. */
    *strrchr(header, ',') = '\0';
    ck_assert_int_eq(static_range_parse(header, 100000, r, STATIC_RANGE_MAX, &n), STATIC_RANGE_OK);
    ck_assert_uint_eq(n, 100);
    ck_assert_int_eq(static_range_total(r, n), 100);
    /* A smaller configured maximum. */
    ck_assert_int_eq(static_range_parse("bytes=0-1,5-6,9-10", 100, r, 2, &n), STATIC_RANGE_IGNORE);
}
END_TEST

START_TEST(test_range_null)
{
    struct static_range r[1];
    size_t n = 7;
    ck_assert_int_eq(static_range_parse(NULL, 10, r, 1, &n), STATIC_RANGE_IGNORE);
    ck_assert_uint_eq(n, 0);
}
END_TEST

static Suite *static_range_suite(void)
{
    Suite *s = suite_create("static_range");
    TCase *tc = tcase_create("parse");
    tcase_add_loop_test(tc, test_range_parse, 0, sizeof(range_cases) / sizeof(range_cases[0]));
    tcase_add_test(tc, test_range_too_many);
    tcase_add_test(tc, test_range_null);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(static_range_suite());
}
