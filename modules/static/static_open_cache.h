/*
 * static_open_cache.h — nginx's open_file_cache for hot small files: a worker keeps the
 * descriptor and the fstat() of the last files it opened, and serves them again for valid_ms
 * without open(), fstat() or close(). Only regular files of at most STATIC_OPEN_CACHE_MAX_SIZE
 * bytes opened without a symlink policy to check (follow_symlinks on) are kept, and only
 * STATIC_OPEN_CACHE_SLOTS of them. Access rules, authentication and the hidden-file rule are
 * the core's and mod_static's, decided on every request before the cache is asked; what the
 * cache can serve for up to valid_ms is a file's old content or attributes after it changed on
 * disk (as nginx's open_file_cache_valid). Unit-tested in test/unit/check_static_open_cache.c.
 */
#ifndef STATIC_OPEN_CACHE_H
#define STATIC_OPEN_CACHE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#define STATIC_OPEN_CACHE_SLOTS 16
#define STATIC_OPEN_CACHE_MAX_SIZE (16 * 1024)

struct static_open_cached {
    char *path; /* NULL: free */
    int fd;
    struct stat st;
    int64_t opened_ms;
};

struct static_open_cache {
    struct static_open_cached slots[STATIC_OPEN_CACHE_SLOTS];
};

/* The descriptor kept for path, opened less than valid_ms before now_ms (its stat in *st), or
 * -1. The caller must not close it. A stale entry is closed and dropped. */
int static_open_cache_get(struct static_open_cache *c, const char *path, int64_t now_ms,
                          int64_t valid_ms, struct stat *st);
/* Whether a file opened with this stat may be kept. */
bool static_open_cache_fits(const struct stat *st);
/* Keeps fd (now the cache's: it closes it when dropped) for path, the oldest entry making room;
 * false when it could not (out of memory): the caller still owns fd. */
bool static_open_cache_put(struct static_open_cache *c, const char *path, int fd,
                           const struct stat *st, int64_t now_ms);
void static_open_cache_clear(struct static_open_cache *c);

#endif
