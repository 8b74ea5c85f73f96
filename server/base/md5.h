/*
 * md5.h — the MD5 message digest (RFC 1321), for Apache's "$apr1$" htpasswd hashes only (md5.c).
 *
 * MD5 is broken for collisions; it is here because migrating users' htpasswd files hold it, never
 * to protect anything new.
 */
#ifndef PFD_MD5_H
#define PFD_MD5_H

#include <stddef.h>
#include <stdint.h>

#define PFD_MD5_SIZE 16 /* bytes in a digest */

struct pfd_md5 {
    uint32_t state[4];       /* A, B, C, D (RFC 1321 §3.3) */
    uint64_t length;         /* bytes hashed so far */
    unsigned char block[64]; /* the block being filled */
};

void pfd_md5_init(struct pfd_md5 *ctx);
void pfd_md5_update(struct pfd_md5 *ctx, const void *data, size_t len);
/* Pads (RFC 1321 §3.1, §3.2), writes the digest and wipes ctx. */
void pfd_md5_final(struct pfd_md5 *ctx, unsigned char digest[PFD_MD5_SIZE]);

#endif
