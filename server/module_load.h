/*
 * module_load.h — loading modules and choosing the one that handles a request (module.c).
 */
#ifndef PFD_MODULE_LOAD_H
#define PFD_MODULE_LOAD_H

#include <stddef.h>

#include "config.h"

/* dlopen()s module_dir/mod_<name>.so, finds pfd_module_<name>, checks the API version and the
 * name. 0, or -1 with a one-line reason in err. */
int pfd_module_open(const char *module_dir, const char *name, struct pfd_loaded_module *out,
                    char *err, size_t err_size);
void pfd_module_close(struct pfd_loaded_module *m);

/* Master: runs each loaded module's init(); resolves location handlers by name. 0 or -1
 * (logged). */
int pfd_modules_init(struct pfd_server *server, struct pfd_config *conf);
/* While pfd_modules_init() runs: the config it initialises (for the option reader's FILE:LINE);
 * NULL otherwise. */
const struct pfd_config *pfd_modules_config(void);
/* Master: runs fini() hooks, dlclose()s. */
void pfd_modules_fini(struct pfd_config *conf);
/* Worker: child_init() hooks. */
void pfd_modules_child_init(struct pfd_server *server, struct pfd_config *conf);

#endif
