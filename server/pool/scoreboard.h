/*
 * scoreboard.h — the pool's table in shared memory, mapped before the first fork: a slot for each
 * live worker (main.c makes 2 × max_workers of them, at least 16, so that the workers of an old
 * generation still finishing after a reload keep theirs while the new ones start) and the
 * pool-wide counters. The master decides from it how many workers to spawn or retire, and
 * mod_status shows it. A worker writes only its own slot; the master claims and releases slots,
 * marks the ones it retires and keeps the totals.
 */
#ifndef PFD_SCOREBOARD_H
#define PFD_SCOREBOARD_H

#include <stdint.h>
#include <sys/types.h>

#include "config/config.h"

enum pfd_worker_state {
    PFD_WORKER_FREE = 0, /* the slot is unused */
    PFD_WORKER_STARTING,
    PFD_WORKER_IDLE,      /* waiting for a connection */
    PFD_WORKER_READING,   /* reading a request head */
    PFD_WORKER_HANDLING,  /* in a handler */
    PFD_WORKER_WRITING,   /* sending the response */
    PFD_WORKER_KEEPALIVE, /* waiting for the next request on a connection */
    PFD_WORKER_CLOSING,
    PFD_WORKER_GRACEFUL, /* told to finish and exit */
};

/* How HTTPS static files go out (pfd_scoreboard.tls_files): the master decides at start and at
 * each reload (serve/tls.c, pfd_tls_files_path()). */
enum pfd_tls_files {
    PFD_TLS_FILES_NONE = 0, /* no tls_listen */
    PFD_TLS_FILES_KTLS,     /* the kernel encrypts: SSL_sendfile() */
    PFD_TLS_FILES_BUFFERED, /* read() and SSL_write() */
};

struct pfd_scoreboard_slot {
    volatile pid_t pid;
    volatile uint32_t generation;
    volatile int state;
    volatile int retiring; /* the master asked it to exit: not counted as idle */
    volatile uint64_t requests;
    volatile uint64_t bytes_sent;
    volatile int64_t request_started_us; /* CLOCK_REALTIME, µs */
    char client[48];
    char request[128]; /* the current or last request line, truncated */
    /* The master's last memory reading of this slot's process (pfd_scoreboard_measure_memory):
     * its Pss, and the pid it was for (a new worker in the slot has none yet). */
    int64_t pss_kb;
    pid_t pss_pid;
};

/* A keeper process (process/keeper.c): written by that keeper only, but its pid by the master. */
struct pfd_keeper_slot {
    volatile pid_t pid;
    volatile int64_t started_us;   /* CLOCK_REALTIME, µs */
    volatile uint32_t parked;      /* connections waiting for their next request (or its rest) */
    volatile uint32_t lingering;   /* connections closing: read and thrown away until EOF */
    volatile uint32_t queued;      /* readable, waiting for a worker to be handed to */
    volatile uint32_t descriptors; /* held: connections and the files their partial heads are in */
    volatile uint64_t parks;       /* connections taken from workers */
    volatile uint64_t unparks;     /* handed back to workers */
    volatile uint64_t expired;     /* closed by the keep-alive or header deadline */
    volatile uint64_t hangups;     /* closed by the client while parked */
};

struct pfd_scoreboard {
    int64_t started_us;
    volatile uint32_t generation;
    uint32_t nslots;
    volatile uint64_t max_workers_reached; /* times the pool could not grow */
    uint32_t claim_from;                   /* master: every slot below this one is taken */
    uint32_t measure_next;         /* master: the slot pfd_scoreboard_measure_memory reads next */
    volatile int64_t restarted_us; /* the last restart (CLOCK_REALTIME, µs) */
    volatile pid_t master_pid;
    /* Requests and bytes of workers whose slots were released: with the live slots, totals. */
    volatile uint64_t retired_requests;
    volatile uint64_t retired_bytes;
    /* Pss of the master and its workers, measured by the master once a second; -1 unknown. */
    volatile int64_t memory_kb;
    volatile uint32_t memory_procs;
    /* Parking (keepalive { park }): the keepers, and the handed-back connections workers took,
     * so that handed - taken is what still waits in the channel (atomic: every worker adds). */
    uint32_t nkeepers;
    struct pfd_keeper_slot keepers[PFD_MAX_KEEPERS];
    volatile uint64_t unparks_taken;
    /* Workers inside their wait for a connection (atomic: every worker adds and takes away; one
     * killed inside the wait leaves it too high, which only costs worker.c's accept burst). */
    volatile int32_t accept_waiters;
    /* HTTPS static files: how they go out (enum pfd_tls_files, set by the master at start and
     * reload), and how many went each way (atomic: every worker adds). */
    volatile int tls_files;
    volatile uint64_t tls_files_ktls;
    volatile uint64_t tls_files_buffered;
    struct pfd_scoreboard_slot slots[];
};

/* Maps a shared anonymous scoreboard of nslots slots; NULL on failure (logged). */
struct pfd_scoreboard *pfd_scoreboard_create(uint32_t nslots);
void pfd_scoreboard_destroy(struct pfd_scoreboard *sb);
/* Master: a free slot index, or -1. */
int pfd_scoreboard_slot_claim(struct pfd_scoreboard *sb);
int pfd_scoreboard_slot_of(const struct pfd_scoreboard *sb, pid_t pid);
void pfd_scoreboard_slot_release(struct pfd_scoreboard *sb, int slot);
void pfd_scoreboard_slot_set_state(struct pfd_scoreboard *sb, int slot, int state);
/* Master, once a second: the pool's memory (Pss from /proc/PID/smaps_rollup) into memory_kb:
 * the master, the keepers and PFD_MEMORY_READS_PER_TICK workers read now, in turn, the other
 * workers' last readings (one not read yet counts as the average of those read). Reading a
 * process's smaps_rollup walks its page tables (about 70 µs): reading all of 10 000 workers
 * every second took a quarter of a CPU. */
#define PFD_MEMORY_READS_PER_TICK 64
void pfd_scoreboard_measure_memory(struct pfd_scoreboard *sb);

#endif
