/*
 * htaccess_section.c — the sections the .htaccess engine handles itself (see
 * htaccess_section.h): their arguments checked and compiled at load, their conditions per
 * request: the file's name, the method, the modules preforkd has, Apache's version.
 */
#include "serve/htaccess_section.h"

#include <fnmatch.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "serve/htaccess.h"
#include "serve/request.h"

#define HT_VERSION "2.4.62" /* what <IfVersion> compares with: the Apache these files expect */

enum ht_section {
    HT_FILES,
    HT_FILES_MATCH,
    HT_LIMIT,
    HT_LIMIT_EXCEPT,
    HT_IF_MODULE,
    HT_IF_DEFINE,
    HT_IF_VERSION
};

/* What a section's compile() keeps: its kind, and a regex for <Files ~>, <FilesMatch> and
 * <IfVersion ~>. */
struct ht_section_data {
    enum ht_section kind;
    pcre2_code *re;
    bool negate; /* <IfModule !x>, <IfDefine !X>, <IfVersion !op v> */
    int module;  /* <IfModule>: the index in ht_modules, -1 for a module preforkd lacks */
};

static int ht_module_find(const char *name);

static void ht_section_free(void *data)
{
    struct ht_section_data *d = data;
    if (d != NULL)
        pcre2_code_free(d->re);
    free(d);
}

static pcre2_code *ht_regex(const char *pattern, char *err, size_t err_size)
{
    int code;
    PCRE2_SIZE offset;
    pcre2_code *re =
        pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &code, &offset, NULL);
    if (re == NULL) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(code, msg, sizeof(msg));
        snprintf(err, err_size, "bad regex \"%s\": %s at offset %zu", pattern, (char *)msg,
                 (size_t)offset);
        return NULL;
    }
    (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    return re;
}

/* <Files pattern>, <Files ~ regex>, <FilesMatch regex>. */
static int ht_files_compile(struct pfd_ht_node *n, struct ht_section_data *d, char *err,
                            size_t err_size)
{
    bool tilde = n->nargs == 2 && strcmp(n->args[0], "~") == 0;
    if (n->nargs != 1 && !(d->kind == HT_FILES && tilde)) {
        snprintf(err, err_size, "<%s> takes one argument, a %s", n->name,
                 d->kind == HT_FILES ? "file name pattern (or ~ and a regex)" : "regex");
        return -1;
    }
    if (d->kind == HT_FILES && !tilde)
        return 0;
    d->re = ht_regex(n->args[n->nargs - 1], err, err_size);
    return d->re != NULL ? 0 : -1;
}

/* <IfVersion [[!]op] version>: op one of = == > >= < <= ~, or a /regex/ version. */
static int ht_version_compile(struct pfd_ht_node *n, struct ht_section_data *d, char *err,
                              size_t err_size)
{
    if (n->nargs < 1 || n->nargs > 2) {
        snprintf(err, err_size, "<IfVersion> takes an optional operator and a version");
        return -1;
    }
    const char *v = n->args[n->nargs - 1];
    const char *op = n->nargs == 2 ? n->args[0] : "=";
    d->negate = op[0] == '!';
    op += d->negate;
    size_t vl = strlen(v);
    bool slashed = vl >= 2 && v[0] == '/' && v[vl - 1] == '/';
    if (strcmp(op, "~") == 0 || slashed) {
        char *pat = strndup(v + slashed, vl - 2 * slashed);
        d->re = pat != NULL ? ht_regex(pat, err, err_size) : NULL;
        free(pat);
        return d->re != NULL ? 0 : -1;
    }
    static const char *const ops[] = {"=", "==", ">", ">=", "<", "<="};
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        if (strcmp(op, ops[i]) == 0)
            return 0;
    snprintf(err, err_size, "<IfVersion>: unknown operator \"%s\"", op);
    return -1;
}

static const char *const ht_section_names[] = {
    [HT_FILES] = "Files",          [HT_FILES_MATCH] = "FilesMatch",
    [HT_LIMIT] = "Limit",          [HT_LIMIT_EXCEPT] = "LimitExcept",
    [HT_IF_MODULE] = "IfModule",   [HT_IF_DEFINE] = "IfDefine",
    [HT_IF_VERSION] = "IfVersion",
};

/* Every section's compile(): its kind from its name, then its arguments. */
static int ht_section_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    struct ht_section_data *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    n->data = d;
    while (d->kind < HT_IF_VERSION && strcasecmp(ht_section_names[d->kind], n->name) != 0)
        d->kind++;
    switch (d->kind) {
    case HT_FILES:
    case HT_FILES_MATCH:
        return ht_files_compile(n, d, err, err_size);
    case HT_LIMIT:
    case HT_LIMIT_EXCEPT:
        if (n->nargs == 0) {
            snprintf(err, err_size, "<%s> needs at least one method", n->name);
            return -1;
        }
        return 0;
    case HT_IF_MODULE:
    case HT_IF_DEFINE:
        if (n->nargs != 1) {
            snprintf(err, err_size, "<%s> takes one argument", n->name);
            return -1;
        }
        d->negate = n->args[0][0] == '!';
        /* the name is looked up once here: per request it cost a search of every directive
         * table (callgrind, issue 16) */
        d->module = d->kind == HT_IF_MODULE ? ht_module_find(n->args[0] + d->negate) : -1;
        return 0;
    case HT_IF_VERSION:
        break;
    }
    return ht_version_compile(n, d, err, err_size);
}

/* Sections any AllowOverride (but None) lets a file use, as Apache: their bodies are checked
 * directive by directive. apply is NULL: the engine walks them itself. */
static const struct pfd_ht_directive ht_sections[] = {
    {"Files", 0, true, ht_section_compile, NULL, ht_section_free},
    {"FilesMatch", 0, true, ht_section_compile, NULL, ht_section_free},
    {"Limit", 0, true, ht_section_compile, NULL, ht_section_free},
    {"LimitExcept", 0, true, ht_section_compile, NULL, ht_section_free},
    {"IfModule", 0, true, ht_section_compile, NULL, ht_section_free},
    {"IfDefine", 0, true, ht_section_compile, NULL, ht_section_free},
    {"IfVersion", 0, true, ht_section_compile, NULL, ht_section_free},
    {.name = NULL},
};

bool pfd_ht_section_is(const struct pfd_ht_directive *d)
{
    return d >= ht_sections && d < ht_sections + HT_IF_VERSION + 1;
}

bool pfd_ht_section_conditional(const struct pfd_ht_directive *d)
{
    return pfd_ht_section_is(d) && d - ht_sections >= HT_IF_MODULE;
}

bool pfd_ht_section_files(const struct pfd_ht_node *n)
{
    return n->directive == &ht_sections[HT_FILES] || n->directive == &ht_sections[HT_FILES_MATCH];
}

const struct pfd_ht_directive *pfd_ht_directive_find(const char *name)
{
    const struct pfd_ht_directive *tables[] = {ht_sections, pfd_ht_access_directives(),
                                               pfd_ht_dir_directives(), pfd_ht_rewrite_directives(),
                                               pfd_ht_fileinfo_directives()};
    for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
        for (const struct pfd_ht_directive *d = tables[t]; d->name != NULL; d++)
            if (strcasecmp(d->name, name) == 0)
                return d;
    return NULL;
}

/* <IfModule>: Apache's module names ("mod_rewrite.c", "mod_rewrite", "rewrite_module") against
 * what preforkd does. A module is there when a directive of it is (the groups that implement it
 * are built in), or when the preforkd module that does its job is loaded. */
static const struct {
    const char *base;      /* "rewrite" */
    const char *directive; /* one of its directives: there when implemented; NULL: always */
    const char *loaded;    /* the preforkd module doing its job, or NULL */
} ht_modules[] = {
    {"core", NULL, NULL},
    {"authz_core", NULL, NULL},
    {"authn_core", NULL, NULL},
    {"auth_basic", NULL, NULL},
    {"authn_file", NULL, NULL},
    {"authz_user", NULL, NULL},
    {"authz_groupfile", NULL, NULL},
    {"authz_host", NULL, NULL},
    {"access_compat", NULL, NULL},
    {"dir", "DirectoryIndex", NULL},
    {"alias", "Redirect", NULL},
    {"rewrite", "RewriteRule", NULL},
    {"mime", "AddType", NULL},
    {"headers", "Header", NULL},
    {"expires", "ExpiresActive", NULL},
    {"env", "SetEnv", NULL},
    {"setenvif", "SetEnvIf", NULL},
    {"autoindex", NULL, "autoindex"},
    {"cgi", NULL, "cgi"},
    {"status", NULL, "status"},
};

static bool ht_module_loaded(const struct pfd_config *conf, const char *name)
{
    for (size_t i = 0; i < conf->nloaded; i++)
        if (strcmp(conf->loaded[i].module->name, name) == 0)
            return true;
    return false;
}

/* The index in ht_modules of an Apache module name in any of its forms, or -1 when preforkd
 * lacks it (one known by a directive that is not implemented counts as lacking: that does not
 * change once built). */
static int ht_module_find(const char *name)
{
    size_t len = strlen(name);
    const char *base = name;
    if (strncmp(name, "mod_", 4) == 0) {
        base += 4;
        len -= 4 + (len >= 6 && strcmp(name + len - 2, ".c") == 0 ? 2 : 0);
    } else if (len > 7 && strcmp(name + len - 7, "_module") == 0) {
        len -= 7;
    }
    for (size_t i = 0; i < sizeof(ht_modules) / sizeof(ht_modules[0]); i++)
        if (strlen(ht_modules[i].base) == len && strncmp(ht_modules[i].base, base, len) == 0)
            return ht_modules[i].directive == NULL ||
                           pfd_ht_directive_find(ht_modules[i].directive) != NULL
                       ? (int)i
                       : -1;
    return -1;
}

static bool ht_module_present(const struct pfd_request *r, int i)
{
    if (i < 0)
        return false;
    return ht_modules[i].loaded == NULL || ht_module_loaded(r->conf, ht_modules[i].loaded);
}

/* "2.4.62" against v, numerically field by field: <0, 0, >0. */
static int ht_version_cmp(const char *a, const char *b)
{
    while (*a != '\0' || *b != '\0') {
        long x = strtol(a, (char **)&a, 10), y = strtol(b, (char **)&b, 10);
        if (x != y)
            return x < y ? -1 : 1;
        a += *a == '.';
        b += *b == '.';
        if ((*a != '\0' && (*a < '0' || *a > '9')) || (*b != '\0' && (*b < '0' || *b > '9')))
            return strcmp(a, b);
    }
    return 0;
}

static bool ht_version_holds(const struct pfd_ht_node *n, const struct ht_section_data *d,
                             pcre2_match_data *md)
{
    if (d->re != NULL)
        return pcre2_match(d->re, (PCRE2_SPTR)HT_VERSION, strlen(HT_VERSION), 0, 0, md, NULL) >= 0;
    const char *op = n->nargs == 2 ? n->args[0] + d->negate : "=";
    int c = ht_version_cmp(HT_VERSION, n->args[n->nargs - 1]);
    if (op[0] == '=')
        return c == 0;
    if (op[0] == '>')
        return op[1] == '=' ? c >= 0 : c > 0;
    return op[1] == '=' ? c <= 0 : c < 0;
}

/* Whether the method list of a <Limit> names the request's (GET covers HEAD, as Apache). */
static bool ht_method_listed(const struct pfd_request *r, const struct pfd_ht_node *n)
{
    const char *m = r->method_name;
    for (size_t i = 0; i < n->nargs; i++)
        if (strcmp(n->args[i], m) == 0 ||
            (strcmp(m, "HEAD") == 0 && strcmp(n->args[i], "GET") == 0))
            return true;
    return false;
}

static bool ht_files_match(struct pfd_request *r, const struct pfd_ht_node *n,
                           const struct ht_section_data *d, const char *name, const char *where)
{
    if (name[0] == '\0')
        return false; /* a folder */
    if (d->re == NULL)
        return fnmatch(n->args[0], name, 0) == 0;
    int rc = pcre2_match(d->re, (PCRE2_SPTR)name, strlen(name), 0, 0, pfd_request_match_data(r),
                         r->conf->match_context);
    if (rc < 0 && rc != PCRE2_ERROR_NOMATCH) /* a match limit: the section applies, to be safe */
        pfd_log(PFD_LOG_ERR, "%s:%u: <%s> on \"%s\" failed (%d)", where, n->line, n->name, name,
                rc);
    return rc != PCRE2_ERROR_NOMATCH;
}

bool pfd_ht_section_holds(struct pfd_request *r, const struct pfd_ht_node *n, const char *name,
                          const char *where)
{
    const struct ht_section_data *d = n->data;
    switch (d->kind) {
    case HT_LIMIT:
        return ht_method_listed(r, n);
    case HT_LIMIT_EXCEPT:
        return !ht_method_listed(r, n);
    case HT_IF_MODULE:
        return ht_module_present(r, d->module) != d->negate;
    case HT_IF_DEFINE:
        return d->negate; /* preforkd has no -D NAME: nothing is defined */
    case HT_IF_VERSION:
        return ht_version_holds(n, d, pfd_request_match_data(r)) != d->negate;
    case HT_FILES:
    case HT_FILES_MATCH:
        return ht_files_match(r, n, d, name, where);
    }
    return false;
}
