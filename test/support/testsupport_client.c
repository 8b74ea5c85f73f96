/*
 * testsupport_client.c — a raw-socket HTTP/1.1 client for the integration tests: it sends
 * exactly the bytes a test gives it and parses responses strictly enough to notice framing
 * errors (a HEAD with a body, a short Content-Length, a bad chunk). Every read has a deadline.
 */
#include "testsupport.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#define TS_MAX_HEADERS 256    /* header lines the client accepts in one response */
#define TS_MAX_CHUNKS 100000  /* chunks in one chunked body */
#define TS_MAX_TRAILERS 64    /* trailer lines after the last chunk */
#define TS_CHUNK_LINE_MAX 256 /* a chunk-size line with extensions */
#define TS_MAX_INTERIM 8      /* 1xx responses skipped before the final one */

const char *ts_result_name(int result)
{
    switch (result) {
    case TS_OK:
        return "ok";
    case TS_CLOSED:
        return "closed by the server before any response byte";
    case TS_RESET:
        return "connection reset";
    case TS_TIMEOUT:
        return "timed out";
    case TS_MALFORMED:
        return "malformed or truncated response";
    default:
        return "socket error";
    }
}

/* ---- the connection ----------------------------------------------------------------------- */

static void conn_set_timeouts(int fd, int timeout_ms)
{
    struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

int ts_address(const char *host, int port, struct sockaddr_storage *addr, socklen_t *len)
{
    memset(addr, 0, sizeof(*addr));
    struct sockaddr_in *v4 = (struct sockaddr_in *)addr;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)addr;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        *len = sizeof(*v4);
        return 0;
    }
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        *len = sizeof(*v6);
        return 0;
    }
    errno = EINVAL;
    return -1;
}

/* A non-blocking connect bounded by timeout_ms; 0, or -1 with errno. */
static int conn_connect(int fd, const struct sockaddr_storage *addr, socklen_t addr_len,
                        int timeout_ms)
{
    int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    int rc = connect(fd, (const struct sockaddr *)addr, addr_len);
    if (rc == -1 && errno == EINPROGRESS) {
        struct pollfd pfd = {.fd = fd, .events = POLLOUT};
        int ready = poll(&pfd, 1, timeout_ms);
        int err = 0;
        socklen_t len = sizeof(err);
        if (ready <= 0)
            err = ready == 0 ? ETIMEDOUT : errno;
        else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
            err = errno;
        rc = err == 0 ? 0 : -1;
        errno = err;
    }
    if (rc == 0)
        fcntl(fd, F_SETFL, flags);
    return rc;
}

/* Connects c to host:port; rcvbuf > 0 sets SO_RCVBUF first. 0, or -1 with errno. */
static int conn_open(struct ts_conn *c, const char *host, int port, int timeout_ms, int rcvbuf)
{
    memset(c, 0, sizeof(*c));
    c->timeout_ms = TS_IO_TIMEOUT_MS;
    c->fd = -1;
    struct sockaddr_storage addr;
    socklen_t addr_len;
    if (ts_address(host, port, &addr, &addr_len) != 0)
        return -1;
    c->fd = socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c->fd == -1)
        return -1;
    if (rcvbuf > 0)
        setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    if (conn_connect(c->fd, &addr, addr_len, timeout_ms) != 0) {
        int err = errno;
        close(c->fd);
        c->fd = -1;
        errno = err;
        return -1;
    }
    conn_set_timeouts(c->fd, c->timeout_ms);
    return 0;
}

int ts_conn_open_rcvbuf(struct ts_conn *c, int port, int timeout_ms, int rcvbuf)
{
    return conn_open(c, TS_HOST, port, timeout_ms, rcvbuf);
}

int ts_conn_open_host(struct ts_conn *c, const char *host, int port, int timeout_ms)
{
    return conn_open(c, host, port, timeout_ms, 0);
}

int ts_conn_open(struct ts_conn *c, int port, int timeout_ms)
{
    return ts_conn_open_rcvbuf(c, port, timeout_ms, 0);
}

void ts_conn_close(struct ts_conn *c)
{
    if (c->fd != -1)
        close(c->fd);
    c->fd = -1;
    free(c->buf);
    c->buf = NULL;
    c->len = c->cap = 0;
}

static int result_from_errno(int err)
{
    if (err == ECONNRESET || err == EPIPE || err == ECONNABORTED)
        return TS_RESET;
    if (err == EAGAIN || err == EWOULDBLOCK || err == ETIMEDOUT)
        return TS_TIMEOUT;
    return TS_ERROR;
}

int ts_conn_send(struct ts_conn *c, const void *data, size_t len)
{
    const char *p = data;
    for (int i = 0; len > 0 && i < 100000; i++) {
        ssize_t put = send(c->fd, p, len, MSG_NOSIGNAL);
        if (put == -1 && errno == EINTR)
            continue;
        if (put <= 0) {
            c->err = put == 0 ? EPIPE : errno;
            return result_from_errno(c->err);
        }
        p += put;
        len -= (size_t)put;
    }
    return len == 0 ? TS_OK : TS_TIMEOUT;
}

int ts_conn_send_str(struct ts_conn *c, const char *s)
{
    return ts_conn_send(c, s, strlen(s));
}

/* Receives more bytes before deadline: how many (> 0), or TS_CLOSED / an error result. */
static int conn_fill(struct ts_conn *c, double deadline)
{
    if (c->eof)
        return TS_CLOSED;
    if (c->cap - c->len < 16384) {
        size_t cap = c->cap == 0 ? 65536 : c->cap * 2;
        char *bigger = realloc(c->buf, cap);
        if (bigger == NULL)
            return TS_ERROR;
        c->buf = bigger;
        c->cap = cap;
    }
    for (int i = 0; i < 1000; i++) {
        int left_ms = (int)((deadline - ts_now()) * 1000);
        if (left_ms <= 0)
            return TS_TIMEOUT;
        struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
        int ready = poll(&pfd, 1, left_ms);
        if (ready == -1 && errno == EINTR)
            continue;
        if (ready == 0)
            return TS_TIMEOUT;
        ssize_t got = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
        if (got == -1 && errno == EINTR)
            continue;
        if (got == 0) {
            c->eof = true;
            return TS_CLOSED;
        }
        if (got < 0) {
            c->err = errno;
            return result_from_errno(c->err);
        }
        c->len += (size_t)got;
        c->received += (unsigned long long)got;
        return (int)got;
    }
    return TS_TIMEOUT;
}

static void conn_consume(struct ts_conn *c, size_t n)
{
    memmove(c->buf, c->buf + n, c->len - n);
    c->len -= n;
}

/* Until the buffer holds needle within its first max bytes; *end = offset just past it. */
static int conn_read_until(struct ts_conn *c, const char *needle, size_t max, double deadline,
                           size_t *end)
{
    size_t nlen = strlen(needle);
    for (int i = 0; i < 100000; i++) {
        char *hit = c->len >= nlen ? memmem(c->buf, c->len, needle, nlen) : NULL;
        if (hit != NULL && (size_t)(hit - c->buf) + nlen <= max) {
            *end = (size_t)(hit - c->buf) + nlen;
            return TS_OK;
        }
        if (c->len >= max)
            return TS_MALFORMED;
        int got = conn_fill(c, deadline);
        if (got < 0)
            return got;
    }
    return TS_TIMEOUT;
}

int ts_conn_wait_for(struct ts_conn *c, const char *needle, int timeout_ms)
{
    size_t end;
    return conn_read_until(c, needle, 2 * TS_MAX_HEAD, ts_now() + timeout_ms / 1000.0, &end);
}

/* Until the buffer holds at least n bytes. */
static int conn_need(struct ts_conn *c, size_t n, double deadline)
{
    for (int i = 0; c->len < n && i < 1000000; i++) {
        int got = conn_fill(c, deadline);
        if (got < 0)
            return got;
    }
    return c->len >= n ? TS_OK : TS_TIMEOUT;
}

bool ts_conn_closed_within(struct ts_conn *c, int timeout_ms)
{
    double deadline = ts_now() + timeout_ms / 1000.0;
    for (int i = 0; i < 100000; i++) {
        c->len = 0; /* whatever the server says before closing (a 408, say) is dropped */
        int got = conn_fill(c, deadline);
        if (got == TS_CLOSED || got == TS_RESET)
            return true;
        if (got < 0)
            return false;
    }
    return false;
}

/* ---- the response ------------------------------------------------------------------------- */

static int body_append(struct ts_response *r, const char *data, size_t n)
{
    if (r->body_len + n > TS_MAX_BODY)
        return TS_MALFORMED;
    char *bigger = realloc(r->body, r->body_len + n + 1);
    if (bigger == NULL)
        return TS_ERROR;
    r->body = bigger;
    memcpy(r->body + r->body_len, data, n);
    r->body_len += n;
    r->body[r->body_len] = '\0';
    return TS_OK;
}

/* "HTTP/1.x SSS reason" */
static int parse_status_line(struct ts_response *r, const char *line)
{
    int minor, status, used = 0;
    if (sscanf(line, "HTTP/1.%1d %3d%n", &minor, &status, &used) != 2 || used != 12)
        return TS_MALFORMED;
    if (line[used] != '\0' && line[used] != ' ')
        return TS_MALFORMED;
    r->minor_version = minor;
    r->status = status;
    snprintf(r->reason, sizeof(r->reason), "%s", line[used] == ' ' ? line + used + 1 : "");
    return status >= 100 && status <= 999 ? TS_OK : TS_MALFORMED;
}

static int parse_header_line(struct ts_response *r, char *line)
{
    char *colon = strchr(line, ':');
    if (colon == NULL || colon == line || r->nheaders >= TS_MAX_HEADERS)
        return TS_MALFORMED;
    *colon = '\0';
    char *value = colon + 1;
    while (*value == ' ' || *value == '\t')
        value++;
    size_t vlen = strlen(value);
    while (vlen > 0 && (value[vlen - 1] == ' ' || value[vlen - 1] == '\t'))
        value[--vlen] = '\0';
    struct ts_header *bigger = realloc(r->headers, (r->nheaders + 1) * sizeof(*bigger));
    if (bigger == NULL)
        return TS_ERROR;
    r->headers = bigger;
    r->headers[r->nheaders].name = strdup(line);
    r->headers[r->nheaders].value = strdup(value);
    r->nheaders++;
    return TS_OK;
}

/* The head (status line, headers, without the final CRLF CRLF) into r. */
static int parse_head(struct ts_response *r, const char *head, size_t len)
{
    char *copy = strndup(head, len);
    if (copy == NULL)
        return TS_ERROR;
    char *save = NULL;
    char *line = strtok_r(copy, "\r\n", &save);
    int rc = line != NULL ? parse_status_line(r, line) : TS_MALFORMED;
    while (rc == TS_OK && (line = strtok_r(NULL, "\r\n", &save)) != NULL)
        rc = parse_header_line(r, line);
    free(copy);
    return rc;
}

static int read_body_length(struct ts_conn *c, struct ts_response *r, size_t n, double deadline)
{
    if (n > TS_MAX_BODY)
        return TS_MALFORMED;
    int rc = conn_need(c, n, deadline);
    if (rc != TS_OK)
        return rc;
    rc = body_append(r, c->buf, n);
    conn_consume(c, n);
    return rc;
}

static int read_body_close(struct ts_conn *c, struct ts_response *r, double deadline)
{
    for (int i = 0; i < 1000000; i++) {
        int rc = body_append(r, c->buf, c->len);
        c->len = 0;
        if (rc != TS_OK)
            return rc;
        int got = conn_fill(c, deadline);
        if (got == TS_CLOSED)
            return TS_OK;
        if (got < 0)
            return got;
    }
    return TS_MALFORMED;
}

/* The trailer section after the last chunk, up to its empty line. */
static int read_trailers(struct ts_conn *c, double deadline)
{
    for (int i = 0; i < TS_MAX_TRAILERS; i++) {
        size_t end;
        int rc = conn_read_until(c, "\r\n", TS_CHUNK_LINE_MAX, deadline, &end);
        if (rc != TS_OK)
            return rc;
        conn_consume(c, end);
        if (end == 2)
            return TS_OK;
    }
    return TS_MALFORMED;
}

static int read_body_chunked(struct ts_conn *c, struct ts_response *r, double deadline)
{
    for (int i = 0; i < TS_MAX_CHUNKS; i++) {
        size_t end;
        int rc = conn_read_until(c, "\r\n", TS_CHUNK_LINE_MAX, deadline, &end);
        if (rc != TS_OK)
            return rc;
        char *stop;
        unsigned long long size = strtoull(c->buf, &stop, 16);
        if (stop == c->buf || !isxdigit((unsigned char)c->buf[0]) ||
            (*stop != '\r' && *stop != ';' && *stop != ' ') || size > TS_MAX_BODY)
            return TS_MALFORMED;
        conn_consume(c, end);
        if (size == 0)
            return read_trailers(c, deadline);
        rc = conn_need(c, (size_t)size + 2, deadline);
        if (rc != TS_OK)
            return rc;
        if (memcmp(c->buf + size, "\r\n", 2) != 0)
            return TS_MALFORMED;
        rc = body_append(r, c->buf, (size_t)size);
        conn_consume(c, (size_t)size + 2);
        if (rc != TS_OK)
            return rc;
    }
    return TS_MALFORMED;
}

/* Content-Length as a number; -1 when absent, -2 when malformed. */
static long long response_content_length(const struct ts_response *r)
{
    const char *text = ts_response_header(r, "Content-Length");
    if (text == NULL)
        return -1;
    char *end;
    errno = 0;
    long long n = strtoll(text, &end, 10);
    if (!isdigit((unsigned char)text[0]) || *end != '\0' || errno != 0)
        return -2;
    return n;
}

static int read_body(struct ts_conn *c, struct ts_response *r, bool head_request, double deadline)
{
    if (head_request || r->status / 100 == 1 || r->status == 204 || r->status == 304)
        return TS_OK;
    r->chunked = ts_response_header_has(r, "Transfer-Encoding", "chunked");
    if (r->chunked)
        return read_body_chunked(c, r, deadline);
    long long length = response_content_length(r);
    if (length == -2)
        return TS_MALFORMED;
    if (length >= 0)
        return read_body_length(c, r, (size_t)length, deadline);
    return read_body_close(c, r, deadline);
}

int ts_response_read(struct ts_conn *c, struct ts_response *r, bool head_request)
{
    memset(r, 0, sizeof(*r));
    double deadline = ts_now() + c->timeout_ms / 1000.0;
    size_t head_end;
    int rc = conn_read_until(c, "\r\n\r\n", TS_MAX_HEAD, deadline, &head_end);
    if (rc == TS_CLOSED && c->len > 0)
        rc = TS_MALFORMED; /* part of a head, then the close */
    if (rc == TS_OK)
        rc = parse_head(r, c->buf, head_end - 4);
    if (rc == TS_OK) {
        conn_consume(c, head_end);
        rc = read_body(c, r, head_request, deadline);
        if (rc == TS_CLOSED)
            rc = TS_MALFORMED; /* the body was cut short */
    }
    if (rc == TS_OK && r->body == NULL)
        rc = body_append(r, "", 0);
    return rc;
}

int ts_response_read_final(struct ts_conn *c, struct ts_response *r, bool head_request)
{
    int rc = TS_MALFORMED;
    for (int i = 0; i <= TS_MAX_INTERIM; i++) {
        rc = ts_response_read(c, r, head_request);
        if (rc != TS_OK || r->status >= 200)
            return rc;
        ts_response_free(r);
    }
    return TS_MALFORMED;
}

void ts_response_free(struct ts_response *r)
{
    for (size_t i = 0; i < r->nheaders; i++) {
        free(r->headers[i].name);
        free(r->headers[i].value);
    }
    free(r->headers);
    free(r->body);
    memset(r, 0, sizeof(*r));
}

const char *ts_response_header(const struct ts_response *r, const char *name)
{
    for (size_t i = 0; i < r->nheaders; i++) {
        if (strcasecmp(r->headers[i].name, name) == 0)
            return r->headers[i].value;
    }
    return NULL;
}

/* Whether a comma-separated list holds token (case-insensitive, spaces ignored). */
static bool list_has(const char *list, const char *token)
{
    size_t tlen = strlen(token);
    for (const char *p = list; *p != '\0';) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        size_t n = strcspn(p, ",");
        size_t trimmed = n;
        while (trimmed > 0 && (p[trimmed - 1] == ' ' || p[trimmed - 1] == '\t'))
            trimmed--;
        if (trimmed == tlen && strncasecmp(p, token, tlen) == 0)
            return true;
        p += n;
    }
    return false;
}

bool ts_response_header_has(const struct ts_response *r, const char *name, const char *token)
{
    for (size_t i = 0; i < r->nheaders; i++) {
        if (strcasecmp(r->headers[i].name, name) == 0 && list_has(r->headers[i].value, token))
            return true;
    }
    return false;
}

const char *ts_response_describe(const struct ts_response *r)
{
    static char text[512];
    char excerpt[81];
    size_t n = 0;
    for (; r->body != NULL && n < r->body_len && n < sizeof(excerpt) - 1; n++)
        excerpt[n] = isprint((unsigned char)r->body[n]) ? r->body[n] : '.';
    excerpt[n] = '\0';
    const char *connection = ts_response_header(r, "Connection");
    const char *length = ts_response_header(r, "Content-Length");
    snprintf(text, sizeof(text),
             "HTTP/1.%d %d %s; Connection: %s; Content-Length: %s; body %zu bytes: \"%s\"",
             r->minor_version, r->status, r->reason, connection ? connection : "(none)",
             length ? length : "(none)", r->body_len, excerpt);
    return text;
}

/* ---- one-shot requests -------------------------------------------------------------------- */

int ts_request(int port, const char *raw, struct ts_response *r)
{
    return ts_request_host(TS_HOST, port, raw, r);
}

int ts_request_host(const char *host, int port, const char *raw, struct ts_response *r)
{
    memset(r, 0, sizeof(*r));
    struct ts_conn c;
    if (ts_conn_open_host(&c, host, port, 5000) != 0)
        return TS_ERROR;
    int rc = ts_conn_send_str(&c, raw);
    bool head = strncmp(raw, "HEAD ", 5) == 0;
    if (rc == TS_OK || rc == TS_RESET) /* the server may answer and close before we finish */
        rc = ts_response_read_final(&c, r, head);
    ts_conn_close(&c);
    return rc;
}

int ts_get(int port, const char *path, struct ts_response *r)
{
    char raw[1024];
    snprintf(raw, sizeof(raw),
             "GET %.900s HTTP/1.1\r\nHost: " TS_HOST "\r\nConnection: close\r\n\r\n", path);
    return ts_request(port, raw, r);
}

int ts_get_status(int port, const char *path)
{
    struct ts_response r;
    int rc = ts_get(port, path, &r);
    int status = rc == TS_OK ? r.status : rc;
    ts_response_free(&r);
    return status;
}
