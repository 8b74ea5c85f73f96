/*
 * check_http_date.c — server/parse/http_date.c: the three HTTP-date forms (RFC 9110 §5.6.7), the
 * leniency decided once, what is not a date, and the formatter.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parse/http_date.h"
#include "testsupport_run.h"

/* 784111777 is Sun, 06 Nov 1994 08:49:37 GMT, the RFC's example. The rows come from the two
 * parsers this one replaced (mod_static's and mod_autoindex's); "lenient" marks the inputs on
 * which they disagreed, decided here once: accepted. */
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
    {"lenient: surrounding blanks", "  Sun, 06 Nov 1994 08:49:37 GMT ", 0, 784111777},
    {"lenient: tabs around", "\tSun, 06 Nov 1994 08:49:37 GMT\t", 0, 784111777},
    {"lenient: one-digit day in IMF", "Sun, 6 Nov 1994 08:49:37 GMT", 0, 784111777},
    {"lenient: one-digit day in RFC 850", "Sunday, 6-Nov-94 08:49:37 GMT", 0, 784111777},
    {"lenient: asctime, one space before a one-digit day", "Sun Nov 6 08:49:37 1994", 0, 784111777},
    {"lenient: lower-case names", "sun, 06 nov 1994 08:49:37 gmt", 0, 784111777},
    {"lenient: upper-case names", "SUNDAY, 06-NOV-94 08:49:37 GMT", 0, 784111777},
    {"lenient: lower-case month", "Sun, 06 nov 1994 08:49:37 GMT", 0, 784111777},
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
    {"three-digit day", "Sun, 006 Nov 1994 08:49:37 GMT", -1, 0},
    {"no day", "Sun,  Nov 1994 08:49:37 GMT", -1, 0},
    {"two blanks in IMF", "Sun,  06 Nov 1994 08:49:37 GMT", -1, 0},
    {"asctime, three blanks", "Sun Nov   6 08:49:37 1994", -1, 0},
    {"IMF with a two-digit year", "Sun, 06 Nov 94 08:49:37 GMT", -1, 0},
    {"trailing junk after a blank", "Sun, 06 Nov 1994 08:49:37 GMT junk", -1, 0},
    {"a blank inside GMT", "Sun, 06 Nov 1994 08:49:37 G MT", -1, 0},
    {"trailing junk", "Sun, 06 Nov 1994 08:49:37 GMTx", -1, 0},
    {"a number", "784111777", -1, 0},
    {"truncated", "Sun, 06 Nov 19", -1, 0},
    {"day 00", "Sun, 00 Nov 1994 08:49:37 GMT", -1, 0},
};

START_TEST(test_date_parse)
{
    time_t t = -12345;
    int rc = pfd_http_date_parse(date_cases[_i].in, &t);
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
    ck_assert_int_eq(pfd_http_date_parse(NULL, &t), -1);
}
END_TEST

/* Formatting round-trips through parsing, and matches the RFC's example. */
START_TEST(test_date_format)
{
    static const long long times[] = {784111777,  0, 951825600, 1577836800, 4102444800LL,
                                      2145916555, 1, 86399,     1700000000, 253402300799LL};
    char out[30];
    pfd_http_date_format(784111777, out);
    ck_assert_str_eq(out, "Sun, 06 Nov 1994 08:49:37 GMT");
    pfd_http_date_format(0, out);
    ck_assert_str_eq(out, "Thu, 01 Jan 1970 00:00:00 GMT");
    for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
        time_t back = 0;
        pfd_http_date_format((time_t)times[i], out);
        ck_assert_msg(pfd_http_date_parse(out, &back) == 0 && (long long)back == times[i],
                      "%lld -> \"%s\" -> %lld", times[i], out, (long long)back);
    }
    /* Every day for 200 years from 1900: weekday, month and day stay consistent. */
    for (long long t = -2208988800LL; t < 4102444800LL; t += 86400 + 3601) {
        time_t back = 0;
        pfd_http_date_format((time_t)t, out);
        ck_assert_msg(pfd_http_date_parse(out, &back) == 0 && (long long)back == t, "%lld: %s", t,
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

/* ---- pfd_http_date_format: a table, and against strftime()
 * ----------------------------------------------------------------- */

struct format_case {
    const char *desc;
    time_t t;
    const char *date;
};

static const struct format_case format_cases[] = {
    {"the epoch", 0, "Thu, 01 Jan 1970 00:00:00 GMT"},
    {"RFC 9110's example", 784111777, "Sun, 06 Nov 1994 08:49:37 GMT"},
    {"one second before the epoch", -1, "Wed, 31 Dec 1969 23:59:59 GMT"},
    {"the last second of 1999", 946684799, "Fri, 31 Dec 1999 23:59:59 GMT"},
    {"leap day of 2000 (divisible by 400)", 951782400, "Tue, 29 Feb 2000 00:00:00 GMT"},
    {"leap day of 2024", 1709208000, "Thu, 29 Feb 2024 12:00:00 GMT"},
    {"the 366th day of 2024", 1735689599, "Tue, 31 Dec 2024 23:59:59 GMT"},
    {"1 March 1972, after a leap day", 68256000, "Wed, 01 Mar 1972 00:00:00 GMT"},
    {"the last second of 32-bit time_t", 2147483647, "Tue, 19 Jan 2038 03:14:07 GMT"},
    {"the first second past 32-bit time_t", 2147483648, "Tue, 19 Jan 2038 03:14:08 GMT"},
    {"2100 is not a leap year: 28 Feb", 4107542399, "Sun, 28 Feb 2100 23:59:59 GMT"},
    {"2100 is not a leap year: then 1 Mar", 4107542400, "Mon, 01 Mar 2100 00:00:00 GMT"},
    {"the last second of year 9999", 253402300799, "Fri, 31 Dec 9999 23:59:59 GMT"},
};

START_TEST(test_http_date_table)
{
    for (size_t i = 0; i < sizeof(format_cases) / sizeof(format_cases[0]); i++) {
        const struct format_case *tc = &format_cases[i];
        char out[31];
        memset(out, 'x', sizeof(out));
        pfd_http_date_format(tc->t, out);
        ck_assert_msg(out[29] == '\0', "%s: not terminated at byte 29", tc->desc);
        ck_assert_msg(out[30] == 'x', "%s: wrote past 30 bytes", tc->desc);
        ck_assert_msg(strcmp(out, tc->date) == 0, "%s (%lld): \"%s\", want \"%s\"", tc->desc,
                      (long long)tc->t, out, tc->date);
    }
}
END_TEST

/* Every day of 1970–2100 at noon (and a second before midnight) against gmtime_r + strftime in
 * the C locale: weekdays, month lengths and leap years all agree. */
START_TEST(test_http_date_against_strftime)
{
    for (time_t day = 0; day < (time_t)47847; day++) {
        time_t times[] = {day * 86400 + 43200, day * 86400 + 86399};
        for (size_t k = 0; k < 2; k++) {
            struct tm tm;
            char want[64], got[30];
            ck_assert_ptr_nonnull(gmtime_r(&times[k], &tm));
            strftime(want, sizeof(want), "%a, %d %b %Y %H:%M:%S GMT", &tm);
            pfd_http_date_format(times[k], got);
            ck_assert_msg(strcmp(got, want) == 0, "%lld: \"%s\", want \"%s\"", (long long)times[k],
                          got, want);
        }
    }
}
END_TEST

/* Past year 9999 an IMF-fixdate cannot be written (4-digit year). Whatever the function falls
 * back to must still be a real date a client can parse, not garbage such as day 00. */
START_TEST(test_http_date_out_of_range)
{
    const time_t times[] = {253402300800, (time_t)1 << 40, -62167219201};
    for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
        char out[30];
        pfd_http_date_format(times[i], out);
        struct tm tm;
        memset(&tm, 0, sizeof(tm));
        const char *end = strptime(out, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        ck_assert_msg(strlen(out) == 29 && end != NULL && *end == '\0',
                      "%lld: \"%s\" is not an IMF-fixdate", (long long)times[i], out);
        ck_assert_msg(tm.tm_mday >= 1 && tm.tm_mday <= 31, "%lld: \"%s\" has day %02d",
                      (long long)times[i], out, tm.tm_mday);
    }
}
END_TEST

/* ---- pfd_iso8601_format: the JSON dates of mod_autoindex and mod_status -------------------- */

static const struct format_case iso_cases[] = {
    {"the epoch", 0, "1970-01-01T00:00:00Z"},
    {"RFC 9110's example", 784111777, "1994-11-06T08:49:37Z"},
    {"mod_autoindex's test", 1600000000, "2020-09-13T12:26:40Z"},
    {"one second before the epoch", -1, "1969-12-31T23:59:59Z"},
    {"leap day of 2000", 951782400, "2000-02-29T00:00:00Z"},
    {"the last second of year 9999", 253402300799, "9999-12-31T23:59:59Z"},
    {"past 9999: clamped", 253402300800, "9999-12-31T23:59:59Z"},
    {"before year 0: clamped", -62167219201, "0000-01-01T00:00:00Z"},
};

START_TEST(test_iso8601_table)
{
    for (size_t i = 0; i < sizeof(iso_cases) / sizeof(iso_cases[0]); i++) {
        char out[22];
        memset(out, 'x', sizeof(out));
        pfd_iso8601_format(iso_cases[i].t, out);
        ck_assert_msg(out[21] == 'x', "%s: wrote past 21 bytes", iso_cases[i].desc);
        ck_assert_msg(strcmp(out, iso_cases[i].date) == 0, "%s: \"%s\", want \"%s\"",
                      iso_cases[i].desc, out, iso_cases[i].date);
    }
}
END_TEST

/* Every day of 1900–2100 against gmtime_r + strftime, as the two copies it replaced did it. */
START_TEST(test_iso8601_against_strftime)
{
    for (long long t = -2208988800LL; t < 4102444800LL; t += 86400 + 3601) {
        struct tm tm;
        time_t tt = (time_t)t;
        char want[64], got[21];
        ck_assert_ptr_nonnull(gmtime_r(&tt, &tm));
        strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm);
        pfd_iso8601_format(tt, got);
        ck_assert_str_eq(got, want);
    }
}
END_TEST

static Suite *http_date_suite(void)
{
    Suite *s = suite_create("http_date");
    TCase *tc = tcase_create("parse");
    tcase_add_loop_test(tc, test_date_parse, 0, sizeof(date_cases) / sizeof(date_cases[0]));
    tcase_add_test(tc, test_date_null);
    tcase_add_test(tc, test_date_format);
    suite_add_tcase(s, tc);
    TCase *format = tcase_create("format");
    tcase_add_test(format, test_http_date_table);
    tcase_add_test(format, test_http_date_against_strftime);
    tcase_add_test(format, test_http_date_out_of_range);
    tcase_add_test(format, test_iso8601_table);
    tcase_add_test(format, test_iso8601_against_strftime);
    suite_add_tcase(s, format);
    return s;
}

int main(void)
{
    return ts_run_suite(http_date_suite());
}
