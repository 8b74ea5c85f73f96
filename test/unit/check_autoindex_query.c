/*
 * check_autoindex_query.c — unit tests for modules/autoindex/autoindex_query.c: the FancyIndexing
 * query and Accept negotiation.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "autoindex_query.h"
#include "testsupport_run.h"

static const struct query_case {
    const char *desc;
    const char *query;
    char column, order;
    bool json;
    size_t page;
} query_cases[] = {
    {"none", NULL, 'N', 'A', false, 1},
    {"empty", "", 'N', 'A', false, 1},
    {"Apache form", "C=M;O=D", 'M', 'D', false, 1},
    {"ampersands", "C=S&O=D&page=3", 'S', 'D', false, 3},
    {"lowercase keys", "c=D;o=D", 'D', 'D', false, 1},
    {"lowercase values are not Apache's", "C=m;O=d", 'N', 'A', false, 1},
    {"bad column", "C=X;O=D", 'N', 'D', false, 1},
    {"two letters", "C=NM", 'N', 'A', false, 1},
    {"json", "F=json", 'N', 'A', true, 1},
    {"JSON any case", "F=JSON", 'N', 'A', true, 1},
    {"F=2 (Apache's table) is HTML", "F=2", 'N', 'A', false, 1},
    {"page zero", "page=0", 'N', 'A', false, 1},
    {"page negative", "page=-2", 'N', 'A', false, 1},
    {"page not a number", "page=2x", 'N', 'A', false, 1},
    {"page huge", "page=99999999999", 'N', 'A', false, 1},
    {"page at the bound", "page=1000000000", 'N', 'A', false, 1000000000},
    {"no values", "C;O;page;=;;&&", 'N', 'A', false, 1},
    {"last wins", "C=M;C=S", 'S', 'A', false, 1},
    {"unknown keys", "x=1;C=D;utm=2", 'D', 'A', false, 1},
};

START_TEST(test_query)
{
    const struct query_case *c = &query_cases[_i];
    struct autoindex_query q = {.column = 'N', .order = 'A', .json = false, .page = 1};
    autoindex_query_parse(c->query, &q);
    ck_assert_msg(q.column == c->column && q.order == c->order && q.json == c->json &&
                      q.page == c->page,
                  "%s: C=%c O=%c json=%d page=%zu", c->desc, q.column, q.order, q.json, q.page);
}
END_TEST

static const struct accept_case {
    const char *accept;
    bool json;
} accept_cases[] = {
    {NULL, false},
    {"", false},
    {"application/json", true},
    {"Application/JSON", true},
    {"application/json;q=0", false},
    {"text/html, application/json", false},
    {"application/json, text/html", true},
    {"text/html;q=0.5, application/json", true},
    {"text/html, application/json;q=0.9", false},
    {"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", false},
    {"*/*", false},
    {"application/json;q=bogus", false},
    {"  application/json ; q=0.8 , text/plain", true},
    /* The core's qvalue grammar (RFC 9110 §12.4.2), as mod_static's Accept-Encoding read it;
     * this module's strtod() took both: decided, malformed, the range is skipped. */
    {"application/json;q=0.5000", false},
    {"application/json;q=1e-1", false},
    {"application/json;charset=utf-8;q=0.9, text/html;q=0.8", true},
    {"text/html, , application/json;q=1", false},
};

START_TEST(test_accept)
{
    const struct accept_case *c = &accept_cases[_i];
    ck_assert_msg(autoindex_accept_json(c->accept) == c->json, "Accept: %s", c->accept);
}
END_TEST

static Suite *autoindex_query_suite(void)
{
    Suite *s = suite_create("autoindex_query");
    TCase *tc = tcase_create("query");
    tcase_add_loop_test(tc, test_query, 0, (int)(sizeof(query_cases) / sizeof(query_cases[0])));
    tcase_add_loop_test(tc, test_accept, 0, (int)(sizeof(accept_cases) / sizeof(accept_cases[0])));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(autoindex_query_suite());
}
