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
/* The line of option name in section sec of the final tree (a list: its first value); 0 when it
 * was not set there. Any section, nested ones included. */
int config_section_line(const struct config_load *ld, const cfg_t *sec, const char *name);
void config_section_line_set(struct config_load *ld, const cfg_t *sec, const char *name, int line);

/* ---- routing: locations, vhosts, error documents (config_route.c) ------------------------- */

/* The rows of config_directives for the routing directives (spliced into the table). */
#define CONFIG_ROUTE_DIRECTIVES                                                                    \
    CONFIG_ROUTE_STR("location", "alias", config_check_nonempty),                                  \
        CONFIG_ROUTE_STR("location", "redirect", config_check_redirect),                           \
        CONFIG_ROUTE_LIST("location", "add_headers", config_check_header_line),                    \
        CONFIG_ROUTE_LIST("location", "allow", config_check_cidr),                                 \
        CONFIG_ROUTE_LIST("location", "deny", config_check_cidr),                                  \
        CONFIG_ROUTE_STR("location", "auth_basic", config_check_realm),                            \
        CONFIG_ROUTE_STR("location", "auth_user_file", config_check_nonempty),                     \
        CONFIG_ROUTE_LIST("location", "error_document", config_check_error_document),              \
        CONFIG_ROUTE_STR("rewrite", "pattern", config_check_nonempty),                             \
        CONFIG_ROUTE_STR("rewrite", "to", config_check_nonempty),                                  \
        CONFIG_ROUTE_LIST("rewrite", "flags", config_check_rewrite_flag),                          \
        CONFIG_ROUTE_LIST("vhost", "aliases", config_check_host_name),                             \
        CONFIG_ROUTE_STR("vhost", "document_root", config_check_nonempty),                         \
        CONFIG_ROUTE_STR("vhost", "server_admin", config_check_nonempty),                          \
        CONFIG_ROUTE_LIST("vhost", "error_document", config_check_error_document),                 \
        CONFIG_ROUTE_STR("vhost", "access_log", config_check_nonempty),                            \
        CONFIG_ROUTE_STR("vhost", "access_log_format", config_check_nonempty),                     \
        CONFIG_ROUTE_STR("vhost", "error_log", config_check_nonempty),                             \
        CONFIG_ROUTE_LIST(NULL, "error_document", config_check_error_document),                    \
        CONFIG_ROUTE_BOOL("location", "serve_hidden"), CONFIG_ROUTE_BOOL("vhost", "serve_hidden"), \
        CONFIG_ROUTE_STR("location", "follow_symlinks", config_check_symlinks),                    \
        CONFIG_ROUTE_STR("vhost", "follow_symlinks", config_check_symlinks)
#define CONFIG_ROUTE_STR(sec, name, check)                                                         \
    {                                                                                              \
        sec, CFG_STR(name, NULL, CFGF_NODEFAULT), COPY_NONE, 0, 0, 0, 0, check                     \
    }
#define CONFIG_ROUTE_BOOL(sec, name)                                                               \
    {                                                                                              \
        sec, CFG_BOOL(name, cfg_false, CFGF_NODEFAULT), COPY_NONE, 0, 0, 0, 0, NULL                \
    }
#define CONFIG_ROUTE_LIST(sec, name, check)                                                        \
    {                                                                                              \
        sec, CFG_STR_LIST(name, NULL, CFGF_NODEFAULT), COPY_NONE, 0, 0, 0, 0, check                \
    }

const char *config_check_redirect(const char *value);
const char *config_check_header_line(const char *value);
const char *config_check_cidr(const char *value);
const char *config_check_realm(const char *value);
const char *config_check_error_document(const char *value);
const char *config_check_rewrite_flag(const char *value);
const char *config_check_host_name(const char *value);

/* The locations of the top level and of every vhost, their rewrites, the vhosts and the error
 * documents, into conf: patterns compiled (errors with file:line and the pcre2 offset), paths
 * resolved. 0, or -1 when the load cannot go on (errors reported either way). */
int config_routes(struct config_load *ld);
/* Once conf is complete: each vhost's view (see struct pfd_vhost). 0 or -1. */
int config_route_views(struct config_load *ld);
/* Helpers of config.c: a path against the config's folder ("-" kept with dash; NULL on OOM), a
 * folder's check (reported; 0 or -1), whether a module is in `modules`. */
char *config_path(const struct pfd_config *conf, const char *path, bool dash);
int config_check_folder(struct config_load *ld, int line, const char *name, const char *path);
bool config_module_listed(const struct pfd_config *conf, const char *name);
/* Frees what config_routes() made. */
void config_routes_free(struct pfd_config *conf);

#endif
