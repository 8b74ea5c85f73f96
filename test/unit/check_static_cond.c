/*
 * check_static_cond.c — modules/lib/static_cond.c: RFC 9110 §13.2.2 precedence, strong and weak
 * entity-tag comparison (§8.8.3.2), If-Range (§13.1.5).
 */
#include <check.h>
#include <stdlib.h>

#include "static_cond.h"
#include "testsupport_run.h"

#define ETAG "\"3e8-5f5e1000\""
#define LM 784111777 /* Sun, 06 Nov 1994 08:49:37 GMT */
#define LM_DATE "Sun, 06 Nov 1994 08:49:37 GMT"
#define BEFORE "Sat, 05 Nov 1994 08:49:37 GMT"
#define AFTER "Mon, 07 Nov 1994 08:49:37 GMT"

static const struct {
    const char *what;
    const char *im, *inm, *ims, *ius; /* If-Match, If-None-Match, If-Modified-Since, -Unmodified- */
    bool get;
    int expect;
} cond_cases[] = {
    {"no conditions", NULL, NULL, NULL, NULL, true, 0},
    {"If-Match equal", ETAG, NULL, NULL, NULL, true, 0},
    {"If-Match star", "*", NULL, NULL, NULL, true, 0},
    {"If-Match other", "\"x\"", NULL, NULL, NULL, true, 412},
    {"If-Match weak never matches", "W/" ETAG, NULL, NULL, NULL, true, 412},
    {"If-Match in a list", "\"a\", " ETAG ",\"b\"", NULL, NULL, NULL, true, 0},
    {"If-Match malformed", "abc", NULL, NULL, NULL, true, 412},
    {"If-Unmodified-Since later", NULL, NULL, NULL, AFTER, true, 0},
    {"If-Unmodified-Since equal", NULL, NULL, NULL, LM_DATE, true, 0},
    {"If-Unmodified-Since earlier", NULL, NULL, NULL, BEFORE, true, 412},
    {"If-Unmodified-Since invalid: ignored", NULL, NULL, NULL, "yesterday", true, 0},
    {"If-Match wins over If-Unmodified-Since", ETAG, NULL, NULL, BEFORE, true, 0},
    {"If-None-Match equal", NULL, ETAG, NULL, NULL, true, 304},
    {"If-None-Match weak equal", NULL, "W/" ETAG, NULL, NULL, true, 304},
    {"If-None-Match star", NULL, "*", NULL, NULL, true, 304},
    {"If-None-Match other", NULL, "\"x\"", NULL, NULL, true, 0},
    {"If-None-Match list", NULL, "\"x\", W/" ETAG, NULL, NULL, true, 304},
    {"If-None-Match on POST", NULL, ETAG, NULL, NULL, false, 412},
    {"If-Modified-Since equal", NULL, NULL, LM_DATE, NULL, true, 304},
    {"If-Modified-Since later", NULL, NULL, AFTER, NULL, true, 304},
    {"If-Modified-Since earlier", NULL, NULL, BEFORE, NULL, true, 0},
    {"If-Modified-Since RFC 850", NULL, NULL, "Sunday, 06-Nov-94 08:49:37 GMT", NULL, true, 304},
    {"If-Modified-Since asctime", NULL, NULL, "Sun Nov  6 08:49:37 1994", NULL, true, 304},
    {"If-Modified-Since invalid", NULL, NULL, "garbage", NULL, true, 0},
    {"If-Modified-Since on POST: ignored", NULL, NULL, LM_DATE, NULL, false, 0},
    {"If-None-Match wins over If-Modified-Since", NULL, "\"x\"", LM_DATE, NULL, true, 0},
    {"If-None-Match match, IMS earlier", NULL, ETAG, BEFORE, NULL, true, 304},
    {"412 before 304", "\"x\"", ETAG, NULL, NULL, true, 412},
    {"IUS 412 before IMS 304", NULL, NULL, LM_DATE, BEFORE, true, 412},
    {"If-Match passes, If-None-Match 304", ETAG, ETAG, NULL, NULL, true, 304},
};

START_TEST(test_cond_evaluate)
{
    struct static_cond_request req = {
        .if_match = cond_cases[_i].im,
        .if_none_match = cond_cases[_i].inm,
        .if_modified_since = cond_cases[_i].ims,
        .if_unmodified_since = cond_cases[_i].ius,
        .get_or_head = cond_cases[_i].get,
    };
    struct static_cond_validators v = {.etag = ETAG, .last_modified = LM};
    int rc = static_cond_evaluate(&req, &v);
    ck_assert_msg(rc == cond_cases[_i].expect, "%s: %d, expected %d", cond_cases[_i].what, rc,
                  cond_cases[_i].expect);
}
END_TEST

static const struct {
    const char *what;
    const char *if_range;
    bool expect;
} if_range_cases[] = {
    {"absent", NULL, true},
    {"same etag", ETAG, true},
    {"same etag, blanks", "  " ETAG " ", true},
    {"weak etag", "W/" ETAG, false},
    {"other etag", "\"abc\"", false},
    {"two etags", ETAG ", " ETAG, false},
    {"same date", LM_DATE, true},
    {"later date", AFTER, false},
    {"earlier date", BEFORE, false},
    {"garbage", "whenever", false},
    {"unterminated etag", "\"3e8", false},
};

START_TEST(test_cond_if_range)
{
    struct static_cond_validators v = {.etag = ETAG, .last_modified = LM};
    bool got = static_cond_if_range(if_range_cases[_i].if_range, &v);
    ck_assert_msg(got == if_range_cases[_i].expect, "%s: %d", if_range_cases[_i].what, got);
}
END_TEST

START_TEST(test_cond_etag_match)
{
    ck_assert(static_cond_etag_match("\"a\"", "\"a\"", true));
    ck_assert(!static_cond_etag_match("W/\"a\"", "\"a\"", true));
    ck_assert(static_cond_etag_match("W/\"a\"", "\"a\"", false));
    ck_assert(static_cond_etag_match("W/\"a\"", "W/\"a\"", false));
    ck_assert(!static_cond_etag_match("W/\"a\"", "W/\"a\"", true));
    ck_assert(!static_cond_etag_match("\"ab\"", "\"a\"", false));
    ck_assert(!static_cond_etag_match("\"a\" \"b\"", "\"b\"", false)); /* no comma: malformed */
    ck_assert(static_cond_etag_match(",,\"a\",", "\"a\"", false));
    ck_assert(!static_cond_etag_match("* ,\"a\"", "\"a\"", false));
    ck_assert(!static_cond_etag_match("", "\"a\"", false));
    ck_assert(!static_cond_etag_match(NULL, "\"a\"", false));
    ck_assert(!static_cond_etag_match("\"a\x01\"", "\"a\x01\"", false));
}
END_TEST

static Suite *static_cond_suite(void)
{
    Suite *s = suite_create("static_cond");
    TCase *tc = tcase_create("cond");
    tcase_add_loop_test(tc, test_cond_evaluate, 0, sizeof(cond_cases) / sizeof(cond_cases[0]));
    tcase_add_loop_test(tc, test_cond_if_range, 0,
                        sizeof(if_range_cases) / sizeof(if_range_cases[0]));
    tcase_add_test(tc, test_cond_etag_match);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(static_cond_suite());
}
