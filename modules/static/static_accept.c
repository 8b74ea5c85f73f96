/*
 * static_accept.c — Accept-Encoding (RFC 9110 §12.5.3): which coding a client takes. The list
 * and its qvalues are read by the core (pfd_http_list_next()).
 */
#include "static_accept.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "preforkd/module.h"

static bool static_accept_is(const char *name, size_t len, const char *coding)
{
    size_t n = strlen(coding);
    return len == n && strncasecmp(name, coding, n) == 0;
}

int static_accept_q(const char *header, const char *coding)
{
    bool is_gzip = strcasecmp(coding, "gzip") == 0;
    int explicit_q = -1, star_q = -1;
    struct pfd_http_element e;
    for (const char *p = header; (p = pfd_http_list_next(p, &e)) != NULL;) {
        if (e.q < 0)
            continue;
        if (static_accept_is(e.name, e.name_len, coding) ||
            (is_gzip && static_accept_is(e.name, e.name_len, "x-gzip")))
            explicit_q = e.q > explicit_q ? e.q : explicit_q;
        else if (static_accept_is(e.name, e.name_len, "*"))
            star_q = e.q;
    }
    return explicit_q >= 0 ? explicit_q : star_q >= 0 ? star_q : 0;
}
