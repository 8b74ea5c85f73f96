/*
 * autoindex_cache.h — the listings a worker rendered last, kept for a short while so that a
 * folder asked for again and again is not read, stat()ed and rendered every time. An entry is
 * found only for the same folder in the same state (device, inode, size, modification and change
 * times to the nanosecond: adding, removing or renaming an entry changes them, as does setting
 * its mtime), the same variant (the listing's ETag: options, order, page, format, inserts'
 * stats), host and path, and only while it is younger than the validity given: a file rewritten
 * in place (its folder unchanged) shows its new size and time after that at the latest. Bounded
 * in entries and in bytes. Pure (no I/O), unit-tested in test/unit/check_autoindex_cache.c.
 */
#ifndef AUTOINDEX_CACHE_H
#define AUTOINDEX_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#define AUTOINDEX_CACHE_SLOTS 8

/* What a rendered listing depends on. */
struct autoindex_cache_key {
    const struct stat *dir; /* the folder's fstat() */
    const char *variant;    /* the listing's ETag */
    const char *host;       /* "" when none */
    const char *path;
};

struct autoindex_cache_slot {
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtim, ctim;
    int64_t stored_ms;
    char *block; /* variant, host and path (each NUL-terminated), then the body */
    size_t key_len, body_len;
};

struct autoindex_cache {
    struct autoindex_cache_slot slots[AUTOINDEX_CACHE_SLOTS];
    size_t bytes; /* the bodies held */
};

/* The body stored for key less than valid_ms before now_ms (its length in *len), or NULL. */
const char *autoindex_cache_get(struct autoindex_cache *c, const struct autoindex_cache_key *k,
                                int64_t now_ms, int64_t valid_ms, size_t *len);
/* Keeps a copy of body for key, replacing an older one for the same key and dropping the oldest
 * entries until the bodies fit in max_bytes; a body larger than that is not kept. */
void autoindex_cache_put(struct autoindex_cache *c, const struct autoindex_cache_key *k,
                         int64_t now_ms, const char *body, size_t len, size_t max_bytes);
void autoindex_cache_clear(struct autoindex_cache *c);

#endif
