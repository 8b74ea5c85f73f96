/*
 * config_mime.c — reads a mime.types file into the sorted table of struct pfd_config and looks
 * extensions up in it (see config_mime.h).
 */
#include "config/config_mime.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config_value.h"

/* While reading: seq is the file order, so a later extension wins over an earlier one. */
struct config_mime_entry {
    struct pfd_mime_type mt;
    size_t seq;
};

struct config_mime {
    struct config_mime_entry *entries;
    size_t n, cap;
};

static int config_mime_add(struct config_mime *m, const char *ext, const char *type)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 256;
        struct config_mime_entry *grown = realloc(m->entries, cap * sizeof(*grown));
        if (grown == NULL)
            return -1;
        m->entries = grown;
        m->cap = cap;
    }
    struct pfd_mime_type *e = &m->entries[m->n].mt;
    m->entries[m->n].seq = m->n;
    e->extension = strdup(ext);
    e->type = strdup(type);
    if (e->extension == NULL || e->type == NULL) {
        free(e->extension);
        free(e->type);
        return -1;
    }
    for (char *c = e->extension; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    m->n++;
    return 0;
}

/* The reader's report of bad lines. */
struct config_mime_report {
    config_mime_bad_fn bad;
    void *ctx;
    const char *path;
};

static void config_mime_bad(const struct config_mime_report *r, int lineno, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void config_mime_bad(const struct config_mime_report *r, int lineno, const char *fmt, ...)
{
    char why[1024]; /* as long as any message of the loader */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    r->bad(r->ctx, r->path, lineno, why);
}

/* One line: "type ext ext …", '#' to the end of the line is a comment. -1 when out of memory. */
static int config_mime_line(struct config_mime *m, const struct config_mime_report *r, int lineno,
                            char *line)
{
    char *hash = strchr(line, '#');
    if (hash != NULL)
        *hash = '\0';
    char *save = NULL;
    const char *type = strtok_r(line, " \t\r\n", &save);
    if (type == NULL)
        return 0;
    if (config_check_media_type(type) != NULL) {
        config_mime_bad(r, lineno, "\"%s\" is not a media type", type);
        return 0;
    }
    for (char *ext; (ext = strtok_r(NULL, " \t\r\n", &save)) != NULL;) {
        if (ext[0] == '.')
            ext++;
        if (config_check_file_name(ext) != NULL || strlen(ext) > CONFIG_MIME_EXT_MAX) {
            config_mime_bad(r, lineno, "\"%s\" is not a file extension", ext);
            continue;
        }
        if (config_mime_add(m, ext, type) == -1)
            return -1;
    }
    return 0;
}

/* By extension; equal extensions: the later definition first. */
static int config_mime_cmp(const void *a, const void *b)
{
    const struct config_mime_entry *x = a, *y = b;
    int c = strcmp(x->mt.extension, y->mt.extension);
    return c != 0 ? c : (x->seq < y->seq) - (x->seq > y->seq);
}

/* Sorts by extension for bsearch(), keeping the last definition of each; the caller owns the
 * table, m is emptied. -1 when out of memory (then there is no table). */
static int config_mime_finish(struct config_mime *m, struct pfd_mime_type **types, size_t *ntypes)
{
    if (m->n > 1) /* entries is NULL when the file defined nothing; qsort() wants a pointer */
        qsort(m->entries, m->n, sizeof(*m->entries), config_mime_cmp);
    *types = calloc(m->n + 1, sizeof(**types));
    *ntypes = 0;
    const char *last = NULL; /* the extension kept last */
    for (size_t i = 0; i < m->n; i++) {
        struct pfd_mime_type *e = &m->entries[i].mt;
        if (*types != NULL && (last == NULL || strcmp(last, e->extension) != 0)) {
            (*types)[(*ntypes)++] = *e;
            last = e->extension;
            continue;
        }
        free(e->extension);
        free(e->type);
    }
    free(m->entries);
    return *types != NULL ? 0 : -1;
}

int config_mime_read(const char *path, config_mime_bad_fn bad, void *ctx,
                     struct pfd_mime_type **types, size_t *ntypes)
{
    *types = NULL;
    *ntypes = 0;
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return -1;
    struct config_mime m = {NULL, 0, 0};
    struct config_mime_report r = {bad, ctx, path};
    char *buf = NULL;
    size_t cap = 0;
    int err = 0;
    for (int lineno = 1; err == 0 && getline(&buf, &cap, f) != -1; lineno++)
        err = config_mime_line(&m, &r, lineno, buf) == -1 ? ENOMEM : 0;
    if (err == 0 && ferror(f))
        err = errno != 0 ? errno : EIO;
    free(buf);
    fclose(f);
    if (config_mime_finish(&m, types, ntypes) == -1)
        err = ENOMEM;
    errno = err;
    return err == 0 ? 0 : -1;
}

void config_mime_free(struct pfd_mime_type *types, size_t ntypes)
{
    for (size_t i = 0; i < ntypes; i++) {
        free(types[i].extension);
        free(types[i].type);
    }
    free(types);
}

static int config_mime_key_cmp(const void *key, const void *entry)
{
    return strcmp(key, ((const struct pfd_mime_type *)entry)->extension);
}

const char *pfd_config_mime_lookup(const struct pfd_config *conf, const char *extension)
{
    char key[CONFIG_MIME_EXT_MAX + 1];
    size_t n = strlen(extension);
    if (n == 0 || n > CONFIG_MIME_EXT_MAX || conf->nmime_types == 0)
        return NULL;
    for (size_t i = 0; i <= n; i++)
        key[i] = (char)tolower((unsigned char)extension[i]);
    const struct pfd_mime_type *e =
        bsearch(key, conf->mime_types, conf->nmime_types, sizeof(*e), config_mime_key_cmp);
    return e != NULL ? e->type : NULL;
}

const char *config_mime_pick(const char *const *candidates, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (candidates[i] != NULL && access(candidates[i], F_OK) == 0)
            return candidates[i];
    }
    return NULL;
}

/* What a site serves most, for a host without /etc/mime.types (a container, a minimal image):
 * without it every file would go out as default_type. Types as IANA registers them. */
static const char *const config_mime_builtin_lines[] = {
    "text/html html htm",
    "text/css css",
    "text/javascript js mjs",
    "application/json json map",
    "application/manifest+json webmanifest",
    "text/plain txt text log",
    "text/csv csv",
    "text/markdown md",
    "application/xml xml xsl",
    "application/atom+xml atom",
    "application/rss+xml rss",
    "application/pdf pdf",
    "application/wasm wasm",
    "application/zip zip",
    "application/gzip gz",
    "application/x-tar tar",
    "image/png png",
    "image/jpeg jpg jpeg",
    "image/gif gif",
    "image/svg+xml svg svgz",
    "image/webp webp",
    "image/avif avif",
    "image/x-icon ico",
    "image/bmp bmp",
    "font/woff woff",
    "font/woff2 woff2",
    "font/ttf ttf",
    "font/otf otf",
    "audio/mpeg mp3",
    "audio/ogg ogg oga",
    "audio/wav wav",
    "video/mp4 mp4 m4v",
    "video/webm webm",
    "video/ogg ogv",
};

static void config_mime_builtin_bad(void *ctx, const char *path, int line, const char *why)
{
    (void)ctx;
    (void)path;
    (void)line;
    (void)why; /* the table above has no bad line: check_config tests it */
}

int config_mime_builtin(struct pfd_mime_type **types, size_t *ntypes)
{
    struct config_mime m = {NULL, 0, 0};
    struct config_mime_report r = {config_mime_builtin_bad, NULL, "(built-in)"};
    size_t n = sizeof(config_mime_builtin_lines) / sizeof(config_mime_builtin_lines[0]);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char line[128];
        snprintf(line, sizeof(line), "%s", config_mime_builtin_lines[i]);
        rc = config_mime_line(&m, &r, (int)i + 1, line);
    }
    if (config_mime_finish(&m, types, ntypes) == -1)
        rc = -1;
    return rc;
}
