/*
 * htaccess.c — the .htaccess engine (see htaccess.h): for a request whose location allows
 * overrides, the access file of each folder from the context root down to the file served is
 * looked at (one stat() per folder), read and parsed once per worker into a cache, and its
 * directives applied in order: every file's own directives root → deepest, then every file's
 * <Files> sections (Apache merges <Files> after the directories). Then the access decision,
 * mod_rewrite's rules, and Redirect.
 */
#include "serve/htaccess.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "serve/htaccess_dir.h"
#include "serve/htaccess_section.h"
#include "serve/request.h"

#define HT_CACHE_MAX 512 /* files a worker keeps parsed; the oldest read goes first */
#define HT_MAX_FILES                                                                               \
    64 /* access files on one path (more: 500); the walk itself is bounded by                      \
        * the path, at most a request line long */

/* One access file as a worker knows it: missing, broken (error set), or parsed and compiled. */
struct ht_entry {
    char *path;
    uint32_t hash;
    bool exists;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtim;
    struct timespec checked; /* the start of the request that last stat()ed it */
    uint64_t seq;            /* when it was read: the oldest goes when the cache is full */
    struct pfd_ht_file file;
    unsigned classes; /* the override classes its directives need */
    bool broken;      /* it cannot be used: requests under it get 500 */
    char *error;      /* why, "FILE:LINE: why" (NULL when even that could not be allocated) */
    uint32_t logged;  /* allow_override masks already told that the file needs more */
};

struct pfd_ht_cache {
    struct ht_entry v[HT_CACHE_MAX];
    size_t n;
    uint64_t seq;
};

/* ---- loading: directives found and compiled ---------------------------------------------- */

/* What a directive inside <IfModule>, <IfDefine> or <IfVersion> that could not be compiled
 * becomes: Apache does not read the body of a section whose condition fails, so its error
 * counts only when the condition holds (then: 500, logged once per worker). */
struct ht_deferred {
    bool logged;
    char why[];
};

static int ht_deferred_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n)
{
    struct ht_deferred *d = n->data;
    if (ctx->trace != NULL)
        fprintf(ctx->trace, "htaccess: %s:%u: %s\n", ctx->file->path, n->line, d->why);
    if (!d->logged) {
        d->logged = true;
        pfd_log(PFD_LOG_ALERT, "%s:%u: %s", ctx->file->path, n->line, d->why);
    }
    return 500;
}

static const struct pfd_ht_directive ht_deferred = {"(deferred error)", 0,   false, NULL,
                                                    ht_deferred_apply,  free};

/* The node's directive found and compiled. 0, or -1 with err. */
static int ht_compile_node(struct pfd_ht_node *node, char *err, size_t err_size)
{
    const struct pfd_ht_directive *d = pfd_ht_directive_find(node->name);
    if (d == NULL) {
        snprintf(err, err_size,
                 "Invalid command '%s%s', perhaps misspelled or defined by a module not "
                 "included in the server configuration",
                 node->container ? "<" : "", node->name);
        return -1;
    }
    if (d->container != node->container) {
        snprintf(err, err_size, "%s%s is %s", node->container ? "<" : "", node->name,
                 d->container ? "a section: <Name …> … </Name>" : "not a section");
        return -1;
    }
    node->directive = d; /* also on failure: its data, if any, is freed with it */
    return d->compile != NULL ? d->compile(node, err, err_size) : 0;
}

/* Defers node's error (see struct ht_deferred). 0, or -1 when out of memory. */
static int ht_defer(struct pfd_ht_node *node, const char *why)
{
    if (node->directive != NULL && node->directive->free_data != NULL)
        node->directive->free_data(node->data);
    size_t len = strlen(why);
    struct ht_deferred *d = calloc(1, sizeof(*d) + len + 1);
    node->data = d;
    node->directive = &ht_deferred;
    if (d == NULL)
        return -1;
    memcpy(d->why, why, len + 1);
    return 0;
}

/* Finds and compiles each of the n nodes (and the bodies of the engine's sections); *classes
 * gets the override classes of those outside conditional sections (the others are checked when
 * applied). In a conditional section (conditional), errors wait for the condition. 0, or -1
 * with *line and err. */
static int ht_compile_nodes(struct pfd_ht_node *nodes, size_t n, unsigned *classes,
                            bool conditional, unsigned *line, char *err, size_t err_size)
{
    for (size_t i = 0; i < n; i++) {
        struct pfd_ht_node *node = &nodes[i];
        *line = node->line;
        if (ht_compile_node(node, err, err_size) != 0) {
            if (!conditional || ht_defer(node, err) != 0)
                return -1;
            continue;
        }
        const struct pfd_ht_directive *d = node->directive;
        if (!conditional)
            *classes |= d->overrides;
        if (pfd_ht_section_is(d) && ht_compile_nodes(node->children, node->nchildren, classes,
                                                     conditional || pfd_ht_section_conditional(d),
                                                     line, err, err_size) != 0)
            return -1;
    }
    return 0;
}

/* Frees what compile() kept, then the nodes. */
static void ht_nodes_free(struct pfd_ht_node *nodes, size_t n, bool top)
{
    for (size_t i = 0; i < n; i++) {
        struct pfd_ht_node *node = &nodes[i];
        if (node->directive != NULL && pfd_ht_section_is(node->directive))
            ht_nodes_free(node->children, node->nchildren, false);
        if (node->directive != NULL && node->directive->free_data != NULL)
            node->directive->free_data(node->data);
        node->data = NULL;
    }
    if (top)
        pfd_htp_free(nodes, n);
}

static void ht_entry_clear(struct ht_entry *e)
{
    ht_nodes_free(e->file.nodes, e->file.nnodes, true);
    free(e->file.path);
    free(e->file.dir);
    free(e->error);
    free(e->path);
    memset(e, 0, sizeof(*e));
}

/* The whole file (at most PFD_HTP_MAX_FILE bytes) into a malloc'd buffer; its stat in *st.
 * NULL with err set. */
static char *ht_file_read(const char *path, struct stat *st, size_t *len, char *err,
                          size_t err_size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    char *buf = NULL;
    if (fd == -1 || fstat(fd, st) == -1) {
        snprintf(err, err_size, "cannot read it: %s", strerror(errno));
        goto fail;
    }
    if (st->st_size > PFD_HTP_MAX_FILE) {
        snprintf(err, err_size, "larger than %d bytes", PFD_HTP_MAX_FILE);
        goto fail;
    }
    buf = malloc((size_t)st->st_size + 1);
    size_t got = 0;
    while (buf != NULL && got < (size_t)st->st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st->st_size - got);
        if (n <= 0) {
            snprintf(err, err_size, "read failed: %s", n == 0 ? "short file" : strerror(errno));
            goto fail;
        }
        got += (size_t)n;
    }
    if (buf == NULL) {
        snprintf(err, err_size, "out of memory");
        goto fail;
    }
    close(fd);
    *len = got;
    return buf;
fail:
    if (fd != -1)
        close(fd);
    free(buf);
    return NULL;
}

/* Reads, parses and compiles e->path (stat()ed as st) into e; a failure leaves e->error, logged
 * here: once per version of the file per worker, since the version is that of st (or of the
 * file opened, when it changed in between) even when the file cannot be read. */
static void ht_entry_load(struct ht_entry *e, const char *dir, const struct stat *st)
{
    char why[512] = "out of memory";
    unsigned line = 0;
    struct stat opened = *st;
    size_t len = 0;
    e->file.path = strdup(e->path);
    e->file.dir = strdup(dir);
    char *text = e->file.path != NULL && e->file.dir != NULL
                     ? ht_file_read(e->path, &opened, &len, why, sizeof(why))
                     : NULL;
    e->dev = opened.st_dev;
    e->ino = opened.st_ino;
    e->size = opened.st_size;
    e->mtim = opened.st_mtim;
    if (text != NULL &&
        pfd_htp_parse(text, len, &e->file.nodes, &e->file.nnodes, &line, why, sizeof(why)) == 0 &&
        ht_compile_nodes(e->file.nodes, e->file.nnodes, &e->classes, false, &line, why,
                         sizeof(why)) == 0) {
        free(text);
        return;
    }
    free(text);
    e->broken = true;
    size_t n = strlen(e->path) + strlen(why) + 32;
    e->error = malloc(n);
    if (e->error != NULL) {
        if (line > 0)
            snprintf(e->error, n, "%s:%u: %s", e->path, line, why);
        else
            snprintf(e->error, n, "%s: %s", e->path, why);
        pfd_log(PFD_LOG_ALERT, "%s", e->error);
    } else {
        pfd_log(PFD_LOG_ALERT, "%s: %s", e->path, why);
    }
}

/* ---- the cache ------------------------------------------------------------------------- */

static uint32_t ht_hash(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static struct ht_entry *ht_cache_find(struct pfd_ht_cache *c, const char *path, uint32_t hash)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i].hash == hash && c->v[i].path != NULL && strcmp(c->v[i].path, path) == 0)
            return &c->v[i];
    return NULL;
}

/* A free entry: a new one, else the least recently used that remembers a missing file (cheap to
 * learn again: requests for made-up paths cannot push parsed files out), else the least recently
 * used of all (a walk holds at most HT_MAX_FILES parsed ones, all used after every other, so none
 * of them goes). */
static struct ht_entry *ht_cache_take(struct pfd_ht_cache *c)
{
    if (c->n < HT_CACHE_MAX)
        return &c->v[c->n++];
    size_t oldest = 0, oldest_missing = c->n;
    for (size_t i = 0; i < c->n; i++) {
        if (c->v[i].seq < c->v[oldest].seq)
            oldest = i;
        if (!c->v[i].exists && (oldest_missing == c->n || c->v[i].seq < c->v[oldest_missing].seq))
            oldest_missing = i;
    }
    struct ht_entry *e = &c->v[oldest_missing < c->n ? oldest_missing : oldest];
    ht_entry_clear(e);
    return e;
}

static bool ht_same_version(const struct ht_entry *e, const struct stat *st)
{
    return e->exists && e->dev == st->st_dev && e->ino == st->st_ino && e->size == st->st_size &&
           e->mtim.tv_sec == st->st_mtim.tv_sec && e->mtim.tv_nsec == st->st_mtim.tv_nsec;
}

static bool ht_same_time(struct timespec a, struct timespec b)
{
    return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

/* a (alen bytes) then the string b, in the request's arena. The walk builds a path or two per
 * folder per request: pfd_request_printf (vsnprintf, twice) cost more than the rest of a cached
 * lookup (callgrind, issue 16). */
static char *ht_join(struct pfd_request *r, const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    char *p = pfd_request_alloc(r, alen + blen + 1);
    memcpy(p, a, alen);
    memcpy(p + alen, b, blen + 1);
    return p;
}

/*
 * The access file of folder dir (with its trailing '/') as the cache knows it, stat()ed at most
 * once per request. *status: 0; ENOTDIR when dir is not a folder (the walk ends there); or an
 * HTTP status (403: it cannot be looked at, as Apache; 500).
 */
static struct ht_entry *ht_lookup(struct pfd_request *r, const char *dir, int *status)
{
    struct pfd_ht_cache *c = r->server->htaccess;
    char *path = ht_join(r, dir, strlen(dir), r->conf->access_file_name);
    uint32_t hash = ht_hash(path);
    struct ht_entry *e = ht_cache_find(c, path, hash);
    bool stamped = r->started.tv_sec != 0 || r->started.tv_nsec != 0;
    *status = 0;
    if (e != NULL && stamped && ht_same_time(e->checked, r->started))
        return e;
    struct stat st;
    int rc = stat(path, &st);
    if (rc == -1 && errno != ENOENT) {
        if (errno == ENOTDIR) {
            *status = ENOTDIR;
            return NULL;
        }
        int err = errno;
        pfd_log(PFD_LOG_ERR, "stat() \"%s\" failed: %s", path, strerror(err));
        *status = err == EACCES ? 403 : 500;
        return NULL;
    }
    bool exists = rc == 0 && S_ISREG(st.st_mode);
    if (e == NULL || (exists ? !ht_same_version(e, &st) : e->exists)) {
        if (e != NULL)
            ht_entry_clear(e);
        else
            e = ht_cache_take(c);
        if ((e->path = strdup(path)) == NULL) {
            *status = 500;
            return NULL;
        }
        e->hash = hash;
        e->exists = exists;
        if (exists)
            ht_entry_load(e, dir, &st);
    }
    e->seq = ++c->seq;
    e->checked = r->started;
    return e;
}

void pfd_htaccess_cache_free(struct pfd_ht_cache *cache)
{
    if (cache == NULL)
        return;
    for (size_t i = 0; i < cache->n; i++)
        ht_entry_clear(&cache->v[i]);
    free(cache);
}

/* ---- the walk ------------------------------------------------------------------------------ */

/* One request's walk: the files that apply, root first, and the name <Files> matches. */
struct ht_walk {
    struct pfd_request *r;
    FILE *trace;
    const struct ht_entry *files[HT_MAX_FILES];
    size_t nfiles;
    const char *name;       /* the base name of the file served; "" for a folder */
    unsigned allowed;       /* the location's allow_override */
    struct ht_entry *entry; /* the file being applied */
    struct pfd_ht_ctx ctx;
};

/* Files starting with ".ht" are never served (Apache's <Files ".ht*"> Require all denied):
 * whether a segment of the URL path or the file's own name does. */
static bool ht_path_forbidden(const struct pfd_request *r)
{
    for (const char *p = r->path; p != NULL; p = strchr(p + 1, '/'))
        if (strncmp(p, "/.ht", 4) == 0)
            return true;
    const char *base = r->file_path != NULL ? strrchr(r->file_path, '/') : NULL;
    return base != NULL && strncmp(base, "/.ht", 4) == 0;
}

unsigned pfd_htaccess_overrides(const struct pfd_request *r)
{
    const struct pfd_location *l = r->location;
    unsigned mask =
        l != NULL && l->allow_override >= 0 ? (unsigned)l->allow_override : r->conf->allow_override;
    /* A vhost that serves the top level's files cannot turn their .htaccess files off, with its
     * own allow_override or a location of its own: choosing it by Host never widens access (the
     * rule of issue 11). The top level's locations come first for such a vhost, so when one of
     * them matched it is l already; otherwise the top level's own setting is the floor. */
    if (r->vhost != NULL && r->vhost->document_root == NULL && r->server->conf != NULL)
        mask |= r->server->conf->allow_override;
    return mask;
}

/* The context root without trailing '/' (e.g. "/srv/www"), and where the file's path goes on
 * after it; the walk starts at the file's own folder when the file is not under it. */
static size_t ht_root_len(const struct pfd_request *r)
{
    const char *root = pfd_request_context_root(r), *file = r->file_path;
    size_t len = strlen(root);
    while (len > 0 && root[len - 1] == '/')
        len--;
    if (len > 0 && strncmp(file, root, len) == 0 && file[len] == '/')
        return len;
    const char *slash = strrchr(file, '/');
    return slash != NULL ? (size_t)(slash - file) : 0;
}

/* Collects the files from the context root down to the file's folder. 0 or an HTTP status. */
static int ht_collect(struct ht_walk *w)
{
    struct pfd_request *r = w->r;
    const char *file = r->file_path;
    size_t end = ht_root_len(r), prev = end;
    char *dir = pfd_request_alloc(r, strlen(file) + 2);
    for (;;) {
        memcpy(dir, file, end);
        dir[end] = '/';
        dir[end + 1] = '\0';
        int status;
        const struct ht_entry *e = ht_lookup(r, dir, &status);
        if (status == ENOTDIR) { /* the file itself, path info after it */
            size_t from = prev + (prev < end);
            w->name = pfd_arena_strndup(&r->conn->arena, file + from, end - from);
            return 0;
        }
        if (status != 0)
            return status;
        if (e->exists && w->nfiles == HT_MAX_FILES) {
            pfd_log(PFD_LOG_ERR, "\"%s\": more than %d .htaccess files on the way", file,
                    HT_MAX_FILES);
            return 500;
        }
        if (e->exists)
            w->files[w->nfiles++] = e;
        const char *next = strchr(file + end + 1, '/');
        if (next == NULL) { /* the last segment: the file ("" for a folder URL) */
            w->name = file + end + (file[end] == '/');
            return 0;
        }
        prev = end;
        end = (size_t)(next - file);
    }
}

/* The first directive of nodes (sections' bodies included) whose class allowed lacks. */
static const struct pfd_ht_node *ht_first_disallowed(const struct pfd_ht_node *nodes, size_t n,
                                                     unsigned allowed)
{
    for (size_t i = 0; i < n; i++) {
        const struct pfd_ht_directive *d = nodes[i].directive;
        if ((d->overrides & ~allowed) != 0)
            return &nodes[i];
        const struct pfd_ht_node *in =
            pfd_ht_section_is(d) && !pfd_ht_section_conditional(d)
                ? ht_first_disallowed(nodes[i].children, nodes[i].nchildren, allowed)
                : NULL;
        if (in != NULL)
            return in;
    }
    return NULL;
}

/* 500 for a directive whose class the location does not allow, told once per version of the
 * file and allow_override mask, per worker. */
static int ht_not_allowed(struct ht_entry *e, const struct pfd_ht_node *n, unsigned allowed)
{
    if (!(e->logged & (1u << allowed))) {
        e->logged |= 1u << allowed;
        pfd_log(PFD_LOG_ALERT, "%s:%u: %s not allowed here (allow_override does not allow it)",
                e->path, n != NULL ? n->line : 0, n != NULL ? n->name : "a directive");
    }
    return 500;
}

/* A file that cannot be used: broken (logged when read), or needing more than the location
 * allows outside its conditional sections. 0 or 500. */
static int ht_check_usable(struct ht_entry *e, unsigned allowed, FILE *trace)
{
    if (e->broken) {
        if (trace != NULL)
            fprintf(trace, "htaccess: %s\n", e->error != NULL ? e->error : e->path);
        return 500;
    }
    if ((e->classes & ~allowed) == 0)
        return 0;
    const struct pfd_ht_node *n = ht_first_disallowed(e->file.nodes, e->file.nnodes, allowed);
    if (trace != NULL && n != NULL)
        fprintf(trace, "htaccess: %s:%u: %s not allowed here (allow_override)\n", e->path, n->line,
                n->name);
    return ht_not_allowed(e, n, allowed);
}

static void ht_trace_directive(struct ht_walk *w, const struct pfd_ht_node *n)
{
    fprintf(w->trace, "  %s:%u: %s%s", w->ctx.file->path, n->line, n->container ? "<" : "",
            n->name);
    for (size_t i = 0; i < n->nargs; i++)
        fprintf(w->trace, strpbrk(n->args[i], " \t") != NULL ? " \"%s\"" : " %s", n->args[i]);
    fputs(n->container ? ">\n" : "\n", w->trace);
}

/*
 * Applies nodes: in the folders' pass (files_pass false) every directive outside <Files>; in the
 * <Files> pass only the bodies of the <Files> sections that match the file's name. 0 or an HTTP
 * status a directive answered.
 */
static int ht_apply_nodes(struct ht_walk *w, const struct pfd_ht_node *nodes, size_t n,
                          bool files_pass, bool in_files)
{
    for (size_t i = 0; i < n; i++) {
        const struct pfd_ht_node *node = &nodes[i];
        const struct pfd_ht_directive *d = node->directive;
        int rc = 0;
        if (pfd_ht_section_is(d)) {
            bool files = pfd_ht_section_files(node);
            if (files && (!files_pass || in_files))
                continue; /* applied in the <Files> pass; no <Files> inside <Files> */
            if (!pfd_ht_section_holds(w->r, node, w->name, w->entry->path))
                continue;
            if (files)
                w->ctx.section = node; /* a section of its own, for AuthMerging */
            rc = ht_apply_nodes(w, node->children, node->nchildren, files_pass, in_files || files);
            if (files)
                w->ctx.section = NULL;
        } else if (!files_pass || in_files) {
            if (w->trace != NULL)
                ht_trace_directive(w, node);
            rc = (d->overrides & ~w->allowed) != 0 ? ht_not_allowed(w->entry, node, w->allowed)
                 : d->apply != NULL                ? d->apply(&w->ctx, node)
                                                   : 0;
        }
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* The URL path of a file's folder: the context's URL prefix, then the folder below its root. */
static const char *ht_url_dir(struct pfd_request *r, const struct pfd_ht_file *f)
{
    const char *root = pfd_request_context_root(r), *prefix = pfd_request_context_prefix(r);
    size_t rl = strlen(root), pl = strlen(prefix);
    while (rl > 0 && root[rl - 1] == '/')
        rl--;
    while (pl > 0 && prefix[pl - 1] == '/')
        pl--;
    const char *below = strncmp(f->dir, root, rl) == 0 ? f->dir + rl : "/";
    return ht_join(r, prefix, pl, below);
}

/* Both passes over the files, root first. 0 or an HTTP status. */
static int ht_apply(struct ht_walk *w)
{
    for (int files_pass = 0; files_pass < 2; files_pass++) {
        for (size_t i = 0; i < w->nfiles; i++) {
            w->entry = (struct ht_entry *)w->files[i];
            const struct pfd_ht_file *f = &w->entry->file;
            w->ctx.file = f;
            w->ctx.url_dir = ht_url_dir(w->r, f);
            w->ctx.section = files_pass ? NULL : f;
            if (w->trace != NULL && !files_pass)
                fprintf(w->trace, "htaccess: %s\n", f->path);
            int rc = ht_apply_nodes(w, f->nodes, f->nnodes, files_pass, false);
            if (rc != 0)
                return rc;
        }
    }
    return 0;
}

/* What follows the access decision: mod_rewrite's rules (Apache runs them in its fixups), then
 * Redirect. PFD_DECLINED, or a status (a redirect: Location set). */
static int ht_after_access(struct ht_walk *w, char **url)
{
    int rc = pfd_ht_rewrite_run(&w->ctx, url);
    if (rc == 1)
        return PFD_DECLINED; /* *url is routed again */
    const char *location = *url;
    *url = NULL;
    if (rc >= 300 && rc <= 399 && location != NULL && w->trace == NULL)
        return pfd_ht_dir_redirect_send(w->r, rc, location); /* a RewriteRule [R] */
    if (rc != 0)
        return rc;
    return pfd_ht_dir_redirect(&w->ctx);
}

int pfd_htaccess_run(struct pfd_request *r, FILE *trace, char **url)
{
    *url = NULL;
    r->htaccess = NULL;
    if (r->file_path == NULL || r->file_path[0] != '/')
        return PFD_DECLINED;
    if (ht_path_forbidden(r)) { /* hidden names stay 404 unless serve_hidden shows others */
        int status = pfd_request_serve_hidden(r) ? 403 : 404;
        if (trace != NULL)
            fprintf(trace, "htaccess: a name starting with \".ht\" is never served (%d)\n", status);
        return status;
    }
    unsigned allowed = pfd_htaccess_overrides(r);
    if (allowed == 0)
        return PFD_DECLINED;
    if (r->server->htaccess == NULL &&
        (r->server->htaccess = calloc(1, sizeof(struct pfd_ht_cache))) == NULL)
        return 500;
    struct ht_walk *w = pfd_request_alloc(r, sizeof(*w));
    memset(w, 0, sizeof(*w));
    w->r = r;
    w->trace = trace;
    w->allowed = allowed;
    int rc = ht_collect(w);
    for (size_t i = 0; rc == 0 && i < w->nfiles; i++)
        rc = ht_check_usable((struct ht_entry *)w->files[i], allowed, trace);
    if (rc != 0)
        return rc;
    if (w->nfiles == 0)
        return PFD_DECLINED;
    struct pfd_ht_result *result = pfd_request_alloc(r, sizeof(*result));
    memset(result, 0, sizeof(*result));
    w->ctx = (struct pfd_ht_ctx){.r = r, .result = result, .trace = trace};
    r->htaccess = result;
    rc = ht_apply(w);
    if (rc == 0)
        rc = pfd_ht_access_check(&w->ctx);
    return rc == 0 ? ht_after_access(w, url) : rc;
}
