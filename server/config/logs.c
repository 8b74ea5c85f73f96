/*
 * logs.c — the log files a config names: the server's access log and each vhost's access and
 * error logs. The master opens them before it forks (at start-up and for every reloaded config)
 * and the workers inherit the descriptors; reopen follows a rename by logrotate (SIGUSR1).
 */
#include "config/logs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "config/config.h"
#include "parse/log_format.h"

int pfd_access_log_open(struct pfd_access_log *log, const char *path, const char *format)
{
    char err[256];
    log->fd = -1;
    log->path = NULL;
    log->format = NULL;
    if (path == NULL)
        return 0;
    log->format = pfd_access_format_compile(format, err, sizeof(err));
    if (log->format == NULL) {
        pfd_log(PFD_LOG_ERR, "%s", err);
        return -1;
    }
    if (strcmp(path, "-") == 0) {
        log->fd = STDERR_FILENO;
        return 0;
    }
    log->fd = pfd_log_file_open(path);
    if (log->fd < 0 || (log->path = strdup(path)) == NULL) {
        pfd_log(PFD_LOG_ERR, "open() \"%s\" failed: %s", path, strerror(errno));
        pfd_access_log_close(log);
        return -1;
    }
    return 0;
}

int pfd_access_log_reopen(struct pfd_access_log *log)
{
    if (log->path == NULL || pfd_log_file_is_pipe(log->path))
        return 0;
    int fd = pfd_log_file_open(log->path);
    if (fd < 0) {
        pfd_log(PFD_LOG_ERR, "open() \"%s\" failed: %s", log->path, strerror(errno));
        return -1;
    }
    dup2(fd, log->fd);
    close(fd);
    return 0;
}

void pfd_access_log_close(struct pfd_access_log *log)
{
    if (log->fd >= 0 && log->path != NULL)
        pfd_log_file_close(log->fd, log->path);
    free(log->path);
    pfd_access_format_free(log->format);
    log->fd = -1;
    log->path = NULL;
    log->format = NULL;
}

/* ---- the vhosts' logs ------------------------------------------------------------------- */

/* A vhost's error log: a descriptor of its own, "-" sharing stderr. -1 with errno. */
static int vhost_error_log_open(const char *path)
{
    return strcmp(path, "-") == 0 ? fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 0)
                                  : pfd_log_file_open(path);
}

static int vhost_logs_open_one(struct pfd_vhost *vh, const struct pfd_config *conf)
{
    if (vh->own_access_log) {
        const char *path = vh->access_log != NULL ? vh->access_log : conf->access_log;
        const char *format =
            vh->access_log_format != NULL ? vh->access_log_format : conf->access_log_format;
        if (pfd_access_log_open(&vh->access_log_file, path, format) != 0)
            return -1; /* logged */
    }
    if (vh->error_log != NULL && (vh->error_log_fd = vhost_error_log_open(vh->error_log)) < 0) {
        pfd_log(PFD_LOG_ERR, "open() \"%s\" failed: %s", vh->error_log, strerror(errno));
        return -1;
    }
    return 0;
}

int pfd_vhost_logs_open(struct pfd_config *conf)
{
    int rc = 0;
    for (size_t v = 0; v < conf->nvhosts; v++)
        if (vhost_logs_open_one(&conf->vhosts[v], conf) != 0)
            rc = -1;
    return rc;
}

void pfd_vhost_logs_reopen(struct pfd_config *conf)
{
    for (size_t v = 0; v < conf->nvhosts; v++) {
        struct pfd_vhost *vh = &conf->vhosts[v];
        pfd_access_log_reopen(&vh->access_log_file);
        if (vh->error_log_fd < 0 || pfd_log_file_is_pipe(vh->error_log) ||
            strcmp(vh->error_log, "-") == 0)
            continue;
        int fd = pfd_log_file_open(vh->error_log);
        if (fd < 0) {
            pfd_log(PFD_LOG_ERR, "open() \"%s\" failed: %s", vh->error_log, strerror(errno));
            continue;
        }
        dup2(fd, vh->error_log_fd); /* same number: nothing holding it needs to know */
        close(fd);
    }
}

void pfd_vhost_logs_close(struct pfd_config *conf)
{
    for (size_t v = 0; v < conf->nvhosts; v++) {
        struct pfd_vhost *vh = &conf->vhosts[v];
        pfd_access_log_close(&vh->access_log_file);
        if (vh->error_log_fd >= 0)
            pfd_log_file_close(vh->error_log_fd, vh->error_log);
        vh->error_log_fd = -1;
    }
}
