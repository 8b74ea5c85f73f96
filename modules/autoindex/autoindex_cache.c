/*
 * autoindex_cache.c — the listings a worker rendered last (see autoindex_cache.h).
 */
#include "autoindex_cache.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool cache_same_time(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/* The key's three strings one after the other, each with its NUL, as a slot stores them. */
static size_t cache_key_len(const struct autoindex_cache_key *k)
{
    return strlen(k->variant) + strlen(k->host) + strlen(k->path) + 3;
}

static void cache_key_write(char *out, const struct autoindex_cache_key *k)
{
    const char *parts[3] = {k->variant, k->host, k->path};
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(parts[i]) + 1;
        memcpy(out, parts[i], n);
        out += n;
    }
}

static bool cache_matches(const struct autoindex_cache_slot *s, const struct autoindex_cache_key *k)
{
    const struct stat *d = k->dir;
    if (s->block == NULL || s->dev != d->st_dev || s->ino != d->st_ino || s->size != d->st_size ||
        !cache_same_time(&s->mtim, &d->st_mtim) || !cache_same_time(&s->ctim, &d->st_ctim))
        return false;
    const char *p = s->block;
    const char *parts[3] = {k->variant, k->host, k->path};
    for (int i = 0; i < 3; i++) {
        if (strcmp(p, parts[i]) != 0)
            return false;
        p += strlen(p) + 1;
    }
    return true;
}

static void cache_drop(struct autoindex_cache *c, struct autoindex_cache_slot *s)
{
    if (s->block == NULL)
        return;
    c->bytes -= s->body_len;
    free(s->block);
    memset(s, 0, sizeof(*s));
}

const char *autoindex_cache_get(struct autoindex_cache *c, const struct autoindex_cache_key *k,
                                int64_t now_ms, int64_t valid_ms, size_t *len)
{
    for (size_t i = 0; i < AUTOINDEX_CACHE_SLOTS; i++) {
        struct autoindex_cache_slot *s = &c->slots[i];
        if (!cache_matches(s, k))
            continue;
        if (now_ms - s->stored_ms >= valid_ms || now_ms < s->stored_ms) {
            cache_drop(c, s); /* too old: it is rendered again */
            return NULL;
        }
        *len = s->body_len;
        return s->block + s->key_len;
    }
    return NULL;
}

/* The slot to fill: the key's own (replaced), else an empty one, else the oldest. */
static struct autoindex_cache_slot *cache_victim(struct autoindex_cache *c,
                                                 const struct autoindex_cache_key *k)
{
    struct autoindex_cache_slot *victim = NULL;
    for (size_t i = 0; i < AUTOINDEX_CACHE_SLOTS; i++) {
        struct autoindex_cache_slot *s = &c->slots[i];
        if (cache_matches(s, k))
            return s;
        if (victim == NULL ||
            (victim->block != NULL && (s->block == NULL || s->stored_ms < victim->stored_ms)))
            victim = s;
    }
    return victim;
}

/* Drops the oldest entries but keep until the bodies held leave room for extra in max_bytes. */
static void cache_make_room(struct autoindex_cache *c, const struct autoindex_cache_slot *keep,
                            size_t extra, size_t max_bytes)
{
    for (size_t round = 0; round < AUTOINDEX_CACHE_SLOTS && c->bytes + extra > max_bytes; round++) {
        struct autoindex_cache_slot *oldest = NULL;
        for (size_t i = 0; i < AUTOINDEX_CACHE_SLOTS; i++) {
            struct autoindex_cache_slot *s = &c->slots[i];
            if (s != keep && s->block != NULL &&
                (oldest == NULL || s->stored_ms < oldest->stored_ms))
                oldest = s;
        }
        if (oldest == NULL)
            return;
        cache_drop(c, oldest);
    }
}

void autoindex_cache_put(struct autoindex_cache *c, const struct autoindex_cache_key *k,
                         int64_t now_ms, const char *body, size_t len, size_t max_bytes)
{
    struct autoindex_cache_slot *s = cache_victim(c, k);
    cache_drop(c, s);
    if (len > max_bytes)
        return;
    cache_make_room(c, s, len, max_bytes);
    size_t key_len = cache_key_len(k);
    char *block = malloc(key_len + len);
    if (block == NULL)
        return; /* not kept: the next request renders it again */
    cache_key_write(block, k);
    memcpy(block + key_len, body, len);
    *s = (struct autoindex_cache_slot){.dev = k->dir->st_dev,
                                       .ino = k->dir->st_ino,
                                       .size = k->dir->st_size,
                                       .mtim = k->dir->st_mtim,
                                       .ctim = k->dir->st_ctim,
                                       .stored_ms = now_ms,
                                       .block = block,
                                       .key_len = key_len,
                                       .body_len = len};
    c->bytes += len;
}

void autoindex_cache_clear(struct autoindex_cache *c)
{
    for (size_t i = 0; i < AUTOINDEX_CACHE_SLOTS; i++)
        cache_drop(c, &c->slots[i]);
}
