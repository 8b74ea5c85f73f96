/*
 * mod_static.c — regular files under the document root, for GET and HEAD.
 *
 * What Apache's core + mod_mime + mod_dir and nginx's static module give: Content-Type,
 * Content-Length, Last-Modified, a strong ETag from size and mtime (no inode, so servers behind
 * one load balancer agree), conditional requests (RFC 9110 §13), byte ranges with
 * multipart/byteranges (§14), precompressed .br/.gz variants, Cache-Control/Expires, index
 * files and the trailing-slash redirect, a symlink policy and hidden-file refusal. Bodies go out
 * with sendfile(), except small ones, which are read() into the same send() as the head.
 *
 * HTTP dates and preconditions are the core's (module.h, "HTTP helpers"); the other pure parts
 * (Range, Accept-Encoding, expires values) live in modules/lib/static_*.c and are unit-tested
 * without a socket; static_open_cache.c keeps hot small files open (open_file_cache_ms). Option
 * reference:
 * docs/mod_static.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs_walk.h"
#include "preforkd/module.h"
#include "static_accept.h"
#include "static_expires.h"
#include "static_open_cache.h"
#include "static_range.h"

static int static_init(struct pfd_server *server, cfg_t *section, void **conf);
static void static_fini(void *conf);
static int static_handle(struct pfd_request *r, void *conf);
static int static_location_init(struct pfd_server *server, cfg_t *location, void *main_conf,
                                void **conf);

/* Defaults live here, nowhere else. serve_hidden and follow_symlinks are the core's
 * (pfd_request_serve_hidden(), pfd_request_follow_symlinks()): one policy with mod_autoindex. */
static cfg_opt_t static_options[] = {
    CFG_BOOL("sendfile", cfg_true, CFGF_NONE),
    CFG_STR("charset", "", CFGF_NONE),
    CFG_BOOL("gzip_static", cfg_false, CFGF_NONE),
    CFG_STR("expires", "", CFGF_NONE),
    CFG_INT("max_ranges", STATIC_RANGE_MAX, CFGF_NONE),
    CFG_INT("open_file_cache_ms", 0, CFGF_NONE),
    CFG_END(),
};

/* What a `location "…" { … }` may override; unset ones keep the module's values. */
static cfg_opt_t static_location_options[] = {
    CFG_STR("expires", NULL, CFGF_NODEFAULT),
    CFG_BOOL("gzip_static", cfg_false, CFGF_NODEFAULT),
    CFG_END(),
};

PFD_API struct pfd_module pfd_module_static = {
    .api_version = PFD_MODULE_API_VERSION,
    .name = "static",
    .options = static_options,
    .init = static_init,
    .handle = static_handle,
    .fini = static_fini,
    .location_options = static_location_options,
    .location_init = static_location_init,
};

/* Bodies up to this size are read() and leave with the head in one send(); bigger ones go
 * with sendfile(). Both cost two system calls, but this way the client gets one packet. */
#define STATIC_SMALL_FILE (16 * 1024)
/* The read() path's buffer (sendfile = false, or small bodies): small enough that the stack
 * frame stays cheap; the core gathers chunks into 64 KiB sends anyway. */
#define STATIC_READ_CHUNK STATIC_SMALL_FILE
#define STATIC_CHARSET_MAX 64
/* static_find()'s results beside the handler's own (PFD_DONE is 0, statuses are >= 400). */
#define STATIC_FOUND 1
#define STATIC_REDIRECTED 2

/* The module's typed config: the main one from init(), one per location that overrides. Plain
 * data, no pointers, so a location's copy needs no ownership rules. */
struct static_conf {
    bool sendfile;
    bool gzip_static;
    struct static_expires expires;
    long max_ranges;
    long open_file_cache_ms;          /* how long a kept descriptor is used; 0: none kept */
    char charset[STATIC_CHARSET_MAX]; /* appended to text types when not empty */
};

/* This worker's descriptors of hot small files (open_file_cache_ms; each worker has its own). */
static struct static_open_cache static_open_files;

/* ---- config -------------------------------------------------------------------------------- */

/* A charset is a token (RFC 9110 §8.3.2): it goes into a header, so nothing else passes. */
static const char *static_parse_charset(const char *v, void *field)
{
    size_t len = strlen(v);
    if (len >= STATIC_CHARSET_MAX)
        return "too long";
    if (strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                  "0123456789!#$%&'*+-.^_`|~") != len)
        return "a charset is a token: letters, digits and !#$%&'*+-.^_`|~";
    memcpy(field, v, len + 1);
    return NULL;
}

static const char *static_parse_expires(const char *v, void *field)
{
    if (static_expires_parse(v, field) == 0)
        return NULL;
    return "expected \"off\", \"epoch\", \"max\" or a duration such as \"1h30m\"";
}

/* Directives as data (module.h's option reader): module name, location name, type, field. */
#define STATIC_AT(field) offsetof(struct static_conf, field)
static const struct pfd_option static_table[] = {
    {"sendfile", NULL, PFD_OPTION_BOOL, STATIC_AT(sendfile), 0, 0, NULL, NULL, NULL},
    {"charset", NULL, PFD_OPTION_PARSED, STATIC_AT(charset), 0, 0, NULL, NULL,
     static_parse_charset},
    {"gzip_static", "gzip_static", PFD_OPTION_BOOL, STATIC_AT(gzip_static), 0, 0, NULL, NULL, NULL},
    {"expires", "expires", PFD_OPTION_PARSED, STATIC_AT(expires), 0, 0, NULL, NULL,
     static_parse_expires},
    {"max_ranges", NULL, PFD_OPTION_INT, STATIC_AT(max_ranges), 1, STATIC_RANGE_MAX, NULL, NULL,
     NULL},
    {"open_file_cache_ms", NULL, PFD_OPTION_INT, STATIC_AT(open_file_cache_ms), 0, 60000, NULL,
     NULL, NULL},
    PFD_OPTIONS_END,
};
#undef STATIC_AT

static int static_init(struct pfd_server *server, cfg_t *section, void **conf)
{
    (void)server;
    return pfd_options_new(&pfd_module_static, section, static_table, sizeof(struct static_conf),
                           conf);
}

static int static_location_init(struct pfd_server *server, cfg_t *location, void *main_conf,
                                void **conf)
{
    (void)server;
    return pfd_options_merge(&pfd_module_static, location, static_table, main_conf,
                             sizeof(struct static_conf), conf);
}

static void static_fini(void *conf)
{
    free(conf);
}

/* ---- the request's fields ------------------------------------------------------------------ */

/* The header fields this module reads, found in one pass over the request's fields. */
struct static_fields {
    struct pfd_http_conditions cond;
    const char *range;
    const char *if_range;
    const char *accept_encoding;
};

static void static_fields_collect(const struct pfd_request *r, struct static_fields *f)
{
    memset(f, 0, sizeof(*f));
    size_t n = pfd_request_header_count(r);
    for (size_t i = 0; i < n; i++) {
        const char *name, *value;
        pfd_request_header_at(r, i, &name, &value);
        char c = name[0] | 0x20; /* most fields start with other letters: one test skips them */
        if (c == 'i') {
            if (strcasecmp(name, "If-Match") == 0)
                f->cond.if_match = value;
            else if (strcasecmp(name, "If-None-Match") == 0)
                f->cond.if_none_match = value;
            else if (strcasecmp(name, "If-Modified-Since") == 0)
                f->cond.if_modified_since = value;
            else if (strcasecmp(name, "If-Unmodified-Since") == 0)
                f->cond.if_unmodified_since = value;
            else if (strcasecmp(name, "If-Range") == 0)
                f->if_range = value;
        } else if (c == 'r' && strcasecmp(name, "Range") == 0) {
            f->range = value;
        } else if (c == 'a' && strcasecmp(name, "Accept-Encoding") == 0) {
            f->accept_encoding = value;
        }
    }
    f->cond.get_or_head = true; /* other methods never get this far */
}

/* ---- finding and opening the file ------------------------------------------------------------ */

/* The file chosen for the response. fd starts at -1 and is closed once, by the handler. */
struct static_file {
    int fd;
    struct stat st;
    const char *path;       /* what was opened (an index file, say) */
    const char *name;       /* for the media type: path, without a .gz/.br suffix */
    const char *encoding;   /* "gzip", "br", or NULL */
    size_t base_len;        /* path[0..base_len) is trusted; the symlink policy checks the rest */
    enum fs_symlinks links; /* the core's follow_symlinks for this request */
    int64_t keep_ms;        /* open_file_cache_ms: 0, or how long fd may be kept */
    bool kept;              /* fd is the open-file cache's: not closed here */
};

/* The descriptor of path from the open-file cache, or one opened now and kept there (a small
 * regular file, no symlink policy to check on each open). true when f->fd is the cache's. */
static bool static_open_kept(struct static_file *f, const char *path)
{
    if (f->keep_ms <= 0 || f->links != FS_SYMLINKS_ON)
        return false;
    int64_t now = pfd_now_ms();
    int fd = static_open_cache_get(&static_open_files, path, now, f->keep_ms, &f->st);
    if (fd < 0) {
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0)
            return false; /* static_open() opens it again and reports why */
        if (fstat(fd, &f->st) != 0 || !static_open_cache_fits(&f->st) ||
            !static_open_cache_put(&static_open_files, path, fd, &f->st, now)) {
            close(fd);
            return false;
        }
    }
    f->fd = fd;
    f->path = f->name = path;
    f->kept = true;
    return true;
}

/* open() + fstat() under the symlink policy; 0, or an HTTP status (500 logged). */
static int static_open(struct static_file *f, const char *path)
{
    f->kept = false;
    if (static_open_kept(f, path))
        return 0;
    int fd = f->links == FS_SYMLINKS_ON
                 ? open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK) /* no FIFO may block us */
                 : fs_walk_open(path, f->base_len, f->links, O_RDONLY | O_NONBLOCK);
    if (fd >= 0 && fstat(fd, &f->st) != 0) {
        int err = errno;
        close(fd);
        fd = -1;
        errno = err;
    }
    if (fd < 0) {
        int status = pfd_status_from_errno(errno);
        if (status == 500)
            pfd_log(PFD_LOG_ERR, "open() \"%s\" failed: %s", path, strerror(errno));
        return status;
    }
    f->fd = fd;
    f->path = path;
    f->name = path;
    return 0;
}

static void static_file_close(struct static_file *f)
{
    if (f->fd >= 0 && !f->kept)
        close(f->fd);
    f->fd = -1;
    f->kept = false;
}

/* RFC 9110 §15.4.2: directory without its slash → 301 to the slash URL, query kept (raw, as the
 * client sent it). The path is the decoded one, so it is percent-encoded again: a '?', '%' or
 * space in a folder's name must not turn into a query, an escape or a broken header. A relative
 * Location keeps the client's scheme, host and port. */
static int static_redirect_slash(struct pfd_request *r)
{
    const char *query = pfd_request_query(r);
    const char *path = pfd_request_path(r);
    size_t size = 3 * strlen(path) + 1;
    char *escaped = pfd_request_alloc(r, size);
    if (pfd_uri_escape_path(path, escaped, size) != 0)
        return 500; /* cannot happen: size is the bound module.h promises */
    char *location =
        pfd_request_printf(r, "%s/%s%s", escaped, query ? "?" : "", query ? query : "");
    pfd_response_status(r, 301);
    if (pfd_response_header(r, "Location", location) != 0)
        return 400;
    pfd_response_header(r, "Content-Type", "text/html; charset=utf-8");
    static const char body[] = "<!DOCTYPE html>\n<title>301 Moved Permanently</title>\n";
    pfd_response_content_length(r, sizeof(body) - 1);
    pfd_response_write(r, body, sizeof(body) - 1);
    return PFD_DONE;
}

/* A directory (f->fd open on it): the slash redirect (PFD_DONE), else the first index file that
 * exists (0, f open on it; mod_dir), else PFD_DECLINED for a listing module (the core answers 403
 * if none takes it), or an error status. */
static int static_open_index(struct pfd_request *r, struct static_file *f)
{
    const char *dir = f->path;
    static_file_close(f);
    const char *path = pfd_request_path(r);
    size_t len = strlen(path);
    if (len == 0 || path[len - 1] != '/') {
        int rc = static_redirect_slash(r);
        return rc == PFD_DONE ? STATIC_REDIRECTED : rc;
    }
    size_t count = 0;
    const char *const *index = pfd_request_index_files(r, &count);
    for (size_t i = 0; i < count; i++) {
        char *file = pfd_request_printf(r, "%s%s%s", dir,
                                        dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/", index[i]);
        int status = static_open(f, file);
        if (status == 0 && S_ISREG(f->st.st_mode))
            return 0;
        static_file_close(f);
        if (status == 403)
            return 403; /* there, but forbidden: say so rather than list the folder */
    }
    return PFD_DECLINED;
}

/* Swaps f for path.br or path.gz when gzip_static is on, the client takes that coding, and the
 * variant is a regular file (nginx's gzip_static, Apache's MultiViews for encodings). */
static void static_open_variant(struct pfd_request *r, const struct static_fields *h,
                                struct static_file *f)
{
    int br = static_accept_q(h->accept_encoding, "br");
    int gz = static_accept_q(h->accept_encoding, "gzip");
    static const char *const codings[2][2] = {{"br", "br"}, {"gzip", "gz"}};
    for (int k = 0; k < 2; k++) {
        int pick = (k == 0) == (br >= gz) ? 0 : 1; /* the higher q first; br wins a tie */
        if ((pick == 0 ? br : gz) <= 0)
            continue;
        struct static_file v = {
            .fd = -1, .base_len = f->base_len, .links = f->links, .keep_ms = f->keep_ms};
        char *path = pfd_request_printf(r, "%s.%s", f->path, codings[pick][1]);
        if (static_open(&v, path) == 0 && S_ISREG(v.st.st_mode)) {
            v.name = f->name;
            v.encoding = codings[pick][0];
            static_file_close(f);
            *f = v;
            return;
        }
        static_file_close(&v);
    }
}

/* ---- the response head ------------------------------------------------------------------------
 */

/* v in lower-case hex at p, no leading zeros; returns the end. */
static char *static_hex(char *p, unsigned long long v)
{
    static const char hex[] = "0123456789abcdef";
    int digits = v == 0 ? 1 : (67 - __builtin_clzll(v)) / 4;
    for (int i = digits - 1; i >= 0; i--, v >>= 4)
        p[i] = hex[v & 15];
    return p + digits;
}

/* "size-mtime" in hex, quoted: formatted by hand because it runs for every file served. */
static void static_etag(const struct stat *st, char out[40])
{
    char *p = out;
    *p++ = '"';
    p = static_hex(p, (unsigned long long)st->st_size);
    *p++ = '-';
    p = static_hex(p, (unsigned long long)st->st_mtime);
    *p++ = '"';
    *p = '\0';
}

static const char *static_content_type(struct pfd_request *r, const struct static_conf *sc,
                                       const struct static_file *f)
{
    const char *type = pfd_request_mime_type(r, f->name);
    if (sc->charset[0] != '\0' && strncmp(type, "text/", 5) == 0 &&
        strstr(type, "charset=") == NULL) /* .htaccess AddCharset gave one */
        type = pfd_request_printf(r, "%s; charset=%s", type, sc->charset);
    return type;
}

/* What a 200 and a 304 both carry (RFC 9110 §15.4.5): validators, caching, Vary. */
static void static_validator_headers(struct pfd_request *r, const struct static_conf *sc,
                                     const struct static_file *f, const char *etag)
{
    char date[30];
    pfd_http_date_format(f->st.st_mtime, date);
    pfd_response_header(r, "Last-Modified", date);
    pfd_response_header(r, "ETag", etag);
    char cc[40];
    time_t expires = 0;
    if (sc->expires.kind != STATIC_EXPIRES_NONE &&
        static_expires_headers(&sc->expires, time(NULL), cc, &expires) == 0) {
        pfd_response_header(r, "Cache-Control", cc);
        pfd_http_date_format(expires, date);
        pfd_response_header(r, "Expires", date);
    }
    /* Whichever variant went out, a cache must key on Accept-Encoding. */
    if (sc->gzip_static)
        pfd_response_header(r, "Vary", "Accept-Encoding");
}

/* type: the Content-Type, or NULL for the file's own. */
static void static_entity_headers(struct pfd_request *r, const struct static_conf *sc,
                                  const struct static_file *f, const char *etag, const char *type)
{
    pfd_response_header(r, "Content-Type", type != NULL ? type : static_content_type(r, sc, f));
    if (f->encoding != NULL)
        pfd_response_header(r, "Content-Encoding", f->encoding);
    static_validator_headers(r, sc, f, etag);
    pfd_response_header(r, "Accept-Ranges", "bytes");
}

/* ---- the body ------------------------------------------------------------------------------ */

/*
 * len bytes of fd from off through read() and the core's buffer. A file that shrank under us
 * ends the body early; the core then sees fewer bytes than Content-Length promised and closes
 * the connection, the only honest signal left (as with sendfile()).
 */
static int static_send_read(struct pfd_request *r, int fd, int64_t off, int64_t len)
{
    char buf[STATIC_READ_CHUNK];
    while (len > 0) {
        size_t want = len < (int64_t)sizeof(buf) ? (size_t)len : sizeof(buf);
        ssize_t n = pread(fd, buf, want, (off_t)off);
        if (n <= 0) {
            pfd_log(PFD_LOG_WARN, "file %s while being sent",
                    n == 0 ? "shrank" : "could not be read");
            return -1;
        }
        if (pfd_response_write(r, buf, (size_t)n) != 0)
            return -1;
        off += n;
        len -= n;
    }
    return 0;
}

static int static_send_part(struct pfd_request *r, const struct static_conf *sc, int fd,
                            int64_t off, int64_t len)
{
    if (pfd_request_method(r) == PFD_METHOD_HEAD)
        return 0; /* the core sends the head when the handler returns */
    if (sc->sendfile && len > STATIC_SMALL_FILE)
        return pfd_response_sendfile(r, fd, off, len);
    return static_send_read(r, fd, off, len);
}

/* A boundary no file is likely to contain, different for every response (RFC 2046 §5.1.1). */
static void static_boundary(char out[21])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char rnd[8];
    if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd)) {
        unsigned long long x =
            (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 32);
        x ^= (unsigned long long)(uintptr_t)out;
        memcpy(rnd, &x, sizeof(rnd));
    }
    memcpy(out, "pfd", 4);
    for (int i = 0; i < 8; i++) {
        out[3 + 2 * i] = hex[rnd[i] >> 4];
        out[4 + 2 * i] = hex[rnd[i] & 15];
    }
    out[19] = '\0';
}

/* RFC 9110 §14.6: each part with its own Content-Type and Content-Range; the length is known
 * in advance, so no chunking. */
static int static_send_multipart(struct pfd_request *r, const struct static_conf *sc,
                                 const struct static_file *f, const char *etag,
                                 const struct static_range *ranges, size_t n)
{
    char boundary[21];
    static_boundary(boundary);
    const char *type = static_content_type(r, sc, f);
    char **heads = pfd_request_alloc(r, n * sizeof(*heads));
    int64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        heads[i] = pfd_request_printf(
            r, "\r\n--%s\r\nContent-Type: %s\r\nContent-Range: bytes %lld-%lld/%lld\r\n\r\n",
            boundary, type, (long long)ranges[i].first, (long long)ranges[i].last,
            (long long)f->st.st_size);
        total += (int64_t)strlen(heads[i]) + ranges[i].last - ranges[i].first + 1;
    }
    char *tail = pfd_request_printf(r, "\r\n--%s--\r\n", boundary);
    total += (int64_t)strlen(tail);
    pfd_response_status(r, 206);
    static_entity_headers(r, sc, f, etag,
                          pfd_request_printf(r, "multipart/byteranges; boundary=%s", boundary));
    pfd_response_content_length(r, total);
    for (size_t i = 0; i < n; i++) {
        if (pfd_response_write(r, heads[i], strlen(heads[i])) != 0 ||
            static_send_part(r, sc, f->fd, ranges[i].first, ranges[i].last - ranges[i].first + 1) !=
                0)
            return PFD_DONE;
    }
    pfd_response_write(r, tail, strlen(tail));
    return PFD_DONE;
}

/* ---- the handler ------------------------------------------------------------------------- */

/* A Range on a GET (RFC 9110 §14.2: the only method it is defined for), If-Range permitting.
 * Returns PFD_DONE, 416, or PFD_DECLINED when the whole file should go out. */
static int static_respond_range(struct pfd_request *r, const struct static_conf *sc,
                                const struct static_file *f, const struct static_fields *h,
                                const struct pfd_http_validators *v)
{
    struct static_range ranges[STATIC_RANGE_MAX];
    size_t n = 0;
    if (!pfd_http_if_range(h->if_range, v))
        return PFD_DECLINED;
    switch (static_range_parse(h->range, f->st.st_size, ranges, (size_t)sc->max_ranges, &n)) {
    case STATIC_RANGE_IGNORE:
        return PFD_DECLINED;
    case STATIC_RANGE_UNSATISFIABLE:
        pfd_response_header(
            r, "Content-Range",
            pfd_request_printf(r, "bytes */%lld", (long long)f->st.st_size)); /* §15.5.17 */
        return 416;
    case STATIC_RANGE_OK:
        break;
    }
    if (n > 1)
        return static_send_multipart(r, sc, f, v->etag, ranges, n);
    static_entity_headers(r, sc, f, v->etag, NULL);
    pfd_response_status(r, 206);
    pfd_response_header(r, "Content-Range",
                        pfd_request_printf(r, "bytes %lld-%lld/%lld", (long long)ranges[0].first,
                                           (long long)ranges[0].last, (long long)f->st.st_size));
    int64_t len = ranges[0].last - ranges[0].first + 1;
    pfd_response_content_length(r, len);
    static_send_part(r, sc, f->fd, ranges[0].first, len);
    return PFD_DONE;
}

/* The file is open and is a regular file; the method is GET or HEAD. */
static int static_respond(struct pfd_request *r, const struct static_conf *sc,
                          const struct static_file *f, const struct static_fields *h)
{
    char etag[40];
    static_etag(&f->st, etag);
    struct pfd_http_validators v = {.etag = etag, .last_modified = f->st.st_mtime};
    const struct pfd_http_conditions *c = &h->cond;
    if (c->if_match || c->if_none_match || c->if_modified_since || c->if_unmodified_since) {
        int status = pfd_http_conditions_evaluate(c, &v);
        if (status == 412)
            return 412;
        if (status == 304) {
            pfd_response_status(r, 304);
            static_validator_headers(r, sc, f, etag);
            return PFD_DONE;
        }
    }
    if (h->range != NULL && pfd_request_method(r) == PFD_METHOD_GET) {
        int rc = static_respond_range(r, sc, f, h, &v);
        if (rc != PFD_DECLINED)
            return rc;
    }
    static_entity_headers(r, sc, f, etag, NULL);
    pfd_response_content_length(r, f->st.st_size);
    static_send_part(r, sc, f->fd, 0, f->st.st_size);
    return PFD_DONE;
}

/* RFC 9110 §9.3.7, §15.5.6: OPTIONS on a file lists what it allows; other methods get 405. */
static int static_other_method(struct pfd_request *r)
{
    pfd_response_header(r, "Allow", "GET, HEAD, OPTIONS");
    if (pfd_request_method(r) != PFD_METHOD_OPTIONS)
        return 405;
    pfd_response_status(r, 200);
    pfd_response_content_length(r, 0);
    return PFD_DONE;
}

/* Opens what the URI names: the file, or a directory's index file. STATIC_FOUND, or what the
 * handler returns: PFD_DONE (a redirect), PFD_DECLINED (a directory without index), a status. */
static int static_find(struct pfd_request *r, const char *file, struct static_file *f)
{
    f->links = (enum fs_symlinks)pfd_request_follow_symlinks(r);
    f->base_len = f->links == FS_SYMLINKS_ON
                      ? 0
                      : fs_walk_base_len(pfd_request_document_root(r), pfd_request_path(r), file);
    int status = static_open(f, file);
    if (status != 0)
        return status;
    if (S_ISDIR(f->st.st_mode))
        status = static_open_index(r, f);
    else if (!S_ISREG(f->st.st_mode))
        status = 404; /* fifos, devices, sockets are not content */
    if (status == 0 && pfd_request_source_guarded(r, f->path)) {
        /* a script an interpreter runs elsewhere (index.php): its source must not leak */
        pfd_log(PFD_LOG_ERR, "static: \"%s\" is a script a module runs: its source is not sent",
                f->path);
        status = 403;
    }
    if (status == STATIC_REDIRECTED)
        return PFD_DONE;
    return status == 0 ? STATIC_FOUND : status;
}

static int static_handle(struct pfd_request *r, void *conf)
{
    const struct static_conf *sc = conf;
    const char *file = pfd_request_file_path(r);
    if (file == NULL)
        return PFD_DECLINED;
    /* 404, not 403: whether a .htaccess or .git exists is nobody's business. */
    if (!pfd_request_serve_hidden(r) && pfd_request_path_hidden(r))
        return 404;
    struct static_file f; /* not zeroed whole: struct stat is big and fstat() fills it */
    f.fd = -1;
    f.encoding = NULL;
    f.kept = false;
    f.keep_ms = sc->open_file_cache_ms;
    int rc = static_find(r, file, &f);
    if (rc == STATIC_FOUND) {
        int method = pfd_request_method(r);
        if (method != PFD_METHOD_GET && method != PFD_METHOD_HEAD) {
            rc = static_other_method(r);
        } else {
            struct static_fields h;
            static_fields_collect(r, &h);
            if (sc->gzip_static && h.accept_encoding != NULL)
                static_open_variant(r, &h, &f);
            rc = static_respond(r, sc, &f, &h);
        }
    }
    static_file_close(&f);
    return rc;
}
