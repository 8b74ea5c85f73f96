/*
 * response.c — status line, headers and body on the wire: buffered, chunked, or sendfile().
 *
 * The head and small bodies collect in conn->out and leave in as few send() calls as the
 * response allows; sendfile() bodies follow the head with MSG_MORE so that both share packets.
 * Every write has a deadline (timeouts.send); a client that stops reading is dropped.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "parse/http_date.h"
#include "parse/status.h"
#include "pool/scoreboard.h"
#include "serve/body.h"
#include "serve/conn_io.h"
#include "serve/htaccess_headers.h"
#include "serve/request.h"
#include "serve/response.h"

/* Output is flushed once this much is buffered; bigger writes go straight out. */
#define PFD_OUT_FLUSH (64 * 1024)

/* ---- the head ---------------------------------------------------------------------------- */

void pfd_response_status(struct pfd_request *r, int status)
{
    /* An error document served by internal redirect keeps the error's status. */
    r->status = r->kept_status != 0 ? r->kept_status : status;
}

int pfd_response_header(struct pfd_request *r, const char *name, const char *value)
{
    if (strpbrk(name, "\r\n: \t") != NULL || name[0] == '\0' || strpbrk(value, "\r\n") != NULL)
        return -1;
    struct pfd_buf *b = &r->conn->resp_headers;
    if (pfd_buf_append_str(b, name) || pfd_buf_append(b, ": ", 2) || pfd_buf_append_str(b, value) ||
        pfd_buf_append(b, "\r\n", 2))
        return -1;
    return 0;
}

size_t pfd_response_headers_mark(const struct pfd_request *r)
{
    return r->conn->resp_headers.len;
}

void pfd_response_headers_rewind(struct pfd_request *r, size_t mark)
{
    if (!r->head_sent && mark < r->conn->resp_headers.len)
        r->conn->resp_headers.len = mark;
}

void pfd_response_content_length(struct pfd_request *r, int64_t length)
{
    r->content_length = length;
}

static bool response_status_has_body(int status)
{
    return !(status < 200 || status == 204 || status == 304);
}

/* Writes the status line and headers into conn->out (not sent yet). */
static int response_build_head(struct pfd_request *r)
{
    struct pfd_conn *c = r->conn;
    struct pfd_buf *out = &c->out;
    r->head_sent = true;
    /* An unread body is drained after the response (the client may wait for the response
     * before it sends the body). Whether the connection can stay open is decided now, so the
     * head says it truthfully: not when the body is too big to drain, nor when the part already
     * received is malformed. A client holding a small body back for "100 Continue" gets the 100
     * before the final status (RFC 9110 §15.2.1) and is drained after it, as nginx does. */
    if (!r->body_done && c->keep_alive) {
        bool awaiting_continue = r->head.expect_continue && !r->continue_sent &&
                                 r->in_pos >= c->in_len && r->head.version >= 11;
        if (r->body_left > PFD_DRAIN_MAX || (awaiting_continue && r->body_left < 0) ||
            !pfd_request_body_discard_buffered(r)) {
            c->keep_alive = false;
        } else if (awaiting_continue) {
            pfd_buf_append_str(&c->out, "HTTP/1.1 100 Continue\r\n\r\n");
            r->continue_sent = true;
        } else if (!pfd_request_body_discard_before_response(r)) {
            c->keep_alive = false; /* a chunked body over limits.body, or not to be had now */
        }
    }
    r->no_body = r->head.method_id == PFD_METHOD_HEAD || !response_status_has_body(r->status);
    if (r->content_length < 0 && !r->no_body) {
        if (r->head.version >= 11)
            r->chunked_out = true;
        else
            c->keep_alive = false; /* HTTP/1.0 without a length: the close ends the body */
    }
    /* .htaccess Header, Expires*, AddDefaultCharset: on the head as the handler left it. */
    if (r->htaccess != NULL)
        pfd_ht_headers_finish(r);
    /* Appends, not printf: this is the busiest formatting of all. */
    pfd_buf_append(out, "HTTP/1.1 ", 9);
    pfd_buf_append_int(out, r->status);
    pfd_buf_append(out, " ", 1);
    pfd_buf_append_str(out, pfd_status_reason(r->status));
    pfd_buf_append(out, "\r\nDate: ", 8);
    pfd_buf_append(out, pfd_http_date_now(), 29);
    pfd_buf_append_str(out, r->conf->server_tokens ? "\r\nServer: preforkd/" PFD_VERSION "\r\n"
                                                   : "\r\nServer: preforkd\r\n");
    pfd_buf_append(out, c->resp_headers.data, c->resp_headers.len);
    if (r->chunked_out) {
        pfd_buf_append_str(out, "Transfer-Encoding: chunked\r\n");
    } else if (r->content_length >= 0 && r->status != 304 && r->status >= 200 && r->status != 204) {
        pfd_buf_append(out, "Content-Length: ", 16);
        pfd_buf_append_int(out, r->content_length);
        pfd_buf_append(out, "\r\n", 2);
    }
    if (!c->keep_alive)
        pfd_buf_append_str(out, "Connection: close\r\n");
    else if (r->head.version < 11)
        pfd_buf_append_str(out, "Connection: keep-alive\r\n");
    if (pfd_buf_append(out, "\r\n", 2) != 0)
        return -1;
    pfd_scoreboard_slot_set_state(c->server->scoreboard, c->server->slot, PFD_WORKER_WRITING);
    return 0;
}

/* ---- the body ---------------------------------------------------------------------------- */

/* What every body write does first: the head when it has not gone yet, then the chunk size
 * line when the body is chunked. 1 when len bytes of body may follow, 0 when there is nothing to
 * send (HEAD, 304, an empty write), -1 when the connection failed. */
static int response_body_begin(struct pfd_request *r, int64_t len)
{
    struct pfd_conn *c = r->conn;
    if (!r->head_sent && response_build_head(r) != 0)
        return -1;
    if (c->broken)
        return -1;
    if (r->no_body || len == 0)
        return 0;
    if (r->chunked_out && pfd_buf_printf(&c->out, "%llx\r\n", (long long)len) != 0)
        return -1;
    return 1;
}

int pfd_response_write(struct pfd_request *r, const void *data, size_t len)
{
    struct pfd_conn *c = r->conn;
    int go = response_body_begin(r, (int64_t)len);
    if (go <= 0)
        return go;
    r->body_bytes_sent += (int64_t)len;
    if (c->out.len + len < PFD_OUT_FLUSH) {
        if (pfd_buf_append(&c->out, data, len) != 0)
            return -1;
        return r->chunked_out ? pfd_buf_append(&c->out, "\r\n", 2) : 0;
    }
    if (pfd_conn_flush_with(c, data, len, 0) != 0)
        return -1;
    return r->chunked_out ? pfd_buf_append(&c->out, "\r\n", 2) : 0;
}

int pfd_response_sendfile(struct pfd_request *r, int fd, int64_t offset, int64_t len)
{
    struct pfd_conn *c = r->conn;
    int go = response_body_begin(r, len);
    if (go <= 0)
        return go;
    if (c->tls != NULL) {
        ssize_t sent = pfd_conn_send_file_tls(c, fd, offset, len);
        r->body_bytes_sent += sent > 0 ? sent : 0;
        if (sent != len) {
            if (sent >= 0)
                pfd_log(PFD_LOG_WARN, "file shrank while being sent to %s", c->peer_ip);
            c->broken = true;
            return -1;
        }
        return r->chunked_out ? pfd_buf_append(&c->out, "\r\n", 2) : 0;
    }
    /* MSG_MORE: the head waits for the first file bytes, so both leave in one packet. */
    if (pfd_conn_flush_with(c, NULL, 0, MSG_MORE) != 0)
        return -1;
    int64_t deadline = pfd_now_ms() + (int64_t)r->conf->timeouts.send * 1000;
    off_t off = (off_t)offset;
    int64_t left = len;
    while (left > 0) {
        size_t chunk = left > (1 << 30) ? (size_t)1 << 30 : (size_t)left;
        ssize_t n = sendfile(c->fd, fd, &off, chunk);
        if (n > 0) {
            left -= n;
            r->body_bytes_sent += n;
            deadline = pfd_now_ms() + (int64_t)r->conf->timeouts.send * 1000;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN && pfd_conn_wait(c->fd, POLLOUT, deadline, false) == 1)
            continue;
        /* n == 0: the file shrank under us. The promised length cannot be kept: close. */
        if (n == 0)
            pfd_log(PFD_LOG_WARN, "file shrank while being sent to %s", c->peer_ip);
        c->broken = true;
        return -1;
    }
    return r->chunked_out ? pfd_buf_append(&c->out, "\r\n", 2) : 0;
}

void pfd_response_abort(struct pfd_request *r)
{
    struct pfd_conn *c = r->conn;
    if (!r->head_sent)
        response_build_head(r);
    pfd_conn_flush(c);
    c->keep_alive = false;
    c->broken = true; /* no terminating chunk, no lingering: the close is the message */
}

int pfd_response_raw(struct pfd_request *r)
{
    if (r->head_sent)
        return -1;
    r->head_sent = true;
    r->raw = true;
    r->content_length = -1;
    r->conn->keep_alive = false;
    return 0;
}

int pfd_response_tunnel(struct pfd_request *r, int *fd, const char **pending, size_t *pending_len)
{
    struct pfd_conn *c = r->conn;
    /* over TLS the socket's bytes are records, not the client's: no tunnel there (yet) */
    if (!r->raw || c->tls != NULL || r->head.chunked || r->head.content_length > 0 ||
        pfd_conn_flush(c) != 0)
        return -1;
    size_t from = r->in_pos > r->head_len ? r->in_pos : r->head_len;
    *pending = c->in + from;
    *pending_len = c->in_len > from ? c->in_len - from : 0;
    c->in_len = from; /* the tunnel's now, never a next request */
    r->body_done = true;
    c->broken = true; /* the tunnel's end is the connection's: no lingering, nothing more sent */
    *fd = c->fd;
    return 0;
}

int pfd_response_finish(struct pfd_request *r)
{
    struct pfd_conn *c = r->conn;
    if (!r->head_sent) {
        if (r->content_length < 0)
            r->content_length = 0;
        if (response_build_head(r) != 0)
            return -1;
    }
    if (r->chunked_out && !c->broken)
        pfd_buf_append(&c->out, "0\r\n\r\n", 5);
    if (!r->chunked_out && r->content_length >= 0 && !r->no_body && !c->broken &&
        r->body_bytes_sent != r->content_length) {
        /* The handler promised another length: the client cannot find the next response. */
        pfd_log(PFD_LOG_ERR, "\"%s\": handler sent %lld bytes of a %lld-byte body", r->request_line,
                (long long)r->body_bytes_sent, (long long)r->content_length);
        c->keep_alive = false;
        c->broken = true;
        return -1;
    }
    /* A pipelined request already buffered? Its response can share the send() with this one. */
    if (c->keep_alive && c->in_len > (r->in_pos > r->head_len ? r->in_pos : r->head_len) &&
        c->out.len < PFD_OUT_FLUSH)
        return 0;
    return pfd_conn_flush(c);
}

/* The short HTML page of a status: its reason as title and heading, then footer. */
static int response_page(struct pfd_request *r, int status, const char *footer)
{
    const char *reason = pfd_status_reason(status);
    char body[512];
    int n = snprintf(body, sizeof(body),
                     "<!DOCTYPE html>\n<html><head><title>%d %s</title></head>\n"
                     "<body><h1>%s</h1>%s</body></html>\n",
                     status, reason, reason, footer);
    pfd_response_header(r, "Content-Type", "text/html; charset=utf-8");
    pfd_response_content_length(r, n);
    return pfd_response_write(r, body, (size_t)n);
}

int pfd_response_send_error(struct pfd_request *r, int status)
{
    struct pfd_conn *c = r->conn;
    if (r->head_sent) {
        /* Too late for an error page: the only honest signal left is to close. */
        c->keep_alive = false;
        c->broken = true;
        return -1;
    }
    r->status = status;
    return response_page(r, status, "\n<hr><address>preforkd</address>");
}

int pfd_response_redirect(struct pfd_request *r, int status, const char *location)
{
    if (pfd_response_header(r, "Location", location) != 0)
        return 500;
    pfd_response_status(r, status);
    response_page(r, status, "");
    return PFD_DONE;
}
