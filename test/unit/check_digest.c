/*
 * check_digest.c — server/base/md5.c against RFC 1321's test suite (§A.5) and server/base/sha1.c
 * against the FIPS 180-4 examples (NIST's "SHA1.pdf": one block, two blocks, a million 'a'),
 * each fed whole and in uneven pieces across the 64-byte block boundaries.
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/md5.h"
#include "base/sha1.h"
#include "testsupport_run.h"

struct digest_case {
    const char *input;
    size_t repeat; /* the input this many times (0: once) */
    const char *hex;
};

static const struct digest_case md5_cases[] = {
    {"", 0, "d41d8cd98f00b204e9800998ecf8427e"},
    {"a", 0, "0cc175b9c0f1b6a831c399e269772661"},
    {"abc", 0, "900150983cd24fb0d6963f7d28e17f72"},
    {"message digest", 0, "f96b697d7cb7938d525a2f31aaf161d0"},
    {"abcdefghijklmnopqrstuvwxyz", 0, "c3fcd3d76192e4007dfb496cca67e13b"},
    {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 0,
     "d174ab98d277d9f5a5611c2c9f419d9f"},
    {"1234567890", 8, "57edf4a22be3c955ac49da2e2107b67a"},
};

static const struct digest_case sha1_cases[] = {
    {"", 0, "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
    {"abc", 0, "a9993e364706816aba3e25717850c26c9cd0d89d"},
    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 0,
     "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
    {"a", 1000000, "34aa973cd4c4daa4f61eeb2bdbad27316534016f"},
};

/* The case's input, repeated, in one malloc'd buffer; its length in len. */
static unsigned char *digest_input(const struct digest_case *c, size_t *len)
{
    size_t one = strlen(c->input), times = c->repeat == 0 ? 1 : c->repeat;
    unsigned char *buf = malloc(one * times + 1);
    ck_assert_ptr_nonnull(buf);
    for (size_t i = 0; i < times; i++)
        memcpy(buf + i * one, c->input, one);
    *len = one * times;
    return buf;
}

static void digest_hex(const unsigned char *d, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* Pieces of 1, 2, 3, ... 70 bytes, cycling: every offset within a block gets a boundary. */
static size_t piece_size(size_t i)
{
    return 1 + i % 70;
}

/* MD5 of in, fed whole or in pieces. */
static void md5_of(const unsigned char *in, size_t len, bool pieces, unsigned char *d)
{
    struct pfd_md5 ctx;
    pfd_md5_init(&ctx);
    for (size_t off = 0, i = 0; off < len; i++) {
        size_t n = pieces && piece_size(i) < len - off ? piece_size(i) : len - off;
        pfd_md5_update(&ctx, in + off, n);
        off += n;
    }
    pfd_md5_final(&ctx, d);
}

/* SHA-1 of in, fed whole or in pieces. */
static void sha1_of(const unsigned char *in, size_t len, bool pieces, unsigned char *d)
{
    struct pfd_sha1 ctx;
    pfd_sha1_init(&ctx);
    for (size_t off = 0, i = 0; off < len; i++) {
        size_t n = pieces && piece_size(i) < len - off ? piece_size(i) : len - off;
        pfd_sha1_update(&ctx, in + off, n);
        off += n;
    }
    pfd_sha1_final(&ctx, d);
}

/* The case's digest, whole and in pieces, is the expected one. */
static void digest_check(const struct digest_case *c, size_t size,
                         void (*digest_of)(const unsigned char *, size_t, bool, unsigned char *))
{
    size_t len;
    unsigned char *in = digest_input(c, &len), d[PFD_SHA1_SIZE];
    char hex[2 * PFD_SHA1_SIZE + 1];
    for (int pieces = 0; pieces <= 1; pieces++) {
        digest_of(in, len, pieces, d);
        digest_hex(d, size, hex);
        ck_assert_msg(strcmp(hex, c->hex) == 0, "\"%s\" x%zu%s: %s", c->input, c->repeat,
                      pieces ? " in pieces" : "", hex);
    }
    free(in);
}

START_TEST(test_md5_rfc1321)
{
    digest_check(&md5_cases[_i], PFD_MD5_SIZE, md5_of);
}
END_TEST

START_TEST(test_sha1_fips180)
{
    digest_check(&sha1_cases[_i], PFD_SHA1_SIZE, sha1_of);
}
END_TEST

static Suite *digest_suite(void)
{
    Suite *s = suite_create("digest");
    TCase *tc = tcase_create("digest");
    tcase_add_loop_test(tc, test_md5_rfc1321, 0, sizeof(md5_cases) / sizeof(md5_cases[0]));
    tcase_add_loop_test(tc, test_sha1_fips180, 0, sizeof(sha1_cases) / sizeof(sha1_cases[0]));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(digest_suite());
}
