/*
 * worker.h — a worker process (worker.c).
 */
#ifndef PFD_WORKER_H
#define PFD_WORKER_H

struct pfd_config;
struct pfd_server;

/* Switches to conf->user/group when running as root (workers, and start-up checks). 0 or -1. */
int pfd_worker_drop_privileges(const struct pfd_config *conf);
/* Worker: serves connections until told to exit; never returns. */
void pfd_worker_run(struct pfd_server *server) __attribute__((noreturn));

#endif
