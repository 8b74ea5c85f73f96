/*
 * module_hooks.h — running the loaded modules' hooks (module_hooks.c).
 */
#ifndef PFD_MODULE_HOOKS_H
#define PFD_MODULE_HOOKS_H

struct pfd_config;
struct pfd_server;

/* Master: runs each loaded module's init(); resolves location handlers by name. 0 or -1
 * (logged). */
int pfd_modules_init(struct pfd_server *server, struct pfd_config *conf);
/* Master: runs fini() hooks, dlclose()s. */
void pfd_modules_fini(struct pfd_config *conf);
/* Worker: child_init() hooks. */
void pfd_modules_child_init(struct pfd_server *server, struct pfd_config *conf);

#endif
