/*
 * cgi_path.c — the script / PATH_INFO split. See cgi_path.h.
 */
#include "cgi_path.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

int cgi_path_split(const char *file_path, size_t root_len, size_t *script_len, struct stat *st)
{
    size_t len = strlen(file_path);
    if (root_len > len || len >= PATH_MAX) {
        errno = ENAMETOOLONG;
        return -1;
    }
    char path[PATH_MAX];
    memcpy(path, file_path, len + 1);
    size_t pos = root_len;
    while (pos < len && path[pos] == '/')
        pos++;
    for (int n = 0; n < CGI_PATH_MAX_COMPONENTS; n++) {
        const char *slash = memchr(path + pos, '/', len - pos);
        size_t cut = slash != NULL ? (size_t)(slash - path) : len;
        char saved = path[cut];
        path[cut] = '\0';
        int rc = stat(path, st);
        path[cut] = saved;
        if (rc != 0)
            return -1;
        if (!S_ISDIR(st->st_mode) || cut == len) {
            *script_len = cut;
            return 0;
        }
        pos = cut + 1;
        if (pos >= len) { /* a trailing slash after a directory */
            *script_len = len;
            return 0;
        }
    }
    errno = ENAMETOOLONG;
    return -1;
}
