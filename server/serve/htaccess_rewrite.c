/*
 * htaccess_rewrite.c — .htaccess directives: mod_rewrite in a directory: RewriteEngine,
 * RewriteBase, RewriteOptions, RewriteCond, RewriteRule (see htaccess_rewrite.h).
 *
 * Apache's per-directory semantics: a rule's pattern sees the URL path without the URL prefix of
 * the file's folder ("blog/2024/hello" under /), a relative substitution gets RewriteBase (else
 * that prefix) in front, a '?' in the substitution replaces the query unless [QSA], and only the
 * rules of the deepest file that has rewrite directives run (RewriteOptions Inherit adds its
 * parent's after them). A new path is routed again by the caller, where the rules run again on
 * it: a rule whose result is the URL it started from ends that, as Apache's loop guard does.
 */
#include "serve/htaccess_rewrite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "parse/uri.h"
#include "serve/htaccess.h"
#include "serve/htaccess_rewrite_eval.h"
#include "serve/request.h"

#define REWRITE_ERR(err, size, ...) (snprintf((err), (size), __VA_ARGS__), -1)

/* RewriteOptions. */
enum {
    RW_OPT_INHERIT = 1 << 0,        /* the parent's rules after this file's */
    RW_OPT_INHERIT_BEFORE = 1 << 1, /* … before them */
    RW_OPT_MERGE_BASE = 1 << 2,     /* no RewriteBase here: the parent's */
};

/* RewriteRule flags. */
enum {
    RW_LAST = 1 << 0,      /* L, PT: no more rules in this round */
    RW_END = 1 << 1,       /* END: none in later rounds either */
    RW_REDIRECT = 1 << 2,  /* R[=code] */
    RW_QSA = 1 << 3,       /* a query of the substitution keeps the request's after it */
    RW_QSD = 1 << 4,       /* the request's query is dropped */
    RW_NOCASE = 1 << 5,    /* NC */
    RW_FORBIDDEN = 1 << 6, /* F: 403 */
    RW_GONE = 1 << 7,      /* G: 410 */
    RW_NOESCAPE = 1 << 8,  /* NE: a redirect's URL is sent as written */
    RW_CHAIN = 1 << 9,     /* C: when this rule does not match, the chained ones are skipped */
    RW_BACKREFS = 1 << 10, /* B: back-references percent-encoded */
};

/* One RewriteRule, compiled at load. */
struct rewrite_rule {
    pcre2_code *re;
    bool negate;
    char *subst_path;  /* the substitution up to its first '?'; NULL for "-" */
    char *subst_query; /* after that '?', or NULL when it has none */
    unsigned flags;
    int status;    /* R=code (300-399; another status drops the substitution), F, G */
    unsigned skip; /* S=n */
    char *type;    /* T=type, or NULL */
    char **env;    /* E=NAME:VALUE templates */
    size_t nenv;
};

/* ---- the request's view of the files: one per file with rewrite directives ------------------- */

struct rewrite_cond_ref {
    const struct pfd_ht_rewrite_cond *cond;
    struct rewrite_cond_ref *next;
};

/* A rule as one request sees it: with the conditions written before it. */
struct rewrite_step {
    const struct pfd_ht_file *file;
    const struct pfd_ht_node *node;
    struct rewrite_cond_ref *conds;
    struct rewrite_step *next;
};

struct pfd_ht_rewrite_dir {
    const struct pfd_ht_file *file;
    const char *url_dir; /* the URL prefix its rules strip, with a trailing '/' */
    struct pfd_ht_rewrite_dir *parent;
    int engine;       /* 1 on, 0 off, -1 not said here (the parent's holds) */
    int options;      /* RW_OPT_*, -1 not said here */
    const char *base; /* RewriteBase, or NULL */
    struct rewrite_step *steps, **steps_tail;
    struct rewrite_cond_ref *pending, **pending_tail; /* conditions waiting for their rule */
};

/* The settings of ctx->file for this request, made when its first rewrite directive applies:
 * the deepest file so far, the one before it its parent. */
static struct pfd_ht_rewrite_dir *rewrite_dir(struct pfd_ht_ctx *ctx)
{
    struct pfd_ht_rewrite *rw = &ctx->result->rewrite;
    if (rw->dir != NULL && rw->dir->file == ctx->file)
        return rw->dir;
    struct pfd_ht_rewrite_dir *d = pfd_request_alloc(ctx->r, sizeof(*d));
    memset(d, 0, sizeof(*d));
    d->file = ctx->file;
    d->url_dir = ctx->url_dir;
    d->parent = rw->dir;
    d->engine = d->options = -1;
    d->steps_tail = &d->steps;
    d->pending_tail = &d->pending;
    rw->dir = d;
    return d;
}

/* ---- RewriteEngine, RewriteBase, RewriteOptions -----------------------------------------------
 */

static int rewrite_one_arg(const struct pfd_ht_node *n, char *err, size_t err_size)
{
    if (n->nargs != 1)
        return REWRITE_ERR(err, err_size, "%s takes one argument", n->name);
    return 0;
}

static int rewrite_engine_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    if (rewrite_one_arg(n, err, err_size) != 0)
        return -1;
    if (strcasecmp(n->args[0], "on") != 0 && strcasecmp(n->args[0], "off") != 0)
        return REWRITE_ERR(err, err_size, "RewriteEngine must be On or Off");
    return 0;
}

static int rewrite_engine_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n)
{
    rewrite_dir(ctx)->engine = strcasecmp(n->args[0], "on") == 0;
    return 0;
}

static int rewrite_base_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    if (rewrite_one_arg(n, err, err_size) != 0)
        return -1;
    if (n->args[0][0] != '/')
        return REWRITE_ERR(err, err_size, "RewriteBase: \"%s\" is not a URL path", n->args[0]);
    return 0;
}

static int rewrite_base_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n)
{
    rewrite_dir(ctx)->base = n->args[0];
    return 0;
}

/* The RW_OPT_* bits of a RewriteOptions line, or -1 with why in err. */
static int rewrite_options_parse(const struct pfd_ht_node *n, char *err, size_t err_size)
{
    static const struct {
        const char *name;
        int bit;
    } options[] = {
        {"Inherit", RW_OPT_INHERIT},
        {"InheritBefore", RW_OPT_INHERIT_BEFORE},
        {"MergeBase", RW_OPT_MERGE_BASE},
    };
    int bits = 0;
    if (n->nargs == 0)
        return REWRITE_ERR(err, err_size, "RewriteOptions needs an option");
    for (size_t i = 0; i < n->nargs; i++) {
        size_t k = 0;
        while (k < sizeof(options) / sizeof(options[0]) &&
               strcasecmp(n->args[i], options[k].name) != 0)
            k++;
        if (k == sizeof(options) / sizeof(options[0]))
            return REWRITE_ERR(err, err_size,
                               "RewriteOptions %s is not supported (Inherit, InheritBefore and "
                               "MergeBase are)",
                               n->args[i]);
        bits |= options[k].bit;
    }
    return bits;
}

static int rewrite_options_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    return rewrite_options_parse(n, err, err_size) < 0 ? -1 : 0;
}

static int rewrite_options_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n)
{
    char err[8];
    rewrite_dir(ctx)->options = rewrite_options_parse(n, err, sizeof(err));
    return 0;
}

/* ---- RewriteCond ---------------------------------------------------------------------------- */

static void rewrite_cond_free(void *data)
{
    if (data != NULL)
        pfd_ht_rewrite_cond_free(data);
    free(data);
}

static int rewrite_cond_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    if (n->nargs != 2 && n->nargs != 3)
        return REWRITE_ERR(err, err_size,
                           "RewriteCond takes a TestString, a CondPattern and "
                           "[flags]");
    if (strcasecmp(n->args[0], "expr") == 0)
        return REWRITE_ERR(err, err_size, "RewriteCond expr is not supported");
    struct pfd_ht_rewrite_cond *c = calloc(1, sizeof(*c));
    if (c == NULL || (c->test = strdup(n->args[0])) == NULL) {
        free(c);
        return REWRITE_ERR(err, err_size, "out of memory");
    }
    n->data = c;
    return pfd_ht_rewrite_cond_compile(c, n->args[1], n->nargs == 3 ? n->args[2] : NULL, err,
                                       err_size);
}

static int rewrite_cond_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n)
{
    struct pfd_ht_rewrite_dir *d = rewrite_dir(ctx);
    struct rewrite_cond_ref *ref = pfd_request_alloc(ctx->r, sizeof(*ref));
    ref->cond = n->data;
    ref->next = NULL;
    *d->pending_tail = ref;
    d->pending_tail = &ref->next;
    return 0;
}

/* ---- RewriteRule ---------------------------------------------------------------------------- */

static void rewrite_rule_free(void *data)
{
    struct rewrite_rule *rule = data;
    if (rule == NULL)
        return;
    pcre2_code_free(rule->re);
    free(rule->subst_path);
    free(rule->subst_query);
    free(rule->type);
    for (size_t i = 0; i < rule->nenv; i++)
        free(rule->env[i]);
    free(rule->env);
    free(rule);
}

/* R, R=301, R=permanent … into rule->status. */
static int rewrite_flag_redirect(struct rewrite_rule *rule, const char *value, char *err,
                                 size_t err_size)
{
    rule->flags |= RW_REDIRECT;
    char *end = NULL;
    long code = value == NULL ? 302 : strtol(value, &end, 10);
    if (value != NULL && strcasecmp(value, "permanent") == 0)
        code = 301;
    else if (value != NULL && strcasecmp(value, "temp") == 0)
        code = 302;
    else if (value != NULL && strcasecmp(value, "seeother") == 0)
        code = 303;
    else if (value != NULL && (end == value || *end != '\0'))
        code = 0;
    if (code < 300 || code > 599 || code == 304)
        return REWRITE_ERR(err, err_size, "RewriteRule: bad redirect status R=%s", value);
    rule->status = (int)code;
    return 0;
}

static int rewrite_flag_env(struct rewrite_rule *rule, const char *value, char *err,
                            size_t err_size)
{
    if (value == NULL || value[0] == '\0' || value[value[0] == '!'] == ':')
        return REWRITE_ERR(err, err_size, "RewriteRule: E= needs a variable name");
    if (pfd_ht_rewrite_template_check(value, err, err_size) != 0)
        return -1;
    char **env = realloc(rule->env, (rule->nenv + 1) * sizeof(*env));
    if (env == NULL)
        return REWRITE_ERR(err, err_size, "out of memory");
    rule->env = env;
    if ((env[rule->nenv] = strdup(value)) == NULL)
        return REWRITE_ERR(err, err_size, "out of memory");
    rule->nenv++;
    return 0;
}

/* A flag with a value: R=, E=, S=, T=. 1 when name is none of them. */
static int rewrite_flag_valued(struct rewrite_rule *rule, const char *name, const char *value,
                               char *err, size_t err_size)
{
    if (strcasecmp(name, "R") == 0 || strcasecmp(name, "redirect") == 0)
        return rewrite_flag_redirect(rule, value, err, err_size);
    if (strcasecmp(name, "E") == 0 || strcasecmp(name, "env") == 0)
        return rewrite_flag_env(rule, value, err, err_size);
    if (strcasecmp(name, "S") == 0 || strcasecmp(name, "skip") == 0) {
        char *end = NULL;
        long n = value != NULL ? strtol(value, &end, 10) : -1;
        if (n < 0 || n > 1000 || end == value || *end != '\0')
            return REWRITE_ERR(err, err_size, "RewriteRule: S= needs a number of rules");
        rule->skip = (unsigned)n;
        return 0;
    }
    if (strcasecmp(name, "T") == 0 || strcasecmp(name, "type") == 0) {
        if (value == NULL || value[0] == '\0')
            return REWRITE_ERR(err, err_size, "RewriteRule: T= needs a type");
        if (pfd_ht_rewrite_template_check(value, err, err_size) != 0)
            return -1;
        free(rule->type);
        rule->type = strdup(value);
        return rule->type != NULL ? 0 : REWRITE_ERR(err, err_size, "out of memory");
    }
    return 1;
}

/* One flag (a NUL-terminated copy: "L", "R=301", "E=X:%{HTTP:Y}"). */
static int rewrite_flag(struct rewrite_rule *rule, char *flag, char *err, size_t err_size)
{
    static const struct {
        const char *name, *long_name;
        unsigned bit;
    } flags[] = {
        {"L", "last", RW_LAST},           {"PT", "passthrough", RW_LAST},
        {"END", "end", RW_END},           {"QSA", "qsappend", RW_QSA},
        {"QSD", "qsdiscard", RW_QSD},     {"NC", "nocase", RW_NOCASE},
        {"F", "forbidden", RW_FORBIDDEN}, {"G", "gone", RW_GONE},
        {"NE", "noescape", RW_NOESCAPE},  {"C", "chain", RW_CHAIN},
        {"B", "B", RW_BACKREFS},          {"NS", "nosubreq", 0}, /* no subrequests here */
    };
    char *eq = strchr(flag, '=');
    if (eq != NULL)
        *eq = '\0';
    int rc = rewrite_flag_valued(rule, flag, eq != NULL ? eq + 1 : NULL, err, err_size);
    if (rc != 1)
        return rc;
    for (size_t i = 0; eq == NULL && i < sizeof(flags) / sizeof(flags[0]); i++) {
        if (strcasecmp(flag, flags[i].name) == 0 || strcasecmp(flag, flags[i].long_name) == 0) {
            rule->flags |= flags[i].bit;
            return 0;
        }
    }
    return REWRITE_ERR(err, err_size, "RewriteRule: unknown or unsupported flag '%s'", flag);
}

/* "[L,R=301,QSA]" into rule. */
static int rewrite_flags(struct rewrite_rule *rule, const char *text, char *err, size_t err_size)
{
    size_t len = strlen(text);
    if (len < 2 || text[0] != '[' || text[len - 1] != ']')
        return REWRITE_ERR(err, err_size, "RewriteRule: flags \"%s\" must be in [brackets]", text);
    for (const char *p = text + 1; p < text + len - 1;) {
        size_t n = strcspn(p, ",]");
        char flag[PFD_HT_REWRITE_MAX_URL];
        if (n == 0 || n >= sizeof(flag))
            return REWRITE_ERR(err, err_size, "RewriteRule: empty or too long flag in %s", text);
        memcpy(flag, p, n);
        flag[n] = '\0';
        if (rewrite_flag(rule, flag, err, err_size) != 0)
            return -1;
        p += n + (p[n] == ',');
    }
    if ((rule->flags & RW_FORBIDDEN) && !(rule->flags & RW_REDIRECT))
        rule->status = 403;
    if ((rule->flags & RW_GONE) && !(rule->flags & RW_REDIRECT))
        rule->status = 410;
    return 0;
}

/* The substitution, split at its first '?' (not "\?") so that a '?' a back-reference brings
 * stays in the path. */
static int rewrite_subst(struct rewrite_rule *rule, const char *subst, char *err, size_t err_size)
{
    if (strcmp(subst, "-") == 0)
        return 0;
    if (pfd_ht_rewrite_template_check(subst, err, err_size) != 0)
        return -1;
    const char *q = subst;
    while (*q != '\0' && *q != '?')
        q += q[0] == '\\' && q[1] != '\0' ? 2 : 1;
    rule->subst_path = strndup(subst, (size_t)(q - subst));
    if (*q == '?')
        rule->subst_query = strdup(q + 1);
    if (rule->subst_path == NULL || (*q == '?' && rule->subst_query == NULL))
        return REWRITE_ERR(err, err_size, "out of memory");
    return 0;
}

static int rewrite_rule_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    if (n->nargs != 2 && n->nargs != 3)
        return REWRITE_ERR(err, err_size,
                           "RewriteRule takes a Pattern, a Substitution and "
                           "[flags]");
    struct rewrite_rule *rule = calloc(1, sizeof(*rule));
    if (rule == NULL)
        return REWRITE_ERR(err, err_size, "out of memory");
    n->data = rule;
    if (n->nargs == 3 && rewrite_flags(rule, n->args[2], err, err_size) != 0)
        return -1;
    if (rewrite_subst(rule, n->args[1], err, err_size) != 0)
        return -1;
    const char *pattern = n->args[0];
    rule->negate = pattern[0] == '!';
    rule->re = pfd_ht_rewrite_regex(pattern + rule->negate, rule->flags & RW_NOCASE, err, err_size);
    return rule->re != NULL ? 0 : -1;
}

static int rewrite_rule_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n)
{
    struct pfd_ht_rewrite_dir *d = rewrite_dir(ctx);
    struct rewrite_step *st = pfd_request_alloc(ctx->r, sizeof(*st));
    st->file = ctx->file;
    st->node = n;
    st->conds = d->pending;
    st->next = NULL;
    d->pending = NULL;
    d->pending_tail = &d->pending;
    *d->steps_tail = st;
    d->steps_tail = &st->next;
    return 0;
}

static const struct pfd_ht_directive rewrite_directives[] = {
    {"RewriteEngine", PFD_OVERRIDE_FILEINFO, false, rewrite_engine_compile, rewrite_engine_apply,
     NULL},
    {"RewriteBase", PFD_OVERRIDE_FILEINFO, false, rewrite_base_compile, rewrite_base_apply, NULL},
    {"RewriteOptions", PFD_OVERRIDE_FILEINFO, false, rewrite_options_compile, rewrite_options_apply,
     NULL},
    {"RewriteCond", PFD_OVERRIDE_FILEINFO, false, rewrite_cond_compile, rewrite_cond_apply,
     rewrite_cond_free},
    {"RewriteRule", PFD_OVERRIDE_FILEINFO, false, rewrite_rule_compile, rewrite_rule_apply,
     rewrite_rule_free},
    {.name = NULL},
};

const struct pfd_ht_directive *pfd_ht_rewrite_directives(void)
{
    return rewrite_directives;
}

/* ---- running the rules ------------------------------------------------------------------------
 */

/* A setting as the files say it: this file's, else its parent's (Apache merges engine state and
 * options down the folders whatever RewriteOptions says). */
static int rewrite_engine_of(const struct pfd_ht_rewrite_dir *d)
{
    for (; d != NULL; d = d->parent)
        if (d->engine >= 0)
            return d->engine;
    return 0;
}

static int rewrite_options_of(const struct pfd_ht_rewrite_dir *d)
{
    for (; d != NULL; d = d->parent)
        if (d->options >= 0)
            return d->options;
    return 0;
}

/* RewriteBase: this file's; its parent's too only under MergeBase (Apache 2.4.4 and later). */
static const char *rewrite_base_of(const struct pfd_ht_rewrite_dir *d)
{
    if (d->base == NULL && d->parent != NULL && (rewrite_options_of(d) & RW_OPT_MERGE_BASE))
        return rewrite_base_of(d->parent);
    return d->base != NULL ? d->base : d->url_dir;
}

static size_t rewrite_steps_count(const struct pfd_ht_rewrite_dir *d)
{
    size_t n = 0;
    for (; d != NULL; d = d->parent)
        for (const struct rewrite_step *st = d->steps; st != NULL; st = st->next)
            n++;
    return n;
}

/* The rules that run for d, in order, into out from at: its own, and its parent's (after them
 * under Inherit, before under InheritBefore). Returns the next free index. */
static size_t rewrite_steps_collect(const struct pfd_ht_rewrite_dir *d,
                                    const struct rewrite_step **out, size_t at)
{
    int options = rewrite_options_of(d);
    if ((options & RW_OPT_INHERIT_BEFORE) && d->parent != NULL)
        at = rewrite_steps_collect(d->parent, out, at);
    for (const struct rewrite_step *st = d->steps; st != NULL; st = st->next)
        out[at++] = st;
    if ((options & RW_OPT_INHERIT) && !(options & RW_OPT_INHERIT_BEFORE) && d->parent != NULL)
        at = rewrite_steps_collect(d->parent, out, at);
    return at;
}

/* One run of the rules over a request. */
struct rewrite_run {
    struct pfd_ht_ctx *ctx;
    struct pfd_ht_rewrite_eval ev;
    const char *prefix; /* the URL prefix the patterns do not see */
    const char *base;   /* what a relative substitution is put under */
    bool changed;       /* a rule substituted the path or query */
};

/* Whether the conditions of a rule hold: Apache's chain, where [OR] joins a condition to the
 * next one and the others must all hold. 1, 0, or -1 (a failed match, logged). */
static int rewrite_conds(struct rewrite_run *run, const struct rewrite_cond_ref *c)
{
    while (c != NULL) {
        int rc = pfd_ht_rewrite_cond_test(&run->ev, c->cond);
        if (rc < 0)
            return -1;
        if (c->cond->or_next && rc == 1) {
            while (c != NULL && c->cond->or_next) /* the rest of the [OR] group */
                c = c->next;
        } else if (!c->cond->or_next && rc == 0) {
            return 0;
        }
        c = c != NULL ? c->next : NULL;
    }
    return 1;
}

/* Bytes of s percent-encoded for a URL: in a path all but what pfd_uri_is_path_safe() allows,
 * in a query (or under [NE]) only controls, blanks, non-ASCII, and '#' unless raw_hash, so the
 * result is one token of a request line or a Location header. */
static char *rewrite_url_escape(struct pfd_request *r, const char *s, bool path, bool raw_hash)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = pfd_request_alloc(r, 3 * strlen(s) + 1), *o = out;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        bool plain =
            path ? pfd_uri_is_path_safe(*p) : *p > ' ' && *p < 0x7f && (*p != '#' || raw_hash);
        if (plain) {
            *o++ = (char)*p;
        } else {
            *o++ = '%';
            *o++ = hex[*p >> 4];
            *o++ = hex[*p & 0xf];
        }
    }
    *o = '\0';
    return out;
}

/* The query after a substitution (NULL: none): the substitution's own when it has a '?'
 * (followed by the request's under [QSA]), else the request's; [QSD] drops the request's. */
static const char *rewrite_query(struct rewrite_run *run, const struct rewrite_rule *rule,
                                 const char *own)
{
    const char *old = (rule->flags & RW_QSD) ? NULL : run->ev.query;
    if (own == NULL)
        return old;
    if ((rule->flags & RW_QSA) && old != NULL && old[0] != '\0')
        return own[0] != '\0' ? pfd_request_printf(run->ctx->r, "%s&%s", own, old) : old;
    return own[0] != '\0' ? own : NULL;
}

/* Length of "scheme://authority" at the start of s, 0 when s is no absolute URL. */
static size_t rewrite_authority_len(const char *s)
{
    size_t i = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
    if (i == 0 || strncmp(s + i, "://", 3) != 0)
        return 0;
    return i + 3 + strcspn(s + i + 3, "/");
}

/* Whether the absolute URL's scheme and authority (len bytes) name this server as the client
 * reached it, so that it is a path here (Apache reduces such a substitution to its path). */
static bool rewrite_is_here(struct pfd_request *r, const char *url, size_t len)
{
    const char *origin = pfd_request_origin(r);
    return strlen(origin) == len && strncasecmp(origin, url, len) == 0;
}

/* The redirect of rule to path (an absolute URL, or a path) and query; *url its Location. */
static int rewrite_redirect(struct rewrite_run *run, const struct rewrite_rule *rule,
                            const char *path, const char *query, char **url)
{
    struct pfd_request *r = run->ctx->r;
    bool ne = rule->flags & RW_NOESCAPE;
    size_t auth = rewrite_authority_len(path);
    const char *origin =
        auth > 0 ? pfd_request_printf(r, "%.*s", (int)auth, path) : pfd_request_origin(r);
    for (const char *p = origin; *p != '\0'; p++) {
        if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '\\' || *p == '?' || *p == '#') {
            pfd_log(PFD_LOG_ERR, "%s: redirect to a bad URL \"%s\"", run->ev.where, origin);
            return 500;
        }
    }
    const char *rest = path + auth;
    *url = pfd_request_printf(r, "%s%s%s%s", origin, rewrite_url_escape(r, rest, !ne, ne),
                              query != NULL ? "?" : "",
                              query != NULL ? rewrite_url_escape(r, query, false, ne) : "");
    return rule->status != 0 ? rule->status : 302;
}

/* The trace line of a rule that applied (preforkd -T). */
static void rewrite_trace(struct rewrite_run *run, const struct rewrite_step *st,
                          const char *outcome)
{
    FILE *out = run->ctx->trace;
    if (out == NULL)
        return;
    fprintf(out, "  %s:%u: %s", st->file->path, st->node->line, st->node->name);
    for (size_t i = 0; i < st->node->nargs; i++)
        fprintf(out, " %s", st->node->args[i]);
    fprintf(out, " → %s\n", outcome);
}

/* A substitution that matched: the new path and query in run->ev, or a redirect. 0, or an HTTP
 * status (3xx with *url). */
static int rewrite_substitute(struct rewrite_run *run, const struct rewrite_step *st, char **url)
{
    const struct rewrite_rule *rule = st->node->data;
    struct pfd_ht_rewrite_eval *ev = &run->ev;
    bool b = rule->flags & RW_BACKREFS;
    char *path = pfd_ht_rewrite_expand(ev, rule->subst_path, b);
    char *own = rule->subst_query != NULL ? pfd_ht_rewrite_expand(ev, rule->subst_query, b) : NULL;
    if (path == NULL || (rule->subst_query != NULL && own == NULL))
        return 500;
    const char *query = rewrite_query(run, rule, own);
    size_t auth = rewrite_authority_len(path);
    bool redirect = rule->flags & RW_REDIRECT;
    if (auth > 0 && !redirect && rewrite_is_here(run->ctx->r, path, auth))
        path += auth; /* "http://this-host/x" without [R]: the path "/x" */
    else if (auth > 0)
        redirect = true; /* another host: only a redirect reaches it */
    if (path[0] == '\0')
        path = "/";
    if (auth == 0 && path[0] != '/')
        path = pfd_request_printf(run->ctx->r, "%s%s%s", run->base,
                                  run->base[strlen(run->base) - 1] == '/' ? "" : "/", path);
    if (redirect) {
        int status = rewrite_redirect(run, rule, path, query, url);
        rewrite_trace(
            run, st,
            pfd_request_printf(run->ctx->r, "redirect %d %s", status, *url != NULL ? *url : ""));
        return status;
    }
    ev->path = path;
    ev->query = query;
    ev->path_changed = true;
    ev->filename = NULL; /* REQUEST_FILENAME follows the new path */
    run->changed = true;
    rewrite_trace(run, st,
                  pfd_request_printf(run->ctx->r, "%s%s%s", path, query != NULL ? "?" : "",
                                     query != NULL ? query : ""));
    return 0;
}

/* [E=NAME:VALUE] and [T=type] of a rule that matched, into the result. 0 or 500. */
static int rewrite_record(struct rewrite_run *run, const struct rewrite_rule *rule)
{
    struct pfd_ht_rewrite *result = &run->ctx->result->rewrite;
    for (size_t i = 0; i < rule->nenv; i++) {
        char *text = pfd_ht_rewrite_expand(&run->ev, rule->env[i], false);
        if (text == NULL)
            return 500;
        struct pfd_ht_rewrite_var *v = pfd_request_alloc(run->ctx->r, sizeof(*v));
        char *colon = strchr(text, ':');
        if (colon != NULL)
            *colon = '\0';
        v->name = text + (text[0] == '!');
        v->value = text[0] == '!' ? NULL : colon != NULL ? colon + 1 : "";
        v->next = result->env;
        result->env = v;
    }
    if (rule->type != NULL &&
        (result->force_type = pfd_ht_rewrite_expand(&run->ev, rule->type, false)) == NULL)
        return 500;
    return 0;
}

/* What the rule's pattern sees: the path without the folder's prefix (as Apache strips the
 * folder from the file name), or the whole path when a rule moved it elsewhere. */
static const char *rewrite_subject(const struct rewrite_run *run)
{
    size_t n = strlen(run->prefix);
    return strncmp(run->ev.path, run->prefix, n) == 0 ? run->ev.path + n : run->ev.path;
}

enum { REWRITE_NO_MATCH = -1, REWRITE_MATCHED = 0 };

/* One rule: REWRITE_NO_MATCH (pattern or conditions), REWRITE_MATCHED, or an HTTP status. */
static int rewrite_rule_run(struct rewrite_run *run, const struct rewrite_step *st, char **url)
{
    const struct rewrite_rule *rule = st->node->data;
    struct pfd_ht_rewrite_eval *ev = &run->ev;
    ev->where = pfd_request_printf(run->ctx->r, "%s:%u", st->file->path, st->node->line);
    ev->rule_subject = rewrite_subject(run);
    ev->rule_n = 0;
    int rc = pfd_ht_rewrite_match(ev, rule->re, ev->rule_subject, ev->rule_ov, &ev->rule_n);
    if (rc < 0)
        return 500;
    if (rc == rule->negate)
        return REWRITE_NO_MATCH;
    if (rule->negate)
        ev->rule_n = 0; /* a pattern that did not match captured nothing */
    ev->cond_subject = NULL;
    ev->cond_n = 0;
    rc = rewrite_conds(run, st->conds);
    if (rc <= 0) {
        if (rc == 0)
            rewrite_trace(run, st, "conditions not met");
        return rc < 0 ? 500 : REWRITE_NO_MATCH;
    }
    if (rewrite_record(run, rule) != 0)
        return 500;
    if (rule->status >= 400) { /* F, G, or R= outside 3xx: the substitution is dropped */
        rewrite_trace(run, st, pfd_request_printf(run->ctx->r, "%d", rule->status));
        return rule->status;
    }
    if (rule->subst_path == NULL) {
        rewrite_trace(run, st, "- (no change)");
        return REWRITE_MATCHED;
    }
    rc = rewrite_substitute(run, st, url);
    return rc != 0 ? rc : REWRITE_MATCHED;
}

/* After the rules: the new URL for the caller to route, or 0 when it is the URL the run started
 * from (Apache's guard against a per-directory loop: "/index.php" → "/index.php"). */
static int rewrite_result(struct rewrite_run *run, char **url)
{
    struct pfd_request *r = run->ctx->r;
    const char *q = run->ev.query != NULL && run->ev.query[0] != '\0' ? run->ev.query : NULL;
    const char *old_q = r->query != NULL && r->query[0] != '\0' ? r->query : NULL;
    if (!run->changed || (strcmp(run->ev.path, r->path) == 0 &&
                          (q == old_q || (q != NULL && old_q != NULL && strcmp(q, old_q) == 0))))
        return 0;
    /* A dropped query is an empty one ("/new?"): a URL without '?' keeps the request's when
     * routed (route.c's convention for rewrites). */
    *url = pfd_request_printf(r, "%s%s%s", rewrite_url_escape(r, run->ev.path, true, false),
                              q != NULL || old_q != NULL ? "?" : "",
                              q != NULL ? rewrite_url_escape(r, q, false, false) : "");
    return 1;
}

/* Whether the rules of d look at this path at all: not when the path is outside the folder's
 * prefix (a rule of an earlier round moved it), nor when it names the folder without its
 * slash, which mod_static answers with a redirect first (Apache's default, no AllowNoSlash). */
static bool rewrite_applies(const struct pfd_ht_rewrite_dir *d, const char *path)
{
    size_t n = strlen(d->url_dir), len = strlen(path);
    if (len + 1 == n && strncmp(path, d->url_dir, len) == 0)
        return false;
    return strncmp(path, d->url_dir, n) == 0;
}

int pfd_ht_rewrite_run(struct pfd_ht_ctx *ctx, char **url)
{
    struct pfd_request *r = ctx->r;
    const struct pfd_ht_rewrite_dir *d = ctx->result->rewrite.dir;
    *url = NULL;
    if (d == NULL || r->ht_rewrite_end || rewrite_engine_of(d) != 1 || r->path == NULL ||
        !rewrite_applies(d, r->path))
        return 0;
    size_t max = rewrite_steps_count(d);
    const struct rewrite_step **steps = pfd_request_alloc(r, (max + 1) * sizeof(*steps));
    size_t n = rewrite_steps_collect(d, steps, 0);
    struct rewrite_run run = {.ctx = ctx, .prefix = d->url_dir, .base = rewrite_base_of(d)};
    pfd_ht_rewrite_eval_init(&run.ev, r, &ctx->result->rewrite);
    for (size_t i = 0; i < n; i++) {
        const struct rewrite_rule *rule = steps[i]->node->data;
        int rc = rewrite_rule_run(&run, steps[i], url);
        if (rc == REWRITE_NO_MATCH) {
            while ((((const struct rewrite_rule *)steps[i]->node->data)->flags & RW_CHAIN) &&
                   i + 1 < n)
                i++; /* [C]: the rules chained to this one are skipped with it */
            continue;
        }
        if (rc != REWRITE_MATCHED)
            return rc;
        if (rule->flags & RW_END)
            r->ht_rewrite_end = true;
        if (rule->flags & (RW_LAST | RW_END))
            break;
        i += rule->skip;
    }
    return rewrite_result(&run, url);
}
