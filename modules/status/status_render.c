/*
 * status_render.c — the ?auto, ?json and HTML views of a pool snapshot (status_render.h).
 *
 * ?auto follows Apache 2.4's mod_status key for key where preforkd has the value (the first line
 * is the server name, then "Key: value" lines ending with Scoreboard), so exporters written for
 * Apache parse it; what Apache cannot tell (listen queue, pool memory, max_workers reached, the
 * connections the keepers hold) comes as extra keys, which such parsers skip.
 */
#include "status_render.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct status_counts status_count(const struct status_snapshot *s)
{
    struct status_counts c = {0};
    for (size_t i = 0; i < s->nworkers; i++) {
        char st = s->workers[i].state;
        if (st == '_') {
            if (s->workers[i].generation == s->info.generation)
                c.idle++;
        } else if (st == 'S') {
            c.starting++;
        } else if (st != '.') {
            c.busy++;
            c.graceful += st == 'G';
        }
    }
    return c;
}

const char *status_state_name(char letter)
{
    switch (letter) {
    case '_':
        return "idle";
    case 'S':
        return "starting";
    case 'R':
        return "reading";
    case 'W':
        return "sending";
    case 'K':
        return "keepalive";
    case 'C':
        return "closing";
    case 'G':
        return "graceful";
    case '.':
        return "open";
    default:
        return "unknown";
    }
}

void status_uptime_text(int64_t seconds, char *out, size_t size)
{
    static const struct {
        const char *unit;
        int64_t seconds;
    } units[] = {{"day", 86400}, {"hour", 3600}, {"minute", 60}, {"second", 1}};
    size_t len = 0;
    out[0] = '\0';
    if (seconds < 0)
        seconds = 0;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]) && len < size; i++) {
        int64_t n = seconds / units[i].seconds;
        seconds %= units[i].seconds;
        if (n == 0 && !(i == 3 && len == 0))
            continue;
        int k = snprintf(out + len, size - len, "%s%" PRId64 " %s%s", len > 0 ? " " : "", n,
                         units[i].unit, n == 1 ? "" : "s");
        len = k > 0 ? len + (size_t)k : len;
    }
}

/* Apache's DEFAULT_TIME_FORMAT, in UTC: "Saturday, 27-Nov-2026 14:08:29 UTC". */
static void status_time_text(int64_t us, char *out, size_t size)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL || strftime(out, size, "%A, %d-%b-%Y %H:%M:%S UTC", &tm) == 0)
        snprintf(out, size, "-");
}

static int64_t status_uptime(const struct status_snapshot *s)
{
    int64_t up = (s->now_us - s->info.started_us) / 1000000;
    return up > 0 ? up : 0;
}

/* Totals per second and per request; 0 where the divisor is 0. */
struct status_rates {
    double req_per_sec, bytes_per_sec, bytes_per_req;
};

static struct status_rates status_rates(const struct status_snapshot *s)
{
    struct status_rates r = {0, 0, 0};
    int64_t up = status_uptime(s);
    if (up > 0) {
        r.req_per_sec = (double)s->info.total_requests / (double)up;
        r.bytes_per_sec = (double)s->info.total_bytes / (double)up;
    }
    if (s->info.total_requests > 0)
        r.bytes_per_req = (double)s->info.total_bytes / (double)s->info.total_requests;
    return r;
}

/* Connections waiting in all accept queues, and their summed length; -1 when unknown. */
static void status_queue_total(const struct status_snapshot *s, int *queued, int *backlog)
{
    *queued = s->nlisteners > 0 ? 0 : -1;
    *backlog = *queued;
    for (size_t i = 0; i < s->nlisteners; i++) {
        if (s->listeners[i].queued < 0) {
            *queued = *backlog = -1;
            return;
        }
        *queued += s->listeners[i].queued;
        *backlog += s->listeners[i].backlog;
    }
}

/* Seconds since the worker's current or last request began, or -1 when it had none. */
static int64_t status_worker_seconds(const struct status_snapshot *s,
                                     const struct pfd_pool_worker *w)
{
    if (w->request_started_us <= 0)
        return -1;
    int64_t sec = (s->now_us - w->request_started_us) / 1000000;
    return sec > 0 ? sec : 0;
}

/* ---- ?auto -------------------------------------------------------------------------------- */

/* The keepers: KeeperPid is the first running one's (0 when none runs: parking off, or -X);
 * with several slots KeeperPids lists each slot's in order, 0 for one not running now. */
static void status_auto_keepers(const struct status_snapshot *s, struct status_out *out)
{
    const struct pfd_pool_keeper *t = &s->keepers_total;
    status_printf(out, "Keepers: %" PRIu32 "\nKeeperPid: %d\n", s->keepers_running, (int)t->pid);
    if (s->nkeepers > 1) {
        status_put(out, "KeeperPids:");
        for (uint32_t i = 0; i < s->nkeepers; i++)
            status_printf(out, " %d", (int)s->keepers[i].pid);
        status_put(out, "\n");
    }
    status_printf(out,
                  "ParkedConnections: %" PRIu32 "\nLingeringConnections: %" PRIu32
                  "\nParkQueue: %" PRIu32 "\nParks: %" PRIu64 "\nUnparks: %" PRIu64 "\n",
                  t->parked, t->lingering, t->queued, t->parks, t->unparks);
}

void status_render_auto(const struct status_snapshot *s, struct status_out *out)
{
    char when[64], up_text[96];
    struct status_counts c = status_count(s);
    struct status_rates r = status_rates(s);
    int64_t up = status_uptime(s);
    status_printf(out, "%s\n", s->server_name);
    status_printf(out, "ServerVersion: %s\nServerMPM: prefork\n", s->version);
    status_time_text(s->now_us, when, sizeof(when));
    status_printf(out, "CurrentTime: %s\n", when);
    status_time_text(s->info.restarted_us, when, sizeof(when));
    status_printf(out, "RestartTime: %s\n", when);
    status_printf(out, "ParentServerConfigGeneration: %" PRIu32 "\n", s->info.generation);
    status_printf(out, "ParentServerMPMGeneration: %" PRIu32 "\n",
                  s->info.generation > 0 ? s->info.generation - 1 : 0);
    status_uptime_text(up, up_text, sizeof(up_text));
    status_printf(out, "ServerUptimeSeconds: %" PRId64 "\nServerUptime: %s\n", up, up_text);
    if (s->load[0] >= 0)
        status_printf(out, "Load1: %.2f\nLoad5: %.2f\nLoad15: %.2f\n", s->load[0], s->load[1],
                      s->load[2]);
    status_printf(out, "Total Accesses: %" PRIu64 "\nTotal kBytes: %" PRIu64 "\n",
                  s->info.total_requests, s->info.total_bytes >> 10);
    status_printf(out, "Uptime: %" PRId64 "\nReqPerSec: %g\nBytesPerSec: %g\nBytesPerReq: %g\n", up,
                  r.req_per_sec, r.bytes_per_sec, r.bytes_per_req);
    status_printf(out, "BusyWorkers: %d\nGracefulWorkers: %d\nIdleWorkers: %d\n", c.busy,
                  c.graceful, c.idle);
    int queued, backlog;
    status_queue_total(s, &queued, &backlog);
    status_printf(out, "ListenQueue: %d\nListenBacklog: %d\n", queued, backlog);
    status_printf(out, "MaxWorkers: %d\nMaxWorkersReached: %" PRIu64 "\n", s->info.max_workers,
                  s->info.max_workers_reached);
    status_printf(out, "PoolMemoryKB: %" PRId64 "\nPoolProcesses: %" PRIu32 "\n", s->info.memory_kb,
                  s->info.memory_procs);
    status_auto_keepers(s, out);
    if (s->info.tls_files != NULL)
        status_printf(
            out, "TLSStaticFiles: %s\nTLSStaticKTLS: %" PRIu64 "\nTLSStaticBuffered: %" PRIu64 "\n",
            s->info.tls_files, s->info.tls_files_ktls, s->info.tls_files_buffered);
    status_put(out, "Scoreboard: ");
    out->write(out->ctx, s->letters, s->info.nslots);
    status_put(out, "\n");
}

/* ---- ?json -------------------------------------------------------------------------------- */

static void status_json_workers(const struct status_snapshot *s, struct status_out *out)
{
    status_put(out, "  \"workers\": [");
    for (size_t i = 0; i < s->nworkers; i++) {
        const struct pfd_pool_worker *w = &s->workers[i];
        char state[2] = {w->state, '\0'};
        status_printf(out,
                      "%s\n    {\"slot\": %" PRIu32 ", \"pid\": %d, \"generation\": %" PRIu32
                      ", \"state\": ",
                      i > 0 ? "," : "", s->worker_slots[i], (int)w->pid, w->generation);
        status_json_string(out, state);
        status_printf(out,
                      ", \"state_name\": \"%s\", \"requests\": %" PRIu64 ", \"bytes\": %" PRIu64
                      ", \"seconds\": %" PRId64 ", \"client\": ",
                      status_state_name(w->state), w->requests, w->bytes_sent,
                      status_worker_seconds(s, w));
        status_json_string(out, w->client);
        status_put(out, ", \"request\": ");
        status_json_string(out, w->request);
        status_put(out, "}");
    }
    status_put(out, s->nworkers > 0 ? "\n  ]\n" : "]\n");
}

/* The keepers' totals, then one object per running keeper (as "workers" has the live slots). */
static void status_json_keepers(const struct status_snapshot *s, struct status_out *out)
{
    const struct pfd_pool_keeper *t = &s->keepers_total;
    status_printf(out,
                  "  \"running_keepers\": %" PRIu32 ",\n  \"keeper_pid\": %d,\n"
                  "  \"parked_connections\": %" PRIu32 ",\n  \"lingering_connections\": %" PRIu32
                  ",\n  \"park_queue\": %" PRIu32 ",\n  \"parks\": %" PRIu64
                  ",\n  \"unparks\": %" PRIu64 ",\n  \"park_expired\": %" PRIu64
                  ",\n  \"park_hangups\": %" PRIu64 ",\n",
                  s->keepers_running, (int)t->pid, t->parked, t->lingering, t->queued, t->parks,
                  t->unparks, t->expired, t->hangups);
    status_put(out, "  \"keepers\": [");
    size_t shown = 0;
    for (uint32_t i = 0; i < s->nkeepers; i++) {
        const struct pfd_pool_keeper *k = &s->keepers[i];
        if (k->pid <= 0)
            continue;
        char started[32];
        pfd_iso8601_format((time_t)(k->started_us / 1000000), started);
        status_printf(out,
                      "%s\n    {\"slot\": %" PRIu32 ", \"pid\": %d, \"start_time\": \"%s\", "
                      "\"parked\": %" PRIu32 ", \"lingering\": %" PRIu32 ", \"queued\": %" PRIu32
                      ", \"descriptors\": %" PRIu32 ", \"parks\": %" PRIu64
                      ", \"unparks\": %" PRIu64 ", \"expired\": %" PRIu64 ", \"hangups\": %" PRIu64
                      "}",
                      shown++ > 0 ? "," : "", i, (int)k->pid, started, k->parked, k->lingering,
                      k->queued, k->descriptors, k->parks, k->unparks, k->expired, k->hangups);
    }
    status_put(out, shown > 0 ? "\n  ],\n" : "],\n");
}

static void status_json_listeners(const struct status_snapshot *s, struct status_out *out)
{
    status_put(out, "  \"listeners\": [");
    for (size_t i = 0; i < s->nlisteners; i++) {
        const struct pfd_pool_listener *l = &s->listeners[i];
        status_put(out, i > 0 ? ", {\"address\": " : "{\"address\": ");
        status_json_string(out, l->address != NULL ? l->address : "");
        status_printf(out, ", \"tls\": %s, \"queued\": %d, \"backlog\": %d}",
                      l->tls ? "true" : "false", l->queued, l->backlog);
    }
    status_put(out, "],\n");
}

void status_render_json(const struct status_snapshot *s, struct status_out *out)
{
    char now[32], restarted[32], started[32];
    struct status_counts c = status_count(s);
    struct status_rates r = status_rates(s);
    pfd_iso8601_format((time_t)(s->now_us / 1000000), now);
    pfd_iso8601_format((time_t)(s->info.restarted_us / 1000000), restarted);
    pfd_iso8601_format((time_t)(s->info.started_us / 1000000), started);
    status_put(out, "{\n  \"server\": ");
    status_json_string(out, s->server_name);
    status_put(out, ",\n  \"version\": ");
    status_json_string(out, s->version);
    status_printf(out,
                  ",\n  \"mpm\": \"prefork\",\n  \"current_time\": \"%s\",\n"
                  "  \"start_time\": \"%s\",\n  \"restart_time\": \"%s\",\n"
                  "  \"uptime_seconds\": %" PRId64 ",\n  \"generation\": %" PRIu32
                  ",\n  \"master_pid\": %d,\n",
                  now, started, restarted, status_uptime(s), s->info.generation,
                  (int)s->info.master_pid);
    status_printf(out,
                  "  \"total_requests\": %" PRIu64 ",\n  \"total_bytes\": %" PRIu64
                  ",\n  \"requests_per_second\": %.6g,\n  \"bytes_per_second\": %.6g,\n"
                  "  \"bytes_per_request\": %.6g,\n",
                  s->info.total_requests, s->info.total_bytes, r.req_per_sec, r.bytes_per_sec,
                  r.bytes_per_req);
    status_printf(out,
                  "  \"busy_workers\": %d,\n  \"idle_workers\": %d,\n  \"graceful_workers\": %d,\n"
                  "  \"starting_workers\": %d,\n  \"max_workers\": %d,\n"
                  "  \"max_workers_reached\": %" PRIu64 ",\n",
                  c.busy, c.idle, c.graceful, c.starting, s->info.max_workers,
                  s->info.max_workers_reached);
    if (s->info.memory_kb >= 0)
        status_printf(out, "  \"memory_kb\": %" PRId64 ",\n", s->info.memory_kb);
    else
        status_put(out, "  \"memory_kb\": null,\n");
    status_printf(out, "  \"memory_processes\": %" PRIu32 ",\n", s->info.memory_procs);
    if (s->load[0] >= 0)
        status_printf(out, "  \"load\": [%.2f, %.2f, %.2f],\n", s->load[0], s->load[1], s->load[2]);
    status_json_keepers(s, out);
    if (s->info.tls_files != NULL)
        status_printf(out,
                      "  \"tls_static_files\": {\"path\": \"%s\", \"ktls\": %" PRIu64
                      ", \"buffered\": %" PRIu64 "},\n",
                      s->info.tls_files, s->info.tls_files_ktls, s->info.tls_files_buffered);
    status_json_listeners(s, out);
    status_put(out, "  \"scoreboard\": \"");
    out->write(out->ctx, s->letters, s->info.nslots);
    status_put(out, "\",\n");
    status_json_workers(s, out);
    status_put(out, "}\n");
}

/* ---- HTML --------------------------------------------------------------------------------- */

/* "1.2 kB", "3.4 MB": Apache's traffic figures. */
static void status_bytes_text(double bytes, char *out, size_t size)
{
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
    size_t u = 0;
    while (bytes >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
        bytes /= 1024;
        u++;
    }
    snprintf(out, size, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
}

static void status_html_summary(const struct status_snapshot *s, struct status_out *out)
{
    char text[96], bytes[32], per_sec[32], per_req[32];
    struct status_counts c = status_count(s);
    struct status_rates r = status_rates(s);
    status_time_text(s->now_us, text, sizeof(text));
    status_printf(out, "<dl><dt>Current Time: %s</dt>\n", text);
    status_time_text(s->info.restarted_us, text, sizeof(text));
    status_printf(out, "<dt>Restart Time: %s</dt>\n", text);
    status_printf(out, "<dt>Parent Server Config. Generation: %" PRIu32 "</dt>\n",
                  s->info.generation);
    status_uptime_text(status_uptime(s), text, sizeof(text));
    status_printf(out, "<dt>Server uptime: %s</dt>\n", text);
    if (s->load[0] >= 0)
        status_printf(out, "<dt>Server load: %.2f %.2f %.2f</dt>\n", s->load[0], s->load[1],
                      s->load[2]);
    status_bytes_text((double)s->info.total_bytes, bytes, sizeof(bytes));
    status_printf(out, "<dt>Total accesses: %" PRIu64 " - Total Traffic: %s</dt>\n",
                  s->info.total_requests, bytes);
    status_bytes_text(r.bytes_per_sec, per_sec, sizeof(per_sec));
    status_bytes_text(r.bytes_per_req, per_req, sizeof(per_req));
    status_printf(out, "<dt>%.3g requests/sec - %s/second - %s/request</dt>\n", r.req_per_sec,
                  per_sec, per_req);
    status_printf(out,
                  "<dt>%d requests currently being processed, %d idle workers, %d starting</dt>\n",
                  c.busy, c.idle, c.starting);
    for (size_t i = 0; i < s->nlisteners; i++) {
        status_put(out, "<dt>Listen queue on ");
        status_html(out, s->listeners[i].address != NULL ? s->listeners[i].address : "");
        if (s->listeners[i].tls)
            status_put(out, " (HTTPS)");
        if (s->listeners[i].queued >= 0)
            status_printf(out, ": %d waiting (backlog %d)</dt>\n", s->listeners[i].queued,
                          s->listeners[i].backlog);
        else
            status_put(out, ": unknown</dt>\n");
    }
    if (s->info.memory_kb >= 0) {
        status_bytes_text((double)s->info.memory_kb * 1024, bytes, sizeof(bytes));
        status_printf(out, "<dt>Pool memory (Pss): %s in %" PRIu32 " processes</dt>\n", bytes,
                      s->info.memory_procs);
    }
    if (s->info.tls_files != NULL)
        status_printf(out,
                      "<dt>HTTPS static files: %s (kTLS and SSL_sendfile: %" PRIu64
                      ", read and SSL_write: %" PRIu64 ")</dt>\n",
                      strcmp(s->info.tls_files, "ktls") == 0 ? "kTLS" : "buffered writes",
                      s->info.tls_files_ktls, s->info.tls_files_buffered);
    status_printf(out, "<dt>max_workers (%d) reached: %" PRIu64 " times</dt></dl>\n",
                  s->info.max_workers, s->info.max_workers_reached);
}

static void status_html_scoreboard(const struct status_snapshot *s, struct status_out *out)
{
    status_put(out, "<pre>");
    for (uint32_t i = 0; i < s->info.nslots; i += 64) {
        uint32_t n = s->info.nslots - i < 64 ? s->info.nslots - i : 64;
        out->write(out->ctx, s->letters + i, n);
        status_put(out, "\n");
    }
    status_put(out,
               "</pre>\n<p>Scoreboard Key:<br>\n"
               "\"<b><code>_</code></b>\" Waiting for Connection, \"<b><code>S</code></b>\" "
               "Starting up, \"<b><code>R</code></b>\" Reading Request,<br>\n"
               "\"<b><code>W</code></b>\" Sending Reply, \"<b><code>K</code></b>\" Keepalive "
               "(read), \"<b><code>C</code></b>\" Closing connection,<br>\n"
               "\"<b><code>G</code></b>\" Gracefully finishing, \"<b><code>.</code></b>\" Open "
               "slot with no current process</p>\n");
}

/* Beside the scoreboard: the connections the keepers hold for the workers, and a row per keeper
 * slot ("-" for one where none runs now). */
static void status_html_keepers(const struct status_snapshot *s, struct status_out *out)
{
    const struct pfd_pool_keeper *t = &s->keepers_total;
    status_printf(out,
                  "<p>Parked connections: %" PRIu32 " - lingering closes: %" PRIu32
                  " - queued for a worker: %" PRIu32 " (%" PRIu32 " keepers running)</p>\n",
                  t->parked, t->lingering, t->queued, s->keepers_running);
    if (s->nkeepers == 0)
        return;
    status_put(out, "<table>\n<tr><th>Keeper</th><th>PID</th><th>Parked</th><th>Lingering</th>"
                    "<th>Queued</th><th>Parks</th><th>Unparks</th><th>Expired</th>"
                    "<th>Hangups</th></tr>\n");
    for (uint32_t i = 0; i < s->nkeepers; i++) {
        const struct pfd_pool_keeper *k = &s->keepers[i];
        status_printf(out, "<tr><td>%" PRIu32 "</td><td>", i);
        if (k->pid > 0)
            status_printf(out, "%d", (int)k->pid);
        else
            status_put(out, "-");
        status_printf(
            out,
            "</td><td>%" PRIu32 "</td><td>%" PRIu32 "</td><td>%" PRIu32 "</td><td>%" PRIu64
            "</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td></tr>\n",
            k->parked, k->lingering, k->queued, k->parks, k->unparks, k->expired, k->hangups);
    }
    status_put(out, "</table>\n");
}

static void status_html_workers(const struct status_snapshot *s, struct status_out *out)
{
    status_put(out, "<table>\n<tr><th>Srv</th><th>PID</th><th>Gen</th><th>Acc</th><th>M</th>"
                    "<th>SS</th><th>Bytes</th><th>Client</th><th>Request</th></tr>\n");
    for (size_t i = 0; i < s->nworkers; i++) {
        const struct pfd_pool_worker *w = &s->workers[i];
        int64_t ss = status_worker_seconds(s, w);
        status_printf(out,
                      "<tr><td>%" PRIu32 "</td><td>%d</td><td>%" PRIu32 "</td><td>%" PRIu64
                      "</td><td><b>%c</b></td><td>",
                      s->worker_slots[i], (int)w->pid, w->generation, w->requests, w->state);
        if (ss >= 0)
            status_printf(out, "%" PRId64, ss);
        status_printf(out, "</td><td>%" PRIu64 "</td><td>", w->bytes_sent);
        status_html(out, w->client);
        status_put(out, "</td><td>");
        status_html(out, w->request);
        status_put(out, "</td></tr>\n");
    }
    status_put(out,
               "</table>\n<p>Srv: slot, PID: process id, Gen: generation, Acc: requests served, "
               "M: mode, SS: seconds since the request began, Bytes: body bytes sent</p>\n");
}

void status_render_html(const struct status_snapshot *s, struct status_out *out)
{
    status_put(out, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n<title>Server Status "
                    "for ");
    status_html(out, s->server_name);
    status_put(out, "</title>\n<style>body{font-family:sans-serif}table{border-collapse:collapse}"
                    "td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}</style>\n"
                    "</head><body>\n<h1>Server Status for ");
    status_html(out, s->server_name);
    status_put(out, "</h1>\n<dl><dt>Server Version: ");
    status_html(out, s->version);
    status_put(out, "</dt>\n<dt>Server MPM: prefork</dt></dl>\n<hr>\n");
    status_html_summary(s, out);
    status_html_scoreboard(s, out);
    status_html_keepers(s, out);
    status_html_workers(s, out);
    status_put(out, "</body></html>\n");
}
