/*
 * listen.h — binding the listening sockets, and keeping them open across reloads.
 */
#ifndef PFD_LISTEN_H
#define PFD_LISTEN_H

#include "config/config.h"

/* Binds every conf->listens[i] that has no fd yet. 0, or -1 after logging which address. */
int pfd_listen_open(struct pfd_config *conf);
/* For a reload: new takes over old's sockets for the addresses both listen on (so a graceful
 * restart never closes a socket clients are connecting to) and binds the others. On success the
 * rest of old's are closed; on failure (-1, logged) old keeps all of its sockets. */
int pfd_listen_take_over(struct pfd_config *old_conf, struct pfd_config *new_conf);
void pfd_listen_close(struct pfd_config *conf);
/* Connections waiting in fd's accept queue, and the queue's length in *backlog; -1 for both when
 * the kernel does not say (not a listening TCP socket). */
int pfd_listen_queue(int fd, int *backlog);
/* Connections waiting in the accept queues of all of conf's listeners (those that can tell). */
int pfd_listen_queued(const struct pfd_config *conf);

#endif
