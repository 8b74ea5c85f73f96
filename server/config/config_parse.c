/*
 * config_parse.c — runs libconfuse over the prepared text (config_text.c) with options built from
 * the directive table (config_directives.c): each value is checked while it is parsed, when the
 * parser's line is the value's line, and that line is kept for the checks that come later
 * (config_line()).
 *
 * libconfuse's scanner is global state and its callbacks carry no user pointer, so a load is not
 * reentrant anyway; the callbacks reach the load in progress through config_current, which is set
 * only while libconfuse runs.
 */
#include "config/config_parse.h"

#include "config/config_directives.h"
#include "config/config_load.h"
#include "config/config_text.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct config_load *config_current;

/* The sections; a module section's options are the module's own (see config_options_build). */
static const struct config_section {
    const char *name;
    cfg_flag_t flags;
} config_sections[] = {
    {"prefork", CFGF_NONE},
    {"timeouts", CFGF_NONE},
    {"limits", CFGF_NONE},
    {"keepalive", CFGF_NONE},
    {"tls", CFGF_NONE},
    {"location", CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES},
    {"module", CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES},
    {"vhost", CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES},
    {"rewrite", CFGF_MULTI},
};

/* Sections inside sections: a location holds rewrite rules, a vhost holds locations. Every other
 * section sits at the top level only ("rewrite" nowhere else). */
static const struct config_nesting {
    const char *outer, *inner;
} config_nestings[] = {
    {"location", "rewrite"},
    {"vhost", "location"},
    {"vhost", "tls"},
};

#define CONFIG_NNESTINGS (sizeof(config_nestings) / sizeof(config_nestings[0]))

#define CONFIG_NSECTIONS (sizeof(config_sections) / sizeof(config_sections[0]))

/* Whether a section may stand at the top level (rewrite rules live in locations only). */
static bool config_section_at_root(const char *name)
{
    return strcmp(name, "rewrite") != 0;
}

/* libconfuse's errors (and cfg_error() from a module's validator): one clean line, naming the
 * section. The message may already start with "FILE:LINE: " from a module; that is dropped. */
static void config_on_cfg_error(cfg_t *cfg, const char *fmt, va_list ap)
{
    char msg[CONFIG_MSG_MAX], where[CONFIG_MSG_MAX / 2] = "";
    if (strcmp(fmt, "no such option '%s'") == 0)
        fmt = "unknown directive '%s'";
    vsnprintf(msg, sizeof(msg), fmt, ap);
    const char *text = msg;
    size_t flen = cfg->filename != NULL ? strlen(cfg->filename) : 0;
    if (flen > 0 && strncmp(msg, cfg->filename, flen) == 0 && msg[flen] == ':') {
        const char *rest = msg + flen + 1 + strspn(msg + flen + 1, "0123456789");
        text = rest[0] == ':' ? rest + 1 + strspn(rest + 1, " ") : text;
    }
    if (cfg->name != NULL && strcmp(cfg->name, "root") != 0) {
        if (cfg->title != NULL)
            snprintf(where, sizeof(where), " in %s \"%s\"", cfg->name, cfg->title);
        else
            snprintf(where, sizeof(where), " in section %s", cfg->name);
    }
    if (config_current == NULL) { /* a module reading its section later: no load to report to */
        fprintf(stderr, "%s:%d: %s%s\n", cfg->filename ? cfg->filename : "?", cfg->line, text,
                where);
        return;
    }
    int line = cfg->line;
    if (line > config_current->text.last_line && config_current->text.last_line > 0)
        line = config_current->text.last_line;
    config_error(config_current, line, "%s%s", text, where);
}

static const struct config_section *config_section_find(const char *name)
{
    for (size_t s = 0; s < CONFIG_NSECTIONS; s++) {
        if (strcmp(config_sections[s].name, name) == 0)
            return &config_sections[s];
    }
    return NULL;
}

/* The row of the directive that opt of section cfg stands for; -1 when none (a module's). */
static long config_directive_index(const char *section, const char *name)
{
    for (size_t i = 0; i < config_ndirectives; i++) {
        const struct config_directive *d = &config_directives[i];
        bool same_section = section == NULL ? d->section == NULL
                                            : d->section != NULL && !strcmp(d->section, section);
        if (same_section && strcmp(d->opt.name, name) == 0)
            return (long)i;
    }
    return -1;
}

static long config_directive_of(const cfg_t *cfg, const cfg_opt_t *opt)
{
    const char *section = strcmp(cfg->name, "root") == 0 ? NULL : cfg->name;
    return config_directive_index(section, opt->name);
}

static void config_line_set(struct config_load *ld, size_t row, size_t index, int line)
{
    struct config_lines *l = &ld->lines[row];
    if (index >= l->n) {
        int *grown = realloc(l->line, (index + 1) * sizeof(*grown));
        if (grown == NULL)
            return; /* the line is only for messages */
        memset(grown + l->n, 0, (index + 1 - l->n) * sizeof(*grown));
        l->line = grown;
        l->n = index + 1;
    }
    l->line[index] = line;
}

int config_line(const struct config_load *ld, const char *section, const char *name, size_t index)
{
    long row = config_directive_index(section, name);
    if (row < 0 || index >= ld->lines[row].n)
        return 0;
    return ld->lines[row].line[index];
}

static void config_check_value(struct config_load *ld, const struct config_directive *d, int line,
                               const char *value)
{
    const char *why = d->check != NULL && value != NULL ? d->check(value) : NULL;
    if (why != NULL)
        config_error(ld, line, "%s \"%s\": %s", d->opt.name, value, why);
}

void config_section_line_set(struct config_load *ld, const cfg_t *sec, const char *name, int line)
{
    if (config_section_line(ld, sec, name) > 0)
        return; /* a list keeps the line of its first value */
    struct pfd_option_line *grown =
        realloc(ld->seclines, (ld->nseclines + 1) * sizeof(*ld->seclines));
    if (grown == NULL)
        return; /* the line is only for messages */
    ld->seclines = grown;
    ld->seclines[ld->nseclines++] = (struct pfd_option_line){sec, name, line};
}

int config_section_line(const struct config_load *ld, const cfg_t *sec, const char *name)
{
    for (size_t i = 0; i < ld->nseclines; i++)
        if (ld->seclines[i].sec == sec && strcmp(ld->seclines[i].name, name) == 0)
            return ld->seclines[i].line;
    return 0;
}

/* Records the line of a value: by row (and the section's position for a top-level multi
 * section), and by section for any value inside a section. */
static void config_record_line(struct config_load *ld, cfg_t *cfg, const cfg_opt_t *opt, size_t row,
                               const struct config_directive *d)
{
    if (strcmp(cfg->name, "root") != 0)
        config_section_line_set(ld, cfg, opt->name, cfg->line);
    size_t index = 0;
    const struct config_section *sec = d->section ? config_section_find(d->section) : NULL;
    if (sec != NULL && !config_section_at_root(sec->name))
        return;
    if (sec != NULL && (sec->flags & CFGF_MULTI) && ld->parsing != NULL) {
        /* the section being parsed is the last top-level one, unless it is nested (a vhost's
         * location, a rewrite rule): those have their lines by section only */
        size_t n = cfg_size(ld->parsing, sec->name);
        if (n == 0 || cfg_getnsec(ld->parsing, sec->name, (unsigned)(n - 1)) != cfg)
            return;
        index = n - 1;
    }
    config_line_set(ld, row, index, cfg->line);
}

/* libconfuse's validate callback: a scalar was just set, on the parser's current line. */
static int config_on_value(cfg_t *cfg, cfg_opt_t *opt)
{
    struct config_load *ld = config_current;
    long row = ld != NULL ? config_directive_of(cfg, opt) : -1;
    if (row < 0)
        return 0;
    const struct config_directive *d = &config_directives[row];
    config_record_line(ld, cfg, opt, (size_t)row, d);
    if (opt->type == CFGT_INT) {
        long n = cfg_opt_getnint(opt, 0);
        if (n < d->min || n > d->max) {
            if (d->max == INT_MAX)
                config_error(ld, cfg->line, "%s = %ld: must be at least %ld", d->opt.name, n,
                             d->min);
            else
                config_error(ld, cfg->line, "%s = %ld: must be between %ld and %ld", d->opt.name, n,
                             d->min, d->max);
        }
    } else if (opt->type == CFGT_STR) {
        config_check_value(ld, d, cfg->line, cfg_opt_getnstr(opt, 0));
    }
    return 0; /* keep parsing: report every bad value at once */
}

/* libconfuse's parse callback for list values: called once per value (the validate callback
 * also runs at the closing brace), so each value gets its own line. */
static int config_on_list_value(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
    *(const char **)result = value;
    struct config_load *ld = config_current;
    long row = ld != NULL ? config_directive_of(cfg, opt) : -1;
    if (row < 0 || opt->nvalues == 0)
        return 0;
    config_line_set(ld, (size_t)row, opt->nvalues - 1, cfg->line);
    if (strcmp(cfg->name, "root") != 0)
        config_section_line_set(ld, cfg, opt->name, cfg->line);
    config_check_value(ld, &config_directives[row], cfg->line, value);
    return 0;
}

/* libconfuse's validate callback on a module's option: only its line is recorded, for the
 * module's option reader (pfd_options_read()) to name it; the module checks the value. */
static int config_on_module_value(cfg_t *cfg, cfg_opt_t *opt)
{
    if (config_current != NULL)
        config_section_line_set(config_current, cfg, opt->name, cfg->line);
    return 0;
}

/* libconfuse's parse callback for a module's string list: the line of its last value. Not the
 * first: libconfuse parses a list's default values too, when the section opens, on its line. */
static int config_on_module_list_value(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
    *(const char **)result = value;
    struct config_load *ld = config_current;
    for (size_t i = 0; ld != NULL && i < ld->nseclines; i++) {
        if (ld->seclines[i].sec == cfg && strcmp(ld->seclines[i].name, opt->name) == 0) {
            ld->seclines[i].line = cfg->line;
            return 0;
        }
    }
    if (ld != NULL)
        config_section_line_set(ld, cfg, opt->name, cfg->line);
    return 0;
}

/* A module's option, its line recorded when set. */
static cfg_opt_t config_module_option(const cfg_opt_t *o)
{
    cfg_opt_t opt = *o;
    bool list = (opt.flags & CFGF_LIST) != 0;
    if (list && opt.type == CFGT_STR && opt.parsecb == NULL)
        opt.parsecb = config_on_module_list_value;
    else if (!list && opt.validcb == NULL && opt.type != CFGT_SEC)
        opt.validcb = config_on_module_value;
    return opt;
}

/* The option arrays for cfg_init(), which copies them: they are freed right after. */
struct config_options {
    cfg_opt_t *root;
    cfg_opt_t *sub[CONFIG_NSECTIONS];
    cfg_opt_t *module; /* a copy of the module's options */
};

static void config_options_free(struct config_options *o)
{
    free(o->root);
    free(o->module);
    for (size_t s = 0; s < CONFIG_NSECTIONS; s++)
        free(o->sub[s]);
}

static cfg_opt_t config_option_of(const struct config_directive *d, bool callbacks)
{
    cfg_opt_t opt = d->opt;
    if (callbacks && (opt.flags & CFGF_LIST))
        opt.parsecb = config_on_list_value;
    else if (callbacks)
        opt.validcb = config_on_value;
    return opt;
}

/*
 * The core directives and sections; the module sections get module_opts (NULL: none). With
 * callbacks, values are checked and their lines recorded as they are parsed.
 */
static int config_options_build(struct config_options *o, bool callbacks, cfg_opt_t *module_opts,
                                const cfg_opt_t *location_extra)
{
    size_t nextra = 0;
    while (location_extra != NULL && location_extra[nextra].name != NULL)
        nextra++;
    memset(o, 0, sizeof(*o));
    /* calloc'd arrays end in zeros, which is CFG_END(). */
    o->root = calloc(config_ndirectives + CONFIG_NSECTIONS + 1, sizeof(cfg_opt_t));
    if (o->root == NULL)
        return -1;
    size_t nroot = 0;
    for (size_t s = 0; s < CONFIG_NSECTIONS; s++) {
        const struct config_section *sec = &config_sections[s];
        o->sub[s] = calloc(config_ndirectives + nextra + CONFIG_NNESTINGS + 1, sizeof(cfg_opt_t));
        if (o->sub[s] == NULL)
            return -1;
        size_t n = 0;
        for (size_t i = 0; i < config_ndirectives; i++) {
            const struct config_directive *d = &config_directives[i];
            if (d->section != NULL && strcmp(d->section, sec->name) == 0)
                o->sub[s][n++] = config_option_of(d, callbacks);
        }
        if (strcmp(sec->name, "location") == 0) {
            for (size_t i = 0; i < nextra; i++)
                o->sub[s][n++] = config_module_option(&location_extra[i]);
        }
    }
    /* Nested sections point at the inner option array (cfg_init() copies the whole tree). */
    for (size_t k = 0; k < CONFIG_NNESTINGS; k++) {
        size_t outer = (size_t)(config_section_find(config_nestings[k].outer) - config_sections);
        size_t inner = (size_t)(config_section_find(config_nestings[k].inner) - config_sections);
        cfg_opt_t *arr = o->sub[outer];
        size_t n = 0;
        while (arr[n].name != NULL)
            n++;
        arr[n] = (cfg_opt_t)CFG_SEC(config_sections[inner].name, o->sub[inner],
                                    config_sections[inner].flags);
    }
    size_t nmodule = 0;
    while (module_opts != NULL && module_opts[nmodule].name != NULL)
        nmodule++;
    if (module_opts != NULL && (o->module = calloc(nmodule + 1, sizeof(cfg_opt_t))) == NULL)
        return -1;
    for (size_t i = 0; i < nmodule; i++)
        o->module[i] = config_module_option(&module_opts[i]);
    for (size_t s = 0; s < CONFIG_NSECTIONS; s++) {
        const struct config_section *sec = &config_sections[s];
        if (!config_section_at_root(sec->name))
            continue;
        bool module = strcmp(sec->name, "module") == 0 && module_opts != NULL;
        o->root[nroot++] =
            (cfg_opt_t)CFG_SEC(sec->name, module ? o->module : o->sub[s], sec->flags);
    }
    for (size_t i = 0; i < config_ndirectives; i++) {
        if (config_directives[i].section == NULL)
            o->root[nroot++] = config_option_of(&config_directives[i], callbacks);
    }
    return 0;
}

cfg_t *config_parse(struct config_load *ld, char *text, bool callbacks, cfg_opt_t *module_opts,
                    const cfg_opt_t *location_extra)
{
    struct config_options o = {NULL, {NULL}, NULL};
    cfg_t *cfg = NULL;
    FILE *fp = NULL;
    config_current = ld;
    if (text == NULL || config_options_build(&o, callbacks, module_opts, location_extra) == -1) {
        config_oom(ld);
        goto done;
    }
    cfg = cfg_init(o.root, CFGF_NONE);
    fp = cfg != NULL ? fmemopen(text, strlen(text), "r") : NULL;
    if (fp == NULL) {
        config_oom(ld);
        goto done;
    }
    cfg_set_error_function(cfg, config_on_cfg_error);
    cfg->filename = strdup(ld->file); /* what sections copy; NULL: libconfuse says "FILE" */
    ld->parsing = cfg;
    errno = 0; /* libconfuse tests errno == ERANGE after strtol() without clearing it */
    int nerrors = ld->nerrors;
    if (cfg_parse_fp(cfg, fp) != CFG_SUCCESS && ld->nerrors == nerrors)
        config_error(ld, cfg->line, "syntax error");
done:
    if (fp != NULL)
        fclose(fp);
    config_options_free(&o);
    ld->parsing = NULL;
    config_current = NULL;
    free(text);
    if (cfg != NULL && ld->nerrors > 0) {
        cfg_free(cfg);
        cfg = NULL;
    }
    return cfg;
}

int config_parse_core(struct config_load *ld)
{
    struct config_text *t = &ld->text;
    ld->conf->cfg = config_parse(ld, config_text_for_parse(t, SIZE_MAX, false), true, NULL, NULL);
    if (ld->conf->cfg == NULL)
        return -1;
    if (t->unclosed_line > 0) {
        config_error(ld, t->unclosed_line, "'{' is never closed");
        return -1;
    }
    cfg_t *cfg = ld->conf->cfg;
    size_t n[3] = {0, 0, 0}, nvhost = 0;
    bool plain = true;
    for (size_t h = 0; h < t->nheaders; h++) {
        const struct config_header *hd = &t->headers[h];
        if (hd->parent != SIZE_MAX) /* a vhost's location: counted with its vhost below */
            continue;
        n[hd->kind]++;
        if (hd->kind == HEADER_VHOST) {
            cfg_t *v = nvhost < cfg_size(cfg, "vhost") ? cfg_getnsec(cfg, "vhost", (unsigned)nvhost)
                                                       : NULL;
            plain = plain && v != NULL && config_text_nchildren(t, h) == cfg_size(v, "location");
            nvhost++;
        }
    }
    if (!plain || n[HEADER_MODULE] != cfg_size(cfg, "module") ||
        n[HEADER_LOCATION] != cfg_size(cfg, "location") ||
        n[HEADER_VHOST] != cfg_size(cfg, "vhost")) {
        config_error(ld, 0,
                     "write module, vhost and location section names plainly, "
                     "e.g. location \"^/x\" { … }");
        return -1;
    }
    return 0;
}

int config_parse_locations(struct config_load *ld, const cfg_opt_t *location_extra)
{
    ld->nseclines = 0; /* the lines by section of pass 1 name sections freed below */
    cfg_t *cfg = config_parse(ld, config_text_for_parse(&ld->text, SIZE_MAX, true), true, NULL,
                              location_extra);
    if (cfg == NULL)
        return -1;
    cfg_free(ld->conf->cfg);
    ld->conf->cfg = cfg;
    return 0;
}
