/*
 * htaccess_dir.c — .htaccess directives of mod_dir, core and mod_alias (see htaccess_dir.h):
 * DirectoryIndex, ErrorDocument, Redirect, RedirectMatch, RedirectPermanent, RedirectTemp.
 */
#include "serve/htaccess_dir.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "parse/rewrite.h"
#include "parse/uri.h"
#include "serve/htaccess.h"
#include "serve/request.h"
#include "serve/response.h"

#define DIR_MAX_URL 8192 /* longest Location a Redirect makes */

static int dir_fail(char *err, size_t err_size, const char *why, const struct pfd_ht_node *n)
{
    snprintf(err, err_size, "%s %s", n->name, why);
    return -1;
}

static struct pfd_ht_ref *dir_ref(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n)
{
    struct pfd_ht_ref *ref = pfd_request_alloc(ctx->r, sizeof(*ref));
    *ref = (struct pfd_ht_ref){.node = n, .file = ctx->file};
    return ref;
}

/* ---- DirectoryIndex (Indexes) ---------------------------------------------------------- */

static int dir_index_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    if (n->nargs == 0)
        return dir_fail(err, err_size, "needs at least one file name (or disabled)", n);
    for (size_t i = 0; i < n->nargs; i++)
        if (strchr(n->args[i], '/') != NULL || strcmp(n->args[i], "..") == 0)
            return dir_fail(err, err_size,
                            "takes file names of the folder (a URL path is not supported)", n);
    return 0;
}

static int dir_index_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n)
{
    ctx->result->dir.directory_index = n; /* a deeper file's replaces (mod_dir) */
    return 0;
}

/* ---- ErrorDocument (FileInfo) ------------------------------------------------------------ */

/* Apache's reading of the second argument: a local URL, an absolute URL, or a text. */
enum dir_doc { DIR_DOC_LOCAL, DIR_DOC_REMOTE, DIR_DOC_TEXT, DIR_DOC_DEFAULT };

static enum dir_doc dir_doc_kind(const char *msg)
{
    if (strcmp(msg, "default") == 0)
        return DIR_DOC_DEFAULT;
    if (strchr(msg, ' ') != NULL)
        return DIR_DOC_TEXT;
    if (msg[0] == '/')
        return DIR_DOC_LOCAL;
    const char *colon = strstr(msg, "://");
    return colon != NULL && colon > msg ? DIR_DOC_REMOTE : DIR_DOC_TEXT;
}

static int dir_error_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    if (n->nargs != 2)
        return dir_fail(err, err_size, "takes a status and a URL or a text", n);
    char *end;
    long status = strtol(n->args[0], &end, 10);
    if (*end != '\0' || status < 400 || status > 599)
        return dir_fail(err, err_size, "takes an error status, 400 to 599", n);
    return 0;
}

static int dir_error_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n)
{
    struct pfd_ht_ref *ref = dir_ref(ctx, n);
    ref->next = ctx->result->dir.error_documents;
    ctx->result->dir.error_documents = ref;
    return 0;
}

/* The ErrorDocument line for status that applies (the last one applied), or NULL. */
static const struct pfd_ht_node *dir_error_find(const struct pfd_request *r, int status)
{
    if (r->htaccess == NULL || r->kept_status != 0 || r->head_sent)
        return NULL;
    for (const struct pfd_ht_ref *e = r->htaccess->dir.error_documents; e != NULL; e = e->next)
        if (atoi(e->node->args[0]) == status)
            return dir_doc_kind(e->node->args[1]) == DIR_DOC_DEFAULT ? NULL : e->node;
    return NULL;
}

const char *pfd_ht_dir_error_uri(const struct pfd_request *r, int status)
{
    const struct pfd_ht_node *n = dir_error_find(r, status);
    return n != NULL && dir_doc_kind(n->args[1]) == DIR_DOC_LOCAL ? n->args[1] : NULL;
}

/* location as Apache sends it: a path gets this server's scheme, host and port as the client
 * reached it. */
static const char *dir_absolute(struct pfd_request *r, const char *location)
{
    if (location[0] != '/')
        return location;
    return pfd_request_printf(r, "%s%s", pfd_request_origin(r), location);
}

int pfd_ht_dir_redirect_send(struct pfd_request *r, int status, const char *location)
{
    return pfd_response_redirect(r, status, dir_absolute(r, location));
}

int pfd_ht_dir_error_answer(struct pfd_request *r, int status)
{
    const struct pfd_ht_node *n = dir_error_find(r, status);
    enum dir_doc kind = n != NULL ? dir_doc_kind(n->args[1]) : DIR_DOC_DEFAULT;
    if (kind == DIR_DOC_REMOTE)
        return pfd_ht_dir_redirect_send(r, 302, n->args[1]);
    if (kind != DIR_DOC_TEXT)
        return PFD_DECLINED;
    const char *text = n->args[1];
    pfd_response_status(r, status);
    pfd_response_header(r, "Content-Type", "text/html; charset=utf-8");
    pfd_response_content_length(r, (int64_t)strlen(text));
    pfd_response_write(r, text, strlen(text));
    return PFD_DONE;
}

/* ---- Redirect, RedirectMatch, RedirectPermanent, RedirectTemp (FileInfo) -------------- */

struct dir_redirect {
    int status;
    const char *from; /* Redirect: the URL-path prefix */
    pcre2_code *re;   /* RedirectMatch */
    const char *to;   /* NULL for a status that is not a redirect (410) */
};

static void dir_redirect_free(void *data)
{
    struct dir_redirect *d = data;
    if (d != NULL)
        pcre2_code_free(d->re);
    free(d);
}

/* "permanent", "temp", "seeother", "gone", or a number: the status, else 0. */
static int dir_status_word(const char *w)
{
    static const struct {
        const char *word;
        int status;
    } words[] = {{"permanent", 301}, {"temp", 302}, {"seeother", 303}, {"gone", 410}};
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strcasecmp(w, words[i].word) == 0)
            return words[i].status;
    char *end;
    long n = strtol(w, &end, 10);
    return *end == '\0' && n >= 300 && n <= 599 ? (int)n : 0;
}

static int dir_redirect_args(struct pfd_ht_node *n, struct dir_redirect *d, char *err,
                             size_t err_size)
{
    size_t i = 0;
    if (strcasecmp(n->name, "RedirectPermanent") == 0)
        d->status = 301;
    else if (strcasecmp(n->name, "RedirectTemp") == 0)
        d->status = 302;
    else if (n->nargs > 0 && (d->status = dir_status_word(n->args[0])) != 0)
        i = 1;
    else
        d->status = 302;
    bool redirect = d->status >= 300 && d->status <= 399;
    size_t want = redirect ? 2 : 1;
    if (n->nargs - i != want)
        return dir_fail(err, err_size,
                        redirect ? "takes [status] URL-path URL"
                                 : "with a status that is not a "
                                   "redirect takes no URL",
                        n);
    d->from = n->args[i];
    d->to = redirect ? n->args[i + 1] : NULL;
    if (d->to != NULL && d->to[0] != '/' && strstr(d->to, "://") == NULL)
        return dir_fail(err, err_size, "needs a URL (scheme://host/…) or a path starting with /",
                        n);
    return 0;
}

static int dir_redirect_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    struct dir_redirect *d = calloc(1, sizeof(*d));
    if (d == NULL)
        return dir_fail(err, err_size, ": out of memory", n);
    n->data = d;
    if (dir_redirect_args(n, d, err, err_size) != 0)
        return -1;
    if (strcasecmp(n->name, "RedirectMatch") != 0) {
        if (d->from[0] != '/')
            return dir_fail(err, err_size, "takes a URL-path starting with /", n);
        return 0;
    }
    int code;
    PCRE2_SIZE offset;
    d->re = pcre2_compile((PCRE2_SPTR)d->from, PCRE2_ZERO_TERMINATED, 0, &code, &offset, NULL);
    if (d->re == NULL) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(code, msg, sizeof(msg));
        snprintf(err, err_size, "RedirectMatch: bad regex \"%s\": %s at offset %zu", d->from,
                 (char *)msg, (size_t)offset);
        return -1;
    }
    const char *why = d->to != NULL ? pfd_rewrite_check_target(d->to) : NULL;
    return why != NULL ? dir_fail(err, err_size, why, n) : 0;
}

static int dir_redirect_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n)
{
    struct pfd_ht_dir *dir = &ctx->result->dir;
    struct pfd_ht_ref *ref = dir_ref(ctx, n);
    if (dir->redirects_file != ctx->file) { /* a deeper file: its redirects go first */
        dir->redirects_file = ctx->file;
        dir->redirects_end = &dir->redirects;
    }
    ref->next = *dir->redirects_end;
    *dir->redirects_end = ref;
    dir->redirects_end = &ref->next;
    return 0;
}

/* Where d sends path: NULL when it does not match; "" for a match without a target (410). */
static const char *dir_redirect_target(struct pfd_request *r, const struct dir_redirect *d)
{
    const char *path = r->path;
    char *out = NULL;
    if (d->re != NULL) {
        pcre2_match_data *md = pfd_request_match_data(r);
        int rc = md != NULL ? pcre2_match(d->re, (PCRE2_SPTR)path, strlen(path), 0, 0, md,
                                          r->conf->match_context)
                            : -1;
        if (rc == PCRE2_ERROR_NOMATCH || rc < 0)
            return NULL;
        if (d->to == NULL)
            return "";
        out = pfd_request_alloc(r, DIR_MAX_URL);
        int npairs = rc == 0 ? PFD_REWRITE_CAPTURES : rc;
        if (pfd_rewrite_expand(d->to, path, pcre2_get_ovector_pointer(md), npairs, true, out,
                               DIR_MAX_URL) < 0)
            return NULL;
        return out;
    }
    size_t fl = strlen(d->from);
    while (fl > 1 && d->from[fl - 1] == '/')
        fl--;
    if (strncmp(path, d->from, fl) != 0 || (path[fl] != '\0' && path[fl] != '/' && fl > 1))
        return NULL;
    if (d->to == NULL)
        return "";
    char rest[DIR_MAX_URL];
    if (pfd_uri_escape_path(path + fl, rest, sizeof(rest)) != 0)
        return NULL;
    return pfd_request_printf(r, "%s%s", d->to, rest);
}

int pfd_ht_dir_redirect(struct pfd_ht_ctx *ctx)
{
    struct pfd_request *r = ctx->r;
    for (const struct pfd_ht_ref *e = ctx->result->dir.redirects; e != NULL; e = e->next) {
        const struct dir_redirect *d = e->node->data;
        const char *to = dir_redirect_target(r, d);
        if (to == NULL)
            continue;
        if (to[0] != '\0' && r->query != NULL && r->query[0] != '\0' && !strchr(to, '?'))
            to = pfd_request_printf(r, "%s?%s", to, r->query);
        if (ctx->trace != NULL) {
            fprintf(ctx->trace, "htaccess redirect: %d %s\n", d->status, to);
            return d->status;
        }
        return to[0] == '\0' ? d->status : pfd_ht_dir_redirect_send(r, d->status, to);
    }
    return PFD_DECLINED;
}

static const struct pfd_ht_directive dir_directives[] = {
    {"DirectoryIndex", PFD_OVERRIDE_INDEXES, false, dir_index_compile, dir_index_apply, NULL},
    {"ErrorDocument", PFD_OVERRIDE_FILEINFO, false, dir_error_compile, dir_error_apply, NULL},
    {"Redirect", PFD_OVERRIDE_FILEINFO, false, dir_redirect_compile, dir_redirect_apply,
     dir_redirect_free},
    {"RedirectMatch", PFD_OVERRIDE_FILEINFO, false, dir_redirect_compile, dir_redirect_apply,
     dir_redirect_free},
    {"RedirectPermanent", PFD_OVERRIDE_FILEINFO, false, dir_redirect_compile, dir_redirect_apply,
     dir_redirect_free},
    {"RedirectTemp", PFD_OVERRIDE_FILEINFO, false, dir_redirect_compile, dir_redirect_apply,
     dir_redirect_free},
    {.name = NULL},
};

const struct pfd_ht_directive *pfd_ht_dir_directives(void)
{
    return dir_directives;
}
