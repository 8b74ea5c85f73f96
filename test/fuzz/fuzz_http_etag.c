/*
 * fuzz_http_etag.c — libFuzzer target for server/parse/http_date.c, server/parse/http_etag.c and
 * server/parse/http_list.c: the HTTP-date parser, the conditional request headers (RFC 9110 §13)
 * and the weighted lists of Accept and Accept-Encoding.
 *
 * The input is split at NUL bytes into up to five fields: If-Match, If-None-Match,
 * If-Modified-Since, If-Unmodified-Since, If-Range. A date that parses formats back to a date
 * that parses to the same time (within the formatter's year clamp); the evaluation returns
 * 0, 304 or 412 and never reads outside its strings. Every list element lies inside its field
 * and weighs -1 (malformed) or 0..1000, and the loop ends within the field's length.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "preforkd/module.h"

#define FUZZ_FIELDS 5

static void fuzz_date(const char *s)
{
    time_t t;
    if (pfd_http_date_parse(s, &t) != 0)
        return;
    char text[30];
    pfd_http_date_format(t, text);
    assert(strlen(text) == 29);
    time_t back;
    assert(pfd_http_date_parse(text, &back) == 0);
    /* Years beyond 0..9999 are clamped by the formatter. */
    if (t >= -62167219200LL && t <= 253402300799LL)
        assert(back == t);
}

static void fuzz_list(const char *s)
{
    size_t n = strlen(s), count = 0;
    struct pfd_http_element e;
    for (const char *p = s; (p = pfd_http_list_next(p, &e)) != NULL;) {
        assert(++count <= n);
        assert(e.name >= s && e.name + e.name_len <= s + n && p <= s + n);
        assert(e.q >= -1 && e.q <= 1000);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *buf = malloc(size + 1);
    assert(buf != NULL);
    memcpy(buf, data, size);
    buf[size] = '\0';

    const char *field[FUZZ_FIELDS] = {NULL};
    size_t nfields = 0;
    for (size_t i = 0; i <= size && nfields < FUZZ_FIELDS;) {
        field[nfields++] = buf + i;
        i += strlen(buf + i) + 1;
    }
    for (size_t i = 0; i < nfields; i++) {
        fuzz_date(field[i]);
        fuzz_list(field[i]);
    }

    struct pfd_http_conditions req = {
        .if_match = field[0],
        .if_none_match = field[1],
        .if_modified_since = field[2],
        .if_unmodified_since = field[3],
        .get_or_head = size > 0 && (data[0] & 1),
    };
    struct pfd_http_validators v = {.etag = "\"5f3a-1b2c\"", .last_modified = 784111777};
    int rc = pfd_http_conditions_evaluate(&req, &v);
    assert(rc == 0 || rc == 304 || rc == 412);
    if (field[4] != NULL)
        (void)pfd_http_if_range(field[4], &v);
    if (field[0] != NULL) {
        (void)pfd_http_etag_match(field[0], v.etag, true);
        (void)pfd_http_etag_match(field[0], v.etag, false);
    }
    free(buf);
    return 0;
}
