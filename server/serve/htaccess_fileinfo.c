/*
 * htaccess_fileinfo.c — .htaccess directives: FileInfo, Options and Indexes: Options, AddType,
 * ForceType, DefaultType, AddHandler, SetHandler, Header, Expires*, SetEnv, SetEnvIf, UnsetEnv,
 * IndexIgnore, IndexOptions.
 */
#include "serve/htaccess.h"

static const struct pfd_ht_directive fileinfo_directives[] = {
    {.name = NULL},
};

const struct pfd_ht_directive *pfd_ht_fileinfo_directives(void)
{
    return fileinfo_directives;
}
