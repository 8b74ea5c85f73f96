/*
 * autoindex_query.c — the listing's query string and Accept.
 */
#include "autoindex_query.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool autoindex_key_is(const char *key, size_t len, const char *name)
{
    return len == strlen(name) && strncasecmp(key, name, len) == 0;
}

static void autoindex_query_pair(const char *key, size_t klen, const char *val, size_t vlen,
                                 struct autoindex_query *q)
{
    if (autoindex_key_is(key, klen, "C") && vlen == 1 && strchr("NMSD", val[0]) != NULL) {
        q->column = val[0];
    } else if (autoindex_key_is(key, klen, "O") && vlen == 1 && strchr("AD", val[0]) != NULL) {
        q->order = val[0];
    } else if (autoindex_key_is(key, klen, "F")) {
        q->json = autoindex_key_is(val, vlen, "json");
    } else if (autoindex_key_is(key, klen, "page") && vlen > 0 && vlen <= 10) {
        size_t page = 0;
        for (size_t i = 0; i < vlen; i++) {
            if (val[i] < '0' || val[i] > '9')
                return;
            page = page * 10 + (size_t)(val[i] - '0');
        }
        if (page >= 1 && page <= AUTOINDEX_PAGE_MAX)
            q->page = page;
    }
}

void autoindex_query_parse(const char *query, struct autoindex_query *q)
{
    if (query == NULL)
        return;
    const char *p = query;
    while (*p != '\0') {
        size_t len = strcspn(p, ";&");
        const char *eq = memchr(p, '=', len);
        if (eq != NULL)
            autoindex_query_pair(p, (size_t)(eq - p), eq + 1, len - (size_t)(eq - p) - 1, q);
        p += len;
        if (*p != '\0')
            p++;
    }
}

/* The q of one media range's parameters ("; q=0.5"), 1 when absent; -1 when malformed. */
static double autoindex_accept_q(const char *params, size_t len)
{
    const char *p = params;
    const char *end = params + len;
    while (p < end) {
        while (p < end && (*p == ';' || *p == ' ' || *p == '\t'))
            p++;
        if (end - p >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
            char num[8] = {0};
            size_t n = strcspn(p + 2, ";, \t");
            if (n == 0 || n >= sizeof(num))
                return -1;
            memcpy(num, p + 2, n);
            char *stop = NULL;
            double q = strtod(num, &stop);
            return *stop == '\0' && q >= 0 && q <= 1 ? q : -1;
        }
        while (p < end && *p != ';')
            p++;
    }
    return 1;
}

bool autoindex_accept_json(const char *accept)
{
    if (accept == NULL)
        return false;
    double qjson = -1, qhtml = -1;
    int first = 0; /* 1: JSON was listed before HTML, 2: HTML before JSON */
    const char *p = accept;
    for (int guard = 0; *p != '\0' && guard < 256; guard++) {
        size_t len = strcspn(p, ",");
        const char *range = p;
        while (range < p + len && (*range == ' ' || *range == '\t'))
            range++;
        size_t rlen = strcspn(range, ";, \t");
        const char *params = range + rlen;
        double q = autoindex_accept_q(params, (size_t)(p + len - params));
        if (autoindex_key_is(range, rlen, "application/json") && qjson < 0) {
            qjson = q;
            first = first ? first : 1;
        } else if (autoindex_key_is(range, rlen, "text/html") && qhtml < 0) {
            qhtml = q;
            first = first ? first : 2;
        }
        p += len;
        if (*p == ',')
            p++;
    }
    return qjson > 0 && (qjson > qhtml || (qjson == qhtml && first == 1));
}
