/*
 * clock.c — the one clock for deadlines and durations (declared in preforkd/module.h): monotonic,
 * so a wall-clock step (NTP, an operator's date) neither fires a timeout early nor holds one
 * open. Dates come from time(NULL) and http_date.c, never from here.
 */
#include "clock.h"

#include <time.h>

int64_t pfd_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
