/*
 * autoindex_escape.c — escaping file names for HTML, URLs and JSON; sizes and dates.
 */
#include "autoindex_escape.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

size_t autoindex_utf8_len(const unsigned char *s, size_t n)
{
    if (n == 0)
        return 0;
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; /* the allowed range of the second byte */
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else {
        return 0; /* continuation byte, C0, C1, F5..FF */
    }
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return len;
}

static const char autoindex_replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* keep_space: tab, LF and CR stay (multi-line text); else they are replaced like controls. */
static int autoindex_html_escape_with(struct autoindex_buf *b, const char *s, size_t n,
                                      bool keep_space)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t len = autoindex_utf8_len(u + i, n - i);
        const char *rep = NULL;
        bool space = u[i] == '\t' || u[i] == '\n' || u[i] == '\r';
        if (len == 0 || ((u[i] < 0x20 && !(keep_space && space)) || u[i] == 0x7F)) {
            rep = autoindex_replacement; /* HTML forbids C0 controls and non-characters */
            len = 1;
        } else if (len == 1) {
            switch (u[i]) {
            case '&':
                rep = "&amp;";
                break;
            case '<':
                rep = "&lt;";
                break;
            case '>':
                rep = "&gt;";
                break;
            case '"':
                rep = "&quot;";
                break;
            case '\'':
                rep = "&#39;";
                break;
            default:
                break;
            }
        }
        if (rep != NULL ? autoindex_buf_puts(b, rep) : autoindex_buf_append(b, s + i, len))
            return -1;
        i += len;
    }
    return 0;
}

int autoindex_html_escape(struct autoindex_buf *b, const char *s, size_t n)
{
    return autoindex_html_escape_with(b, s, n, false);
}

int autoindex_html_escape_text(struct autoindex_buf *b, const char *s, size_t n)
{
    return autoindex_html_escape_with(b, s, n, true);
}

/* RFC 3986 §2.3 unreserved: ALPHA / DIGIT / "-" / "." / "_" / "~". */
static int autoindex_unreserved(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

int autoindex_url_encode(struct autoindex_buf *b, const char *s, size_t n, int keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    if (autoindex_buf_reserve(b, n * 3) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (autoindex_unreserved(c) || (keep_slash && c == '/')) {
            b->data[b->len++] = (char)c;
        } else {
            b->data[b->len++] = '%';
            b->data[b->len++] = hex[c >> 4];
            b->data[b->len++] = hex[c & 15];
        }
    }
    b->data[b->len] = '\0';
    return 0;
}

int autoindex_json_escape(struct autoindex_buf *b, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t len = autoindex_utf8_len(u + i, n - i);
        int rc;
        if (len == 0) {
            rc = autoindex_buf_puts(b, "\\ufffd");
            len = 1;
        } else if (u[i] == '"' || u[i] == '\\') {
            rc = autoindex_buf_putc(b, '\\') | autoindex_buf_putc(b, (char)u[i]);
        } else if (u[i] < 0x20 || u[i] == 0x7F) { /* RFC 8259 §7: below 0x20 must be escaped */
            rc = autoindex_buf_printf(b, "\\u%04x", u[i]);
        } else {
            rc = autoindex_buf_append(b, s + i, len);
        }
        if (rc != 0)
            return -1;
        i += len;
    }
    return 0;
}

void autoindex_size_human(int64_t size, char out[16])
{
    static const char units[] = "KMGTPE";
    if (size < 0) {
        snprintf(out, 16, "-");
        return;
    }
    if (size < 1024) {
        snprintf(out, 16, "%d", (int)size);
        return;
    }
    double v = (double)size / 1024.0;
    size_t u = 0;
    /* One decimal below 10 ("1.2K"), none above ("34M"); rounding may carry into the next
     * unit (1023.96K is "1.0M", not "1024K"). */
    while (v >= 1023.5 && u + 1 < sizeof(units) - 1) {
        v /= 1024.0;
        u++;
    }
    if (v < 9.95)
        snprintf(out, 16, "%.1f%c", v, units[u]);
    else
        snprintf(out, 16, "%.0f%c", v, units[u]);
}

void autoindex_time_short(time_t t, char out[24])
{
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL || strftime(out, 24, "%Y-%m-%d %H:%M", &tm) == 0)
        snprintf(out, 24, "-");
}

void autoindex_time_iso(time_t t, char out[24])
{
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL || strftime(out, 24, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, 24, "1970-01-01T00:00:00Z");
}
