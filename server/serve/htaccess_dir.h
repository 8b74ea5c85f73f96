/*
 * htaccess_dir.h — .htaccess directives of mod_dir, core and mod_alias: DirectoryIndex
 * (Indexes), ErrorDocument, Redirect, RedirectMatch, RedirectPermanent, RedirectTemp (FileInfo).
 */
#ifndef PFD_HTACCESS_DIR_H
#define PFD_HTACCESS_DIR_H

struct pfd_ht_ctx;
struct pfd_ht_directive;
struct pfd_ht_node;
struct pfd_request;

/* A directive applied, in a list kept in the request's arena. */
struct pfd_ht_ref {
    const struct pfd_ht_node *node;
    const void *file; /* the struct pfd_ht_file it is in */
    struct pfd_ht_ref *next;
};

/* What the files applied so far set (a part of struct pfd_ht_result). */
struct pfd_ht_dir {
    const struct pfd_ht_node *directory_index; /* the deepest DirectoryIndex, or NULL */
    struct pfd_ht_ref *error_documents;        /* the last applied first */
    /* Redirect*: the deepest file's first, each file's in file order (mod_alias's merge) */
    struct pfd_ht_ref *redirects;
    struct pfd_ht_ref **redirects_end; /* where the next one of redirects_file goes */
    const void *redirects_file;
};

/* The group's directives; the last entry's name is NULL. */
const struct pfd_ht_directive *pfd_ht_dir_directives(void);

/* Redirect and RedirectMatch (mod_alias: the deepest file's first, each file's in order, the
 * first that matches r->path wins): PFD_DECLINED, or the status with its Location header set
 * (410 for "gone"). */
int pfd_ht_dir_redirect(struct pfd_ht_ctx *ctx);
/* Answers a redirect (Redirect*, ErrorDocument's URL, a RewriteRule [R]): status (3xx), Location (a
 * path made absolute with the request's host and the port it came in on, as Apache), a short page.
 * PFD_DONE, or 500. */
int pfd_ht_dir_redirect_send(struct pfd_request *r, int status, const char *location);

/* ErrorDocument for status: NULL, or a local URL ("/errors/404.html") the core redirects to
 * internally. */
const char *pfd_ht_dir_error_uri(const struct pfd_request *r, int status);
/* ErrorDocument for status when it is a text or an absolute URL: the response (the text, or a
 * 302 redirect to the URL, as Apache) is made here, PFD_DONE. PFD_DECLINED otherwise. */
int pfd_ht_dir_error_answer(struct pfd_request *r, int status);

#endif
