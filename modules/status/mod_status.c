/*
 * mod_status.c — the worker pool, live, the way Apache's server-status shows it; and a health
 * check that answers without touching the disk.
 *
 *   location "^/server-status$" { handler = "status" }                        the page
 *   location "^/healthz$"       { handler = "status"  status_health = true }  "OK", 200
 *
 * The page: `?auto` is Apache's machine-readable key: value format (exporters and monitoring
 * scripts written for Apache parse it), `?json` a JSON document, anything else HTML;
 * `?refresh=N` adds a Refresh header. Only clients in allow_from see it (loopback by default):
 * the page shows client addresses and request lines. Rendering is in lib/status_render.c.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "preforkd/module.h"
#include "status_render.h"

static int status_init(struct pfd_server *server, cfg_t *section, void **conf);
static int status_location_init(struct pfd_server *server, cfg_t *location, void *main_conf,
                                void **conf);
static void status_fini(void *conf);
static int status_handle(struct pfd_request *r, void *conf);

/* `module "status" { … }`. */
static cfg_opt_t status_options[] = {
    /* Clients that may see the page: addresses, CIDR blocks or "all" (the core's rule, that of
     * location allow/deny); {} lets nobody in. */
    CFG_STR_LIST("allow_from", "{\"127.0.0.1\", \"::1\"}", CFGF_NONE),
    CFG_END(),
};

/* Inside `location "…" { handler = "status" … }`. */
static cfg_opt_t status_location_options[] = {
    CFG_BOOL("status_health", cfg_false, CFGF_NODEFAULT), /* answer "OK" to anyone */
    CFG_STR_LIST("status_allow_from", NULL, CFGF_NODEFAULT),
    CFG_END(),
};

PFD_API struct pfd_module pfd_module_status = {
    .api_version = PFD_MODULE_API_VERSION,
    .name = "status",
    .options = status_options,
    .init = status_init,
    .handle = status_handle,
    .fini = status_fini,
    .location_options = status_location_options,
    .location_init = status_location_init,
};

struct status_conf {
    struct pfd_addresses *allow; /* allow_from, compiled once here, matched per request */
    bool health;
};

/* Longest ?refresh=N honoured, in seconds. */
#define STATUS_REFRESH_MAX 3600

/* ---- configuration ------------------------------------------------------------------------ */

/* Directives as data (module.h's option reader): module name, location name, type, field. */
static const struct pfd_option status_table[] = {
    {"allow_from", "status_allow_from", PFD_OPTION_ADDRESSES, offsetof(struct status_conf, allow),
     0, 0, NULL, NULL, NULL},
    {NULL, "status_health", PFD_OPTION_BOOL, offsetof(struct status_conf, health), 0, 0, NULL, NULL,
     NULL},
    PFD_OPTIONS_END,
};

static void status_fini(void *conf)
{
    if (conf != NULL)
        pfd_options_free(status_table, conf);
    free(conf);
}

static int status_init(struct pfd_server *server, cfg_t *section, void **conf)
{
    (void)server;
    return pfd_options_new(&pfd_module_status, section, status_table, sizeof(struct status_conf),
                           conf);
}

static int status_location_init(struct pfd_server *server, cfg_t *location, void *main_conf,
                                void **conf)
{
    (void)server;
    return pfd_options_merge(&pfd_module_status, location, status_table, main_conf,
                             sizeof(struct status_conf), conf);
}

/* ---- output ------------------------------------------------------------------------------- */

/* Rendering runs twice over one snapshot: first counting bytes (for Content-Length), then
 * writing them through a staging buffer, so the response is not cut into tiny chunks. */
struct status_sink {
    struct pfd_request *r;
    size_t total;
    bool counting;
    size_t len;
    char buf[16384];
};

static void status_sink_flush(struct status_sink *k)
{
    if (k->len > 0)
        pfd_response_write(k->r, k->buf, k->len);
    k->len = 0;
}

static void status_sink_write(void *ctx, const char *data, size_t len)
{
    struct status_sink *k = ctx;
    if (k->counting) {
        k->total += len;
        return;
    }
    if (k->len + len > sizeof(k->buf))
        status_sink_flush(k);
    if (len > sizeof(k->buf)) {
        pfd_response_write(k->r, data, len);
        return;
    }
    memcpy(k->buf + k->len, data, len);
    k->len += len;
}

/* ---- the snapshot ------------------------------------------------------------------------- */

/* Copies the scoreboard out once, so that every view of one response tells the same story. */
static void status_snapshot_take(struct pfd_request *r, struct status_snapshot *s)
{
    memset(s, 0, sizeof(*s));
    s->server_name = pfd_request_server_name(r);
    s->version = "preforkd/" PFD_VERSION;
    s->now_us = pfd_wall_clock_us();
    if (getloadavg(s->load, 3) != 3)
        s->load[0] = -1;
    pfd_pool_info(r, &s->info);
    char *letters = pfd_request_alloc(r, (size_t)s->info.nslots + 1);
    struct pfd_pool_worker w;
    size_t used = 0;
    for (uint32_t i = 0; i < s->info.nslots; i++) {
        bool live = pfd_pool_worker(r, i, &w);
        letters[i] = w.state;
        used += live;
    }
    letters[s->info.nslots] = '\0';
    s->letters = letters;
    struct pfd_pool_worker *workers = pfd_request_alloc(r, (used + 1) * sizeof(*workers));
    uint32_t *slots = pfd_request_alloc(r, (used + 1) * sizeof(*slots));
    for (uint32_t i = 0; i < s->info.nslots && s->nworkers < used; i++) {
        if (pfd_pool_worker(r, i, &workers[s->nworkers]))
            slots[s->nworkers++] = i;
    }
    s->workers = workers;
    s->worker_slots = slots;
    s->nlisteners = pfd_pool_listener_count(r);
    struct pfd_pool_listener *ls = pfd_request_alloc(r, (s->nlisteners + 1) * sizeof(*ls));
    for (size_t i = 0; i < s->nlisteners; i++)
        pfd_pool_listener(r, i, &ls[i]);
    s->listeners = ls;
    s->nkeepers = pfd_pool_keeper_count(r);
    struct pfd_pool_keeper *ks = pfd_request_alloc(r, ((size_t)s->nkeepers + 1) * sizeof(*ks));
    for (uint32_t i = 0; i < s->nkeepers; i++)
        pfd_pool_keeper(r, i, &ks[i]);
    s->keepers = ks;
    s->keepers_running = pfd_pool_keepers_total(r, &s->keepers_total);
}

/* ---- the handler -------------------------------------------------------------------------- */

enum status_format { STATUS_HTML, STATUS_AUTO, STATUS_JSON };

/* "auto", "json", "refresh=N" separated by '&' (Apache also accepts "?auto&refresh=5"). */
static enum status_format status_query(const char *query, int *refresh)
{
    enum status_format f = STATUS_HTML;
    *refresh = 0;
    for (const char *p = query; p != NULL && *p != '\0';) {
        size_t n = strcspn(p, "&;");
        if (n == 4 && strncmp(p, "auto", 4) == 0)
            f = STATUS_AUTO;
        else if (n == 4 && strncmp(p, "json", 4) == 0)
            f = STATUS_JSON;
        else if (n > 8 && strncmp(p, "refresh=", 8) == 0) {
            int v = 0;
            for (size_t i = 8; i < n && p[i] >= '0' && p[i] <= '9' && v <= STATUS_REFRESH_MAX; i++)
                v = v * 10 + (p[i] - '0');
            *refresh = v < 1 ? 1 : v > STATUS_REFRESH_MAX ? STATUS_REFRESH_MAX : v;
        }
        p += n;
        p += *p != '\0';
    }
    return f;
}

static int status_health(struct pfd_request *r)
{
    pfd_response_status(r, 200);
    pfd_response_header(r, "Content-Type", "text/plain; charset=utf-8");
    pfd_response_header(r, "Cache-Control", "no-store");
    pfd_response_content_length(r, 3);
    pfd_response_write(r, "OK\n", 3);
    return PFD_DONE;
}

static int status_page(struct pfd_request *r, const struct status_conf *sc)
{
    const char *peer = pfd_request_peer_ip(r);
    if (!pfd_addresses_match(sc->allow, peer)) {
        pfd_log(PFD_LOG_INFO, "%s: server-status refused: not in allow_from", peer);
        return 403;
    }
    int refresh;
    enum status_format f = status_query(pfd_request_query(r), &refresh);
    struct status_snapshot snap;
    status_snapshot_take(r, &snap);
    static const char *const types[] = {"text/html; charset=utf-8", "text/plain; charset=utf-8",
                                        "application/json"};
    void (*render[])(const struct status_snapshot *, struct status_out *) = {
        status_render_html, status_render_auto, status_render_json};
    struct status_sink *sink = pfd_request_alloc(r, sizeof(*sink));
    sink->r = r;
    sink->total = 0;
    sink->len = 0;
    sink->counting = true;
    struct status_out out = {status_sink_write, sink};
    render[f](&snap, &out);
    pfd_response_status(r, 200);
    pfd_response_header(r, "Content-Type", types[f]);
    pfd_response_header(r, "Cache-Control", "no-store");
    if (refresh > 0)
        pfd_response_header(r, "Refresh", pfd_request_printf(r, "%d", refresh));
    pfd_response_content_length(r, (int64_t)sink->total);
    sink->counting = false;
    render[f](&snap, &out);
    status_sink_flush(sink);
    return PFD_DONE;
}

static int status_handle(struct pfd_request *r, void *conf)
{
    const char *handler = pfd_request_location_handler(r);
    const char *dir_handler = pfd_request_dir_handler(r, NULL); /* .htaccess SetHandler */
    if ((handler == NULL || strcmp(handler, "status") != 0) &&
        (dir_handler == NULL || strcasecmp(dir_handler, "server-status") != 0))
        return PFD_DECLINED; /* only where a location or a .htaccess names it */
    int method = pfd_request_method(r);
    if (method != PFD_METHOD_GET && method != PFD_METHOD_HEAD) {
        pfd_response_header(r, "Allow", "GET, HEAD");
        return 405;
    }
    const struct status_conf *sc = conf;
    return sc->health ? status_health(r) : status_page(r, sc);
}
