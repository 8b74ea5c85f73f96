/*
 * cgi_owner.c — the suexec-like ownership check. Apache's suexec also requires the script's
 * owner to be the user it switches to; preforkd does not switch per script, so the owner must be
 * the workers' user or root, and nobody else may be able to change the script or swap it (a
 * folder writable by group or others allows a rename over it).
 */
#include <stddef.h>

#include "cgi_owner.h"

const char *cgi_owner_verdict(const struct stat *script, const struct stat *dir, uid_t uid)
{
    if (!S_ISREG(script->st_mode))
        return "not a regular file";
    if ((script->st_mode & (S_ISUID | S_ISGID)) != 0)
        return "setuid or setgid";
    if ((script->st_mode & (S_IWGRP | S_IWOTH)) != 0)
        return "writable by group or others";
    if (!S_ISDIR(dir->st_mode))
        return "its folder is not a folder";
    if ((dir->st_mode & (S_IWGRP | S_IWOTH)) != 0)
        return "its folder is writable by group or others";
    if (script->st_uid != uid && script->st_uid != 0)
        return "owned by neither the workers' user nor root";
    return NULL;
}
