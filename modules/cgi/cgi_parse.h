/*
 * cgi_parse.h — a CGI script's response head (RFC 3875 §6): the header fields up to the first
 * empty line, with Status, Location and Content-Type picked out; and, for nph- scripts, the
 * HTTP status line in front of them.
 *
 * Pure: bytes in, a result out. The head is parsed in place (fields become NUL-terminated
 * strings pointing into the caller's buffer). check_cgi_parse.c tests it.
 */
#ifndef CGI_PARSE_H
#define CGI_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CGI_HEAD_MAX (64 * 1024) /* longest script head (Apache: 8190 per line, no total) */
#define CGI_FIELDS_MAX 100       /* header fields one script may send */

struct cgi_field {
    const char *name;
    const char *value;
};

struct cgi_head {
    int status;         /* from Status: (or the nph status line), else 0 */
    const char *reason; /* its reason phrase, or NULL */
    const char *location;
    const char *content_type;
    int64_t content_length;                  /* -1 when the script sent none */
    struct cgi_field fields[CGI_FIELDS_MAX]; /* every other field, in order */
    size_t nfields;
};

/*
 * Where the body starts in buf[0..len): the offset just after the empty line that ends the
 * head (LF or CRLF line ends, RFC 3875 §6.3 allows either); 0 when the head is not complete yet.
 * from: bytes before it were already searched (a head arriving in pieces is scanned once).
 */
size_t cgi_head_end(const char *buf, size_t len, size_t from);

/*
 * Parses the head buf[0..len) (len from cgi_head_end(), so it ends with the empty line).
 * nph: the first line is an HTTP status line ("HTTP/1.1 200 OK"). Obsolete line folding is
 * joined with spaces (refused in nph- heads, which go out unchanged). A value with a byte that
 * RFC 9110 §5.5 does not allow (a control byte other than HTAB, a bare CR, DEL) is refused.
 * Returns 0, or -1 with *err saying why (for the error log).
 */
int cgi_head_parse(char *buf, size_t len, bool nph, struct cgi_head *h, const char **err);

/* "404 Not Found" or "404": 0 and the parts, or -1 unless a 3-digit status in 100..599. */
int cgi_status_parse(char *value, int *status, const char **reason);

#endif
