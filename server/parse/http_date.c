/*
 * http_date.c — HTTP-date (RFC 9110 §5.6.7): the one parser and the one formatter every part of
 * preforkd uses (Date, Last-Modified, Expires, If-Modified-Since, If-Unmodified-Since, If-Range).
 * Pure: no locale, no timegm(), no TZ (the cached Date text is clock.c's).
 *
 * How lenient the parser is, decided once (it used to be two parsers that disagreed, so one
 * module honoured an If-Modified-Since the other ignored): the three grammars of §5.6.7, plus what
 * §5.6.7 asks recipients to be robust about and what Apache's apr_date_parse_http() takes —
 * letters in any case ("sun, 06 nov 1994 … gmt"), a one-digit day ("Sun, 6 Nov 1994 …"), blanks
 * around the value. Nothing else: no other zone, no missing field, no trailing text.
 */
#include "parse/http_date.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const char http_date_months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *const http_date_days[7] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                              "Friday", "Saturday", "Sunday"};

/* A cursor over the field value: each reader advances it or fails. */
struct http_date_in {
    const char *p;
};

static bool http_date_lit(struct http_date_in *in, const char *lit)
{
    size_t n = strlen(lit);
    if (strncasecmp(in->p, lit, n) != 0)
        return false;
    in->p += n;
    return true;
}

/* Exactly `digits` decimal digits. */
static bool http_date_num(struct http_date_in *in, int digits, int *out)
{
    int v = 0;
    for (int i = 0; i < digits; i++) {
        if (in->p[i] < '0' || in->p[i] > '9')
            return false;
        v = v * 10 + (in->p[i] - '0');
    }
    in->p += digits;
    *out = v;
    return true;
}

static bool http_date_month(struct http_date_in *in, int *mon)
{
    for (int i = 0; i < 12; i++) {
        if (strncasecmp(in->p, http_date_months[i], 3) == 0) {
            in->p += 3;
            *mon = i;
            return true;
        }
    }
    return false;
}

/* A day name, in any case: the three-letter form, or (RFC 850) the full one. */
static bool http_date_day_name(struct http_date_in *in, bool full)
{
    for (int i = 0; i < 7; i++) {
        size_t n = full ? strlen(http_date_days[i]) : 3;
        if (strncasecmp(in->p, http_date_days[i], n) == 0) {
            in->p += n;
            return true;
        }
    }
    return false;
}

/* The day of the month: two digits, or one (a robust reading of "6 Nov"). */
static bool http_date_mday(struct http_date_in *in, int *day)
{
    bool two = in->p[0] >= '0' && in->p[0] <= '9' && in->p[1] >= '0' && in->p[1] <= '9';
    return http_date_num(in, two ? 2 : 1, day);
}

/* "HH:MM:SS"; 60 seconds allowed for a leap second, as the grammar does. */
static bool http_date_time(struct http_date_in *in, int *hms)
{
    return http_date_num(in, 2, &hms[0]) && http_date_lit(in, ":") &&
           http_date_num(in, 2, &hms[1]) && http_date_lit(in, ":") &&
           http_date_num(in, 2, &hms[2]) && hms[0] < 24 && hms[1] < 60 && hms[2] <= 60;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; Howard Hinnant's days_from_civil). */
static int64_t http_date_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static bool http_date_valid_day(int year, int mon, int day)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return day >= 1 && day <= len[mon] + (mon == 1 && leap);
}

/* The three grammars, each filling ymd and hms. */
static bool http_date_imf(struct http_date_in *in, int *ymd, int *hms)
{
    return http_date_day_name(in, false) && http_date_lit(in, ", ") &&
           http_date_mday(in, &ymd[2]) && http_date_lit(in, " ") && http_date_month(in, &ymd[1]) &&
           http_date_lit(in, " ") && http_date_num(in, 4, &ymd[0]) && http_date_lit(in, " ") &&
           http_date_time(in, hms) && http_date_lit(in, " GMT");
}

static bool http_date_rfc850(struct http_date_in *in, int *ymd, int *hms)
{
    int yy = 0;
    if (!(http_date_day_name(in, true) && http_date_lit(in, ", ") && http_date_mday(in, &ymd[2]) &&
          http_date_lit(in, "-") && http_date_month(in, &ymd[1]) && http_date_lit(in, "-") &&
          http_date_num(in, 2, &yy) && http_date_lit(in, " ") && http_date_time(in, hms) &&
          http_date_lit(in, " GMT")))
        return false;
    /* RFC 9110 §5.6.7 wants two-digit years read as the most recent past year with those
     * digits; a fixed pivot keeps this pure and is right for every clock until 2070. */
    ymd[0] = yy < 70 ? 2000 + yy : 1900 + yy;
    return true;
}

static bool http_date_asctime(struct http_date_in *in, int *ymd, int *hms)
{
    if (!(http_date_day_name(in, false) && http_date_lit(in, " ") && http_date_month(in, &ymd[1]) &&
          http_date_lit(in, " ")))
        return false;
    if (in->p[0] == ' ') /* ( 2DIGIT / ( SP DIGIT ) ) */
        in->p++;
    if (!http_date_mday(in, &ymd[2]))
        return false;
    return http_date_lit(in, " ") && http_date_time(in, hms) && http_date_lit(in, " ") &&
           http_date_num(in, 4, &ymd[0]);
}

int pfd_http_date_parse(const char *s, time_t *out)
{
    if (s == NULL)
        return -1;
    while (*s == ' ' || *s == '\t')
        s++;
    int ymd[3] = {0}, hms[3] = {0};
    struct http_date_in in = {s};
    bool ok = http_date_imf(&in, ymd, hms);
    if (!ok) {
        in.p = s;
        ok = http_date_rfc850(&in, ymd, hms);
    }
    if (!ok) {
        in.p = s;
        ok = http_date_asctime(&in, ymd, hms);
    }
    if (!ok || !http_date_valid_day(ymd[0], ymd[1], ymd[2]))
        return -1;
    while (*in.p == ' ' || *in.p == '\t')
        in.p++;
    if (*in.p != '\0')
        return -1;
    int64_t days = http_date_days_from_civil(ymd[0], ymd[1] + 1, ymd[2]);
    int64_t t = days * 86400 + hms[0] * 3600 + hms[1] * 60 + hms[2];
    if ((int64_t)(time_t)t != t)
        return -1;
    *out = (time_t)t;
    return 0;
}

/* y-m-d from days since 1970-01-01 (Howard Hinnant's civil_from_days). */
static void http_date_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* Two decimal digits of v (0..99) from a table: division is the dear part of formatting. */
static char *http_date_put2(char *p, unsigned v)
{
    static const char pairs[] =
        "00010203040506070809101112131415161718192021222324252627282930313233"
        "343536373839404142434445464748495051525354555657585960616263646566"
        "676869707172737475767778798081828384858687888990919293949596979899";
    memcpy(p, pairs + 2 * v, 2);
    return p + 2;
}

/* t broken down in UTC, clamped to 0000-01-01 .. 9999-12-31 (what four digits can write). */
struct http_date_civil {
    unsigned year, sec; /* sec: of the day */
    int month, day;     /* 1-12, 1-31 */
    int wday;           /* 0 = Thursday, the epoch's weekday */
};

static void http_date_civil(time_t t, struct http_date_civil *c)
{
    const int64_t lo = -62167219200LL, hi = 253402300799LL;
    int64_t s = (int64_t)t < lo ? lo : (int64_t)t > hi ? hi : (int64_t)t;
    int64_t days = (s >= 0 ? s : s - 86399) / 86400;
    int64_t y = 0;
    http_date_civil_from_days(days, &y, &c->month, &c->day);
    c->year = (unsigned)y; /* in range after the clamp */
    c->sec = (unsigned)(s - days * 86400);
    c->wday = (int)((days % 7 + 7) % 7);
}

/* "HH:MM:SS" of the day's second sec. */
static char *http_date_put_time(char *p, unsigned sec)
{
    p = http_date_put2(p, sec / 3600);
    *p++ = ':';
    p = http_date_put2(p, sec / 60 % 60);
    *p++ = ':';
    return http_date_put2(p, sec % 60);
}

void pfd_http_date_format(time_t t, char out[30])
{
    static const char wdays[7][4] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
    struct http_date_civil c;
    http_date_civil(t, &c);
    char *p = out;
    memcpy(p, wdays[c.wday], 3);
    p += 3;
    *p++ = ',';
    *p++ = ' ';
    p = http_date_put2(p, (unsigned)c.day);
    *p++ = ' ';
    memcpy(p, http_date_months[c.month - 1], 3);
    p += 3;
    *p++ = ' ';
    p = http_date_put2(p, c.year / 100);
    p = http_date_put2(p, c.year % 100);
    *p++ = ' ';
    p = http_date_put_time(p, c.sec);
    memcpy(p, " GMT", 5);
}

void pfd_iso8601_format(time_t t, char out[21])
{
    struct http_date_civil c;
    http_date_civil(t, &c);
    char *p = http_date_put2(out, c.year / 100);
    p = http_date_put2(p, c.year % 100);
    *p++ = '-';
    p = http_date_put2(p, (unsigned)c.month);
    *p++ = '-';
    p = http_date_put2(p, (unsigned)c.day);
    *p++ = 'T';
    p = http_date_put_time(p, c.sec);
    memcpy(p, "Z", 2);
}
