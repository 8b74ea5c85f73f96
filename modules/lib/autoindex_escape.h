/*
 * autoindex_escape.h — making file names safe where a listing puts them: HTML text and
 * attributes, URL paths (RFC 3986), JSON strings (RFC 8259); plus the human size and the dates.
 * File names are bytes: they may hold anything but '/' and NUL, and need not be UTF-8.
 * Pure functions, unit-tested in test/unit/check_autoindex_escape.c.
 */
#ifndef AUTOINDEX_ESCAPE_H
#define AUTOINDEX_ESCAPE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "autoindex_buf.h"

/* Length (1-4) of the well-formed UTF-8 sequence at s (RFC 3629 §4: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or 0 when the byte at s does not start one. */
size_t autoindex_utf8_len(const unsigned char *s, size_t n);

/*
 * HTML text or a quoted attribute value: & < > " ' become character references; an invalid
 * UTF-8 byte and a control character (C0, DEL) become U+FFFD, so the page stays well-formed
 * whatever the name holds (the link's href still reaches the exact file).
 */
int autoindex_html_escape(struct autoindex_buf *b, const char *s, size_t n);
/* The same for multi-line text (a readme): tab, LF and CR are kept. */
int autoindex_html_escape_text(struct autoindex_buf *b, const char *s, size_t n);
/* Percent-encodes every byte but RFC 3986 unreserved ones (and '/' when keep_slash): what is
 * left is safe in a URL path, a relative reference (a ':' cannot pose as a scheme) and HTML. */
int autoindex_url_encode(struct autoindex_buf *b, const char *s, size_t n, int keep_slash);
/* The body of a JSON string (without the quotes): '"', '\' and control characters escaped,
 * well-formed UTF-8 kept, each byte of an invalid sequence replaced by \ufffd. */
int autoindex_json_escape(struct autoindex_buf *b, const char *s, size_t n);

/* "1.2K", "34M", "512" (bytes below 1 KiB); 1024-based, as Apache and nginx show sizes. */
void autoindex_size_human(int64_t size, char out[16]);
/* "2026-11-27 14:40" (UTC), the listing's column. */
void autoindex_time_short(time_t t, char out[24]);
/* "2026-11-27T14:40:44Z": ISO 8601 / RFC 3339 in UTC, for JSON. */
void autoindex_time_iso(time_t t, char out[24]);

#endif
