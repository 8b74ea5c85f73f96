/*
 * htaccess_access.h — .htaccess directives: AuthConfig and Limit: AuthType, AuthName, AuthUserFile,
 * AuthGroupFile, Require and <RequireAll|Any|None>, Order, Allow, Deny, Satisfy.
 */
#ifndef PFD_HTACCESS_ACCESS_H
#define PFD_HTACCESS_ACCESS_H

struct pfd_ht_directive;

/* What the files applied so far set (a part of struct pfd_ht_result). */
struct pfd_ht_access {
    int unused; /* placeholder until the group lands */
};

/* The group's directives; the last entry's name is NULL. */
const struct pfd_ht_directive *pfd_ht_access_directives(void);

#endif
