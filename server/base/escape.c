/*
 * escape.c — putting bytes where they could otherwise make markup, syntax, another URL or a
 * forged log line: HTML text and attributes, JSON strings (RFC 8259), URL components (RFC 3986),
 * log text (Apache's convention), and the UTF-8 check (RFC 3629) HTML and JSON need. Pure: every
 * function appends to a struct pfd_buf.
 *
 * The bytes are anything (file names, request lines a client sent): not necessarily UTF-8,
 * maybe with control characters. What cannot be shown as it is becomes U+FFFD in HTML and
 * \ufffd in JSON, so a page or a document stays well-formed whatever it holds. This was several
 * copies: mod_autoindex's, mod_status's, and for logs the access log's and mod_cgi's.
 */
#include "base/escape.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

size_t pfd_utf8_len(const unsigned char *s, size_t n)
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

static const char escape_replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* What stands for the sequence of len bytes starting with c in HTML, or NULL when it stays as it
 * is. keep_space: tab, LF and CR stay (multi-line text); else they are replaced like controls. */
static const char *escape_html_ref(unsigned char c, size_t len, bool keep_space)
{
    if (len > 1)
        return NULL; /* well-formed multi-byte UTF-8: text */
    bool space = c == '\t' || c == '\n' || c == '\r';
    if (len == 0 || (c < 0x20 && !(keep_space && space)) || c == 0x7F)
        return escape_replacement; /* HTML forbids C0 controls; invalid UTF-8 is no text */
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    default:
        return NULL;
    }
}

/* Appends runs that need nothing whole (most names need nothing), a reference for the rest. */
static int escape_html_with(struct pfd_buf *b, const char *s, size_t n, bool keep_space)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, run = 0;
    while (i < n) {
        size_t len = pfd_utf8_len(u + i, n - i);
        const char *ref = escape_html_ref(u[i], len, keep_space);
        if (ref == NULL) {
            i += len;
            continue;
        }
        if (pfd_buf_append(b, s + run, i - run) != 0 || pfd_buf_append_str(b, ref) != 0)
            return -1;
        run = ++i; /* one byte replaced: an invalid sequence is replaced byte by byte */
    }
    return pfd_buf_append(b, s + run, i - run);
}

int pfd_escape_html(struct pfd_buf *b, const char *s, size_t n)
{
    return escape_html_with(b, s, n, false);
}

int pfd_escape_html_text(struct pfd_buf *b, const char *s, size_t n)
{
    return escape_html_with(b, s, n, true);
}

/* RFC 3986 §2.3 unreserved: ALPHA / DIGIT / "-" / "." / "_" / "~". */
static bool escape_unreserved(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

int pfd_escape_url(struct pfd_buf *b, const char *s, size_t n, bool keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    if (n > SIZE_MAX / 3 - 1 || pfd_buf_reserve(b, n * 3 + 1) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (escape_unreserved(c) || (keep_slash && c == '/')) {
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

/* The escape for the sequence of len bytes starting with c in a JSON string into esc (NUL-
 * terminated), or false when it stays as it is. */
static bool escape_json_one(unsigned char c, size_t len, char esc[8])
{
    static const char hex[] = "0123456789abcdef";
    if (len == 0) {
        memcpy(esc, "\\ufffd", 7); /* each byte of an invalid sequence */
    } else if (len == 1 && (c == '"' || c == '\\')) {
        esc[0] = '\\';
        esc[1] = (char)c;
        esc[2] = '\0';
    } else if (len == 1 && (c < 0x20 || c == 0x7F)) { /* RFC 8259 §7: below 0x20 must be */
        memcpy(esc, "\\u00", 4);
        esc[4] = hex[c >> 4];
        esc[5] = hex[c & 15];
        esc[6] = '\0';
    } else {
        return false;
    }
    return true;
}

int pfd_escape_json(struct pfd_buf *b, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, run = 0;
    while (i < n) {
        size_t len = pfd_utf8_len(u + i, n - i);
        char esc[8];
        if (!escape_json_one(u[i], len, esc)) {
            i += len;
            continue;
        }
        if (pfd_buf_append(b, s + run, i - run) != 0 || pfd_buf_append_str(b, esc) != 0)
            return -1;
        run = ++i;
    }
    return pfd_buf_append(b, s + run, i - run);
}

int pfd_escape_log(struct pfd_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t i = 0, run = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            i++;
            continue;
        }
        char esc[4] = {'\\', (char)c, hex[c >> 4], hex[c & 15]};
        bool short_form = c == '"' || c == '\\';
        if (!short_form)
            esc[1] = 'x';
        if (pfd_buf_append(b, s + run, i - run) != 0 ||
            pfd_buf_append(b, esc, short_form ? 2 : 4) != 0)
            return -1;
        run = ++i;
    }
    return pfd_buf_append(b, s + run, i - run);
}
