/*
 * config_parse.h — running libconfuse over the config's text for the load (config_parse.c).
 * Internal to the config loader.
 */
#ifndef PFD_CONFIG_PARSE_H
#define PFD_CONFIG_PARSE_H

#include <confuse.h>
#include <stdbool.h>
#include <stddef.h>

#include "config/config_load.h"

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

#endif
