/*
 * check_clock.c — server/base/clock.c: pfd_now_ms() is monotonic milliseconds, the base of every
 * deadline (the core's and mod_cgi's); pfd_wall_clock_us() the time of day in microseconds;
 * pfd_http_date_now() the Date header's text.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "testsupport_run.h"

/* Never goes back, and agrees with CLOCK_MONOTONIC read around it. */
START_TEST(test_now_ms_is_monotonic)
{
    int64_t last = pfd_now_ms();
    for (int i = 0; i < 100000; i++) {
        struct timespec before, after;
        clock_gettime(CLOCK_MONOTONIC, &before);
        int64_t now = pfd_now_ms();
        clock_gettime(CLOCK_MONOTONIC, &after);
        ck_assert_int_ge(now, last);
        ck_assert_int_ge(now, (int64_t)before.tv_sec * 1000 + before.tv_nsec / 1000000);
        ck_assert_int_le(now, (int64_t)after.tv_sec * 1000 + after.tv_nsec / 1000000);
        last = now;
    }
}
END_TEST

/* It moves: a deadline 5 ms ahead is reached (bounded in count and time by the clock itself). */
START_TEST(test_now_ms_advances)
{
    int64_t start = pfd_now_ms();
    int64_t now = start;
    struct timespec limit;
    clock_gettime(CLOCK_MONOTONIC, &limit);
    time_t give_up = limit.tv_sec + 5;
    while (now < start + 5) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        ck_assert_msg(t.tv_sec <= give_up, "pfd_now_ms() stuck at %lld", (long long)now);
        now = pfd_now_ms();
    }
    ck_assert_int_ge(now - start, 5);
}
END_TEST

/* The wall clock in µs is CLOCK_REALTIME's second, read around it (not time(NULL)'s: Linux
 * serves time() from the coarse clock, which may still show the previous second). */
static time_t realtime_second(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec;
}

START_TEST(test_wall_clock_us)
{
    for (int attempt = 0; attempt < 3; attempt++) {
        time_t before = realtime_second();
        int64_t us = pfd_wall_clock_us();
        time_t after = realtime_second();
        ck_assert_int_ge(us / 1000000, (int64_t)before);
        ck_assert_int_le(us / 1000000, (int64_t)after);
        if (before == after)
            return;
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

static Suite *clock_suite(void)
{
    Suite *s = suite_create("clock");
    TCase *tc = tcase_create("now_ms");
    tcase_add_test(tc, test_now_ms_is_monotonic);
    tcase_add_test(tc, test_now_ms_advances);
    tcase_add_test(tc, test_wall_clock_us);
    tcase_add_test(tc, test_http_date_now);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(clock_suite());
}
