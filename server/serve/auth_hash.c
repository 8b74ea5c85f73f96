/*
 * auth_hash.c — checking a password against one htpasswd hash, in each format htpasswd writes
 * (see auth_hash.h). Each format's shape is checked before any hashing, so a malformed line is
 * refused with its reason and never reaches crypt_r() or the digests half-parsed.
 */
#include "serve/auth_hash.h"

#include <crypt.h>
#include <stdlib.h>
#include <string.h>

#include "base/md5.h"
#include "base/sha1.h"

/* The alphabet of crypt(3) hashes and salts, in md5crypt's order of values (to64()). */
static const char auth_itoa64[] =
    "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* How many of s's first bytes are in the crypt alphabet. */
static size_t auth_crypt_span(const char *s)
{
    return strspn(s, auth_itoa64);
}

/* Whether s is exactly n bytes of the crypt alphabet. */
static bool auth_crypt_chars(const char *s, size_t n)
{
    return auth_crypt_span(s) == n && s[n] == '\0';
}

/* "$2y$NN$" + 53 characters (22 of salt, 31 of hash); cost 04..31 as bcrypt allows. */
static bool auth_bcrypt_valid(const char *h)
{
    if (h[4] < '0' || h[4] > '3' || h[5] < '0' || h[5] > '9' || h[6] != '$')
        return false;
    int cost = (h[4] - '0') * 10 + (h[5] - '0');
    return cost >= 4 && cost <= 31 && auth_crypt_chars(h + 7, 53);
}

/* "$5$" or "$6$", an optional "rounds=N$", a salt of 1..16 characters, '$', and the hash:
 * 43 characters for SHA-256, 86 for SHA-512 (Drepper's "Unix crypt using SHA-256 and SHA-512"). */
static bool auth_sha_crypt_valid(const char *h, size_t hash_len)
{
    const char *p = h + 3;
    if (strncmp(p, "rounds=", 7) == 0) {
        size_t digits = strspn(p + 7, "0123456789");
        if (digits == 0 || digits > 9 || p[7 + digits] != '$')
            return false;
        p += 7 + digits + 1;
    }
    size_t salt = auth_crypt_span(p);
    return salt >= 1 && salt <= 16 && p[salt] == '$' && auth_crypt_chars(p + salt + 1, hash_len);
}

/* "$apr1$", a salt of 1..8 characters, '$', 22 characters (128 bits, to64() below). */
static bool auth_apr1_valid(const char *h)
{
    size_t salt = auth_crypt_span(h + 6);
    return salt >= 1 && salt <= 8 && h[6 + salt] == '$' && auth_crypt_chars(h + 7 + salt, 22);
}

/* "{SHA}" and the 28 characters of base64 (RFC 4648 §4) of 20 bytes: 27 and one '='. */
static bool auth_sha1_valid(const char *h)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    return strspn(h + 5, b64) == 27 && strcmp(h + 5 + 27, "=") == 0;
}

const char *pfd_auth_hash_refusal(const char *h)
{
    if (strncmp(h, "$2y$", 4) == 0 || strncmp(h, "$2b$", 4) == 0 || strncmp(h, "$2a$", 4) == 0)
        return auth_bcrypt_valid(h) ? NULL : "malformed bcrypt hash";
    if (strncmp(h, "$5$", 3) == 0)
        return auth_sha_crypt_valid(h, 43) ? NULL : "malformed SHA-256-crypt hash";
    if (strncmp(h, "$6$", 3) == 0)
        return auth_sha_crypt_valid(h, 86) ? NULL : "malformed SHA-512-crypt hash";
    if (strncmp(h, "$apr1$", 6) == 0)
        return auth_apr1_valid(h) ? NULL : "malformed $apr1$ (Apache MD5) hash";
    if (strncmp(h, "{SHA}", 5) == 0)
        return auth_sha1_valid(h) ? NULL : "malformed {SHA} hash";
    if (auth_crypt_chars(h, 13))
        return NULL; /* DES crypt(): two characters of salt, eleven of hash */
    if (h[0] == '\0')
        return "empty hash";
    if (h[0] == '$' || h[0] == '{')
        return "unknown hash format (not one that htpasswd writes)";
    return "unknown hash format (plain-text passwords are refused)";
}

bool pfd_auth_hash_supported(const char *hash)
{
    return pfd_auth_hash_refusal(hash) == NULL;
}

bool pfd_auth_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char diff = la != lb;
    for (size_t i = 0; i < la && i < lb; i++)
        diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

/* n characters of v, low 6 bits first (md5crypt's to64()). */
static char *auth_to64(char *out, unsigned long v, int n)
{
    while (n-- > 0) {
        *out++ = auth_itoa64[v & 0x3f];
        v >>= 6;
    }
    return out;
}

/* md5crypt's first digest: MD5(password salt password), mixed into the password, the magic and
 * the salt as the algorithm prescribes; the alternate sum's first bytes, then one byte per bit
 * of the password's length (a NUL byte for a set bit, the password's first byte for a clear
 * one). */
static void apr1_initial(const char *pw, size_t pwlen, const char *magic, const char *salt,
                         size_t saltlen, unsigned char digest[PFD_MD5_SIZE])
{
    struct pfd_md5 alt, ctx;
    pfd_md5_init(&alt);
    pfd_md5_update(&alt, pw, pwlen);
    pfd_md5_update(&alt, salt, saltlen);
    pfd_md5_update(&alt, pw, pwlen);
    pfd_md5_final(&alt, digest);
    pfd_md5_init(&ctx);
    pfd_md5_update(&ctx, pw, pwlen);
    pfd_md5_update(&ctx, magic, strlen(magic));
    pfd_md5_update(&ctx, salt, saltlen);
    for (size_t left = pwlen; left > 0; left -= left > 16 ? 16 : left)
        pfd_md5_update(&ctx, digest, left > 16 ? 16 : left);
    static const unsigned char zero = 0;
    for (size_t bits = pwlen; bits != 0; bits >>= 1)
        pfd_md5_update(&ctx, (bits & 1) ? (const void *)&zero : (const void *)pw, 1);
    pfd_md5_final(&ctx, digest);
}

/* md5crypt's 1000 rounds, meant to slow a guesser down: each round hashes the previous digest
 * with the password, the salt or both, in an order set by the round's number. */
static void apr1_stretch(const char *pw, size_t pwlen, const char *salt, size_t saltlen,
                         unsigned char digest[PFD_MD5_SIZE])
{
    for (int i = 0; i < 1000; i++) {
        struct pfd_md5 ctx;
        pfd_md5_init(&ctx);
        if (i & 1)
            pfd_md5_update(&ctx, pw, pwlen);
        else
            pfd_md5_update(&ctx, digest, PFD_MD5_SIZE);
        if (i % 3 != 0)
            pfd_md5_update(&ctx, salt, saltlen);
        if (i % 7 != 0)
            pfd_md5_update(&ctx, pw, pwlen);
        if (i & 1)
            pfd_md5_update(&ctx, digest, PFD_MD5_SIZE);
        else
            pfd_md5_update(&ctx, pw, pwlen);
        pfd_md5_final(&ctx, digest);
    }
}

void pfd_auth_apr1(const char *password, const char *salt, char out[PFD_AUTH_APR1_SIZE])
{
    static const char magic[] = "$apr1$";
    size_t pwlen = strlen(password), saltlen = strcspn(salt, "$");
    if (saltlen > 8)
        saltlen = 8;
    unsigned char d[PFD_MD5_SIZE];
    apr1_initial(password, pwlen, magic, salt, saltlen, d);
    apr1_stretch(password, pwlen, salt, saltlen, d);
    /* the digest's bytes in md5crypt's order: triples (i, i+6, i+12), then byte 11 alone */
    static const unsigned char order[5][3] = {
        {0, 6, 12}, {1, 7, 13}, {2, 8, 14}, {3, 9, 15}, {4, 10, 5}};
    char *p = out;
    memcpy(p, magic, sizeof(magic) - 1);
    p += sizeof(magic) - 1;
    memcpy(p, salt, saltlen);
    p += saltlen;
    *p++ = '$';
    for (int i = 0; i < 5; i++)
        p = auth_to64(p, (unsigned long)d[order[i][0]] << 16 | d[order[i][1]] << 8 | d[order[i][2]],
                      4);
    p = auth_to64(p, d[11], 2);
    *p = '\0';
    explicit_bzero(d, sizeof(d));
}

/* "{SHA}" and base64 of SHA-1(password), as htpasswd -s writes it, into out (34 bytes). */
static void auth_sha1_text(const char *password, char out[34])
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    unsigned char d[PFD_SHA1_SIZE + 1] = {0}; /* a zero byte past the end for the last group */
    struct pfd_sha1 ctx;
    pfd_sha1_init(&ctx);
    pfd_sha1_update(&ctx, password, strlen(password));
    pfd_sha1_final(&ctx, d);
    char *p = out;
    memcpy(p, "{SHA}", 5);
    p += 5;
    for (int i = 0; i < PFD_SHA1_SIZE; i += 3) { /* RFC 4648 §4: 6 groups of 3, then 2 bytes */
        unsigned long v = (unsigned long)d[i] << 16 | d[i + 1] << 8 | d[i + 2];
        for (int k = 3; k >= 0; k--)
            *p++ = b64[(v >> (6 * k)) & 0x3f];
    }
    p[-1] = '=';
    *p = '\0';
    explicit_bzero(d, sizeof(d));
}

/* bcrypt, SHA-crypt and DES, through libcrypt. */
static bool auth_crypt_verify(const char *hash, const char *password)
{
    struct crypt_data *cd = calloc(1, sizeof(*cd)); /* ~32 KiB: not on the stack */
    if (cd == NULL)
        return false;
    const char *out = crypt_r(password, hash, cd);
    bool ok = out != NULL && out[0] != '*' && pfd_auth_equal(out, hash);
    explicit_bzero(cd, sizeof(*cd));
    free(cd);
    return ok;
}

bool pfd_auth_hash_verify(const char *hash, const char *password)
{
    if (!pfd_auth_hash_supported(hash))
        return false;
    char computed[PFD_AUTH_APR1_SIZE];
    bool ok;
    if (strncmp(hash, "$apr1$", 6) == 0) {
        pfd_auth_apr1(password, hash + 6, computed);
        ok = pfd_auth_equal(computed, hash);
    } else if (strncmp(hash, "{SHA}", 5) == 0) {
        auth_sha1_text(password, computed);
        ok = pfd_auth_equal(computed, hash);
    } else {
        return auth_crypt_verify(hash, password);
    }
    explicit_bzero(computed, sizeof(computed));
    return ok;
}
