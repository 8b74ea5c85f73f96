/*
 * htaccess_rewrite.h — .htaccess directives: mod_rewrite in a directory: RewriteEngine,
 * RewriteBase, RewriteOptions, RewriteCond, RewriteRule.
 *
 * Each directive's apply() records the file's settings and rules into the request's result, in
 * file order (a RewriteCond waits for the RewriteRule after it); pfd_ht_rewrite_run() then runs
 * the rules of the deepest file that had any, as Apache's per-directory rewrite does in its fixup
 * phase. The evaluation itself (variables, conditions, substitutions) is htaccess_rewrite_eval.c.
 */
#ifndef PFD_HTACCESS_REWRITE_H
#define PFD_HTACCESS_REWRITE_H

struct pfd_ht_ctx;
struct pfd_ht_directive;
struct pfd_ht_rewrite_dir; /* one file's rewrite settings and rules (htaccess_rewrite.c) */

/* A variable a rule set with [E=NAME:VALUE] ([E=!NAME] unsets: value NULL), newest first. */
struct pfd_ht_rewrite_var {
    const char *name;
    const char *value;
    struct pfd_ht_rewrite_var *next;
};

/* What the files applied so far set (a part of struct pfd_ht_result). */
struct pfd_ht_rewrite {
    struct pfd_ht_rewrite_dir *dir; /* the deepest file with rewrite directives so far, or NULL */
    /* What the rules that ran set, for the handler (the environment of a CGI script, the type
     * of the response): [E=NAME:VALUE] and [T=type]. */
    struct pfd_ht_rewrite_var *env;
    const char *force_type;
};

/* The group's directives; the last entry's name is NULL. */
const struct pfd_ht_directive *pfd_ht_rewrite_directives(void);

/*
 * Runs the rules of the deepest file that had rewrite directives (Apache's per-directory
 * rewrite, after access checks and authentication) against ctx->r. 0: no rule changed anything;
 * 1: *url (in the request's arena) is the new URL with its query ("/index.php?q=a"; "/new?" when
 * the rules dropped the request's query), routed again as an internal redirect; or an HTTP status:
 * a redirect (3xx, *url its Location), 403 ([F]), 410 ([G]) or 500.
 */
int pfd_ht_rewrite_run(struct pfd_ht_ctx *ctx, char **url);

#endif
