/*
 * htaccess_rewrite.c — .htaccess directives: mod_rewrite in a directory: RewriteEngine,
 * RewriteBase, RewriteCond, RewriteRule.
 */
#include "serve/htaccess.h"

static const struct pfd_ht_directive rewrite_directives[] = {
    {.name = NULL},
};

const struct pfd_ht_directive *pfd_ht_rewrite_directives(void)
{
    return rewrite_directives;
}

int pfd_ht_rewrite_run(struct pfd_ht_ctx *ctx, char **url)
{
    (void)ctx;
    *url = NULL;
    return 0; /* no rules yet */
}
