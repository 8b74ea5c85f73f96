/*
 * config_load.h — the load in progress, shared by config.c (which drives it) and config_parse.c
 * (which runs libconfuse for it): the directive table, the error report and the line of each
 * value. Internal to the config loader.
 */
#ifndef PFD_CONFIG_LOAD_H
#define PFD_CONFIG_LOAD_H

#include <confuse.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "config_text.h"
#include "config_value.h"

#define CONFIG_MSG_MAX 1024 /* one error message */

/* ---- the directives (config.c) ----------------------------------------------------------- */

enum config_copy {
    COPY_NONE, /* copied by its own code */
    COPY_INT,  /* int field */
    COPY_BOOL, /* bool field */
    COPY_STR,  /* char * field; NULL when unset */
    COPY_PATH, /* char * field: absolute, relative paths against the config's folder */
    COPY_LOG,  /* like COPY_PATH, but "-" (stderr) stays "-" */
    COPY_LIST, /* char ** field, with its size_t count at count_offset */
};

struct config_directive {
    const char *section; /* "prefork" …, or NULL at the top level */
    cfg_opt_t opt;       /* libconfuse's description: name, type, default */
    enum config_copy copy;
    size_t offset;       /* of the field in struct pfd_config */
    size_t count_offset; /* COPY_LIST: of its count */
    long min, max;       /* CFGT_INT: the accepted range */
    config_check_fn check;
};

/* Every core directive, one row each; module options are the modules' own. */
extern const struct config_directive config_directives[];
extern const size_t config_ndirectives;

/* ---- the load ---------------------------------------------------------------------------- */

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
    struct config_lines *lines; /* config_ndirectives of them, by row of config_directives */
};

/* Records "FILE:LINE: message" (just "FILE: message" when line is 0: a default value). */
void config_error(struct config_load *ld, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same for another file (mime.types). */
void config_error_in(struct config_load *ld, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Records "out of memory"; returns -1. */
int config_oom(struct config_load *ld);

/* ---- parsing (config_parse.c) ------------------------------------------------------------ */

/*
 * Parses text (malloc'd; freed here) with the core directives, the module sections getting
 * module_opts (NULL: no options) and the location sections location_extra besides the core's
 * (NULL: none). With callbacks, values are checked and their lines
 * recorded as they are parsed. The tree, or NULL when the load has an error by then (reported).
 */
cfg_t *config_parse(struct config_load *ld, char *text, bool callbacks, cfg_opt_t *module_opts,
                    const cfg_opt_t *location_extra);
/* Pass 1: the core directives into conf->cfg, every module and location body blanked. 0 or -1
 * (reported). */
int config_parse_core(struct config_load *ld);
/* Once the modules are loaded: the core directives again, now with the location bodies, whose
 * options are the core's plus location_extra (what the loaded modules declare); replaces
 * conf->cfg. 0 or -1 (reported). */
int config_parse_locations(struct config_load *ld, const cfg_opt_t *location_extra);
/* The line of a directive's value; 0 when it kept its default. */
int config_line(const struct config_load *ld, const char *section, const char *name, size_t index);

#endif
