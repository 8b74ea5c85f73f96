/*
 * check_https_ops.c — HTTPS in operation (docs/https.md), against the real binary:
 *
 *  - the config blocks of docs/https.md marked `<!-- example: NAME -->` run as written: plain
 *    HTTP answers 301 to https:// (query kept), the ACME challenge folder is served over plain
 *    HTTP before that redirect (a hidden name, so it needs its serve_hidden), other hidden names
 *    stay 404; a location with `scheme` matches only requests over that scheme;
 */
#include "testsupport.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testsupport_run.h"

#define HTTPS_DOC PFD_SOURCE_DIR "/docs/https.md"
#define ACME_TOKEN "Zm9vYmFyLXRva2VuLTAx"
#define ACME_BODY ACME_TOKEN ".thumbprint\n"

/* The block of docs/https.md marked <!-- example: name -->, malloc'd; fails when it is gone. */
static char *https_example(const char *name)
{
    char *block = ts_doc_example(HTTPS_DOC, name);
    ck_assert_msg(block != NULL, "docs/https.md has no example \"%s\"", name);
    return block;
}

/* One plain-HTTP request and what docs/https.md promises for it. */
struct https_check {
    const char *example;
    const char *target;
    int status;
    const char *header; /* "Name: value" that must be there (value a substring), "!Name" that
                           must not, or NULL */
    const char *body;   /* a substring of the body, or NULL */
};

static const struct https_check https_plain_checks[] = {
    {"redirect", "/a/b?x=1", 301, "Location: https://example.com/a/b?x=1", NULL},
    {"redirect", "/", 301, "Location: https://example.com/", NULL},
    {"acme", "/.well-known/acme-challenge/" ACME_TOKEN, 200, NULL, ACME_BODY},
    {"acme", "/hello.txt", 301, "Location: https://example.com/hello.txt", NULL},
    {"acme", "/.well-known/other", 301, "Location: https://example.com/.well-known/other", NULL},
    {"hsts", "/hello.txt", 301, "!Strict-Transport-Security", NULL},
};

static void https_check_run(const struct ts_server *s, const struct https_check *c)
{
    char raw[512];
    snprintf(raw, sizeof(raw), "GET %s HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n",
             c->target);
    struct ts_response r;
    int rc = ts_request(s->port, raw, &r);
    ck_assert_msg(rc == TS_OK, "%s: GET %s: %s", c->example, c->target, ts_result_name(rc));
    bool ok = r.status == c->status && (c->body == NULL || strstr(r.body, c->body) != NULL);
    if (c->header != NULL && c->header[0] == '!') {
        ok = ok && ts_response_header(&r, c->header + 1) == NULL;
    } else if (c->header != NULL) {
        const char *colon = strchr(c->header, ':');
        char name[64];
        snprintf(name, sizeof(name), "%.*s", (int)(colon - c->header), c->header);
        const char *v = ts_response_header(&r, name);
        ok = ok && v != NULL && strcmp(v, colon + 2) == 0;
    }
    ck_assert_msg(ok, "example %s: GET %s over plain HTTP gave %s (Location %s); docs say %d %s",
                  c->example, c->target, ts_response_describe(&r),
                  ts_response_header(&r, "Location") ? ts_response_header(&r, "Location") : "-",
                  c->status, c->header != NULL ? c->header : "");
    ts_response_free(&r);
}

/* Each example in a server of its own, with the challenge file certbot --webroot would write. */
START_TEST(test_plain_http_examples_as_documented)
{
    const char *examples[] = {"redirect", "acme", "hsts"};
    for (size_t e = 0; e < sizeof(examples) / sizeof(examples[0]); e++) {
        char *block = https_example(examples[e]);
        struct ts_server s;
        ts_server_start(&s, block);
        char path[TS_PATH_MAX + 64];
        snprintf(path, sizeof(path), "%s/.well-known/acme-challenge/%s", s.docroot, ACME_TOKEN);
        ck_assert_int_eq(ts_file_put(path, ACME_BODY, strlen(ACME_BODY)), 0);
        for (size_t i = 0; i < sizeof(https_plain_checks) / sizeof(https_plain_checks[0]); i++)
            if (strcmp(https_plain_checks[i].example, examples[e]) == 0)
                https_check_run(&s, &https_plain_checks[i]);
        ts_server_stop(&s);
        free(block);
    }
}
END_TEST

/* The challenge location without serve_hidden: .well-known is a hidden name, 404 (why the
 * example needs it), and a `scheme = "https"` location never catches a plain request. */
START_TEST(test_scheme_condition_and_hidden_challenge)
{
    struct ts_server s;
    ts_server_start(&s, "location \"/.well-known/acme-challenge/\" { }\n"
                        "location \"/\" { scheme = \"https\"  redirect = \"302 /elsewhere\" }\n");
    char path[TS_PATH_MAX + 64];
    snprintf(path, sizeof(path), "%s/.well-known/acme-challenge/%s", s.docroot, ACME_TOKEN);
    ck_assert_int_eq(ts_file_put(path, ACME_BODY, strlen(ACME_BODY)), 0);
    ck_assert_int_eq(ts_get_status(s.port, "/.well-known/acme-challenge/" ACME_TOKEN), 404);
    ck_assert_int_eq(ts_get_status(s.port, "/hello.txt"), 200); /* not the https location */
    ts_server_stop(&s);
}
END_TEST

/* `-t` refuses a scheme that is neither, at its line. */
START_TEST(test_scheme_value_checked)
{
    struct ts_server s;
    ck_assert_int_eq(ts_server_init(&s), 0);
    ck_assert_int_eq(ts_server_configure(&s, "location \"/\" { scheme = \"ftp\" }\n"), 0);
    const char *argv[] = {PFD_BINARY, "-t", "-f", s.conf, NULL};
    char *out = NULL;
    int rc = ts_run(argv, 10, &out);
    ck_assert_msg(rc != 0 && out != NULL && strstr(out, "\"http\" or \"https\"") != NULL,
                  "-t with scheme = \"ftp\": exit %d, %s", rc, out != NULL ? out : "");
    free(out);
    ts_server_stop(&s);
}
END_TEST

static Suite *https_ops_suite(void)
{
    Suite *suite = suite_create("https_ops");
    TCase *tc = tcase_create("plain");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_plain_http_examples_as_documented);
    tcase_add_test(tc, test_scheme_condition_and_hidden_challenge);
    tcase_add_test(tc, test_scheme_value_checked);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    return ts_run_suite(https_ops_suite());
}
