/*
 * http_parse.h — the HTTP/1.1 request head parser and chunked body decoder (RFC 9112).
 *
 * Pure functions: they take bytes and return a result, never touch a socket, never allocate.
 * The caller owns every buffer; parsed fields point into the caller's buffer.
 */
#ifndef PFD_HTTP_PARSE_H
#define PFD_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pfd_http_parse_result {
    PFD_HTTP_AGAIN = 0, /* need more bytes */
    PFD_HTTP_OK = 1,    /* complete; any other value is an HTTP error status (400, 414, …) */
};

struct pfd_http_limits {
    size_t request_line;      /* longest request line, without CRLF → else 414 */
    size_t header_fields;     /* most header fields → else 431 */
    size_t header_field_size; /* longest single header line, without CRLF → else 431 */
};

struct pfd_http_header {
    const char *name;
    size_t name_len;
    const char *value; /* leading and trailing whitespace removed */
    size_t value_len;
};

struct pfd_http_request_head {
    const char *method;
    size_t method_len;
    int method_id; /* enum pfd_method from module.h */
    const char *target;
    size_t target_len;
    int version; /* 10 or 11 */

    struct pfd_http_header *headers; /* caller-provided storage ... */
    size_t headers_cap;              /* ... of this many entries (>= limits.header_fields) */
    size_t nheaders;

    /* Derived from the headers while parsing. */
    const char *host; /* Host value, NULL when absent */
    size_t host_len;
    int64_t content_length; /* -1 when absent */
    bool chunked;           /* Transfer-Encoding ends in chunked */
    bool conn_close;        /* Connection: close */
    bool conn_keep_alive;   /* Connection: keep-alive */
    bool expect_continue;   /* Expect: 100-continue */
};

struct pfd_http_parser {
    const struct pfd_http_limits *limits;
    size_t scanned;    /* bytes of the buffer already examined: feeding more never rescans them */
    size_t line_start; /* offset of the line being scanned */
    size_t lines;      /* complete lines seen so far (the request line counts; before it,
                          the count of empty lines skipped) */
    int state;
    /* The request line, parsed once, when its line ends (offsets into the buffer), and where
     * the field lines start. */
    size_t method_at, method_len, target_at, target_len, fields_at;
    int method_id, version;
};

void pfd_http_parser_init(struct pfd_http_parser *p, const struct pfd_http_limits *limits);

/*
 * Parses a request head from buf[0..len), where buf holds every byte received so far for this
 * request (the same prefix on each call, longer each time). Returns PFD_HTTP_AGAIN, or PFD_HTTP_OK
 * with *head_len set to the bytes of the head (request line, headers and the empty line), or an
 * HTTP status: 400 malformed (obs-fold, whitespace before ':', bad token, bad Content-Length,
 * Content-Length with Transfer-Encoding, duplicate differing Content-Length, HTTP/1.1 without or
 * with several Host), 414 request line too long, 431 too many or too long header fields,
 * 501 transfer coding other than chunked, 505 major version other than 1 (HTTP/1.2 to HTTP/1.9
 * are taken as HTTP/1.1, RFC 9110 §2.5). A request line that does not parse is refused as soon as
 * its line end arrives, without waiting for the rest of the head.
 * Leading empty lines before the request line are skipped (RFC 9112 §2.2).
 */
int pfd_http_parse_request(struct pfd_http_parser *p, const char *buf, size_t len,
                           struct pfd_http_request_head *head, size_t *head_len);

/* Whether a byte of a request line has arrived (not only the empty lines allowed before it): a
 * client that closes now leaves an incomplete request, which gets a 400. */
bool pfd_http_parser_in_request(const struct pfd_http_parser *p);

/* enum pfd_method for a method token. */
int pfd_http_method_id(const char *method, size_t len);

/* The value of the first header named name (case-insensitive), or NULL. */
const struct pfd_http_header *pfd_http_header_find(const struct pfd_http_request_head *head,
                                                   const char *name);

struct pfd_chunked {
    int state;
    uint64_t chunk_left; /* data bytes left in the current chunk */
    size_t line_len;     /* bytes of the current size/trailer line, bounded */
    uint64_t total;      /* decoded bytes so far */
    uint64_t max_total;  /* decoded body limit → 413 past it */
    size_t trailers;     /* trailer lines seen so far, bounded (private) */
};

void pfd_chunked_init(struct pfd_chunked *c, uint64_t max_total);

/*
 * Decodes a chunked body (RFC 9112 §7.1) incrementally. Reads in[0..in_len) and writes decoded
 * bytes to out (which may be the same buffer as in: output never overtakes input). Sets *consumed
 * and *produced. Returns PFD_HTTP_AGAIN when more input is needed, PFD_HTTP_OK when the last
 * chunk and the trailer section have been consumed (trailers are dropped; bytes after them are not
 * consumed), 400 for malformed framing or 413 once the body exceeds max_total.
 */
int pfd_chunked_decode(struct pfd_chunked *c, const char *in, size_t in_len, char *out,
                       size_t *consumed, size_t *produced);

#endif
