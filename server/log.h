/*
 * log.h — the error log and the access log.
 *
 * Every log line goes out in one write() on an O_APPEND descriptor, so lines from concurrent
 * workers never interleave. The access-log format is compiled once (pfd_access_format_compile)
 * and only interpreted per request.
 */
#ifndef PFD_LOG_H
#define PFD_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "preforkd/module.h"

/* Opens path ("-" = stderr) for the error log at level. 0 or -1 (errno set; stderr kept). */
int pfd_log_open(const char *path, int level);
/* Reopens after logrotate: same path, new file. 0 or -1 (the old descriptor stays). */
int pfd_log_reopen(void);
void pfd_log_close(void);
/* Worker: error-log lines go to fd from now on (a vhost's error log while it serves one of the
 * vhost's requests); -1: back to the server's error log. */
void pfd_log_route_to(int fd);

/* Master: a child it reaped was a piped log's program (path "| command"): true, and it is started
 * again (at once, or by the next pfd_log_pipes_maintain() when it died within a second). */
bool pfd_log_pipe_reaped(pid_t pid, int status);
/* Master, at start and once a second: starts the piped-log programs that are not running. */
void pfd_log_pipes_maintain(void);

struct pfd_access_format; /* a compiled LogFormat string */

/* Compiles an Apache LogFormat string. NULL with a reason in err when it holds an unknown %-code.
 */
struct pfd_access_format *pfd_access_format_compile(const char *format, char *err, size_t err_size);
void pfd_access_format_free(struct pfd_access_format *f);

struct pfd_access_log {
    int fd; /* -1 when off */
    char *path;
    struct pfd_access_format *format;
};

int pfd_access_log_open(struct pfd_access_log *log, const char *path, const char *format);
int pfd_access_log_reopen(struct pfd_access_log *log);
void pfd_access_log_close(struct pfd_access_log *log);
struct pfd_request;
/* Formats one line for the finished request r and writes it with a single write(). */
void pfd_access_log_write(const struct pfd_access_log *log, const struct pfd_request *r);

/*
 * The logs of conf's vhosts (access_log, error_log inside a vhost). The master opens them before
 * it forks (at start-up and for every reloaded config) and the workers inherit the descriptors;
 * reopen follows a rename by logrotate (SIGUSR1); close runs when the config is freed.
 * open: 0, or -1 when one failed (logged; that vhost then uses the server's log).
 */
struct pfd_config;
int pfd_vhost_logs_open(struct pfd_config *conf);
void pfd_vhost_logs_reopen(struct pfd_config *conf);
void pfd_vhost_logs_close(struct pfd_config *conf);

/* "Fri, 27 Nov 2026 14:08:29 GMT" (IMF-fixdate, RFC 9110 §5.6.7), cached per second. */
const char *pfd_http_date_now(void);

#endif
