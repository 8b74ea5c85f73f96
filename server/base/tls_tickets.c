/*
 * tls_tickets.c — session resumption that works whichever worker answers.
 *
 * A session ticket (RFC 5077, and TLS 1.3's NewSessionTicket, RFC 8446 §4.6.1) is the session
 * state encrypted with a key only the server knows; a client presents it to skip the full
 * handshake. OpenSSL makes a random key per SSL_CTX, which each reload replaces: tickets would
 * stop working at every USR1, and never rotate while the contexts live. So the master makes the
 * keys itself, in a shared anonymous mapping that every worker inherits at fork, and rotates
 * them there: a new key encrypts, the previous one still decrypts for one more period (nginx's
 * ssl_session_ticket_key with two files; Apache's SSLSessionTicketKeyFile is rotated by hand).
 *
 * The master is the only writer; workers read with a sequence lock (the count is odd while the
 * master writes, and a reader that saw it change copies again), so no lock is ever held across
 * a fork or a crash. The keys never touch the disk.
 */
#include "base/tls_tickets.h"

#include <errno.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>

#include "base/clock.h"
#include "base/log.h"

#define TICKET_NAME_LEN 16
#define TICKET_AES_LEN 32  /* AES-256-CBC, what OpenSSL's own tickets use */
#define TICKET_HMAC_LEN 32 /* HMAC-SHA256 */
#define TICKET_READ_TRIES 1000

struct ticket_key {
    unsigned char name[TICKET_NAME_LEN];
    unsigned char aes[TICKET_AES_LEN];
    unsigned char hmac[TICKET_HMAC_LEN];
};

struct ticket_keys {
    uint32_t seq; /* sequence lock: odd while the master writes */
    int64_t rotated_ms;
    struct ticket_key current;
    struct ticket_key previous;
};

static struct ticket_keys *shared_keys; /* the mapping; inherited by every worker */

static int ticket_key_fill(struct ticket_key *key)
{
    return RAND_priv_bytes((unsigned char *)key, sizeof(*key)) == 1 ? 0 : -1;
}

int pfd_tls_tickets_create(void)
{
    if (shared_keys != NULL)
        return 0;
    void *map = mmap(NULL, sizeof(struct ticket_keys), PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) {
        pfd_log(PFD_LOG_ERR, "session tickets: mmap() failed: %s", strerror(errno));
        return -1;
    }
    struct ticket_keys *keys = map;
    memset(keys, 0, sizeof(*keys));
    if (ticket_key_fill(&keys->current) != 0 || ticket_key_fill(&keys->previous) != 0) {
        pfd_log(PFD_LOG_ERR, "session tickets: no random bytes for the keys");
        munmap(map, sizeof(*keys));
        return -1;
    }
    keys->rotated_ms = pfd_now_ms();
    shared_keys = keys;
    return 0;
}

void pfd_tls_tickets_rotate(void)
{
    struct ticket_key fresh;
    if (shared_keys == NULL || ticket_key_fill(&fresh) != 0)
        return; /* the current key stays: rotation is tried again at the next tick */
    __atomic_add_fetch(&shared_keys->seq, 1, __ATOMIC_ACQ_REL);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    shared_keys->previous = shared_keys->current;
    shared_keys->current = fresh;
    shared_keys->rotated_ms = pfd_now_ms();
    __atomic_add_fetch(&shared_keys->seq, 1, __ATOMIC_RELEASE);
    OPENSSL_cleanse(&fresh, sizeof(fresh));
}

void pfd_tls_tickets_maintain(int64_t now_ms)
{
    if (shared_keys != NULL && now_ms - shared_keys->rotated_ms >= PFD_TLS_TICKET_ROTATE_MS) {
        pfd_tls_tickets_rotate();
        pfd_log(PFD_LOG_INFO, "session tickets: key rotated");
    }
}

/* A consistent copy of both keys; false when the master kept writing (it never does for long). */
static bool ticket_keys_read(struct ticket_key *current, struct ticket_key *previous)
{
    for (int i = 0; i < TICKET_READ_TRIES; i++) {
        uint32_t before = __atomic_load_n(&shared_keys->seq, __ATOMIC_ACQUIRE);
        if (before & 1)
            continue;
        *current = shared_keys->current;
        *previous = shared_keys->previous;
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (__atomic_load_n(&shared_keys->seq, __ATOMIC_RELAXED) == before)
            return true;
    }
    return false;
}

/* The HMAC-SHA256 key of the ticket's MAC (OpenSSL 3's EVP_MAC form of the callback). */
static int ticket_mac_init(EVP_MAC_CTX *mac, const struct ticket_key *key)
{
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, (void *)key->hmac, TICKET_HMAC_LEN),
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
        OSSL_PARAM_construct_end(),
    };
    return EVP_MAC_CTX_set_params(mac, params) == 1 ? 0 : -1;
}

static int ticket_encrypt(const struct ticket_key *key, unsigned char name[16], unsigned char *iv,
                          EVP_CIPHER_CTX *cipher, EVP_MAC_CTX *mac)
{
    if (RAND_bytes(iv, EVP_MAX_IV_LENGTH) != 1 ||
        EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), NULL, key->aes, iv) != 1 ||
        ticket_mac_init(mac, key) != 0)
        return -1;
    memcpy(name, key->name, TICKET_NAME_LEN);
    return 1;
}

static int ticket_decrypt(const struct ticket_key *key, const unsigned char *iv,
                          EVP_CIPHER_CTX *cipher, EVP_MAC_CTX *mac)
{
    if (ticket_mac_init(mac, key) != 0 ||
        EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), NULL, key->aes, iv) != 1)
        return -1;
    return 0;
}

int pfd_tls_tickets_key_cb(SSL *ssl, unsigned char name[16], unsigned char *iv,
                           EVP_CIPHER_CTX *cipher, EVP_MAC_CTX *mac, int encrypt)
{
    (void)ssl;
    struct ticket_key current, previous;
    if (shared_keys == NULL || !ticket_keys_read(&current, &previous))
        return -1;
    int rc;
    if (encrypt)
        rc = ticket_encrypt(&current, name, iv, cipher, mac);
    else if (memcmp(name, current.name, TICKET_NAME_LEN) == 0)
        rc = ticket_decrypt(&current, iv, cipher, mac) == 0 ? 1 : -1;
    else if (memcmp(name, previous.name, TICKET_NAME_LEN) == 0)
        rc = ticket_decrypt(&previous, iv, cipher, mac) == 0 ? 2 : -1; /* 2: renew the ticket */
    else
        rc = 0; /* older than two periods, or another server's: a full handshake */
    OPENSSL_cleanse(&current, sizeof(current));
    OPENSSL_cleanse(&previous, sizeof(previous));
    return rc;
}

int pfd_tls_tickets_attach(SSL_CTX *ctx)
{
    if (pfd_tls_tickets_create() != 0)
        return -1;
    return SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, pfd_tls_tickets_key_cb) == 1 ? 0 : -1;
}
