/*
 * fs_walk.c — opening a file below a trusted folder under a symlink policy (see fs_walk.h).
 */
#include "fs_walk.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Where the part of file that comes from the URI starts: after the document root when file is
 * under it (the document root is a realpath, so it holds no symlinks); otherwise (an alias)
 * before as many trailing components as the URI path has segments (plus an index file name the
 * core appended), which checks at least every component the client chose.
 */
size_t fs_walk_base_len(const char *root, const char *path, const char *file)
{
    size_t len = root != NULL ? strlen(root) : 0;
    if (len > 0 && strncmp(file, root, len) == 0 && file[len] == '/')
        return len;
    size_t segments = 0;
    for (const char *p = path; *p != '\0'; p++)
        segments += *p == '/' && p[1] != '\0';
    size_t i = strlen(file);
    /* "/app/" handed over as ".../app/index.html": the core chose the index file; check it
     * and every folder the client named. */
    size_t plen = strlen(path);
    if (plen > 0 && path[plen - 1] == '/' && i > 0 && file[i - 1] != '/')
        segments++;
    while (i > 0 && segments > 0) {
        i--;
        if (file[i] == '/' && file[i + 1] != '\0')
            segments--;
    }
    return i;
}

/* How often one component is tried again when what was opened is not what was checked (a file
 * replaced by rename() meanwhile, as deploys do); then the request gets 403. */
#define FS_WALK_TRIES 3

static bool fs_walk_same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/*
 * Opens the symlink name in dir, following it, and decides on what was opened: the policy is
 * judged on the file descriptor that will be served, never on a name that can change between
 * a check and an open. lst is the link as fstatat(AT_SYMLINK_NOFOLLOW) saw it. Apache's
 * SymLinksIfOwnerMatch: the link's owner must own the opened target, and the link must still be
 * the one checked (the same inode) once the target is open. Returns an fd, or -1 with errno
 * (EAGAIN: the link changed, try again).
 */
static int fs_walk_open_symlink(int dir, const char *name, int flags, const struct stat *lst,
                                enum fs_symlinks policy)
{
    if (policy == FS_SYMLINKS_OFF) {
        errno = ELOOP;
        return -1;
    }
    int fd = openat(dir, name, flags);
    if (fd < 0)
        return -1;
    struct stat target, again;
    int err = 0;
    if (fstat(fd, &target) != 0 || fstatat(dir, name, &again, AT_SYMLINK_NOFOLLOW) != 0)
        err = errno;
    else if (!S_ISLNK(again.st_mode) || !fs_walk_same_file(&again, lst))
        err = EAGAIN;
    else if (target.st_uid != lst->st_uid)
        err = EACCES;
    if (err != 0) {
        close(fd);
        errno = err;
        return -1;
    }
    return fd;
}

/* Opens name in dir when it is not a symlink: O_NOFOLLOW makes a symlink swapped in after the
 * check fail, and the opened file must be the one checked. fd, or -1 with errno (EAGAIN). */
static int fs_walk_open_plain(int dir, const char *name, int flags, const struct stat *lst)
{
    int fd = openat(dir, name, flags | O_NOFOLLOW);
    /* A symlink now where there was none: it changed under us. */
    if (fd < 0 && (errno == ELOOP || (errno == ENOTDIR && S_ISDIR(lst->st_mode))))
        errno = EAGAIN;
    if (fd < 0)
        return -1;
    struct stat st;
    int err = fstat(fd, &st) != 0 ? errno : !fs_walk_same_file(&st, lst) ? EAGAIN : 0;
    if (err != 0) {
        close(fd);
        errno = err;
        return -1;
    }
    return fd;
}

/* One component of a path under the symlink policy: an fd (O_PATH directory, or the last
 * component opened for reading), or -1 with errno. Bounded: FS_WALK_TRIES attempts. */
static int fs_walk_open_component(int dir, const char *name, bool last, int last_flags,
                                  enum fs_symlinks policy)
{
    int flags = last ? last_flags | O_CLOEXEC : O_PATH | O_DIRECTORY | O_CLOEXEC;
    for (int i = 0; i < FS_WALK_TRIES; i++) {
        struct stat lst;
        if (fstatat(dir, name, &lst, AT_SYMLINK_NOFOLLOW) != 0)
            return -1;
        int fd = S_ISLNK(lst.st_mode) ? fs_walk_open_symlink(dir, name, flags, &lst, policy)
                                      : fs_walk_open_plain(dir, name, flags, &lst);
        if (fd >= 0 || errno != EAGAIN)
            return fd;
    }
    errno = EACCES; /* changing under us on every try: someone is racing, refuse */
    return -1;
}

/*
 * Opens path component by component from path[0..base_len) with openat(), each component under
 * the policy (fs_walk_open_component). Bounded by the path's length. Returns an fd (O_RDONLY) or
 * -1 with errno.
 */
int fs_walk_open(const char *path, size_t base_len, enum fs_symlinks policy, int last_flags)
{
    char buf[PATH_MAX];
    size_t len = strlen(path);
    if (len >= sizeof(buf) || base_len > len) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buf, path, len + 1);
    buf[base_len] = '\0';
    int dir = open(base_len > 0 ? buf : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    char *seg = buf + base_len + 1;
    while (dir >= 0 && seg < buf + len) {
        char *slash = strchr(seg, '/');
        if (slash != NULL)
            *slash = '\0';
        bool last = slash == NULL || slash[1] == '\0';
        int next = fs_walk_open_component(dir, seg, last, last_flags, policy);
        int err = errno;
        close(dir);
        dir = next;
        errno = err;
        seg += strlen(seg) + 1;
    }
    return dir;
}
