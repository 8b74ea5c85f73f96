/*
 * digest.c — feeding bytes to a digest that works on 64-byte blocks (MD5, SHA-1): the same
 * buffering for both, whatever their compression functions and byte orders.
 */
#include "base/digest.h"

#include <string.h>

void pfd_digest_feed(uint32_t *state, unsigned char block[64], uint64_t *length,
                     pfd_digest_compress *compress, const void *data, size_t len)
{
    const unsigned char *p = data;
    while (len > 0) {
        size_t used = (size_t)(*length % 64), take = 64 - used;
        if (take > len)
            take = len;
        memcpy(block + used, p, take);
        *length += take;
        p += take;
        len -= take;
        if (used + take == 64)
            compress(state, block);
    }
}
