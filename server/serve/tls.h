/*
 * tls.h — HTTPS with OpenSSL 3: the contexts of a config (made by the master before it forks,
 * as root: workers inherit the keys and never open a key file) and the non-blocking calls one
 * connection makes. Waiting (poll with a deadline) is the caller's: serve/conn_io.c.
 *
 * Every call that can block says what it waits for in *events (POLLIN or POLLOUT): OpenSSL may
 * need to write while reading (a TLS 1.3 key update) and read while writing.
 */
#ifndef PFD_TLS_H
#define PFD_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "config/config.h"
#include "pool/scoreboard.h"

struct pfd_tls; /* the contexts of one config */
struct ssl_st;  /* OpenSSL's SSL: one connection */

/*
 * Makes the contexts of conf: the top level's tls { } and each vhost's own. *out stays NULL when
 * conf has no tls_listen. Reads every certificate and key, checks that each key matches its
 * certificate, and notes each certificate's expiry. 0, or -1 with "FILE:LINE: why" lines in err.
 * notes (may be NULL) gets one line per certificate, "FILE:LINE: certificate … expires in N days";
 * a line with "warning:" in it when that is fewer than 14 days (or the chain looks missing).
 */
int pfd_tls_create(const struct pfd_config *conf, struct pfd_tls **out, char *err, size_t err_size,
                   char *notes, size_t notes_size);
/* The master, before it forks: a handshake in memory with each kind of key tls serves, so that
 * what OpenSSL builds on its first handshake is built once and shared by every worker
 * (serve/tls_warm.c). Nothing to do without tls (NULL). */
void pfd_tls_warm(struct pfd_tls *tls);
/* The notes of pfd_tls_create() in the error log: lines with "warning:" at warn, others at
 * info. */
void pfd_tls_log_notes(const char *notes);
void pfd_tls_free(struct pfd_tls *tls);

/* A new server-side connection on fd (non-blocking), or NULL (out of memory, logged). */
struct ssl_st *pfd_tls_new(struct pfd_tls *tls, int fd);
/* One step of the handshake: 1 done, 0 to be called again once *events is ready, -1 failed (why
 * says why: OpenSSL's reason, for the info log). */
int pfd_tls_handshake(struct ssl_st *ssl, short *events, char *why, size_t why_size);
/* Like recv(): bytes read, 0 at the client's close (close_notify or EOF), -1 with errno EAGAIN
 * (wait for *events) or another errno. */
ssize_t pfd_tls_read(struct ssl_st *ssl, void *buf, size_t len, short *events);
/* Like send(): bytes written (all of len unless 0 < n < len can happen: never with the modes set
 * here, but callers loop), -1 with errno EAGAIN (call again with the same buffer once *events is
 * ready) or another errno. */
ssize_t pfd_tls_write(struct ssl_st *ssl, const void *buf, size_t len, short *events);
/* Whether bytes wait in OpenSSL's buffer, decrypted or read ahead (polling the socket would not
 * see them). */
bool pfd_tls_pending(const struct ssl_st *ssl);
/* Whether the handshake of ssl chose the context vh (by Host; NULL: no vhost) would have had:
 * its own where it has a tls section, else the top level's. Also true when the client sent no
 * SNI (it asked for no name, so it got the default, as with Apache's default
 * SSLStrictSNIVHostCheck off), unless vh's context asks for client certificates. */
bool pfd_tls_serves_vhost(const struct ssl_st *ssl, const struct pfd_tls *tls,
                          const struct pfd_vhost *vh);
/* Sends close_notify if it can without waiting, and frees the connection (not the socket). */
void pfd_tls_close(struct ssl_st *ssl);
/* mod_ssl's names: "SSL_PROTOCOL" ("TLSv1.3"), "SSL_CIPHER" (OpenSSL's name), "SSL_TLS_SNI" (the
 * name the client asked for), and of a client certificate (tls { verify_client }):
 * "SSL_CLIENT_VERIFY" ("NONE", "SUCCESS"), "SSL_CLIENT_S_DN", "SSL_CLIENT_S_DN_CN",
 * "SSL_CLIENT_I_DN", "SSL_CLIENT_M_SERIAL", "SSL_CLIENT_V_START", "SSL_CLIENT_V_END"; NULL when
 * unknown or not set. The text lasts until the next call. */
const char *pfd_tls_var(const struct ssl_st *ssl, const char *name);

/* kTLS (tls { ktls }): whether the kernel encrypts what ssl sends (then files can go out with
 * pfd_tls_sendfile()). */
bool pfd_tls_ktls_send(struct ssl_st *ssl);
/* SSL_sendfile(): up to len bytes of fd from offset, the kernel encrypting them; only where
 * pfd_tls_ktls_send(). Like pfd_tls_write(): bytes sent, 0 when the file ended, -1 with errno
 * EAGAIN (wait for *events) or another errno. */
ssize_t pfd_tls_sendfile(struct ssl_st *ssl, int fd, off_t offset, size_t len, short *events);
/* How conf's HTTPS static files go out: NONE without tls_listen; KTLS when its tls { ktls } is
 * on and this kernel takes a TLS socket (TCP_ULP "tls") and AES-GCM keys for it; else BUFFERED,
 * with why. The master asks at start and at each reload, and says it in the log and the
 * scoreboard. */
enum pfd_tls_files pfd_tls_files_path(const struct pfd_config *conf, char *why, size_t why_size);

#endif
