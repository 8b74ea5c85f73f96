/*
 * htaccess_rewrite.h — .htaccess directives: mod_rewrite in a directory: RewriteEngine,
 * RewriteBase, RewriteCond, RewriteRule.
 */
#ifndef PFD_HTACCESS_REWRITE_H
#define PFD_HTACCESS_REWRITE_H

struct pfd_ht_ctx;
struct pfd_ht_directive;

/* What the files applied so far set (a part of struct pfd_ht_result). */
struct pfd_ht_rewrite {
    int unused; /* placeholder until the group lands */
};

/* The group's directives; the last entry's name is NULL. */
const struct pfd_ht_directive *pfd_ht_rewrite_directives(void);

/*
 * Runs the rules of the deepest file that had rewrite directives (Apache's per-directory
 * rewrite, after access checks and authentication) against ctx->r. 0: no rule changed anything;
 * 1: *url (in the request's arena) is the new URL with its query ("/index.php?q=a"), routed again
 * as an internal redirect; or an HTTP status: a redirect (3xx, *url its Location), 403 ([F]),
 * 410 ([G]) or 500.
 */
int pfd_ht_rewrite_run(struct pfd_ht_ctx *ctx, char **url);

#endif
