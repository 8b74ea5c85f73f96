/*
 * clock.c — the one clock for deadlines and durations (declared in preforkd/module.h): monotonic,
 * so a wall-clock step (NTP, an operator's date) neither fires a timeout early nor holds one
 * open. pfd_wall_clock_us() is the other clock, for timestamps shown to people (when the server
 * started, when a request began: mod_status); pfd_http_date_now() the Date header's text,
 * formatted once a second.
 */
#include "base/clock.h"

#include <time.h>

#include "parse/http_date.h"

int64_t pfd_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t pfd_wall_clock_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
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
