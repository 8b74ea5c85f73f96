/*
 * mod_proxy.c — a reverse proxy to an application server (Gunicorn, uWSGI's HTTP mode, a Node
 * app): what nginx's proxy_pass and Apache's ProxyPass do in front of a WSGI app.
 *
 * A request becomes an upstream exchange in four steps, each its own group of functions below:
 *   head    — the request head for the upstream: the path mapped (proxy_prefix → the upstream
 *             URL's path), hop-by-hop fields dropped (RFC 9110 §7.6.1), X-Forwarded-* and
 *             Forwarded (RFC 7239) set from the client as the core sees it;
 *   connect — a kept connection of this worker (proxy_conn.c), else a new one, upstreams tried in
 *             turn while they refuse or time out at connect (one that did is skipped for
 *             fail_timeout while others are left);
 *   send    — the head, then the body streamed from the client (re-chunked when it came chunked);
 *   relay   — the response head parsed (cgi_parse.c, as for an nph- script), its hop-by-hop
 *             fields dropped, Location and Set-Cookie paths mapped back, then the body streamed to
 *             the client through a buffer of fixed size (Content-Length, chunked or the close).
 * A request sent on a kept connection the upstream had closed meanwhile is sent again once, on a
 * new connection, when nothing of the response came and the method is idempotent (RFC 9110
 * §9.2.2). Failures before the response head are 502 (refused, garbage, a head too large) or 504
 * (a timeout), logged with the upstream and the reason; the core writes the page.
 */
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cgi_parse.h"
#include "preforkd/module.h"
#include "proxy_chunked.h"
#include "proxy_conn.h"
#include "proxy_upstream.h"

static int proxy_init(struct pfd_server *server, cfg_t *section, void **conf);
static int proxy_location_init(struct pfd_server *server, cfg_t *location, void *main_conf,
                               void **conf);
static void proxy_fini(void *conf);
static int proxy_handle(struct pfd_request *r, void *conf);

static cfg_opt_t proxy_options[] = {
    CFG_INT("connect_timeout", 5, CFGF_NONE),   /* seconds, as every timeout here */
    CFG_INT("send_timeout", 60, CFGF_NONE),     /* per wait, not per exchange */
    CFG_INT("read_timeout", 60, CFGF_NONE),     /* per wait, not per exchange */
    CFG_INT("keepalive", 2, CFGF_NONE),         /* per upstream and worker */
    CFG_INT("keepalive_timeout", 4, CFGF_NONE), /* under Gunicorn's own 5 s (the example) */
    CFG_BOOL("preserve_host", cfg_true, CFGF_NONE),
    CFG_INT("fail_timeout", 10, CFGF_NONE),    /* nginx's default too */
    CFG_STR("balance", "failover", CFGF_NONE), /* or "round-robin" */
    CFG_END(),
};

static cfg_opt_t proxy_location_options[] = {
    CFG_STR_LIST("proxy_pass", "{}", CFGF_NODEFAULT),
    CFG_STR("proxy_prefix", "/", CFGF_NODEFAULT),
    CFG_INT("proxy_connect_timeout", 0, CFGF_NODEFAULT),
    CFG_INT("proxy_send_timeout", 0, CFGF_NODEFAULT),
    CFG_INT("proxy_read_timeout", 0, CFGF_NODEFAULT),
    CFG_BOOL("proxy_preserve_host", cfg_true, CFGF_NODEFAULT),
    CFG_INT("proxy_fail_timeout", 0, CFGF_NODEFAULT),
    CFG_STR("proxy_balance", "failover", CFGF_NODEFAULT),
    CFG_END(),
};

PFD_API struct pfd_module pfd_module_proxy = {
    .api_version = PFD_MODULE_API_VERSION,
    .name = "proxy",
    .options = proxy_options,
    .init = proxy_init,
    .handle = proxy_handle,
    .fini = proxy_fini,
    .location_options = proxy_location_options,
    .location_init = proxy_location_init,
};

#define PROXY_IO_BUF (64 * 1024) /* one read from the upstream or the client */
#define PROXY_CHUNK_PAD 24       /* room for "<hex size>\r\n" before a re-chunked piece */
#define PROXY_TIMEOUT_MAX 86400  /* bounds every timeout (seconds) */
#define PROXY_KEEPALIVE_MAX 8    /* kept connections per upstream and worker */
#define PROXY_UPSTREAMS_MAX 16   /* entries of one proxy_pass list */
#define PROXY_INTERIM_MAX 8      /* 1xx responses before the final one (100, 102, 103) */
#define PROXY_JOIN_MAX 16        /* pieces of one proxy_buf_join() */
#define PROXY_SECONDS_TEXT 32    /* "18446744073709551.615" and its NUL fit */
#define PROXY_TURN_SLOTS 64      /* locations with round-robin, per worker */
#define PROXY_HEAD_KEEP 16384    /* a head buffer up to this size is kept for the next request */

/* ---- configuration ------------------------------------------------------------------------ */

struct proxy_conf {
    long connect_timeout, send_timeout, read_timeout; /* seconds, per wait (nginx's meaning) */
    long keepalive;                                   /* kept connections per upstream, 0: none */
    long keepalive_timeout; /* seconds a kept connection may idle before it is closed */
    long fail_timeout;      /* seconds an upstream that failed to connect is skipped, 0: never */
    int balance;            /* PROXY_BALANCE_…: where in the list a request starts */
    bool preserve_host;     /* pass the client's Host (else the upstream's authority) */
    struct pfd_option_list pass; /* proxy_pass: upstreams, tried in turn while they fail */
    char *prefix;                /* proxy_prefix: the client's path the upstream path replaces */
    struct proxy_upstream *ups;  /* pass, parsed (location confs only) */
    size_t nups;
};

enum proxy_balance {
    PROXY_BALANCE_FAILOVER,    /* always the first that works, in the list's order */
    PROXY_BALANCE_ROUND_ROBIN, /* each request starts one further down the list */
};
static const char *const proxy_balance_words[] = {"failover", "round-robin", NULL};

static const char *proxy_check_pass(const char *entry)
{
    struct proxy_upstream u;
    return proxy_upstream_parse(entry, &u);
}

static const char *proxy_check_prefix(const char *value)
{
    if (value[0] != '/' || value[strlen(value) - 1] != '/')
        return "must start and end with '/' (\"/app/\")";
    return strlen(value) >= PROXY_PATH_MAX ? "too long" : NULL;
}

#define PROXY_AT(field) offsetof(struct proxy_conf, field)
static const struct pfd_option proxy_table[] = {
    {"connect_timeout", "proxy_connect_timeout", PFD_OPTION_INT, PROXY_AT(connect_timeout), 1,
     PROXY_TIMEOUT_MAX, NULL, NULL, NULL},
    {"send_timeout", "proxy_send_timeout", PFD_OPTION_INT, PROXY_AT(send_timeout), 1,
     PROXY_TIMEOUT_MAX, NULL, NULL, NULL},
    {"read_timeout", "proxy_read_timeout", PFD_OPTION_INT, PROXY_AT(read_timeout), 1,
     PROXY_TIMEOUT_MAX, NULL, NULL, NULL},
    {"keepalive", NULL, PFD_OPTION_INT, PROXY_AT(keepalive), 0, PROXY_KEEPALIVE_MAX, NULL, NULL,
     NULL},
    {"keepalive_timeout", NULL, PFD_OPTION_INT, PROXY_AT(keepalive_timeout), 1, PROXY_TIMEOUT_MAX,
     NULL, NULL, NULL},
    {"fail_timeout", "proxy_fail_timeout", PFD_OPTION_INT, PROXY_AT(fail_timeout), 0,
     PROXY_TIMEOUT_MAX, NULL, NULL, NULL},
    {"balance", "proxy_balance", PFD_OPTION_WORD, PROXY_AT(balance), 0, 0, proxy_balance_words,
     NULL, NULL},
    {"preserve_host", "proxy_preserve_host", PFD_OPTION_BOOL, PROXY_AT(preserve_host), 0, 0, NULL,
     NULL, NULL},
    {NULL, "proxy_pass", PFD_OPTION_LIST, PROXY_AT(pass), 0, 0, NULL, proxy_check_pass, NULL},
    {NULL, "proxy_prefix", PFD_OPTION_STRING, PROXY_AT(prefix), 0, 0, NULL, proxy_check_prefix,
     NULL},
    PFD_OPTIONS_END,
};
#undef PROXY_AT

static int proxy_init(struct pfd_server *server, cfg_t *section, void **conf)
{
    (void)server;
    return pfd_options_new(&pfd_module_proxy, section, proxy_table, sizeof(struct proxy_conf),
                           conf);
}

/* proxy_pass parsed into pc->ups (the check already vouched for each entry's syntax). */
static int proxy_conf_upstreams(struct proxy_conf *pc)
{
    if (pc->pass.n == 0 || pc->pass.n > PROXY_UPSTREAMS_MAX) {
        pfd_log(PFD_LOG_EMERG, "module \"proxy\": a location with proxy options needs proxy_pass "
                               "(1 to 16 upstreams)");
        return -1;
    }
    pc->ups = calloc(pc->pass.n, sizeof(*pc->ups));
    if (pc->ups == NULL)
        return -1;
    for (size_t i = 0; i < pc->pass.n; i++) {
        const char *why = proxy_upstream_parse(pc->pass.v[i], &pc->ups[i]);
        if (why != NULL) {
            pfd_log(PFD_LOG_EMERG, "module \"proxy\": proxy_pass \"%s\": %s", pc->pass.v[i], why);
            return -1;
        }
    }
    pc->nups = pc->pass.n;
    if (pc->prefix == NULL || pc->prefix[0] == '\0') {
        free(pc->prefix);
        pc->prefix = strdup("/");
    }
    return pc->prefix != NULL ? 0 : -1;
}

static int proxy_location_init(struct pfd_server *server, cfg_t *location, void *main_conf,
                               void **conf)
{
    (void)server;
    if (pfd_options_merge(&pfd_module_proxy, location, proxy_table, main_conf,
                          sizeof(struct proxy_conf), conf) != 0)
        return -1;
    struct proxy_conf *pc = *conf;
    pc->ups = NULL;
    pc->nups = 0;
    return proxy_conf_upstreams(pc);
}

static void proxy_fini(void *conf)
{
    struct proxy_conf *pc = conf;
    if (pc == NULL)
        return;
    free(pc->ups);
    pfd_options_free(proxy_table, pc);
    free(pc);
}

/* ---- one exchange --------------------------------------------------------------------------- */

enum proxy_framing {
    PROXY_BODY_NONE,    /* HEAD, 1xx, 204, 304 */
    PROXY_BODY_LENGTH,  /* Content-Length */
    PROXY_BODY_CHUNKED, /* Transfer-Encoding: chunked */
    PROXY_BODY_CLOSE,   /* until the upstream closes (RFC 9112 §6.3 item 8) */
    PROXY_TUNNEL,       /* 101 to an Upgrade: bytes both ways until either side closes */
};

/* What one request to an upstream holds, from the head it sends to the body it relays. */
struct proxy_run {
    struct pfd_request *r;
    const struct proxy_conf *pc;
    const struct proxy_upstream *u; /* the one being tried */
    int fd;                         /* to u, or -1 */
    bool reused;                    /* fd came from the pool */
    struct pfd_buf head;            /* the request head for the upstream */
    const char *sent_host;          /* the Host it carries */
    bool body_started; /* client body bytes were read: the request cannot be replayed */
    int64_t started_ms;
    size_t in_len;   /* bytes in proxy_in: the response head, then what followed it */
    size_t head_end; /* where the head ends in proxy_in */
    enum proxy_framing framing;
    int64_t left; /* PROXY_BODY_LENGTH: body bytes still to come */
    struct proxy_chunked chunked;
    bool upstream_close; /* the upstream will close: do not keep the connection */
    bool upgrade;        /* the client asked for an Upgrade (WebSocket), passed on */
    struct {
        int status;      /* 502 refused, 504 timed out */
        const char *why; /* for the log */
        int err;
    } refusal; /* why the last connect() failed, when it did */
};

/* One request at a time per worker: the buffers are the worker's, not the request's. */
static char proxy_in[CGI_HEAD_MAX];
static char proxy_io[PROXY_CHUNK_PAD + PROXY_IO_BUF + 2];
/* The last request head's memory, for the next one (no malloc() per request); a head that grew
 * past PROXY_HEAD_KEEP is freed instead, so a worker holds at most that much. */
static struct pfd_buf proxy_head_spare;

static struct pfd_buf proxy_head_take(void)
{
    struct pfd_buf b = proxy_head_spare;
    proxy_head_spare = (struct pfd_buf)PFD_BUF_INIT;
    b.len = 0;
    return b;
}

static void proxy_head_return(struct pfd_buf *b)
{
    if (b->cap <= PROXY_HEAD_KEEP && proxy_head_spare.data == NULL)
        proxy_head_spare = *b;
    else
        pfd_buf_free(b);
    *b = (struct pfd_buf)PFD_BUF_INIT;
}

static int proxy_fail(struct proxy_run *run, int status, const char *why, int err)
{
    pfd_log(PFD_LOG_ERR, "proxy: %s %s: upstream %s: %s%s%s (%d)", pfd_request_method_name(run->r),
            pfd_request_target(run->r), run->u != NULL ? run->u->name : "-", why,
            err != 0 ? ": " : "", err != 0 ? strerror(err) : "", status);
    return status;
}

static void proxy_close(struct proxy_run *run)
{
    if (run->fd >= 0)
        close(run->fd);
    run->fd = -1;
}

/* ---- head: the request for the upstream ------------------------------------------------------ */

/* Whether name is one of the comma-separated tokens of list (a Connection value). */
static bool proxy_list_has(const char *list, const char *name)
{
    struct pfd_http_element e;
    size_t len = strlen(name);
    for (const char *p = list; (p = pfd_http_list_next(p, &e)) != NULL;)
        if (e.name_len == len && strncasecmp(e.name, name, len) == 0)
            return true;
    return false;
}

/* Whether name is one of the n names of set, case-insensitively. The first letter sorts most
 * fields out before strcasecmp(): this runs for every field of every request and response. */
static bool proxy_name_in(const char *name, const char *const *set, size_t n)
{
    int first = tolower((unsigned char)name[0]);
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)set[i][0]) == first && strcasecmp(name, set[i]) == 0)
            return true;
    return false;
}

/* RFC 9110 §7.6.1: fields that concern one connection only, never forwarded. */
static bool proxy_hop_by_hop(const char *name)
{
    static const char *const hop[] = {"Connection",          "Keep-Alive", "Proxy-Connection",
                                      "Proxy-Authenticate",  "TE",         "Trailer",
                                      "Proxy-Authorization", "Upgrade",    "Transfer-Encoding"};
    return proxy_name_in(name, hop, sizeof(hop) / sizeof(hop[0]));
}

/* Client fields this module sets itself, from what the core knows, instead of passing them. */
static bool proxy_replaced_field(const char *name)
{
    static const char *const own[] = {"Host",
                                      "Content-Length",
                                      "Expect",
                                      "X-Forwarded-For",
                                      "X-Forwarded-Proto",
                                      "X-Forwarded-Host",
                                      "Forwarded"};
    return proxy_name_in(name, own, sizeof(own) / sizeof(own[0]));
}

/* The n strings of parts one after the other onto b: one reserve and copies, no printf (the
 * head is built from these for every request). 0, or -1 when memory runs out. */
static int proxy_buf_join(struct pfd_buf *b, const char *const *parts, size_t n)
{
    size_t lens[PROXY_JOIN_MAX], total = 0;
    if (n > PROXY_JOIN_MAX)
        return -1;
    for (size_t i = 0; i < n; i++)
        total += lens[i] = strlen(parts[i]);
    if (pfd_buf_reserve(b, total + 1) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        memcpy(b->data + b->len, parts[i], lens[i]);
        b->len += lens[i];
    }
    b->data[b->len] = '\0';
    return 0;
}

/* "name: value\r\n" onto b. */
static int proxy_buf_field(struct pfd_buf *b, const char *name, const char *value)
{
    const char *parts[] = {name, ": ", value, "\r\n"};
    return proxy_buf_join(b, parts, sizeof(parts) / sizeof(parts[0]));
}

/* The request line's target: the routed path (decoded, normalised: what access rules saw)
 * escaped again, mapped from proxy_prefix to the upstream's path, and the query as sent. */
static const char *proxy_target(struct proxy_run *run)
{
    struct pfd_request *r = run->r;
    const char *path = pfd_request_path(r), *query = pfd_request_query(r);
    size_t esc_size = 3 * strlen(path) + 1;
    char *escaped = pfd_request_alloc(r, esc_size);
    size_t out_size = esc_size + PROXY_PATH_MAX;
    char *mapped = pfd_request_alloc(r, out_size);
    if (pfd_uri_escape_path(path, escaped, esc_size) != 0 ||
        proxy_path_to_upstream(escaped, run->pc->prefix, run->u->path, mapped, out_size) != 0)
        return NULL;
    if (query == NULL)
        return mapped;
    size_t mlen = strlen(mapped), qlen = strlen(query);
    char *target = pfd_request_alloc(r, mlen + qlen + 2);
    memcpy(target, mapped, mlen);
    target[mlen] = '?';
    memcpy(target + mlen + 1, query, qlen + 1);
    return target;
}

/* X-Forwarded-For/-Proto/-Host, the de facto fields Werkzeug's ProxyFix and Django read, and
 * RFC 7239's Forwarded: the client the core settled on (after trusted_proxies and PROXY), not
 * what the client claims (the incoming ones were dropped). */
static int proxy_forwarded_fields(struct proxy_run *run, const char *client_host)
{
    struct pfd_request *r = run->r;
    const char *ip = pfd_request_peer_ip(r), *scheme = pfd_request_scheme(r);
    bool v6 = strchr(ip, ':') != NULL;
    const char *parts[] = {"X-Forwarded-For: ", ip, "\r\nX-Forwarded-Proto: ", scheme,
                           "\r\nX-Forwarded-Host: ", client_host,
                           /* §6.1: an IPv6 node in brackets and quotes; the host is a
                            * quoted-string (it may hold ':') */
                           "\r\nForwarded: for=", v6 ? "\"[" : "", ip, v6 ? "]\"" : "",
                           ";proto=", scheme, ";host=\"", client_host, "\"\r\n"};
    return proxy_buf_join(&run->head, parts, sizeof(parts) / sizeof(parts[0]));
}

/* The client's fields the upstream gets: all but hop-by-hop ones, those Connection names, and
 * those set here. */
static int proxy_client_fields(struct proxy_run *run)
{
    struct pfd_request *r = run->r;
    const char *connection = pfd_request_header(r, "Connection");
    int rc = 0;
    for (size_t i = 0; i < pfd_request_header_count(r); i++) {
        const char *name, *value;
        pfd_request_header_at(r, i, &name, &value);
        if (proxy_hop_by_hop(name) || proxy_replaced_field(name) ||
            (connection != NULL && proxy_list_has(connection, name)))
            continue;
        rc |= proxy_buf_field(&run->head, name, value);
    }
    return rc;
}

static int proxy_head_build(struct proxy_run *run)
{
    struct pfd_request *r = run->r;
    const char *target = proxy_target(run);
    if (target == NULL)
        return -1;
    const char *client_host = pfd_request_header(r, "Host");
    if (client_host == NULL)
        client_host = pfd_request_server_name(r);
    run->sent_host = run->pc->preserve_host ? client_host : run->u->authority;
    run->head.len = 0;
    const char *line[] = {
        pfd_request_method_name(r), " ", target, " HTTP/1.1\r\nHost: ", run->sent_host, "\r\n"};
    int rc = proxy_buf_join(&run->head, line, sizeof(line) / sizeof(line[0]));
    rc |= proxy_client_fields(run);
    rc |= proxy_forwarded_fields(run, client_host);
    int64_t length = pfd_request_content_length(r);
    if (pfd_request_has_body(r))
        rc |= length >= 0 ? pfd_buf_append_str(&run->head, "Content-Length: ") |
                                pfd_buf_append_int(&run->head, length) |
                                pfd_buf_append_str(&run->head, "\r\n")
                          : pfd_buf_append_str(&run->head, "Transfer-Encoding: chunked\r\n");
    else if (pfd_request_header(r, "Content-Length") != NULL) /* a POST of nothing says so */
        rc |= pfd_buf_append_str(&run->head, "Content-Length: 0\r\n");
    const char *upgrade = pfd_request_header(r, "Upgrade"),
               *conn = pfd_request_header(r, "Connection");
    /* RFC 9110 §7.8: Upgrade is hop-by-hop, so the proxy asks for it again on its own connection
     * (nginx needs proxy_set_header for this; a GET without a body only, as WebSocket's). */
    run->upgrade = upgrade != NULL && conn != NULL && proxy_list_has(conn, "upgrade") &&
                   pfd_request_method(r) == PFD_METHOD_GET && !pfd_request_has_body(r) &&
                   strcmp(pfd_request_scheme(r), "http") == 0; /* no tunnel inside TLS yet */
    if (run->upgrade)
        rc |= proxy_buf_field(&run->head, "Upgrade", upgrade) |
              pfd_buf_append_str(&run->head, "Connection: Upgrade\r\n");
    else if (run->pc->keepalive == 0)
        rc |= pfd_buf_append_str(&run->head, "Connection: close\r\n");
    rc |= pfd_buf_append_str(&run->head, "\r\n");
    return rc;
}

/* ---- send: the head and the body ---------------------------------------------------------- */

/* Why an attempt on one upstream ended before a usable response head. */
enum proxy_outcome {
    PROXY_OK = 0,
    PROXY_NEXT = 1,  /* refused: the next upstream may take it */
    PROXY_STALE = 2, /* a kept connection had been closed: a new one may take it */
};

/* The client's body to the upstream, piece by piece through proxy_io: as it came with a
 * Content-Length, else as chunks (RFC 9112 §7.1). 0, or an error status (logged). */
static int proxy_send_body(struct proxy_run *run)
{
    struct pfd_request *r = run->r;
    bool chunked = pfd_request_content_length(r) < 0;
    int timeout = (int)run->pc->send_timeout * 1000;
    for (;;) {
        char *data = proxy_io + PROXY_CHUNK_PAD;
        ssize_t n = pfd_request_body_read(r, data, PROXY_IO_BUF);
        if (n < 0)
            return pfd_request_body_error(r); /* the client's fault: 400, 408, 413 */
        run->body_started = true;
        const char *out = data;
        size_t len = (size_t)n;
        if (chunked) {
            char size_line[PROXY_CHUNK_PAD];
            int hl = snprintf(size_line, sizeof(size_line), "%zx\r\n", (size_t)n);
            memcpy(data - hl, size_line, (size_t)hl);
            memcpy(data + n, n == 0 ? "\r\n" : "\r\n", 2);
            out = data - hl;
            len = (size_t)n + (size_t)hl + 2;
        }
        if (len > 0 && proxy_send_all(run->fd, out, len, timeout) != 0)
            return proxy_fail(run, errno == ETIMEDOUT ? 504 : 502, "sending the request body",
                              errno);
        if (n == 0)
            return 0;
    }
}

/* ---- relay: the response head ------------------------------------------------------------ */

/* Reads until proxy_in holds a complete head that is not an interim 1xx (those are dropped:
 * the core answered the client's Expect itself). PROXY_OK, PROXY_STALE, or an error status. */
static int proxy_read_head(struct proxy_run *run)
{
    int timeout = (int)run->pc->read_timeout * 1000;
    size_t scanned = 0;
    int interims = 0;
    run->in_len = 0;
    for (;;) {
        size_t end = cgi_head_end(proxy_in, run->in_len, scanned);
        bool interim = strncmp(proxy_in, "HTTP/1.", 7) == 0 && proxy_in[9] == '1' &&
                       !(proxy_in[10] == '0' && proxy_in[11] == '1');
        if (end > 12 && interim) {
            if (++interims > PROXY_INTERIM_MAX)
                return proxy_fail(run, 502, "more interim (1xx) responses than preforkd reads", 0);
            memmove(proxy_in, proxy_in + end, run->in_len - end); /* 1xx other than 101 */
            run->in_len -= end;
            scanned = 0;
            continue;
        }
        if (end > 0) {
            run->head_end = end;
            return PROXY_OK;
        }
        scanned = run->in_len > 3 ? run->in_len - 3 : 0;
        if (run->in_len == sizeof(proxy_in))
            return proxy_fail(run, 502, "a response head larger than 64 KiB", 0);
        ssize_t n =
            proxy_recv(run->fd, proxy_in + run->in_len, sizeof(proxy_in) - run->in_len, timeout);
        if (n > 0) {
            run->in_len += (size_t)n;
            continue;
        }
        if (n < 0 && errno == ETIMEDOUT)
            return proxy_fail(run, 504, "no response head within read_timeout", 0);
        if (run->in_len == 0 && run->reused)
            return PROXY_STALE;
        return proxy_fail(run, 502,
                          n == 0 ? "closed before a complete response head" : "reading the head",
                          n < 0 ? errno : 0);
    }
}

/* The response's fields, minus hop-by-hop ones and those the core writes (Date, Server,
 * Content-Length), with cookie paths mapped back (ProxyPassReverseCookiePath). */
static int proxy_apply_fields(struct proxy_run *run, const struct cgi_head *h,
                              const char *connection)
{
    struct pfd_request *r = run->r;
    for (size_t i = 0; i < h->nfields; i++) {
        const char *name = h->fields[i].name, *value = h->fields[i].value;
        static const char *const core_own[] = {"Date", "Server", "Status"};
        if (proxy_hop_by_hop(name) ||
            proxy_name_in(name, core_own, sizeof(core_own) / sizeof(core_own[0])) ||
            (connection != NULL && proxy_list_has(connection, name)))
            continue;
        char cookie[CGI_HEAD_MAX / 8];
        const char *mapped =
            strcasecmp(name, "Set-Cookie") == 0
                ? proxy_cookie_rewrite(value, run->pc->prefix, run->u->path, cookie, sizeof(cookie))
                : NULL;
        if (pfd_response_header(r, name, mapped != NULL ? mapped : value) != 0)
            return -1;
    }
    return 0;
}

/* ProxyPassReverse: a Location at the upstream's authority or path points at ours instead. */
static int proxy_apply_location(struct proxy_run *run, const char *location)
{
    struct pfd_request *r = run->r;
    const char *host = pfd_request_header(r, "Host");
    const char *origin = pfd_request_printf(r, "%s://%s", pfd_request_scheme(r),
                                            host != NULL ? host : pfd_request_server_name(r));
    char out[CGI_HEAD_MAX / 8];
    const char *mapped = proxy_location_rewrite(location, run->u, run->sent_host, origin,
                                                run->pc->prefix, out, sizeof(out));
    return pfd_response_header(r, "Location", mapped != NULL ? mapped : location);
}

/* How the body is delimited (RFC 9112 §6.3), from the request and the parsed head. */
static void proxy_framing_choose(struct proxy_run *run, const struct cgi_head *h,
                                 const char *transfer_encoding)
{
    int method = pfd_request_method(run->r);
    if (method == PFD_METHOD_HEAD || h->status == 204 || h->status == 304 || h->status < 200)
        run->framing = PROXY_BODY_NONE;
    else if (transfer_encoding != NULL) {
        /* chunked last: chunked; any other coding: until the close (§6.3 item 4) */
        const char *last = strrchr(transfer_encoding, ',');
        last = last != NULL ? last + 1 : transfer_encoding;
        while (*last == ' ' || *last == '\t')
            last++;
        run->framing = strncasecmp(last, "chunked", 7) == 0 ? PROXY_BODY_CHUNKED : PROXY_BODY_CLOSE;
        run->upstream_close |= run->framing == PROXY_BODY_CLOSE || h->content_length >= 0;
    } else if (h->content_length >= 0) {
        run->framing = PROXY_BODY_LENGTH;
        run->left = h->content_length;
    } else
        run->framing = PROXY_BODY_CLOSE;
    if (run->framing == PROXY_BODY_CLOSE)
        run->upstream_close = true;
    memset(&run->chunked, 0, sizeof(run->chunked));
}

static const char *proxy_field(const struct cgi_head *h, const char *name)
{
    for (size_t i = 0; i < h->nfields; i++)
        if (strcasecmp(h->fields[i].name, name) == 0)
            return h->fields[i].value;
    return NULL;
}

/* 101 Switching Protocols: the head goes to the client as the upstream sent it (its Upgrade and
 * Connection are the point), raw, and the connection becomes a tunnel. 0, or 502 (logged). */
static int proxy_switching(struct proxy_run *run, const struct cgi_head *h)
{
    struct pfd_request *r = run->r;
    if (!run->upgrade)
        return proxy_fail(run, 502, "101 Switching Protocols to a request without Upgrade", 0);
    struct pfd_buf b = PFD_BUF_INIT;
    int rc = pfd_buf_append_str(&b, "HTTP/1.1 101 Switching Protocols\r\n");
    for (size_t i = 0; i < h->nfields; i++)
        rc |= pfd_buf_printf(&b, "%s: %s\r\n", h->fields[i].name, h->fields[i].value);
    rc |= pfd_buf_append_str(&b, "\r\n");
    pfd_response_status(r, 101);
    if (rc != 0 || pfd_response_raw(r) != 0 || pfd_response_write(r, b.data, b.len) != 0) {
        pfd_buf_free(&b);
        return proxy_fail(run, 502, "the client is gone, or out of memory, at the 101", 0);
    }
    pfd_buf_free(&b);
    run->framing = PROXY_TUNNEL;
    run->upstream_close = true;
    return 0;
}

/* Parses the head in proxy_in and gives it to the core. 0, or 502 (logged). */
static int proxy_apply_head(struct proxy_run *run)
{
    struct pfd_request *r = run->r;
    static struct cgi_head h; /* 1.6 KB of field pointers: the worker's, like proxy_in */
    const char *err;
    bool http10 = strncmp(proxy_in, "HTTP/1.0 ", 9) == 0;
    if (cgi_head_parse(proxy_in, run->head_end, true, &h, &err) != 0)
        return proxy_fail(run, 502, err, 0);
    if (h.status == 101)
        return proxy_switching(run, &h);
    const char *connection = proxy_field(&h, "Connection");
    run->upstream_close = http10 || run->upgrade || /* an Upgrade refused: not worth keeping */
                          (connection != NULL && proxy_list_has(connection, "close"));
    proxy_framing_choose(run, &h, proxy_field(&h, "Transfer-Encoding"));
    size_t mark = pfd_response_headers_mark(r);
    pfd_response_status(r, h.status);
    if (proxy_apply_fields(run, &h, connection) != 0 ||
        (h.content_type != NULL && pfd_response_header(r, "Content-Type", h.content_type) != 0) ||
        (h.location != NULL && proxy_apply_location(run, h.location) != 0)) {
        pfd_response_headers_rewind(r, mark);
        return proxy_fail(run, 502, "a response header preforkd cannot pass on", 0);
    }
    if (run->framing == PROXY_BODY_LENGTH ||
        (pfd_request_method(r) == PFD_METHOD_HEAD && h.content_length >= 0))
        pfd_response_content_length(r, h.content_length);
    return 0;
}

/* ---- relay: the response body ------------------------------------------------------------ */

/* n bytes of the upstream's body (still framed) to the client. 1: the body is complete; 0: more
 * to come; -1: the upstream framed it wrong; -2: the client is gone. */
static int proxy_relay_piece(struct proxy_run *run, char *data, size_t n)
{
    size_t used = n;
    ssize_t out = (ssize_t)n;
    if (run->framing == PROXY_BODY_CHUNKED) {
        out = proxy_chunked_decode(&run->chunked, data, n, &used);
        if (out < 0)
            return -1;
    } else if (run->framing == PROXY_BODY_LENGTH) {
        if ((int64_t)n > run->left)
            out = (ssize_t)run->left, used = (size_t)run->left;
        run->left -= out;
    }
    if (used < n)
        run->upstream_close = true; /* bytes after the body: the connection is not clean */
    if (out > 0 && pfd_response_write(run->r, data, (size_t)out) != 0)
        return -2;
    if (run->framing == PROXY_BODY_CHUNKED)
        return run->chunked.done ? 1 : 0;
    return run->framing == PROXY_BODY_LENGTH && run->left == 0 ? 1 : 0;
}

/* The body: what came with the head, then reads of proxy_io until its end. true when the whole
 * body went to the client (the connection may be kept then). */
static bool proxy_relay_body(struct proxy_run *run)
{
    if (run->framing == PROXY_BODY_NONE)
        return run->in_len == run->head_end;
    if (run->framing == PROXY_BODY_LENGTH && run->left == 0)
        return true;
    int rc = 0, timeout = (int)run->pc->read_timeout * 1000;
    if (run->in_len > run->head_end)
        rc = proxy_relay_piece(run, proxy_in + run->head_end, run->in_len - run->head_end);
    while (rc == 0) {
        ssize_t n = proxy_recv(run->fd, proxy_io, PROXY_IO_BUF, timeout);
        if (n == 0 && run->framing == PROXY_BODY_CLOSE)
            return false; /* the end, as announced: complete, but the connection is gone */
        if (n <= 0) {
            proxy_fail(run, 502,
                       n == 0 ? "closed in the middle of the response body"
                              : "reading the response body",
                       n < 0 ? errno : 0);
            pfd_response_abort(run->r);
            return false;
        }
        rc = proxy_relay_piece(run, proxy_io, (size_t)n);
    }
    if (rc == -1) {
        proxy_fail(run, 502, "malformed chunked framing in the response body", 0);
        pfd_response_abort(run->r);
    }
    return rc == 1;
}

/* ---- the tunnel (WebSocket) --------------------------------------------------------------------
 */

/* One side of a tunnel: what it reads goes to the other. */
struct proxy_side {
    int from, to;
    bool open; /* from has not closed yet */
};

/* Reads what from has and sends it on. false when from closed (its FIN is passed on) or either
 * side failed. */
static bool proxy_tunnel_move(struct proxy_side *s, char *buf, size_t size, int send_timeout)
{
    ssize_t n = recv(s->from, buf, size, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return true;
    if (n > 0 && proxy_send_all(s->to, buf, (size_t)n, send_timeout) == 0)
        return true;
    s->open = false;
    shutdown(s->to, SHUT_WR);
    return n == 0;
}

/* Bytes both ways until both sides closed, either failed, or neither said anything for
 * read_timeout (nginx's meaning for WebSocket too). The worker is held all along: a prefork
 * server's price for a tunnel, as Apache prefork's with mod_proxy_wstunnel. */
static void proxy_tunnel(struct proxy_run *run)
{
    int client, idle = (int)run->pc->read_timeout * 1000, send = (int)run->pc->send_timeout * 1000;
    const char *pending;
    size_t pending_len;
    if (pfd_response_tunnel(run->r, &client, &pending, &pending_len) != 0 ||
        (pending_len > 0 && proxy_send_all(run->fd, pending, pending_len, send) != 0) ||
        (run->in_len > run->head_end &&
         proxy_send_all(client, proxy_in + run->head_end, run->in_len - run->head_end, send) != 0))
        return;
    struct proxy_side up = {client, run->fd, true}, down = {run->fd, client, true};
    while (up.open || down.open) {
        struct pollfd p[2] = {{.fd = up.open ? client : -1, .events = POLLIN},
                              {.fd = down.open ? run->fd : -1, .events = POLLIN}};
        int rc = poll(p, 2, idle);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc <= 0) {
            pfd_log(PFD_LOG_INFO, "proxy: %s: tunnel to %s closed after %d s without traffic",
                    pfd_request_target(run->r), run->u->name, idle / 1000);
            return;
        }
        if (p[0].revents != 0 && !proxy_tunnel_move(&up, proxy_io, PROXY_IO_BUF, send))
            return;
        if (p[1].revents != 0 && !proxy_tunnel_move(&down, proxy_in, sizeof(proxy_in), send))
            return;
    }
}

/* ---- connect, send, and the retries ------------------------------------------------------- */

static bool proxy_idempotent(const struct pfd_request *r)
{
    switch (pfd_request_method(r)) { /* RFC 9110 §9.2.2 */
    case PFD_METHOD_GET:
    case PFD_METHOD_HEAD:
    case PFD_METHOD_PUT:
    case PFD_METHOD_DELETE:
    case PFD_METHOD_OPTIONS:
    case PFD_METHOD_TRACE:
        return true;
    default:
        return false;
    }
}

/* A connection to run->u: a kept one when fresh is false and the pool has one. PROXY_OK, or
 * PROXY_NEXT (refused or timed out: run->refusal says which, the upstream is remembered as
 * failed for fail_timeout). */
static int proxy_open(struct proxy_run *run, bool fresh)
{
    const struct proxy_conf *pc = run->pc;
    run->reused = false;
    run->fd = fresh || pc->keepalive == 0
                  ? -1
                  : proxy_pool_take(run->u, (int)pc->keepalive_timeout * 1000);
    if (run->fd >= 0) {
        run->reused = true;
        return PROXY_OK;
    }
    int err = 0;
    struct proxy_timeouts t = {(int)pc->connect_timeout * 1000, (int)pc->read_timeout * 1000};
    int rc = proxy_connect(run->u, &t, &run->fd, &err);
    if (rc == PROXY_CONNECTED) {
        proxy_down_clear(run->u);
        return PROXY_OK;
    }
    /* nginx's proxy_next_upstream error timeout, for the connect phase: nothing was sent */
    bool timed_out = rc == PROXY_CONNECT_TIMEOUT;
    run->refusal.status = timed_out ? 504 : 502;
    run->refusal.why = timed_out ? "no connection within connect_timeout" : "connect()";
    run->refusal.err = timed_out ? 0 : err;
    if (pc->fail_timeout > 0)
        proxy_down_mark(run->u, pfd_now_ms() + pc->fail_timeout * 1000);
    return PROXY_NEXT;
}

/* One attempt on run->u up to a usable response head: PROXY_OK, PROXY_NEXT, PROXY_STALE, or an
 * error status (logged). */
static int proxy_attempt(struct proxy_run *run, bool fresh)
{
    int rc = proxy_open(run, fresh);
    if (rc != PROXY_OK)
        return rc;
    if (proxy_head_build(run) != 0)
        return proxy_fail(run, 500, "building the request head (out of memory?)", 0);
    if (proxy_send_all(run->fd, run->head.data, run->head.len, (int)run->pc->send_timeout * 1000) !=
        0) {
        if (run->reused && errno != ETIMEDOUT)
            return PROXY_STALE;
        return proxy_fail(run, errno == ETIMEDOUT ? 504 : 502, "sending the request head", errno);
    }
    if (pfd_request_has_body(run->r) && (rc = proxy_send_body(run)) != 0)
        return rc;
    rc = proxy_read_head(run);
    return rc != PROXY_OK ? rc : proxy_apply_head(run);
}

/* round-robin: where each location's next request starts in its list, this worker's own (a
 * location's conf is read-only after fork). A slot another location took starts over: harmless,
 * the turn only spreads the load. It starts at the worker's pid, so that the workers do not all
 * begin with the first upstream. */
static struct {
    const struct proxy_conf *pc;
    unsigned next;
} proxy_turns[PROXY_TURN_SLOTS];

static size_t proxy_turn(const struct proxy_conf *pc)
{
    size_t slot = (size_t)((uintptr_t)pc / sizeof(void *) % PROXY_TURN_SLOTS);
    if (proxy_turns[slot].pc != pc) {
        proxy_turns[slot].pc = pc;
        proxy_turns[slot].next = (unsigned)getpid();
    }
    return proxy_turns[slot].next++ % pc->nups;
}

/* The order to try pc's upstreams in: those not remembered as failed, from the first (failover)
 * or from this request's turn (round-robin) around the list, then the remembered ones likewise
 * (a last resort: one may be back). Returns how many (all of them). */
static size_t proxy_order(const struct proxy_conf *pc, const struct proxy_upstream **order)
{
    int64_t now = pfd_now_ms();
    size_t n = 0, start = pc->balance == PROXY_BALANCE_ROUND_ROBIN ? proxy_turn(pc) : 0;
    for (int remembered = 0; remembered <= 1; remembered++)
        for (size_t k = 0; k < pc->nups; k++) {
            const struct proxy_upstream *u = &pc->ups[(start + k) % pc->nups];
            if (proxy_down_is(u, now) == (remembered == 1))
                order[n++] = u;
        }
    return n;
}

/* run->u up to a usable response head; once more on a new connection when a kept one turned
 * out closed and the request may be sent again. PROXY_OK, PROXY_NEXT, or an error status. */
static int proxy_try(struct proxy_run *run)
{
    int rc = proxy_attempt(run, false);
    if (rc == PROXY_STALE) {
        proxy_close(run);
        if (run->body_started || !proxy_idempotent(run->r))
            return proxy_fail(run, 502, "a kept connection closed before the response", 0);
        rc = proxy_attempt(run, true);
    }
    if (rc != PROXY_OK)
        proxy_close(run);
    return rc == PROXY_STALE ? 502 : rc;
}

/* One line per failover: the upstream left, why, and the one tried next. */
static void proxy_failover_log(const struct proxy_run *run, const struct proxy_upstream *next)
{
    int err = run->refusal.err;
    pfd_log(PFD_LOG_WARN, "proxy: %s %s: upstream %s: %s%s%s; trying %s (%s skipped for %ld s)",
            pfd_request_method_name(run->r), pfd_request_target(run->r), run->u->name,
            run->refusal.why, err != 0 ? ": " : "", err != 0 ? strerror(err) : "", next->name,
            run->u->name, run->pc->fail_timeout);
}

/* The upstreams in turn while they refuse or time out at connect(); the response of the first
 * that takes the request. PROXY_OK with run->fd holding the response, or an error status: the
 * last connect failure's (502 refused, 504 timed out) when none took it. */
static int proxy_exchange(struct proxy_run *run)
{
    const struct proxy_upstream *order[PROXY_UPSTREAMS_MAX];
    size_t n = proxy_order(run->pc, order);
    for (size_t i = 0; i < n; i++) {
        run->u = order[i];
        int rc = proxy_try(run);
        if (rc != PROXY_NEXT)
            return rc;
        if (i + 1 == n)
            return proxy_fail(run, run->refusal.status, run->refusal.why, run->refusal.err);
        proxy_failover_log(run, order[i + 1]);
    }
    return 502;
}

/* ms as seconds to the millisecond ("0.004"), written backwards from the end of out, without
 * printf: this runs for every request. */
static const char *proxy_seconds_text(int64_t ms, char out[PROXY_SECONDS_TEXT])
{
    char *p = out + PROXY_SECONDS_TEXT;
    uint64_t v = ms > 0 ? (uint64_t)ms : 0;
    *--p = '\0';
    for (int i = 0; i < 3; i++, v /= 10)
        *--p = (char)('0' + v % 10);
    *--p = '.';
    do
        *--p = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    return p;
}

/* The access log's %{upstream_addr}n and %{upstream_time}n (seconds, to the millisecond, as
 * nginx's $upstream_response_time). */
static void proxy_notes(struct proxy_run *run)
{
    if (run->u == NULL)
        return;
    int64_t ms = pfd_now_ms() - run->started_ms;
    char text[PROXY_SECONDS_TEXT];
    pfd_request_note_set(run->r, "upstream_addr", run->u->name);
    pfd_request_note_set(run->r, "upstream_time",
                         pfd_request_strdup(run->r, proxy_seconds_text(ms, text)));
}

static int proxy_handle(struct pfd_request *r, void *conf)
{
    const struct proxy_conf *pc = conf;
    const char *handler = pfd_request_location_handler(r);
    if (handler == NULL || strcmp(handler, "proxy") != 0)
        return PFD_DECLINED; /* only where a location names it: never a fallback for files */
    if (pc->nups == 0) {
        pfd_log(PFD_LOG_ERR, "proxy: %s: the location has handler \"proxy\" but no proxy_pass",
                pfd_request_target(r));
        return 500;
    }
    struct proxy_run run = {
        .r = r, .pc = pc, .fd = -1, .started_ms = pfd_now_ms(), .head = proxy_head_take()};
    int rc = proxy_exchange(&run);
    if (rc == PROXY_OK && run.framing == PROXY_TUNNEL) {
        proxy_tunnel(&run);
        rc = PFD_DONE;
    } else if (rc == PROXY_OK) {
        bool complete = proxy_relay_body(&run);
        if (complete && !run.upstream_close && pc->keepalive > 0) {
            proxy_pool_put(run.u, run.fd, (int)pc->keepalive);
            run.fd = -1;
        }
        rc = PFD_DONE;
    }
    proxy_close(&run);
    proxy_notes(&run);
    proxy_head_return(&run.head);
    return rc;
}
