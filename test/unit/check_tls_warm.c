/*
 * check_tls_warm.c — server/serve/tls_warm.c: the master's handshake in memory. It completes with
 * an ECDSA and an RSA key, leaves no error behind, declines (without an error either) a context
 * that asks for client certificates, and builds what a handshake builds on first use: after it,
 * another handshake (a forked worker's first) leaves OpenSSL holding next to nothing more.
 */
#include <check.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "serve/tls_warm.h"
#include "testsupport_run.h"

/* A server context with a fresh key ("EC" P-256 or "RSA" 2048) and a self-signed certificate. */
static SSL_CTX *server_context(const char *kind)
{
    EVP_PKEY *key = kind[0] == 'E' ? EVP_EC_gen("P-256") : EVP_RSA_gen(2048);
    X509 *cert = X509_new();
    ck_assert(key != NULL && cert != NULL);
    X509_set_version(cert, X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
    X509_NAME *name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1, -1,
                               0);
    X509_set_issuer_name(cert, name);
    X509_set_pubkey(cert, key);
    ck_assert_int_gt(X509_sign(cert, key, EVP_sha256()), 0);
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    ck_assert(ctx != NULL);
    ck_assert_int_eq(SSL_CTX_use_certificate(ctx, cert), 1);
    ck_assert_int_eq(SSL_CTX_use_PrivateKey(ctx, key), 1);
    X509_free(cert);
    EVP_PKEY_free(key);
    return ctx;
}

/* What OpenSSL holds, counted by its own allocation hooks (installed before its first
 * allocation): the same under any malloc, AddressSanitizer's included. Each block carries its size
 * in a header of 16 bytes, which keeps the alignment malloc gives. */
static long openssl_live_bytes;
enum { HEADER = 16 };

static void *count_malloc(size_t n, const char *file, int line)
{
    (void)file;
    (void)line;
    size_t *block = malloc(n + HEADER);
    if (block == NULL)
        return NULL;
    block[0] = n;
    openssl_live_bytes += (long)n;
    return (char *)block + HEADER;
}

static void count_free(void *p, const char *file, int line)
{
    (void)file;
    (void)line;
    if (p == NULL)
        return;
    size_t *block = (size_t *)((char *)p - HEADER);
    openssl_live_bytes -= (long)block[0];
    free(block);
}

static void *count_realloc(void *p, size_t n, const char *file, int line)
{
    if (p == NULL)
        return count_malloc(n, file, line);
    if (n == 0) {
        count_free(p, file, line);
        return NULL;
    }
    size_t *block = (size_t *)((char *)p - HEADER);
    size_t was = block[0];
    size_t *moved = realloc(block, n + HEADER);
    if (moved == NULL)
        return NULL;
    moved[0] = n;
    openssl_live_bytes += (long)n - (long)was;
    return (char *)moved + HEADER;
}

/* Bytes OpenSSL keeps after a handshake with ctx, its own objects freed: what it built. */
static long kept_by_handshake(SSL_CTX *ctx)
{
    long before = openssl_live_bytes;
    ck_assert(pfd_tls_warm_context(ctx));
    return openssl_live_bytes - before;
}

START_TEST(test_warms_ecdsa_and_rsa)
{
    SSL_CTX *ecdsa = server_context("EC"), *rsa = server_context("RSA");
    ck_assert(pfd_tls_warm_context(ecdsa));
    ck_assert(pfd_tls_warm_context(rsa));
    ck_assert_uint_eq(ERR_peek_error(), 0);
    SSL_CTX_free(ecdsa);
    SSL_CTX_free(rsa);
}
END_TEST

START_TEST(test_context_asking_client_certificates_is_not_warmed)
{
    SSL_CTX *ctx = server_context("EC");
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    ck_assert(!pfd_tls_warm_context(ctx));
    ck_assert_uint_eq(ERR_peek_error(), 0); /* nothing left for a later failure to report */
    SSL_CTX_free(ctx);
}
END_TEST

/* What the first handshake builds stays built: a forked child's handshake keeps under a quarter of
 * what the parent's first one kept. */
START_TEST(test_first_handshake_builds_for_the_children)
{
    SSL_CTX *ctx = server_context("EC");
    long first = kept_by_handshake(ctx);
    int to_parent[2];
    ck_assert_int_eq(pipe(to_parent), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        long kept = kept_by_handshake(ctx);
        _exit(write(to_parent[1], &kept, sizeof(kept)) == sizeof(kept) ? 0 : 1);
    }
    close(to_parent[1]);
    long child = -1;
    ck_assert_int_eq(read(to_parent[0], &child, sizeof(child)), sizeof(child));
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ck_assert_msg(first > 8 * 1024, "the first handshake kept %ld bytes", first);
    ck_assert_msg(child * 4 < first, "the child's handshake kept %ld bytes, the first %ld", child,
                  first);
    SSL_CTX_free(ctx);
}
END_TEST

int main(void)
{
    if (CRYPTO_set_mem_functions(count_malloc, count_realloc, count_free) != 1)
        return 1; /* OpenSSL allocated before main: the counts would be wrong */
    Suite *s = suite_create("tls_warm");
    TCase *tc = tcase_create("warm");
    tcase_add_test(tc, test_warms_ecdsa_and_rsa);
    tcase_add_test(tc, test_context_asking_client_certificates_is_not_warmed);
    tcase_add_test(tc, test_first_handshake_builds_for_the_children);
    suite_add_tcase(s, tc);
    return ts_run_suite(s);
}
