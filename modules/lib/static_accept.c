/*
 * static_accept.c — Accept-Encoding qvalues (RFC 9110 §12.5.3, §12.4.2).
 *
 *   Accept-Encoding = #( codings [ weight ] ) ; weight = OWS ";" OWS "q=" qvalue
 *   qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
 */
#include "static_accept.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

static const char *static_accept_ows(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* A qvalue at p; -1 when malformed (the element is then skipped). */
static int static_accept_qvalue(const char *p, const char *end)
{
    if (p >= end || (*p != '0' && *p != '1'))
        return -1;
    int q = (*p - '0') * 1000;
    p++;
    if (p < end && *p == '.') {
        p++;
        for (int scale = 100; p < end && *p >= '0' && *p <= '9' && scale > 0; p++, scale /= 10)
            q += (*p - '0') * scale;
    }
    p = static_accept_ows(p);
    return p == end && q <= 1000 ? q : -1;
}

/* The weight in an element's parameters [p, end): 1000 without q, -1 when malformed. */
static int static_accept_weight(const char *p, const char *end)
{
    int q = 1000;
    while (p < end) {
        p = static_accept_ows(p);
        if (p >= end)
            break;
        if (*p != ';')
            return -1;
        p = static_accept_ows(p + 1);
        const char *next = memchr(p, ';', (size_t)(end - p));
        const char *stop = next != NULL ? next : end;
        if (stop - p >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=')
            q = static_accept_qvalue(p + 2, stop);
        if (q < 0)
            return -1;
        p = stop;
    }
    return q;
}

static bool static_accept_is(const char *name, size_t len, const char *coding)
{
    size_t n = strlen(coding);
    return len == n && strncasecmp(name, coding, n) == 0;
}

int static_accept_q(const char *header, const char *coding)
{
    if (header == NULL)
        return 0;
    bool is_gzip = strcasecmp(coding, "gzip") == 0;
    int explicit_q = -1, star_q = -1;
    const char *p = header;
    while (*p != '\0') {
        p = static_accept_ows(p);
        const char *end = strchr(p, ',');
        if (end == NULL)
            end = p + strlen(p);
        size_t len = 0;
        while (p + len < end && p[len] != ';' && p[len] != ' ' && p[len] != '\t')
            len++;
        int q = len > 0 ? static_accept_weight(p + len, end) : -1;
        if (q >= 0 &&
            (static_accept_is(p, len, coding) || (is_gzip && static_accept_is(p, len, "x-gzip"))))
            explicit_q = q > explicit_q ? q : explicit_q;
        else if (q >= 0 && static_accept_is(p, len, "*"))
            star_q = q;
        p = *end == ',' ? end + 1 : end;
    }
    return explicit_q >= 0 ? explicit_q : star_q >= 0 ? star_q : 0;
}
