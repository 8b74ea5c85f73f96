/*
 * park.h — handing connections between workers and keepers (park.c).
 *
 * A worker parks a connection that waits for its client (the next request, the rest of a head,
 * the end of a lingering close) by sending the socket to a keeper with a ticket that carries
 * what the connection must keep; the keeper hands it back, through a channel every worker waits
 * on, when the client has sent something. Bytes of a partial head travel in a memfd beside the
 * socket, so a head of any allowed size can be parked.
 */
#ifndef PFD_PARK_H
#define PFD_PARK_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "pool/scoreboard.h"

/* The lingering close (Apache's): at most this many bytes read, within PFD_LINGER_MS in all,
 * and no wait for the next bytes longer than the idle bound: room for a client to finish an
 * upload of a few MiB that was refused, and then read the refusal. */
#define PFD_LINGER_MAX (8 * 1024 * 1024)
#define PFD_LINGER_MS 5000
#define PFD_LINGER_IDLE_MS 2000

enum pfd_park_kind {
    PFD_PARK_IDLE = 1,      /* between requests: hand back when readable, close at the deadline */
    PFD_PARK_HEAD,          /* inside a head: hand back when readable or at the deadline (408) */
    PFD_PARK_READY,         /* may have a request already: hand back as soon as a worker is free */
    PFD_PARK_LINGER,        /* closing: read and throw away until EOF, the deadline or the budget */
    PFD_PARK_NEW_LOG = 100, /* not a connection: the master's reopened error log, to a keeper */
};

struct pfd_park_ticket {
    uint32_t kind;
    uint32_t requests;   /* served on the connection so far */
    uint32_t bytes;      /* of the head so far, in the memfd beside the socket */
    uint32_t expired;    /* keeper to worker: the head's deadline passed while parked */
    uint32_t tls_hello;  /* HEAD on a tls_listen connection before its ClientHello (no TLS
                            state yet): the worker that takes it back starts the handshake */
    int64_t deadline_ms; /* CLOCK_MONOTONIC: keep-alive, head or lingering deadline */
    int32_t peer_port;   /* the connection's client (after a PROXY header) */
    int32_t local_port;
    char peer_ip[INET6_ADDRSTRLEN];
    char local_ip[INET6_ADDRSTRLEN];
};

/* The two channels, each a SOCK_SEQPACKET socketpair: a message is one ticket and its
 * descriptors, and many processes can send on or receive from one end without mixing them. */
struct pfd_park_channels {
    int to_keeper_send; /* workers park here */
    int to_keeper_recv; /* keepers take parked connections here */
    int to_worker_send; /* keepers hand readable connections back here */
    int to_worker_recv; /* workers wait on this beside the listening sockets */
};

/* Opens both channels (non-blocking, close-on-exec). 0, or -1 with errno. */
int pfd_park_channels_open(struct pfd_park_channels *ch);
void pfd_park_channels_close(struct pfd_park_channels *ch);
/* Sends a ticket with the connection's socket and, when bytes_fd >= 0, the file holding its
 * partial head; never blocks. 0, or -1 with errno (EAGAIN: the channel is full). */
int pfd_park_pass(int sock, const struct pfd_park_ticket *t, int conn_fd, int bytes_fd);
/* Parks: the bytes (len of them, possibly 0) go into a memfd sent beside the socket. The
 * caller still owns conn_fd. 0, or -1 with errno. */
int pfd_park_send(int sock, const struct pfd_park_ticket *t, int conn_fd, const void *bytes,
                  size_t len);
/* Takes one message, never blocking: 1 with the ticket and the descriptors received (close
 * them; *bytes_fd is -1 when none came), 0 when the channel is empty, -1 with errno on a bad
 * message (its descriptors closed), or EPIPE when no one can send on it any more. */
int pfd_park_receive(int sock, struct pfd_park_ticket *t, int *conn_fd, int *bytes_fd);
/* Reads len bytes of a parked head from bytes_fd into buf. 0 or -1. */
int pfd_park_read_bytes(int bytes_fd, char *buf, size_t len);

/* Whether the keepers have room for another connection (and its head's file) under
 * keepalive { max_parked }. */
bool pfd_park_room(const struct pfd_scoreboard *sb, const struct pfd_config *conf);
/* Connections handed back (or being handed back) that no worker has taken yet. */
uint64_t pfd_park_waiting(const struct pfd_scoreboard *sb);
/* Whether a keeper is running. */
bool pfd_park_keeper_alive(const struct pfd_scoreboard *sb);
/* The descriptors one keeper needs for its share of keepalive { max_parked }. */
long pfd_park_keeper_nofile(const struct pfd_config *conf);

#endif
