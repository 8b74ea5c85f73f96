/*
 * cgi_args.c — ISINDEX search words as arguments (see cgi_args.h).
 */
#include "cgi_args.h"

#include <string.h>

#include "preforkd/module.h"

size_t cgi_args_from_query(char *query, char **words, size_t max)
{
    if (query == NULL || query[0] == '\0' || strchr(query, '=') != NULL)
        return 0;
    size_t n = 0;
    char *p = query;
    while (n < max) {
        char *plus = strchr(p, '+');
        if (plus != NULL)
            *plus = '\0';
        if (pfd_uri_unescape(p) != 0)
            return 0;
        words[n++] = p;
        if (plus == NULL)
            break;
        p = plus + 1;
    }
    return n;
}
