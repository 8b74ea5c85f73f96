/*
 * check_static_date.c — modules/lib/static_date.c: the three HTTP-date forms (RFC 9110 §5.6.7)
 * and what is not a date.
 */
#include <check.h>
#include <stdlib.h>
#include <time.h>

#include "static_date.h"
#include "testsupport_run.h"

/* 784111777 is Sun, 06 Nov 1994 08:49:37 GMT, the RFC's example. */
static const struct {
    const char *what;
    const char *in;
    int rc;
    long long t;
} date_cases[] = {
    {"IMF-fixdate", "Sun, 06 Nov 1994 08:49:37 GMT", 0, 784111777},
    {"RFC 850", "Sunday, 06-Nov-94 08:49:37 GMT", 0, 784111777},
    {"asctime, day padded with a space", "Sun Nov  6 08:49:37 1994", 0, 784111777},
    {"asctime, two-digit day", "Thu Nov 24 08:49:37 1994", 0, 785666977},
    {"surrounding blanks", "  Sun, 06 Nov 1994 08:49:37 GMT ", 0, 784111777},
    {"epoch", "Thu, 01 Jan 1970 00:00:00 GMT", 0, 0},
    {"leap day", "Tue, 29 Feb 2000 12:00:00 GMT", 0, 951825600},
    {"RFC 850, year 2000s", "Wednesday, 01-Jan-20 00:00:00 GMT", 0, 1577836800},
    {"after 2038", "Fri, 01 Jan 2100 00:00:00 GMT", 0, 4102444800LL},
    {"empty", "", -1, 0},
    {"garbage", "yesterday", -1, 0},
    {"missing GMT", "Sun, 06 Nov 1994 08:49:37", -1, 0},
    {"other zone", "Sun, 06 Nov 1994 08:49:37 PST", -1, 0},
    {"bad month", "Sun, 06 Foo 1994 08:49:37 GMT", -1, 0},
    {"bad day name", "Xyz, 06 Nov 1994 08:49:37 GMT", -1, 0},
    {"31 February", "Sun, 31 Feb 1994 08:49:37 GMT", -1, 0},
    {"29 Feb in 1900", "Thu, 29 Feb 1900 00:00:00 GMT", -1, 0},
    {"hour 24", "Sun, 06 Nov 1994 24:00:00 GMT", -1, 0},
    {"minute 60", "Sun, 06 Nov 1994 08:60:00 GMT", -1, 0},
    {"one-digit day in IMF", "Sun, 6 Nov 1994 08:49:37 GMT", -1, 0},
    {"trailing junk", "Sun, 06 Nov 1994 08:49:37 GMTx", -1, 0},
    {"a number", "784111777", -1, 0},
    {"truncated", "Sun, 06 Nov 19", -1, 0},
    {"day 00", "Sun, 00 Nov 1994 08:49:37 GMT", -1, 0},
    {"lower-case month", "Sun, 06 nov 1994 08:49:37 GMT", -1, 0},
};

START_TEST(test_date_parse)
{
    time_t t = -12345;
    int rc = static_date_parse(date_cases[_i].in, &t);
    ck_assert_msg(rc == date_cases[_i].rc, "%s: \"%s\" returned %d", date_cases[_i].what,
                  date_cases[_i].in, rc);
    if (rc == 0)
        ck_assert_msg((long long)t == date_cases[_i].t, "%s: %lld, expected %lld",
                      date_cases[_i].what, (long long)t, date_cases[_i].t);
}
END_TEST

START_TEST(test_date_null)
{
    time_t t = 0;
    ck_assert_int_eq(static_date_parse(NULL, &t), -1);
}
END_TEST

/* Formatting round-trips through parsing, and matches the RFC's example. */
START_TEST(test_date_format)
{
    static const long long times[] = {784111777,  0, 951825600, 1577836800, 4102444800LL,
                                      2145916555, 1, 86399,     1700000000, 253402300799LL};
    char out[30];
    static_date_format(784111777, out);
    ck_assert_str_eq(out, "Sun, 06 Nov 1994 08:49:37 GMT");
    static_date_format(0, out);
    ck_assert_str_eq(out, "Thu, 01 Jan 1970 00:00:00 GMT");
    for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
        time_t back = 0;
        static_date_format((time_t)times[i], out);
        ck_assert_msg(static_date_parse(out, &back) == 0 && (long long)back == times[i],
                      "%lld -> \"%s\" -> %lld", times[i], out, (long long)back);
    }
    /* Every day for 200 years from 1900: weekday, month and day stay consistent. */
    for (long long t = -2208988800LL; t < 4102444800LL; t += 86400 + 3601) {
        time_t back = 0;
        static_date_format((time_t)t, out);
        ck_assert_msg(static_date_parse(out, &back) == 0 && (long long)back == t, "%lld: %s", t,
                      out);
        struct tm tm;
        time_t tt = (time_t)t;
        gmtime_r(&tt, &tm);
        char ref[64];
        strftime(ref, sizeof(ref), "%a, %d %b %Y %H:%M:%S GMT", &tm);
        ck_assert_str_eq(out, ref);
    }
}
END_TEST

static Suite *static_date_suite(void)
{
    Suite *s = suite_create("static_date");
    TCase *tc = tcase_create("parse");
    tcase_add_loop_test(tc, test_date_parse, 0, sizeof(date_cases) / sizeof(date_cases[0]));
    tcase_add_test(tc, test_date_null);
    tcase_add_test(tc, test_date_format);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(static_date_suite());
}
