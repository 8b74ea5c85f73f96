/*
 * testsupport.c — time, files and /proc helpers of the integration-test harness.
 * The server lifecycle is in testsupport_server.c, the HTTP client in testsupport_client.c.
 */
#include "testsupport.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TS_FILE_MAX (64 << 20) /* the largest file ts_file_read() accepts */

double ts_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void ts_sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

char *ts_file_read(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd == -1)
        return NULL;
    size_t cap = 4096, n = 0;
    char *data = malloc(cap + 1);
    while (data != NULL && n < TS_FILE_MAX) {
        if (n == cap) {
            cap *= 2;
            char *bigger = realloc(data, cap + 1);
            if (bigger == NULL) {
                free(data);
                data = NULL;
                break;
            }
            data = bigger;
        }
        ssize_t got = read(fd, data + n, cap - n);
        if (got == -1 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        n += (size_t)got;
    }
    close(fd);
    if (data == NULL)
        return NULL;
    data[n] = '\0';
    if (len != NULL)
        *len = n;
    return data;
}

int ts_file_write(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd == -1)
        return -1;
    const char *p = data;
    while (len > 0) {
        ssize_t put = write(fd, p, len);
        if (put == -1 && errno == EINTR)
            continue;
        if (put <= 0) {
            close(fd);
            return -1;
        }
        p += put;
        len -= (size_t)put;
    }
    return close(fd);
}

int ts_dir_parents(const char *path)
{
    char dir[TS_PATH_MAX * 4];
    if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
        return -1;
    for (char *p = strchr(dir + 1, '/'); p != NULL; p = strchr(p + 1, '/')) {
        *p = '\0';
        int rc = mkdir(dir, 0755);
        *p = '/';
        if (rc != 0 && errno != EEXIST)
            return -1;
    }
    return 0;
}

int ts_file_put(const char *path, const void *data, size_t len)
{
    if (ts_dir_parents(path) != 0 || ts_file_write(path, data, len) != 0)
        return -1;
    return chmod(path, 0644);
}

bool ts_file_contains(const char *path, const char *needle)
{
    char *text = ts_file_read(path, NULL);
    bool found = text != NULL && strstr(text, needle) != NULL;
    free(text);
    return found;
}

bool ts_file_wait_for(const char *path, const char *needle, double timeout_s)
{
    double deadline = ts_now() + timeout_s;
    for (int i = 0; i < 100000; i++) {
        if (ts_file_contains(path, needle))
            return true;
        if (ts_now() > deadline)
            return false;
        ts_sleep_ms(50);
    }
    return false;
}

char *ts_file_line_with(const char *path, const char *needle)
{
    char *text = ts_file_read(path, NULL);
    char *hit = text != NULL ? strstr(text, needle) : NULL;
    char *line = NULL;
    if (hit != NULL) {
        char *start = hit;
        while (start > text && start[-1] != '\n')
            start--;
        size_t n = strcspn(start, "\n");
        line = strndup(start, n);
    }
    free(text);
    return line;
}

char *ts_doc_example(const char *doc_path, const char *name)
{
    char *doc = ts_file_read(doc_path, NULL);
    char mark[128];
    int n = snprintf(mark, sizeof(mark), "\n<!-- example: %s -->\n```\n", name);
    const char *open = doc != NULL && n > 0 && n < (int)sizeof(mark) ? strstr(doc, mark) : NULL;
    const char *close = open != NULL ? strstr(open + n, "\n```") : NULL;
    char *block = close != NULL ? strndup(open + n, (size_t)(close - (open + n) + 1)) : NULL;
    free(doc);
    return block;
}

static int dir_remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (type == FTW_DP)
        rmdir(path);
    else
        unlink(path);
    return 0;
}

void ts_dir_remove(const char *path)
{
    if (path != NULL && path[0] != '\0')
        nftw(path, dir_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

unsigned char ts_big_byte(size_t i)
{
    /* 251 is prime and not a power of two: no 4 KiB block looks like another. */
    return (unsigned char)((i % 251) ^ ((i >> 12) & 0xff));
}

/* ---- /proc -------------------------------------------------------------------------------- */

/* Reads pid's state letter and ppid from /proc/<pid>/stat; 0 or -1 when it is gone. */
static int proc_stat(pid_t pid, char *state, pid_t *ppid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    char *text = ts_file_read(path, NULL);
    if (text == NULL)
        return -1;
    /* "pid (comm) S ppid …": comm may hold spaces and ')', so parse after the last ')'. */
    char *close_paren = strrchr(text, ')');
    char st = 0;
    int parent = -1;
    int ok = close_paren != NULL && sscanf(close_paren + 1, " %c %d", &st, &parent) == 2;
    free(text);
    if (!ok)
        return -1;
    *state = st;
    *ppid = parent;
    return 0;
}

char ts_pid_state(pid_t pid)
{
    char state;
    pid_t ppid;
    return proc_stat(pid, &state, &ppid) == 0 ? state : 0;
}

pid_t ts_pid_parent(pid_t pid)
{
    char state;
    pid_t ppid;
    return proc_stat(pid, &state, &ppid) == 0 ? ppid : -1;
}

bool ts_pid_alive(pid_t pid)
{
    char state = ts_pid_state(pid);
    return state != 0 && state != 'Z' && state != 'X';
}

size_t ts_children(pid_t parent, pid_t *pids, char *states, size_t max)
{
    DIR *dir = opendir("/proc");
    if (dir == NULL)
        return 0;
    size_t n = 0;
    struct dirent *entry;
    while (n < max && (entry = readdir(dir)) != NULL) {
        char *end;
        long pid = strtol(entry->d_name, &end, 10);
        char state;
        pid_t ppid;
        if (*end != '\0' || pid <= 0 || proc_stat((pid_t)pid, &state, &ppid) != 0)
            continue;
        if (ppid != parent)
            continue;
        if (pids != NULL)
            pids[n] = (pid_t)pid;
        if (states != NULL)
            states[n] = state;
        n++;
    }
    closedir(dir);
    return n;
}

bool ts_is_keeper(pid_t pid)
{
    char path[64], comm[32] = "";
    snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return false;
    bool keeper = fgets(comm, sizeof(comm), f) != NULL && strncmp(comm, "preforkd-keep", 13) == 0;
    fclose(f);
    return keeper;
}

/* Live children of master that are keepers (or, when !keepers, that are not). */
static size_t ts_live_children(pid_t master, pid_t *pids, size_t max, bool keepers)
{
    pid_t all[TS_MAX_PIDS];
    char states[TS_MAX_PIDS];
    size_t n = ts_children(master, all, states, TS_MAX_PIDS);
    size_t live = 0;
    for (size_t i = 0; i < n && live < max; i++) {
        if (states[i] == 'Z' || states[i] == 'X' || ts_is_keeper(all[i]) != keepers)
            continue;
        if (pids != NULL)
            pids[live] = all[i];
        live++;
    }
    return live;
}

size_t ts_keepers(pid_t master, pid_t *pids, size_t max)
{
    return ts_live_children(master, pids, max, true);
}

size_t ts_workers(pid_t master, pid_t *pids, size_t max)
{
    return ts_live_children(master, pids, max, false);
}

size_t ts_keepers_wait(pid_t master, pid_t *pids, size_t max, double timeout_s)
{
    double deadline = ts_now() + timeout_s;
    size_t n = 0;
    for (int i = 0; i < 100000; i++) {
        n = ts_keepers(master, pids, max);
        if (n > 0 || ts_now() > deadline)
            break;
        ts_sleep_ms(20);
    }
    return n;
}

size_t ts_workers_wait(pid_t master, size_t min, size_t max, double timeout_s)
{
    double deadline = ts_now() + timeout_s;
    size_t n = 0;
    for (int i = 0; i < 100000; i++) {
        n = ts_workers(master, NULL, TS_MAX_PIDS);
        if ((n >= min && n <= max) || ts_now() > deadline)
            break;
        ts_sleep_ms(100);
    }
    return n;
}

size_t ts_zombies(pid_t parent)
{
    char states[TS_MAX_PIDS];
    size_t n = ts_children(parent, NULL, states, TS_MAX_PIDS);
    size_t zombies = 0;
    for (size_t i = 0; i < n; i++)
        zombies += states[i] == 'Z';
    return zombies;
}

bool ts_pid_in(pid_t pid, const pid_t *pids, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (pids[i] == pid)
            return true;
    }
    return false;
}

int ts_pid_ids(pid_t pid, const char *field, long ids[4])
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    char *text = ts_file_read(path, NULL);
    if (text == NULL)
        return -1;
    size_t n = strlen(field);
    int rc = -1;
    /* Lines are "Uid:\t0\t0\t0\t0"; field must start a line. */
    for (char *line = text; line != NULL && *line != '\0'; line = strchr(line, '\n')) {
        if (*line == '\n')
            line++;
        if (strncmp(line, field, n) == 0 && line[n] == ':') {
            rc = sscanf(line + n + 1, "%ld %ld %ld %ld", &ids[0], &ids[1], &ids[2], &ids[3]) == 4
                     ? 0
                     : -1;
            break;
        }
    }
    free(text);
    return rc;
}

pid_t ts_pid_file_wait(const char *path, double timeout_s)
{
    double deadline = ts_now() + timeout_s;
    for (int i = 0; i < 100000; i++) {
        char *text = ts_file_read(path, NULL);
        char *end = NULL;
        long pid = text != NULL ? strtol(text, &end, 10) : 0;
        bool whole = end != NULL && end != text && (*end == '\n' || *end == '\0');
        free(text);
        if (whole && pid > 0 && ts_pid_alive((pid_t)pid))
            return (pid_t)pid;
        if (ts_now() > deadline)
            return -1;
        ts_sleep_ms(20);
    }
    return -1;
}

/* ---- running a command -------------------------------------------------------------------- */

/* In the child: a clean signal state (ignored signals survive exec), output to fd, exec. */
static void run_exec_child(const char *const *argv, int out_fd)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd != -1)
        dup2(null_fd, STDIN_FILENO);
    dup2(out_fd, STDOUT_FILENO);
    dup2(out_fd, STDERR_FILENO);
    execv(argv[0], (char *const *)argv);
    dprintf(out_fd, "execv(\"%s\") failed: %s\n", argv[0], strerror(errno));
    _exit(127);
}

/* Waits for pid until deadline, then kills it; its exit code, 128+signal, or -1. */
static int run_wait(pid_t pid, double deadline)
{
    int status = 0;
    for (int i = 0; i < 1000000; i++) {
        pid_t got = waitpid(pid, &status, WNOHANG);
        if (got == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (got == -1 && errno != EINTR)
            return -1;
        if (ts_now() > deadline)
            break;
        ts_sleep_ms(10);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}

int ts_run(const char *const *argv, double timeout_s, char **output)
{
    char path[] = "/tmp/pfd-run-XXXXXX";
    int out_fd = mkstemp(path);
    if (output != NULL)
        *output = NULL;
    if (out_fd == -1)
        return -1;
    unlink(path);
    pid_t pid = fork();
    if (pid == 0)
        run_exec_child(argv, out_fd);
    int code = pid > 0 ? run_wait(pid, ts_now() + timeout_s) : -1;
    if (output != NULL) {
        char fd_path[64];
        snprintf(fd_path, sizeof(fd_path), "/proc/self/fd/%d", out_fd);
        *output = ts_file_read(fd_path, NULL);
        if (*output == NULL)
            *output = strdup("");
    }
    close(out_fd);
    return code;
}
