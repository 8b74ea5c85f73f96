/*
 * access_log.c — the access-log line of a finished request: the compiled format's items
 * (parse/log_format.c) filled in from the request, written with one write() to an O_APPEND
 * descriptor so that lines from concurrent workers never interleave.
 */
#include "serve/access_log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/escape.h"
#include "base/log.h"
#include "parse/log_format.h"
#include "serve/request.h"

/* Seconds between two error-log lines about the same failing access log. */
#define PFD_LOG_COMPLAIN_INTERVAL 60

/* Request data in a log line: "-" when absent or empty, else escaped (pfd_escape_log()). */
static void access_append_escaped(struct pfd_buf *b, const char *s)
{
    if (s == NULL || *s == '\0')
        pfd_buf_append(b, "-", 1);
    else
        pfd_escape_log(b, s, strlen(s));
}

static void access_append_time(struct pfd_buf *b)
{
    static time_t cached_at = -1;
    static char cached[40];
    time_t now = time(NULL);
    if (now != cached_at) {
        struct tm tm;
        localtime_r(&now, &tm);
        strftime(cached, sizeof(cached), "[%d/%b/%Y:%H:%M:%S %z]", &tm);
        cached_at = now;
    }
    pfd_buf_append_str(b, cached);
}

static void access_append_item(struct pfd_buf *b, const struct pfd_access_item *it,
                               const struct pfd_request *r)
{
    switch (it->op) {
    case PFD_ACCESS_LITERAL:
        pfd_buf_append(b, it->text, it->len);
        break;
    case PFD_ACCESS_REMOTE_HOST:
        pfd_buf_append_str(b, r->conn->peer_ip);
        break;
    case PFD_ACCESS_LOCAL_IP:
        pfd_buf_append_str(b, r->conn->local_ip);
        break;
    case PFD_ACCESS_DASH:
        pfd_buf_append(b, "-", 1);
        break;
    case PFD_ACCESS_REMOTE_USER:
        access_append_escaped(b, r->remote_user);
        break;
    case PFD_ACCESS_TIME:
        access_append_time(b);
        break;
    case PFD_ACCESS_REQUEST_LINE:
        access_append_escaped(b, r->request_line);
        break;
    case PFD_ACCESS_STATUS:
        pfd_buf_append_int(b, r->status);
        break;
    case PFD_ACCESS_BYTES_CLF:
        if (r->body_bytes_sent == 0)
            pfd_buf_append(b, "-", 1);
        else
            pfd_buf_append_int(b, r->body_bytes_sent);
        break;
    case PFD_ACCESS_BYTES:
        pfd_buf_append_int(b, r->body_bytes_sent);
        break;
    case PFD_ACCESS_REQ_HEADER:
        access_append_escaped(b, pfd_request_header(r, it->text));
        break;
    case PFD_ACCESS_SSL_VAR:
        access_append_escaped(b, pfd_request_ssl_var(r, it->text));
        break;
    case PFD_ACCESS_DURATION_US:
        pfd_buf_append_int(b, pfd_request_elapsed_us(r));
        break;
    case PFD_ACCESS_DURATION_S:
        pfd_buf_append_int(b, pfd_request_elapsed_us(r) / 1000000);
        break;
    case PFD_ACCESS_PATH:
        access_append_escaped(b, r->path);
        break;
    case PFD_ACCESS_QUERY:
        if (r->query != NULL) {
            pfd_buf_append(b, "?", 1);
            access_append_escaped(b, r->query);
        }
        break;
    case PFD_ACCESS_METHOD:
        access_append_escaped(b, r->method_name);
        break;
    case PFD_ACCESS_PROTOCOL:
        access_append_escaped(b, r->protocol);
        break;
    case PFD_ACCESS_SERVER_NAME:
        access_append_escaped(b, pfd_request_server_name(r));
        break;
    case PFD_ACCESS_REQUEST_HOST: /* without its port; no Host: the server's name */
        access_append_escaped(b, pfd_request_host(r));
        break;
    case PFD_ACCESS_LOCAL_PORT:
        pfd_buf_printf(b, "%d", r->conn->local_port);
        break;
    case PFD_ACCESS_PID:
        pfd_buf_printf(b, "%d", (int)getpid());
        break;
    case PFD_ACCESS_KEEPALIVE:
        pfd_buf_printf(b, "%u", r->conn->requests - 1);
        break;
    case PFD_ACCESS_NOTE:
        access_append_escaped(b, pfd_request_note(r, it->text));
        break;
    case PFD_ACCESS_CONN_STATUS:
        pfd_buf_append(b, r->conn->keep_alive ? "+" : "-", 1);
        break;
    }
}

void pfd_access_log_write(const struct pfd_access_log *log, const struct pfd_request *r)
{
    if (log->fd < 0)
        return;
    struct pfd_buf *line = &r->conn->log_line;
    line->len = 0;
    for (size_t i = 0; i < log->format->nitems; i++)
        access_append_item(line, &log->format->items[i], r);
    pfd_buf_append(line, "\n", 1);
    if (write(log->fd, line->data, line->len) == (ssize_t)line->len)
        return;
    /* A full disk fails every line: say so, but once a minute per worker, not once a request. */
    static time_t last_complaint;
    time_t now = time(NULL);
    if (now - last_complaint >= PFD_LOG_COMPLAIN_INTERVAL) {
        last_complaint = now;
        pfd_log(PFD_LOG_ERR,
                "write() to access log \"%s\" failed: %s (lines are lost until it "
                "can be written again)",
                log->path != NULL ? log->path : "-", strerror(errno));
    }
}
