/*
 * module_load.h — loading a module's shared object (module_load.c).
 */
#ifndef PFD_MODULE_LOAD_H
#define PFD_MODULE_LOAD_H

#include <stddef.h>

#include "config/config.h"

/* dlopen()s module_dir/mod_<name>.so, finds pfd_module_<name>, checks the API version and the
 * name. 0, or -1 with a one-line reason in err. */
int pfd_module_open(const char *module_dir, const char *name, struct pfd_loaded_module *out,
                    char *err, size_t err_size);
void pfd_module_close(struct pfd_loaded_module *m);

#endif
