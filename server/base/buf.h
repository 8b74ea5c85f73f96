/*
 * buf.h — a growable byte buffer with checked appends, and a per-request arena.
 *
 * Both die on allocation failure by returning -1/NULL to the caller; the worker treats that as
 * fatal for the connection. No caller computes sizes by hand.
 */
#ifndef PFD_BUF_H
#define PFD_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct pfd_buf {
    char *data;
    size_t len;
    size_t cap;
};

#define PFD_BUF_INIT                                                                               \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

int pfd_buf_reserve(struct pfd_buf *b, size_t extra);
int pfd_buf_append(struct pfd_buf *b, const void *data, size_t len);
int pfd_buf_append_str(struct pfd_buf *b, const char *s);
/* Decimal, without printf: these run several times per request. */
int pfd_buf_append_int(struct pfd_buf *b, int64_t value);
int pfd_buf_printf(struct pfd_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int pfd_buf_vprintf(struct pfd_buf *b, const char *fmt, va_list ap);
/* Drops the first n bytes, moving the rest to the front. */
void pfd_buf_consume(struct pfd_buf *b, size_t n);
void pfd_buf_free(struct pfd_buf *b);

/* Bump allocator: blocks are chained and freed together by pfd_arena_reset()/free(). */
struct pfd_arena_block;
struct pfd_arena {
    struct pfd_arena_block *head;
    size_t block_size;
};

void pfd_arena_init(struct pfd_arena *a, size_t block_size);
void *pfd_arena_alloc(struct pfd_arena *a, size_t size);
char *pfd_arena_strndup(struct pfd_arena *a, const char *s, size_t len);
char *pfd_arena_vprintf(struct pfd_arena *a, const char *fmt, va_list ap);
/* Frees every block but the first, which is kept for the next request. */
void pfd_arena_reset(struct pfd_arena *a);
void pfd_arena_free(struct pfd_arena *a);

#endif
