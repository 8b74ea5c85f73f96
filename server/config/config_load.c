/*
 * config_load.c — the load in progress: its "FILE:LINE: message" report, and the helpers every
 * stage of the load shares (a path against the config's folder, a folder's check, whether a
 * module is listed).
 */
#include "config/config_load.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"

static void config_verror(struct config_load *ld, const char *file, int line, const char *fmt,
                          va_list ap)
{
    char msg[CONFIG_MSG_MAX];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    ld->nerrors++;
    if (ld->err_size == 0 || ld->err_len + 1 >= ld->err_size)
        return;
    char *at = ld->err + ld->err_len;
    size_t room = ld->err_size - ld->err_len;
    const char *sep = ld->err_len > 0 ? "\n" : "";
    int n = line > 0 ? snprintf(at, room, "%s%s:%d: %s", sep, file, line, msg)
                     : snprintf(at, room, "%s%s: %s", sep, file, msg);
    if (n > 0)
        ld->err_len += (size_t)n < room ? (size_t)n : room - 1;
}

void config_error(struct config_load *ld, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    config_verror(ld, ld->file, line, fmt, ap);
    va_end(ap);
}

void config_error_in(struct config_load *ld, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    config_verror(ld, file, line, fmt, ap);
    va_end(ap);
}

void config_warning(struct config_load *ld, int line, const char *fmt, ...)
{
    char msg[CONFIG_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    char *old = ld->conf->warnings, *joined = NULL;
    int n = line > 0 ? asprintf(&joined, "%s%s%s:%d: warning: %s", old ? old : "", old ? "\n" : "",
                                ld->file, line, msg)
                     : asprintf(&joined, "%s%s%s: warning: %s", old ? old : "", old ? "\n" : "",
                                ld->file, msg);
    if (n < 0)
        return; /* a warning lost to OOM: the load goes on */
    free(old);
    ld->conf->warnings = joined;
}

int config_oom(struct config_load *ld)
{
    config_error(ld, 0, "out of memory");
    return -1;
}

/* ---- shared helpers ---------------------------------------------------------------------- */

/* path against the config's folder; "-" kept when dash is true. NULL only on OOM. */
char *config_path(const struct pfd_config *conf, const char *path, bool dash)
{
    if (path[0] == '/' || (dash && (strcmp(path, "-") == 0 || path[0] == '|')))
        return strdup(path); /* a log may also be "| program": piped (log.c) */
    size_t n = strlen(conf->dir) + strlen(path) + 2;
    char *full = malloc(n);
    if (full != NULL)
        snprintf(full, n, "%s/%s", conf->dir, path);
    return full;
}

/* Whether path is a folder we may read and search; if not, says why and returns -1. */
int config_check_folder(struct config_load *ld, int line, const char *name, const char *path)
{
    struct stat st;
    if (stat(path, &st) == -1) {
        config_error(ld, line, "%s \"%s\": %s", name, path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        config_error(ld, line, "%s \"%s\": not a folder", name, path);
        return -1;
    }
    if (access(path, R_OK | X_OK) == -1) {
        config_error(ld, line, "%s \"%s\": not readable: %s", name, path, strerror(errno));
        return -1;
    }
    return 0;
}

bool config_module_listed(const struct pfd_config *conf, const char *name)
{
    for (size_t i = 0; i < conf->nmodules; i++) {
        if (strcmp(conf->modules[i], name) == 0)
            return true;
    }
    return false;
}
