/*
 * htaccess_access.c — .htaccess directives: AuthConfig and Limit: AuthType, AuthName, AuthUserFile,
 * AuthGroupFile, Require and <RequireAll|Any|None>, Order, Allow, Deny, Satisfy.
 */
#include "serve/htaccess.h"

static const struct pfd_ht_directive access_directives[] = {
    {.name = NULL},
};

const struct pfd_ht_directive *pfd_ht_access_directives(void)
{
    return access_directives;
}
