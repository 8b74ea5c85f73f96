/*
 * check_cli.c — the command line of the real preforkd binary: -v, -h, -t on good and bad
 * configs (errors name FILE:LINE), start-up failure on a port in use, and -X (one process).
 */
#include "testsupport.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "preforkd/module.h"
#include "testsupport_run.h"

#define RUN_TIMEOUT_S 20.0 /* -t, -v, -h must finish long before this, even under ASan */

/* Runs preforkd with up to four arguments; its exit code, *out what it printed. */
static int run_preforkd(char **out, const char *a1, const char *a2, const char *a3, const char *a4)
{
    const char *argv[] = {PFD_BINARY, a1, a2, a3, a4, NULL};
    return ts_run(argv, RUN_TIMEOUT_S, out);
}

START_TEST(test_version)
{
    char *out;
    int code = run_preforkd(&out, "-v", NULL, NULL, NULL);
    static char copy[1024];
    snprintf(copy, sizeof(copy), "%s", out);
    free(out);
    ck_assert_msg(code == 0, "preforkd -v exited %d: %s", code, copy);
    ck_assert_msg(strstr(copy, PFD_VERSION) != NULL && strstr(copy, "preforkd") != NULL,
                  "preforkd -v printed: %s", copy);
}
END_TEST

/* -V: what a bug report needs (issue 19): the version, the compiled-in defaults, the libraries. */
START_TEST(test_version_details)
{
    char *out;
    int code = run_preforkd(&out, "-V", NULL, NULL, NULL);
    static char copy[2048];
    snprintf(copy, sizeof(copy), "%s", out);
    free(out);
    ck_assert_msg(code == 0, "preforkd -V exited %d: %s", code, copy);
    static const char *const lines[] = {
        "preforkd/" PFD_VERSION "\n",
        "config file: " PFD_DEFAULT_CONFIG " ",
        "module_dir: " PFD_DEFAULT_MODULE_DIR " ",
        "libconfuse: 3.",
        "pcre2: 10.",
    };
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
        ck_assert_msg(strstr(copy, lines[i]) != NULL, "preforkd -V has no \"%s\": %s", lines[i],
                      copy);
}
END_TEST

START_TEST(test_help)
{
    char *out;
    int code = run_preforkd(&out, "-h", NULL, NULL, NULL);
    static char copy[4096];
    snprintf(copy, sizeof(copy), "%s", out);
    free(out);
    ck_assert_msg(code == 0, "preforkd -h exited %d: %s", code, copy);
    ck_assert_msg(strstr(copy, "-f") != NULL && strstr(copy, "-t") != NULL,
                  "preforkd -h does not describe -f and -t: %s", copy);
}
END_TEST

START_TEST(test_unknown_option)
{
    char *out;
    int code = run_preforkd(&out, "-Q", NULL, NULL, NULL);
    free(out);
    ck_assert_msg(code > 0 && code < 128, "preforkd -Q exited %d, expected a usage error", code);
}
END_TEST

/* ---- -t ------------------------------------------------------------------------------------ */

/* Runs -t -f conf; asserts the exit code and that the output holds needle. */
static void assert_check_config(const char *conf, int expected_code, const char *needle)
{
    char *out;
    int code = run_preforkd(&out, "-t", "-f", conf, NULL);
    static char copy[2048];
    snprintf(copy, sizeof(copy), "%s", out);
    free(out);
    ck_assert_msg(code == expected_code, "preforkd -t -f %s exited %d, expected %d; output:\n%s",
                  conf, code, expected_code, copy);
    ck_assert_msg(strstr(copy, needle) != NULL, "preforkd -t -f %s: \"%s\" not in output:\n%s",
                  conf, needle, copy);
}

START_TEST(test_check_generated_config)
{
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    ck_assert_int_eq(ts_server_configure(&s, NULL), 0);
    assert_check_config(s.conf, 0, "syntax OK");
    ts_server_stop(&s); /* never started: removes its temp dir */
}
END_TEST

/* The quoted value of a `key = "value"` line, copied to value; 0 or -1. */
static int line_value(const char *line, char *value, size_t size)
{
    const char *open = strchr(line, '"');
    const char *close = open ? strchr(open + 1, '"') : NULL;
    if (close == NULL || (size_t)(close - open - 1) >= size)
        return -1;
    snprintf(value, size, "%.*s", (int)(close - open - 1), open + 1);
    return 0;
}

static bool line_sets(const char *line, const char *key)
{
    size_t n = strlen(key);
    return strncmp(line, key, n) == 0 && (line[n] == ' ' || line[n] == '\t' || line[n] == '=');
}

/*
 * One top-level line of config/preforkd.conf, made to work from dir: module_dir → the built
 * modules, listen → a free port, relative document_root/mime_types → the tree's config
 * folder, relative logs and the pid file → dir.
 */
static void rewrite_line(FILE *f, const char *line, const char *dir, int port)
{
    char value[512];
    bool quoted = line_value(line, value, sizeof(value)) == 0;
    bool relative = quoted && value[0] != '/' && strcmp(value, "-") != 0;
    const char *tree_keys[] = {"document_root", "mime_types"};
    const char *dir_keys[] = {"error_log", "access_log", "pid_file"};
    if (line_sets(line, "module_dir")) {
        fprintf(f, "module_dir = \"%s\"\n", PFD_MODULE_DIR);
        return;
    }
    if (line_sets(line, "listen")) {
        fprintf(f, "listen = {\"%s:%d\"}\n", TS_HOST, port);
        return;
    }
    for (size_t i = 0; relative && i < 2; i++) {
        if (line_sets(line, tree_keys[i])) {
            fprintf(f, "%s = \"%s/config/%s\"\n", tree_keys[i], PFD_SOURCE_DIR, value);
            return;
        }
    }
    for (size_t i = 0; quoted && i < 3; i++) {
        /* the logs unless "-"; the pid file wherever it is ("/run/preforkd.pid") */
        if (line_sets(line, dir_keys[i]) && (relative || strcmp(dir_keys[i], "pid_file") == 0)) {
            const char *base = strrchr(value, '/');
            fprintf(f, "%s = \"%s/%s\"\n", dir_keys[i], dir, base ? base + 1 : value);
            return;
        }
    }
    fprintf(f, "%s\n", line);
}

/* dir/preforkd.conf from the tree's default config; its path in conf. */
static void copy_default_config(const char *dir, char *conf, size_t size)
{
    char *text = ts_file_read(PFD_SOURCE_DIR "/config/preforkd.conf", NULL);
    ck_assert_msg(text != NULL, "the default config " PFD_SOURCE_DIR "/config/preforkd.conf is "
                                "missing");
    snprintf(conf, size, "%s/preforkd.conf", dir);
    FILE *f = fopen(conf, "w");
    ck_assert_msg(f != NULL, "cannot write %s", conf);
    int port = ts_port_pick();
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
        rewrite_line(f, line, dir, port);
    fclose(f);
    free(text);
}

START_TEST(test_check_default_config)
{
    struct ts_server s; /* for its temp dir (with a mime.types) only */
    ck_assert_int_eq(ts_server_init(&s), 0);
    char conf[TS_PATH_MAX + 32];
    copy_default_config(s.dir, conf, sizeof(conf));
    assert_check_config(conf, 0, "syntax OK");
    ts_server_stop(&s); /* never started: removes its temp dir */
}
END_TEST

/* Writes lines to a bad.conf in a temp dir and runs -t on it, expecting "bad.conf:line:". */
static void assert_bad_config(const char *lines, int bad_line)
{
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    char conf[TS_PATH_MAX + 32], needle[TS_PATH_MAX + 64];
    snprintf(conf, sizeof(conf), "%s/bad.conf", s.dir);
    ck_assert_int_eq(ts_file_write(conf, lines, strlen(lines)), 0);
    snprintf(needle, sizeof(needle), "%s:%d:", conf, bad_line);
    assert_check_config(conf, 1, needle);
    ts_server_stop(&s); /* never started: removes its temp dir */
}

START_TEST(test_check_unknown_directive)
{
    assert_bad_config("listen = {\"127.0.0.1:18080\"}\n"
                      "document_root = \"/tmp\"\n"
                      "no_such_directive = 1\n"
                      "module_dir = \"" PFD_MODULE_DIR "\"\n"
                      "modules = {\"static\"}\n",
                      3);
}
END_TEST

START_TEST(test_check_bad_value)
{
    assert_bad_config("listen = {\"127.0.0.1:18080\"}\n"
                      "document_root = \"/tmp\"\n"
                      "module_dir = \"" PFD_MODULE_DIR "\"\n"
                      "modules = {\"static\"}\n"
                      "log_level = \"loudest\"\n",
                      5);
}
END_TEST

/* `preforkd -t -f FILE && kill -USR1 …` (docs/operations.md, the systemd unit's ExecReload)
 * checks the config of a running server: its listen addresses are taken, by that server. */
START_TEST(test_check_passes_on_a_running_servers_config)
{
    struct ts_server s;
    ts_server_start(&s, NULL);
    char *out;
    int code = run_preforkd(&out, "-t", "-f", s.conf, NULL);
    static char copy[2048];
    snprintf(copy, sizeof(copy), "%s", out);
    free(out);
    ts_server_stop(&s);
    ck_assert_msg(code == 0, "-t on the running server's config exited %d:\n%s", code, copy);
    ck_assert_msg(strstr(copy, "syntax OK") != NULL, "no \"syntax OK\":\n%s", copy);
    ck_assert_msg(strstr(copy, "warning: listen") != NULL &&
                      strstr(copy, "address already in use") != NULL,
                  "the busy address is not mentioned:\n%s", copy);
}
END_TEST

/* user = "root" is refused, by -t and at start, with FILE:LINE, as Apache refuses `User root`. */
START_TEST(test_root_workers_refused)
{
    assert_bad_config("listen = {\"127.0.0.1:18080\"}\n"
                      "document_root = \"/tmp\"\n"
                      "module_dir = \"" PFD_MODULE_DIR "\"\n"
                      "user = \"root\"\n",
                      4);
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    ck_assert_int_eq(ts_server_configure(&s, "user = \"root\"\n"), 0);
    const char *argv[] = {PFD_BINARY, "-f", s.conf, NULL};
    char *out = NULL;
    int code = ts_run(argv, RUN_TIMEOUT_S, &out);
    char needle[TS_PATH_MAX + 16];
    snprintf(needle, sizeof(needle), "%s:", s.conf);
    bool named = out != NULL && strstr(out, needle) != NULL &&
                 strstr(out, "the workers would run as root") != NULL;
    static char copy[2048];
    snprintf(copy, sizeof(copy), "%s", out != NULL ? out : "");
    free(out);
    ts_server_stop(&s);
    ck_assert_msg(code == 1 && named, "start with user = \"root\": exit %d, said:\n%s", code, copy);
}
END_TEST

/* The same config with allow_root_workers = true: accepted, as the README documents. */
START_TEST(test_root_workers_allowed_explicitly)
{
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    ck_assert_int_eq(ts_server_configure(&s, "user = \"root\"\nallow_root_workers = true\n"), 0);
    assert_check_config(s.conf, 0, "syntax OK");
    ts_server_stop(&s);
}
END_TEST

/* A module's refusal of its options names the file and line, as every config error does. */
START_TEST(test_check_module_option_error_names_the_line)
{
    assert_bad_config("listen = {\"127.0.0.1:18080\"}\n"
                      "document_root = \"/tmp\"\n"
                      "module_dir = \"" PFD_MODULE_DIR "\"\n"
                      "modules = {\"static\"}\n"
                      "module \"static\" { expires = \"soon\" }\n",
                      5);
}
END_TEST

/*
 * Every module reads its options through the core's reader, so a bad value names the file, the
 * line of the option itself (not of its section), the module and the option; and the address
 * entries of trusted_proxies, location allow/deny and mod_status's allow_from follow one rule.
 * Rows: what follows the four lines of CLI_HEAD, then the line and message -t must print (after
 * "FILE:"), or line 0 for "syntax OK".
 */
#define CLI_HEAD                                                                                   \
    "listen = {\"127.0.0.1:18080\"}\n"                                                             \
    "document_root = \"/tmp\"\n"                                                                   \
    "module_dir = \"" PFD_MODULE_DIR "\"\n"                                                        \
    "modules = {\"static\", \"cgi\", \"autoindex\", \"status\"}\n"

static const struct {
    const char *description, *tail;
    int line;
    const char *message;
} option_rows[] = {
    {"static: the option's own line",
     "module \"static\" {\n  sendfile = true\n  expires = \"soon\"\n}\n", 7,
     "module \"static\": option \"expires\": \"soon\""},
    {"static: charset", "module \"static\" {\n\n  charset = \"a b\"\n}\n", 7,
     "module \"static\": option \"charset\""},
    {"cgi: a size", "module \"cgi\" {\n  timeout = 5\n  rlimit_mem = \"1 M\"\n}\n", 7,
     "module \"cgi\": option \"rlimit_mem\""},
    {"cgi: a signed size, as the core refuses", "module \"cgi\" {\n  spool_max = \"+64K\"\n}\n", 6,
     "module \"cgi\": option \"spool_max\""},
    {"cgi: a range", "module \"cgi\" {\n  timeout = 0\n}\n", 6,
     "module \"cgi\": option \"timeout\": 0 is not in 1..86400"},
    {"cgi: in a location", "location \"^/x/\" {\n  handler = \"cgi\"\n  cgi_timeout = 90000\n}\n",
     7, "module \"cgi\": option \"cgi_timeout\""},
    {"autoindex: in a location",
     "location \"^/x/\" {\n  autoindex = true\n  autoindex_page_size = -1\n}\n", 7,
     "module \"autoindex\": option \"autoindex_page_size\""},
    {"autoindex: a word", "module \"autoindex\" {\n  default_sort = \"colour\"\n}\n", 6,
     "module \"autoindex\": option \"default_sort\""},
    {"status: host bits", "module \"status\" {\n  allow_from = {\"10.0.0.1/8\"}\n}\n", 6,
     "module \"status\": option \"allow_from\": \"10.0.0.1/8\": host bits"},
    {"status: all", "module \"status\" { allow_from = {\"all\"} }\n", 0, NULL},
    {"trusted_proxies: host bits", "trusted_proxies = {\"10.0.0.1/8\"}\n", 5,
     "trusted_proxies \"10.0.0.1/8\": host bits"},
    {"trusted_proxies: all", "trusted_proxies = {\"all\"}\n", 0, NULL},
    {"allow: host bits", "location \"/x\" {\n  allow = {\"10.0.0.1/8\"}\n}\n", 6,
     "allow \"10.0.0.1/8\": host bits"},
    {"follow_symlinks: the core's", "\nfollow_symlinks = \"sometimes\"\n", 6, "follow_symlinks"},
    {"follow_symlinks in a location", "location \"/x\" {\n  follow_symlinks = \"maybe\"\n}\n", 6,
     "follow_symlinks"},
    {"file policy in a vhost",
     "vhost \"a.test\" {\n  serve_hidden = true\n  follow_symlinks = \"off\"\n}\n", 0, NULL},
    {"follow_symlinks is no longer mod_static's",
     "module \"static\" {\n  follow_symlinks = \"off\"\n}\n", 6,
     "unknown directive 'follow_symlinks'"},
};

START_TEST(test_check_module_options_name_their_line)
{
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    char conf[TS_PATH_MAX + 32], needle[TS_PATH_MAX + 256], text[2048];
    snprintf(conf, sizeof(conf), "%s/bad.conf", s.dir);
    snprintf(text, sizeof(text), "%s%s", CLI_HEAD, option_rows[_i].tail);
    ck_assert_int_eq(ts_file_write(conf, text, strlen(text)), 0);
    if (option_rows[_i].line == 0) {
        assert_check_config(conf, 0, "syntax OK");
    } else {
        snprintf(needle, sizeof(needle), "%s:%d: %s", conf, option_rows[_i].line,
                 option_rows[_i].message);
        assert_check_config(conf, 1, needle);
    }
    ts_server_stop(&s);
}
END_TEST

/* What start-up opens for writing is checked by -t: a log in a folder that does not exist, a pid
 * file whose folder is a file. Each names its line. */
START_TEST(test_check_files_the_master_writes)
{
    static const struct {
        const char *directive, *path; /* path under the temp dir */
    } cases[] = {
        {"error_log", "no-such-folder/error.log"},
        {"access_log", "no-such-folder/access.log"},
        {"pid_file", "no-such-folder/preforkd.pid"},
        {"pid_file", "htdocs/hello.txt/preforkd.pid"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_server s;
        ck_assert_int_eq(ts_server_init(&s), 0);
        char text[4 * TS_PATH_MAX], conf[TS_PATH_MAX + 32], needle[TS_PATH_MAX + 128];
        snprintf(text, sizeof(text),
                 "listen = {\"127.0.0.1:%d\"}\ndocument_root = \"%s\"\nmodule_dir = \"%s\"\n"
                 "%s = \"%s/%s\"\n",
                 s.port, s.docroot, PFD_MODULE_DIR, cases[i].directive, s.dir, cases[i].path);
        snprintf(conf, sizeof(conf), "%s/bad.conf", s.dir);
        ck_assert_int_eq(ts_file_write(conf, text, strlen(text)), 0);
        snprintf(needle, sizeof(needle), "%s:4: %s", conf, cases[i].directive);
        assert_check_config(conf, 1, needle);
        ts_server_stop(&s);
    }
}
END_TEST

/* As root the workers read htpasswd files as `user` (nobody): one only root can read would fail
 * every login at request time, so -t refuses it, naming the location. */
START_TEST(test_check_htpasswd_unreadable_by_workers)
{
    if (geteuid() != 0) {
        fprintf(stderr, "SKIP: the workers switch users only when started as root\n");
        return;
    }
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    char htpasswd[TS_PATH_MAX + 16], text[4 * TS_PATH_MAX], conf[TS_PATH_MAX + 32];
    char needle[TS_PATH_MAX + 128];
    snprintf(htpasswd, sizeof(htpasswd), "%s/htpasswd", s.dir);
    const char *entry = "alice:$2y$05$abcdefghijklmnopqrstuuJ2JCRn9qbgCgp1bA7yWQe1Rn2iEnjq6\n";
    ck_assert_int_eq(ts_file_write(htpasswd, entry, strlen(entry)), 0);
    ck_assert_int_eq(chmod(htpasswd, 0600), 0);
    snprintf(text, sizeof(text),
             "listen = {\"127.0.0.1:%d\"}\ndocument_root = \"%s\"\nmodule_dir = \"%s\"\n"
             "location \"/private/\" {\n"
             "  auth_basic = \"Private\"\n  auth_user_file = \"%s\"\n}\n",
             s.port, s.docroot, PFD_MODULE_DIR, htpasswd);
    snprintf(conf, sizeof(conf), "%s/bad.conf", s.dir);
    ck_assert_int_eq(ts_file_write(conf, text, strlen(text)), 0);
    snprintf(needle, sizeof(needle), "%s:4: location \"/private/\": auth_user_file", conf);
    assert_check_config(conf, 1, needle);
    ck_assert_int_eq(chmod(htpasswd, 0644), 0); /* readable by all: accepted */
    assert_check_config(conf, 0, "syntax OK");
    ts_server_stop(&s);
}
END_TEST

START_TEST(test_check_missing_file)
{
    assert_check_config("/nonexistent/preforkd-test.conf", 1, "/nonexistent/preforkd-test.conf");
}
END_TEST

/* ---- start-up ------------------------------------------------------------------------------ */

/* A listening socket on 127.0.0.1:port, or -1. */
static int listen_on(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, TS_HOST, &addr.sin_addr);
    if (fd == -1 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(fd, 4) != 0) {
        if (fd != -1)
            close(fd);
        return -1;
    }
    return fd;
}

static bool output_mentions(const struct ts_server *s, const char *needle)
{
    return ts_file_contains(s->err, needle) || ts_file_contains(s->out, needle) ||
           ts_file_contains(s->error_log, needle);
}

START_TEST(test_port_in_use)
{
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    int busy = listen_on(s.port);
    ck_assert_msg(busy != -1, "cannot occupy port %d", s.port);
    ck_assert_int_eq(ts_server_configure(&s, NULL), 0);
    const char *args[] = {"-f", s.conf, NULL};
    ck_assert_int_eq(ts_server_spawn(&s, args), 0);
    bool exited = ts_server_wait_exit(&s, TS_START_TIMEOUT_S);
    close(busy);
    char address[64];
    snprintf(address, sizeof(address), "%s:%d", TS_HOST, s.port);
    bool named = output_mentions(&s, address);
    if (!exited || !named)
        ts_server_dump(&s);
    int status = s.wait_status;
    ts_server_stop(&s);
    ck_assert_msg(exited, "preforkd kept running with %s taken", address);
    ck_assert_msg(status != 0, "preforkd exited 0 with %s taken", address);
    ck_assert_msg(named, "no message names %s", address);
}
END_TEST

START_TEST(test_single_process)
{
    struct ts_server s;
    const char *args[] = {"-X", NULL};
    ts_server_start_args(&s, NULL, args);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(ts_get_status(s.port, "/hello.txt"), 200);
    size_t children = ts_children(s.pid, NULL, NULL, TS_MAX_PIDS);
    ck_assert_msg(children == 0, "preforkd -X has %zu child processes", children);
    ts_server_stop(&s);
}
END_TEST

/* -X is one process that has dropped root (as a worker does) when it stops, so it could not
 * remove a pid file: it writes none, and leaves none behind. */
START_TEST(test_single_process_leaves_no_pid_file)
{
    struct ts_server s;
    const char *args[] = {"-X", NULL};
    ts_server_start_args(&s, NULL, args);
    ck_assert_int_eq(ts_get_status(s.port, "/hello.txt"), 200);
    ck_assert_int_eq(kill(s.pid, SIGTERM), 0);
    ck_assert_msg(ts_server_wait_exit(&s, TS_STOP_TIMEOUT_S), "preforkd -X outlived SIGTERM");
    bool left = access(s.pid_file, F_OK) == 0;
    ts_server_stop(&s);
    ck_assert_msg(!left, "preforkd -X left its pid file behind");
}
END_TEST

/* -D with error_log = "-": stderr becomes /dev/null, so say it while the terminal is there. */
START_TEST(test_daemon_with_stderr_log_warns)
{
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    ck_assert_int_eq(ts_server_configure(&s, "error_log = \"-\"\n"), 0);
    const char *args[] = {"-D", "-f", s.conf, NULL};
    ck_assert_int_eq(ts_server_spawn(&s, args), 0);
    ck_assert_msg(ts_server_wait_exit(&s, TS_START_TIMEOUT_S), "-D did not return");
    pid_t master = ts_pid_file_wait(s.pid_file, TS_START_TIMEOUT_S);
    ck_assert_msg(master > 0, "no daemon");
    ts_server_adopt(&s, master);
    bool warned = ts_file_contains(s.err, "-D with error_log = \"-\"");
    if (!warned)
        ts_server_dump(&s);
    ts_server_stop(&s);
    ck_assert_msg(warned, "no warning that the daemon's error log is thrown away");
}
END_TEST

/* ./build.sh without an argument says how to use it and stops, before installing or building
 * anything: with no program on PATH it cannot have tried. */
START_TEST(test_build_script_usage_first)
{
    const char *argv[] = {
        "/usr/bin/env", "-i", "PATH=/nonexistent", "/bin/sh", PFD_SOURCE_DIR "/build.sh", NULL};
    char *out = NULL;
    int code = ts_run(argv, RUN_TIMEOUT_S, &out);
    static char copy[2048];
    snprintf(copy, sizeof(copy), "%s", out != NULL ? out : "");
    free(out);
    ck_assert_msg(code == 2 && strstr(copy, "usage:") != NULL && strstr(copy, "not found") == NULL,
                  "build.sh without an argument: exit %d, said:\n%s", code, copy);
}
END_TEST

static Suite *cli_suite(void)
{
    Suite *suite = suite_create("cli");
    TCase *options = tcase_create("options");
    tcase_set_timeout(options, 60);
    tcase_add_test(options, test_version);
    tcase_add_test(options, test_version_details);
    tcase_add_test(options, test_help);
    tcase_add_test(options, test_unknown_option);
    suite_add_tcase(suite, options);

    TCase *check = tcase_create("config_check");
    tcase_set_timeout(check, 60);
    tcase_add_test(check, test_check_generated_config);
    tcase_add_test(check, test_check_default_config);
    tcase_add_test(check, test_check_unknown_directive);
    tcase_add_test(check, test_check_bad_value);
    tcase_add_test(check, test_check_missing_file);
    tcase_add_test(check, test_check_passes_on_a_running_servers_config);
    tcase_add_test(check, test_root_workers_refused);
    tcase_add_test(check, test_root_workers_allowed_explicitly);
    tcase_add_test(check, test_check_module_option_error_names_the_line);
    tcase_add_loop_test(check, test_check_module_options_name_their_line, 0,
                        sizeof(option_rows) / sizeof(option_rows[0]));
    tcase_add_test(check, test_check_files_the_master_writes);
    tcase_add_test(check, test_check_htpasswd_unreadable_by_workers);
    suite_add_tcase(suite, check);

    TCase *startup = tcase_create("startup");
    tcase_set_timeout(startup, 60);
    tcase_add_test(startup, test_port_in_use);
    tcase_add_test(startup, test_single_process);
    tcase_add_test(startup, test_single_process_leaves_no_pid_file);
    tcase_add_test(startup, test_daemon_with_stderr_log_warns);
    tcase_add_test(startup, test_build_script_usage_first);
    suite_add_tcase(suite, startup);
    return suite;
}

int main(void)
{
    return ts_run_session(cli_suite());
}
