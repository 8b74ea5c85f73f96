/*
 * testsupport_tls.h — HTTPS in the integration tests: a test CA and certificates signed by it,
 * made with the openssl command line in a test server's temp dir, and the config lines that
 * serve them. Real clients (curl, openssl s_client, Python's ssl) talk to the server.
 */
#ifndef PFD_TESTSUPPORT_TLS_H
#define PFD_TESTSUPPORT_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include "testsupport.h"

/* Files of one certificate made by ts_tls_cert(): <dir>/tls/<name>.pem and <name>.key. */
struct ts_tls_cert {
    char cert[TS_PATH_MAX]; /* the leaf, then the CA: a full chain */
    char key[TS_PATH_MAX];
};

/* Whether the openssl command is there (the tests skip, saying so, when not). */
bool ts_tls_available(void);
/* A CA in <s->dir>/tls/ca.pem (and ca.key) for the certificates that follow; 0 or -1. */
int ts_tls_ca(const struct ts_server *s);
/*
 * A certificate for host (its CN and DNS subjectAltName, plus IP:127.0.0.1) valid for days,
 * signed by the CA of ts_tls_ca(), its key next to it; 0 or -1 (openssl's output on stderr).
 */
int ts_tls_cert(const struct ts_server *s, const char *name, const char *host, int days,
                struct ts_tls_cert *out);
/* <s->dir>/tls/ca.pem: what clients trust (curl --cacert, s_client -CAfile). */
const char *ts_tls_ca_file(const struct ts_server *s);
/* "tls { certificate = …  certificate_key = … }" for cert, into out. */
void ts_tls_section(const struct ts_tls_cert *cert, char *out, size_t size);

#endif
