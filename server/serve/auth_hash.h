/*
 * auth_hash.h — the password hashes of an Apache htpasswd file (auth_hash.c): every format
 * Apache's htpasswd writes on Unix.
 *
 *   htpasswd -B   bcrypt          $2y$ (and $2b$, $2a$)        crypt_r() of libcrypt
 *   htpasswd -5   SHA-512-crypt   $6$                          crypt_r()
 *   htpasswd -2   SHA-256-crypt   $5$                          crypt_r()
 *   htpasswd -m   Apache MD5      $apr1$ (md5crypt, its magic)  here, on base/md5.c
 *   htpasswd -s   SHA-1           {SHA} + base64 of SHA-1      here, on base/sha1.c
 *   htpasswd -d   DES crypt()     13 chars of [./0-9A-Za-z]    crypt_r()
 *
 * Plain text (htpasswd -p) is refused: Apache itself accepts it only on Windows and NetWare,
 * and on Unix a plain-text line would otherwise let anyone who reads the file log in.
 */
#ifndef PFD_AUTH_HASH_H
#define PFD_AUTH_HASH_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Why hash cannot be checked — "unknown hash format (...)" or "malformed <format> hash" — or
 * NULL when it can. The text names no part of the hash.
 */
const char *pfd_auth_hash_refusal(const char *hash);
/* Whether a hash is one this server can check (pfd_auth_hash_refusal() is NULL). */
bool pfd_auth_hash_supported(const char *hash);
/* Whether password matches hash; false for a hash that is not supported. The comparison of the
 * result with the stored hash takes the same time wherever they differ. */
bool pfd_auth_hash_verify(const char *hash, const char *password);
/* Whether a and b hold the same bytes, in a time that depends on their lengths only. */
bool pfd_auth_equal(const char *a, const char *b);
/*
 * Apache's MD5 hash of password with salt (up to 8 bytes, cut at '$'): "$apr1$salt$" and 22
 * characters, into out (PFD_AUTH_APR1_SIZE bytes). The md5crypt algorithm (FreeBSD's, by
 * Poul-Henning Kamp) with "$apr1$" as its magic string.
 */
#define PFD_AUTH_APR1_SIZE 40
void pfd_auth_apr1(const char *password, const char *salt, char out[PFD_AUTH_APR1_SIZE]);

#endif
