/*
 * http_parse.c — the HTTP/1.1 request head parser and chunked body decoder (RFC 9112).
 *
 * This file is the server's safety boundary: every byte a client sends passes through it
 * before anything else looks at it. It is strict where leniency leads to request smuggling
 * (framing headers, line ends) and bounds everything it counts.
 *
 * The head parser works in two phases. While the head is incomplete, each call scans only the
 * bytes that arrived since the last call, looking for line ends and enforcing the size limits
 * as soon as they are exceeded. Once the empty line ending the head has arrived, the whole
 * head is parsed in one pass and `head` is filled in.
 */
#include "parse/http_parse.h"

#include <string.h>

#include "preforkd/module.h"

/* Leading empty lines accepted before the request line (RFC 9112 §2.2 says "at least one"). */
#define PFD_HTTP_MAX_EMPTY_LINES 8
/* Largest Content-Length or chunked body we represent; larger is refused as malformed. */
#define PFD_HTTP_MAX_BODY ((uint64_t)1 << 62)

#define PFD_CHUNK_SIZE_DIGITS_MAX 16 /* hex digits: 16 fit in a uint64_t */
#define PFD_CHUNK_SIZE_LINE_MAX 4096 /* chunk-size plus extensions, without CRLF */
#define PFD_CHUNK_TRAILER_LINE_MAX 8192
#define PFD_CHUNK_TRAILERS_MAX 100

enum http_parse_state {
    HTTP_STATE_START,        /* skipping empty lines before the request line */
    HTTP_STATE_REQUEST_LINE, /* inside the request line */
    HTTP_STATE_HEADERS,      /* inside the header section */
    HTTP_STATE_DONE,         /* head complete; p->scanned is its length */
    /* An error is remembered as its HTTP status (>= 400), so it is sticky. */
};

/* Framing facts gathered across header fields, checked once all are seen (RFC 9112 §6). */
struct http_framing {
    int64_t content_length; /* -1 when absent */
    bool te_seen;           /* a Transfer-Encoding field was present */
    bool te_unknown;        /* it named a coding other than chunked */
    size_t te_chunked;      /* how many times it named chunked */
};

/* ---- character classes (ASCII only, independent of the locale) -------------------------- */

static bool http_is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool http_is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" /
 * "_" / "`" / "|" / "~" / DIGIT / ALPHA */
static bool http_is_tchar(unsigned char c)
{
    return http_is_alpha(c) || http_is_digit(c) ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* RFC 9110 §5.5: field-vchar / SP / HTAB / obs-text; every other control character is out. */
static bool http_is_field_char(unsigned char c)
{
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

/* RFC 3986 §3.2.2-3.2.3: the characters of uri-host [ ":" port ] (reg-name, IP-literal). */
static bool http_is_host_char(unsigned char c)
{
    return http_is_alpha(c) || http_is_digit(c) ||
           (c != '\0' && strchr("-._~!$&'()*+,;=%:[]", c) != NULL);
}

static bool http_is_ows(char c)
{
    return c == ' ' || c == '\t';
}

static unsigned char http_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + ('a' - 'A')) : c;
}

/* s[0..len) equals the NUL-terminated lit, ignoring ASCII case. */
static bool http_case_eq(const char *s, size_t len, const char *lit)
{
    size_t i = 0;
    for (; i < len && lit[i] != '\0'; i++)
        if (http_lower((unsigned char)s[i]) != http_lower((unsigned char)lit[i]))
            return false;
    return i == len && lit[i] == '\0';
}

/* ---- phase 1: incremental scanning for line ends and limits ------------------------------ */

static int http_parse_request_line(const char *line, size_t len,
                                   struct pfd_http_request_head *head);

/* A line feed at buf[i] ends the current line. Returns AGAIN, OK (head complete) or a status. */
static int http_scan_line_end(struct pfd_http_parser *p, const char *buf, size_t i)
{
    size_t start = p->line_start;
    size_t end = (i > start && buf[i - 1] == '\r') ? i - 1 : i;
    bool empty = end == start;

    p->line_start = i + 1;
    switch (p->state) {
    case HTTP_STATE_START: /* only empty lines end here: any other byte moved us on */
        if (++p->lines > PFD_HTTP_MAX_EMPTY_LINES)
            return 400;
        return PFD_HTTP_AGAIN;
    case HTTP_STATE_REQUEST_LINE: {
        /* A request line that cannot parse is refused now, not when (or if) the rest of the head
         * arrives: "GET /" (HTTP/0.9) would otherwise hold a worker until timeouts.header. */
        struct pfd_http_request_head line;
        int rc = http_parse_request_line(buf + start, end - start, &line);
        if (rc != PFD_HTTP_OK)
            return rc;
        p->method_at = (size_t)(line.method - buf);
        p->method_len = line.method_len;
        p->method_id = line.method_id;
        p->target_at = (size_t)(line.target - buf);
        p->target_len = line.target_len;
        p->version = line.version;
        p->fields_at = i + 1;
        p->state = HTTP_STATE_HEADERS;
        p->lines = 1; /* from now on lines counts the request line and the field lines */
        return PFD_HTTP_AGAIN;
    }
    default:
        if (empty) {
            p->state = HTTP_STATE_DONE;
            return PFD_HTTP_OK;
        }
        p->lines++;
        return PFD_HTTP_AGAIN;
    }
}

/* A byte other than CR or LF at buf[i]: enforce the limit of the line it belongs to. */
static int http_scan_byte(struct pfd_http_parser *p, size_t i)
{
    const struct pfd_http_limits *lim = p->limits;
    size_t line_len = i + 1 - p->line_start;

    if (p->state == HTTP_STATE_START)
        p->state = HTTP_STATE_REQUEST_LINE;
    if (p->state == HTTP_STATE_REQUEST_LINE)
        return line_len > lim->request_line ? 414 : PFD_HTTP_AGAIN;
    /* The first byte of one field line more than allowed: refuse before it is complete. */
    if (i == p->line_start && p->lines - 1 >= lim->header_fields)
        return 431;
    return line_len > lim->header_field_size ? 431 : PFD_HTTP_AGAIN;
}

/* Scans buf[p->scanned..len) once; returns AGAIN, OK when the empty line arrived, or a status. */
static int http_scan(struct pfd_http_parser *p, const char *buf, size_t len)
{
    if (len <= p->scanned)
        return PFD_HTTP_AGAIN; /* nothing new (a shorter buffer would be a caller bug) */
    for (size_t i = p->scanned; i < len; i++) {
        int rc = PFD_HTTP_AGAIN;
        /* RFC 9112 §2.2: a CR not followed by LF is invalid; we reject rather than guess. */
        if (i > p->line_start && buf[i - 1] == '\r' && buf[i] != '\n')
            rc = 400;
        else if (buf[i] == '\n')
            rc = http_scan_line_end(p, buf, i);
        else if (buf[i] != '\r')
            rc = http_scan_byte(p, i);
        if (rc != PFD_HTTP_AGAIN) {
            p->scanned = i + 1;
            return rc;
        }
    }
    p->scanned = len;
    return PFD_HTTP_AGAIN;
}

/* ---- phase 2: parsing the complete head -------------------------------------------------- */

/* The line at *pos (the head is known to end in LF), without its CR LF or LF; advances *pos. */
static void http_next_line(const char *buf, size_t end, size_t *pos, const char **line, size_t *len)
{
    const char *lf = memchr(buf + *pos, '\n', end - *pos);
    *line = buf + *pos;
    *len = (size_t)(lf - *line);
    if (*len > 0 && (*line)[*len - 1] == '\r')
        (*len)--;
    *pos = (size_t)(lf - buf) + 1;
}

/* RFC 9112 §2.3: HTTP-version = HTTP-name "/" DIGIT "." DIGIT, HTTP-name case-sensitive.
 * RFC 9110 §2.5: a higher minor version of a major we speak is served as the highest minor we
 * implement, so HTTP/1.2 … HTTP/1.9 are HTTP/1.1 (as in Apache). Another major (HTTP/0.x, HTTP/2
 * and up in a request line) is well-formed but not ours: 505 (RFC 9110 §15.6.6). */
static int http_parse_version(const char *s, size_t len, int *version)
{
    if (len != 8 || memcmp(s, "HTTP/", 5) != 0 || !http_is_digit((unsigned char)s[5]) ||
        s[6] != '.' || !http_is_digit((unsigned char)s[7]))
        return 400;
    if (s[5] != '1')
        return 505;
    *version = s[7] == '0' ? 10 : 11;
    return PFD_HTTP_OK;
}

/* RFC 9112 §3: request-line = method SP request-target SP HTTP-version, single spaces. */
static int http_parse_request_line(const char *line, size_t len, struct pfd_http_request_head *head)
{
    size_t i = 0;
    while (i < len && http_is_tchar((unsigned char)line[i]))
        i++;
    if (i == 0 || i == len || line[i] != ' ')
        return 400;
    head->method = line;
    head->method_len = i;
    head->method_id = pfd_http_method_id(line, i);

    /* RFC 9112 §3.2: the target holds no whitespace, nor a fragment ('#' is never part of a
     * request-target); we also refuse controls and non-ASCII. */
    size_t t = ++i;
    while (i < len && (unsigned char)line[i] > 0x20 && (unsigned char)line[i] < 0x7f &&
           line[i] != '#')
        i++;
    if (i == t || i == len || line[i] != ' ')
        return 400;
    head->target = line + t;
    head->target_len = i - t;
    return http_parse_version(line + i + 1, len - i - 1, &head->version);
}

/*
 * The next element of a comma-separated list (RFC 9110 §5.6.1) from *s up to end, with OWS
 * trimmed; elements may be empty. Returns false when the list is exhausted.
 */
static bool http_list_next(const char **s, const char *end, const char **elem, size_t *len)
{
    if (*s == NULL)
        return false;
    const char *comma = memchr(*s, ',', (size_t)(end - *s));
    const char *stop = comma ? comma : end;
    const char *b = *s;
    while (b < stop && http_is_ows(*b))
        b++;
    const char *e = stop;
    while (e > b && http_is_ows(e[-1]))
        e--;
    *elem = b;
    *len = (size_t)(e - b);
    *s = comma ? comma + 1 : NULL; /* NULL: that was the last element */
    return true;
}

/* RFC 9110 §8.6 and RFC 9112 §6.3: 1*DIGIT, a list of identical values is that value. */
static int http_field_content_length(struct http_framing *f, const char *v, size_t len)
{
    const char *end = v + len, *elem;
    size_t elen;
    for (const char *s = v; http_list_next(&s, end, &elem, &elen);) {
        if (elen == 0)
            return 400;
        uint64_t n = 0;
        for (size_t i = 0; i < elen; i++) {
            if (!http_is_digit((unsigned char)elem[i]))
                return 400;
            uint64_t d = (uint64_t)(elem[i] - '0');
            /* Checked before the step, so the arithmetic itself can never wrap around: a length
             * that wrapped would frame the body differently from a proxy in front (smuggling). */
            if (n > (PFD_HTTP_MAX_BODY - d) / 10)
                return 400;
            n = n * 10 + d;
        }
        if (f->content_length >= 0 && (uint64_t)f->content_length != n)
            return 400; /* differing lengths: the framing is ambiguous */
        f->content_length = (int64_t)n;
    }
    return PFD_HTTP_OK;
}

/* RFC 9112 §6.1: a list of transfer codings; the verdict waits until all fields are seen. */
static void http_field_transfer_encoding(struct http_framing *f, const char *v, size_t len)
{
    const char *end = v + len, *elem;
    size_t elen;
    f->te_seen = true;
    for (const char *s = v; http_list_next(&s, end, &elem, &elen);) {
        if (elen == 0)
            continue; /* RFC 9110 §5.6.1.2: empty list elements are ignored */
        if (http_case_eq(elem, elen, "chunked"))
            f->te_chunked++;
        else
            f->te_unknown = true; /* gzip, identity, chunked;x=y, … */
    }
}

/* RFC 9110 §7.6.1: Connection options are case-insensitive tokens; fields combine. */
static void http_field_connection(struct pfd_http_request_head *head, const char *v, size_t len)
{
    const char *end = v + len, *elem;
    size_t elen;
    for (const char *s = v; http_list_next(&s, end, &elem, &elen);) {
        if (http_case_eq(elem, elen, "close"))
            head->conn_close = true;
        else if (http_case_eq(elem, elen, "keep-alive"))
            head->conn_keep_alive = true;
    }
}

/* RFC 9110 §7.2: Host = uri-host [ ":" port ]; one at most; an invalid one is a 400. */
static int http_field_host(struct pfd_http_request_head *head, const struct pfd_http_header *h)
{
    if (head->host != NULL)
        return 400;
    for (size_t i = 0; i < h->value_len; i++)
        if (!http_is_host_char((unsigned char)h->value[i]))
            return 400;
    head->host = h->value;
    head->host_len = h->value_len;
    return PFD_HTTP_OK;
}

/* Updates the derived fields of head (and the framing facts) from one header field. */
static int http_field_derive(struct pfd_http_request_head *head, struct http_framing *f,
                             const struct pfd_http_header *h)
{
    if (http_case_eq(h->name, h->name_len, "Host"))
        return http_field_host(head, h);
    if (http_case_eq(h->name, h->name_len, "Content-Length"))
        return http_field_content_length(f, h->value, h->value_len);
    if (http_case_eq(h->name, h->name_len, "Transfer-Encoding"))
        http_field_transfer_encoding(f, h->value, h->value_len);
    else if (http_case_eq(h->name, h->name_len, "Connection"))
        http_field_connection(head, h->value, h->value_len);
    else if (http_case_eq(h->name, h->name_len, "Expect") &&
             http_case_eq(h->value, h->value_len, "100-continue"))
        head->expect_continue = true; /* RFC 9110 §10.1.1; other expectations: the core's call */
    return PFD_HTTP_OK;
}

/* RFC 9112 §5: field-line = field-name ":" OWS field-value OWS. */
static int http_parse_field(const char *line, size_t len, struct pfd_http_request_head *head,
                            struct http_framing *f)
{
    size_t i = 0;
    while (i < len && http_is_tchar((unsigned char)line[i]))
        i++;
    /* No name, whitespace before the colon (§5.1), obs-fold (§5.2) or no colon: all 400. */
    if (i == 0 || i == len || line[i] != ':')
        return 400;
    const char *v = line + i + 1, *end = line + len;
    while (v < end && http_is_ows(*v))
        v++;
    while (end > v && http_is_ows(end[-1]))
        end--;
    for (const char *c = v; c < end; c++)
        if (!http_is_field_char((unsigned char)*c))
            return 400; /* NUL, CR and the other controls (RFC 9110 §5.5) */
    if (head->nheaders >= head->headers_cap)
        return 431;
    struct pfd_http_header *h = &head->headers[head->nheaders++];
    *h = (struct pfd_http_header){line, i, v, (size_t)(end - v)};
    return http_field_derive(head, f, h);
}

/* Checks the framing once every field is known (RFC 9112 §3.2, §6.1, §6.3). */
static int http_check_framing(struct pfd_http_request_head *head, const struct http_framing *f)
{
    if (head->version == 11 && head->host == NULL)
        return 400; /* RFC 9112 §3.2: a client MUST send Host in HTTP/1.1 */
    head->content_length = f->content_length;
    if (!f->te_seen)
        return PFD_HTTP_OK;
    if (head->version == 10)
        return 400; /* RFC 9112 §6.1: Transfer-Encoding in 1.0 means faulty framing */
    if (f->content_length >= 0)
        return 400; /* RFC 9112 §6.1: both is how requests are smuggled */
    if (f->te_unknown)
        return 501; /* RFC 9112 §6.1: a transfer coding we do not understand */
    if (f->te_chunked != 1)
        return 400; /* empty list, or chunked applied twice (RFC 9112 §6.1) */
    head->chunked = true;
    return PFD_HTTP_OK;
}

static void http_head_reset(struct pfd_http_request_head *head)
{
    head->method = head->target = head->host = NULL;
    head->method_len = head->target_len = head->host_len = 0;
    head->method_id = PFD_METHOD_OTHER;
    head->version = 0;
    head->nheaders = 0;
    head->content_length = -1;
    head->chunked = head->conn_close = head->conn_keep_alive = head->expect_continue = false;
}

/* Parses the complete head buf[0..end), which phase 1 has checked for line ends and limits and
 * whose request line it has parsed already. */
static int http_parse_head(const struct pfd_http_parser *p, const char *buf, size_t end,
                           struct pfd_http_request_head *head)
{
    struct http_framing f = {.content_length = -1};
    size_t pos = p->fields_at, len;
    const char *line;

    http_head_reset(head);
    head->method = buf + p->method_at;
    head->method_len = p->method_len;
    head->method_id = p->method_id;
    head->target = buf + p->target_at;
    head->target_len = p->target_len;
    head->version = p->version;
    int rc = PFD_HTTP_OK;
    for (http_next_line(buf, end, &pos, &line, &len); rc == PFD_HTTP_OK && len > 0;
         http_next_line(buf, end, &pos, &line, &len))
        rc = http_parse_field(line, len, head, &f);
    return rc == PFD_HTTP_OK ? http_check_framing(head, &f) : rc;
}

void pfd_http_parser_init(struct pfd_http_parser *p, const struct pfd_http_limits *limits)
{
    memset(p, 0, sizeof(*p));
    p->limits = limits;
    p->state = HTTP_STATE_START;
}

bool pfd_http_parser_in_request(const struct pfd_http_parser *p)
{
    return p->state != HTTP_STATE_START;
}

int pfd_http_parse_request(struct pfd_http_parser *p, const char *buf, size_t len,
                           struct pfd_http_request_head *head, size_t *head_len)
{
    int rc;
    if (p->state >= 400)
        return p->state;
    if (p->state == HTTP_STATE_DONE)
        rc = PFD_HTTP_OK; /* asked again: parse the same head again */
    else
        rc = http_scan(p, buf, len);
    if (rc == PFD_HTTP_OK)
        rc = http_parse_head(p, buf, p->scanned, head);
    if (rc == PFD_HTTP_OK)
        *head_len = p->scanned;
    else if (rc != PFD_HTTP_AGAIN)
        p->state = rc;
    return rc;
}

/* Method names are case-sensitive (RFC 9110 §9.1). */
int pfd_http_method_id(const char *method, size_t len)
{
    static const struct {
        const char *name;
        int id;
    } methods[] = {
        {"GET", PFD_METHOD_GET},       {"HEAD", PFD_METHOD_HEAD},
        {"POST", PFD_METHOD_POST},     {"PUT", PFD_METHOD_PUT},
        {"DELETE", PFD_METHOD_DELETE}, {"OPTIONS", PFD_METHOD_OPTIONS},
        {"TRACE", PFD_METHOD_TRACE},   {"CONNECT", PFD_METHOD_CONNECT},
        {"PATCH", PFD_METHOD_PATCH},
    };
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (strlen(methods[i].name) == len && memcmp(methods[i].name, method, len) == 0)
            return methods[i].id;
    return PFD_METHOD_OTHER;
}

const struct pfd_http_header *pfd_http_header_find(const struct pfd_http_request_head *head,
                                                   const char *name)
{
    /* Lengths first: most fields differ in length, and this runs for every lookup a module
     * makes (the hot path asks several per request). */
    size_t len = strlen(name);
    for (size_t i = 0; i < head->nheaders; i++)
        if (head->headers[i].name_len == len &&
            http_case_eq(head->headers[i].name, head->headers[i].name_len, name))
            return &head->headers[i];
    return NULL;
}

/* ---- chunked body decoder (RFC 9112 §7.1) ------------------------------------------------ */

enum chunked_state {
    CHUNKED_SIZE,          /* chunk-size hex digits */
    CHUNKED_SIZE_WS,       /* BWS after the size, before ';' or the line end */
    CHUNKED_EXT,           /* chunk extensions: validated loosely and skipped */
    CHUNKED_SIZE_LF,       /* CR seen at the end of the size line */
    CHUNKED_DATA,          /* chunk data, copied out */
    CHUNKED_DATA_CR,       /* the CRLF after the data */
    CHUNKED_DATA_LF,       /* CR seen after the data */
    CHUNKED_TRAILER_NAME,  /* start of a trailer line, or of the final empty line */
    CHUNKED_TRAILER_VALUE, /* after the colon of a trailer field */
    CHUNKED_TRAILER_LF,    /* CR seen at the end of a trailer field */
    CHUNKED_END_LF,        /* CR seen on the final empty line */
    CHUNKED_DONE,
    /* An error is remembered as its HTTP status (>= 400), so it is sticky. */
};

void pfd_chunked_init(struct pfd_chunked *c, uint64_t max_total)
{
    memset(c, 0, sizeof(*c));
    c->state = CHUNKED_SIZE;
    c->max_total = max_total;
}

static int chunked_hex(unsigned char ch)
{
    if (http_is_digit(ch))
        return ch - '0';
    ch = http_lower(ch);
    return (ch >= 'a' && ch <= 'f') ? ch - 'a' + 10 : -1;
}

/* The size line is complete: start the data, or the trailer section after the last chunk. */
static int chunked_size_done(struct pfd_chunked *c)
{
    c->line_len = 0;
    if (c->chunk_left == 0) {
        c->state = CHUNKED_TRAILER_NAME;
        return PFD_HTTP_AGAIN;
    }
    if (c->max_total > 0 && c->chunk_left > c->max_total - c->total)
        return 413; /* refused before a byte of the chunk is read */
    if (c->chunk_left > PFD_HTTP_MAX_BODY - c->total)
        return 400;
    c->state = CHUNKED_DATA;
    return PFD_HTTP_AGAIN;
}

/* chunk-size [ chunk-ext ] CRLF, with chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" ... ] ) */
static int chunked_size_byte(struct pfd_chunked *c, unsigned char ch)
{
    int hex = chunked_hex(ch);
    if (c->state == CHUNKED_SIZE && hex >= 0) {
        if (c->line_len >= PFD_CHUNK_SIZE_DIGITS_MAX) /* line_len counts the digits so far */
            return 400;
        c->chunk_left = c->chunk_left * 16 + (uint64_t)hex;
        c->line_len++;
        return PFD_HTTP_AGAIN;
    }
    if (c->state == CHUNKED_SIZE && c->line_len == 0)
        return 400; /* no digits */
    if (c->state == CHUNKED_SIZE_LF)
        return ch == '\n' ? chunked_size_done(c) : 400;
    if (ch == '\n')
        return chunked_size_done(c);
    if (ch == '\r') {
        c->state = CHUNKED_SIZE_LF;
        return PFD_HTTP_AGAIN;
    }
    if (++c->line_len > PFD_CHUNK_SIZE_LINE_MAX)
        return 400;
    if (c->state == CHUNKED_EXT) /* quoted strings may hold anything but controls */
        return http_is_field_char(ch) ? PFD_HTTP_AGAIN : 400;
    if (ch == ';')
        c->state = CHUNKED_EXT;
    else if (http_is_ows((char)ch))
        c->state = CHUNKED_SIZE_WS;
    else
        return 400; /* "5 5", "5x", … */
    return PFD_HTTP_AGAIN;
}

/* The CRLF (or LF) that must follow each chunk's data. */
static int chunked_data_end_byte(struct pfd_chunked *c, unsigned char ch)
{
    if (ch == '\r' && c->state == CHUNKED_DATA_CR) {
        c->state = CHUNKED_DATA_LF;
        return PFD_HTTP_AGAIN;
    }
    if (ch != '\n')
        return 400;
    c->state = CHUNKED_SIZE;
    c->line_len = 0;
    return PFD_HTTP_AGAIN;
}

/* A trailer line is complete: count it; RFC 9112 §7.1.2 lets us drop its content. */
static int chunked_trailer_done(struct pfd_chunked *c)
{
    if (++c->trailers > PFD_CHUNK_TRAILERS_MAX)
        return 400;
    c->state = CHUNKED_TRAILER_NAME;
    c->line_len = 0;
    return PFD_HTTP_AGAIN;
}

/* trailer-section = *( field-line CRLF ) CRLF (RFC 9112 §7.1). */
static int chunked_trailer_byte(struct pfd_chunked *c, unsigned char ch)
{
    if (c->state == CHUNKED_END_LF || c->state == CHUNKED_TRAILER_LF) {
        if (ch != '\n')
            return 400;
        return c->state == CHUNKED_END_LF ? PFD_HTTP_OK : chunked_trailer_done(c);
    }
    bool first = c->line_len == 0;
    if (first && (ch == '\r' || ch == '\n')) { /* the empty line ending the message */
        c->state = CHUNKED_END_LF;
        return ch == '\n' ? PFD_HTTP_OK : PFD_HTTP_AGAIN;
    }
    if (c->state == CHUNKED_TRAILER_VALUE && (ch == '\r' || ch == '\n')) {
        c->state = CHUNKED_TRAILER_LF;
        return ch == '\n' ? chunked_trailer_done(c) : PFD_HTTP_AGAIN;
    }
    if (++c->line_len > PFD_CHUNK_TRAILER_LINE_MAX)
        return 400;
    if (c->state == CHUNKED_TRAILER_VALUE)
        return http_is_field_char(ch) ? PFD_HTTP_AGAIN : 400;
    if (ch == ':' && !first)
        c->state = CHUNKED_TRAILER_VALUE;
    else if (!http_is_tchar(ch))
        return 400; /* obs-fold, whitespace before ':', no name, no colon */
    return PFD_HTTP_AGAIN;
}

/* Feeds one framing byte (anything but chunk data) to the state machine. */
static int chunked_byte(struct pfd_chunked *c, unsigned char ch)
{
    switch (c->state) {
    case CHUNKED_SIZE:
    case CHUNKED_SIZE_WS:
    case CHUNKED_EXT:
    case CHUNKED_SIZE_LF:
        return chunked_size_byte(c, ch);
    case CHUNKED_DATA_CR:
    case CHUNKED_DATA_LF:
        return chunked_data_end_byte(c, ch);
    default:
        return chunked_trailer_byte(c, ch);
    }
}

int pfd_chunked_decode(struct pfd_chunked *c, const char *in, size_t in_len, char *out,
                       size_t *consumed, size_t *produced)
{
    size_t i = 0, o = 0;
    int rc = PFD_HTTP_AGAIN;

    if (c->state >= 400)
        rc = c->state;
    else if (c->state == CHUNKED_DONE)
        rc = PFD_HTTP_OK;
    while (rc == PFD_HTTP_AGAIN && i < in_len) {
        if (c->state != CHUNKED_DATA) {
            rc = chunked_byte(c, (unsigned char)in[i++]);
            continue;
        }
        size_t n = in_len - i;
        if (n > c->chunk_left)
            n = (size_t)c->chunk_left;
        memmove(out + o, in + i, n); /* o <= i always: safe when out == in */
        i += n;
        o += n;
        c->chunk_left -= n;
        c->total += n;
        if (c->chunk_left == 0)
            c->state = CHUNKED_DATA_CR;
    }
    if (rc == PFD_HTTP_OK)
        c->state = CHUNKED_DONE;
    else if (rc != PFD_HTTP_AGAIN)
        c->state = rc;
    *consumed = i;
    *produced = o;
    return rc;
}
