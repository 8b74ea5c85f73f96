/*
 * check_log_format.c — parse/log_format.c: compiling access-log formats (Apache LogFormat).
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse/log_format.h"
#include "testsupport_run.h"

/* ---- pfd_access_format_compile ------------------------------------------------------------ */

struct format_case {
    const char *desc;
    const char *format;
    const char *reason; /* NULL: compiles; else a fragment of the error message */
};

static const struct format_case format_cases[] = {
    {"Apache combined", "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\"", NULL},
    {"Apache common", "%h %l %u %t \"%r\" %>s %b", NULL},
    {"final and original status", "%>s %<s %s", NULL},
    {"request header with a dash", "%{User-Agent}i", NULL},
    {"every documented code",
     "%h %a %A %l %u %t %r %s %>s %b %B %{X-A}i %D %T %U %q %m %H %v %V %p %P %k %X %%", NULL},
    {"a module's notes (mod_proxy)", "%{upstream_addr}n %{upstream_time}n", NULL},
    {"a note without its name", "%h %n", "%n"},
    {"literal percent only", "%%", NULL},
    {"literal percent before a code letter", "%%h 100%%", NULL},
    {"no codes at all", "plain text, no codes", NULL},
    {"empty format", "", NULL},
    {"codes without separators", "%h%l%u%>s%b", NULL},
    {"unknown code", "%h %Z", "%Z"},
    {"unknown code after a valid header", "%{Referer}i %j", "%j"},
    {"header argument on an unknown code", "%{Referer}j", "%j"},
    {"mod_ssl variable preforkd does not know", "%{Referer}x", "%{Referer}x"},
    {"mod_ssl variables", "%{SSL_PROTOCOL}x %{SSL_CIPHER}x %{SSL_TLS_SNI}x", NULL},
    {"'%' at the end", "%h %", "unknown code"},
    {"'%>' at the end", "%h %>", "unknown code"},
    {"'%{Name}' at the end", "%{Referer}", "unknown code"},
    {"unterminated %{", "%{User-Agent", "unterminated %{"},
    {"unterminated %{ after text", "\"%r\" %{Referer", "unterminated %{"},
};

START_TEST(test_access_format_table)
{
    for (size_t i = 0; i < sizeof(format_cases) / sizeof(format_cases[0]); i++) {
        const struct format_case *tc = &format_cases[i];
        char err[256] = "";
        struct pfd_access_format *f = pfd_access_format_compile(tc->format, err, sizeof(err));
        if (tc->reason == NULL) {
            ck_assert_msg(f != NULL, "%s: \"%s\" refused: %s", tc->desc, tc->format, err);
        } else {
            ck_assert_msg(f == NULL, "%s: \"%s\" compiled", tc->desc, tc->format);
            ck_assert_msg(strstr(err, tc->reason) != NULL, "%s: reason \"%s\", want \"%s\" in it",
                          tc->desc, err, tc->reason);
            ck_assert_msg(strstr(err, "access_log_format") != NULL,
                          "%s: the reason \"%s\" does not name the directive", tc->desc, err);
        }
        pfd_access_format_free(f);
    }
}
END_TEST

/* A reason longer than the caller's buffer is cut, never written past it. */
START_TEST(test_access_format_small_error_buffer)
{
    char err[12];
    memset(err, 'x', sizeof(err));
    ck_assert_ptr_null(pfd_access_format_compile("%{Referer", err, 8));
    ck_assert_msg(memchr(err, '\0', 8) != NULL, "the reason is not terminated within 8 bytes");
    for (size_t i = 8; i < sizeof(err); i++)
        ck_assert_msg(err[i] == 'x', "byte %zu past the 8-byte buffer was written", i);
}
END_TEST

START_TEST(test_access_format_free_null)
{
    pfd_access_format_free(NULL); /* a no-op, like free(NULL) */
}
END_TEST

static Suite *log_suite(void)
{
    Suite *s = suite_create("log");
    TCase *format = tcase_create("access_format");
    tcase_add_test(format, test_access_format_table);
    tcase_add_test(format, test_access_format_small_error_buffer);
    tcase_add_test(format, test_access_format_free_null);
    suite_add_tcase(s, format);
    return s;
}

int main(void)
{
    return ts_run_suite(log_suite());
}
