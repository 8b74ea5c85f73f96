/*
 * scoreboard.c — the shared-memory worker table (see scoreboard.h).
 */
#include "scoreboard.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "preforkd/module.h"
#include "request.h"

static size_t scoreboard_size(uint32_t nslots)
{
    return sizeof(struct pfd_scoreboard) + (size_t)nslots * sizeof(struct pfd_scoreboard_slot);
}

struct pfd_scoreboard *pfd_scoreboard_create(uint32_t nslots)
{
    /* MAP_SHARED|MAP_ANONYMOUS survives fork() and needs no file; untouched pages of a large
     * table cost nothing. */
    struct pfd_scoreboard *sb = mmap(NULL, scoreboard_size(nslots), PROT_READ | PROT_WRITE,
                                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sb == MAP_FAILED) {
        pfd_log(PFD_LOG_EMERG, "mmap() of a %u-slot scoreboard failed: %s", nslots,
                strerror(errno));
        return NULL;
    }
    sb->started_us = pfd_wall_clock_us();
    sb->restarted_us = sb->started_us;
    sb->nslots = nslots;
    sb->memory_kb = -1;
    return sb;
}

void pfd_scoreboard_destroy(struct pfd_scoreboard *sb)
{
    if (sb != NULL)
        munmap(sb, scoreboard_size(sb->nslots));
}

int pfd_scoreboard_slot_claim(struct pfd_scoreboard *sb)
{
    for (uint32_t i = 0; i < sb->nslots; i++) {
        if (sb->slots[i].state == PFD_WORKER_FREE && sb->slots[i].pid == 0) {
            memset(&sb->slots[i], 0, sizeof(sb->slots[i]));
            sb->slots[i].state = PFD_WORKER_STARTING;
            return (int)i;
        }
    }
    return -1;
}

int pfd_scoreboard_slot_of(const struct pfd_scoreboard *sb, pid_t pid)
{
    for (uint32_t i = 0; i < sb->nslots; i++)
        if (sb->slots[i].pid == pid)
            return (int)i;
    return -1;
}

void pfd_scoreboard_slot_release(struct pfd_scoreboard *sb, int slot)
{
    sb->retired_requests += sb->slots[slot].requests;
    sb->retired_bytes += sb->slots[slot].bytes_sent;
    sb->slots[slot].requests = 0;
    sb->slots[slot].bytes_sent = 0;
    sb->slots[slot].state = PFD_WORKER_FREE;
    sb->slots[slot].pid = 0;
    sb->slots[slot].retiring = 0;
}

void pfd_scoreboard_slot_set_state(struct pfd_scoreboard *sb, int slot, int state)
{
    if (sb != NULL && slot >= 0)
        sb->slots[slot].state = state;
}

/* ---- memory ------------------------------------------------------------------------------ */

/* The Pss of one process in kB from /proc/PID/smaps_rollup (PID 0: this one), or -1 when it is
 * gone or unreadable. Pss shares each copy-on-write page among the processes that map it, so
 * the sum over the pool is what the pool really costs. */
static int64_t scoreboard_pss_kb(pid_t pid)
{
    char path[64], text[4096];
    if (pid > 0)
        snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
    else
        snprintf(path, sizeof(path), "/proc/self/smaps_rollup");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, text, sizeof(text) - 1);
    close(fd);
    if (n <= 0)
        return -1;
    text[n] = '\0';
    const char *pss = strstr(text, "\nPss:");
    return pss != NULL ? strtoll(pss + 5, NULL, 10) : -1;
}

void pfd_scoreboard_measure_memory(struct pfd_scoreboard *sb)
{
    int64_t total = scoreboard_pss_kb(0);
    uint32_t procs = total >= 0 ? 1 : 0;
    for (uint32_t i = 0; i < sb->nslots && total >= 0; i++) {
        pid_t pid = sb->slots[i].pid;
        int64_t kb = pid > 0 ? scoreboard_pss_kb(pid) : -1;
        if (kb >= 0) {
            total += kb;
            procs++;
        }
    }
    sb->memory_procs = procs;
    sb->memory_kb = total;
}

/* ---- the read-only view modules get (module.h) -------------------------------------------- */

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

size_t pfd_pool_listener_count(const struct pfd_request *r)
{
    return r->conf->nlistens;
}

void pfd_pool_listener(const struct pfd_request *r, size_t i, struct pfd_pool_listener *out)
{
    out->address = NULL;
    out->queued = -1;
    out->backlog = -1;
    if (i >= r->conf->nlistens)
        return;
    const struct pfd_listen *l = &r->conf->listens[i];
    out->address = l->text;
    /* On a listening socket Linux reports the accept queue in tcpi_unacked and its length in
     * tcpi_sacked (tcp_get_info()). */
    struct tcp_info info;
    socklen_t len = sizeof(info);
    if (l->fd >= 0 && getsockopt(l->fd, IPPROTO_TCP, TCP_INFO, &info, &len) == 0 &&
        info.tcpi_state == TCP_LISTEN) {
        out->queued = (int)info.tcpi_unacked;
        out->backlog = (int)info.tcpi_sacked;
    }
}
