/*
 * mod_autoindex.c — directory listings, for a directory URL without an index file in a location
 * that enables them (`autoindex = true`; off by default, and then the core answers 403).
 *
 * A listing is validate (a weak ETag and Last-Modified from the folder's fstat(), the inserted
 * files' stat(), the options and the variant asked for: HEAD and 304 never read the folder),
 * collect (readdir + lstat/fstatat into one array and one name arena: a bounded cost per entry;
 * unreadable, hidden and policy-refused entries skipped), select and sort only the page shown,
 * render (HTML5 or JSON, in pages, streamed in 32 KiB pieces through chunked encoding), and keep
 * the page for the same request a moment later (autoindex_cache.c: keyed by the folder's state
 * and the ETag's variant, cache_size bytes, cache_valid_ms). The pure parts live in
 * modules/autoindex/autoindex_*.c; the option reference is docs/mod_autoindex.md.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "autoindex_cache.h"
#include "autoindex_format.h"
#include "autoindex_query.h"
#include "autoindex_render.h"
#include "autoindex_sort.h"
#include "fs_walk.h"
#include "preforkd/module.h"

static int autoindex_init(struct pfd_server *server, cfg_t *section, void **conf);
static int autoindex_location_init(struct pfd_server *server, cfg_t *location, void *main_conf,
                                   void **conf);
static void autoindex_fini(void *conf);
static int autoindex_handle(struct pfd_request *r, void *conf);

/* `module "autoindex" { … }`: the defaults of every location. */
static cfg_opt_t autoindex_options[] = {
    CFG_BOOL("enabled", cfg_false, CFGF_NONE),
    CFG_STR_LIST("index_ignore", "{\".*\", \"*~\"}", CFGF_NONE),
    CFG_STR("header_file", "HEADER.html", CFGF_NONE),
    CFG_STR("readme_file", "README.txt", CFGF_NONE),
    CFG_BOOL("exact_size", cfg_false, CFGF_NONE),
    CFG_BOOL("folders_first", cfg_true, CFGF_NONE),
    CFG_BOOL("natural_sort", cfg_true, CFGF_NONE),
    CFG_BOOL("sort_links", cfg_true, CFGF_NONE),
    CFG_INT("page_size", 1000, CFGF_NONE),
    CFG_STR("default_sort", "name", CFGF_NONE),
    CFG_STR("default_order", "ascending", CFGF_NONE),
    CFG_STR("cache_size", "64K", CFGF_NONE),
    CFG_INT("cache_valid_ms", 1000, CFGF_NONE),
    CFG_END(),
};

/* The same inside `location "…" { … }`, prefixed so that they cannot clash with the core's or
 * another module's; not set there: inherited from the module section. */
static cfg_opt_t autoindex_location_options[] = {
    CFG_BOOL("autoindex", cfg_false, CFGF_NODEFAULT),
    CFG_STR_LIST("autoindex_ignore", NULL, CFGF_NODEFAULT),
    CFG_STR("autoindex_header_file", NULL, CFGF_NODEFAULT),
    CFG_STR("autoindex_readme_file", NULL, CFGF_NODEFAULT),
    CFG_BOOL("autoindex_exact_size", cfg_false, CFGF_NODEFAULT),
    CFG_BOOL("autoindex_folders_first", cfg_true, CFGF_NODEFAULT),
    CFG_BOOL("autoindex_natural_sort", cfg_true, CFGF_NODEFAULT),
    CFG_BOOL("autoindex_sort_links", cfg_true, CFGF_NODEFAULT),
    CFG_INT("autoindex_page_size", 1000, CFGF_NODEFAULT),
    CFG_STR("autoindex_default_sort", NULL, CFGF_NODEFAULT),
    CFG_STR("autoindex_default_order", NULL, CFGF_NODEFAULT),
    CFG_END(),
};

PFD_API struct pfd_module pfd_module_autoindex = {
    .api_version = PFD_MODULE_API_VERSION,
    .name = "autoindex",
    .options = autoindex_options,
    .init = autoindex_init,
    .handle = autoindex_handle,
    .fini = autoindex_fini,
    .location_options = autoindex_location_options,
    .location_init = autoindex_location_init,
};

/* ---- configuration --------------------------------------------------------------------- */

#define AUTOINDEX_PAGE_SIZE_MAX 1000000
#define AUTOINDEX_MAX_ENTRIES 2000000    /* a listing stops there (logged): memory stays bounded */
#define AUTOINDEX_INSERT_MAX (64 * 1024) /* largest header/readme file shown */
#define AUTOINDEX_FLUSH 32768            /* bytes rendered before each write */
#define AUTOINDEX_CACHE_SIZE_MAX (16 * 1024 * 1024) /* per worker: the pool multiplies it */
#define AUTOINDEX_CACHE_VALID_MAX 60000

/* This worker's last listings (each worker has its own copy after fork). */
static struct autoindex_cache autoindex_listings;

struct autoindex_conf {
    bool enabled;
    bool exact_size;
    bool folders_first;
    bool natural_sort;
    bool sort_links;
    long page_size; /* entries per page; 0: one page */
    char default_column;
    char default_order;
    struct pfd_option_list ignore; /* fnmatch() patterns matched against each entry's name */
    int64_t cache_size;            /* bytes of rendered listings a worker keeps; 0: none */
    long cache_valid_ms;           /* how long one is served again; 0: never */
    char *header_file;             /* "" when none */
    char *readme_file;
    /* Not options of this module: the core's file policy for the request (module.h), filled
     * into the request's copy by autoindex_handle(), so that what mod_static refuses is not
     * listed. */
    bool serve_hidden;
    enum fs_symlinks follow_symlinks;
    bool ignore_query; /* .htaccess IndexOptions IgnoreClient: the query does not sort */
};

/* "name", "mtime", "size", "description" (or Apache's letters) → 'N' 'M' 'S' 'D'. */
static const char *autoindex_parse_column(const char *s, void *field)
{
    static const char *const names[][2] = {
        {"name", "N"}, {"mtime", "M"}, {"size", "S"}, {"description", "D"}};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(s, names[i][0]) == 0 || strcasecmp(s, names[i][1]) == 0) {
            *(char *)field = names[i][1][0];
            return NULL;
        }
    }
    return "not one of name, mtime, size, description";
}

static const char *autoindex_parse_order(const char *s, void *field)
{
    if (strcasecmp(s, "ascending") == 0 || strcasecmp(s, "asc") == 0 || strcasecmp(s, "A") == 0)
        *(char *)field = 'A';
    else if (strcasecmp(s, "descending") == 0 || strcasecmp(s, "desc") == 0 ||
             strcasecmp(s, "D") == 0)
        *(char *)field = 'D';
    else
        return "not one of ascending, descending";
    return NULL;
}

/* A file name option: looked up in the listed folder, so it may not hold '/'. */
static const char *autoindex_check_file(const char *value)
{
    return strchr(value, '/') != NULL ? "must be a file name without '/'" : NULL;
}

/* Directives as data (module.h's option reader): each option's two names, its type and its
 * field; location names are prefixed so that they cannot clash with the core's or another
 * module's. */
#define AUTOINDEX_AT(field) offsetof(struct autoindex_conf, field)
static const struct pfd_option autoindex_table[] = {
    {"enabled", "autoindex", PFD_OPTION_BOOL, AUTOINDEX_AT(enabled), 0, 0, NULL, NULL, NULL},
    {"index_ignore", "autoindex_ignore", PFD_OPTION_LIST, AUTOINDEX_AT(ignore), 0, 0, NULL, NULL,
     NULL},
    {"header_file", "autoindex_header_file", PFD_OPTION_STRING, AUTOINDEX_AT(header_file), 0, 0,
     NULL, autoindex_check_file, NULL},
    {"readme_file", "autoindex_readme_file", PFD_OPTION_STRING, AUTOINDEX_AT(readme_file), 0, 0,
     NULL, autoindex_check_file, NULL},
    {"exact_size", "autoindex_exact_size", PFD_OPTION_BOOL, AUTOINDEX_AT(exact_size), 0, 0, NULL,
     NULL, NULL},
    {"folders_first", "autoindex_folders_first", PFD_OPTION_BOOL, AUTOINDEX_AT(folders_first), 0, 0,
     NULL, NULL, NULL},
    {"natural_sort", "autoindex_natural_sort", PFD_OPTION_BOOL, AUTOINDEX_AT(natural_sort), 0, 0,
     NULL, NULL, NULL},
    {"sort_links", "autoindex_sort_links", PFD_OPTION_BOOL, AUTOINDEX_AT(sort_links), 0, 0, NULL,
     NULL, NULL},
    {"page_size", "autoindex_page_size", PFD_OPTION_INT, AUTOINDEX_AT(page_size), 0,
     AUTOINDEX_PAGE_SIZE_MAX, NULL, NULL, NULL},
    {"default_sort", "autoindex_default_sort", PFD_OPTION_PARSED, AUTOINDEX_AT(default_column), 0,
     0, NULL, NULL, autoindex_parse_column},
    {"default_order", "autoindex_default_order", PFD_OPTION_PARSED, AUTOINDEX_AT(default_order), 0,
     0, NULL, NULL, autoindex_parse_order},
    {"cache_size", NULL, PFD_OPTION_SIZE, AUTOINDEX_AT(cache_size), 0, AUTOINDEX_CACHE_SIZE_MAX,
     NULL, NULL, NULL},
    {"cache_valid_ms", NULL, PFD_OPTION_INT, AUTOINDEX_AT(cache_valid_ms), 0,
     AUTOINDEX_CACHE_VALID_MAX, NULL, NULL, NULL},
    PFD_OPTIONS_END,
};
#undef AUTOINDEX_AT

static void autoindex_fini(void *conf)
{
    if (conf != NULL)
        pfd_options_free(autoindex_table, conf);
    free(conf);
}

static int autoindex_init(struct pfd_server *server, cfg_t *section, void **conf)
{
    (void)server;
    return pfd_options_new(&pfd_module_autoindex, section, autoindex_table,
                           sizeof(struct autoindex_conf), conf);
}

/* The module's config, then what the location sets (nginx's merge). */
static int autoindex_location_init(struct pfd_server *server, cfg_t *location, void *main_conf,
                                   void **conf)
{
    (void)server;
    return pfd_options_merge(&pfd_module_autoindex, location, autoindex_table, main_conf,
                             sizeof(struct autoindex_conf), conf);
}

/* ---- collect ----------------------------------------------------------------------------- */

/* The entries of one folder: one array and one arena of NUL-terminated names, in the same
 * order, so an entry costs its struct plus its name and two allocations grow by doubling. */
struct autoindex_list {
    struct autoindex_entry *entries;
    size_t n;
    size_t cap;
    struct pfd_buf names;
};

/* Whether a name stays off the listing: "." and "..", a ".ht" name (.htaccess, .htpasswd: the
 * core never serves them), a hidden name (mod_static answers 404 for it, so the listing does not
 * reveal it) unless serve_hidden, and index_ignore's patterns. */
static bool autoindex_ignored(const struct autoindex_conf *ac, const char *name)
{
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strncmp(name, ".ht", 3) == 0)
        return true;
    if (name[0] == '.' && !ac->serve_hidden)
        return true;
    for (size_t i = 0; i < ac->ignore.n; i++)
        if (fnmatch(ac->ignore.v[i], name, 0) == 0)
            return true;
    return false;
}

/* FNV-1a, continued from h. */
static uint64_t autoindex_fnv(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}

/* An entry: from st, or (st NULL) only its name and kind, the rest pending. */
static int autoindex_list_add(struct pfd_request *r, struct autoindex_list *l, const char *name,
                              const struct stat *st, bool dir)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        struct autoindex_entry *e = realloc(l->entries, cap * sizeof(*e));
        if (e == NULL)
            return -1;
        l->entries = e;
        l->cap = cap;
    }
    size_t len = strlen(name);
    if (pfd_buf_append(&l->names, name, len + 1) != 0)
        return -1;
    struct autoindex_entry *e = &l->entries[l->n++];
    if (st != NULL)
        dir = S_ISDIR(st->st_mode);
    *e = (struct autoindex_entry){.name = NULL,
                                  .name_len = len,
                                  .desc = dir ? "Directory" : pfd_request_mime_type(r, name),
                                  .size = dir || st == NULL ? -1 : (int64_t)st->st_size,
                                  .mtime = st != NULL ? (int64_t)st->st_mtime : 0,
                                  .is_dir = dir,
                                  .pending = st == NULL,
                                  .gone = false};
    return 0;
}

/*
 * Whether readdir()'s d_type is enough for now: a regular file or a folder (no symlink, whose
 * policy needs stat) when the order does not need sizes or times. Then only the entries of the
 * page shown are stat()ed (autoindex_fill_page): a page of a 100 000-file folder sorted by name
 * costs 1000 stat() calls, not 100 000.
 */
static bool autoindex_type_known(const struct dirent *d, bool need_stat, bool *dir)
{
    *dir = d->d_type == DT_DIR;
    return !need_stat && (d->d_type == DT_REG || d->d_type == DT_DIR);
}

/*
 * What the listing shows of name in dfd, decided as mod_static decides for follow_symlinks:
 * lstat() first; a symlink is left out when off, or (if_owner_match) when its target's owner is
 * not the link's, so neither it nor its target's size and time appear. 0, or -1: leave it out.
 */
static int autoindex_entry_stat(const struct autoindex_conf *ac, int dfd, const char *name,
                                struct stat *st)
{
    if (fstatat(dfd, name, st, AT_SYMLINK_NOFOLLOW) != 0)
        return -1;
    if (!S_ISLNK(st->st_mode))
        return 0;
    if (ac->follow_symlinks == FS_SYMLINKS_OFF)
        return -1;
    uid_t link_owner = st->st_uid;
    if (fstatat(dfd, name, st, 0) != 0)
        return -1;
    return ac->follow_symlinks == FS_SYMLINKS_ON || st->st_uid == link_owner ? 0 : -1;
}

/* Reads the folder: directories and regular files, symlinks as the policy allows (followed);
 * anything unreadable, ignored, or neither file nor folder is skipped. 0, or -1 (logged). */
static int autoindex_collect(struct pfd_request *r, const struct autoindex_conf *ac, int dfd,
                             bool need_stat, struct autoindex_list *l)
{
    int fd = dup(dfd); /* closedir() closes its fd; the caller keeps dfd */
    DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
    if (dir == NULL) {
        pfd_log(PFD_LOG_ERR, "fdopendir() \"%s\" failed: %s", pfd_request_file_path(r),
                strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    int rc = 0;
    struct dirent *d;
    while (rc == 0 && (d = readdir(dir)) != NULL) {
        struct stat st;
        bool is_dir = false, known = autoindex_type_known(d, need_stat, &is_dir);
        if (autoindex_ignored(ac, d->d_name) ||
            (!known && (autoindex_entry_stat(ac, dfd, d->d_name, &st) != 0 ||
                        !(S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)))))
            continue;
        if (l->n >= AUTOINDEX_MAX_ENTRIES) {
            pfd_log(PFD_LOG_WARN, "\"%s\": listing cut at %d entries", pfd_request_file_path(r),
                    AUTOINDEX_MAX_ENTRIES);
            break;
        }
        rc = autoindex_list_add(r, l, d->d_name, known ? NULL : &st, is_dir);
    }
    closedir(dir);
    /* The arena is final now: point each entry at its name. */
    size_t off = 0;
    for (size_t i = 0; rc == 0 && i < l->n; i++) {
        l->entries[i].name = l->names.data + off;
        off += l->entries[i].name_len + 1;
    }
    if (rc != 0)
        pfd_log(PFD_LOG_ERR, "\"%s\": out of memory listing %zu entries", pfd_request_file_path(r),
                l->n);
    return rc;
}

/* ---- validate ---------------------------------------------------------------------------- */

/* A header or readme file of the listed folder: whether it is shown, and its stat for the
 * validators. Decided without reading it, so HEAD and 304 cost no more than a stat. */
struct autoindex_insert {
    const char *name;
    bool shown;
    struct stat st;
};

/* Everything one response of a listing depends on. */
struct autoindex_ctx {
    const struct autoindex_conf *ac;
    int dfd;
    struct stat dir_st;
    struct autoindex_list list;
    struct autoindex_page page;
    struct autoindex_insert inserts[2]; /* header_file, readme_file */
    int64_t last_modified;
    char etag[64];
};

/* A regular file not over AUTOINDEX_INSERT_MAX, seen without following a symlink (a link cannot
 * put a file from outside the docroot on the page). */
static void autoindex_insert_stat(struct autoindex_ctx *c, struct autoindex_insert *in,
                                  const char *name)
{
    in->name = name;
    in->shown = name[0] != '\0' && fstatat(c->dfd, name, &in->st, AT_SYMLINK_NOFOLLOW) == 0 &&
                S_ISREG(in->st.st_mode) && in->st.st_size <= AUTOINDEX_INSERT_MAX;
}

/* An insert's content (request memory) into *text, or *text = NULL when it is not shown or
 * changed into something else since its stat. Opened with O_NOFOLLOW, read up to the size
 * checked: bounded, and stops at EOF. */
static void autoindex_read_insert(struct pfd_request *r, const struct autoindex_ctx *c,
                                  const struct autoindex_insert *in, const char **text, size_t *len,
                                  bool *html)
{
    *text = NULL;
    if (!in->shown)
        return;
    int fd = openat(c->dfd, in->name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        st.st_size > AUTOINDEX_INSERT_MAX) {
        if (fd >= 0)
            close(fd);
        return;
    }
    char *buf = pfd_request_alloc(r, (size_t)st.st_size + 1);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    buf[got] = '\0';
    size_t nlen = strlen(in->name);
    *text = buf;
    *len = got;
    *html = (nlen > 5 && strcasecmp(in->name + nlen - 5, ".html") == 0) ||
            (nlen > 4 && strcasecmp(in->name + nlen - 4, ".htm") == 0);
}

/* What identifies a file's version for a weak validator: device, inode, size, and the times
 * of its data and of its inode, to the nanosecond. */
static uint64_t autoindex_stat_hash(uint64_t h, const struct stat *st)
{
    int64_t parts[7] = {(int64_t)st->st_dev,          (int64_t)st->st_ino,
                        (int64_t)st->st_size,         (int64_t)st->st_mtim.tv_sec,
                        (int64_t)st->st_mtim.tv_nsec, (int64_t)st->st_ctim.tv_sec,
                        (int64_t)st->st_ctim.tv_nsec};
    return autoindex_fnv(h, parts, sizeof(parts));
}

/*
 * A weak ETag (RFC 9110 §8.8.3: equivalence, not bytes) from what can be had without reading
 * the folder: the folder's own stat (a name added, removed or renamed changes its mtime and
 * ctime), the inserted files' stats, the options that change the page, the path and the variant
 * asked for (order, format, page). A file that changes in place leaves its folder alone, so its
 * new size or time shows once the folder changes; that is the price of answering HEAD and 304
 * for a folder of 100 000 files with one fstat(). Last-Modified: the newest of those times.
 */
static void autoindex_make_etag(struct autoindex_ctx *c)
{
    const struct autoindex_conf *ac = c->ac;
    const struct autoindex_page *p = &c->page;
    long parts[12] = {p->q.column,    p->q.order,       p->q.json,           (long)p->q.page,
                      ac->exact_size, ac->sort_links,   ac->folders_first,   ac->natural_sort,
                      ac->page_size,  ac->serve_hidden, ac->follow_symlinks, (long)ac->ignore.n};
    uint64_t h = autoindex_stat_hash(14695981039346656037ULL, &c->dir_st);
    h = autoindex_fnv(h, parts, sizeof(parts));
    h = autoindex_fnv(h, p->path, strlen(p->path) + 1);
    for (size_t i = 0; i < ac->ignore.n; i++)
        h = autoindex_fnv(h, ac->ignore.v[i], strlen(ac->ignore.v[i]) + 1);
    c->last_modified = (int64_t)c->dir_st.st_mtime;
    for (int i = 0; i < 2; i++) {
        const struct autoindex_insert *in = &c->inserts[i];
        if (!in->shown)
            continue;
        h = autoindex_stat_hash(autoindex_fnv(h, in->name, strlen(in->name) + 1), &in->st);
        if ((int64_t)in->st.st_mtime > c->last_modified)
            c->last_modified = (int64_t)in->st.st_mtime;
    }
    snprintf(c->etag, sizeof(c->etag), "W/\"%llx\"", (unsigned long long)h);
}

/* RFC 9110 §13.2.2 by the core's evaluator, as mod_static does: 0 (send the listing), 304, or
 * 412 (If-Match: the listing's ETag is weak, so only "*" passes; If-Unmodified-Since). */
static int autoindex_preconditions(struct pfd_request *r, const struct autoindex_ctx *c)
{
    struct pfd_http_conditions cond = {
        .if_match = pfd_request_header(r, "If-Match"),
        .if_none_match = pfd_request_header(r, "If-None-Match"),
        .if_modified_since = pfd_request_header(r, "If-Modified-Since"),
        .if_unmodified_since = pfd_request_header(r, "If-Unmodified-Since"),
        .get_or_head = true, /* the only methods listed */
    };
    struct pfd_http_validators v = {.etag = c->etag, .last_modified = (time_t)c->last_modified};
    return pfd_http_conditions_evaluate(&cond, &v);
}

static void autoindex_send_head(struct pfd_request *r, const struct autoindex_ctx *c, int status)
{
    pfd_response_status(r, status);
    if (status == 200)
        pfd_response_header(r, "Content-Type",
                            c->page.q.json ? "application/json" : "text/html; charset=utf-8");
    pfd_response_header(r, "ETag", c->etag);
    char date[30];
    pfd_http_date_format((time_t)c->last_modified, date);
    pfd_response_header(r, "Last-Modified", date);
    pfd_response_header(r, "Vary", "Accept"); /* ?F=json aside, Accept picks the format */
    /* A page of names a visitor did not write, served as HTML: no sniffing, no framing, and no
     * script even if a header file tries (header/readme HTML is the site owner's). */
    pfd_response_header(r, "X-Content-Type-Options", "nosniff");
    if (!c->page.q.json)
        pfd_response_header(r, "Content-Security-Policy",
                            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
                            "frame-ancestors 'self'");
}

/* ---- render ------------------------------------------------------------------------------ */

/* A copy of what a listing sent, for the cache, while it fits in max bytes. */
struct autoindex_capture {
    struct pfd_buf body;
    size_t max;
    bool whole; /* false once it no longer fits, or memory ran out */
};

/* Writes what b holds once it passed AUTOINDEX_FLUSH (or always, when last), keeping a copy in
 * keep while it fits; 0 or -1. */
static int autoindex_flush(struct pfd_request *r, struct pfd_buf *b, bool last,
                           struct autoindex_capture *keep)
{
    if (!last && b->len < AUTOINDEX_FLUSH)
        return 0;
    if (keep->whole &&
        (keep->body.len + b->len > keep->max || pfd_buf_append(&keep->body, b->data, b->len) != 0))
        keep->whole = false;
    int rc = b->len > 0 ? pfd_response_write(r, b->data, b->len) : 0;
    pfd_buf_consume(b, b->len); /* empty, memory kept for the next rows */
    return rc;
}

/* The entries [first, first + count) as HTML or JSON, streamed. 0, or -1 when the client left
 * or memory ran out (then the connection cannot carry a correct response anyway). */
static int autoindex_stream(struct pfd_request *r, struct autoindex_ctx *c, size_t first,
                            size_t count, struct autoindex_capture *keep)
{
    struct pfd_buf b = {0};
    const struct autoindex_page *p = &c->page;
    int rc = p->q.json ? autoindex_render_json_head(&b, p, c->list.n)
                       : autoindex_render_html_head(&b, p);
    bool none_yet = true;
    for (size_t i = 0; rc == 0 && i < count; i++) {
        const struct autoindex_entry *e = &c->list.entries[first + i];
        if (e->gone)
            continue;
        rc = p->q.json ? autoindex_render_json_row(&b, e, none_yet)
                       : autoindex_render_html_row(&b, p, e);
        rc = rc == 0 ? autoindex_flush(r, &b, false, keep) : rc;
        none_yet = false;
    }
    if (rc == 0)
        rc = p->q.json ? autoindex_render_json_foot(&b) : autoindex_render_html_foot(&b, p);
    if (rc == 0)
        rc = autoindex_flush(r, &b, true, keep);
    keep->whole = keep->whole && rc == 0;
    pfd_buf_free(&b);
    return rc;
}

/* ---- handle ------------------------------------------------------------------------------ */

/* Whether the folder has an index file: then it is mod_static's to serve, not a listing. */
static bool autoindex_has_index(struct pfd_request *r, int dfd)
{
    size_t count = 0;
    const char *const *index = pfd_request_index_files(r, &count);
    for (size_t i = 0; i < count; i++) {
        struct stat st;
        if (fstatat(dfd, index[i], &st, 0) == 0 && S_ISREG(st.st_mode))
            return true;
    }
    return false;
}

/* Opens the request's folder when the listing is ours: enabled here, a URL ending in '/', a
 * directory without an index file. A hidden folder (a segment starting with '.') is 404 unless
 * serve_hidden, as mod_static answers for its files. Returns the fd, -1 to decline, or
 * -(status) on error. */
static int autoindex_open(struct pfd_request *r, const struct autoindex_conf *ac)
{
    const char *path = pfd_request_path(r);
    const char *file = pfd_request_file_path(r);
    size_t len = path != NULL ? strlen(path) : 0;
    if (!ac->enabled || file == NULL || len == 0 || path[len - 1] != '/')
        return -1; /* without the slash, mod_static redirects to it */
    if (!ac->serve_hidden && pfd_request_path_hidden(r))
        return -404;
    /* The folder itself under the symlink policy, as mod_static would open it. */
    int dfd = ac->follow_symlinks == FS_SYMLINKS_ON
                  ? open(file, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                  : fs_walk_open(file, fs_walk_base_len(pfd_request_document_root(r), path, file),
                                 ac->follow_symlinks, O_RDONLY | O_DIRECTORY);
    if (dfd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return -1;
        int status = pfd_status_from_errno(errno);
        if (status == 500)
            pfd_log(PFD_LOG_ERR, "open() \"%s\" failed: %s", file, strerror(errno));
        return -status;
    }
    if (autoindex_has_index(r, dfd)) {
        close(dfd);
        return -1;
    }
    return dfd;
}

/* Method check: GET and HEAD list (PFD_DECLINED here: carry on), OPTIONS says so (RFC 9110
 * §9.3.7) and is done, the rest get 405. */
static int autoindex_method(struct pfd_request *r)
{
    int method = pfd_request_method(r);
    if (method == PFD_METHOD_GET || method == PFD_METHOD_HEAD)
        return PFD_DECLINED;
    pfd_response_header(r, "Allow", "GET, HEAD, OPTIONS");
    if (method != PFD_METHOD_OPTIONS)
        return 405;
    pfd_response_status(r, 200);
    pfd_response_content_length(r, 0);
    return PFD_DONE;
}

/* What the request asks for: the order (query, else the defaults), JSON or HTML, the page (as
 * asked: the validators name the variant requested, before the folder is read). */
static void autoindex_page_setup(struct pfd_request *r, struct autoindex_ctx *c)
{
    const struct autoindex_conf *ac = c->ac;
    struct autoindex_page *p = &c->page;
    p->q = (struct autoindex_query){.column = ac->default_column,
                                    .order = ac->default_order,
                                    .json = autoindex_accept_json(pfd_request_header(r, "Accept")),
                                    .page = 1};
    if (!ac->ignore_query)
        autoindex_query_parse(pfd_request_query(r), &p->q);
    p->path = pfd_request_path(r);
    p->sort_links = ac->sort_links;
    p->exact_size = ac->exact_size;
    p->footer = pfd_request_printf(r, "preforkd/%s", PFD_VERSION);
    p->pages = 1;
}

/* Once the folder is read: how many pages, and the one shown (past the end: the last, never an
 * error). Returns the entries per page. */
static size_t autoindex_page_count(struct autoindex_ctx *c)
{
    struct autoindex_page *p = &c->page;
    size_t n = c->list.n;
    size_t per = c->ac->page_size > 0 ? (size_t)c->ac->page_size : (n ? n : 1);
    p->pages = n == 0 ? 1 : (n + per - 1) / per;
    if (p->q.page > p->pages)
        p->q.page = p->pages;
    return per;
}

/* The sizes and times of the page's pending entries (lstat: d_type said it is no symlink); an
 * entry that vanished or became something else since readdir() is left out. */
static void autoindex_fill_page(struct autoindex_ctx *c, size_t first, size_t count)
{
    for (size_t i = first; i < first + count; i++) {
        struct autoindex_entry *e = &c->list.entries[i];
        struct stat st;
        if (!e->pending)
            continue;
        e->pending = false;
        if (fstatat(c->dfd, e->name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            (e->is_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))) {
            e->gone = true;
            continue;
        }
        e->size = e->is_dir ? -1 : (int64_t)st.st_size;
        e->mtime = (int64_t)st.st_mtime;
    }
}

/* What this listing's rendering depends on, for the cache: the folder and the variant (the
 * ETag hashes its stat, the options, the path, the order, page and format asked for, and the
 * inserts' stats), the host (whose vhost may type files differently) and the path. */
static struct autoindex_cache_key autoindex_cache_key(struct pfd_request *r,
                                                      const struct autoindex_ctx *c)
{
    const char *host = pfd_request_host(r);
    return (struct autoindex_cache_key){.dir = &c->dir_st,
                                        .variant = c->etag,
                                        .host = host != NULL ? host : "",
                                        .path = c->page.path};
}

/* A listing this worker rendered a moment ago for the same folder in the same state: sent again
 * (with a Content-Length), without reading the folder. */
static bool autoindex_send_cached(struct pfd_request *r, const struct autoindex_ctx *c)
{
    const struct autoindex_conf *ac = c->ac;
    if (ac->cache_size <= 0 || ac->cache_valid_ms <= 0)
        return false;
    struct autoindex_cache_key key = autoindex_cache_key(r, c);
    size_t len = 0;
    const char *body =
        autoindex_cache_get(&autoindex_listings, &key, pfd_now_ms(), ac->cache_valid_ms, &len);
    if (body == NULL)
        return false;
    autoindex_send_head(r, c, 200);
    pfd_response_content_length(r, (int64_t)len);
    pfd_response_write(r, body, len); /* a write error: the client left, nothing to add */
    return true;
}

/* GET: read the folder, choose the page, sort only that page, stream it (and keep it). */
static int autoindex_send_listing(struct pfd_request *r, struct autoindex_ctx *c)
{
    if (autoindex_send_cached(r, c))
        return PFD_DONE;
    bool need_stat = c->page.q.column == 'M' || c->page.q.column == 'S';
    if (autoindex_collect(r, c->ac, c->dfd, need_stat, &c->list) != 0)
        return 500;
    struct autoindex_page *p = &c->page;
    size_t per = autoindex_page_count(c);
    if (!p->q.json) {
        autoindex_read_insert(r, c, &c->inserts[0], &p->header, &p->header_len, &p->header_html);
        autoindex_read_insert(r, c, &c->inserts[1], &p->readme, &p->readme_len, &p->readme_html);
    }
    autoindex_send_head(r, c, 200);
    struct autoindex_sort_spec spec = {.column = p->q.column,
                                       .order = p->q.order,
                                       .folders_first = c->ac->folders_first,
                                       .natural = c->ac->natural_sort};
    size_t first = (p->q.page - 1) * per;
    size_t count = c->list.n - first < per ? c->list.n - first : per;
    autoindex_sort_page(c->list.entries, c->list.n, first, count, &spec);
    autoindex_fill_page(c, first, count);
    const struct autoindex_conf *ac = c->ac;
    struct autoindex_capture keep = {.max = (size_t)ac->cache_size,
                                     .whole = ac->cache_size > 0 && ac->cache_valid_ms > 0};
    /* a write error: the client left, nothing to add (and nothing kept) */
    if (autoindex_stream(r, c, first, count, &keep) == 0 && keep.whole) {
        struct autoindex_cache_key key = autoindex_cache_key(r, c);
        autoindex_cache_put(&autoindex_listings, &key, pfd_now_ms(), keep.body.data, keep.body.len,
                            keep.max);
    }
    pfd_buf_free(&keep.body);
    return PFD_DONE;
}

/* The validators come first and cost a few stat() calls: a 304 or a HEAD never reads the
 * folder. */
static int autoindex_respond(struct pfd_request *r, struct autoindex_ctx *c)
{
    if (fstat(c->dfd, &c->dir_st) != 0) {
        pfd_log(PFD_LOG_ERR, "fstat() \"%s\" failed: %s", pfd_request_file_path(r),
                strerror(errno));
        return 500;
    }
    autoindex_page_setup(r, c);
    c->inserts[0].shown = c->inserts[1].shown = false;
    if (!c->page.q.json) {
        autoindex_insert_stat(c, &c->inserts[0], c->ac->header_file);
        autoindex_insert_stat(c, &c->inserts[1], c->ac->readme_file);
    }
    autoindex_make_etag(c);
    int precondition = autoindex_preconditions(r, c);
    if (precondition == 412)
        return 412;
    if (precondition == 304) {
        autoindex_send_head(r, c, 304);
        return PFD_DONE;
    }
    if (pfd_request_method(r) == PFD_METHOD_HEAD) {
        autoindex_send_head(r, c, 200);
        pfd_response_write(r, "", 0); /* the head alone, without a Content-Length: 0 */
        return PFD_DONE;
    }
    return autoindex_send_listing(r, c);
}

/* What .htaccess files set over the module's options (module.h): Options Indexes turns the
 * listing on or off, as in Apache; IndexIgnore adds patterns; IndexOptions, IndexOrderDefault,
 * HeaderName and ReadmeName replace what they name. */
static void autoindex_dir_settings(struct pfd_request *r, struct autoindex_conf *ac)
{
    int indexes = pfd_request_dir_option(r, PFD_DIR_INDEXES);
    if (indexes >= 0)
        ac->enabled = indexes == 1;
    const struct pfd_dir_listing *l = pfd_request_dir_listing(r);
    if (l == NULL)
        return;
    ac->folders_first = l->folders_first >= 0 ? l->folders_first == 1 : ac->folders_first;
    ac->natural_sort = l->version_sort >= 0 ? l->version_sort == 1 : ac->natural_sort;
    ac->sort_links = l->column_sorting >= 0 ? l->column_sorting == 1 : ac->sort_links;
    ac->ignore_query = l->ignore_client == 1;
    ac->header_file = l->header_name != NULL ? (char *)l->header_name : ac->header_file;
    ac->readme_file = l->readme_name != NULL ? (char *)l->readme_name : ac->readme_file;
    ac->default_column = l->order_column != 0 ? l->order_column : ac->default_column;
    ac->default_order = l->order != 0 ? l->order : ac->default_order;
    size_t kept = l->ignore_reset ? 0 : ac->ignore.n;
    char **v = pfd_request_alloc(r, (kept + l->nignore + 1) * sizeof(*v));
    for (size_t i = 0; i < kept; i++)
        v[i] = ac->ignore.v[i];
    for (size_t i = 0; i < l->nignore; i++)
        v[kept + i] = (char *)l->ignore[i];
    v[kept + l->nignore] = NULL;
    ac->ignore = (struct pfd_option_list){v, kept + l->nignore};
}

static int autoindex_handle(struct pfd_request *r, void *conf)
{
    /* The request's view of the options: the module's, .htaccess files', and the core's file
     * policy here. */
    struct autoindex_conf *ac = pfd_request_alloc(r, sizeof(*ac));
    *ac = *(const struct autoindex_conf *)conf;
    autoindex_dir_settings(r, ac);
    ac->serve_hidden = pfd_request_serve_hidden(r);
    ac->follow_symlinks = (enum fs_symlinks)pfd_request_follow_symlinks(r);
    struct autoindex_ctx c = {.ac = ac, .dfd = -1};
    c.dfd = autoindex_open(r, c.ac);
    if (c.dfd == -1)
        return PFD_DECLINED;
    if (c.dfd < -1)
        return -c.dfd;
    int rc = autoindex_method(r);
    if (rc == PFD_DECLINED)
        rc = autoindex_respond(r, &c);
    close(c.dfd);
    free(c.list.entries);
    pfd_buf_free(&c.list.names);
    return rc;
}
