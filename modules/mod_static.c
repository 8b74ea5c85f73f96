/*
 * mod_static.c — regular files under the document root, for GET and HEAD.
 *
 * This is the first cut that carries requests end to end: files with Content-Type,
 * Content-Length, Last-Modified and a strong ETag, zero-copy bodies with sendfile(), index files,
 * the trailing-slash redirect for directories, and 405 for other methods. Conditional and range
 * requests, precompressed variants and the symlink policy come with the static-files issue.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "preforkd/module.h"

static int static_init(struct pfd_server *server, cfg_t *section, void **conf);
static void static_fini(void *conf);
static int static_handle(struct pfd_request *r, void *conf);

static cfg_opt_t static_options[] = {
    CFG_BOOL("sendfile", cfg_true, CFGF_NONE),
    CFG_STR("charset", "", CFGF_NONE),
    CFG_END(),
};

struct pfd_module pfd_module_static = {
    .api_version = PFD_MODULE_API_VERSION,
    .name = "static",
    .options = static_options,
    .init = static_init,
    .handle = static_handle,
    .fini = static_fini,
};

struct static_conf {
    bool sendfile;
    char *charset; /* appended to text types when not empty */
};

static int static_init(struct pfd_server *server, cfg_t *section, void **conf)
{
    (void)server;
    struct static_conf *sc = calloc(1, sizeof(*sc));
    if (sc == NULL)
        return -1;
    sc->sendfile = section != NULL ? cfg_getbool(section, "sendfile") : true;
    const char *charset = section != NULL ? cfg_getstr(section, "charset") : "";
    sc->charset = strdup(charset != NULL ? charset : "");
    if (sc->charset == NULL) {
        free(sc);
        return -1;
    }
    *conf = sc;
    return 0;
}

static void static_fini(void *conf)
{
    struct static_conf *sc = conf;
    free(sc->charset);
    free(sc);
}

/* A directory: redirect to the slash form, else open the first index file that exists. Returns
 * an open fd, -1 with *status set, or -2 when a redirect was sent. */
static int static_open_index(struct pfd_request *r, const char *dir, struct stat *st, int *status,
                             const char **name)
{
    const char *path = pfd_request_path(r);
    size_t len = strlen(path);
    if (len == 0 || path[len - 1] != '/') {
        /* RFC 9110 §15.4.2; a relative Location keeps the client's scheme, host and port. */
        const char *query = pfd_request_query(r);
        char *location =
            pfd_request_printf(r, "%s/%s%s", path, query ? "?" : "", query ? query : "");
        pfd_response_status(r, 301);
        pfd_response_header(r, "Location", location);
        pfd_response_header(r, "Content-Type", "text/html; charset=utf-8");
        static const char body[] = "<!DOCTYPE html>\n<title>301 Moved Permanently</title>\n";
        pfd_response_content_length(r, sizeof(body) - 1);
        pfd_response_write(r, body, sizeof(body) - 1);
        return -2;
    }
    size_t count = 0;
    const char *const *index = pfd_request_index_files(r, &count);
    for (size_t i = 0; i < count; i++) {
        char *file = pfd_request_printf(r, "%s%s", dir, index[i]);
        int fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0)
            continue;
        if (fstat(fd, st) == 0 && S_ISREG(st->st_mode)) {
            *name = file;
            return fd;
        }
        close(fd);
    }
    *status = 403; /* no index file, and listings are not this module's job */
    return -1;
}

/* "size-mtime" in hex, quoted: formatted by hand because it runs for every file served. */
static void static_etag(const struct stat *st, char out[40])
{
    static const char hex[] = "0123456789abcdef";
    unsigned long long parts[2] = {(unsigned long long)st->st_size,
                                   (unsigned long long)st->st_mtime};
    char *p = out;
    *p++ = '"';
    for (int i = 0; i < 2; i++) {
        char digits[16];
        int n = 0;
        do {
            digits[n++] = hex[parts[i] & 15];
            parts[i] >>= 4;
        } while (parts[i] != 0);
        while (n > 0)
            *p++ = digits[--n];
        *p++ = i == 0 ? '-' : '"';
    }
    *p = '\0';
}

static void static_send_headers(struct pfd_request *r, const struct static_conf *sc,
                                const char *name, const struct stat *st)
{
    const char *type = pfd_request_mime_type(r, name);
    if (sc->charset[0] != '\0' && strncmp(type, "text/", 5) == 0)
        type = pfd_request_printf(r, "%s; charset=%s", type, sc->charset);
    pfd_response_header(r, "Content-Type", type);
    char date[30];
    pfd_http_date_format(st->st_mtime, date);
    pfd_response_header(r, "Last-Modified", date);
    /* Size and mtime only, no inode: servers behind one load balancer agree on it. */
    char etag[40];
    static_etag(st, etag);
    pfd_response_header(r, "ETag", etag);
    pfd_response_header(r, "Accept-Ranges", "bytes");
    pfd_response_content_length(r, st->st_size);
}

static int static_send_body(struct pfd_request *r, const struct static_conf *sc, int fd, off_t size)
{
    if (sc->sendfile || pfd_request_method(r) == PFD_METHOD_HEAD)
        return pfd_response_sendfile(r, fd, 0, size);
    char buf[65536];
    off_t left = size;
    while (left > 0) {
        ssize_t n = read(fd, buf, sizeof(buf) < (size_t)left ? sizeof(buf) : (size_t)left);
        if (n <= 0 || pfd_response_write(r, buf, (size_t)n) != 0)
            return -1;
        left -= n;
    }
    return 0;
}

static int static_handle(struct pfd_request *r, void *conf)
{
    const struct static_conf *sc = conf;
    int method = pfd_request_method(r);
    const char *file = pfd_request_file_path(r);
    if (file == NULL)
        return PFD_DECLINED;
    int fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        int status = pfd_status_from_errno(errno);
        if (status == 500)
            pfd_log(PFD_LOG_ERR, "open() \"%s\" failed: %s", file, strerror(errno));
        return status;
    }
    struct stat st;
    const char *name = file;
    int status = 0;
    if (fstat(fd, &st) != 0) {
        status = pfd_status_from_errno(errno);
    } else if (S_ISDIR(st.st_mode)) {
        close(fd);
        fd = static_open_index(r, file, &st, &status, &name);
        if (fd == -2)
            return PFD_DONE;
    } else if (!S_ISREG(st.st_mode)) {
        status = 404; /* fifos, devices, sockets are not content */
    }
    if (status == 0 && method != PFD_METHOD_GET && method != PFD_METHOD_HEAD) {
        pfd_response_header(r, "Allow", "GET, HEAD, OPTIONS");
        status = 405;
    }
    if (status != 0) {
        if (fd >= 0)
            close(fd);
        return status;
    }
    static_send_headers(r, sc, name, &st);
    static_send_body(r, sc, fd, st.st_size);
    close(fd);
    return PFD_DONE;
}
