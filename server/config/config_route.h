/*
 * config_route.h — building the routing part of the config: locations, vhosts, error documents
 * (config_route.c). Internal to the config loader.
 */
#ifndef PFD_CONFIG_ROUTE_H
#define PFD_CONFIG_ROUTE_H

#include "config/config_load.h"

/* The locations of the top level and of every vhost, their rewrites, the vhosts and the error
 * documents, into conf: patterns compiled (errors with file:line and the pcre2 offset), paths
 * resolved. 0, or -1 when the load cannot go on (errors reported either way). */
int config_routes(struct config_load *ld);
/* Once conf is complete: each vhost's view (see struct pfd_vhost). 0 or -1. */
int config_route_views(struct config_load *ld);
/* The mask (enum pfd_override) of option allow_override in sec, or inherited when sec does not
 * set it. */
unsigned config_route_overrides(cfg_t *sec, unsigned inherited);
/* Frees what config_routes() made. */
void config_routes_free(struct pfd_config *conf);

#endif
