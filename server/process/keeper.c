/*
 * keeper.c — a keeper process: holds the connections workers park, in one epoll set, until the
 * client sends its next bytes (the connection goes back to a worker through the channel every
 * worker waits on), closes (dropped), or runs out of time (closed; a partial head goes back for
 * its 408, so the worker answers and logs it). A keeper never parses a client's bytes: it peeks
 * one to tell a hang-up from a request, and throws away what a lingering close receives.
 *
 * A keeper that dies loses only what it held: idle connections, which clients retry, and
 * lingering closes, whose responses were sent. Parks sent while no keeper runs wait in the
 * channel (the master holds both ends) for the next one.
 */
#include "process/keeper.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "pool/park.h"
#include "process/worker.h"

/* epoll data of the two channels; connections use their descriptor. */
#define KEEPER_EV_PARKS UINT64_MAX
#define KEEPER_EV_UNPARKS (UINT64_MAX - 1)
#define KEEPER_EV_CONTROL (UINT64_MAX - 2)
/* Parks taken per wake-up, and reads per lingering connection per wake-up: one busy source
 * cannot starve the others. */
#define KEEPER_TAKE_BATCH 64
#define KEEPER_LINGER_READS 4

enum keeper_conn_state { KC_FREE = 0, KC_PARKED, KC_LINGER, KC_QUEUED };

struct keeper_conn {
    struct pfd_park_ticket ticket;
    int bytes_fd;
    int next;         /* in the queue to workers: the next descriptor, or -1 */
    uint32_t heap_at; /* 1 + index in the deadline heap; 0 when not in it */
    uint8_t state;
    int64_t deadline_ms;  /* what the heap orders by */
    uint32_t linger_left; /* bytes a lingering close may still throw away */
};

struct keeper {
    struct pfd_keeper_slot *board;
    int ep;
    int parks_fd;              /* to_keeper_recv */
    int unparks_fd;            /* to_worker_send */
    int control;               /* the socketpair to the master */
    struct keeper_conn *conns; /* indexed by descriptor */
    int nconns;
    int *heap; /* descriptors, earliest deadline first */
    uint32_t heap_len;
    int queue_head, queue_tail;
    uint32_t budget;    /* descriptors for connections and their files */
    bool unparks_armed; /* waiting for room in the channel to workers */
    bool parks_paused;  /* full: parks wait in the channel (or go to another keeper) */
};

static volatile sig_atomic_t keeper_stopping;

static void keeper_on_stop(int sig)
{
    (void)sig;
    keeper_stopping = 1;
}

/* SIGWINCH (graceful stop): take no more, exit once empty. SIGTERM: now. */
static void keeper_setup_signals(sigset_t *wait_mask)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = keeper_on_stop;
    sigaction(SIGWINCH, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGUSR1, &sa, NULL); /* a graceful restart keeps the keeper and what it holds */
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGPIPE, &sa, NULL);
    sa.sa_handler = SIG_DFL;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGCHLD, &sa, NULL);
    sigset_t blocked;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGWINCH);
    sigprocmask(SIG_SETMASK, &blocked, wait_mask);
    sigdelset(wait_mask, SIGWINCH);
}

/* ---- the deadline heap ---- */

static bool keeper_earlier(const struct keeper *k, uint32_t a, uint32_t b)
{
    return k->conns[k->heap[a]].deadline_ms < k->conns[k->heap[b]].deadline_ms;
}

static void keeper_heap_swap(struct keeper *k, uint32_t a, uint32_t b)
{
    int t = k->heap[a];
    k->heap[a] = k->heap[b];
    k->heap[b] = t;
    k->conns[k->heap[a]].heap_at = a + 1;
    k->conns[k->heap[b]].heap_at = b + 1;
}

static void keeper_heap_fix(struct keeper *k, uint32_t i)
{
    while (i > 0 && keeper_earlier(k, i, (i - 1) / 2)) {
        keeper_heap_swap(k, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
    for (;;) {
        uint32_t first = i, l = 2 * i + 1, r = l + 1;
        if (l < k->heap_len && keeper_earlier(k, l, first))
            first = l;
        if (r < k->heap_len && keeper_earlier(k, r, first))
            first = r;
        if (first == i)
            return;
        keeper_heap_swap(k, i, first);
        i = first;
    }
}

static void keeper_heap_set(struct keeper *k, int fd, int64_t deadline_ms)
{
    struct keeper_conn *c = &k->conns[fd];
    c->deadline_ms = deadline_ms;
    if (c->heap_at == 0) {
        k->heap[k->heap_len] = fd;
        c->heap_at = ++k->heap_len;
    }
    keeper_heap_fix(k, c->heap_at - 1);
}

static void keeper_heap_remove(struct keeper *k, int fd)
{
    struct keeper_conn *c = &k->conns[fd];
    if (c->heap_at == 0)
        return;
    uint32_t i = c->heap_at - 1;
    c->heap_at = 0;
    if (i != --k->heap_len) {
        k->heap[i] = k->heap[k->heap_len];
        k->conns[k->heap[i]].heap_at = i + 1;
        keeper_heap_fix(k, i);
    }
}

/* ---- holding and letting go ---- */

static void keeper_count(struct keeper *k, uint8_t state, int delta)
{
    if (state == KC_PARKED)
        k->board->parked += (uint32_t)delta;
    else if (state == KC_LINGER)
        k->board->lingering += (uint32_t)delta;
    else if (state == KC_QUEUED)
        k->board->queued += (uint32_t)delta;
}

static void keeper_set_state(struct keeper *k, int fd, uint8_t state)
{
    struct keeper_conn *c = &k->conns[fd];
    keeper_count(k, c->state, -1);
    keeper_count(k, state, 1);
    c->state = state;
}

/* Forgets fd: out of the epoll set and the heap, closed with its head's file. */
static void keeper_release(struct keeper *k, int fd)
{
    struct keeper_conn *c = &k->conns[fd];
    if (c->state == KC_PARKED || c->state == KC_LINGER)
        epoll_ctl(k->ep, EPOLL_CTL_DEL, fd, NULL);
    keeper_heap_remove(k, fd);
    keeper_set_state(k, fd, KC_FREE);
    k->board->descriptors -= 1 + (c->bytes_fd >= 0);
    if (c->bytes_fd >= 0)
        close(c->bytes_fd);
    c->bytes_fd = -1;
    close(fd);
}

/* To the back of the queue to workers. */
static void keeper_enqueue(struct keeper *k, int fd)
{
    struct keeper_conn *c = &k->conns[fd];
    if (c->state == KC_PARKED || c->state == KC_LINGER)
        epoll_ctl(k->ep, EPOLL_CTL_DEL, fd, NULL);
    keeper_heap_remove(k, fd);
    keeper_set_state(k, fd, KC_QUEUED);
    c->next = -1;
    if (k->queue_tail >= 0)
        k->conns[k->queue_tail].next = fd;
    else
        k->queue_head = fd;
    k->queue_tail = fd;
}

static void keeper_arm_unparks(struct keeper *k, bool on)
{
    if (k->unparks_armed == on)
        return;
    struct epoll_event ev = {.events = on ? EPOLLOUT : 0, .data.u64 = KEEPER_EV_UNPARKS};
    epoll_ctl(k->ep, EPOLL_CTL_MOD, k->unparks_fd, &ev);
    k->unparks_armed = on;
}

/* Hands queued connections to the workers until the channel is full. */
static void keeper_flush_queue(struct keeper *k)
{
    while (k->queue_head >= 0) {
        int fd = k->queue_head;
        struct keeper_conn *c = &k->conns[fd];
        if (pfd_park_pass(k->unparks_fd, &c->ticket, fd, c->bytes_fd) != 0) {
            if (errno == EAGAIN) {
                keeper_arm_unparks(k, true);
                return;
            }
            pfd_log(PFD_LOG_ERR, "keeper: handing a connection of %s back failed: %s",
                    c->ticket.peer_ip, strerror(errno));
        } else {
            k->board->unparks++;
        }
        k->queue_head = c->next;
        if (k->queue_head < 0)
            k->queue_tail = -1;
        keeper_release(k, fd);
    }
    keeper_arm_unparks(k, false);
}

static int64_t keeper_linger_deadline(const struct keeper_conn *c, int64_t now)
{
    int64_t idle = now + PFD_LINGER_IDLE_MS;
    return idle < c->ticket.deadline_ms ? idle : c->ticket.deadline_ms;
}

/* Takes a parked connection. */
static void keeper_adopt(struct keeper *k, const struct pfd_park_ticket *t, int fd, int bytes_fd)
{
    k->board->parks++;
    /* A descriptor beyond the limit set at start, a kind from another version: never trust. */
    bool known = t->kind >= PFD_PARK_IDLE && t->kind <= PFD_PARK_LINGER;
    if (fd >= k->nconns || !known) {
        close(fd);
        if (bytes_fd >= 0)
            close(bytes_fd);
        return;
    }
    struct keeper_conn *c = &k->conns[fd];
    memset(c, 0, sizeof(*c));
    c->ticket = *t;
    c->bytes_fd = bytes_fd;
    c->next = -1;
    k->board->descriptors += 1 + (bytes_fd >= 0);
    if (t->kind == PFD_PARK_READY) {
        keeper_enqueue(k, fd);
        return;
    }
    uint8_t state = t->kind == PFD_PARK_LINGER ? KC_LINGER : KC_PARKED;
    keeper_set_state(k, fd, state);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.u64 = (uint64_t)fd};
    if (epoll_ctl(k->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
        pfd_log(PFD_LOG_ERR, "keeper: epoll_ctl() failed: %s", strerror(errno));
        keeper_release(k, fd);
        return;
    }
    c->linger_left = PFD_LINGER_MAX;
    int64_t now = pfd_now_ms();
    keeper_heap_set(k, fd, state == KC_LINGER ? keeper_linger_deadline(c, now) : t->deadline_ms);
}

static void keeper_pause_parks(struct keeper *k, bool pause)
{
    if (k->parks_paused == pause)
        return;
    struct epoll_event ev = {.events = pause ? 0 : EPOLLIN, .data.u64 = KEEPER_EV_PARKS};
    epoll_ctl(k->ep, EPOLL_CTL_MOD, k->parks_fd, &ev);
    k->parks_paused = pause;
}

static void keeper_take_parks(struct keeper *k)
{
    for (int i = 0; i < KEEPER_TAKE_BATCH; i++) {
        if (k->board->descriptors + 2 > k->budget) {
            keeper_pause_parks(k, true);
            return;
        }
        struct pfd_park_ticket t;
        int fd, bytes_fd;
        int rc = pfd_park_receive(k->parks_fd, &t, &fd, &bytes_fd);
        if (rc == 0)
            return;
        if (rc < 0 && errno == EPIPE) {
            pfd_log(PFD_LOG_ERR, "keeper: the channel from the workers is closed: exiting");
            _exit(1);
        }
        if (rc < 0) {
            /* Out of descriptors: the kernel closed the connection, the client sees it end. */
            pfd_log(PFD_LOG_ERR, "keeper: taking a parked connection failed: %s", strerror(errno));
            continue;
        }
        keeper_adopt(k, &t, fd, bytes_fd);
    }
}

/* A lingering close: throw away what arrives until EOF or the budget; more than a few reads'
 * worth waits for the next round (the epoll set is level-triggered). */
static void keeper_linger_read(struct keeper *k, int fd)
{
    static char scratch[65536];
    struct keeper_conn *c = &k->conns[fd];
    for (int i = 0; i < KEEPER_LINGER_READS && c->linger_left > 0; i++) {
        size_t want = c->linger_left < sizeof(scratch) ? c->linger_left : sizeof(scratch);
        ssize_t n = recv(fd, scratch, want, MSG_DONTWAIT);
        if (n > 0) {
            c->linger_left -= (uint32_t)n;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            keeper_heap_set(k, fd, keeper_linger_deadline(c, pfd_now_ms()));
            return;
        }
        keeper_release(k, fd); /* EOF or error: the close is complete */
        return;
    }
    if (c->linger_left == 0)
        keeper_release(k, fd);
}

/* A parked connection became readable, or hung up. Data (even with a half-close behind it) goes
 * back to a worker; a hang-up between requests is dropped; a hang-up inside a head goes back
 * too, so the worker answers it (400) as when it held the connection. */
static void keeper_on_parked(struct keeper *k, int fd, uint32_t events)
{
    struct keeper_conn *c = &k->conns[fd];
    bool in_head = c->ticket.kind == PFD_PARK_HEAD && c->ticket.bytes > 0;
    if ((events & EPOLLERR) != 0) {
        k->board->hangups++;
        keeper_release(k, fd);
        return;
    }
    if ((events & (EPOLLRDHUP | EPOLLHUP)) != 0) {
        char b;
        ssize_t n = recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n <= 0 && !in_head) {
            k->board->hangups++;
            keeper_release(k, fd);
            return;
        }
    }
    keeper_enqueue(k, fd);
}

/* The master's socket: its reopened error log (after a reload), or its death (a hang-up): then
 * no worker will be replaced and no one will stop this keeper, so it leaves. */
static void keeper_on_control(int control, uint32_t events)
{
    struct pfd_park_ticket t;
    int fd, bytes_fd;
    int rc = pfd_park_receive(control, &t, &fd, &bytes_fd);
    if (rc == 1 && t.kind == PFD_PARK_NEW_LOG) {
        pfd_log_adopt(fd);
        fd = -1;
    }
    if (fd >= 0)
        close(fd);
    if (bytes_fd >= 0)
        close(bytes_fd);
    if (rc != 1 && (events & (EPOLLHUP | EPOLLRDHUP | EPOLLERR)) != 0) {
        pfd_log(PFD_LOG_ERR, "keeper: the master is gone: exiting");
        _exit(1);
    }
}

static void keeper_on_event(struct keeper *k, const struct epoll_event *ev)
{
    if (ev->data.u64 == KEEPER_EV_PARKS) {
        if (!keeper_stopping)
            keeper_take_parks(k);
        return;
    }
    if (ev->data.u64 == KEEPER_EV_UNPARKS) {
        keeper_flush_queue(k);
        return;
    }
    if (ev->data.u64 == KEEPER_EV_CONTROL) {
        keeper_on_control(k->control, ev->events);
        return;
    }
    int fd = (int)ev->data.u64;
    if (fd < 0 || fd >= k->nconns)
        return;
    if (k->conns[fd].state == KC_LINGER)
        keeper_linger_read(k, fd);
    else if (k->conns[fd].state == KC_PARKED)
        keeper_on_parked(k, fd, ev->events);
}

/* Deadlines that passed: a partial head goes back for its 408, anything else is closed. */
static void keeper_expire(struct keeper *k, int64_t now)
{
    while (k->heap_len > 0 && k->conns[k->heap[0]].deadline_ms <= now) {
        int fd = k->heap[0];
        struct keeper_conn *c = &k->conns[fd];
        if (c->state == KC_PARKED)
            k->board->expired++;
        if (c->state == KC_PARKED && c->ticket.kind == PFD_PARK_HEAD && c->ticket.bytes > 0) {
            c->ticket.expired = 1;
            keeper_enqueue(k, fd);
        } else {
            keeper_release(k, fd);
        }
    }
}

/* In a graceful stop a keeper leaves after the workers: until then one may still hand it a
 * lingering close. */
static bool keeper_workers_alive(const struct pfd_server *s)
{
    const struct pfd_scoreboard *sb = s->scoreboard;
    for (uint32_t i = 0; i < sb->nslots; i++)
        if (sb->slots[i].pid > 0)
            return true;
    return false;
}

static int keeper_wait_ms(const struct keeper *k, int64_t now)
{
    if (k->heap_len == 0)
        return 1000;
    int64_t left = k->conns[k->heap[0]].deadline_ms - now;
    return left < 0 ? 0 : left > 1000 ? 1000 : (int)left;
}

/* The keeper's own descriptors: it needs the channels' keeper ends only, never a listener (a
 * listener held here would stay open after a graceful stop closed it everywhere else). */
static void keeper_close_inherited(struct pfd_server *s)
{
    for (size_t i = 0; i < s->conf->nlistens; i++) {
        if (s->conf->listens[i].fd >= 0)
            close(s->conf->listens[i].fd);
        s->conf->listens[i].fd = -1;
    }
    close(s->park.to_keeper_send);
    close(s->park.to_worker_recv);
    s->park.to_keeper_send = s->park.to_worker_recv = -1;
}

static int keeper_setup(struct keeper *k, struct pfd_server *s, unsigned index)
{
    long nofile = pfd_park_keeper_nofile(s->conf);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)nofile) {
        rl.rlim_cur = (rlim_t)nofile;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            pfd_log(PFD_LOG_WARN, "keeper: setrlimit(RLIMIT_NOFILE, %ld) failed: %s", nofile,
                    strerror(errno));
    }
    keeper_close_inherited(s);
    if (pfd_worker_drop_privileges(s->conf) != 0)
        return -1;
    memset(k, 0, sizeof(*k));
    k->board = &s->scoreboard->keepers[index];
    k->parks_fd = s->park.to_keeper_recv;
    k->unparks_fd = s->park.to_worker_send;
    k->control = s->keeper_control;
    k->nconns = (int)(getrlimit(RLIMIT_NOFILE, &rl) == 0 ? rl.rlim_cur : 1024);
    k->budget = (uint32_t)(nofile - 64 > 0 ? nofile - 64 : 1);
    k->queue_head = k->queue_tail = -1;
    /* Untouched pages cost nothing: the table is as large as the limit, not as the load. */
    k->conns = calloc((size_t)k->nconns, sizeof(*k->conns));
    k->heap = calloc((size_t)k->nconns, sizeof(*k->heap));
    k->ep = epoll_create1(EPOLL_CLOEXEC);
    if (k->conns == NULL || k->heap == NULL || k->ep < 0)
        return -1;
    struct epoll_event parks = {.events = EPOLLIN, .data.u64 = KEEPER_EV_PARKS};
    struct epoll_event unparks = {.events = 0, .data.u64 = KEEPER_EV_UNPARKS};
    struct epoll_event control = {.events = EPOLLIN | EPOLLRDHUP, .data.u64 = KEEPER_EV_CONTROL};
    if (epoll_ctl(k->ep, EPOLL_CTL_ADD, k->parks_fd, &parks) != 0 ||
        epoll_ctl(k->ep, EPOLL_CTL_ADD, k->unparks_fd, &unparks) != 0 ||
        (k->control >= 0 && epoll_ctl(k->ep, EPOLL_CTL_ADD, k->control, &control) != 0))
        return -1;
    /* What a keeper that died held is gone with it. */
    k->board->parked = k->board->lingering = k->board->queued = k->board->descriptors = 0;
    k->board->started_us = pfd_wall_clock_us();
    return 0;
}

void pfd_keeper_run(struct pfd_server *server, unsigned index)
{
    prctl(PR_SET_NAME, "preforkd-keep", 0, 0, 0); /* first: ps and the tests tell keepers by it */
    sigset_t wait_mask;
    keeper_setup_signals(&wait_mask);
    struct keeper k;
    if (keeper_setup(&k, server, index) != 0) {
        pfd_log(PFD_LOG_EMERG, "keeper set-up failed: %s", strerror(errno));
        _exit(1);
    }
    for (;;) {
        if (keeper_stopping && k.board->descriptors == 0 && !keeper_workers_alive(server)) {
            keeper_take_parks(&k); /* a last one sent just before its worker left */
            if (k.board->descriptors == 0)
                break;
        }
        struct epoll_event ev[256];
        int n = epoll_pwait(k.ep, ev, 256, keeper_wait_ms(&k, pfd_now_ms()), &wait_mask);
        if (n < 0 && errno != EINTR) {
            pfd_log(PFD_LOG_EMERG, "keeper: epoll_pwait() failed: %s", strerror(errno));
            _exit(1);
        }
        for (int i = 0; i < n; i++)
            keeper_on_event(&k, &ev[i]);
        keeper_expire(&k, pfd_now_ms());
        keeper_flush_queue(&k);
        if (k.parks_paused && k.board->descriptors + 2 <= k.budget)
            keeper_pause_parks(&k, false);
    }
    _exit(0);
}

int pfd_keeper_check_nofile(const struct pfd_config *conf, char *err, size_t err_size)
{
    long need = pfd_park_keeper_nofile(conf);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 0;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < (rlim_t)need) {
        struct rlimit raised = {.rlim_cur = rl.rlim_cur, .rlim_max = (rlim_t)need};
        if (setrlimit(RLIMIT_NOFILE, &raised) != 0) { /* root may raise its hard limit */
            snprintf(err, err_size,
                     "%s: keepalive { max_parked = %d, keepers = %d } needs %ld descriptors in "
                     "each keeper, but the hard limit is %llu: raise it (LimitNOFILE= in the "
                     "systemd unit, `ulimit -Hn` in the shell that starts preforkd), lower "
                     "max_parked, or add keepers",
                     conf->file, conf->keepalive.max_parked, conf->keepalive.keepers, need,
                     (unsigned long long)rl.rlim_max);
            return -1;
        }
        rl.rlim_max = (rlim_t)need;
    }
    /* The soft limit too, for every process forked from here: the kernel refuses to pass a
     * descriptor (ETOOMANYREFS) when the user's descriptors in flight in unix sockets exceed the
     * sender's soft limit, and a burst puts thousands in the channels. */
    if (rl.rlim_cur < (rlim_t)need) {
        rl.rlim_cur = (rlim_t)need;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
    return 0;
}
