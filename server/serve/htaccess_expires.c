/*
 * htaccess_expires.c — ExpiresActive, ExpiresByType, ExpiresDefault from .htaccess files
 * (mod_expires, Indexes). The headers are added by htaccess_headers.c with the response head.
 */
#include "serve/htaccess_expires.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "serve/htaccess.h"
#include "serve/htaccess_info_util.h"

/* ---- the directives
 * ------------------------------------------------------------------------------- */

static int64_t ht_expires_unit(const char *word)
{
    static const struct {
        const char *name;
        int64_t seconds;
    } units[] = {{"year", 365 * 86400}, {"month", 30 * 86400}, {"week", 7 * 86400}, {"day", 86400},
                 {"hour", 3600},        {"minute", 60},        {"second", 1}};
    size_t len = strlen(word);
    len -= len > 1 && (word[len - 1] == 's' || word[len - 1] == 'S'); /* plural */
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (strlen(units[i].name) == len && strncasecmp(word, units[i].name, len) == 0)
            return units[i].seconds;
    return 0;
}

/* Digits only, bounded: the number, or -1. */
static int64_t ht_expires_number(const char *s)
{
    int64_t n = 0;
    if (*s == '\0')
        return -1;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9' || n > PFD_HT_EXPIRES_MAX_SECONDS)
            return -1;
        n = n * 10 + (*s - '0');
    }
    return n <= PFD_HT_EXPIRES_MAX_SECONDS ? n : -1;
}

/* "<base> [plus] {<num> <type>}*", words separated by blanks. */
static int ht_expires_words(char *s, struct pfd_ht_expires_spec *out)
{
    char *save = NULL, *w = strtok_r(s, " \t", &save);
    if (w == NULL)
        return -1;
    if (strcasecmp(w, "access") == 0 || strcasecmp(w, "now") == 0)
        out->base = 'A';
    else if (strcasecmp(w, "modification") == 0)
        out->base = 'M';
    else
        return -1;
    w = strtok_r(NULL, " \t", &save);
    if (w != NULL && strcasecmp(w, "plus") == 0)
        w = strtok_r(NULL, " \t", &save);
    /* Each round takes two words of a string that is bounded by the line length. */
    for (; w != NULL; w = strtok_r(NULL, " \t", &save)) {
        int64_t n = ht_expires_number(w);
        char *unit = strtok_r(NULL, " \t", &save);
        int64_t each = unit != NULL ? ht_expires_unit(unit) : 0;
        if (n < 0 || each == 0 || n > PFD_HT_EXPIRES_MAX_SECONDS / each)
            return -1;
        out->seconds += n * each;
        if (out->seconds > PFD_HT_EXPIRES_MAX_SECONDS)
            return -1;
    }
    return 0;
}

int pfd_ht_expires_parse(const char *s, struct pfd_ht_expires_spec *out, char *err, size_t err_size)
{
    *out = (struct pfd_ht_expires_spec){'A', 0};
    int rc = -1;
    if ((s[0] == 'A' || s[0] == 'M') && s[1] >= '0' && s[1] <= '9') {
        out->base = s[0];
        out->seconds = ht_expires_number(s + 1);
        rc = out->seconds >= 0 ? 0 : -1;
    } else {
        char *copy = strdup(s);
        rc = copy != NULL ? ht_expires_words(copy, out) : -1;
        free(copy);
    }
    if (rc != 0)
        snprintf(err, err_size,
                 "bad expires code \"%s\" (A<seconds>, M<seconds>, or \"access plus 1 month\")", s);
    return rc;
}

int pfd_ht_expires_active_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    if (pfd_ht_info_nargs(n, 1, 1, err, err_size) != 0)
        return -1;
    if (strcasecmp(n->args[0], "On") != 0 && strcasecmp(n->args[0], "Off") != 0) {
        snprintf(err, err_size, "ExpiresActive must be On or Off");
        return -1;
    }
    return 0;
}

int pfd_ht_expires_active_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n)
{
    ctx->result->info.expires_active = strcasecmp(n->args[0], "On") == 0 ? 1 : -1;
    pfd_ht_info_trace(ctx, n, "Expires headers switched");
    return 0;
}

int pfd_ht_expires_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    bool by_type = strcasecmp(n->name, "ExpiresByType") == 0;
    if (pfd_ht_info_nargs(n, 1 + by_type, 1 + by_type, err, err_size) != 0)
        return -1;
    if (by_type && strchr(n->args[0], '/') == NULL) {
        snprintf(err, err_size, "ExpiresByType: \"%s\" is not a media type", n->args[0]);
        return -1;
    }
    struct pfd_ht_expires_rule *rule = calloc(1, sizeof(*rule));
    if (rule == NULL) {
        snprintf(err, err_size, "%s: out of memory", n->name);
        return -1;
    }
    rule->type = by_type ? n->args[0] : NULL;
    if (pfd_ht_expires_parse(n->args[by_type], &rule->spec, err, err_size) != 0) {
        free(rule);
        return -1;
    }
    n->data = rule;
    return 0;
}

int pfd_ht_expires_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n)
{
    struct pfd_ht_fileinfo *fi = &ctx->result->info;
    struct pfd_ht_expires_entry *e = pfd_ht_info_alloc(ctx, sizeof(*e));
    if (e == NULL)
        return 500;
    *e = (struct pfd_ht_expires_entry){n->data, fi->expires};
    fi->expires = e;
    pfd_ht_info_trace(ctx, n, "expiry rule added");
    return 0;
}

/* The rule for a type: ExpiresByType exact, then the wildcard ("text/" "*"), then ExpiresDefault.
 */
const struct pfd_ht_expires_spec *pfd_ht_expires_rule(const struct pfd_ht_fileinfo *fi,
                                                      const char *type)
{
    size_t len = type != NULL ? strcspn(type, "; \t") : 0;
    size_t major = type != NULL ? strcspn(type, "/") : 0;
    for (int pass = 0; pass < 3; pass++) {
        for (const struct pfd_ht_expires_entry *e = fi->expires; e != NULL; e = e->next) {
            const char *t = e->rule->type;
            bool hit = pass == 2                   ? t == NULL
                       : t == NULL || type == NULL ? false
                       : pass == 0
                           ? strlen(t) == len && strncasecmp(t, type, len) == 0
                           : strlen(t) == major + 2 && strncasecmp(t, type, major + 1) == 0 &&
                                 t[major + 1] == '*';
            if (hit)
                return &e->rule->spec;
        }
    }
    return NULL;
}
