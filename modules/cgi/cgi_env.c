/*
 * cgi_env.c — the CGI environment list and the HTTP_* naming rules. See cgi_env.h.
 */
#include "cgi_env.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void cgi_env_init(struct cgi_env *e)
{
    memset(e, 0, sizeof(*e));
}

void cgi_env_free(struct cgi_env *e)
{
    for (size_t i = 0; i < e->n; i++)
        free(e->vars[i]);
    free(e->vars);
    cgi_env_init(e);
}

/* Index of NAME in e, or e->n. */
static size_t cgi_env_find(const struct cgi_env *e, const char *name, size_t name_len)
{
    for (size_t i = 0; i < e->n; i++)
        if (strncmp(e->vars[i], name, name_len) == 0 && e->vars[i][name_len] == '=')
            return i;
    return e->n;
}

/* Stores var (malloc'd, owned from now on) at index i (e->n appends). */
static int cgi_env_store(struct cgi_env *e, size_t i, char *var)
{
    size_t len = strlen(var);
    size_t old = i < e->n ? strlen(e->vars[i]) : 0;
    if (e->bytes - old + len > CGI_ENV_MAX_BYTES || (i == e->n && e->n >= CGI_ENV_MAX_VARS))
        goto fail;
    if (i == e->n && e->n + 1 >= e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 64;
        char **vars = realloc(e->vars, cap * sizeof(*vars));
        if (vars == NULL)
            goto fail;
        e->vars = vars;
        e->cap = cap;
    }
    if (i < e->n)
        free(e->vars[i]);
    else
        e->n++;
    e->vars[i] = var;
    e->vars[e->n] = NULL;
    e->bytes = e->bytes - old + len;
    return 0;
fail:
    free(var);
    return -1;
}

static char *cgi_env_join(const char *name, const char *a, const char *sep, const char *b)
{
    size_t nl = strlen(name), al = strlen(a), sl = strlen(sep), bl = strlen(b);
    char *var = malloc(nl + 1 + al + sl + bl + 1);
    if (var == NULL)
        return NULL;
    memcpy(var, name, nl);
    var[nl] = '=';
    memcpy(var + nl + 1, a, al);
    memcpy(var + nl + 1 + al, sep, sl);
    memcpy(var + nl + 1 + al + sl, b, bl + 1);
    return var;
}

int cgi_env_set(struct cgi_env *e, const char *name, const char *value)
{
    if (name[0] == '\0' || strchr(name, '=') != NULL)
        return -1;
    char *var = cgi_env_join(name, value, "", "");
    return var != NULL ? cgi_env_store(e, cgi_env_find(e, name, strlen(name)), var) : -1;
}

int cgi_env_append(struct cgi_env *e, const char *name, const char *sep, const char *value)
{
    const char *old = cgi_env_get(e, name);
    if (old == NULL)
        return cgi_env_set(e, name, value);
    char *var = cgi_env_join(name, old, sep, value);
    return var != NULL ? cgi_env_store(e, cgi_env_find(e, name, strlen(name)), var) : -1;
}

const char *cgi_env_get(const struct cgi_env *e, const char *name)
{
    size_t len = strlen(name);
    size_t i = cgi_env_find(e, name, len);
    return i < e->n ? e->vars[i] + len + 1 : NULL;
}

int cgi_env_put(struct cgi_env *e, const char *name_value)
{
    const char *eq = strchr(name_value, '=');
    if (eq == NULL || eq == name_value)
        return -1;
    char *var = strdup(name_value);
    if (var == NULL)
        return -1;
    return cgi_env_store(e, cgi_env_find(e, name_value, (size_t)(eq - name_value)), var);
}

size_t cgi_env_index(const struct cgi_env *e, const char *name)
{
    return cgi_env_find(e, name, strlen(name));
}

void cgi_env_unset(struct cgi_env *e, const char *name)
{
    size_t i = cgi_env_find(e, name, strlen(name));
    if (i == e->n)
        return;
    e->bytes -= strlen(e->vars[i]);
    free(e->vars[i]);
    memmove(&e->vars[i], &e->vars[i + 1], (e->n - i) * sizeof(*e->vars)); /* with the NULL */
    e->n--;
}

static bool cgi_env_header_refused(const char *field, bool pass_authorization)
{
    static const char *const never[] = {"Proxy",          "Proxy-Authorization", "Content-Type",
                                        "Content-Length", "Transfer-Encoding",   "Connection"};
    for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++)
        if (strcasecmp(field, never[i]) == 0)
            return true;
    return !pass_authorization && strcasecmp(field, "Authorization") == 0;
}

int cgi_env_header_name(const char *field, bool pass_authorization, char *out, size_t out_size)
{
    size_t len = strlen(field);
    if (len == 0 || len + 6 > out_size || cgi_env_header_refused(field, pass_authorization))
        return -1;
    memcpy(out, "HTTP_", 5);
    for (size_t i = 0; i < len; i++) {
        char c = field[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        else if (c == '-')
            c = '_';
        else if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            return -1;
        out[5 + i] = c;
    }
    out[5 + len] = '\0';
    return 0;
}
