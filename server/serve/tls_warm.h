/*
 * tls_warm.h — a handshake in memory, client and server in the master, before it forks (why:
 * tls_warm.c).
 */
#ifndef PFD_TLS_WARM_H
#define PFD_TLS_WARM_H

#include <stdbool.h>

struct ssl_ctx_st; /* OpenSSL's SSL_CTX */

/* A TLS 1.3 and a TLS 1.2 handshake with server_ctx through a pair of memory BIOs, then a byte
 * each way. Whether at least one of them completed (a context that asks for client
 * certificates, or takes neither version, does not: nothing is lost but the warming). */
bool pfd_tls_warm_context(struct ssl_ctx_st *server_ctx);

#endif
