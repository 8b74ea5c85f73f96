/*
 * static_expires.h — the `expires` option's value and the Cache-Control/Expires it makes, pure.
 */
#ifndef PFD_STATIC_EXPIRES_H
#define PFD_STATIC_EXPIRES_H

#include <stdint.h>
#include <time.h>

/* Longest duration accepted: ten years (nginx's "max" is about that much). */
#define STATIC_EXPIRES_MAX_SECONDS (10LL * 366 * 86400)

enum static_expires_kind {
    STATIC_EXPIRES_NONE,  /* "" or "off": no header added */
    STATIC_EXPIRES_AFTER, /* a duration: max-age, Expires = now + duration */
    STATIC_EXPIRES_EPOCH, /* "epoch": Expires in 1970, Cache-Control: no-cache */
    STATIC_EXPIRES_MAX,   /* "max": Expires in 2037, max-age of ten years */
};

struct static_expires {
    enum static_expires_kind kind;
    int64_t seconds; /* STATIC_EXPIRES_AFTER */
};

/*
 * Parses "", "off", "epoch", "max", or a duration: one or more <number><unit> with units
 * s, m, h, d, w (a bare number is seconds), e.g. "1h", "30m", "7d", "1h30m". Returns 0, or -1
 * (nothing else, longer than STATIC_EXPIRES_MAX_SECONDS).
 */
int static_expires_parse(const char *s, struct static_expires *out);

/*
 * The Cache-Control value into cc (room for 40) and the Expires time into *expires, for a
 * response made at `now`. Returns 0, or -1 for STATIC_EXPIRES_NONE (no header).
 */
int static_expires_headers(const struct static_expires *e, time_t now, char cc[40],
                           time_t *expires);

#endif
