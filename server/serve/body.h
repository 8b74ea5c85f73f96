/*
 * body.h — the request body on the core's side (body.c); handlers read it with
 * pfd_request_body_read() (preforkd/module.h).
 */
#ifndef PFD_BODY_H
#define PFD_BODY_H

#include <stdbool.h>

struct pfd_request;

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

#endif
