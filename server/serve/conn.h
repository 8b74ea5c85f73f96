/*
 * conn.h — serving one connection in a worker (conn.c).
 */
#ifndef PFD_CONN_H
#define PFD_CONN_H

#include <sys/socket.h>

struct pfd_conn;
struct pfd_listen;
struct pfd_park_ticket;
struct pfd_server;

/* Serves one connection accepted on listener to its end (keep-alive included) and closes it. */
void pfd_conn_serve(struct pfd_conn *c, int fd, const struct pfd_listen *listener,
                    const struct sockaddr *peer, socklen_t peer_len);
/* Continues a connection a keeper handed back, where the worker that parked it left off. */
void pfd_conn_resume(struct pfd_conn *c, int fd, const struct pfd_park_ticket *t, int bytes_fd);
/* Allocates the per-worker connection buffers once. 0 or -1. */
int pfd_conn_init(struct pfd_conn *c, struct pfd_server *server);
void pfd_conn_fini(struct pfd_conn *c);

#endif
