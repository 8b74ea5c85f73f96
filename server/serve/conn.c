/*
 * conn.c — one connection from accept() to close(): read a head (bounded in size and time),
 * prepare the request, hand it to a module, finish the response, log it, and go round again
 * while keep-alive allows.
 */
#include "serve/conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "parse/http_parse.h"
#include "parse/proxy_protocol.h"
#include "parse/uri.h"
#include "pool/listen.h"
#include "pool/park.h"
#include "pool/scoreboard.h"
#include "pool/server.h"
#include "serve/access_log.h"
#include "serve/body.h"
#include "serve/conn_io.h"
#include "serve/htaccess.h"
#include "serve/htaccess_dir.h"
#include "serve/request.h"
#include "serve/response.h"
#include "serve/route.h"
#include "serve/tls.h"

/* The client went away, or a wait ended: close silently. Or the connection went to a keeper.
 * Or the client asked for the close and sent nothing more: close without lingering. */
enum { CONN_CLOSE = -1, CONN_PARKED = -2, CONN_CLOSE_NOW = -3 };

/* Fairness: how long a worker keeps a busy connection while others wait for a worker. */
#define PFD_PARK_SLICE_MS 20
/* While the channel to the keepers is full, how long a worker waits for its client before
 * trying to park again. */
#define PFD_PARK_RETRY_MS 20

/* The most bytes a request head may take, whatever the per-line limits would add up to: the
 * defaults (8190-byte lines, 100 fields) stay under it. */
#define PFD_HEAD_MAX (1024 * 1024)

int pfd_conn_init(struct pfd_conn *c, struct pfd_server *server)
{
    const struct pfd_config *conf = server->conf;
    memset(c, 0, sizeof(*c));
    c->fd = -1;
    c->server = server;
    /* The largest head the limits allow, but never more than PFD_HEAD_MAX whatever they say (a
     * fuller head gets 431), plus room to read body bytes behind it. */
    size_t head_max =
        (size_t)conf->limits.request_line + 2 +
        (size_t)conf->limits.header_fields * ((size_t)conf->limits.header_field_size + 2) + 2;
    c->in_cap = (head_max < PFD_HEAD_MAX ? head_max : PFD_HEAD_MAX) + 16384;
    c->in = malloc(c->in_cap + 1);
    c->header_storage = calloc((size_t)conf->limits.header_fields + 1, sizeof(*c->header_storage));
    pfd_arena_init(&c->arena, 8192);
    if (c->in == NULL || c->header_storage == NULL)
        return -1;
    return 0;
}

void pfd_conn_fini(struct pfd_conn *c)
{
    free(c->in);
    free(c->header_storage);
    pfd_buf_free(&c->out);
    pfd_buf_free(&c->resp_headers);
    pfd_buf_free(&c->log_line);
    pfd_arena_free(&c->arena);
}

static void conn_set_state(struct pfd_conn *c, int state)
{
    pfd_scoreboard_slot_set_state(c->server->scoreboard, c->server->slot, state);
}

/* Whether a keeper can take connections (keepalive { park }, and one is running). */
static bool conn_keeper_available(const struct pfd_conn *c)
{
    const struct pfd_server *s = c->server;
    /* A TLS connection's state (keys, sequence numbers) lives in this process: it cannot be
     * handed to a keeper, so its worker keeps it (the classic keep-alive wait). */
    return c->tls == NULL && s->conf->keepalive.park && s->park.to_keeper_send >= 0 &&
           s->scoreboard != NULL && pfd_park_keeper_alive(s->scoreboard);
}

/* Whether connections that wait for their client go to a keeper (keepalive { park }). Not in a
 * graceful stop, when workers are leaving: a connection parked then could come back to none
 * (its lingering close still goes, see conn_run). */
static bool conn_parking(const struct pfd_conn *c)
{
    return pfd_worker_stopping != PFD_STOP_CLOSE && conn_keeper_available(c);
}

/* Hands the connection to a keeper with what it must keep: its addresses (after a PROXY
 * header), its request count, its deadline and, but for a lingering close, the bytes read so
 * far. true when parked (the worker is done with it); false when the channel is full and the
 * worker must wait itself. */
static bool conn_park(struct pfd_conn *c, enum pfd_park_kind kind, int64_t deadline_ms)
{
    /* A graceful stop may have begun since the caller looked (conn_parking). */
    if (kind != PFD_PARK_LINGER && pfd_worker_stopping == PFD_STOP_CLOSE)
        return false;
    struct pfd_park_ticket t;
    memset(&t, 0, sizeof(t));
    t.kind = (uint32_t)kind;
    t.requests = c->requests;
    t.bytes = kind == PFD_PARK_LINGER ? 0 : (uint32_t)c->in_len;
    t.deadline_ms = deadline_ms;
    t.tls_hello = c->tls_hello;
    t.peer_port = c->conn_peer_port;
    t.local_port = c->local_port;
    memcpy(t.peer_ip, c->conn_peer_ip, sizeof(t.peer_ip));
    memcpy(t.local_ip, c->local_ip, sizeof(t.local_ip));
    if (pfd_park_send(c->server->park.to_keeper_send, &t, c->fd, c->in, t.bytes) != 0) {
        if (errno != EAGAIN)
            pfd_log(PFD_LOG_ERR, "parking a connection of %s failed: %s", c->conn_peer_ip,
                    strerror(errno));
        return false;
    }
    close(c->fd);
    c->fd = -1;
    return true;
}

/* Parks, or, while the channel to the keepers is full (a burst of parks), waits for the client
 * in short steps and tries again: a worker never settles into a long wait that the keepers
 * exist to take. 1 when the client sent bytes first, 0 at the deadline, -1 on error,
 * CONN_PARKED. */
static int conn_park_or_wait(struct pfd_conn *c, enum pfd_park_kind kind, int64_t deadline)
{
    for (int64_t now = pfd_now_ms(); now < deadline; now = pfd_now_ms()) {
        if (conn_park(c, kind, deadline))
            return CONN_PARKED;
        int64_t step = now + PFD_PARK_RETRY_MS;
        int ready = pfd_conn_wait(c->fd, POLLIN, step < deadline ? step : deadline, false);
        if (ready != 0)
            return ready;
    }
    return 0;
}

/* Fairness: after a slice on one connection, a worker looks (once a slice) whether others wait
 * for a worker, handed back by a keeper or new in the accept queues; if so it parks this one
 * (at the back of the keepers' queue) and takes the next. */
static bool conn_should_yield(struct pfd_conn *c)
{
    int64_t now = pfd_now_ms();
    if (now - c->slice_started_ms < PFD_PARK_SLICE_MS)
        return false;
    c->slice_started_ms = now;
    return pfd_park_waiting(c->server->scoreboard) > 0 || pfd_listen_queued(c->server->conf) > 0;
}

/* Waits for the first byte of the next request on a kept-alive connection. 1 when bytes are
 * there; CONN_CLOSE on timeout or close; CONN_PARKED when a keeper took the connection.
 *
 * With parking, the worker waits only park_grace_ms (so back-to-back requests do not pay for a
 * hand-off), then parks the connection; at once when it is retiring, so the connection outlives
 * it. Without, it waits until the keep-alive deadline.
 *
 * A graceful stop does not cut the wait short: closing an idle connection at an arbitrary moment
 * races with a client that is sending its next request right then, which it would see fail. The
 * worker keeps waiting until the keep-alive deadline, and a request that arrives gets its answer
 * with "Connection: close" (pfd_worker_stopping makes conn_may_keep_alive false), so every client
 * learns of the close from a response, as with any keep-alive limit. The wait is interruptible
 * only so that the signal is seen now rather than after the next request. */
static int conn_wait_next_request(struct pfd_conn *c)
{
    bool parking = conn_parking(c);
    int64_t deadline = pfd_now_ms() + (int64_t)c->server->conf->timeouts.keepalive * 1000;
    if (parking && conn_should_yield(c)) {
        if (pfd_conn_flush(c) != 0)
            return CONN_CLOSE;
        if (conn_park(c, PFD_PARK_READY, deadline))
            return CONN_PARKED;
    }
    if (c->in_len > 0)
        return 1;
    if (pfd_conn_flush(c) != 0)
        return CONN_CLOSE;
    conn_set_state(c, PFD_WORKER_KEEPALIVE);
    if (parking) {
        if (!pfd_worker_stopping) {
            int64_t grace = pfd_now_ms() + c->server->conf->keepalive.park_grace_ms;
            int ready = pfd_conn_wait_input(c, grace < deadline ? grace : deadline, true);
            if (ready == 1)
                return 1;
        }
        int ready = conn_park_or_wait(c, PFD_PARK_IDLE, deadline);
        return ready == 1 ? 1 : ready == CONN_PARKED ? CONN_PARKED : CONN_CLOSE;
    }
    int ready = pfd_conn_wait_input(c, deadline, !pfd_worker_stopping);
    if (ready < 0 && pfd_worker_stopping)
        ready = pfd_conn_wait_input(c, deadline, false);
    return ready == 1 ? 1 : CONN_CLOSE;
}

/* Inside a head, nothing arrived: with parking, after park_grace_ms the connection and the
 * bytes so far go to a keeper until more come (a slow client, or slowloris, holds no worker);
 * the head's deadline travels with it. 1 when bytes arrived, 0 at the deadline, -1 on error,
 * CONN_PARKED. */
static int conn_wait_head_bytes(struct pfd_conn *c, int64_t deadline, bool parking)
{
    if (parking) {
        int64_t grace = pfd_now_ms() + c->server->conf->keepalive.park_grace_ms;
        if (grace < deadline) {
            int ready = pfd_conn_wait(c->fd, POLLIN, grace, false);
            return ready != 0 ? ready : conn_park_or_wait(c, PFD_PARK_HEAD, deadline);
        }
    }
    return pfd_conn_wait_input(c, deadline, false);
}

/* Reads until a whole head is in c->in. PFD_HTTP_OK, CONN_CLOSE, or an error status. The
 * deadline covers the whole head, so a client trickling a byte at a time is still cut off. */
static int conn_read_head(struct pfd_conn *c, struct pfd_request *r)
{
    const struct pfd_config *conf = c->server->conf;
    struct pfd_http_limits limits = {
        .request_line = (size_t)conf->limits.request_line,
        .header_fields = (size_t)conf->limits.header_fields,
        .header_field_size = (size_t)conf->limits.header_field_size,
    };
    struct pfd_http_parser parser;
    pfd_http_parser_init(&parser, &limits);
    r->head.headers = c->header_storage;
    r->head.headers_cap = (size_t)conf->limits.header_fields + 1;
    int64_t deadline = c->head_deadline_ms != 0
                           ? c->head_deadline_ms
                           : pfd_now_ms() + (int64_t)conf->timeouts.header * 1000;
    c->head_deadline_ms = 0;
    bool parking = conn_parking(c);
    conn_set_state(c, PFD_WORKER_READING);
    for (;;) {
        if (c->in_len > 0) {
            int rc = pfd_http_parse_request(&parser, c->in, c->in_len, &r->head, &r->head_len);
            if (rc != PFD_HTTP_AGAIN)
                return rc;
            if (c->in_len == c->in_cap)
                return 431;
        }
        ssize_t n = pfd_conn_recv(c, c->in + c->in_len, c->in_cap - c->in_len);
        if (n > 0) {
            c->in_len += (size_t)n;
            continue;
        }
        if (n == 0) {
            /* A client that half-closes inside a request will send no more of it: say so now
             * (RFC 9112 §9.6 lets us close; the 400 tells it why). Between requests: just close. */
            c->peer_closed = true;
            return pfd_http_parser_in_request(&parser) ? 400 : CONN_CLOSE;
        }
        if (errno != EAGAIN && errno != EINTR)
            return CONN_CLOSE;
        /* A response held back for a pipelined request must not wait on that request's head
         * (a stray CRLF, or half a head, after the last request). */
        if (c->out.len > 0 && pfd_conn_flush(c) != 0)
            return CONN_CLOSE;
        int ready = conn_wait_head_bytes(c, deadline, parking);
        if (ready == 0)
            return c->in_len > 0 ? 408 : CONN_CLOSE;
        if (ready < 0)
            return ready == CONN_PARKED ? CONN_PARKED : CONN_CLOSE;
    }
}

/* Parsed fields are not NUL-terminated; the byte after each (SP, ':', CR, LF or OWS) is no
 * longer needed once the head is parsed, so it becomes the terminator: no copies. */
static const char *conn_terminate(const char *s, size_t len)
{
    ((char *)s)[len] = '\0';
    return s;
}

static void conn_terminate_headers(struct pfd_request *r)
{
    for (size_t i = 0; i < r->head.nheaders; i++) {
        struct pfd_http_header *h = &r->head.headers[i];
        conn_terminate(h->name, h->name_len);
        if (h->value_len == 0)
            h->value = "";
        else
            conn_terminate(h->value, h->value_len);
    }
}

/* Host (RFC 9110 §7.2): a reg-name, IPv4 or [IPv6] with an optional port, checked and made
 * canonical by pfd_uri_host_normalize(). 0, or 400 for an invalid one. */
static int conn_set_host(struct pfd_request *r, const char *host, size_t len)
{
    if (host == NULL || len == 0) {
        r->host = NULL;
        return 0;
    }
    char *h = pfd_arena_strndup(&r->conn->arena, host, len);
    if (h == NULL)
        return 500;
    if (pfd_uri_host_normalize(h, len) != 0)
        return 400;
    r->host = h;
    return 0;
}

/* An origin-form target → r->path (normalised), r->query, r->file_path. 0 or an HTTP status. */
static int conn_set_path(struct pfd_request *r, const char *origin, size_t origin_len)
{
    const struct pfd_config *conf = r->conf;
    size_t query_len = 0;
    char *path = pfd_request_alloc(r, origin_len + 1);
    int rc = pfd_uri_normalize(origin, origin_len, path, origin_len + 1, &r->query, &query_len);
    if (rc != 0)
        return rc;
    r->path = path;
    if (r->query != NULL)
        r->query = pfd_arena_strndup(&r->conn->arena, r->query, query_len);
    size_t fp_size = strlen(conf->document_root) + strlen(r->path) + 1;
    r->file_path = pfd_request_alloc(r, fp_size);
    if (pfd_uri_map(conf->document_root, r->path, r->file_path, fp_size) != 0)
        return 414;
    return 0;
}

/* From parsed head to a request a module can read: terminated fields, host, normalised path,
 * file name, body framing. 0 or an HTTP status. */
static int conn_prepare_request(struct pfd_request *r)
{
    const struct pfd_config *conf = r->conf;
    struct pfd_http_request_head *h = &r->head;

    r->method_name = conn_terminate(h->method, h->method_len);
    r->target = conn_terminate(h->target, h->target_len);
    r->protocol = h->version == 11 ? "HTTP/1.1" : "HTTP/1.0";
    conn_terminate_headers(r);
    /* Body framing first: whatever fails below, the body can still be drained or refused. The
     * limit is checked once the location is known (conn_body_limit). */
    r->in_pos = r->head_len;
    if (h->chunked) {
        pfd_chunked_init(&r->chunked, (uint64_t)conf->limits.body);
        r->body_left = -1;
    } else {
        r->body_left = h->content_length > 0 ? h->content_length : 0;
        r->body_done = r->body_left == 0;
    }
    /* The request line as received, for logs: method SP target SP version. The version is the
     * 8 bytes after the target's SP ("HTTP/1.2" stays so in the log, served as HTTP/1.1). */
    char *line = pfd_request_alloc(r, h->method_len + h->target_len + 11);
    memcpy(line, h->method, h->method_len);
    line[h->method_len] = ' ';
    memcpy(line + h->method_len + 1, h->target, h->target_len);
    line[h->method_len + 1 + h->target_len] = ' ';
    memcpy(line + h->method_len + 2 + h->target_len, h->target + h->target_len + 1, 8);
    line[h->method_len + 10 + h->target_len] = '\0';
    r->request_line = line;

    const char *origin = r->target;
    size_t origin_len = h->target_len;
    const char *host = h->host;
    size_t host_len = h->host_len;
    if (origin[0] != '/' && origin[0] != '*') {
        /* RFC 9112 §3.2.2: the authority of an absolute-form target replaces Host. */
        if (pfd_uri_split_absolute(r->target, h->target_len, &host, &host_len, &origin,
                                   &origin_len) != 0)
            return 400;
    }
    int rc = conn_set_host(r, host, host_len);
    if (rc != 0)
        return rc;
    pfd_route_vhost_select(r); /* from here r->conf is the vhost's (document_root, locations) */
    /* RFC 9110 §15.5.20: over HTTPS, a Host whose vhost would have had another certificate than
     * the one SNI chose gets 421, as from Apache's mod_ssl: else a client could name one vhost in
     * SNI and reach another under the first's TLS settings (protocols, ciphers). */
    if (r->conn->tls != NULL && !pfd_tls_serves_vhost(r->conn->tls, r->conn->server->tls, r->vhost))
        return 421;
    if (origin[0] == '*') {
        if (origin_len != 1 || h->method_id != PFD_METHOD_OPTIONS)
            return 400;
        r->path = (char *)"*";
        r->asked_path = r->path;
        return 0;
    }
    rc = conn_set_path(r, origin, origin_len);
    r->asked_path = r->path;
    return rc;
}

/* A display copy: truncated, always terminated (snprintf costs ten times more per request). */
static void conn_copy_truncated(char *dst, size_t size, const char *src)
{
    size_t len = strnlen(src, size - 1);
    memcpy(dst, src, len);
    dst[len] = '\0';
}

static void conn_scoreboard_request(struct pfd_request *r)
{
    struct pfd_scoreboard *sb = r->server->scoreboard;
    if (sb == NULL || r->server->slot < 0)
        return;
    struct pfd_scoreboard_slot *slot = &sb->slots[r->server->slot];
    slot->request_started_us = (int64_t)time(NULL) * 1000000;
    conn_copy_truncated(slot->request, sizeof(slot->request), r->request_line);
    conn_copy_truncated(slot->client, sizeof(slot->client), r->conn->peer_ip);
}

/* RFC 9110 §9.3.7, §9.3.8: "OPTIONS *" and TRACE are the core's, not a module's. */
static int conn_handle_core_methods(struct pfd_request *r)
{
    static const char allow_base[] = "GET, HEAD, POST, OPTIONS";
    const char *allow = r->conf->trace_enable ? "GET, HEAD, POST, OPTIONS, TRACE" : allow_base;
    if (r->head.method_id == PFD_METHOD_OPTIONS && strcmp(r->path, "*") == 0) {
        pfd_response_status(r, 200);
        pfd_response_header(r, "Allow", allow);
        pfd_response_content_length(r, 0);
        return PFD_DONE;
    }
    if (r->head.method_id == PFD_METHOD_TRACE) {
        pfd_response_header(r, "Allow", allow);
        if (!r->conf->trace_enable)
            return 405;
        /* Echo the request head, which is in conn->in up to the request's end. */
        pfd_response_status(r, 200);
        pfd_response_header(r, "Content-Type", "message/http");
        pfd_response_write(r, r->request_line, strlen(r->request_line));
        pfd_response_write(r, "\r\n", 2);
        for (size_t i = 0; i < r->head.nheaders; i++) {
            const struct pfd_http_header *hd = &r->head.headers[i];
            char *line = pfd_request_printf(r, "%s: %s\r\n", hd->name, hd->value);
            pfd_response_write(r, line, strlen(line));
        }
        pfd_response_write(r, "\r\n", 2);
        return PFD_DONE;
    }
    if (r->head.method_id == PFD_METHOD_OTHER)
        return 501;
    if (r->head.method_id == PFD_METHOD_CONNECT) {
        pfd_response_header(r, "Allow", allow);
        return 405;
    }
    return PFD_DECLINED;
}

/* Module i's config for this request: the location's own when it has one, else the main one. */
static int conn_run_module(struct pfd_request *r, size_t i)
{
    const struct pfd_loaded_module *m = &r->conf->loaded[i];
    if (m->module->handle == NULL)
        return PFD_DECLINED;
    void *conf = m->conf;
    if (r->location != NULL && r->location->module_confs != NULL &&
        r->location->module_confs[i] != NULL)
        conf = r->location->module_confs[i];
    return m->module->handle(r, conf);
}

/* When every module declined: a directory nobody would list is forbidden (as in Apache without
 * Indexes), anything else is not found. */
static int conn_declined_status(const struct pfd_request *r)
{
    struct stat st;
    if (r->file_path != NULL && stat(r->file_path, &st) == 0 && S_ISDIR(st.st_mode))
        return 403;
    return 404;
}

/* The loaded module of that name, run; PFD_DECLINED when it is not loaded or declines. */
static int conn_run_module_named(struct pfd_request *r, const char *name)
{
    for (size_t i = 0; i < r->conf->nloaded; i++)
        if (strcmp(r->conf->loaded[i].module->name, name) == 0)
            return conn_run_module(r, i);
    return PFD_DECLINED;
}

/* A handler .htaccess files named (SetHandler, AddHandler): the module that serves it, in place
 * of the location's. One that no loaded module serves is 500 (logged), not the file served as
 * it is (Apache would send a script's source). */
static int conn_run_dir_handler(struct pfd_request *r, const char *handler)
{
    const char *also = NULL;
    const char *module = pfd_ht_fileinfo_handler_module(handler, &also);
    int rc = conn_run_module_named(r, module);
    if (rc == PFD_DECLINED && also != NULL)
        rc = conn_run_module_named(r, also);
    if (rc != PFD_DECLINED)
        return rc;
    for (size_t i = 0; i < r->conf->nloaded; i++)
        if (strcmp(r->conf->loaded[i].module->name, module) == 0)
            return conn_declined_status(r);
    pfd_log(PFD_LOG_ERR, "\"%s\": handler \"%s\" (.htaccess) needs module \"%s\", not loaded",
            r->request_line, handler, module);
    return 500;
}

/* The body limit where the request was routed: the location's body_limit, else its vhost's
 * (r->conf is the vhost's view), else limits.body. A Content-Length over it is refused before
 * the handler reads a byte (413); a chunked body is cut at it while it is read. Nothing to do
 * once the body has begun to be read (an internal redirect after the handler read it). */
static int conn_body_limit(struct pfd_request *r)
{
    int64_t limit = r->location != NULL && r->location->body_limit >= 0 ? r->location->body_limit
                                                                        : r->conf->limits.body;
    if (r->body_read > 0 || r->body_done)
        return PFD_DECLINED;
    if (r->head.chunked) {
        r->chunked.max_total = (uint64_t)limit;
        return PFD_DECLINED;
    }
    if (limit > 0 && r->head.content_length > limit) {
        pfd_log(PFD_LOG_INFO, "\"%s\": a body of %lld bytes is over the limit of %lld here",
                r->request_line, (long long)r->head.content_length, (long long)limit);
        return 413;
    }
    return PFD_DECLINED;
}

/* Routing (route.c: location, rewrites, access, auth, redirect, alias), then the handler a
 * .htaccess named, else the location's handler, or else each module in `modules` order until
 * one accepts. An error status with an error document configured becomes an internal redirect
 * that keeps the status. */
static int conn_dispatch(struct pfd_request *r)
{
    int rc = conn_handle_core_methods(r);
    if (rc == PFD_DECLINED)
        rc = pfd_route_request(r);
    if (rc == PFD_DECLINED)
        rc = conn_body_limit(r);
    const struct pfd_config *conf = r->conf;
    const char *dir_handler = rc == PFD_DECLINED ? pfd_request_dir_handler(r, NULL) : NULL;
    if (rc != PFD_DECLINED) {
        /* routing answered: a redirect, or an error */
    } else if (dir_handler != NULL) {
        rc = conn_run_dir_handler(r, dir_handler);
    } else if (r->location != NULL && r->location->handler_module != NULL) {
        rc = conn_run_module(r, (size_t)(r->location->handler_module - conf->loaded));
        rc = rc == PFD_DECLINED ? conn_declined_status(r) : rc;
    } else {
        for (size_t i = 0; i < conf->nloaded && rc == PFD_DECLINED; i++)
            rc = conn_run_module(r, i);
        rc = rc == PFD_DECLINED ? conn_declined_status(r) : rc;
    }
    if (rc >= 400 && r->htaccess != NULL && pfd_ht_dir_error_answer(r, rc) == PFD_DONE)
        return PFD_DONE; /* a .htaccess ErrorDocument with a text or an absolute URL */
    const char *doc = rc >= 400 ? pfd_route_error_document(r, rc) : NULL;
    return doc != NULL ? pfd_request_internal_redirect(r, doc, rc) : rc;
}

int pfd_request_internal_redirect(struct pfd_request *r, const char *uri, int status)
{
    if (r->head_sent) {
        pfd_log(PFD_LOG_ERR, "\"%s\": internal redirect to \"%s\" after the response began",
                r->request_line, uri);
        return 500;
    }
    if (++r->redirects > PFD_MAX_REDIRECTS) {
        pfd_log(PFD_LOG_ERR, "\"%s\": more than %d internal redirects, the last to \"%s\"",
                r->request_line, PFD_MAX_REDIRECTS, uri);
        return 500;
    }
    int rc = uri[0] == '/' ? conn_set_path(r, uri, strlen(uri)) : 400;
    if (rc != 0) {
        pfd_log(PFD_LOG_ERR, "\"%s\": bad internal redirect target \"%s\" (%d)", r->request_line,
                uri, rc);
        return 500;
    }
    /* A fresh response: what the first handler added does not apply to the new target. */
    r->conn->resp_headers.len = 0;
    r->content_length = -1;
    r->status = status != 0 ? status : 200;
    r->kept_status = status;
    r->head.method_id = PFD_METHOD_GET;
    r->method_name = "GET";
    r->location = NULL;
    r->context_root = r->context_prefix = NULL;
    r->alias_hidden = false;
    return conn_dispatch(r);
}

static bool conn_may_keep_alive(const struct pfd_request *r)
{
    const struct pfd_config *conf = r->conf;
    if (!conf->keepalive.enabled || pfd_worker_stopping == PFD_STOP_CLOSE)
        return false;
    /* A retiring worker's connection lives on only in a keeper; a full keeper takes no more. */
    bool parking = conn_parking(r->conn);
    if (pfd_worker_stopping == PFD_STOP_RETIRE && !parking)
        return false;
    if (parking && !pfd_park_room(r->server->scoreboard, r->server->conf))
        return false;
    if (conf->keepalive.max_requests > 0 &&
        r->conn->requests >= (unsigned)conf->keepalive.max_requests)
        return false;
    if (r->head.conn_close)
        return false;
    return r->head.version == 11 || r->head.conn_keep_alive;
}

/* Statuses after which the byte stream can no longer be trusted (RFC 9112 §9.6; a request that
 * failed to parse leaves us not knowing where the next one starts). */
static bool conn_status_forces_close(int status)
{
    switch (status) {
    case 400:
    case 408:
    case 413:
    case 414:
    case 431:
    case 501:
    case 505:
        return true;
    default:
        return false;
    }
}

static void conn_request_reset(struct pfd_request *r, struct pfd_conn *c)
{
    memset(r, 0, sizeof(*r));
    r->conn = c;
    r->server = c->server;
    r->conf = c->server->conf;
    r->status = 200;
    r->content_length = -1;
    c->resp_headers.len = 0;
    clock_gettime(CLOCK_MONOTONIC, &r->started);
}

/* After a response: keep what follows the request in c->in (a pipelined request) at the front. */
static void conn_keep_pipelined(struct pfd_conn *c, const struct pfd_request *r)
{
    size_t used = r->in_pos > r->head_len ? r->in_pos : r->head_len;
    if (used >= c->in_len) {
        c->in_len = 0;
        return;
    }
    memmove(c->in, c->in + used, c->in_len - used);
    c->in_len -= used;
}

/* The request's client: the connection's, or, when that is a trusted proxy, the address its
 * X-Forwarded-For names (several such fields count as one list, in order). Only a parsed head's
 * fields are trusted. */
static void conn_apply_forwarded(struct pfd_request *r, bool parsed)
{
    struct pfd_conn *c = r->conn;
    const struct pfd_config *conf = r->conf;
    memcpy(c->peer_ip, c->conn_peer_ip, sizeof(c->peer_ip));
    c->peer_port = c->conn_peer_port;
    if (!parsed || conf->ntrusted_proxies == 0 ||
        !pfd_cidr_list_match(conf->trusted_cidrs, conf->ntrusted_proxies, c->peer_ip))
        return;
    const char *xff = NULL;
    for (size_t i = 0; i < r->head.nheaders; i++) {
        const struct pfd_http_header *h = &r->head.headers[i];
        if (strcasecmp(h->name, "X-Forwarded-For") == 0)
            xff = xff == NULL ? h->value : pfd_request_printf(r, "%s,%s", xff, h->value);
    }
    char client[INET6_ADDRSTRLEN];
    if (xff != NULL &&
        pfd_proxy_client_from_xff(xff, conf->trusted_cidrs, conf->ntrusted_proxies, client)) {
        memcpy(c->peer_ip, client, sizeof(c->peer_ip));
        c->peer_port = 0; /* the client's port is not in X-Forwarded-For */
    }
}

/* Whether the client ended the connection with this request and has nothing more in flight: it
 * asked for the close (RFC 9112 §9.6: "Connection: close", or HTTP/1.0 without keep-alive; it
 * then MUST NOT send further requests), its body was read to the end and no byte follows the
 * request. Then closing at once resets nothing the client would still read, and the lingering
 * close (a half-close, a wait and a read, and a worker held until the client closes) is not
 * needed: nginx's lingering_close "on" decides the same way. */
static bool conn_client_done(const struct pfd_conn *c, struct pfd_request *r, bool parsed)
{
    if (!parsed || !(r->head.conn_close || (r->head.version == 10 && !r->head.conn_keep_alive)))
        return false;
    /* A body that came whole with the head, but that no handler read. */
    if (!pfd_request_body_discard_buffered(r) || !r->body_done)
        return false;
    size_t used = r->in_pos > r->head_len ? r->in_pos : r->head_len;
    return used >= c->in_len;
}

/* One request: head, dispatch, response. 1 when the connection stays open, CONN_CLOSE (or
 * CONN_CLOSE_NOW, see conn_client_done) when it must close, CONN_PARKED when its head went to a
 * keeper unfinished. */
static int conn_serve_request(struct pfd_conn *c, struct pfd_request *r)
{
    conn_request_reset(r, c);
    int rc = conn_read_head(c, r);
    if (rc == CONN_CLOSE || rc == CONN_PARKED)
        return rc;
    c->requests++;
    bool parsed = rc == PFD_HTTP_OK;
    c->keep_alive = parsed && conn_may_keep_alive(r);
    if (parsed) {
        rc = conn_prepare_request(r);
    } else {
        /* Nothing of a head that failed to parse is trustworthy, or even terminated. */
        r->head.nheaders = 0;
        r->body_done = true;
    }
    conn_apply_forwarded(r, rc == 0);
    if (rc == 0) {
        conn_scoreboard_request(r);
        conn_set_state(c, PFD_WORKER_HANDLING);
        rc = conn_dispatch(r);
    }
    if (rc != PFD_DONE) {
        if (conn_status_forces_close(rc))
            c->keep_alive = false;
        pfd_response_send_error(r, rc >= 400 && rc <= 599 ? rc : 500);
    }
    pfd_response_finish(r);
    if (c->keep_alive && !pfd_request_body_discard(r))
        c->keep_alive = false;
    if (r->request_line == NULL)
        r->request_line = "-";
    /* A vhost with a log of its own gets the line; the others (and the top level) the server's. */
    bool vhost_log = r->vhost != NULL && r->vhost->access_log_file.fd >= 0;
    pfd_access_log_write(vhost_log ? &r->vhost->access_log_file : &c->server->access_log, r);
    pfd_log_route_to(-1); /* errors between requests go to the server's error log */

    struct pfd_scoreboard *sb = c->server->scoreboard;
    if (sb != NULL && c->server->slot >= 0) {
        sb->slots[c->server->slot].requests++;
        sb->slots[c->server->slot].bytes_sent += (uint64_t)r->body_bytes_sent;
    }
    bool keep = c->keep_alive && !c->broken;
    if (keep)
        conn_keep_pipelined(c, r);
    bool done = !keep && conn_client_done(c, r, parsed);
    pfd_arena_reset(&c->arena);
    return keep ? 1 : done ? CONN_CLOSE_NOW : CONN_CLOSE;
}

/* Dotted decimal by hand: glibc's inet_ntop() formats IPv4 through sprintf(), and two of those
 * (client and local address) were a fifth of the instructions of a one-request connection. */
static void conn_format_ipv4(const struct in_addr *a, char *ip)
{
    const unsigned char *b = (const unsigned char *)&a->s_addr;
    char *p = ip;
    for (int i = 0; i < 4; i++) {
        unsigned v = b[i];
        if (v >= 100)
            *p++ = (char)('0' + v / 100);
        if (v >= 10)
            *p++ = (char)('0' + v / 10 % 10);
        *p++ = (char)('0' + v % 10);
        *p++ = i < 3 ? '.' : '\0';
    }
}

/* An address and port as text: ip gets INET6_ADDRSTRLEN bytes. */
static void conn_format_address(const struct sockaddr *sa, char *ip, int *port)
{
    bool v6 = sa->sa_family == AF_INET6;
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
    const struct sockaddr_in *in4 = (const struct sockaddr_in *)sa;
    if (v6)
        inet_ntop(AF_INET6, &in6->sin6_addr, ip, INET6_ADDRSTRLEN);
    else
        conn_format_ipv4(&in4->sin_addr, ip);
    *port = ntohs(v6 ? in6->sin6_port : in4->sin_port);
}

/* A specific listener's address as text, formatted once per worker and listener (the same for
 * every connection it accepts): remembered with the address it was made from, so a listener of
 * a reloaded config at the same place in memory is formatted anew. */
static void conn_listener_address(const struct pfd_listen *l, char *ip, int *port)
{
    static struct sockaddr_storage last_addr;
    static socklen_t last_len;
    static char last_ip[INET6_ADDRSTRLEN];
    static int last_port;
    if (last_len != l->addr_len || memcmp(&last_addr, &l->addr, l->addr_len) != 0) {
        conn_format_address((const struct sockaddr *)&l->addr, last_ip, &last_port);
        memcpy(&last_addr, &l->addr, l->addr_len);
        last_len = l->addr_len;
    }
    memcpy(ip, last_ip, sizeof(last_ip));
    *port = last_port;
}

/* Whether the listener is bound to one address (not "*:80" or "[::]:80"): then that is every
 * connection's local address, and no getsockname() is needed to learn it. */
static bool conn_listener_is_specific(const struct pfd_listen *l)
{
    if (l->addr.ss_family == AF_INET6)
        return !IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)&l->addr)->sin6_addr);
    return ((const struct sockaddr_in *)&l->addr)->sin_addr.s_addr != htonl(INADDR_ANY);
}

static void conn_set_addresses(struct pfd_conn *c, const struct pfd_listen *l,
                               const struct sockaddr *peer)
{
    conn_format_address(peer, c->peer_ip, &c->peer_port);
    c->local_ip[0] = '\0';
    c->local_port = 0;
    struct sockaddr_storage local;
    socklen_t len = sizeof(local);
    if (conn_listener_is_specific(l))
        conn_listener_address(l, c->local_ip, &c->local_port);
    else if (getsockname(c->fd, (struct sockaddr *)&local, &len) == 0)
        conn_format_address((const struct sockaddr *)&local, c->local_ip, &c->local_port);
}

/* Whether the TCP peer may speak the PROXY protocol: with trusted_proxies set, only a peer in it
 * (otherwise any client could claim to be 127.0.0.1 and reach loopback-only pages); without it,
 * any peer, and the listener must be reachable only by the proxies (a firewall's job). */
static bool conn_proxy_peer_trusted(const struct pfd_conn *c, const struct pfd_listen *l)
{
    const struct pfd_config *conf = c->server->conf;
    if (conf->ntrusted_proxies == 0 ||
        pfd_cidr_list_match(conf->trusted_cidrs, conf->ntrusted_proxies, c->peer_ip))
        return true;
    pfd_log(PFD_LOG_WARN,
            "%s: not in trusted_proxies, so not allowed to send the PROXY protocol header that "
            "\"%s\" expects: closing",
            c->peer_ip, l->text);
    return false;
}

/* Like recv() into c->in, but never a byte past the PROXY header: the bytes queued are peeked,
 * and only those of the header are taken (all of them while it is incomplete). On a tls_listen
 * address what follows is the ClientHello, which OpenSSL reads from the socket, not c->in. */
static ssize_t conn_recv_proxy_header_only(struct pfd_conn *c, size_t cap)
{
    ssize_t peeked = recv(c->fd, c->in + c->in_len, cap - c->in_len, MSG_PEEK);
    if (peeked <= 0)
        return peeked;
    struct pfd_proxy_header h;
    long n = pfd_proxy_parse(c->in, c->in_len + (size_t)peeked, &h);
    size_t take = n > (long)c->in_len ? (size_t)n - c->in_len : (size_t)peeked;
    return recv(c->fd, c->in + c->in_len, take, 0);
}

/* On a proxy_protocol listener, the PROXY header (v1 or v2) that must open the connection,
 * within timeouts.header: its source becomes the client. On a plain listener bytes after it stay
 * in c->in for the request; on a TLS one none are read. 0, or -1 when the connection must close
 * (a peer outside trusted_proxies, logged at warn; malformed, timeout, closed; logged at info,
 * since anyone can connect and send anything). */
static int conn_read_proxy_header(struct pfd_conn *c, const struct pfd_listen *l)
{
    if (!l->proxy_protocol)
        return 0;
    if (!conn_proxy_peer_trusted(c, l))
        return -1;
    conn_set_state(c, PFD_WORKER_READING);
    int64_t deadline = pfd_now_ms() + (int64_t)c->server->conf->timeouts.header * 1000;
    size_t cap = c->in_cap < PFD_PROXY_MAX ? c->in_cap : PFD_PROXY_MAX;
    for (int round = 0; round < PFD_PROXY_MAX; round++) {
        struct pfd_proxy_header h;
        long n = pfd_proxy_parse(c->in, c->in_len, &h);
        if (n > 0) {
            memmove(c->in, c->in + n, c->in_len - (size_t)n);
            c->in_len -= (size_t)n;
            if (h.has_address) {
                memcpy(c->peer_ip, h.src_ip, sizeof(c->peer_ip));
                c->peer_port = h.src_port;
            }
            return 0;
        }
        if (n < 0 || c->in_len >= cap) {
            pfd_log(PFD_LOG_INFO, "%s: no valid PROXY protocol header on \"%s\": closing",
                    c->peer_ip, l->text);
            return -1;
        }
        ssize_t got = l->tls ? conn_recv_proxy_header_only(c, cap)
                             : recv(c->fd, c->in + c->in_len, cap - c->in_len, 0);
        if (got > 0) {
            c->in_len += (size_t)got;
            continue;
        }
        if (got == 0 || (errno != EAGAIN && errno != EINTR))
            return -1;
        if (pfd_conn_wait(c->fd, POLLIN, deadline, false) != 1)
            return -1;
    }
    return -1;
}

/*
 * Half-closes, then reads and throws away what the client still sends until it closes too, so
 * that a client still uploading (a body we refused with 413, a pipelined request) reads our
 * response instead of losing it to the reset that closing on unread data causes (RFC 9112 §9.6,
 * Apache's lingering close). Bounded in bytes, in total time and in silence between reads.
 */
static void conn_linger_close(struct pfd_conn *c, bool in_keeper)
{
    shutdown(c->fd, SHUT_WR);
    char scratch[16384];
    int64_t now = pfd_now_ms(), end = now + PFD_LINGER_MS, quiet = now + PFD_LINGER_IDLE_MS;
    /* With parking, a client that closes within the grace period (most do, once they have read
     * the response) is closed here; a slower one's close goes to the keeper, and while its
     * channel is full the worker lingers in short steps, trying again after each. */
    int64_t park_at = now + (in_keeper ? c->server->conf->keepalive.park_grace_ms : 0);
    for (size_t left = PFD_LINGER_MAX; left > 0 && now < end && now < quiet; now = pfd_now_ms()) {
        if (in_keeper && now >= park_at && conn_park(c, PFD_PARK_LINGER, end))
            return;
        int64_t until = !in_keeper ? quiet : now < park_at ? park_at : now + PFD_PARK_RETRY_MS;
        until = until < quiet ? until : quiet;
        int ready = pfd_conn_wait(c->fd, POLLIN, until < end ? until : end, false);
        if (ready < 0)
            break;
        if (ready == 0)
            continue;
        ssize_t n = recv(c->fd, scratch, left < sizeof(scratch) ? left : sizeof(scratch), 0);
        if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
            break;
        if (n > 0) {
            left -= (size_t)n;
            quiet = pfd_now_ms() + PFD_LINGER_IDLE_MS;
        }
    }
    close(c->fd);
    c->fd = -1;
}

/* Requests until the connection closes or goes to a keeper; then closes it, lingering (in a
 * keeper when parking) unless the client is gone. */
static void conn_run(struct pfd_conn *c)
{
    struct pfd_request r;
    int rc;
    while ((rc = conn_serve_request(c, &r)) == 1) {
        rc = conn_wait_next_request(c);
        if (rc != 1)
            break;
    }
    if (rc == CONN_PARKED)
        return;
    conn_set_state(c, PFD_WORKER_CLOSING);
    if (!c->broken)
        pfd_conn_flush(c);
    if (c->tls != NULL)
        pfd_conn_tls_end(c); /* close_notify; a lingering close then reads raw bytes */
    if (c->peer_closed || c->broken || rc == CONN_CLOSE_NOW) {
        close(c->fd);
        c->fd = -1;
        return;
    }
    conn_linger_close(c, conn_keeper_available(c));
}

/* Plain HTTP sent to an HTTPS port: a 400 in clear text that says so (as nginx answers), then
 * the close, lingering so that closing on the unread request does not reset the connection
 * under the answer. */
static void conn_answer_plain_http(struct pfd_conn *c)
{
    static const char body[] = "<html>\r\n<head><title>400 The plain HTTP request was sent to "
                               "HTTPS port</title></head>\r\n<body>\r\n<h1>400 Bad Request</h1>\r\n"
                               "<p>The plain HTTP request was sent to HTTPS port.</p>\r\n</body>"
                               "\r\n</html>\r\n";
    char head[256];
    int n = snprintf(head, sizeof(head),
                     "HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                     sizeof(body) - 1);
    pfd_log(PFD_LOG_INFO, "%s: plain HTTP sent to the HTTPS port %s:%d: answered 400", c->peer_ip,
            c->local_ip, c->local_port);
    c->out.len = 0;
    if (pfd_buf_append(&c->out, head, (size_t)n) == 0 &&
        pfd_conn_flush_with(c, body, sizeof(body) - 1, 0) == 0)
        conn_linger_close(c, false);
    else {
        close(c->fd);
        c->fd = -1;
    }
}

/* On a tls_listen connection: the handshake, by deadline (timeouts.header). Until the first byte
 * of the ClientHello there is no TLS state, so a silent client waits in a keeper as a slow head
 * does (with parking) rather than holding this worker. 0 when HTTPS is on; -1 when the connection
 * was closed or parked (a failed handshake is logged at info with OpenSSL's reason: anyone can
 * connect and send anything). */
static int conn_start_tls(struct pfd_conn *c, int64_t deadline)
{
    conn_set_state(c, PFD_WORKER_READING);
    c->tls_hello = true;
    int ready = conn_wait_head_bytes(c, deadline, conn_parking(c));
    c->tls_hello = false;
    if (ready == CONN_PARKED)
        return -1;
    char why[256] = "no ClientHello within timeouts { header }";
    int rc = ready == 1 ? pfd_conn_tls_accept(c, c->server->tls, deadline, why, sizeof(why)) : -1;
    if (rc == 0)
        return 0;
    if (rc == PFD_CONN_TLS_PLAIN_HTTP) {
        conn_answer_plain_http(c);
        return -1;
    }
    pfd_log(PFD_LOG_INFO, "%s: TLS handshake on %s:%d failed: %s", c->peer_ip, c->local_ip,
            c->local_port, why);
    pfd_conn_tls_end(c);
    close(c->fd);
    c->fd = -1;
    return -1;
}

static void conn_start(struct pfd_conn *c, int fd, unsigned requests)
{
    c->fd = fd;
    c->in_len = 0;
    c->out.len = 0;
    c->requests = requests;
    c->broken = false;
    c->peer_closed = false;
    c->head_deadline_ms = 0;
    c->slice_started_ms = pfd_now_ms();
    c->tls_hello = false;
}

void pfd_conn_serve(struct pfd_conn *c, int fd, const struct pfd_listen *listener,
                    const struct sockaddr *peer, socklen_t peer_len)
{
    (void)peer_len;
    conn_start(c, fd, 0);
    conn_set_addresses(c, listener, peer);
    if (conn_read_proxy_header(c, listener) != 0) {
        close(fd);
        c->fd = -1;
        return;
    }
    memcpy(c->conn_peer_ip, c->peer_ip, sizeof(c->conn_peer_ip));
    c->conn_peer_port = c->peer_port;
    int64_t deadline = pfd_now_ms() + (int64_t)c->server->conf->timeouts.header * 1000;
    if (listener->tls && conn_start_tls(c, deadline) != 0)
        return;
    conn_run(c);
}

void pfd_conn_resume(struct pfd_conn *c, int fd, const struct pfd_park_ticket *t, int bytes_fd)
{
    conn_start(c, fd, t->requests);
    memcpy(c->conn_peer_ip, t->peer_ip, sizeof(c->conn_peer_ip));
    memcpy(c->peer_ip, t->peer_ip, sizeof(c->peer_ip));
    memcpy(c->local_ip, t->local_ip, sizeof(c->local_ip));
    c->conn_peer_port = c->peer_port = t->peer_port;
    c->local_port = t->local_port;
    bool bytes_ok = t->bytes <= c->in_cap &&
                    (t->bytes == 0 || pfd_park_read_bytes(bytes_fd, c->in, t->bytes) == 0);
    if (bytes_fd >= 0)
        close(bytes_fd);
    if (!bytes_ok) {
        pfd_log(PFD_LOG_ERR, "%s: a parked head of %u bytes could not be read back: closing",
                c->peer_ip, t->bytes);
        close(fd);
        c->fd = -1;
        return;
    }
    c->in_len = t->bytes;
    if (t->tls_hello) { /* parked before its ClientHello: the handshake keeps its deadline */
        if (conn_start_tls(c, t->deadline_ms) != 0)
            return;
    } else if (t->kind == PFD_PARK_HEAD) {
        c->head_deadline_ms = t->deadline_ms;
    }
    conn_run(c);
}
