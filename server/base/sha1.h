/*
 * sha1.h — the SHA-1 message digest (FIPS 180-4 §6.1), for htpasswd's "{SHA}" hashes only
 * (sha1.c). Unsalted SHA-1 is far too fast to protect passwords; it is here because migrating
 * users' htpasswd files hold it.
 */
#ifndef PFD_SHA1_H
#define PFD_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define PFD_SHA1_SIZE 20 /* bytes in a digest */

struct pfd_sha1 {
    uint32_t state[5];       /* H0..H4 (FIPS 180-4 §5.3.1) */
    uint64_t length;         /* bytes hashed so far */
    unsigned char block[64]; /* the block being filled */
};

void pfd_sha1_init(struct pfd_sha1 *ctx);
void pfd_sha1_update(struct pfd_sha1 *ctx, const void *data, size_t len);
/* Pads (FIPS 180-4 §5.1.1), writes the digest and wipes ctx. */
void pfd_sha1_final(struct pfd_sha1 *ctx, unsigned char digest[PFD_SHA1_SIZE]);

#endif
