/*
 * static_cond.h — conditional requests (RFC 9110 §13), pure: the preconditions a GET or HEAD
 * of a static file carries, evaluated against the file's validators.
 */
#ifndef PFD_STATIC_COND_H
#define PFD_STATIC_COND_H

#include <stdbool.h>
#include <time.h>

/* The request's precondition fields (NULL when absent) and whether the method is GET/HEAD. */
struct static_cond_request {
    const char *if_match;
    const char *if_none_match;
    const char *if_modified_since;
    const char *if_unmodified_since;
    bool get_or_head;
};

/* The selected representation's validators: a strong ETag ("\"…\"", quotes included) and the
 * Last-Modified time. */
struct static_cond_validators {
    const char *etag;
    time_t last_modified;
};

/*
 * RFC 9110 §13.2.2, in its order: If-Match (strong comparison; false → 412), else
 * If-Unmodified-Since (→ 412); then If-None-Match (weak comparison; false → 304 for GET/HEAD,
 * 412 otherwise), else If-Modified-Since for GET/HEAD (→ 304). Fields with an invalid date are
 * ignored. Returns 0 (proceed), 304 or 412.
 */
int static_cond_evaluate(const struct static_cond_request *req,
                         const struct static_cond_validators *v);

/*
 * RFC 9110 §13.1.5: whether If-Range lets a Range apply. An entity-tag must match strongly (a
 * weak one never does); an HTTP-date must equal Last-Modified exactly. Anything else: false.
 */
bool static_cond_if_range(const char *if_range, const struct static_cond_validators *v);

/*
 * Whether the entity-tag list `list` ("*" or 1#entity-tag) matches `etag`. strong: the strong
 * comparison (§8.8.3.2: neither weak, same opaque-tag); else the weak one. A malformed list
 * matches nothing.
 */
bool static_cond_etag_match(const char *list, const char *etag, bool strong);

#endif
