/*
 * master.h — the master process (master.c).
 */
#ifndef PFD_MASTER_H
#define PFD_MASTER_H

struct pfd_server;

/* Master: runs until stopped; returns the process exit code. */
int pfd_master_run(struct pfd_server *server);

#endif
