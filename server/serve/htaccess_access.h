/*
 * htaccess_access.h — .htaccess directives: AuthConfig and Limit: AuthType, AuthName, AuthUserFile,
 * AuthGroupFile, AuthBasicProvider, AuthMerging, Require and <RequireAll|Any|None>, Order, Allow,
 * Deny, Satisfy.
 */
#ifndef PFD_HTACCESS_ACCESS_H
#define PFD_HTACCESS_ACCESS_H

#include <stddef.h>

struct pfd_ht_ctx;
struct pfd_ht_directive;
struct pfd_ht_ref;

/* What the files applied so far set (a part of struct pfd_ht_result). */
struct pfd_ht_access {
    /* AuthType, AuthName, AuthUserFile, AuthGroupFile: a deeper file's value replaces. */
    const char *auth_type; /* "Basic" or "None" */
    const char *auth_name;
    const char *auth_user_file; /* as written: relative to the config's folder (ServerRoot) */
    const char *auth_group_file;
    /* Require lines (and <Require*> sections) of the last section that had any: a deeper one
     * replaces them (Apache's AuthMerging Off); together they are a <RequireAny>. */
    const void *authz_section;
    struct pfd_ht_ref *require;
    struct pfd_ht_ref **require_end;
    /* Order, Allow, Deny, Satisfy (mod_access_compat): the last section that had any of them
     * replaces what its parents set, as a whole. */
    const void *compat_section;
    int order;   /* 0 deny,allow (the default), 1 allow,deny, 2 mutual-failure */
    int satisfy; /* 0 not set, 1 all, 2 any */
    struct pfd_ht_ref *allow;
    struct pfd_ht_ref *deny;
};

/* The group's directives; the last entry's name is NULL. */
const struct pfd_ht_directive *pfd_ht_access_directives(void);

/*
 * The access decision once every file is applied, as Apache 2.4 with mod_access_compat: the
 * host rules (Order/Allow/Deny) and the Require rules must both pass (Satisfy All, the default),
 * or either (Satisfy Any); a Require that needs a user authenticates with Basic against
 * AuthUserFile (r->remote_user set). 0 when the request may go on; 401 (WWW-Authenticate set),
 * 403, or 500 (logged: a missing AuthName or AuthUserFile, an unreadable file).
 */
int pfd_ht_access_check(struct pfd_ht_ctx *ctx);

#endif
