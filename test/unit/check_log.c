/*
 * check_log.c — unit tests for the pure parts of the logs: compiling access-log formats (Apache
 * LogFormat, parse/log_format.c) and formatting HTTP dates (RFC 9110 §5.6.7, parse/http_date.c,
 * and the cached Date of base/clock.c).
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "parse/http_date.h"
#include "parse/log_format.h"
#include "testsupport_run.h"

/* ---- pfd_access_format_compile ------------------------------------------------------------ */

struct format_case {
    const char *desc;
    const char *format;
    const char *reason; /* NULL: compiles; else a fragment of the error message */
};

static const struct format_case format_cases[] = {
    {"Apache combined", "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\"", NULL},
    {"Apache common", "%h %l %u %t \"%r\" %>s %b", NULL},
    {"final and original status", "%>s %<s %s", NULL},
    {"request header with a dash", "%{User-Agent}i", NULL},
    {"every documented code",
     "%h %a %A %l %u %t %r %s %>s %b %B %{X-A}i %D %T %U %q %m %H %v %V %p %P %k %X %%", NULL},
    {"literal percent only", "%%", NULL},
    {"literal percent before a code letter", "%%h 100%%", NULL},
    {"no codes at all", "plain text, no codes", NULL},
    {"empty format", "", NULL},
    {"codes without separators", "%h%l%u%>s%b", NULL},
    {"unknown code", "%h %Z", "%Z"},
    {"unknown code after a valid header", "%{Referer}i %j", "%j"},
    {"header argument on an unknown code", "%{Referer}x", "%x"},
    {"'%' at the end", "%h %", "unknown code"},
    {"'%>' at the end", "%h %>", "unknown code"},
    {"'%{Name}' at the end", "%{Referer}", "unknown code"},
    {"unterminated %{", "%{User-Agent", "unterminated %{"},
    {"unterminated %{ after text", "\"%r\" %{Referer", "unterminated %{"},
};

START_TEST(test_access_format_table)
{
    for (size_t i = 0; i < sizeof(format_cases) / sizeof(format_cases[0]); i++) {
        const struct format_case *tc = &format_cases[i];
        char err[256] = "";
        struct pfd_access_format *f = pfd_access_format_compile(tc->format, err, sizeof(err));
        if (tc->reason == NULL) {
            ck_assert_msg(f != NULL, "%s: \"%s\" refused: %s", tc->desc, tc->format, err);
        } else {
            ck_assert_msg(f == NULL, "%s: \"%s\" compiled", tc->desc, tc->format);
            ck_assert_msg(strstr(err, tc->reason) != NULL, "%s: reason \"%s\", want \"%s\" in it",
                          tc->desc, err, tc->reason);
            ck_assert_msg(strstr(err, "access_log_format") != NULL,
                          "%s: the reason \"%s\" does not name the directive", tc->desc, err);
        }
        pfd_access_format_free(f);
    }
}
END_TEST

/* A reason longer than the caller's buffer is cut, never written past it. */
START_TEST(test_access_format_small_error_buffer)
{
    char err[12];
    memset(err, 'x', sizeof(err));
    ck_assert_ptr_null(pfd_access_format_compile("%{Referer", err, 8));
    ck_assert_msg(memchr(err, '\0', 8) != NULL, "the reason is not terminated within 8 bytes");
    for (size_t i = 8; i < sizeof(err); i++)
        ck_assert_msg(err[i] == 'x', "byte %zu past the 8-byte buffer was written", i);
}
END_TEST

START_TEST(test_access_format_free_null)
{
    pfd_access_format_free(NULL); /* a no-op, like free(NULL) */
}
END_TEST

/* ---- pfd_http_date_format ----------------------------------------------------------------- */

struct date_case {
    const char *desc;
    time_t t;
    const char *date;
};

static const struct date_case date_cases[] = {
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
    for (size_t i = 0; i < sizeof(date_cases) / sizeof(date_cases[0]); i++) {
        const struct date_case *tc = &date_cases[i];
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

/* The cached "now" is the current second, formatted the same way. */
START_TEST(test_http_date_now)
{
    for (int attempt = 0; attempt < 3; attempt++) {
        time_t before = time(NULL);
        const char *now = pfd_http_date_now();
        time_t after = time(NULL);
        if (before != after)
            continue; /* a second boundary in between: try again */
        char want[30];
        pfd_http_date_format(before, want);
        ck_assert_str_eq(now, want);
        return;
    }
    ck_abort_msg("three second boundaries in a row");
}
END_TEST

static Suite *log_suite(void)
{
    Suite *s = suite_create("log");
    TCase *format = tcase_create("access_format");
    tcase_add_test(format, test_access_format_table);
    tcase_add_test(format, test_access_format_small_error_buffer);
    tcase_add_test(format, test_access_format_free_null);
    suite_add_tcase(s, format);

    TCase *date = tcase_create("http_date");
    tcase_add_test(date, test_http_date_table);
    tcase_add_test(date, test_http_date_against_strftime);
    tcase_add_test(date, test_http_date_out_of_range);
    tcase_add_test(date, test_http_date_now);
    suite_add_tcase(s, date);
    return s;
}

int main(void)
{
    return ts_run_suite(log_suite());
}
