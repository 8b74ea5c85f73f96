/*
 * check_tls_tickets.c — server/base/tls_tickets.c: the shared session-ticket keys. A ticket made
 * with the current key is found under it (1); after one rotation it is still accepted under the
 * previous key and renewed (2); after two it is unknown (0: a full handshake). The keys live in
 * a shared mapping, so a child process (a worker) sees the master's rotation.
 */
#include <check.h>
#include <openssl/evp.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/tls_tickets.h"
#include "testsupport_run.h"

struct ticket {
    unsigned char name[16];
    unsigned char iv[EVP_MAX_IV_LENGTH];
};

/* Runs the callback as OpenSSL would: a cipher and an HMAC context, the name and IV. */
static int ticket_cb(struct ticket *t, int encrypt)
{
    EVP_MAC *hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *mac = EVP_MAC_CTX_new(hmac);
    EVP_CIPHER_CTX *cipher = EVP_CIPHER_CTX_new();
    ck_assert(mac != NULL && cipher != NULL);
    int rc = pfd_tls_tickets_key_cb(NULL, t->name, t->iv, cipher, mac, encrypt);
    EVP_CIPHER_CTX_free(cipher);
    EVP_MAC_CTX_free(mac);
    EVP_MAC_free(hmac);
    return rc;
}

START_TEST(test_ticket_outlives_one_rotation)
{
    ck_assert_int_eq(pfd_tls_tickets_create(), 0);
    struct ticket t;
    memset(&t, 0, sizeof(t));
    ck_assert_int_eq(ticket_cb(&t, 1), 1);
    ck_assert_int_eq(ticket_cb(&t, 0), 1); /* the current key */
    pfd_tls_tickets_rotate();
    ck_assert_int_eq(ticket_cb(&t, 0), 2); /* the previous key: accepted, renewed */
    pfd_tls_tickets_rotate();
    ck_assert_int_eq(ticket_cb(&t, 0), 0); /* gone: a full handshake */
}
END_TEST

/* A forked worker decrypts what the master's new key encrypted after the fork. */
START_TEST(test_rotation_reaches_a_forked_worker)
{
    ck_assert_int_eq(pfd_tls_tickets_create(), 0);
    int to_child[2];
    ck_assert_int_eq(pipe(to_child), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        struct ticket t;
        close(to_child[1]);
        ssize_t n = read(to_child[0], &t, sizeof(t)); /* the pipe's EOF bounds the wait */
        _exit(n == (ssize_t)sizeof(t) && ticket_cb(&t, 0) == 1 ? 0 : 1);
    }
    close(to_child[0]);
    pfd_tls_tickets_rotate(); /* after the fork: only the shared mapping carries it */
    struct ticket t;
    memset(&t, 0, sizeof(t));
    ck_assert_int_eq(ticket_cb(&t, 1), 1);
    ck_assert_int_eq(write(to_child[1], &t, sizeof(t)), (ssize_t)sizeof(t));
    close(to_child[1]);
    int status = -1;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
END_TEST

/* A name no key of ours has (another server's ticket, or a forged one): a full handshake. */
START_TEST(test_unknown_name_means_full_handshake)
{
    ck_assert_int_eq(pfd_tls_tickets_create(), 0);
    struct ticket t;
    memset(&t, 0xA5, sizeof(t));
    ck_assert_int_eq(ticket_cb(&t, 0), 0);
}
END_TEST

static Suite *tls_tickets_suite(void)
{
    Suite *s = suite_create("tls_tickets");
    TCase *tc = tcase_create("keys");
    tcase_add_test(tc, test_ticket_outlives_one_rotation);
    tcase_add_test(tc, test_rotation_reaches_a_forked_worker);
    tcase_add_test(tc, test_unknown_name_means_full_handshake);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(tls_tickets_suite());
}
