/*
 * autoindex_query.c — the listing's query string and Accept.
 */
#include "autoindex_query.h"

#include <string.h>
#include <strings.h>

#include "preforkd/module.h"

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

bool autoindex_accept_json(const char *accept)
{
    int qjson = -1, qhtml = -1;
    int first = 0; /* 1: JSON was listed before HTML, 2: HTML before JSON */
    struct pfd_http_element e;
    for (const char *p = accept; (p = pfd_http_list_next(p, &e)) != NULL;) {
        if (e.q < 0)
            continue; /* a malformed weight: as if the range were not there */
        if (autoindex_key_is(e.name, e.name_len, "application/json") && qjson < 0) {
            qjson = e.q;
            first = first ? first : 1;
        } else if (autoindex_key_is(e.name, e.name_len, "text/html") && qhtml < 0) {
            qhtml = e.q;
            first = first ? first : 2;
        }
    }
    return qjson > 0 && (qjson > qhtml || (qjson == qhtml && first == 1));
}
