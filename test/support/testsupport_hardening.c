/*
 * testsupport_hardening.c — helpers of the hardening tests. See testsupport_hardening.h.
 */
#include "testsupport_hardening.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#define TS_HARD_CLOSE_WAIT_MS 3000 /* how long a connection that must close may take */
#define TS_HARD_FOLLOW_UP "GET /hello.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"

static bool hard_status_allowed(const struct ts_hard_case *c, int status)
{
    for (size_t i = 0; i < TS_HARD_MAX_STATUSES && c->statuses[i] != 0; i++)
        if (c->statuses[i] == status)
            return true;
    return false;
}

/* The row's allowed statuses as "400|501". */
static void hard_statuses_text(const struct ts_hard_case *c, char *out, size_t size)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < TS_HARD_MAX_STATUSES && c->statuses[i] != 0 && o < size; i++)
        o += (size_t)snprintf(out + o, size - o, "%s%d", i > 0 ? "|" : "", c->statuses[i]);
}

/* After a response on a connection that must stay usable: a follow-up request is answered. */
static bool hard_follow_up(struct ts_conn *conn, char *why, size_t why_size)
{
    struct ts_response r;
    memset(&r, 0, sizeof(r));
    int rc = ts_conn_send_str(conn, TS_HARD_FOLLOW_UP);
    if (rc == TS_OK)
        rc = ts_response_read_final(conn, &r, false);
    bool ok = rc == TS_OK && r.status == 200 && strcmp(r.body, TS_HELLO_TXT) == 0;
    if (!ok)
        snprintf(why, why_size, "follow-up request on the same connection: %s",
                 rc == TS_OK ? ts_response_describe(&r) : ts_result_name(rc));
    ts_response_free(&r);
    return ok;
}

bool ts_hard_case_run(int port, const struct ts_hard_case *c, char *why, size_t why_size)
{
    struct ts_conn conn;
    struct ts_response r;
    memset(&r, 0, sizeof(r));
    if (ts_conn_open(&conn, port, 2000) != 0) {
        snprintf(why, why_size, "connect: %s", strerror(errno));
        return false;
    }
    conn.timeout_ms = 5000;
    int rc = ts_conn_send(&conn, c->bytes, c->len);
    /* A server that refuses early may reset the rest of a long send: read what it said. */
    if (rc == TS_OK || rc == TS_RESET)
        rc = ts_response_read_final(&conn, &r, false);
    char want[64];
    hard_statuses_text(c, want, sizeof(want));
    bool ok = rc == TS_OK && hard_status_allowed(c, r.status);
    if (!ok)
        snprintf(why, why_size, "expected %s, got %s", want,
                 rc == TS_OK ? ts_response_describe(&r) : ts_result_name(rc));
    if (ok && c->forbidden != NULL && r.body != NULL && strstr(r.body, c->forbidden) != NULL) {
        snprintf(why, why_size, "the body contains \"%s\": served what it must not", c->forbidden);
        ok = false;
    }
    if (ok && c->after == TS_HARD_CLOSE && !ts_conn_closed_within(&conn, TS_HARD_CLOSE_WAIT_MS)) {
        snprintf(why, why_size, "%d as expected, but the connection stayed open", r.status);
        ok = false;
    }
    if (ok && c->after == TS_HARD_KEEP)
        ok = hard_follow_up(&conn, why, why_size);
    ts_response_free(&r);
    ts_conn_close(&conn);
    return ok;
}

long ts_hard_nofile_raise(long n)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return -1;
    if ((long)rl.rlim_cur < n) {
        if ((long)rl.rlim_max < n && geteuid() == 0)
            rl.rlim_max = (rlim_t)n;
        rl.rlim_cur = (long)rl.rlim_max < n ? rl.rlim_max : (rlim_t)n;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    return (long)rl.rlim_cur;
}

/* Waits until every fd in pending[0..n) (-1 entries skipped) finished connecting. */
static void hard_connect_wait(int *fds, size_t n, double deadline)
{
    for (size_t i = 0; i < n; i++) {
        while (fds[i] != -1) {
            struct pollfd p = {.fd = fds[i], .events = POLLOUT};
            int left = (int)((deadline - ts_now()) * 1000);
            int rc = poll(&p, 1, left > 0 ? left : 0);
            if (rc == -1 && errno == EINTR)
                continue;
            int err = 0;
            socklen_t len = sizeof(err);
            if (rc != 1 || getsockopt(fds[i], SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
                close(fds[i]);
                fds[i] = -1;
            }
            break;
        }
    }
}

size_t ts_hard_connect_many(int port, int *fds, size_t n, int timeout_ms)
{
    struct sockaddr_storage addr;
    socklen_t alen;
    if (ts_address(TS_HOST, port, &addr, &alen) != 0)
        return 0;
    double deadline = ts_now() + timeout_ms / 1000.0;
    for (size_t i = 0; i < n; i++) {
        fds[i] = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fds[i] == -1)
            continue;
        if (connect(fds[i], (struct sockaddr *)&addr, alen) != 0 && errno != EINPROGRESS) {
            close(fds[i]);
            fds[i] = -1;
        }
    }
    hard_connect_wait(fds, n, deadline);
    size_t open_count = 0;
    for (size_t i = 0; i < n; i++) {
        if (fds[i] == -1)
            continue;
        fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) & ~O_NONBLOCK);
        open_count++;
    }
    return open_count;
}

size_t ts_hard_send_each(int *fds, size_t n, const char *data, size_t len)
{
    size_t sent = 0;
    for (size_t i = 0; i < n; i++) {
        if (fds[i] == -1)
            continue;
        if (send(fds[i], data, len, MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t)len)
            sent++;
    }
    return sent;
}

void ts_hard_close_all(int *fds, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (fds[i] != -1)
            close(fds[i]);
        fds[i] = -1;
    }
}

size_t ts_hard_wait_closed(const int *fds, size_t n, int timeout_ms)
{
    struct pollfd *p = calloc(n > 0 ? n : 1, sizeof(*p));
    if (p == NULL)
        return 0;
    size_t closed = 0;
    for (size_t i = 0; i < n; i++) {
        p[i].fd = fds[i];
        p[i].events = POLLIN;
        closed += fds[i] == -1;
    }
    double deadline = ts_now() + timeout_ms / 1000.0;
    char scratch[4096];
    for (int round = 0; round < 100000 && closed < n; round++) {
        int left = (int)((deadline - ts_now()) * 1000);
        if (left <= 0)
            break;
        int rc = poll(p, (nfds_t)n, left);
        if (rc < 0 && errno != EINTR)
            break;
        for (size_t i = 0; rc > 0 && i < n; i++) {
            if (p[i].fd < 0 || p[i].revents == 0)
                continue;
            ssize_t got = recv(p[i].fd, scratch, sizeof(scratch), MSG_DONTWAIT);
            if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) {
                p[i].fd = -1; /* poll() skips negative descriptors */
                closed++;
            }
        }
    }
    free(p);
    return closed;
}

int ts_hard_tmpfs_mount(const char *dir, int size_kb)
{
    char opts[64];
    snprintf(opts, sizeof(opts), "size=%dk,mode=0777", size_kb);
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return -1;
    return mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts);
}

void ts_hard_tmpfs_umount(const char *dir)
{
    umount2(dir, MNT_DETACH);
    rmdir(dir);
}

size_t ts_hard_log_count(const char *path, const char *needle)
{
    size_t len = 0, count = 0;
    char *text = ts_file_read(path, &len);
    for (char *line = text; line != NULL && *line != '\0';) {
        char *nl = strchr(line, '\n');
        if (nl != NULL)
            *nl = '\0';
        count += strstr(line, needle) != NULL;
        line = nl != NULL ? nl + 1 : NULL;
    }
    free(text);
    return count;
}

/* Whether a child of master that is a zombie now is still one after timeout_s. A worker that just
 * exited (a spare retired, one killed) is a zombie until the master's next reap; on a loaded
 * machine new ones keep coming while the pool settles, so each one seen is followed by its pid,
 * not by the count. */
static bool hard_zombie_kept(pid_t master, double timeout_s)
{
    pid_t pids[TS_MAX_PIDS];
    char states[TS_MAX_PIDS];
    size_t n = ts_children(master, pids, states, TS_MAX_PIDS), nz = 0;
    for (size_t i = 0; i < n; i++)
        if (states[i] == 'Z')
            pids[nz++] = pids[i];
    double deadline = ts_now() + timeout_s;
    while (nz > 0) {
        size_t kept = 0;
        for (size_t i = 0; i < nz; i++)
            if (ts_pid_state(pids[i]) == 'Z' && ts_pid_parent(pids[i]) == master)
                pids[kept++] = pids[i];
        nz = kept;
        if (nz == 0 || ts_now() >= deadline)
            break;
        ts_sleep_ms(50);
    }
    return nz > 0;
}

const char *ts_hard_survived(const struct ts_server *s, bool signals_expected)
{
    static char msg[512];
    char *line = signals_expected ? NULL : ts_file_line_with(s->error_log, "exited on signal");
    if (line == NULL && !signals_expected)
        line = ts_file_line_with(s->err, "exited on signal");
    if (line != NULL) {
        snprintf(msg, sizeof(msg), "a worker crashed: %.400s", line);
        free(line);
        return msg;
    }
    if (hard_zombie_kept(s->pid, 3.0))
        return "the master left a zombie child for 3 s";
    struct ts_response r;
    int rc = ts_get(s->port, "/hello.txt", &r);
    bool ok = rc == TS_OK && r.status == 200 && strcmp(r.body, TS_HELLO_TXT) == 0;
    if (!ok)
        snprintf(msg, sizeof(msg), "GET /hello.txt afterwards: %s",
                 rc == TS_OK ? ts_response_describe(&r) : ts_result_name(rc));
    ts_response_free(&r);
    return ok ? NULL : msg;
}
