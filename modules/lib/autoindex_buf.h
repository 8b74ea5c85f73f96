/*
 * autoindex_buf.h — the one growable byte buffer mod_autoindex renders into, with checked
 * appends: no hand-computed sizes anywhere else. Pure (no I/O), unit-tested.
 */
#ifndef AUTOINDEX_BUF_H
#define AUTOINDEX_BUF_H

#include <stdbool.h>
#include <stddef.h>

/* A buffer is never larger than this: a bug that appends forever fails instead of eating RAM. */
#define AUTOINDEX_BUF_MAX ((size_t)1 << 30)

struct autoindex_buf {
    char *data; /* NUL-terminated when not NULL */
    size_t len;
    size_t cap;
    bool failed; /* an append failed (out of memory or over the bound); sticky */
};

/* Appends n bytes; 0, or -1 (and failed set) when it cannot grow. */
int autoindex_buf_append(struct autoindex_buf *b, const void *data, size_t n);
int autoindex_buf_puts(struct autoindex_buf *b, const char *s);
int autoindex_buf_putc(struct autoindex_buf *b, char c);
int autoindex_buf_printf(struct autoindex_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Makes room for n more bytes without appending them; 0 or -1. */
int autoindex_buf_reserve(struct autoindex_buf *b, size_t n);
void autoindex_buf_reset(struct autoindex_buf *b); /* len = 0, memory kept */
void autoindex_buf_free(struct autoindex_buf *b);

#endif
