/*
 * check_autoindex_format.c — unit tests for modules/autoindex/autoindex_format.c: human sizes and
 * the listing's dates.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "autoindex_format.h"
#include "testsupport_run.h"

static const struct size_case {
    long long size;
    const char *human;
} size_cases[] = {
    {-1, "-"},           {0, "0"},
    {1023, "1023"},      {1024, "1.0K"},
    {1536, "1.5K"},      {10188, "9.9K"},
    {10189, "10K"},      {1048064, "1.0M"},
    {1048575, "1.0M"},   {3565158, "3.4M"},
    {734003200, "700M"}, {1073741824, "1.0G"},
    {5LL << 40, "5.0T"}, {9223372036854775807LL, "8.0E"},
};

START_TEST(test_size_human)
{
    char out[16];
    autoindex_size_human(size_cases[_i].size, out);
    ck_assert_msg(strcmp(out, size_cases[_i].human) == 0, "%lld: %s, expected %s",
                  size_cases[_i].size, out, size_cases[_i].human);
}
END_TEST

START_TEST(test_times)
{
    char out[24];
    autoindex_time_short(1600000000, out);
    ck_assert_str_eq(out, "2020-09-13 12:26");
}
END_TEST

static Suite *autoindex_format_suite(void)
{
    Suite *s = suite_create("autoindex_format");
    TCase *tc = tcase_create("format");
    tcase_add_loop_test(tc, test_size_human, 0, (int)(sizeof(size_cases) / sizeof(size_cases[0])));
    tcase_add_test(tc, test_times);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(autoindex_format_suite());
}
