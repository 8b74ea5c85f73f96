/*
 * buf.h — a growable byte buffer with checked appends, and a per-request arena.
 *
 * Both die on allocation failure by returning -1/NULL to the caller; the worker treats that as
 * fatal for the connection. No caller computes sizes by hand. The buffer is part of the module
 * API: struct pfd_buf and its functions are declared in preforkd/module.h ("HTTP helpers").
 */
#ifndef PFD_BUF_H
#define PFD_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "preforkd/module.h"

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
