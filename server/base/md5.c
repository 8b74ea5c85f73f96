/*
 * md5.c — MD5 as RFC 1321 describes it (see md5.h): 64-byte blocks, four rounds of sixteen
 * operations, little-endian words.
 */
#include "base/md5.h"

#include <string.h>

#include "base/digest.h"

/* RFC 1321 §3.4: the four auxiliary functions. */
static uint32_t md5_f(uint32_t x, uint32_t y, uint32_t z)
{
    return (x & y) | (~x & z);
}

static uint32_t md5_g(uint32_t x, uint32_t y, uint32_t z)
{
    return (x & z) | (y & ~z);
}

static uint32_t md5_h(uint32_t x, uint32_t y, uint32_t z)
{
    return x ^ y ^ z;
}

static uint32_t md5_i(uint32_t x, uint32_t y, uint32_t z)
{
    return y ^ (x | ~z);
}

static uint32_t md5_rotl(uint32_t x, unsigned n)
{
    return (x << n) | (x >> (32 - n));
}

/* T[i] = floor(2^32 * abs(sin(i + 1))), RFC 1321 §3.4. */
static const uint32_t md5_t[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};

/* The shift of each operation: four per round, repeated four times. */
static const unsigned md5_shift[4][4] = {
    {7, 12, 17, 22}, {5, 9, 14, 20}, {4, 11, 16, 23}, {6, 10, 15, 21}};

/* Which word of the block operation i of round r reads (RFC 1321 §3.4: k). */
static unsigned md5_word_index(unsigned round, unsigned i)
{
    static const unsigned start[4] = {0, 1, 5, 0}, step[4] = {1, 5, 3, 7};
    return (start[round] + step[round] * i) % 16;
}

static void md5_block(uint32_t state[4], const unsigned char block[64])
{
    uint32_t x[16];
    for (unsigned i = 0; i < 16; i++)
        x[i] = (uint32_t)block[4 * i] | (uint32_t)block[4 * i + 1] << 8 |
               (uint32_t)block[4 * i + 2] << 16 | (uint32_t)block[4 * i + 3] << 24;
    uint32_t (*const round_fn[4])(uint32_t, uint32_t, uint32_t) = {md5_f, md5_g, md5_h, md5_i};
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    for (unsigned op = 0; op < 64; op++) {
        unsigned round = op / 16, i = op % 16;
        /* [abcd k s i]: a = b + ((a + F(b,c,d) + X[k] + T[i]) <<< s), then rotate the roles */
        uint32_t sum = a + round_fn[round](b, c, d) + x[md5_word_index(round, i)] + md5_t[op];
        uint32_t next = b + md5_rotl(sum, md5_shift[round][i % 4]);
        a = d;
        d = c;
        c = b;
        b = next;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
}

void pfd_md5_init(struct pfd_md5 *ctx)
{
    /* RFC 1321 §3.3: word A = 01 23 45 67 (low-order byte first), and so on */
    ctx->state[0] = 0x67452301;
    ctx->state[1] = 0xefcdab89;
    ctx->state[2] = 0x98badcfe;
    ctx->state[3] = 0x10325476;
    ctx->length = 0;
}

void pfd_md5_update(struct pfd_md5 *ctx, const void *data, size_t len)
{
    pfd_digest_feed(ctx->state, ctx->block, &ctx->length, md5_block, data, len);
}

void pfd_md5_final(struct pfd_md5 *ctx, unsigned char digest[PFD_MD5_SIZE])
{
    uint64_t bits = ctx->length * 8;
    unsigned char pad[64] = {0x80}; /* §3.1: a 1 bit, zeros to 56 mod 64 */
    size_t used = (size_t)(ctx->length % 64);
    size_t npad = used < 56 ? 56 - used : 120 - used;
    unsigned char length[8];
    for (unsigned i = 0; i < 8; i++) /* §3.2: the bit length, low-order byte first */
        length[i] = (unsigned char)(bits >> (8 * i));
    pfd_md5_update(ctx, pad, npad);
    pfd_md5_update(ctx, length, 8);
    for (unsigned i = 0; i < 4; i++)
        for (unsigned j = 0; j < 4; j++)
            digest[4 * i + j] = (unsigned char)(ctx->state[i] >> (8 * j));
    explicit_bzero(ctx, sizeof(*ctx));
}
