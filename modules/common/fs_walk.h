/*
 * fs_walk.h — opening a file below a trusted folder under a symlink policy, one component at a
 * time (openat), deciding on the file descriptors actually opened: what mod_static serves and
 * what mod_autoindex lists obey the same follow_symlinks rule. Shared by the modules that open
 * files for a URL (modules/CMakeLists.txt links lib/fs_*.c into every module); test/unit/
 * check_fs_walk.c checks it on a temp folder.
 */
#ifndef PFD_FS_WALK_H
#define PFD_FS_WALK_H

#include <stddef.h>

#include "preforkd/module.h"

/* The policy is the core's follow_symlinks (module.h's enum pfd_symlinks), named here. */
enum fs_symlinks {
    FS_SYMLINKS_ON = PFD_SYMLINKS_ON,   /* follow every symlink */
    FS_SYMLINKS_OFF = PFD_SYMLINKS_OFF, /* refuse (ELOOP) any symlink below root */
    FS_SYMLINKS_OWNER_MATCH = PFD_SYMLINKS_IF_OWNER_MATCH, /* follow when the owners match */
};

/*
 * Where the part of file that comes from the URL path starts: after root when file is under it
 * (the document root is a realpath, so it holds no symlinks); otherwise (an alias) before as
 * many trailing components as path has segments (plus an index file name the core appended to a
 * path ending in '/'), which checks at least every component the client chose. Pure.
 */
size_t fs_walk_base_len(const char *root, const char *path, const char *file);

/*
 * Opens path from path[0..base_len) (trusted, opened as is) component by component under
 * policy; the last component with last_flags (O_RDONLY | O_NONBLOCK, say; O_CLOEXEC is added),
 * the others as O_PATH directories. A component that is not a symlink is opened with O_NOFOLLOW
 * and must be the inode checked; a symlink is refused (off), or opened and its target's owner
 * (fstat of the opened fd) compared with the link's (if_owner_match), the link re-checked after.
 * A component that changes under us on every one of a few tries is refused (EACCES).
 * Returns an fd, or -1 with errno (ENOENT, ENOTDIR, ELOOP, EACCES, ENAMETOOLONG, …).
 */
int fs_walk_open(const char *path, size_t base_len, enum fs_symlinks policy, int last_flags);

#endif
