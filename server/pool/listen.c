/*
 * listen.c — listening sockets. Workers inherit them across fork() and accept() on them; the
 * master keeps them open for its whole life so that a graceful restart refuses no connection.
 */
#include "pool/listen.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int listen_bind_one(struct pfd_listen *l, int backlog)
{
    int fd = socket(l->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        pfd_log(PFD_LOG_ERR, "socket() for \"%s\" failed: %s", l->text, strerror(errno));
        return -1;
    }
    int on = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0)
        pfd_log(PFD_LOG_WARN, "SO_REUSEADDR on \"%s\": %s", l->text, strerror(errno));
    /* "[::]:80" means IPv6 only; "*:80" is the IPv4 listener, as in nginx. */
    if (l->addr.ss_family == AF_INET6)
        (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
    if (bind(fd, (struct sockaddr *)&l->addr, l->addr_len) != 0) {
        pfd_log(PFD_LOG_EMERG, "bind() to \"%s\" failed: %s", l->text, strerror(errno));
        close(fd);
        return -1;
    }
    if (listen(fd, backlog) != 0) {
        pfd_log(PFD_LOG_EMERG, "listen() on \"%s\" failed: %s", l->text, strerror(errno));
        close(fd);
        return -1;
    }
    l->fd = fd;
    return 0;
}

/* A new connection wakes a worker only once its first bytes are there (Apache's AcceptFilter
 * "data", nginx's "deferred"): a client that connects and says nothing holds no worker. After a
 * second of silence the kernel hands it over anyway, and timeouts { header } applies (the
 * keeper holds it meanwhile, when parking is on). */
static void listen_defer_accept(const struct pfd_listen *l)
{
    int seconds = 1;
    if (setsockopt(l->fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &seconds, sizeof(seconds)) != 0)
        pfd_log(PFD_LOG_WARN, "TCP_DEFER_ACCEPT on \"%s\": %s", l->text, strerror(errno));
}

int pfd_listen_open(struct pfd_config *conf)
{
    for (size_t i = 0; i < conf->nlistens; i++) {
        struct pfd_listen *l = &conf->listens[i];
        if (l->fd >= 0) {
            /* Inherited: a changed backlog still applies on a reload. */
            (void)listen(l->fd, conf->prefork.listen_backlog);
            continue;
        }
        if (listen_bind_one(l, conf->prefork.listen_backlog) != 0)
            return -1;
        listen_defer_accept(l);
    }
    return 0;
}

static bool listen_same_address(const struct pfd_listen *a, const struct pfd_listen *b)
{
    return a->addr_len == b->addr_len && memcmp(&a->addr, &b->addr, a->addr_len) == 0;
}

int pfd_listen_take_over(struct pfd_config *old_conf, struct pfd_config *new_conf)
{
    bool *borrowed = calloc(old_conf->nlistens ? old_conf->nlistens : 1, sizeof(*borrowed));
    if (borrowed == NULL)
        return -1;
    for (size_t i = 0; i < new_conf->nlistens; i++) {
        for (size_t j = 0; j < old_conf->nlistens; j++) {
            if (!borrowed[j] && listen_same_address(&new_conf->listens[i], &old_conf->listens[j])) {
                new_conf->listens[i].fd = old_conf->listens[j].fd;
                borrowed[j] = true;
                break;
            }
        }
    }
    if (pfd_listen_open(new_conf) != 0) {
        /* Give the borrowed sockets back; close only what this attempt bound. */
        for (size_t i = 0; i < new_conf->nlistens; i++) {
            struct pfd_listen *l = &new_conf->listens[i];
            bool was_borrowed = false;
            for (size_t j = 0; j < old_conf->nlistens; j++)
                was_borrowed |= borrowed[j] && old_conf->listens[j].fd == l->fd;
            if (l->fd >= 0 && !was_borrowed)
                close(l->fd);
            l->fd = -1;
        }
        free(borrowed);
        return -1;
    }
    for (size_t j = 0; j < old_conf->nlistens; j++) {
        if (!borrowed[j] && old_conf->listens[j].fd >= 0)
            close(old_conf->listens[j].fd);
        old_conf->listens[j].fd = -1;
    }
    free(borrowed);
    return 0;
}

void pfd_listen_close(struct pfd_config *conf)
{
    for (size_t i = 0; i < conf->nlistens; i++) {
        if (conf->listens[i].fd >= 0) {
            close(conf->listens[i].fd);
            conf->listens[i].fd = -1;
        }
    }
}

int pfd_listen_queue(int fd, int *backlog)
{
    /* On a listening socket Linux reports the accept queue in tcpi_unacked and its length in
     * tcpi_sacked (tcp_get_info()). */
    struct tcp_info info;
    socklen_t len = sizeof(info);
    *backlog = -1;
    if (fd < 0 || getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0 ||
        info.tcpi_state != TCP_LISTEN)
        return -1;
    *backlog = (int)info.tcpi_sacked;
    return (int)info.tcpi_unacked;
}

int pfd_listen_queued(const struct pfd_config *conf)
{
    int total = 0, backlog;
    for (size_t i = 0; i < conf->nlistens; i++) {
        int queued = pfd_listen_queue(conf->listens[i].fd, &backlog);
        total += queued > 0 ? queued : 0;
    }
    return total;
}
