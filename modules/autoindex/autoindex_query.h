/*
 * autoindex_query.h — what a listing request asks for: Apache's FancyIndexing query
 * (?C=N|M|S|D;O=A|D), ?F=json, ?page=N and the Accept header. Pure functions, unit-tested in
 * test/unit/check_autoindex_query.c.
 */
#ifndef AUTOINDEX_QUERY_H
#define AUTOINDEX_QUERY_H

#include <stdbool.h>
#include <stddef.h>

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

#endif
