/*
 * static_open_cache.c — descriptors of hot small files kept per worker (see
 * static_open_cache.h).
 */
#include "static_open_cache.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void open_cache_drop(struct static_open_cached *e)
{
    if (e->path == NULL)
        return;
    close(e->fd);
    free(e->path);
    memset(e, 0, sizeof(*e));
}

int static_open_cache_get(struct static_open_cache *c, const char *path, int64_t now_ms,
                          int64_t valid_ms, struct stat *st)
{
    for (size_t i = 0; i < STATIC_OPEN_CACHE_SLOTS; i++) {
        struct static_open_cached *e = &c->slots[i];
        if (e->path == NULL || strcmp(e->path, path) != 0)
            continue;
        if (now_ms - e->opened_ms >= valid_ms || now_ms < e->opened_ms) {
            open_cache_drop(e); /* too old: opened and checked again */
            return -1;
        }
        *st = e->st;
        return e->fd;
    }
    return -1;
}

bool static_open_cache_fits(const struct stat *st)
{
    return S_ISREG(st->st_mode) && st->st_size <= STATIC_OPEN_CACHE_MAX_SIZE;
}

bool static_open_cache_put(struct static_open_cache *c, const char *path, int fd,
                           const struct stat *st, int64_t now_ms)
{
    struct static_open_cached *victim = &c->slots[0];
    for (size_t i = 0; i < STATIC_OPEN_CACHE_SLOTS; i++) {
        struct static_open_cached *e = &c->slots[i];
        if (e->path != NULL && strcmp(e->path, path) == 0) {
            victim = e; /* a stale copy of the same file: replaced */
            break;
        }
        if (victim->path != NULL && (e->path == NULL || e->opened_ms < victim->opened_ms))
            victim = e;
    }
    char *copy = strdup(path);
    if (copy == NULL)
        return false;
    open_cache_drop(victim);
    *victim = (struct static_open_cached){.path = copy, .fd = fd, .st = *st, .opened_ms = now_ms};
    return true;
}

void static_open_cache_clear(struct static_open_cache *c)
{
    for (size_t i = 0; i < STATIC_OPEN_CACHE_SLOTS; i++)
        open_cache_drop(&c->slots[i]);
}
