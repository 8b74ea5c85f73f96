/*
 * check_tls_ops.c — HTTPS in operation, through the real binary and real clients (openssl
 * s_client, curl), the test CA of testsupport_tls.c:
 *
 *  - session resumption works whichever worker answers, and survives a USR1 reload: the
 *    master's shared ticket keys (base/tls_tickets.c); TLS 1.3 and TLS 1.2 tickets;
 *  - USR1 serves a renewed certificate, with no request lost by a curl loop running through the
 *    reload; a broken certificate makes the reload fail, logged with the file, and the running
 *    certificate stays;
 *  - docs/https.md's HSTS example over HTTPS (and its redirect never catching HTTPS);
 *  - static files over HTTPS say which path they take (kTLS + SSL_sendfile, or buffered writes)
 *    in the error log and in mod_status, and arrive whole either way.
 */
#include "testsupport_tls.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testsupport_run.h"

#define CURL "/usr/bin/curl"
#define SH "/bin/sh"
#define TOOL_TIMEOUT_S 20.0
#define RESUME_ROUNDS 12      /* s_client resumptions per phase: more than the pool's workers */
#define POOL_WORKERS 4        /* a fixed pool, so that the rounds spread over several workers */
#define LOAD_MAX_REQUESTS 400 /* the curl loop's bound */

struct tls_server {
    struct ts_server s;
    int tls_port;
    struct ts_tls_cert cert;
};

static bool tools_missing(const char *tool)
{
    if (ts_tls_available() && access(tool, X_OK) == 0)
        return false;
    fprintf(stderr, "check_tls_ops: SKIPPED, %s or /usr/bin/openssl missing\n", tool);
    return true;
}

/* Starts t: a fixed pool of POOL_WORKERS, the localhost certificate (valid `days`), tls_listen
 * beside the harness's plain listen, then extra. */
static void tls_start(struct tls_server *t, int days, const char *extra)
{
    ck_assert_int_eq(ts_server_init(&t->s), 0);
    ck_assert_msg(ts_tls_ca(&t->s) == 0, "cannot make the test CA");
    ck_assert_msg(ts_tls_cert(&t->s, "localhost", "localhost", days, &t->cert) == 0,
                  "cannot make the localhost certificate");
    t->tls_port = ts_port_pick();
    ck_assert_int_gt(t->tls_port, 0);
    char section[2 * TS_PATH_MAX + 64], conf[8192];
    ts_tls_section(&t->cert, section, sizeof(section));
    snprintf(conf, sizeof(conf),
             "tls_listen = {\"%s:%d\"}\n%s"
             "prefork { start_servers = %d  min_spare_servers = 1  max_spare_servers = %d  "
             "max_workers = %d }\n%s",
             TS_HOST, t->tls_port, section, POOL_WORKERS, POOL_WORKERS, POOL_WORKERS,
             extra != NULL ? extra : "");
    ts_server_launch(&t->s, conf);
    ck_assert_uint_eq(ts_workers_wait(t->s.pid, POOL_WORKERS, POOL_WORKERS, 10), POOL_WORKERS);
}

/* sh -c cmd; its exit code, what it printed in *out. */
static int sh_run(const char *cmd, char **out)
{
    const char *argv[] = {SH, "-c", cmd, NULL};
    return ts_run(argv, TOOL_TIMEOUT_S, out);
}

/* One s_client connection that sends a request and reads the answer (so that TLS 1.3's
 * NewSessionTicket arrives before it saves the session): -sess_out to save, -sess_in to
 * resume. Whether the handshake resumed ("Reused"); false when it was a new one. */
static bool s_client_session(const struct tls_server *t, const char *version, const char *sess,
                             bool resume)
{
    char cmd[3 * TS_PATH_MAX];
    snprintf(cmd, sizeof(cmd),
             "printf 'GET /hello.txt HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: "
             "close\\r\\n\\r\\n' | "
             "timeout 15 /usr/bin/openssl s_client -connect %s:%d -servername localhost %s "
             "-CAfile %s -verify_return_error -ign_eof %s %s 2>&1",
             TS_HOST, t->tls_port, version, ts_tls_ca_file(&t->s),
             resume ? "-sess_in" : "-sess_out", sess);
    char *out = NULL;
    int rc = sh_run(cmd, &out);
    ck_assert_msg(rc == 0 && out != NULL && strstr(out, TS_HELLO_TXT) != NULL,
                  "s_client %s failed (%d): %s", version, rc, out != NULL ? out : "");
    bool reused = strstr(out, "\nReused, ") != NULL;
    ck_assert_msg(reused || strstr(out, "\nNew, ") != NULL, "s_client said neither: %s", out);
    free(out);
    return reused;
}

/* RESUME_ROUNDS resumptions of one saved session: every one must say "Reused". */
static void resume_rounds(const struct tls_server *t, const char *version, const char *sess,
                          const char *when)
{
    for (int i = 0; i < RESUME_ROUNDS; i++)
        ck_assert_msg(s_client_session(t, version, sess, true),
                      "%s: resumption %d of %d was a full handshake (%s)", version, i + 1,
                      RESUME_ROUNDS, when);
}

/* Sends USR1 and waits for the reload's line (its count-th) in the error log and the new
 * generation of workers. */
static void reload_and_wait(const struct tls_server *t)
{
    pid_t before[TS_MAX_PIDS];
    size_t n = ts_workers(t->s.pid, before, TS_MAX_PIDS);
    ck_assert_int_eq(kill(t->s.pid, SIGUSR1), 0);
    double deadline = ts_now() + 15;
    bool replaced = false;
    while (!replaced && ts_now() < deadline) {
        pid_t now[TS_MAX_PIDS];
        size_t m = ts_workers(t->s.pid, now, TS_MAX_PIDS);
        replaced = m >= POOL_WORKERS;
        for (size_t i = 0; i < m && replaced; i++)
            replaced = !ts_pid_in(now[i], before, n);
        if (!replaced)
            ts_sleep_ms(50);
    }
    ck_assert_msg(replaced, "the workers were not replaced after USR1");
}

/* A session saved from one worker resumes on the others (the pool has POOL_WORKERS, the rounds
 * are three times as many), and after USR1 on the new generation, whose contexts were made
 * again: the ticket keys are the master's, in memory every worker shares, kept across reloads.
 * Without them a reload made new contexts with new keys: "New" after it. */
START_TEST(test_session_resumed_across_workers_and_reload)
{
    if (tools_missing("/usr/bin/openssl"))
        return;
    struct tls_server t;
    tls_start(&t, 90, NULL);
    static const char *const versions[] = {"-tls1_3", "-tls1_2"};
    for (size_t v = 0; v < 2; v++) {
        char sess[TS_PATH_MAX + 32];
        snprintf(sess, sizeof(sess), "%s/session%zu.pem", t.s.dir, v);
        ck_assert(!s_client_session(&t, versions[v], sess, false));
        resume_rounds(&t, versions[v], sess, "same generation");
    }
    reload_and_wait(&t);
    for (size_t v = 0; v < 2; v++) {
        char sess[TS_PATH_MAX + 32];
        snprintf(sess, sizeof(sess), "%s/session%zu.pem", t.s.dir, v);
        resume_rounds(&t, versions[v], sess, "after USR1");
    }
    ts_server_stop(&t.s);
}
END_TEST

/* The notAfter date of the certificate the server presents to SNI localhost ("notAfter=…"),
 * malloc'd. */
static char *served_not_after(const struct tls_server *t)
{
    char cmd[2 * TS_PATH_MAX];
    snprintf(cmd, sizeof(cmd),
             "timeout 15 /usr/bin/openssl s_client -connect %s:%d -servername localhost "
             "</dev/null 2>/dev/null | /usr/bin/openssl x509 -noout -enddate",
             TS_HOST, t->tls_port);
    char *out = NULL;
    int rc = sh_run(cmd, &out);
    ck_assert_msg(rc == 0 && out != NULL && strncmp(out, "notAfter=", 9) == 0,
                  "cannot read the served certificate (%d): %s", rc, out != NULL ? out : "");
    return out;
}

/* A curl loop in the background: up to LOAD_MAX_REQUESTS requests, each on a new connection
 * (a new handshake), until the file `stop` appears; one status per line into `results`. */
static pid_t load_loop_start(const struct tls_server *t, const char *stop, const char *results)
{
    char cmd[4 * TS_PATH_MAX];
    snprintf(cmd, sizeof(cmd),
             "i=0; while [ $i -lt %d ] && [ ! -e %s ]; do i=$((i+1)); " CURL
             " -s -o /dev/null -w '%%{http_code}\\n' --http1.1 --max-time 10 --cacert %s "
             "--resolve localhost:%d:127.0.0.1 https://localhost:%d/hello.txt || echo fail; "
             "done > %s",
             LOAD_MAX_REQUESTS, stop, ts_tls_ca_file(&t->s), t->tls_port, t->tls_port, results);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        execl(SH, SH, "-c", cmd, (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* Stops the loop (the stop file, then at most 30 s) and returns how many requests it made;
 * every one must have been a 200. */
static int load_loop_finish(pid_t pid, const char *stop, const char *results)
{
    ck_assert_int_eq(ts_file_put(stop, "", 0), 0);
    int status = -1;
    double deadline = ts_now() + 30;
    while (waitpid(pid, &status, WNOHANG) == 0 && ts_now() < deadline)
        ts_sleep_ms(20);
    if (!WIFEXITED(status)) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        ck_abort_msg("the curl loop did not end");
    }
    char *text = ts_file_read(results, NULL);
    ck_assert_ptr_nonnull(text);
    int n = 0;
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        ck_assert_msg(strcmp(line, "200") == 0, "request %d of the loop: %s", n + 1, line);
        n++;
    }
    free(text);
    return n;
}

/* Renewal as certbot does it: new files in place, then USR1. The renewed certificate (another
 * expiry) is served after the reload, and a curl loop running through it loses no request. */
START_TEST(test_usr1_serves_renewed_certificate)
{
    if (tools_missing(CURL))
        return;
    struct tls_server t;
    tls_start(&t, 30, NULL);
    char *before = served_not_after(&t);
    char stop[TS_PATH_MAX + 16], results[TS_PATH_MAX + 16];
    snprintf(stop, sizeof(stop), "%s/stop", t.s.dir);
    snprintf(results, sizeof(results), "%s/results", t.s.dir);
    pid_t loop = load_loop_start(&t, stop, results);
    /* the loop is running: its first answers are in */
    ck_assert_msg(ts_file_wait_for(results, "200", 10), "the curl loop got no answer");
    struct ts_tls_cert renewed;
    ck_assert_int_eq(ts_tls_cert(&t.s, "localhost", "localhost", 90, &renewed), 0);
    reload_and_wait(&t);
    char *after = served_not_after(&t);
    ck_assert_msg(strcmp(before, after) != 0, "still the old certificate after USR1: %s", after);
    ts_sleep_ms(300); /* a few more requests on the new generation */
    int n = load_loop_finish(loop, stop, results);
    ck_assert_msg(n >= 5, "only %d requests in the loop", n);
    free(before);
    free(after);
    ts_server_stop(&t.s);
}
END_TEST

/* A reload with a broken certificate (not PEM) fails, logged with the file's name, and the
 * running certificate stays: HTTPS goes on, the same notAfter. */
START_TEST(test_usr1_bad_certificate_keeps_running)
{
    if (tools_missing(CURL))
        return;
    struct tls_server t;
    tls_start(&t, 30, NULL);
    char *before = served_not_after(&t);
    const char junk[] = "-----BEGIN CERTIFICATE-----\nnot a certificate\n";
    ck_assert_int_eq(ts_file_write(t.cert.cert, junk, strlen(junk)), 0);
    ck_assert_int_eq(kill(t.s.pid, SIGUSR1), 0);
    ck_assert_msg(ts_file_wait_for(t.s.error_log, "reload failed", 10),
                  "no \"reload failed\" in the error log");
    char *line = ts_file_line_with(t.s.error_log, "reload failed");
    ck_assert_msg(line != NULL && strstr(line, t.cert.cert) != NULL,
                  "the failed reload does not name the certificate: %s", line);
    free(line);
    char *after = served_not_after(&t);
    ck_assert_str_eq(before, after);
    ck_assert_int_eq(ts_get_status(t.s.port, "/hello.txt"), 200);
    free(before);
    free(after);
    ts_server_stop(&t.s);
}
END_TEST

/* The block of docs/https.md marked <!-- example: name -->, malloc'd. */
static char *https_example(const char *name)
{
    char *block = ts_doc_example(PFD_SOURCE_DIR "/docs/https.md", name);
    ck_assert_msg(block != NULL, "docs/https.md has no example \"%s\"", name);
    return block;
}

/* docs/https.md's HSTS example as written: over HTTPS the header is there and the plain-HTTP
 * redirect does not apply (200, no Location); over plain HTTP a 301 to https:// without it. */
START_TEST(test_hsts_example_over_https)
{
    if (tools_missing(CURL))
        return;
    char *block = https_example("hsts");
    struct tls_server t;
    tls_start(&t, 90, block);
    free(block);
    char url[256], resolve[128], *out = NULL;
    snprintf(url, sizeof(url), "https://localhost:%d/hello.txt", t.tls_port);
    snprintf(resolve, sizeof(resolve), "localhost:%d:127.0.0.1", t.tls_port);
    const char *argv[] = {CURL,         "-sS",   "-i",       "--http1.1",
                          "--max-time", "10",    "--cacert", ts_tls_ca_file(&t.s),
                          "--resolve",  resolve, url,        NULL};
    int rc = ts_run(argv, TOOL_TIMEOUT_S, &out);
    ck_assert_msg(rc == 0 && out != NULL && strncmp(out, "HTTP/1.1 200", 12) == 0 &&
                      strstr(out, "\r\nStrict-Transport-Security: max-age=63072000\r\n") != NULL &&
                      strstr(out, TS_HELLO_TXT) != NULL,
                  "HTTPS /hello.txt: curl %d: %s", rc, out != NULL ? out : "");
    free(out);
    struct ts_response r;
    ts_assert_ok(ts_get(t.s.port, "/hello.txt", &r), "plain GET /hello.txt");
    ck_assert_int_eq(r.status, 301);
    ck_assert_ptr_null(ts_response_header(&r, "Strict-Transport-Security"));
    ck_assert_str_eq(ts_response_header(&r, "Location"), "https://example.com/hello.txt");
    ts_response_free(&r);
    ts_server_stop(&t.s);
}
END_TEST

/* The path HTTPS static files take is in the error log (notice) and in mod_status; a big file
 * arrives whole, and the counter of that path went up. ktls = false says so; with ktls on, the
 * path is kTLS exactly when this kernel takes TCP_ULP "tls" (the log says which, and why). */
START_TEST(test_static_files_path_reported)
{
    if (tools_missing(CURL))
        return;
    static const struct {
        const char *setting, *expect; /* expect NULL: either, as the kernel allows */
    } cases[] = {{"false", "buffered"}, {"true", NULL}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char extra[512];
        snprintf(extra, sizeof(extra),
                 "modules = {\"static\", \"status\"}\n"
                 "location \"= /server-status\" { handler = \"status\" }\n"
                 "tls { ktls = %s }\n",
                 cases[i].setting);
        struct tls_server t;
        tls_start(&t, 90, extra);
        ck_assert_msg(ts_file_wait_for(t.s.error_log, "HTTPS static files: ", 5),
                      "ktls = %s: the log does not say how HTTPS static files go out",
                      cases[i].setting);
        char *line = ts_file_line_with(t.s.error_log, "HTTPS static files: ");
        const char *path = strstr(line, "kTLS and SSL_sendfile") != NULL ? "ktls" : "buffered";
        if (cases[i].expect != NULL)
            ck_assert_msg(strcmp(path, cases[i].expect) == 0 &&
                              strstr(line, "tls { ktls = false }") != NULL,
                          "ktls = false, logged: %s", line);
        char url[256], resolve[128], file[TS_PATH_MAX + 16], *out = NULL;
        snprintf(url, sizeof(url), "https://localhost:%d" TS_BIG_PATH, t.tls_port);
        snprintf(resolve, sizeof(resolve), "localhost:%d:127.0.0.1", t.tls_port);
        snprintf(file, sizeof(file), "%s/big.out", t.s.dir);
        const char *argv[] = {
            CURL,        "-sS",   "--http1.1", "--max-time", "10", "--cacert", ts_tls_ca_file(&t.s),
            "--resolve", resolve, "-o",        file,         url,  NULL};
        int rc = ts_run(argv, TOOL_TIMEOUT_S, &out);
        ck_assert_msg(rc == 0, "curl %s: %d %s", TS_BIG_PATH, rc, out != NULL ? out : "");
        free(out);
        size_t len = 0;
        unsigned char *got = (unsigned char *)ts_file_read(file, &len);
        ck_assert_msg(got != NULL && len == TS_BIG_SIZE, "%s: %zu bytes", TS_BIG_PATH, len);
        for (size_t b = 0; b < len; b++)
            ck_assert_msg(got[b] == ts_big_byte(b), "%s: byte %zu differs", TS_BIG_PATH, b);
        free(got);
        struct ts_response r;
        ts_assert_ok(ts_get(t.s.port, "/server-status?auto", &r), "server-status");
        char want[64];
        snprintf(want, sizeof(want), "\nTLSStaticFiles: %s\n", path);
        ck_assert_msg(strstr(r.body, want) != NULL, "ktls = %s, log \"%s\": status has no %s: %s",
                      cases[i].setting, line, want + 1, r.body);
        snprintf(want, sizeof(want), "\nTLSStatic%s: 1\n",
                 strcmp(path, "ktls") == 0 ? "KTLS" : "Buffered");
        ck_assert_msg(strstr(r.body, want) != NULL, "status does not count the file: %s", r.body);
        ts_response_free(&r);
        free(line);
        ts_server_stop(&t.s);
    }
}
END_TEST

static Suite *tls_ops_suite(void)
{
    Suite *suite = suite_create("tls_ops");
    TCase *tc = tcase_create("tls_ops");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_session_resumed_across_workers_and_reload);
    tcase_add_test(tc, test_usr1_serves_renewed_certificate);
    tcase_add_test(tc, test_usr1_bad_certificate_keeps_running);
    tcase_add_test(tc, test_hsts_example_over_https);
    tcase_add_test(tc, test_static_files_path_reported);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    return ts_run_suite(tls_ops_suite());
}
