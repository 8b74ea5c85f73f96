/*
 * fuzz_http_parse.c — libFuzzer target for server/http_parse.c.
 *
 * The request head parser is fed the input whole and then byte by byte (as a slow client sends
 * it); both must agree on the result, the head length and every derived field, since conn.c
 * calls the parser again each time bytes arrive. The head a successful parse reports must lie
 * inside the input, and every header must point into it. The chunked body decoder is run on
 * the bytes after the head, whole and byte by byte, and must agree too.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/http_parse.h"

#define FUZZ_HEADERS_CAP 32
#define FUZZ_MAX_INPUT (64 * 1024)

static const struct pfd_http_limits fuzz_limits = {
    .request_line = 512,
    .header_fields = FUZZ_HEADERS_CAP,
    .header_field_size = 512,
};

struct fuzz_head_result {
    int rc;
    size_t head_len;
    struct pfd_http_request_head head;
    struct pfd_http_header headers[FUZZ_HEADERS_CAP];
};

static void fuzz_head_reset(struct fuzz_head_result *r)
{
    memset(r, 0, sizeof(*r));
    r->head.headers = r->headers;
    r->head.headers_cap = FUZZ_HEADERS_CAP;
}

/* Parses buf[0..len) once, whole. */
static void fuzz_parse_whole(const char *buf, size_t len, struct fuzz_head_result *r)
{
    struct pfd_http_parser p;
    fuzz_head_reset(r);
    pfd_http_parser_init(&p, &fuzz_limits);
    r->rc = pfd_http_parse_request(&p, buf, len, &r->head, &r->head_len);
}

/* Parses buf[0..len) as it would arrive one byte at a time; stops at the first final result. */
static void fuzz_parse_bytewise(const char *buf, size_t len, struct fuzz_head_result *r)
{
    struct pfd_http_parser p;
    fuzz_head_reset(r);
    pfd_http_parser_init(&p, &fuzz_limits);
    r->rc = PFD_HTTP_AGAIN;
    for (size_t n = 1; n <= len && r->rc == PFD_HTTP_AGAIN; n++)
        r->rc = pfd_http_parse_request(&p, buf, n, &r->head, &r->head_len);
}

static void fuzz_check_inside(const char *buf, size_t len, const char *p, size_t n)
{
    assert(p != NULL);
    assert(p >= buf && (size_t)(p - buf) + n <= len);
}

static void fuzz_heads_agree(const char *buf, const struct fuzz_head_result *a,
                             const struct fuzz_head_result *b)
{
    assert(a->rc == b->rc);
    if (a->rc != PFD_HTTP_OK)
        return;
    const struct pfd_http_request_head *x = &a->head, *y = &b->head;
    assert(a->head_len == b->head_len);
    fuzz_check_inside(buf, a->head_len, x->method, x->method_len);
    fuzz_check_inside(buf, a->head_len, x->target, x->target_len);
    assert(x->method_len > 0 && x->target_len > 0);
    assert(x->version == 10 || x->version == 11);
    assert(x->method_len == y->method_len && x->method == y->method);
    assert(x->target_len == y->target_len && x->target == y->target);
    assert(x->method_id == y->method_id && x->version == y->version);
    assert(x->nheaders == y->nheaders && x->nheaders <= fuzz_limits.header_fields);
    assert(x->content_length == y->content_length && x->content_length >= -1);
    assert(x->chunked == y->chunked && !(x->chunked && x->content_length != -1));
    assert(x->conn_close == y->conn_close && x->conn_keep_alive == y->conn_keep_alive);
    assert(x->expect_continue == y->expect_continue);
    assert((x->host == NULL) == (y->host == NULL) && x->host_len == y->host_len);
    for (size_t i = 0; i < x->nheaders; i++) {
        fuzz_check_inside(buf, a->head_len, x->headers[i].name, x->headers[i].name_len);
        assert(x->headers[i].name_len > 0);
        if (x->headers[i].value_len > 0)
            fuzz_check_inside(buf, a->head_len, x->headers[i].value, x->headers[i].value_len);
        assert(x->headers[i].value_len == y->headers[i].value_len);
    }
}

/* The chunked decoder on body[0..len): whole, then byte by byte into a separate buffer. */
static void fuzz_chunked(const char *body, size_t len)
{
    char *whole = malloc(len + 1), *bytewise = malloc(len + 1);
    assert(whole != NULL && bytewise != NULL);
    struct pfd_chunked c;
    pfd_chunked_init(&c, 4096);
    size_t consumed = 0, produced = 0;
    int rc = pfd_chunked_decode(&c, body, len, whole, &consumed, &produced);
    assert(consumed <= len && produced <= consumed);

    struct pfd_chunked d;
    pfd_chunked_init(&d, 4096);
    size_t used = 0, made = 0;
    int rc2 = PFD_HTTP_AGAIN;
    for (size_t i = 0; i < len && rc2 == PFD_HTTP_AGAIN; i++) {
        size_t one_consumed = 0, one_produced = 0;
        rc2 = pfd_chunked_decode(&d, body + i, 1, bytewise + made, &one_consumed, &one_produced);
        assert(one_consumed <= 1 && one_produced <= one_consumed);
        used += one_consumed;
        made += one_produced;
        if (rc2 == PFD_HTTP_AGAIN)
            assert(one_consumed == 1);
    }
    assert(rc == rc2);
    if (rc == PFD_HTTP_OK) {
        assert(consumed == used && produced == made);
        assert(memcmp(whole, bytewise, produced) == 0);
    }
    free(whole);
    free(bytewise);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        return 0;
    /* An exact-size copy, so ASan sees any read past the end. */
    char *buf = malloc(size > 0 ? size : 1);
    assert(buf != NULL);
    memcpy(buf, data, size);

    struct fuzz_head_result *whole = malloc(sizeof(*whole)), *bytewise = malloc(sizeof(*whole));
    assert(whole != NULL && bytewise != NULL);
    fuzz_parse_whole(buf, size, whole);
    fuzz_parse_bytewise(buf, size, bytewise);
    fuzz_heads_agree(buf, whole, bytewise);
    if (whole->rc == PFD_HTTP_OK) {
        assert(whole->head_len <= size);
        fuzz_chunked(buf + whole->head_len, size - whole->head_len);
    }
    free(whole);
    free(bytewise);
    free(buf);
    return 0;
}
