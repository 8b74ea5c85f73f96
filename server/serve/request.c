/*
 * request.c — what a module reads of a request: accessors, per-request memory, the body.
 */
#include "serve/request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "config/config_mime.h"
#include "parse/rewrite.h"
#include "parse/uri.h"
#include "serve/htaccess.h"
#include "serve/tls.h"

int pfd_request_method(const struct pfd_request *r)
{
    return r->head.method_id;
}
const char *pfd_request_method_name(const struct pfd_request *r)
{
    return r->method_name;
}
const char *pfd_request_target(const struct pfd_request *r)
{
    return r->target;
}
const char *pfd_request_path(const struct pfd_request *r)
{
    return r->path;
}
const char *pfd_request_query(const struct pfd_request *r)
{
    return r->query;
}
const char *pfd_request_protocol(const struct pfd_request *r)
{
    return r->protocol;
}
const char *pfd_request_document_root(const struct pfd_request *r)
{
    return r->conf->document_root;
}
const char *pfd_request_file_path(const struct pfd_request *r)
{
    return r->file_path;
}
const char *pfd_request_peer_ip(const struct pfd_request *r)
{
    return r->conn->peer_ip;
}
int pfd_request_peer_port(const struct pfd_request *r)
{
    return r->conn->peer_port;
}
const char *pfd_request_local_ip(const struct pfd_request *r)
{
    return r->conn->local_ip;
}
int pfd_request_local_port(const struct pfd_request *r)
{
    return r->conn->local_port;
}
int64_t pfd_request_content_length(const struct pfd_request *r)
{
    return r->head.chunked ? -1 : (r->head.content_length > 0 ? r->head.content_length : 0);
}
bool pfd_request_has_body(const struct pfd_request *r)
{
    return r->head.chunked || r->head.content_length > 0;
}

int pfd_request_body_error(const struct pfd_request *r)
{
    return r->body_status != 0 ? r->body_status : 400;
}

const char *pfd_request_remote_user(const struct pfd_request *r)
{
    return r->remote_user;
}

const char *pfd_request_context_root(const struct pfd_request *r)
{
    return r->context_root != NULL ? r->context_root : r->conf->document_root;
}

const char *pfd_request_context_prefix(const struct pfd_request *r)
{
    return r->context_prefix != NULL ? r->context_prefix : "";
}

const char *pfd_request_server_admin(const struct pfd_request *r)
{
    return r->conf->server_admin;
}

void pfd_request_note_set(struct pfd_request *r, const char *name, const char *value)
{
    size_t i = 0;
    while (i < r->nnotes && strcmp(r->notes[i].name, name) != 0)
        i++;
    if (i == PFD_REQUEST_NOTES)
        return; /* full: a module setting more names than exist is a bug, not worth a crash */
    if (i == r->nnotes) {
        r->notes[i].name = pfd_request_strdup(r, name);
        r->nnotes++;
    }
    r->notes[i].value = pfd_request_strdup(r, value);
}

const char *pfd_request_note(const struct pfd_request *r, const char *name)
{
    for (size_t i = 0; i < r->nnotes; i++)
        if (strcmp(r->notes[i].name, name) == 0)
            return r->notes[i].value;
    return NULL;
}

const char *pfd_request_original_path(const struct pfd_request *r)
{
    return r->asked_path != NULL ? r->asked_path : r->path;
}

bool pfd_request_source_guarded(const struct pfd_request *r, const char *file)
{
    for (size_t i = 0; i < r->conf->nloaded; i++) {
        const struct pfd_loaded_module *m = &r->conf->loaded[i];
        if (m->module->guards_source != NULL && m->module->guards_source(m->conf, file))
            return true;
    }
    return false;
}

const char *pfd_request_location_handler(const struct pfd_request *r)
{
    return r->location != NULL ? r->location->handler : NULL;
}

/* The location's, else the vhost's or top level's; then .htaccess Options (FollowSymLinks,
 * SymLinksIfOwnerMatch) change it, as Apache's per-directory Options do. */
enum pfd_symlinks pfd_request_follow_symlinks(const struct pfd_request *r)
{
    const struct pfd_location *l = r->location;
    enum pfd_symlinks server = l != NULL && l->follow_symlinks >= 0
                                   ? (enum pfd_symlinks)l->follow_symlinks
                                   : r->conf->follow_symlinks;
    return pfd_ht_fileinfo_symlinks(r->htaccess != NULL ? &r->htaccess->info : NULL, server);
}

bool pfd_request_serve_hidden(const struct pfd_request *r)
{
    const struct pfd_location *l = r->location;
    return l != NULL && l->serve_hidden >= 0 ? l->serve_hidden == 1 : r->conf->serve_hidden;
}

bool pfd_request_path_hidden(const struct pfd_request *r)
{
    return r->alias_hidden || pfd_uri_path_is_hidden(r->path);
}

const char *pfd_request_scheme(const struct pfd_request *r)
{
    return r->conn->tls != NULL ? "https" : "http";
}

const char *pfd_request_ssl_var(const struct pfd_request *r, const char *name)
{
    return pfd_tls_var(r->conn->tls, name);
}

const char *pfd_request_server_name(const struct pfd_request *r)
{
    return r->conf->server_name;
}

const char *pfd_request_host(const struct pfd_request *r)
{
    return r->host != NULL && r->host[0] != '\0' ? r->host : r->conf->server_name;
}

const char *pfd_request_header(const struct pfd_request *r, const char *name)
{
    const struct pfd_http_header *h = pfd_http_header_find(&r->head, name);
    return h != NULL ? h->value : NULL;
}

size_t pfd_request_header_count(const struct pfd_request *r)
{
    return r->head.nheaders;
}

void pfd_request_header_at(const struct pfd_request *r, size_t i, const char **name,
                           const char **value)
{
    *name = i < r->head.nheaders ? r->head.headers[i].name : NULL;
    *value = i < r->head.nheaders ? r->head.headers[i].value : NULL;
}

const char *const *pfd_request_index_files(const struct pfd_request *r, size_t *count)
{
    const struct pfd_ht_node *own = r->htaccess != NULL ? r->htaccess->dir.directory_index : NULL;
    if (own != NULL) { /* a .htaccess DirectoryIndex replaces index_files for its folder */
        bool disabled = own->nargs == 1 && strcasecmp(own->args[0], "disabled") == 0;
        *count = disabled ? 0 : own->nargs;
        return (const char *const *)own->args;
    }
    *count = r->conf->nindex_files;
    return (const char *const *)r->conf->index_files;
}

static const char *request_config_mime_type(const struct pfd_request *r, const char *file_name)
{
    const char *slash = strrchr(file_name, '/');
    const char *base = slash ? slash + 1 : file_name;
    const char *dot = strrchr(base, '.');
    if (dot != NULL && dot != base) {
        const char *type = pfd_config_mime_lookup(r->conf, dot + 1);
        if (type != NULL)
            return type;
    }
    return r->conf->default_type;
}

pcre2_match_data *pfd_request_match_data(struct pfd_request *r)
{
    if (r->server->match_data == NULL)
        r->server->match_data = pcre2_match_data_create(PFD_REWRITE_CAPTURES, NULL);
    return r->server->match_data;
}

const char *pfd_request_origin(struct pfd_request *r)
{
    const char *scheme = pfd_request_scheme(r), *host = pfd_request_host(r);
    const char *hh = pfd_request_header(r, "Host");
    const char *bracket = hh != NULL ? strrchr(hh, ']') : NULL;
    const char *colon = hh != NULL ? strrchr(bracket != NULL ? bracket : hh, ':') : NULL;
    int port = colon != NULL ? atoi(colon + 1) : r->conn->local_port;
    int standard = strcmp(scheme, "https") == 0 ? 443 : 80;
    bool v6 = strchr(host, ':') != NULL && host[0] != '[';
    if (port <= 0 || port > 65535 || port == standard)
        return pfd_request_printf(r, "%s://%s%s%s", scheme, v6 ? "[" : "", host, v6 ? "]" : "");
    return pfd_request_printf(r, "%s://%s%s%s:%d", scheme, v6 ? "[" : "", host, v6 ? "]" : "",
                              port);
}

/* .htaccess RewriteRule [T=], ForceType and AddType first (then mime_types, default_type), and
 * AddCharset's charset on the type when it names none. */
const char *pfd_request_mime_type(const struct pfd_request *r, const char *file_name)
{
    if (r->htaccess == NULL)
        return request_config_mime_type(r, file_name);
    const char *type = NULL;
    const char *charset = pfd_ht_fileinfo_type(&r->htaccess->info, file_name, &type);
    if (r->htaccess->rewrite.force_type != NULL) /* RewriteRule [T=], Apache's fixup: last */
        type = r->htaccess->rewrite.force_type;
    if (type == NULL)
        type = request_config_mime_type(r, file_name);
    if (charset == NULL || strcasestr(type, "charset=") != NULL)
        return type;
    return pfd_request_printf((struct pfd_request *)r, "%s; charset=%s", type, charset);
}

int64_t pfd_request_elapsed_us(const struct pfd_request *r)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)(now.tv_sec - r->started.tv_sec) * 1000000 +
           (now.tv_nsec - r->started.tv_nsec) / 1000;
}

void *pfd_request_alloc(struct pfd_request *r, size_t size)
{
    void *p = pfd_arena_alloc(&r->conn->arena, size);
    if (p == NULL) {
        pfd_log(PFD_LOG_CRIT, "out of memory allocating %zu bytes for a request", size);
        _exit(1); /* the master replaces this worker */
    }
    return p;
}

char *pfd_request_strdup(struct pfd_request *r, const char *s)
{
    size_t len = strlen(s);
    char *p = pfd_request_alloc(r, len + 1);
    memcpy(p, s, len + 1);
    return p;
}

char *pfd_request_printf(struct pfd_request *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = pfd_arena_vprintf(&r->conn->arena, fmt, ap);
    va_end(ap);
    if (p == NULL) {
        pfd_log(PFD_LOG_CRIT, "out of memory formatting for a request");
        _exit(1);
    }
    return p;
}
