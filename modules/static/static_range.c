/*
 * static_range.c — Range header parsing, clipping and coalescing (RFC 9110 §14.1.2, §14.2).
 *
 *   Range = ranges-specifier ; ranges-specifier = range-unit "=" range-set
 *   range-set = 1#range-spec ; range-spec = int-range / suffix-range / other-range
 *   int-range = first-pos "-" [ last-pos ] ; suffix-range = "-" suffix-length
 */
#include "static_range.h"

#include <stdbool.h>
#include <stdlib.h>
#include <strings.h>

/* Digits into a non-negative int64, saturating at INT64_MAX (a huge number is still a number).
 * Returns false when there is no digit. */
static bool static_range_num(const char **pp, int64_t *out)
{
    const char *p = *pp;
    int64_t v = 0;
    if (*p < '0' || *p > '9')
        return false;
    for (; *p >= '0' && *p <= '9'; p++) {
        int d = *p - '0';
        v = v > (INT64_MAX - d) / 10 ? INT64_MAX : v * 10 + d;
    }
    *pp = p;
    *out = v;
    return true;
}

static const char *static_range_ows(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/*
 * One range-spec at *pp into *r, clipped to size. Returns 1 satisfiable, 0 unsatisfiable
 * (RFC 9110 §14.1.1: first-pos at or past the end, or a zero suffix), -1 syntax error.
 */
static int static_range_spec(const char **pp, int64_t size, struct static_range *r)
{
    int64_t first = 0, last = INT64_MAX;
    const char *p = *pp;
    if (*p == '-') {
        p++;
        int64_t suffix = 0;
        if (!static_range_num(&p, &suffix))
            return -1;
        *pp = p;
        if (suffix == 0 || size == 0)
            return 0;
        r->first = suffix >= size ? 0 : size - suffix;
        r->last = size - 1;
        return 1;
    }
    if (!static_range_num(&p, &first) || *p++ != '-')
        return -1;
    if (*p >= '0' && *p <= '9') {
        static_range_num(&p, &last);
        if (last < first)
            return -1; /* §14.1.1: invalid, and so is the whole header */
    }
    *pp = p;
    if (first >= size)
        return 0;
    r->first = first;
    r->last = last >= size ? size - 1 : last;
    return 1;
}

static int static_range_cmp(const void *a, const void *b)
{
    const struct static_range *x = a, *y = b;
    return x->first < y->first ? -1 : x->first > y->first;
}

/* Sorts and merges overlapping or adjacent ranges in place; returns the new count. */
static size_t static_range_coalesce(struct static_range *r, size_t n)
{
    if (n < 2)
        return n;
    qsort(r, n, sizeof(*r), static_range_cmp);
    size_t out = 0;
    for (size_t i = 1; i < n; i++) {
        if (r[i].first <= r[out].last + 1) {
            if (r[i].last > r[out].last)
                r[out].last = r[i].last;
        } else {
            r[++out] = r[i];
        }
    }
    return out + 1;
}

enum static_range_result static_range_parse(const char *value, int64_t size,
                                            struct static_range *out, size_t max, size_t *count)
{
    *count = 0;
    if (value == NULL || max == 0 || size < 0)
        return STATIC_RANGE_IGNORE;
    const char *p = static_range_ows(value);
    if (strncasecmp(p, "bytes=", 6) != 0)
        return STATIC_RANGE_IGNORE; /* §14.2: an unknown unit is ignored */
    p += 6;
    size_t specs = 0, n = 0;
    int64_t requested = 0;
    while (*p != '\0') {
        p = static_range_ows(p);
        if (*p == ',') { /* §5.6.1: empty list elements are allowed and not counted */
            p++;
            continue;
        }
        if (*p == '\0')
            break;
        if (++specs > max)
            return STATIC_RANGE_IGNORE;
        struct static_range r;
        int rc = static_range_spec(&p, size, &r);
        if (rc < 0)
            return STATIC_RANGE_IGNORE;
        p = static_range_ows(p);
        if (*p != ',' && *p != '\0')
            return STATIC_RANGE_IGNORE;
        if (rc == 0)
            continue;
        /* More bytes than the file: refuse to amplify (compared before adding: no overflow). */
        if (r.last - r.first + 1 > size - requested)
            return STATIC_RANGE_IGNORE;
        requested += r.last - r.first + 1;
        out[n++] = r;
    }
    if (specs == 0)
        return STATIC_RANGE_IGNORE;
    if (n == 0)
        return STATIC_RANGE_UNSATISFIABLE;
    *count = static_range_coalesce(out, n);
    return STATIC_RANGE_OK;
}

int64_t static_range_total(const struct static_range *ranges, size_t count)
{
    int64_t total = 0;
    for (size_t i = 0; i < count; i++)
        total += ranges[i].last - ranges[i].first + 1;
    return total;
}
