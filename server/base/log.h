/*
 * log.h — the error log, and the files and piped programs every log writes to (log.c).
 *
 * Every log line goes out in one write() on an O_APPEND descriptor, so lines from concurrent
 * workers never interleave.
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
/* The error log's descriptor (what a keeper is handed after a reopen: see pfd_log_adopt). */
int pfd_log_fd(void);
/* A process that cannot reopen the log itself (a keeper, unprivileged) writes to fd from now
 * on, at the same descriptor number; fd is closed. */
void pfd_log_adopt(int fd);
/* Worker: error-log lines go to fd from now on (a vhost's error log while it serves one of the
 * vhost's requests); -1: back to the server's error log. */
void pfd_log_route_to(int fd);

/* Master: a child it reaped was a piped log's program (path "| command"): true, and it is started
 * again (at once, or by the next pfd_log_pipes_maintain() when it died within a second). */
bool pfd_log_pipe_reaped(pid_t pid, int status);
/* Master, at start and once a second: starts the piped-log programs that are not running. */
void pfd_log_pipes_maintain(void);

/* A log's destination: path opened O_APPEND (created 0644), or for "| command" the write end of
 * the command's pipe (started if new). -1 with errno. */
int pfd_log_file_open(const char *path);
/* Closes a log's descriptor, and lets go of its pipe when it has one. */
void pfd_log_file_close(int fd, const char *path);
/* Whether path names a piped program ("| command"). */
bool pfd_log_file_is_pipe(const char *path);

#endif
