/*
 * htaccess_rewrite_eval.c — server variables, template expansion and RewriteCond tests for the
 * .htaccess rewrite rules (see htaccess_rewrite_eval.h). Everything a request needs comes from
 * its arena; nothing here keeps state between requests.
 */
#include "serve/htaccess_rewrite_eval.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "base/log.h"
#include "parse/uri.h"
#include "serve/htaccess_rewrite.h"
#include "serve/request.h"

/* ---- server variables ----------------------------------------------------------------------- */

enum rw_var {
    RW_VAR_HEADER, /* a request header, named in the table */
    RW_VAR_REQUEST_FILENAME,
    RW_VAR_REQUEST_URI,
    RW_VAR_QUERY_STRING,
    RW_VAR_HTTPS,
    RW_VAR_REQUEST_METHOD,
    RW_VAR_REQUEST_SCHEME,
    RW_VAR_REMOTE_ADDR,
    RW_VAR_REMOTE_PORT,
    RW_VAR_REMOTE_USER,
    RW_VAR_AUTH_TYPE,
    RW_VAR_SERVER_NAME,
    RW_VAR_SERVER_ADDR,
    RW_VAR_SERVER_PORT,
    RW_VAR_SERVER_PROTOCOL,
    RW_VAR_SERVER_ADMIN,
    RW_VAR_THE_REQUEST,
    RW_VAR_DOCUMENT_ROOT,
    RW_VAR_CONTEXT_DOCUMENT_ROOT,
    RW_VAR_CONTEXT_PREFIX,
    RW_VAR_PATH_INFO,
    RW_VAR_IS_SUBREQ,
    RW_VAR_TIME, /* TIME_* */
};

static const struct {
    const char *name;
    enum rw_var var;
    const char *arg; /* the header, or the strftime() format */
} rw_vars[] = {
    {"REQUEST_FILENAME", RW_VAR_REQUEST_FILENAME, NULL},
    {"SCRIPT_FILENAME", RW_VAR_REQUEST_FILENAME, NULL},
    {"REQUEST_URI", RW_VAR_REQUEST_URI, NULL},
    {"QUERY_STRING", RW_VAR_QUERY_STRING, NULL},
    {"HTTPS", RW_VAR_HTTPS, NULL},
    {"HTTP_HOST", RW_VAR_HEADER, "Host"},
    {"HTTP_USER_AGENT", RW_VAR_HEADER, "User-Agent"},
    {"HTTP_REFERER", RW_VAR_HEADER, "Referer"},
    {"HTTP_COOKIE", RW_VAR_HEADER, "Cookie"},
    {"HTTP_ACCEPT", RW_VAR_HEADER, "Accept"},
    {"HTTP_FORWARDED", RW_VAR_HEADER, "Forwarded"},
    {"HTTP_PROXY_CONNECTION", RW_VAR_HEADER, "Proxy-Connection"},
    {"REQUEST_METHOD", RW_VAR_REQUEST_METHOD, NULL},
    {"REQUEST_SCHEME", RW_VAR_REQUEST_SCHEME, NULL},
    {"REMOTE_ADDR", RW_VAR_REMOTE_ADDR, NULL},
    {"REMOTE_HOST", RW_VAR_REMOTE_ADDR, NULL}, /* no DNS lookups: the address, as Apache then */
    {"REMOTE_PORT", RW_VAR_REMOTE_PORT, NULL},
    {"REMOTE_USER", RW_VAR_REMOTE_USER, NULL},
    {"AUTH_TYPE", RW_VAR_AUTH_TYPE, NULL},
    {"SERVER_NAME", RW_VAR_SERVER_NAME, NULL},
    {"SERVER_ADDR", RW_VAR_SERVER_ADDR, NULL},
    {"SERVER_PORT", RW_VAR_SERVER_PORT, NULL},
    {"SERVER_PROTOCOL", RW_VAR_SERVER_PROTOCOL, NULL},
    {"SERVER_ADMIN", RW_VAR_SERVER_ADMIN, NULL},
    {"THE_REQUEST", RW_VAR_THE_REQUEST, NULL},
    {"DOCUMENT_ROOT", RW_VAR_DOCUMENT_ROOT, NULL},
    {"CONTEXT_DOCUMENT_ROOT", RW_VAR_CONTEXT_DOCUMENT_ROOT, NULL},
    {"CONTEXT_PREFIX", RW_VAR_CONTEXT_PREFIX, NULL},
    {"PATH_INFO", RW_VAR_PATH_INFO, NULL},
    {"IS_SUBREQ", RW_VAR_IS_SUBREQ, NULL},
    {"TIME_YEAR", RW_VAR_TIME, "%Y"},
    {"TIME_MON", RW_VAR_TIME, "%m"},
    {"TIME_DAY", RW_VAR_TIME, "%d"},
    {"TIME_HOUR", RW_VAR_TIME, "%H"},
    {"TIME_MIN", RW_VAR_TIME, "%M"},
    {"TIME_SEC", RW_VAR_TIME, "%S"},
    {"TIME_WDAY", RW_VAR_TIME, "%w"},
    {"TIME", RW_VAR_TIME, "%Y%m%d%H%M%S"},
};

/* The table row of name (len bytes), or -1. */
static int rw_var_find(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof(rw_vars) / sizeof(rw_vars[0]); i++)
        if (strlen(rw_vars[i].name) == len && memcmp(rw_vars[i].name, name, len) == 0)
            return (int)i;
    return -1;
}

/* Whether name is HTTP:Header or ENV:X (with a non-empty X). */
static bool rw_var_is_prefixed(const char *name, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len > n && strncasecmp(name, prefix, n) == 0;
}

/* The file r->file_path names, without path info ("/srv/index.php" of "/srv/index.php/a/b"):
 * Apache's r->filename. One stat() per folder level only when the whole path is not there. */
static void rw_filename_split(struct pfd_ht_rewrite_eval *ev, const char *file)
{
    struct stat st;
    ev->filename = file;
    ev->path_info = "";
    if (stat(file, &st) == 0 || errno != ENOTDIR)
        return;
    char *copy = pfd_request_strdup(ev->r, file);
    for (char *slash = strrchr(copy, '/'); slash != NULL && slash > copy;
         slash = strrchr(copy, '/')) {
        *slash = '\0';
        if (stat(copy, &st) == 0) {
            if (S_ISREG(st.st_mode)) {
                ev->filename = copy;
                ev->path_info = file + (slash - copy);
            }
            return;
        }
    }
}

/* A path a rule made, mapped as the router maps one: under the alias of the request's context
 * when it is under its prefix, else under document_root. "" when it does not map. */
static const char *rw_filename_map(struct pfd_ht_rewrite_eval *ev)
{
    struct pfd_request *r = ev->r;
    const char *root = r->conf->document_root, *rest = ev->path;
    size_t plen = r->context_prefix != NULL ? strlen(r->context_prefix) : 0;
    if (r->context_root != NULL && plen > 0 && strncmp(ev->path, r->context_prefix, plen) == 0) {
        root = r->context_root;
        rest = ev->path + plen;
    }
    if (rest[0] != '/')
        return "";
    size_t size = strlen(root) + strlen(rest) + 1;
    char *file = pfd_request_alloc(r, size);
    return pfd_uri_map(root, rest, file, size) == 0 ? file : "";
}

static const char *rw_request_filename(struct pfd_ht_rewrite_eval *ev)
{
    if (ev->filename == NULL) {
        if (ev->path_changed) {
            ev->filename = rw_filename_map(ev);
            ev->path_info = "";
        } else if (ev->r->file_path != NULL) {
            rw_filename_split(ev, ev->r->file_path);
        } else {
            ev->filename = ev->path_info = "";
        }
    }
    return ev->filename;
}

static const char *rw_env(const struct pfd_ht_rewrite_eval *ev, const char *name, size_t len)
{
    for (const struct pfd_ht_rewrite_var *v = ev->result->env; v != NULL; v = v->next)
        if (strlen(v->name) == len && strncasecmp(v->name, name, len) == 0)
            return v->value != NULL ? v->value : "";
    return "";
}

static const char *rw_time(struct pfd_request *r, const char *format)
{
    time_t now = time(NULL);
    struct tm tm;
    char buf[32];
    if (localtime_r(&now, &tm) == NULL || strftime(buf, sizeof(buf), format, &tm) == 0)
        return "";
    return pfd_request_strdup(r, buf);
}

/* The value of a server variable known to the table. */
static const char *rw_var_value(struct pfd_ht_rewrite_eval *ev, int row)
{
    struct pfd_request *r = ev->r;
    const char *s = NULL;
    switch (rw_vars[row].var) {
    case RW_VAR_HEADER:
        s = pfd_request_header(r, rw_vars[row].arg);
        break;
    case RW_VAR_REQUEST_FILENAME:
        s = rw_request_filename(ev);
        break;
    case RW_VAR_REQUEST_URI:
        s = r->path; /* as Apache's r->uri: the round's path, whatever the rules did to it */
        break;
    case RW_VAR_QUERY_STRING:
        s = ev->query;
        break;
    case RW_VAR_HTTPS:
        s = strcmp(pfd_request_scheme(r), "https") == 0 ? "on" : "off";
        break;
    case RW_VAR_REQUEST_METHOD:
        s = r->method_name;
        break;
    case RW_VAR_REQUEST_SCHEME:
        s = pfd_request_scheme(r);
        break;
    case RW_VAR_REMOTE_ADDR:
        s = r->conn->peer_ip;
        break;
    case RW_VAR_REMOTE_PORT:
        s = pfd_request_printf(r, "%d", r->conn->peer_port);
        break;
    case RW_VAR_REMOTE_USER:
        s = r->remote_user;
        break;
    case RW_VAR_AUTH_TYPE:
        s = r->remote_user != NULL ? "Basic" : NULL;
        break;
    case RW_VAR_SERVER_NAME:
        s = pfd_request_host(r);
        break;
    case RW_VAR_SERVER_ADDR:
        s = r->conn->local_ip;
        break;
    case RW_VAR_SERVER_PORT:
        s = pfd_request_printf(r, "%d", r->conn->local_port);
        break;
    case RW_VAR_SERVER_PROTOCOL:
        s = r->protocol;
        break;
    case RW_VAR_SERVER_ADMIN:
        s = r->conf->server_admin;
        break;
    case RW_VAR_THE_REQUEST:
        s = r->request_line;
        break;
    case RW_VAR_DOCUMENT_ROOT:
        s = r->conf->document_root;
        break;
    case RW_VAR_CONTEXT_DOCUMENT_ROOT:
        s = r->context_root != NULL ? r->context_root : r->conf->document_root;
        break;
    case RW_VAR_CONTEXT_PREFIX:
        s = r->context_prefix;
        break;
    case RW_VAR_PATH_INFO:
        rw_request_filename(ev);
        s = ev->path_info;
        break;
    case RW_VAR_IS_SUBREQ:
        s = "false";
        break;
    case RW_VAR_TIME:
        s = rw_time(r, rw_vars[row].arg);
        break;
    }
    return s != NULL ? s : "";
}

/* %{name} (len bytes): "" for what the request does not have (a header it did not send). */
static const char *rw_var(struct pfd_ht_rewrite_eval *ev, const char *name, size_t len)
{
    if (rw_var_is_prefixed(name, len, "HTTP:")) {
        char *header = pfd_request_printf(ev->r, "%.*s", (int)(len - 5), name + 5);
        const char *v = pfd_request_header(ev->r, header);
        return v != NULL ? v : "";
    }
    if (rw_var_is_prefixed(name, len, "ENV:"))
        return rw_env(ev, name + 4, len - 4);
    int row = rw_var_find(name, len);
    return row >= 0 ? rw_var_value(ev, row) : "";
}

/* ---- templates ------------------------------------------------------------------------------ */

int pfd_ht_rewrite_template_check(const char *tmpl, char *err, size_t err_size)
{
    for (const char *p = tmpl; *p != '\0'; p++) {
        if (p[0] == '\\' && p[1] != '\0') {
            p++;
        } else if (p[0] == '$' && p[1] == '{') {
            snprintf(err, err_size, "\"%s\": RewriteMap (${map:key}) is not supported", tmpl);
            return -1;
        } else if (p[0] == '%' && p[1] == '{') {
            const char *name = p + 2, *end = strchr(name, '}');
            if (end == NULL) {
                snprintf(err, err_size, "\"%s\": '%%{' without its '}'", tmpl);
                return -1;
            }
            size_t len = (size_t)(end - name);
            if (rw_var_find(name, len) < 0 && !rw_var_is_prefixed(name, len, "HTTP:") &&
                !rw_var_is_prefixed(name, len, "ENV:")) {
                snprintf(err, err_size, "unknown or unsupported variable %%{%.*s}", (int)len, name);
                return -1;
            }
            p = end;
        }
    }
    return 0;
}

/* The output of one expansion: a buffer of PFD_HT_REWRITE_MAX_URL bytes in the arena. */
struct rw_out {
    char *p;
    size_t len;
    bool full;
};

static void rw_put(struct rw_out *o, const char *s, size_t n, bool escape)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n && !o->full; i++) {
        unsigned char c = (unsigned char)s[i];
        bool plain = !escape || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
        if (o->len + (plain ? 1 : 3) >= PFD_HT_REWRITE_MAX_URL) {
            o->full = true;
        } else if (plain) {
            o->p[o->len++] = (char)c;
        } else {
            o->p[o->len++] = '%';
            o->p[o->len++] = hex[c >> 4];
            o->p[o->len++] = hex[c & 0xf];
        }
    }
}

/* Capture n of subject (pairs in ov); nothing when it is unset or absent. */
static void rw_put_capture(struct rw_out *o, const char *subject, const size_t *ov, int npairs,
                           int n, bool escape)
{
    if (subject == NULL || n >= npairs || ov[2 * n] == PCRE2_UNSET || ov[2 * n + 1] < ov[2 * n])
        return;
    rw_put(o, subject + ov[2 * n], ov[2 * n + 1] - ov[2 * n], escape);
}

char *pfd_ht_rewrite_expand(struct pfd_ht_rewrite_eval *ev, const char *tmpl, bool escape_backrefs)
{
    struct rw_out o = {.p = pfd_request_alloc(ev->r, PFD_HT_REWRITE_MAX_URL)};
    for (const char *p = tmpl; *p != '\0' && !o.full; p++) {
        if (p[0] == '\\' && p[1] != '\0') {
            rw_put(&o, ++p, 1, false);
        } else if (p[0] == '$' && p[1] >= '0' && p[1] <= '9') {
            rw_put_capture(&o, ev->rule_subject, ev->rule_ov, ev->rule_n, *++p - '0',
                           escape_backrefs);
        } else if (p[0] == '%' && p[1] >= '0' && p[1] <= '9') {
            rw_put_capture(&o, ev->cond_subject, ev->cond_ov, ev->cond_n, *++p - '0',
                           escape_backrefs);
        } else if (p[0] == '%' && p[1] == '{' && strchr(p + 2, '}') != NULL) {
            const char *end = strchr(p + 2, '}');
            const char *v = rw_var(ev, p + 2, (size_t)(end - p - 2));
            rw_put(&o, v, strlen(v), false);
            p = end;
        } else {
            rw_put(&o, p, 1, false);
        }
    }
    if (o.full) {
        pfd_log(PFD_LOG_ERR, "%s: \"%s\" expands to more than %d bytes", ev->where, tmpl,
                PFD_HT_REWRITE_MAX_URL);
        return NULL;
    }
    o.p[o.len] = '\0';
    return o.p;
}

/* ---- regexes ----------------------------------------------------------------------------------
 */

/* pcre2's allocations for a request come from its arena and die with it. */
static void *rw_arena_alloc(size_t size, void *r)
{
    return pfd_request_alloc(r, size);
}

static void rw_arena_free(void *p, void *r)
{
    (void)p;
    (void)r;
}

void pfd_ht_rewrite_eval_init(struct pfd_ht_rewrite_eval *ev, struct pfd_request *r,
                              struct pfd_ht_rewrite *result)
{
    memset(ev, 0, sizeof(*ev));
    ev->r = r;
    ev->result = result;
    ev->path = r->path;
    ev->query = r->query;
    ev->where = "";
    pcre2_general_context *gc = pcre2_general_context_create(rw_arena_alloc, rw_arena_free, r);
    ev->md = gc != NULL ? pcre2_match_data_create(PFD_HT_REWRITE_CAPTURES, gc) : NULL;
}

pcre2_code *pfd_ht_rewrite_regex(const char *pattern, bool nocase, char *err, size_t err_size)
{
    int code;
    PCRE2_SIZE offset;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                   nocase ? PCRE2_CASELESS : 0, &code, &offset, NULL);
    if (re == NULL) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof(msg));
        snprintf(err, err_size, "bad regex \"%s\": %s at offset %zu", pattern, (const char *)msg,
                 (size_t)offset);
        return NULL;
    }
    (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* the interpreter is fine too */
    return re;
}

int pfd_ht_rewrite_match(struct pfd_ht_rewrite_eval *ev, const pcre2_code *re, const char *subject,
                         size_t *ov, int *n)
{
    if (ev->md == NULL)
        return -1;
    int rc = pcre2_match(re, (PCRE2_SPTR)subject, strlen(subject), 0, 0, ev->md,
                         ev->r->conf->match_context);
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (rc < 0) {
        PCRE2_UCHAR msg[128];
        pcre2_get_error_message(rc, msg, sizeof(msg));
        pfd_log(PFD_LOG_ERR, "%s: regex failed on \"%s\": %s", ev->where, subject, (char *)msg);
        return -1;
    }
    *n = rc == 0 ? PFD_HT_REWRITE_CAPTURES : rc; /* 0: more groups than pairs, the first set */
    memcpy(ov, pcre2_get_ovector_pointer(ev->md), 2 * (size_t)*n * sizeof(*ov));
    return 1;
}

/* ---- conditions ------------------------------------------------------------------------------ */

static const struct {
    const char *op;
    enum pfd_ht_rewrite_test kind;
} rw_tests[] = {
    {"-f", PFD_HT_RW_FILE},    {"-F", PFD_HT_RW_FILE},    {"-d", PFD_HT_RW_DIR},
    {"-s", PFD_HT_RW_SIZE},    {"-l", PFD_HT_RW_SYMLINK}, {"-L", PFD_HT_RW_SYMLINK},
    {"-h", PFD_HT_RW_SYMLINK}, {"-x", PFD_HT_RW_EXEC},
};

static const struct {
    const char *op; /* longest first: "<=" before "<" */
    enum pfd_ht_rewrite_test kind;
} rw_compares[] = {
    {"<=", PFD_HT_RW_LE}, {">=", PFD_HT_RW_GE}, {"=", PFD_HT_RW_EQ},
    {"<", PFD_HT_RW_LT},  {">", PFD_HT_RW_GT},
};

/* "[NC,OR]" into c. */
static int rw_cond_flags(struct pfd_ht_rewrite_cond *c, const char *flags, char *err,
                         size_t err_size)
{
    size_t len = strlen(flags);
    if (len < 2 || flags[0] != '[' || flags[len - 1] != ']') {
        snprintf(err, err_size, "RewriteCond: flags \"%s\" must be in [brackets]", flags);
        return -1;
    }
    for (const char *p = flags + 1; p < flags + len - 1;) {
        size_t n = strcspn(p, ",]");
        if ((n == 2 && strncasecmp(p, "NC", 2) == 0) ||
            (n == 6 && strncasecmp(p, "nocase", 6) == 0))
            c->nocase = true;
        else if ((n == 2 && strncasecmp(p, "OR", 2) == 0) ||
                 (n == 6 && strncasecmp(p, "ornext", 6) == 0))
            c->or_next = true;
        else if (!((n == 2 && strncasecmp(p, "NV", 2) == 0) ||
                   (n == 7 && strncasecmp(p, "novary", 7) == 0))) { /* no Vary to add */
            snprintf(err, err_size, "RewriteCond: unknown flag '%.*s'", (int)n, p);
            return -1;
        }
        p += n + (p[n] == ',');
    }
    return 0;
}

/* The CondPattern's form, after its '!': a file test, a comparison or a regex. */
static int rw_cond_form(struct pfd_ht_rewrite_cond *c, const char *p, char *err, size_t err_size)
{
    for (size_t i = 0; i < sizeof(rw_tests) / sizeof(rw_tests[0]); i++) {
        if (strcmp(p, rw_tests[i].op) == 0) {
            c->kind = rw_tests[i].kind;
            return 0;
        }
    }
    if (p[0] == '-' && ((p[1] >= 'a' && p[1] <= 'z') || (p[1] >= 'A' && p[1] <= 'Z')) &&
        (p[2] == '\0' || (p[3] == '\0' || (p[3] >= '0' && p[3] <= '9')))) {
        snprintf(err, err_size, "RewriteCond: the test \"%s\" is not supported", p);
        return -1;
    }
    for (size_t i = 0; i < sizeof(rw_compares) / sizeof(rw_compares[0]); i++) {
        size_t n = strlen(rw_compares[i].op);
        if (strncmp(p, rw_compares[i].op, n) == 0) {
            c->kind = rw_compares[i].kind;
            c->operand = strcmp(p + n, "\"\"") == 0 ? "" : p + n; /* ="" : empty, as Apache */
            return 0;
        }
    }
    c->kind = PFD_HT_RW_REGEX;
    c->re = pfd_ht_rewrite_regex(p, c->nocase, err, err_size);
    return c->re != NULL ? 0 : -1;
}

int pfd_ht_rewrite_cond_compile(struct pfd_ht_rewrite_cond *c, const char *pattern,
                                const char *flags, char *err, size_t err_size)
{
    if (flags != NULL && rw_cond_flags(c, flags, err, err_size) != 0)
        return -1;
    if (pfd_ht_rewrite_template_check(c->test, err, err_size) != 0)
        return -1;
    c->pattern = strdup(pattern);
    if (c->pattern == NULL) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    const char *p = c->pattern;
    c->negate = p[0] == '!';
    return rw_cond_form(c, p + c->negate, err, err_size);
}

void pfd_ht_rewrite_cond_free(struct pfd_ht_rewrite_cond *c)
{
    pcre2_code_free(c->re);
    free(c->pattern);
    free(c->test);
}

static bool rw_file_test(enum pfd_ht_rewrite_test kind, const char *file)
{
    struct stat st;
    if (file[0] == '\0')
        return false;
    if (kind == PFD_HT_RW_SYMLINK)
        return lstat(file, &st) == 0 && S_ISLNK(st.st_mode);
    if (stat(file, &st) != 0)
        return false;
    switch (kind) {
    case PFD_HT_RW_FILE:
        return S_ISREG(st.st_mode);
    case PFD_HT_RW_DIR:
        return S_ISDIR(st.st_mode);
    case PFD_HT_RW_SIZE:
        return S_ISREG(st.st_mode) && st.st_size > 0;
    case PFD_HT_RW_EXEC:
        return (st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)) != 0;
    default:
        return false;
    }
}

static int rw_compare(const struct pfd_ht_rewrite_cond *c, const char *s)
{
    if (c->operand == NULL)
        return rw_file_test(c->kind, s);
    int cmp = c->nocase ? strcasecmp(s, c->operand) : strcmp(s, c->operand);
    switch (c->kind) {
    case PFD_HT_RW_EQ:
        return cmp == 0;
    case PFD_HT_RW_LT:
        return cmp < 0;
    case PFD_HT_RW_LE:
        return cmp <= 0;
    case PFD_HT_RW_GT:
        return cmp > 0;
    case PFD_HT_RW_GE:
        return cmp >= 0;
    default:
        return rw_file_test(c->kind, s);
    }
}

int pfd_ht_rewrite_cond_test(struct pfd_ht_rewrite_eval *ev, const struct pfd_ht_rewrite_cond *c)
{
    const char *s = pfd_ht_rewrite_expand(ev, c->test, false);
    if (s == NULL)
        return -1;
    if (c->kind != PFD_HT_RW_REGEX)
        return rw_compare(c, s) != c->negate;
    size_t ov[2 * PFD_HT_REWRITE_CAPTURES];
    int n = 0;
    int rc = pfd_ht_rewrite_match(ev, c->re, s, ov, &n);
    if (rc < 0)
        return -1;
    if (rc == 1 && !c->negate) {
        ev->cond_subject = s;
        memcpy(ev->cond_ov, ov, sizeof(ov));
        ev->cond_n = n;
    }
    return rc != c->negate;
}
