/*
 * htaccess.h — per-directory configuration files (Apache's .htaccess), shared by the engine
 * (htaccess.c: finding, reading, caching and applying the files) and the directive groups
 * (htaccess_access.c: AuthConfig and Limit; htaccess_rewrite.c: mod_rewrite's directives;
 * htaccess_fileinfo.c: FileInfo, Options and Indexes).
 *
 * A file is parsed once per worker (and again when its mtime, size or inode changes) into a tree
 * of nodes; each directive's compile() checks and pre-compiles its arguments then, so a request
 * pays only apply(). A directive that is unknown, not allowed by the location's allow_override,
 * or malformed makes every request under that folder answer 500 with "FILE:LINE: why" in the
 * error log, as Apache does: a protection is never silently dropped.
 */
#ifndef PFD_HTACCESS_H
#define PFD_HTACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "config/config.h"
#include "parse/htaccess_parse.h"
#include "serve/htaccess_access.h"
#include "serve/htaccess_dir.h"
#include "serve/htaccess_fileinfo.h"
#include "serve/htaccess_rewrite.h"

struct pfd_request;

/* The AllowOverride classes a directive belongs to: config/config.h's enum pfd_override. */

/* struct pfd_ht_node, one directive or one section as read from a file: parse/htaccess_parse.h. */

/* One .htaccess file as cached by a worker. */
struct pfd_ht_file {
    char *path; /* "/srv/www/app/.htaccess" */
    char *dir;  /* the folder it governs, with a trailing '/': "/srv/www/app/" */
    struct pfd_ht_node *nodes;
    size_t nnodes;
};

/* What one request gathers from the files that apply to it, from the document root down. */
struct pfd_ht_result {
    struct pfd_ht_access access;
    struct pfd_ht_dir dir; /* DirectoryIndex, ErrorDocument, Redirect* (htaccess_dir.h) */
    struct pfd_ht_rewrite rewrite;
    struct pfd_ht_fileinfo info;
};

/* What a directive's apply() works with. */
struct pfd_ht_ctx {
    struct pfd_request *r;
    const struct pfd_ht_file *file; /* the file the directive is in */
    const char *url_dir;            /* the URL path of file->dir, with a trailing '/' */
    struct pfd_ht_result *result;
    FILE *trace; /* preforkd -T: print what applies here instead of acting; else NULL */
    /* The section being applied: the file (its directives outside <Files>), or one of its
     * <Files> sections. A group whose settings a deeper section replaces rather than adds to
     * (Require: Apache's AuthMerging Off; Order/Allow/Deny) starts over when it changes. */
    const void *section;
};

struct pfd_ht_directive {
    const char *name;   /* case-insensitive, as Apache */
    unsigned overrides; /* the enum pfd_override class that allows it */
    bool container;     /* a section (<RequireAll> … </RequireAll>) handed over whole */
    /* At load: checks the arguments (and a container's body) and keeps what they compile to in
     * n->data. 0, or -1 with why in err ("RewriteRule: unknown flag 'X'"), which the engine logs
     * as "FILE:LINE: why" and answers 500 for requests under the file's folder. */
    int (*compile)(struct pfd_ht_node *n, char *err, size_t err_size);
    /* Per request, files from the document root down, directives in file order: records the
     * directive's effect in ctx->result. 0, or an HTTP status (500) to answer. */
    int (*apply)(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n);
    void (*free_data)(void *data); /* frees n->data; NULL when compile keeps nothing */
};

/* The per-worker cache of parsed files (htaccess.c), kept at struct pfd_server's htaccess. */
struct pfd_ht_cache;

/*
 * After routing chose the file (r->file_path), for a location whose allow_override is not None:
 * finds, reads (cached) and applies the access file of each folder from the context root down,
 * sets r->htaccess, decides access (Require, Order/Allow/Deny, Satisfy: 401, 403), runs the
 * rewrite rules and Redirect. A name starting with ".ht" is refused (403) whatever the
 * overrides. PFD_DECLINED to go on, with *url set (arena) when a rewrite asks to route that URL
 * again; or an HTTP status (3xx with its Location header set; 500 for a broken file, logged).
 * trace: preforkd -T prints the files and directives there.
 */
int pfd_htaccess_run(struct pfd_request *r, FILE *trace, char **url);
/* The AllowOverride classes (enum pfd_override) of r's location, vhost or top level. */
unsigned pfd_htaccess_overrides(const struct pfd_request *r);
void pfd_htaccess_cache_free(struct pfd_ht_cache *cache);

#endif
