/*
 * check_access.c — a location's allow/deny rules: CIDR blocks parsed and matched, the most
 * specific rule winning (parse/access.c).
 */
#include <check.h>
#include <stdbool.h>
#include <stddef.h>

#include "parse/access.h"
#include "testsupport_run.h"

static bool allowed(const char *const *allow, const char *const *deny, const char *client)
{
    struct pfd_cidr a[4], d[4];
    struct pfd_access acc = {a, 0, d, 0};
    const char *why;
    for (; allow != NULL && *allow != NULL; allow++)
        ck_assert_int_eq(pfd_cidr_parse(*allow, &a[acc.nallow++], &why), 0);
    for (; deny != NULL && *deny != NULL; deny++)
        ck_assert_int_eq(pfd_cidr_parse(*deny, &d[acc.ndeny++], &why), 0);
    unsigned char addr[16];
    ck_assert_int_eq(pfd_access_addr(client, addr), 0);
    return pfd_access_allowed(&acc, addr);
}

START_TEST(test_cidr)
{
    const char *local[] = {"127.0.0.1", "::1", NULL}, *all[] = {"all", NULL};
    const char *net[] = {"10.0.0.0/8", NULL}, *one[] = {"10.0.0.5", NULL};
    const char *v6[] = {"2001:db8::/32", NULL};
    ck_assert(allowed(local, all, "127.0.0.1"));
    ck_assert(allowed(local, all, "::1"));
    ck_assert(allowed(local, all, "::ffff:127.0.0.1")); /* mapped */
    ck_assert(!allowed(local, all, "127.0.0.2"));
    ck_assert(allowed(net, one, "10.1.2.3"));
    ck_assert(!allowed(net, one, "10.0.0.5"));
    ck_assert(!allowed(net, NULL, "11.0.0.1"));
    ck_assert(allowed(NULL, one, "11.0.0.1"));
    ck_assert(allowed(v6, all, "2001:db8:1::7"));
    ck_assert(!allowed(v6, all, "2001:db9::1"));
    struct pfd_cidr c;
    const char *why;
    ck_assert_int_eq(pfd_cidr_parse("10.0.0.1/8", &c, &why), -1); /* host bits */
    ck_assert_int_eq(pfd_cidr_parse("10.0.0.0/33", &c, &why), -1);
    ck_assert_int_eq(pfd_cidr_parse("::/129", &c, &why), -1);
    ck_assert_int_eq(pfd_cidr_parse("example.com", &c, &why), -1);
    ck_assert_int_eq(pfd_cidr_parse("0.0.0.0/0", &c, &why), 0);
}
END_TEST

static Suite *access_suite(void)
{
    Suite *s = suite_create("access");
    TCase *tc = tcase_create("cidr");
    tcase_add_test(tc, test_cidr);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(access_suite());
}
