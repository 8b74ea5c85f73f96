/*
 * config_directives.h — the table of core directives (config_directives.c). Internal to the
 * config loader.
 */
#ifndef PFD_CONFIG_DIRECTIVES_H
#define PFD_CONFIG_DIRECTIVES_H

#include <confuse.h>
#include <stddef.h>

#include "config/config_value.h"

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

#endif
