/*
 * mod_cgi.c — CGI/1.1 (RFC 3875) scripts, with the environment and behaviour Apache's mod_cgi
 * gives them, so that legacy scripts run unchanged.
 *
 * A request becomes a script run in four steps, each its own group of functions below:
 *   resolve — which file is the script (PATH_INFO split), may it run (403/404);
 *   env     — the meta-variables (cgi_env.c holds the naming rules);
 *   spawn   — posix_spawn() with three pipes (cgi_spawn.c);
 *   pump    — one poll() loop: the request body to stdin, stdout parsed as a CGI head
 *             (cgi_parse.c) then streamed to the client, stderr lines to the error log, a deadline
 *             on silence; then the script is reaped, and a failure logged as one line.
 *
 * Scripts are chosen by location (`location "^/cgi-bin/" { handler = "cgi" }`: everything there
 * is a script, like ScriptAlias) or by extension (cgi_extensions, in locations that set
 * exec_cgi = true; other files are declined so mod_static serves them). A file whose extension
 * `interpreters` maps to a program (".php /usr/bin/php-cgi") runs through that program wherever
 * this module sees the request (Apache's AddHandler + Action), and its source is never served.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgi_args.h"
#include "cgi_env.h"
#include "cgi_interp.h"
#include "cgi_owner.h"
#include "cgi_parse.h"
#include "cgi_path.h"
#include "cgi_slots.h"
#include "cgi_spawn.h"
#include "preforkd/module.h"

static int cgi_init(struct pfd_server *server, cfg_t *section, void **conf);
static int cgi_location_init(struct pfd_server *server, cfg_t *location, void *main_conf,
                             void **conf);
static void cgi_fini(void *conf);
static int cgi_handle(struct pfd_request *r, void *conf);
static bool cgi_guards_source(const void *conf, const char *file);

static cfg_opt_t cgi_options[] = {
    CFG_INT("timeout", 60, CFGF_NONE),
    CFG_STR_LIST("cgi_extensions", "{\".cgi\", \".pl\"}", CFGF_NONE),
    CFG_STR("path", "/usr/local/bin:/usr/bin:/bin", CFGF_NONE),
    CFG_STR_LIST("pass_env", "{}", CFGF_NONE),
    CFG_STR_LIST("set_env", "{}", CFGF_NONE),
    CFG_BOOL("pass_authorization", cfg_false, CFGF_NONE),
    CFG_INT("rlimit_cpu", 0, CFGF_NONE),
    CFG_STR("rlimit_mem", "0", CFGF_NONE),
    CFG_INT("rlimit_nproc", 0, CFGF_NONE),
    CFG_INT("max_concurrent", 0, CFGF_NONE),
    CFG_STR("spool_max", "64K", CFGF_NONE),
    CFG_BOOL("check_ownership", cfg_false, CFGF_NONE),
    CFG_BOOL("run_hidden", cfg_false, CFGF_NONE),
    CFG_STR_LIST("interpreters", "{}", CFGF_NONE),
    CFG_END(),
};

/* Prefixed where the name alone could clash with another module's location option. */
static cfg_opt_t cgi_location_options[] = {
    CFG_BOOL("exec_cgi", cfg_false, CFGF_NODEFAULT),
    CFG_INT("cgi_timeout", 0, CFGF_NODEFAULT),
    CFG_INT("cgi_max_concurrent", 0, CFGF_NODEFAULT),
    CFG_BOOL("run_hidden", cfg_false, CFGF_NODEFAULT),
    CFG_STR_LIST("cgi_interpreters", "{}", CFGF_NODEFAULT),
    CFG_STR("cgi_interpreter", "", CFGF_NODEFAULT),
    CFG_END(),
};

PFD_API struct pfd_module pfd_module_cgi = {
    .api_version = PFD_MODULE_API_VERSION,
    .name = "cgi",
    .options = cgi_options,
    .init = cgi_init,
    .handle = cgi_handle,
    .fini = cgi_fini,
    .location_options = cgi_location_options,
    .location_init = cgi_location_init,
    .guards_source = cgi_guards_source,
};

#define CGI_IO_BUF (64 * 1024)      /* one read from the script or the client */
#define CGI_STDERR_LINE 2048        /* longest stderr line logged as one */
#define CGI_FIRST_BYTES 120         /* of the output, quoted when a script fails */
#define CGI_EXIT_WAIT_MS 3000       /* after stdout closes, for the script to exit (Apache: 3 s) */
#define CGI_RETRY_AFTER "5"         /* seconds, with 503 over max_concurrent */
#define CGI_TIMEOUT_MAX (24 * 3600) /* bounds timeout */

/* ---- configuration ------------------------------------------------------------------------ */

/* Module state (master, before fork; read-only after) and the per-location merge of it. */
struct cgi_conf {
    long timeout; /* seconds of silence on stdout before the script is killed */
    struct pfd_option_list extensions;
    char *path;
    struct pfd_option_list pass_env;
    struct pfd_option_list set_env;
    bool pass_authorization;
    long rlimit_cpu, rlimit_nproc;
    int64_t rlimit_mem;
    struct cgi_limits limits; /* the three above, as cgi_spawn() takes them */
    long max_concurrent;
    int64_t spool_max;    /* chunked bodies up to this stay in memory, larger go to a temp file */
    bool check_ownership; /* suexec-like: refuse scripts others could have changed (cgi_owner.c) */
    bool run_hidden;      /* run scripts whose URL has a segment starting with '.' (.git/…) */
    bool exec_cgi;        /* set by a location: run files by extension, decline others */
    struct cgi_slots *slots;
    bool owns_slots;
    struct pfd_option_list interpreters; /* ".ext /program [argument…]" (cgi_interpreters) */
    char *interpreter;                   /* a location's "/program [argument…]" for every file */
    struct cgi_interp *interps;          /* interpreters, parsed */
    size_t ninterps;
    struct cgi_interp *all; /* interpreter, parsed; NULL when unset */
    /* The main conf's: every extension mapped in the module or any location; their source is
     * never served (cgi_guards_source()). A location's conf points at its main conf's. */
    struct pfd_option_list *guarded;
    bool owns_guarded;
};

static const char *cgi_check_set_env(const char *entry)
{
    return strchr(entry, '=') == NULL || entry[0] == '=' ? "must read \"NAME=value\"" : NULL;
}

/* An interpreters entry: its syntax, and a program the workers can run (-t says FILE:LINE). */
static const char *cgi_check_interpreter_text(const char *entry, bool with_ext)
{
    struct cgi_interp in;
    const char *why = cgi_interp_parse(entry, with_ext, &in);
    if (why == NULL)
        why = cgi_interp_check_program(in.argv[0]);
    cgi_interp_free(&in);
    return why;
}

static const char *cgi_check_interpreters(const char *entry)
{
    return cgi_check_interpreter_text(entry, true);
}

static const char *cgi_check_interpreter(const char *entry)
{
    return entry[0] == '\0' ? NULL : cgi_check_interpreter_text(entry, false);
}

/* Directives as data (module.h's option reader): module name, location name, type, field. */
#define CGI_AT(field) offsetof(struct cgi_conf, field)
static const struct pfd_option cgi_table[] = {
    {"timeout", "cgi_timeout", PFD_OPTION_INT, CGI_AT(timeout), 1, CGI_TIMEOUT_MAX, NULL, NULL,
     NULL},
    {"cgi_extensions", NULL, PFD_OPTION_LIST, CGI_AT(extensions), 0, 0, NULL, NULL, NULL},
    {"path", NULL, PFD_OPTION_STRING, CGI_AT(path), 0, 0, NULL, NULL, NULL},
    {"pass_env", NULL, PFD_OPTION_LIST, CGI_AT(pass_env), 0, 0, NULL, NULL, NULL},
    {"set_env", NULL, PFD_OPTION_LIST, CGI_AT(set_env), 0, 0, NULL, cgi_check_set_env, NULL},
    {"pass_authorization", NULL, PFD_OPTION_BOOL, CGI_AT(pass_authorization), 0, 0, NULL, NULL,
     NULL},
    {"rlimit_cpu", NULL, PFD_OPTION_INT, CGI_AT(rlimit_cpu), 0, LONG_MAX, NULL, NULL, NULL},
    {"rlimit_mem", NULL, PFD_OPTION_SIZE, CGI_AT(rlimit_mem), 0, INT64_MAX, NULL, NULL, NULL},
    {"rlimit_nproc", NULL, PFD_OPTION_INT, CGI_AT(rlimit_nproc), 0, LONG_MAX, NULL, NULL, NULL},
    {"max_concurrent", "cgi_max_concurrent", PFD_OPTION_INT, CGI_AT(max_concurrent), 0,
     CGI_SLOTS_MAX, NULL, NULL, NULL},
    {"spool_max", NULL, PFD_OPTION_SIZE, CGI_AT(spool_max), 0, INT64_MAX - 1, NULL, NULL, NULL},
    {"check_ownership", NULL, PFD_OPTION_BOOL, CGI_AT(check_ownership), 0, 0, NULL, NULL, NULL},
    {"run_hidden", "run_hidden", PFD_OPTION_BOOL, CGI_AT(run_hidden), 0, 0, NULL, NULL, NULL},
    {NULL, "exec_cgi", PFD_OPTION_BOOL, CGI_AT(exec_cgi), 0, 0, NULL, NULL, NULL},
    {"interpreters", "cgi_interpreters", PFD_OPTION_LIST, CGI_AT(interpreters), 0, 0, NULL,
     cgi_check_interpreters, NULL},
    {NULL, "cgi_interpreter", PFD_OPTION_STRING, CGI_AT(interpreter), 0, 0, NULL,
     cgi_check_interpreter, NULL},
    PFD_OPTIONS_END,
};
#undef CGI_AT

/* The shared slots for a conf whose max_concurrent is set; mapped here, in the master. */
static int cgi_conf_slots(struct cgi_conf *cc)
{
    cc->slots = NULL;
    cc->owns_slots = false;
    if (cc->max_concurrent == 0)
        return 0;
    cc->slots = cgi_slots_create((int)cc->max_concurrent);
    if (cc->slots == NULL) {
        pfd_log(PFD_LOG_EMERG, "module \"cgi\": mmap() for max_concurrent failed: %s",
                strerror(errno));
        return -1;
    }
    cc->owns_slots = true;
    return 0;
}

/* Adds ext to the guarded extensions (once). 0, or -1 out of memory. */
static int cgi_guard_add(struct pfd_option_list *g, const char *ext)
{
    for (size_t i = 0; i < g->n; i++)
        if (strcasecmp(g->v[i], ext) == 0)
            return 0;
    char **v = realloc(g->v, (g->n + 2) * sizeof(*v));
    if (v == NULL)
        return -1;
    g->v = v;
    if ((v[g->n] = strdup(ext)) == NULL)
        return -1;
    v[++g->n] = NULL;
    return 0;
}

/* Parses the checked interpreters and interpreter of cc, and guards their extensions. */
static int cgi_conf_interps(struct cgi_conf *cc)
{
    cc->interps = calloc(cc->interpreters.n + 1, sizeof(*cc->interps));
    if (cc->interps == NULL)
        return -1;
    for (; cc->ninterps < cc->interpreters.n; cc->ninterps++) {
        struct cgi_interp *in = &cc->interps[cc->ninterps];
        if (cgi_interp_parse(cc->interpreters.v[cc->ninterps], true, in) != NULL ||
            cgi_guard_add(cc->guarded, in->ext) != 0)
            return -1;
    }
    if (cc->interpreter == NULL || cc->interpreter[0] == '\0')
        return 0;
    cc->all = calloc(1, sizeof(*cc->all));
    return cc->all != NULL && cgi_interp_parse(cc->interpreter, false, cc->all) == NULL ? 0 : -1;
}

static int cgi_init(struct pfd_server *server, cfg_t *section, void **conf)
{
    (void)server;
    if (pfd_options_new(&pfd_module_cgi, section, cgi_table, sizeof(struct cgi_conf), conf) != 0)
        return -1;
    struct cgi_conf *cc = *conf;
    cc->limits = (struct cgi_limits){cc->rlimit_cpu, cc->rlimit_mem, cc->rlimit_nproc};
    cc->guarded = calloc(1, sizeof(*cc->guarded));
    cc->owns_guarded = cc->guarded != NULL;
    if (cc->guarded == NULL || cgi_conf_interps(cc) != 0) {
        pfd_log(PFD_LOG_EMERG, "module \"cgi\": out of memory");
        return -1;
    }
    return cgi_conf_slots(cc);
}

static int cgi_location_init(struct pfd_server *server, cfg_t *location, void *main_conf,
                             void **conf)
{
    (void)server;
    int rc = pfd_options_merge(&pfd_module_cgi, location, cgi_table, main_conf,
                               sizeof(struct cgi_conf), conf);
    struct cgi_conf *cc = *conf;
    if (cc == NULL)
        return -1;
    cc->owns_slots = false; /* shares the main conf's cap unless it sets its own */
    /* The byte copy shares the main conf's parsed mappings: this conf parses its own. */
    cc->interps = cc->all = NULL;
    cc->ninterps = 0;
    cc->guarded = ((struct cgi_conf *)main_conf)->guarded;
    cc->owns_guarded = false;
    if (rc == 0 && cgi_conf_interps(cc) != 0) {
        pfd_log(PFD_LOG_EMERG, "module \"cgi\": out of memory");
        return -1;
    }
    if (rc != 0 || cfg_size(location, "cgi_max_concurrent") == 0)
        return rc;
    return cgi_conf_slots(cc); /* the location's own cap */
}

static void cgi_fini(void *conf)
{
    struct cgi_conf *cc = conf;
    if (cc == NULL)
        return;
    pfd_options_free(cgi_table, cc);
    if (cc->owns_slots)
        cgi_slots_destroy(cc->slots);
    for (size_t i = 0; cc->interps != NULL && i < cc->ninterps; i++)
        cgi_interp_free(&cc->interps[i]);
    free(cc->interps);
    if (cc->all != NULL)
        cgi_interp_free(cc->all);
    free(cc->all);
    for (size_t i = 0; cc->owns_guarded && cc->guarded->v != NULL && i < cc->guarded->n; i++)
        free(cc->guarded->v[i]);
    if (cc->owns_guarded) {
        free(cc->guarded->v);
        free(cc->guarded);
    }
    free(cc);
}

/* Whether file[0..len) ends in one of the extensions of list, case-insensitively. */
static bool cgi_has_extension(const struct pfd_option_list *list, const char *file, size_t len)
{
    for (size_t i = 0; i < list->n; i++) {
        size_t el = strlen(list->v[i]);
        if (el > 0 && el <= len && strncasecmp(file + len - el, list->v[i], el) == 0)
            return true;
    }
    return false;
}

/* module.h's guards_source: a file named with an extension mapped anywhere is a script. */
static bool cgi_guards_source(const void *conf, const char *file)
{
    const struct cgi_conf *cc = conf;
    return cc != NULL && cc->guarded != NULL && cgi_has_extension(cc->guarded, file, strlen(file));
}

/* ---- per request -------------------------------------------------------------------------- */

enum cgi_body_source {
    CGI_BODY_NONE,
    CGI_BODY_CLIENT, /* Content-Length: streamed from the client */
    CGI_BODY_MEMORY, /* chunked, de-chunked into memory */
    CGI_BODY_FILE,   /* chunked, de-chunked into an unlinked temp file */
};

/* One script run: every fd starts at -1, every pointer NULL, so one cleanup path is safe. */
struct cgi_run {
    struct pfd_request *r;
    const struct cgi_conf *cc;
    const char *script;              /* the file run */
    const char *script_name;         /* SCRIPT_NAME: the URI path of the script */
    const char *path_info;           /* "" or "/…" */
    const char *dir;                 /* its folder: the working directory */
    const struct cgi_interp *interp; /* the program that runs it, or NULL: it runs itself */
    bool nph;
    struct cgi_child child;
    int slot; /* max_concurrent slot held, or -1 */

    enum cgi_body_source body_source;
    int64_t body_length; /* CONTENT_LENGTH */
    int spool_fd;
    char *spool;      /* CGI_BODY_MEMORY */
    int64_t spool_at; /* bytes of the spool handed out */
    char *in_buf;     /* the body on its way to stdin */
    size_t in_pos, in_len;
    bool body_eof;
    int body_status; /* the client's body failed: 400/408/413 */

    char *head; /* the script's head, CGI_HEAD_MAX */
    size_t head_len;
    bool head_done;
    int64_t out_left; /* body bytes the script's Content-Length still allows, or -1 */
    bool sent;        /* something went to the client */
    bool client_gone;
    char *redirect; /* a local Location (RFC 3875 §6.2.2) */
    char first[CGI_FIRST_BYTES];
    size_t first_len;
    char *err_line;
    size_t err_len;

    const char *failure; /* why the script failed, for the one log line; NULL when it did not */
    int status;          /* what to return when nothing was sent */
    int64_t deadline_ms;
};

/* Marks the run failed; the first reason is the one logged. */
static void cgi_fail(struct cgi_run *run, int status, const char *why)
{
    if (run->failure == NULL) {
        run->failure = why;
        run->status = status;
    }
}

/* ---- resolve: which file, may it run ------------------------------------------------------ */

/* Script mode (everything is a script) or extension mode (decline what is not one). A location's
 * cgi_interpreter makes everything there a script too. */
static bool cgi_script_mode(const struct pfd_request *r, const struct cgi_conf *cc)
{
    if (cc->all != NULL)
        return true;
    if (cc->exec_cgi)
        return false;
    const char *h = pfd_request_location_handler(r);
    return h != NULL && strcmp(h, "cgi") == 0;
}

/* Whether an extension mapped anywhere ends a segment of file: it may name a script (a cheap
 * test that spares other files the path walk). */
static bool cgi_mentions_guarded(const struct cgi_conf *cc, const char *file)
{
    for (size_t i = 0; i < cc->guarded->n; i++) {
        const char *ext = cc->guarded->v[i];
        size_t el = strlen(ext);
        for (const char *p = strcasestr(file, ext); p != NULL; p = strcasestr(p + 1, ext))
            if (p[el] == '\0' || p[el] == '/')
                return true;
    }
    return false;
}

/* A handler .htaccess files named for the request (SetHandler, AddHandler) when it is this
 * module's: cgi-script, or an interpreter's name; NULL when none or the core's own. */
static const char *cgi_dir_handler(const struct pfd_request *r)
{
    const char *h = pfd_request_dir_handler(r, NULL);
    if (h == NULL || strcasecmp(h, "default-handler") == 0 || strcasecmp(h, "server-status") == 0)
        return NULL;
    return h;
}

/*
 * Apache's rules for .htaccess: a script by a handler a file named runs only when the file found
 * before PATH_INFO maps to that handler itself, and, for cgi-script, where Options ExecCGI is on
 * (the file's, else exec_cgi); a file an interpreter runs (interpreters, or an interpreter's
 * handler) needs no ExecCGI (Apache's Action runs the interpreter, not the file). A script by
 * cgi_extensions is refused where a file said -ExecCGI. Locations with handler = "cgi" are
 * ScriptAlias: Options ExecCGI does not apply, as in Apache. 0, or a status (logged).
 */
static int cgi_may_run(const struct cgi_run *run, const char *dir_handler)
{
    const struct pfd_request *r = run->r;
    int exec = pfd_request_dir_option(r, PFD_DIR_EXEC_CGI);
    if (dir_handler != NULL) {
        const char *own = pfd_request_dir_handler(r, run->script);
        if (own == NULL || strcasecmp(own, dir_handler) != 0)
            return 404; /* "/x.sh/y" where x.sh is a folder: y is no script */
        if (strcasecmp(dir_handler, "cgi-script") != 0 && run->interp == NULL) {
            pfd_log(PFD_LOG_ERR, "cgi: \"%s\": handler \"%s\" (.htaccess) is not mapped",
                    run->script, dir_handler);
            return 500;
        }
    }
    if (run->interp != NULL || cgi_script_mode(r, run->cc) || exec == 1 ||
        (exec == -1 && run->cc->exec_cgi))
        return 0;
    pfd_log(PFD_LOG_ERR, "cgi: Options ExecCGI is off in this directory: \"%s\"", run->script);
    return 403;
}

/* check_ownership: the suexec-like check of the script and its folder (cgi_owner.c) for the
 * workers' user, which is the real uid here. 0, or 403 logged with the reason. */
static int cgi_check_ownership(const struct cgi_run *run)
{
    struct stat script, dir;
    if (lstat(run->script, &script) != 0 || lstat(run->dir, &dir) != 0) {
        pfd_log(PFD_LOG_ERR, "cgi: \"%s\" refused by check_ownership: lstat() failed: %s",
                run->script, strerror(errno));
        return 403;
    }
    const char *why = cgi_owner_verdict(&script, &dir, getuid());
    if (why == NULL)
        return 0;
    pfd_log(PFD_LOG_ERR, "cgi: \"%s\" refused by check_ownership: %s", run->script, why);
    return 403;
}

/*
 * Outside script mode, whether the regular file file[0..len) runs here: by its interpreter
 * (run->interp set), or by its cgi_extensions extension under exec_cgi (or a .htaccess Options
 * +ExecCGI). 0 when it runs,
 * PFD_DECLINED for mod_static, or 403 for a file mapped to an interpreter somewhere but not
 * here (a location whose cgi_interpreters leave its extension out): never its source.
 */
static int cgi_runs_here(struct cgi_run *run, const char *file, size_t len, bool by_extension)
{
    run->interp = cgi_interp_find(run->cc->interps, run->cc->ninterps, file, len);
    if (run->interp != NULL || (by_extension && cgi_has_extension(&run->cc->extensions, file, len)))
        return 0;
    if (!cgi_has_extension(run->cc->guarded, file, len))
        return PFD_DECLINED;
    const char *name = pfd_request_printf(run->r, "%.*s", (int)len, file);
    pfd_log(PFD_LOG_ERR, "cgi: \"%s\" has an interpreter elsewhere but not here: refused", name);
    return 403;
}

/* In script mode, what runs file[0..len): a .htaccess handler's mapping (NULL for cgi-script:
 * the file runs itself; NULL for a name nothing maps: cgi_may_run() refuses it), else the
 * location's cgi_interpreter, else the mapping of its extension, else itself. */
static const struct cgi_interp *
cgi_interp_choose(const struct cgi_run *run, const char *dir_handler, const char *file, size_t len)
{
    const struct cgi_conf *cc = run->cc;
    if (dir_handler != NULL)
        return strcasecmp(dir_handler, "cgi-script") == 0
                   ? NULL
                   : cgi_interp_for_dir_handler(cc->interps, cc->ninterps, dir_handler, file, len);
    return cc->all != NULL ? cc->all : cgi_interp_find(cc->interps, cc->ninterps, file, len);
}

/* May the script run: an interpreter only needs to read it, a script runs itself. */
static int cgi_check_runnable(const struct cgi_run *run)
{
    if (access(run->script, run->interp != NULL ? R_OK : X_OK) == 0)
        return 0;
    pfd_log(PFD_LOG_ERR, "cgi: \"%s\" is not %s by the server: %s", run->script,
            run->interp != NULL ? "readable" : "executable", strerror(errno));
    return 403;
}

/* Fills run->script, script_name, path_info, dir, interp. PFD_DECLINED, an error status, or 0. */
static int cgi_resolve(struct cgi_run *run)
{
    struct pfd_request *r = run->r;
    const char *file = pfd_request_file_path(r), *root = pfd_request_context_root(r);
    if (file == NULL || root == NULL || file[0] != '/')
        return PFD_DECLINED;
    const char *dir_handler = cgi_dir_handler(r);
    bool script_mode = dir_handler != NULL || cgi_script_mode(r, run->cc);
    /* cgi_extensions are the server's AddHandler: a .htaccess Options +ExecCGI uses them too. */
    bool by_extension = run->cc->exec_cgi || pfd_request_dir_option(r, PFD_DIR_EXEC_CGI) == 1;
    if (!script_mode && !by_extension && !cgi_mentions_guarded(run->cc, file))
        return PFD_DECLINED;
    /* As mod_static: 404, before anything is looked at, so that whether /cgi-bin/.git/ exists
     * stays unknown. PATH_INFO counts too: the core cannot tell it from the script's name. */
    bool hidden = !run->cc->run_hidden && pfd_request_path_hidden(r);
    if (script_mode && hidden)
        return 404;
    size_t root_len = strlen(root), script_len = 0;
    struct stat st;
    if (strncmp(file, root, root_len) != 0 || cgi_path_split(file, root_len, &script_len, &st) != 0)
        return script_mode ? pfd_status_from_errno(errno) : PFD_DECLINED;
    if (!script_mode && !S_ISREG(st.st_mode))
        return PFD_DECLINED;
    int rc = script_mode ? 0 : cgi_runs_here(run, file, script_len, by_extension);
    if (rc != 0)
        return rc;
    if (hidden) /* a script by its extension: neither run it nor let mod_static show its source */
        return 404;
    if (!S_ISREG(st.st_mode))
        return S_ISDIR(st.st_mode) ? 403 : 404;
    if (script_mode)
        run->interp = cgi_interp_choose(run, dir_handler, file, script_len);
    const char *path = pfd_request_path(r);
    size_t info_len = strlen(file) - script_len, path_len = strlen(path);
    if (info_len > path_len)
        return 404;
    run->script = pfd_request_printf(r, "%.*s", (int)script_len, file);
    run->script_name = pfd_request_printf(r, "%.*s", (int)(path_len - info_len), path);
    run->path_info = path + path_len - info_len;
    const char *slash = strrchr(run->script, '/');
    run->dir = pfd_request_printf(r, "%.*s", (int)(slash - run->script), run->script);
    if (run->dir[0] == '\0')
        run->dir = "/";
    run->nph = strncmp(slash + 1, "nph-", 4) == 0;
    rc = cgi_may_run(run, dir_handler);
    if (rc == 0)
        rc = cgi_check_runnable(run);
    if (rc == 0 && run->cc->check_ownership)
        rc = cgi_check_ownership(run);
    return rc;
}

/* ---- env: the meta-variables (RFC 3875 §4.1, plus Apache's) ------------------------------- */

/* Request header fields as HTTP_*; repeated fields joined (RFC 9110 §5.3; Cookie with "; "). */
static int cgi_env_headers(struct cgi_env *env, const struct pfd_request *r, bool pass_auth)
{
    size_t n = pfd_request_header_count(r);
    for (size_t i = 0; i < n; i++) {
        const char *name, *value;
        char var[CGI_ENV_NAME_MAX];
        pfd_request_header_at(r, i, &name, &value);
        if (name == NULL || cgi_env_header_name(name, pass_auth, var, sizeof(var)) != 0)
            continue;
        const char *sep = strcmp(var, "HTTP_COOKIE") == 0 ? "; " : ", ";
        if (cgi_env_append(env, var, sep, value != NULL ? value : "") != 0)
            return -1;
    }
    return 0;
}

/* What the server knows about itself and the client. */
static int cgi_env_server(struct cgi_env *e, struct cgi_run *run)
{
    struct pfd_request *r = run->r;
    int rc = 0;
    rc |= cgi_env_set(e, "SERVER_SOFTWARE", "preforkd/" PFD_VERSION);
    rc |= cgi_env_set(e, "SERVER_NAME", pfd_request_host(r));
    rc |= cgi_env_set(e, "SERVER_ADDR", pfd_request_local_ip(r));
    rc |= cgi_env_set(e, "SERVER_PORT", pfd_request_printf(r, "%d", pfd_request_local_port(r)));
    const char *admin = pfd_request_server_admin(r);
    rc |= cgi_env_set(e, "SERVER_ADMIN", admin != NULL ? admin : "");
    rc |= cgi_env_set(e, "SERVER_PROTOCOL", pfd_request_protocol(r));
    rc |= cgi_env_set(e, "GATEWAY_INTERFACE", "CGI/1.1");
    rc |= cgi_env_set(e, "REQUEST_SCHEME", pfd_request_scheme(r));
    if (strcmp(pfd_request_scheme(r), "https") == 0)
        rc |= cgi_env_set(e, "HTTPS", "on");
    static const char *const ssl_vars[] = {PFD_SSL_VAR_NAMES};
    for (size_t i = 0; i < sizeof(ssl_vars) / sizeof(ssl_vars[0]); i++) {
        const char *value = pfd_request_ssl_var(r, ssl_vars[i]);
        if (value != NULL) /* mod_ssl's names, for scripts written for Apache */
            rc |= cgi_env_set(e, ssl_vars[i], value);
    }
    rc |= cgi_env_set(e, "REMOTE_ADDR", pfd_request_peer_ip(r));
    rc |= cgi_env_set(e, "REMOTE_PORT", pfd_request_printf(r, "%d", pfd_request_peer_port(r)));
    const char *user = pfd_request_remote_user(r);
    if (user != NULL) {
        const char *auth = pfd_request_header(r, "Authorization");
        size_t scheme_len = auth != NULL ? strcspn(auth, " ") : 0;
        rc |= cgi_env_set(e, "REMOTE_USER", user);
        if (scheme_len > 0)
            rc |= cgi_env_set(e, "AUTH_TYPE", pfd_request_printf(r, "%.*s", (int)scheme_len, auth));
    }
    return rc;
}

/*
 * REDIRECT_URL: the path the client asked for, when an index file, a rewrite or a local redirect
 * led to the script (Apache sets it for its internal redirects). Left out when there is path
 * info: php-cgi (cgi.fix_pathinfo=1) takes REDIRECT_URL with a PATH_TRANSLATED other than
 * SCRIPT_FILENAME for Apache's Action layout and looks for the script at PATH_TRANSLATED ("No
 * input file specified").
 */
static int cgi_env_redirect_url(struct cgi_env *e, const struct cgi_run *run)
{
    const char *asked = pfd_request_original_path(run->r);
    if (run->path_info[0] != '\0' || asked == NULL || strcmp(asked, pfd_request_path(run->r)) == 0)
        return 0;
    return cgi_env_set(e, "REDIRECT_URL", asked);
}

/* The request and the script. */
static int cgi_env_request(struct cgi_env *e, struct cgi_run *run)
{
    struct pfd_request *r = run->r;
    const char *root = pfd_request_document_root(r), *query = pfd_request_query(r);
    int rc = 0;
    rc |= cgi_env_set(e, "REQUEST_METHOD", pfd_request_method_name(r));
    rc |= cgi_env_set(e, "REQUEST_URI", pfd_request_target(r));
    rc |= cgi_env_set(e, "QUERY_STRING", query != NULL ? query : "");
    rc |= cgi_env_set(e, "SCRIPT_NAME", run->script_name);
    rc |= cgi_env_set(e, "SCRIPT_FILENAME", run->script);
    if (run->path_info[0] != '\0') { /* Apache leaves both out when there is no path info */
        rc |= cgi_env_set(e, "PATH_INFO", run->path_info);
        size_t rl = strlen(root);
        rl -= rl > 0 && root[rl - 1] == '/';
        rc |= cgi_env_set(e, "PATH_TRANSLATED",
                          pfd_request_printf(r, "%.*s%s", (int)rl, root, run->path_info));
    }
    rc |= cgi_env_set(e, "DOCUMENT_ROOT", root);
    rc |= cgi_env_set(e, "CONTEXT_DOCUMENT_ROOT", pfd_request_context_root(r));
    rc |= cgi_env_set(e, "CONTEXT_PREFIX", pfd_request_context_prefix(r));
    rc |= cgi_env_set(e, "REDIRECT_STATUS", "200"); /* php-cgi refuses to run without it */
    rc |= cgi_env_redirect_url(e, run);
    const char *type = pfd_request_header(r, "Content-Type");
    if (type != NULL)
        rc |= cgi_env_set(e, "CONTENT_TYPE", type);
    if (run->body_source != CGI_BODY_NONE || pfd_request_header(r, "Content-Length") != NULL)
        rc |= cgi_env_set(e, "CONTENT_LENGTH",
                          pfd_request_printf(r, "%lld", (long long)run->body_length));
    return rc;
}

/* .htaccess SetEnv, SetEnvIf, UnsetEnv: over pass_env and set_env, never over one of the first
 * meta entries, the meta-variables (Apache sets those after mod_env and mod_setenvif). */
static int cgi_env_htaccess(struct cgi_env *e, const struct pfd_request *r, size_t meta)
{
    const char *name, *value;
    for (size_t i = 0; pfd_request_env_at(r, i, &name, &value); i++) {
        if (cgi_env_index(e, name) < meta)
            continue;
        if (value == NULL)
            cgi_env_unset(e, name);
        else if (cgi_env_set(e, name, value) != 0)
            return -1;
    }
    return 0;
}

/* The whole environment: nothing from the server's own unless pass_env/set_env (or .htaccess
 * files) say so. */
static int cgi_env_build(struct cgi_env *e, struct cgi_run *run)
{
    const struct cgi_conf *cc = run->cc;
    if (cgi_env_headers(e, run->r, cc->pass_authorization) != 0 || cgi_env_server(e, run) != 0 ||
        cgi_env_request(e, run) != 0 || cgi_env_set(e, "PATH", cc->path) != 0)
        return -1;
    size_t meta = e->n;
    for (size_t i = 0; i < cc->pass_env.n; i++) {
        const char *v = getenv(cc->pass_env.v[i]);
        if (v != NULL && cgi_env_set(e, cc->pass_env.v[i], v) != 0)
            return -1;
    }
    for (size_t i = 0; i < cc->set_env.n; i++)
        if (cgi_env_put(e, cc->set_env.v[i]) != 0)
            return -1;
    return cgi_env_htaccess(e, run->r, meta);
}

/* ---- the request body ------------------------------------------------------------------- */

/* An unlinked temp file: O_TMPFILE, or mkstemp() + unlink() where the filesystem lacks it. */
static int cgi_spool_open(void)
{
    int fd = open("/tmp", O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
        return fd;
    char name[] = "/tmp/preforkd-cgi-XXXXXX";
    fd = mkostemp(name, O_CLOEXEC);
    if (fd >= 0)
        unlink(name);
    return fd;
}

/* Appends data to the spool: memory up to spool_max, then the temp file. */
static int cgi_spool_add(struct cgi_run *run, const char *data, size_t n)
{
    if (run->spool_fd < 0 && run->body_length + (int64_t)n <= run->cc->spool_max) {
        memcpy(run->spool + run->body_length, data, n);
        run->body_length += (int64_t)n;
        return 0;
    }
    if (run->spool_fd < 0) {
        run->spool_fd = cgi_spool_open();
        if (run->spool_fd < 0 || write(run->spool_fd, run->spool, (size_t)run->body_length) !=
                                     (ssize_t)run->body_length) {
            pfd_log(PFD_LOG_ERR, "cgi: spooling a chunked body to /tmp failed: %s",
                    strerror(errno));
            return -1;
        }
    }
    if (write(run->spool_fd, data, n) != (ssize_t)n) {
        pfd_log(PFD_LOG_ERR, "cgi: write() to the body spool failed: %s", strerror(errno));
        return -1;
    }
    run->body_length += (int64_t)n;
    return 0;
}

/*
 * A chunked body has no length, but scripts read CONTENT_LENGTH bytes: de-chunk it all before
 * the script starts (limits.body bounds it). 0, or an error status.
 */
static int cgi_spool_body(struct cgi_run *run)
{
    run->spool = pfd_request_alloc(run->r, (size_t)run->cc->spool_max + 1);
    run->body_length = 0;
    for (;;) {
        ssize_t n = pfd_request_body_read(run->r, run->in_buf, CGI_IO_BUF);
        if (n < 0)
            return pfd_request_body_error(run->r);
        if (n == 0)
            break;
        if (cgi_spool_add(run, run->in_buf, (size_t)n) != 0)
            return 500;
    }
    if (run->spool_fd >= 0 && lseek(run->spool_fd, 0, SEEK_SET) != 0)
        return 500;
    run->body_source = run->spool_fd >= 0 ? CGI_BODY_FILE : CGI_BODY_MEMORY;
    return 0;
}

static int cgi_body_prepare(struct cgi_run *run)
{
    run->in_buf = pfd_request_alloc(run->r, CGI_IO_BUF);
    if (!pfd_request_has_body(run->r)) {
        run->body_eof = true;
        return 0;
    }
    int64_t length = pfd_request_content_length(run->r);
    if (length >= 0) {
        run->body_source = CGI_BODY_CLIENT;
        run->body_length = length;
        return 0;
    }
    return cgi_spool_body(run);
}

/* Refills in_buf from the body's source. The client read may wait up to timeouts.body. */
static void cgi_body_refill(struct cgi_run *run)
{
    ssize_t n = 0;
    run->in_pos = run->in_len = 0;
    if (run->body_source == CGI_BODY_CLIENT) {
        n = pfd_request_body_read(run->r, run->in_buf, CGI_IO_BUF);
        if (n < 0)
            run->body_status = pfd_request_body_error(run->r);
    } else if (run->body_source == CGI_BODY_FILE) {
        n = read(run->spool_fd, run->in_buf, CGI_IO_BUF);
    } else if (run->body_source == CGI_BODY_MEMORY) {
        int64_t left = run->body_length - run->spool_at;
        n = left < CGI_IO_BUF ? (ssize_t)left : CGI_IO_BUF;
        memcpy(run->in_buf, run->spool + run->spool_at, (size_t)n);
        run->spool_at += n;
    }
    if (n <= 0)
        run->body_eof = true;
    else
        run->in_len = (size_t)n;
}

/* ---- parse-headers: the script's head becomes the response head ----------------------------- */

/* Hop-by-hop fields and the ones the core writes itself are not the script's to send. */
static bool cgi_field_dropped(const char *name)
{
    static const char *const dropped[] = {"Connection", "Keep-Alive", "Transfer-Encoding",
                                          "Date",       "Server",     "Upgrade",
                                          "TE",         "Trailer"};
    for (size_t i = 0; i < sizeof(dropped) / sizeof(dropped[0]); i++)
        if (strcasecmp(name, dropped[i]) == 0)
            return true;
    return false;
}

/* RFC 3875 §6.2: a document, a local or client redirect, or a client redirect with a document.
 * 0, or -1 when the head is not usable (the run is marked failed, and the header lines added
 * before the bad one are taken back: the 500 page must not carry the script's Set-Cookie). */
static int cgi_head_apply(struct cgi_run *run, struct cgi_head *h)
{
    struct pfd_request *r = run->r;
    size_t mark = pfd_response_headers_mark(r);
    if (h->status != 0 && h->status < 200) {
        cgi_fail(run, 500, "a 1xx Status, which cannot be a final response");
        return -1;
    }
    if (h->location != NULL && h->location[0] == '/' && h->status == 0 && !run->nph) {
        run->redirect = pfd_request_strdup(r, h->location); /* §6.2.2: served as a GET */
        return 0;
    }
    int status = h->status != 0 ? h->status : (h->location != NULL ? 302 : 200);
    pfd_response_status(r, status);
    if (h->location != NULL && pfd_response_header(r, "Location", h->location) != 0)
        goto bad;
    if (h->content_type != NULL && pfd_response_header(r, "Content-Type", h->content_type) != 0)
        goto bad;
    for (size_t i = 0; i < h->nfields; i++)
        if (!cgi_field_dropped(h->fields[i].name) &&
            pfd_response_header(r, h->fields[i].name, h->fields[i].value) != 0)
            goto bad;
    run->out_left = h->content_length;
    if (h->content_length >= 0)
        pfd_response_content_length(r, h->content_length);
    return 0;
bad:
    pfd_response_headers_rewind(r, mark);
    cgi_fail(run, 500, "a header the response cannot carry");
    return -1;
}

/* Body bytes to the client, no more than the script's own Content-Length announced. */
static void cgi_out_body(struct cgi_run *run, const char *data, size_t n)
{
    if (run->out_left >= 0 && (int64_t)n > run->out_left)
        n = (size_t)run->out_left;
    if (run->out_left >= 0)
        run->out_left -= (int64_t)n;
    if (n == 0 || run->client_gone)
        return;
    run->sent = true;
    if (pfd_response_write(run->r, data, n) != 0)
        run->client_gone = true;
}

/* The head is complete at end: parse it, answer with it, send the bytes after it. */
static void cgi_head_complete(struct cgi_run *run, size_t end)
{
    struct cgi_head *h = pfd_request_alloc(run->r, sizeof(*h));
    const char *err = NULL;
    size_t body_len = run->head_len - end;
    run->head_done = true;
    /* nph-: the output goes out as it is; the parse (which writes into the head) is a check. */
    char *raw = run->nph ? pfd_request_alloc(run->r, run->head_len) : NULL;
    if (raw != NULL)
        memcpy(raw, run->head, run->head_len);
    if (cgi_head_parse(run->head, end, run->nph, h, &err) != 0) {
        cgi_fail(run, 500, pfd_request_printf(run->r, "malformed header from script: %s", err));
        return;
    }
    if (raw != NULL) {
        pfd_response_status(run->r, h->status != 0 ? h->status : 200);
        pfd_response_raw(run->r);
        run->sent = true;
        cgi_out_body(run, raw, run->head_len);
        return;
    }
    if (cgi_head_apply(run, h) != 0 || run->redirect != NULL)
        return;
    run->sent = true; /* the head is committed even with an empty body */
    if (body_len > 0)
        cgi_out_body(run, run->head + end, body_len);
    else if (pfd_response_write(run->r, "", 0) != 0)
        run->client_gone = true;
}

/* Bytes from the script's stdout. */
static void cgi_on_output(struct cgi_run *run, const char *data, size_t n)
{
    size_t keep = CGI_FIRST_BYTES - run->first_len < n ? CGI_FIRST_BYTES - run->first_len : n;
    memcpy(run->first + run->first_len, data, keep);
    run->first_len += keep;
    if (run->head_done) {
        if (run->failure == NULL && run->redirect == NULL)
            cgi_out_body(run, data, n);
        return;
    }
    if (n > CGI_HEAD_MAX - run->head_len) {
        run->head_done = true;
        cgi_fail(run, 500, "a header longer than 64 KiB (or no empty line after it)");
        return;
    }
    memcpy(run->head + run->head_len, data, n);
    size_t from = run->head_len;
    run->head_len += n;
    size_t end = cgi_head_end(run->head, run->head_len, from);
    if (end != 0)
        cgi_head_complete(run, end);
}

/* ---- pump: body in, output out, stderr to the log, a deadline on silence -------------------- */

static void cgi_log_stderr_line(struct cgi_run *run)
{
    struct pfd_buf text = PFD_BUF_INIT;
    pfd_escape_log(&text, run->err_line, run->err_len);
    pfd_log(PFD_LOG_ERR, "cgi \"%s\": stderr: %s", run->script, text.data ? text.data : "");
    pfd_buf_free(&text);
    run->err_len = 0;
}

/* Reads what the script wrote to stderr; each line becomes one error-log line. */
static void cgi_on_stderr(struct cgi_run *run)
{
    char buf[4096];
    ssize_t n = read(run->child.err, buf, sizeof(buf));
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        if (run->err_len > 0)
            cgi_log_stderr_line(run);
        cgi_fd_close(&run->child.err);
        return;
    }
    for (ssize_t i = 0; i < n; i++) {
        if (buf[i] == '\n') {
            run->err_len -= run->err_len > 0 && run->err_line[run->err_len - 1] == '\r';
            cgi_log_stderr_line(run);
            continue;
        }
        run->err_line[run->err_len++] = buf[i];
        if (run->err_len == CGI_STDERR_LINE)
            cgi_log_stderr_line(run);
    }
}

/* Reads the script's stdout; false at its end. */
static bool cgi_on_stdout(struct cgi_run *run, char *buf)
{
    ssize_t n = read(run->child.out, buf, CGI_IO_BUF);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return true;
    if (n <= 0)
        return false;
    run->deadline_ms = pfd_now_ms() + (int64_t)run->cc->timeout * 1000;
    cgi_on_output(run, buf, (size_t)n);
    return true;
}

/* Writes body bytes to the script's stdin; closes it at the body's end or when the script
 * closed its end (it answers without reading: not an error, RFC 3875 §4.2). */
static void cgi_feed_stdin(struct cgi_run *run)
{
    if (run->in_pos == run->in_len && !run->body_eof)
        cgi_body_refill(run);
    if (run->body_status != 0) {
        cgi_fail(run, run->body_status, "the request body could not be read from the client");
        return;
    }
    if (run->in_pos == run->in_len) {
        cgi_fd_close(&run->child.in);
        return;
    }
    ssize_t n = write(run->child.in, run->in_buf + run->in_pos, run->in_len - run->in_pos);
    if (n > 0)
        run->in_pos += (size_t)n;
    else if (n < 0 && errno != EAGAIN && errno != EINTR)
        cgi_fd_close(&run->child.in); /* EPIPE: the script stopped reading */
}

/* Whether the loop must end now: the script failed, the client left, or the answer is a local
 * redirect (the rest of the output does not matter). */
static bool cgi_pump_stop(const struct cgi_run *run)
{
    return run->failure != NULL || run->client_gone || run->redirect != NULL;
}

/*
 * The loop. Ends at the end of stdout, on a failure, when the client leaves, or when stdout was
 * silent for `timeout` seconds. Every wait is bounded: poll() by the deadline, the client's body
 * by timeouts.body, writes to the client by timeouts.send.
 */
static void cgi_pump(struct cgi_run *run)
{
    char *buf = pfd_request_alloc(run->r, CGI_IO_BUF);
    run->deadline_ms = pfd_now_ms() + (int64_t)run->cc->timeout * 1000;
    while (run->child.out >= 0 && !cgi_pump_stop(run)) {
        struct pollfd p[3] = {
            {run->child.out, POLLIN, 0}, {run->child.err, POLLIN, 0}, {run->child.in, POLLOUT, 0}};
        int64_t wait = run->deadline_ms - pfd_now_ms();
        if (wait <= 0) {
            cgi_fail(run, 504, "no output within the timeout");
            break;
        }
        int n = poll(p, 3, (int)(wait < 1000 ? wait : 1000));
        if (n < 0 && errno != EINTR) {
            cgi_fail(run, 500, "poll() failed");
            break;
        }
        if (p[1].revents != 0)
            cgi_on_stderr(run);
        if (p[2].revents != 0)
            cgi_feed_stdin(run);
        if (p[0].revents != 0 && !cgi_on_stdout(run, buf))
            cgi_fd_close(&run->child.out);
    }
    for (int i = 0; i < 16 && run->child.err >= 0; i++) /* what stderr still holds */
        cgi_on_stderr(run);
}

/* ---- the end of a run: reap, log ------------------------------------------------------------ */

static const char *cgi_exit_text(struct cgi_run *run, int reaped, int status)
{
    if (reaped < 0)
        return "could not be reaped";
    if (WIFSIGNALED(status))
        return pfd_request_printf(run->r, "killed by signal %d (%s)%s", WTERMSIG(status),
                                  strsignal(WTERMSIG(status)),
                                  WCOREDUMP(status) ? ", core dumped" : "");
    return pfd_request_printf(run->r, "exit status %d",
                              WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* The one line that answers "Premature end of script headers": which script, why, how it
 * ended, and how its output began. */
static void cgi_log_failure(struct cgi_run *run, int reaped, int status)
{
    struct pfd_buf first = PFD_BUF_INIT;
    pfd_escape_log(&first, run->first, run->first_len);
    pfd_log(PFD_LOG_ERR, "cgi \"%s\" failed: %s; %s; output began: \"%s\"%s", run->script,
            run->failure, cgi_exit_text(run, reaped, status), first.data ? first.data : "",
            run->first_len == CGI_FIRST_BYTES ? "..." : "");
    pfd_buf_free(&first);
}

/* Stops (when it must), reaps and judges the script once the pump is over. */
static void cgi_finish(struct cgi_run *run)
{
    if (run->failure == NULL && !run->client_gone && !run->head_done)
        cgi_fail(run, 500, "end of script output before the empty line that ends the headers");
    if (run->failure == NULL && run->out_left > 0 && !run->client_gone)
        cgi_fail(run, 500, "less output than its Content-Length announced");
    /* Stopping signals the whole process group, and what is left of the group once the script
     * has exited goes too (cgi_child_reap()). */
    bool stop_now = run->failure != NULL || run->client_gone || run->redirect != NULL;
    int status = 0;
    int reaped = cgi_child_reap(&run->child, stop_now ? 0 : CGI_EXIT_WAIT_MS, &status);
    if (run->failure == NULL && reaped >= 0 && WIFSIGNALED(status) && !stop_now)
        cgi_fail(run, 500, "the script crashed");
    /* A response that began and then failed must not look complete to the client. */
    if (run->failure != NULL && run->sent && !run->client_gone)
        pfd_response_abort(run->r);
    if (run->client_gone)
        pfd_log(PFD_LOG_INFO, "cgi \"%s\": the client closed the connection; script stopped (%s)",
                run->script, cgi_exit_text(run, reaped, status));
    else if (run->failure != NULL || reaped < 0)
        cgi_log_failure(run, reaped, status);
}

/* What the handler returns once the run is over. */
static int cgi_result(struct cgi_run *run)
{
    if (run->redirect != NULL && run->failure == NULL)
        return pfd_request_internal_redirect(run->r, run->redirect, 0);
    if (run->sent || run->client_gone)
        return PFD_DONE; /* a response that began cannot become an error page */
    return run->failure != NULL ? run->status : PFD_DONE;
}

/* ---- the handler -------------------------------------------------------------------------- */

static void cgi_run_init(struct cgi_run *run, struct pfd_request *r, const struct cgi_conf *cc)
{
    memset(run, 0, sizeof(*run));
    run->r = r;
    run->cc = cc;
    run->slot = -1;
    run->spool_fd = -1;
    run->out_left = -1;
    cgi_child_init(&run->child);
}

/*
 * The command line: the script alone, with an ISINDEX query's words as arguments (RFC 3875
 * §4.4, as Apache passes them); or its interpreter, the interpreter's own arguments, and the
 * script. An interpreter never gets words from the query: "?-s" would reach php-cgi as its
 * option (CVE-2012-1823).
 */
static void cgi_argv_build(struct cgi_run *run, char **argv)
{
    if (run->interp == NULL) {
        argv[0] = (char *)run->script;
        const char *query = pfd_request_query(run->r);
        if (query != NULL)
            cgi_args_from_query(pfd_request_strdup(run->r, query), argv + 1, CGI_ARGS_MAX);
        return;
    }
    size_t n = 0;
    for (; n < run->interp->argc; n++)
        argv[n] = run->interp->argv[n];
    argv[n] = (char *)run->script;
}

/* env + spawn. 0, or an error status (logged). */
static int cgi_start(struct cgi_run *run)
{
    struct cgi_env env;
    cgi_env_init(&env);
    if (cgi_env_build(&env, run) != 0) {
        cgi_env_free(&env);
        pfd_log(PFD_LOG_ERR, "cgi \"%s\": the environment is over its bounds", run->script);
        return 500;
    }
    char *argv[CGI_ARGS_MAX + CGI_INTERP_ARGS_MAX + 3] = {NULL};
    cgi_argv_build(run, argv);
    int err = cgi_spawn(argv[0], argv, env.vars, run->dir, &run->cc->limits, &run->child);
    cgi_env_free(&env);
    if (err == 0)
        return 0;
    int status = err == EACCES || err == EPERM ? 403 : 500;
    if (run->interp != NULL)
        pfd_log(PFD_LOG_ERR, "cgi \"%s\" failed: cannot run its interpreter \"%s\": %s",
                run->script, argv[0], strerror(err));
    else
        pfd_log(PFD_LOG_ERR, "cgi \"%s\" failed: cannot run it: %s%s", run->script, strerror(err),
                err == ENOEXEC || err == ENOENT ? " (is the #! line right?)" : "");
    return status;
}

static int cgi_handle(struct pfd_request *r, void *conf)
{
    const struct cgi_conf *cc = conf;
    struct cgi_run run;
    cgi_run_init(&run, r, cc);
    int rc = cgi_resolve(&run);
    if (rc != 0)
        return rc;
    if (cc->slots != NULL && (run.slot = cgi_slots_acquire(cc->slots, getpid())) < 0) {
        pfd_log(PFD_LOG_WARN, "cgi \"%s\": max_concurrent (%ld) scripts already running",
                run.script, cc->max_concurrent);
        pfd_response_header(r, "Retry-After", CGI_RETRY_AFTER);
        return 503;
    }
    run.head = pfd_request_alloc(r, CGI_HEAD_MAX);
    run.err_line = pfd_request_alloc(r, CGI_STDERR_LINE);
    rc = cgi_body_prepare(&run);
    if (rc == 0)
        rc = cgi_start(&run);
    if (rc == 0) {
        if (run.body_eof)
            cgi_fd_close(&run.child.in); /* no body: the script reads EOF at once */
        cgi_pump(&run);
        cgi_finish(&run);
    }
    cgi_fd_close(&run.spool_fd);
    cgi_slots_release(cc->slots, run.slot); /* before a redirect, which may run a script too */
    return rc == 0 ? cgi_result(&run) : rc;
}
