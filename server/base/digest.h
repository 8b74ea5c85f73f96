/*
 * digest.h — what the block digests (md5.c, sha1.c) share: filling 64-byte blocks (digest.c).
 */
#ifndef PFD_DIGEST_H
#define PFD_DIGEST_H

#include <stddef.h>
#include <stdint.h>

/* The compression function of a digest: one 64-byte block into state. */
typedef void pfd_digest_compress(uint32_t *state, const unsigned char *block);

/* Appends len bytes of data to the block being filled (*length bytes fed so far), compressing
 * each block as it fills. */
void pfd_digest_feed(uint32_t *state, unsigned char block[64], uint64_t *length,
                     pfd_digest_compress *compress, const void *data, size_t len);

#endif
