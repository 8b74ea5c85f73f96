/*
 * testsupport_static.c — see testsupport_static.h.
 */
#include "testsupport_static.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void ts_static_path(const struct ts_server *s, const char *rel, char *out, size_t size)
{
    snprintf(out, size, "%s/%s", s->docroot, rel[0] == '/' ? rel + 1 : rel);
}

int ts_static_put(const struct ts_server *s, const char *rel, const void *data, size_t len)
{
    char path[TS_PATH_MAX * 2];
    ts_static_path(s, rel, path, sizeof(path));
    return ts_file_put(path, data, len);
}

int ts_static_put_str(const struct ts_server *s, const char *rel, const char *text)
{
    return ts_static_put(s, rel, text, strlen(text));
}

int ts_static_sparse(const struct ts_server *s, const char *rel, int64_t size, const char *tail)
{
    char path[TS_PATH_MAX * 2];
    ts_static_path(s, rel, path, sizeof(path));
    if (ts_dir_parents(path) != 0)
        return -1;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    size_t n = strlen(tail);
    int rc = ftruncate(fd, (off_t)size) == 0 &&
                     pwrite(fd, tail, n, (off_t)(size - (int64_t)n)) == (ssize_t)n
                 ? 0
                 : -1;
    close(fd);
    return rc == 0 ? chmod(path, 0644) : -1;
}

int ts_static_symlink(const struct ts_server *s, const char *rel, const char *target)
{
    char path[TS_PATH_MAX * 2];
    ts_static_path(s, rel, path, sizeof(path));
    if (ts_dir_parents(path) != 0)
        return -1;
    return symlink(target, path);
}

int ts_static_request(int port, const char *method, const char *path, const char *headers,
                      struct ts_response *r)
{
    char *raw = NULL;
    if (asprintf(&raw, "%s %s HTTP/1.1\r\nHost: " TS_HOST "\r\nConnection: close\r\n%s\r\n", method,
                 path, headers != NULL ? headers : "") < 0) {
        memset(r, 0, sizeof(*r));
        return TS_ERROR;
    }
    int rc = ts_request(port, raw, r);
    free(raw);
    return rc;
}

bool ts_static_is_big(const char *body, size_t offset, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)body[i] != ts_big_byte(offset + i))
            return false;
    return true;
}
