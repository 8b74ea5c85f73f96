/*
 * check_htaccess.c — .htaccess files (issue 16) on the real binary: off unless allow_override
 * lets them in; Require and its sections, the 2.2 Order/Allow/Deny, Basic authentication with a
 * file made by Apache's own htpasswd, <Files>, <Limit>, <IfModule> as DokuWiki ships it; a broken
 * or not-allowed file answers 500 with FILE:LINE in the error log; an edit is seen by the next
 * request; ".ht*" files are never served; -T shows the files and directives.
 */
#include "testsupport.h"
#include "testsupport_cgi.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "testsupport_run.h"

#define RAN_SCRIPT                                                                                 \
    "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\nran:%s:%s\\n' \"$PATH_INFO\" "         \
    "\"$REMOTE_USER\"\n"

/* One worker, so that "logged once per worker" is "logged once". */
#define ONE_WORKER                                                                                 \
    "prefork { start_servers = 1  min_spare_servers = 1  max_spare_servers = 1\n"                  \
    "          max_workers = 1 }\n"

static const char *ht_config = "modules = {\"static\", \"cgi\"}\n"
                               "allow_override = {\"All\"}\n"
                               "location \"~ \\\\.cgi$\" { handler = \"cgi\" }\n"
                               "vhost \"bare.test\" { location \"/\" { } }\n"
                               "vhost \"off.test\" { allow_override = {\"None\"}\n"
                               "  location \"/\" { allow_override = {\"None\"} } }\n" ONE_WORKER;

/* Writes <docroot>/<rel> (parent folders made). */
static void put(const struct ts_server *s, const char *rel, const char *text)
{
    char path[TS_PATH_MAX * 2];
    snprintf(path, sizeof(path), "%s/%s", s->docroot, rel);
    ck_assert_msg(ts_file_put(path, text, strlen(text)) == 0, "cannot write %s", path);
}

/* Sets <docroot>/<rel>'s mtime seconds ahead of now, so that an edit within the same second
 * (and of the same size) is still a new version. */
static void touch_ahead(const struct ts_server *s, const char *rel, int seconds)
{
    char path[TS_PATH_MAX * 2];
    snprintf(path, sizeof(path), "%s/%s", s->docroot, rel);
    struct timespec times[2];
    clock_gettime(CLOCK_REALTIME, &times[0]);
    times[0].tv_sec += seconds;
    times[1] = times[0];
    ck_assert_int_eq(utimensat(AT_FDCWD, path, times, 0), 0);
}

static void start(struct ts_server *s, const char *extra)
{
    ck_assert_int_eq(ts_server_configure(s, extra), 0);
    const char *args[] = {"-f", s->conf, NULL};
    ck_assert_int_eq(ts_server_spawn(s, args), 0);
    if (ts_server_wait_ready(s, TS_START_TIMEOUT_S) != 0) {
        ts_server_dump(s);
        ck_abort_msg("the server did not start");
    }
}

struct req_case {
    const char *method; /* NULL: GET; or "XFF a.b.c.d": GET from that client (trusted_proxies) */
    const char *path;
    const char *host; /* NULL: localhost */
    const char *auth; /* an Authorization value, or NULL */
    int status;
    const char *body; /* a part of the body that must be there, or NULL */
};

static int request(const struct ts_server *s, const struct req_case *c, struct ts_response *r)
{
    char req[2048], extra[512] = "";
    const char *method = c->method != NULL ? c->method : "GET";
    if (c->auth != NULL)
        snprintf(extra, sizeof(extra), "Authorization: %s\r\n", c->auth);
    if (strncmp(method, "XFF ", 4) == 0) {
        snprintf(extra, sizeof(extra), "X-Forwarded-For: %s\r\n", method + 4);
        method = "GET";
    }
    snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: %s\r\n%s%sConnection: close\r\n\r\n",
             method, c->path, c->host != NULL ? c->host : "localhost", extra,
             strcmp(method, "POST") == 0 ? "Content-Length: 0\r\n" : "");
    return ts_request(s->port, req, r);
}

static void expect(const struct ts_server *s, const struct req_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct req_case *c = &cases[i];
        struct ts_response r;
        ck_assert_int_eq(request(s, c, &r), TS_OK);
        ck_assert_msg(r.status == c->status, "%s %s (Host %s): %d, want %d",
                      c->method != NULL ? c->method : "GET", c->path,
                      c->host != NULL ? c->host : "localhost", r.status, c->status);
        if (c->body != NULL)
            ck_assert_msg(r.body != NULL && strstr(r.body, c->body) != NULL,
                          "%s: body \"%s\" lacks \"%s\"", c->path, r.body != NULL ? r.body : "",
                          c->body);
        ck_assert_msg(r.body == NULL || strstr(r.body, "#!/bin/sh") == NULL,
                      "%s sent a script's source", c->path);
        ck_assert_msg(r.body == NULL || strstr(r.body, "Require") == NULL,
                      "%s sent a .htaccess file", c->path);
        ts_response_free(&r);
    }
}

#define EXPECT(s, cases) expect((s), (cases), sizeof(cases) / sizeof((cases)[0]))

/* How many lines of the error log hold needle. */
static int log_count(const struct ts_server *s, const char *needle)
{
    char *text = ts_file_read(s->error_log, NULL);
    int n = 0;
    for (const char *p = text; p != NULL && (p = strstr(p, needle)) != NULL; p++)
        n++;
    free(text);
    return n;
}

/* The site of most tests: /sub/ denied, /open/ granted, a script and an index in /sub/. */
static void site(struct ts_server *s)
{
    ck_assert_int_eq(ts_server_init(s), 0);
    put(s, "sub/.htaccess", "# denied\nRequire all denied\n");
    put(s, "sub/a.txt", "sub a\n");
    put(s, "sub/index.html", "sub index\n");
    ck_assert_int_eq(ts_cgi_write(s, "sub", "run.cgi", RAN_SCRIPT, 0755), 0);
    put(s, "open/.htaccess", "Require all granted\n");
    put(s, "open/a.txt", "open a\n");
    put(s, "app/.htaccess", "<Files index.html>\n  Require all denied\n</Files>\n");
    put(s, "app/index.html", "app index\n");
    put(s, "app/other.txt", "app other\n");
}

/* Apache 2.4's default AllowOverride None: the files are not even looked at. */
START_TEST(test_off_by_default)
{
    struct ts_server s;
    site(&s);
    start(&s, "modules = {\"static\", \"cgi\"}\n");
    static const struct req_case cases[] = {
        {NULL, "/sub/a.txt", NULL, NULL, 200, "sub a"},
        {NULL, "/sub/", NULL, NULL, 200, "sub index"},
    };
    EXPECT(&s, cases);
    ts_server_stop(&s);
}
END_TEST

/* Require all denied on a folder holds for every way to reach what is in it: the file, the
 * folder (its index file), a script with path info, a vhost sharing the document root; an index
 * file denied by <Files> is denied through its folder's URL (the holes of issue 11). */
START_TEST(test_require_all_denied_every_path)
{
    struct ts_server s;
    site(&s);
    start(&s, ht_config);
    static const struct req_case cases[] = {
        {NULL, "/sub/a.txt", NULL, NULL, 403, NULL},
        {NULL, "/sub/", NULL, NULL, 403, NULL},
        {NULL, "/sub/index.html", NULL, NULL, 403, NULL},
        {NULL, "/sub/run.cgi", NULL, NULL, 403, NULL},
        {NULL, "/sub/run.cgi/more/info", NULL, NULL, 403, NULL},
        {NULL, "/sub/a.txt", "bare.test", NULL, 403, NULL},
        {NULL, "/sub/run.cgi/x", "bare.test", NULL, 403, NULL},
        {NULL, "/sub/a.txt", "off.test", NULL, 403, NULL}, /* sharing files: cannot turn off */
        {"HEAD", "/sub/a.txt", NULL, NULL, 403, NULL},
        {NULL, "/open/a.txt", NULL, NULL, 200, "open a"},
        {NULL, "/open/a.txt", "bare.test", NULL, 200, "open a"},
        {NULL, "/app/", NULL, NULL, 403, NULL},
        {NULL, "/app/index.html", NULL, NULL, 403, NULL},
        {NULL, "/app/other.txt", NULL, NULL, 200, "app other"},
        {NULL, "/hello.txt", NULL, NULL, 200, TS_HELLO_TXT},
    };
    EXPECT(&s, cases);
    ts_server_stop(&s);
}
END_TEST

/* An unknown directive, or one the location's allow_override does not allow: 500 for every
 * request under the folder, "FILE:LINE: why" in the error log once, not once per request. */
START_TEST(test_broken_or_not_allowed_file_is_500)
{
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    put(&s, "bad/.htaccess", "Require all granted\n\nRequireFoo all\n");
    put(&s, "bad/a.txt", "bad a\n");
    put(&s, "auth/.htaccess", "# AuthConfig only\nRequire all granted\n");
    put(&s, "auth/a.txt", "auth a\n");
    put(&s, "deep/er/a.txt", "deeper\n");
    put(&s, "deep/.htaccess", "<IfModule mod_authz_core.c>\n<Files x>\n</Fles>\n</IfModule>\n");
    start(&s, "allow_override = {\"All\"}\n"
              "location \"/auth/\" { allow_override = {\"FileInfo\", \"Indexes\"} }\n" ONE_WORKER);
    static const struct req_case cases[] = {
        {NULL, "/bad/a.txt", NULL, NULL, 500, NULL},
        {NULL, "/bad/", NULL, NULL, 500, NULL},
        {NULL, "/bad/a.txt", NULL, NULL, 500, NULL},
        {NULL, "/auth/a.txt", NULL, NULL, 500, NULL},
        {NULL, "/auth/a.txt", NULL, NULL, 500, NULL},
        {NULL, "/deep/er/a.txt", NULL, NULL, 500, NULL},
        {NULL, "/hello.txt", NULL, NULL, 200, NULL},
    };
    EXPECT(&s, cases);
    char where[TS_PATH_MAX * 2];
    snprintf(where, sizeof(where), "%s/bad/.htaccess:3: Invalid command 'RequireFoo'", s.docroot);
    ck_assert_msg(log_count(&s, where) == 1, "want one \"%s\" in the log", where);
    snprintf(where, sizeof(where), "%s/auth/.htaccess:2: Require not allowed here", s.docroot);
    ck_assert_msg(log_count(&s, where) == 1, "want one \"%s\" in the log", where);
    snprintf(where, sizeof(where), "%s/deep/.htaccess:3: </Fles>", s.docroot);
    ck_assert_msg(log_count(&s, where) == 1, "want one \"%s\" in the log", where);
    ts_server_stop(&s);
}
END_TEST

/* An edit is seen by the next request: same size, same inode, only the mtime tells. */
START_TEST(test_edit_seen_by_next_request)
{
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    put(&s, "e/.htaccess", "Require all granted\n");
    put(&s, "e/a.txt", "e a\n");
    start(&s, "allow_override = {\"AuthConfig\"}\n" ONE_WORKER);
    static const struct req_case granted[] = {{NULL, "/e/a.txt", NULL, NULL, 200, "e a"}};
    static const struct req_case denied[] = {{NULL, "/e/a.txt", NULL, NULL, 403, NULL}};
    EXPECT(&s, granted);
    put(&s, "e/.htaccess", "Require all denied \n"); /* the same length */
    touch_ahead(&s, "e/.htaccess", 5);
    EXPECT(&s, denied);
    char path[TS_PATH_MAX * 2];
    snprintf(path, sizeof(path), "%s/e/.htaccess", s.docroot);
    ck_assert_int_eq(unlink(path), 0);
    EXPECT(&s, granted);
    put(&s, "e/.htaccess", "Require all denied\n"); /* a new file where there was none */
    EXPECT(&s, denied);
    ts_server_stop(&s);
}
END_TEST

/* .htaccess, .htpasswd and any ".ht*" name: never served nor listed, whatever serve_hidden and
 * allow_override say. */
static void ht_files_case(const char *extra)
{
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    put(&s, "d/.htaccess", "Require all granted\n");
    put(&s, "d/.htpasswd", "alice:$apr1$x$y\n");
    put(&s, "d/.hidden", "a hidden file\n");
    put(&s, "top/.htgroups", "admins: alice\n");
    start(&s, extra);
    static const struct req_case cases[] = {
        {NULL, "/d/.htaccess", NULL, NULL, 403, NULL},
        {NULL, "/d/.htpasswd", NULL, NULL, 403, NULL},
        {NULL, "/top/.htgroups", NULL, NULL, 403, NULL},
        {NULL, "/d/.htpasswd/x", NULL, NULL, 403, NULL},
        {NULL, "/d/.hidden", NULL, NULL, 200, "a hidden file"},
    };
    EXPECT(&s, cases);
    struct ts_response r;
    ck_assert_int_eq(ts_get(s.port, "/d/", &r), TS_OK);
    ck_assert_int_eq(r.status, 200);
    ck_assert_msg(strstr(r.body, ".hidden") != NULL && strstr(r.body, ".htpasswd") == NULL &&
                      strstr(r.body, ".htaccess") == NULL,
                  "listing: %s", r.body);
    ts_response_free(&r);
    ts_server_stop(&s);
}

START_TEST(test_ht_files_never_served)
{
    const char *listing = "serve_hidden = true\nmodules = {\"static\", \"autoindex\"}\n"
                          "module \"autoindex\" { enabled = true  index_ignore = {} }\n";
    char extra[512];
    ht_files_case(listing);
    snprintf(extra, sizeof(extra), "%sallow_override = {\"All\"}\n", listing);
    ht_files_case(extra);
}
END_TEST

/* Base64 of "user:password" for an Authorization header. */
static const char *basic(const char *user_password)
{
    static char out[4][256];
    static int next;
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *o = out[next++ % 4];
    const unsigned char *in = (const unsigned char *)user_password;
    size_t len = strlen(user_password), k = (size_t)sprintf(o, "Basic ");
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (i + 1 < len ? (unsigned)in[i + 1] << 8 : 0) |
                     (i + 2 < len ? in[i + 2] : 0);
        o[k++] = b64[v >> 18 & 63];
        o[k++] = b64[v >> 12 & 63];
        o[k++] = i + 1 < len ? b64[v >> 6 & 63] : '=';
        o[k++] = i + 2 < len ? b64[v & 63] : '=';
    }
    o[k] = '\0';
    return o;
}

/* htpasswd -b[c]m FILE user password, Apache's own tool ($apr1$ hashes). */
static void htpasswd(const char *file, bool create, const char *user, const char *password)
{
    char cmd[TS_PATH_MAX * 3];
    snprintf(cmd, sizeof(cmd), "htpasswd -b%sm '%s' '%s' '%s' 2>/dev/null", create ? "c" : "", file,
             user, password);
    ck_assert_msg(system(cmd) == 0, "%s failed", cmd);
    char *text = ts_file_read(file, NULL);
    ck_assert_msg(text != NULL && strstr(text, "$apr1$") != NULL, "no $apr1$ hash in %s", file);
    free(text);
}

/* An admin folder behind Basic authentication: AuthUserFile relative to the config's folder
 * (Apache's ServerRoot), made by the real htpasswd -m; Require valid-user, user, group. */
static void auth_site(struct ts_server *s)
{
    ck_assert_int_eq(ts_server_init(s), 0);
    char users[TS_PATH_MAX * 2];
    snprintf(users, sizeof(users), "%s/users/htpasswd", s->dir);
    ck_assert_int_eq(ts_dir_parents(users), 0);
    htpasswd(users, true, "alice", "s3cret");
    htpasswd(users, false, "bob", "hunter2");
    char groups[TS_PATH_MAX * 2];
    snprintf(groups, sizeof(groups), "%s/users/groups", s->dir);
    ck_assert_int_eq(ts_file_put(groups, "admins: alice\nstaff: bob carol\n", 31), 0);
    put(s, "admin/.htaccess",
        "AuthType Basic\nAuthName \"Admin area\"\n"
        "AuthUserFile users/htpasswd\nRequire valid-user\n");
    ck_assert_int_eq(ts_cgi_write(s, "admin", "run.cgi", RAN_SCRIPT, 0755), 0);
    put(s, "admin/a.txt", "admin a\n");
    put(s, "admin/bobs/.htaccess", "Require user bob\n");
    put(s, "admin/bobs/a.txt", "bobs a\n");
    put(s, "admin/grp/.htaccess", "AuthGroupFile users/groups\nRequire group admins\n");
    put(s, "admin/grp/a.txt", "grp a\n");
    put(s, "admin/pub/.htaccess", "Require all granted\n");
    put(s, "admin/pub/a.txt", "pub a\n");
}

START_TEST(test_basic_auth_with_htpasswd_file)
{
    struct ts_server s;
    auth_site(&s);
    start(&s, ht_config);
    const char *alice = basic("alice:s3cret"), *bob = basic("bob:hunter2"),
               *wrong = basic("alice:s3cre"), *nobody = basic("carol:s3cret");
    const struct req_case cases[] = {
        {NULL, "/admin/a.txt", NULL, NULL, 401, NULL},
        {NULL, "/admin/a.txt", NULL, alice, 200, "admin a"},
        {NULL, "/admin/a.txt", NULL, wrong, 401, NULL},
        {NULL, "/admin/a.txt", NULL, nobody, 401, NULL},
        {NULL, "/admin/run.cgi/x", NULL, alice, 200, "ran:/x:alice"},
        {NULL, "/admin/run.cgi/x", NULL, NULL, 401, NULL},
        {NULL, "/admin/a.txt", "bare.test", NULL, 401, NULL},
        {NULL, "/admin/bobs/a.txt", NULL, alice, 401, NULL}, /* a user, not this one */
        {NULL, "/admin/bobs/a.txt", NULL, bob, 200, "bobs a"},
        {NULL, "/admin/grp/a.txt", NULL, bob, 401, NULL},
        {NULL, "/admin/grp/a.txt", NULL, alice, 200, "grp a"},
        {NULL, "/admin/pub/a.txt", NULL, NULL, 200, "pub a"}, /* deeper Require replaces */
    };
    EXPECT(&s, cases);
    struct ts_response r;
    ck_assert_int_eq(ts_get(s.port, "/admin/a.txt", &r), TS_OK);
    ck_assert_int_eq(r.status, 401);
    ck_assert_ptr_nonnull(ts_response_header(&r, "WWW-Authenticate"));
    ck_assert_str_eq(ts_response_header(&r, "WWW-Authenticate"), "Basic realm=\"Admin area\"");
    ts_response_free(&r);
    ck_assert_msg(ts_file_wait_for(s.access_log, "alice [", 5.0), "no %%u in the access log");
    ts_server_stop(&s);
}
END_TEST

/* How many times the file was opened since the last call: IN_OPEN events queued on watch_fd, a
 * non-blocking inotify descriptor that also watches IN_CLOSE_NOWRITE (inotify merges identical
 * events in a row, so open, open would count once; open, close, open, close counts twice). An
 * open is queued before the answer leaves. */
static int opens_since(int watch_fd)
{
    int opens = 0;
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    for (int reads = 0; reads < 64; reads++) {
        ssize_t n = read(watch_fd, buf, sizeof(buf));
        if (n <= 0)
            break;
        for (char *p = buf; p < buf + n;
             p += sizeof(struct inotify_event) + ((struct inotify_event *)(void *)p)->len)
            opens += (((struct inotify_event *)(void *)p)->mask & IN_OPEN) != 0;
    }
    return opens;
}

/* A request that routes twice through the protected folder (a folder URL served by its index
 * file, a script with path info) checks the password once: the htpasswd file is read once, not
 * once per routing (a bcrypt hash costs tens of milliseconds each time). */
START_TEST(test_password_checked_once_per_request)
{
    struct ts_server s;
    auth_site(&s);
    put(&s, "admin/index.html", "admin index\n");
    start(&s, ht_config);
    char users[TS_PATH_MAX * 2];
    snprintf(users, sizeof(users), "%s/users/htpasswd", s.dir);
    int watch_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    ck_assert_int_ge(watch_fd, 0);
    ck_assert_int_ge(inotify_add_watch(watch_fd, users, IN_OPEN | IN_CLOSE_NOWRITE), 0);
    const char *alice = basic("alice:s3cret");
    const struct req_case cases[] = {
        {NULL, "/admin/a.txt", NULL, alice, 200, "admin a"},
        {NULL, "/admin/", NULL, alice, 200, "admin index"},
        {NULL, "/admin/run.cgi/x", NULL, alice, 200, "ran:/x:alice"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        opens_since(watch_fd);
        expect(&s, &cases[i], 1);
        ck_assert_msg(opens_since(watch_fd) == 1, "%s: the htpasswd file was not read once",
                      cases[i].path);
    }
    close(watch_fd);
    ts_server_stop(&s);
}
END_TEST

/* Apache 2.2's Order/Allow/Deny (mod_access_compat): a deeper file's set replaces its parent's;
 * partial addresses; Satisfy Any lets the host rule stand for authentication. */
START_TEST(test_order_allow_deny)
{
    struct ts_server s;
    auth_site(&s);
    put(&s, "old/.htaccess", "Order deny,allow\nDeny from all\n");
    put(&s, "old/a.txt", "old a\n");
    put(&s, "old/ok/.htaccess", "Order allow,deny\nAllow from 127.0.0.1\n");
    put(&s, "old/ok/a.txt", "old ok\n");
    put(&s, "part/.htaccess", "Order allow,deny\nAllow from 10.1 192.168.0.0/255.255.0.0\n");
    put(&s, "part/a.txt", "part a\n");
    put(&s, "part/lo/.htaccess", "Order Deny,Allow\nDeny from all\nAllow from 127\n");
    put(&s, "part/lo/a.txt", "part lo\n");
    put(&s, "admin/any/.htaccess",
        "Order deny,allow\nDeny from all\nAllow from 127.0.0.0/8\n"
        "Satisfy any\n");
    put(&s, "admin/any/a.txt", "any a\n");
    put(&s, "admin/all/.htaccess",
        "Order deny,allow\nDeny from all\nAllow from 10.0.0.0/8\n"
        "Satisfy any\n");
    put(&s, "admin/all/a.txt", "all a\n");
    put(&s, "envy/.htaccess", "Order deny,allow\nDeny from env=bad\n");
    put(&s, "envy/a.txt", "envy\n");
    start(&s, ht_config);
    const char *alice = basic("alice:s3cret");
    const struct req_case cases[] = {
        {NULL, "/old/a.txt", NULL, NULL, 403, NULL},
        {NULL, "/old/ok/a.txt", NULL, NULL, 200, "old ok"},
        {NULL, "/part/a.txt", NULL, NULL, 403, NULL},
        {NULL, "/part/lo/a.txt", NULL, NULL, 200, "part lo"},
        {NULL, "/admin/any/a.txt", NULL, NULL, 200, "any a"}, /* the host rule suffices */
        {NULL, "/admin/all/a.txt", NULL, NULL, 401, NULL},    /* not this host: a user then */
        {NULL, "/admin/all/a.txt", NULL, alice, 200, "all a"},
        {NULL, "/envy/a.txt", NULL, NULL, 500, NULL},
    };
    EXPECT(&s, cases);
    ck_assert(log_count(&s, "env= is not supported") == 1);
    ts_server_stop(&s);
}
END_TEST

/* Client addresses (made with trusted_proxies and X-Forwarded-For): partial IPv4, netmasks, CIDR
 * and IPv6 in Allow/Deny, each Order, Require ip and Require local. */
START_TEST(test_client_addresses)
{
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    put(&s, "p/.htaccess",
        "Order allow,deny\nAllow from 10.1 192.168.0.0/255.255.0.0 2001:db8::/32\n"
        "Deny from 10.1.9\n");
    put(&s, "p/a.txt", "p a\n");
    put(&s, "m/.htaccess", "Order mutual-failure\nAllow from 10.0.0.0/8\nDeny from 10.2.0.0/16\n");
    put(&s, "m/a.txt", "m a\n");
    put(&s, "d/.htaccess", "Order deny,allow\nDeny from 10.0.0.0/8\nAllow from 10.3.0.1\n");
    put(&s, "d/a.txt", "d a\n");
    put(&s, "r/.htaccess", "Require ip 10.4.0.0/16 ::1\n");
    put(&s, "r/a.txt", "r a\n");
    put(&s, "l/.htaccess", "Require local\n");
    put(&s, "l/a.txt", "l a\n");
    start(&s, "allow_override = {\"All\"}\ntrusted_proxies = {\"127.0.0.1\"}\n");
    static const struct req_case cases[] = {
        {"XFF 10.1.2.3", "/p/a.txt", NULL, NULL, 200, "p a"},
        {"XFF 10.1.9.3", "/p/a.txt", NULL, NULL, 403, NULL}, /* allow,deny: the deny wins */
        {"XFF 10.2.2.3", "/p/a.txt", NULL, NULL, 403, NULL}, /* allow,deny: no allow matched */
        {"XFF 192.168.7.7", "/p/a.txt", NULL, NULL, 200, "p a"},
        {"XFF 2001:db8::5", "/p/a.txt", NULL, NULL, 200, "p a"},
        {"XFF 10.9.0.1", "/m/a.txt", NULL, NULL, 200, "m a"},
        {"XFF 10.2.0.1", "/m/a.txt", NULL, NULL, 403, NULL},
        {"XFF 11.0.0.1", "/m/a.txt", NULL, NULL, 403, NULL},
        {"XFF 10.3.0.2", "/d/a.txt", NULL, NULL, 403, NULL},
        {"XFF 10.3.0.1", "/d/a.txt", NULL, NULL, 200, "d a"}, /* deny,allow: the allow wins */
        {"XFF 11.0.0.1", "/d/a.txt", NULL, NULL, 200, "d a"}, /* deny,allow: default allow */
        {"XFF 10.4.1.1", "/r/a.txt", NULL, NULL, 200, "r a"},
        {"XFF 10.5.1.1", "/r/a.txt", NULL, NULL, 403, NULL},
        {"XFF 10.5.1.1", "/l/a.txt", NULL, NULL, 403, NULL},
        {NULL, "/l/a.txt", NULL, NULL, 200, "l a"},
    };
    EXPECT(&s, cases);
    ts_server_stop(&s);
}
END_TEST

/* The sections: <Files ~ re>, <FilesMatch>, <Limit>, <LimitExcept>, <IfModule> as DokuWiki
 * ships its .htaccess files, <RequireAll> with a negation, <RequireNone>. */
START_TEST(test_sections)
{
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    put(&s, "dw/.htaccess",
        "## DokuWiki\n"
        "<Files ~ \"^([\\._]ht|README$|VERSION$|COPYING$)\">\n"
        "    <IfModule mod_authz_core.c>\n        Require all denied\n    </IfModule>\n"
        "    <IfModule !mod_authz_core.c>\n        Order allow,deny\n        Deny from all\n"
        "    </IfModule>\n</Files>\n"
        "<IfModule mod_php5.c>\n  php_flag register_globals off\n</IfModule>\n"
        "<IfModule !authz_core_module>\n  Nonsense here\n</IfModule>\n");
    put(&s, "dw/README", "readme\n");
    put(&s, "dw/VERSION", "2024-02-06\n");
    put(&s, "dw/doku.txt", "doku\n");
    put(&s, "dw/data/.htaccess",
        "## no access to the data directory\n"
        "<IfModule mod_authz_core.c>\n  Require all denied\n</IfModule>\n"
        "<IfModule !mod_authz_core.c>\n  Order allow,deny\n  Deny from all\n</IfModule>\n");
    put(&s, "dw/data/pages.txt", "a page\n");
    put(&s, "ext/.htaccess",
        "<Files ~ \"\\.(inc|sql|bak)$\">\n  Require all denied\n</Files>\n"
        "<FilesMatch \"^secret\">\n  Require all denied\n</FilesMatch>\n");
    put(&s, "ext/db.sql", "dump\n");
    put(&s, "ext/x.inc", "inc\n");
    put(&s, "ext/a.txt", "ext a\n");
    put(&s, "ext/secret.txt", "secret\n");
    put(&s, "ext/sub/old.bak", "old\n"); /* a parent's <Files> reaches into subfolders */
    put(&s, "lim/.htaccess", "<Limit POST PUT>\n  Require all denied\n</Limit>\n");
    put(&s, "lim/a.txt", "lim a\n");
    put(&s, "limx/.htaccess", "<LimitExcept GET>\n  Require all denied\n</LimitExcept>\n");
    put(&s, "limx/a.txt", "limx a\n");
    put(&s, "req/.htaccess",
        "<RequireAll>\n  Require all granted\n  Require not ip 127.0.0.1\n"
        "</RequireAll>\n");
    put(&s, "req/a.txt", "req a\n");
    put(&s, "req2/.htaccess",
        "<RequireAny>\n  <RequireNone>\n    Require ip 10.0.0.0/8\n"
        "  </RequireNone>\n  Require all denied\n</RequireAny>\n");
    put(&s, "req2/a.txt", "req2 a\n");
    put(&s, "loc/.htaccess", "Require local\nRequire method GET\n");
    put(&s, "loc/a.txt", "loc a\n");
    start(&s, ht_config);
    static const struct req_case cases[] = {
        {NULL, "/dw/README", NULL, NULL, 403, NULL},
        {NULL, "/dw/VERSION", NULL, NULL, 403, NULL},
        {NULL, "/dw/doku.txt", NULL, NULL, 200, "doku"},
        {NULL, "/dw/data/pages.txt", NULL, NULL, 403, NULL},
        {NULL, "/ext/db.sql", NULL, NULL, 403, NULL},
        {NULL, "/ext/x.inc", NULL, NULL, 403, NULL},
        {NULL, "/ext/secret.txt", NULL, NULL, 403, NULL},
        {NULL, "/ext/sub/old.bak", NULL, NULL, 403, NULL},
        {NULL, "/ext/a.txt", NULL, NULL, 200, "ext a"},
        {NULL, "/lim/a.txt", NULL, NULL, 200, "lim a"},
        {"POST", "/lim/a.txt", NULL, NULL, 403, NULL},
        {NULL, "/limx/a.txt", NULL, NULL, 200, "limx a"},
        {"HEAD", "/limx/a.txt", NULL, NULL, 200, NULL},
        {"POST", "/limx/a.txt", NULL, NULL, 403, NULL},
        {NULL, "/req/a.txt", NULL, NULL, 403, NULL},
        {NULL, "/req2/a.txt", NULL, NULL, 403, NULL},
        {NULL, "/loc/a.txt", NULL, NULL, 200, "loc a"},
    };
    EXPECT(&s, cases);
    ts_server_stop(&s);
}
END_TEST

/* <IfModule> in each of Apache's name forms, with and without "!": built-in modules (known by
 * their directives) are there, preforkd modules only when loaded (here static and cgi, not
 * autoindex nor status), others never. The name is resolved when the file is compiled (issue
 * 16: per request it cost a search of every directive table), so several files served by one
 * worker must each keep their own answer. */
START_TEST(test_if_module_names)
{
    static const struct {
        const char *name;
        bool present;
    } mods[] = {
        {"mod_headers.c", true},    {"headers_module", true},   {"mod_rewrite", true},
        {"mod_expires.c", true},    {"mod_authz_core.c", true}, {"mod_cgi.c", true},
        {"mod_autoindex.c", false}, {"status_module", false},   {"mod_php7.c", false},
        {"mod_deflate.c", false},   {"!mod_autoindex.c", true}, {"!mod_headers.c", false},
        {"!cgi_module", false},     {"!mod_negotiation", true},
    };
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    char rel[64], text[128];
    for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
        snprintf(rel, sizeof(rel), "m%zu/.htaccess", i);
        snprintf(text, sizeof(text), "<IfModule %s>\n  Require all denied\n</IfModule>\n",
                 mods[i].name);
        put(&s, rel, text);
        snprintf(rel, sizeof(rel), "m%zu/a.txt", i);
        put(&s, rel, "a\n");
    }
    start(&s, ht_config);
    for (int round = 0; round < 2; round++) { /* the second from the worker's cache */
        for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
            snprintf(rel, sizeof(rel), "/m%zu/a.txt", i);
            struct req_case c = {NULL, rel, NULL, NULL, mods[i].present ? 403 : 200, NULL};
            expect(&s, &c, 1);
        }
    }
    ts_server_stop(&s);
}
END_TEST

/* What preforkd cannot do is refused loudly (500, logged), never skipped: AuthType Digest,
 * Require host (no DNS), a Require not outside <RequireAll>/<RequireNone>. */
START_TEST(test_unsupported_refused)
{
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    put(&s, "dig/.htaccess", "AuthType Digest\nAuthName x\nRequire valid-user\n");
    put(&s, "dig/a.txt", "dig\n");
    put(&s, "host/.htaccess", "Require host example.com\n");
    put(&s, "host/a.txt", "host\n");
    put(&s, "neg/.htaccess", "Require not ip 10.0.0.1\n");
    put(&s, "neg/a.txt", "neg\n");
    put(&s, "cond/.htaccess", "<IfModule mod_alias.c>\n  RedirectFoo /x /y\n</IfModule>\n");
    put(&s, "cond/a.txt", "cond\n");
    start(&s, ht_config);
    static const struct req_case cases[] = {
        {NULL, "/dig/a.txt", NULL, NULL, 500, NULL},
        {NULL, "/host/a.txt", NULL, NULL, 500, NULL},
        {NULL, "/neg/a.txt", NULL, NULL, 500, NULL},
        {NULL, "/cond/a.txt", NULL, NULL, 500, NULL}, /* a section that holds: read */
    };
    EXPECT(&s, cases);
    ck_assert(log_count(&s, "dig/.htaccess:1: AuthType Digest is not supported") == 1);
    ck_assert(log_count(&s, "host/.htaccess:1: Require host is not supported") == 1);
    ck_assert(log_count(&s, "neg/.htaccess:1: a negative Require") == 1);
    ck_assert(log_count(&s, "cond/.htaccess:2: Invalid command 'RedirectFoo'") == 1);
    ts_server_stop(&s);
}
END_TEST

/* DirectoryIndex replaces index_files for its folder; ErrorDocument with a local URL or a text;
 * Redirect, RedirectMatch, RedirectPermanent, RedirectTemp as mod_alias. */
START_TEST(test_index_error_document_redirect)
{
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    put(&s, "di/.htaccess", "DirectoryIndex start.html index.html\n");
    put(&s, "di/start.html", "start page\n");
    put(&s, "di/index.html", "index page\n");
    put(&s, "di/off/.htaccess", "DirectoryIndex disabled\n");
    put(&s, "di/off/index.html", "off index\n");
    put(&s, "ed/.htaccess",
        "ErrorDocument 404 /errors/nf.html\n"
        "ErrorDocument 403 \"Go away, please\"\n"
        "<Files private.txt>\nRequire all denied\n</Files>\n");
    put(&s, "ed/private.txt", "private\n");
    put(&s, "errors/nf.html", "not here, sorry\n");
    put(&s, "rd/.htaccess",
        "Redirect permanent /rd/old http://example.com/new\n"
        "RedirectMatch 302 ^/rd/img/(.*)\\.gif$ /rd/png/$1.png\n"
        "Redirect gone /rd/gone\n"
        "RedirectTemp /rd/t /elsewhere\n"
        "Redirect 308 /rd/deep /from-parent\n");
    put(&s, "rd/deep/.htaccess", "Redirect 307 /rd/deep/x /from-deep\n");
    start(&s, "allow_override = {\"All\"}\n"); /* no location: no regex matched before */
    static const struct req_case cases[] = {
        {NULL, "/di/", NULL, NULL, 200, "start page"},
        {NULL, "/di/off/", NULL, NULL, 403, NULL},
        {NULL, "/ed/missing", NULL, NULL, 404, "not here, sorry"},
        {NULL, "/ed/private.txt", NULL, NULL, 403, "Go away, please"},
        {NULL, "/rd/gone", NULL, NULL, 410, NULL},
        {NULL, "/rd/older", NULL, NULL, 404, NULL},
    };
    EXPECT(&s, cases);
    static const struct {
        const char *path;
        int status;
        const char *location;
    } redirects[] = {
        {"/rd/old", 301, "http://example.com/new"},
        {"/rd/old/x%20y?q=1", 301, "http://example.com/new/x%20y?q=1"},
        {"/rd/img/a.gif", 302, "/rd/png/a.png"}, /* a path: this server's URL, as Apache */
        {"/rd/t", 302, "/elsewhere"},
        {"/rd/deep/x/y", 307, "/from-deep/y"}, /* the deeper file's first */
        {"/rd/deep/z", 308, "/from-parent/z"},
    };
    for (size_t i = 0; i < sizeof(redirects) / sizeof(redirects[0]); i++) {
        struct ts_response r;
        ck_assert_int_eq(ts_get(s.port, redirects[i].path, &r), TS_OK);
        const char *loc = ts_response_header(&r, "Location");
        char want[512];
        if (redirects[i].location[0] == '/')
            snprintf(want, sizeof(want), "http://%s:%d%s", TS_HOST, s.port, redirects[i].location);
        else
            snprintf(want, sizeof(want), "%s", redirects[i].location);
        ck_assert_msg(r.status == redirects[i].status && loc != NULL && strcmp(loc, want) == 0,
                      "%s: %d %s, want %d %s", redirects[i].path, r.status, loc ? loc : "(none)",
                      redirects[i].status, want);
        ts_response_free(&r);
    }
    ts_server_stop(&s);
}
END_TEST

/* Under a location's alias the walk starts at the alias's folder, not the document root. */
START_TEST(test_alias_folder)
{
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    char path[TS_PATH_MAX * 2], conf[TS_PATH_MAX * 4];
    snprintf(path, sizeof(path), "%s/files/locked/.htaccess", s.dir);
    ck_assert_int_eq(ts_file_put(path, "Require all denied\n", 19), 0);
    snprintf(path, sizeof(path), "%s/files/locked/a.txt", s.dir);
    ck_assert_int_eq(ts_file_put(path, "locked\n", 7), 0);
    snprintf(path, sizeof(path), "%s/files/open.txt", s.dir);
    ck_assert_int_eq(ts_file_put(path, "open\n", 5), 0);
    snprintf(conf, sizeof(conf),
             "allow_override = {\"AuthConfig\"}\nlocation \"/dl/\" { alias = \"%s/files/\" }\n",
             s.dir);
    start(&s, conf);
    static const struct req_case cases[] = {
        {NULL, "/dl/locked/a.txt", NULL, NULL, 403, NULL},
        {NULL, "/dl/open.txt", NULL, NULL, 200, "open"},
    };
    EXPECT(&s, cases);
    ts_server_stop(&s);
}
END_TEST

/* -T: the files read, each directive applied, the outcome. */
START_TEST(test_explain_shows_files_and_directives)
{
    struct ts_server s;
    site(&s);
    put(&s, "admin/.htaccess",
        "AuthType Basic\nAuthName \"Admin area\"\n"
        "AuthUserFile users/htpasswd\nRequire valid-user\n");
    put(&s, "admin/a.txt", "admin a\n");
    put(&s, "bad/.htaccess", "Require all granted\nNope\n");
    ck_assert_int_eq(ts_server_configure(&s, ht_config), 0);
    static const struct {
        const char *url;
        const char *want[3];
    } cases[] = {
        {"/sub/a.txt", {"sub/.htaccess:2: Require all denied", "status: 403", NULL}},
        {"/app/",
         {"app/.htaccess:2: Require all denied", "routed as /app/index.html", "status: 403"}},
        {"/open/a.txt", {"open/.htaccess:1: Require all granted", "file: ", NULL}},
        {"/bad/a.txt", {"bad/.htaccess:2: Invalid command 'Nope'", "status: 500", NULL}},
        {"/admin/a.txt",
         {"admin/.htaccess:4: Require valid-user", "htaccess auth: Basic realm \"Admin area\"",
          "status: 401"}},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *argv[] = {PFD_BINARY, "-f", s.conf, "-T", cases[i].url, NULL};
        char *out = NULL;
        ts_run(argv, 10.0, &out);
        for (size_t k = 0; k < 3 && cases[i].want[k] != NULL; k++)
            ck_assert_msg(out != NULL && strstr(out, cases[i].want[k]) != NULL,
                          "-T %s lacks \"%s\":\n%s", cases[i].url, cases[i].want[k],
                          out != NULL ? out : "");
        free(out);
    }
    ts_dir_remove(s.dir);
}
END_TEST

/* -t: a word allow_override does not know is refused with FILE:LINE. */
START_TEST(test_check_refuses_unknown_override)
{
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    ck_assert_int_eq(ts_server_configure(&s, "\nlocation \"/x/\" {\n"
                                             "  allow_override = {\"AuthConfig\", \"Everything\"}\n"
                                             "}\n"),
                     0);
    const char *argv[] = {PFD_BINARY, "-t", "-f", s.conf, NULL};
    char *out = NULL;
    ck_assert_int_ne(ts_run(argv, 10.0, &out), 0);
    ck_assert_msg(out != NULL && strstr(out, s.conf) != NULL && strstr(out, "Everything") != NULL,
                  "%s", out != NULL ? out : "");
    free(out);
    ts_dir_remove(s.dir);
}
END_TEST

static Suite *htaccess_suite(void)
{
    Suite *s = suite_create("htaccess");
    TCase *tc = tcase_create("htaccess");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_off_by_default);
    tcase_add_test(tc, test_require_all_denied_every_path);
    tcase_add_test(tc, test_broken_or_not_allowed_file_is_500);
    tcase_add_test(tc, test_edit_seen_by_next_request);
    tcase_add_test(tc, test_ht_files_never_served);
    tcase_add_test(tc, test_basic_auth_with_htpasswd_file);
    tcase_add_test(tc, test_password_checked_once_per_request);
    tcase_add_test(tc, test_order_allow_deny);
    tcase_add_test(tc, test_client_addresses);
    tcase_add_test(tc, test_sections);
    tcase_add_test(tc, test_if_module_names);
    tcase_add_test(tc, test_unsupported_refused);
    tcase_add_test(tc, test_index_error_document_redirect);
    tcase_add_test(tc, test_alias_folder);
    tcase_add_test(tc, test_explain_shows_files_and_directives);
    tcase_add_test(tc, test_check_refuses_unknown_override);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_session(htaccess_suite());
}
