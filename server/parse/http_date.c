/*
 * http_date.c — the IMF-fixdate form of an HTTP date (RFC 9110 §5.6.7).
 */
#include "parse/http_date.h"

#include <string.h>

/* By hand rather than strftime(): it runs for the Date of every response
 * (through clock.c's per-second cache) and for every row of a listing, and the format never depends
 * on the locale (RFC 9110 §5.6.7). */
void pfd_http_date_format(time_t t, char out[30])
{
    static const char days[] = "SunMonTueWedThuFriSat";
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0) {
        /* A four-digit year cannot say it: clamp to the last date that can be written. */
        tm = (struct tm){.tm_year = 9999 - 1900,
                         .tm_mon = 11,
                         .tm_mday = 31,
                         .tm_hour = 23,
                         .tm_min = 59,
                         .tm_sec = 59,
                         .tm_wday = 5};
        if (t < 0)
            tm = (struct tm){.tm_year = 70, .tm_mday = 1, .tm_wday = 4};
    }
    int year = tm.tm_year + 1900;
    char *p = out;
    memcpy(p, days + 3 * tm.tm_wday, 3);
    p += 3;
    *p++ = ',';
    *p++ = ' ';
    *p++ = (char)('0' + tm.tm_mday / 10);
    *p++ = (char)('0' + tm.tm_mday % 10);
    *p++ = ' ';
    memcpy(p, months + 3 * tm.tm_mon, 3);
    p += 3;
    *p++ = ' ';
    *p++ = (char)('0' + year / 1000);
    *p++ = (char)('0' + year / 100 % 10);
    *p++ = (char)('0' + year / 10 % 10);
    *p++ = (char)('0' + year % 10);
    *p++ = ' ';
    int fields[3] = {tm.tm_hour, tm.tm_min, tm.tm_sec};
    for (int i = 0; i < 3; i++) {
        *p++ = (char)('0' + fields[i] / 10);
        *p++ = (char)('0' + fields[i] % 10);
        *p++ = i < 2 ? ':' : ' ';
    }
    memcpy(p, "GMT", 4);
}
