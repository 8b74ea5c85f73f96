/*
 * pool_view.c — the read-only view of the pool that modules get (module.h: pfd_pool_*), read
 * from the scoreboard (workers and keepers) and the listening sockets for the request being
 * served.
 */
#include "serve/pool_view.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pool/listen.h"
#include "pool/scoreboard.h"
#include "serve/request.h"

static char scoreboard_letter(const struct pfd_scoreboard_slot *slot)
{
    static const char letters[] = {
        [PFD_WORKER_FREE] = '.',      [PFD_WORKER_STARTING] = 'S', [PFD_WORKER_IDLE] = '_',
        [PFD_WORKER_READING] = 'R',   [PFD_WORKER_HANDLING] = 'W', [PFD_WORKER_WRITING] = 'W',
        [PFD_WORKER_KEEPALIVE] = 'K', [PFD_WORKER_CLOSING] = 'C',  [PFD_WORKER_GRACEFUL] = 'G',
    };
    int state = slot->state;
    if (slot->retiring && state != PFD_WORKER_FREE)
        return 'G';
    return state >= 0 && (size_t)state < sizeof(letters) ? letters[state] : '?';
}

void pfd_pool_info(const struct pfd_request *r, struct pfd_pool_info *out)
{
    const struct pfd_scoreboard *sb = r->server->scoreboard;
    memset(out, 0, sizeof(*out));
    out->max_workers = r->conf->prefork.max_workers;
    out->master_pid = getpid();
    out->memory_kb = -1;
    if (sb == NULL)
        return;
    out->started_us = sb->started_us;
    out->restarted_us = sb->restarted_us;
    out->generation = sb->generation;
    out->nslots = sb->nslots;
    if (sb->master_pid > 0)
        out->master_pid = sb->master_pid;
    out->max_workers_reached = sb->max_workers_reached;
    out->memory_kb = sb->memory_kb;
    out->memory_procs = sb->memory_procs;
    out->tls_files = sb->tls_files == PFD_TLS_FILES_KTLS       ? "ktls"
                     : sb->tls_files == PFD_TLS_FILES_BUFFERED ? "buffered"
                                                               : NULL;
    out->tls_files_ktls = sb->tls_files_ktls;
    out->tls_files_buffered = sb->tls_files_buffered;
    out->total_requests = sb->retired_requests;
    out->total_bytes = sb->retired_bytes;
    for (uint32_t i = 0; i < sb->nslots; i++) {
        out->total_requests += sb->slots[i].requests;
        out->total_bytes += sb->slots[i].bytes_sent;
    }
}

bool pfd_pool_worker(const struct pfd_request *r, uint32_t i, struct pfd_pool_worker *out)
{
    const struct pfd_scoreboard *sb = r->server->scoreboard;
    memset(out, 0, sizeof(*out));
    out->state = '.';
    if (sb == NULL || i >= sb->nslots)
        return false;
    const struct pfd_scoreboard_slot *slot = &sb->slots[i];
    out->pid = slot->pid;
    if (out->pid <= 0 || slot->state == PFD_WORKER_FREE)
        return false;
    out->generation = slot->generation;
    out->state = scoreboard_letter(slot);
    out->requests = slot->requests;
    out->bytes_sent = slot->bytes_sent;
    out->request_started_us = slot->request_started_us;
    /* The worker may be writing these right now: copy, then terminate whatever came. */
    memcpy(out->client, slot->client, sizeof(out->client));
    memcpy(out->request, slot->request, sizeof(out->request));
    out->client[sizeof(out->client) - 1] = '\0';
    out->request[sizeof(out->request) - 1] = '\0';
    return true;
}

uint32_t pfd_pool_keeper_count(const struct pfd_request *r)
{
    const struct pfd_scoreboard *sb = r->server->scoreboard;
    if (sb == NULL)
        return 0;
    return sb->nkeepers < PFD_MAX_KEEPERS ? sb->nkeepers : PFD_MAX_KEEPERS;
}

bool pfd_pool_keeper(const struct pfd_request *r, uint32_t i, struct pfd_pool_keeper *out)
{
    memset(out, 0, sizeof(*out));
    if (i >= pfd_pool_keeper_count(r))
        return false;
    const struct pfd_keeper_slot *k = &r->server->scoreboard->keepers[i];
    out->parks = k->parks;
    out->unparks = k->unparks;
    out->expired = k->expired;
    out->hangups = k->hangups;
    out->pid = k->pid;
    if (out->pid <= 0) {
        /* What a dead keeper held went with it (the kernel closed those connections); its
         * gauges stay in the slot only until a replacement zeroes them. */
        out->pid = 0;
        return false;
    }
    out->started_us = k->started_us;
    out->parked = k->parked;
    out->lingering = k->lingering;
    out->queued = k->queued;
    out->descriptors = k->descriptors;
    return true;
}

uint32_t pfd_pool_keepers_total(const struct pfd_request *r, struct pfd_pool_keeper *out)
{
    memset(out, 0, sizeof(*out));
    uint32_t running = 0;
    struct pfd_pool_keeper k;
    for (uint32_t i = 0; i < pfd_pool_keeper_count(r); i++) {
        bool live = pfd_pool_keeper(r, i, &k);
        if (live && running++ == 0)
            out->pid = k.pid;
        out->parked += k.parked;
        out->lingering += k.lingering;
        out->queued += k.queued;
        out->descriptors += k.descriptors;
        out->parks += k.parks;
        out->unparks += k.unparks;
        out->expired += k.expired;
        out->hangups += k.hangups;
    }
    return running;
}

size_t pfd_pool_listener_count(const struct pfd_request *r)
{
    return r->conf->nlistens;
}

void pfd_pool_listener(const struct pfd_request *r, size_t i, struct pfd_pool_listener *out)
{
    out->address = NULL;
    out->queued = -1;
    out->backlog = -1;
    out->tls = false;
    if (i >= r->conf->nlistens)
        return;
    const struct pfd_listen *l = &r->conf->listens[i];
    out->address = l->text;
    out->tls = l->tls;
    out->queued = pfd_listen_queue(l->fd, &out->backlog);
}
