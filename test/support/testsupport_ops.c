/*
 * testsupport_ops.c — load generation, PROXY-header requests and log counting for the
 * operations tests (testsupport_ops.h).
 */
#include "testsupport_ops.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

bool tso_have(const char *path)
{
    return access(path, X_OK) == 0;
}

int tso_load_start(struct tso_load *l, const char *dir, const char *url, int concurrency,
                   int seconds, bool keepalive)
{
    static int serial;
    l->pid = -1;
    snprintf(l->out, sizeof(l->out), "%s/ab-%d.out", dir, serial++);
    if (!tso_have(TSO_AB))
        return -1;
    char c[16], t[16];
    snprintf(c, sizeof(c), "%d", concurrency);
    snprintf(t, sizeof(t), "%d", seconds);
    /* -r: a failed receive is counted, not fatal; -n after -t lifts -t's 50000 cap; -s bounds
     * each response. */
    const char *argv[16];
    size_t n = 0;
    argv[n++] = TSO_AB;
    argv[n++] = "-r";
    if (keepalive)
        argv[n++] = "-k";
    const char *rest[] = {"-c", c, "-t", t, "-n", "10000000", "-s", "10", url, NULL};
    for (size_t i = 0; rest[i] != NULL; i++)
        argv[n++] = rest[i];
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open(l->out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0)
            _exit(126);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    l->pid = pid;
    return 0;
}

/* The number after "key" on its line of text, or 0 when the key is absent. */
static long tso_report_value(const char *text, const char *key)
{
    const char *p = strstr(text, key);
    if (p == NULL)
        return 0;
    p += strlen(key);
    while (*p == ' ' || *p == '\t' || *p == ':')
        p++;
    return strtol(p, NULL, 10);
}

int tso_load_finish(struct tso_load *l, double timeout_s, struct tso_load_result *res)
{
    memset(res, 0, sizeof(*res));
    res->exit_code = -1;
    if (l->pid <= 0)
        return -1;
    double deadline = ts_now() + timeout_s;
    int status = 0;
    pid_t got = 0;
    for (int i = 0; i < 100000 && got == 0; i++) {
        got = waitpid(l->pid, &status, WNOHANG);
        if (got == 0 && ts_now() > deadline) {
            kill(l->pid, SIGKILL);
            waitpid(l->pid, &status, 0);
            got = -1;
        } else if (got == 0) {
            ts_sleep_ms(50);
        }
    }
    l->pid = -1;
    char *text = ts_file_read(l->out, NULL);
    if (text == NULL)
        return -1;
    res->exit_code = got > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    bool reported = strstr(text, "Complete requests:") != NULL;
    res->complete = tso_report_value(text, "Complete requests:");
    res->failed = tso_report_value(text, "Failed requests:");
    res->non2xx = tso_report_value(text, "Non-2xx responses:");
    if (reported)
        snprintf(res->summary, sizeof(res->summary),
                 "ab: %ld complete, %ld failed, %ld non-2xx, exit %ld", res->complete, res->failed,
                 res->non2xx, res->exit_code);
    else
        snprintf(res->summary, sizeof(res->summary), "ab printed no report: %.400s", text);
    free(text);
    return reported && got > 0 ? 0 : -1;
}

int tso_request_proxied(int port, const void *header, size_t len, const char *raw,
                        struct ts_response *r)
{
    memset(r, 0, sizeof(*r));
    struct ts_conn c;
    if (ts_conn_open(&c, port, 5000) != 0)
        return TS_ERROR;
    int rc = ts_conn_send(&c, header, len);
    if (rc == TS_OK)
        rc = ts_conn_send_str(&c, raw);
    if (rc == TS_OK)
        rc = ts_response_read_final(&c, r, false);
    ts_conn_close(&c);
    return rc;
}

long tso_count_lines(const char *path, const char *needle)
{
    size_t len;
    char *text = ts_file_read(path, &len);
    if (text == NULL)
        return 0;
    long n = 0;
    for (char *line = text; line < text + len;) {
        char *nl = memchr(line, '\n', (size_t)(text + len - line));
        char *end = nl != NULL ? nl : text + len;
        *end = '\0';
        if (needle == NULL || strstr(line, needle) != NULL)
            n++;
        line = end + 1;
    }
    free(text);
    return n;
}

bool tso_lines_whole(const char *path, char *why, size_t why_size)
{
    size_t len;
    char *text = ts_file_read(path, &len);
    if (text == NULL) {
        snprintf(why, why_size, "cannot read %s", path);
        return false;
    }
    regex_t re;
    regcomp(&re, "^[0-9a-f.:]+ - - \\[[^]]+\\] \"[^\"]*\" [0-9]{3} ", REG_EXTENDED | REG_NOSUB);
    bool ok = len == 0 || text[len - 1] == '\n';
    if (!ok)
        snprintf(why, why_size, "the last line has no newline");
    long lineno = 0;
    for (char *line = text; ok && line < text + len; lineno++) {
        char *nl = memchr(line, '\n', (size_t)(text + len - line));
        if (nl == NULL)
            break;
        *nl = '\0';
        if (regexec(&re, line, 0, NULL, 0) != 0) {
            snprintf(why, why_size, "line %ld is not whole: \"%.200s\"", lineno + 1, line);
            ok = false;
        }
        line = nl + 1;
    }
    regfree(&re);
    free(text);
    return ok;
}

int tso_request_from(const char *src, int port, const char *raw, struct ts_response *r)
{
    memset(r, 0, sizeof(*r));
    struct ts_conn c;
    memset(&c, 0, sizeof(c));
    c.timeout_ms = TS_IO_TIMEOUT_MS;
    c.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c.fd == -1)
        return TS_ERROR;
    struct sockaddr_in local = {.sin_family = AF_INET}, remote = {.sin_family = AF_INET};
    inet_pton(AF_INET, src, &local.sin_addr);
    inet_pton(AF_INET, TS_HOST, &remote.sin_addr);
    remote.sin_port = htons((uint16_t)port);
    struct timeval tv = {.tv_sec = TS_IO_TIMEOUT_MS / 1000};
    setsockopt(c.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(c.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    int rc = TS_ERROR;
    if (bind(c.fd, (struct sockaddr *)&local, sizeof(local)) == 0 &&
        connect(c.fd, (struct sockaddr *)&remote, sizeof(remote)) == 0) {
        rc = ts_conn_send_str(&c, raw);
        if (rc == TS_OK)
            rc = ts_response_read_final(&c, r, false);
    }
    ts_conn_close(&c);
    return rc;
}

pid_t tso_haproxy_start(const char *dir, const char *config, int port, char *why, size_t why_size)
{
    char cfg[TS_PATH_MAX + 16], out[TS_PATH_MAX + 16];
    snprintf(cfg, sizeof(cfg), "%s/haproxy.cfg", dir);
    snprintf(out, sizeof(out), "%s/haproxy.out", dir);
    if (ts_file_write(cfg, config, strlen(config)) != 0) {
        snprintf(why, why_size, "cannot write %s", cfg);
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(why, why_size, "fork failed");
        return -1;
    }
    if (pid == 0) {
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0)
            _exit(126);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        execl(TSO_HAPROXY, "haproxy", "-db", "-f", cfg, (char *)NULL);
        _exit(127);
    }
    double deadline = ts_now() + 10.0;
    for (int i = 0; i < 1000 && ts_now() < deadline; i++) {
        struct ts_conn c;
        if (ts_conn_open(&c, port, 500) == 0) {
            ts_conn_close(&c);
            return pid;
        }
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            char *text = ts_file_read(out, NULL);
            snprintf(why, why_size, "haproxy exited: %.400s", text != NULL ? text : "");
            free(text);
            return -1;
        }
        ts_sleep_ms(100);
    }
    tso_haproxy_stop(pid);
    snprintf(why, why_size, "haproxy did not listen on %d within 10 s", port);
    return -1;
}

void tso_haproxy_stop(pid_t pid)
{
    if (pid <= 0)
        return;
    kill(pid, SIGTERM);
    double deadline = ts_now() + 5.0;
    for (int i = 0; i < 1000; i++) {
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return;
        if (ts_now() > deadline)
            break;
        ts_sleep_ms(50);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}
