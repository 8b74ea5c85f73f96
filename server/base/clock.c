/*
 * clock.c — the time, as the server measures it: a monotonic millisecond clock for deadlines,
 * and the Date header's text, formatted once a second.
 */
#include "base/clock.h"

#include "parse/http_date.h"

int64_t pfd_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *pfd_http_date_now(void)
{
    static time_t cached_at = -1;
    static char cached[30];
    time_t now = time(NULL);
    if (now != cached_at) {
        pfd_http_date_format(now, cached);
        cached_at = now;
    }
    return cached;
}
