/*
 * scoreboard.c — the shared-memory worker table (see scoreboard.h).
 */
#include "scoreboard.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

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
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    sb->started_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
    sb->nslots = nslots;
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
    sb->slots[slot].state = PFD_WORKER_FREE;
    sb->slots[slot].pid = 0;
    sb->slots[slot].retiring = 0;
}

void pfd_scoreboard_slot_set_state(struct pfd_scoreboard *sb, int slot, int state)
{
    if (sb != NULL && slot >= 0)
        sb->slots[slot].state = state;
}
