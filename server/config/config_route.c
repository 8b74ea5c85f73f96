/*
 * config_route.c — the routing part of the config: locations (their match forms, rewrites,
 * redirects, aliases, headers, access rules, authentication, error documents) and the virtual
 * hosts that hold their own, checked and copied into struct pfd_location / struct pfd_vhost
 * before the first fork. route.c reads the result at request time.
 */
#include "config/config_route.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "config/config_load.h"
#include "config/config_parse.h"
#include "config/config_route_check.h"
#include "config/config_text.h"
#include "config/config_value.h"
#include "config/logs.h"
#include "parse/access.h"
#include "parse/log_format.h"
#include "parse/rewrite.h"

/* Bounds for every route regex at request time: a path is at most a request line long, so these
 * leave ordinary patterns far from the limit while a pathological one fails fast (500, logged)
 * instead of stalling the worker. */
#define CONFIG_ROUTE_MATCH_LIMIT 200000
#define CONFIG_ROUTE_DEPTH_LIMIT 10000

/* ---- building ------------------------------------------------------------------------------ */

/* A host name as requests carry it after conn.c's clean-up: lower case, no trailing dot. */
static char *config_host_dup(const char *name)
{
    char *h = strdup(name);
    if (h == NULL)
        return NULL;
    for (char *p = h; *p != '\0'; p++)
        *p = (char)tolower((unsigned char)*p);
    size_t len = strlen(h);
    if (len > 1 && h[len - 1] == '.')
        h[len - 1] = '\0';
    return h;
}

/* pcre2_compile() plus JIT; NULL after reporting "what \"pattern\": message at offset N". */
static pcre2_code *config_regex(struct config_load *ld, int line, const char *what,
                                const char *pattern, uint32_t options)
{
    int code;
    PCRE2_SIZE offset;
    pcre2_code *re =
        pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, options, &code, &offset, NULL);
    if (re == NULL) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof(msg));
        config_error(ld, line, "bad regex \"%s\"%s: %s at offset %zu", pattern, what,
                     (const char *)msg, (size_t)offset);
        return NULL;
    }
    (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* the interpreter is fine too */
    return re;
}

/* Every "STATUS /uri" of option error_document in sec into docs. */
static int config_error_documents(struct config_load *ld, cfg_t *sec,
                                  struct pfd_error_documents *docs)
{
    size_t n = cfg_size(sec, "error_document");
    docs->v = calloc(n + 1, sizeof(*docs->v));
    if (docs->v == NULL)
        return config_oom(ld);
    for (size_t i = 0; i < n; i++) {
        int status;
        const char *uri, *why;
        if (config_error_document_parse(cfg_getnstr(sec, "error_document", (unsigned)i), &status,
                                        &uri, &why) != 0)
            continue; /* reported while parsing */
        docs->v[docs->n].status = status;
        if ((docs->v[docs->n++].uri = strdup(uri)) == NULL)
            return config_oom(ld);
    }
    return 0;
}

/* The title: "= /x", "/x", "~ re", "~* re", or (as before these forms) any other regex. */
static int config_location_form(struct config_load *ld, struct pfd_location *loc)
{
    const char *t = loc->pattern;
    if (t[0] == '=') {
        loc->kind = PFD_LOCATION_EXACT;
        loc->match = t + 1 + strspn(t + 1, " \t");
    } else if (t[0] == '/') {
        loc->kind = PFD_LOCATION_PREFIX;
        loc->match = t;
    } else {
        uint32_t options = 0;
        const char *re = t;
        if (t[0] == '~') {
            options = t[1] == '*' ? PCRE2_CASELESS : 0;
            re = t + 1 + (t[1] == '*');
            re += strspn(re, " \t");
        }
        loc->kind = PFD_LOCATION_REGEX;
        loc->regex = config_regex(ld, loc->line, "", re, options);
        return 0;
    }
    loc->match_len = strlen(loc->match);
    if (loc->match[0] != '/')
        config_error(ld, loc->line, "location \"%s\": the path must start with '/'", loc->pattern);
    return 0;
}

static int config_rewrites(struct config_load *ld, struct pfd_location *loc, cfg_t *sec)
{
    size_t n = cfg_size(sec, "rewrite");
    loc->rewrites = calloc(n + 1, sizeof(*loc->rewrites));
    if (loc->rewrites == NULL)
        return config_oom(ld);
    for (size_t i = 0; i < n; i++) {
        cfg_t *rs = cfg_getnsec(sec, "rewrite", (unsigned)i);
        struct pfd_rewrite *rw = &loc->rewrites[loc->nrewrites++];
        const char *pattern = cfg_getstr(rs, "pattern"), *to = cfg_getstr(rs, "to");
        rw->line = config_section_line(ld, rs, "pattern");
        if (pattern == NULL || to == NULL) {
            config_error(ld, rw->line > 0 ? rw->line : loc->line,
                         "location \"%s\": a rewrite needs both pattern and to", loc->pattern);
            continue;
        }
        rw->pattern = strdup(pattern);
        rw->to = strdup(to);
        if (rw->pattern == NULL || rw->to == NULL)
            return config_oom(ld);
        rw->regex = config_regex(ld, rw->line, " in a rewrite", pattern, 0);
        const char *why = pfd_rewrite_check_target(to);
        if (why != NULL)
            config_error(ld, rw->line, "rewrite to \"%s\": %s", to, why);
        for (size_t f = 0; f < cfg_size(rs, "flags"); f++)
            rw->flags |= pfd_rewrite_flag(cfg_getnstr(rs, "flags", (unsigned)f));
    }
    return 0;
}

static int config_cidrs(struct config_load *ld, cfg_t *sec, const char *name,
                        struct pfd_cidr **list, size_t *count)
{
    size_t n = cfg_size(sec, name);
    *list = calloc(n + 1, sizeof(**list));
    if (*list == NULL)
        return config_oom(ld);
    for (size_t i = 0; i < n; i++) {
        const char *why;
        if (pfd_cidr_parse(cfg_getnstr(sec, name, (unsigned)i), &(*list)[*count], &why) == 0)
            (*count)++;
    }
    return 0;
}

static int config_add_headers(struct config_load *ld, struct pfd_location *loc, cfg_t *sec)
{
    size_t n = cfg_size(sec, "add_headers");
    loc->add_headers = calloc(n + 1, sizeof(*loc->add_headers));
    if (loc->add_headers == NULL)
        return config_oom(ld);
    for (size_t i = 0; i < n; i++) {
        const char *line = cfg_getnstr(sec, "add_headers", (unsigned)i);
        const char *colon = strchr(line, ':');
        if (colon == NULL)
            continue; /* reported while parsing */
        struct pfd_header_line *h = &loc->add_headers[loc->nadd_headers++];
        h->name = strndup(line, (size_t)(colon - line));
        h->value = strdup(colon + 1 + strspn(colon + 1, " \t"));
        if (h->name == NULL || h->value == NULL)
            return config_oom(ld);
    }
    return 0;
}

/* auth_basic and auth_user_file go together; the file must be readable now. */
static int config_auth(struct config_load *ld, struct pfd_location *loc, cfg_t *sec)
{
    const char *realm = cfg_getstr(sec, "auth_basic"), *file = cfg_getstr(sec, "auth_user_file");
    if (realm == NULL && file == NULL)
        return 0;
    if (realm == NULL || file == NULL) {
        config_error(ld, loc->line, "location \"%s\": auth_basic and auth_user_file go together",
                     loc->pattern);
        return 0;
    }
    loc->auth_realm = strdup(realm);
    loc->auth_user_file = config_path(ld->conf, file, false);
    size_t n = strlen(realm) + 40;
    loc->auth_challenge = malloc(n);
    if (loc->auth_realm == NULL || loc->auth_user_file == NULL || loc->auth_challenge == NULL)
        return config_oom(ld);
    snprintf(loc->auth_challenge, n, "Basic realm=\"%s\", charset=\"UTF-8\"", realm);
    if (access(loc->auth_user_file, R_OK) == -1)
        config_error(ld, config_section_line(ld, sec, "auth_user_file"),
                     "auth_user_file \"%s\": %s", loc->auth_user_file, strerror(errno));
    return 0;
}

static int config_location_redirect(struct config_load *ld, struct pfd_location *loc, cfg_t *sec)
{
    const char *redirect = cfg_getstr(sec, "redirect"), *alias = cfg_getstr(sec, "alias");
    if (alias != NULL && (loc->alias = config_path(ld->conf, alias, false)) == NULL)
        return config_oom(ld);
    const char *scheme = cfg_getstr(sec, "scheme");
    if (scheme != NULL && (loc->scheme = strdup(scheme)) == NULL)
        return config_oom(ld);
    const char *target, *why;
    if (redirect == NULL ||
        pfd_rewrite_parse_redirect(redirect, &loc->redirect_status, &target, &why) != 0)
        return 0;
    return (loc->redirect_to = strdup(target)) != NULL ? 0 : config_oom(ld);
}

/* serve_hidden and follow_symlinks of section sec, where set; else *hidden, *links stay (a
 * vhost: the top level's, nginx's merge). */
static void config_file_policy(cfg_t *sec, bool *hidden, enum pfd_symlinks *links)
{
    if (cfg_size(sec, "serve_hidden") > 0)
        *hidden = cfg_getbool(sec, "serve_hidden") != cfg_false;
    if (cfg_size(sec, "follow_symlinks") > 0 &&
        config_symlinks_of(cfg_getstr(sec, "follow_symlinks")) >= 0)
        *links = (enum pfd_symlinks)config_symlinks_of(cfg_getstr(sec, "follow_symlinks"));
}

unsigned config_route_overrides(cfg_t *sec, unsigned inherited)
{
    size_t n = cfg_size(sec, "allow_override");
    if (n == 0)
        return inherited;
    unsigned mask = 0;
    for (size_t i = 0; i < n; i++) {
        int m = config_override_of(cfg_getnstr(sec, "allow_override", (unsigned)i));
        mask |= m > 0 ? (unsigned)m : 0; /* a bad word is reported while parsing */
    }
    return mask;
}

/* A location's serve_hidden and follow_symlinks: -1 where it does not set them (the request's
 * vhost's, or the top level's, then apply: see pfd_request_serve_hidden()). */
static void config_location_file_policy(struct pfd_location *loc, cfg_t *sec)
{
    bool hidden = false;
    enum pfd_symlinks links = PFD_SYMLINKS_ON;
    config_file_policy(sec, &hidden, &links);
    loc->serve_hidden = cfg_size(sec, "serve_hidden") > 0 ? hidden : -1;
    loc->follow_symlinks = cfg_size(sec, "follow_symlinks") > 0 ? (int)links : -1;
    loc->allow_override =
        cfg_size(sec, "allow_override") > 0 ? (int)config_route_overrides(sec, 0) : -1;
    const char *body_limit = cfg_getstr(sec, "body_limit");
    loc->body_limit = body_limit != NULL ? pfd_size_parse(body_limit) : -1;
}

/* One location section into loc; line: of its header. */
static int config_location(struct config_load *ld, struct pfd_location *loc, cfg_t *sec, int line,
                           const struct pfd_vhost *vhost)
{
    const char *handler = cfg_getstr(sec, "handler");
    loc->line = line;
    loc->section = sec;
    loc->vhost = vhost;
    loc->pattern = strdup(cfg_title(sec));
    loc->handler = handler != NULL ? strdup(handler) : NULL;
    config_location_file_policy(loc, sec);
    if (loc->pattern == NULL || (handler != NULL && loc->handler == NULL))
        return config_oom(ld);
    if (config_location_form(ld, loc) == -1 || config_rewrites(ld, loc, sec) == -1 ||
        config_cidrs(ld, sec, "allow", &loc->access.allow, &loc->access.nallow) == -1 ||
        config_cidrs(ld, sec, "deny", &loc->access.deny, &loc->access.ndeny) == -1 ||
        config_add_headers(ld, loc, sec) == -1 || config_auth(ld, loc, sec) == -1 ||
        config_location_redirect(ld, loc, sec) == -1 ||
        config_error_documents(ld, sec, &loc->error_documents) == -1)
        return -1;
    if (handler != NULL && !config_module_listed(ld->conf, handler)) {
        int hl = config_section_line(ld, sec, "handler");
        config_error(ld, hl > 0 ? hl : line, "location \"%s\": handler \"%s\" is not in modules",
                     loc->pattern, handler);
    }
    return 0;
}

/* Whether name is already the name or an alias of a vhost before index v. */
static bool config_vhost_taken(const struct pfd_config *conf, size_t v, const char *name)
{
    for (size_t i = 0; i < v; i++) {
        const struct pfd_vhost *o = &conf->vhosts[i];
        if (strcmp(o->name, name) == 0)
            return true;
        for (size_t a = 0; a < o->naliases; a++)
            if (strcmp(o->aliases[a], name) == 0)
                return true;
    }
    return false;
}

static int config_vhost_names(struct config_load *ld, size_t v, cfg_t *sec)
{
    struct pfd_config *conf = ld->conf;
    struct pfd_vhost *vh = &conf->vhosts[v];
    const char *why = config_check_host_name(cfg_title(sec));
    if (why != NULL)
        config_error(ld, vh->line, "vhost \"%s\": %s", cfg_title(sec), why);
    if ((vh->name = config_host_dup(cfg_title(sec))) == NULL)
        return config_oom(ld);
    if (config_vhost_taken(conf, v, vh->name))
        config_error(ld, vh->line, "vhost \"%s\": the name is already another vhost's", vh->name);
    size_t n = cfg_size(sec, "aliases");
    vh->aliases = calloc(n + 1, sizeof(*vh->aliases));
    if (vh->aliases == NULL)
        return config_oom(ld);
    for (size_t i = 0; i < n; i++) {
        char *a = config_host_dup(cfg_getnstr(sec, "aliases", (unsigned)i));
        if (a == NULL)
            return config_oom(ld);
        vh->aliases[vh->naliases++] = a;
        if (config_vhost_taken(conf, v, a) || strcmp(a, vh->name) == 0)
            config_error(ld, config_section_line(ld, sec, "aliases"),
                         "vhost \"%s\": alias \"%s\" is already a vhost's name", vh->name, a);
    }
    return 0;
}

/* A vhost's access_log, access_log_format and error_log: copied (paths resolved like the top
 * level's) and the format compiled once here, so that a bad one is a config error with its line. */
static int config_vhost_logs(struct config_load *ld, struct pfd_vhost *vh, cfg_t *sec)
{
    const char *access = cfg_getstr(sec, "access_log"),
               *format = cfg_getstr(sec, "access_log_format"),
               *error = cfg_getstr(sec, "error_log");
    if ((access != NULL && (vh->access_log = config_path(ld->conf, access, true)) == NULL) ||
        (format != NULL && (vh->access_log_format = strdup(format)) == NULL) ||
        (error != NULL && (vh->error_log = config_path(ld->conf, error, true)) == NULL))
        return config_oom(ld);
    vh->own_access_log = access != NULL || format != NULL;
    if (format != NULL) {
        char why[256];
        struct pfd_access_format *f = pfd_access_format_compile(format, why, sizeof(why));
        if (f == NULL)
            config_error(ld, config_section_line(ld, sec, "access_log_format"), "vhost \"%s\": %s",
                         vh->name, why);
        pfd_access_format_free(f);
    }
    return 0;
}

/* One vhost: names, document_root (resolved like the main one), its logs, locations and error
 * documents. header: the index of its header in the text. */
static int config_vhost(struct config_load *ld, size_t v, cfg_t *sec, size_t header)
{
    struct pfd_config *conf = ld->conf;
    struct pfd_vhost *vh = &conf->vhosts[v];
    vh->line = ld->text.headers[header].line;
    vh->access_log_file.fd = -1; /* opened by the master, not here */
    vh->error_log_fd = -1;
    vh->serve_hidden = conf->serve_hidden;
    vh->follow_symlinks = conf->follow_symlinks;
    config_file_policy(sec, &vh->serve_hidden, &vh->follow_symlinks);
    vh->allow_override = config_route_overrides(sec, conf->allow_override);
    const char *body_limit = cfg_getstr(sec, "body_limit");
    vh->body_limit = body_limit != NULL ? pfd_size_parse(body_limit) : conf->limits.body;
    if (config_vhost_names(ld, v, sec) == -1 || config_vhost_logs(ld, vh, sec) == -1 ||
        config_error_documents(ld, sec, &vh->routes.error_documents) == -1)
        return -1;
    const char *root = cfg_getstr(sec, "document_root");
    if (root != NULL) {
        char *path = config_path(conf, root, false);
        if (path == NULL)
            return config_oom(ld);
        if (config_check_folder(ld, config_section_line(ld, sec, "document_root"), "document_root",
                                path) == 0)
            vh->document_root = realpath(path, NULL);
        free(path);
    }
    vh->routes.locations = &conf->locations[conf->nlocations];
    for (size_t i = 0; i < cfg_size(sec, "location"); i++) {
        const struct config_header *h = config_text_header_child(&ld->text, header, i);
        struct pfd_location *loc = &conf->locations[conf->nlocations++];
        vh->routes.nlocations++;
        if (config_location(ld, loc, cfg_getnsec(sec, "location", (unsigned)i),
                            h != NULL ? h->line : vh->line, vh) == -1)
            return -1;
    }
    return 0;
}

int config_routes(struct config_load *ld)
{
    struct pfd_config *conf = ld->conf;
    cfg_t *cfg = conf->cfg;
    conf->match_context = pcre2_match_context_create(NULL);
    if (conf->match_context == NULL)
        return config_oom(ld);
    pcre2_set_match_limit(conf->match_context, CONFIG_ROUTE_MATCH_LIMIT);
    pcre2_set_depth_limit(conf->match_context, CONFIG_ROUTE_DEPTH_LIMIT);
    size_t ntop = cfg_size(cfg, "location"), nvhosts = cfg_size(cfg, "vhost"), n = ntop;
    for (size_t v = 0; v < nvhosts; v++)
        n += cfg_size(cfg_getnsec(cfg, "vhost", (unsigned)v), "location");
    conf->locations = calloc(n + 1, sizeof(*conf->locations));
    conf->vhosts = calloc(nvhosts + 1, sizeof(*conf->vhosts));
    if (conf->locations == NULL || conf->vhosts == NULL)
        return config_oom(ld);
    conf->routes.locations = conf->locations;
    for (size_t i = 0; i < ntop; i++) {
        const struct config_header *h = config_text_header_nth(&ld->text, HEADER_LOCATION, i);
        conf->nlocations++;
        conf->routes.nlocations++;
        if (config_location(ld, &conf->locations[i], cfg_getnsec(cfg, "location", (unsigned)i),
                            h != NULL ? h->line : 0, NULL) == -1)
            return -1;
    }
    if (config_error_documents(ld, cfg, &conf->routes.error_documents) == -1)
        return -1;
    for (size_t h = 0, v = 0; h < ld->text.nheaders && v < nvhosts; h++) {
        if (ld->text.headers[h].kind != HEADER_VHOST)
            continue;
        conf->nvhosts++;
        if (config_vhost(ld, v, cfg_getnsec(cfg, "vhost", (unsigned)v), h) == -1)
            return -1;
        v++;
    }
    return 0;
}

int config_route_views(struct config_load *ld)
{
    struct pfd_config *conf = ld->conf;
    for (size_t v = 0; v < conf->nvhosts; v++) {
        struct pfd_vhost *vh = &conf->vhosts[v];
        struct pfd_config *view = malloc(sizeof(*view));
        if (view == NULL)
            return config_oom(ld);
        *view = *conf;
        view->is_view = true;
        view->serve_hidden = vh->serve_hidden;
        view->follow_symlinks = vh->follow_symlinks;
        view->allow_override = vh->allow_override;
        view->limits.body = vh->body_limit;
        if (vh->document_root != NULL)
            view->document_root = vh->document_root;
        if (vh->name[0] != '*')
            view->server_name = vh->name;
        const char *admin =
            cfg_getstr(cfg_getnsec(conf->cfg, "vhost", (unsigned)v), "server_admin");
        if (admin != NULL)
            view->server_admin = (char *)admin; /* lives in conf->cfg */
        if (vh->document_root == NULL)
            vh->routes.shared = &conf->routes;
        view->routes = vh->routes;
        view->vhosts = NULL;
        view->nvhosts = 0;
        vh->view = view;
    }
    return 0;
}

static void config_error_documents_free(struct pfd_error_documents *docs)
{
    for (size_t i = 0; i < docs->n; i++)
        free(docs->v[i].uri);
    free(docs->v);
}

static void config_location_free(struct pfd_location *loc)
{
    free(loc->pattern);
    pcre2_code_free(loc->regex);
    free(loc->handler);
    free(loc->alias);
    free(loc->redirect_to);
    free(loc->scheme);
    for (size_t i = 0; i < loc->nrewrites; i++) {
        free(loc->rewrites[i].pattern);
        free(loc->rewrites[i].to);
        pcre2_code_free(loc->rewrites[i].regex);
    }
    free(loc->rewrites);
    for (size_t i = 0; i < loc->nadd_headers; i++) {
        free(loc->add_headers[i].name);
        free(loc->add_headers[i].value);
    }
    free(loc->add_headers);
    free(loc->access.allow);
    free(loc->access.deny);
    free(loc->auth_realm);
    free(loc->auth_user_file);
    free(loc->auth_challenge);
    config_error_documents_free(&loc->error_documents);
}

void config_routes_free(struct pfd_config *conf)
{
    pfd_vhost_logs_close(conf);
    for (size_t i = 0; i < conf->nlocations; i++)
        config_location_free(&conf->locations[i]);
    free(conf->locations);
    for (size_t v = 0; v < conf->nvhosts; v++) {
        struct pfd_vhost *vh = &conf->vhosts[v];
        free(vh->name);
        for (size_t a = 0; a < vh->naliases; a++)
            free(vh->aliases[a]);
        free(vh->aliases);
        free(vh->document_root);
        free(vh->access_log);
        free(vh->access_log_format);
        free(vh->error_log);
        config_error_documents_free(&vh->routes.error_documents);
        free(vh->view);
    }
    free(conf->vhosts);
    config_error_documents_free(&conf->routes.error_documents);
    pcre2_match_context_free(conf->match_context);
}
