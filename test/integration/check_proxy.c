/*
 * check_proxy.c — mod_proxy through the real binary, in front of real Gunicorn running the Flask
 * app of examples/flask/ (its app.py, gunicorn.conf.py and preforkd.conf, as a user would run
 * them), on a unix socket and on a 127.0.0.1 port; and in front of a small upstream written here
 * for what Gunicorn will not do on demand (close a kept connection, send garbage).
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testsupport.h"
#include "testsupport_run.h"
#include "testsupport_tls.h"

#define FLASK_DIR PFD_SOURCE_DIR "/examples/flask"
#define GUNICORN_START_S 20.0 /* python and Flask start slowly on a loaded machine */
#define GUNICORN_STOP_S 10.0
#define HOST "Host: " TS_HOST "\r\n"
#define UPLOAD_SIZE (5 * 1000 * 1000)
/* of UPLOAD_SIZE bytes "abc…zabc…" (python3: hashlib.sha256((bytes(range(97, 123)) * 200000)
 * [:5000000]).hexdigest()) */
#define UPLOAD_SHA256 "ff0de71979e4fd53d9972d09afe711b5793a55067d18b4e81a16867d61652376"

/* ---- Gunicorn ------------------------------------------------------------------------------ */

struct gunicorn {
    pid_t pid; /* its master, leader of its own process group; -1 when stopped */
    char sock[TS_PATH_MAX + 16];
    char log[TS_PATH_MAX + 16]; /* its stdout and stderr, beside the socket */
    int port;
};

static bool unix_connects(const char *path)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sun.sun_path))
        return false;
    memcpy(sun.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

/* Gunicorn with examples/flask/gunicorn.conf.py, bound to g->sock and 127.0.0.1:g->port (the
 * command line overrides the file's binds), once the socket accepts connections. */
static void gunicorn_start(struct gunicorn *g)
{
    char unix_bind[TS_PATH_MAX + 32], tcp_bind[32];
    snprintf(g->log, sizeof(g->log), "%.*s/gunicorn.log", (int)(strrchr(g->sock, '/') - g->sock),
             g->sock);
    snprintf(unix_bind, sizeof(unix_bind), "unix:%s", g->sock);
    snprintf(tcp_bind, sizeof(tcp_bind), "127.0.0.1:%d", g->port);
    unlink(g->sock);
    g->pid = fork();
    ck_assert_msg(g->pid >= 0, "fork: %s", strerror(errno));
    if (g->pid == 0) {
        setpgid(0, 0); /* the test kills the master and its workers together */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int null_fd = open("/dev/null", O_RDWR);
        int log_fd = open(g->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        dup2(null_fd, STDIN_FILENO);
        dup2(log_fd, STDOUT_FILENO);
        dup2(log_fd, STDERR_FILENO);
        setenv("PYTHONDONTWRITEBYTECODE", "1", 1); /* nothing written into the source tree */
        execlp("gunicorn", "gunicorn", "--chdir", FLASK_DIR, "-c", FLASK_DIR "/gunicorn.conf.py",
               "--bind", unix_bind, "--bind", tcp_bind, "--log-level", "warning", "app:app",
               (char *)NULL);
        _exit(127);
    }
    setpgid(g->pid, g->pid);
    double deadline = ts_now() + GUNICORN_START_S;
    while (!unix_connects(g->sock) && ts_now() < deadline && ts_pid_alive(g->pid))
        ts_sleep_ms(50);
    if (!unix_connects(g->sock)) {
        char *log = ts_file_read(g->log, NULL);
        ck_abort_msg("gunicorn did not listen on %s within %.0f s:\n%s", g->sock, GUNICORN_START_S,
                     log != NULL ? log : "");
    }
}

/* sig to the whole group, then wait for the master and its workers to be gone and reaped (the
 * workers come to us, the subreaper): a worker still dying holds the listening socket, which
 * then still accepts connections, only to reset them. */
static void gunicorn_signal_and_wait(struct gunicorn *g, int sig)
{
    if (g->pid < 0)
        return;
    kill(-g->pid, sig);
    double deadline = ts_now() + GUNICORN_STOP_S;
    while (waitpid(g->pid, NULL, WNOHANG) == 0 && ts_now() < deadline)
        ts_sleep_ms(20);
    kill(-g->pid, SIGKILL); /* workers that outlived their master */
    deadline = ts_now() + GUNICORN_STOP_S;
    while (kill(-g->pid, 0) == 0 && ts_now() < deadline) {
        while (waitpid(-g->pid, NULL, WNOHANG) > 0)
            ;
        ts_sleep_ms(10);
    }
    ck_assert_msg(kill(-g->pid, 0) != 0, "gunicorn's processes outlived SIGKILL");
    g->pid = -1;
}

static void gunicorn_stop(struct gunicorn *g)
{
    gunicorn_signal_and_wait(g, SIGQUIT); /* Gunicorn's quick shutdown */
}

/* ---- preforkd with the example's config ----------------------------------------------------- */

/*
 * examples/flask/preforkd.conf as the harness runs it: its listen and document_root lines left
 * to the harness, the socket and port of the example replaced by g's; `before` goes in front (its
 * locations then come first), `after` behind.
 */
static char *example_config(const struct gunicorn *g, const char *before, const char *after)
{
    size_t len;
    char *text = ts_file_read(FLASK_DIR "/preforkd.conf", &len);
    ck_assert_msg(text != NULL, "cannot read %s", FLASK_DIR "/preforkd.conf");
    char *out = NULL;
    size_t out_len = 0;
    FILE *f = open_memstream(&out, &out_len);
    fputs(before != NULL ? before : "", f);
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        if (strncmp(line, "listen", 6) == 0 || strncmp(line, "document_root", 13) == 0)
            continue;
        char *sock = strstr(line, "/srv/flask/app.sock"), *tcp = strstr(line, "127.0.0.1:8000");
        if (sock != NULL && tcp != NULL)
            fprintf(f, "%.*s%s%.*s127.0.0.1:%d%s\n", (int)(sock - line), line, g->sock,
                    (int)(tcp - sock - strlen("/srv/flask/app.sock")),
                    sock + strlen("/srv/flask/app.sock"), g->port, tcp + strlen("127.0.0.1:8000"));
        else
            fprintf(f, "%s\n", line);
    }
    fputs(after != NULL ? after : "", f);
    fclose(f);
    free(text);
    return out;
}

/* The site: preforkd's temp dir gets the example's static/ (served from disk), Gunicorn runs the
 * app with its socket there too. before_fmt: locations to put first, with "%d" for Gunicorn's
 * TCP port (or NULL). */
static void site_start(struct ts_server *s, struct gunicorn *g, const char *before_fmt)
{
    ck_assert_msg(ts_server_init(s) == 0, "cannot make the test site: %s", strerror(errno));
    snprintf(g->sock, sizeof(g->sock), "%s/app.sock", s->dir);
    g->port = ts_port_pick();
    gunicorn_start(g);
    /* The example's document_root is the app's folder, which has no index.html: "/" must not
     * become "/index.html" (index_files) before the proxy sees it. */
    char index[TS_PATH_MAX + 16];
    snprintf(index, sizeof(index), "%s/index.html", s->docroot);
    unlink(index);
    static const char *const statics[] = {"hello.txt", "style.css"};
    for (size_t i = 0; i < sizeof(statics) / sizeof(statics[0]); i++) {
        char from[TS_PATH_MAX + 64], to[TS_PATH_MAX + 64];
        snprintf(from, sizeof(from), "%s/static/%s", FLASK_DIR, statics[i]);
        snprintf(to, sizeof(to), "%s/static/%s", s->docroot, statics[i]);
        size_t len;
        char *data = ts_file_read(from, &len);
        ck_assert_msg(data != NULL && ts_file_put(to, data, len) == 0, "cannot copy %s", from);
        free(data);
    }
    char before[1024] = "";
    if (before_fmt != NULL)
        snprintf(before, sizeof(before), before_fmt, g->port);
    char *conf = example_config(g, before, NULL);
    ck_assert_msg(ts_server_configure(s, conf) == 0, "cannot write %s", s->conf);
    free(conf);
    const char *argv[] = {"-f", s->conf, NULL};
    ck_assert_msg(ts_server_spawn(s, argv) == 0, "fork: %s", strerror(errno));
    if (ts_server_wait_ready(s, TS_START_TIMEOUT_S) != 0) {
        ts_server_dump(s);
        ck_abort_msg("preforkd did not start");
    }
}

static void site_stop(struct ts_server *s, struct gunicorn *g)
{
    gunicorn_stop(g);
    ts_server_stop(s);
}

static void request_or_fail(int port, const char *raw, struct ts_response *r)
{
    int rc = ts_request(port, raw, r);
    ck_assert_msg(rc == TS_OK, "request failed: %s\n%s", ts_result_name(rc), raw);
}

static void expect_body_has(const struct ts_response *r, const char *needle)
{
    ck_assert_msg(r->body != NULL && strstr(r->body, needle) != NULL,
                  "expected \"%s\" in the body of %s:\n%s", needle, ts_response_describe(r),
                  r->body != NULL ? r->body : "");
}

/* ---- through Gunicorn ---------------------------------------------------------------------- */

/* The app's page through the proxy, a static file from disk, and what the app sees of the
 * client: X-Forwarded-* from the core, the client's own forged ones gone, the fields the client's
 * Connection named (hop-by-hop, RFC 9110 §7.6.1) gone, the others passed. */
START_TEST(test_get_static_and_forwarded_fields)
{
    struct ts_server s;
    struct gunicorn g;
    site_start(&s, &g, NULL);
    struct ts_response r;
    request_or_fail(s.port, "GET / HTTP/1.1\r\n" HOST "Connection: close\r\n\r\n", &r);
    ck_assert_int_eq(r.status, 200);
    expect_body_has(&r, "hello from flask");
    ts_response_free(&r);

    request_or_fail(s.port, "GET /static/hello.txt HTTP/1.1\r\n" HOST "Connection: close\r\n\r\n",
                    &r);
    ck_assert_int_eq(r.status, 200);
    expect_body_has(&r, "static file from disk");
    ts_response_free(&r);

    request_or_fail(s.port,
                    "GET /whoami?x=1 HTTP/1.1\r\nHost: www.example.test:8080\r\n"
                    "X-Forwarded-For: 6.6.6.6\r\nForwarded: for=6.6.6.6\r\n"
                    "X-Hop: secret\r\nX-Custom: kept\r\nKeep-Alive: timeout=5\r\n"
                    "Connection: close, X-Hop\r\n\r\n",
                    &r);
    ck_assert_int_eq(r.status, 200);
    expect_body_has(&r, "Host: www.example.test:8080\n");
    expect_body_has(&r, "X-Forwarded-For: 127.0.0.1\n");
    expect_body_has(&r, "X-Forwarded-Proto: http\n");
    expect_body_has(&r, "X-Forwarded-Host: www.example.test:8080\n");
    expect_body_has(&r, "Forwarded: for=127.0.0.1;proto=http;host=\"www.example.test:8080\"\n");
    expect_body_has(&r, "X-Hop: -\n");
    expect_body_has(&r, "X-Custom: kept\n");
    expect_body_has(&r, "path: /whoami?x=1\n");
    ts_response_free(&r);
    /* The access log names the upstream and its time; the static file has none. */
    ck_assert(ts_file_wait_for(s.access_log, "\"GET /whoami?x=1 HTTP/1.1\" 200", 5.0));
    char *line = ts_file_line_with(s.access_log, "GET /whoami");
    ck_assert_msg(line != NULL && strstr(line, "upstream=unix:") != NULL, "log line: %s", line);
    free(line);
    line = ts_file_line_with(s.access_log, "GET /static/hello.txt");
    ck_assert_msg(line != NULL && strstr(line, "upstream=- -") != NULL, "log line: %s", line);
    free(line);
    site_stop(&s, &g);
}
END_TEST

START_TEST(test_post_form_and_json)
{
    struct ts_server s;
    struct gunicorn g;
    site_start(&s, &g, NULL);
    struct ts_response r;
    request_or_fail(s.port,
                    "POST /form HTTP/1.1\r\n" HOST "Connection: close\r\n"
                    "Content-Type: application/x-www-form-urlencoded\r\n"
                    "Content-Length: 22\r\n\r\nname=Ada&colour=purple",
                    &r);
    ck_assert_int_eq(r.status, 200);
    expect_body_has(&r, "name=Ada colour=purple");
    ts_response_free(&r);
    const char *json = "{\"numbers\": [1, 2, 39], \"echo\": \"h\\u00e9\"}";
    char raw[512];
    snprintf(raw, sizeof(raw),
             "POST /json HTTP/1.1\r\n" HOST "Connection: close\r\n"
             "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
             strlen(json), json);
    request_or_fail(s.port, raw, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(ts_response_header(&r, "Content-Type"), "application/json");
    expect_body_has(&r, "\"sum\":42");
    expect_body_has(&r, "\"echo\":\"h\\u00e9\"");
    ts_response_free(&r);
    site_stop(&s, &g);
}
END_TEST

/* 5 MB through the proxy, framed each way a client may (the app reads it in pieces and answers
 * its SHA-256): the body is streamed, never buffered whole. */
static const struct upload_case {
    const char *what;
    bool chunked;
    bool expect_continue;
} upload_cases[] = {
    {"Content-Length", false, false},
    {"chunked", true, false},
    {"Expect: 100-continue", false, true},
};

static void upload_send(struct ts_conn *c, const struct upload_case *u, const char *data)
{
    char head[256];
    snprintf(head, sizeof(head), "POST /upload HTTP/1.1\r\n" HOST "Connection: close\r\n%s%s\r\n",
             u->chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: 5000000\r\n",
             u->expect_continue ? "Expect: 100-continue\r\n" : "");
    ts_assert_ok(ts_conn_send_str(c, head), "upload head");
    if (u->expect_continue)
        ts_assert_ok(ts_conn_wait_for(c, "HTTP/1.1 100", 5000), "100 Continue");
    for (size_t off = 0; off < UPLOAD_SIZE; off += 100000) {
        if (u->chunked) {
            ts_assert_ok(ts_conn_send_str(c, "186a0\r\n"), "chunk size");
            ts_assert_ok(ts_conn_send(c, data + off, 100000), "chunk");
            ts_assert_ok(ts_conn_send_str(c, "\r\n"), "chunk end");
        } else
            ts_assert_ok(ts_conn_send(c, data + off, 100000), "body");
    }
    if (u->chunked)
        ts_assert_ok(ts_conn_send_str(c, "0\r\n\r\n"), "last chunk");
}

START_TEST(test_upload_5mb)
{
    const struct upload_case *u = &upload_cases[_i];
    struct ts_server s;
    struct gunicorn g;
    site_start(&s, &g, NULL);
    char *data = malloc(UPLOAD_SIZE);
    ck_assert_ptr_nonnull(data);
    for (size_t i = 0; i < UPLOAD_SIZE; i++)
        data[i] = 'a' + (char)(i % 26);
    struct ts_conn c;
    ts_conn_open_or_fail(&c, &s);
    upload_send(&c, u, data);
    struct ts_response r;
    ts_assert_ok(ts_response_read_final(&c, &r, false), u->what);
    ck_assert_int_eq(r.status, 200);
    /* sha256 of 5 000 000 bytes of "abc…z" repeated (python3 -c …hexdigest()) */
    expect_body_has(&r, "length=5000000 sha256=" UPLOAD_SHA256 "\n");
    ts_response_free(&r);
    ts_conn_close(&c);
    free(data);
    site_stop(&s, &g);
}
END_TEST

/* A response the app makes as it goes (a generator): relayed as it comes, chunked to the client. */
START_TEST(test_streamed_response)
{
    struct ts_server s;
    struct gunicorn g;
    site_start(&s, &g, NULL);
    struct ts_response r;
    request_or_fail(s.port, "GET /stream?lines=20000 HTTP/1.1\r\n" HOST "Connection: close\r\n\r\n",
                    &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_msg(r.chunked, "a body of unknown length goes chunked: %s", ts_response_describe(&r));
    expect_body_has(&r, "line 0\nline 1\n");
    expect_body_has(&r, "\nline 19999\n");
    size_t lines = 0;
    for (size_t i = 0; i < r.body_len; i++)
        lines += r.body[i] == '\n';
    ck_assert_uint_eq(lines, 20000);
    ts_response_free(&r);
    site_stop(&s, &g);
}
END_TEST

/* ProxyPass /app/ http://…/ with ProxyPassReverse: the app's redirect and cookie path come back
 * under /app/, and the app sees its own paths. Here over Gunicorn's TCP port. */
#define PREFIX_LOCATION                                                                            \
    "location \"/app/\" {\n"                                                                       \
    "    handler = \"proxy\"\n"                                                                    \
    "    proxy_pass = {\"http://127.0.0.1:%d/\"}\n"                                                \
    "    proxy_prefix = \"/app/\"\n"                                                               \
    "}\n"

START_TEST(test_prefix_location_and_cookie)
{
    struct ts_server s;
    struct gunicorn g;
    site_start(&s, &g, PREFIX_LOCATION);
    struct ts_response r;
    request_or_fail(s.port, "GET /app/go HTTP/1.1\r\n" HOST "Connection: close\r\n\r\n", &r);
    ck_assert_int_eq(r.status, 302);
    ck_assert_str_eq(ts_response_header(&r, "Location"), "/app/");
    ts_response_free(&r);
    request_or_fail(s.port, "GET /app/cookie HTTP/1.1\r\n" HOST "Connection: close\r\n\r\n", &r);
    ck_assert_int_eq(r.status, 200);
    const char *cookie = ts_response_header(&r, "Set-Cookie");
    ck_assert_msg(cookie != NULL && strstr(cookie, "session=abc123") != NULL &&
                      strstr(cookie, "Path=/app/") != NULL,
                  "Set-Cookie: %s", cookie != NULL ? cookie : "(none)");
    ts_response_free(&r);
    request_or_fail(s.port, "GET /app/whoami?q=%2F HTTP/1.1\r\n" HOST "Connection: close\r\n\r\n",
                    &r);
    ck_assert_int_eq(r.status, 200);
    expect_body_has(&r, "path: /whoami?q=%2F\n");
    ts_response_free(&r);
    /* outside the prefix, the example's own location: paths as they are, over the socket */
    request_or_fail(s.port, "GET /go HTTP/1.1\r\n" HOST "Connection: close\r\n\r\n", &r);
    ck_assert_str_eq(ts_response_header(&r, "Location"), "/");
    ts_response_free(&r);
    site_stop(&s, &g);
}
END_TEST

/* The example lists Gunicorn's socket, then its port: without the socket the port serves
 * (failover, logged). Gunicorn stopped: both refuse, 502, each refusal logged with its upstream
 * and reason. */
START_TEST(test_failover_then_stopped_is_502)
{
    struct ts_server s;
    struct gunicorn g;
    site_start(&s, &g, NULL);
    /* before any request, so that no worker keeps a connection to the socket */
    ck_assert_int_eq(unlink(g.sock), 0); /* Gunicorn still listens on its port */
    ck_assert_int_eq(ts_get_status(s.port, "/whoami"), 200);
    ck_assert(ts_file_wait_for(s.error_log, "connect(): No such file or directory", 5.0));
    ck_assert(ts_file_wait_for(s.access_log, "\"GET /whoami HTTP/1.1\" 200", 5.0));
    char *line = ts_file_line_with(s.access_log, "GET /whoami");
    char upstream[64];
    snprintf(upstream, sizeof(upstream), "upstream=127.0.0.1:%d ", g.port);
    ck_assert_msg(line != NULL && strstr(line, upstream) != NULL, "log line: %s", line);
    free(line);
    gunicorn_stop(&g);
    double t0 = ts_now();
    ck_assert_int_eq(ts_get_status(s.port, "/"), 502);
    ck_assert_msg(ts_now() - t0 < 2.0, "a refusal is answered at once");
    ck_assert(ts_file_wait_for(s.error_log, "proxy: GET /: upstream unix:", 5.0));
    ck_assert(ts_file_contains(s.error_log, "(502)"));
    char tcp[64];
    snprintf(tcp, sizeof(tcp), "upstream 127.0.0.1:%d: connect(): Connection refused", g.port);
    if (!ts_file_contains(s.error_log, tcp)) {
        ts_server_dump(&s);
        ck_abort_msg("the second upstream is tried too: no \"%s\"", tcp);
    }
    /* static files do not need the app */
    ck_assert_int_eq(ts_get_status(s.port, "/static/hello.txt"), 200);
    site_stop(&s, &g);
}
END_TEST

/* A view slower than proxy_read_timeout: 504, logged, in about that time. */
#define SLOW_LOCATION                                                                              \
    "location \"/slow\" {\n"                                                                       \
    "    handler = \"proxy\"\n"                                                                    \
    "    proxy_pass = {\"http://127.0.0.1:%d\"}\n"                                                 \
    "    proxy_read_timeout = 1\n"                                                                 \
    "}\n"

START_TEST(test_slow_is_504)
{
    struct ts_server s;
    struct gunicorn g;
    site_start(&s, &g, SLOW_LOCATION);
    double t0 = ts_now();
    ck_assert_int_eq(ts_get_status(s.port, "/slow?s=4"), 504);
    double took = ts_now() - t0;
    ck_assert_msg(took >= 0.9 && took < 3.5, "504 after %.2f s (read_timeout 1 s)", took);
    ck_assert(ts_file_wait_for(s.error_log, "no response head within read_timeout (504)", 5.0));
    ck_assert_int_eq(ts_get_status(s.port, "/slow?s=0.1"), 200);
    site_stop(&s, &g);
}
END_TEST

/* Gunicorn killed (SIGKILL, master and workers) while requests are in flight, and started again:
 * the requests in flight get 502, none hangs; every request after the restart succeeds, although
 * the workers' kept connections all died with the old Gunicorn. */
#define LOAD_INFLIGHT 3
#define LOAD_AFTER 60

START_TEST(test_killed_and_restarted_under_load)
{
    struct ts_server s;
    struct gunicorn g;
    site_start(&s, &g, NULL);
    struct ts_conn ka[2];
    ts_conn_open_or_fail(&ka[0], &s);
    ts_conn_open_or_fail(&ka[1], &s);
    for (int i = 0; i < 20; i++) { /* the workers now keep connections to this Gunicorn */
        struct ts_response r;
        ts_assert_ok(ts_conn_send_str(&ka[i % 2], "GET / HTTP/1.1\r\n" HOST "\r\n"), "send");
        ts_assert_ok(ts_response_read(&ka[i % 2], &r, false), "warm-up");
        ck_assert_int_eq(r.status, 200);
        ts_response_free(&r);
    }
    struct ts_conn inflight[LOAD_INFLIGHT];
    for (int i = 0; i < LOAD_INFLIGHT; i++) {
        ts_conn_open_or_fail(&inflight[i], &s);
        ts_assert_ok(ts_conn_send_str(&inflight[i], "GET /slow?s=2 HTTP/1.1\r\n" HOST
                                                    "Connection: close\r\n\r\n"),
                     "in flight");
    }
    ts_sleep_ms(500); /* they reached the app */
    gunicorn_signal_and_wait(&g, SIGKILL);
    for (int i = 0; i < LOAD_INFLIGHT; i++) {
        struct ts_response r;
        ts_assert_ok(ts_response_read(&inflight[i], &r, false), "in-flight response");
        ck_assert_msg(r.status == 502, "in flight at the kill: %s", ts_response_describe(&r));
        ts_response_free(&r);
        ts_conn_close(&inflight[i]);
    }
    gunicorn_start(&g);
    /* new client connections: the old ones may have outlived timeouts { keepalive } while
     * Gunicorn restarted (what died with it were the workers' upstream connections) */
    for (int i = 0; i < 2; i++) {
        ts_conn_close(&ka[i]);
        ts_conn_open_or_fail(&ka[i], &s);
    }
    int failed = 0;
    for (int i = 0; i < LOAD_AFTER; i++) {
        struct ts_response r;
        int rc = ts_conn_send_str(&ka[i % 2], "GET / HTTP/1.1\r\n" HOST "\r\n");
        if (rc == TS_OK)
            rc = ts_response_read(&ka[i % 2], &r, false);
        ts_assert_ok(rc, "after the restart");
        failed += r.status != 200;
        ts_response_free(&r);
    }
    ck_assert_msg(failed == 0, "%d of %d requests after the restart failed", failed, LOAD_AFTER);
    ts_conn_close(&ka[0]);
    ts_conn_close(&ka[1]);
    site_stop(&s, &g);
}
END_TEST

/* ---- a hand-made upstream -------------------------------------------------------------------- */

enum fake_mode {
    FAKE_ONE_PER_CONN, /* answers the first request of a connection, closes at the second */
    FAKE_GARBAGE,      /* answers something that is not HTTP */
    FAKE_HUGE_HEAD,    /* a head larger than 64 KiB */
    FAKE_BAD_CHUNKS,   /* a chunked body with a broken size line */
    FAKE_WEBSOCKET,    /* 101 to an Upgrade, then echoes what comes in upper case */
    FAKE_ECHO_HEAD,    /* answers the request head it got as the body */
    FAKE_SIZED,        /* keeps the connection: "/size/N" gets N bytes, "/echo" its body back,
                          every response written in pieces with pauses between (split reads) */
    FAKE_CLOSE_IDLE,   /* answers one request (its body read), then closes the connection */
    FAKE_408_IDLE,     /* answers one request, then a 408 nobody asked for, then closes */
    FAKE_STRAY_LATE,   /* answers one request, then a second answer nobody asked for, kept open */
    FAKE_NO_READ,      /* reads a request head, then nothing more until the proxy closes */
};

struct fake {
    pid_t pid;
    int port;
};

/* Reads one request head (up to the empty line) into buf; false when the peer closed first. */
static char fake_head[8192];

static bool fake_read_head(int fd)
{
    char *buf = fake_head;
    memset(fake_head, 0, sizeof(fake_head));
    size_t len = 0;
    while (len < sizeof(fake_head) - 1) {
        ssize_t n = recv(fd, buf + len, sizeof(fake_head) - 1 - len, 0);
        if (n <= 0)
            return false;
        len += (size_t)n;
        buf[len] = '\0';
        if (strstr(buf, "\r\n\r\n") != NULL)
            return true;
    }
    return false;
}

/* The WebSocket stand-in: 101 when the head asks for the upgrade (as the proxy must pass it),
 * then every byte back in upper case until the client closes. */
static void fake_echo_upper(int fd)
{
    if (strstr(fake_head, "\r\nUpgrade: websocket\r\n") == NULL ||
        strstr(fake_head, "\r\nConnection: Upgrade\r\n") == NULL) {
        send(fd, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", 47, MSG_NOSIGNAL);
        return;
    }
    const char *ok =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
    send(fd, ok, strlen(ok), MSG_NOSIGNAL);
    char buf[1024];
    ssize_t n;
    while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) {
        for (ssize_t i = 0; i < n; i++)
            buf[i] = (char)(buf[i] >= 'a' && buf[i] <= 'z' ? buf[i] - 32 : buf[i]);
        send(fd, buf, (size_t)n, MSG_NOSIGNAL);
    }
}

#define FAKE_BODY_MAX (256 * 1024)
static int fake_port;         /* in the fake's process: its own port, which FAKE_SIZED names */
#define FAKE_PIECE_PAUSE_MS 2 /* between the pieces of a response: the proxy reads them apart */

/* Byte i of every sized body: the alphabet over and over. */
static char fake_byte(size_t i)
{
    return (char)('a' + i % 26);
}

/* The request body after the head in fake_head (as Content-Length says) into body; its length,
 * or -1. The head's own buffer may already hold its first bytes. */
static ssize_t fake_read_body(int fd, char *body)
{
    const char *cl = strcasestr(fake_head, "\r\nContent-Length: ");
    size_t want = cl != NULL ? strtoul(cl + 18, NULL, 10) : 0;
    const char *end = strstr(fake_head, "\r\n\r\n") + 4;
    size_t have = strlen(end);
    if (want > FAKE_BODY_MAX || have > want)
        return -1;
    memcpy(body, end, have);
    while (have < want) {
        ssize_t n = recv(fd, body + have, want - have, 0);
        if (n <= 0)
            return -1;
        have += (size_t)n;
    }
    return (ssize_t)want;
}

/* data in three pieces (one byte, then up to 4093, then the rest), a pause before each. */
static void fake_send_pieces(int fd, const char *data, size_t len)
{
    size_t cuts[] = {len < 1 ? len : 1, len < 4094 ? len : 4094, len};
    size_t from = 0;
    for (size_t i = 0; i < 3; i++) {
        if (cuts[i] > from)
            send(fd, data + from, cuts[i] - from, MSG_NOSIGNAL);
        from = cuts[i];
        ts_sleep_ms(FAKE_PIECE_PAUSE_MS);
    }
}

/* FAKE_SIZED: requests on one connection until the proxy closes it, at most 100. */
static void fake_serve_sized(int fd)
{
    static char body[FAKE_BODY_MAX];
    for (int i = 0; i < 100 && (i == 0 || fake_read_head(fd)); i++) {
        ssize_t len = 0;
        if (strncmp(fake_head, "POST /echo ", 11) == 0)
            len = fake_read_body(fd, body);
        else if (strncmp(fake_head, "GET /size/", 10) == 0) {
            len = strtol(fake_head + 10, NULL, 10);
            len = len >= 0 && len <= FAKE_BODY_MAX ? len : -1;
            for (ssize_t k = 0; k < len; k++)
                body[k] = fake_byte((size_t)k);
        }
        if (len < 0)
            return;
        char head[128];
        int n = snprintf(head, sizeof(head),
                         "HTTP/1.1 200 OK\r\nX-Upstream: %d\r\n"
                         "Content-Length: %zd\r\n\r\n",
                         fake_port, len);
        fake_send_pieces(fd, head, (size_t)n);
        fake_send_pieces(fd, body, (size_t)len);
    }
}

static void fake_serve(int fd, enum fake_mode mode)
{
    static char huge[70 * 1024];
    if (!fake_read_head(fd))
        return;
    switch (mode) {
    case FAKE_ONE_PER_CONN:
        send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n", 41, MSG_NOSIGNAL);
        fake_read_head(fd); /* the next request on the kept connection: closed unanswered */
        break;
    case FAKE_GARBAGE:
        send(fd, "SSH-2.0-OpenSSH\r\n\r\n", 19, MSG_NOSIGNAL);
        break;
    case FAKE_HUGE_HEAD:
        memset(huge, 'a', sizeof(huge));
        send(fd, "HTTP/1.1 200 OK\r\nX-Big: ", 24, MSG_NOSIGNAL);
        send(fd, huge, sizeof(huge), MSG_NOSIGNAL);
        break;
    case FAKE_WEBSOCKET:
        fake_echo_upper(fd);
        break;
    case FAKE_ECHO_HEAD: {
        char head[128];
        int n = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n",
                         strlen(fake_head));
        send(fd, head, (size_t)n, MSG_NOSIGNAL);
        send(fd, fake_head, strlen(fake_head), MSG_NOSIGNAL);
        break;
    }
    case FAKE_BAD_CHUNKS:
        send(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\n", 59,
             MSG_NOSIGNAL);
        break;
    case FAKE_SIZED:
        fake_serve_sized(fd);
        break;
    case FAKE_NO_READ: { /* the body piles up in the socket buffers until they are full */
        struct pollfd p = {.fd = fd, .events = POLLRDHUP};
        poll(&p, 1, 20000);
        break;
    }
    case FAKE_CLOSE_IDLE:
    case FAKE_408_IDLE:
    case FAKE_STRAY_LATE: {
        static char body[FAKE_BODY_MAX];
        if (fake_read_body(fd, body) < 0)
            return;
        send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n", 41, MSG_NOSIGNAL);
        if (mode != FAKE_CLOSE_IDLE)
            ts_sleep_ms(200);      /* later: the proxy has kept the connection by then */
        if (mode == FAKE_408_IDLE) /* what some servers say as they close an idle connection */
            send(fd,
                 "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
                 70, MSG_NOSIGNAL);
        if (mode == FAKE_STRAY_LATE) { /* a broken app's second write; the connection stays */
            send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nstray\n", 44, MSG_NOSIGNAL);
            fake_read_head(fd); /* the proxy's next request, if it sent one here: unanswered */
        }
        break;
    }
    }
}

/* A forked upstream on 127.0.0.1 serving connections one at a time, for at most 30 s. */
static void fake_start(struct fake *f, enum fake_mode mode)
{
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof(a);
    ck_assert(ls >= 0 && bind(ls, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(ls, 16) == 0);
    ck_assert(getsockname(ls, (struct sockaddr *)&a, &alen) == 0);
    f->port = ntohs(a.sin_port);
    f->pid = fork();
    ck_assert(f->pid >= 0);
    if (f->pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        alarm(30);
        fake_port = f->port;
        for (int i = 0; i < 100; i++) {
            int fd = accept(ls, NULL, NULL);
            if (fd < 0)
                _exit(1);
            struct timeval tv = {.tv_sec = 5};
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
            fake_serve(fd, mode);
            close(fd);
        }
        _exit(0);
    }
    close(ls);
}

static void fake_stop(struct fake *f)
{
    kill(f->pid, SIGKILL);
    waitpid(f->pid, NULL, 0);
}

static void fake_site_start(struct ts_server *s, const struct fake *f)
{
    char conf[512];
    snprintf(conf, sizeof(conf),
             "modules = {\"static\", \"proxy\"}\n"
             "location \"/\" { handler = \"proxy\" proxy_pass = {\"http://127.0.0.1:%d\"} }\n",
             f->port);
    const char *args[] = {"-X", NULL}; /* one worker: one pool of kept connections */
    ts_server_start_args(s, conf, args);
}

/* The upstream closed the kept connection as the request went out (nothing of a response
 * came): a GET is sent again on a new connection and succeeds; a POST is not (it may have been
 * acted on, RFC 9110 §9.2.2), it is 502. */
START_TEST(test_stale_kept_connection_retried_once)
{
    struct fake f;
    fake_start(&f, FAKE_ONE_PER_CONN);
    struct ts_server s;
    fake_site_start(&s, &f);
    for (int i = 0; i < 4; i++) /* every second one lands on a kept connection the fake drops */
        ck_assert_int_eq(ts_get_status(s.port, "/x"), 200);
    struct ts_response r;
    request_or_fail(
        s.port, "POST /x HTTP/1.1\r\n" HOST "Connection: close\r\nContent-Length: 0\r\n\r\n", &r);
    ck_assert_int_eq(r.status, 502);
    ts_response_free(&r);
    ck_assert(ts_file_contains(s.error_log, "a kept connection closed before the response"));
    ts_server_stop(&s);
    fake_stop(&f);
}
END_TEST

/* An upstream that does not speak HTTP, or sends a head larger than the limit: 502, logged. */
static const struct bad_case {
    enum fake_mode mode;
    int status;
    const char *logged;
} bad_cases[] = {
    {FAKE_GARBAGE, 502, "an nph- script whose first line is not an HTTP/1.x status line"},
    {FAKE_HUGE_HEAD, 502, "a response head larger than 64 KiB (502)"},
    {FAKE_BAD_CHUNKS, 200, "malformed chunked framing in the response body"},
};

START_TEST(test_bad_upstream)
{
    const struct bad_case *b = &bad_cases[_i];
    struct fake f;
    fake_start(&f, b->mode);
    struct ts_server s;
    fake_site_start(&s, &f);
    struct ts_response r;
    int rc = ts_request(s.port, "GET / HTTP/1.1\r\n" HOST "\r\n", &r);
    if (b->status == 200) /* the head went out: the body breaks off, the client sees that */
        ck_assert_msg(rc == TS_MALFORMED || rc == TS_CLOSED, "%s", ts_result_name(rc));
    else {
        ck_assert_int_eq(rc, TS_OK);
        ck_assert_int_eq(r.status, b->status);
    }
    ts_response_free(&r);
    ck_assert_msg(ts_file_wait_for(s.error_log, b->logged, 5.0), "not logged: %s", b->logged);
    ts_server_stop(&s);
    fake_stop(&f);
}
END_TEST

/* The head the upstream gets, as a whole: the mapped request line, the client's fields but the
 * hop-by-hop ones (those the client's Connection names too) and Expect, the body's framing as
 * preforkd sends it (an empty POST keeps its Content-Length: 0). */
START_TEST(test_request_head_as_sent)
{
    struct fake f;
    fake_start(&f, FAKE_ECHO_HEAD);
    struct ts_server s;
    fake_site_start(&s, &f);
    struct ts_response r;
    request_or_fail(s.port,
                    "POST /a/../form%20x?q=1&r=%2F HTTP/1.1\r\nHost: app.test\r\n"
                    "Connection: close, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: 5\r\nTE: trailers\r\n"
                    "Proxy-Authorization: Basic eDp5\r\nUpgrade: h2c\r\nX-Kept: yes\r\n"
                    "Content-Length: 0\r\n\r\n",
                    &r);
    ck_assert_int_eq(r.status, 200);
    expect_body_has(&r, "POST /form%20x?q=1&r=%2F HTTP/1.1\r\nHost: app.test\r\n");
    expect_body_has(&r, "\r\nX-Kept: yes\r\n");
    expect_body_has(&r, "\r\nX-Forwarded-For: 127.0.0.1\r\n");
    expect_body_has(&r, "\r\nContent-Length: 0\r\n");
    static const char *const gone[] = {"X-Hop",   "Keep-Alive", "TE:",   "Proxy-Authorization",
                                       "Upgrade", "Connection", "Expect"};
    for (size_t i = 0; i < sizeof(gone) / sizeof(gone[0]); i++)
        ck_assert_msg(strstr(r.body, gone[i]) == NULL, "%s passed on:\n%s", gone[i], r.body);
    ts_response_free(&r);
    ts_server_stop(&s);
    fake_stop(&f);
}
END_TEST

/* Over HTTPS (tls_listen) the upstream hears https in X-Forwarded-Proto and Forwarded, and an
 * Upgrade is not passed on: there is no tunnel inside TLS, the upstream answers the plain request.
 */
START_TEST(test_https_client)
{
    if (!ts_tls_available() || access("/usr/bin/curl", X_OK) != 0) {
        fprintf(stderr, "check_proxy: https_client SKIPPED, openssl or curl missing\n");
        return;
    }
    struct fake f;
    fake_start(&f, FAKE_ECHO_HEAD);
    struct ts_server s;
    struct ts_tls_cert cert;
    ck_assert_int_eq(ts_server_init(&s), 0);
    ck_assert(ts_tls_ca(&s) == 0 && ts_tls_cert(&s, "localhost", "localhost", 30, &cert) == 0);
    int tls_port = ts_port_pick();
    char section[4096], conf[8192];
    ts_tls_section(&cert, section, sizeof(section));
    snprintf(conf, sizeof(conf),
             "tls_listen = {\"%s:%d\"}\n%smodules = {\"static\", \"proxy\"}\n"
             "location \"/\" { handler = \"proxy\" proxy_pass = {\"http://127.0.0.1:%d\"} }\n",
             TS_HOST, tls_port, section, f.port);
    ck_assert_int_eq(ts_server_configure(&s, conf), 0);
    const char *argv[] = {"-f", s.conf, NULL};
    ck_assert_int_eq(ts_server_spawn(&s, argv), 0);
    ck_assert(ts_server_wait_ready(&s, TS_START_TIMEOUT_S) == 0);
    char url[128], resolve[128];
    snprintf(url, sizeof(url), "https://localhost:%d/ws", tls_port);
    snprintf(resolve, sizeof(resolve), "localhost:%d:127.0.0.1", tls_port);
    const char *curl[] = {"/usr/bin/curl",
                          "-sS",
                          "--http1.1",
                          "--max-time",
                          "10",
                          "--cacert",
                          ts_tls_ca_file(&s),
                          "--resolve",
                          resolve,
                          "-H",
                          "Upgrade: websocket",
                          "-H",
                          "Connection: Upgrade",
                          url,
                          NULL};
    char *out = NULL;
    int rc = ts_run(curl, 15.0, &out);
    ck_assert_msg(rc == 0, "curl: %d %s", rc, out);
    ck_assert_msg(strstr(out, "\r\nX-Forwarded-Proto: https\r\n") != NULL, "%s", out);
    ck_assert_msg(strstr(out, ";proto=https;host=\"localhost:") != NULL, "%s", out);
    ck_assert_msg(strstr(out, "Upgrade") == NULL, "the Upgrade went up inside TLS:\n%s", out);
    free(out);
    ts_server_stop(&s);
    fake_stop(&f);
}
END_TEST

/* WebSocket: the Upgrade passed on, the 101 passed back, then bytes both ways through the
 * worker until the client closes (the first ones sent right behind the request head). */
START_TEST(test_websocket_tunnel)
{
    struct fake f;
    fake_start(&f, FAKE_WEBSOCKET);
    struct ts_server s;
    fake_site_start(&s, &f);
    struct ts_conn c;
    ts_conn_open_or_fail(&c, &s);
    ts_assert_ok(ts_conn_send_str(&c, "GET /chat HTTP/1.1\r\n" HOST "Upgrade: websocket\r\n"
                                      "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"),
                 "upgrade");
    struct ts_response r;
    ts_assert_ok(ts_response_read(&c, &r, true), "101");
    ck_assert_msg(r.status == 101, "%s", ts_response_describe(&r));
    ck_assert_str_eq(ts_response_header(&r, "Upgrade"), "websocket");
    ck_assert_str_eq(ts_response_header(&r, "Sec-WebSocket-Accept"),
                     "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    ts_response_free(&r);
    for (int i = 0; i < 3; i++) {
        ts_assert_ok(ts_conn_send_str(&c, i == 1 ? "second frame" : "hello tunnel"), "frame");
        ts_assert_ok(ts_conn_wait_for(&c, i == 1 ? "SECOND FRAME" : "HELLO TUNNEL", 5000), "echo");
        c.len = 0; /* consumed */
    }
    ts_conn_close(&c);
    /* -X: the one worker is free again (the fake answers a plain GET 400) */
    ck_assert_int_eq(ts_get_status(s.port, "/after"), 400);
    ts_server_stop(&s);
    fake_stop(&f);
}
END_TEST

/* The proxy's fast paths against responses the upstream writes in pieces (a head cut after its
 * first byte, bodies cut at 1 and 4094 bytes) and bodies around its 64 KiB buffers: pipelined
 * GETs on one client connection each get their own body, whole and in order. */
static const size_t sized_cases[] = {0, 1, 4093, 65535, 65536, 65537, 131072, 200001};

START_TEST(test_split_and_pipelined_responses)
{
    struct fake f;
    fake_start(&f, FAKE_SIZED);
    struct ts_server s;
    fake_site_start(&s, &f);
    struct ts_conn c;
    ts_conn_open_or_fail(&c, &s);
    char pipeline[2048] = "";
    size_t n = sizeof(sized_cases) / sizeof(sized_cases[0]);
    for (size_t i = 0; i < n; i++)
        snprintf(pipeline + strlen(pipeline), sizeof(pipeline) - strlen(pipeline),
                 "GET /size/%zu HTTP/1.1\r\n" HOST "\r\n", sized_cases[i]);
    ts_assert_ok(ts_conn_send_str(&c, pipeline), "pipelined requests");
    for (size_t i = 0; i < n; i++) {
        struct ts_response r;
        ts_assert_ok(ts_response_read(&c, &r, false), "a pipelined response");
        ck_assert_msg(r.status == 200 && r.body_len == sized_cases[i], "request %zu: %s", i,
                      ts_response_describe(&r));
        for (size_t k = 0; k < r.body_len; k++)
            ck_assert_msg(r.body[k] == fake_byte(k), "body of %zu bytes differs at %zu",
                          sized_cases[i], k);
        ts_response_free(&r);
    }
    ts_conn_close(&c);
    ts_server_stop(&s);
    fake_stop(&f);
}
END_TEST

/* Request bodies at the 64 KiB buffer's edges, one after the other on kept connections: the
 * upstream gets each whole (it sends it back). */
START_TEST(test_request_body_boundaries)
{
    static const size_t sizes[] = {65535, 65536, 65537, 3 * 65536};
    struct fake f;
    fake_start(&f, FAKE_SIZED);
    struct ts_server s;
    fake_site_start(&s, &f);
    static char body[3 * 65536];
    for (size_t k = 0; k < sizeof(body); k++)
        body[k] = fake_byte(k);
    struct ts_conn c;
    ts_conn_open_or_fail(&c, &s);
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        char head[256];
        int hl = snprintf(head, sizeof(head),
                          "POST /echo HTTP/1.1\r\n" HOST "Content-Length: %zu\r\n\r\n", sizes[i]);
        ts_assert_ok(ts_conn_send(&c, head, (size_t)hl), "head");
        ts_assert_ok(ts_conn_send(&c, body, sizes[i]), "body");
        struct ts_response r;
        ts_assert_ok(ts_response_read(&c, &r, false), "echo");
        ck_assert_msg(r.status == 200 && r.body_len == sizes[i] &&
                          memcmp(r.body, body, sizes[i]) == 0,
                      "a body of %zu bytes came back as %s", sizes[i], ts_response_describe(&r));
        ts_response_free(&r);
    }
    ts_conn_close(&c);
    ts_server_stop(&s);
    fake_stop(&f);
}
END_TEST

/* The upstream closes each connection after one answer. A POST (it cannot be sent twice) is
 * never sent on a kept connection that is closed by then: the probe drops it first. A GET right
 * after skips the probe (under a second idle) and is sent again on a new connection. None of
 * them is a 502. */
START_TEST(test_kept_connection_closed_while_idle)
{
    struct fake f;
    fake_start(&f, FAKE_CLOSE_IDLE);
    struct ts_server s;
    fake_site_start(&s, &f);
    for (int i = 0; i < 3; i++) {
        struct ts_response r;
        request_or_fail(s.port,
                        i == 1 ? "POST /form HTTP/1.1\r\n" HOST
                                 "Connection: close\r\nContent-Length: 5\r\n\r\nhello"
                               : "GET /page HTTP/1.1\r\n" HOST "Connection: close\r\n\r\n",
                        &r);
        ck_assert_msg(r.status == 200, "request %d: %s", i, ts_response_describe(&r));
        ts_response_free(&r);
    }
    ts_server_stop(&s);
    fake_stop(&f);
}
END_TEST

/* Bytes an upstream sends on a kept connection nobody asked for — a 408 as some servers say
 * before closing an idle connection, a broken app's second answer — never reach a client: the
 * kept connection is probed before each use, however recently it was used (the next request
 * may be another client's). */
START_TEST(test_unasked_bytes_not_relayed)
{
    const struct {
        enum fake_mode mode;
        const char *what;
    } rows[] = {{FAKE_408_IDLE, "a 408 before an idle close"},
                {FAKE_STRAY_LATE, "a second answer 200 ms after the first"}};
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct fake f;
        fake_start(&f, rows[i].mode);
        struct ts_server s;
        fake_site_start(&s, &f);
        ck_assert_int_eq(ts_get_status(s.port, "/first"), 200);
        ts_sleep_ms(400); /* the time itself is the point: the unasked bytes came at 200 */
        struct ts_response r;
        ck_assert_int_eq(ts_get(s.port, "/second", &r), TS_OK);
        ck_assert_msg(r.status == 200 && r.body != NULL && strcmp(r.body, "ok\n") == 0, "%s: %s",
                      rows[i].what, ts_response_describe(&r));
        ts_response_free(&r);
        ts_server_stop(&s);
        fake_stop(&f);
    }
}
END_TEST

/* An upstream that stops reading the request body: 504 after proxy_send_timeout, not later
 * (a blocking send() would return on each few bytes the stalled upstream still takes, and each
 * call wait the whole timeout again: 6 s here). The client keeps sending while it can and reads
 * the answer when it comes. */
#define STALL_BODY (8 * 1024 * 1024) /* more than the socket buffers on the way can hold */

START_TEST(test_body_not_read_is_504)
{
    struct fake f;
    fake_start(&f, FAKE_NO_READ);
    struct ts_server s;
    char conf[512];
    snprintf(conf, sizeof(conf),
             "modules = {\"static\", \"proxy\"}\n"
             "location \"/\" { handler = \"proxy\" proxy_send_timeout = 2\n"
             "    proxy_pass = {\"http://127.0.0.1:%d\"} }\n",
             f.port);
    const char *args[] = {"-X", NULL};
    ts_server_start_args(&s, conf, args);
    struct ts_conn c;
    ts_conn_open_or_fail(&c, &s);
    char head[256];
    int hl = snprintf(head, sizeof(head),
                      "POST /upload HTTP/1.1\r\n" HOST "Content-Length: %d\r\n\r\n", STALL_BODY);
    double t0 = ts_now();
    ts_assert_ok(ts_conn_send(&c, head, (size_t)hl), "head");
    static char chunk[64 * 1024];
    memset(chunk, 'x', sizeof(chunk));
    size_t sent = 0;
    struct pollfd p = {.fd = c.fd, .events = POLLIN | POLLOUT};
    while (ts_now() - t0 < 10.0 && poll(&p, 1, 1000) >= 0 && (p.revents & POLLIN) == 0) {
        ssize_t n =
            sent < STALL_BODY ? send(c.fd, chunk, sizeof(chunk), MSG_DONTWAIT | MSG_NOSIGNAL) : 0;
        sent += n > 0 ? (size_t)n : 0;
        p.events = sent < STALL_BODY ? POLLIN | POLLOUT : POLLIN;
    }
    struct ts_response r;
    ts_assert_ok(ts_response_read(&c, &r, false), "the answer");
    double took = ts_now() - t0;
    ck_assert_msg(r.status == 504, "%s", ts_response_describe(&r));
    ck_assert_msg(took >= 1.9 && took < 3.5, "504 after %.2f s (send_timeout 2 s)", took);
    ck_assert(
        ts_file_wait_for(s.error_log, "sending the request body: Connection timed out (504)", 5.0));
    ts_response_free(&r);
    ts_conn_close(&c);
    ts_server_stop(&s);
    fake_stop(&f);
}
END_TEST

/* ---- failover at connect ----------------------------------------------------------------------
 */

#define FILL_MAX 8 /* connections that fill a listen queue of 0 (one does on Linux) */

/* A local upstream that takes no connection: a listening socket with a queue of 0 that is never
 * accepted from, filled by connections of ours. On Linux a SYN to a listener whose accept queue is
 * full is dropped, SYN cookies or not (tcp_conn_request()), so a TCP connect() hangs as to a
 * blackholed address; a unix socket's connect() says EAGAIN at once. fills[] hold the fillers. */
struct blackhole {
    int listener;
    int fills[FILL_MAX];
    char spec[TS_PATH_MAX + 32]; /* for proxy_pass */
};

/* Whether a non-blocking connect to addr gets nowhere within wait_ms (the queue is full). */
static bool connect_stalls(int family, const struct sockaddr *addr, socklen_t len, int wait_ms,
                           int *fd)
{
    *fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    ck_assert(*fd >= 0);
    if (connect(*fd, addr, len) == 0)
        return false;
    if (errno == EAGAIN)
        return true; /* unix: full */
    ck_assert_int_eq(errno, EINPROGRESS);
    struct pollfd p = {.fd = *fd, .events = POLLOUT};
    return poll(&p, 1, wait_ms) == 0;
}

static void blackhole_open(struct blackhole *b, bool unix_socket, const char *dir)
{
    struct sockaddr_storage ss = {0};
    socklen_t len;
    if (unix_socket) {
        struct sockaddr_un *sun = (struct sockaddr_un *)&ss;
        sun->sun_family = AF_UNIX;
        ck_assert_msg(strlen(dir) < sizeof(sun->sun_path) - 16, "%s: too long for a socket", dir);
        snprintf(sun->sun_path, sizeof(sun->sun_path), "%.90s/full.sock", dir);
        len = sizeof(*sun);
        snprintf(b->spec, sizeof(b->spec), "unix:%s", sun->sun_path);
    } else {
        struct sockaddr_in *in = (struct sockaddr_in *)&ss;
        in->sin_family = AF_INET;
        in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        len = sizeof(*in);
    }
    b->listener = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ck_assert(b->listener >= 0 && bind(b->listener, (struct sockaddr *)&ss, len) == 0 &&
              listen(b->listener, 0) == 0 &&
              getsockname(b->listener, (struct sockaddr *)&ss, &len) == 0);
    if (unix_socket) /* the worker runs as another user */
        ck_assert(chmod(((struct sockaddr_un *)&ss)->sun_path, 0666) == 0);
    else
        snprintf(b->spec, sizeof(b->spec), "http://127.0.0.1:%d",
                 ntohs(((struct sockaddr_in *)&ss)->sin_port));
    bool full = false;
    for (int i = 0; i < FILL_MAX; i++)
        b->fills[i] = -1;
    for (int i = 0; i < FILL_MAX && !full; i++)
        full = connect_stalls(ss.ss_family, (struct sockaddr *)&ss, len, 300, &b->fills[i]);
    ck_assert_msg(full, "a listen queue of 0 still takes connections after %d", FILL_MAX);
}

static void blackhole_close(struct blackhole *b)
{
    for (int i = 0; i < FILL_MAX; i++)
        if (b->fills[i] >= 0)
            close(b->fills[i]);
    close(b->listener);
}

/* proxy_pass lists an upstream that takes no connection, then one that works: the first request
 * moves on after connect_timeout (1 s: TCP) or at once (unix: EAGAIN), logged once with the
 * reason; the next one skips the failed upstream (fail_timeout) and is answered at once. */
static const struct failover_case {
    const char *desc;
    bool unix_socket;
    const char *logged;
    double first_min_s; /* the first request paid the connect timeout */
} failover_cases[] = {
    {"TCP, SYN dropped", false, "no connection within connect_timeout; trying 127.0.0.1:", 0.9},
    {"unix, queue full", true, "connect(): Resource temporarily unavailable; trying 127.0.0.1:", 0},
};

START_TEST(test_connect_failover)
{
    const struct failover_case *fc = &failover_cases[_i];
    struct fake f;
    fake_start(&f, FAKE_SIZED);
    struct ts_server s;
    ck_assert(ts_server_init(&s) == 0);
    struct blackhole b;
    blackhole_open(&b, fc->unix_socket, s.dir);
    char conf[1024];
    snprintf(conf, sizeof(conf),
             "modules = {\"static\", \"proxy\"}\n"
             "location \"/\" { handler = \"proxy\" proxy_connect_timeout = 1\n"
             "    proxy_pass = {\"%s\", \"http://127.0.0.1:%d\"} }\n",
             b.spec, f.port);
    const char *args[] = {"-X", NULL}; /* one worker: one memory of failed upstreams */
    ts_server_start_args(&s, conf, args);
    for (int i = 0; i < 3; i++) {
        double t0 = ts_now();
        ck_assert_msg(ts_get_status(s.port, "/size/10") == 200, "%s: request %d", fc->desc, i);
        double took = ts_now() - t0;
        if (i == 0)
            ck_assert_msg(took >= fc->first_min_s && took < 4.0, "%s: first took %.2f s", fc->desc,
                          took);
        else
            ck_assert_msg(took < 0.5,
                          "%s: request %d took %.2f s: the failed upstream was not "
                          "skipped",
                          fc->desc, i, took);
    }
    char *log = ts_file_read(s.error_log, NULL);
    ck_assert_msg(log != NULL && strstr(log, fc->logged) != NULL, "%s: no \"%s\" in:\n%s", fc->desc,
                  fc->logged, log != NULL ? log : "");
    ck_assert_msg(strstr(strstr(log, fc->logged) + 1, fc->logged) == NULL,
                  "%s: the failover was logged more than once:\n%s", fc->desc, log);
    free(log);
    ts_server_stop(&s);
    blackhole_close(&b);
    fake_stop(&f);
}
END_TEST

/* proxy_balance: "failover" sends every request to the first upstream that works; "round-robin"
 * starts each one a step further down the list (each worker on its own; -X: one worker). */
static const struct balance_case {
    const char *balance;
    bool alternates;
} balance_cases[] = {
    {"failover", false},
    {"round-robin", true},
};

START_TEST(test_balance)
{
    const struct balance_case *bc = &balance_cases[_i];
    struct fake f[2];
    fake_start(&f[0], FAKE_SIZED);
    fake_start(&f[1], FAKE_SIZED);
    struct ts_server s;
    char conf[512];
    snprintf(conf, sizeof(conf),
             "modules = {\"static\", \"proxy\"}\n"
             "location \"/\" { handler = \"proxy\" proxy_balance = \"%s\"\n"
             "    proxy_pass = {\"http://127.0.0.1:%d\", \"http://127.0.0.1:%d\"} }\n",
             bc->balance, f[0].port, f[1].port);
    const char *args[] = {"-X", NULL};
    ts_server_start_args(&s, conf, args);
    int previous = -1, counts[2] = {0, 0};
    for (int i = 0; i < 6; i++) {
        struct ts_response r;
        request_or_fail(s.port, "GET /size/3 HTTP/1.1\r\n" HOST "Connection: close\r\n\r\n", &r);
        const char *up = ts_response_header(&r, "X-Upstream");
        ck_assert_msg(r.status == 200 && up != NULL, "%s", ts_response_describe(&r));
        int port = atoi(up);
        ck_assert(port == f[0].port || port == f[1].port);
        counts[port == f[1].port]++;
        if (bc->alternates && previous >= 0)
            ck_assert_msg(port != previous, "%s: request %d went to %d again", bc->balance, i,
                          port);
        previous = port;
        ts_response_free(&r);
    }
    if (bc->alternates)
        ck_assert_int_eq(counts[0], 3);
    else
        ck_assert_int_eq(counts[0], 6);
    ts_server_stop(&s);
    fake_stop(&f[0]);
    fake_stop(&f[1]);
}
END_TEST

static Suite *proxy_suite(void)
{
    Suite *s = suite_create("proxy");
    const struct ts_case cases[] = {
        {"get_static_and_forwarded_fields", test_get_static_and_forwarded_fields},
        {"post_form_and_json", test_post_form_and_json},
        {"streamed_response", test_streamed_response},
        {"prefix_location_and_cookie", test_prefix_location_and_cookie},
        {"failover_then_stopped_is_502", test_failover_then_stopped_is_502},
        {"slow_is_504", test_slow_is_504},
        {"killed_and_restarted_under_load", test_killed_and_restarted_under_load},
        {"stale_kept_connection_retried_once", test_stale_kept_connection_retried_once},
        {"websocket_tunnel", test_websocket_tunnel},
        {"request_head_as_sent", test_request_head_as_sent},
        {"https_client", test_https_client},
        {"split_and_pipelined_responses", test_split_and_pipelined_responses},
        {"request_body_boundaries", test_request_body_boundaries},
        {"kept_connection_closed_while_idle", test_kept_connection_closed_while_idle},
        {"unasked_bytes_not_relayed", test_unasked_bytes_not_relayed},
        {"body_not_read_is_504", test_body_not_read_is_504},
    };
    ts_suite_add_cases(s, cases, sizeof(cases) / sizeof(cases[0]), 60);
    TCase *tc = tcase_create("loops");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_upload_5mb, 0,
                        (int)(sizeof(upload_cases) / sizeof(upload_cases[0])));
    tcase_add_loop_test(tc, test_bad_upstream, 0, (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
    tcase_add_loop_test(tc, test_balance, 0,
                        (int)(sizeof(balance_cases) / sizeof(balance_cases[0])));
    tcase_add_loop_test(tc, test_connect_failover, 0,
                        (int)(sizeof(failover_cases) / sizeof(failover_cases[0])));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_session(proxy_suite());
}
