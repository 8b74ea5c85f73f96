/*
 * cgi_spawn.c — spawning and reaping CGI scripts. See cgi_spawn.h.
 *
 * posix_spawn() (glibc: clone(CLONE_VM|CLONE_VFORK)) does no work in a copied address space,
 * which makes it the cheapest way to start a process from a big worker: spawning is the floor of
 * CGI throughput. The child's set-up is all file actions and attributes, executed by glibc
 * between clone and exec.
 */
#include "cgi_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CGI_REAP_STEP_MS 2

void cgi_child_init(struct cgi_child *c)
{
    c->pid = -1;
    c->in = c->out = c->err = -1;
}

void cgi_fd_close(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Moves fd to a number above 2, so that dup2() onto 0..2 in the child never meets it there
 * (when the server runs with a standard descriptor closed, pipe2() may return 0, 1 or 2). */
static int cgi_fd_above_std(int fd)
{
    if (fd > 2)
        return fd;
    int moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    close(fd);
    return moved;
}

static int cgi_pipe(int p[2])
{
    if (pipe2(p, O_CLOEXEC) != 0)
        return -1;
    p[0] = cgi_fd_above_std(p[0]);
    p[1] = cgi_fd_above_std(p[1]);
    if (p[0] < 0 || p[1] < 0) {
        cgi_fd_close(&p[0]);
        cgi_fd_close(&p[1]);
        return -1;
    }
    return 0;
}

static int cgi_spawn_setup(posix_spawn_file_actions_t *fa, posix_spawnattr_t *at, int in, int out,
                           int err, const char *dir)
{
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    /* dup2() clears close-on-exec on the copies; closefrom(3) drops everything else the worker
     * holds (Apache leaks listeners and logs into scripts). */
    if (posix_spawn_file_actions_adddup2(fa, in, 0) != 0 ||
        posix_spawn_file_actions_adddup2(fa, out, 1) != 0 ||
        posix_spawn_file_actions_adddup2(fa, err, 2) != 0 ||
        posix_spawn_file_actions_addclosefrom_np(fa, 3) != 0 ||
        posix_spawn_file_actions_addchdir_np(fa, dir) != 0)
        return -1;
    /* The worker ignores SIGPIPE and blocks SIGUSR1/SIGWINCH; a script must start clean. */
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP;
    if (posix_spawnattr_setflags(at, flags) != 0 || posix_spawnattr_setsigmask(at, &none) != 0 ||
        posix_spawnattr_setsigdefault(at, &all) != 0 || posix_spawnattr_setpgroup(at, 0) != 0)
        return -1;
    return 0;
}

/* rlimit_*: posix_spawn() has no resource-limit attribute, so they are set on the child right
 * after it starts (it is already running its interpreter's start-up; the limits bind from the
 * first allocation or fork after that). Soft and hard both, so the script cannot raise them. */
static void cgi_apply_limits(pid_t pid, const struct cgi_limits *l)
{
    const struct {
        int resource;
        long long value;
    } set[] = {{RLIMIT_CPU, l->cpu}, {RLIMIT_AS, l->mem}, {RLIMIT_NPROC, l->nproc}};
    for (size_t i = 0; i < sizeof(set) / sizeof(set[0]); i++) {
        if (set[i].value <= 0)
            continue;
        struct rlimit rl = {(rlim_t)set[i].value, (rlim_t)set[i].value};
        prlimit(pid, set[i].resource, &rl, NULL);
    }
}

int cgi_spawn(const char *path, char *const argv[], char *const envp[], const char *dir,
              const struct cgi_limits *limits, struct cgi_child *c)
{
    int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    int rc = errno = 0;
    if (cgi_pipe(in) != 0 || cgi_pipe(out) != 0 || cgi_pipe(err) != 0) {
        rc = errno;
        goto close_pipes;
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    rc = cgi_spawn_setup(&fa, &at, in[0], out[1], err[1], dir) != 0 ? ENOMEM : 0;
    if (rc == 0)
        rc = posix_spawn(&c->pid, path, &fa, &at, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    if (rc != 0) {
        c->pid = -1;
        goto close_pipes;
    }
    if (limits != NULL)
        cgi_apply_limits(c->pid, limits);
    c->in = in[1], c->out = out[0], c->err = err[0];
    in[1] = out[0] = err[0] = -1;
    fcntl(c->in, F_SETFL, O_NONBLOCK);
    fcntl(c->out, F_SETFL, O_NONBLOCK);
    fcntl(c->err, F_SETFL, O_NONBLOCK);
close_pipes:
    for (int i = 0; i < 2; i++) {
        cgi_fd_close(&in[i]);
        cgi_fd_close(&out[i]);
        cgi_fd_close(&err[i]);
    }
    return rc;
}

void cgi_child_signal(const struct cgi_child *c, int sig)
{
    if (c->pid > 0)
        kill(-c->pid, sig);
}

/* Whether the script has exited, without reaping it: while its zombie stands, the id of its
 * process group cannot go to a new process, so signalling the group hits nobody else. */
static bool cgi_has_exited(pid_t pid)
{
    siginfo_t si;
    si.si_pid = 0;
    if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0)
        return errno == ECHILD; /* reaped already (SIGCHLD ignored): nothing to wait for */
    return si.si_pid == pid;
}

/* cgi_has_exited() polled every few ms for up to ms. */
static bool cgi_wait_exit(pid_t pid, int ms)
{
    for (int waited = 0;; waited += CGI_REAP_STEP_MS) {
        if (cgi_has_exited(pid))
            return true;
        if (waited >= ms)
            return false;
        struct timespec step = {0, CGI_REAP_STEP_MS * 1000000L};
        nanosleep(&step, NULL);
    }
}

/*
 * After the script: what it left running in its process group (`sleep 300 &`, a daemon that did
 * not leave the group) got TERM; this waits up to CGI_KILL_GRACE_MS for the group to empty, then
 * KILLs what is left. The members are not our children, so kill(-pgid, 0) is the only view of
 * them; it counts zombies too, so where nothing reaps orphans the grace runs out: a bounded cost,
 * paid only by scripts that leave processes behind.
 */
static void cgi_group_drain(pid_t pgid)
{
    for (int waited = 0; kill(-pgid, 0) == 0; waited += CGI_REAP_STEP_MS) {
        if (waited >= CGI_KILL_GRACE_MS) {
            kill(-pgid, SIGKILL);
            return;
        }
        struct timespec step = {0, CGI_REAP_STEP_MS * 1000000L};
        nanosleep(&step, NULL);
    }
}

int cgi_child_reap(struct cgi_child *c, int wait_ms, int *status)
{
    cgi_fd_close(&c->in);
    cgi_fd_close(&c->out);
    cgi_fd_close(&c->err);
    *status = 0;
    if (c->pid <= 0)
        return 0;
    int rc = 0;
    if (!cgi_wait_exit(c->pid, wait_ms)) {
        rc = 1;
        cgi_child_signal(c, SIGTERM);
        if (!cgi_wait_exit(c->pid, CGI_KILL_GRACE_MS)) {
            cgi_child_signal(c, SIGKILL);
            if (!cgi_wait_exit(c->pid, CGI_REAP_MAX_MS))
                rc = -1;
        }
    }
    if (rc >= 0) {
        /* The script is a zombie now: its group is signalled before it is reaped (see
         * cgi_has_exited()), then drained. */
        cgi_child_signal(c, SIGTERM);
        waitpid(c->pid, status, WNOHANG);
        cgi_group_drain(c->pid);
    }
    c->pid = -1;
    return rc;
}
