/*
 * worker.c — a worker process: drop privileges, run child_init hooks, then accept and serve one
 * connection at a time until told to stop or max_requests_per_child is reached.
 *
 * Accepting: every worker waits in epoll_pwait() on all listening sockets registered with
 * EPOLLEXCLUSIVE, so the kernel wakes one waiter (rarely a few) per new connection instead of the
 * whole pool, and a worker never blocks on one listener while another has clients: the job of
 * Apache's accept mutex, without a lock a killed worker could leave held. Losers of a race get
 * EAGAIN from the non-blocking accept4() and wait again.
 *
 * Scheduling: prefork { scheduling = "batch" } runs workers as SCHED_BATCH: the same share of the
 * CPU, but a worker woken by its client's bytes does not preempt what runs (another worker, a CGI
 * program, a local client); it runs when that one blocks or its slice ends. More requests per
 * second when many workers are busy on few cores, a longer tail of latency: not the default
 * (docs/design.md has the measurements).
 *
 * Signals: SIGUSR1/SIGWINCH (graceful) are blocked except inside the waits that may end early
 * (epoll_pwait here, the keep-alive wait in conn.c), so a request in progress always finishes and
 * no signal is lost between a check and a wait. SIGTERM keeps its default action: stop now.
 */
#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "pool/module_hooks.h"
#include "pool/scoreboard.h"
#include "pool/server.h"
#include "process/worker.h"
#include "serve/conn.h"
#include "serve/conn_io.h"
#include "serve/request.h"

static void worker_on_graceful(int sig)
{
    pfd_worker_stopping = sig == SIGWINCH ? PFD_STOP_CLOSE : PFD_STOP_RETIRE;
}

static void worker_setup_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = worker_on_graceful; /* no SA_RESTART: the wait must return EINTR */
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGWINCH, &sa, NULL);
    sa.sa_handler = SIG_DFL;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGCHLD, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);

    sigset_t blocked;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGUSR1);
    sigaddset(&blocked, SIGWINCH);
    sigprocmask(SIG_SETMASK, &blocked, &pfd_worker_wait_mask);
    sigdelset(&pfd_worker_wait_mask, SIGUSR1);
    sigdelset(&pfd_worker_wait_mask, SIGWINCH);
}

/* chroot: enter the jail while still root, after the supplementary groups (ids looked up before,
 * from the host's /etc, not the jail's). 0, or -1 logged. */
static int worker_enter_jail(const struct pfd_config *conf)
{
    if (conf->chroot == NULL)
        return 0;
    if (chroot(conf->chroot) != 0) {
        pfd_log(PFD_LOG_EMERG, "chroot() \"%s\" failed: %s", conf->chroot, strerror(errno));
        return -1;
    }
    if (chdir("/") != 0) {
        pfd_log(PFD_LOG_EMERG, "chdir() \"/\" in chroot \"%s\" failed: %s", conf->chroot,
                strerror(errno));
        return -1;
    }
    return 0;
}

/* When the master runs as root, workers run as `user`/`group` (the master keeps root only to
 * bind, open logs and fork), with the supplementary groups of that user only, inside `chroot`
 * when one is set. The ids were looked up by the master when it loaded the config
 * (conf->run_as): a worker reads no /etc/passwd, so it loads no NSS module. 0, or -1 logged. */
int pfd_worker_drop_privileges(const struct pfd_config *conf)
{
    if (geteuid() != 0)
        return 0;
    if (!conf->run_as.resolved) {
        pfd_log(PFD_LOG_EMERG, "user \"%s\" was not looked up: refusing to run as root",
                conf->user);
        return -1;
    }
    if (setgroups((size_t)conf->run_as.ngroups, conf->run_as.groups) != 0) {
        pfd_log(PFD_LOG_EMERG, "setgroups() for user \"%s\" failed: %s", conf->user,
                strerror(errno));
        return -1;
    }
    if (worker_enter_jail(conf) != 0)
        return -1;
    if (setgid(conf->run_as.gid) != 0 || setuid(conf->run_as.uid) != 0) {
        pfd_log(PFD_LOG_EMERG, "cannot switch to user \"%s\": %s", conf->user, strerror(errno));
        return -1;
    }
    return 0;
}

/* epoll data of the channel from the keepers; listeners use their index. */
#define WORKER_EV_UNPARK UINT32_MAX

static int worker_epoll_setup(const struct pfd_server *s)
{
    const struct pfd_config *conf = s->conf;
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0)
        return -1;
    for (size_t i = 0; i < conf->nlistens; i++) {
        struct epoll_event ev = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.u32 = (uint32_t)i};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, conf->listens[i].fd, &ev) != 0) {
            close(ep);
            return -1;
        }
    }
    /* Connections the keepers hand back are waited for like new ones, one worker woken each. */
    struct epoll_event ev = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.u32 = WORKER_EV_UNPARK};
    if (s->park.to_worker_recv >= 0 &&
        epoll_ctl(ep, EPOLL_CTL_ADD, s->park.to_worker_recv, &ev) != 0) {
        close(ep);
        return -1;
    }
    return ep;
}

/* A graceful stop: this worker takes no new connection (the master has closed its own copies
 * of the listeners; the port closes when every worker has closed its copies too), but still
 * answers what arrives on parked connections. */
static void worker_close_listeners(struct pfd_server *s, int ep)
{
    for (size_t i = 0; i < s->conf->nlistens; i++) {
        int fd = s->conf->listens[i].fd;
        if (fd < 0)
            continue;
        epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
        close(fd);
        s->conf->listens[i].fd = -1;
    }
}

/* While stopping gracefully: whether a parked connection may still come back to a worker. */
static bool worker_parked_may_return(const struct pfd_server *s)
{
    const struct pfd_scoreboard *sb = s->scoreboard;
    if (sb == NULL || !pfd_park_keeper_alive(sb))
        return false;
    uint64_t parked = 0;
    for (uint32_t i = 0; i < sb->nkeepers; i++)
        parked += sb->keepers[i].parked;
    return parked > 0 || pfd_park_waiting(sb) > 0;
}

/* Takes one connection a keeper handed back and serves it. false when another worker won. */
static bool worker_unpark(struct pfd_server *s, int ep, struct pfd_conn *conn)
{
    struct pfd_park_ticket ticket;
    int fd, bytes_fd;
    int rc = pfd_park_receive(s->park.to_worker_recv, &ticket, &fd, &bytes_fd);
    if (rc < 0 && errno == EPIPE) {
        /* Every sender is gone, the master with them (it holds both ends): like Apache's pipe
         * of death, the worker finishes and exits, and leaves the port to a new master. */
        pfd_log(PFD_LOG_ERR, "the master is gone: worker exiting");
        epoll_ctl(ep, EPOLL_CTL_DEL, s->park.to_worker_recv, NULL);
        pfd_worker_stopping = PFD_STOP_RETIRE;
        return false;
    }
    if (rc < 0)
        pfd_log(PFD_LOG_ERR, "taking a connection from a keeper failed: %s", strerror(errno));
    if (rc <= 0)
        return false;
    __atomic_fetch_add(&s->scoreboard->unparks_taken, 1, __ATOMIC_RELAXED);
    pfd_conn_resume(conn, fd, &ticket, bytes_fd);
    return true;
}

/* Accepts one connection from listener i; -1 when another worker won the race. */
static int worker_accept(const struct pfd_config *conf, size_t i, struct sockaddr_storage *peer,
                         socklen_t *peer_len)
{
    *peer_len = sizeof(*peer);
    int fd = accept4(conf->listens[i].fd, (struct sockaddr *)peer, peer_len,
                     SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0 && errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
        pfd_log(PFD_LOG_ERR, "accept4() on \"%s\" failed: %s", conf->listens[i].text,
                strerror(errno));
        /* Out of descriptors or memory: the listener stays readable, so back off rather than
         * spin and flood the log; the connection waits in the backlog for another worker. */
        struct timespec pause = {.tv_sec = 0, .tv_nsec = 100 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    return fd;
}

/* After a connection, how many more a worker may accept before it waits again (see
 * worker_serve_accepted). */
#define WORKER_ACCEPT_BURST 16

/* Whether no worker waits for a connection: then none will be woken for the next one in the
 * queue, and the worker that has just finished should take it itself. */
static bool worker_none_waiting(const struct pfd_server *s)
{
    return s->scoreboard != NULL &&
           __atomic_load_n(&s->scoreboard->accept_waiters, __ATOMIC_RELAXED) <= 0;
}

static uint64_t worker_requests(const struct pfd_server *s)
{
    return s->scoreboard != NULL ? s->scoreboard->slots[s->slot].requests : 0;
}

/*
 * Serves connections from listener i: the one the wait reported, then, while no other worker
 * waits (every one busy, so the queue may hold more and nobody is woken for them), the next ones
 * at once, saving a wait per connection (an empty queue costs one accept4() that says EAGAIN).
 * With idle workers the kernel has already woken one for each queued connection, and taking it
 * would only wake that one for nothing. Bounded, so that connections a keeper hands back do not
 * wait behind a burst. The connections served, 0 when another worker won the race for the
 * first. budget: the requests still allowed (max_requests_per_child), 0 for no limit.
 */
static unsigned worker_serve_accepted(struct pfd_server *s, struct pfd_conn *conn, size_t i,
                                      uint64_t budget)
{
    const struct pfd_config *conf = s->conf;
    uint64_t before = worker_requests(s);
    unsigned served = 0;
    while (served < WORKER_ACCEPT_BURST) {
        struct sockaddr_storage peer;
        socklen_t peer_len;
        int fd = worker_accept(conf, i, &peer, &peer_len);
        if (fd < 0)
            break;
        pfd_conn_serve(conn, fd, &conf->listens[i], (struct sockaddr *)&peer, peer_len);
        served++;
        uint64_t done = worker_requests(s) - before;
        if (pfd_worker_stopping || !worker_none_waiting(s) ||
            (budget != 0 && (done > served ? done : served) >= budget))
            break;
    }
    return served;
}

/* Serves what one wake-up of the wait reported; the requests served (budget: as above). */
static uint64_t worker_serve_event(struct pfd_server *s, int ep, struct pfd_conn *conn,
                                   uint32_t what, uint64_t budget)
{
    uint64_t before = worker_requests(s);
    unsigned conns = 1;
    if (what == WORKER_EV_UNPARK) {
        if (!worker_unpark(s, ep, conn))
            return 0;
    } else if ((conns = worker_serve_accepted(s, conn, what, budget)) == 0) {
        return 0;
    }
    /* Apache counts connections against MaxConnectionsPerChild; count requests here, as the
     * directive's name says, but at least one per connection. */
    uint64_t done = worker_requests(s) - before;
    return done > conns ? done : conns;
}

static void worker_count_waiting(struct pfd_server *s, int32_t delta)
{
    if (s->scoreboard != NULL)
        __atomic_fetch_add(&s->scoreboard->accept_waiters, delta, __ATOMIC_RELAXED);
}

/* Refused only where a sandbox forbids sched_setscheduler(): the worker then serves as it is. */
static void worker_set_scheduling(const struct pfd_config *conf)
{
    struct sched_param param = {.sched_priority = 0};
    int policy = conf->prefork.scheduling == PFD_SCHEDULING_BATCH ? SCHED_BATCH : SCHED_OTHER;
    if (sched_getscheduler(0) != policy && sched_setscheduler(0, policy, &param) != 0)
        pfd_log(PFD_LOG_INFO, "prefork { scheduling }: sched_setscheduler() failed: %s",
                strerror(errno));
}

void pfd_worker_run(struct pfd_server *server)
{
    const struct pfd_config *conf = server->conf;
    worker_setup_signals();
    worker_set_scheduling(conf);
    if (pfd_worker_drop_privileges(conf) != 0)
        _exit(1); /* a worker must never serve as root by accident */
    pfd_modules_child_init(server, server->conf);

    /* A worker parks and takes back; only keepers take parks and hand back. */
    if (server->park.to_keeper_recv >= 0)
        close(server->park.to_keeper_recv);
    if (server->park.to_worker_send >= 0)
        close(server->park.to_worker_send);
    server->park.to_keeper_recv = server->park.to_worker_send = -1;
    static struct pfd_conn conn;
    int ep = worker_epoll_setup(server);
    if (ep < 0 || pfd_conn_init(&conn, server) != 0) {
        pfd_log(PFD_LOG_EMERG, "worker set-up failed: %s", strerror(errno));
        _exit(1);
    }
    uint64_t served = 0;
    uint64_t max = (uint64_t)conf->prefork.max_requests_per_child;
    bool draining = false;
    while (pfd_worker_stopping != PFD_STOP_RETIRE && (max == 0 || served < max)) {
        if (pfd_worker_stopping == PFD_STOP_CLOSE) {
            if (!draining)
                worker_close_listeners(server, ep);
            draining = true;
            if (!worker_parked_may_return(server))
                break;
        }
        pfd_scoreboard_slot_set_state(server->scoreboard, server->slot, PFD_WORKER_IDLE);
        struct epoll_event ev[8];
        worker_count_waiting(server, 1);
        int n = epoll_pwait(ep, ev, 8, draining ? 100 : -1, &pfd_worker_wait_mask);
        worker_count_waiting(server, -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            pfd_log(PFD_LOG_EMERG, "epoll_pwait() failed: %s", strerror(errno));
            break;
        }
        for (int i = 0; i < n && pfd_worker_stopping != PFD_STOP_RETIRE; i++) {
            served +=
                worker_serve_event(server, ep, &conn, ev[i].data.u32, max != 0 ? max - served : 0);
            if (max != 0 && served >= max)
                break;
        }
    }
    pfd_scoreboard_slot_set_state(server->scoreboard, server->slot, PFD_WORKER_CLOSING);
    close(ep);
    pfd_conn_fini(&conn);
    _exit(0);
}
