/*
 * conn_io.h — waiting on and writing to a connection's socket (conn_io.c).
 */
#ifndef PFD_CONN_IO_H
#define PFD_CONN_IO_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct pfd_conn;
struct pfd_tls;

/* Set by signals (process/worker.c): finish the current request, then exit. On SIGUSR1 (a
 * graceful restart, or a spare worker retired) PFD_STOP_RETIRE: the connection lives on, parked
 * for another worker when parking is on; on SIGWINCH (a graceful stop) PFD_STOP_CLOSE: the
 * response says "Connection: close". */
enum { PFD_STOP_RETIRE = 1, PFD_STOP_CLOSE = 2 };
extern volatile sig_atomic_t pfd_worker_stopping;
/* The signal mask that lets those signals in; used only by waits that may be cut short (idle
 * and keep-alive waits), so a request in progress is never interrupted. */
extern sigset_t pfd_worker_wait_mask;

/* Waits until fd is ready for events or the monotonic deadline (ms) passes; 1 ready, 0 timed
 * out, -1 error or interrupted (when interruptible). */
int pfd_conn_wait(int fd, short events, int64_t deadline_ms, bool interruptible);
/* Waits until the client's bytes can be read (over TLS: what OpenSSL waits for, or at once when
 * it holds decrypted bytes); the same results as pfd_conn_wait(). */
int pfd_conn_wait_input(struct pfd_conn *c, int64_t deadline_ms, bool interruptible);
/* Like recv(): bytes read, 0 at the client's close, -1 with errno (EAGAIN: wait for input). */
ssize_t pfd_conn_recv(struct pfd_conn *c, void *buf, size_t len);
/* Sends c->out, then len bytes of data, with send flags (MSG_MORE), within timeouts.send; the
 * connection is marked broken when that fails. 0 or -1. */
int pfd_conn_flush_with(struct pfd_conn *c, const void *data, size_t len, int flags);
/* Sends what c->out holds. 0 or -1. */
int pfd_conn_flush(struct pfd_conn *c);
/* Over TLS, len bytes of the file fd from offset: read and written in records (OpenSSL encrypts
 * them; sendfile() cannot), each write within timeouts.send. Bytes sent (fewer when the file
 * shrank), or -1 (the connection is broken). */
ssize_t pfd_conn_send_file_tls(struct pfd_conn *c, int fd, int64_t offset, int64_t len);

/* What pfd_conn_tls_accept() found when the client spoke plain HTTP. */
#define PFD_CONN_TLS_PLAIN_HTTP 1
/* Starts HTTPS on c: the handshake, bounded by deadline (timeouts.header: a client that never
 * sends its ClientHello is cut off then). 0 when done (c->tls set), PFD_CONN_TLS_PLAIN_HTTP when
 * the first byte is an HTTP method's (nothing read), -1 with why when it failed. */
int pfd_conn_tls_accept(struct pfd_conn *c, struct pfd_tls *tls, int64_t deadline, char *why,
                        size_t why_size);
/* Ends HTTPS on c (close_notify when possible); the socket stays open. */
void pfd_conn_tls_end(struct pfd_conn *c);

#endif
