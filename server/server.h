/*
 * server.h — the state of one preforkd process (master or worker).
 */
#ifndef PFD_SERVER_H
#define PFD_SERVER_H

#include <pcre2.h>
#include <stdbool.h>

#include "config.h"
#include "log.h"
#include "scoreboard.h"

struct pfd_server {
    struct pfd_config *conf;
    struct pfd_scoreboard *scoreboard;
    int slot;            /* this worker's scoreboard slot; -1 in the master */
    uint32_t generation; /* bumped by every restart */
    bool single_process; /* -X */
    bool daemonize;      /* -D */
    struct pfd_access_log access_log;
    pcre2_match_data *match_data; /* worker: reused by every location match */
};

/* Master: runs until stopped; returns the process exit code. */
int pfd_master_run(struct pfd_server *server);
/* Switches to conf->user/group when running as root (workers, and start-up checks). 0 or -1. */
int pfd_worker_drop_privileges(const struct pfd_config *conf);
/* Worker: serves connections until told to exit; never returns. */
void pfd_worker_run(struct pfd_server *server) __attribute__((noreturn));

#endif
