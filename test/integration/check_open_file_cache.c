/*
 * check_open_file_cache.c — mod_static's open_file_cache_ms against the real preforkd binary:
 * a worker serves a hot small file from the descriptor it kept, but a file replaced or removed
 * on disk shows as such once open_file_cache_ms has passed, never later; and the hidden-file
 * rule still applies to every request.
 *
 * One worker, so that every request meets the descriptor the one before it kept.
 */
#include "testsupport.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testsupport_run.h"

#define VALID_MS 300
#define MARGIN_S 1.0
#define CACHE_CONF                                                                                 \
    "prefork { start_servers = 1  min_spare_servers = 1  max_spare_servers = 1\n"                  \
    "          max_workers = 1 }\n"                                                                \
    "module \"static\" { open_file_cache_ms = 300 }\n"

/* GETs path until its status and body are the ones wanted; the seconds it took, or -1 when not
 * within VALID_MS + MARGIN_S. */
static double cache_wait_for(const struct ts_server *s, const char *path, int status,
                             const char *body)
{
    double start = ts_now();
    for (int i = 0; i < 1000 && ts_now() - start < VALID_MS / 1000.0 + MARGIN_S; i++) {
        struct ts_response r;
        ts_assert_ok(ts_get(s->port, path, &r), path);
        bool seen =
            r.status == status && (body == NULL || (r.body != NULL && strcmp(r.body, body) == 0));
        ts_response_free(&r);
        if (seen)
            return ts_now() - start;
        ts_sleep_ms(20);
    }
    return -1;
}

/* Replaced by rename (a deploy), then removed: each shows within open_file_cache_ms. */
START_TEST(test_change_shows_within_validity)
{
    struct ts_server s;
    ts_server_start(&s, CACHE_CONF);
    char file[TS_PATH_MAX + 16], tmp[TS_PATH_MAX + 16];
    snprintf(file, sizeof(file), "%s/hot.txt", s.docroot);
    snprintf(tmp, sizeof(tmp), "%s/hot.txt.new", s.docroot);
    ck_assert_int_eq(ts_file_put(file, "old\n", 4), 0);
    ck_assert_msg(cache_wait_for(&s, "/hot.txt", 200, "old\n") >= 0, "the file was not served");
    ck_assert_int_eq(ts_file_put(tmp, "new content\n", 12), 0);
    ck_assert_int_eq(rename(tmp, file), 0);
    double waited = cache_wait_for(&s, "/hot.txt", 200, "new content\n");
    ck_assert_msg(waited >= 0, "the replaced file still served %.1f s later (valid %d ms)",
                  VALID_MS / 1000.0 + MARGIN_S, VALID_MS);
    ck_assert_int_eq(unlink(file), 0);
    waited = cache_wait_for(&s, "/hot.txt", 404, NULL);
    ck_assert_msg(waited >= 0, "the removed file still served %.1f s later (valid %d ms)",
                  VALID_MS / 1000.0 + MARGIN_S, VALID_MS);
    ts_server_stop(&s);
}
END_TEST

/* The hidden-file rule is decided before the cache is asked: a hidden file is 404 however
 * often its folder's other files are served. */
START_TEST(test_hidden_still_refused)
{
    struct ts_server s;
    ts_server_start(&s, CACHE_CONF);
    char file[TS_PATH_MAX + 16];
    snprintf(file, sizeof(file), "%s/.secret", s.docroot);
    ck_assert_int_eq(ts_file_put(file, "key\n", 4), 0);
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(ts_get_status(s.port, "/hello.txt"), 200);
        ck_assert_int_eq(ts_get_status(s.port, "/.secret"), 404);
    }
    ts_server_stop(&s);
}
END_TEST

static Suite *open_file_cache_suite(void)
{
    Suite *suite = suite_create("open_file_cache");
    TCase *tc = tcase_create("cache");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_change_shows_within_validity);
    tcase_add_test(tc, test_hidden_still_refused);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    return ts_run_session(open_file_cache_suite());
}
