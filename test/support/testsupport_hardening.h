/*
 * testsupport_hardening.h — what the hardening tests (check_malformed.c, check_abuse.c,
 * check_faults.c) add to the harness: raw exchanges that report how the connection ended,
 * many idle sockets, the descriptor limit, a tiny tmpfs, and the checks that a server survived
 * (no worker lost to a signal, no zombie, a normal request still answered).
 */
#ifndef PFD_TESTSUPPORT_HARDENING_H
#define PFD_TESTSUPPORT_HARDENING_H

#include <stdbool.h>
#include <stddef.h>

#include "testsupport.h"

#define TS_HARD_MAX_STATUSES 4

/* What the connection must do after the response. */
enum ts_hard_after {
    TS_HARD_ANY = 0, /* either */
    TS_HARD_CLOSE,   /* the server closes it: the stream can no longer be trusted */
    TS_HARD_KEEP,    /* a following request on it is answered correctly (framing was honoured) */
};

/* One malformed (or borderline) request: raw bytes, the statuses allowed, what happens after. */
struct ts_hard_case {
    const char *desc;
    const char *bytes;
    size_t len;
    int statuses[TS_HARD_MAX_STATUSES]; /* 0-terminated when shorter */
    enum ts_hard_after after;
    const char *forbidden; /* a string the response body must not contain, or NULL */
};

/*
 * Sends c->bytes on a new connection to port, reads the response and checks it against the
 * row. Returns true when it passed; else false with why[0..why_size) saying what was seen.
 */
bool ts_hard_case_run(int port, const struct ts_hard_case *c, char *why, size_t why_size);

/* Raises RLIMIT_NOFILE (soft, and hard when root) to at least n; the limit now in effect. */
long ts_hard_nofile_raise(long n);

/* Opens up to n TCP connections to port (non-blocking connect, then each made blocking);
 * fds[] gets them, returns how many opened within timeout_ms. */
size_t ts_hard_connect_many(int port, int *fds, size_t n, int timeout_ms);
/* Sends data on each fd that is still open (MSG_NOSIGNAL|MSG_DONTWAIT); how many took it. */
size_t ts_hard_send_each(int *fds, size_t n, const char *data, size_t len);
void ts_hard_close_all(int *fds, size_t n);
/* Waits until the server has closed each fd (EOF or reset; what it sends is discarded) or
 * timeout_ms passes; how many were closed. */
size_t ts_hard_wait_closed(const int *fds, size_t n, int timeout_ms);

/* Mounts a tmpfs of size_kb at dir (made if missing); 0, or -1 when mounting is not allowed. */
int ts_hard_tmpfs_mount(const char *dir, int size_kb);
void ts_hard_tmpfs_umount(const char *dir);

/* How many lines of path contain needle (0 when unreadable). */
size_t ts_hard_log_count(const char *path, const char *needle);

/*
 * The server survived: no worker exited on a signal (error log; unless signals_expected, for tests
 * that kill workers themselves), no zombie child of the master, and GET /hello.txt answers 200
 * "hello world". Returns NULL, or a static message saying what failed.
 */
const char *ts_hard_survived(const struct ts_server *s, bool signals_expected);

#endif
