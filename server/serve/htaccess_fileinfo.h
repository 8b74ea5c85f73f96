/*
 * htaccess_fileinfo.h — .htaccess directives: FileInfo, Options and Indexes: Options, AddType,
 * ForceType, DefaultType, AddHandler, SetHandler, Header, Expires*, SetEnv, SetEnvIf, UnsetEnv,
 * IndexIgnore, IndexOptions.
 */
#ifndef PFD_HTACCESS_FILEINFO_H
#define PFD_HTACCESS_FILEINFO_H

struct pfd_ht_directive;

/* What the files applied so far set (a part of struct pfd_ht_result). */
struct pfd_ht_fileinfo {
    int unused; /* placeholder until the group lands */
};

/* The group's directives; the last entry's name is NULL. */
const struct pfd_ht_directive *pfd_ht_fileinfo_directives(void);

#endif
