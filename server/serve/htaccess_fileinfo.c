/*
 * htaccess_fileinfo.c — .htaccess directives: FileInfo, Options and Indexes (Apache's core,
 * mod_mime, mod_headers, mod_expires, mod_env, mod_setenvif, mod_autoindex), each in the class
 * Apache's documentation gives it ("Override:"), which the engine checks against allow_override.
 *
 * This file holds the table, Options, the media type, encoding, language, charset and handler
 * directives and FileETag, and what the core asks of them (pfd_request_mime_type,
 * pfd_request_follow_symlinks, the dispatch on a handler). Header and Expires* live in
 * htaccess_headers.c, SetEnv* in htaccess_env.c, the listing directives in htaccess_index.c.
 *
 * Differences from Apache, on purpose: only a file name's last extension maps a type, handler
 * or charset (Apache also maps inner ones, so that "shell.cgi.jpg" runs as a script: a classic
 * upload hole); a handler no module serves answers 500 (Apache serves the file as it is, e.g. a
 * PHP script's source); Options Includes and MultiViews are refused (500), not ignored.
 */
#include "serve/htaccess_fileinfo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "serve/htaccess.h"
#include "serve/htaccess_env.h"
#include "serve/htaccess_expires.h"
#include "serve/htaccess_headers.h"
#include "serve/htaccess_index.h"
#include "serve/htaccess_info_util.h"
#include "serve/request.h"

#define FI_OPTIONS_ALL                                                                             \
    (PFD_DIR_INDEXES | PFD_DIR_EXEC_CGI | PFD_DIR_FOLLOW_SYMLINKS | PFD_DIR_SYMLINKS_IF_OWNER_MATCH)

/* ---- Options ----------------------------------------------------------------------------- */

/* An Options line: either a new set (bare words) or changes to the inherited one (+/-). */
struct fi_options {
    bool replace;
    unsigned plus, minus;
};

/* A word's bits; 0 for a word accepted only to be turned off (-Includes, -MultiViews); -1
 * unknown. *unsupported is set for those. */
static long fi_option_bits(const char *word, bool *unsupported)
{
    static const struct {
        const char *name;
        unsigned bits;
    } words[] = {
        {"Indexes", PFD_DIR_INDEXES},
        {"ExecCGI", PFD_DIR_EXEC_CGI},
        {"FollowSymLinks", PFD_DIR_FOLLOW_SYMLINKS},
        {"SymLinksIfOwnerMatch", PFD_DIR_SYMLINKS_IF_OWNER_MATCH},
        /* Apache 2.4's All is everything but MultiViews; Includes is not ours to give. */
        {"All", FI_OPTIONS_ALL},
        {"None", 0},
    };
    static const char *const refused[] = {"MultiViews", "Includes", "IncludesNOEXEC"};
    *unsupported = false;
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strcasecmp(word, words[i].name) == 0)
            return words[i].bits;
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
        if (strcasecmp(word, refused[i]) == 0) {
            *unsupported = true;
            return 0;
        }
    return -1;
}

/* One word of an Options line into o; 0, or -1 with why in err. */
static int fi_options_word(struct fi_options *o, const char *arg, char *err, size_t err_size)
{
    char sign = arg[0] == '+' || arg[0] == '-' ? arg[0] : 0;
    const char *word = arg + (sign != 0);
    bool unsupported;
    long bits = fi_option_bits(word, &unsupported);
    if (bits < 0) {
        snprintf(err, err_size, "Illegal option %s", word);
        return -1;
    }
    if ((sign != 0) == o->replace) { /* Apache 2.4: no mixing, the result would be unclear */
        snprintf(err, err_size, "Either all Options must start with + or -, or no Option may.");
        return -1;
    }
    if (unsupported && sign != '-') {
        snprintf(err, err_size, "Options %s is not supported by preforkd", word);
        return -1;
    }
    if ((strcasecmp(word, "All") == 0 || strcasecmp(word, "None") == 0) && sign != 0) {
        snprintf(err, err_size, "Options %s cannot take + or -", word);
        return -1;
    }
    if (sign == '-') {
        o->minus |= (unsigned)bits;
        o->plus &= ~(unsigned)bits;
    } else {
        o->plus |= (unsigned)bits;
        o->minus &= ~(unsigned)bits;
    }
    return 0;
}

static int fi_options_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    if (pfd_ht_info_nargs(n, 1, (size_t)-1, err, err_size) != 0)
        return -1;
    struct fi_options *o = calloc(1, sizeof(*o));
    if (o == NULL) {
        snprintf(err, err_size, "Options: out of memory");
        return -1;
    }
    o->replace = n->args[0][0] != '+' && n->args[0][0] != '-';
    for (size_t i = 0; i < n->nargs; i++) {
        if (fi_options_word(o, n->args[i], err, err_size) != 0) {
            free(o);
            return -1;
        }
    }
    n->data = o;
    return 0;
}

static int fi_options_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n)
{
    const struct fi_options *o = n->data;
    struct pfd_ht_fileinfo *fi = &ctx->result->info;
    if (o->replace) {
        fi->options_set = FI_OPTIONS_ALL;
        fi->options_on = o->plus;
    } else {
        fi->options_set |= o->plus | o->minus;
        fi->options_on = (fi->options_on | o->plus) & ~o->minus;
    }
    pfd_ht_info_trace(ctx, n, "Options of the folder set");
    return 0;
}

/* ---- extension maps: AddType, AddHandler, AddCharset and their Remove* ---------------------- */

/* AddX value ext… (value_args 1) or RemoveX ext… (0): the map, pointing into n->args. */
static int fi_ext_compile(struct pfd_ht_node *n, enum pfd_ht_ext_kind kind, size_t value_args,
                          char *err, size_t err_size)
{
    if (pfd_ht_info_nargs(n, value_args + 1, (size_t)-1, err, err_size) != 0)
        return -1;
    const char *value = value_args ? n->args[0] : NULL;
    if (kind == PFD_HT_EXT_TYPE && value != NULL && strchr(value, '/') == NULL) {
        snprintf(err, err_size, "%s: \"%s\" is not a media type (type/subtype)", n->name, value);
        return -1;
    }
    if (kind != PFD_HT_EXT_TYPE && kind != PFD_HT_EXT_HANDLER && value != NULL &&
        !pfd_ht_info_is_token(value)) {
        snprintf(err, err_size, "%s: \"%s\" is not a token", n->name, value);
        return -1;
    }
    struct pfd_ht_ext_map *m = calloc(1, sizeof(*m));
    const char **exts = calloc(n->nargs - value_args, sizeof(*exts));
    if (m == NULL || exts == NULL) {
        free(m);
        free(exts);
        snprintf(err, err_size, "%s: out of memory", n->name);
        return -1;
    }
    for (size_t i = value_args; i < n->nargs; i++)
        exts[i - value_args] = n->args[i] + (n->args[i][0] == '.'); /* ".html" or "html" */
    *m = (struct pfd_ht_ext_map){kind, value, exts, n->nargs - value_args};
    n->data = m;
    return 0;
}

static void fi_ext_free(void *data)
{
    struct pfd_ht_ext_map *m = data;
    if (m != NULL)
        free((void *)m->exts);
    free(m);
}

static int fi_addtype_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    return fi_ext_compile(n, PFD_HT_EXT_TYPE, 1, err, err_size);
}
static int fi_removetype_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    return fi_ext_compile(n, PFD_HT_EXT_TYPE, 0, err, err_size);
}
static int fi_addhandler_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    return fi_ext_compile(n, PFD_HT_EXT_HANDLER, 1, err, err_size);
}
static int fi_removehandler_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    return fi_ext_compile(n, PFD_HT_EXT_HANDLER, 0, err, err_size);
}
static int fi_addcharset_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    return fi_ext_compile(n, PFD_HT_EXT_CHARSET, 1, err, err_size);
}
static int fi_removecharset_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    return fi_ext_compile(n, PFD_HT_EXT_CHARSET, 0, err, err_size);
}

static int fi_addencoding_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    return fi_ext_compile(n, PFD_HT_EXT_ENCODING, 1, err, err_size);
}
static int fi_removeencoding_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    return fi_ext_compile(n, PFD_HT_EXT_ENCODING, 0, err, err_size);
}
static int fi_addlanguage_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    return fi_ext_compile(n, PFD_HT_EXT_LANGUAGE, 1, err, err_size);
}
static int fi_removelanguage_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    return fi_ext_compile(n, PFD_HT_EXT_LANGUAGE, 0, err, err_size);
}

/* A later line wins over an earlier one and a deeper file over its parents: newest first. */
static int fi_ext_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n)
{
    struct pfd_ht_fileinfo *fi = &ctx->result->info;
    struct pfd_ht_ext_entry *e = pfd_ht_info_alloc(ctx, sizeof(*e));
    if (e == NULL)
        return 500;
    e->map = n->data;
    e->next = fi->exts;
    fi->exts = e;
    pfd_ht_info_trace(ctx, n, e->map->value != NULL ? "extensions mapped" : "extensions unmapped");
    return 0;
}

const char *pfd_ht_fileinfo_type(const struct pfd_ht_fileinfo *fi, const char *file_name,
                                 const char **type)
{
    *type = NULL;
    if (fi == NULL)
        return NULL;
    const char *ext = pfd_ht_info_extension(file_name), *charset = NULL;
    size_t ext_len = ext != NULL ? strlen(ext) : 0;
    if (fi->force_type != NULL)
        *type = fi->force_type;
    else
        pfd_ht_info_ext_lookup(fi, PFD_HT_EXT_TYPE, ext, ext_len, type);
    pfd_ht_info_ext_lookup(fi, PFD_HT_EXT_CHARSET, ext, ext_len, &charset);
    return charset;
}

const char *pfd_ht_fileinfo_handler(const struct pfd_ht_fileinfo *fi, const char *file_name)
{
    if (fi == NULL)
        return NULL;
    if (fi->set_handler != NULL)
        return fi->set_handler;
    const char *ext = pfd_ht_info_extension(file_name), *handler = NULL;
    pfd_ht_info_ext_lookup(fi, PFD_HT_EXT_HANDLER, ext, ext != NULL ? strlen(ext) : 0, &handler);
    return handler;
}

const char *pfd_ht_fileinfo_path_handler(const struct pfd_ht_fileinfo *fi, const char *path)
{
    if (fi == NULL || path == NULL)
        return NULL;
    if (fi->set_handler != NULL)
        return fi->set_handler;
    /* Segment by segment, as Apache finds a script before its PATH_INFO; mod_cgi checks that
     * the file it runs maps to the handler itself. Bounded by the path's length. */
    for (const char *seg = path; *seg != '\0';) {
        seg += *seg == '/';
        size_t len = strcspn(seg, "/");
        const char *dot = memrchr(seg, '.', len), *handler = NULL;
        if (dot != NULL && dot != seg && dot + 1 < seg + len &&
            pfd_ht_info_ext_lookup(fi, PFD_HT_EXT_HANDLER, dot + 1, (size_t)(seg + len - dot - 1),
                                   &handler) == 1 &&
            handler != NULL)
            return handler;
        seg += len;
    }
    return NULL;
}

const char *pfd_ht_fileinfo_handler_module(const char *handler, const char **also)
{
    *also = NULL;
    if (strcasecmp(handler, "default-handler") == 0) {
        *also = "autoindex"; /* a folder: Apache's mod_dir and mod_autoindex serve it */
        return "static";
    }
    if (strcasecmp(handler, "server-status") == 0)
        return "status";
    return "cgi"; /* cgi-script, or an interpreter mod_cgi maps (php-cgi …): it decides */
}

/* ---- ForceType, SetHandler, DefaultType, AddDefaultCharset ---------------------------------- */

static int fi_one_arg_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    return pfd_ht_info_nargs(n, 1, 1, err, err_size);
}

static int fi_forcetype_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    if (pfd_ht_info_nargs(n, 1, 1, err, err_size) != 0)
        return -1;
    if (strcasecmp(n->args[0], "None") != 0 && strchr(n->args[0], '/') == NULL) {
        snprintf(err, err_size, "ForceType: \"%s\" is not a media type", n->args[0]);
        return -1;
    }
    return 0;
}

/* ForceType None / SetHandler None take back what a parent folder's file set. */
static const char *fi_none_or(const struct pfd_ht_node *n)
{
    return strcasecmp(n->args[0], "None") == 0 ? NULL : n->args[0];
}

static int fi_forcetype_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n)
{
    ctx->result->info.force_type = fi_none_or(n);
    pfd_ht_info_trace(ctx, n, "Content-Type forced");
    return 0;
}

static int fi_sethandler_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n)
{
    ctx->result->info.set_handler = fi_none_or(n);
    pfd_ht_info_trace(ctx, n, "handler set");
    return 0;
}

/* Apache 2.4 disabled DefaultType: any value is accepted and changes nothing (with None, too:
 * preforkd's default_type still names files it has no type for). */
static int fi_defaulttype_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n)
{
    pfd_ht_info_trace(ctx, n, "ignored, as Apache 2.4 does");
    return 0;
}

static int fi_defaultcharset_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    if (pfd_ht_info_nargs(n, 1, 1, err, err_size) != 0)
        return -1;
    if (!pfd_ht_info_is_token(n->args[0])) {
        snprintf(err, err_size, "AddDefaultCharset: \"%s\" is not a charset name", n->args[0]);
        return -1;
    }
    return 0;
}

/* On is Apache's iso-8859-1, Off takes back a parent's. */
static int fi_defaultcharset_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n)
{
    const char *v = n->args[0];
    ctx->result->info.default_charset = strcasecmp(v, "On") == 0    ? "iso-8859-1"
                                        : strcasecmp(v, "Off") == 0 ? ""
                                                                    : v;
    pfd_ht_info_trace(ctx, n, "charset of text/plain and text/html set");
    return 0;
}

/* FileETag None|All|[+|-]INode|MTime|Size|Digest …: None drops the ETag of files; the others
 * are taken as they are (preforkd's ETag is its own mix of the file's identity). */
static int fi_fileetag_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    static const char *const words[] = {"None", "All", "INode", "MTime", "Size", "Digest"};
    if (pfd_ht_info_nargs(n, 1, 6, err, err_size) != 0)
        return -1;
    for (size_t i = 0; i < n->nargs; i++) {
        const char *w = n->args[i] + (n->args[i][0] == '+' || n->args[i][0] == '-');
        bool known = false;
        for (size_t j = 0; j < sizeof(words) / sizeof(words[0]); j++)
            known |= strcasecmp(w, words[j]) == 0;
        if (!known) {
            snprintf(err, err_size, "FileETag: unknown keyword \"%s\"", n->args[i]);
            return -1;
        }
    }
    return 0;
}

static int fi_fileetag_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n)
{
    bool none = n->nargs == 1 && strcasecmp(n->args[0], "None") == 0;
    ctx->result->info.file_etag = none ? -1 : 1;
    pfd_ht_info_trace(ctx, n, none ? "no ETag" : "ETag as preforkd makes it");
    return 0;
}

/* ---- what the core and the modules ask ---------------------------------------------------- */

enum pfd_symlinks pfd_ht_fileinfo_symlinks(const struct pfd_ht_fileinfo *fi,
                                           enum pfd_symlinks server)
{
    unsigned mask = PFD_DIR_FOLLOW_SYMLINKS | PFD_DIR_SYMLINKS_IF_OWNER_MATCH;
    if (fi == NULL || (fi->options_set & mask) == 0)
        return server;
    unsigned on = server == PFD_SYMLINKS_ON               ? PFD_DIR_FOLLOW_SYMLINKS
                  : server == PFD_SYMLINKS_IF_OWNER_MATCH ? PFD_DIR_SYMLINKS_IF_OWNER_MATCH
                                                          : 0;
    on = (on & ~fi->options_set) | (fi->options_on & fi->options_set);
    /* Apache: FollowSymLinks wins over SymLinksIfOwnerMatch. */
    return on & PFD_DIR_FOLLOW_SYMLINKS           ? PFD_SYMLINKS_ON
           : on & PFD_DIR_SYMLINKS_IF_OWNER_MATCH ? PFD_SYMLINKS_IF_OWNER_MATCH
                                                  : PFD_SYMLINKS_OFF;
}

int pfd_request_dir_option(const struct pfd_request *r, unsigned option)
{
    const struct pfd_ht_fileinfo *fi = r->htaccess != NULL ? &r->htaccess->info : NULL;
    if (fi == NULL || (fi->options_set & option) == 0)
        return -1;
    return (fi->options_on & option) != 0;
}

const char *pfd_request_dir_handler(const struct pfd_request *r, const char *file_name)
{
    const struct pfd_ht_fileinfo *fi = r->htaccess != NULL ? &r->htaccess->info : NULL;
    return file_name != NULL ? pfd_ht_fileinfo_handler(fi, file_name)
                             : pfd_ht_fileinfo_path_handler(fi, r->path);
}

/* ---- the table ------------------------------------------------------------------------------ */

#define FI_FILEINFO(name, compile, apply, free_data)                                               \
    {                                                                                              \
        name, PFD_OVERRIDE_FILEINFO, false, compile, apply, free_data                              \
    }
#define FI_INDEXES(name, compile, apply, free_data)                                                \
    {                                                                                              \
        name, PFD_OVERRIDE_INDEXES, false, compile, apply, free_data                               \
    }

static const struct pfd_ht_directive fileinfo_directives[] = {
    {"Options", PFD_OVERRIDE_OPTIONS, false, fi_options_compile, fi_options_apply, free},
    /* mod_mime and core, FileInfo */
    FI_FILEINFO("AddType", fi_addtype_compile, fi_ext_apply, fi_ext_free),
    FI_FILEINFO("RemoveType", fi_removetype_compile, fi_ext_apply, fi_ext_free),
    FI_FILEINFO("AddHandler", fi_addhandler_compile, fi_ext_apply, fi_ext_free),
    FI_FILEINFO("RemoveHandler", fi_removehandler_compile, fi_ext_apply, fi_ext_free),
    FI_FILEINFO("AddCharset", fi_addcharset_compile, fi_ext_apply, fi_ext_free),
    FI_FILEINFO("RemoveCharset", fi_removecharset_compile, fi_ext_apply, fi_ext_free),
    FI_FILEINFO("AddEncoding", fi_addencoding_compile, fi_ext_apply, fi_ext_free),
    FI_FILEINFO("RemoveEncoding", fi_removeencoding_compile, fi_ext_apply, fi_ext_free),
    FI_FILEINFO("AddLanguage", fi_addlanguage_compile, fi_ext_apply, fi_ext_free),
    FI_FILEINFO("RemoveLanguage", fi_removelanguage_compile, fi_ext_apply, fi_ext_free),
    FI_FILEINFO("FileETag", fi_fileetag_compile, fi_fileetag_apply, NULL),
    FI_FILEINFO("ForceType", fi_forcetype_compile, fi_forcetype_apply, NULL),
    FI_FILEINFO("SetHandler", fi_one_arg_compile, fi_sethandler_apply, NULL),
    FI_FILEINFO("DefaultType", fi_one_arg_compile, fi_defaulttype_apply, NULL),
    FI_FILEINFO("AddDefaultCharset", fi_defaultcharset_compile, fi_defaultcharset_apply, NULL),
    /* mod_headers, FileInfo; mod_expires, Indexes */
    FI_FILEINFO("Header", pfd_ht_header_compile, pfd_ht_header_apply, pfd_ht_header_free),
    FI_FILEINFO("RequestHeader", pfd_ht_request_header_compile, pfd_ht_request_header_apply,
                pfd_ht_header_free),
    FI_INDEXES("ExpiresActive", pfd_ht_expires_active_compile, pfd_ht_expires_active_apply, NULL),
    FI_INDEXES("ExpiresByType", pfd_ht_expires_compile, pfd_ht_expires_apply, free),
    FI_INDEXES("ExpiresDefault", pfd_ht_expires_compile, pfd_ht_expires_apply, free),
    /* mod_env and mod_setenvif, FileInfo */
    FI_FILEINFO("SetEnv", pfd_ht_setenv_compile, pfd_ht_setenv_apply, NULL),
    FI_FILEINFO("UnsetEnv", pfd_ht_unsetenv_compile, pfd_ht_unsetenv_apply, NULL),
    FI_FILEINFO("SetEnvIf", pfd_ht_setenvif_compile, pfd_ht_setenvif_apply, pfd_ht_setenvif_free),
    FI_FILEINFO("SetEnvIfNoCase", pfd_ht_setenvif_compile, pfd_ht_setenvif_apply,
                pfd_ht_setenvif_free),
    /* mod_autoindex, Indexes */
    FI_INDEXES("IndexIgnore", pfd_ht_index_ignore_compile, pfd_ht_index_ignore_apply, NULL),
    FI_INDEXES("IndexIgnoreReset", pfd_ht_index_ignore_reset_compile,
               pfd_ht_index_ignore_reset_apply, NULL),
    FI_INDEXES("IndexOptions", pfd_ht_index_options_compile, pfd_ht_index_options_apply, free),
    FI_INDEXES("IndexOrderDefault", pfd_ht_index_order_compile, pfd_ht_index_order_apply, NULL),
    FI_INDEXES("HeaderName", pfd_ht_index_file_compile, pfd_ht_index_file_apply, NULL),
    FI_INDEXES("ReadmeName", pfd_ht_index_file_compile, pfd_ht_index_file_apply, NULL),
    {.name = NULL},
};

const struct pfd_ht_directive *pfd_ht_fileinfo_directives(void)
{
    return fileinfo_directives;
}
