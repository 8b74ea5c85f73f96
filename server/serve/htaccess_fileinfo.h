/*
 * htaccess_fileinfo.h — .htaccess directives: FileInfo, Options and Indexes: Options, AddType,
 * ForceType, DefaultType, Add/RemoveCharset, AddDefaultCharset, Add/RemoveEncoding,
 * Add/RemoveLanguage, FileETag, AddHandler, SetHandler, RemoveHandler, Header, Expires*, SetEnv,
 * SetEnvIf, UnsetEnv, IndexIgnore, IndexOptions, IndexOrderDefault, HeaderName, ReadmeName.
 *
 * apply() records into struct pfd_ht_fileinfo (zeroed per request: every zero means "not set
 * here, the server's config decides"); the core and the modules read it where the setting takes
 * effect: pfd_request_mime_type(), pfd_request_follow_symlinks(), the dispatch on a handler,
 * module.h's pfd_request_dir_*() and pfd_request_env_at(), the response head (Header, Expires,
 * AddDefaultCharset, htaccess_headers.c). Lists live in the request's arena and point at what
 * compile() made, which the engine's cache keeps for longer than the request.
 */
#ifndef PFD_HTACCESS_FILEINFO_H
#define PFD_HTACCESS_FILEINFO_H

#include <stdbool.h>
#include <stddef.h>

#include "preforkd/module.h"

struct pfd_ht_directive;

/* An extension map line (AddType, AddHandler, AddCharset, or their Remove*: value NULL). */
enum pfd_ht_ext_kind {
    PFD_HT_EXT_TYPE,
    PFD_HT_EXT_HANDLER,
    PFD_HT_EXT_CHARSET,
    PFD_HT_EXT_ENCODING, /* Content-Encoding of a file served as it is (AddEncoding gzip svgz) */
    PFD_HT_EXT_LANGUAGE, /* Content-Language */
};
struct pfd_ht_ext_map {
    enum pfd_ht_ext_kind kind;
    const char *value;       /* "text/html", "cgi-script", "utf-8"; NULL: removed */
    const char *const *exts; /* without the dot, compared case-insensitively */
    size_t nexts;
};
struct pfd_ht_ext_entry {
    const struct pfd_ht_ext_map *map;
    struct pfd_ht_ext_entry *next; /* older */
};

struct pfd_ht_header_op;     /* htaccess_headers.h */
struct pfd_ht_expires_entry; /* htaccess_expires.h */
struct pfd_ht_env_var;       /* htaccess_env.h */

/* What the files applied so far set (a part of struct pfd_ht_result). */
struct pfd_ht_fileinfo {
    unsigned options_set;          /* enum pfd_dir_option bits some Options line decided */
    unsigned options_on;           /* of those, the ones on */
    struct pfd_ht_ext_entry *exts; /* newest first: the first match wins */
    const char *force_type;        /* ForceType, or NULL */
    const char *set_handler;       /* SetHandler, or NULL */
    const char *default_charset;   /* AddDefaultCharset: NULL not set, "" Off */
    int file_etag;                 /* FileETag: 0 not set, -1 None (no ETag), 1 some */
    /* Header lines in the order written, applied to the response head (htaccess_headers.c). */
    struct pfd_ht_header_op *headers, *headers_last;
    int expires_active;                    /* ExpiresActive: 0 not set, 1 On, -1 Off */
    struct pfd_ht_expires_entry *expires;  /* ExpiresByType/ExpiresDefault, newest first */
    struct pfd_ht_env_var *env, *env_last; /* SetEnv & co, one entry per name (htaccess_env.c) */
    bool listing_set;                      /* listing holds something */
    struct pfd_dir_listing listing;        /* the Index* directives (htaccess_index.c) */
};

/* The group's directives; the last entry's name is NULL. */
const struct pfd_ht_directive *pfd_ht_fileinfo_directives(void);

/* For pfd_request_mime_type(): ForceType, else AddType/RemoveType by file_name's extension, with
 * an AddCharset charset. *type is the type (NULL: the server's mime types decide; removed:
 * NULL too); returns the charset to add, or NULL. fi may be NULL. */
const char *pfd_ht_fileinfo_type(const struct pfd_ht_fileinfo *fi, const char *file_name,
                                 const char **type);
/* Follow symlinks after Options (FollowSymLinks, SymLinksIfOwnerMatch), from the server's. */
enum pfd_symlinks pfd_ht_fileinfo_symlinks(const struct pfd_ht_fileinfo *fi,
                                           enum pfd_symlinks server);
/* The handler the files name for file_name (see pfd_request_dir_handler), or NULL. */
const char *pfd_ht_fileinfo_handler(const struct pfd_ht_fileinfo *fi, const char *file_name);
/* The same for a request path: SetHandler, else the first segment whose extension maps to a
 * handler (a script followed by PATH_INFO), or NULL. */
const char *pfd_ht_fileinfo_path_handler(const struct pfd_ht_fileinfo *fi, const char *path);
/* The module that serves an Apache handler name: "cgi-script" → "cgi", "default-handler" →
 * "static" (then "autoindex" for a folder: *also), "server-status" → "status"; any other name
 * → "cgi", whose interpreter mapping decides (it answers 500 for a name it does not map). */
const char *pfd_ht_fileinfo_handler_module(const char *handler, const char **also);

#endif
