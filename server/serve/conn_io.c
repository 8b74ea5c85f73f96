/*
 * conn_io.c — waiting on the client's socket and writing to it, each with a deadline: what
 * reading a head, reading a body and sending a response share.
 */
#include "serve/conn_io.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "base/clock.h"
#include "serve/request.h"

volatile sig_atomic_t pfd_worker_stopping;
sigset_t pfd_worker_wait_mask;

int pfd_conn_wait(int fd, short events, int64_t deadline_ms, bool interruptible)
{
    for (;;) {
        int64_t left = deadline_ms - pfd_now_ms();
        if (left <= 0)
            return 0;
        struct pollfd pfd = {.fd = fd, .events = events};
        struct timespec ts = {.tv_sec = left / 1000, .tv_nsec = (left % 1000) * 1000000};
        int n = ppoll(&pfd, 1, &ts, interruptible ? &pfd_worker_wait_mask : NULL);
        if (n > 0)
            return 1;
        if (n < 0 && errno == EINTR) {
            if (interruptible && pfd_worker_stopping)
                return -1;
            continue;
        }
        if (n < 0)
            return -1;
    }
}

static int conn_send_iov(struct pfd_conn *c, struct iovec *iov, int iovcnt, int flags)
{
    int64_t deadline = pfd_now_ms() + (int64_t)c->server->conf->timeouts.send * 1000;
    while (iovcnt > 0) {
        struct msghdr msg = {.msg_iov = iov, .msg_iovlen = (size_t)iovcnt};
        ssize_t n = sendmsg(c->fd, &msg, MSG_NOSIGNAL | flags);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN && pfd_conn_wait(c->fd, POLLOUT, deadline, false) == 1)
                continue;
            c->broken = true;
            return -1;
        }
        while (iovcnt > 0 && (size_t)n >= iov->iov_len) {
            n -= (ssize_t)iov->iov_len;
            iov++;
            iovcnt--;
        }
        if (iovcnt > 0) {
            iov->iov_base = (char *)iov->iov_base + n;
            iov->iov_len -= (size_t)n;
        }
    }
    return 0;
}

int pfd_conn_flush_with(struct pfd_conn *c, const void *data, size_t len, int flags)
{
    if (c->broken)
        return -1;
    struct iovec iov[2];
    int n = 0;
    if (c->out.len > 0)
        iov[n++] = (struct iovec){.iov_base = c->out.data, .iov_len = c->out.len};
    if (len > 0)
        iov[n++] = (struct iovec){.iov_base = (void *)data, .iov_len = len};
    if (n == 0)
        return 0;
    int rc = conn_send_iov(c, iov, n, flags);
    c->out.len = 0;
    return rc;
}

int pfd_conn_flush(struct pfd_conn *c)
{
    return pfd_conn_flush_with(c, NULL, 0, 0);
}
