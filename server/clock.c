/*
 * clock.c — the one clock for deadlines and durations (declared in preforkd/module.h): monotonic,
 * so a wall-clock step (NTP, an operator's date) neither fires a timeout early nor holds one
 * open. pfd_wall_clock_us() is the other clock, for timestamps shown to people (when the server
 * started, when a request began: mod_status).
 */
#include "clock.h"

#include <time.h>

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
