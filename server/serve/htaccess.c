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
#include <fnmatch.h>
#include <pcre2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "parse/rewrite.h"
#include "serve/htaccess_dir.h"
#include "serve/request.h"
#include "serve/response.h"

_Static_assert((int)PFD_HT_AUTHCONFIG == (int)PFD_OVERRIDE_AUTHCONFIG &&
                   (int)PFD_HT_FILEINFO == (int)PFD_OVERRIDE_FILEINFO &&
                   (int)PFD_HT_INDEXES == (int)PFD_OVERRIDE_INDEXES &&
                   (int)PFD_HT_LIMIT == (int)PFD_OVERRIDE_LIMIT &&
                   (int)PFD_HT_OPTIONS == (int)PFD_OVERRIDE_OPTIONS &&
                   (int)PFD_HT_ALL == (int)PFD_OVERRIDE_ALL,
               "config.h's override classes are htaccess.h's");

#define HT_CACHE_MAX 512    /* files a worker keeps parsed; the oldest read goes first */
#define HT_MAX_FOLDERS 64   /* folders walked under the context root (deeper ones: 500) */
#define HT_VERSION "2.4.62" /* what <IfVersion> compares with: the Apache these files expect */

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
    char *error;      /* "FILE:LINE: why" when it cannot be used: requests under it get 500 */
    uint32_t logged;  /* allow_override masks already told that the file needs more */
};

struct pfd_ht_cache {
    struct ht_entry v[HT_CACHE_MAX];
    size_t n;
    uint64_t seq;
};

/* ---- the engine's own sections ---------------------------------------------------------- */

enum ht_section {
    HT_FILES,
    HT_FILES_MATCH,
    HT_LIMIT,
    HT_LIMIT_EXCEPT,
    HT_IF_MODULE,
    HT_IF_DEFINE,
    HT_IF_VERSION
};

/* What a section's compile() keeps: its kind, and a regex for <Files ~>, <FilesMatch> and
 * <IfVersion ~>. */
struct ht_section_data {
    enum ht_section kind;
    pcre2_code *re;
    bool negate; /* <IfModule !x>, <IfDefine !X>, <IfVersion !op v> */
};

static void ht_section_free(void *data)
{
    struct ht_section_data *d = data;
    if (d != NULL)
        pcre2_code_free(d->re);
    free(d);
}

static pcre2_code *ht_regex(const char *pattern, char *err, size_t err_size)
{
    int code;
    PCRE2_SIZE offset;
    pcre2_code *re =
        pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &code, &offset, NULL);
    if (re == NULL) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(code, msg, sizeof(msg));
        snprintf(err, err_size, "bad regex \"%s\": %s at offset %zu", pattern, (char *)msg,
                 (size_t)offset);
        return NULL;
    }
    (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    return re;
}

static int ht_section_compile_kind(struct pfd_ht_node *n, enum ht_section kind, char *err,
                                   size_t err_size)
{
    struct ht_section_data *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    d->kind = kind;
    n->data = d;
    bool tilde = n->nargs == 2 && strcmp(n->args[0], "~") == 0;
    switch (kind) {
    case HT_FILES:
    case HT_FILES_MATCH:
        if (n->nargs != 1 && !(kind == HT_FILES && tilde)) {
            snprintf(err, err_size, "<%s> takes one argument, a %s", n->name,
                     kind == HT_FILES ? "file name pattern (or ~ and a regex)" : "regex");
            return -1;
        }
        if (kind == HT_FILES_MATCH || tilde)
            d->re = ht_regex(n->args[n->nargs - 1], err, err_size);
        return kind == HT_FILES_MATCH || tilde ? (d->re != NULL ? 0 : -1) : 0;
    case HT_LIMIT:
    case HT_LIMIT_EXCEPT:
        if (n->nargs == 0) {
            snprintf(err, err_size, "<%s> needs at least one method", n->name);
            return -1;
        }
        return 0;
    case HT_IF_MODULE:
    case HT_IF_DEFINE:
        if (n->nargs != 1) {
            snprintf(err, err_size, "<%s> takes one argument", n->name);
            return -1;
        }
        d->negate = n->args[0][0] == '!';
        return 0;
    case HT_IF_VERSION:
        break;
    }
    /* <IfVersion [[!]op] version>: op one of = == > >= < <= ~, or a /regex/ version */
    const char *v = n->args[n->nargs > 0 ? n->nargs - 1 : 0];
    if (n->nargs < 1 || n->nargs > 2) {
        snprintf(err, err_size, "<IfVersion> takes an optional operator and a version");
        return -1;
    }
    const char *op = n->nargs == 2 ? n->args[0] : "=";
    d->negate = op[0] == '!';
    op += d->negate;
    size_t vl = strlen(v);
    bool slashed = vl >= 2 && v[0] == '/' && v[vl - 1] == '/';
    if (strcmp(op, "~") == 0 || slashed) {
        char *pat = strndup(v + slashed, vl - 2 * slashed);
        d->re = pat != NULL ? ht_regex(pat, err, err_size) : NULL;
        free(pat);
        return d->re != NULL ? 0 : -1;
    }
    static const char *const ops[] = {"=", "==", ">", ">=", "<", "<="};
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        if (strcmp(op, ops[i]) == 0)
            return 0;
    snprintf(err, err_size, "<IfVersion>: unknown operator \"%s\"", op);
    return -1;
}

#define HT_SECTION(name, kind)                                                                     \
    static int ht_compile_##kind(struct pfd_ht_node *n, char *err, size_t err_size)                \
    {                                                                                              \
        return ht_section_compile_kind(n, kind, err, err_size);                                    \
    }
HT_SECTION(Files, HT_FILES)
HT_SECTION(FilesMatch, HT_FILES_MATCH)
HT_SECTION(Limit, HT_LIMIT)
HT_SECTION(LimitExcept, HT_LIMIT_EXCEPT)
HT_SECTION(IfModule, HT_IF_MODULE)
HT_SECTION(IfDefine, HT_IF_DEFINE)
HT_SECTION(IfVersion, HT_IF_VERSION)

/* Sections any AllowOverride (but None) lets a file use, as Apache: their bodies are checked
 * directive by directive. apply is NULL: the engine walks them itself. */
static const struct pfd_ht_directive ht_sections[] = {
    {"Files", 0, true, ht_compile_HT_FILES, NULL, ht_section_free},
    {"FilesMatch", 0, true, ht_compile_HT_FILES_MATCH, NULL, ht_section_free},
    {"Limit", 0, true, ht_compile_HT_LIMIT, NULL, ht_section_free},
    {"LimitExcept", 0, true, ht_compile_HT_LIMIT_EXCEPT, NULL, ht_section_free},
    {"IfModule", 0, true, ht_compile_HT_IF_MODULE, NULL, ht_section_free},
    {"IfDefine", 0, true, ht_compile_HT_IF_DEFINE, NULL, ht_section_free},
    {"IfVersion", 0, true, ht_compile_HT_IF_VERSION, NULL, ht_section_free},
    {.name = NULL},
};

static bool ht_is_section(const struct pfd_ht_directive *d)
{
    return d >= ht_sections && d < ht_sections + sizeof(ht_sections) / sizeof(ht_sections[0]);
}

/* ---- loading: directives found and compiled ---------------------------------------------- */

/* The directive called name, the engine's sections first, then the groups' (the first group
 * that has it wins: access and dir before rewrite and fileinfo). */
static const struct pfd_ht_directive *ht_directive_find(const char *name)
{
    const struct pfd_ht_directive *tables[] = {ht_sections, pfd_ht_access_directives(),
                                               pfd_ht_dir_directives(), pfd_ht_rewrite_directives(),
                                               pfd_ht_fileinfo_directives()};
    for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
        for (const struct pfd_ht_directive *d = tables[t]; d->name != NULL; d++)
            if (strcasecmp(d->name, name) == 0)
                return d;
    return NULL;
}

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
    if (!d->logged) {
        d->logged = true;
        pfd_log(PFD_LOG_ALERT, "%s:%u: %s", ctx->file->path, n->line, d->why);
    }
    return 500;
}

static const struct pfd_ht_directive ht_deferred = {"(deferred error)", 0,   false, NULL,
                                                    ht_deferred_apply,  free};

static bool ht_is_conditional(const struct pfd_ht_directive *d)
{
    return d == &ht_sections[4] || d == &ht_sections[5] || d == &ht_sections[6];
}

/* The node's directive found and compiled. 0, or -1 with err. */
static int ht_compile_node(struct pfd_ht_node *node, char *err, size_t err_size)
{
    const struct pfd_ht_directive *d = ht_directive_find(node->name);
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
        if (ht_is_section(d) &&
            ht_compile_nodes(node->children, node->nchildren, classes,
                             conditional || ht_is_conditional(d), line, err, err_size) != 0)
            return -1;
    }
    return 0;
}

/* Frees what compile() kept, then the nodes. */
static void ht_nodes_free(struct pfd_ht_node *nodes, size_t n, bool top)
{
    for (size_t i = 0; i < n; i++) {
        struct pfd_ht_node *node = &nodes[i];
        if (node->directive != NULL && ht_is_section(node->directive))
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

/* Reads, parses and compiles e->path into e; a failure leaves e->error, logged here: once per
 * version of the file per worker. */
static void ht_entry_load(struct ht_entry *e, const char *dir)
{
    char why[512];
    unsigned line = 0;
    struct stat st;
    size_t len = 0;
    e->file.path = strdup(e->path);
    e->file.dir = strdup(dir);
    char *text = ht_file_read(e->path, &st, &len, why, sizeof(why));
    if (text != NULL) {
        e->dev = st.st_dev;
        e->ino = st.st_ino;
        e->size = st.st_size;
        e->mtim = st.st_mtim;
        if (pfd_htp_parse(text, len, &e->file.nodes, &e->file.nnodes, &line, why, sizeof(why)) ==
                0 &&
            ht_compile_nodes(e->file.nodes, e->file.nnodes, &e->classes, false, &line, why,
                             sizeof(why)) == 0) {
            free(text);
            return;
        }
        free(text);
    }
    size_t n = strlen(e->path) + strlen(why) + 32;
    e->error = malloc(n);
    if (e->error != NULL) {
        if (line > 0)
            snprintf(e->error, n, "%s:%u: %s", e->path, line, why);
        else
            snprintf(e->error, n, "%s: %s", e->path, why);
        pfd_log(PFD_LOG_ALERT, "%s", e->error);
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

/* A free entry: a new one, or the one least recently used (a walk uses at most HT_MAX_FOLDERS,
 * all used after every other, so none of them goes). */
static struct ht_entry *ht_cache_take(struct pfd_ht_cache *c)
{
    if (c->n < HT_CACHE_MAX)
        return &c->v[c->n++];
    size_t oldest = 0;
    for (size_t i = 1; i < c->n; i++)
        if (c->v[i].seq < c->v[oldest].seq)
            oldest = i;
    ht_entry_clear(&c->v[oldest]);
    return &c->v[oldest];
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

/*
 * The access file of folder dir (with its trailing '/') as the cache knows it, stat()ed at most
 * once per request. *status: 0; ENOTDIR when dir is not a folder (the walk ends there); or an
 * HTTP status (403: it cannot be looked at, as Apache; 500).
 */
static struct ht_entry *ht_lookup(struct pfd_request *r, const char *dir, int *status)
{
    struct pfd_ht_cache *c = r->server->htaccess;
    char *path = pfd_request_printf(r, "%s%s", dir, r->conf->access_file_name);
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
        pfd_log(PFD_LOG_ERR, "stat() \"%s\" failed: %s", path, strerror(errno));
        *status = errno == EACCES ? 403 : 500;
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
            ht_entry_load(e, dir);
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
    const struct ht_entry *files[HT_MAX_FOLDERS];
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
    return l != NULL && l->allow_override >= 0 ? (unsigned)l->allow_override
                                               : r->conf->allow_override;
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
    for (size_t folders = 0;; folders++) {
        if (folders == HT_MAX_FOLDERS) {
            pfd_log(PFD_LOG_ERR, "\"%s\": more than %d folders deep for .htaccess files", file,
                    HT_MAX_FOLDERS);
            return 500;
        }
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
            ht_is_section(d) && !ht_is_conditional(d)
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
static int ht_check_usable(struct ht_entry *e, unsigned allowed)
{
    if (e->error != NULL)
        return 500;
    if ((e->classes & ~allowed) == 0)
        return 0;
    return ht_not_allowed(e, ht_first_disallowed(e->file.nodes, e->file.nnodes, allowed), allowed);
}

/* <IfModule>: Apache's module names ("mod_rewrite.c", "mod_rewrite", "rewrite_module") against
 * what preforkd does. A module is there when a directive of it is (the groups that implement it
 * are built in), or when the preforkd module that does its job is loaded. */
static const struct {
    const char *base;      /* "rewrite" */
    const char *directive; /* one of its directives: there when implemented; NULL: always */
    const char *loaded;    /* the preforkd module doing its job, or NULL */
} ht_modules[] = {
    {"core", NULL, NULL},
    {"authz_core", NULL, NULL},
    {"authn_core", NULL, NULL},
    {"auth_basic", NULL, NULL},
    {"authn_file", NULL, NULL},
    {"authz_user", NULL, NULL},
    {"authz_groupfile", NULL, NULL},
    {"authz_host", NULL, NULL},
    {"access_compat", NULL, NULL},
    {"dir", "DirectoryIndex", NULL},
    {"alias", "Redirect", NULL},
    {"rewrite", "RewriteRule", NULL},
    {"mime", "AddType", NULL},
    {"headers", "Header", NULL},
    {"expires", "ExpiresActive", NULL},
    {"env", "SetEnv", NULL},
    {"setenvif", "SetEnvIf", NULL},
    {"autoindex", NULL, "autoindex"},
    {"cgi", NULL, "cgi"},
    {"status", NULL, "status"},
};

static bool ht_module_loaded(const struct pfd_config *conf, const char *name)
{
    for (size_t i = 0; i < conf->nloaded; i++)
        if (strcmp(conf->loaded[i].module->name, name) == 0)
            return true;
    return false;
}

static bool ht_module_present(const struct pfd_request *r, const char *name)
{
    size_t len = strlen(name);
    const char *base = name;
    if (strncmp(name, "mod_", 4) == 0) {
        base += 4;
        len -= 4 + (len >= 6 && strcmp(name + len - 2, ".c") == 0 ? 2 : 0);
    } else if (len > 7 && strcmp(name + len - 7, "_module") == 0) {
        len -= 7;
    }
    for (size_t i = 0; i < sizeof(ht_modules) / sizeof(ht_modules[0]); i++) {
        if (strlen(ht_modules[i].base) != len || strncmp(ht_modules[i].base, base, len) != 0)
            continue;
        if (ht_modules[i].loaded != NULL)
            return ht_module_loaded(r->conf, ht_modules[i].loaded);
        return ht_modules[i].directive == NULL ||
               ht_directive_find(ht_modules[i].directive) != NULL;
    }
    return false;
}

/* "2.4.62" against v, numerically field by field: <0, 0, >0. */
static int ht_version_cmp(const char *a, const char *b)
{
    while (*a != '\0' || *b != '\0') {
        long x = strtol(a, (char **)&a, 10), y = strtol(b, (char **)&b, 10);
        if (x != y)
            return x < y ? -1 : 1;
        a += *a == '.';
        b += *b == '.';
        if ((*a != '\0' && (*a < '0' || *a > '9')) || (*b != '\0' && (*b < '0' || *b > '9')))
            return strcmp(a, b);
    }
    return 0;
}

static bool ht_version_holds(const struct pfd_ht_node *n, const struct ht_section_data *d,
                             pcre2_match_data *md)
{
    if (d->re != NULL)
        return pcre2_match(d->re, (PCRE2_SPTR)HT_VERSION, strlen(HT_VERSION), 0, 0, md, NULL) >= 0;
    const char *op = n->nargs == 2 ? n->args[0] + d->negate : "=";
    int c = ht_version_cmp(HT_VERSION, n->args[n->nargs - 1]);
    if (op[0] == '=')
        return c == 0;
    if (op[0] == '>')
        return op[1] == '=' ? c >= 0 : c > 0;
    return op[1] == '=' ? c <= 0 : c < 0;
}

static pcre2_match_data *ht_match_data(struct pfd_request *r)
{
    if (r->server->match_data == NULL)
        r->server->match_data = pcre2_match_data_create(PFD_REWRITE_CAPTURES, NULL);
    return r->server->match_data;
}

/* Whether the method list of a <Limit> names the request's (GET covers HEAD, as Apache). */
static bool ht_method_listed(const struct pfd_request *r, const struct pfd_ht_node *n)
{
    const char *m = r->method_name;
    for (size_t i = 0; i < n->nargs; i++)
        if (strcmp(n->args[i], m) == 0 ||
            (strcmp(m, "HEAD") == 0 && strcmp(n->args[i], "GET") == 0))
            return true;
    return false;
}

static bool ht_files_match(struct ht_walk *w, const struct pfd_ht_node *n,
                           const struct ht_section_data *d)
{
    const char *name = w->name;
    if (name[0] == '\0')
        return false; /* a folder */
    if (d->re == NULL)
        return fnmatch(n->args[0], name, 0) == 0;
    int rc = pcre2_match(d->re, (PCRE2_SPTR)name, strlen(name), 0, 0, ht_match_data(w->r),
                         w->r->conf->match_context);
    if (rc < 0 && rc != PCRE2_ERROR_NOMATCH) /* a match limit: the section applies, to be safe */
        pfd_log(PFD_LOG_ERR, "%s:%u: <%s> on \"%s\" failed (%d)", w->ctx.file->path, n->line,
                n->name, name, rc);
    return rc != PCRE2_ERROR_NOMATCH;
}

/* Whether the body of section n applies to this request (<Files> aside). */
static bool ht_section_holds(struct ht_walk *w, const struct pfd_ht_node *n)
{
    const struct ht_section_data *d = n->data;
    struct pfd_request *r = w->r;
    const char *arg = n->nargs > 0 ? n->args[0] + d->negate : "";
    switch (d->kind) {
    case HT_LIMIT:
        return ht_method_listed(r, n);
    case HT_LIMIT_EXCEPT:
        return !ht_method_listed(r, n);
    case HT_IF_MODULE:
        return ht_module_present(r, arg) != d->negate;
    case HT_IF_DEFINE:
        return d->negate; /* preforkd has no -D NAME: nothing is defined */
    case HT_IF_VERSION:
        return ht_version_holds(n, d, ht_match_data(r)) != d->negate;
    case HT_FILES:
    case HT_FILES_MATCH:
        return ht_files_match(w, n, d);
    }
    return false;
}

static void ht_trace_directive(struct ht_walk *w, const struct pfd_ht_node *n)
{
    fprintf(w->trace, "  %s:%u: %s", w->ctx.file->path, n->line, n->name);
    for (size_t i = 0; i < n->nargs; i++)
        fprintf(w->trace, strpbrk(n->args[i], " \t") != NULL ? " \"%s\"" : " %s", n->args[i]);
    fputc('\n', w->trace);
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
        if (ht_is_section(d)) {
            const struct ht_section_data *sd = node->data;
            bool files = sd->kind == HT_FILES || sd->kind == HT_FILES_MATCH;
            if (files && (!files_pass || in_files))
                continue; /* applied in the <Files> pass; no <Files> inside <Files> */
            if (!ht_section_holds(w, node))
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
    return pfd_request_printf(r, "%.*s%s", (int)pl, prefix, below);
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
        rc = ht_check_usable((struct ht_entry *)w->files[i], allowed);
    if (rc != 0) {
        if (trace != NULL)
            fprintf(trace, "htaccess: %d (see the error log)\n", rc);
        return rc;
    }
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
