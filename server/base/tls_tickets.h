/*
 * tls_tickets.h — the session-ticket keys every worker shares (RFC 5077 §4; RFC 8446 §4.6.1),
 * made by the master before the first fork and rotated by it; see tls_tickets.c.
 */
#ifndef PFD_BASE_TLS_TICKETS_H
#define PFD_BASE_TLS_TICKETS_H

#include <openssl/ssl.h>
#include <stdint.h>

/* How long a key encrypts new tickets; it decrypts them for one period more (so a ticket lives
 * at most twice this), nginx's and Apache's advice for stateless resumption. */
#define PFD_TLS_TICKET_ROTATE_MS (12LL * 3600 * 1000)

/* Maps the shared keys and fills them from the CSPRNG; the master calls it once, before the
 * first fork, and never again (a reload keeps the keys: sessions survive it). 0 or -1 (logged). */
int pfd_tls_tickets_create(void);
/* The master's tick: a new current key once the period is over, the old one kept as previous. */
void pfd_tls_tickets_maintain(int64_t now_ms);
/* The same at once (the unit test; an operator-visible rotation would call it too). */
void pfd_tls_tickets_rotate(void);
/* Makes ctx encrypt and decrypt its tickets with the shared keys (created first if need be: the
 * master makes its contexts before the first fork); 0, or -1 when the keys cannot be made (then
 * OpenSSL's own per-context keys apply). */
int pfd_tls_tickets_attach(SSL_CTX *ctx);
/* The callback attach() installs (SSL_CTX_set_tlsext_ticket_key_evp_cb): 1 encrypted or found
 * the current key, 2 found the previous one (the client gets a fresh ticket), 0 unknown name
 * (a full handshake), -1 error. Exposed for the unit test; ssl may be NULL. */
int pfd_tls_tickets_key_cb(SSL *ssl, unsigned char name[16], unsigned char *iv,
                           EVP_CIPHER_CTX *cipher, EVP_MAC_CTX *mac, int encrypt);

#endif
