/*
 * cgi_parse.c — parsing a CGI script's response head. See cgi_parse.h.
 */
#include "cgi_parse.h"

#include <string.h>
#include <strings.h>

size_t cgi_head_end(const char *buf, size_t len, size_t from)
{
    for (size_t i = from; i < len; i++) {
        if (buf[i] != '\n')
            continue;
        /* An empty line: LF at the very start, or LF after LF / after LF CR. */
        if (i == 0 || buf[i - 1] == '\n')
            return i + 1;
        if (buf[i - 1] == '\r' && (i == 1 || buf[i - 2] == '\n'))
            return i + 1;
    }
    return 0;
}

/* RFC 9110 §5.6.2 token characters. */
static bool cgi_is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

int cgi_status_parse(char *value, int *status, const char **reason)
{
    if (!(value[0] >= '1' && value[0] <= '5') || !(value[1] >= '0' && value[1] <= '9') ||
        !(value[2] >= '0' && value[2] <= '9') || (value[3] != '\0' && value[3] != ' '))
        return -1;
    *status = (value[0] - '0') * 100 + (value[1] - '0') * 10 + (value[2] - '0');
    const char *r = value + 3;
    while (*r == ' ' || *r == '\t')
        r++;
    *reason = *r != '\0' ? r : NULL;
    return 0;
}

static int cgi_length_parse(const char *value, int64_t *length)
{
    int64_t n = 0;
    if (*value == '\0')
        return -1;
    for (const char *p = value; *p != '\0'; p++) {
        if (*p < '0' || *p > '9' || n > (INT64_MAX - 9) / 10)
            return -1;
        n = n * 10 + (*p - '0');
    }
    *length = n;
    return 0;
}

/* RFC 9110 §5.5: a field value is VCHAR, obs-text, SP and HTAB; anything else (a control byte,
 * a bare CR, DEL) would reach the client as it is, and a CR can split a head in some clients. */
static bool cgi_value_is_clean(const char *value)
{
    for (const unsigned char *p = (const unsigned char *)value; *p != '\0'; p++)
        if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
            return false;
    return true;
}

/* Whether a line after the first starts with SP/HT: obsolete line folding (RFC 9112 §5.2). */
static bool cgi_has_fold(const char *buf, size_t len)
{
    for (size_t i = 1; i + 1 < len; i++)
        if (buf[i] == '\n' && (buf[i + 1] == ' ' || buf[i + 1] == '\t'))
            return true;
    return false;
}

/* Joins folded lines (a line end followed by SP/HT) into the line before, with spaces: what
 * RFC 9112 §5.2 lets a gateway do instead of refusing them. */
static void cgi_unfold(char *buf, size_t len)
{
    for (size_t i = 1; i + 1 < len; i++) {
        if (buf[i] == '\n' && (buf[i + 1] == ' ' || buf[i + 1] == '\t')) {
            buf[i] = ' ';
            if (buf[i - 1] == '\r')
                buf[i - 1] = ' ';
        }
    }
}

/* One "Name: value" line (NUL-terminated, line end removed) into h. */
static int cgi_field_parse(char *line, struct cgi_head *h, const char **err)
{
    char *colon = strchr(line, ':');
    if (colon == NULL || colon == line) {
        *err = "a header line without a name and a colon";
        return -1;
    }
    for (char *p = line; p < colon; p++) {
        if (!cgi_is_tchar((unsigned char)*p)) {
            *err = "a header name with a character not allowed in a token";
            return -1;
        }
    }
    *colon = '\0';
    char *value = colon + 1;
    while (*value == ' ' || *value == '\t')
        value++;
    size_t vlen = strlen(value);
    while (vlen > 0 && (value[vlen - 1] == ' ' || value[vlen - 1] == '\t'))
        value[--vlen] = '\0';
    if (!cgi_value_is_clean(value)) {
        *err = "a control character (or a bare CR) in a header value";
        return -1;
    }
    if (strcasecmp(line, "Status") == 0) {
        *err = "a Status that is not a 3-digit code from 100 to 599";
        return cgi_status_parse(value, &h->status, &h->reason);
    }
    if (strcasecmp(line, "Content-Length") == 0) {
        int64_t length;
        *err = "a Content-Length that is not a number";
        if (cgi_length_parse(value, &length) != 0)
            return -1;
        /* RFC 9112 §6.3 item 5: two different lengths cannot frame a body (a smuggling trick) */
        *err = "two different Content-Length values";
        if (h->content_length >= 0 && h->content_length != length)
            return -1;
        h->content_length = length;
        return 0;
    }
    if (strcasecmp(line, "Location") == 0)
        h->location = value;
    else if (strcasecmp(line, "Content-Type") == 0)
        h->content_type = value;
    else if (h->nfields < CGI_FIELDS_MAX)
        h->fields[h->nfields++] = (struct cgi_field){line, value};
    else {
        *err = "more header fields than preforkd accepts from a script";
        return -1;
    }
    return 0;
}

/* "HTTP/1.x NNN reason" for nph- scripts. */
static int cgi_status_line_parse(char *line, struct cgi_head *h, const char **err)
{
    *err = "an nph- script whose first line is not an HTTP/1.x status line";
    if (strncmp(line, "HTTP/1.", 7) != 0 || line[7] < '0' || line[7] > '9' || line[8] != ' ')
        return -1;
    if (!cgi_value_is_clean(line)) {
        *err = "a control character (or a bare CR) in the status line";
        return -1;
    }
    return cgi_status_parse(line + 9, &h->status, &h->reason);
}

int cgi_head_parse(char *buf, size_t len, bool nph, struct cgi_head *h, const char **err)
{
    memset(h, 0, sizeof(*h));
    h->content_length = -1;
    *err = "";
    if (memchr(buf, '\0', len) != NULL) {
        *err = "a NUL byte in the header";
        return -1;
    }
    /* nph- output goes to the client as it is, so a fold there cannot be replaced: refused. */
    if (nph && cgi_has_fold(buf, len)) {
        *err = "obsolete line folding in an nph- head, which is sent as it is (RFC 9112 §5.2)";
        return -1;
    }
    cgi_unfold(buf, len);
    char *p = buf, *end = buf + len;
    for (bool first = true; p < end; first = false) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (nl == NULL)
            break; /* cannot happen after cgi_head_end(); be safe */
        *nl = '\0';
        if (nl > p && nl[-1] == '\r')
            nl[-1] = '\0';
        if (*p == '\0')
            return 0; /* the empty line */
        int rc = first && nph ? cgi_status_line_parse(p, h, err) : cgi_field_parse(p, h, err);
        if (rc != 0)
            return -1;
        p = nl + 1;
    }
    *err = "a header without the empty line that ends it";
    return -1;
}
