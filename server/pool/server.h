/*
 * server.h — the state of one preforkd process (master or worker).
 */
#ifndef PFD_SERVER_H
#define PFD_SERVER_H

#include <pcre2.h>
#include <stdbool.h>

#include "config/config.h"
#include "config/logs.h"
#include "pool/park.h"
#include "pool/scoreboard.h"

struct pfd_ht_cache;
struct pfd_tls;

struct pfd_server {
    struct pfd_config *conf;
    struct pfd_scoreboard *scoreboard;
    int slot;            /* this worker's scoreboard slot; -1 in the master */
    uint32_t generation; /* bumped by every restart */
    bool single_process; /* -X */
    bool daemonize;      /* -D */
    struct pfd_access_log access_log;
    pcre2_match_data *match_data;  /* worker: reused by every location match */
    struct pfd_ht_cache *htaccess; /* worker: the .htaccess files read (serve/htaccess.c) */
    /* Parking (keepalive { park }): every descriptor -1 when there are no keepers (-X). */
    struct pfd_park_channels park;
    int keeper_control; /* keeper: its end of the socketpair to the master, or -1 */
    /* HTTPS: conf's contexts (serve/tls.c), made by the master with conf, before the fork, and
     * replaced with it on a reload; NULL without tls_listen. */
    struct pfd_tls *tls;
};

#endif
