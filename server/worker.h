/*
 * worker.h — what conn.c needs to know about the worker process it runs in.
 */
#ifndef PFD_WORKER_H
#define PFD_WORKER_H

#include <signal.h>
#include <stdbool.h>

#include "request.h"

/* Set by SIGUSR1/SIGWINCH: finish the current request, then exit. */
extern volatile sig_atomic_t pfd_worker_stopping;
/* The signal mask that lets those signals in; used only by waits that may be cut short (idle
 * and keep-alive waits), so a request in progress is never interrupted. */
extern sigset_t pfd_worker_wait_mask;

/* Serves one connection accepted on listener to its end (keep-alive included) and closes it. */
void pfd_conn_serve(struct pfd_conn *c, int fd, const struct pfd_listen *listener,
                    const struct sockaddr *peer, socklen_t peer_len);
/* Allocates the per-worker connection buffers once. 0 or -1. */
int pfd_conn_init(struct pfd_conn *c, struct pfd_server *server);
void pfd_conn_fini(struct pfd_conn *c);

/* Bytes of body that may be read and thrown away after a response so that the connection can
 * be kept alive; a bigger unread body costs less to refuse by closing. */
#define PFD_DRAIN_MAX (256 * 1024)

/* Reads and throws away what the handler left of the body (at most PFD_DRAIN_MAX bytes, within
 * timeouts.keepalive and the body's own deadline, sending 100 Continue first when the client
 * waits for it), so the next request can follow on the same connection. false when the
 * connection must close instead. */
bool pfd_request_body_discard(struct pfd_request *r);
/*
 * Before a response head that would keep the connection, after pfd_request_body_discard_buffered():
 * a chunked body the handler has not read has no size to check against limits.body or
 * PFD_DRAIN_MAX until it is read, so it is read now (as Apache's default handler does) when the
 * client is sending it (some of it came with the head). A client holding it back for the
 * response, one over a limit, or too slow: false, and the response must say Connection: close.
 * Content-Length bodies (checked at the head, drained after the response) and bodies the handler
 * reads (it may read on after the head): true.
 */
bool pfd_request_body_discard_before_response(struct pfd_request *r);
/* The same for only what is already received, without waiting: false when that is malformed. */
bool pfd_request_body_discard_buffered(struct pfd_request *r);

/* Response internals shared by conn.c and response.c. */
int pfd_response_send_error(struct pfd_request *r, int status);
int pfd_response_finish(struct pfd_request *r);
int pfd_conn_flush(struct pfd_conn *c);
/* Waits until fd is ready for events or the monotonic deadline (ms) passes; 1 ready, 0 timed
 * out, -1 error or interrupted (when interruptible). */
int pfd_conn_wait(int fd, short events, int64_t deadline_ms, bool interruptible);

#endif
