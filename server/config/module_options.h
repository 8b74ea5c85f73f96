/*
 * module_options.h — the modules' option reader (module_options.c). Its API is the modules'
 * (pfd_options_* in preforkd/module.h); the core only says which config is being initialised.
 */
#ifndef PFD_MODULE_OPTIONS_H
#define PFD_MODULE_OPTIONS_H

#include "preforkd/module.h"

struct pfd_config;

/* The config whose module hooks run now (the master, before any fork), for the FILE:LINE of a
 * bad option; NULL when none does (a unit test): the error then names no line. */
void pfd_options_config_set(const struct pfd_config *conf);

#endif
