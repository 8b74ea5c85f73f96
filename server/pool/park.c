/*
 * park.c — the messages between workers and keepers: a ticket and one or two descriptors per
 * SOCK_SEQPACKET message, so senders and receivers on the same end never see each other's
 * halves. In a socketpair the peer's receive queue has no length limit of its own; the sender's
 * buffer bounds what is in flight, and a full channel is EAGAIN, never a wait.
 */
#include "pool/park.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

/* What a channel may hold in flight: about 8 000 messages. */
#define PFD_PARK_CHANNEL_BYTES (8 * 1024 * 1024)
/* Descriptors for the keeper beyond the connections: epoll, channels, logs, stdio. */
#define PFD_KEEPER_FD_RESERVE 64

/* A sender's buffer bounds the messages in flight (about a kilobyte each): room for a burst of
 * thousands of parks when the master may force it (root), else the most net.core.wmem_max
 * allows. */
static void park_buffer_room(int fd, int size)
{
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) != 0)
        (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
}

int pfd_park_channels_open(struct pfd_park_channels *ch)
{
    int to_keeper[2], to_worker[2];
    int type = SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC;
    if (socketpair(AF_UNIX, type, 0, to_keeper) != 0)
        return -1;
    if (socketpair(AF_UNIX, type, 0, to_worker) != 0) {
        close(to_keeper[0]);
        close(to_keeper[1]);
        return -1;
    }
    ch->to_keeper_send = to_keeper[0];
    ch->to_keeper_recv = to_keeper[1];
    ch->to_worker_send = to_worker[0];
    ch->to_worker_recv = to_worker[1];
    park_buffer_room(ch->to_keeper_send, PFD_PARK_CHANNEL_BYTES);
    /* The keeper queues what waits for a worker itself: this one need not take a whole burst. */
    park_buffer_room(ch->to_worker_send, PFD_PARK_CHANNEL_BYTES / 8);
    return 0;
}

void pfd_park_channels_close(struct pfd_park_channels *ch)
{
    int *fds[] = {&ch->to_keeper_send, &ch->to_keeper_recv, &ch->to_worker_send,
                  &ch->to_worker_recv};
    for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
        if (*fds[i] >= 0)
            close(*fds[i]);
        *fds[i] = -1;
    }
}

int pfd_park_pass(int sock, const struct pfd_park_ticket *t, int conn_fd, int bytes_fd)
{
    int fds[2] = {conn_fd, bytes_fd};
    size_t nfds = bytes_fd >= 0 ? 2 : 1;
    union {
        char buf[CMSG_SPACE(sizeof(fds))];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof(control));
    struct iovec iov = {.iov_base = (void *)t, .iov_len = sizeof(*t)};
    struct msghdr msg = {.msg_iov = &iov,
                         .msg_iovlen = 1,
                         .msg_control = control.buf,
                         .msg_controllen = CMSG_SPACE(nfds * sizeof(int))};
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
    memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
    for (;;) {
        ssize_t n = sendmsg(sock, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n == (ssize_t)sizeof(*t))
            return 0;
        if (n < 0 && errno == EINTR)
            continue;
        if (n >= 0)
            errno = EMSGSIZE;
        return -1;
    }
}

/* A memfd holding len bytes, or -1 with errno. */
static int park_bytes_file(const void *bytes, size_t len)
{
    int fd = memfd_create("preforkd-head", MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    for (size_t done = 0; done < len;) {
        ssize_t n = write(fd, (const char *)bytes + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int saved = errno;
            close(fd);
            errno = saved != 0 ? saved : EIO;
            return -1;
        }
        done += (size_t)n;
    }
    return fd;
}

int pfd_park_send(int sock, const struct pfd_park_ticket *t, int conn_fd, const void *bytes,
                  size_t len)
{
    int bytes_fd = -1;
    if (len > 0 && (bytes_fd = park_bytes_file(bytes, len)) < 0)
        return -1;
    int rc = pfd_park_pass(sock, t, conn_fd, bytes_fd);
    if (bytes_fd >= 0) {
        int saved = errno;
        close(bytes_fd);
        errno = saved;
    }
    return rc;
}

int pfd_park_receive(int sock, struct pfd_park_ticket *t, int *conn_fd, int *bytes_fd)
{
    union {
        char buf[CMSG_SPACE(2 * sizeof(int))];
        struct cmsghdr align;
    } control;
    struct iovec iov = {.iov_base = t, .iov_len = sizeof(*t)};
    struct msghdr msg = {.msg_iov = &iov,
                         .msg_iovlen = 1,
                         .msg_control = control.buf,
                         .msg_controllen = sizeof(control.buf)};
    *conn_fd = *bytes_fd = -1;
    ssize_t n;
    do {
        n = recvmsg(sock, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return errno == EAGAIN ? 0 : -1;
    if (n == 0) { /* every sender's end is closed: the master, and the keepers, are gone */
        errno = EPIPE;
        return -1;
    }
    int fds[2] = {-1, -1};
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    if (cm != NULL && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
        size_t nfds = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        memcpy(fds, CMSG_DATA(cm), (nfds < 2 ? nfds : 2) * sizeof(int));
    }
    /* Out of descriptors (MSG_CTRUNC) the kernel has closed what did not fit; a short ticket
     * or a missing file cannot be served either. */
    bool bad = n != (ssize_t)sizeof(*t) || (msg.msg_flags & MSG_CTRUNC) != 0 || fds[0] < 0 ||
               (t->bytes > 0 && fds[1] < 0);
    if (bad) {
        for (int i = 0; i < 2; i++)
            if (fds[i] >= 0)
                close(fds[i]);
        errno = (msg.msg_flags & MSG_CTRUNC) != 0 ? EMFILE : EBADMSG;
        return -1;
    }
    t->peer_ip[sizeof(t->peer_ip) - 1] = '\0';
    t->local_ip[sizeof(t->local_ip) - 1] = '\0';
    *conn_fd = fds[0];
    *bytes_fd = fds[1];
    return 1;
}

int pfd_park_read_bytes(int bytes_fd, char *buf, size_t len)
{
    for (size_t done = 0; done < len;) {
        ssize_t n = pread(bytes_fd, buf + done, len - done, (off_t)done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        done += (size_t)n;
    }
    return 0;
}

bool pfd_park_room(const struct pfd_scoreboard *sb, const struct pfd_config *conf)
{
    uint64_t held = 0;
    for (uint32_t i = 0; i < sb->nkeepers; i++)
        held += sb->keepers[i].descriptors;
    /* Two: a connection parked with part of a head brings its file. */
    return held + 2 <= (uint64_t)conf->keepalive.max_parked;
}

uint64_t pfd_park_waiting(const struct pfd_scoreboard *sb)
{
    uint64_t handed = 0, queued = 0;
    for (uint32_t i = 0; i < sb->nkeepers; i++) {
        handed += sb->keepers[i].unparks;
        queued += sb->keepers[i].queued;
    }
    uint64_t taken = __atomic_load_n(&sb->unparks_taken, __ATOMIC_RELAXED);
    return queued + (handed > taken ? handed - taken : 0);
}

bool pfd_park_keeper_alive(const struct pfd_scoreboard *sb)
{
    for (uint32_t i = 0; i < sb->nkeepers; i++)
        if (sb->keepers[i].pid > 0)
            return true;
    return false;
}

long pfd_park_keeper_nofile(const struct pfd_config *conf)
{
    long share =
        (conf->keepalive.max_parked + conf->keepalive.keepers - 1) / conf->keepalive.keepers;
    return share + PFD_KEEPER_FD_RESERVE;
}
