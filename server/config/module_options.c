/*
 * module_options.c — the modules' option reader (module.h): a module's table of
 * {option, type, offsetof, check} fills its typed config struct once, in the master, and a bad
 * value is reported as "FILE:LINE: module "x": option "y": why", the line being the option's
 * own, as the core's directives report theirs (nginx's ngx_conf_set_*_slot, lighttpd's
 * config_plugin_values_init).
 */
#include "config/module_options.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "config/config.h"

/* The config being initialised: set by the module hooks (pool/module_hooks.c) only while the
 * master runs the init hooks, before any fork. */
static const struct pfd_config *options_config;

void pfd_options_config_set(const struct pfd_config *conf)
{
    options_config = conf;
}

/* Where an option of section sec was set: its own line, else the section's (a default), else 0
 * (no config at hand: a unit test, or a section the core did not parse). */
static int options_line(const struct pfd_config *conf, const cfg_t *sec, const char *name)
{
    if (conf == NULL)
        return 0;
    for (size_t i = 0; i < conf->noption_lines; i++)
        if (conf->option_lines[i].sec == sec && strcmp(conf->option_lines[i].name, name) == 0)
            return conf->option_lines[i].line;
    for (size_t i = 0; i < conf->nloaded; i++)
        if (conf->loaded[i].section == sec)
            return conf->loaded[i].line;
    for (size_t i = 0; i < conf->nlocations; i++)
        if (conf->locations[i].section == sec)
            return conf->locations[i].line;
    return 0;
}

static void options_error(const struct pfd_module *m, cfg_t *sec, const char *name, const char *fmt,
                          ...) __attribute__((format(printf, 4, 5)));

static void options_error(const struct pfd_module *m, cfg_t *sec, const char *name, const char *fmt,
                          ...)
{
    char why[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    const struct pfd_config *conf = options_config;
    int line = options_line(conf, sec, name);
    if (line > 0)
        pfd_log(PFD_LOG_EMERG, "%s:%d: module \"%s\": option \"%s\": %s", conf->file, line, m->name,
                name, why);
    else
        pfd_log(PFD_LOG_EMERG, "module \"%s\": option \"%s\": %s", m->name, name, why);
}

static void options_list_free(struct pfd_option_list *l)
{
    for (size_t i = 0; l->v != NULL && i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

/* A copy of n strings into l (NULL-terminated). 0, or -1 with l empty. */
static int options_list_set(struct pfd_option_list *l, char *const *v, size_t n)
{
    l->v = calloc(n + 1, sizeof(*l->v));
    l->n = 0;
    if (l->v == NULL)
        return -1;
    for (; l->n < n; l->n++) {
        if ((l->v[l->n] = strdup(v[l->n])) == NULL) {
            options_list_free(l);
            return -1;
        }
    }
    return 0;
}

/* The values of list option name, pointers into the tree (valid while it lives). */
static char **options_values(cfg_t *sec, const char *name, size_t *n)
{
    *n = cfg_size(sec, name);
    char **v = calloc(*n + 1, sizeof(*v));
    for (size_t i = 0; v != NULL && i < *n; i++)
        v[i] = cfg_getnstr(sec, name, (unsigned)i);
    return v;
}

static int options_read_list(const struct pfd_module *m, cfg_t *sec, const char *name,
                             const struct pfd_option *o, void *field)
{
    size_t n;
    char **v = options_values(sec, name, &n);
    if (v == NULL)
        return -1;
    const char *why = NULL;
    size_t bad = 0;
    for (; why == NULL && bad < n; bad++) {
        why = o->type == PFD_OPTION_ADDRESSES ? pfd_address_check(v[bad])
              : o->check != NULL              ? o->check(v[bad])
                                              : NULL;
    }
    int rc = -1;
    if (why != NULL) {
        options_error(m, sec, name, "\"%s\": %s", v[bad - 1], why);
    } else if (o->type == PFD_OPTION_ADDRESSES) {
        struct pfd_addresses *a = pfd_addresses_parse(v, n);
        if (a != NULL) {
            pfd_addresses_free(*(struct pfd_addresses **)field);
            *(struct pfd_addresses **)field = a;
            rc = 0;
        }
    } else {
        struct pfd_option_list l;
        if (options_list_set(&l, v, n) == 0) {
            options_list_free(field);
            *(struct pfd_option_list *)field = l;
            rc = 0;
        }
    }
    free(v);
    return rc;
}

/* One word of o->words: its index, or -1. */
static int options_word(const struct pfd_option *o, const char *value)
{
    for (int i = 0; o->words[i] != NULL; i++)
        if (strcmp(o->words[i], value) == 0)
            return i;
    return -1;
}

/* A scalar string option into its field. 0, or -1 after reporting. */
static int options_read_string(const struct pfd_module *m, cfg_t *sec, const char *name,
                               const struct pfd_option *o, void *field)
{
    const char *value = cfg_getstr(sec, name) != NULL ? cfg_getstr(sec, name) : "";
    const char *why = NULL;
    if (o->type == PFD_OPTION_SIZE) {
        int64_t n = pfd_size_parse(value);
        if (n < 0)
            why = "expected a size in bytes with an optional K, M or G suffix, e.g. \"1M\"";
        else if (n < o->min || n > o->max)
            why = "out of range";
        else
            *(int64_t *)field = n;
    } else if (o->type == PFD_OPTION_WORD) {
        int w = options_word(o, value);
        if (w < 0)
            why = "not one of the accepted values";
        else
            *(int *)field = w;
    } else if (o->type == PFD_OPTION_PARSED) {
        why = o->parse(value, field);
    } else {
        why = o->check != NULL ? o->check(value) : NULL;
        char *copy = why == NULL ? strdup(value) : NULL;
        if (why == NULL && copy == NULL)
            return -1;
        if (copy != NULL) {
            free(*(char **)field);
            *(char **)field = copy;
        }
    }
    if (why == NULL)
        return 0;
    if (o->type == PFD_OPTION_WORD) {
        char words[256] = "";
        for (int i = 0; o->words[i] != NULL; i++)
            snprintf(words + strlen(words), sizeof(words) - strlen(words), "%s%s", i ? ", " : "",
                     o->words[i]);
        options_error(m, sec, name, "\"%s\" is not one of %s", value, words);
    } else if (o->type == PFD_OPTION_SIZE && strcmp(why, "out of range") == 0) {
        options_error(m, sec, name, "\"%s\" is not in %lld..%lld bytes", value, o->min, o->max);
    } else {
        options_error(m, sec, name, "\"%s\": %s", value, why);
    }
    return -1;
}

/* One option of sec (named name there) into its field of conf. 0, or -1 after reporting. */
static int options_read_one(const struct pfd_module *m, cfg_t *sec, const char *name,
                            const struct pfd_option *o, void *conf)
{
    void *field = (char *)conf + o->offset;
    switch (o->type) {
    case PFD_OPTION_BOOL:
        *(bool *)field = cfg_getbool(sec, name) != cfg_false;
        return 0;
    case PFD_OPTION_INT: {
        long n = cfg_getint(sec, name);
        if (n < o->min || n > o->max) {
            options_error(m, sec, name, "%ld is not in %lld..%lld", n, o->min, o->max);
            return -1;
        }
        *(long *)field = n;
        return 0;
    }
    case PFD_OPTION_LIST:
    case PFD_OPTION_ADDRESSES:
        return options_read_list(m, sec, name, o, field);
    default:
        return options_read_string(m, sec, name, o, field);
    }
}

int pfd_options_read(const struct pfd_module *m, cfg_t *section, const struct pfd_option *table,
                     void *conf)
{
    /* Without a `module "x"` section, the option table's defaults: they live in one place. */
    cfg_t *defaults = NULL;
    cfg_opt_t none[] = {CFG_END()};
    if (section == NULL) {
        defaults = cfg_init(m->options != NULL ? m->options : none, CFGF_NONE);
        if (defaults == NULL || cfg_parse_buf(defaults, "") != CFG_SUCCESS) {
            if (defaults != NULL)
                cfg_free(defaults);
            return -1;
        }
        section = defaults;
    }
    int rc = 0;
    for (const struct pfd_option *o = table; rc == 0 && (o->name || o->location); o++)
        if (o->name != NULL)
            rc = options_read_one(m, section, o->name, o, conf);
    if (defaults != NULL)
        cfg_free(defaults);
    return rc;
}

int pfd_options_new(const struct pfd_module *m, cfg_t *section, const struct pfd_option *table,
                    size_t size, void **conf)
{
    *conf = calloc(1, size);
    return *conf != NULL ? pfd_options_read(m, section, table, *conf) : -1;
}

int pfd_options_read_location(const struct pfd_module *m, cfg_t *location,
                              const struct pfd_option *table, void *conf)
{
    for (const struct pfd_option *o = table; o->name || o->location; o++)
        if (o->location != NULL && cfg_size(location, o->location) > 0 &&
            options_read_one(m, location, o->location, o, conf) != 0)
            return -1;
    return 0;
}

int pfd_options_copy(const struct pfd_option *table, void *to)
{
    int rc = 0;
    for (const struct pfd_option *o = table; o->name || o->location; o++) {
        void *field = (char *)to + o->offset;
        if (o->type == PFD_OPTION_STRING) {
            char **s = field, *from = *s;
            *s = from != NULL ? strdup(from) : NULL;
            rc = from != NULL && *s == NULL ? -1 : rc;
        } else if (o->type == PFD_OPTION_LIST) {
            struct pfd_option_list *l = field, from = *l;
            if (options_list_set(l, from.v, from.n) != 0)
                rc = -1;
        } else if (o->type == PFD_OPTION_ADDRESSES) {
            struct pfd_addresses **a = field, *from = *a;
            *a = from != NULL ? pfd_addresses_dup(from) : NULL;
            rc = from != NULL && *a == NULL ? -1 : rc;
        }
    }
    return rc;
}

int pfd_options_merge(const struct pfd_module *m, cfg_t *location, const struct pfd_option *table,
                      const void *main_conf, size_t size, void **conf)
{
    *conf = malloc(size);
    if (*conf == NULL)
        return -1;
    memcpy(*conf, main_conf, size);
    if (pfd_options_copy(table, *conf) != 0)
        return -1;
    return pfd_options_read_location(m, location, table, *conf);
}

void pfd_options_free(const struct pfd_option *table, void *conf)
{
    for (const struct pfd_option *o = table; o->name || o->location; o++) {
        void *field = (char *)conf + o->offset;
        if (o->type == PFD_OPTION_STRING) {
            free(*(char **)field);
            *(char **)field = NULL;
        } else if (o->type == PFD_OPTION_LIST) {
            options_list_free(field);
        } else if (o->type == PFD_OPTION_ADDRESSES) {
            pfd_addresses_free(*(struct pfd_addresses **)field);
            *(struct pfd_addresses **)field = NULL;
        }
    }
}
