/*
 * body.c — reading a request's body for a handler (Content-Length or chunked, within
 * limits.body and timeouts.body), and reading what the handler left of it so the connection can
 * be kept alive.
 */
#include "serve/body.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include "base/clock.h"
#include "base/log.h"
#include "parse/http_parse.h"
#include "serve/conn_io.h"
#include "serve/request.h"

/* RFC 9110 §10.1.1: the interim 100 goes out only when the client asked and has not sent the
 * body yet. */
static int request_send_continue(struct pfd_request *r)
{
    r->continue_sent = true;
    if (!r->head.expect_continue || r->head.version < 11 || r->in_pos < r->conn->in_len)
        return 0;
    static const char line[] = "HTTP/1.1 100 Continue\r\n\r\n";
    if (pfd_conn_flush(r->conn) != 0)
        return -1;
    return pfd_conn_flush_with(r->conn, line, sizeof(line) - 1, 0);
}

/* timeouts.body is a deadline for the whole body, counted from the first wait for its bytes (as
 * Apache's mod_reqtimeout body=): a client trickling a byte now and then cannot hold a worker
 * for longer, whatever the length it announced. */
static int64_t request_body_deadline(struct pfd_request *r)
{
    if (r->body_deadline == 0)
        r->body_deadline = pfd_now_ms() + (int64_t)r->conf->timeouts.body * 1000;
    return r->body_deadline;
}

/* Receives more bytes into conn->in after what is buffered. 1, or -1 (closed, timeout). */
static int request_receive(struct pfd_request *r, char *dst, size_t room, size_t *got)
{
    struct pfd_conn *c = r->conn;
    int64_t deadline = request_body_deadline(r);
    for (;;) {
        ssize_t n = pfd_conn_recv(c, dst, room);
        if (n > 0) {
            *got = (size_t)n;
            return 1;
        }
        if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
            r->body_status = 400; /* the client went away mid-body */
            return -1;
        }
        if (pfd_conn_wait_input(c, deadline, false) != 1) {
            r->body_status = 408;
            return -1;
        }
    }
}

static ssize_t request_body_read_length(struct pfd_request *r, char *buf, size_t len)
{
    struct pfd_conn *c = r->conn;
    size_t want = len < (uint64_t)r->body_left ? len : (size_t)r->body_left;
    size_t got = 0;
    if (r->in_pos < c->in_len) {
        got = c->in_len - r->in_pos < want ? c->in_len - r->in_pos : want;
        memcpy(buf, c->in + r->in_pos, got);
        r->in_pos += got;
    } else if (request_receive(r, buf, want, &got) < 0) {
        return -1; /* read exactly what is left of the body: never a pipelined request */
    }
    r->body_left -= (int64_t)got;
    r->body_done = r->body_left == 0;
    return (ssize_t)got;
}

/* Chunked: decode from conn->in; refill the free space behind the head when it runs dry. */
static ssize_t request_body_read_chunked(struct pfd_request *r, char *buf, size_t len)
{
    struct pfd_conn *c = r->conn;
    for (;;) {
        if (r->in_pos < c->in_len) {
            size_t consumed = 0, produced = 0;
            size_t avail = c->in_len - r->in_pos;
            /* Decoding never writes more than it reads: cap the input at len. */
            int rc = pfd_chunked_decode(&r->chunked, c->in + r->in_pos, avail < len ? avail : len,
                                        buf, &consumed, &produced);
            r->in_pos += consumed;
            if (rc == PFD_HTTP_OK) {
                r->body_done = true;
                return (ssize_t)produced;
            }
            if (rc != PFD_HTTP_AGAIN) {
                pfd_log(PFD_LOG_INFO, "bad chunked body from %s (status %d)", c->peer_ip, rc);
                r->body_status = rc;
                return -1;
            }
            if (produced > 0)
                return (ssize_t)produced;
            if (consumed > 0)
                continue;
        }
        if (r->in_pos == c->in_len) /* all consumed: reuse the space behind the head */
            c->in_len = r->in_pos = r->head_len;
        if (c->in_len == c->in_cap) {
            r->body_status = 400;
            return -1;
        }
        size_t got = 0;
        if (request_receive(r, c->in + c->in_len, c->in_cap - c->in_len, &got) < 0)
            return -1;
        c->in_len += got;
    }
}

ssize_t pfd_request_body_read(struct pfd_request *r, void *buf, size_t len)
{
    if (r->body_done || len == 0)
        return 0;
    if (r->body_error)
        return -1;
    if (!r->continue_sent && request_send_continue(r) != 0) {
        r->body_error = true;
        return -1;
    }
    ssize_t n = r->head.chunked ? request_body_read_chunked(r, buf, len)
                                : request_body_read_length(r, buf, len);
    if (n < 0) {
        if (r->body_status == 0)
            r->body_status = 400;
        r->body_error = true;
        r->conn->keep_alive = false;
        return -1;
    }
    r->body_read += n;
    return n;
}

bool pfd_request_body_discard(struct pfd_request *r)
{
    if (r->body_done)
        return true;
    if (r->body_error || r->body_left > PFD_DRAIN_MAX)
        return false;
    /* Draining only keeps the connection for a next request, so it may take no longer than the
     * keep-alive wait for that request would, and no longer than the body's deadline. */
    int64_t deadline = pfd_now_ms() + (int64_t)r->conf->timeouts.keepalive * 1000;
    if (deadline < request_body_deadline(r))
        r->body_deadline = deadline;
    char scratch[8192];
    int64_t drained = 0;
    while (drained < PFD_DRAIN_MAX) {
        ssize_t n = pfd_request_body_read(r, scratch, sizeof(scratch));
        if (n == 0)
            return true;
        if (n < 0)
            return false;
        drained += n;
    }
    return false;
}

bool pfd_request_body_discard_before_response(struct pfd_request *r)
{
    if (r->body_done || !r->head.chunked || r->body_read > 0)
        return !r->body_error;
    /* Body bytes came with the head (pfd_request_body_discard_buffered() consumed them): the
     * client is sending the body now, not waiting for the response first. */
    bool arriving = r->in_pos > r->head_len;
    return arriving && pfd_request_body_discard(r);
}

bool pfd_request_body_discard_buffered(struct pfd_request *r)
{
    struct pfd_conn *c = r->conn;
    size_t avail = c->in_len - r->in_pos;
    if (r->body_done || avail == 0)
        return !r->body_error;
    if (!r->head.chunked) {
        size_t n = (uint64_t)r->body_left < avail ? (size_t)r->body_left : avail;
        r->in_pos += n;
        r->body_left -= (int64_t)n;
        r->body_done = r->body_left == 0;
        return true;
    }
    char scratch[8192];
    while (r->in_pos < c->in_len) {
        size_t consumed = 0, produced = 0;
        avail = c->in_len - r->in_pos;
        int rc = pfd_chunked_decode(&r->chunked, c->in + r->in_pos,
                                    avail < sizeof(scratch) ? avail : sizeof(scratch), scratch,
                                    &consumed, &produced);
        r->in_pos += consumed;
        if (rc == PFD_HTTP_OK) {
            r->body_done = true;
            return true;
        }
        if (rc != PFD_HTTP_AGAIN) {
            r->body_status = rc;
            r->body_error = true;
            return false;
        }
        if (consumed == 0)
            break;
    }
    return true;
}
