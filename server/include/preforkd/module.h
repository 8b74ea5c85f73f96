/*
 * module.h — the one header a preforkd module includes.
 *
 * A module is a shared object that exports one descriptor named pfd_module_<name>. The master
 * dlopen()s it, checks api_version, parses its `module "<name>" { … }` section with the module's
 * own option table, and calls init() before forking; each worker calls child_init() once and
 * handle() for the requests routed to it.
 *
 * handle() returns PFD_DECLINED (not mine: the core tries the next module), PFD_DONE (a response
 * was sent through the pfd_response_* functions), or an HTTP status >= 400 with nothing written:
 * then the core writes the error page, so error pages look the same whichever module failed.
 */
#ifndef PREFORKD_MODULE_H
#define PREFORKD_MODULE_H

#include <confuse.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

#define PFD_VERSION "0.1.0"

/* What the core exports to modules: every function declared below carries it, and nothing else
 * is visible (the core and the modules are built with -fvisibility=hidden). A module marks its
 * descriptor, pfd_module_<name>, with it too: that is all a module exports. */
#define PFD_API __attribute__((visibility("default")))
#define PFD_MODULE_API_VERSION 1

enum pfd_handler_result {
    PFD_DECLINED = -1,
    PFD_DONE = 0,
};

struct pfd_server;
struct pfd_request;

struct pfd_module {
    int api_version; /* PFD_MODULE_API_VERSION: the loader refuses a mismatch */
    const char *name;
    cfg_opt_t *options; /* options of its `module "<name>" { … }` section, or NULL */
    /* Master, after the config is parsed. *conf receives the module's typed config, which is
     * read-only after fork. Return -1 (after logging why) to stop start-up. */
    int (*init)(struct pfd_server *server, cfg_t *section, void **conf);
    void (*child_init)(struct pfd_server *server, void *conf); /* each worker, once */
    /* conf: the module's config for this request's location (see location_init), else what
     * init() made. */
    int (*handle)(struct pfd_request *r, void *conf);
    void (*fini)(void *conf); /* master: frees a conf (main or per-location) */

    /* Options a `location "…" { … }` section may set for this module, next to the core's own
     * (handler); declare them CFGF_NODEFAULT so that cfg_size() tells whether a location set
     * them. NULL when the module has none. Two modules may not declare the same name. */
    cfg_opt_t *location_options;
    /* Master, after init(), once per location that sets at least one of location_options:
     * *conf receives the location's typed config, main_conf merged with what the location
     * sets (nginx's merge). It is freed with fini(). Return -1 (after logging) to stop start-up. */
    int (*location_init)(struct pfd_server *server, cfg_t *location, void *main_conf, void **conf);
    /* Whether file (a path a URL mapped to) must never be sent as its own bytes, because this
     * module runs files like it somewhere (mod_cgi's interpreters: PHP source holds passwords).
     * conf: what init() made. Modules that send files ask pfd_request_source_guarded(). NULL:
     * this module guards nothing. */
    bool (*guards_source)(const void *conf, const char *file);
};

/* ---- logging ---------------------------------------------------------------------------- */

enum pfd_log_level {
    PFD_LOG_EMERG,
    PFD_LOG_ALERT,
    PFD_LOG_CRIT,
    PFD_LOG_ERR,
    PFD_LOG_WARN,
    PFD_LOG_NOTICE,
    PFD_LOG_INFO,
    PFD_LOG_DEBUG,
};

PFD_API void pfd_log_at(int level, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#define pfd_log(level, ...) pfd_log_at((level), __FILE__, __LINE__, __VA_ARGS__)

/* ---- the request ------------------------------------------------------------------------ */

enum pfd_method {
    PFD_METHOD_OTHER,
    PFD_METHOD_GET,
    PFD_METHOD_HEAD,
    PFD_METHOD_POST,
    PFD_METHOD_PUT,
    PFD_METHOD_DELETE,
    PFD_METHOD_OPTIONS,
    PFD_METHOD_TRACE,
    PFD_METHOD_CONNECT,
    PFD_METHOD_PATCH,
};

PFD_API int pfd_request_method(const struct pfd_request *r);
PFD_API const char *pfd_request_method_name(const struct pfd_request *r);
/* The raw request-target. */
PFD_API const char *pfd_request_target(const struct pfd_request *r);
/* Decoded, dot segments removed. */
PFD_API const char *pfd_request_path(const struct pfd_request *r);
/* The raw query without '?', or NULL. */
PFD_API const char *pfd_request_query(const struct pfd_request *r);
/* "HTTP/1.1". */
PFD_API const char *pfd_request_protocol(const struct pfd_request *r);
/* First header of that name (case-insensitive), NUL-terminated, or NULL. */
PFD_API const char *pfd_request_header(const struct pfd_request *r, const char *name);
PFD_API size_t pfd_request_header_count(const struct pfd_request *r);
PFD_API void pfd_request_header_at(const struct pfd_request *r, size_t i, const char **name,
                                   const char **value);
/* Host without its port, or server_name. */
PFD_API const char *pfd_request_host(const struct pfd_request *r);
PFD_API const char *pfd_request_document_root(const struct pfd_request *r);
/* The folder the request's file is under: an alias's target when a location aliased the path,
 * else document_root (CGI's CONTEXT_DOCUMENT_ROOT); and the URL prefix mapped onto it, or "". */
PFD_API const char *pfd_request_context_root(const struct pfd_request *r);
PFD_API const char *pfd_request_context_prefix(const struct pfd_request *r);
/* document_root + path: the only place a URI becomes a file name (see uri.c). */
PFD_API const char *pfd_request_file_path(const struct pfd_request *r);
PFD_API const char *pfd_request_server_name(const struct pfd_request *r);
PFD_API const char *pfd_request_peer_ip(const struct pfd_request *r);
PFD_API int pfd_request_peer_port(const struct pfd_request *r);
PFD_API const char *pfd_request_local_ip(const struct pfd_request *r);
PFD_API int pfd_request_local_port(const struct pfd_request *r);
PFD_API const char *const *pfd_request_index_files(const struct pfd_request *r, size_t *count);
/* Media type for a file name from mime_types, else default_type. */
PFD_API const char *pfd_request_mime_type(const struct pfd_request *r, const char *file_name);

/* Request body: length from Content-Length, or -1 when chunked (unknown until read). */
PFD_API int64_t pfd_request_content_length(const struct pfd_request *r);
PFD_API bool pfd_request_has_body(const struct pfd_request *r);
/* Reads up to len body bytes; 0 at the end of the body; -1 on error (timeout, reset, malformed
 * chunk, over limits.body), after which the connection will be closed. Sends the 100-continue
 * interim response on the first call when the client asked for it. */
PFD_API ssize_t pfd_request_body_read(struct pfd_request *r, void *buf, size_t len);
/* After pfd_request_body_read() returned -1: the status that describes why (400 malformed
 * chunked framing, 408 timeout, 413 over limits.body), for the handler to return. */
PFD_API int pfd_request_body_error(const struct pfd_request *r);
/* The user authenticated for this request (REMOTE_USER), or NULL. */
PFD_API const char *pfd_request_remote_user(const struct pfd_request *r);
/* The request's scheme: "https" on a tls_listen connection, else "http". */
PFD_API const char *pfd_request_scheme(const struct pfd_request *r);
/* On HTTPS, mod_ssl's variables: "SSL_PROTOCOL" ("TLSv1.3"), "SSL_CIPHER", "SSL_TLS_SNI" (the
 * name the client asked for), and those of a client certificate (tls { verify_client }):
 * "SSL_CLIENT_VERIFY" ("NONE" without one, "SUCCESS"), its subject and issuer in RFC 2253 form,
 * the subject's CN, serial number (hex) and validity; NULL when not HTTPS, unknown or unset.
 * The text lasts until the next call. */
PFD_API const char *pfd_request_ssl_var(const struct pfd_request *r, const char *name);
/* The names pfd_request_ssl_var() knows, as an array initializer. */
#define PFD_SSL_VAR_NAMES                                                                          \
    "SSL_PROTOCOL", "SSL_CIPHER", "SSL_TLS_SNI", "SSL_CLIENT_VERIFY", "SSL_CLIENT_S_DN",           \
        "SSL_CLIENT_S_DN_CN", "SSL_CLIENT_I_DN", "SSL_CLIENT_M_SERIAL", "SSL_CLIENT_V_START",      \
        "SSL_CLIENT_V_END"
/* The server_admin directive (SERVER_ADMIN for CGI). */
PFD_API const char *pfd_request_server_admin(const struct pfd_request *r);
/* The handler named by the location this request matched, or NULL when modules are tried in
 * order: a module can tell "everything here is mine" from "only what I recognise". */
PFD_API const char *pfd_request_location_handler(const struct pfd_request *r);
/* Whether a part of the file name that the client chose has a segment starting with '.'
 * (.htaccess, .git/…): a segment of the URL path, or text a regex alias captured from it into
 * the file name. Modules that serve or run files refuse these unless configured otherwise. */
PFD_API bool pfd_request_path_hidden(const struct pfd_request *r);
/* Whether a loaded module guards file (its guards_source hook): serve it as 403, never its
 * bytes, wherever the module that runs it did not take the request. */
PFD_API bool pfd_request_source_guarded(const struct pfd_request *r, const char *file);
/* The path the client asked for (decoded, normalised), before index files, rewrites or internal
 * redirects changed pfd_request_path(): CGI's REDIRECT_URL. */
PFD_API const char *pfd_request_original_path(const struct pfd_request *r);

/* Leaves value under name for the access log's %{name}n (Apache's request notes): mod_proxy's
 * upstream_addr and upstream_time. Copied; a second call with a name replaces the value. */
PFD_API void pfd_request_note_set(struct pfd_request *r, const char *name, const char *value);

/*
 * Serves uri ("/path?query", origin-form) in place of the current request, as a GET (RFC 3875
 * §6.2.2's local redirect; error documents later): the path is normalised and routed again, and
 * the chosen handler runs. status, when not 0, is the status the final response keeps (an error
 * document keeps the original error). Returns what the handler returned — PFD_DONE or an error
 * status — for the caller to return. Bounded to 10 nested redirects (then 500, logged). Nothing
 * may have been written before.
 */
PFD_API int pfd_request_internal_redirect(struct pfd_request *r, const char *uri, int status);

/* Per-request memory, freed after the response (never NULL: the worker exits on OOM). */
PFD_API void *pfd_request_alloc(struct pfd_request *r, size_t size);
PFD_API char *pfd_request_strdup(struct pfd_request *r, const char *s);
PFD_API char *pfd_request_printf(struct pfd_request *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- the response ----------------------------------------------------------------------- */

PFD_API void pfd_response_status(struct pfd_request *r, int status);
/* Adds a header line; the core adds Date, Server, Content-Length/Transfer-Encoding and
 * Connection itself. Returns -1 when the name or value holds CR, LF or NUL. */
PFD_API int pfd_response_header(struct pfd_request *r, const char *name, const char *value);
/* Where the header lines added so far end, and dropping those added after such a mark: a module
 * copying a head it got from elsewhere (a CGI script's) that turns out unusable half-way takes
 * back what it added, so the error page carries none of it. Nothing may have been sent. */
PFD_API size_t pfd_response_headers_mark(const struct pfd_request *r);
PFD_API void pfd_response_headers_rewind(struct pfd_request *r, size_t mark);
/* Known body length. Without it, HTTP/1.1 bodies go chunked and HTTP/1.0 ones close-delimited. */
PFD_API void pfd_response_content_length(struct pfd_request *r, int64_t length);
/* Sends the head on first use, then the bytes (nothing for HEAD). 0 or -1 (client gone). */
PFD_API int pfd_response_write(struct pfd_request *r, const void *data, size_t len);
/* Sends len bytes of fd from offset with sendfile(); 0 or -1. */
PFD_API int pfd_response_sendfile(struct pfd_request *r, int fd, int64_t offset, int64_t len);
/* Ends the response as incomplete: what is buffered is sent, then the connection closes without
 * the end of a chunked body (or short of Content-Length), so the client knows the response broke
 * off (a CGI script that crashed mid-output). */
PFD_API void pfd_response_abort(struct pfd_request *r);
/* From now on pfd_response_write() sends bytes exactly as given: the module writes the status
 * line and headers itself (nph- CGI scripts). The connection closes after the response. Call
 * pfd_response_status() first so the access log has the status. Nothing may have been sent. */
PFD_API int pfd_response_raw(struct pfd_request *r);

/* After pfd_response_raw() and the module's 101 (Switching Protocols) head: what is buffered is
 * sent, and the client connection is the module's for a tunnel (WebSocket through mod_proxy)
 * until the handler returns, when it closes. *fd: the socket (non-blocking); *pending: bytes the
 * client sent after the request head, already read. 0, or -1 (no raw response, an HTTPS
 * connection, a request with a body, or the client is gone). */
PFD_API int pfd_response_tunnel(struct pfd_request *r, int *fd, const char **pending,
                                size_t *pending_len);

/* ---- the worker pool, read-only (mod_status) -------------------------------------------- */

/* A keeper (keepalive { park }): the process that holds connections between requests, so that
 * an idle keep-alive connection, a slow head or a lingering close takes no worker. */
struct pfd_pool_keeper {
    pid_t pid;            /* 0: none runs in this slot (parking off, or one being replaced) */
    int64_t started_us;   /* when it started (CLOCK_REALTIME, µs), 0 when none did */
    uint32_t parked;      /* connections waiting for their next request (or the rest of a head) */
    uint32_t lingering;   /* connections closing: read and thrown away until the client's FIN */
    uint32_t queued;      /* waiting for a worker: readable, or at the back after its slice */
    uint32_t descriptors; /* held: the connections and the files of their partial heads */
    uint64_t parks;       /* connections taken from workers (lingering closes included) */
    uint64_t unparks;     /* handed back to workers */
    uint64_t expired;     /* closed at the keep-alive or header deadline */
    uint64_t hangups;     /* closed by the client while parked */
};

struct pfd_pool_info {
    int64_t started_us;   /* when the master started (CLOCK_REALTIME, µs) */
    int64_t restarted_us; /* the last restart, or started_us */
    uint32_t generation;  /* bumped by every restart */
    uint32_t nslots;      /* scoreboard slots: pfd_pool_worker() takes 0 … nslots-1 */
    int max_workers;
    pid_t master_pid;
    uint64_t total_requests;      /* since start, workers that exited included */
    uint64_t total_bytes;         /* response body bytes, likewise */
    uint64_t max_workers_reached; /* seconds in which the pool wanted to grow past max_workers */
    int64_t memory_kb;     /* proportional set size of the master, workers, keepers; -1 unknown */
    uint32_t memory_procs; /* how many processes memory_kb covers */
    /* HTTPS static files: "ktls" (the kernel encrypts: SSL_sendfile), "buffered" (read and
     * SSL_write: no kTLS in this kernel, or tls { ktls = false }), NULL without tls_listen; and
     * how many files (or ranges) went each way. A kTLS server still sends buffered on a
     * connection whose cipher the kernel does not take. */
    const char *tls_files;
    uint64_t tls_files_ktls;
    uint64_t tls_files_buffered;
};

struct pfd_pool_worker {
    pid_t pid;
    uint32_t generation;
    /* Apache's scoreboard letter: _ idle, S starting, R reading, W handling or writing,
     * K keep-alive, C closing, G gracefully finishing (told to exit). */
    char state;
    uint64_t requests;          /* served by this worker */
    uint64_t bytes_sent;        /* body bytes it sent */
    int64_t request_started_us; /* its current or last request (CLOCK_REALTIME, µs), or 0 */
    char client[48];            /* that request's client address */
    char request[128];          /* its request line, truncated */
};

struct pfd_pool_listener {
    const char *address; /* as configured: "127.0.0.1:8080" */
    int queued;          /* connections waiting in the kernel's accept queue, -1 unknown */
    int backlog;         /* the queue's length, -1 unknown */
    bool tls;            /* a tls_listen address: HTTPS */
};

PFD_API void pfd_pool_info(const struct pfd_request *r, struct pfd_pool_info *out);
/* Slot i copied out; false when no process uses it (Apache's '.'). */
PFD_API bool pfd_pool_worker(const struct pfd_request *r, uint32_t i, struct pfd_pool_worker *out);
/* Keeper slots (keepalive { keepers }; 0 under -X): pfd_pool_keeper() takes 0 … count-1. */
PFD_API uint32_t pfd_pool_keeper_count(const struct pfd_request *r);
/* Keeper slot i copied out; false when no keeper runs in it (then pid, started_us and the
 * connections it holds read 0, while parks … hangups keep what the slot's keepers counted). */
PFD_API bool pfd_pool_keeper(const struct pfd_request *r, uint32_t i, struct pfd_pool_keeper *out);
/* Every slot summed into *out: pid is the first running keeper's (0: none runs), started_us 0.
 * Returns how many keepers run. */
PFD_API uint32_t pfd_pool_keepers_total(const struct pfd_request *r, struct pfd_pool_keeper *out);
PFD_API size_t pfd_pool_listener_count(const struct pfd_request *r);
/* Listener i (0 … count-1), its accept queue read from the kernel (TCP_INFO) now. */
PFD_API void pfd_pool_listener(const struct pfd_request *r, size_t i,
                               struct pfd_pool_listener *out);

/* ---- helpers for handlers --------------------------------------------------------------- */

/* ENOENT/ENOTDIR → 404, EACCES/ELOOP/EPERM → 403, anything else → 500 (logged by the caller). */
PFD_API int pfd_status_from_errno(int err);
PFD_API const char *pfd_status_reason(int status);

/* ---- HTTP helpers ----------------------------------------------------------------------- */
/* What every module needs to speak HTTP, in one place (lighttpd's http_date.c / http_etag.c,
 * nginx's ngx_parse_http_time): a module never writes its own. Pure unless said otherwise. */

/*
 * A growable byte buffer with checked appends (server/base/buf.c): no caller computes a size by
 * hand. Start from PFD_BUF_INIT (or zeroes). data is NUL-terminated once anything was appended
 * (the NUL not counted in len). Every append returns 0, or -1 when memory runs out (the buffer
 * then holds what it held before that append). Free with pfd_buf_free().
 */
struct pfd_buf {
    char *data;
    size_t len;
    size_t cap;
};

#define PFD_BUF_INIT                                                                               \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

/* Room for extra more bytes without another allocation. */
PFD_API int pfd_buf_reserve(struct pfd_buf *b, size_t extra);
PFD_API int pfd_buf_append(struct pfd_buf *b, const void *data, size_t len);
PFD_API int pfd_buf_append_str(struct pfd_buf *b, const char *s);
/* Decimal, without printf: these run several times per request. */
PFD_API int pfd_buf_append_int(struct pfd_buf *b, int64_t value);
PFD_API int pfd_buf_printf(struct pfd_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
PFD_API int pfd_buf_vprintf(struct pfd_buf *b, const char *fmt, va_list ap);
/* Drops the first n bytes, moving the rest to the front; n >= len empties the buffer, which
 * keeps its memory for what comes next. */
PFD_API void pfd_buf_consume(struct pfd_buf *b, size_t n);
PFD_API void pfd_buf_free(struct pfd_buf *b);

/*
 * HTTP-date (RFC 9110 §5.6.7, server/parse/http_date.c). The parser takes the three forms a
 * recipient must accept — IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", RFC 850 "Sunday, 06-Nov-94
 * 08:49:37 GMT", asctime "Sun Nov  6 08:49:37 1994" — with letters in any case, a one-digit
 * day and blanks around the value, nothing else. 0 with *out set (seconds since the epoch,
 * UTC), or -1: not a date (a precondition with one is then ignored, §13.1.3).
 */
PFD_API int pfd_http_date_parse(const char *s, time_t *out);
/* t as an IMF-fixdate, NUL-terminated into out (29 + 1 bytes); years outside 0..9999 clamped. */
PFD_API void pfd_http_date_format(time_t t, char out[30]);
/* t as RFC 3339 / ISO 8601 in UTC, "1994-11-06T08:49:37Z", into out (20 + 1 bytes), for JSON;
 * years outside 0..9999 clamped. */
PFD_API void pfd_iso8601_format(time_t t, char out[21]);

/* A conditional request's precondition fields (NULL when absent), and whether it is a GET or a
 * HEAD (RFC 9110 §13.2.1: If-Modified-Since applies to those only). */
struct pfd_http_conditions {
    const char *if_match;
    const char *if_none_match;
    const char *if_modified_since;
    const char *if_unmodified_since;
    bool get_or_head;
};

/* The selected representation's validators: its ETag as sent ("\"…\"" or "W/\"…\"") and its
 * Last-Modified time. */
struct pfd_http_validators {
    const char *etag;
    time_t last_modified;
};

/*
 * RFC 9110 §13.2.2, in its order (server/parse/http_etag.c): If-Match (strong comparison; false →
 * 412), else If-Unmodified-Since (→ 412); then If-None-Match (weak comparison; true → 304 for
 * GET/HEAD, 412 otherwise), else If-Modified-Since for GET/HEAD (→ 304). A date field that is
 * not an HTTP-date is ignored; a malformed entity-tag list matches nothing. 0 (proceed), 304
 * or 412.
 */
PFD_API int pfd_http_conditions_evaluate(const struct pfd_http_conditions *c,
                                         const struct pfd_http_validators *v);
/* RFC 9110 §13.1.5: whether If-Range (NULL: absent, true) lets a Range apply. An entity-tag
 * must match strongly (a weak one never does), an HTTP-date equal Last-Modified exactly. */
PFD_API bool pfd_http_if_range(const char *if_range, const struct pfd_http_validators *v);
/* Whether the field value list ("*" alone, or 1#entity-tag) matches etag, by the strong
 * comparison (§8.8.3.2: neither weak, same opaque-tag) when strong, else by the weak one. */
PFD_API bool pfd_http_etag_match(const char *list, const char *etag, bool strong);

/* One element of a comma-separated field value such as Accept or Accept-Encoding: its name (a
 * token or media range, not NUL-terminated: compare name_len bytes), and its weight in
 * thousandths (RFC 9110 §12.4.2: "q=0.5" is 500; 1000 without q), or -1 when its parameters or
 * qvalue are malformed (the caller then skips it). */
struct pfd_http_element {
    const char *name;
    size_t name_len;
    int q;
};

/* Reads the element at p (server/parse/http_list.c), skipping empty ones (§5.6.1): where the next
 * one starts, or NULL when the list is over (e untouched). Loop with `for (const char *p = value;
 * (p = pfd_http_list_next(p, &e)) != NULL;)`; NULL value: none. */
PFD_API const char *pfd_http_list_next(const char *p, struct pfd_http_element *e);

/* Milliseconds of CLOCK_MONOTONIC (server/base/clock.c): for deadlines and durations, which a
 * wall-clock step must not stretch or cut; never a date. */
PFD_API int64_t pfd_now_ms(void);
/* Microseconds since the epoch (CLOCK_REALTIME): timestamps shown to people, as pfd_pool_info()
 * gives them; never a deadline. */
PFD_API int64_t pfd_wall_clock_us(void);

/*
 * Escaping (server/base/escape.c) for bytes that may hold anything — file names, what a client sent
 * — not necessarily UTF-8. Each appends to b (b->data is a C string afterwards, even for n = 0); 0,
 * or -1 when memory runs out.
 */
/* Length (1-4) of the well-formed UTF-8 sequence at s (RFC 3629 §4: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or 0 when s (n bytes available) does not start one. */
PFD_API size_t pfd_utf8_len(const unsigned char *s, size_t n);
/* HTML text or a quoted attribute value: & < > " ' become character references; a byte of an
 * invalid UTF-8 sequence and a control character (C0, DEL) become U+FFFD. */
PFD_API int pfd_escape_html(struct pfd_buf *b, const char *s, size_t n);
/* The same for multi-line text (a readme): tab, LF and CR are kept. */
PFD_API int pfd_escape_html_text(struct pfd_buf *b, const char *s, size_t n);
/* The body of a JSON string, without its quotes (RFC 8259 §7): '"', '\' and control characters
 * escaped, well-formed UTF-8 kept, each byte of an invalid sequence replaced by \ufffd. */
PFD_API int pfd_escape_json(struct pfd_buf *b, const char *s, size_t n);
/* A URL component: every byte but RFC 3986's unreserved ones (and '/' when keep_slash) becomes
 * %XX, so the result is safe in a path, a relative reference (a ':' cannot pose as a scheme), a
 * query and an HTML attribute alike. */
PFD_API int pfd_escape_url(struct pfd_buf *b, const char *s, size_t n, bool keep_slash);
/* Text for a log line, as Apache writes request data (CVE-2003-0020): '"' and '\' get a
 * backslash, every other byte outside 0x20..0x7e becomes \xhh, so nothing a client or a script
 * sent can end a quoted field or forge a line. */
PFD_API int pfd_escape_log(struct pfd_buf *b, const char *s, size_t n);
/* A decoded path made fit for a Location header again (server/parse/uri.c): every byte but pchar
 * (RFC 3986 §3.3: unreserved, sub-delims, ':', '@') and '/' becomes %XX; out holds
 * 3 * strlen(path) + 1 bytes at most. 0, or -1 when out_size is too small (out then holds ""). */
PFD_API int pfd_uri_escape_path(const char *path, char *out, size_t out_size);
/* The other way (server/parse/uri.c): percent-decodes s in place, once ("%252e" becomes "%2e"); a
 * '+' stays a '+' (form decoding is the caller's). 0, or -1 on a malformed escape or an encoded NUL
 * ("%00"), after which s holds nothing usable. */
PFD_API int pfd_uri_unescape(char *s);

/* ---- config helpers for modules --------------------------------------------------------- */

/*
 * Address lists, parsed once (init, location_init) and matched per request with the rule of
 * location allow/deny and trusted_proxies: "127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8", "all";
 * an IPv4 entry also matches an IPv4-mapped IPv6 client; host bits set beyond the prefix
 * ("10.0.0.1/8") are refused.
 */
struct pfd_addresses;
/* NULL when entry is an address, a block or "all", else why not. */
PFD_API const char *pfd_address_check(const char *entry);
/* The n entries of list compiled; NULL when one is bad (pfd_address_check() says why) or out of
 * memory. n may be 0: a list nobody matches. */
PFD_API struct pfd_addresses *pfd_addresses_parse(char *const *list, size_t n);
PFD_API struct pfd_addresses *pfd_addresses_dup(const struct pfd_addresses *a);
/* Whether ip (numeric text, as pfd_request_peer_ip() gives it) is in a. */
PFD_API bool pfd_addresses_match(const struct pfd_addresses *a, const char *ip);
PFD_API void pfd_addresses_free(struct pfd_addresses *a);

/*
 * The file policy, the core's (top level, vhost and location directives serve_hidden and
 * follow_symlinks), one setting for every module that serves or lists files, so that what
 * mod_static refuses mod_autoindex does not list.
 */
enum pfd_symlinks {
    PFD_SYMLINKS_ON,             /* follow every symlink */
    PFD_SYMLINKS_OFF,            /* refuse any symlink below the document root or alias */
    PFD_SYMLINKS_IF_OWNER_MATCH, /* follow when the link's owner owns its target */
};
/* follow_symlinks for this request: its location's when that sets it, else its vhost's, else
 * the top level's. */
PFD_API enum pfd_symlinks pfd_request_follow_symlinks(const struct pfd_request *r);
/* Whether hidden names (a segment starting with '.', see pfd_request_path_hidden()) may be
 * served and listed here: serve_hidden, looked up like follow_symlinks. */
PFD_API bool pfd_request_serve_hidden(const struct pfd_request *r);

/*
 * What per-directory files (.htaccess, where allow_override lets them) set for the request, for
 * the modules that act on it: Apache's Options, SetHandler/AddHandler, SetEnv/SetEnvIf and the
 * listing directives of mod_autoindex. The core applies the rest itself (media types, headers,
 * Expires, follow_symlinks).
 */
enum pfd_dir_option {
    PFD_DIR_INDEXES = 1 << 0,                 /* Options Indexes: list folders without an index */
    PFD_DIR_EXEC_CGI = 1 << 1,                /* Options ExecCGI: run scripts by handler */
    PFD_DIR_FOLLOW_SYMLINKS = 1 << 2,         /* Options FollowSymLinks */
    PFD_DIR_SYMLINKS_IF_OWNER_MATCH = 1 << 3, /* Options SymLinksIfOwnerMatch */
};
/* One option: -1 when no file set it (the module's own config decides), else 0 or 1. */
PFD_API int pfd_request_dir_option(const struct pfd_request *r, unsigned option);
/* The handler the files name for file_name (SetHandler, else AddHandler by its extension):
 * "cgi-script", "default-handler", "server-status" or another name (an interpreter a module
 * maps), or NULL when they name none. file_name NULL: for the request itself, the handler the
 * core dispatched on (an AddHandler'd script may be followed by PATH_INFO). */
PFD_API const char *pfd_request_dir_handler(const struct pfd_request *r, const char *file_name);
/* The environment variables the files set (SetEnv, SetEnvIf) or removed (UnsetEnv: value NULL)
 * for scripts, in i = 0, 1, … until false: names are unique, the last word on each wins. */
PFD_API bool pfd_request_env_at(const struct pfd_request *r, size_t i, const char **name,
                                const char **value);
/* mod_autoindex's options as the files set them (IndexOptions, IndexIgnore, IndexOrderDefault,
 * HeaderName, ReadmeName): -1 / 0 / NULL means not set (the module's own config decides). */
struct pfd_dir_listing {
    int folders_first;  /* IndexOptions FoldersFirst */
    int version_sort;   /* VersionSort: natural order of numbers */
    int ignore_client;  /* IgnoreClient: the query does not change the order */
    int column_sorting; /* 0 with SuppressColumnSorting */
    bool ignore_reset;  /* IndexIgnoreReset On: the module's index_ignore patterns are dropped */
    const char *const *ignore; /* IndexIgnore patterns added, nignore of them */
    size_t nignore;
    const char *header_name; /* HeaderName: a file of the listed folder */
    const char *readme_name; /* ReadmeName */
    char order_column;       /* IndexOrderDefault: 'N', 'M', 'S', 'D', or 0 */
    char order;              /* 'A', 'D', or 0 */
};
/* NULL when no file set any of them. */
PFD_API const struct pfd_dir_listing *pfd_request_dir_listing(const struct pfd_request *r);

/* "512", "64K", "1M", "2G" (1024-based, either case) into bytes; -1 when not that: no sign, no
 * blanks, no fraction, no other suffix, or too large for int64_t. The core's own sizes
 * (limits.body) read the same way. */
PFD_API int64_t pfd_size_parse(const char *text);

/*
 * The option reader: a module describes its options once as data (nginx's ngx_command_t idea on
 * top of libconfuse), beside its cfg_opt_t tables which keep the defaults; one call fills its
 * typed config struct, and a bad value is reported through the core as
 *   FILE:LINE: module "x": option "expires": why
 * with the line of the option itself (a list: of its last value; the section's when it kept its
 * default).
 */
enum pfd_option_type {
    PFD_OPTION_BOOL,      /* CFG_BOOL → bool */
    PFD_OPTION_INT,       /* CFG_INT → long, within min..max */
    PFD_OPTION_SIZE,      /* CFG_STR "64K" (pfd_size_parse) → int64_t, within min..max */
    PFD_OPTION_STRING,    /* CFG_STR → char * owned by the struct ("" when unset) */
    PFD_OPTION_LIST,      /* CFG_STR_LIST → struct pfd_option_list, owned */
    PFD_OPTION_WORD,      /* CFG_STR, one of words → int, its index in words */
    PFD_OPTION_ADDRESSES, /* CFG_STR_LIST of addresses → struct pfd_addresses *, owned */
    PFD_OPTION_PARSED,    /* CFG_STR → what parse() makes of it, plain data in the struct */
};

struct pfd_option_list {
    char **v; /* NULL-terminated */
    size_t n;
};

struct pfd_option {
    const char *name;     /* in `module "x" { }`; NULL: a location-only option */
    const char *location; /* in `location "…" { }`; NULL: not settable per location */
    enum pfd_option_type type;
    size_t offset;            /* of its field in the module's config struct (offsetof) */
    long long min, max;       /* INT, SIZE: the accepted range */
    const char *const *words; /* WORD: the accepted values, NULL-terminated */
    /* check: STRING, LIST (each entry): NULL when value is good, else why not; may be NULL.
     * parse: PARSED (required): fills field from value and returns NULL, or returns why not. */
    const char *(*check)(const char *value);
    const char *(*parse)(const char *value, void *field);
};

/* table ends with a row whose name and location are both NULL. */
#define PFD_OPTIONS_END                                                                            \
    {                                                                                              \
        NULL, NULL, PFD_OPTION_BOOL, 0, 0, 0, NULL, NULL, NULL                                     \
    }

/* init(): fills conf (zeroed) with every option of table that has a name, from section, or,
 * when section is NULL, from m->options' defaults. 0, or -1 after reporting the first bad
 * value; then pfd_options_free() releases what was filled. */
PFD_API int pfd_options_read(const struct pfd_module *m, cfg_t *section,
                             const struct pfd_option *table, void *conf);
/* init() in one call: *conf becomes a zeroed malloc'd struct of size bytes (NULL when out of
 * memory), filled by pfd_options_read(). 0, or -1 after reporting; the core calls fini(*conf)
 * either way. */
PFD_API int pfd_options_new(const struct pfd_module *m, cfg_t *section,
                            const struct pfd_option *table, size_t size, void **conf);
/* location_init(): conf is a copy of the main config made with pfd_options_copy(); overrides the
 * options the location sets (by their location names). 0, or -1 after reporting. */
PFD_API int pfd_options_read_location(const struct pfd_module *m, cfg_t *location,
                                      const struct pfd_option *table, void *conf);
/* location_init() in one call (nginx's merge): *conf becomes a malloc'd copy of main_conf (size
 * bytes) that owns its strings and lists, with what the location sets read over it. 0, or -1
 * after reporting; *conf is set either way (NULL when out of memory) for fini() to free. */
PFD_API int pfd_options_merge(const struct pfd_module *m, cfg_t *location,
                              const struct pfd_option *table, const void *main_conf, size_t size,
                              void **conf);
/* Makes to, a byte copy of a filled struct, own copies of its strings, lists and address
 * lists (nginx's merge starts from the outer values). 0, or -1 (out of memory); either way
 * pfd_options_free(to) is then safe. */
PFD_API int pfd_options_copy(const struct pfd_option *table, void *to);
/* Frees the strings, lists and address lists of conf (not conf itself). */
PFD_API void pfd_options_free(const struct pfd_option *table, void *conf);

#endif
