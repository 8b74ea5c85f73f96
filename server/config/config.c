/*
 * config.c — reads preforkd.conf with libconfuse, checks it, and copies it into struct
 * pfd_config once, before the first fork. This file drives a load; the parts it calls have their
 * own files (config_load.c keeps the load's error report and shared helpers):
 *
 *  1. config_text.c reads the file, blanks its comments (keeping every newline) and finds the
 *     top-level `location "…" {` and `module "…" {` headers, so that every "FILE:LINE:" is exact.
 *  2. config_parse.c parses the core directives with every module body blanked (pass 1): a
 *     module's options are unknown until the module is loaded. Each value is checked as it is
 *     parsed (config_value.c) and its line kept for the checks that need it later.
 *  3. The table of directives (config_directives.c) copies the tree into the typed struct;
 *     then come the checks that span several directives or touch the file system.
 *  4. The modules are loaded from module_dir (module_load.c). Each `module "x"` section is then
 *     parsed again, alone (the other module bodies blanked), with module x's option table
 *     (pass 2): unknown options, types, defaults and the module's own validators are exactly
 *     that module's.
 *  5. config_route.c builds the locations (the top level's and each vhost's: pattern forms,
 *     rewrites, redirects, access rules …) and the vhosts; config_mime.c reads mime.types.
 */
#include "config/config.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "config/config_directives.h"
#include "config/config_load.h"
#include "config/config_mime.h"
#include "config/config_parse.h"
#include "config/config_route.h"
#include "config/config_text.h"
#include "config/config_tls.h"
#include "config/config_value.h"
#include "config/logs.h"
#include "config/module_load.h"
#include "parse/proxy_protocol.h"

#define CONFIG_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- copying into struct pfd_config ------------------------------------------------------ */

static void *config_field(struct pfd_config *conf, size_t offset)
{
    return (char *)conf + offset;
}

static int config_copy_list(struct pfd_config *conf, const struct config_directive *d,
                            cfg_opt_t *opt)
{
    size_t n = cfg_opt_size(opt);
    char **list = calloc(n + 1, sizeof(*list)); /* NULL-terminated as well */
    if (list == NULL)
        return -1;
    *(char ***)config_field(conf, d->offset) = list;
    for (size_t i = 0; i < n; i++) {
        list[i] = strdup(cfg_opt_getnstr(opt, (unsigned)i));
        if (list[i] == NULL)
            return -1;
        (*(size_t *)config_field(conf, d->count_offset))++;
    }
    return 0;
}

/* The generic copier: one directive from its section of the tree to its field. */
static int config_copy(struct pfd_config *conf, const struct config_directive *d)
{
    if (d->copy == COPY_NONE)
        return 0;
    cfg_t *sec = d->section != NULL ? cfg_getsec(conf->cfg, d->section) : conf->cfg;
    cfg_opt_t *opt = cfg_getopt(sec, d->opt.name);
    void *field = config_field(conf, d->offset);
    const char *s = d->opt.type == CFGT_STR ? cfg_opt_getnstr(opt, 0) : NULL;
    switch (d->copy) {
    case COPY_NONE:
        break;
    case COPY_INT:
        *(int *)field = (int)cfg_opt_getnint(opt, 0);
        return 0;
    case COPY_BOOL:
        *(bool *)field = cfg_opt_getnbool(opt, 0) == cfg_true;
        return 0;
    case COPY_LIST:
        return config_copy_list(conf, d, opt);
    case COPY_STR:
    case COPY_PATH:
    case COPY_LOG:
        if (s == NULL) /* CFGF_NODEFAULT and not set */
            return 0;
        *(char **)field =
            d->copy == COPY_STR ? strdup(s) : config_path(conf, s, d->copy == COPY_LOG);
        return *(char **)field != NULL ? 0 : -1;
    }
    return 0;
}

/* listen's addresses, then tls_listen's (marked tls). listen's default (127.0.0.1:8080) is for
 * a config that names no address: one that names only tls_listen addresses gets no plain HTTP
 * listener it did not ask for (nor a start-up failure when 8080 is taken). */
static int config_copy_listens(const struct config_load *ld)
{
    struct pfd_config *conf = ld->conf;
    cfg_opt_t *opt = cfg_getopt(conf->cfg, "listen");
    bool listen_written = config_line(ld, NULL, "listen", 0) > 0;
    size_t nplain = listen_written || conf->ntls_listen == 0 ? cfg_opt_size(opt) : 0;
    size_t n = nplain + conf->ntls_listen;
    conf->listens = calloc(n > 0 ? n : 1, sizeof(*conf->listens));
    if (conf->listens == NULL)
        return -1;
    for (size_t i = 0; i < n; i++) {
        struct pfd_listen *l = &conf->listens[i];
        l->fd = -1;
        l->tls = i >= nplain;
        l->text = strdup(l->tls ? conf->tls_listen[i - nplain] : cfg_opt_getnstr(opt, (unsigned)i));
        if (l->text == NULL)
            return -1;
        conf->nlistens++;
        pfd_config_parse_listen(l->text, &l->addr, &l->addr_len); /* checked while parsed */
    }
    return 0;
}

/* The line of listens[i]: its listen or tls_listen entry. */
static int config_listen_line(const struct config_load *ld, size_t i)
{
    size_t nplain = ld->conf->nlistens - ld->conf->ntls_listen;
    return i < nplain ? config_line(ld, NULL, "listen", i)
                      : config_line(ld, NULL, "tls_listen", i - nplain);
}

/* The directive that made listens[i], for messages. */
static const char *config_listen_name(const struct pfd_listen *l)
{
    return l->tls ? "tls_listen" : "listen";
}

/* Marks the listeners named in proxy_protocol; an entry that names none is an error. */
static void config_mark_proxy_listens(struct config_load *ld)
{
    struct pfd_config *conf = ld->conf;
    for (size_t i = 0; i < conf->nproxy_protocol; i++) {
        struct pfd_listen want;
        bool found = false;
        if (pfd_config_parse_listen(conf->proxy_protocol[i], &want.addr, &want.addr_len) != 0)
            continue; /* reported while parsed */
        for (size_t j = 0; j < conf->nlistens; j++) {
            struct pfd_listen *l = &conf->listens[j];
            bool same = l->addr_len == want.addr_len && !memcmp(&l->addr, &want.addr, l->addr_len);
            if (same)
                found = l->proxy_protocol = true;
        }
        if (!found)
            config_error(ld, config_line(ld, NULL, "proxy_protocol", i),
                         "proxy_protocol \"%s\": not one of the listen or tls_listen addresses",
                         conf->proxy_protocol[i]);
    }
}

/* server_name, server_admin and group when not given; the limits body size, log level and
 * workers' scheduling. */
static int config_copy_derived(struct pfd_config *conf)
{
    cfg_t *cfg = conf->cfg;
    conf->log_level = config_log_level_of(cfg_getstr(cfg, "log_level"));
    conf->follow_symlinks =
        (enum pfd_symlinks)config_symlinks_of(cfg_getstr(cfg, "follow_symlinks"));
    conf->prefork.scheduling = (enum pfd_scheduling)config_scheduling_of(
        cfg_getstr(cfg_getsec(cfg, "prefork"), "scheduling"));
    conf->allow_override = config_route_overrides(cfg, 0);
    conf->limits.body = pfd_size_parse(cfg_getstr(cfg_getsec(cfg, "limits"), "body"));
    if (conf->server_name == NULL) {
        char host[HOST_NAME_MAX + 1] = "";
        if (gethostname(host, sizeof(host)) == -1 || host[0] == '\0')
            snprintf(host, sizeof(host), "localhost");
        host[HOST_NAME_MAX] = '\0';
        if ((conf->server_name = strdup(host)) == NULL)
            return -1;
    }
    if (conf->server_admin == NULL) {
        size_t n = strlen("webmaster@") + strlen(conf->server_name) + 1;
        if ((conf->server_admin = malloc(n)) == NULL)
            return -1;
        snprintf(conf->server_admin, n, "webmaster@%s", conf->server_name);
    }
    if (conf->group == NULL) { /* the user's primary group, when the user exists */
        struct passwd *pw = getpwnam(conf->user);
        struct group *gr = pw != NULL ? getgrgid(pw->pw_gid) : NULL;
        if (gr != NULL && (conf->group = strdup(gr->gr_name)) == NULL)
            return -1;
    }
    return 0;
}

static int config_fill(struct config_load *ld)
{
    struct pfd_config *conf = ld->conf;
    for (size_t i = 0; i < config_ndirectives; i++) {
        if (config_copy(conf, &config_directives[i]) == -1)
            return config_oom(ld);
    }
    if (config_copy_listens(ld) == -1 || config_copy_derived(conf) == -1)
        return config_oom(ld);
    if (conf->nlistens == 0)
        config_error(ld, 0, "listen, tls_listen: at least one address is needed");
    config_mark_proxy_listens(ld);
    /* Parsed here, once, not for every request from a proxy (each entry was checked as read). */
    const char *why;
    size_t bad;
    if (pfd_cidr_list_parse(conf->trusted_proxies, conf->ntrusted_proxies, &conf->trusted_cidrs,
                            &why, &bad) != 0 &&
        why == NULL)
        return config_oom(ld); /* a bad entry was reported with its line as it was read */
    return 0;
}

/* ---- checks across directives and against the system ------------------------------------- */

static int config_max(int a, int b)
{
    return a > b ? a : b;
}

/* "a (N) is greater than b (M)", on the later of the two lines (the one that broke it). */
static void config_check_order(struct config_load *ld, const char *section, const char *a, int va,
                               const char *b, int vb)
{
    if (va <= vb)
        return;
    int line = config_max(config_line(ld, section, a, 0), config_line(ld, section, b, 0));
    config_error(ld, line, "%s (%d) is greater than %s (%d)", a, va, b, vb);
}

static void config_check_listen_dupes(struct config_load *ld)
{
    const struct pfd_config *conf = ld->conf;
    for (size_t i = 0; i < conf->nlistens; i++) {
        for (size_t j = 0; j < i; j++) {
            const struct pfd_listen *a = &conf->listens[i], *b = &conf->listens[j];
            if (a->addr_len == b->addr_len && memcmp(&a->addr, &b->addr, a->addr_len) == 0)
                config_error(ld, config_listen_line(ld, i), "%s \"%s\": the same address as \"%s\"",
                             config_listen_name(a), a->text, b->text);
        }
    }
}

/* document_root: absolute, symlinks and dots resolved, no trailing '/'. */
static int config_document_root(struct config_load *ld)
{
    struct pfd_config *conf = ld->conf;
    int line = config_line(ld, NULL, "document_root", 0);
    char *path = config_path(conf, cfg_getstr(conf->cfg, "document_root"), false);
    if (path == NULL)
        return config_oom(ld);
    if (config_check_folder(ld, line, "document_root", path) == 0)
        conf->document_root = realpath(path, NULL);
    free(path);
    return 0;
}

/* Workers that run as root would give every request (and every CGI script) the whole machine;
 * Apache refuses `User root` at start for the same reason. Refused whoever starts the server, so
 * that -t as a normal user already says it; allow_root_workers = true is the explicit way out. */
static void config_check_root_workers(struct config_load *ld)
{
    const struct pfd_config *conf = ld->conf;
    struct passwd *pw = getpwnam(conf->user);
    if (conf->allow_root_workers || pw == NULL || pw->pw_uid != 0)
        return;
    int line = config_line(ld, NULL, "user", 0);
    config_error(ld, line,
                 "user \"%s\": the workers would run as root (uid 0), serving every request with "
                 "full privileges; name an unprivileged user, or set allow_root_workers = true",
                 conf->user);
}

/* The ids of user, group and user's supplementary groups into conf->run_as. 0, or -1 when
 * memory or the group database fails. */
static int config_resolve_run_as(struct pfd_config *conf, uid_t uid, gid_t gid)
{
    int n = 32;
    gid_t *groups = NULL;
    for (int round = 0; round < 8; round++) {
        gid_t *more = realloc(groups, (size_t)n * sizeof(*groups));
        if (more == NULL)
            break;
        groups = more;
        int got = n;
        if (getgrouplist(conf->user, gid, groups, &got) >= 0) {
            conf->run_as.uid = uid;
            conf->run_as.gid = gid;
            conf->run_as.groups = groups;
            conf->run_as.ngroups = got;
            conf->run_as.resolved = true;
            return 0;
        }
        n = got > n ? got : n * 2; /* too small: got says how many there are */
    }
    free(groups);
    return -1;
}

/* As root, the workers switch to user/group: they must exist. */
static void config_check_user(struct config_load *ld)
{
    struct pfd_config *conf = ld->conf;
    config_check_root_workers(ld);
    if (geteuid() != 0)
        return;
    struct passwd *pw = getpwnam(conf->user);
    uid_t uid = pw != NULL ? pw->pw_uid : 0;
    struct group *gr = pw != NULL && conf->group != NULL ? getgrnam(conf->group) : NULL;
    if (pw == NULL)
        config_error(ld, config_line(ld, NULL, "user", 0), "user \"%s\": no such user", conf->user);
    else if (gr == NULL)
        config_error(ld, config_line(ld, NULL, "group", 0), "group \"%s\": no such group",
                     conf->group != NULL ? conf->group : "(the user's primary group)");
    else if (config_resolve_run_as(conf, uid, gr->gr_gid) != 0)
        config_error(ld, config_line(ld, NULL, "user", 0),
                     "user \"%s\": its supplementary groups cannot be read", conf->user);
}

static int config_check_core(struct config_load *ld)
{
    const struct pfd_config *conf = ld->conf;
    config_check_order(ld, "prefork", "start_servers", conf->prefork.start_servers, "max_workers",
                       conf->prefork.max_workers);
    config_check_order(ld, "prefork", "min_spare_servers", conf->prefork.min_spare_servers,
                       "max_spare_servers", conf->prefork.max_spare_servers);
    config_check_listen_dupes(ld);
    config_check_user(ld);
    return config_document_root(ld);
}

/* ---- chroot -------------------------------------------------------------------------------- */

/* A path the workers open at request time, made as seen inside the jail: it must be the jail
 * folder or under it, and loses the jail's prefix in place ("/srv/jail/htdocs" → "/htdocs"), so
 * every pointer that shares it (a vhost's view) sees the same. Says why and returns -1 if not. */
static int config_jail_path(struct config_load *ld, int line, const char *name, char *path)
{
    size_t n = strlen(ld->conf->chroot);
    if (path == NULL)
        return 0;
    if (strncmp(path, ld->conf->chroot, n) != 0 || (path[n] != '/' && path[n] != '\0')) {
        config_error(ld, line, "%s \"%s\": not inside the chroot folder \"%s\"", name, path,
                     ld->conf->chroot);
        return -1;
    }
    if (path[n] == '\0')
        strcpy(path, "/");
    else
        memmove(path, path + n, strlen(path + n) + 1);
    return 0;
}

/* chroot: only root may chroot(), so it is refused otherwise; the folder is resolved and every
 * path read at request time must lie inside it. Paths the master opens (logs, modules, mime
 * types, the pid file) are not affected: it never enters the jail. */
static int config_jail(struct config_load *ld)
{
    struct pfd_config *conf = ld->conf;
    if (conf->chroot == NULL)
        return 0;
    int line = config_line(ld, NULL, "chroot", 0);
    if (geteuid() != 0) {
        config_error(ld, line, "chroot \"%s\": needs the server to be started as root",
                     conf->chroot);
        return -1;
    }
    if (config_check_folder(ld, line, "chroot", conf->chroot) == -1)
        return -1;
    char *real = realpath(conf->chroot, NULL);
    if (real == NULL)
        return config_oom(ld);
    free(conf->chroot);
    conf->chroot = real;
    if (strcmp(real, "/") == 0)
        return 0; /* nothing to strip */
    config_jail_path(ld, config_line(ld, NULL, "document_root", 0), "document_root",
                     conf->document_root);
    for (size_t i = 0; i < conf->nvhosts; i++)
        config_jail_path(ld, conf->vhosts[i].line, "document_root", conf->vhosts[i].document_root);
    for (size_t i = 0; i < conf->nlocations; i++) {
        config_jail_path(ld, conf->locations[i].line, "alias", conf->locations[i].alias);
        config_jail_path(ld, conf->locations[i].line, "auth_user_file",
                         conf->locations[i].auth_user_file);
    }
    return 0;
}

/* The runtime check: every address can be bound now. SO_REUSEADDR as the server sets it, so a
 * port left in TIME_WAIT by a previous run passes; a port someone listens on does not. */
static void config_check_bind(struct config_load *ld, size_t i)
{
    const struct pfd_listen *l = &ld->conf->listens[i];
    int line = config_listen_line(ld, i);
    const char *name = config_listen_name(l);
    int fd = socket(l->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd == -1) {
        config_error(ld, line, "%s \"%s\": socket() failed: %s", name, l->text, strerror(errno));
        return;
    }
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    if (l->addr.ss_family == AF_INET6) /* so "[::]:80" and "*:80" can both be used */
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
    if (bind(fd, (const struct sockaddr *)&l->addr, l->addr_len) == -1) {
        if (errno == EADDRINUSE && ld->checks == PFD_CONFIG_CHECK_TEST)
            config_warning(ld, line,
                           "%s \"%s\": address already in use (fine when the server this "
                           "config is for is running: a reload keeps its sockets)",
                           name, l->text);
        else if (errno == EADDRINUSE)
            config_error(ld, line, "%s \"%s\": address already in use", name, l->text);
        else
            config_error(ld, line, "%s \"%s\": bind() failed: %s", name, l->text, strerror(errno));
    }
    close(fd);
}

/* ---- files the master writes ---------------------------------------------------------------- */

/* A file the master will open for writing at start (a log, the pid file): its folder must exist
 * and be writable, and the file, when it exists, writable; else start-up would fail after -t
 * said OK. "-" and "| command" are not files. Says why (at line) when not. */
static void config_check_writable(struct config_load *ld, int line, const char *name,
                                  const char *path)
{
    if (path == NULL || strcmp(path, "-") == 0 || path[0] == '|')
        return;
    char *folder = strdup(path);
    if (folder == NULL) {
        config_oom(ld);
        return;
    }
    char *slash = strrchr(folder, '/');
    if (slash != NULL)
        slash[slash == folder ? 1 : 0] = '\0';
    struct stat st;
    if (stat(folder, &st) == -1)
        config_error(ld, line, "%s \"%s\": its folder \"%s\": %s", name, path, folder,
                     strerror(errno));
    else if (!S_ISDIR(st.st_mode))
        config_error(ld, line, "%s \"%s\": \"%s\" is not a folder", name, path, folder);
    else if (access(path, F_OK) == 0 ? access(path, W_OK) == -1 : access(folder, W_OK | X_OK) == -1)
        config_error(ld, line, "%s \"%s\": cannot be written: %s", name, path, strerror(errno));
    free(folder);
}

/* The logs (the top level's and each vhost's) and the pid file. */
static void config_check_written_files(struct config_load *ld)
{
    const struct pfd_config *conf = ld->conf;
    config_check_writable(ld, config_line(ld, NULL, "error_log", 0), "error_log", conf->error_log);
    config_check_writable(ld, config_line(ld, NULL, "access_log", 0), "access_log",
                          conf->access_log);
    config_check_writable(ld, config_line(ld, NULL, "pid_file", 0), "pid_file", conf->pid_file);
    for (size_t i = 0; i < conf->nvhosts; i++) {
        const struct pfd_vhost *vh = &conf->vhosts[i];
        config_check_writable(ld, vh->line, "error_log", vh->error_log);
        config_check_writable(ld, vh->line, "access_log", vh->access_log);
    }
}

/* ---- modules ----------------------------------------------------------------------------- */

static size_t config_module_find(const struct pfd_config *conf, const char *name)
{
    for (size_t i = 0; i < conf->nloaded; i++) {
        if (strcmp(conf->loaded[i].module->name, name) == 0)
            return i;
    }
    return SIZE_MAX;
}

/* dlopen()s `modules` in order into conf->loaded. */
static int config_load_modules(struct config_load *ld)
{
    struct pfd_config *conf = ld->conf;
    int dir_line = config_line(ld, NULL, "module_dir", 0);
    if (conf->nmodules == 0 && dir_line == 0)
        return 0; /* no modules: the default module_dir need not exist */
    if (config_check_folder(ld, dir_line, "module_dir", conf->module_dir) == -1)
        return 0;
    conf->loaded = calloc(conf->nmodules + 1, sizeof(*conf->loaded));
    if (conf->loaded == NULL)
        return config_oom(ld);
    for (size_t i = 0; i < conf->nmodules; i++) {
        const char *name = conf->modules[i];
        int line = config_line(ld, NULL, "modules", i);
        char why[CONFIG_MSG_MAX / 2];
        bool twice = false;
        for (size_t j = 0; j < i; j++)
            twice = twice || strcmp(conf->modules[j], name) == 0;
        if (twice) {
            config_error(ld, line, "module \"%s\" is listed twice", name);
            continue;
        }
        if (pfd_module_open(conf->module_dir, name, &conf->loaded[conf->nloaded], why,
                            sizeof(why)) == -1) {
            config_error(ld, line, "%s", why);
            continue;
        }
        conf->nloaded++;
    }
    return 0;
}

/* Pass 2, once per `module "x"` section: the file again, only that module body left, with
 * module x's option table. Its tree is kept: the module reads its section from it. */
static int config_parse_module(struct config_load *ld, size_t header, cfg_t *shell)
{
    struct pfd_config *conf = ld->conf;
    const char *title = cfg_title(shell);
    int line = ld->text.headers[header].line;
    size_t m = config_module_find(conf, title);
    if (m == SIZE_MAX) {
        if (!config_module_listed(conf, title))
            config_error(ld, line, "module \"%s\" is not in modules, so this section is unused",
                         title);
        return 0; /* listed but not loaded: already reported */
    }
    struct pfd_loaded_module *lm = &conf->loaded[m];
    cfg_opt_t none[] = {CFG_END()};
    cfg_opt_t *opts = lm->module->options != NULL ? lm->module->options : none;
    lm->line = line;
    lm->cfg = config_parse(ld, config_text_for_parse(&ld->text, header, false), false, opts, NULL);
    if (lm->cfg != NULL)
        lm->section = cfg_gettsec(lm->cfg, "module", title);
    return 0;
}

static int config_parse_modules(struct config_load *ld)
{
    cfg_t *cfg = ld->conf->cfg;
    size_t n = 0;
    for (size_t h = 0; h < ld->text.nheaders; h++) {
        if (ld->text.headers[h].kind == HEADER_MODULE)
            config_parse_module(ld, h, cfg_getnsec(cfg, "module", (unsigned)n++));
    }
    return 0;
}

/* ---- locations --------------------------------------------------------------------------- */

/* The location options every loaded module declares, gathered for the location sections; a name
 * declared twice (or the core's own "handler") is an error, since a location could not say whose
 * it is. Then the core text is parsed again with the location bodies. */
static int config_location_options(struct config_load *ld)
{
    struct pfd_config *conf = ld->conf;
    size_t n = 0;
    for (size_t m = 0; m < conf->nloaded; m++)
        for (const cfg_opt_t *o = conf->loaded[m].module->location_options; o && o->name; o++)
            n++;
    cfg_opt_t *extra = calloc(n + 1, sizeof(*extra));
    size_t *owner = calloc(n + 1, sizeof(*owner));
    if (extra == NULL || owner == NULL) {
        free(extra);
        free(owner);
        return config_oom(ld);
    }
    size_t k = 0;
    for (size_t m = 0; m < conf->nloaded; m++) {
        const struct pfd_module *mod = conf->loaded[m].module;
        for (const cfg_opt_t *o = mod->location_options; o && o->name; o++) {
            size_t j = 0;
            while (j < k && strcmp(extra[j].name, o->name) != 0)
                j++;
            if (j < k || strcmp(o->name, "handler") == 0)
                config_error(ld, 0, "module \"%s\": location option \"%s\" is also %s", mod->name,
                             o->name, j < k ? conf->loaded[owner[j]].module->name : "the core's");
            else {
                owner[k] = m;
                extra[k++] = *o;
            }
        }
    }
    int rc = ld->nerrors > 0 ? -1 : config_parse_locations(ld, extra);
    free(extra);
    free(owner);
    return rc;
}

/* ---- mime.types -------------------------------------------------------------------------- */

/* A bad line of mime.types, reported against that file. */
static void config_mime_bad_line(void *ctx, const char *path, int line, const char *why)
{
    config_error_in(ctx, path, line, "%s", why);
}

/* The built-in table, with a warning: -t prints it, start-up logs it. */
static int config_mime_types_builtin(struct config_load *ld, const char *beside)
{
    struct pfd_config *conf = ld->conf;
    if (config_mime_builtin(&conf->mime_types, &conf->nmime_types) == -1)
        return config_oom(ld);
    config_warning(ld, 0,
                   "no mime_types given, and neither \"%s\" nor \"%s\" exists: using a built-in "
                   "table of %zu common extensions (html, css, js, png …); others get "
                   "default_type \"%s\"",
                   beside, CONFIG_MIME_SYSTEM_FILE, conf->nmime_types, conf->default_type);
    return 0;
}

/* mime_types as given; else "mime.types" beside the config file, else /etc/mime.types, else the
 * built-in table (a warning says so: without any, every file would be default_type). */
static int config_mime_types(struct config_load *ld)
{
    struct pfd_config *conf = ld->conf;
    const char *given = cfg_getstr(conf->cfg, "mime_types");
    char *path = config_path(conf, given != NULL ? given : "mime.types", false);
    if (path == NULL)
        return config_oom(ld);
    const char *candidates[] = {path, CONFIG_MIME_SYSTEM_FILE};
    const char *pick = given != NULL ? path : config_mime_pick(candidates, 2);
    if (pick == NULL) {
        int rc = config_mime_types_builtin(ld, path);
        free(path);
        return rc;
    }
    conf->mime_types_file = strdup(pick);
    free(path);
    if (conf->mime_types_file == NULL)
        return config_oom(ld);
    if (config_mime_read(conf->mime_types_file, config_mime_bad_line, ld, &conf->mime_types,
                         &conf->nmime_types) == 0)
        return 0;
    if (errno == ENOMEM)
        return config_oom(ld);
    config_error(ld, config_line(ld, NULL, "mime_types", 0), "mime_types \"%s\": %s",
                 conf->mime_types_file, strerror(errno));
    return 0;
}

/* ---- load and free ----------------------------------------------------------------------- */

/* conf->file as given, conf->dir the absolute folder of it. */
static int config_start(struct config_load *ld, const char *file)
{
    struct pfd_config *conf = ld->conf;
    conf->file = strdup(file);
    const char *slash = strrchr(file, '/');
    char *folder = slash == NULL ? strdup(".") : strndup(file, (size_t)(slash - file));
    if (conf->file == NULL || folder == NULL) {
        free(folder);
        return config_oom(ld);
    }
    conf->dir = realpath(folder[0] != '\0' ? folder : "/", NULL);
    if (conf->dir == NULL)
        config_error(ld, 0, "cannot resolve its folder \"%s\": %s", folder, strerror(errno));
    free(folder);
    if (conf->dir == NULL)
        return -1;
    struct config_text_error e;
    if (config_text_read(&ld->text, ld->file, &e) == -1) {
        config_error(ld, e.line, "%s", e.why);
        return -1;
    }
    return 0;
}

static void config_load_free(struct config_load *ld)
{
    for (size_t i = 0; i < config_ndirectives; i++)
        free(ld->lines[i].line);
    free(ld->lines);
    free(ld->seclines);
    config_text_free(&ld->text);
}

struct pfd_config *pfd_config_load(const char *file, enum pfd_config_checks checks, char *err,
                                   size_t err_size)
{
    struct config_load ld = {.file = file, .err = err, .err_size = err_size, .checks = checks};
    if (err_size > 0)
        err[0] = '\0';
    ld.conf = calloc(1, sizeof(*ld.conf));
    ld.lines = calloc(config_ndirectives, sizeof(*ld.lines));
    if (ld.conf == NULL || ld.lines == NULL) {
        config_oom(&ld);
        free(ld.conf);
        free(ld.lines);
        return NULL;
    }
    /* Each step runs while the ones before could finish; a step returns -1 when what follows
     * cannot run, and records its errors either way so that one run reports them all. */
    if (config_start(&ld, file) == 0 && config_parse_core(&ld) == 0 && config_fill(&ld) == 0 &&
        config_check_core(&ld) == 0 && config_load_modules(&ld) == 0 &&
        config_location_options(&ld) == 0 && config_parse_modules(&ld) == 0 &&
        config_routes(&ld) == 0 && config_tls(&ld) == 0 && config_mime_types(&ld) == 0 &&
        config_route_views(&ld) == 0 && config_jail(&ld) == 0 && checks != PFD_CONFIG_PARSE_ONLY) {
        for (size_t i = 0; i < ld.conf->nlistens; i++)
            config_check_bind(&ld, i);
        config_check_written_files(&ld);
    }
    ld.conf->option_lines = ld.seclines; /* they name sections of trees conf keeps */
    ld.conf->noption_lines = ld.nseclines;
    ld.seclines = NULL;
    config_load_free(&ld);
    if (ld.nerrors > 0) {
        pfd_config_free(ld.conf);
        return NULL;
    }
    return ld.conf;
}

/* "*.example.com" matches "a.example.com" and "a.b.example.com", not "example.com". */
static bool config_host_is(const char *name, const char *host)
{
    if (name[0] != '*')
        return strcmp(name, host) == 0;
    size_t nl = strlen(name + 1), hl = strlen(host);
    return hl > nl && strcmp(host + hl - nl, name + 1) == 0;
}

const struct pfd_vhost *pfd_config_vhost_named(const struct pfd_config *conf, const char *host)
{
    if (host == NULL || conf->nvhosts == 0)
        return NULL;
    for (int wild = 0; wild < 2; wild++) { /* exact names first, then wildcards */
        for (size_t v = 0; v < conf->nvhosts; v++) {
            const struct pfd_vhost *vh = &conf->vhosts[v];
            if ((vh->name[0] == '*') == wild && config_host_is(vh->name, host))
                return vh;
            for (size_t a = 0; a < vh->naliases; a++)
                if ((vh->aliases[a][0] == '*') == wild && config_host_is(vh->aliases[a], host))
                    return vh;
        }
    }
    return NULL;
}

static void config_strv_free(char **v, size_t n)
{
    for (size_t i = 0; v != NULL && i < n; i++)
        free(v[i]);
    free(v);
}

void pfd_config_free(struct pfd_config *conf)
{
    if (conf == NULL)
        return;
    /* Module trees first: their callbacks (freecb) live in the module, which dlclose unmaps. */
    for (size_t i = 0; i < conf->nloaded; i++) {
        if (conf->loaded[i].cfg != NULL)
            cfg_free(conf->loaded[i].cfg);
        pfd_module_close(&conf->loaded[i]);
    }
    free(conf->loaded);
    config_tls_free(conf);
    config_routes_free(conf);
    for (size_t i = 0; i < conf->nlistens; i++)
        free(conf->listens[i].text);
    free(conf->listens);
    config_mime_free(conf->mime_types, conf->nmime_types);
    config_strv_free(conf->modules, conf->nmodules);
    config_strv_free(conf->index_files, conf->nindex_files);
    config_strv_free(conf->tls_listen, conf->ntls_listen);
    config_strv_free(conf->proxy_protocol, conf->nproxy_protocol);
    config_strv_free(conf->trusted_proxies, conf->ntrusted_proxies);
    free(conf->trusted_cidrs);
    free(conf->chroot);
    free(conf->run_as.groups);
    free(conf->warnings);
    free(conf->option_lines);
    char *strings[] = {conf->file,
                       conf->dir,
                       conf->server_name,
                       conf->server_admin,
                       conf->document_root,
                       conf->user,
                       conf->group,
                       conf->pid_file,
                       conf->error_log,
                       conf->access_log,
                       conf->access_log_format,
                       conf->module_dir,
                       conf->mime_types_file,
                       conf->default_type,
                       conf->access_file_name};
    for (size_t i = 0; i < CONFIG_ARRAY_SIZE(strings); i++)
        free(strings[i]);
    if (conf->cfg != NULL)
        cfg_free(conf->cfg);
    free(conf);
}
