/* epoll_ref.c — the ceiling: the least an HTTP/1.1 server can do on this machine.
 *
 * Answers every request head (whatever its method or path) with the same 1 KiB body, from
 * NPROC processes, each with its own SO_REUSEPORT listener and one epoll loop. No files, no
 * logging, no parsing beyond finding the end of each head and a "Connection: close" in it.
 * Pipelined heads are answered in order. It is a yardstick for the benchmark in run.sh, not a
 * server: every other feature is missing on purpose.
 *
 *   epoll_ref PORT [PROCESSES]      (listens on 127.0.0.1:PORT; TERM stops every process)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define BODY_SIZE 1024
#define INBUF 8192
#define MAX_EVENTS 256

struct conn {
    int fd;
    size_t len;
    char in[INBUF];
};

static char keep_response[BODY_SIZE + 256], close_response[BODY_SIZE + 256];
static size_t keep_len, close_len;

static void build_responses(void)
{
    char body[BODY_SIZE];
    memset(body, 'a', sizeof(body));
    const char *fmt = "HTTP/1.1 200 OK\r\nServer: epoll_ref\r\nContent-Type: text/plain\r\n"
                      "Content-Length: %d\r\n%s\r\n";
    int n = snprintf(keep_response, sizeof(keep_response), fmt, BODY_SIZE, "");
    memcpy(keep_response + n, body, BODY_SIZE);
    keep_len = (size_t)n + BODY_SIZE;
    n = snprintf(close_response, sizeof(close_response), fmt, BODY_SIZE, "Connection: close\r\n");
    memcpy(close_response + n, body, BODY_SIZE);
    close_len = (size_t)n + BODY_SIZE;
}

static int listener(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0 ||
        bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 4096) != 0) {
        perror("epoll_ref: listen");
        exit(1);
    }
    return fd;
}

/* Writes the whole response; the socket is blocking-ish in practice for 1 KiB (the send buffer
 * is far larger), so a short write means the peer is gone or stuck: drop the connection. */
static int send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void drop(int ep, struct conn *c)
{
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c);
}

/* Reads what is there and answers every complete head; returns -1 when the connection ends. */
static int serve(struct conn *c)
{
    for (;;) {
        ssize_t r = recv(c->fd, c->in + c->len, sizeof(c->in) - 1 - c->len, 0);
        if (r == 0)
            return -1;
        if (r < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
        c->len += (size_t)r;
        c->in[c->len] = '\0';
        char *end;
        while ((end = strstr(c->in, "\r\n\r\n")) != NULL) {
            *end = '\0';
            int close_it = strcasestr(c->in, "\nconnection: close") != NULL;
            if (send_all(c->fd, close_it ? close_response : keep_response,
                         close_it ? close_len : keep_len) != 0 ||
                close_it)
                return -1;
            size_t used = (size_t)(end + 4 - c->in);
            memmove(c->in, end + 4, c->len - used + 1);
            c->len -= used;
        }
        if (c->len >= sizeof(c->in) - 1)
            return -1; /* a head larger than the buffer: not our business */
    }
}

static void loop(int lfd)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL}, evs[MAX_EVENTS];
    if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) != 0) {
        perror("epoll_ref: epoll");
        exit(1);
    }
    for (;;) {
        int n = epoll_wait(ep, evs, MAX_EVENTS, -1);
        if (n < 0 && errno != EINTR)
            exit(1);
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            if (c == NULL) {
                for (int k = 0; k < 64; k++) { /* bounded: other events get their turn */
                    int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (fd < 0)
                        break;
                    int one = 1;
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
                    struct conn *nc = malloc(sizeof(*nc));
                    if (nc == NULL) {
                        close(fd);
                        continue;
                    }
                    nc->fd = fd;
                    nc->len = 0;
                    struct epoll_event cev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = nc};
                    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev) != 0) {
                        close(fd);
                        free(nc);
                    }
                }
            } else if (serve(c) != 0) {
                drop(ep, c);
            }
        }
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: epoll_ref PORT [PROCESSES]\n");
        return 2;
    }
    int port = atoi(argv[1]);
    long procs = argc > 2 ? atol(argv[2]) : sysconf(_SC_NPROCESSORS_ONLN);
    if (port <= 0 || port > 65535 || procs < 1 || procs > 256) {
        fprintf(stderr, "epoll_ref: bad port or process count\n");
        return 2;
    }
    build_responses();
    signal(SIGPIPE, SIG_IGN);
    /* Every listener is bound before the first child starts, so the port is served once the
     * parent has forked; the parent waits and passes TERM on to its children. */
    int fds[256];
    for (long i = 0; i < procs; i++)
        fds[i] = listener(port);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_BLOCK, &set, NULL);
    pid_t kids[256];
    for (long i = 0; i < procs; i++) {
        kids[i] = fork();
        if (kids[i] == 0) {
            for (long j = 0; j < procs; j++)
                if (j != i)
                    close(fds[j]);
            sigprocmask(SIG_UNBLOCK, &set, NULL);
            loop(fds[i]);
            _exit(0);
        }
    }
    for (long i = 0; i < procs; i++)
        close(fds[i]);
    int sig = 0;
    sigwait(&set, &sig);
    for (long i = 0; i < procs; i++)
        if (kids[i] > 0)
            kill(kids[i], SIGTERM);
    while (wait(NULL) > 0)
        ;
    return 0;
}
