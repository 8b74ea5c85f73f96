/*
 * http_list.c — the elements of a comma-separated field value and their weights (RFC 9110
 * §5.6.1 lists, §12.4.2 quality values), pure: the one q-value reader of Accept-Encoding
 * (mod_static's precompressed variants) and Accept (mod_autoindex's JSON), which had one each
 * and disagreed on what a qvalue is ("q=0.5000", "q=1e-1").
 *
 *   element = token-or-range *( OWS ";" OWS parameter ) ; weight = "q=" qvalue
 *   qvalue  = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
 *
 * Parameter values are not unquoted: a ',' inside a quoted one ends the element early, which
 * only makes that element malformed or unknown to the caller.
 */
#include "parse/http_list.h"

#include <string.h>

static const char *http_list_ows(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return p;
}

/* A qvalue in [p, end) (blanks after it allowed) in thousandths; -1 when malformed. */
static int http_list_qvalue(const char *p, const char *end)
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
    p = http_list_ows(p, end);
    return p == end && q <= 1000 ? q : -1;
}

/* The weight in an element's parameters [p, end): 1000 without q, -1 when malformed. */
static int http_list_weight(const char *p, const char *end)
{
    int q = 1000;
    while (p < end) {
        p = http_list_ows(p, end);
        if (p >= end)
            break;
        if (*p != ';')
            return -1;
        p = http_list_ows(p + 1, end);
        const char *next = memchr(p, ';', (size_t)(end - p));
        const char *stop = next != NULL ? next : end;
        if (stop - p >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=')
            q = http_list_qvalue(p + 2, stop);
        if (q < 0)
            return -1;
        p = stop;
    }
    return q;
}

const char *pfd_http_list_next(const char *p, struct pfd_http_element *e)
{
    if (p == NULL)
        return NULL;
    /* §5.6.1: empty elements ("a, , b") are allowed and count for nothing. */
    while (*p == ' ' || *p == '\t' || *p == ',')
        p++;
    if (*p == '\0')
        return NULL;
    const char *end = strchr(p, ',');
    if (end == NULL)
        end = p + strlen(p);
    size_t len = strcspn(p, "; \t,");
    e->name = p;
    e->name_len = len;
    e->q = http_list_weight(p + len, end);
    return *end == ',' ? end + 1 : end;
}
