/*
 * htaccess_headers.c — Header (mod_headers) and Expires* (mod_expires) from .htaccess files, and
 * the one pass over the response head that applies them with AddDefaultCharset. See the header.
 */
#include "serve/htaccess_headers.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "parse/http_date.h"
#include "serve/htaccess.h"
#include "serve/htaccess_env.h"
#include "serve/htaccess_expires.h"
#include "serve/htaccess_info_util.h"
#include "serve/request.h"

#define HT_HEADER_VALUE_MAX 8192 /* an edited value; a longer result leaves the field as it was */

enum ht_header_action {
    HT_HEADER_SET,
    HT_HEADER_APPEND,
    HT_HEADER_ADD,
    HT_HEADER_MERGE,
    HT_HEADER_SETIFEMPTY,
    HT_HEADER_UNSET,
    HT_HEADER_ECHO,
    HT_HEADER_EDIT,
    HT_HEADER_EDIT_ALL,
};

/* What a Header line compiles to. */
struct pfd_ht_header_spec {
    enum ht_header_action action;
    bool always;      /* the "always" table: every response, errors included */
    const char *name; /* the field (echo: unused, re matches request field names) */
    char *value; /* set/append/add/merge/setifempty: "%%" already made "%"; edit: replacement */
    struct pfd_ht_regex re; /* echo, edit, edit* */
    const char *env;        /* env=[!]NAME: only when NAME is set (unset with '!'), or NULL */
    bool env_negate;
};

/* ---- Header: compile ------------------------------------------------------------------------ */

static int ht_header_action(const char *word, enum ht_header_action *out)
{
    static const char *const names[] = {"set",   "append", "add",  "merge", "setifempty",
                                        "unset", "echo",   "edit", "edit*"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcasecmp(word, names[i]) == 0) {
            *out = (enum ht_header_action)i;
            return 0;
        }
    }
    return -1;
}

/* mod_headers' format: "%%", "%t" (the time, "t=" and microseconds since the epoch), "%D" (the
 * time taken so far, "D=" and microseconds), "%{VAR}e" (a variable SetEnv, SetEnvIf or a
 * RewriteRule set, "(null)" when none did). The length of the specifier at p (after its '%'), or
 * 0 when it is none of those. */
static size_t ht_format_spec(const char *p)
{
    if (p[0] == '%' || p[0] == 't' || p[0] == 'D')
        return 1;
    const char *close = p[0] == '{' ? strchr(p, '}') : NULL;
    return close != NULL && close > p + 1 && close[1] == 'e' ? (size_t)(close + 2 - p) : 0;
}

/* A value as written, checked: any other specifier is refused rather than sent as written. NULL
 * with why in err. */
static char *ht_header_value(const char *v, char *err, size_t err_size)
{
    for (const char *p = strchr(v, '%'); p != NULL; p = strchr(p, '%')) {
        size_t len = ht_format_spec(p + 1);
        if (len == 0) {
            snprintf(err, err_size, "Header: format specifier \"%%%.1s\" is not supported", p + 1);
            return NULL;
        }
        p += 1 + len;
    }
    char *out = strdup(v);
    if (out == NULL)
        snprintf(err, err_size, "Header: out of memory");
    return out;
}

/* Microseconds since the request started (CLOCK_MONOTONIC, as r->started). */
static int64_t ht_elapsed_us(const struct pfd_request *r)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)(now.tv_sec - r->started.tv_sec) * 1000000 +
           (now.tv_nsec - r->started.tv_nsec) / 1000;
}

/* The value of a Header or RequestHeader line for this request: its specifiers filled in (request
 * memory), or the text itself when it has none. NULL when out of memory. */
static const char *ht_value_format(struct pfd_request *r, const char *v)
{
    if (strchr(v, '%') == NULL)
        return v;
    struct pfd_buf b = PFD_BUF_INIT;
    int rc = 0;
    for (const char *p = v; *p != '\0' && rc == 0; p++) {
        size_t len = p[0] == '%' ? ht_format_spec(p + 1) : 0;
        if (len == 0) {
            rc = pfd_buf_append(&b, p, 1);
        } else if (p[1] == '%') {
            rc = pfd_buf_append(&b, "%", 1);
        } else if (p[1] == 't' || p[1] == 'D') {
            int64_t us = p[1] == 't' ? pfd_wall_clock_us() : ht_elapsed_us(r);
            rc = pfd_buf_printf(&b, "%c=%lld", p[1], (long long)us);
        } else {
            char name[256];
            snprintf(name, sizeof(name), "%.*s", (int)(len - 3), p + 2);
            const char *e = pfd_ht_env_get(r->htaccess, name);
            rc = pfd_buf_append_str(&b, e != NULL ? e : "(null)");
        }
        p += len;
    }
    const char *out =
        rc == 0 ? pfd_arena_strndup(&r->conn->arena, b.len > 0 ? b.data : "", b.len) : NULL;
    pfd_buf_free(&b);
    return out;
}

/* The trailing [env=[!]NAME] of a Header line; expr= and early are Apache's alone. */
static int ht_header_condition(struct pfd_ht_header_spec *h, const char *arg, char *err,
                               size_t err_size)
{
    if (strncasecmp(arg, "env=", 4) == 0 && arg[4 + (arg[4] == '!')] != '\0') {
        h->env_negate = arg[4] == '!';
        h->env = arg + 4 + h->env_negate;
        return 0;
    }
    snprintf(err, err_size, "Header: \"%s\" is not supported (only env=[!]VAR)", arg);
    return -1;
}

/* How many arguments the action takes after the field name (value, or regex and replacement). */
static size_t ht_header_operands(enum ht_header_action a)
{
    return a == HT_HEADER_UNSET || a == HT_HEADER_ECHO      ? 0
           : a == HT_HEADER_EDIT || a == HT_HEADER_EDIT_ALL ? 2
                                                            : 1;
}

static int ht_header_fill(struct pfd_ht_header_spec *h, struct pfd_ht_node *n, size_t at, char *err,
                          size_t err_size)
{
    if (ht_header_action(n->args[at], &h->action) != 0) {
        snprintf(err, err_size,
                 "Header: first argument must be one of set, append, add, merge, "
                 "setifempty, unset, echo, edit, edit* (or always/onsuccess)");
        return -1;
    }
    size_t need = ht_header_operands(h->action), left = n->nargs - at - 1;
    if (left < need + 1 || left > need + 2) {
        snprintf(err, err_size, "Header %s: wrong number of arguments", n->args[at]);
        return -1;
    }
    h->name = n->args[at + 1];
    if (left == need + 2 && ht_header_condition(h, n->args[n->nargs - 1], err, err_size) != 0)
        return -1;
    if (h->action == HT_HEADER_ECHO)
        return pfd_ht_regex_compile(&h->re, h->name, true, "Header echo", err, err_size);
    if (!pfd_ht_info_is_token(h->name)) {
        snprintf(err, err_size, "Header: \"%s\" is not a field name", h->name);
        return -1;
    }
    if (h->action == HT_HEADER_EDIT || h->action == HT_HEADER_EDIT_ALL) {
        if (pfd_ht_regex_compile(&h->re, n->args[at + 2], false, "Header edit", err, err_size))
            return -1;
        h->value = strdup(n->args[at + 3]);
        return h->value != NULL ? 0 : -1;
    }
    if (need == 1 && (h->value = ht_header_value(n->args[at + 2], err, err_size)) == NULL)
        return -1;
    return 0;
}

int pfd_ht_header_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    if (pfd_ht_info_nargs(n, 2, 6, err, err_size) != 0)
        return -1;
    struct pfd_ht_header_spec *h = calloc(1, sizeof(*h));
    if (h == NULL) {
        snprintf(err, err_size, "Header: out of memory");
        return -1;
    }
    size_t at = 0;
    if (strcasecmp(n->args[0], "always") == 0 || strcasecmp(n->args[0], "onsuccess") == 0) {
        h->always = strcasecmp(n->args[0], "always") == 0;
        at = 1;
    }
    if (ht_header_fill(h, n, at, err, err_size) != 0) {
        pfd_ht_header_free(h);
        return -1;
    }
    n->data = h;
    return 0;
}

void pfd_ht_header_free(void *data)
{
    struct pfd_ht_header_spec *h = data;
    if (h == NULL)
        return;
    pfd_ht_regex_free(&h->re);
    free(h->value);
    free(h);
}

int pfd_ht_header_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n)
{
    struct pfd_ht_fileinfo *fi = &ctx->result->info;
    struct pfd_ht_header_op *op = pfd_ht_info_alloc(ctx, sizeof(*op));
    if (op == NULL)
        return 500;
    *op = (struct pfd_ht_header_op){n->data, NULL};
    if (fi->headers_last != NULL)
        fi->headers_last->next = op;
    else
        fi->headers = op;
    fi->headers_last = op;
    pfd_ht_info_trace(ctx, n, "applied to the response head");
    return 0;
}

/* ---- the response head ---------------------------------------------------------------------- */

/* The head's fields, editable: parsed from conn->resp_headers, written back at the end. */
struct ht_field {
    const char *name;
    const char *value;
};
struct ht_head {
    struct pfd_request *r;
    struct ht_field *f;
    size_t n, cap;
};

static char *ht_head_dup(struct ht_head *h, const char *s, size_t len)
{
    return pfd_arena_strndup(&h->r->conn->arena, s, len);
}

/* "a, b" in request memory, or NULL when the arena is out of memory. */
static const char *ht_join(struct pfd_arena *arena, const char *a, const char *b)
{
    size_t al = strlen(a), bl = strlen(b);
    char *out = pfd_arena_alloc(arena, al + 2 + bl + 1);
    if (out == NULL)
        return NULL;
    memcpy(out, a, al);
    memcpy(out + al, ", ", 2);
    memcpy(out + al + 2, b, bl + 1);
    return out;
}

/* Formatted into request memory; fallback when the arena is out of memory. */
__attribute__((format(printf, 3, 4))) static const char *
ht_head_printf(struct ht_head *h, const char *fallback, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *s = pfd_arena_vprintf(&h->r->conn->arena, fmt, ap);
    va_end(ap);
    return s != NULL ? s : fallback;
}

static int ht_head_add(struct ht_head *h, const char *name, const char *value)
{
    if (h->n == h->cap) {
        size_t cap = h->cap * 2 + 16;
        struct ht_field *f = pfd_arena_alloc(&h->r->conn->arena, cap * sizeof(*f));
        if (f == NULL)
            return -1;
        if (h->n > 0)
            memcpy(f, h->f, h->n * sizeof(*f));
        h->f = f;
        h->cap = cap;
    }
    h->f[h->n++] = (struct ht_field){name, value};
    return 0;
}

/* The first "\r\n" in [p, end), or NULL. memchr, not memmem: this runs on every response under
 * a .htaccess that sets a header, where memmem cost more than the rest of the parse (callgrind,
 * issue 16). */
static const char *ht_crlf(const char *p, const char *end)
{
    for (const char *cr; p < end && (cr = memchr(p, '\r', (size_t)(end - p))) != NULL; p = cr + 1)
        if (cr + 1 < end && cr[1] == '\n')
            return cr;
    return NULL;
}

/* "Name: value\r\n" lines, as pfd_response_header() writes them. */
static int ht_head_parse(struct ht_head *h)
{
    const struct pfd_buf *b = &h->r->conn->resp_headers;
    if (b->len == 0)
        return 0;
    const char *p = b->data, *end = b->data + b->len;
    while (p != NULL && p < end) {
        const char *eol = ht_crlf(p, end);
        const char *colon = eol != NULL ? memchr(p, ':', (size_t)(eol - p)) : NULL;
        if (colon == NULL)
            return -1;
        const char *v = colon + 1 + (colon + 1 < eol && colon[1] == ' ');
        char *name = ht_head_dup(h, p, (size_t)(colon - p));
        char *value = ht_head_dup(h, v, (size_t)(eol - v));
        if (name == NULL || value == NULL || ht_head_add(h, name, value) != 0)
            return -1;
        p = eol + 2;
    }
    return 0;
}

static void ht_head_write(struct ht_head *h)
{
    struct pfd_buf *b = &h->r->conn->resp_headers;
    b->len = 0;
    for (size_t i = 0; i < h->n; i++) {
        if (h->f[i].name == NULL || h->f[i].value == NULL)
            continue;
        pfd_buf_append_str(b, h->f[i].name);
        pfd_buf_append(b, ": ", 2);
        pfd_buf_append_str(b, h->f[i].value);
        pfd_buf_append(b, "\r\n", 2);
    }
}

static struct ht_field *ht_head_find(struct ht_head *h, const char *name)
{
    for (size_t i = 0; i < h->n; i++)
        if (h->f[i].name != NULL && strcasecmp(h->f[i].name, name) == 0)
            return &h->f[i];
    return NULL;
}

static void ht_head_unset(struct ht_head *h, const char *name)
{
    for (size_t i = 0; i < h->n; i++)
        if (h->f[i].name != NULL && strcasecmp(h->f[i].name, name) == 0)
            h->f[i].name = NULL;
}

/* Whether value already holds token as one of its comma-separated elements (merge). */
static bool ht_value_has(const char *value, const char *token)
{
    size_t tl = strlen(token);
    for (const char *p = value; *p != '\0';) {
        p += strspn(p, " \t,");
        size_t len = strcspn(p, ",");
        size_t trimmed = len;
        while (trimmed > 0 && (p[trimmed - 1] == ' ' || p[trimmed - 1] == '\t'))
            trimmed--;
        if (trimmed == tl && strncmp(p, token, tl) == 0)
            return true;
        p += len;
    }
    return false;
}

/* edit / edit*: the value with the first (every) match replaced; NULL: as it was. */
static const char *ht_edit(struct pfd_arena *arena, const struct pfd_ht_header_spec *s,
                           const char *value)
{
    char out[HT_HEADER_VALUE_MAX];
    PCRE2_SIZE out_len = sizeof(out);
    uint32_t opts = s->action == HT_HEADER_EDIT_ALL ? PCRE2_SUBSTITUTE_GLOBAL : 0;
    int rc = pcre2_substitute(s->re.code, (PCRE2_SPTR)value, PCRE2_ZERO_TERMINATED, 0, opts, NULL,
                              s->re.limits, (PCRE2_SPTR)s->value, PCRE2_ZERO_TERMINATED,
                              (PCRE2_UCHAR *)out, &out_len);
    if (rc <= 0 || memchr(out, '\r', out_len) != NULL || memchr(out, '\n', out_len) != NULL)
        return NULL;
    return pfd_arena_strndup(arena, out, out_len);
}

/* Echo: each request field whose name matches. */
static void ht_head_echo(struct ht_head *h, const struct pfd_ht_header_spec *s)
{
    const struct pfd_http_request_head *req = &h->r->head;
    for (size_t i = 0; i < req->nheaders; i++)
        if (pfd_ht_regex_match(&s->re, req->headers[i].name, NULL))
            ht_head_add(h, req->headers[i].name, req->headers[i].value);
}

/* A line's value for this request; an edit's replacement as written. */
static const char *ht_op_value(struct pfd_request *r, const struct pfd_ht_header_spec *s)
{
    if (s->value == NULL || s->action == HT_HEADER_EDIT || s->action == HT_HEADER_EDIT_ALL)
        return s->value;
    return ht_value_format(r, s->value);
}

static void ht_head_op(struct ht_head *h, const struct pfd_ht_header_spec *s)
{
    struct ht_field *f = s->action == HT_HEADER_ECHO ? NULL : ht_head_find(h, s->name);
    const char *value = ht_op_value(h->r, s);
    if (s->value != NULL && value == NULL)
        return; /* out of memory: the line is left out */
    switch (s->action) {
    case HT_HEADER_SET:
        ht_head_unset(h, s->name);
        ht_head_add(h, s->name, value);
        break;
    case HT_HEADER_SETIFEMPTY:
        if (f == NULL)
            ht_head_add(h, s->name, value);
        break;
    case HT_HEADER_MERGE:
        if (f != NULL && ht_value_has(f->value, value))
            break;
        /* fall through */
    case HT_HEADER_APPEND:
        if (f == NULL)
            ht_head_add(h, s->name, value);
        else
            f->value = ht_head_printf(h, f->value, "%s, %s", f->value, value);
        break;
    case HT_HEADER_ADD:
        ht_head_add(h, s->name, value);
        break;
    case HT_HEADER_UNSET:
        ht_head_unset(h, s->name);
        break;
    case HT_HEADER_ECHO:
        ht_head_echo(h, s);
        break;
    case HT_HEADER_EDIT:
    case HT_HEADER_EDIT_ALL:
        for (size_t i = 0; i < h->n; i++) {
            const char *v = h->f[i].name != NULL && strcasecmp(h->f[i].name, s->name) == 0
                                ? ht_edit(&h->r->conn->arena, s, h->f[i].value)
                                : NULL;
            h->f[i].value = v != NULL ? v : h->f[i].value;
        }
        break;
    }
}

/* Fields the core writes itself, after these: a file may not add, change or drop them. */
static bool ht_core_field(const char *name)
{
    static const char *const core[] = {"Date", "Server", "Content-Length", "Transfer-Encoding",
                                       "Connection"};
    for (size_t i = 0; i < sizeof(core) / sizeof(core[0]); i++)
        if (strcasecmp(name, core[i]) == 0)
            return true;
    return false;
}

/* Whether the Header line s applies to a response with this status (always/onsuccess, env=). */
static bool ht_header_applies(const struct pfd_request *r, const struct pfd_ht_header_spec *s,
                              int status)
{
    bool success = (status >= 200 && status < 300) || status == 304;
    if ((!s->always && !success) || (s->action != HT_HEADER_ECHO && ht_core_field(s->name)))
        return false;
    return s->env == NULL || (pfd_ht_env_get(r->htaccess, s->env) != NULL) != s->env_negate;
}

static void ht_head_header_lines(struct ht_head *h, const struct pfd_ht_fileinfo *fi, int status)
{
    for (const struct pfd_ht_header_op *op = fi->headers; op != NULL; op = op->next)
        if (ht_header_applies(h->r, op->spec, status))
            ht_head_op(h, op->spec);
}

/* The line of the head b that holds the field called name, or NULL; *eol: its "\r\n". The
 * lines are scanned, nothing is copied. */
static const char *ht_buf_find(const struct pfd_buf *b, const char *name, const char **eol)
{
    size_t len = strlen(name);
    const char *p = b->data, *end = b->data + b->len;
    while (p != NULL && p < end) {
        *eol = ht_crlf(p, end);
        if (*eol != NULL && (size_t)(*eol - p) > len && p[len] == ':' &&
            strncasecmp(p, name, len) == 0)
            return p;
        p = *eol != NULL ? *eol + 2 : NULL;
    }
    return NULL;
}

static bool ht_buf_has_field(const struct pfd_buf *b, const char *name)
{
    const char *eol;
    return ht_buf_find(b, name, &eol) != NULL;
}

/* The value of the field called name in the response head, copied into request memory, or NULL. */
static const char *ht_buf_field(struct pfd_request *r, const char *name)
{
    const char *eol, *line = ht_buf_find(&r->conn->resp_headers, name, &eol);
    if (line == NULL)
        return NULL;
    size_t len = strlen(name);
    const char *v = line + len + 1 + (line[len + 1] == ' ');
    return pfd_arena_strndup(&r->conn->arena, v, (size_t)(eol - v));
}

/* Whether ExpiresActive On has nothing to add here: off, an error status, or no rule for the
 * response's Content-Type (a text/plain file under a site's css/png rules). */
static bool ht_expires_idle(struct pfd_request *r, const struct pfd_ht_fileinfo *fi)
{
    if (fi->expires_active != 1 || r->status >= 400)
        return true;
    return pfd_ht_expires_rule(fi, ht_buf_field(r, "Content-Type")) == NULL;
}

/* Whether the line only adds a field to this head: ADD always; SET, SETIFEMPTY, APPEND and
 * MERGE when the head has no such field yet; UNSET when it has none (nothing to do). */
static bool ht_header_only_adds(const struct pfd_buf *b, const struct pfd_ht_header_spec *s)
{
    switch (s->action) {
    case HT_HEADER_ADD:
        return true;
    case HT_HEADER_SET:
    case HT_HEADER_SETIFEMPTY:
    case HT_HEADER_APPEND:
    case HT_HEADER_MERGE:
    case HT_HEADER_UNSET:
        return !ht_buf_has_field(b, s->name);
    default:
        return false;
    }
}

/* The common case, a file that sets a few fields the handler did not: they are appended to the
 * head as it is, without parsing it into fields and writing it again (that cost .htaccess
 * sites a third of a static request: callgrind, issue 16). false when a line needs the whole
 * head (it names a field already there, edits, echoes); nothing is changed then. Two lines for
 * one field take the whole-head path too, so their order keeps Apache's meaning. */
static bool ht_head_append_only(struct pfd_request *r, const struct pfd_ht_fileinfo *fi)
{
    struct pfd_buf *b = &r->conn->resp_headers;
    for (const struct pfd_ht_header_op *op = fi->headers; op != NULL; op = op->next) {
        if (!ht_header_applies(r, op->spec, r->status))
            continue;
        if (!ht_header_only_adds(b, op->spec))
            return false;
        for (const struct pfd_ht_header_op *o = op->next; o != NULL; o = o->next)
            if (strcasecmp(o->spec->name, op->spec->name) == 0)
                return false;
    }
    for (const struct pfd_ht_header_op *op = fi->headers; op != NULL; op = op->next) {
        const struct pfd_ht_header_spec *s = op->spec;
        if (!ht_header_applies(r, s, r->status) || s->action == HT_HEADER_UNSET)
            continue;
        const char *value = ht_op_value(r, s);
        if (value == NULL)
            continue; /* out of memory: the line is left out, as on the other path */
        pfd_buf_append_str(b, s->name);
        pfd_buf_append(b, ": ", 2);
        pfd_buf_append_str(b, value);
        pfd_buf_append(b, "\r\n", 2);
    }
    return true;
}

/* AddDefaultCharset: text/plain and text/html without a charset get one. */
static void ht_head_charset(struct ht_head *h, const struct pfd_ht_fileinfo *fi)
{
    if (fi->default_charset == NULL || fi->default_charset[0] == '\0')
        return;
    struct ht_field *ct = ht_head_find(h, "Content-Type");
    if (ct == NULL || strcasestr(ct->value, "charset=") != NULL)
        return;
    size_t len = strcspn(ct->value, "; \t");
    if ((len == 10 && strncasecmp(ct->value, "text/plain", 10) == 0) ||
        (len == 9 && strncasecmp(ct->value, "text/html", 9) == 0)) {
        ct->value = ht_head_printf(h, ct->value, "%s; charset=%s", ct->value, fi->default_charset);
    }
}

/* Expires and Cache-Control: max-age, as mod_expires computes them (from now or from
 * Last-Modified; a response without Last-Modified gets none from an M rule). */
static void ht_head_expires(struct ht_head *h, const struct pfd_ht_fileinfo *fi, int status)
{
    if (fi->expires_active != 1 || status >= 400 || ht_head_find(h, "Expires") != NULL)
        return;
    struct ht_field *ct = ht_head_find(h, "Content-Type");
    const struct pfd_ht_expires_spec *spec = pfd_ht_expires_rule(fi, ct != NULL ? ct->value : NULL);
    if (spec == NULL)
        return;
    struct ht_field *lm = spec->base == 'M' ? ht_head_find(h, "Last-Modified") : NULL;
    time_t now = time(NULL), base = now;
    if (spec->base == 'M' && (lm == NULL || pfd_http_date_parse(lm->value, &base)))
        return;
    time_t expires = base + (time_t)spec->seconds;
    long long max_age = expires > now ? (long long)(expires - now) : 0;
    char date[30];
    pfd_http_date_format(expires, date);
    struct ht_field *cc = ht_head_find(h, "Cache-Control");
    const char *age = ht_head_printf(h, NULL, "max-age=%lld", max_age);
    if (age == NULL)
        return;
    if (cc == NULL)
        ht_head_add(h, "Cache-Control", age);
    else if (strcasestr(cc->value, "max-age") == NULL)
        cc->value = ht_head_printf(h, cc->value, "%s, %s", cc->value, age);
    ht_head_add(h, "Expires", ht_head_dup(h, date, strlen(date)));
}

/* AddEncoding, AddLanguage: by the served file's extension, when the handler set none; FileETag
 * None: no ETag. */
static void ht_head_file_fields(struct ht_head *h, const struct pfd_ht_fileinfo *fi, int status)
{
    const char *file = h->r->file_path, *ext = file != NULL ? pfd_ht_info_extension(file) : NULL;
    size_t ext_len = ext != NULL ? strlen(ext) : 0;
    const char *encoding = NULL, *language = NULL;
    bool success = (status >= 200 && status < 300) || status == 304;
    /* the mapping first: without one (the usual case) the head is not searched */
    if (success && pfd_ht_info_ext_lookup(fi, PFD_HT_EXT_ENCODING, ext, ext_len, &encoding) == 1 &&
        encoding != NULL && ht_head_find(h, "Content-Encoding") == NULL)
        ht_head_add(h, "Content-Encoding", encoding);
    if (success && pfd_ht_info_ext_lookup(fi, PFD_HT_EXT_LANGUAGE, ext, ext_len, &language) == 1 &&
        language != NULL && ht_head_find(h, "Content-Language") == NULL)
        ht_head_add(h, "Content-Language", language);
    if (fi->file_etag == -1)
        ht_head_unset(h, "ETag");
}

void pfd_ht_headers_finish(struct pfd_request *r)
{
    const struct pfd_ht_fileinfo *fi = r->htaccess != NULL ? &r->htaccess->info : NULL;
    if (fi == NULL || (fi->headers == NULL && fi->expires_active != 1 &&
                       fi->default_charset == NULL && fi->exts == NULL && fi->file_etag == 0))
        return;
    if (fi->default_charset == NULL && fi->exts == NULL && fi->file_etag == 0 &&
        ht_expires_idle(r, fi) && ht_head_append_only(r, fi))
        return;
    struct ht_head h = {.r = r};
    if (ht_head_parse(&h) != 0)
        return; /* out of memory: the head goes out as the handler made it */
    ht_head_file_fields(&h, fi, r->status);
    ht_head_charset(&h, fi);
    ht_head_expires(&h, fi, r->status);
    ht_head_header_lines(&h, fi, r->status);
    ht_head_write(&h);
}

/* ---- RequestHeader: the request's fields, before the handler reads them ------------------------
 */

/* Fields that frame or route the request: the core has read them, a change would only lie. */
static bool ht_request_field_fixed(const char *name)
{
    static const char *const fixed[] = {"Host", "Content-Length", "Transfer-Encoding", "Connection",
                                        "Expect"};
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        if (strcasecmp(name, fixed[i]) == 0)
            return true;
    return false;
}

int pfd_ht_request_header_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    if (pfd_ht_info_nargs(n, 2, 5, err, err_size) != 0)
        return -1;
    struct pfd_ht_header_spec *h = calloc(1, sizeof(*h));
    if (h == NULL) {
        snprintf(err, err_size, "RequestHeader: out of memory");
        return -1;
    }
    int rc = ht_header_fill(h, n, 0, err, err_size);
    if (rc == 0 && h->action == HT_HEADER_ECHO) {
        snprintf(err, err_size, "RequestHeader: echo is only Header's");
        rc = -1;
    } else if (rc == 0 && ht_request_field_fixed(h->name)) {
        snprintf(err, err_size, "RequestHeader: %s is not a file's to change", h->name);
        rc = -1;
    }
    if (rc != 0) {
        pfd_ht_header_free(h);
        return -1;
    }
    n->data = h;
    return 0;
}

static void ht_request_unset(struct pfd_http_request_head *q, const char *name)
{
    size_t kept = 0;
    for (size_t i = 0; i < q->nheaders; i++)
        if (strcasecmp(q->headers[i].name, name) != 0)
            q->headers[kept++] = q->headers[i];
    q->nheaders = kept;
}

/* 0, or 500 when the request already holds limits.header_fields fields (logged). */
static int ht_request_add(struct pfd_http_request_head *q, const char *name, const char *value)
{
    if (q->nheaders >= q->headers_cap) {
        pfd_log(PFD_LOG_ERR, "RequestHeader: no room for %s: the request has %zu fields", name,
                q->nheaders);
        return 500;
    }
    q->headers[q->nheaders++] =
        (struct pfd_http_header){name, strlen(name), value, value != NULL ? strlen(value) : 0};
    return 0;
}

static struct pfd_http_header *ht_request_find(struct pfd_http_request_head *q, const char *name)
{
    for (size_t i = 0; i < q->nheaders; i++)
        if (strcasecmp(q->headers[i].name, name) == 0)
            return &q->headers[i];
    return NULL;
}

/* The value of f replaced by text (request memory); 500 when the arena is out of memory. */
static int ht_request_replace(struct pfd_http_header *f, const char *text)
{
    if (text == NULL)
        return 500;
    f->value = text;
    f->value_len = strlen(text);
    return 0;
}

static int ht_request_op(struct pfd_request *r, const struct pfd_ht_header_spec *s)
{
    struct pfd_http_request_head *q = &r->head;
    struct pfd_arena *arena = &r->conn->arena;
    struct pfd_http_header *f = ht_request_find(q, s->name);
    const char *value = ht_op_value(r, s);
    if (s->value != NULL && value == NULL)
        return 500;
    switch (s->action) {
    case HT_HEADER_SET:
        ht_request_unset(q, s->name);
        return ht_request_add(q, s->name, value);
    case HT_HEADER_SETIFEMPTY:
        return f == NULL ? ht_request_add(q, s->name, value) : 0;
    case HT_HEADER_MERGE:
        if (f != NULL && ht_value_has(f->value, value))
            return 0;
        /* fall through */
    case HT_HEADER_APPEND:
        if (f == NULL)
            return ht_request_add(q, s->name, value);
        return ht_request_replace(f, ht_join(arena, f->value, value));
    case HT_HEADER_ADD:
        return ht_request_add(q, s->name, value);
    case HT_HEADER_UNSET:
        ht_request_unset(q, s->name);
        return 0;
    case HT_HEADER_EDIT:
    case HT_HEADER_EDIT_ALL:
        for (size_t i = 0; i < q->nheaders; i++) {
            const char *v = strcasecmp(q->headers[i].name, s->name) == 0
                                ? ht_edit(arena, s, q->headers[i].value)
                                : NULL;
            if (v != NULL)
                ht_request_replace(&q->headers[i], v);
        }
        return 0;
    case HT_HEADER_ECHO:
        break;
    }
    return 0;
}

int pfd_ht_request_header_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n)
{
    const struct pfd_ht_header_spec *s = n->data;
    if (s->env != NULL && (pfd_ht_env_get(ctx->result, s->env) != NULL) == s->env_negate) {
        pfd_ht_info_trace(ctx, n, "not applied: env= does not hold");
        return 0;
    }
    pfd_ht_info_trace(ctx, n, "the request's field changed");
    return ctx->trace != NULL ? 0 : ht_request_op(ctx->r, s); /* -T: no request to change */
}
