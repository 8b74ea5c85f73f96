/*
 * conn_io.c — waiting on the client's socket and writing to it, each with a deadline: what
 * reading a head, reading a body and sending a response share. On an HTTPS connection every
 * byte goes through serve/tls.c, and a wait is for what OpenSSL asked for (it may need to write
 * while reading), unless it already holds decrypted bytes.
 */
#include "serve/conn_io.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "base/clock.h"
#include "serve/request.h"
#include "serve/tls.h"

/* What one TLS record holds at most: the unit of an encrypted write. */
#define PFD_TLS_RECORD 16384
/* Most bytes one SSL_sendfile() call is asked for (the kernel sends what the socket takes). */
#define PFD_KTLS_CHUNK (1 << 30)

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

int pfd_conn_wait_input(struct pfd_conn *c, int64_t deadline_ms, bool interruptible)
{
    if (c->tls == NULL)
        return pfd_conn_wait(c->fd, POLLIN, deadline_ms, interruptible);
    if (pfd_tls_pending(c->tls))
        return 1;
    short events = c->tls_events != 0 ? c->tls_events : POLLIN;
    c->tls_events = 0;
    return pfd_conn_wait(c->fd, events, deadline_ms, interruptible);
}

ssize_t pfd_conn_recv(struct pfd_conn *c, void *buf, size_t len)
{
    if (c->tls == NULL)
        return recv(c->fd, buf, len, 0);
    return pfd_tls_read(c->tls, buf, len, &c->tls_events);
}

/* All of len bytes through TLS before the deadline. 0 or -1. */
static int conn_tls_send(struct pfd_conn *c, const void *data, size_t len, int64_t deadline)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = pfd_tls_write(c->tls, p, len, &c->tls_events);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EAGAIN && pfd_conn_wait(c->fd, c->tls_events, deadline, false) == 1)
            continue;
        return -1;
    }
    return 0;
}

static int conn_send_iov(struct pfd_conn *c, struct iovec *iov, int iovcnt, int flags)
{
    int64_t deadline = pfd_now_ms() + (int64_t)c->server->conf->timeouts.send * 1000;
    if (c->tls != NULL) {
        for (int i = 0; i < iovcnt; i++) {
            if (conn_tls_send(c, iov[i].iov_base, iov[i].iov_len, deadline) != 0) {
                c->broken = true;
                return -1;
            }
        }
        return 0;
    }
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
    /* Over TLS a head and a small body go in one record rather than two. */
    if (c->tls != NULL && c->out.len > 0 && len > 0 && c->out.len + len <= PFD_TLS_RECORD) {
        if (pfd_buf_append(&c->out, data, len) != 0)
            return -1;
        len = 0;
    }
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

/* Where the kernel encrypts (kTLS), SSL_sendfile(): the file never passes through the worker.
 * The head goes first (SSL_write, also through the kernel); each call then gets its own
 * timeouts.send, as each plain sendfile() does. Bytes sent (fewer when the file shrank), or -1. */
static ssize_t conn_send_file_ktls(struct pfd_conn *c, int fd, int64_t offset, int64_t len)
{
    if (pfd_conn_flush(c) != 0)
        return -1;
    int64_t sent = 0;
    while (sent < len) {
        int64_t deadline = pfd_now_ms() + (int64_t)c->server->conf->timeouts.send * 1000;
        size_t want = len - sent < PFD_KTLS_CHUNK ? (size_t)(len - sent) : PFD_KTLS_CHUNK;
        ssize_t n = pfd_tls_sendfile(c->tls, fd, (off_t)(offset + sent), want, &c->tls_events);
        if (n > 0) {
            sent += n;
            continue;
        }
        if (n == 0)
            return sent; /* the file shrank */
        if (errno == EAGAIN && pfd_conn_wait(c->fd, c->tls_events, deadline, false) == 1)
            continue;
        c->broken = true;
        return -1;
    }
    return sent;
}

/* Counts a file sent over HTTPS by the way it went (mod_status: TLSStaticKTLS, …Buffered). */
static void conn_count_tls_file(struct pfd_conn *c, bool ktls)
{
    struct pfd_scoreboard *sb = c->server->scoreboard;
    if (sb != NULL)
        __atomic_add_fetch(ktls ? &sb->tls_files_ktls : &sb->tls_files_buffered, 1,
                           __ATOMIC_RELAXED);
}

ssize_t pfd_conn_send_file_tls(struct pfd_conn *c, int fd, int64_t offset, int64_t len)
{
    bool ktls = pfd_tls_ktls_send(c->tls);
    conn_count_tls_file(c, ktls);
    if (ktls)
        return conn_send_file_ktls(c, fd, offset, len);
    char buf[PFD_TLS_RECORD];
    int64_t sent = 0;
    while (sent < len) {
        size_t want = len - sent < (int64_t)sizeof(buf) ? (size_t)(len - sent) : sizeof(buf);
        ssize_t got = pread(fd, buf, want, (off_t)(offset + sent));
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return got < 0 ? -1 : sent; /* 0: the file shrank */
        /* Each chunk gets its own timeouts.send, as each sendfile() call does. */
        if (pfd_conn_flush_with(c, buf, (size_t)got, 0) != 0)
            return -1;
        sent += got;
    }
    return sent;
}

int pfd_conn_tls_accept(struct pfd_conn *c, struct pfd_tls *tls, int64_t deadline, char *why,
                        size_t why_size)
{
    /* A TLS connection starts with a handshake record (0x16, RFC 8446 §5.1); a letter is an HTTP
     * method: plain HTTP sent to the HTTPS port. Peeked, so the handshake reads it again. */
    unsigned char first = 0;
    for (;;) {
        ssize_t n = recv(c->fd, &first, 1, MSG_PEEK);
        if (n == 1)
            break;
        if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
            snprintf(why, why_size, "the client closed the connection before its ClientHello");
            return -1;
        }
        if (pfd_conn_wait(c->fd, POLLIN, deadline, false) != 1) {
            snprintf(why, why_size, "no ClientHello within timeouts { header }");
            return -1;
        }
    }
    if (first >= 'A' && first <= 'Z')
        return PFD_CONN_TLS_PLAIN_HTTP;
    c->tls = pfd_tls_new(tls, c->fd);
    if (c->tls == NULL) {
        snprintf(why, why_size, "out of memory");
        return -1;
    }
    for (;;) {
        short events = POLLIN;
        int rc = pfd_tls_handshake(c->tls, &events, why, why_size);
        if (rc == 1)
            return 0;
        if (rc < 0)
            return -1;
        if (pfd_conn_wait(c->fd, events, deadline, false) != 1) {
            snprintf(why, why_size, "the handshake did not finish within timeouts { header }");
            return -1;
        }
    }
}

void pfd_conn_tls_end(struct pfd_conn *c)
{
    pfd_tls_close(c->tls);
    c->tls = NULL;
    c->tls_events = 0;
}
