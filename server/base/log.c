/*
 * log.c — the error log, and the files and piped programs every log writes to.
 *
 * A line is built in a stack buffer and written with one write() to an O_APPEND descriptor:
 * POSIX keeps such writes whole, so workers never interleave half lines.
 */
#include "base/log.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/clock.h"

static const char *const log_level_names[] = {"emerg", "alert",  "crit", "error",
                                              "warn",  "notice", "info", "debug"};

static struct {
    int fd;
    int level;
    char *path;   /* NULL for stderr */
    int route_fd; /* a vhost's error log while serving its request, or -1 */
} error_log = {STDERR_FILENO, PFD_LOG_NOTICE, NULL, -1};

/* ---- piped logs ------------------------------------------------------------------------- */

/*
 * A log named "| command" goes to a program's stdin (Apache's piped logs: rotatelogs, cronolog,
 * a shipper). The master keeps both ends of the pipe and every writer holds a duplicate of the
 * write end, so when the program dies the pipe stays: the master starts the command again on the
 * same read end (at once, at most once a second), and what was written meanwhile waits in the
 * pipe rather than being lost or failing workers with EPIPE. Writes of up to PIPE_BUF bytes
 * (4096) reach the program whole; a longer line may interleave with another worker's.
 * Logs that name the same command share one pipe and one program.
 */
#define LOG_PIPES_MAX 8

static struct log_pipe {
    char *command; /* NULL: the entry is unused */
    int rfd, wfd;  /* -1 once no log uses it (retired: the program sees EOF and exits) */
    pid_t pid;     /* its program, or 0 when it must be started */
    pid_t spawner; /* the process that started it: after -D, not the master */
    int refs;      /* logs using it */
    int64_t started_ms;
} log_pipes[LOG_PIPES_MAX];

static const char *log_pipe_command(const char *spec)
{
    return spec + 1 + strspn(spec + 1, " \t");
}

static int log_pipe_spawn(struct log_pipe *p)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        /* Its own session, so a terminal's Ctrl-C stops the master (which then closes the pipe)
         * rather than the logger first; default signals, nothing blocked. */
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        signal(SIGCHLD, SIG_DFL);
        setsid();
        if (dup2(p->rfd, STDIN_FILENO) < 0)
            _exit(126);
        execl("/bin/sh", "sh", "-c", p->command, (char *)NULL);
        _exit(127);
    }
    p->pid = pid;
    p->spawner = getpid();
    p->started_ms = pfd_now_ms();
    return 0;
}

/* A descriptor writing into the pipe of spec's command, started if new; -1 with errno. */
static int log_pipe_open(const char *spec)
{
    const char *command = log_pipe_command(spec);
    struct log_pipe *p = NULL;
    for (size_t i = 0; i < LOG_PIPES_MAX && p == NULL; i++)
        if (log_pipes[i].command != NULL && log_pipes[i].refs > 0 &&
            strcmp(log_pipes[i].command, command) == 0)
            p = &log_pipes[i];
    for (size_t i = 0; i < LOG_PIPES_MAX && p == NULL; i++) {
        if (log_pipes[i].command != NULL)
            continue;
        int fds[2];
        char *copy = strdup(command);
        if (copy == NULL || pipe2(fds, O_CLOEXEC) != 0) {
            free(copy);
            return -1;
        }
        log_pipes[i] = (struct log_pipe){.command = copy, .rfd = fds[0], .wfd = fds[1]};
        p = &log_pipes[i];
        if (log_pipe_spawn(p) != 0) {
            pfd_log(PFD_LOG_ERR, "fork() for the piped log \"%s\" failed: %s", command,
                    strerror(errno)); /* the maintenance tick tries again */
        }
    }
    if (p == NULL) {
        errno = EMFILE;
        return -1;
    }
    int fd = fcntl(p->wfd, F_DUPFD_CLOEXEC, 0);
    if (fd >= 0)
        p->refs++;
    return fd;
}

/* A log stopped using spec's pipe; the last one retires it. */
static void log_pipe_release(const char *spec)
{
    const char *command = log_pipe_command(spec);
    for (size_t i = 0; i < LOG_PIPES_MAX; i++) {
        struct log_pipe *p = &log_pipes[i];
        if (p->command == NULL || p->refs == 0 || strcmp(p->command, command) != 0)
            continue;
        if (--p->refs > 0)
            return;
        close(p->rfd);
        close(p->wfd);
        p->rfd = p->wfd = -1;
        if (p->pid <= 0 || p->spawner != getpid()) { /* nothing of ours left to reap */
            free(p->command);
            p->command = NULL;
        }
        return;
    }
}

bool pfd_log_pipe_reaped(pid_t pid, int status)
{
    for (size_t i = 0; i < LOG_PIPES_MAX; i++) {
        struct log_pipe *p = &log_pipes[i];
        if (p->command == NULL || p->pid != pid)
            continue;
        p->pid = 0;
        if (p->refs == 0) { /* retired: it read its EOF */
            free(p->command);
            p->command = NULL;
            return true;
        }
        pfd_log(PFD_LOG_ERR, "piped log program \"%s\" (pid %d) %s %d: restarting it", p->command,
                (int)pid, WIFSIGNALED(status) ? "exited on signal" : "exited with status",
                WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
        if (pfd_now_ms() - p->started_ms >= 1000)
            log_pipe_spawn(p);
        return true;
    }
    return false;
}

void pfd_log_pipes_maintain(void)
{
    for (size_t i = 0; i < LOG_PIPES_MAX; i++) {
        struct log_pipe *p = &log_pipes[i];
        if (p->command == NULL || p->refs == 0)
            continue;
        if (p->pid > 0 && p->spawner != getpid()) {
            /* Started before -D forked us away from it: it is not our child, so its death
             * could not be seen. Replace it with one we can watch. */
            kill(p->pid, SIGTERM);
            p->pid = 0;
        }
        if (p->pid == 0 && pfd_now_ms() - p->started_ms >= 1000 && log_pipe_spawn(p) != 0)
            pfd_log(PFD_LOG_ERR, "fork() for the piped log \"%s\" failed: %s", p->command,
                    strerror(errno));
    }
}

bool pfd_log_file_is_pipe(const char *path)
{
    return path != NULL && path[0] == '|';
}

int pfd_log_file_open(const char *path)
{
    if (pfd_log_file_is_pipe(path))
        return log_pipe_open(path);
    return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
}

void pfd_log_file_close(int fd, const char *path)
{
    close(fd);
    if (pfd_log_file_is_pipe(path))
        log_pipe_release(path);
}

int pfd_log_open(const char *path, int level)
{
    error_log.level = level;
    if (path == NULL || strcmp(path, "-") == 0) {
        pfd_log_close();
        return 0;
    }
    int fd = pfd_log_file_open(path);
    if (fd < 0)
        return -1;
    char *copy = strdup(path);
    if (copy == NULL) {
        close(fd);
        return -1;
    }
    pfd_log_close();
    error_log.fd = fd;
    error_log.path = copy;
    return 0;
}

int pfd_log_reopen(void)
{
    if (error_log.path == NULL || pfd_log_file_is_pipe(error_log.path))
        return 0;
    int fd = pfd_log_file_open(error_log.path);
    if (fd < 0)
        return -1;
    /* dup2 keeps the descriptor number, so nothing holding it needs to know. */
    dup2(fd, error_log.fd);
    close(fd);
    return 0;
}

int pfd_log_fd(void)
{
    return error_log.fd;
}

void pfd_log_adopt(int fd)
{
    if (fd != error_log.fd) {
        dup2(fd, error_log.fd);
        close(fd);
    }
}

void pfd_log_close(void)
{
    if (error_log.path != NULL) {
        pfd_log_file_close(error_log.fd, error_log.path);
        free(error_log.path);
    }
    error_log.fd = STDERR_FILENO;
    error_log.path = NULL;
}

void pfd_log_route_to(int fd)
{
    error_log.route_fd = fd;
}

void pfd_log_at(int level, const char *file, int line, const char *fmt, ...)
{
    if (level > error_log.level)
        return;
    int saved_errno = errno;
    char msg[2048];
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    localtime_r(&tv.tv_sec, &tm);
    char stamp[64];
    strftime(stamp, sizeof(stamp), "%a %b %d %H:%M:%S", &tm);
    int n = snprintf(msg, sizeof(msg), "[%s.%06ld %d] [%s] [pid %d] ", stamp, (long)tv.tv_usec,
                     tm.tm_year + 1900, log_level_names[level], (int)getpid());
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(msg + n, sizeof(msg) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof(msg) - 1)
        len = sizeof(msg) - 1;
    if (level <= PFD_LOG_ERR || error_log.level >= PFD_LOG_DEBUG) {
        int k = snprintf(msg + len, sizeof(msg) - len, " (%s:%d)", file, line);
        if (k > 0)
            len = len + (size_t)k < sizeof(msg) - 1 ? len + (size_t)k : sizeof(msg) - 1;
    }
    msg[len++] = '\n';
    ssize_t w = write(error_log.route_fd >= 0 ? error_log.route_fd : error_log.fd, msg, len);
    (void)w;
    errno = saved_errno;
}
