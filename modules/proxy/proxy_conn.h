/*
 * proxy_conn.h — connections to upstreams: connecting, sending and receiving with a deadline on
 * each wait, and the worker's small pool of kept-alive connections (a prefork worker serves one
 * request at a time, so a few per upstream are all it can use).
 */
#ifndef PROXY_CONN_H
#define PROXY_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proxy_upstream.h"

#define PROXY_POOL_SLOTS 16 /* kept connections per worker, all upstreams together */

enum proxy_connect_result {
    PROXY_CONNECTED = 0,
    PROXY_REFUSED = -1, /* refused, unreachable, no such socket: try the next upstream */
    PROXY_CONNECT_TIMEOUT = -2,
};

/* A non-blocking socket connected to u within timeout_ms into *fd. On failure *err is the errno
 * (ETIMEDOUT for the timeout). */
int proxy_connect(const struct proxy_upstream *u, int timeout_ms, int *fd, int *err);
/* Sends all of len bytes, waiting at most timeout_ms for each chance to write. 0, or -1 with
 * errno (ETIMEDOUT when the upstream stopped reading). */
int proxy_send_all(int fd, const void *data, size_t len, int timeout_ms);
/* Up to len bytes after at most timeout_ms of waiting: > 0, 0 at the upstream's close, -1 with
 * errno (ETIMEDOUT). */
ssize_t proxy_recv(int fd, void *buf, size_t len, int timeout_ms);

/* A kept connection to u that is still open and quiet (an upstream that closed it meanwhile
 * made it readable: it is dropped), or -1. Connections idle longer than idle_ms are closed. */
int proxy_pool_take(const struct proxy_upstream *u, int idle_ms);
/* Keeps fd for the next request to u, at most max per upstream (else it is closed). */
void proxy_pool_put(const struct proxy_upstream *u, int fd, int max);

#endif
