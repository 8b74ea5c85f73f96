/*
 * cgi_owner.h — a suexec-like check of a script before it runs (module "cgi" option
 * check_ownership): the script and its folder must not be open to tampering by anyone but the
 * workers' user or root.
 */
#ifndef CGI_OWNER_H
#define CGI_OWNER_H

#include <sys/stat.h>
#include <sys/types.h>

/*
 * The verdict on a script from lstat() of it and of its folder, for workers running as uid:
 * NULL when it may run, else why not ("not a regular file", "setuid or setgid", "writable by
 * group or others", "its folder is writable by group or others", "owned by neither the workers'
 * user nor root"). Pure: no system call.
 */
const char *cgi_owner_verdict(const struct stat *script, const struct stat *dir, uid_t uid);

#endif
