/*
 * http_etag.c — RFC 9110 §13 preconditions and entity-tag comparison (§8.8.3), pure: the one
 * evaluator mod_static and mod_autoindex share, so a client's conditional GET means the same
 * to both. Dates are read by pfd_http_date_parse() (http_date.c).
 *
 * A malformed field (a list mixing "*" with tags, a tag without quotes, a control byte) matches
 * nothing: the full response is always a safe answer, a wrong 304 is not.
 */
#include "parse/http_etag.h"

#include <stddef.h>
#include <string.h>

static const char *http_etag_ows(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/*
 * One entity-tag at p: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE. Sets *weak, the opaque-tag
 * (quotes included) as [*tag, *tag + *len), and returns the position after it, or NULL.
 */
static const char *http_etag_next(const char *p, bool *weak, const char **tag, size_t *len)
{
    *weak = false;
    if (p[0] == 'W' && p[1] == '/') {
        *weak = true;
        p += 2;
    }
    if (*p != '"')
        return NULL;
    const char *end = p + 1;
    /* etagc = %x21 / %x23-7E / obs-text: anything visible but DQUOTE. */
    while (*end != '"') {
        unsigned char c = (unsigned char)*end;
        if (c < 0x21 || c == 0x7f)
            return NULL;
        end++;
    }
    *tag = p;
    *len = (size_t)(end + 1 - p);
    return end + 1;
}

bool pfd_http_etag_match(const char *list, const char *etag, bool strong)
{
    if (list == NULL || etag == NULL)
        return false;
    const char *p = http_etag_ows(list);
    if (*p == '*')
        return *http_etag_ows(p + 1) == '\0';
    bool our_weak = etag[0] == 'W' && etag[1] == '/';
    const char *ours = our_weak ? etag + 2 : etag;
    size_t ours_len = strlen(ours);
    /* Each element consumes at least one byte, so the loop ends with the string. */
    while (*p != '\0') {
        if (*p == ',') {
            p = http_etag_ows(p + 1);
            continue;
        }
        bool weak = false;
        const char *tag = NULL;
        size_t len = 0;
        p = http_etag_next(p, &weak, &tag, &len);
        if (p == NULL)
            return false;
        if (len == ours_len && memcmp(tag, ours, len) == 0 && (!strong || (!weak && !our_weak)))
            return true;
        p = http_etag_ows(p);
        if (*p != ',' && *p != '\0')
            return false;
    }
    return false;
}

/* RFC 9110 §13.1.3, §13.1.4: a valid date and the resource unchanged since then. */
static int http_etag_date(const char *field, time_t *t)
{
    return field != NULL ? pfd_http_date_parse(field, t) : -1;
}

int pfd_http_conditions_evaluate(const struct pfd_http_conditions *req,
                                 const struct pfd_http_validators *v)
{
    time_t t = 0;
    /* Steps 1 and 2: If-Match, else If-Unmodified-Since. */
    if (req->if_match != NULL) {
        if (!pfd_http_etag_match(req->if_match, v->etag, true))
            return 412;
    } else if (http_etag_date(req->if_unmodified_since, &t) == 0 && v->last_modified > t) {
        return 412;
    }
    /* Steps 3 and 4: If-None-Match, else If-Modified-Since (GET and HEAD only). */
    if (req->if_none_match != NULL) {
        if (pfd_http_etag_match(req->if_none_match, v->etag, false))
            return req->get_or_head ? 304 : 412;
    } else if (req->get_or_head && http_etag_date(req->if_modified_since, &t) == 0 &&
               v->last_modified <= t) {
        return 304;
    }
    return 0;
}

bool pfd_http_if_range(const char *if_range, const struct pfd_http_validators *v)
{
    if (if_range == NULL)
        return true;
    const char *p = http_etag_ows(if_range);
    if (*p == '"' || (p[0] == 'W' && p[1] == '/')) {
        bool weak = false;
        const char *tag = NULL;
        size_t len = 0;
        const char *end = http_etag_next(p, &weak, &tag, &len);
        if (end == NULL || *http_etag_ows(end) != '\0' || weak)
            return false;
        return len == strlen(v->etag) && memcmp(tag, v->etag, len) == 0;
    }
    time_t t = 0;
    return pfd_http_date_parse(p, &t) == 0 && t == v->last_modified;
}
