/*
 * htaccess_access.c — .htaccess directives: AuthConfig and Limit (see htaccess_access.h), with
 * Apache 2.4's semantics: mod_authz_core's Require and its sections, mod_access_compat's Order,
 * Allow, Deny and Satisfy, mod_auth_basic with mod_authn_file and mod_authz_groupfile.
 */
#include "serve/htaccess_access.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "parse/access.h"
#include "serve/auth.h"
#include "serve/htaccess.h"
#include "serve/request.h"

/* ---- the Require tree ------------------------------------------------------------------- */

/* mod_authz_core's results. */
enum az { AZ_DENIED, AZ_GRANTED, AZ_NEUTRAL, AZ_NO_USER, AZ_ERROR };

enum req_kind {
    REQ_GRANTED,
    REQ_DENIED,
    REQ_VALID_USER,
    REQ_USER,
    REQ_GROUP,
    REQ_IP,
    REQ_LOCAL,
    REQ_METHOD,
    REQ_SECTION
};

enum req_op { REQ_ANY, REQ_ALL, REQ_NONE };

/* What a Require line or a <Require*> section compiles to. */
struct req {
    enum req_kind kind;
    bool negate;
    size_t first;           /* REQ_USER, REQ_GROUP, REQ_METHOD: the node's first name argument */
    struct pfd_cidr *cidrs; /* REQ_IP */
    size_t ncidrs;
    enum req_op op; /* REQ_SECTION */
    struct pfd_ht_node *children;
    size_t nchildren;
};

static void req_free(void *data)
{
    struct req *q = data;
    if (q == NULL)
        return;
    for (size_t i = 0; i < q->nchildren; i++)
        req_free(q->children[i].data);
    free(q->cidrs);
    free(q);
}

static int access_fail(char *err, size_t err_size, const char *fmt, const char *what)
{
    snprintf(err, err_size, fmt, what);
    return -1;
}

static int req_ip_compile(struct pfd_ht_node *n, struct req *q, char *err, size_t err_size)
{
    size_t count = n->nargs - q->first;
    q->cidrs = calloc(count + 1, sizeof(*q->cidrs));
    if (q->cidrs == NULL)
        return access_fail(err, err_size, "%s: out of memory", "Require");
    for (size_t i = q->first; i < n->nargs; i++) {
        const char *why;
        if (pfd_cidr_parse(n->args[i], &q->cidrs[q->ncidrs++], &why) != 0) {
            snprintf(err, err_size, "Require ip %s: %s", n->args[i], why);
            return -1;
        }
    }
    return 0;
}

/* "Require [not] provider args…" into q. */
static int req_line_compile(struct pfd_ht_node *n, struct req *q, char *err, size_t err_size)
{
    size_t i = 0;
    if (n->nargs > 0 && strcasecmp(n->args[0], "not") == 0) {
        q->negate = true;
        i = 1;
    }
    if (i >= n->nargs)
        return access_fail(err, err_size,
                           "%s needs a provider (all, valid-user, user, group, "
                           "ip, local, method)",
                           "Require");
    const char *p = n->args[i];
    size_t rest = n->nargs - i - 1;
    q->first = i + 1;
    if (strcasecmp(p, "all") == 0 && rest == 1 &&
        (strcasecmp(n->args[i + 1], "granted") == 0 || strcasecmp(n->args[i + 1], "denied") == 0))
        q->kind = strcasecmp(n->args[i + 1], "granted") == 0 ? REQ_GRANTED : REQ_DENIED;
    else if (strcasecmp(p, "all") == 0)
        return access_fail(err, err_size, "%s all takes granted or denied", "Require");
    else if (strcasecmp(p, "valid-user") == 0)
        q->kind = REQ_VALID_USER;
    else if (strcasecmp(p, "user") == 0 || strcasecmp(p, "group") == 0 ||
             strcasecmp(p, "method") == 0) {
        q->kind = p[0] == 'u' || p[0] == 'U'   ? REQ_USER
                  : p[0] == 'g' || p[0] == 'G' ? REQ_GROUP
                                               : REQ_METHOD;
        if (rest == 0)
            return access_fail(err, err_size, "Require %s needs at least one name", p);
    } else if (strcasecmp(p, "ip") == 0) {
        q->kind = REQ_IP;
        if (rest == 0)
            return access_fail(err, err_size, "Require %s needs at least one address", p);
        return req_ip_compile(n, q, err, err_size);
    } else if (strcasecmp(p, "local") == 0) {
        q->kind = REQ_LOCAL;
    } else if (strcasecmp(p, "host") == 0 || strcasecmp(p, "forward-dns") == 0) {
        return access_fail(err, err_size,
                           "Require %s is not supported: preforkd does no DNS lookups (use "
                           "Require ip)",
                           p);
    } else {
        return access_fail(err, err_size,
                           "Require %s: unknown or unsupported provider (preforkd has all, "
                           "valid-user, user, group, ip, local, method)",
                           p);
    }
    return 0;
}

static int req_compile(struct pfd_ht_node *n, char *err, size_t err_size);

/* A <RequireAll|Any|None> section: its body holds only Require lines and such sections. */
static int req_section_compile(struct pfd_ht_node *n, struct req *q, char *err, size_t err_size)
{
    q->kind = REQ_SECTION;
    q->op = strcasecmp(n->name, "RequireAll") == 0    ? REQ_ALL
            : strcasecmp(n->name, "RequireNone") == 0 ? REQ_NONE
                                                      : REQ_ANY;
    q->children = n->children;
    q->nchildren = n->nchildren;
    bool positive = false;
    for (size_t i = 0; i < n->nchildren; i++) {
        struct pfd_ht_node *c = &n->children[i];
        if (strncasecmp(c->name, "Require", 7) != 0 ||
            (c->container && strcasecmp(c->name, "Require") == 0)) {
            snprintf(err, err_size,
                     "<%s> holds only Require lines and <Require*> sections, not "
                     "%s (line %u)",
                     n->name, c->name, c->line);
            return -1;
        }
        if (req_compile(c, err, err_size) != 0)
            return -1;
        const struct req *cq = c->data;
        if (cq->negate && q->op == REQ_ANY) {
            snprintf(err, err_size, "a negative Require (line %u) has no effect in <%s>", c->line,
                     n->name);
            return -1;
        }
        positive = positive || !cq->negate;
    }
    if (!positive && n->nchildren > 0 && q->op != REQ_ANY)
        return access_fail(err, err_size, "<%s> holds only negative Require lines", n->name);
    if (n->nchildren == 0)
        return access_fail(err, err_size, "<%s> is empty", n->name);
    return 0;
}

static int req_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    struct req *q = calloc(1, sizeof(*q));
    if (q == NULL)
        return access_fail(err, err_size, "%s: out of memory", n->name);
    n->data = q;
    if (n->container)
        return req_section_compile(n, q, err, err_size);
    if (strcasecmp(n->name, "Require") != 0)
        return access_fail(err, err_size, "%s must be a section: <Name> … </Name>", n->name);
    return req_line_compile(n, q, err, err_size);
}

/* A Require line or section at the top of a file: an implicit <RequireAny>, where "not" has no
 * effect (Apache refuses it there). */
static int req_top_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    if (req_compile(n, err, err_size) != 0)
        return -1;
    const struct req *q = n->data;
    if (q->negate)
        return access_fail(err, err_size, "%s",
                           "a negative Require has no effect outside <RequireAll> or "
                           "<RequireNone>");
    return 0;
}

/* ---- evaluating it ---------------------------------------------------------------------- */

/* What one evaluation knows: the request, the user once authenticated, the group file. */
struct az_run {
    struct pfd_request *r;
    const struct pfd_ht_access *a;
    const char *user; /* NULL before authentication */
};

static bool az_listed(const struct pfd_ht_node *n, size_t first, const char *name)
{
    for (size_t i = first; i < n->nargs; i++)
        if (strcmp(n->args[i], name) == 0)
            return true;
    return false;
}

/* The file path a directive gave, relative ones under the config's folder (Apache's
 * ServerRoot), as the worker sees it (inside chroot, when the config's folder is). */
static const char *az_path(struct pfd_request *r, const char *path)
{
    if (path[0] == '/')
        return path;
    const char *dir = r->conf->dir, *jail = r->conf->chroot;
    size_t jl = jail != NULL ? strlen(jail) : 0;
    if (jl > 1 && strncmp(dir, jail, jl) == 0 && (dir[jl] == '/' || dir[jl] == '\0'))
        dir += jl;
    return pfd_request_printf(r, "%s/%s", dir, path);
}

/* Whether user is in group of the AuthGroupFile ("group: user user" lines): 1, 0, or -1 when
 * the file cannot be read (logged). */
static int az_group_has(struct az_run *run, const char *group, const char *user)
{
    const char *file = az_path(run->r, run->a->auth_group_file);
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd == -1 || fstat(fd, &st) == -1 || st.st_size > PFD_AUTH_MAX_FILE) {
        pfd_log(PFD_LOG_ERR, "AuthGroupFile \"%s\": %s", file,
                fd == -1 ? strerror(errno) : "larger than 1 MiB, or not readable");
        if (fd != -1)
            close(fd);
        return -1;
    }
    char *text = pfd_request_alloc(run->r, (size_t)st.st_size + 1);
    ssize_t got = read(fd, text, (size_t)st.st_size);
    close(fd);
    text[got > 0 ? got : 0] = '\0';
    size_t glen = strlen(group);
    char *lines, *words;
    for (char *line = strtok_r(text, "\n", &lines); line != NULL;
         line = strtok_r(NULL, "\n", &lines)) {
        line += strspn(line, " \t");
        if (strncmp(line, group, glen) != 0 || line[glen] != ':')
            continue;
        for (char *w = strtok_r(line + glen + 1, " \t\r", &words); w != NULL;
             w = strtok_r(NULL, " \t\r", &words))
            if (strcmp(w, user) == 0)
                return 1;
        return 0;
    }
    return 0;
}

static bool az_local(const struct pfd_request *r)
{
    const char *ip = r->conn->peer_ip;
    return strncmp(ip, "127.", 4) == 0 || strncmp(ip, "::ffff:127.", 11) == 0 ||
           strcmp(ip, "::1") == 0 || strcmp(ip, r->conn->local_ip) == 0;
}

static enum az az_line(struct az_run *run, const struct pfd_ht_node *n, const struct req *q)
{
    struct pfd_request *r = run->r;
    unsigned char addr[16];
    switch (q->kind) {
    case REQ_GRANTED:
        return AZ_GRANTED;
    case REQ_DENIED:
        return AZ_DENIED;
    case REQ_VALID_USER:
        return run->user != NULL ? AZ_GRANTED : AZ_NO_USER;
    case REQ_USER:
        if (run->user == NULL)
            return AZ_NO_USER;
        return az_listed(n, q->first, run->user) ? AZ_GRANTED : AZ_DENIED;
    case REQ_GROUP:
        if (run->user == NULL)
            return AZ_NO_USER;
        if (run->a->auth_group_file == NULL) {
            pfd_log(PFD_LOG_ERR, "Require group (line %u) without AuthGroupFile", n->line);
            return AZ_ERROR;
        }
        for (size_t i = q->first; i < n->nargs; i++) {
            int rc = az_group_has(run, n->args[i], run->user);
            if (rc != 0)
                return rc > 0 ? AZ_GRANTED : AZ_ERROR;
        }
        return AZ_DENIED;
    case REQ_IP:
        if (pfd_access_addr(r->conn->peer_ip, addr) != 0)
            return AZ_DENIED;
        for (size_t i = 0; i < q->ncidrs; i++)
            if (pfd_cidr_match(&q->cidrs[i], addr))
                return AZ_GRANTED;
        return AZ_DENIED;
    case REQ_LOCAL:
        return az_local(r) ? AZ_GRANTED : AZ_DENIED;
    case REQ_METHOD:
        return az_listed(n, q->first, r->method_name) ||
                       (strcmp(r->method_name, "HEAD") == 0 && az_listed(n, q->first, "GET"))
                   ? AZ_GRANTED
                   : AZ_DENIED;
    case REQ_SECTION:
        break;
    }
    return AZ_ERROR;
}

static enum az az_node(struct az_run *run, const struct pfd_ht_node *n);

/* mod_authz_core's combination of one more child's result cr into *result: AND (RequireAll)
 * stops at a denial, OR (RequireAny, RequireNone, the Require lines of a file) at a grant; a
 * denial that a user might change is "no user"; neutral counts for nothing. Whether to stop. */
static bool az_fold(enum az *result, enum az cr, bool and_op)
{
    if (cr == AZ_ERROR || (and_op ? cr == AZ_DENIED : cr == AZ_GRANTED)) {
        *result = cr;
        return true;
    }
    if (cr == AZ_NEUTRAL)
        return false;
    bool stronger = cr == AZ_NO_USER && (and_op ? *result != AZ_DENIED : *result == AZ_DENIED);
    if (stronger || *result == AZ_NEUTRAL)
        *result = cr;
    return false;
}

static enum az az_combine(struct az_run *run, const struct pfd_ht_node *c, size_t n, bool and_op)
{
    enum az result = AZ_NEUTRAL;
    for (size_t i = 0; i < n && !az_fold(&result, az_node(run, &c[i]), and_op); i++)
        ;
    return result;
}

static enum az az_node(struct az_run *run, const struct pfd_ht_node *n)
{
    const struct req *q = n->data;
    enum az result = q->kind == REQ_SECTION
                         ? az_combine(run, q->children, q->nchildren, q->op == REQ_ALL)
                         : az_line(run, n, q);
    if (q->negate || q->op == REQ_NONE) {
        /* a negation cannot grant: what it denies becomes neutral */
        if (result == AZ_GRANTED)
            result = AZ_DENIED;
        else if (result == AZ_DENIED || result == AZ_NO_USER)
            result = AZ_NEUTRAL;
    }
    return result;
}

/* The Require lines of the section in force, an implicit <RequireAny>. */
static enum az az_evaluate(struct az_run *run)
{
    enum az result = AZ_NEUTRAL;
    for (const struct pfd_ht_ref *e = run->a->require; e != NULL; e = e->next)
        if (az_fold(&result, az_node(run, e->node), false))
            break;
    return result;
}

/* ---- Order, Allow, Deny (mod_access_compat) ---------------------------------------------- */

struct hosts {
    struct pfd_cidr *v;
    size_t n;
};

static void hosts_free(void *data)
{
    struct hosts *h = data;
    if (h != NULL)
        free(h->v);
    free(h);
}

/* An IPv4 entry as Apache 2.2 wrote them: "10.1.2.3", a partial "10.1" or "10.1.", or with
 * "/bits" or "/255.255.0.0" (host bits are masked off, as Apache). 0 or -1. */
static int hosts_ipv4(const char *text, struct pfd_cidr *out)
{
    unsigned char b[4] = {0};
    unsigned nbytes = 0, bits;
    const char *p = text;
    while (*p >= '0' && *p <= '9' && nbytes < 4) {
        char *end;
        long v = strtol(p, &end, 10);
        if (v > 255 || end - p > 3)
            return -1;
        b[nbytes++] = (unsigned char)v;
        p = end;
        if (*p != '.')
            break;
        p++;
    }
    if (nbytes == 0)
        return -1;
    bits = nbytes * 8;
    if (*p == '/') {
        struct in_addr mask;
        char *end;
        long v = strtol(p + 1, &end, 10);
        if (strchr(p + 1, '.') != NULL) {
            if (inet_pton(AF_INET, p + 1, &mask) != 1)
                return -1;
            uint32_t m = ntohl(mask.s_addr);
            for (bits = 0; bits < 32 && (m & (0x80000000u >> bits)); bits++)
                ;
            if (bits < 32 && (m << bits) != 0)
                return -1; /* not contiguous */
        } else if (*end != '\0' || v < 0 || v > 32 || end == p + 1) {
            return -1;
        } else {
            bits = (unsigned)v;
        }
    } else if (*p != '\0') {
        return -1;
    }
    uint32_t v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    v &= bits == 0 ? 0 : 0xffffffffu << (32 - bits);
    memset(out, 0, sizeof(*out));
    out->addr[10] = out->addr[11] = 0xff; /* ::ffff:a.b.c.d (access.h) */
    for (unsigned i = 0; i < 4; i++)
        out->addr[12 + i] = (unsigned char)(v >> (24 - 8 * i));
    out->bits = 96 + bits;
    return 0;
}

static int hosts_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    if (n->nargs < 2 || strcasecmp(n->args[0], "from") != 0)
        return access_fail(err, err_size, "%s takes \"from\" and addresses", n->name);
    struct hosts *h = calloc(1, sizeof(*h));
    if (h == NULL || (h->v = calloc(n->nargs, sizeof(*h->v))) == NULL) {
        free(h);
        return access_fail(err, err_size, "%s: out of memory", n->name);
    }
    n->data = h;
    for (size_t i = 1; i < n->nargs; i++) {
        const char *a = n->args[i], *why = "not an address";
        if (strncasecmp(a, "env=", 4) == 0) {
            snprintf(err, err_size, "%s from %s: env= is not supported", n->name, a);
            return -1;
        }
        if (strcasecmp(a, "all") == 0 || strchr(a, ':') != NULL) {
            if (pfd_cidr_parse(strcasecmp(a, "all") == 0 ? "all" : a, &h->v[h->n], &why) == 0) {
                h->n++;
                continue;
            }
        } else if (hosts_ipv4(a, &h->v[h->n]) == 0) {
            h->n++;
            continue;
        } else if (strspn(a, "0123456789./") != strlen(a)) {
            why = "host names are not supported: preforkd does no DNS lookups (use addresses)";
        }
        snprintf(err, err_size, "%s from %s: %s", n->name, a, why);
        return -1;
    }
    return 0;
}

static int order_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    static const char *const orders[] = {"deny,allow", "allow,deny", "mutual-failure"};
    for (size_t i = 0; n->nargs == 1 && i < 3; i++)
        if (strcasecmp(n->args[0], orders[i]) == 0) {
            n->data = (void *)(i + 1); /* no allocation: the index, offset from NULL */
            return 0;
        }
    return access_fail(err, err_size, "%s takes one of deny,allow, allow,deny, mutual-failure",
                       n->name);
}

static int satisfy_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    if (n->nargs == 1 && (strcasecmp(n->args[0], "all") == 0 || strcasecmp(n->args[0], "any") == 0))
        return 0;
    return access_fail(err, err_size, "%s takes all or any", n->name);
}

/* mod_access_compat's settings belong to the last section that had any: a new one starts over. */
static struct pfd_ht_access *compat_of(struct pfd_ht_ctx *ctx)
{
    struct pfd_ht_access *a = &ctx->result->access;
    const void *section = ctx->section != NULL ? ctx->section : (const void *)a;
    if (a->compat_section != section) {
        a->compat_section = section;
        a->order = 0;
        a->satisfy = 0;
        a->allow = a->deny = NULL;
    }
    return a;
}

static struct pfd_ht_ref *access_ref(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n)
{
    struct pfd_ht_ref *ref = pfd_request_alloc(ctx->r, sizeof(*ref));
    *ref = (struct pfd_ht_ref){.node = n, .file = ctx->file};
    return ref;
}

static int order_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n)
{
    compat_of(ctx)->order = (int)((size_t)n->data - 1);
    return 0;
}

static int satisfy_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n)
{
    compat_of(ctx)->satisfy = strcasecmp(n->args[0], "any") == 0 ? 2 : 1;
    return 0;
}

static int hosts_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n)
{
    struct pfd_ht_access *a = compat_of(ctx);
    struct pfd_ht_ref *ref = access_ref(ctx, n),
                      **list = n->name[0] == 'A' || n->name[0] == 'a' ? &a->allow : &a->deny;
    ref->next = *list;
    *list = ref;
    return 0;
}

static bool compat_listed(const struct pfd_ht_ref *list, const unsigned char addr[16])
{
    for (; list != NULL; list = list->next) {
        const struct hosts *h = list->node->data;
        for (size_t i = 0; i < h->n; i++)
            if (pfd_cidr_match(&h->v[i], addr))
                return true;
    }
    return false;
}

/* mod_access_compat's check_dir_access: whether the host rules let the client in. */
static bool compat_allows(const struct pfd_request *r, const struct pfd_ht_access *a)
{
    unsigned char addr[16];
    if (pfd_access_addr(r->conn->peer_ip, addr) != 0)
        return a->allow == NULL && a->deny == NULL && a->order != 1 && a->order != 2;
    bool allow = compat_listed(a->allow, addr), deny = compat_listed(a->deny, addr);
    switch (a->order) {
    case 1: /* allow,deny */
        return allow && !deny;
    case 2: /* mutual-failure */
        return allow && !deny;
    default: /* deny,allow */
        return !deny || allow;
    }
}

/* ---- AuthType, AuthName, AuthUserFile, AuthGroupFile, AuthBasicProvider, AuthMerging ----- */

static int auth_one_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    if (n->nargs != 1)
        return access_fail(err, err_size, "%s takes one argument", n->name);
    const char *v = n->args[0];
    if (strcasecmp(n->name, "AuthType") == 0 && strcasecmp(v, "Basic") != 0 &&
        strcasecmp(v, "None") != 0)
        return access_fail(err, err_size,
                           "AuthType %s is not supported (preforkd has Basic and None)", v);
    if (strcasecmp(n->name, "AuthBasicProvider") == 0 && strcasecmp(v, "file") != 0)
        return access_fail(err, err_size, "AuthBasicProvider %s is not supported (only file)", v);
    if (strcasecmp(n->name, "AuthMerging") == 0 && strcasecmp(v, "Off") != 0)
        return access_fail(err, err_size, "AuthMerging %s is not supported (only Off)", v);
    return 0;
}

static int auth_one_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n)
{
    struct pfd_ht_access *a = &ctx->result->access;
    const char *v = n->args[0];
    if (strcasecmp(n->name, "AuthType") == 0)
        a->auth_type = v;
    else if (strcasecmp(n->name, "AuthName") == 0)
        a->auth_name = v;
    else if (strcasecmp(n->name, "AuthUserFile") == 0)
        a->auth_user_file = v;
    else if (strcasecmp(n->name, "AuthGroupFile") == 0)
        a->auth_group_file = v;
    return 0; /* AuthBasicProvider file, AuthMerging Off: what preforkd does anyway */
}

static int req_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n)
{
    struct pfd_ht_access *a = &ctx->result->access;
    const void *section = ctx->section != NULL ? ctx->section : (const void *)a;
    if (a->authz_section != section) { /* AuthMerging Off: this section's lines replace */
        a->authz_section = section;
        a->require = NULL;
        a->require_end = &a->require;
    }
    struct pfd_ht_ref *ref = access_ref(ctx, n);
    *a->require_end = ref;
    a->require_end = &ref->next;
    return 0;
}

static const struct pfd_ht_directive access_directives[] = {
    {"AuthType", PFD_OVERRIDE_AUTHCONFIG, false, auth_one_compile, auth_one_apply, NULL},
    {"AuthName", PFD_OVERRIDE_AUTHCONFIG, false, auth_one_compile, auth_one_apply, NULL},
    {"AuthUserFile", PFD_OVERRIDE_AUTHCONFIG, false, auth_one_compile, auth_one_apply, NULL},
    {"AuthGroupFile", PFD_OVERRIDE_AUTHCONFIG, false, auth_one_compile, auth_one_apply, NULL},
    {"AuthBasicProvider", PFD_OVERRIDE_AUTHCONFIG, false, auth_one_compile, auth_one_apply, NULL},
    {"AuthMerging", PFD_OVERRIDE_AUTHCONFIG, false, auth_one_compile, auth_one_apply, NULL},
    {"Require", PFD_OVERRIDE_AUTHCONFIG, false, req_top_compile, req_apply, req_free},
    {"RequireAll", PFD_OVERRIDE_AUTHCONFIG, true, req_top_compile, req_apply, req_free},
    {"RequireAny", PFD_OVERRIDE_AUTHCONFIG, true, req_top_compile, req_apply, req_free},
    {"RequireNone", PFD_OVERRIDE_AUTHCONFIG, true, req_top_compile, req_apply, req_free},
    {"Satisfy", PFD_OVERRIDE_AUTHCONFIG, false, satisfy_compile, satisfy_apply, NULL},
    {"Order", PFD_OVERRIDE_LIMIT, false, order_compile, order_apply, NULL},
    {"Allow", PFD_OVERRIDE_LIMIT, false, hosts_compile, hosts_apply, hosts_free},
    {"Deny", PFD_OVERRIDE_LIMIT, false, hosts_compile, hosts_apply, hosts_free},
    {.name = NULL},
};

const struct pfd_ht_directive *pfd_ht_access_directives(void)
{
    return access_directives;
}

/* ---- the decision -------------------------------------------------------------------------- */

static int access_trace(struct pfd_ht_ctx *ctx, int status, const char *why)
{
    if (ctx->trace != NULL)
        fprintf(ctx->trace, "htaccess access: %s%s\n", why,
                status == 0     ? ""
                : status == 401 ? " (401)"
                : status == 403 ? " (403)"
                                : " (500)");
    return status;
}

/* 401 with the challenge of AuthName. */
static int access_challenge(struct pfd_ht_ctx *ctx)
{
    struct pfd_request *r = ctx->r;
    const char *name = ctx->result->access.auth_name;
    size_t len = strlen(name);
    char *quoted = pfd_request_alloc(r, 2 * len + 1), *q = quoted;
    for (size_t i = 0; i < len; i++) {
        if (name[i] == '"' || name[i] == '\\')
            *q++ = '\\';
        *q++ = name[i];
    }
    *q = '\0';
    r->auth_challenge = pfd_request_printf(r, "Basic realm=\"%s\"", quoted);
    if (ctx->trace == NULL)
        pfd_response_header(r, "WWW-Authenticate", r->auth_challenge);
    return 401;
}

/* Basic authentication against AuthUserFile: 0 (run->user set), 401 or 500. */
static int access_authenticate(struct pfd_ht_ctx *ctx, struct az_run *run)
{
    struct pfd_request *r = ctx->r;
    const struct pfd_ht_access *a = run->a;
    if (a->auth_type == NULL || strcasecmp(a->auth_type, "Basic") != 0 || a->auth_name == NULL ||
        a->auth_user_file == NULL) {
        pfd_log(PFD_LOG_ERR, "\"%s\": .htaccess needs a user but %s is not set", r->path,
                a->auth_type == NULL || strcasecmp(a->auth_type, "Basic") != 0 ? "AuthType Basic"
                : a->auth_name == NULL                                         ? "AuthName"
                                                                               : "AuthUserFile");
        return access_trace(ctx, 500, "a user is needed, but authentication is not configured");
    }
    if (ctx->trace != NULL) {
        fprintf(ctx->trace, "htaccess auth: Basic realm \"%s\", users from %s\n", a->auth_name,
                az_path(r, a->auth_user_file));
        return access_challenge(ctx);
    }
    char user[PFD_AUTH_MAX_USER + 1], password[PFD_AUTH_MAX_PASSWORD + 1];
    if (pfd_auth_basic_decode(pfd_request_header(r, "Authorization"), user, password) != 0)
        return access_challenge(ctx);
    const char *file = az_path(r, a->auth_user_file);
    int ok = pfd_auth_request(r, file, user, password);
    explicit_bzero(password, sizeof(password));
    if (ok == -1) {
        pfd_log(PFD_LOG_ERR, "AuthUserFile: open() \"%s\" failed: %s", file, strerror(errno));
        return 500;
    }
    if (ok == 0) {
        pfd_log(PFD_LOG_NOTICE, "user \"%s\" from %s: authentication failure for \"%s\"", user,
                r->conn->peer_ip, r->path);
        return access_challenge(ctx);
    }
    run->user = r->remote_user;
    return 0;
}

int pfd_ht_access_check(struct pfd_ht_ctx *ctx)
{
    struct pfd_request *r = ctx->r;
    const struct pfd_ht_access *a = &ctx->result->access;
    struct az_run run = {.r = r, .a = a};
    bool hosts_ok = compat_allows(r, a);
    if (a->satisfy == 2 && hosts_ok)
        return access_trace(ctx, 0, "granted by Order/Allow/Deny (Satisfy Any)");
    if (a->satisfy != 2 && !hosts_ok) {
        pfd_log(PFD_LOG_INFO, "client %s denied by .htaccess (Order/Allow/Deny): %s",
                r->conn->peer_ip, r->path);
        return access_trace(ctx, 403, "denied by Order/Allow/Deny");
    }
    if (a->require == NULL)
        return a->compat_section != NULL ? access_trace(ctx, 0, "granted") : 0;
    enum az result = az_evaluate(&run);
    if (result == AZ_NO_USER) {
        int rc = access_authenticate(ctx, &run);
        if (rc != 0)
            return rc;
        result = az_evaluate(&run);
        if (result != AZ_GRANTED && result != AZ_ERROR) {
            pfd_log(PFD_LOG_NOTICE, "user \"%s\": authorization failure for \"%s\"", run.user,
                    r->path);
            return access_challenge(ctx);
        }
    }
    if (result == AZ_ERROR)
        return access_trace(ctx, 500, "Require failed (see the error log)");
    if (result != AZ_GRANTED) {
        pfd_log(PFD_LOG_INFO, "client %s denied by .htaccess (Require): %s", r->conn->peer_ip,
                r->path);
        return access_trace(ctx, 403, "denied by Require");
    }
    return access_trace(ctx, 0, run.user != NULL ? "granted (user)" : "granted by Require");
}
