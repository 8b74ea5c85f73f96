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
#define PROXY_DOWN_SLOTS 64 /* upstreams remembered as failed per worker */

enum proxy_connect_result {
    PROXY_CONNECTED = 0,
    PROXY_REFUSED = -1, /* refused, unreachable, no such socket: try the next upstream */
    PROXY_CONNECT_TIMEOUT = -2,
};

/* The waits of a new upstream connection, in milliseconds (each bounds one wait). */
struct proxy_timeouts {
    int connect_ms, read_ms;
};

/* A socket connected to u within t->connect_ms into *fd: blocking, each recv() bounded by
 * t->read_ms in the kernel (proxy_send_all() does not block on it). On failure *err is the
 * errno (ETIMEDOUT for the timeout). */
int proxy_connect(const struct proxy_upstream *u, const struct proxy_timeouts *t, int *fd,
                  int *err);
/* Sends all of len bytes, waiting at most timeout_ms for each chance to write (in poll(), on a
 * blocking socket too). 0, or -1 with errno (ETIMEDOUT when the peer stopped reading). */
int proxy_send_all(int fd, const void *data, size_t len, int timeout_ms);
/* Up to len bytes after at most timeout_ms of waiting (the socket's own timeout when it
 * blocks): > 0, 0 at the peer's close, -1 with errno (ETIMEDOUT). */
ssize_t proxy_recv(int fd, void *buf, size_t len, int timeout_ms);

/* A kept connection to u, or -1. Connections idle longer than idle_ms are closed. The one taken
 * is probed (one poll()): an upstream that closed it, or sent bytes nobody asked for, made it
 * readable, and it is dropped. Unasked bytes would be read as the next request's answer, and the
 * next request may be another client's: never skipped, even under load. */
int proxy_pool_take(const struct proxy_upstream *u, int idle_ms);
/* Keeps fd for the next request to u, at most max per upstream (else it is closed). */
void proxy_pool_put(const struct proxy_upstream *u, int fd, int max);

/* Remembers that u failed to connect: proxy_down_is() says so until until_ms (monotonic, as
 * pfd_now_ms()). When every slot is taken, the memory that ends first is forgotten. */
void proxy_down_mark(const struct proxy_upstream *u, int64_t until_ms);
bool proxy_down_is(const struct proxy_upstream *u, int64_t now_ms);
/* u connected again: forgotten. */
void proxy_down_clear(const struct proxy_upstream *u);

#endif
