/*
 * autoindex_buf.c — a growable byte buffer with checked appends (see autoindex_buf.h).
 */
#include "autoindex_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int autoindex_buf_reserve(struct autoindex_buf *b, size_t n)
{
    if (b->failed)
        return -1;
    if (n >= AUTOINDEX_BUF_MAX - b->len) {
        b->failed = true;
        return -1;
    }
    size_t need = b->len + n + 1; /* + the NUL */
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need) /* doubling: n appends cost O(n) copies in all */
        cap *= 2;
    char *data = realloc(b->data, cap);
    if (data == NULL) {
        b->failed = true;
        return -1;
    }
    b->data = data;
    b->cap = cap;
    return 0;
}

int autoindex_buf_append(struct autoindex_buf *b, const void *data, size_t n)
{
    if (autoindex_buf_reserve(b, n) != 0)
        return -1;
    if (n > 0)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int autoindex_buf_puts(struct autoindex_buf *b, const char *s)
{
    return autoindex_buf_append(b, s, strlen(s));
}

int autoindex_buf_putc(struct autoindex_buf *b, char c)
{
    return autoindex_buf_append(b, &c, 1);
}

int autoindex_buf_printf(struct autoindex_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || autoindex_buf_reserve(b, (size_t)n) != 0) {
        b->failed = true;
        return -1;
    }
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

void autoindex_buf_reset(struct autoindex_buf *b)
{
    b->len = 0;
    if (b->data != NULL)
        b->data[0] = '\0';
}

void autoindex_buf_free(struct autoindex_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof(*b));
}
