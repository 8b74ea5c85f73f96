#include "base/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pfd_buf_reserve(struct pfd_buf *b, size_t extra)
{
    if (extra <= b->cap - b->len)
        return 0;
    if (extra > SIZE_MAX / 2 - b->len)
        return -1;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < extra)
        cap *= 2;
    char *data = realloc(b->data, cap);
    if (data == NULL)
        return -1;
    b->data = data;
    b->cap = cap;
    return 0;
}

int pfd_buf_append(struct pfd_buf *b, const void *data, size_t len)
{
    if (pfd_buf_reserve(b, len + 1) != 0)
        return -1;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0'; /* always a C string too; the NUL is not counted */
    return 0;
}

int pfd_buf_append_str(struct pfd_buf *b, const char *s)
{
    return pfd_buf_append(b, s, strlen(s));
}

int pfd_buf_append_int(struct pfd_buf *b, int64_t value)
{
    char digits[24];
    char *p = digits + sizeof(digits);
    uint64_t v = value < 0 ? 0 - (uint64_t)value : (uint64_t)value;
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    if (value < 0)
        *--p = '-';
    return pfd_buf_append(b, p, (size_t)(digits + sizeof(digits) - p));
}

int pfd_buf_vprintf(struct pfd_buf *b, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(b->len < b->cap ? b->data + b->len : NULL, b->cap - b->len, fmt, copy);
    va_end(copy);
    if (n < 0)
        return -1;
    if ((size_t)n >= b->cap - b->len) {
        if (pfd_buf_reserve(b, (size_t)n + 1) != 0)
            return -1;
        n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
        if (n < 0)
            return -1;
    }
    b->len += (size_t)n;
    return 0;
}

int pfd_buf_printf(struct pfd_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = pfd_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

void pfd_buf_consume(struct pfd_buf *b, size_t n)
{
    if (n >= b->len) {
        b->len = 0;
        if (b->data != NULL)
            b->data[0] = '\0';
        return;
    }
    memmove(b->data, b->data + n, b->len - n + 1); /* with the terminating NUL */
    b->len -= n;
}

void pfd_buf_free(struct pfd_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

struct pfd_arena_block {
    struct pfd_arena_block *next;
    size_t used;
    size_t size;
    max_align_t data[]; /* aligned for any object */
};

void pfd_arena_init(struct pfd_arena *a, size_t block_size)
{
    a->head = NULL;
    a->block_size = block_size;
}

void *pfd_arena_alloc(struct pfd_arena *a, size_t size)
{
    const size_t align = sizeof(max_align_t);
    if (size > SIZE_MAX / 2)
        return NULL;
    size = (size + align - 1) & ~(align - 1);
    struct pfd_arena_block *blk = a->head;
    if (blk == NULL || blk->size - blk->used < size) {
        size_t want = size > a->block_size ? size : a->block_size;
        blk = malloc(sizeof(*blk) + want);
        if (blk == NULL)
            return NULL;
        blk->used = 0;
        blk->size = want;
        blk->next = a->head;
        a->head = blk;
    }
    void *p = (char *)blk->data + blk->used;
    blk->used += size;
    return p;
}

char *pfd_arena_strndup(struct pfd_arena *a, const char *s, size_t len)
{
    char *p = pfd_arena_alloc(a, len + 1);
    if (p == NULL)
        return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *pfd_arena_vprintf(struct pfd_arena *a, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        return NULL;
    char *p = pfd_arena_alloc(a, (size_t)n + 1);
    if (p != NULL)
        vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

void pfd_arena_reset(struct pfd_arena *a)
{
    struct pfd_arena_block *blk = a->head;
    if (blk == NULL)
        return;
    /* Keep the oldest block (the last in the chain): a typical request fits in it. */
    while (blk->next != NULL) {
        struct pfd_arena_block *next = blk->next;
        free(blk);
        blk = next;
    }
    blk->used = 0;
    a->head = blk;
}

void pfd_arena_free(struct pfd_arena *a)
{
    struct pfd_arena_block *blk = a->head;
    while (blk != NULL) {
        struct pfd_arena_block *next = blk->next;
        free(blk);
        blk = next;
    }
    a->head = NULL;
}
