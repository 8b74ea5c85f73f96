/*
 * module_load.c — finding and dlopen()ing a module. Kept free of the rest of the server so that
 * config.c (which loads modules to learn their options) can be tested on its own.
 */
#include "config/module_load.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pfd_module_open(const char *module_dir, const char *name, struct pfd_loaded_module *out,
                    char *err, size_t err_size)
{
    memset(out, 0, sizeof(*out));
    for (const char *c = name; *c; c++) {
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_')) {
            snprintf(err, err_size, "module name \"%s\" must be [a-z0-9_]", name);
            return -1;
        }
    }
    char path[4096];
    int n = snprintf(path, sizeof(path), "%s/mod_%s.so", module_dir, name);
    if (n < 0 || (size_t)n >= sizeof(path)) {
        snprintf(err, err_size, "module path for \"%s\" is too long", name);
        return -1;
    }
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        snprintf(err, err_size, "cannot load module \"%s\": %s", name, dlerror());
        return -1;
    }
    char symbol[128];
    snprintf(symbol, sizeof(symbol), "pfd_module_%s", name);
    const struct pfd_module *mod = dlsym(handle, symbol);
    if (mod == NULL) {
        snprintf(err, err_size, "module \"%s\" (%s) does not export %s", name, path, symbol);
        goto fail;
    }
    if (mod->api_version != PFD_MODULE_API_VERSION) {
        snprintf(err, err_size, "module \"%s\" was built for API version %d, this is %d", name,
                 mod->api_version, PFD_MODULE_API_VERSION);
        goto fail;
    }
    if (mod->name == NULL || strcmp(mod->name, name) != 0) {
        snprintf(err, err_size, "module \"%s\" calls itself \"%s\"", name,
                 mod->name ? mod->name : "(null)");
        goto fail;
    }
    out->path = strdup(path);
    if (out->path == NULL) {
        snprintf(err, err_size, "out of memory");
        goto fail;
    }
    out->module = mod;
    out->dl_handle = handle;
    return 0;
fail:
    dlclose(handle);
    return -1;
}

void pfd_module_close(struct pfd_loaded_module *m)
{
    if (m->dl_handle != NULL)
        dlclose(m->dl_handle);
    free(m->path);
    memset(m, 0, sizeof(*m));
}
