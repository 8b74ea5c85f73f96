/*
 * conn_io.h — waiting on and writing to a connection's socket (conn_io.c).
 */
#ifndef PFD_CONN_IO_H
#define PFD_CONN_IO_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pfd_conn;

/* Set by signals (process/worker.c): finish the current request, then exit. On SIGUSR1 (a
 * graceful restart, or a spare worker retired) PFD_STOP_RETIRE: the connection lives on, parked
 * for another worker when parking is on; on SIGWINCH (a graceful stop) PFD_STOP_CLOSE: the
 * response says "Connection: close". */
enum { PFD_STOP_RETIRE = 1, PFD_STOP_CLOSE = 2 };
extern volatile sig_atomic_t pfd_worker_stopping;
/* The signal mask that lets those signals in; used only by waits that may be cut short (idle
 * and keep-alive waits), so a request in progress is never interrupted. */
extern sigset_t pfd_worker_wait_mask;

/* Waits until fd is ready for events or the monotonic deadline (ms) passes; 1 ready, 0 timed
 * out, -1 error or interrupted (when interruptible). */
int pfd_conn_wait(int fd, short events, int64_t deadline_ms, bool interruptible);
/* Sends c->out, then len bytes of data, with send flags (MSG_MORE), within timeouts.send; the
 * connection is marked broken when that fails. 0 or -1. */
int pfd_conn_flush_with(struct pfd_conn *c, const void *data, size_t len, int flags);
/* Sends what c->out holds. 0 or -1. */
int pfd_conn_flush(struct pfd_conn *c);

#endif
