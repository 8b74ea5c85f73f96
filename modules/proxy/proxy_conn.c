/*
 * proxy_conn.c — upstream sockets with deadlines, and the worker's kept connections. See
 * proxy_conn.h.
 */
#include "proxy_conn.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "preforkd/module.h"

/* Waits for events on fd for at most timeout_ms; 1 when they came, 0 at the deadline, -1 on
 * error. EINTR restarts the wait with what is left of the time. */
static int proxy_wait(int fd, short events, int timeout_ms)
{
    int64_t deadline = pfd_now_ms() + timeout_ms;
    for (;;) {
        struct pollfd p = {.fd = fd, .events = events};
        int64_t left = deadline - pfd_now_ms();
        int rc = poll(&p, 1, left > 0 ? (int)left : 0);
        if (rc >= 0 || errno != EINTR)
            return rc;
    }
}

/* EAGAIN from recv() on fd: on a blocking socket (an upstream's) its own timeout ran out; on a
 * non-blocking one (the client's, in a tunnel) nothing is ready yet and poll() waits. Asked only
 * on that path, so a read that finds data costs no fcntl(). */
static bool proxy_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    return flags >= 0 && (flags & O_NONBLOCK) != 0;
}

/* The connected upstream socket made blocking, each recv() bounded by the kernel (SO_RCVTIMEO:
 * a timeout per wait, nginx's meaning): a response that is not there yet is one recv() that
 * sleeps, not recv(), poll() and recv() again. Two calls per new connection, none per request.
 * Sends stay non-blocking (MSG_DONTWAIT) and wait in poll(): a blocking send() would return on
 * any progress, so an upstream that takes a few bytes now and then (zero-window probes) would
 * stretch send_timeout; POLLOUT waits for real room, as nginx's EPOLLOUT. 0, or -1 with errno. */
static int proxy_socket_blocking(int s, int read_ms)
{
    struct timeval rcv = {.tv_sec = read_ms / 1000, .tv_usec = (read_ms % 1000) * 1000};
    if (fcntl(s, F_SETFL, 0) != 0 || setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &rcv, sizeof(rcv)) != 0)
        return -1;
    return 0;
}

int proxy_connect(const struct proxy_upstream *u, const struct proxy_timeouts *t, int *fd, int *err)
{
    int timeout_ms = t->connect_ms;
    int s = socket(u->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    *fd = -1;
    if (s < 0) {
        *err = errno;
        return PROXY_REFUSED;
    }
    if (u->addr.ss_family != AF_UNIX) {
        int one = 1; /* the head and small bodies go out at once, not after Nagle's delay */
        setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    if (connect(s, (const struct sockaddr *)&u->addr, u->addr_len) != 0) {
        /* EAGAIN on a unix socket: its listen queue is full, nothing is in progress */
        if (errno != EINPROGRESS) {
            *err = errno;
            close(s);
            return PROXY_REFUSED;
        }
        int rc = proxy_wait(s, POLLOUT, timeout_ms);
        int soerr = 0;
        socklen_t len = sizeof(soerr);
        if (rc <= 0) {
            *err = rc == 0 ? ETIMEDOUT : errno;
            close(s);
            return rc == 0 ? PROXY_CONNECT_TIMEOUT : PROXY_REFUSED;
        }
        if (getsockopt(s, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0 || soerr != 0) {
            *err = soerr != 0 ? soerr : errno;
            close(s);
            return PROXY_REFUSED;
        }
    }
    if (proxy_socket_blocking(s, t->read_ms) != 0) {
        *err = errno;
        close(s);
        return PROXY_REFUSED;
    }
    *fd = s;
    return PROXY_CONNECTED;
}

int proxy_send_all(int fd, const void *data, size_t len, int timeout_ms)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR)
            return -1;
        int rc = proxy_wait(fd, POLLOUT, timeout_ms);
        if (rc <= 0) {
            if (rc == 0)
                errno = ETIMEDOUT;
            return -1;
        }
    }
    return 0;
}

ssize_t proxy_recv(int fd, void *buf, size_t len, int timeout_ms)
{
    for (;;) {
        ssize_t n = recv(fd, buf, len, 0);
        if (n >= 0 || (errno != EAGAIN && errno != EINTR))
            return n;
        if (errno == EAGAIN && !proxy_nonblocking(fd)) {
            errno = ETIMEDOUT;
            return -1;
        }
        int rc = proxy_wait(fd, POLLIN, timeout_ms); /* after a signal: one more wait, bounded */
        if (rc <= 0) {
            if (rc == 0)
                errno = ETIMEDOUT;
            return -1;
        }
    }
}

/* ---- the pool ------------------------------------------------------------------------------ */

/* This worker's kept connections: the upstream (its config entry, read-only after fork, names
 * it), the socket, and since when it waits. */
static struct {
    const struct proxy_upstream *u;
    int fd;
    int64_t idle_since_ms;
} proxy_pool[PROXY_POOL_SLOTS];

static void proxy_pool_drop(size_t i)
{
    close(proxy_pool[i].fd);
    proxy_pool[i].u = NULL;
    proxy_pool[i].fd = -1;
}

/* A quiet connection is not readable: an upstream that closed it (or sent bytes nobody asked
 * for) made it so, and a request sent on it would be lost. */
static bool proxy_pool_still_open(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, 0) == 0;
}

int proxy_pool_take(const struct proxy_upstream *u, int idle_ms)
{
    int64_t now = pfd_now_ms();
    int fd = -1;
    for (size_t i = 0; i < PROXY_POOL_SLOTS; i++) {
        if (proxy_pool[i].u == NULL)
            continue;
        if (now - proxy_pool[i].idle_since_ms > idle_ms)
            proxy_pool_drop(i);
        else if (fd < 0 && proxy_pool[i].u == u) {
            fd = proxy_pool[i].fd;
            proxy_pool[i].u = NULL;
        }
    }
    if (fd >= 0 && !proxy_pool_still_open(fd)) {
        close(fd);
        fd = -1;
    }
    return fd;
}

void proxy_pool_put(const struct proxy_upstream *u, int fd, int max)
{
    int kept = 0;
    size_t free_slot = PROXY_POOL_SLOTS;
    for (size_t i = 0; i < PROXY_POOL_SLOTS; i++) {
        if (proxy_pool[i].u == u)
            kept++;
        else if (proxy_pool[i].u == NULL && free_slot == PROXY_POOL_SLOTS)
            free_slot = i;
    }
    if (kept >= max || free_slot == PROXY_POOL_SLOTS) {
        close(fd);
        return;
    }
    proxy_pool[free_slot].u = u;
    proxy_pool[free_slot].fd = fd;
    proxy_pool[free_slot].idle_since_ms = pfd_now_ms();
}

/* ---- upstreams that failed to connect ------------------------------------------------------ */

/* This worker's memory of upstreams that refused or timed out at connect(), until when it
 * skips them (nginx's max_fails=1 fail_timeout=…): each worker learns on its own, at the price
 * of one failed connect. */
static struct {
    const struct proxy_upstream *u;
    int64_t until_ms;
} proxy_down[PROXY_DOWN_SLOTS];

void proxy_down_mark(const struct proxy_upstream *u, int64_t until_ms)
{
    size_t slot = 0; /* u's own, else the one that expires first (an empty one: 0) */
    for (size_t i = 0; i < PROXY_DOWN_SLOTS; i++) {
        if (proxy_down[i].u == u) {
            slot = i;
            break;
        }
        if (proxy_down[i].until_ms < proxy_down[slot].until_ms)
            slot = i;
    }
    proxy_down[slot].u = u;
    proxy_down[slot].until_ms = until_ms;
}

bool proxy_down_is(const struct proxy_upstream *u, int64_t now_ms)
{
    for (size_t i = 0; i < PROXY_DOWN_SLOTS; i++)
        if (proxy_down[i].u == u)
            return now_ms < proxy_down[i].until_ms;
    return false;
}

void proxy_down_clear(const struct proxy_upstream *u)
{
    for (size_t i = 0; i < PROXY_DOWN_SLOTS; i++)
        if (proxy_down[i].u == u) {
            proxy_down[i].u = NULL;
            proxy_down[i].until_ms = 0;
        }
}
