/*
 * main.c — command line, start-up order, and the choice between master and single process.
 *
 * Start-up: load and check the config (every error is "FILE:LINE: what is wrong"), open the logs,
 * bind the listeners, create the scoreboard, run the modules' init hooks, then either become the
 * master (default) or serve in this one process (-X).
 */
#include <confuse.h>
#include <errno.h>
#include <fcntl.h>
#include <pcre2.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef PFD_HAVE_OPENSSL
#include <openssl/crypto.h>
#endif

#include "base/log.h"
#include "config/config.h"
#include "config/logs.h"
#include "pool/listen.h"
#include "pool/module_hooks.h"
#include "pool/scoreboard.h"
#include "pool/server.h"
#include "process/keeper.h"
#include "process/master.h"
#include "process/worker.h"
#include "serve/route.h"
#include "serve/tls.h"

/* PFD_DEFAULT_CONFIG and PFD_DEFAULT_MODULE_DIR come from CMake (the install layout). */

struct options {
    const char *config_file;
    bool test_only;
    bool explain;             /* -T: which route would serve explain_url */
    const char *explain_url;  /* -T URL [HOST] */
    const char *explain_host; /* or NULL */
    bool single_process;
    bool daemonize;
};

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: preforkd [-f FILE] [-t] [-X] [-D] [-v] [-V] [-h]\n"
            "       preforkd [-f FILE] -T URL [HOST]\n"
            "  -f FILE  configuration file (default: %s)\n"
            "  -t       check the configuration and exit\n"
            "  -T       print which vhost, location, rewrites, handler and file would serve\n"
            "           URL (\"/path?query\") for Host HOST, and exit\n"
            "  -X       serve from a single process, in the foreground (debugging)\n"
            "  -D       run as a daemon, in the background\n"
            "  -v       print the version and exit\n"
            "  -V       print the version, the compiled-in defaults and the libraries' versions\n"
            "  -h       print this help and exit\n",
            PFD_DEFAULT_CONFIG);
}

/* -V: what a bug report needs, as `nginx -V` and `apache2 -V` print it: the version, the
 * defaults this binary was built with, and the versions of the libraries it runs with. */
static void print_build_details(void)
{
    char pcre2_version[64] = "";
    pcre2_config(PCRE2_CONFIG_VERSION, pcre2_version); /* at most 24 code units, pcre2api(3) */
    printf("preforkd/%s\n"
           "config file: %s (without -f)\n"
           "module_dir: %s (when the config sets none; a relative path is beside the config)\n"
           "libconfuse: %s\n"
           "pcre2: %s\n",
           PFD_VERSION, PFD_DEFAULT_CONFIG, PFD_DEFAULT_MODULE_DIR, confuse_version, pcre2_version);
#ifdef PFD_HAVE_OPENSSL
    printf("OpenSSL: %s\n", OpenSSL_version(OPENSSL_VERSION));
#endif
}

static int parse_options(int argc, char **argv, struct options *o)
{
    o->config_file = PFD_DEFAULT_CONFIG;
    int c;
    while ((c = getopt(argc, argv, "f:tTXDvVh")) != -1) {
        switch (c) {
        case 'f':
            o->config_file = optarg;
            break;
        case 't':
            o->test_only = true;
            break;
        case 'T':
            o->explain = true;
            break;
        case 'X':
            o->single_process = true;
            break;
        case 'D':
            o->daemonize = true;
            break;
        case 'v':
            printf("preforkd/%s\n", PFD_VERSION);
            exit(0);
        case 'V':
            print_build_details();
            exit(0);
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            return -1;
        }
    }
    if (o->explain && optind < argc && argc - optind <= 2) {
        o->explain_url = argv[optind];
        o->explain_host = optind + 1 < argc ? argv[optind + 1] : NULL;
        return 0;
    }
    if (o->explain) {
        fprintf(stderr, "preforkd: -T needs a URL and at most a host\n");
        usage(stderr);
        return -1;
    }
    if (optind < argc) {
        fprintf(stderr, "preforkd: unexpected argument \"%s\"\n", argv[optind]);
        usage(stderr);
        return -1;
    }
    return 0;
}

/* The classic double fork: no controlling terminal, not a process-group leader. */
static int daemonize(void)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid > 0)
        _exit(0);
    if (setsid() < 0)
        return -1;
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid > 0)
        _exit(0);
    if (chdir("/") != 0)
        return -1;
    int fd = open("/dev/null", O_RDWR);
    if (fd < 0)
        return -1;
    /* With error_log = "-" there is no terminal left to log to: a daemon needs a log file. */
    dup2(fd, STDIN_FILENO);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    if (fd > STDERR_FILENO)
        close(fd);
    return 0;
}

/* Whether pid is a running preforkd: its /proc comm, or else its executable's name. */
static bool pid_is_preforkd(pid_t pid)
{
    char path[64], name[64] = "";
    snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return false; /* no such process (or no /proc): nothing to protect */
    bool got = fgets(name, sizeof(name), f) != NULL;
    fclose(f);
    name[strcspn(name, "\n")] = '\0';
    if (got && strcmp(name, "preforkd") == 0)
        return true;
    char exe[4096];
    snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
    ssize_t n = readlink(path, exe, sizeof(exe) - 1);
    if (n <= 0)
        return false;
    exe[n] = '\0';
    const char *base = strrchr(exe, '/');
    base = base != NULL ? base + 1 : exe;
    return strcmp(base, "preforkd") == 0 || strncmp(base, "preforkd ", 9) == 0;
}

/* Before start-up: a pid file naming a live preforkd means one is running with this config, so
 * starting another is refused (as apachectl does); a stale one (the process is gone, or the pid
 * now belongs to something else) is removed. 0 or -1 (said on stderr). */
static int check_pid_file(const char *path)
{
    if (path == NULL)
        return 0;
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return 0;
    char text[32] = "";
    bool got = fgets(text, sizeof(text), f) != NULL;
    fclose(f);
    long pid = got ? strtol(text, NULL, 10) : 0;
    if (pid > 0 && pid != (long)getpid() && pid_is_preforkd((pid_t)pid)) {
        fprintf(stderr,
                "preforkd: pid file \"%s\" names a running preforkd (pid %ld): stop it first, "
                "or send it SIGUSR1 to reload\n",
                path, pid);
        return -1;
    }
    if (unlink(path) != 0 && errno != ENOENT) {
        fprintf(stderr, "preforkd: unlink() of the stale pid file \"%s\" failed: %s\n", path,
                strerror(errno));
        return -1;
    }
    return 0;
}

static int write_pid_file(const char *path)
{
    if (path == NULL)
        return 0;
    FILE *f = fopen(path, "we");
    if (f == NULL) {
        pfd_log(PFD_LOG_EMERG, "fopen() \"%s\" failed: %s", path, strerror(errno));
        return -1;
    }
    fprintf(f, "%d\n", (int)getpid());
    return fclose(f);
}

/* Whether the workers' user (inside chroot, if any) may open path with mode (access(2) bits):
 * asked in a child that switches user the way a worker does. true when not root (the workers are
 * this user) or when it cannot tell. */
static bool worker_can_access(const struct pfd_config *conf, const char *path, int mode)
{
    if (geteuid() != 0)
        return true;
    pid_t pid = fork();
    if (pid < 0)
        return true; /* cannot tell: the workers will log what they meet */
    if (pid == 0)
        _exit(pfd_worker_drop_privileges(conf) == 0 && access(path, mode) == 0 ? 0 : 1);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Started as root, the master serves nothing itself: the workers do, as `user`. A document root
 * that user cannot read would answer every request with 403, an htpasswd file it cannot read
 * every login with 500: say it now, with the line to fix. */
static int check_worker_access(const struct pfd_config *conf)
{
    int rc = 0;
    const char *jail = conf->chroot;
    if (!worker_can_access(conf, conf->document_root, R_OK | X_OK)) {
        fprintf(stderr,
                "%s: document_root \"%s\"%s%s%s cannot be read by user \"%s\", whom the workers "
                "run as: set `user` in the config, or give that user read and search permission "
                "on every folder of the path\n",
                conf->file, conf->document_root, jail != NULL ? " (inside chroot \"" : "",
                jail != NULL ? jail : "", jail != NULL ? "\")" : "", conf->user);
        rc = -1;
    }
    for (size_t i = 0; i < conf->nlocations; i++) {
        const struct pfd_location *loc = &conf->locations[i];
        if (loc->auth_user_file == NULL || worker_can_access(conf, loc->auth_user_file, R_OK))
            continue;
        fprintf(stderr,
                "%s:%d: location \"%s\": auth_user_file \"%s\"%s%s%s cannot be read by user "
                "\"%s\", whom the workers run as (it is read at each request): give that user "
                "read permission on it and search permission on its folders\n",
                conf->file, loc->line, loc->pattern, loc->auth_user_file,
                jail != NULL ? " (inside chroot \"" : "", jail != NULL ? jail : "",
                jail != NULL ? "\")" : "", conf->user);
        rc = -1;
    }
    return rc;
}

/* What the load found doubtful (conf->warnings): on stderr for -t, in the error log at start. */
static void report_warnings(const struct pfd_config *conf, bool to_stderr)
{
    const char *w = conf->warnings;
    while (w != NULL && *w != '\0') {
        size_t n = strcspn(w, "\n");
        if (to_stderr)
            fprintf(stderr, "%.*s\n", (int)n, w);
        else
            pfd_log(PFD_LOG_WARN, "%.*s", (int)n, w);
        w += n + (w[n] == '\n');
    }
}

/* With parking on, a keeper needs a descriptor per parked connection: a hard limit too low for
 * keepalive { max_parked } stops start-up with the fix. */
static int check_keeper_limits(const struct pfd_config *conf)
{
    char err[1024];
    if (!conf->keepalive.park || pfd_keeper_check_nofile(conf, err, sizeof(err)) == 0)
        return 0;
    fprintf(stderr, "%s\n", err);
    return -1;
}

/* HTTPS: the contexts of conf into s->tls, made here, as root, before any fork (workers never
 * open a key file). Errors on stderr; the certificates' expiry on stderr (-t) or in the error
 * log (start). 0 or -1. */
static int make_tls(struct pfd_server *s, bool test_only)
{
    char err[8192], notes[8192];
    if (pfd_tls_create(s->conf, &s->tls, err, sizeof(err), notes, sizeof(notes)) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    if (test_only) {
        fprintf(stderr, "%s%s", notes, notes[0] != '\0' ? "\n" : "");
    } else {
        pfd_tls_log_notes(notes);
        pfd_tls_warm(s->tls);
    }
    return 0;
}

/* -t: what start-up would check, modules' own option checks (their init hooks) included. */
static int test_config(struct pfd_config *conf)
{
    struct pfd_server server = {.conf = conf, .slot = -1, .generation = 1};
    report_warnings(conf, true);
    int rc = check_worker_access(conf) == 0 && check_keeper_limits(conf) == 0 &&
                     make_tls(&server, true) == 0 && pfd_modules_init(&server, conf) == 0
                 ? 0
                 : 1;
    pfd_modules_fini(conf);
    pfd_tls_free(server.tls);
    if (rc == 0)
        printf("syntax OK\n");
    pfd_config_free(conf);
    return rc;
}

static int run(struct pfd_server *s, const struct options *o)
{
    if (o->daemonize && daemonize() != 0) {
        pfd_log(PFD_LOG_EMERG, "cannot daemonize: %s", strerror(errno));
        return 1;
    }
    int rc;
    if (o->single_process) {
        /* No pid file: the single process has dropped root (as a worker does) by the time it
         * stops, so it could not remove one, and would leave it behind. */
        s->slot = pfd_scoreboard_slot_claim(s->scoreboard);
        s->scoreboard->slots[s->slot].pid = getpid();
        pfd_log(PFD_LOG_NOTICE, "preforkd/%s serving in a single process (-X), pid %d", PFD_VERSION,
                (int)getpid());
        pfd_worker_run(s); /* does not return */
    }
    if (write_pid_file(s->conf->pid_file) != 0)
        return 1;
    /* The channels to the keepers exist even with parking off, so a reload can turn it on. */
    if (pfd_park_channels_open(&s->park) != 0) {
        pfd_log(PFD_LOG_EMERG, "socketpair() for the keepers failed: %s", strerror(errno));
        return 1;
    }
    s->scoreboard->nkeepers = (uint32_t)s->conf->keepalive.keepers;
    rc = pfd_master_run(s);
    pfd_park_channels_close(&s->park);
    if (s->conf->pid_file != NULL)
        unlink(s->conf->pid_file);
    return rc;
}

/* A daemon's stderr is /dev/null: a log that is "-" would be thrown away, unseen. Said while
 * stderr is still the terminal. */
static void warn_daemon_stderr_logs(const struct pfd_config *conf)
{
    const char *logs[] = {conf->error_log, conf->access_log};
    const char *names[] = {"error_log", "access_log"};
    for (size_t i = 0; i < 2; i++) {
        if (logs[i] != NULL && strcmp(logs[i], "-") == 0)
            fprintf(stderr,
                    "%s: warning: -D with %s = \"-\": a daemon's stderr is /dev/null, so these "
                    "lines are lost; give %s a file (or \"| command\")\n",
                    conf->file, names[i], names[i]);
    }
}

int main(int argc, char **argv)
{
    struct options o = {0};
    if (parse_options(argc, argv, &o) != 0)
        return 2;
    /* A daemon runs in "/": a relative -f would name another file (or none) at every reload. */
    char *config_real = o.daemonize ? realpath(o.config_file, NULL) : NULL;
    if (config_real != NULL)
        o.config_file = config_real;
    char err[8192];
    enum pfd_config_checks checks =
        o.test_only || o.explain ? PFD_CONFIG_CHECK_TEST : PFD_CONFIG_CHECK_START;
    struct pfd_config *conf = pfd_config_load(o.config_file, checks, err, sizeof(err));
    free(config_real); /* conf->file is its own copy */
    if (conf == NULL) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    if (o.explain) {
        int explained = pfd_route_explain(conf, o.explain_url, o.explain_host, stdout);
        pfd_config_free(conf);
        return explained;
    }
    if (o.test_only)
        return test_config(conf);
    if (check_pid_file(conf->pid_file) != 0) {
        pfd_config_free(conf);
        return 1;
    }
    if (check_worker_access(conf) != 0 || check_keeper_limits(conf) != 0) {
        pfd_config_free(conf);
        return 1;
    }
    struct pfd_server server = {.conf = conf, .slot = -1, .generation = 1};
    server.park = (struct pfd_park_channels){-1, -1, -1, -1};
    server.keeper_control = -1;
    server.access_log.fd = -1;
    if (o.daemonize)
        warn_daemon_stderr_logs(conf);
    if (pfd_log_open(conf->error_log, conf->log_level) != 0) {
        fprintf(stderr, "preforkd: open() \"%s\" failed: %s\n", conf->error_log, strerror(errno));
        return 1;
    }
    report_warnings(conf, false);
    int rc = 1;
    if (make_tls(&server, false) != 0)
        goto out;
    if (pfd_access_log_open(&server.access_log, conf->access_log, conf->access_log_format) != 0 ||
        pfd_vhost_logs_open(conf) != 0)
        goto out;
    if (pfd_listen_open(conf) != 0)
        goto out;
    uint32_t slots = (uint32_t)conf->prefork.max_workers * 2;
    server.scoreboard = pfd_scoreboard_create(slots < 16 ? 16 : slots);
    if (server.scoreboard == NULL)
        goto out;
    server.scoreboard->generation = server.generation;
    if (pfd_modules_init(&server, conf) != 0)
        goto out;
    rc = run(&server, &o);
out:
    pfd_modules_fini(server.conf);
    pfd_listen_close(server.conf);
    pfd_access_log_close(&server.access_log);
    pfd_scoreboard_destroy(server.scoreboard);
    pfd_tls_free(server.tls);
    pfd_config_free(server.conf);
    pfd_log_close();
    return rc;
}
