/*
 * testsupport_cgi.c — harness additions for mod_cgi's tests. See testsupport_cgi.h.
 */
#include "testsupport_cgi.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TS_CGI_SRC PFD_SOURCE_DIR "/test/cgi"

static int ts_cgi_dir(const struct ts_server *s, const char *dir, char *out, size_t size)
{
    int n = snprintf(out, size, "%s/%s", s->docroot, dir);
    if (n < 0 || (size_t)n >= size)
        return -1;
    if (mkdir(out, 0755) != 0 && access(out, F_OK) != 0)
        return -1;
    return chmod(out, 0755);
}

int ts_cgi_write(const struct ts_server *s, const char *dir, const char *name, const char *text,
                 int mode)
{
    char folder[TS_PATH_MAX], path[TS_PATH_MAX * 2];
    if (ts_cgi_dir(s, dir, folder, sizeof(folder)) != 0)
        return -1;
    snprintf(path, sizeof(path), "%s/%s", folder, name);
    if (ts_file_write(path, text, strlen(text)) != 0)
        return -1;
    return chmod(path, (mode_t)mode);
}

int ts_cgi_install(const struct ts_server *s, const char *dir, const char *name)
{
    char src[TS_PATH_MAX];
    size_t len = 0;
    snprintf(src, sizeof(src), "%s/%s", TS_CGI_SRC, name);
    char *text = ts_file_read(src, &len);
    if (text == NULL)
        return -1;
    int rc = ts_cgi_write(s, dir, name, text, 0755);
    free(text);
    return rc;
}

int ts_cgi_compile(const struct ts_server *s, const char *src, const char *dir, const char *name)
{
    char folder[TS_PATH_MAX], out[TS_PATH_MAX * 2], in[TS_PATH_MAX];
    if (ts_cgi_dir(s, dir, folder, sizeof(folder)) != 0)
        return -1;
    snprintf(out, sizeof(out), "%s/%s", folder, name);
    snprintf(in, sizeof(in), "%s/%s", TS_CGI_SRC, src);
    const char *argv[] = {"/usr/bin/cc", "-O2", "-o", out, in, NULL};
    char *output = NULL;
    int rc = ts_run(argv, 60.0, &output);
    if (rc != 0)
        fprintf(stderr, "cc failed (%d): %s\n", rc, output != NULL ? output : "");
    free(output);
    return rc == 0 ? chmod(out, 0755) : -1;
}

/* The status in a response head, or -1. */
static int ts_cgi_head_status(const char *buf, size_t len)
{
    if (len < 12 || strncmp(buf, "HTTP/1.", 7) != 0)
        return -1;
    return atoi(buf + 9);
}

int ts_cgi_count_response(int port, const char *raw, int timeout_ms, int *status,
                          unsigned long long *body)
{
    struct ts_conn c;
    *status = -1;
    *body = 0;
    if (ts_conn_open(&c, port, 5000) != 0)
        return TS_ERROR;
    int rc = ts_conn_send_str(&c, raw);
    if (rc != TS_OK) {
        ts_conn_close(&c);
        return rc;
    }
    char head[TS_MAX_HEAD];
    size_t head_len = 0;
    bool in_body = false;
    double deadline = ts_now() + timeout_ms / 1000.0;
    char buf[65536];
    rc = TS_TIMEOUT;
    while (ts_now() < deadline) {
        ssize_t n = recv(c.fd, buf, sizeof(buf), 0);
        if (n == 0) {
            rc = in_body ? TS_OK : TS_MALFORMED;
            break;
        }
        if (n < 0) {
            struct timespec pause = {0, 1000000};
            nanosleep(&pause, NULL);
            continue;
        }
        if (in_body) {
            *body += (unsigned long long)n;
            continue;
        }
        size_t take = (size_t)n < sizeof(head) - head_len ? (size_t)n : sizeof(head) - head_len;
        memcpy(head + head_len, buf, take);
        head_len += take;
        char *end = memmem(head, head_len, "\r\n\r\n", 4);
        if (end != NULL) {
            in_body = true;
            *status = ts_cgi_head_status(head, head_len);
            *body = head_len - (size_t)(end + 4 - head) + ((size_t)n - take);
        }
    }
    ts_conn_close(&c);
    return rc;
}

int ts_cgi_count_procs(const char *needle)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int count = 0;
    while (d != NULL && (e = readdir(d)) != NULL) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        char path[300];
        snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
        size_t len = 0;
        char *cmd = ts_file_read(path, &len);
        for (size_t i = 0; cmd != NULL && i < len; i++)
            if (cmd[i] == '\0')
                cmd[i] = ' ';
        if (cmd != NULL && strstr(cmd, needle) != NULL && ts_pid_alive(atoi(e->d_name)))
            count++;
        free(cmd);
    }
    if (d != NULL)
        closedir(d);
    return count;
}

char *ts_cgi_env_value(const char *text, const char *name)
{
    size_t nl = strlen(name);
    for (const char *p = text; p != NULL && *p != '\0';) {
        const char *eol = strchr(p, '\n');
        size_t len = eol != NULL ? (size_t)(eol - p) : strlen(p);
        if (len > nl && strncmp(p, name, nl) == 0 && p[nl] == '=')
            return strndup(p + nl + 1, len - nl - 1);
        p = eol != NULL ? eol + 1 : NULL;
    }
    return NULL;
}
