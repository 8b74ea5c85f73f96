/*
 * status_render.h — mod_status's three views of one snapshot of the worker pool and its keepers
 * (the processes that hold parked keep-alive connections): Apache's machine-readable `?auto`
 * format (the keys exporters and monitoring scripts parse), a JSON document, and the HTML page.
 * Pure: the module takes the snapshot, these only format it. Unit-tested in
 * test/unit/check_status_render.c.
 */
#ifndef STATUS_RENDER_H
#define STATUS_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "preforkd/module.h"
#include "status_out.h"

struct status_snapshot {
    const char *server_name;
    const char *version; /* "preforkd/0.1.0" */
    int64_t now_us;      /* CLOCK_REALTIME */
    double load[3];      /* getloadavg(), or negative when unknown */
    struct pfd_pool_info info;
    const char *letters;                   /* info.nslots scoreboard letters, '.' for a free slot */
    const struct pfd_pool_worker *workers; /* the slots in use, in slot order */
    const uint32_t *worker_slots;          /* the slot of each */
    size_t nworkers;
    const struct pfd_pool_listener *listeners;
    size_t nlisteners;
    const struct pfd_pool_keeper *keepers; /* every keeper slot, running or not (pid 0) */
    uint32_t nkeepers;
    struct pfd_pool_keeper keepers_total; /* summed; pid: the first running keeper's, or 0 */
    uint32_t keepers_running;
};

struct status_counts {
    int busy;     /* serving: reading, handling, writing, keep-alive, closing, graceful */
    int idle;     /* waiting for a connection, current generation */
    int graceful; /* finishing their last request before exiting */
    int starting;
};

/* Apache's counting (mod_status.c): starting workers are neither busy nor idle. */
struct status_counts status_count(const struct status_snapshot *s);
/* "Idle", "Reading", … for a scoreboard letter. */
const char *status_state_name(char letter);
/* "2 days 3 hours 4 minutes 5 seconds", as Apache's ServerUptime. */
void status_uptime_text(int64_t seconds, char *out, size_t size);

void status_render_auto(const struct status_snapshot *s, struct status_out *out);
void status_render_json(const struct status_snapshot *s, struct status_out *out);
void status_render_html(const struct status_snapshot *s, struct status_out *out);

#endif
