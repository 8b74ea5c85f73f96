/*
 * proxy_chunked.h — decoding an upstream's chunked response body (RFC 9112 §7.1) as it arrives,
 * in pieces of any size, in place: mod_proxy passes the data on and forgets it, so a body of any
 * length takes the memory of one read.
 *
 * Pure (check_proxy_upstream.c tests it). Chunk extensions and trailer fields are dropped, each
 * bounded in length.
 */
#ifndef PROXY_CHUNKED_H
#define PROXY_CHUNKED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PROXY_CHUNK_LINE_MAX 4096 /* a chunk-size line with its extensions */
#define PROXY_TRAILER_MAX 16384   /* all trailer lines together */

struct proxy_chunked {
    int state;
    uint64_t left;   /* data bytes of the current chunk not seen yet */
    unsigned digits; /* of the chunk size read so far */
    size_t line;     /* bytes of the current size line or of the trailer */
    bool done;       /* the last chunk and the trailer section are in */
};

/* Decodes buf[0..len) in place: the data bytes move to the front. Returns how many, or -1 on
 * a framing error. *used: input bytes consumed (less than len only once done: what follows the
 * body, which a kept connection must not have). */
ssize_t proxy_chunked_decode(struct proxy_chunked *c, char *buf, size_t len, size_t *used);

#endif
