/*
 * cgi_args.c — ISINDEX search words as arguments (see cgi_args.h).
 */
#include "cgi_args.h"

#include <string.h>

static int cgi_args_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decodes word in place; -1 on a bad escape or a decoded NUL. */
static int cgi_args_decode(char *word)
{
    char *out = word;
    for (const char *in = word; *in; in++) {
        if (*in != '%') {
            *out++ = *in;
            continue;
        }
        int hi = cgi_args_hex(in[1]);
        int lo = hi < 0 ? -1 : cgi_args_hex(in[2]);
        if (lo < 0 || (hi == 0 && lo == 0))
            return -1;
        *out++ = (char)(hi * 16 + lo);
        in += 2;
    }
    *out = '\0';
    return 0;
}

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
        if (cgi_args_decode(p) != 0)
            return 0;
        words[n++] = p;
        if (plus == NULL)
            break;
        p = plus + 1;
    }
    return n;
}
