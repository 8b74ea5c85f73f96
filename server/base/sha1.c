/*
 * sha1.c — SHA-1 as FIPS 180-4 §6.1 describes it (see sha1.h): 64-byte blocks, an 80-word
 * message schedule, big-endian words.
 */
#include "base/sha1.h"

#include <string.h>

#include "base/digest.h"

static uint32_t sha1_rotl(uint32_t x, unsigned n)
{
    return (x << n) | (x >> (32 - n));
}

/* FIPS 180-4 §4.1.1 f_t, and §4.2.1 K_t, for operation t (0..79). */
static uint32_t sha1_f(unsigned t, uint32_t x, uint32_t y, uint32_t z)
{
    if (t < 20)
        return (x & y) ^ (~x & z); /* Ch */
    if (t >= 40 && t < 60)
        return (x & y) ^ (x & z) ^ (y & z); /* Maj */
    return x ^ y ^ z;                       /* Parity */
}

static uint32_t sha1_k(unsigned t)
{
    static const uint32_t k[4] = {0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xca62c1d6};
    return k[t / 20];
}

/* §6.1.2: one block into the hash value. */
static void sha1_block(uint32_t h[5], const unsigned char block[64])
{
    uint32_t w[80];
    for (unsigned t = 0; t < 16; t++)
        w[t] = (uint32_t)block[4 * t] << 24 | (uint32_t)block[4 * t + 1] << 16 |
               (uint32_t)block[4 * t + 2] << 8 | (uint32_t)block[4 * t + 3];
    for (unsigned t = 16; t < 80; t++)
        w[t] = sha1_rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (unsigned t = 0; t < 80; t++) {
        uint32_t temp = sha1_rotl(a, 5) + sha1_f(t, b, c, d) + e + sha1_k(t) + w[t];
        e = d;
        d = c;
        c = sha1_rotl(b, 30);
        b = a;
        a = temp;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

void pfd_sha1_init(struct pfd_sha1 *ctx)
{
    static const uint32_t initial[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476,
                                        0xc3d2e1f0}; /* §5.3.1 */
    memcpy(ctx->state, initial, sizeof(initial));
    ctx->length = 0;
}

void pfd_sha1_update(struct pfd_sha1 *ctx, const void *data, size_t len)
{
    pfd_digest_feed(ctx->state, ctx->block, &ctx->length, sha1_block, data, len);
}

void pfd_sha1_final(struct pfd_sha1 *ctx, unsigned char digest[PFD_SHA1_SIZE])
{
    uint64_t bits = ctx->length * 8;
    unsigned char pad[64] = {0x80}; /* §5.1.1: a 1 bit, zeros to 56 mod 64 */
    size_t used = (size_t)(ctx->length % 64);
    size_t npad = used < 56 ? 56 - used : 120 - used;
    unsigned char length[8];
    for (unsigned i = 0; i < 8; i++) /* the bit length, big-endian */
        length[i] = (unsigned char)(bits >> (56 - 8 * i));
    pfd_sha1_update(ctx, pad, npad);
    pfd_sha1_update(ctx, length, 8);
    for (unsigned i = 0; i < 5; i++)
        for (unsigned j = 0; j < 4; j++)
            digest[4 * i + j] = (unsigned char)(ctx->state[i] >> (24 - 8 * j));
    explicit_bzero(ctx, sizeof(*ctx));
}
