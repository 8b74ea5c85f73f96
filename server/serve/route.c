/*
 * route.c — virtual hosts, locations, rewrites, access rules, authentication, redirects and
 * aliases at request time (see route.h). Everything here reads the typed config built by
 * config_route.c; the only memory it takes is the request's arena, and the pcre2 match data is
 * the worker's own, made once.
 */
#include "serve/route.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/log.h"
#include "parse/access.h"
#include "parse/rewrite.h"
#include "parse/uri.h"
#include "serve/auth.h"
#include "serve/htaccess.h"
#include "serve/request.h"
#include "serve/response.h"

/* One routing run; trace is set for preforkd -T, which prints each step and sends nothing. */
struct route_run {
    struct pfd_request *r;
    FILE *trace;
    int npairs;     /* captures of the location match now in the match data */
    bool alias_off; /* a `break` took the path out of the location: no alias */
};

static pcre2_match_data *route_match_data(struct pfd_server *server)
{
    if (server->match_data == NULL)
        server->match_data = pcre2_match_data_create(PFD_REWRITE_CAPTURES, NULL);
    return server->match_data;
}

/* pcre2_match() with the config's limits: the number of capture pairs set (> 0), 0 when there
 * is no match, -1 when the match failed (logged). */
static int route_regex(const pcre2_code *re, const char *subject, size_t len, pcre2_match_data *md,
                       pcre2_match_context *mc, const char *pattern)
{
    int rc = pcre2_match(re, (PCRE2_SPTR)subject, len, 0, 0, md, mc);
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (rc == 0) /* more groups than the match data holds: the first ones are set */
        return PFD_REWRITE_CAPTURES;
    if (rc > 0)
        return rc;
    PCRE2_UCHAR msg[128];
    pcre2_get_error_message(rc, msg, sizeof(msg));
    pfd_log(PFD_LOG_ERR, "regex \"%s\" failed on \"%s\": %s", pattern, subject, (char *)msg);
    return -1;
}

/* Whether loc's form matches path: 1 (a regex leaves its captures in md and sets *npairs), 0,
 * or -1 when the regex failed (logged). */
static int route_location_matches(const struct pfd_location *loc, const char *path, size_t len,
                                  pcre2_match_data *md, pcre2_match_context *mc, int *npairs)
{
    switch (loc->kind) {
    case PFD_LOCATION_EXACT:
        return len == loc->match_len && memcmp(path, loc->match, len) == 0;
    case PFD_LOCATION_PREFIX:
        return len >= loc->match_len && memcmp(path, loc->match, loc->match_len) == 0;
    case PFD_LOCATION_REGEX: {
        int rc = md != NULL ? route_regex(loc->regex, path, len, md, mc, loc->pattern) : -1;
        if (rc > 0)
            *npairs = rc;
        return rc < 0 ? -1 : rc > 0;
    }
    }
    return 0;
}

const struct pfd_location *pfd_route_location(const struct pfd_routes *routes, const char *path,
                                              size_t len, pcre2_match_data *md,
                                              pcre2_match_context *mc, int *npairs, int *error)
{
    return pfd_route_location_for(routes, NULL, path, len, md, mc, npairs, error);
}

/* Whether loc applies to a request over scheme (NULL: any; a location without a condition: all). */
static bool route_scheme_matches(const struct pfd_location *loc, const char *scheme)
{
    return loc->scheme == NULL || scheme == NULL || strcmp(loc->scheme, scheme) == 0;
}

const struct pfd_location *pfd_route_location_for(const struct pfd_routes *routes,
                                                  const char *scheme, const char *path, size_t len,
                                                  pcre2_match_data *md, pcre2_match_context *mc,
                                                  int *npairs, int *error)
{
    *npairs = 0;
    *error = 0;
    const struct pfd_routes *order[2] = {routes->shared, routes};
    for (size_t k = 0; k < 2; k++) {
        for (size_t i = 0; order[k] != NULL && i < order[k]->nlocations; i++) {
            const struct pfd_location *loc = &order[k]->locations[i];
            if (!route_scheme_matches(loc, scheme))
                continue;
            int rc = route_location_matches(loc, path, len, md, mc, npairs);
            if (rc < 0) {
                *error = 500;
                return NULL;
            }
            if (rc > 0)
                return loc;
        }
    }
    return NULL;
}

const struct pfd_vhost *pfd_route_vhost(const struct pfd_config *conf, const char *host)
{
    return pfd_config_vhost_named(conf, host);
}

void pfd_route_vhost_select(struct pfd_request *r)
{
    const struct pfd_vhost *vh = pfd_route_vhost(r->conf, r->host);
    /* What is logged while serving the request goes to its vhost's error log, if it has one;
     * conn.c switches back once the request is logged. */
    pfd_log_route_to(vh != NULL ? vh->error_log_fd : -1);
    if (vh == NULL)
        return;
    r->vhost = vh;
    r->conf = vh->view;
}

/* uri (origin-form, made by a rewrite) becomes the request's path, query and file. The query:
 * the uri's own when it has one (with the request's appended under qsappend), else the
 * request's. 0 or an HTTP status. */
static int route_set_uri(struct pfd_request *r, const char *uri, bool qsappend)
{
    size_t len = strlen(uri), qlen = 0;
    const char *query = NULL;
    char *path = pfd_request_alloc(r, len + 1);
    int rc = pfd_uri_normalize(uri, len, path, len + 1, &query, &qlen);
    if (rc != 0)
        return rc;
    if (query != NULL && qsappend && r->query != NULL && r->query[0] != '\0')
        r->query = pfd_request_printf(r, "%.*s&%s", (int)qlen, query, r->query);
    else if (query != NULL)
        r->query = pfd_request_printf(r, "%.*s", (int)qlen, query);
    r->path = path;
    size_t fp_size = strlen(r->conf->document_root) + strlen(path) + 1;
    r->file_path = pfd_request_alloc(r, fp_size);
    return pfd_uri_map(r->conf->document_root, path, r->file_path, fp_size) == 0 ? 0 : 414;
}

/* tmpl expanded with the captures in the match data (escaped for a URL with escape); NULL
 * when it would exceed PFD_ROUTE_MAX_URI (logged). */
static char *route_expand(struct route_run *run, const char *tmpl, int npairs, bool escape)
{
    struct pfd_request *r = run->r;
    char *out = pfd_request_alloc(r, PFD_ROUTE_MAX_URI);
    const size_t *ov = npairs > 0 ? pcre2_get_ovector_pointer(r->server->match_data) : NULL;
    if (pfd_rewrite_expand(tmpl, r->path, ov, npairs, escape, out, PFD_ROUTE_MAX_URI) < 0) {
        pfd_log(PFD_LOG_ERR, "\"%s\": \"%s\" expands to more than %d bytes", r->path, tmpl,
                PFD_ROUTE_MAX_URI);
        return NULL;
    }
    return out;
}

/* An external redirect to target, the request's query kept unless target has its own. */
static int route_redirect(struct route_run *run, int status, const char *target, bool keep_query)
{
    struct pfd_request *r = run->r;
    const char *q = r->query;
    const char *location = target;
    if (keep_query && q != NULL && q[0] != '\0')
        location = pfd_request_printf(r, "%s%c%s", target, strchr(target, '?') ? '&' : '?', q);
    if (run->trace != NULL) {
        fprintf(run->trace, "redirect: %d %s\n", status, location);
        return PFD_DONE;
    }
    return pfd_response_redirect(r, status, location);
}

/* The rewrite rules of loc over r->path. PFD_DECLINED with *reroute telling whether to route
 * again; PFD_DONE (a redirect); or an error status. */
static int route_rewrites(struct route_run *run, const struct pfd_location *loc, bool *reroute)
{
    struct pfd_request *r = run->r;
    pcre2_match_data *md = r->server->match_data;
    *reroute = false;
    for (size_t i = 0; i < loc->nrewrites; i++) {
        const struct pfd_rewrite *rw = &loc->rewrites[i];
        int n = route_regex(rw->regex, r->path, strlen(r->path), md, r->conf->match_context,
                            rw->pattern);
        if (n < 0)
            return 500;
        if (n == 0)
            continue;
        char *to = route_expand(run, rw->to, n, true);
        if (to == NULL)
            return 500;
        if (run->trace != NULL)
            fprintf(run->trace, "rewrite: \"%s\" (line %d): %s -> %s\n", rw->pattern, rw->line,
                    r->path, to);
        if (rw->flags & (PFD_REWRITE_REDIRECT | PFD_REWRITE_PERMANENT)) {
            bool keep = strchr(to, '?') == NULL || (rw->flags & PFD_REWRITE_QSAPPEND);
            return route_redirect(run, rw->flags & PFD_REWRITE_PERMANENT ? 301 : 302, to, keep);
        }
        int rc = route_set_uri(r, to, rw->flags & PFD_REWRITE_QSAPPEND);
        if (rc != 0) {
            pfd_log(PFD_LOG_ERR, "\"%s\": rewrite \"%s\" made a bad URI \"%s\" (%d)",
                    r->request_line, rw->pattern, to, rc);
            return 500;
        }
        if (rw->flags & PFD_REWRITE_BREAK)
            return PFD_DECLINED;
        *reroute = true;
        if (rw->flags & PFD_REWRITE_LAST)
            return PFD_DECLINED;
    }
    return PFD_DECLINED;
}

static bool route_has_locations(const struct pfd_routes *routes)
{
    return routes->nlocations > 0 || (routes->shared != NULL && routes->shared->nlocations > 0);
}

/* After a `break` (or rules that did not reroute), loc stays the location: its captures are
 * made again on the path it is now asked about, since the rules used the match data. When
 * the rewritten path is no longer under loc, its alias does not apply (the path is mapped under
 * document_root). */
static int route_keep_location(struct route_run *run, const struct pfd_location *loc,
                               bool rewritten)
{
    struct pfd_request *r = run->r;
    run->npairs = 0;
    int rc = route_location_matches(loc, r->path, strlen(r->path), r->server->match_data,
                                    r->conf->match_context, &run->npairs);
    if (rc < 0)
        return 500;
    run->alias_off = rc == 0;
    r->location = loc;
    if (run->trace != NULL && rewritten)
        fprintf(run->trace, "location: \"%s\" (line %d) kept (break)%s\n", loc->pattern, loc->line,
                run->alias_off && loc->alias != NULL ? "; its alias does not apply to the new path"
                                                     : "");
    return PFD_DECLINED;
}

/* Steps 2 and 3: the location, through as many rewrite rounds as it takes. */
static int route_locate(struct route_run *run)
{
    struct pfd_request *r = run->r;
    const struct pfd_routes *routes = &r->conf->routes;
    pcre2_match_data *md = route_match_data(r->server);
    run->alias_off = false;
    for (int round = 0;; round++) {
        int error;
        const char *path = r->path;
        r->location = pfd_route_location_for(routes, pfd_request_scheme(r), path, strlen(path), md,
                                             r->conf->match_context, &run->npairs, &error);
        if (error != 0)
            return error;
        const struct pfd_location *loc = r->location;
        if (run->trace != NULL && loc != NULL)
            fprintf(run->trace, "location: \"%s\" (line %d)\n", loc->pattern, loc->line);
        if (loc == NULL || loc->nrewrites == 0)
            return PFD_DECLINED;
        bool reroute;
        int rc = route_rewrites(run, loc, &reroute);
        if (rc != PFD_DECLINED)
            return rc;
        if (!reroute)
            return route_keep_location(run, loc, path != r->path);
        if (round + 1 >= PFD_ROUTE_MAX_ROUNDS) {
            pfd_log(PFD_LOG_ERR, "\"%s\": still rewriting after %d rounds (now \"%s\"): a loop?",
                    r->request_line, PFD_ROUTE_MAX_ROUNDS, r->path);
            return 500;
        }
    }
}

/* allow/deny, then Basic authentication. PFD_DECLINED when the request may pass. */
static int route_check_access(struct route_run *run, const struct pfd_location *loc)
{
    struct pfd_request *r = run->r;
    if (pfd_access_any(&loc->access)) {
        unsigned char addr[16];
        bool ok =
            pfd_access_addr(r->conn->peer_ip, addr) == 0 && pfd_access_allowed(&loc->access, addr);
        if (run->trace != NULL)
            fprintf(run->trace, "access: %zu allow, %zu deny rules; client %s: %s\n",
                    loc->access.nallow, loc->access.ndeny, r->conn->peer_ip,
                    ok ? "allowed" : "denied (403)");
        else if (!ok) {
            pfd_log(PFD_LOG_INFO, "client %s denied by location \"%s\": %s", r->conn->peer_ip,
                    loc->pattern, r->path);
            return 403;
        }
    }
    if (loc->auth_realm == NULL)
        return PFD_DECLINED;
    if (run->trace != NULL) {
        fprintf(run->trace, "auth: Basic realm \"%s\", users from %s\n", loc->auth_realm,
                loc->auth_user_file);
        return PFD_DECLINED;
    }
    char user[PFD_AUTH_MAX_USER + 1], password[PFD_AUTH_MAX_PASSWORD + 1];
    int ok = 0;
    if (pfd_auth_basic_decode(pfd_request_header(r, "Authorization"), user, password) == 0) {
        ok = pfd_auth_request(r, loc->auth_user_file, user, password);
        if (ok == -1) {
            pfd_log(PFD_LOG_ERR, "open() \"%s\" failed: %s", loc->auth_user_file, strerror(errno));
            explicit_bzero(password, sizeof(password));
            return 500;
        }
        if (ok == 0)
            pfd_log(PFD_LOG_NOTICE, "user \"%s\" from %s: authentication failure for \"%s\"", user,
                    r->conn->peer_ip, r->path);
    }
    explicit_bzero(password, sizeof(password));
    if (ok == 1)
        return PFD_DECLINED;
    r->auth_challenge = loc->auth_challenge;
    pfd_response_header(r, "WWW-Authenticate", loc->auth_challenge);
    return 401;
}

/* Whether a capture of the location's match holds a segment starting with '.': a regex alias
 * puts captures into the file name, where "/dl-.secret" → "/files/.secret" would otherwise pass
 * for a visible name. */
static bool route_captures_hidden(const struct route_run *run)
{
    const struct pfd_request *r = run->r;
    const size_t *ov = run->npairs > 1 ? pcre2_get_ovector_pointer(r->server->match_data) : NULL;
    for (int i = 1; ov != NULL && i < run->npairs; i++) {
        if (ov[2 * i] == PCRE2_UNSET || ov[2 * i + 1] <= ov[2 * i])
            continue;
        size_t len = ov[2 * i + 1] - ov[2 * i];
        const char *cap = r->path + ov[2 * i];
        if (cap[0] == '.' || memmem(cap, len, "/.", 2) != NULL)
            return true;
    }
    return false;
}

/* alias: the file under the alias target instead of document_root. 0 or an HTTP status. */
static int route_alias(struct route_run *run, const struct pfd_location *loc)
{
    struct pfd_request *r = run->r;
    const char *root = loc->alias, *rest = "/";
    if (loc->kind == PFD_LOCATION_REGEX) {
        r->alias_hidden = route_captures_hidden(run);
        root = route_expand(run, loc->alias, run->npairs, false); /* the whole file name */
        if (root == NULL)
            return 500;
        if (!pfd_rewrite_path_is_clean(root)) {
            pfd_log(PFD_LOG_INFO, "\"%s\": alias \"%s\" gives \"%s\": refused", r->path, loc->alias,
                    root);
            return 404;
        }
    } else {
        rest = r->path + loc->match_len; /* what follows the prefix */
        if (rest[0] != '/' && rest[0] != '\0') {
            if (loc->match[loc->match_len - 1] != '/')
                return 404; /* "/i" aliased, "/ix" asked: not under it */
            rest--;
        }
        if (rest[0] == '\0')
            rest = "/";
    }
    size_t size = strlen(root) + strlen(rest) + 1;
    char *file = pfd_request_alloc(r, size);
    if (pfd_uri_map(root, rest, file, size) != 0)
        return 404;
    size_t len = strlen(file);
    if (len > 1 && file[len - 1] == '/' && r->path[strlen(r->path) - 1] != '/')
        file[len - 1] = '\0'; /* "/i" → the folder itself, which mod_static redirects to "/i/" */
    r->file_path = file;
    /* What CGI calls the context: the folder the alias maps to (for a regex alias, whose target
     * is a whole file name, the file system's root) and the URL prefix mapped onto it. */
    if (loc->kind == PFD_LOCATION_REGEX) {
        r->context_root = "/";
        r->context_prefix = "";
    } else {
        size_t root_len = strlen(root);
        while (root_len > 1 && root[root_len - 1] == '/')
            root_len--;
        r->context_root = pfd_arena_strndup(&r->conn->arena, root, root_len);
        r->context_prefix = pfd_arena_strndup(&r->conn->arena, loc->match, loc->match_len);
    }
    if (run->trace != NULL)
        fprintf(run->trace, "alias: \"%s\"\n", loc->alias);
    return 0;
}

/* Steps 4 after the location is known. */
static int route_apply(struct route_run *run, const struct pfd_location *loc)
{
    struct pfd_request *r = run->r;
    int rc = route_check_access(run, loc);
    if (rc != PFD_DECLINED)
        return rc;
    if (loc->redirect_status != 0) {
        char *to = route_expand(run, loc->redirect_to, run->npairs, true);
        return to != NULL ? route_redirect(run, loc->redirect_status, to, true) : 500;
    }
    if (loc->alias != NULL && !run->alias_off && (rc = route_alias(run, loc)) != 0)
        return rc;
    for (size_t i = 0; i < loc->nadd_headers; i++) {
        if (run->trace != NULL)
            fprintf(run->trace, "header: %s: %s\n", loc->add_headers[i].name,
                    loc->add_headers[i].value);
        else
            pfd_response_header(r, loc->add_headers[i].name, loc->add_headers[i].value);
    }
    return PFD_DECLINED;
}

/* Steps 2-4 for r->path. */
static int route_once(struct route_run *run)
{
    struct pfd_request *r = run->r;
    r->location = NULL;
    r->htaccess = NULL; /* what a previous path's .htaccess files set does not carry over */
    run->npairs = 0;
    /* An error document for a 401 keeps the challenge, or browsers would not ask again. */
    if (r->kept_status == 401 && r->auth_challenge != NULL && run->trace == NULL)
        pfd_response_header(r, "WWW-Authenticate", r->auth_challenge);
    if (!route_has_locations(&r->conf->routes))
        return PFD_DECLINED;
    int rc = route_locate(run);
    if (rc != PFD_DECLINED || r->location == NULL)
        return rc;
    return route_apply(run, r->location);
}

static int route_once(struct route_run *run);

/* Step 4b: the .htaccess files of the folders down to r->file_path (htaccess.c), after the
 * location's own rules, both of which must pass. A rewrite there routes its URL again from step
 * 2, as a location's rewrite does, within PFD_ROUTE_MAX_ROUNDS. */
static int route_htaccess(struct route_run *run)
{
    struct pfd_request *r = run->r;
    for (int round = 0; round < PFD_ROUTE_MAX_ROUNDS; round++) {
        char *url;
        int rc = pfd_htaccess_run(r, run->trace, &url);
        if (rc != PFD_DECLINED || url == NULL)
            return rc;
        if (run->trace != NULL)
            fprintf(run->trace, "htaccess rewrite: %s -> %s\n", r->path, url);
        if ((rc = route_set_uri(r, url, false)) != 0) {
            pfd_log(PFD_LOG_ERR, "\"%s\": .htaccess rewrite made a bad URI \"%s\" (%d)",
                    r->request_line, url, rc);
            return 500;
        }
        r->context_root = r->context_prefix = NULL;
        r->alias_hidden = false;
        if ((rc = route_once(run)) != PFD_DECLINED)
            return rc;
    }
    pfd_log(PFD_LOG_ERR, "\"%s\": .htaccess still rewriting after %d rounds (now \"%s\"): a loop?",
            r->request_line, PFD_ROUTE_MAX_ROUNDS, r->path);
    return 500;
}

/* The request goes on as url (a normalised path in the arena), routed from step 2 as if the
 * client had asked for it (Apache's internal subrequest); what the first routing added to the
 * response is dropped. */
static int route_subrequest(struct route_run *run, char *url)
{
    struct pfd_request *r = run->r;
    r->path = url;
    size_t fp_size = strlen(r->conf->document_root) + strlen(url) + 1;
    r->file_path = pfd_request_alloc(r, fp_size);
    if (pfd_uri_map(r->conf->document_root, url, r->file_path, fp_size) != 0)
        return 414;
    r->context_root = r->context_prefix = NULL;
    r->alias_hidden = false;
    r->conn->resp_headers.len = 0;
    int rc = route_once(run);
    return rc == PFD_DECLINED ? route_htaccess(run) : rc;
}

/* Step 5a: a folder URL whose folder holds an index file is routed as the index file's own URL,
 * so the file's location decides who may read it and which handler runs it ("/app/" with
 * index.cgi runs the script instead of sending its source). */
static int route_index(struct route_run *run)
{
    struct pfd_request *r = run->r;
    const char *dir = r->file_path;
    size_t dir_len = strlen(dir);
    size_t nindex;
    const char *const *index = pfd_request_index_files(r, &nindex);
    for (size_t i = 0; i < nindex; i++) {
        const char *name = index[i];
        char *file = pfd_request_printf(r, "%s%s%s", dir, dir[dir_len - 1] == '/' ? "" : "/", name);
        struct stat st;
        /* there but unreadable counts: its handler answers 403 rather than a listing */
        if (stat(file, &st) == 0 ? !S_ISREG(st.st_mode) : errno != EACCES)
            continue;
        char *url = pfd_request_printf(r, "%s%s", r->path, name);
        if (run->trace != NULL)
            fprintf(run->trace, "index file: %s, routed as %s\n", file, url);
        return route_subrequest(run, url);
    }
    return PFD_DECLINED;
}

/* The length of file's leading part, cut at a '/' after from, that is a regular file; 0 when a
 * folder on the way is missing or something other than a file ends it. */
static size_t route_script_len(struct pfd_request *r, const char *file, size_t from)
{
    char *copy = pfd_request_strdup(r, file);
    if (from >= strlen(copy))
        return 0;
    for (char *slash = strchr(copy + from + 1, '/'); slash != NULL;
         slash = strchr(slash + 1, '/')) {
        struct stat st;
        *slash = '\0';
        int rc = stat(copy, &st);
        *slash = '/';
        if (rc != 0)
            return 0;
        if (!S_ISDIR(st.st_mode))
            return S_ISREG(st.st_mode) ? (size_t)(slash - copy) : 0;
    }
    return 0;
}

/* Maps the script's URL with loc (its alias, else document_root) and appends the path info. */
static int route_path_info_file(struct route_run *run, const struct pfd_location *loc,
                                const char *script_url, const char *info)
{
    struct pfd_request *r = run->r;
    if (loc->alias == NULL) {
        size_t size = strlen(r->conf->document_root) + strlen(script_url) + 1;
        char *file = pfd_request_alloc(r, size);
        if (pfd_uri_map(r->conf->document_root, script_url, file, size) != 0)
            return 414;
        r->file_path = file;
        r->context_root = r->context_prefix = NULL;
    }
    r->file_path = pfd_request_printf(r, "%s%s", r->file_path, info);
    return PFD_DECLINED;
}

/* Step 5b: "/admin.cgi/more" names the file admin.cgi with path info "/more" (RFC 3875 §4.1.5).
 * The script's own URL is routed too and its location's rules apply on top of the URL's (as
 * Apache applies <Files> to the script), and that location's handler runs it: a rule written
 * for "/admin.cgi" cannot be slipped past by adding a path. */
static int route_path_info(struct route_run *run)
{
    struct pfd_request *r = run->r;
    const char *root = pfd_request_context_root(r);
    size_t from = strncmp(r->file_path, root, strlen(root)) == 0 ? strlen(root) : 0;
    size_t script_len = route_script_len(r, r->file_path, from);
    if (script_len == 0)
        return PFD_DECLINED;
    const char *info = r->file_path + script_len;
    size_t info_len = strlen(info), path_len = strlen(r->path);
    if (info_len >= path_len || strcmp(r->path + path_len - info_len, info) != 0) {
        pfd_log(PFD_LOG_INFO, "\"%s\": no URL for the script \"%.*s\": refused", r->path,
                (int)script_len, r->file_path);
        return 404; /* which rules would apply is unknown */
    }
    char *script_url = pfd_request_printf(r, "%.*s", (int)(path_len - info_len), r->path);
    if (run->trace != NULL)
        fprintf(run->trace, "script: %s (%.*s), path info: %s\n", script_url, (int)script_len,
                r->file_path, info);
    int npairs, error;
    const struct pfd_location *loc = pfd_route_location_for(
        &r->conf->routes, pfd_request_scheme(r), script_url, strlen(script_url),
        route_match_data(r->server), r->conf->match_context, &npairs, &error);
    if (error != 0)
        return error;
    if (loc == NULL || loc == r->location)
        return PFD_DECLINED;
    if (run->trace != NULL)
        fprintf(run->trace, "location: \"%s\" (line %d), the script's\n", loc->pattern, loc->line);
    char *url_path = r->path;
    bool hidden = r->alias_hidden;
    r->path = script_url;
    r->location = loc;
    run->npairs = npairs;
    run->alias_off = false;
    int rc = route_apply(run, loc);
    if (rc == PFD_DECLINED)
        rc = route_path_info_file(run, loc, script_url, info);
    r->alias_hidden = r->alias_hidden || hidden;
    r->path = url_path;
    return rc == PFD_DECLINED ? route_htaccess(run) : rc;
}

/* Step 5: what the path names on disk may change which rules apply (index files, path info).
 * Costs one stat() for a path that could have path info, none for others. */
static int route_resolve(struct route_run *run)
{
    struct pfd_request *r = run->r;
    if (r->file_path == NULL || r->file_path[0] != '/' || r->path[0] != '/')
        return PFD_DECLINED;
    size_t len = strlen(r->path);
    bool folder_url = r->path[len - 1] == '/';
    bool has_rules = route_has_locations(&r->conf->routes);
    if (!folder_url && !(has_rules && strchr(r->path + 1, '/') != NULL))
        return PFD_DECLINED;
    struct stat st;
    if (stat(r->file_path, &st) == 0)
        return folder_url && S_ISDIR(st.st_mode) ? route_index(run) : PFD_DECLINED;
    return errno == ENOTDIR && has_rules ? route_path_info(run) : PFD_DECLINED;
}

static int route_run(struct route_run *run)
{
    int rc = route_once(run);
    if (rc == PFD_DECLINED)
        rc = route_htaccess(run);
    return rc == PFD_DECLINED ? route_resolve(run) : rc;
}

int pfd_route_request(struct pfd_request *r)
{
    struct route_run run = {.r = r};
    return route_run(&run);
}

static const char *route_error_document_in(const struct pfd_error_documents *docs, int status)
{
    for (size_t i = 0; i < docs->n; i++)
        if (docs->v[i].status == status)
            return docs->v[i].uri;
    return NULL;
}

const char *pfd_route_error_document(const struct pfd_request *r, int status)
{
    if (status < 400 || status > 599 || r->kept_status != 0 || r->head_sent)
        return NULL;
    const char *uri = pfd_ht_dir_error_uri(r, status); /* a .htaccess ErrorDocument first */
    if (uri == NULL && r->location != NULL)
        uri = route_error_document_in(&r->location->error_documents, status);
    if (uri == NULL)
        uri = route_error_document_in(&r->conf->routes.error_documents, status);
    return uri;
}

/* ---- preforkd -T ------------------------------------------------------------------------ */

/* A Host value as conn.c leaves it: lower case, without port and trailing dot (arena copy). */
static char *route_explain_host(struct pfd_request *r, const char *host)
{
    char *h = pfd_request_strdup(r, host);
    char *end = h[0] == '[' ? strchr(h, ']') : NULL;
    char *colon = strchr(end != NULL ? end : h, ':');
    if (colon != NULL)
        *colon = '\0';
    for (char *p = h; *p != '\0'; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    size_t len = strlen(h);
    if (len > 1 && h[len - 1] == '.')
        h[len - 1] = '\0';
    return h;
}

static void route_explain_outcome(struct route_run *run, int rc, FILE *out)
{
    struct pfd_request *r = run->r;
    const struct pfd_location *loc = r->location;
    if (rc == PFD_DONE)
        return; /* the redirect is printed */
    if (rc != PFD_DECLINED) {
        const char *doc = pfd_route_error_document(r, rc);
        fprintf(out, "status: %d%s%s\n", rc, doc != NULL ? ", error document " : "",
                doc != NULL ? doc : "");
        return;
    }
    if (loc == NULL)
        fprintf(out, "location: none\n");
    if (loc != NULL && loc->handler != NULL) {
        fprintf(out, "handler: %s (the location's)\n", loc->handler);
    } else {
        fprintf(out, "handler: the first module that accepts it, of:");
        for (size_t i = 0; i < r->conf->nloaded; i++)
            fprintf(out, " %s", r->conf->loaded[i].module->name);
        fprintf(out, "%s\n", r->conf->nloaded == 0 ? " (none loaded)" : "");
    }
    fprintf(out, "file: %s\n", r->file_path);
}

int pfd_route_explain(struct pfd_config *conf, const char *url, const char *host, FILE *out)
{
    struct pfd_server server = {.conf = conf, .slot = -1};
    struct pfd_conn c;
    memset(&c, 0, sizeof(c));
    c.fd = -1;
    c.server = &server;
    snprintf(c.peer_ip, sizeof(c.peer_ip), "127.0.0.1");
    pfd_arena_init(&c.arena, 8192);
    struct pfd_request r;
    memset(&r, 0, sizeof(r));
    r.conn = &c;
    r.server = &server;
    r.conf = conf;
    r.status = 200;
    r.content_length = -1;
    r.method_name = "GET";
    r.head.method_id = PFD_METHOD_GET;
    r.target = url;
    r.request_line = url;
    r.host = host != NULL && host[0] != '\0' ? route_explain_host(&r, host) : NULL;
    pfd_route_vhost_select(&r);
    if (r.vhost != NULL)
        fprintf(out, "vhost: %s (line %d)\n", r.vhost->name, r.vhost->line);
    else
        fprintf(out, "vhost: none, the top level serves it\n");
    fprintf(out, "document_root: %s\n", r.conf->document_root);
    int rc = url[0] == '/' ? route_set_uri(&r, url, false) : 400;
    if (rc != 0) {
        fprintf(out, "bad URL \"%s\": the request would get %d\n", url, rc);
    } else {
        struct route_run run = {.r = &r, .trace = out};
        route_explain_outcome(&run, route_run(&run), out);
    }
    pcre2_match_data_free(server.match_data);
    pfd_htaccess_cache_free(server.htaccess);
    pfd_arena_free(&c.arena);
    return rc != 0 ? 1 : 0;
}
