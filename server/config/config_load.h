/*
 * config_load.h — the load in progress (config_load.c), shared by the files of the config
 * loader: what is being filled, the error report and the line of each value. Internal to the
 * loader.
 */
#ifndef PFD_CONFIG_LOAD_H
#define PFD_CONFIG_LOAD_H

#include <confuse.h>
#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "config/config_text.h"

#define CONFIG_MSG_MAX 1024 /* one error message */

/* The line of each value a directive got (index: list position, or location number). */
struct config_lines {
    int *line;
    size_t n;
};

struct config_load {
    struct pfd_config *conf;
    const char *file; /* as given: the FILE of "FILE:LINE: message" */
    char *err;
    size_t err_size, err_len;
    int nerrors;
    cfg_t *parsing; /* the tree libconfuse is filling */
    struct config_text text;
    struct config_lines *lines;       /* config_ndirectives of them, by row of config_directives */
    struct pfd_option_line *seclines; /* the line of each value set inside a section */
    size_t nseclines;
    enum pfd_config_checks checks;
};

/* Records "FILE:LINE: message" (just "FILE: message" when line is 0: a default value). */
void config_error(struct config_load *ld, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same for another file (mime.types). */
void config_error_in(struct config_load *ld, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Appends "FILE:LINE: warning: message" to conf->warnings: doubtful, not wrong. */
void config_warning(struct config_load *ld, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Records "out of memory"; returns -1. */
int config_oom(struct config_load *ld);

/* Helpers of every stage: a path against the config's folder ("-" kept with dash; NULL on OOM), a
 * folder's check (reported; 0 or -1), whether a module is in `modules`. */
char *config_path(const struct pfd_config *conf, const char *path, bool dash);
int config_check_folder(struct config_load *ld, int line, const char *name, const char *path);
bool config_module_listed(const struct pfd_config *conf, const char *name);

#endif
