/*
 * testsupport.h — the harness of preforkd's integration tests.
 *
 * A test makes a temp site (a docroot with known files), writes a config, starts the real
 * binary (PFD_BINARY) on an ephemeral 127.0.0.1 port, talks to it with a raw-socket HTTP/1.1
 * client, watches its process pool through /proc, and stops it. Every wait has a deadline and
 * every loop a bound, so a broken server fails a test instead of hanging it.
 *
 * Failures inside ts_server_start()/ts_server_stop() are reported with ck_assert_msg() and the
 * server's logs; everything else returns a result the test asserts on.
 */
#ifndef PFD_TESTSUPPORT_H
#define PFD_TESTSUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

#ifndef PFD_BINARY
#error "PFD_BINARY must name the built preforkd (see test/CMakeLists.txt)"
#endif

#define TS_HOST "127.0.0.1"
#define TS_IO_TIMEOUT_MS 10000  /* default deadline for one response */
#define TS_START_TIMEOUT_S 10.0 /* until the port accepts connections */
#define TS_STOP_TIMEOUT_S 15.0  /* SIGTERM → exit; ASan makes exit slow */
#define TS_MAX_HEAD (64 * 1024) /* longest response head the client accepts */
#define TS_MAX_BODY (16 << 20)  /* longest response body the client accepts */
#define TS_MAX_PIDS 256         /* most processes ts_children() reports */
#define TS_PATH_MAX 512

/* The site every test server serves (htdocs/ under the server's temp dir). */
#define TS_INDEX_HTML                                                                              \
    "<!DOCTYPE html>\n<html><head><title>preforkd test</title></head>\n"                           \
    "<body><p>the index page</p></body></html>\n"
#define TS_HELLO_TXT "hello world\n"
#define TS_SUB_INDEX_HTML "<html><body><p>the sub index</p></body></html>\n"
#define TS_BIG_PATH "/big.bin"
#define TS_BIG_SIZE (1024 * 1024)

/* ---- time and files --------------------------------------------------------------------- */

double ts_now(void); /* CLOCK_MONOTONIC, seconds */
void ts_sleep_ms(int ms);
/* The whole file, NUL-terminated (len without the NUL); NULL when it cannot be read. */
char *ts_file_read(const char *path, size_t *len);
int ts_file_write(const char *path, const void *data, size_t len);
/* mkdir -p of path's parent folders (0755: workers may run as nobody); 0 or -1. */
int ts_dir_parents(const char *path);
/* ts_file_write() after ts_dir_parents(), then the file 0644; 0 or -1. */
int ts_file_put(const char *path, const void *data, size_t len);
bool ts_file_contains(const char *path, const char *needle);
/* Polls until path contains needle or timeout_s passes. */
bool ts_file_wait_for(const char *path, const char *needle, double timeout_s);
/* The first line of path containing needle (malloc'd, without '\n'), or NULL. */
char *ts_file_line_with(const char *path, const char *needle);
void ts_dir_remove(const char *path); /* rm -r; quiet */
/* The config block of a Markdown file marked `<!-- example: NAME -->` at the start of a line: the
 * text between its ``` fences, with its last '\n' (malloc'd); NULL when the file or mark is gone.
 */
char *ts_doc_example(const char *doc_path, const char *name);
/* Byte i of TS_BIG_PATH: a pattern that catches shifted, dropped or repeated blocks. */
unsigned char ts_big_byte(size_t i);

/* ---- a test program's run ------------------------------------------------------------------ */

/*
 * ts_run_session() (testsupport_run.h) calls ts_session_begin() before running the suite and
 * returns through ts_session_end(). Temp dirs are named after the session, so the end removes what
 * failed tests left behind (Check ends a failed test's process without running its cleanup).
 * Returns EXIT_SUCCESS/EXIT_FAILURE.
 */
void ts_session_begin(void);
int ts_session_end(int failed);

/* ---- the server --------------------------------------------------------------------------- */

struct ts_server {
    char dir[TS_PATH_MAX]; /* the temp dir: htdocs/, the config, the logs */
    char docroot[TS_PATH_MAX];
    char conf[TS_PATH_MAX];
    char error_log[TS_PATH_MAX];
    char access_log[TS_PATH_MAX];
    char pid_file[TS_PATH_MAX];
    char out[TS_PATH_MAX]; /* the server's stdout */
    char err[TS_PATH_MAX]; /* the server's stderr */
    int port;
    pid_t pid;       /* the master, or -1 */
    int wait_status; /* from waitpid() once it has exited, else -1 */
};

int ts_port_pick(void); /* a free 127.0.0.1 port, or -1 */
/* A free port on host (a numeric address, "::1" say), or -1 when host cannot be bound here. */
int ts_port_pick_host(const char *host);
/* A temp dir with the site and a mime.types, a free port, the file names; 0 or -1. */
int ts_server_init(struct ts_server *s);
/*
 * Writes s->conf: listen, document_root, module_dir, modules = {"static"}, the logs, pid_file,
 * then `extra` verbatim; the prefork, timeouts, limits and keepalive sections get test defaults
 * unless `extra` has a section of that name, and the listen line is left out when `extra` sets
 * `listen` itself (then one of its addresses should be TS_HOST:s->port, which readiness checks).
 * Can be called again before SIGUSR1/SIGHUP.
 */
int ts_server_configure(struct ts_server *s, const char *extra);
/* fork + exec PFD_BINARY args... (NULL-terminated), stdout/stderr appended to s->out/s->err. */
int ts_server_spawn(struct ts_server *s, const char *const *args);
/* Until a TCP connect to s->port succeeds; -1 when the server exited or the time ran out. */
int ts_server_wait_ready(struct ts_server *s, double timeout_s);
/* init + configure + spawn "-f conf" + wait_ready; fails the test (with logs) on error. */
void ts_server_start(struct ts_server *s, const char *extra);
/* The same with extra arguments before "-f conf" (e.g. "-X"), NULL-terminated. */
void ts_server_start_args(struct ts_server *s, const char *extra, const char *const *args);
/* configure + spawn "-f conf" + wait_ready on a server ts_server_init() made (for a test that
 * puts files in its dir first, e.g. certificates); fails the test (with logs) on error. */
void ts_server_launch(struct ts_server *s, const char *extra);
/* The same with extra arguments before "-f conf", NULL-terminated. */
void ts_server_launch_args(struct ts_server *s, const char *extra, const char *const *args);
/*
 * Makes master the server's process: a daemon that -D detached from s->pid, which comes to us as
 * an orphan (ts_server_spawn() makes us a subreaper). ts_server_wait_exit(), ts_server_stop() and
 * the cleanup after a failed test then wait for and stop it.
 */
void ts_server_adopt(struct ts_server *s, pid_t master);
/* Reaps the master if it exited within timeout_s; true then (s->wait_status is set). */
bool ts_server_wait_exit(struct ts_server *s, double timeout_s);
/*
 * SIGTERM, wait, SIGKILL the master and its workers when they outstay TS_STOP_TIMEOUT_S, remove
 * the temp dir. Fails the test when a kill was needed or a sanitizer reported an error.
 * Also the way to discard a server that was only initialised (its temp dir goes).
 */
void ts_server_stop(struct ts_server *s);
/* Stderr, stdout and the error log's tail to our stderr: context for a failure. */
void ts_server_dump(const struct ts_server *s);
/* A sanitizer report in the server's stderr or error log (malloc'd excerpt), or NULL. */
char *ts_server_sanitizer_report(const struct ts_server *s);

/* ---- the raw-socket client -------------------------------------------------------------- */

enum ts_result {
    TS_OK = 0,
    TS_CLOSED = -1,    /* the server closed before sending a byte of the response */
    TS_RESET = -2,     /* ECONNRESET / EPIPE */
    TS_TIMEOUT = -3,   /* the deadline passed */
    TS_MALFORMED = -4, /* not an HTTP/1.x response, or truncated */
    TS_ERROR = -5,     /* connect failed, or another errno */
};
const char *ts_result_name(int result);

struct ts_conn {
    int fd;
    char *buf; /* received bytes not consumed yet */
    size_t len;
    size_t cap;
    bool eof;                    /* the server sent FIN */
    int err;                     /* errno of the last failed recv/send, or 0 */
    int timeout_ms;              /* per response; TS_IO_TIMEOUT_MS unless changed */
    unsigned long long received; /* bytes received so far on this connection */
};

struct ts_header {
    char *name;
    char *value;
};

struct ts_response {
    int minor_version; /* HTTP/1.x */
    int status;
    char reason[64];
    struct ts_header *headers;
    size_t nheaders;
    char *body; /* NUL-terminated for convenience; body_len excludes the NUL */
    size_t body_len;
    bool chunked;
};

/* host (a numeric IPv4 or IPv6 address, "::1" without brackets) and port as a socket address;
 * 0, or -1 (EINVAL) when host is not one. */
int ts_address(const char *host, int port, struct sockaddr_storage *addr, socklen_t *len);
/* Connects to 127.0.0.1:port within timeout_ms; 0, or -1 with errno. rcvbuf > 0 sets SO_RCVBUF. */
int ts_conn_open(struct ts_conn *c, int port, int timeout_ms);
int ts_conn_open_rcvbuf(struct ts_conn *c, int port, int timeout_ms, int rcvbuf);
/* The same to host, a numeric address as for ts_address(). */
int ts_conn_open_host(struct ts_conn *c, const char *host, int port, int timeout_ms);
void ts_conn_close(struct ts_conn *c);
/* Sends all of data (MSG_NOSIGNAL); TS_OK or TS_RESET/TS_TIMEOUT/TS_ERROR. */
int ts_conn_send(struct ts_conn *c, const void *data, size_t len);
int ts_conn_send_str(struct ts_conn *c, const char *s);
/*
 * Reads the next response, interim (1xx) ones included. head_request: the request was HEAD, so
 * no body follows. The body is framed by chunked, Content-Length, or the close. Returns TS_OK or
 * an enum ts_result; *r is always safe to ts_response_free().
 */
int ts_response_read(struct ts_conn *c, struct ts_response *r, bool head_request);
/* The same, skipping 1xx responses (at most 8). */
int ts_response_read_final(struct ts_conn *c, struct ts_response *r, bool head_request);
void ts_response_free(struct ts_response *r);
/* First header of that name, case-insensitive, or NULL. */
const char *ts_response_header(const struct ts_response *r, const char *name);
/* Whether a comma-separated header (e.g. Connection) lists token, case-insensitive. */
bool ts_response_header_has(const struct ts_response *r, const char *name, const char *token);
/* "HTTP/1.1 200 OK, 5 headers, body 12 bytes" — for failure messages (static buffer). */
const char *ts_response_describe(const struct ts_response *r);
/*
 * Until what has arrived and not been read yet holds needle within its first 2 * TS_MAX_HEAD
 * bytes, which stay for ts_response_read(): the poll for "the server is answering now" (say
 * "HTTP/1.1 200" of a response kept in flight). TS_OK, or TS_TIMEOUT, TS_CLOSED, an error.
 */
int ts_conn_wait_for(struct ts_conn *c, const char *needle, int timeout_ms);
/* Waits until the server closes (FIN or RST), discarding what it sends; true when it did. */
bool ts_conn_closed_within(struct ts_conn *c, int timeout_ms);

/* One request on a new connection, the final response read; TS_OK or an enum ts_result. */
int ts_request(int port, const char *raw, struct ts_response *r);
/* The same to host:port (host as for ts_conn_open_host()). */
int ts_request_host(const char *host, int port, const char *raw, struct ts_response *r);
/* "GET path HTTP/1.1" with Host and Connection: close on a new connection. */
int ts_get(int port, const char *path, struct ts_response *r);
/* The status of ts_get(), or the (negative) enum ts_result. */
int ts_get_status(int port, const char *path);

/* ---- assertions: each fails the running Check test ------------------------------------- */

/* result is TS_OK; else "what: <result name>". */
void ts_assert_ok(int result, const char *what);
/* A new GET /hello.txt answers 200 (the server survived what `when` says). */
void ts_assert_serving(const struct ts_server *s, const char *when);
/* ts_conn_open() to s within 5 s. */
void ts_conn_open_or_fail(struct ts_conn *c, const struct ts_server *s);

/* ---- processes ---------------------------------------------------------------------------- */

/* The state letter of pid from /proc/<pid>/stat ('R', 'S', 'Z' …), or 0 when it is gone. */
char ts_pid_state(pid_t pid);
pid_t ts_pid_parent(pid_t pid); /* its ppid, or -1 when gone */
bool ts_pid_alive(pid_t pid);   /* exists and is not a zombie */
/* Children of parent (any state) into pids/states (either may be NULL); how many, <= max. */
size_t ts_children(pid_t parent, pid_t *pids, char *states, size_t max);
/* Children of master that are not zombies, keepers left out: its workers. */
size_t ts_workers(pid_t master, pid_t *pids, size_t max);
/* Whether pid is a keeper (its comm is "preforkd-keep"). */
bool ts_is_keeper(pid_t pid);
/* Children of master that are live keepers. */
size_t ts_keepers(pid_t master, pid_t *pids, size_t max);
/* Polls until master has a keeper (its comm set right after the fork) or timeout_s passes;
 * how many it has then, their pids into pids (at most max). */
size_t ts_keepers_wait(pid_t master, pid_t *pids, size_t max, double timeout_s);
/* Polls until master has between min and max workers or timeout_s passes; how many it has then. */
size_t ts_workers_wait(pid_t master, size_t min, size_t max, double timeout_s);
/* Polls until none of pids is alive (gone or a zombie), reaping orphans handed to us (the
 * subreaper); true when they all went within timeout_s. */
bool ts_pids_wait_gone(const pid_t *pids, size_t n, double timeout_s);
size_t ts_zombies(pid_t parent);
bool ts_pid_in(pid_t pid, const pid_t *pids, size_t n);
/* The "Uid:" or "Gid:" line (field names it) of /proc/<pid>/status: real, effective, saved and
 * filesystem ids; 0, or -1 when pid is gone. */
int ts_pid_ids(pid_t pid, const char *field, long ids[4]);
/* The pid written in path, once the file holds one that names a live process; -1 when
 * timeout_s passes first. */
pid_t ts_pid_file_wait(const char *path, double timeout_s);
/* Runs argv (argv[0] a path) with stdout+stderr to one capture; its exit code, 128+signal, or -1
 * when it outlived timeout_s (then it is killed). *output (malloc'd) gets what it printed. */
int ts_run(const char *const *argv, double timeout_s, char **output);

#endif
