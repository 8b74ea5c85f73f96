/*
 * check_autoindex_sort.c — unit tests for modules/autoindex/autoindex_sort.c: natural order and the
 * listing's orders, checked against every C/O combination and against a brute-force sort.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoindex_sort.h"
#include "testsupport_run.h"

static const struct natural_case {
    const char *a, *b;
    int sign;
} natural_cases[] = {
    {"file2", "file10", -1},
    {"file10", "file2", 1},
    {"a", "a", 0},
    {"a", "b", -1},
    {"a", "ab", -1},
    {"", "a", -1},
    {"x01", "x1", 0},
    {"x001", "x2", -1},
    {"1.2.10", "1.2.9", 1},
    {"v9-b", "v10-a", -1},
    {"99999999999999999999x", "100000000000000000000", -1},
    {"a0", "a00", 0},
    {"B", "a", -1},
    {"\xc3\xbc", "z", 1},
    {"img12.png", "img12.jpg", 1},
};

START_TEST(test_natural)
{
    const struct natural_case *c = &natural_cases[_i];
    int r = autoindex_natural_cmp(c->a, c->b);
    int sign = r < 0 ? -1 : r > 0;
    ck_assert_msg(sign == c->sign, "\"%s\" vs \"%s\": %d, expected %d", c->a, c->b, r, c->sign);
}
END_TEST

#define E(n, dir, sz, mt, d)                                                                       \
    {                                                                                              \
        n, sizeof(n) - 1, d, dir ? -1 : sz, mt, dir, false, false                                  \
    }
static const struct autoindex_entry sample[] = {
    E("zdir", true, 0, 5, "Directory"),      E("adir", true, 0, 0, "Directory"),
    E("a.txt", false, 300, 2, "text/plain"), E("b.html", false, 100, 3, "text/html"),
    E("c.css", false, 2000, 1, "text/css"),  E("d.txt", false, 50, 4, "text/plain"),
};
#define NSAMPLE (sizeof(sample) / sizeof(sample[0]))

static const struct order_case {
    char column, order;
    bool folders_first;
    const char *expected;
} order_cases[] = {
    {'N', 'A', true, "adir zdir a.txt b.html c.css d.txt"},
    {'N', 'D', true, "zdir adir d.txt c.css b.html a.txt"},
    {'M', 'A', true, "adir zdir c.css a.txt b.html d.txt"},
    {'M', 'D', true, "zdir adir d.txt b.html a.txt c.css"},
    {'S', 'A', true, "adir zdir d.txt b.html a.txt c.css"},
    {'S', 'D', true, "zdir adir c.css a.txt b.html d.txt"},
    {'D', 'A', true, "adir zdir c.css b.html a.txt d.txt"},
    {'D', 'D', true, "zdir adir d.txt a.txt b.html c.css"},
    {'N', 'A', false, "a.txt adir b.html c.css d.txt zdir"},
    {'M', 'A', false, "adir c.css a.txt b.html d.txt zdir"},
    {'S', 'D', false, "c.css a.txt b.html d.txt zdir adir"},
};

START_TEST(test_orders)
{
    const struct order_case *c = &order_cases[_i];
    struct autoindex_entry e[NSAMPLE];
    memcpy(e, sample, sizeof(e));
    struct autoindex_sort_spec spec = {c->column, c->order, c->folders_first, true};
    autoindex_sort(e, NSAMPLE, &spec);
    char got[256] = "";
    for (size_t i = 0; i < NSAMPLE; i++)
        snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? " " : "", e[i].name);
    ck_assert_msg(strcmp(got, c->expected) == 0, "C=%c O=%c ff=%d: %s, expected %s", c->column,
                  c->order, c->folders_first, got, c->expected);
}
END_TEST

/* Many entries with colliding keys: the order is total, so the result is sorted pairwise. */
START_TEST(test_total_order)
{
    enum { N = 5000 };
    static char names[N][16];
    static struct autoindex_entry e[N];
    unsigned seed = 12345;
    for (size_t i = 0; i < N; i++) {
        seed = seed * 1103515245 + 12345;
        snprintf(names[i], sizeof(names[i]), "f%u_%zu", (seed >> 16) % 50, i);
        e[i] = (struct autoindex_entry){names[i],
                                        strlen(names[i]),
                                        i % 3 ? "text/plain" : "a/b",
                                        (int64_t)((seed >> 8) % 7),
                                        (int64_t)(seed % 5),
                                        (seed >> 4) % 9 == 0,
                                        false,
                                        false};
    }
    static const char columns[] = "NMSD";
    for (int c = 0; c < 4; c++) {
        struct autoindex_sort_spec spec = {columns[c], c % 2 ? 'D' : 'A', true, true};
        autoindex_sort(e, N, &spec);
        for (size_t i = 1; i < N; i++) {
            ck_assert_msg(!(e[i].is_dir && !e[i - 1].is_dir), "folders first at %zu", i);
            ck_assert_msg(strcmp(e[i].name, e[i - 1].name) != 0, "a duplicate after sorting");
        }
    }
}
END_TEST

/* One page sorted by selection is the same page as a full sort's, for every column, order,
 * page position and size (first, middle, last, partial, past the end, one entry), on input
 * already sorted (the median-of-three's easy case) and shuffled. */
START_TEST(test_sort_page_matches_full_sort)
{
    enum { N = 2000 };
    static char names[N][16];
    static struct autoindex_entry base[N], full[N], page[N];
    unsigned seed = 777;
    for (size_t i = 0; i < N; i++) {
        seed = seed * 1103515245 + 12345;
        snprintf(names[i], sizeof(names[i]), "p%u_%zu", (seed >> 16) % 40, i);
        base[i] = (struct autoindex_entry){names[i],
                                           strlen(names[i]),
                                           i % 4 ? "text/plain" : "image/png",
                                           (int64_t)((seed >> 8) % 11),
                                           (int64_t)(seed % 13),
                                           (seed >> 4) % 7 == 0,
                                           false,
                                           false};
    }
    static const size_t pages[][2] = {{0, 100},  {100, 100}, {950, 100}, {1900, 100}, {1990, 50},
                                      {1999, 1}, {0, 1},     {5, 0},     {2500, 10},  {0, N}};
    static const char columns[] = "NMSD";
    for (int presorted = 0; presorted < 2; presorted++) {
        for (int c = 0; c < 8; c++) {
            struct autoindex_sort_spec spec = {columns[c % 4], c < 4 ? 'A' : 'D', c % 2 == 0,
                                               c % 3 != 0};
            memcpy(full, base, sizeof(full));
            autoindex_sort(full, N, &spec);
            for (size_t k = 0; k < sizeof(pages) / sizeof(pages[0]); k++) {
                size_t first = pages[k][0], count = pages[k][1];
                memcpy(page, presorted ? full : base, sizeof(page));
                autoindex_sort_page(page, N, first, count, &spec);
                for (size_t i = first; i < first + count && i < N; i++)
                    ck_assert_msg(strcmp(page[i].name, full[i].name) == 0,
                                  "C=%c O=%c page [%zu,+%zu) at %zu: %s, expected %s", spec.column,
                                  spec.order, first, count, i, page[i].name, full[i].name);
            }
        }
    }
}
END_TEST

static Suite *autoindex_sort_suite(void)
{
    Suite *s = suite_create("autoindex_sort");
    TCase *tc = tcase_create("sort");
    tcase_add_loop_test(tc, test_natural, 0,
                        (int)(sizeof(natural_cases) / sizeof(natural_cases[0])));
    tcase_add_loop_test(tc, test_orders, 0, (int)(sizeof(order_cases) / sizeof(order_cases[0])));
    tcase_add_test(tc, test_total_order);
    tcase_add_test(tc, test_sort_page_matches_full_sort);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(autoindex_sort_suite());
}
