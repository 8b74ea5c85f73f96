/*
 * autoindex_query.h — what a listing request asks for: Apache's FancyIndexing query
 * (?C=N|M|S|D;O=A|D), ?F=json, ?page=N, the Accept header, and the validators of a conditional
 * request (RFC 9110 §13.1). Pure functions, unit-tested in test/unit/check_autoindex_query.c.
 */
#ifndef AUTOINDEX_QUERY_H
#define AUTOINDEX_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define AUTOINDEX_PAGE_MAX 1000000000UL /* a larger ?page= is not a number we believe */

struct autoindex_query {
    char column; /* 'N' name, 'M' modified, 'S' size, 'D' description */
    char order;  /* 'A' ascending, 'D' descending */
    bool json;   /* F=json */
    size_t page; /* 1-based; 1 when absent */
};

/*
 * Parses the raw query (NULL: none). Pairs are separated by ';' or '&' (Apache writes ';' so
 * that links need no &amp;); keys are C, O, F, page. Unknown keys and bad values are ignored:
 * q keeps what it held (the caller's defaults), a listing never fails on its query.
 */
void autoindex_query_parse(const char *query, struct autoindex_query *q);

/* Whether an Accept header prefers application/json to text/html (RFC 9110 §12.5.1 q-values:
 * JSON when its q is above 0 and above HTML's, or equal and listed first). NULL: no. */
bool autoindex_accept_json(const char *accept);

/* Whether If-None-Match (a list of entity tags, or "*") matches etag by the weak comparison of
 * RFC 9110 §8.8.3.2, as §13.1.2 requires for GET and HEAD. */
bool autoindex_etag_match(const char *if_none_match, const char *etag);

#endif
