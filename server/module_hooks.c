/*
 * module_hooks.c — running the modules' lifecycle hooks: init in the master, child_init in each
 * worker, fini when a config is retired.
 */
#include <string.h>

#include "module_load.h"
#include "server.h"

int pfd_modules_init(struct pfd_server *server, struct pfd_config *conf)
{
    for (size_t i = 0; i < conf->nloaded; i++) {
        struct pfd_loaded_module *m = &conf->loaded[i];
        m->conf = NULL;
        if (m->module->init != NULL && m->module->init(server, m->section, &m->conf) != 0) {
            pfd_log(PFD_LOG_EMERG, "module \"%s\" failed to initialise", m->module->name);
            return -1;
        }
    }
    for (size_t i = 0; i < conf->nlocations; i++) {
        struct pfd_location *loc = &conf->locations[i];
        loc->handler_module = NULL;
        if (loc->handler == NULL)
            continue;
        for (size_t j = 0; j < conf->nloaded; j++)
            if (strcmp(conf->loaded[j].module->name, loc->handler) == 0)
                loc->handler_module = &conf->loaded[j];
        if (loc->handler_module == NULL) {
            pfd_log(PFD_LOG_EMERG, "%s:%d: location \"%s\": handler \"%s\" is not a loaded module",
                    conf->file, loc->line, loc->pattern, loc->handler);
            return -1;
        }
    }
    return 0;
}

void pfd_modules_child_init(struct pfd_server *server, struct pfd_config *conf)
{
    for (size_t i = 0; i < conf->nloaded; i++) {
        struct pfd_loaded_module *m = &conf->loaded[i];
        if (m->module->child_init != NULL)
            m->module->child_init(server, m->conf);
    }
}

void pfd_modules_fini(struct pfd_config *conf)
{
    for (size_t i = 0; i < conf->nloaded; i++) {
        struct pfd_loaded_module *m = &conf->loaded[i];
        if (m->module->fini != NULL && m->conf != NULL)
            m->module->fini(m->conf);
        m->conf = NULL;
    }
}
