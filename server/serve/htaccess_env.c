/*
 * htaccess_env.c — SetEnv, UnsetEnv, SetEnvIf, SetEnvIfNoCase from .htaccess files. See the
 * header.
 */
#include "serve/htaccess_env.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "serve/htaccess.h"
#include "serve/htaccess_info_util.h"
#include "serve/request.h"

#define HT_ENV_VALUE_MAX 8192 /* a SetEnvIf value after $N substitution */

/* A variable name as a shell and a CGI environment take it. */
static bool ht_env_name_ok(const char *s)
{
    if (s[0] == '\0' || (s[0] >= '0' && s[0] <= '9'))
        return false;
    return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") ==
           strlen(s);
}

static int ht_env_bad_name(const struct pfd_ht_node *n, const char *name, char *err,
                           size_t err_size)
{
    snprintf(err, err_size, "%s: \"%s\" is not a variable name (letters, digits, '_')", n->name,
             name);
    return -1;
}

static struct pfd_ht_env_var *ht_env_find(const struct pfd_ht_fileinfo *fi, const char *name)
{
    for (struct pfd_ht_env_var *v = fi->env; v != NULL; v = v->next)
        if (strcmp(v->name, name) == 0)
            return v;
    return NULL;
}

/* Whether a rewrite variable newer than v (before it in the newest-first list) has its name. */
static bool ht_rewrite_var_shadowed(const struct pfd_ht_rewrite_var *list,
                                    const struct pfd_ht_rewrite_var *v)
{
    for (; list != NULL && list != v; list = list->next)
        if (strcmp(list->name, v->name) == 0)
            return true;
    return false;
}

static const struct pfd_ht_rewrite_var *ht_rewrite_var(const struct pfd_ht_result *res,
                                                       const char *name)
{
    for (const struct pfd_ht_rewrite_var *v = res->rewrite.env; v != NULL; v = v->next)
        if (strcmp(v->name, name) == 0)
            return v;
    return NULL;
}

const char *pfd_ht_env_get(const struct pfd_ht_result *res, const char *name)
{
    if (res == NULL)
        return NULL;
    const struct pfd_ht_rewrite_var *rw = ht_rewrite_var(res, name);
    if (rw != NULL)
        return rw->value;
    const struct pfd_ht_env_var *v = ht_env_find(&res->info, name);
    return v != NULL ? v->value : NULL;
}

/* Sets (value NULL: unsets) name; the name keeps its first place. 0, or 500 out of memory. */
static int ht_env_put(struct pfd_ht_ctx *ctx, const char *name, const char *value)
{
    struct pfd_ht_fileinfo *fi = &ctx->result->info;
    struct pfd_ht_env_var *v = ht_env_find(fi, name);
    if (v == NULL) {
        if ((v = pfd_ht_info_alloc(ctx, sizeof(*v))) == NULL)
            return 500;
        *v = (struct pfd_ht_env_var){name, value, NULL};
        if (fi->env_last != NULL)
            fi->env_last->next = v;
        else
            fi->env = v;
        fi->env_last = v;
    }
    v->value = value;
    return 0;
}

/* RewriteRule [E=] first (its fixup runs after mod_env's and mod_setenvif's, so it wins), then
 * SetEnv & co for the names the rules left alone. Lists of a few entries: the walk is cheap. */
bool pfd_request_env_at(const struct pfd_request *r, size_t i, const char **name,
                        const char **value)
{
    const struct pfd_ht_result *res = r->htaccess;
    size_t k = 0;
    for (const struct pfd_ht_rewrite_var *v = res != NULL ? res->rewrite.env : NULL; v != NULL;
         v = v->next) {
        if (ht_rewrite_var_shadowed(res->rewrite.env, v) || k++ != i)
            continue;
        *name = v->name;
        *value = v->value;
        return true;
    }
    for (const struct pfd_ht_env_var *v = res != NULL ? res->info.env : NULL; v != NULL;
         v = v->next) {
        if (ht_rewrite_var(res, v->name) != NULL || k++ != i)
            continue;
        *name = v->name;
        *value = v->value;
        return true;
    }
    return false;
}

/* ---- SetEnv, UnsetEnv ----------------------------------------------------------------------- */

int pfd_ht_setenv_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    if (pfd_ht_info_nargs(n, 1, 2, err, err_size) != 0)
        return -1;
    return ht_env_name_ok(n->args[0]) ? 0 : ht_env_bad_name(n, n->args[0], err, err_size);
}

int pfd_ht_setenv_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n)
{
    pfd_ht_info_trace(ctx, n, "set for scripts");
    return ht_env_put(ctx, n->args[0], n->nargs > 1 ? n->args[1] : "");
}

int pfd_ht_unsetenv_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    if (pfd_ht_info_nargs(n, 1, (size_t)-1, err, err_size) != 0)
        return -1;
    for (size_t i = 0; i < n->nargs; i++)
        if (!ht_env_name_ok(n->args[i]))
            return ht_env_bad_name(n, n->args[i], err, err_size);
    return 0;
}

int pfd_ht_unsetenv_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n)
{
    pfd_ht_info_trace(ctx, n, "removed from scripts' environment");
    int rc = 0;
    for (size_t i = 0; i < n->nargs && rc == 0; i++)
        rc = ht_env_put(ctx, n->args[i], NULL);
    return rc;
}

/* ---- SetEnvIf ------------------------------------------------------------------------------- */

/* The special attributes of mod_setenvif. */
enum ht_env_attr {
    HT_ATTR_HEADER,       /* a request header, else an earlier variable */
    HT_ATTR_HEADER_REGEX, /* the request headers whose names match (SetEnvIf ^TS ^[a-z] HAVE_TS) */
    HT_ATTR_REMOTE_ADDR,
    HT_ATTR_SERVER_ADDR,
    HT_ATTR_REQUEST_METHOD,
    HT_ATTR_REQUEST_PROTOCOL,
    HT_ATTR_REQUEST_URI,
};

struct ht_setenvif {
    enum ht_env_attr attr;
    struct pfd_ht_regex re;
    struct pfd_ht_regex names; /* an attribute that is no plain field name: a regex of names */
};

static enum ht_env_attr ht_env_attr(const char *name)
{
    static const struct {
        const char *name;
        enum ht_env_attr attr;
    } special[] = {
        {"Remote_Addr", HT_ATTR_REMOTE_ADDR},           {"Remote_Host", HT_ATTR_REMOTE_ADDR},
        {"Server_Addr", HT_ATTR_SERVER_ADDR},           {"Request_Method", HT_ATTR_REQUEST_METHOD},
        {"Request_Protocol", HT_ATTR_REQUEST_PROTOCOL}, {"Request_URI", HT_ATTR_REQUEST_URI},
    };
    for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++)
        if (strcasecmp(name, special[i].name) == 0)
            return special[i].attr;
    return HT_ATTR_HEADER;
}

/* "VAR", "VAR=value" or "!VAR": the name must be one. */
static int ht_setenvif_var_ok(const struct pfd_ht_node *n, const char *spec, char *err,
                              size_t err_size)
{
    const char *name = spec + (spec[0] == '!');
    size_t len = strcspn(name, "=");
    char buf[256];
    if (len == 0 || len >= sizeof(buf) || (spec[0] == '!' && name[len] == '='))
        return ht_env_bad_name(n, spec, err, err_size);
    memcpy(buf, name, len);
    buf[len] = '\0';
    return ht_env_name_ok(buf) ? 0 : ht_env_bad_name(n, buf, err, err_size);
}

int pfd_ht_setenvif_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    if (pfd_ht_info_nargs(n, 3, (size_t)-1, err, err_size) != 0)
        return -1;
    for (size_t i = 2; i < n->nargs; i++)
        if (ht_setenvif_var_ok(n, n->args[i], err, err_size) != 0)
            return -1;
    struct ht_setenvif *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        snprintf(err, err_size, "%s: out of memory", n->name);
        return -1;
    }
    s->attr = ht_env_attr(n->args[0]);
    /* Apache: a name with anything but letters, digits, '-' and '_' is a regex of names. */
    const char *a = n->args[0];
    if (s->attr == HT_ATTR_HEADER && a[strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
                                                 "vwxyz0123456789-_")] != '\0') {
        s->attr = HT_ATTR_HEADER_REGEX;
        if (pfd_ht_regex_compile(&s->names, a, true, n->name, err, err_size) != 0) {
            free(s);
            return -1;
        }
    }
    bool caseless = strcasecmp(n->name, "SetEnvIfNoCase") == 0;
    if (pfd_ht_regex_compile(&s->re, n->args[1], caseless, n->name, err, err_size) != 0) {
        pfd_ht_setenvif_free(s);
        return -1;
    }
    n->data = s;
    return 0;
}

void pfd_ht_setenvif_free(void *data)
{
    struct ht_setenvif *s = data;
    if (s != NULL) {
        pfd_ht_regex_free(&s->re);
        pfd_ht_regex_free(&s->names);
    }
    free(s);
}

/* What the attribute reads for this request. */
static const char *ht_setenvif_subject(const struct pfd_ht_ctx *ctx, const struct ht_setenvif *s,
                                       const char *attr)
{
    const struct pfd_request *r = ctx->r;
    switch (s->attr) {
    case HT_ATTR_REMOTE_ADDR:
        return r->conn->peer_ip;
    case HT_ATTR_SERVER_ADDR:
        return r->conn->local_ip;
    case HT_ATTR_REQUEST_METHOD:
        return r->method_name;
    case HT_ATTR_REQUEST_PROTOCOL:
        return r->protocol;
    case HT_ATTR_REQUEST_URI:
        return r->path;
    case HT_ATTR_HEADER:
    case HT_ATTR_HEADER_REGEX:
        break;
    }
    const struct pfd_http_header *h = pfd_http_header_find(&r->head, attr);
    if (h != NULL)
        return h->value;
    const char *v = pfd_ht_env_get(ctx->result, attr);
    return v != NULL ? v : "";
}

/* value with $0 … $9 replaced by the groups of subject; NULL when out of memory or too long. */
static char *ht_setenvif_expand(struct pfd_ht_ctx *ctx, const char *value, const char *subject,
                                const long caps[2 * PFD_HT_REGEX_CAPTURES])
{
    struct pfd_buf b = PFD_BUF_INIT;
    int rc = 0;
    for (const char *p = value; *p != '\0' && rc == 0; p++) {
        if (p[0] == '$' && p[1] >= '0' && p[1] <= '9') {
            int g = p[1] - '0';
            if (caps[2 * g] >= 0)
                rc = pfd_buf_append(&b, subject + caps[2 * g],
                                    (size_t)(caps[2 * g + 1] - caps[2 * g]));
            p++;
        } else {
            rc = pfd_buf_append(&b, p, 1);
        }
    }
    char *out = NULL;
    if (rc == 0 && b.len <= HT_ENV_VALUE_MAX && (out = pfd_ht_info_alloc(ctx, b.len + 1)) != NULL) {
        memcpy(out, b.len > 0 ? b.data : "", b.len);
        out[b.len] = '\0';
    }
    pfd_buf_free(&b);
    return out;
}

/* One "VAR", "VAR=value" or "!VAR" after a match. */
static int ht_setenvif_set(struct pfd_ht_ctx *ctx, const char *spec, const char *subject,
                           const long caps[2 * PFD_HT_REGEX_CAPTURES])
{
    if (spec[0] == '!')
        return ht_env_put(ctx, spec + 1, NULL);
    const char *eq = strchr(spec, '=');
    if (eq == NULL)
        return ht_env_put(ctx, spec, "1");
    char *name = pfd_ht_info_alloc(ctx, (size_t)(eq - spec) + 1);
    char *value = ht_setenvif_expand(ctx, eq + 1, subject, caps);
    if (name == NULL || value == NULL)
        return 500;
    memcpy(name, spec, (size_t)(eq - spec));
    name[eq - spec] = '\0';
    return ht_env_put(ctx, name, value);
}

/* The value of the first request field whose name matches s->names and whose value matches
 * s->re (caps filled), or NULL. */
static const char *ht_setenvif_by_names(const struct pfd_ht_ctx *ctx, const struct ht_setenvif *s,
                                        long caps[2 * PFD_HT_REGEX_CAPTURES])
{
    const struct pfd_http_request_head *q = &ctx->r->head;
    for (size_t i = 0; i < q->nheaders; i++)
        if (pfd_ht_regex_match(&s->names, q->headers[i].name, NULL) &&
            pfd_ht_regex_match(&s->re, q->headers[i].value, caps))
            return q->headers[i].value;
    return NULL;
}

int pfd_ht_setenvif_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n)
{
    const struct ht_setenvif *s = n->data;
    long caps[2 * PFD_HT_REGEX_CAPTURES];
    const char *subject = s->attr == HT_ATTR_HEADER_REGEX ? ht_setenvif_by_names(ctx, s, caps)
                                                          : ht_setenvif_subject(ctx, s, n->args[0]);
    if (subject == NULL ||
        (s->attr != HT_ATTR_HEADER_REGEX && !pfd_ht_regex_match(&s->re, subject, caps))) {
        pfd_ht_info_trace(ctx, n, "no match");
        return 0;
    }
    pfd_ht_info_trace(ctx, n, "matched: variables set");
    int rc = 0;
    for (size_t i = 2; i < n->nargs && rc == 0; i++)
        rc = ht_setenvif_set(ctx, n->args[i], subject, caps);
    return rc;
}
