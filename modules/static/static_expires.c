/*
 * static_expires.c — `expires` values, nginx's semantics (ngx_http_headers_module): a duration
 * gives Cache-Control: max-age and Expires = now + duration; "epoch" forbids caching; "max"
 * asks for ten years.
 */
#include "static_expires.h"

#include <stdio.h>
#include <string.h>

static int64_t static_expires_unit(char c)
{
    switch (c) {
    case 's':
        return 1;
    case 'm':
        return 60;
    case 'h':
        return 3600;
    case 'd':
        return 86400;
    case 'w':
        return 7 * 86400;
    default:
        return 0;
    }
}

int static_expires_parse(const char *s, struct static_expires *out)
{
    out->kind = STATIC_EXPIRES_NONE;
    out->seconds = 0;
    if (s == NULL || s[0] == '\0' || strcmp(s, "off") == 0)
        return 0;
    if (strcmp(s, "epoch") == 0 || strcmp(s, "max") == 0) {
        out->kind = s[0] == 'e' ? STATIC_EXPIRES_EPOCH : STATIC_EXPIRES_MAX;
        return 0;
    }
    int64_t total = 0;
    const char *p = s;
    /* Each round consumes at least one digit; values are capped, so nothing overflows. */
    while (*p != '\0') {
        if (*p < '0' || *p > '9')
            return -1;
        int64_t n = 0;
        for (; *p >= '0' && *p <= '9'; p++) {
            n = n * 10 + (*p - '0');
            if (n > STATIC_EXPIRES_MAX_SECONDS)
                return -1;
        }
        int64_t unit = 1;
        if (*p != '\0') {
            unit = static_expires_unit(*p++);
            if (unit == 0)
                return -1;
        }
        total += n * unit;
        if (total > STATIC_EXPIRES_MAX_SECONDS)
            return -1;
    }
    out->kind = STATIC_EXPIRES_AFTER;
    out->seconds = total;
    return 0;
}

int static_expires_headers(const struct static_expires *e, time_t now, char cc[40], time_t *expires)
{
    switch (e->kind) {
    case STATIC_EXPIRES_AFTER:
        snprintf(cc, 40, "max-age=%lld", (long long)e->seconds);
        *expires = now + (time_t)e->seconds;
        return 0;
    case STATIC_EXPIRES_EPOCH:
        snprintf(cc, 40, "no-cache");
        *expires = 1; /* Thu, 01 Jan 1970 00:00:01 GMT, as nginx sends */
        return 0;
    case STATIC_EXPIRES_MAX:
        snprintf(cc, 40, "max-age=315360000");
        *expires = 2145916555; /* Thu, 31 Dec 2037 23:55:55 GMT, as nginx sends */
        return 0;
    default:
        return -1;
    }
}
