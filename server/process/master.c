/*
 * master.c — the master process: keeps the pool of workers between min_spare_servers and
 * max_spare_servers idle workers (Apache prefork semantics), reaps and replaces them, and turns
 * signals into stop, graceful stop, restart and graceful restart.
 *
 * Signals are blocked and taken synchronously with sigtimedwait(), so no handler ever runs in
 * the master: the loop sleeps until a signal or the next once-a-second maintenance tick.
 */
#include "process/master.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/tls_tickets.h"
#include "config/config.h"
#include "config/logs.h"
#include "pool/listen.h"
#include "pool/module_hooks.h"
#include "pool/scoreboard.h"
#include "pool/server.h"
#include "process/keeper.h"
#include "process/worker.h"
#include "serve/tls.h"

/* How long a stop waits for workers after SIGTERM before SIGKILL. */
#define PFD_STOP_GRACE_MS 3000

enum master_action { MASTER_RUN, MASTER_STOP, MASTER_GRACEFUL_STOP };

struct master {
    struct pfd_server *server;
    sigset_t signals;
    int spawn_rate;       /* doubles each second the pool is short of idle workers */
    bool warned_max;      /* "max_workers reached" logged for the current episode */
    int respawned;        /* crashed workers replaced at once since the last tick */
    bool stop_now;        /* TERM/INT arrived while waiting for a graceful stop */
    int64_t next_tick_ms; /* the next maintenance pass */
    bool stopping;        /* a stop has begun: dead keepers stay dead */
    int64_t keeper_started_ms[PFD_MAX_KEEPERS];
    int keeper_control[PFD_MAX_KEEPERS]; /* the master's end of each keeper's socketpair, or -1 */
};

/* In a child: the master's ends of the keepers' control sockets are the master's alone (a keeper
 * learns of the master's death from its socket's hang-up, which a copy elsewhere would hide). */
static void master_close_keeper_controls(struct master *m)
{
    for (unsigned i = 0; i < PFD_MAX_KEEPERS; i++) {
        if (m->keeper_control[i] >= 0)
            close(m->keeper_control[i]);
        m->keeper_control[i] = -1;
    }
}

static void master_on_sigchld(int sig)
{
    (void)sig; /* only so that SIGCHLD is never discarded; it is taken by sigtimedwait() */
}

static void master_setup_signals(struct master *m)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = master_on_sigchld;
    sigaction(SIGCHLD, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    sigemptyset(&m->signals);
    int sigs[] = {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGWINCH, SIGQUIT};
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        sigaddset(&m->signals, sigs[i]);
    sigprocmask(SIG_BLOCK, &m->signals, NULL);
}

static int master_spawn(struct master *m)
{
    struct pfd_server *s = m->server;
    int slot = pfd_scoreboard_slot_claim(s->scoreboard);
    if (slot < 0) {
        pfd_log(PFD_LOG_ERR, "scoreboard full (%u slots): cannot start a worker",
                s->scoreboard->nslots);
        return -1;
    }
    s->scoreboard->slots[slot].generation = s->generation;
    pid_t pid = fork();
    if (pid < 0) {
        pfd_log(PFD_LOG_ALERT, "fork() failed: %s", strerror(errno));
        pfd_scoreboard_slot_release(s->scoreboard, slot);
        return -1;
    }
    if (pid == 0) {
        s->slot = slot;
        s->scoreboard->slots[slot].pid = getpid();
        sigprocmask(SIG_UNBLOCK, &m->signals, NULL);
        master_close_keeper_controls(m);
        pfd_worker_run(s);
    }
    s->scoreboard->slots[slot].pid = pid;
    return 0;
}

/* Forks keeper i. 0 or -1 (logged). */
static int master_spawn_keeper(struct master *m, unsigned i)
{
    struct pfd_server *s = m->server;
    int control[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, control) != 0) {
        pfd_log(PFD_LOG_ALERT, "socketpair() for keeper %u failed: %s", i, strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        pfd_log(PFD_LOG_ALERT, "fork() failed: %s", strerror(errno));
        close(control[0]);
        close(control[1]);
        return -1;
    }
    if (pid == 0) {
        s->scoreboard->keepers[i].pid = getpid();
        sigprocmask(SIG_UNBLOCK, &m->signals, NULL);
        close(control[0]);
        master_close_keeper_controls(m);
        s->keeper_control = control[1];
        pfd_keeper_run(s, i);
    }
    close(control[1]);
    m->keeper_control[i] = control[0];
    s->scoreboard->keepers[i].pid = pid;
    m->keeper_started_ms[i] = pfd_now_ms();
    return 0;
}

/* After a reload: the keepers outlive it, and cannot reopen the error log themselves (they run
 * as the workers' user), so the master hands them the one it has reopened. */
static void master_send_logs(struct master *m)
{
    struct pfd_park_ticket t;
    memset(&t, 0, sizeof(t));
    t.kind = PFD_PARK_NEW_LOG;
    for (unsigned i = 0; i < PFD_MAX_KEEPERS; i++)
        if (m->keeper_control[i] >= 0 &&
            pfd_park_pass(m->keeper_control[i], &t, pfd_log_fd(), -1) != 0)
            pfd_log(PFD_LOG_ERR, "handing the error log to keeper %u failed: %s", i,
                    strerror(errno));
}

/* With parking on, every keeper runs; one that died within a second of its start waits for the
 * next tick, so a keeper that cannot start does not turn the master into a fork loop. */
static void master_keep_keepers(struct master *m, bool tick)
{
    struct pfd_scoreboard *sb = m->server->scoreboard;
    if (m->stopping || !m->server->conf->keepalive.park || m->server->park.to_keeper_recv < 0)
        return;
    for (unsigned i = 0; i < sb->nkeepers; i++) {
        bool young = pfd_now_ms() - m->keeper_started_ms[i] < 1000;
        if (sb->keepers[i].pid <= 0 && (tick || !young))
            master_spawn_keeper(m, i);
    }
}

static void master_signal_keepers(struct master *m, int sig)
{
    struct pfd_scoreboard *sb = m->server->scoreboard;
    for (unsigned i = 0; i < sb->nkeepers; i++)
        if (sb->keepers[i].pid > 0)
            kill(sb->keepers[i].pid, sig);
}

/* A keeper that exited: 1 when pid was one. */
static int master_reap_keeper(struct master *m, pid_t pid, int status)
{
    struct pfd_scoreboard *sb = m->server->scoreboard;
    for (unsigned i = 0; i < sb->nkeepers; i++) {
        if (sb->keepers[i].pid != pid)
            continue;
        sb->keepers[i].pid = 0;
        if (m->keeper_control[i] >= 0)
            close(m->keeper_control[i]);
        m->keeper_control[i] = -1;
        bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        if (m->stopping && (clean || (WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM)))
            pfd_log(PFD_LOG_DEBUG, "keeper %d exited", (int)pid);
        else if (WIFSIGNALED(status))
            pfd_log(PFD_LOG_ERR,
                    "keeper %d exited on signal %d (%s): replacing it; the idle "
                    "connections it held are closed",
                    (int)pid, WTERMSIG(status), strsignal(WTERMSIG(status)));
        else
            pfd_log(PFD_LOG_ERR, "keeper %d exited with status %d: replacing it", (int)pid,
                    WEXITSTATUS(status));
        return 1;
    }
    return 0;
}

/* Sends sig to every worker of a generation other than keep (or of all, when keep is 0). */
static void master_signal_workers(struct master *m, int sig, uint32_t keep, bool all)
{
    struct pfd_scoreboard *sb = m->server->scoreboard;
    for (uint32_t i = 0; i < sb->nslots; i++) {
        pid_t pid = sb->slots[i].pid;
        if (pid > 0 && (all || sb->slots[i].generation != keep)) {
            if (sig != SIGTERM && sig != SIGKILL)
                sb->slots[i].retiring = 1;
            kill(pid, sig);
        }
    }
}

static int master_count_workers(const struct pfd_scoreboard *sb)
{
    int n = 0;
    for (uint32_t i = 0; i < sb->nslots; i++)
        n += sb->slots[i].pid > 0;
    return n;
}

static int master_count_keepers(const struct pfd_scoreboard *sb)
{
    int n = 0;
    for (uint32_t i = 0; i < sb->nkeepers; i++)
        n += sb->keepers[i].pid > 0;
    return n;
}

static void master_log_exit(pid_t pid, int status, bool expected)
{
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        pfd_log(expected ? PFD_LOG_INFO : PFD_LOG_ERR, "worker %d exited on signal %d (%s)%s",
                (int)pid, sig, strsignal(sig), WCOREDUMP(status) ? ", core dumped" : "");
    } else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
        pfd_log(PFD_LOG_ERR, "worker %d exited with status %d", (int)pid, WEXITSTATUS(status));
    } else {
        pfd_log(PFD_LOG_DEBUG, "worker %d exited", (int)pid);
    }
}

/* Reaps every exited child; returns how many exited abnormally. */
static int master_reap(struct master *m, bool expected)
{
    struct pfd_scoreboard *sb = m->server->scoreboard;
    int crashed = 0;
    for (;;) {
        int status;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid <= 0)
            break;
        if (pfd_log_pipe_reaped(pid, status))
            continue; /* a piped log's program, not a worker */
        if (master_reap_keeper(m, pid, status))
            continue;
        int slot = pfd_scoreboard_slot_of(sb, pid);
        bool retiring = slot >= 0 && sb->slots[slot].retiring;
        master_log_exit(pid, status, expected || retiring);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            crashed++;
        if (slot >= 0)
            pfd_scoreboard_slot_release(sb, slot);
    }
    return crashed;
}

/* Once a second (Apache's perform_idle_server_maintenance): retire one idle worker when there
 * are more than max_spare, or, while short of min_spare, spawn the whole spawn rate (1, 2, 4 …
 * max_spawn_rate, doubling each second the pool stays short, as Apache does), and at least one
 * worker for each connection already waiting in the accept queues; never above max_workers.
 * Starting workers count as idle, so a slow start does not make the pool overshoot. */
static void master_maintain(struct master *m)
{
    struct pfd_server *s = m->server;
    const struct pfd_config *conf = s->conf;
    struct pfd_scoreboard *sb = s->scoreboard;
    int idle = 0, current = 0, last_idle = -1;
    for (uint32_t i = 0; i < sb->nslots; i++) {
        struct pfd_scoreboard_slot *slot = &sb->slots[i];
        if (slot->pid <= 0 || slot->generation != s->generation || slot->retiring)
            continue;
        current++;
        if (slot->state == PFD_WORKER_IDLE || slot->state == PFD_WORKER_STARTING) {
            idle++;
            if (slot->state == PFD_WORKER_IDLE)
                last_idle = (int)i;
        }
    }
    if (idle > conf->prefork.max_spare_servers && last_idle >= 0) {
        sb->slots[last_idle].retiring = 1;
        kill(sb->slots[last_idle].pid, SIGUSR1);
        m->spawn_rate = 1;
        return;
    }
    if (idle >= conf->prefork.min_spare_servers) {
        m->spawn_rate = 1;
        m->warned_max = false;
        return;
    }
    if (current >= conf->prefork.max_workers) {
        sb->max_workers_reached++;
        if (!m->warned_max)
            pfd_log(PFD_LOG_WARN, "server reached max_workers (%d): consider raising it",
                    conf->prefork.max_workers);
        m->warned_max = true;
        m->spawn_rate = 1;
        return;
    }
    /* Not capped by min_spare - idle: under a burst that cap made the pool grow by a handful a
     * second while hundreds of connections waited for a worker. */
    int room = conf->prefork.max_workers - current;
    int queued = pfd_listen_queued(conf);
    int n = queued > m->spawn_rate ? queued : m->spawn_rate;
    n = n < room ? n : room;
    if (m->spawn_rate >= 8 || queued > 0)
        pfd_log(PFD_LOG_INFO,
                "pool is short of idle workers: spawning %d (%d idle, %d total, %d queued)", n,
                idle, current, queued);
    for (int i = 0; i < n; i++)
        if (master_spawn(m) != 0)
            break;
    if (m->spawn_rate < conf->prefork.max_spawn_rate)
        m->spawn_rate = m->spawn_rate * 2 > conf->prefork.max_spawn_rate
                            ? conf->prefork.max_spawn_rate
                            : m->spawn_rate * 2;
}

/* Waits for every worker (and keeper, when keepers) to exit until deadline_ms; returns the
 * number still alive. A TERM or INT meanwhile ends the wait early with m->stop_now set: an
 * impatient operator wins. */
static int master_wait_workers(struct master *m, int64_t deadline_ms, bool keepers)
{
    for (;;) {
        master_reap(m, true);
        int left = master_count_workers(m->server->scoreboard) +
                   (keepers ? master_count_keepers(m->server->scoreboard) : 0);
        int64_t wait_ms = deadline_ms - pfd_now_ms();
        if (left == 0 || wait_ms <= 0 || m->stop_now)
            return left;
        struct timespec ts = {.tv_sec = wait_ms / 1000, .tv_nsec = (wait_ms % 1000) * 1000000};
        int sig = sigtimedwait(&m->signals, NULL, &ts);
        if (sig == SIGTERM || sig == SIGINT)
            m->stop_now = true;
    }
}

/* A worker that died unexpectedly is replaced at once, so the pool does not stay short until
 * the next tick; at most max_spawn_rate a second, so a worker that crashes at start cannot turn
 * the master into a fork loop. */
static void master_replace_crashed(struct master *m, int crashed)
{
    const struct pfd_config *conf = m->server->conf;
    int budget = conf->prefork.max_spawn_rate - m->respawned;
    int room = conf->prefork.max_workers - master_count_workers(m->server->scoreboard);
    int n = crashed < budget ? crashed : budget;
    n = n < room ? n : room;
    if (crashed > budget)
        pfd_log(PFD_LOG_ERR, "workers keep dying: replacing at most %d a second",
                conf->prefork.max_spawn_rate);
    for (int i = 0; i < n; i++)
        if (master_spawn(m) != 0)
            break;
    m->respawned += n > 0 ? n : 0;
}

/* Stops every worker, and the keepers when keepers (a restart keeps them, and the connections
 * they hold): TERM, then KILL whatever is left after a grace period. */
static void master_stop_workers(struct master *m, bool keepers)
{
    master_signal_workers(m, SIGTERM, 0, true);
    if (keepers)
        master_signal_keepers(m, SIGTERM);
    if (master_wait_workers(m, pfd_now_ms() + PFD_STOP_GRACE_MS, keepers) > 0) {
        pfd_log(PFD_LOG_WARN, "workers still running after SIGTERM: sending SIGKILL");
        master_signal_workers(m, SIGKILL, 0, true);
        if (keepers)
            master_signal_keepers(m, SIGKILL);
        master_wait_workers(m, pfd_now_ms() + PFD_STOP_GRACE_MS, keepers);
    }
}

/* The access log of conf, and its vhosts' logs (a failed one is logged, and that vhost writes
 * to the server's logs). The old config's vhost logs close when it is freed. */
static int master_open_access_log(struct pfd_server *s, struct pfd_config *conf)
{
    pfd_vhost_logs_open(conf);
    struct pfd_access_log log;
    if (pfd_access_log_open(&log, conf->access_log, conf->access_log_format) != 0)
        return -1;
    pfd_access_log_close(&s->access_log);
    s->access_log = log;
    return 0;
}

/* How HTTPS static files go out with the running config (kTLS or buffered writes): into the
 * scoreboard for mod_status, and into the log, at start and after each reload. */
static void master_note_tls_files(struct pfd_server *s)
{
    char why[256] = "";
    enum pfd_tls_files path = pfd_tls_files_path(s->conf, why, sizeof(why));
    s->scoreboard->tls_files = (int)path;
    if (path == PFD_TLS_FILES_KTLS)
        pfd_log(PFD_LOG_NOTICE, "HTTPS static files: kTLS and SSL_sendfile");
    else if (path == PFD_TLS_FILES_BUFFERED)
        pfd_log(PFD_LOG_NOTICE, "HTTPS static files: buffered writes (%s)", why);
}

/* Loads the config again and swaps it in; the old one keeps running when anything fails. */
static int master_reload(struct master *m)
{
    struct pfd_server *s = m->server;
    char err[4096];
    struct pfd_config *conf = pfd_config_load(s->conf->file, false, err, sizeof(err));
    if (conf == NULL) {
        pfd_log(PFD_LOG_ERR, "reload failed, keeping the running config: %s", err);
        return -1;
    }
    if ((uint32_t)conf->prefork.max_workers * 2 > s->scoreboard->nslots) {
        pfd_log(PFD_LOG_WARN,
                "max_workers %d exceeds what the scoreboard was sized for: "
                "a full stop and start applies it",
                conf->prefork.max_workers);
        conf->prefork.max_workers = (int)(s->scoreboard->nslots / 2);
    }
    /* The new certificates and keys, read by the master (as root) before the new workers
     * fork; a bad one keeps the running config and its contexts. */
    struct pfd_tls *tls = NULL;
    char notes[4096];
    if (pfd_tls_create(conf, &tls, err, sizeof(err), notes, sizeof(notes)) != 0) {
        pfd_log(PFD_LOG_ERR, "reload failed, keeping the running config: %s", err);
        pfd_config_free(conf);
        return -1;
    }
    if (pfd_modules_init(s, conf) != 0 || pfd_listen_take_over(s->conf, conf) != 0) {
        pfd_log(PFD_LOG_ERR, "reload failed, keeping the running config");
        pfd_modules_fini(conf);
        pfd_tls_free(tls);
        pfd_config_free(conf);
        return -1;
    }
    pfd_tls_log_notes(notes);
    pfd_tls_warm(tls);
    if (pfd_log_open(conf->error_log, conf->log_level) != 0)
        pfd_log(PFD_LOG_ERR, "open() \"%s\" failed: %s", conf->error_log, strerror(errno));
    master_open_access_log(s, conf);
    pfd_modules_fini(s->conf);
    pfd_tls_free(s->tls);
    pfd_config_free(s->conf);
    s->conf = conf;
    s->tls = tls;
    pfd_log(PFD_LOG_NOTICE, "config \"%s\" reloaded", conf->file);
    master_note_tls_files(s);
    return 0;
}

/* Workers of the current generation serving a connection (not idle, starting or retiring). */
static int master_count_busy(const struct pfd_server *s)
{
    const struct pfd_scoreboard *sb = s->scoreboard;
    int busy = 0;
    for (uint32_t i = 0; i < sb->nslots; i++) {
        const struct pfd_scoreboard_slot *slot = &sb->slots[i];
        busy += slot->pid > 0 && slot->generation == s->generation && !slot->retiring &&
                slot->state != PFD_WORKER_IDLE && slot->state != PFD_WORKER_STARTING;
    }
    return busy;
}

/* A graceful restart must not shrink the pool below what is busy: the new generation starts
 * with the old one's busy workers plus min_spare (at least start_servers, at most max_workers),
 * so the clients of the old workers find new ones when they come back. */
static int master_restart_size(const struct pfd_server *s, int busy)
{
    const struct pfd_config *conf = s->conf;
    int n = busy + conf->prefork.min_spare_servers;
    n = n > conf->prefork.start_servers ? n : conf->prefork.start_servers;
    return n < conf->prefork.max_workers ? n : conf->prefork.max_workers;
}

static void master_new_generation(struct master *m, int old_workers_signal)
{
    struct pfd_server *s = m->server;
    int busy = master_count_busy(s);
    s->generation++;
    s->scoreboard->generation = s->generation;
    s->scoreboard->restarted_us = pfd_wall_clock_us();
    if (old_workers_signal == SIGTERM)
        master_stop_workers(m, false);
    else
        master_signal_workers(m, old_workers_signal, s->generation, false);
    m->spawn_rate = 1;
    int n = master_restart_size(s, busy);
    for (int i = 0; i < n; i++)
        if (master_spawn(m) != 0)
            break;
}

static enum master_action master_on_signal(struct master *m, int sig)
{
    switch (sig) {
    case SIGCHLD: {
        int crashed = master_reap(m, false);
        if (crashed > 0)
            master_replace_crashed(m, crashed);
        master_keep_keepers(m, false);
        return MASTER_RUN;
    }
    case SIGTERM:
    case SIGINT:
        pfd_log(PFD_LOG_NOTICE, "caught %s, shutting down", strsignal(sig));
        return MASTER_STOP;
    case SIGWINCH:
    case SIGQUIT:
        pfd_log(PFD_LOG_NOTICE, "caught %s, shutting down gracefully", strsignal(sig));
        return MASTER_GRACEFUL_STOP;
    case SIGHUP:
        pfd_log(PFD_LOG_NOTICE, "SIGHUP received: restarting");
        master_reload(m);
        master_send_logs(m);
        master_new_generation(m, SIGTERM);
        return MASTER_RUN;
    case SIGUSR1:
        pfd_log(PFD_LOG_NOTICE, "SIGUSR1 received: graceful restart");
        pfd_log_reopen();
        pfd_access_log_reopen(&m->server->access_log);
        pfd_vhost_logs_reopen(m->server->conf);
        master_reload(m);
        master_send_logs(m);
        master_new_generation(m, SIGUSR1);
        return MASTER_RUN;
    default:
        return MASTER_RUN;
    }
}

int pfd_master_run(struct pfd_server *server)
{
    struct master m = {.server = server, .spawn_rate = 1};
    for (unsigned i = 0; i < PFD_MAX_KEEPERS; i++)
        m.keeper_control[i] = -1;
    master_setup_signals(&m);
    server->scoreboard->master_pid = getpid(); /* after -D's forks: the pid mod_status shows */
    pfd_log_pipes_maintain(); /* a piped log started before -D is not our child yet */
    const struct pfd_config *conf = server->conf;
    master_keep_keepers(&m, true);
    master_note_tls_files(server);
    for (int i = 0; i < conf->prefork.start_servers; i++)
        if (master_spawn(&m) != 0)
            break;
    pfd_log(PFD_LOG_NOTICE, "preforkd/%s started: %d workers, pid %d", PFD_VERSION,
            conf->prefork.start_servers, (int)getpid());
    m.next_tick_ms = pfd_now_ms() + 1000;
    enum master_action action = MASTER_RUN;
    while (action == MASTER_RUN) {
        int64_t wait_ms = m.next_tick_ms - pfd_now_ms();
        if (wait_ms <= 0) {
            m.respawned = 0;
            master_keep_keepers(&m, true);
            master_maintain(&m);
            pfd_scoreboard_measure_memory(server->scoreboard);
            pfd_log_pipes_maintain();
            pfd_tls_tickets_maintain(pfd_now_ms());
            m.next_tick_ms = pfd_now_ms() + 1000;
            continue;
        }
        struct timespec ts = {.tv_sec = wait_ms / 1000, .tv_nsec = (wait_ms % 1000) * 1000000};
        int sig = sigtimedwait(&m.signals, NULL, &ts);
        if (sig > 0)
            action = master_on_signal(&m, sig);
    }
    m.stopping = true;
    if (action == MASTER_GRACEFUL_STOP) {
        /* Refuse new connections now; let the workers finish what they have, and answer what
         * arrives on parked connections until the keepers hold nothing. */
        pfd_listen_close(server->conf);
        master_signal_workers(&m, SIGWINCH, 0, true);
        master_signal_keepers(&m, SIGWINCH);
        int64_t deadline = pfd_now_ms() + (int64_t)server->conf->timeouts.graceful * 1000;
        if (master_wait_workers(&m, deadline, true) > 0)
            pfd_log(PFD_LOG_WARN, "graceful stop timed out after %d s",
                    server->conf->timeouts.graceful);
    }
    master_stop_workers(&m, true);
    pfd_log(PFD_LOG_NOTICE, "preforkd stopped");
    return 0;
}
