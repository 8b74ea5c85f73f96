/*
 * autoindex_format.c — the listing's human sizes and dates (see autoindex_format.h).
 */
#include "autoindex_format.h"

#include <stdio.h>

void autoindex_size_human(int64_t size, char out[16])
{
    static const char units[] = "KMGTPE";
    if (size < 0) {
        snprintf(out, 16, "-");
        return;
    }
    if (size < 1024) {
        snprintf(out, 16, "%d", (int)size);
        return;
    }
    double v = (double)size / 1024.0;
    size_t u = 0;
    /* One decimal below 10 ("1.2K"), none above ("34M"); rounding may carry into the next
     * unit (1023.96K is "1.0M", not "1024K"). */
    while (v >= 1023.5 && u + 1 < sizeof(units) - 1) {
        v /= 1024.0;
        u++;
    }
    if (v < 9.95)
        snprintf(out, 16, "%.1f%c", v, units[u]);
    else
        snprintf(out, 16, "%.0f%c", v, units[u]);
}

void autoindex_time_short(time_t t, char out[24])
{
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL || strftime(out, 24, "%Y-%m-%d %H:%M", &tm) == 0)
        snprintf(out, 24, "-");
}
