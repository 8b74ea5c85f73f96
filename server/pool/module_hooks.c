/*
 * module_hooks.c — running the modules' lifecycle hooks: init and location_init in the master,
 * child_init in each worker, fini when a config is retired.
 */
#include "pool/module_hooks.h"

#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "config/config.h"
#include "config/module_options.h"
#include "pool/server.h"

/* Whether a location section sets any of module m's location options. */
static bool hooks_location_sets(const struct pfd_module *m, cfg_t *section)
{
    if (m->location_options == NULL || section == NULL)
        return false;
    for (const cfg_opt_t *o = m->location_options; o->name != NULL; o++)
        if (cfg_size(section, o->name) > 0)
            return true;
    return false;
}

static int hooks_location_init(struct pfd_server *server, struct pfd_config *conf,
                               struct pfd_location *loc)
{
    loc->module_confs = calloc(conf->nloaded ? conf->nloaded : 1, sizeof(*loc->module_confs));
    if (loc->module_confs == NULL)
        return -1;
    for (size_t j = 0; j < conf->nloaded; j++) {
        struct pfd_loaded_module *m = &conf->loaded[j];
        if (m->module->location_init == NULL || !hooks_location_sets(m->module, loc->section))
            continue;
        if (m->module->location_init(server, loc->section, m->conf, &loc->module_confs[j]) != 0) {
            pfd_log(PFD_LOG_EMERG, "%s:%d: location \"%s\": module \"%s\" refused its options",
                    conf->file, loc->line, loc->pattern, m->module->name);
            return -1;
        }
    }
    return 0;
}

static int hooks_init_all(struct pfd_server *server, struct pfd_config *conf);

static int hooks_resolve_handler(struct pfd_config *conf, struct pfd_location *loc)
{
    loc->handler_module = NULL;
    if (loc->handler == NULL)
        return 0;
    for (size_t j = 0; j < conf->nloaded; j++)
        if (strcmp(conf->loaded[j].module->name, loc->handler) == 0)
            loc->handler_module = &conf->loaded[j];
    if (loc->handler_module != NULL)
        return 0;
    pfd_log(PFD_LOG_EMERG, "%s:%d: location \"%s\": handler \"%s\" is not a loaded module",
            conf->file, loc->line, loc->pattern, loc->handler);
    return -1;
}

int pfd_modules_init(struct pfd_server *server, struct pfd_config *conf)
{
    /* The option reader reports a bad module option against this config's file and lines. */
    pfd_options_config_set(conf);
    int rc = hooks_init_all(server, conf);
    pfd_options_config_set(NULL);
    return rc;
}

static int hooks_init_all(struct pfd_server *server, struct pfd_config *conf)
{
    for (size_t i = 0; i < conf->nloaded; i++) {
        struct pfd_loaded_module *m = &conf->loaded[i];
        m->conf = NULL;
        if (m->module->init != NULL && m->module->init(server, m->section, &m->conf) != 0) {
            /* The module said why (above); this says where, as every config error does. */
            if (m->line > 0)
                pfd_log(PFD_LOG_EMERG, "%s:%d: module \"%s\" refused the options of this section",
                        conf->file, m->line, m->module->name);
            else
                pfd_log(PFD_LOG_EMERG, "module \"%s\" failed to initialise", m->module->name);
            return -1;
        }
    }
    for (size_t i = 0; i < conf->nlocations; i++) {
        struct pfd_location *loc = &conf->locations[i];
        if (hooks_resolve_handler(conf, loc) != 0 || hooks_location_init(server, conf, loc) != 0)
            return -1;
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
    for (size_t i = 0; i < conf->nlocations; i++) {
        struct pfd_location *loc = &conf->locations[i];
        for (size_t j = 0; loc->module_confs != NULL && j < conf->nloaded; j++) {
            const struct pfd_module *m = conf->loaded[j].module;
            if (loc->module_confs[j] != NULL && m->fini != NULL)
                m->fini(loc->module_confs[j]);
        }
        free(loc->module_confs);
        loc->module_confs = NULL;
    }
    for (size_t i = 0; i < conf->nloaded; i++) {
        struct pfd_loaded_module *m = &conf->loaded[i];
        if (m->module->fini != NULL && m->conf != NULL)
            m->module->fini(m->conf);
        m->conf = NULL;
    }
}
