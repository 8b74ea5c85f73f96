/*
 * tls_warm.c — one handshake in memory per kind of key, made by the master before it forks.
 *
 * OpenSSL 3 builds much of what a handshake needs on its first use: the algorithms it fetches
 * from its provider (key exchange, signature, KDF, MAC), their caches and its table of their
 * names. Built by each worker's first handshake, every worker had its own copy on pages of its
 * own (some 55 KB of a busy HTTPS worker's 360); built once here, before the fork, the workers
 * read the master's pages instead.
 */
#include "serve/tls_warm.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

/* Rounds of the two handshake steps: a full TLS 1.2 or 1.3 handshake takes 2 or 3. */
#define WARM_MAX_ROUNDS 8

/* Steps client and server in turn until both have finished; a byte then goes each way, so that
 * the record layer and the server's session tickets have run too. */
static bool warm_exchange(SSL *client, SSL *server)
{
    int done_client = 0, done_server = 0;
    for (int round = 0; round < WARM_MAX_ROUNDS && !(done_client == 1 && done_server == 1);
         round++) {
        done_client = SSL_do_handshake(client);
        done_server = SSL_do_handshake(server);
        if ((done_client <= 0 && SSL_get_error(client, done_client) != SSL_ERROR_WANT_READ) ||
            (done_server <= 0 && SSL_get_error(server, done_server) != SSL_ERROR_WANT_READ))
            return false;
    }
    unsigned char byte = 'x';
    size_t moved = 0;
    return done_client == 1 && done_server == 1 && SSL_write_ex(server, &byte, 1, &moved) == 1 &&
           SSL_read_ex(client, &byte, 1, &moved) == 1 &&
           SSL_write_ex(client, &byte, 1, &moved) == 1 &&
           SSL_read_ex(server, &byte, 1, &moved) == 1;
}

/* One handshake of the given version (TLS1_3_VERSION, TLS1_2_VERSION). */
static bool warm_version(SSL_CTX *client_ctx, SSL_CTX *server_ctx, int version)
{
    SSL *client = SSL_new(client_ctx), *server = SSL_new(server_ctx);
    BIO *client_end = NULL, *server_end = NULL;
    bool ok = false;
    if (client != NULL && server != NULL && BIO_new_bio_pair(&client_end, 0, &server_end, 0) == 1) {
        SSL_set_bio(client, client_end, client_end); /* each SSL now owns its end */
        SSL_set_bio(server, server_end, server_end);
        SSL_set_min_proto_version(client, version);
        SSL_set_max_proto_version(client, version);
        SSL_set_connect_state(client);
        SSL_set_accept_state(server);
        ok = warm_exchange(client, server);
    }
    SSL_free(client);
    SSL_free(server);
    return ok;
}

bool pfd_tls_warm_context(SSL_CTX *server_ctx)
{
    SSL_CTX *client_ctx = SSL_CTX_new(TLS_client_method());
    bool ok = false;
    if (client_ctx != NULL) {
        bool tls13 = warm_version(client_ctx, server_ctx, TLS1_3_VERSION);
        bool tls12 = warm_version(client_ctx, server_ctx, TLS1_2_VERSION);
        ok = tls13 || tls12;
    }
    SSL_CTX_free(client_ctx);
    /* What failed here (a version the context does not take) must not be read as the reason of
     * a later failure. */
    ERR_clear_error();
    return ok;
}
