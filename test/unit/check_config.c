/*
 * check_config.c — unit tests for server/config*.c: every error names FILE:LINE of the directive
 * at fault; defaults are filled and relative paths resolve against the config's folder; the
 * default config/preforkd.conf loads; module sections are checked against their module's own
 * options; mime.types, sizes and listen addresses parse as documented; the text handed to
 * libconfuse has its comments blanked and its titled sections found, every byte on its line.
 *
 * Each test gets a temp folder holding the config, an empty htdocs/ (the default docroot) and
 * modules -> PFD_MODULE_DIR (the default module_dir), so short configs are complete.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "config/config_mime.h"
#include "config/config_text.h"
#include "config/config_value.h"
#include "testsupport.h"
#include "testsupport_run.h"

#if !defined(PFD_SOURCE_DIR) || !defined(PFD_MODULE_DIR)
#error "PFD_SOURCE_DIR and PFD_MODULE_DIR must be defined (see test/CMakeLists.txt)"
#endif

#define TEST_ERR_SIZE 8192
#define TEST_PATH_MAX 512

/* ---- a temp folder per test -------------------------------------------------------------- */

struct test_dir {
    char path[TEST_PATH_MAX];      /* the folder itself */
    char conf[TEST_PATH_MAX + 16]; /* path/test.conf */
    char err[TEST_ERR_SIZE];
};

static void test_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_msg(f != NULL, "fopen %s: %s", path, strerror(errno));
    ck_assert_int_eq(fputs(text, f) >= 0, 1);
    ck_assert_int_eq(fclose(f), 0);
}

static void test_mkdir(const char *dir, const char *name)
{
    char path[TEST_PATH_MAX * 2];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    ck_assert_msg(mkdir(path, 0755) == 0, "mkdir %s: %s", path, strerror(errno));
}

/*
 * The tests' temp folders live in one root per TCase, made and removed by an unchecked fixture:
 * that runs in the parent process, so a test that fails (and exits) early leaves nothing behind.
 */
static char test_root[TEST_PATH_MAX];

static void test_root_make(void)
{
    snprintf(test_root, sizeof(test_root), "/tmp/check_config.XXXXXX");
    ck_assert_msg(mkdtemp(test_root) != NULL, "mkdtemp: %s", strerror(errno));
    /* realpath: /tmp may be a symlink, and the loader reports resolved paths */
    char *real = realpath(test_root, NULL);
    ck_assert_ptr_nonnull(real);
    snprintf(test_root, sizeof(test_root), "%s", real);
    free(real);
}

static void test_root_remove(void)
{
    ts_dir_remove(test_root);
}

static void test_dir_make(struct test_dir *d)
{
    int n = snprintf(d->path, sizeof(d->path), "%s/t.XXXXXX", test_root);
    ck_assert_int_lt(n, (int)sizeof(d->path));
    ck_assert_msg(mkdtemp(d->path) != NULL, "mkdtemp: %s", strerror(errno));
    snprintf(d->conf, sizeof(d->conf), "%s/test.conf", d->path);
    test_mkdir(d->path, "htdocs");
    char link[TEST_PATH_MAX + 16];
    snprintf(link, sizeof(link), "%s/modules", d->path);
    ck_assert_int_eq(symlink(PFD_MODULE_DIR, link), 0);
    d->err[0] = '\0';
}

static void test_dir_remove(struct test_dir *d)
{
    ts_dir_remove(d->path);
}

/* "@MODULE_DIR@" in config text stands for PFD_MODULE_DIR. */
static char *test_expand(const char *text)
{
    const char *mark = "@MODULE_DIR@";
    size_t n = strlen(text) + strlen(PFD_MODULE_DIR) * 4 + 1;
    char *out = malloc(n), *o = out;
    ck_assert_ptr_nonnull(out);
    for (const char *p = text; *p;) {
        if (strncmp(p, mark, strlen(mark)) == 0) {
            o += snprintf(o, n - (size_t)(o - out), "%s", PFD_MODULE_DIR);
            p += strlen(mark);
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    return out;
}

static struct pfd_config *test_load(struct test_dir *d, const char *text, bool runtime)
{
    char *expanded = test_expand(text);
    test_write(d->conf, expanded);
    free(expanded);
    return pfd_config_load(d->conf, runtime, d->err, sizeof(d->err));
}

/* Some line of err is "FILE:LINE: …msg…" ("FILE: …msg…" for line 0). */
static bool test_err_has(const char *err, const char *file, int line, const char *msg)
{
    char prefix[TEST_PATH_MAX + 32];
    if (line > 0)
        snprintf(prefix, sizeof(prefix), "%s:%d: ", file, line);
    else
        snprintf(prefix, sizeof(prefix), "%s: ", file);
    size_t plen = strlen(prefix);
    for (const char *p = err; *p != '\0';) {
        const char *end = strchr(p, '\n');
        size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
        char *one = strndup(p, n);
        bool hit = n >= plen && strncmp(one, prefix, plen) == 0 && strstr(one + plen, msg);
        free(one);
        if (hit)
            return true;
        p += n + (end != NULL);
    }
    return false;
}

/* ---- configs that must be refused -------------------------------------------------------- */

struct error_case {
    const char *desc;
    const char *text; /* the config; "@MODULE_DIR@" is PFD_MODULE_DIR */
    int line;         /* 0: the error has no line (a default value is at fault) */
    const char *msg;  /* a substring of that error line */
};

static const struct error_case error_cases[] = {
    /* Syntax and names. */
    {"unknown directive", "modules = {}\n\nlisten_on = 80\n", 3, "unknown directive 'listen_on'"},
    {"unknown directive in a section", "modules = {}\nprefork {\n    max_worker = 5\n}\n", 3,
     "unknown directive 'max_worker' in section prefork"},
    {"lines stay right after comments",
     "# one\n/* two\n   three */\nmodules = {} // four\nlisten = {\"127.0.0.1:8080\", # five\n"
     "          \"127.0.0.1:8081\"}\nbogus = 1\n",
     7, "unknown directive 'bogus'"},
    {"a '#' inside a string is no comment", "modules = {}\nserver_name = \"a#b\" bogus = 1\n", 2,
     "unknown directive 'bogus'"},
    {"unexpected closing brace", "modules = {}\nprefork { }\n}\n", 3, "unexpected closing brace"},
    {"section never closed", "modules = {}\nprefork {\n    max_workers = 10\n", 2,
     "'{' is never closed"},
    {"list never closed", "modules = {}\nlisten = {\"127.0.0.1:8080\"\n", 2,
     "premature end of file"},
    {"comment never closed", "modules = {}\n/* where does it end\n", 2, "comment is never closed"},
    /* Types. */
    {"text for a number", "modules = {}\ntimeouts {\n    header = soon\n}\n", 3,
     "invalid integer value for option 'header' in section timeouts"},
    {"text for a boolean", "modules = {}\ntrace_enable = maybe\n", 2,
     "invalid boolean value for option 'trace_enable'"},
    {"a value for a section", "modules = {}\nkeepalive = 5\n", 2,
     "missing opening brace for section 'keepalive'"},
    {"empty server_name", "modules = {}\nserver_name = \"\"\n", 2,
     "server_name \"\": must not be empty"},
    {"index file with a slash", "modules = {}\nindex_files = {\"index.html\",\n \"a/b.html\"}\n", 3,
     "index_files \"a/b.html\": must be a file name without '/'"},
    {"default_type not a media type", "modules = {}\ndefault_type = \"binary\"\n", 2,
     "default_type \"binary\": expected a media type"},
    /* listen. */
    {"listen host name", "modules = {}\nlisten = {\"localhost:8080\"}\n", 2,
     "listen \"localhost:8080\": expected"},
    {"listen port 0", "modules = {}\nlisten = {\"127.0.0.1:0\"}\n", 2,
     "listen \"127.0.0.1:0\": expected"},
    {"listen port 65536", "modules = {}\nlisten = \"65536\"\n", 2, "listen \"65536\": expected"},
    {"listen IPv6 without brackets", "modules = {}\nlisten = {\"::1:8080\"}\n", 2,
     "listen \"::1:8080\": expected"},
    {"listen: the bad value's own line",
     "modules = {}\nlisten = {\"127.0.0.1:8080\",\n          \"1.2.3:80\"}\n", 3,
     "listen \"1.2.3:80\": expected"},
    {"listen empty", "modules = {}\nlisten = {}\n", 0, "listen: at least one address"},
    {"listen twice the same address", "modules = {}\nlisten = {\"*:8080\",\n \"0.0.0.0:8080\"}\n",
     3, "listen \"0.0.0.0:8080\": the same address as \"*:8080\""},
    /* Log level and sizes. */
    {"unknown log level", "modules = {}\nlog_level = \"loud\"\n", 2,
     "log_level \"loud\": unknown log level"},
    {"log level names are exact", "modules = {}\nlog_level = \"warning\"\n", 2,
     "unknown log level"},
    {"bad size suffix", "modules = {}\nlimits {\n    body = \"1X\"\n}\n", 3,
     "body \"1X\": expected a size"},
    {"fractional size", "modules = {}\nlimits { body = \"1.5M\" }\n", 2, "body \"1.5M\""},
    {"negative size", "modules = {}\nlimits { body = \"-1\" }\n", 2, "body \"-1\""},
    /* Numbers out of range, and across directives. */
    {"max_workers 20001", "modules = {}\nprefork { max_workers = 20001 }\n", 2,
     "max_workers = 20001: must be between 1 and 20000"},
    {"max_workers 0", "modules = {}\nprefork { max_workers = 0 }\n", 2, "max_workers = 0"},
    {"unknown scheduling", "modules = {}\nprefork {\n    scheduling = \"fifo\"\n}\n", 3,
     "scheduling \"fifo\": expected \"normal\" or \"batch\""},
    {"start_servers 0", "modules = {}\nprefork { start_servers = 0 }\n", 2,
     "start_servers = 0: must be between 1 and 20000"},
    {"negative max_requests_per_child", "modules = {}\nprefork { max_requests_per_child = -1 }\n",
     2, "max_requests_per_child = -1: must be at least 0"},
    {"max_spawn_rate 0", "modules = {}\nprefork { max_spawn_rate = 0 }\n", 2, "max_spawn_rate = 0"},
    {"timeout 0", "modules = {}\ntimeouts { keepalive = 0 }\n", 2,
     "keepalive = 0: must be between 1 and 86400"},
    {"request_line too small", "modules = {}\nlimits { request_line = 255 }\n", 2,
     "request_line = 255: must be between 256"},
    {"header_fields 0", "modules = {}\nlimits { header_fields = 0 }\n", 2, "header_fields = 0"},
    {"min_spare > max_spare",
     "modules = {}\nprefork {\n    min_spare_servers = 6\n    max_spare_servers = 3\n}\n", 4,
     "min_spare_servers (6) is greater than max_spare_servers (3)"},
    {"max_spare below the default min_spare",
     "modules = {}\nprefork {\n max_spare_servers = 2\n}\n", 3,
     "min_spare_servers (5) is greater than max_spare_servers (2)"},
    {"start_servers > max_workers", "modules = {}\nprefork {\n max_workers = 4\n}\n", 3,
     "start_servers (5) is greater than max_workers (4)"},
    {"every bad value reported", "modules = {}\nprefork { max_workers = 0 }\nlog_level = \"x\"\n",
     3, "log_level \"x\""},
    /* Paths. */
    {"document_root missing", "modules = {}\n\ndocument_root = \"nosuch\"\n", 3,
     "/nosuch\": No such file or directory"},
    {"document_root not a folder", "modules = {}\ndocument_root = \"test.conf\"\n", 2,
     "/test.conf\": not a folder"},
    {"module_dir not a folder", "module_dir = \"test.conf\"\n", 1, "/test.conf\": not a folder"},
    {"mime_types unreadable", "modules = {}\nmime_types = \"nope.types\"\n", 2,
     "/nope.types\": No such file or directory"},
    /* Modules. */
    {"missing module", "module_dir = \"@MODULE_DIR@\"\nmodules = {\n    \"nosuchmodule\"\n}\n", 3,
     "cannot load module \"nosuchmodule\""},
    {"module name with a slash", "modules = {\"../x\"}\n", 1, "module name \"../x\" must be"},
    {"module listed twice", "modules = {\"static\",\n           \"static\"}\n", 2,
     "module \"static\" is listed twice"},
    {"module section without the module", "modules = {}\n\nmodule \"static\" {\n}\n", 3,
     "module \"static\" is not in modules"},
    {"unknown option in a module section",
     "modules = {\"static\"}\nmodule \"static\" {\n    charset = \"utf-8\"\n    bogus = 1\n}\n", 4,
     "unknown directive 'bogus' in module \"static\""},
    {"wrong type in a module section",
     "modules = {\"static\"}\nmodule \"static\" {\n"
     "    sendfile = maybe\n}\n",
     3, "invalid boolean value for option 'sendfile' in module \"static\""},
    {"core directive inside a module section",
     "modules = {\"static\"}\nmodule \"static\" { listen = \"80\" }\n", 2,
     "unknown directive 'listen' in module \"static\""},
    {"module section twice",
     "modules = {\"static\"}\nmodule \"static\" { }\nmodule \"static\" { }\n", 3,
     "duplicate title 'static'"},
    /* Locations. */
    {"bad regex", "modules = {}\nlocation \"^/ok/\" { }\nlocation \"^/(a\" {\n}\n", 3,
     "bad regex \"^/(a\": missing closing parenthesis at offset 4"},
    {"bad regex quantifier", "modules = {}\nlocation \"*x\" { }\n", 2,
     "bad regex \"*x\": quantifier does not follow a repeatable item at offset 0"},
    {"handler not in modules",
     "modules = {}\nlocation \"^/cgi-bin/\" {\n    handler = \"cgi\"\n}\n", 3,
     "location \"^/cgi-bin/\": handler \"cgi\" is not in modules"},
    /* Vhosts. */
    {"bad regex in a vhost location",
     "modules = {}\nvhost \"a.test\" {\n    location \"/ok/\" { }\n    location \"~ ^/(a\" { "
     "}\n}\n",
     4, "bad regex \"^/(a\": missing closing parenthesis at offset 4"},
    {"bad regex in a vhost rewrite",
     "modules = {}\nvhost \"a.test\" {\n  location \"/x/\" {\n"
     "    rewrite { pattern = \"[z\" to = \"/\" }\n  }\n}\n",
     4, "bad regex \"[z\" in a rewrite"},
    {"unknown directive in a vhost",
     "modules = {}\nvhost \"a.test\" {\n    aliases = {\"b.test\"}\n    listen = \"80\"\n}\n", 4,
     "unknown directive 'listen' in vhost \"a.test\""},
    {"duplicate vhost name", "modules = {}\nvhost \"a.test\" { }\nvhost \"a.test\" { }\n", 3,
     "duplicate title 'a.test'"},
    {"vhost name differing in case and trailing dot",
     "modules = {}\nvhost \"a.test\" { }\nvhost \"A.Test.\" { }\n", 3,
     "vhost \"a.test\": the name is already another vhost's"},
    {"vhost alias that is another vhost's name",
     "modules = {}\nvhost \"a.test\" { }\nvhost \"b.test\" {\n  aliases = {\"a.test\"}\n}\n", 4,
     "alias \"a.test\" is already a vhost's name"},
    {"vhost access_log_format with an unknown code",
     "modules = {}\nvhost \"a.test\" {\n  access_log = \"a.log\"\n  access_log_format = \"%h "
     "%Z\"\n}\n",
     4, "vhost \"a.test\": access_log_format: unknown code %Z"},
    {"vhost empty error_log", "modules = {}\nvhost \"a.test\" {\n  error_log = \"\"\n}\n", 3,
     "error_log \"\": must not be empty"},
    /* Users. */
    {"workers as root refused", "modules = {}\n\nuser = \"root\"\n", 3,
     "user \"root\": the workers would run as root (uid 0)"},
    {"workers as root refused unless allowed, and only allowed by true",
     "modules = {}\nallow_root_workers = false\nuser = \"root\"\n", 3,
     "set allow_root_workers = true"},
};

START_TEST(test_error_case)
{
    const struct error_case *c = &error_cases[_i];
    struct test_dir d;
    test_dir_make(&d);
    struct pfd_config *conf = test_load(&d, c->text, false);
    if (conf != NULL) {
        pfd_config_free(conf);
        test_dir_remove(&d);
        ck_abort_msg("%s: the config was accepted", c->desc);
    }
    bool hit = test_err_has(d.err, d.conf, c->line, c->msg);
    char err[TEST_ERR_SIZE];
    snprintf(err, sizeof(err), "%s", d.err);
    test_dir_remove(&d);
    ck_assert_msg(hit, "%s: want \"%s:%d: …%s…\", got:\n%s", c->desc, "test.conf", c->line, c->msg,
                  err);
}
END_TEST

/* ---- configs that load ------------------------------------------------------------------- */

START_TEST(test_minimal_defaults)
{
    struct test_dir d;
    test_dir_make(&d);
    struct pfd_config *conf = test_load(&d, "modules = {}\n", false);
    ck_assert_msg(conf != NULL, "%s", d.err);
    char want[TEST_PATH_MAX + 32];
    ck_assert_str_eq(conf->file, d.conf);
    ck_assert_str_eq(conf->dir, d.path);
    ck_assert_uint_eq(conf->nlistens, 1);
    ck_assert_str_eq(conf->listens[0].text, "127.0.0.1:8080");
    const struct sockaddr_in *a4 = (const struct sockaddr_in *)&conf->listens[0].addr;
    ck_assert_int_eq(a4->sin_family, AF_INET);
    ck_assert_int_eq(ntohs(a4->sin_port), 8080);
    ck_assert_int_eq(ntohl(a4->sin_addr.s_addr), INADDR_LOOPBACK);
    ck_assert_int_eq(conf->listens[0].fd, -1);
    char host[HOST_NAME_MAX + 1] = "";
    gethostname(host, sizeof(host));
    ck_assert_str_eq(conf->server_name, host[0] ? host : "localhost");
    snprintf(want, sizeof(want), "webmaster@%s", conf->server_name);
    ck_assert_str_eq(conf->server_admin, want);
    snprintf(want, sizeof(want), "%s/htdocs", d.path);
    ck_assert_str_eq(conf->document_root, want);
    snprintf(want, sizeof(want), "%s/modules", d.path);
    ck_assert_str_eq(conf->module_dir, want);
    ck_assert_str_eq(conf->user, "nobody");
    ck_assert_ptr_null(conf->pid_file);
    ck_assert_str_eq(conf->error_log, "-");
    ck_assert_int_eq(conf->log_level, PFD_LOG_NOTICE);
    ck_assert_ptr_null(conf->access_log);
    ck_assert_str_eq(conf->access_log_format,
                     "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\"");
    ck_assert_uint_eq(conf->nmodules, 0);
    ck_assert_uint_eq(conf->nindex_files, 1);
    ck_assert_str_eq(conf->index_files[0], "index.html");
    /* no mime.types beside the config: the system's, or the built-in table */
    ck_assert_uint_gt(conf->nmime_types, 0);
    ck_assert_str_eq(conf->default_type, "application/octet-stream");
    ck_assert(!conf->trace_enable);
    ck_assert(conf->server_tokens);
    ck_assert_uint_eq(conf->nlocations, 0);
    ck_assert_ptr_nonnull(conf->cfg);
    pfd_config_free(conf);
    test_dir_remove(&d);
}
END_TEST

START_TEST(test_minimal_numbers)
{
    struct test_dir d;
    test_dir_make(&d);
    struct pfd_config *conf = test_load(&d, "modules = {}\n", false);
    ck_assert_msg(conf != NULL, "%s", d.err);
    ck_assert_int_eq(conf->prefork.start_servers, 5);
    ck_assert_int_eq(conf->prefork.min_spare_servers, 5);
    ck_assert_int_eq(conf->prefork.max_spare_servers, 10);
    ck_assert_int_eq(conf->prefork.max_workers, 150);
    ck_assert_int_eq(conf->prefork.max_requests_per_child, 0);
    ck_assert_int_eq(conf->prefork.listen_backlog, 511);
    ck_assert_int_eq(conf->prefork.max_spawn_rate, 32);
    ck_assert_int_eq(conf->prefork.scheduling, PFD_SCHEDULING_NORMAL);
    ck_assert_int_eq(conf->timeouts.header, 20);
    ck_assert_int_eq(conf->timeouts.body, 60);
    ck_assert_int_eq(conf->timeouts.keepalive, 5);
    ck_assert_int_eq(conf->timeouts.send, 60);
    ck_assert_int_eq(conf->timeouts.graceful, 30);
    ck_assert_int_eq(conf->limits.request_line, 8190);
    ck_assert_int_eq(conf->limits.header_fields, 100);
    ck_assert_int_eq(conf->limits.header_field_size, 8190);
    ck_assert_int_eq(conf->limits.body, (int64_t)1 << 30); /* Apache 2.4.54+'s LimitRequestBody */
    ck_assert(conf->keepalive.enabled);
    ck_assert_int_eq(conf->keepalive.max_requests, 100);
    pfd_config_free(conf);
    test_dir_remove(&d);
}
END_TEST

/* Every directive set; the config is loaded by a relative name from its parent folder. */
static const char full_conf[] =
    "listen = {\"*:8081\", \"[::1]:8082\", \"8083\", \"[::]:8084\", \"10.1.2.3:80\"}\n"
    "server_name = \"www.example.org\"\n"
    "server_admin = \"root@example.org\"\n"
    "document_root = \"../www/\"\n"
    "user = \"nobody\"\n"
    "group = \"nogroup\"\n"
    "pid_file = \"run/preforkd.pid\"\n"
    "error_log = \"/var/log/preforkd/error.log\"\n"
    "log_level = \"debug\"\n"
    "access_log = \"logs/access.log\"\n"
    "access_log_format = \"%h %r %>s\"\n"
    "modules = {}\n"
    "index_files = {\"index.htm\", \"default.html\"}\n"
    "mime_types = \"../types\"\n"
    "default_type = \"text/plain\"\n"
    "trace_enable = true\n"
    "server_tokens = false\n"
    "prefork { start_servers = 20000 min_spare_servers = 1 max_spare_servers = 20000\n"
    "          max_workers = 20000 max_requests_per_child = 1000 listen_backlog = 128\n"
    "          max_spawn_rate = 1 scheduling = \"batch\" }\n"
    "timeouts { header = 1 body = 2 keepalive = 3 send = 4 graceful = 86400 }\n"
    "limits { request_line = 256 header_fields = 1 header_field_size = 1048576 body = \"2G\" }\n"
    "keepalive { enabled = off max_requests = 0 }\n";

START_TEST(test_full_relative)
{
    struct test_dir d;
    test_dir_make(&d);
    test_mkdir(d.path, "etc");
    test_mkdir(d.path, "www");
    char path[TEST_PATH_MAX * 2];
    snprintf(path, sizeof(path), "%s/etc/preforkd.conf", d.path);
    test_write(path, full_conf);
    snprintf(path, sizeof(path), "%s/types", d.path);
    test_write(path, "text/html html\n");
    char cwd[PATH_MAX];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
    ck_assert_int_eq(chdir(d.path), 0);
    struct pfd_config *conf = pfd_config_load("etc/preforkd.conf", false, d.err, sizeof(d.err));
    ck_assert_int_eq(chdir(cwd), 0);
    ck_assert_msg(conf != NULL, "%s", d.err);
    char want[TEST_PATH_MAX * 2];
    ck_assert_str_eq(conf->file, "etc/preforkd.conf");
    snprintf(want, sizeof(want), "%s/etc", d.path);
    ck_assert_str_eq(conf->dir, want);
    snprintf(want, sizeof(want), "%s/www", d.path); /* no trailing '/' */
    ck_assert_str_eq(conf->document_root, want);
    snprintf(want, sizeof(want), "%s/etc/run/preforkd.pid", d.path);
    ck_assert_str_eq(conf->pid_file, want);
    snprintf(want, sizeof(want), "%s/etc/logs/access.log", d.path);
    ck_assert_str_eq(conf->access_log, want);
    ck_assert_str_eq(conf->error_log, "/var/log/preforkd/error.log");
    snprintf(want, sizeof(want), "%s/etc/../types", d.path);
    ck_assert_str_eq(conf->mime_types_file, want);
    ck_assert_str_eq(conf->server_name, "www.example.org");
    ck_assert_str_eq(conf->server_admin, "root@example.org");
    ck_assert_str_eq(conf->group, "nogroup");
    ck_assert_int_eq(conf->log_level, PFD_LOG_DEBUG);
    ck_assert_str_eq(conf->access_log_format, "%h %r %>s");
    ck_assert_uint_eq(conf->nindex_files, 2);
    ck_assert_str_eq(conf->index_files[1], "default.html");
    ck_assert_str_eq(conf->default_type, "text/plain");
    ck_assert(conf->trace_enable);
    ck_assert(!conf->server_tokens);
    ck_assert_int_eq(conf->prefork.max_workers, 20000);
    ck_assert_int_eq(conf->prefork.max_requests_per_child, 1000);
    ck_assert_int_eq(conf->prefork.scheduling, PFD_SCHEDULING_BATCH);
    ck_assert_int_eq(conf->timeouts.graceful, 86400);
    ck_assert_int_eq(conf->limits.header_field_size, 1048576);
    ck_assert_int_eq(conf->limits.body, (int64_t)2 << 30);
    ck_assert(!conf->keepalive.enabled);
    ck_assert_int_eq(conf->keepalive.max_requests, 0);
    ck_assert_uint_eq(conf->nlistens, 5);
    ck_assert_int_eq(conf->listens[1].addr.ss_family, AF_INET6);
    ck_assert_int_eq(conf->listens[2].addr.ss_family, AF_INET);
    ck_assert_int_eq(conf->listens[3].addr.ss_family, AF_INET6);
    pfd_config_free(conf);
    test_dir_remove(&d);
}
END_TEST

START_TEST(test_limits_body_unlimited)
{
    struct test_dir d;
    test_dir_make(&d);
    struct pfd_config *conf = test_load(&d, "modules = {}\nlimits { body = \"0\" }\n", false);
    ck_assert_msg(conf != NULL, "%s", d.err);
    ck_assert_int_eq(conf->limits.body, 0);
    pfd_config_free(conf);
    test_dir_remove(&d);
}
END_TEST

/* The shipped config, with module_dir pointed at the build's modules (its one own line). */
START_TEST(test_default_config)
{
    struct test_dir d;
    test_dir_make(&d);
    FILE *in = fopen(PFD_SOURCE_DIR "/config/preforkd.conf", "r");
    ck_assert_msg(in != NULL, "config/preforkd.conf: %s", strerror(errno));
    test_mkdir(d.path, "config");
    char path[TEST_PATH_MAX * 2], line[1024];
    snprintf(path, sizeof(path), "%s/config/preforkd.conf", d.path);
    FILE *out = fopen(path, "w");
    ck_assert_ptr_nonnull(out);
    int replaced = 0;
    while (fgets(line, sizeof(line), in) != NULL) {
        if (strcmp(line, "module_dir = \"../build/modules\"\n") == 0) {
            fprintf(out, "module_dir = \"%s\"\n", PFD_MODULE_DIR);
            replaced++;
        } else {
            fputs(line, out);
        }
    }
    fclose(in);
    fclose(out);
    ck_assert_int_eq(replaced, 1);
    snprintf(path, sizeof(path), "cp %s/config/mime.types %s/config/", PFD_SOURCE_DIR, d.path);
    ck_assert_int_eq(system(path), 0);
    snprintf(path, sizeof(path), "%s/config/preforkd.conf", d.path);
    struct pfd_config *conf = pfd_config_load(path, false, d.err, sizeof(d.err));
    ck_assert_msg(conf != NULL, "%s", d.err);
    ck_assert_str_eq(conf->listens[0].text, "127.0.0.1:8080");
    snprintf(path, sizeof(path), "%s/htdocs", d.path);
    ck_assert_str_eq(conf->document_root, path);
    ck_assert_str_eq(conf->error_log, "-");
    ck_assert_str_eq(conf->access_log, "-");
    ck_assert_uint_eq(conf->nloaded, 4);
    ck_assert_str_eq(conf->loaded[0].module->name, "cgi");
    ck_assert_str_eq(conf->loaded[1].module->name, "static");
    ck_assert_str_eq(conf->loaded[2].module->name, "autoindex");
    ck_assert_str_eq(conf->loaded[3].module->name, "status");
    ck_assert_uint_eq(conf->nlocations, 3);
    ck_assert_str_eq(conf->locations[2].pattern, "^/server-status$");
    ck_assert_str_eq(conf->locations[0].pattern, "^/cgi-bin/");
    ck_assert_str_eq(conf->locations[0].handler, "cgi");
    ck_assert_str_eq(conf->locations[1].pattern, "^/files/");
    ck_assert_int_eq(cfg_getbool(conf->locations[1].section, "autoindex"), cfg_true);
    ck_assert_uint_gt(conf->nmime_types, 90);
    ck_assert_str_eq(pfd_config_mime_lookup(conf, "html"), "text/html");
    ck_assert_str_eq(pfd_config_mime_lookup(conf, "JPG"), "image/jpeg");
    ck_assert_str_eq(pfd_config_mime_lookup(conf, "woff2"), "font/woff2");
    ck_assert_str_eq(pfd_config_mime_lookup(conf, "conf"), "text/plain");
    ck_assert_str_eq(pfd_config_mime_lookup(conf, "mjs"), "text/javascript");
    ck_assert_ptr_null(pfd_config_mime_lookup(conf, "nosuchext"));
    for (size_t i = 1; i < conf->nmime_types; i++)
        ck_assert_int_lt(strcmp(conf->mime_types[i - 1].extension, conf->mime_types[i].extension),
                         0);
    pfd_config_free(conf);
    test_dir_remove(&d);
}
END_TEST

/* In place too, when this build's modules are where the shipped config expects them. */
START_TEST(test_default_config_in_place)
{
    if (strcmp(PFD_MODULE_DIR, PFD_SOURCE_DIR "/build/modules") != 0)
        return; /* another build folder: test_default_config covers it */
    char err[TEST_ERR_SIZE];
    struct pfd_config *conf =
        pfd_config_load(PFD_SOURCE_DIR "/config/preforkd.conf", false, err, sizeof(err));
    ck_assert_msg(conf != NULL, "%s", err);
    pfd_config_free(conf);
}
END_TEST

START_TEST(test_module_sections)
{
    struct test_dir d;
    test_dir_make(&d);
    struct pfd_config *conf = test_load(&d,
                                        "modules = {\"static\"}\n"
                                        "module \"static\" {\n    charset = \"utf-8\"\n}\n",
                                        false);
    ck_assert_msg(conf != NULL, "%s", d.err);
    ck_assert_uint_eq(conf->nloaded, 1);
    const struct pfd_loaded_module *m = &conf->loaded[0];
    ck_assert_str_eq(m->module->name, "static");
    ck_assert_ptr_nonnull(m->dl_handle);
    ck_assert_ptr_nonnull(strstr(m->path, "/mod_static.so"));
    ck_assert_ptr_nonnull(m->section);
    ck_assert_str_eq(cfg_title(m->section), "static");
    ck_assert_str_eq(cfg_getstr(m->section, "charset"), "utf-8");
    ck_assert_int_eq(cfg_getbool(m->section, "sendfile"), cfg_true); /* its own default */
    pfd_config_free(conf);
    test_dir_remove(&d);
}
END_TEST

START_TEST(test_module_without_section)
{
    struct test_dir d;
    test_dir_make(&d);
    struct pfd_config *conf = test_load(&d, "# modules: the default {\"static\"}\n", false);
    ck_assert_msg(conf != NULL, "%s", d.err);
    ck_assert_uint_eq(conf->nmodules, 1);
    ck_assert_uint_eq(conf->nloaded, 1);
    ck_assert_ptr_null(conf->loaded[0].section);
    pfd_config_free(conf);
    test_dir_remove(&d);
}
END_TEST

START_TEST(test_locations)
{
    struct test_dir d;
    test_dir_make(&d);
    struct pfd_config *conf = test_load(&d,
                                        "modules = {\"static\"}\n"
                                        "location \"^/static/\" { handler = \"static\" }\n"
                                        "\n"
                                        "location \"\\\\.(png|jpg)$\" {\n"
                                        "}\n",
                                        false);
    ck_assert_msg(conf != NULL, "%s", d.err);
    ck_assert_uint_eq(conf->nlocations, 2);
    ck_assert_str_eq(conf->locations[0].pattern, "^/static/");
    ck_assert_str_eq(conf->locations[0].handler, "static");
    ck_assert_int_eq(conf->locations[0].line, 2);
    ck_assert_str_eq(conf->locations[1].pattern, "\\.(png|jpg)$");
    ck_assert_ptr_null(conf->locations[1].handler);
    ck_assert_int_eq(conf->locations[1].line, 4);
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(conf->locations[1].regex, NULL);
    const char *subject = "/img/a.png";
    int rc =
        pcre2_match(conf->locations[1].regex, (PCRE2_SPTR)subject, strlen(subject), 0, 0, md, NULL);
    ck_assert_int_gt(rc, 0);
    subject = "/img/a.gif";
    rc =
        pcre2_match(conf->locations[1].regex, (PCRE2_SPTR)subject, strlen(subject), 0, 0, md, NULL);
    ck_assert_int_eq(rc, PCRE2_ERROR_NOMATCH);
    pcre2_match_data_free(md);
    pfd_config_free(conf);
    test_dir_remove(&d);
}
END_TEST

/* A vhost's logs: paths resolve like the top level's, unset ones stay NULL (the top level's),
 * and nothing is opened while loading. */
START_TEST(test_vhost_logs)
{
    struct test_dir d;
    test_dir_make(&d);
    struct pfd_config *conf = test_load(&d,
                                        "modules = {}\n"
                                        "access_log = \"top.log\"\n"
                                        "vhost \"a.test\" {\n"
                                        "  access_log = \"a.log\"\n"
                                        "  access_log_format = \"%v %U\"\n"
                                        "  error_log = \"| cat >/dev/null\"\n"
                                        "}\n"
                                        "vhost \"b.test\" { access_log_format = \"%h\" }\n"
                                        "vhost \"c.test\" { }\n",
                                        false);
    ck_assert_msg(conf != NULL, "%s", d.err);
    ck_assert_uint_eq(conf->nvhosts, 3);
    const struct pfd_vhost *a = &conf->vhosts[0], *b = &conf->vhosts[1], *c = &conf->vhosts[2];
    char want[TEST_PATH_MAX + 16];
    snprintf(want, sizeof(want), "%s/a.log", d.path);
    ck_assert_str_eq(a->access_log, want);
    ck_assert_str_eq(a->access_log_format, "%v %U");
    ck_assert_str_eq(a->error_log, "| cat >/dev/null");
    ck_assert(a->own_access_log);
    ck_assert_ptr_null(b->access_log);
    ck_assert_str_eq(b->access_log_format, "%h");
    ck_assert(b->own_access_log); /* the top level's file, in its own format */
    ck_assert(!c->own_access_log);
    ck_assert_ptr_null(c->error_log);
    for (size_t v = 0; v < conf->nvhosts; v++) {
        ck_assert_int_eq(conf->vhosts[v].access_log_file.fd, -1);
        ck_assert_int_eq(conf->vhosts[v].error_log_fd, -1);
    }
    pfd_config_free(conf);
    test_dir_remove(&d);
}
END_TEST

START_TEST(test_mime_types)
{
    struct test_dir d;
    test_dir_make(&d);
    char path[TEST_PATH_MAX * 2];
    snprintf(path, sizeof(path), "%s/mime.types", d.path); /* found beside the config */
    test_write(path, "# a comment\n"
                     "text/plain   TXT text\n"
                     "\n"
                     "image/x-a    foo .bar   # the dot is tolerated\n"
                     "image/x-b    foo\n");
    struct pfd_config *conf = test_load(&d, "modules = {}\n", false);
    ck_assert_msg(conf != NULL, "%s", d.err);
    ck_assert_str_eq(conf->mime_types_file, path);
    ck_assert_uint_eq(conf->nmime_types, 4); /* bar foo text txt */
    ck_assert_str_eq(pfd_config_mime_lookup(conf, "txt"), "text/plain");
    ck_assert_str_eq(pfd_config_mime_lookup(conf, "Txt"), "text/plain");
    ck_assert_str_eq(pfd_config_mime_lookup(conf, "foo"), "image/x-b"); /* the later line wins */
    ck_assert_str_eq(pfd_config_mime_lookup(conf, "bar"), "image/x-a");
    ck_assert_ptr_null(pfd_config_mime_lookup(conf, "png"));
    ck_assert_ptr_null(pfd_config_mime_lookup(conf, ""));
    ck_assert_str_eq(conf->mime_types[0].extension, "bar");
    ck_assert_str_eq(conf->mime_types[3].extension, "txt");
    pfd_config_free(conf);
    test_dir_remove(&d);
}
END_TEST

START_TEST(test_mime_types_bad_line)
{
    struct test_dir d;
    test_dir_make(&d);
    char path[TEST_PATH_MAX * 2];
    snprintf(path, sizeof(path), "%s/mime.types", d.path);
    test_write(path, "text/plain txt\nnonsense abc\n");
    struct pfd_config *conf = test_load(&d, "modules = {}\n", false);
    ck_assert_ptr_null(conf);
    ck_assert_msg(test_err_has(d.err, path, 2, "\"nonsense\" is not a media type"), "%s", d.err);
    test_dir_remove(&d);
}
END_TEST

/* A mime.types that defines nothing gives an empty table (the sanitizer build once aborted on
 * qsort() of no entries). */
START_TEST(test_mime_types_empty)
{
    struct test_dir d;
    test_dir_make(&d);
    char path[TEST_PATH_MAX * 2];
    snprintf(path, sizeof(path), "%s/mime.types", d.path);
    test_write(path, "# nothing but a comment\n");
    struct pfd_config *conf = test_load(&d, "modules = {}\n", false);
    ck_assert_msg(conf != NULL, "%s", d.err);
    ck_assert_uint_eq(conf->nmime_types, 0);
    ck_assert_ptr_null(pfd_config_mime_lookup(conf, "txt"));
    pfd_config_free(conf);
    test_dir_remove(&d);
}
END_TEST

/* Without mime_types: beside the config, else the system's file, else the built-in table. */
START_TEST(test_mime_types_fallback_order)
{
    struct test_dir d;
    test_dir_make(&d);
    char beside[TEST_PATH_MAX * 2], system[TEST_PATH_MAX * 2], none[TEST_PATH_MAX * 2];
    snprintf(beside, sizeof(beside), "%s/mime.types", d.path);
    snprintf(system, sizeof(system), "%s/system.types", d.path);
    snprintf(none, sizeof(none), "%s/absent.types", d.path);
    test_write(beside, "text/plain txt\n");
    test_write(system, "text/plain txt\n");
    const char *both[] = {beside, system}, *only_system[] = {none, system},
               *neither[] = {none, none};
    ck_assert_str_eq(config_mime_pick(both, 2), beside);
    ck_assert_str_eq(config_mime_pick(only_system, 2), system);
    ck_assert_ptr_null(config_mime_pick(neither, 2));
    test_dir_remove(&d);
}
END_TEST

/* The built-in table: what a site serves most, each with its registered type. */
static const struct {
    const char *extension, *type;
} builtin_cases[] = {
    {"html", "text/html"},        {"htm", "text/html"},       {"css", "text/css"},
    {"js", "text/javascript"},    {"mjs", "text/javascript"}, {"json", "application/json"},
    {"png", "image/png"},         {"jpg", "image/jpeg"},      {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},         {"svg", "image/svg+xml"},   {"txt", "text/plain"},
    {"pdf", "application/pdf"},   {"ico", "image/x-icon"},    {"webp", "image/webp"},
    {"woff2", "font/woff2"},      {"woff", "font/woff"},      {"xml", "application/xml"},
    {"wasm", "application/wasm"}, {"mp4", "video/mp4"},       {"webm", "video/webm"},
    {"mp3", "audio/mpeg"},        {"avif", "image/avif"},     {"PNG", "image/png"},
};

START_TEST(test_mime_types_builtin)
{
    struct pfd_config conf = {0};
    ck_assert_int_eq(config_mime_builtin(&conf.mime_types, &conf.nmime_types), 0);
    ck_assert_uint_ge(conf.nmime_types, 40);
    for (size_t i = 0; i < sizeof(builtin_cases) / sizeof(builtin_cases[0]); i++) {
        const char *got = pfd_config_mime_lookup(&conf, builtin_cases[i].extension);
        ck_assert_msg(got != NULL && strcmp(got, builtin_cases[i].type) == 0, ".%s: %s, want %s",
                      builtin_cases[i].extension, got != NULL ? got : "unknown",
                      builtin_cases[i].type);
    }
    ck_assert_ptr_null(pfd_config_mime_lookup(&conf, "xyz"));
    config_mime_free(conf.mime_types, conf.nmime_types);
}
END_TEST

/* No mime.types beside the config: the system's is read when there is one; otherwise the
 * built-in table, and a warning that says so (what -t prints). */
START_TEST(test_mime_types_none_beside)
{
    struct test_dir d;
    test_dir_make(&d);
    struct pfd_config *conf = test_load(&d, "modules = {}\n", false);
    ck_assert_msg(conf != NULL, "%s", d.err);
    ck_assert_str_eq(pfd_config_mime_lookup(conf, "png"), "image/png");
    if (access(CONFIG_MIME_SYSTEM_FILE, F_OK) == 0) {
        ck_assert_str_eq(conf->mime_types_file, CONFIG_MIME_SYSTEM_FILE);
        ck_assert_ptr_null(conf->warnings);
    } else {
        ck_assert_ptr_null(conf->mime_types_file);
        ck_assert_msg(conf->warnings != NULL && strstr(conf->warnings, "built-in table") != NULL,
                      "no warning");
    }
    pfd_config_free(conf);
    test_dir_remove(&d);
}
END_TEST

/* ---- runtime checks ---------------------------------------------------------------------- */

/* A listening socket on 127.0.0.1:<ephemeral>; its port. */
static int test_listener(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    ck_assert_int_eq(listen(fd, 1), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

START_TEST(test_port_in_use)
{
    struct test_dir d;
    test_dir_make(&d);
    int port, fd = test_listener(&port);
    char text[256], msg[128];
    snprintf(text, sizeof(text), "modules = {}\nlisten = {\"[::1]:%d\",\n \"127.0.0.1:%d\"}\n",
             port, port);
    struct pfd_config *conf = test_load(&d, text, false);
    ck_assert_msg(conf != NULL, "without check_runtime: %s", d.err);
    pfd_config_free(conf);
    conf = test_load(&d, text, true);
    close(fd);
    ck_assert_ptr_null(conf);
    snprintf(msg, sizeof(msg), "listen \"127.0.0.1:%d\": address already in use", port);
    ck_assert_msg(test_err_has(d.err, d.conf, 3, msg), "%s", d.err);
    test_dir_remove(&d);
}
END_TEST

/* -t checks the config of a running server before a reload: the address it holds is in use, and
 * that is only a warning then (start-up still refuses it, test_port_in_use). */
START_TEST(test_port_in_use_only_warns_for_t)
{
    struct test_dir d;
    test_dir_make(&d);
    int port, fd = test_listener(&port);
    char text[256], msg[TEST_PATH_MAX + 128];
    snprintf(text, sizeof(text), "modules = {}\nlisten = {\"127.0.0.1:%d\"}\n", port);
    test_write(d.conf, text);
    struct pfd_config *conf = pfd_config_load(d.conf, PFD_CONFIG_CHECK_TEST, d.err, sizeof(d.err));
    close(fd);
    ck_assert_msg(conf != NULL, "%s", d.err);
    snprintf(msg, sizeof(msg), "%s:2: warning: listen \"127.0.0.1:%d\": address already in use",
             d.conf, port);
    ck_assert_msg(conf->warnings != NULL && strstr(conf->warnings, msg) != NULL, "warnings: %s",
                  conf->warnings != NULL ? conf->warnings : "(none)");
    pfd_config_free(conf);
    test_dir_remove(&d);
}
END_TEST

/* Other bind errors stay errors for -t: an address this host does not have. */
START_TEST(test_address_not_here_refused_by_t)
{
    struct test_dir d;
    test_dir_make(&d);
    test_write(d.conf, "modules = {}\nlisten = {\"192.0.2.1:8080\"}\n"); /* TEST-NET-1 */
    struct pfd_config *conf = pfd_config_load(d.conf, PFD_CONFIG_CHECK_TEST, d.err, sizeof(d.err));
    ck_assert_ptr_null(conf);
    ck_assert_msg(test_err_has(d.err, d.conf, 2, "listen \"192.0.2.1:8080\": bind() failed"), "%s",
                  d.err);
    test_dir_remove(&d);
}
END_TEST

START_TEST(test_port_free)
{
    struct test_dir d;
    test_dir_make(&d);
    int port, fd = test_listener(&port);
    close(fd); /* now free (a closed listener leaves no TIME_WAIT) */
    char text[256];
    snprintf(text, sizeof(text), "modules = {}\nlisten = {\"127.0.0.1:%d\"}\n", port);
    struct pfd_config *conf = test_load(&d, text, true);
    ck_assert_msg(conf != NULL, "%s", d.err);
    pfd_config_free(conf);
    test_dir_remove(&d);
}
END_TEST

/* As root the workers switch users, so the user must exist; otherwise it is not looked up. */
START_TEST(test_user_unknown)
{
    struct test_dir d;
    test_dir_make(&d);
    struct pfd_config *conf = test_load(&d, "modules = {}\nuser = \"no-such-user-x\"\n", false);
    if (geteuid() != 0) {
        ck_assert_msg(conf != NULL, "%s", d.err);
        pfd_config_free(conf);
    } else {
        ck_assert_ptr_null(conf);
        ck_assert_msg(test_err_has(d.err, d.conf, 2, "user \"no-such-user-x\": no such user"), "%s",
                      d.err);
    }
    test_dir_remove(&d);
}
END_TEST

/* Apache's `User root` refusal has a way out here: allow_root_workers = true. */
START_TEST(test_user_root_allowed_explicitly)
{
    struct test_dir d;
    test_dir_make(&d);
    struct pfd_config *conf =
        test_load(&d, "modules = {}\nuser = \"root\"\nallow_root_workers = true\n", false);
    ck_assert_msg(conf != NULL, "%s", d.err);
    ck_assert(conf->allow_root_workers);
    pfd_config_free(conf);
    test_dir_remove(&d);
}
END_TEST

/* ---- backslashes in double-quoted strings ------------------------------------------------ */

/* What users write in a regex must reach pcre2: libconfuse drops an unknown escape's backslash
 * ("\." became ".") and makes "\b" a backspace; \\ and the escapes pcre2 reads alike keep
 * working. Each row: a location title as written in the file, a path, whether it matches. */
static const struct {
    const char *desc;
    const char *title; /* the config text between `location ` and ` { }` */
    const char *path;
    bool match;
} backslash_cases[] = {
    {"\\. is a literal dot", "\"~ \\.png$\"", "/a.png", true},
    {"\\. does not match any byte", "\"~ \\.png$\"", "/apng", false},
    {"\\d is a digit", "\"~ ^/(\\d+)$\"", "/42", true},
    {"\\d is not the letter d", "\"~ ^/(\\d+)$\"", "/dd", false},
    {"\\b is a word boundary", "\"~ \\bfoo\\b\"", "/a/foo", true},
    {"\\b is not a backspace", "\"~ \\bfoo\\b\"", "/a/foobar", false},
    {"\\\\. (the old way) still a literal dot", "\"~ ^/a\\\\.b$\"", "/a.b", true},
    {"\\\\. still not any byte", "\"~ ^/a\\\\.b$\"", "/axb", false},
    {"\\$ not before { is a literal dollar", "\"~ ^/x\\$\"", "/x$", true},
    {"\\$ is no end anchor", "\"~ ^/x\\$\"", "/x", false},
    {"\\w in the caseless form", "\"~* ^/\\w+\\.HTML$\"", "/page.html", true},
    {"legacy title with \\.", "\"\\.cgi$\"", "/a.cgi", true},
    {"legacy title with \\., no match", "\"\\.cgi$\"", "/acgi", false},
    {"single quotes keep backslashes", "'~ \\.png$'", "/apng", false},
    {"single quotes keep backslashes, match", "'~ \\.png$'", "/b.png", true},
};

static bool test_regex_matches(const pcre2_code *re, const char *path)
{
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    ck_assert_ptr_nonnull(md);
    int rc = pcre2_match(re, (PCRE2_SPTR)path, strlen(path), 0, 0, md, NULL);
    pcre2_match_data_free(md);
    return rc >= 0;
}

START_TEST(test_regex_backslash_kept)
{
    struct test_dir d;
    test_dir_make(&d);
    char text[512];
    snprintf(text, sizeof(text), "modules = {}\nlocation %s { }\n", backslash_cases[_i].title);
    struct pfd_config *conf = test_load(&d, text, false);
    ck_assert_msg(conf != NULL, "%s: %s", backslash_cases[_i].desc, d.err);
    ck_assert_uint_eq(conf->nlocations, 1);
    ck_assert_ptr_nonnull(conf->locations[0].regex);
    bool match = test_regex_matches(conf->locations[0].regex, backslash_cases[_i].path);
    char pattern[256];
    snprintf(pattern, sizeof(pattern), "%s", conf->locations[0].pattern);
    pfd_config_free(conf);
    test_dir_remove(&d);
    ck_assert_msg(match == backslash_cases[_i].match, "%s: %s on \"%s\" (title read as \"%s\")",
                  backslash_cases[_i].desc, match ? "matches" : "does not match",
                  backslash_cases[_i].path, pattern);
}
END_TEST

/* The same in a rewrite rule, and the escapes libconfuse keeps: \" \\ \t. */
START_TEST(test_rewrite_backslash_kept)
{
    struct test_dir d;
    test_dir_make(&d);
    struct pfd_config *conf =
        test_load(&d,
                  "modules = {}\nlocation \"/old/\" {\n"
                  "  rewrite { pattern = \"^/old/(\\d+)\\.html$\" to = \"/new/$1\" }\n"
                  "  add_headers = {\"X-Quote: a\\\"b\\\\c\\td\"}\n}\n",
                  false);
    ck_assert_msg(conf != NULL, "%s", d.err);
    const struct pfd_location *loc = &conf->locations[0];
    ck_assert_str_eq(loc->rewrites[0].pattern, "^/old/(\\d+)\\.html$");
    ck_assert(test_regex_matches(loc->rewrites[0].regex, "/old/12.html"));
    ck_assert(!test_regex_matches(loc->rewrites[0].regex, "/old/12xhtml"));
    ck_assert_str_eq(loc->add_headers[0].value, "a\"b\\c\td");
    pfd_config_free(conf);
    test_dir_remove(&d);
}
END_TEST

/* ---- the error report itself ------------------------------------------------------------- */

START_TEST(test_errors_one_per_line)
{
    struct test_dir d;
    test_dir_make(&d);
    struct pfd_config *conf =
        test_load(&d, "modules = {}\nlog_level = \"x\"\nprefork { max_workers = 0 }", false);
    ck_assert_ptr_null(conf);
    ck_assert_msg(test_err_has(d.err, d.conf, 2, "log_level"), "%s", d.err);
    ck_assert_msg(test_err_has(d.err, d.conf, 3, "max_workers"), "%s", d.err);
    ck_assert_ptr_null(strstr(d.err, "\n\n"));
    ck_assert_int_ne(d.err[strlen(d.err) - 1], '\n');
    test_dir_remove(&d);
}
END_TEST

START_TEST(test_error_buffer_small)
{
    struct test_dir d;
    test_dir_make(&d);
    char small[12];
    memset(small, 'x', sizeof(small));
    test_write(d.conf, "bogus = 1\n");
    ck_assert_ptr_null(pfd_config_load(d.conf, false, small, sizeof(small)));
    ck_assert_uint_eq(strlen(small), sizeof(small) - 1);
    ck_assert_ptr_null(pfd_config_load(d.conf, false, NULL, 0));
    test_dir_remove(&d);
}
END_TEST

/* libconfuse would stop reading at a NUL byte without a word; the loader names its line. */
START_TEST(test_nul_byte)
{
    struct test_dir d;
    test_dir_make(&d);
    static const char text[] = "modules = {}\nserver_name = \"a\0b\"\n";
    FILE *f = fopen(d.conf, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, sizeof(text) - 1, f), sizeof(text) - 1);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_ptr_null(pfd_config_load(d.conf, false, d.err, sizeof(d.err)));
    ck_assert_msg(test_err_has(d.err, d.conf, 2, "NUL byte in the file"), "%s", d.err);
    test_dir_remove(&d);
}
END_TEST

START_TEST(test_missing_file)
{
    char err[TEST_ERR_SIZE];
    ck_assert_ptr_null(pfd_config_load("/nonexistent/preforkd.conf", false, err, sizeof(err)));
    ck_assert_msg(strstr(err, "/nonexistent/preforkd.conf: ") == err, "%s", err);
    pfd_config_free(NULL);
}
END_TEST

/* ---- pure parsers ------------------------------------------------------------------------ */

static const struct {
    const char *text;
    int64_t bytes;
} size_cases[] = {
    {"0", 0},
    {"10", 10},
    {"10K", 10240},
    {"1k", 1024},
    {"1M", 1048576},
    {"3m", 3145728},
    {"2G", (int64_t)2 << 30},
    {"9223372036854775807", INT64_MAX},
    {"8589934591G", (int64_t)8589934591 << 30},
    {"8589934592G", -1}, /* overflows */
    {"9223372036854775808", -1},
    {"", -1},
    {"K", -1},
    {"-1", -1},
    {"+1", -1},
    {" 1", -1},
    {"1 ", -1},
    {"1.5M", -1},
    {"1KB", -1},
    {"1T", -1},
    {"0x10", -1},
};

START_TEST(test_parse_size)
{
    ck_assert_msg(pfd_size_parse(size_cases[_i].text) == size_cases[_i].bytes,
                  "\"%s\": got %lld, want %lld", size_cases[_i].text,
                  (long long)pfd_size_parse(size_cases[_i].text), (long long)size_cases[_i].bytes);
}
END_TEST

static const struct {
    const char *text;
    int family; /* 0: refused */
    const char *addr;
    int port;
} listen_cases[] = {
    {"1.2.3.4:80", AF_INET, "1.2.3.4", 80},
    {"127.0.0.1:8080", AF_INET, "127.0.0.1", 8080},
    {"*:80", AF_INET, "0.0.0.0", 80},
    {"8080", AF_INET, "0.0.0.0", 8080},
    {"65535", AF_INET, "0.0.0.0", 65535},
    {"[::1]:8080", AF_INET6, "::1", 8080},
    {"[::]:80", AF_INET6, "::", 80},
    {"[::ffff:10.0.0.1]:1", AF_INET6, "::ffff:10.0.0.1", 1},
    {"", 0, NULL, 0},
    {"0", 0, NULL, 0},
    {"65536", 0, NULL, 0},
    {"123456", 0, NULL, 0},
    {"1.2.3.4:", 0, NULL, 0},
    {"1.2.3.4", 0, NULL, 0},
    {"1.2.3:80", 0, NULL, 0},
    {"1.2.3.256:80", 0, NULL, 0},
    {"localhost:80", 0, NULL, 0},
    {"::1:80", 0, NULL, 0},
    {"[::1]", 0, NULL, 0},
    {"[::1]80", 0, NULL, 0},
    {"[]:80", 0, NULL, 0},
    {"[1.2.3.4]:80", 0, NULL, 0},
    {"[fe80::1%eth0]:80", 0, NULL, 0},
    {"*:-1", 0, NULL, 0},
    {"*:+80", 0, NULL, 0},
    {"*:80x", 0, NULL, 0},
    {":80", 0, NULL, 0},
};

START_TEST(test_parse_listen)
{
    const char *text = listen_cases[_i].text;
    struct sockaddr_storage ss;
    socklen_t len;
    int rc = pfd_config_parse_listen(text, &ss, &len);
    if (listen_cases[_i].family == 0) {
        ck_assert_msg(rc == -1, "\"%s\" was accepted", text);
        return;
    }
    ck_assert_msg(rc == 0, "\"%s\" was refused", text);
    ck_assert_int_eq(ss.ss_family, listen_cases[_i].family);
    char addr[64];
    const void *raw = ss.ss_family == AF_INET
                          ? (const void *)&((struct sockaddr_in *)&ss)->sin_addr
                          : (const void *)&((struct sockaddr_in6 *)&ss)->sin6_addr;
    int port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                             : ((struct sockaddr_in6 *)&ss)->sin6_port);
    ck_assert_ptr_nonnull(inet_ntop(ss.ss_family, raw, addr, sizeof(addr)));
    ck_assert_str_eq(addr, listen_cases[_i].addr);
    ck_assert_int_eq(port, listen_cases[_i].port);
    ck_assert_uint_eq(len, ss.ss_family == AF_INET ? sizeof(struct sockaddr_in)
                                                   : sizeof(struct sockaddr_in6));
}
END_TEST

/* ---- the text given to libconfuse (config_text.c) ---------------------------------------- */

static const struct {
    const char *desc;
    const char *text;
    const char *want;    /* the text after the scan: comments blanked, newlines kept */
    const char *headers; /* each header found: 'm' (module) or 'l' (location) and its line */
    int unclosed_line;
} text_cases[] = {
    {"comments blanked, newlines kept", "a = 1 # x\n/* y\nz */ b = 2 // w\n",
     "a = 1    \n    \n     b = 2     \n", "", 0},
    {"'#' and '//' inside quotes are no comment", "s = \"a#b//c\" # d\n", "s = \"a#b//c\"    \n",
     "", 0},
    {"'//' inside a bare word is no comment", "document_root = /srv//www\n",
     "document_root = /srv//www\n", "", 0},
    {"an escaped quote does not end a string", "s = \"a\\\"#b\" #c\n", "s = \"a\\\"#b\"   \n", "",
     0},
    {"headers and their lines", "modules = {}\n\nmodule \"static\" {\n}\nlocation \"^/x\" { }\n",
     "modules = {}\n\nmodule \"static\" {\n}\nlocation \"^/x\" { }\n", "m3 l5 ", 0},
    {"the header's line is its name's", "location\n  \"^/a\"\n{\n}\n",
     "location\n  \"^/a\"\n{\n}\n", "l1 ", 0},
    {"a comment between name and title", "module /* c */ \"static\" {\n}\n",
     "module         \"static\" {\n}\n", "m1 ", 0},
    {"a quoted section name", "\"location\" \"^/q\" {}\n", "\"location\" \"^/q\" {}\n", "l1 ", 0},
    {"nested sections are not headers", "prefork { location \"x\" { } }\n",
     "prefork { location \"x\" { } }\n", "", 0},
    {"an untitled section is not a header", "module {\n}\n", "module {\n}\n", "", 0},
    {"a section never closed", "modules = {}\nprefork {\n # }\n", "modules = {}\nprefork {\n    \n",
     "", 2},
};

START_TEST(test_text_scan)
{
    struct test_dir d;
    test_dir_make(&d);
    test_write(d.conf, text_cases[_i].text);
    struct config_text t = {0};
    struct config_text_error e = {0, ""};
    int rc = config_text_read(&t, d.conf, &e);
    test_dir_remove(&d);
    ck_assert_msg(rc == 0, "%s: line %d: %s", text_cases[_i].desc, e.line, e.why);
    size_t n = strlen(text_cases[_i].want);
    ck_assert_uint_eq(t.len, n + 1); /* and a blank, as fmemopen() refuses an empty buffer */
    ck_assert_msg(memcmp(t.data, text_cases[_i].want, n) == 0, "%s: got \"%s\"",
                  text_cases[_i].desc, t.data);
    char headers[256] = "";
    for (size_t h = 0; h < t.nheaders; h++) {
        size_t used = strlen(headers);
        snprintf(headers + used, sizeof(headers) - used, "%c%d ",
                 t.headers[h].kind == HEADER_MODULE ? 'm' : 'l', t.headers[h].line);
    }
    ck_assert_msg(strcmp(headers, text_cases[_i].headers) == 0, "%s: headers \"%s\"",
                  text_cases[_i].desc, headers);
    ck_assert_int_eq(t.unclosed_line, text_cases[_i].unclosed_line);
    config_text_free(&t);
}
END_TEST

/* Pass 1 sees no module or location body; a module's pass sees its own body; the location pass
 * sees the location bodies. */
START_TEST(test_text_for_parse)
{
    struct test_dir d;
    test_dir_make(&d);
    test_write(d.conf, "module \"a\" { x = 1 }\nmodule \"b\" {\n y = 2\n}\n"
                       "location \"^/\" { z = 3 }\n");
    struct config_text t = {0};
    struct config_text_error e = {0, ""};
    int rc = config_text_read(&t, d.conf, &e);
    test_dir_remove(&d);
    ck_assert_msg(rc == 0, "line %d: %s", e.line, e.why);
    ck_assert_uint_eq(t.nheaders, 3);
    char *none = config_text_for_parse(&t, SIZE_MAX, false);
    char *b = config_text_for_parse(&t, 1, false);
    char *locations = config_text_for_parse(&t, SIZE_MAX, true);
    ck_assert_str_eq(none, "module \"a\" {       }\nmodule \"b\" {\n      \n}\n"
                           "location \"^/\" {       }\n ");
    ck_assert_str_eq(b, "module \"a\" {       }\nmodule \"b\" {\n y = 2\n}\n"
                        "location \"^/\" {       }\n ");
    ck_assert_str_eq(locations, "module \"a\" {       }\nmodule \"b\" {\n      \n}\n"
                                "location \"^/\" { z = 3 }\n ");
    ck_assert_ptr_eq(config_text_header_nth(&t, HEADER_MODULE, 1), &t.headers[1]);
    ck_assert_ptr_eq(config_text_header_nth(&t, HEADER_LOCATION, 0), &t.headers[2]);
    free(none);
    free(b);
    free(locations);
    config_text_free(&t);
}
END_TEST

static const struct {
    const char *desc;
    config_check_fn check;
    const char *value;
    bool good;
} check_cases[] = {
    {"media type", config_check_media_type, "text/html", true},
    {"media type without subtype", config_check_media_type, "text/", false},
    {"media type without type", config_check_media_type, "/html", false},
    {"media type with a blank", config_check_media_type, "text/ html", false},
    {"file name", config_check_file_name, "index.html", true},
    {"file name with '/'", config_check_file_name, "a/b", false},
    {"file name \"..\"", config_check_file_name, "..", false},
    {"file name empty", config_check_file_name, "", false},
    {"log level", config_check_log_level, "debug", true},
    {"log level \"err\"", config_check_log_level, "err", false},
    {"size", config_check_size, "10K", true},
    {"size with a blank", config_check_size, "10 K", false},
    {"listen", config_check_listen, "[::1]:80", true},
    {"listen with a name", config_check_listen, "localhost:80", false},
    {"not empty", config_check_nonempty, "x", true},
    {"empty", config_check_nonempty, "", false},
};

START_TEST(test_value_check)
{
    const char *why = check_cases[_i].check(check_cases[_i].value);
    ck_assert_msg((why == NULL) == check_cases[_i].good, "%s: \"%s\": %s", check_cases[_i].desc,
                  check_cases[_i].value, why != NULL ? why : "accepted");
}
END_TEST

/* log_level's names (config_log_level_of(), the one parser) in enum order, the order base/log.c
 * prints them in. */
START_TEST(test_log_level_names)
{
    static const char *const names[] = {"emerg", "alert",  "crit", "error",
                                        "warn",  "notice", "info", "debug"};
    for (int i = 0; i < 8; i++)
        ck_assert_msg(config_log_level_of(names[i]) == i, "\"%s\" → %d, want %d", names[i],
                      config_log_level_of(names[i]), i);
    ck_assert_int_eq(config_log_level_of("notice"), PFD_LOG_NOTICE);
    ck_assert_int_eq(config_log_level_of("error"), PFD_LOG_ERR);
    const char *bad[] = {"", "loudest", "warning", "err", "debug2", "notice "};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(config_log_level_of(bad[i]) == -1, "\"%s\" is a level", bad[i]);
}
END_TEST

/* ---- the suite --------------------------------------------------------------------------- */

#define TEST_COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("errors");
    tcase_add_unchecked_fixture(tc, test_root_make, test_root_remove);
    tcase_add_loop_test(tc, test_error_case, 0, TEST_COUNT(error_cases));
    tcase_add_test(tc, test_errors_one_per_line);
    tcase_add_test(tc, test_error_buffer_small);
    tcase_add_test(tc, test_missing_file);
    tcase_add_test(tc, test_mime_types_bad_line);
    tcase_add_test(tc, test_nul_byte);
    tcase_add_test(tc, test_user_unknown);
    suite_add_tcase(s, tc);

    tc = tcase_create("users_and_escapes");
    tcase_add_unchecked_fixture(tc, test_root_make, test_root_remove);
    tcase_add_test(tc, test_user_root_allowed_explicitly);
    tcase_add_loop_test(tc, test_regex_backslash_kept, 0, TEST_COUNT(backslash_cases));
    tcase_add_test(tc, test_rewrite_backslash_kept);
    suite_add_tcase(s, tc);

    tc = tcase_create("loads");
    tcase_add_unchecked_fixture(tc, test_root_make, test_root_remove);
    tcase_add_test(tc, test_minimal_defaults);
    tcase_add_test(tc, test_minimal_numbers);
    tcase_add_test(tc, test_full_relative);
    tcase_add_test(tc, test_limits_body_unlimited);
    tcase_add_test(tc, test_default_config);
    tcase_add_test(tc, test_default_config_in_place);
    tcase_add_test(tc, test_module_sections);
    tcase_add_test(tc, test_vhost_logs);
    tcase_add_test(tc, test_module_without_section);
    tcase_add_test(tc, test_locations);
    tcase_add_test(tc, test_mime_types);
    tcase_add_test(tc, test_mime_types_empty);
    tcase_add_test(tc, test_mime_types_fallback_order);
    tcase_add_test(tc, test_mime_types_builtin);
    tcase_add_test(tc, test_mime_types_none_beside);
    suite_add_tcase(s, tc);

    tc = tcase_create("runtime");
    tcase_add_unchecked_fixture(tc, test_root_make, test_root_remove);
    tcase_add_test(tc, test_port_in_use);
    tcase_add_test(tc, test_port_free);
    tcase_add_test(tc, test_port_in_use_only_warns_for_t);
    tcase_add_test(tc, test_address_not_here_refused_by_t);
    suite_add_tcase(s, tc);

    tc = tcase_create("parsers");
    tcase_add_loop_test(tc, test_parse_size, 0, TEST_COUNT(size_cases));
    tcase_add_loop_test(tc, test_parse_listen, 0, TEST_COUNT(listen_cases));
    tcase_add_loop_test(tc, test_value_check, 0, TEST_COUNT(check_cases));
    tcase_add_test(tc, test_log_level_names);
    suite_add_tcase(s, tc);

    tc = tcase_create("text");
    tcase_add_unchecked_fixture(tc, test_root_make, test_root_remove);
    tcase_add_loop_test(tc, test_text_scan, 0, TEST_COUNT(text_cases));
    tcase_add_test(tc, test_text_for_parse);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(config_suite());
}
