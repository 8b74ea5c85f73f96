/*
 * testsupport_ops.h — helpers for the operations tests (check_status, check_ops*, check_haproxy):
 * a load generator from Debian's packages (ab, from apache2-utils) run in the background and its
 * counts, requests that open with a PROXY protocol header, and line counting in logs.
 */
#ifndef PFD_TESTSUPPORT_OPS_H
#define PFD_TESTSUPPORT_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "testsupport.h"

#define TSO_AB "/usr/bin/ab"
#define TSO_HAPROXY "/usr/sbin/haproxy"

/* Whether an executable exists at path. */
bool tso_have(const char *path);

struct tso_load {
    pid_t pid;
    char out[TS_PATH_MAX]; /* ab's stdout and stderr */
};

struct tso_load_result {
    long complete; /* "Complete requests" */
    long failed;   /* "Failed requests": connect, receive, length, exceptions */
    long non2xx;   /* "Non-2xx responses" (absent: 0) */
    long exit_code;
    char summary[512]; /* the lines above, for messages */
};

/*
 * Starts `ab -r [-k] -c concurrency -t seconds` against url in the background, its output in
 * dir/ab-<n>.out. 0, or -1 when ab is missing or fork failed.
 */
int tso_load_start(struct tso_load *l, const char *dir, const char *url, int concurrency,
                   int seconds, bool keepalive);
/* Waits for it (at most timeout_s, then kills it) and parses its report. 0, or -1 when it did not
 * finish or printed no report (res->summary then holds its output's start). */
int tso_load_finish(struct tso_load *l, double timeout_s, struct tso_load_result *res);

/* One request on a new connection to 127.0.0.1:port that starts with len bytes of a PROXY header;
 * the final response read. TS_OK or an enum ts_result. */
int tso_request_proxied(int port, const void *header, size_t len, const char *raw,
                        struct ts_response *r);

/* The same as ts_request(), from a chosen local address (another loopback address such as
 * "127.0.0.2", so that the client can be told apart from a proxy on 127.0.0.1). */
int tso_request_from(const char *src, int port, const char *raw, struct ts_response *r);

/* Starts `haproxy -db -f dir/haproxy.cfg` with config text (its output in dir/haproxy.out) and
 * waits until 127.0.0.1:port accepts; its pid, or -1 (then *why says what happened). */
pid_t tso_haproxy_start(const char *dir, const char *config, int port, char *why, size_t why_size);
/* SIGTERM, then SIGKILL after 5 s; reaped. */
void tso_haproxy_stop(pid_t pid);

/* Lines of path (0 when it cannot be read), and those that contain needle (NULL: all). */
long tso_count_lines(const char *path, const char *needle);
/* Whether every line of path ends with '\n' and matches the shape of a combined-format line
 * (starts with an address, holds a quoted request line and a 3-digit status). */
bool tso_lines_whole(const char *path, char *why, size_t why_size);

#endif
