/*
 * request.h — a connection and the request being served on it (worker side).
 *
 * Three lifetimes: the config (read-only, from the master), the connection (its buffers are
 * reused by every request on it and by every connection of the worker), and the request (its
 * arena is reset when the response is done).
 */
#ifndef PFD_REQUEST_H
#define PFD_REQUEST_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "base/buf.h"
#include "config/config.h"
#include "parse/http_parse.h"
#include "pool/server.h"

struct ssl_st;

struct pfd_conn {
    int fd;
    struct pfd_server *server;
    /* The client: the TCP peer, or what its PROXY header said, or (per request) what a trusted
     * proxy's X-Forwarded-For said. Logs, CGI and access control read these. */
    char peer_ip[INET6_ADDRSTRLEN];
    int peer_port;
    /* The connection's client before X-Forwarded-For (TCP peer or PROXY header's source). */
    char conn_peer_ip[INET6_ADDRSTRLEN];
    int conn_peer_port;
    char local_ip[INET6_ADDRSTRLEN];
    int local_port;
    /* Received bytes. Allocated once per worker at its largest allowed head size plus room for
     * body bytes, and never moved: parsed fields point into it while a request lives. */
    char *in;
    size_t in_cap;
    size_t in_len;
    struct pfd_buf out;          /* response bytes not yet written */
    struct pfd_buf resp_headers; /* header lines added by the handler */
    struct pfd_buf log_line;
    struct pfd_arena arena;
    struct pfd_http_header *header_storage; /* limits.header_fields entries */
    unsigned requests;                      /* served on this connection */
    bool keep_alive;                        /* may the next request be read after this one? */
    bool broken;      /* a write failed or timed out: close without another byte */
    bool peer_closed; /* the client closed its side: nothing to linger for */
    /* Parking (keepalive { park }): the deadline a head parked unfinished keeps when it comes
     * back (0: the next head starts its own), and when this worker took the connection or last
     * looked whether others wait for a worker (fairness). */
    int64_t head_deadline_ms;
    int64_t slice_started_ms;
    /* HTTPS (a tls_listen connection): every byte goes through it (serve/conn_io.c), and the
     * connection never parks (its state lives in this process). NULL for plain HTTP. */
    struct ssl_st *tls;
    short tls_events; /* what the last TLS call that would block waits for: POLLIN or POLLOUT */
    bool tls_hello;   /* a tls_listen connection waiting for its ClientHello (may be parked) */
};

struct pfd_ht_result;

/* Notes one request may carry (pfd_request_note_set()): mod_proxy sets two. */
#define PFD_REQUEST_NOTES 8

struct pfd_request {
    struct pfd_conn *conn;
    struct pfd_server *server;
    const struct pfd_config *conf;
    struct pfd_http_request_head head;
    size_t head_len;
    struct timespec started;

    /* NUL-terminated views; most point into conn->in, the rest into the arena. */
    const char *method_name;
    const char *target;
    const char *protocol;
    const char *request_line;   /* for logs and the scoreboard */
    const char *host;           /* lower case, without port */
    char *path;                 /* decoded, normalised */
    const char *asked_path;     /* path as the client sent it, before index files and rewrites */
    const char *query;          /* NULL when the target has none */
    char *file_path;            /* document_root + path */
    const char *context_root;   /* an alias's target folder, else NULL (document_root) */
    const char *context_prefix; /* the URL prefix mapped onto it, else NULL ("") */
    bool alias_hidden;          /* a regex alias put a captured ".name" segment in file_path */
    const char *remote_user;
    const char *auth_proved_by; /* the htpasswd file that proved remote_user (pfd_auth_request) */
    const struct pfd_location *location;
    const struct pfd_vhost *vhost;  /* the vhost Host chose (r->conf is then its view), or NULL */
    const char *auth_challenge;     /* the WWW-Authenticate value of a 401 routing answered */
    struct pfd_ht_result *htaccess; /* what .htaccess files set (serve/htaccess.h), or NULL */
    bool ht_rewrite_end;            /* a RewriteRule [END] ran: no .htaccess rewriting after it */

    /* The body. */
    int64_t body_left; /* Content-Length bytes not yet read */
    struct pfd_chunked chunked;
    size_t in_pos;   /* next unread byte of conn->in */
    bool body_done;  /* the whole body was read (or there was none) */
    bool body_error; /* the body could not be read: the connection must close */
    int body_status; /* why it could not: 400, 408 or 413 */
    bool continue_sent;
    int64_t body_read;
    int64_t body_deadline; /* monotonic ms by which the whole body must be in; 0: not started */

    /* The response. */
    int status;
    int kept_status;        /* set by an internal redirect that keeps the original status, else 0 */
    int redirects;          /* internal redirects so far */
    int64_t content_length; /* -1 unknown */
    bool head_sent;
    bool chunked_out;
    bool raw;     /* the module writes the whole response itself (pfd_response_raw) */
    bool no_body; /* HEAD, 1xx, 204, 304 */
    int64_t body_bytes_sent;

    /* Values a module leaves for the access log (%{name}n, Apache's notes), in the arena. */
    struct {
        const char *name, *value;
    } notes[PFD_REQUEST_NOTES];
    size_t nnotes;
};

/* Internal redirects one request may take (RFC 3875 local redirects, error documents). */
#define PFD_MAX_REDIRECTS 10

int64_t pfd_request_elapsed_us(const struct pfd_request *r);
/* The note a module set under name, or NULL. */
const char *pfd_request_note(const struct pfd_request *r, const char *name);
/* The worker's pcre2 match data (PFD_REWRITE_CAPTURES pairs), made at the first use: every
 * regex matched while routing a request shares it. NULL when out of memory. */
pcre2_match_data *pfd_request_match_data(struct pfd_request *r);
/* "http://host[:port]" as the client reached us (Apache's UseCanonicalName Off: the Host's name
 * and port, else the local port; no port when it is the scheme's default), in the arena: what a
 * redirect to a path is made absolute with. */
const char *pfd_request_origin(struct pfd_request *r);

#endif
