/*
 * scoreboard.c — the shared-memory worker table (see scoreboard.h).
 */
#include "pool/scoreboard.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "preforkd/module.h"

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

/* The lowest free slot, as Apache takes: the scan starts where the last claim stopped, since
 * every slot below is taken (a release moves the start back), so starting 10 000 workers does
 * not read the table 10 000 times. */
int pfd_scoreboard_slot_claim(struct pfd_scoreboard *sb)
{
    for (uint32_t i = sb->claim_from; i < sb->nslots; i++) {
        if (sb->slots[i].state == PFD_WORKER_FREE && sb->slots[i].pid == 0) {
            memset(&sb->slots[i], 0, sizeof(sb->slots[i]));
            sb->slots[i].state = PFD_WORKER_STARTING;
            sb->claim_from = i + 1;
            return (int)i;
        }
    }
    sb->claim_from = sb->nslots;
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
    if ((uint32_t)slot < sb->claim_from)
        sb->claim_from = (uint32_t)slot;
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

/* Reads the next PFD_MEMORY_READS_PER_TICK workers' Pss into their slots, in turn. */
static void scoreboard_read_some(struct pfd_scoreboard *sb)
{
    uint32_t read = 0;
    for (uint32_t n = 0; n < sb->nslots && read < PFD_MEMORY_READS_PER_TICK; n++) {
        uint32_t i = sb->measure_next;
        sb->measure_next = (i + 1) % sb->nslots;
        struct pfd_scoreboard_slot *slot = &sb->slots[i];
        pid_t pid = slot->pid;
        if (pid <= 0)
            continue;
        read++;
        int64_t kb = scoreboard_pss_kb(pid);
        slot->pss_kb = kb;
        slot->pss_pid = kb >= 0 ? pid : 0;
    }
}

void pfd_scoreboard_measure_memory(struct pfd_scoreboard *sb)
{
    int64_t total = scoreboard_pss_kb(0);
    if (total < 0) {
        sb->memory_procs = 0;
        sb->memory_kb = -1;
        return;
    }
    uint32_t procs = 1;
    for (uint32_t i = 0; i < sb->nkeepers; i++) {
        int64_t kb = sb->keepers[i].pid > 0 ? scoreboard_pss_kb(sb->keepers[i].pid) : -1;
        if (kb >= 0) {
            total += kb;
            procs++;
        }
    }
    scoreboard_read_some(sb);
    int64_t known_kb = 0;
    uint32_t known = 0, unknown = 0;
    for (uint32_t i = 0; i < sb->nslots; i++) {
        const struct pfd_scoreboard_slot *slot = &sb->slots[i];
        if (slot->pid <= 0)
            continue;
        if (slot->pss_pid == slot->pid) {
            known_kb += slot->pss_kb;
            known++;
        } else {
            unknown++;
        }
    }
    total += known_kb + (known > 0 ? known_kb / known * unknown : 0);
    sb->memory_procs = procs + known + (known > 0 ? unknown : 0);
    sb->memory_kb = total;
}
