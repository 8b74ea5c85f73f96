/*
 * check_static_open_cache.c — unit tests for modules/static/static_open_cache.c: a descriptor is
 * found again by its path only while younger than the validity, the cache holds at most its
 * slots (the oldest closed first), and only small regular files fit.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "static_open_cache.h"
#include "testsupport_run.h"

/* Whether fd is an open descriptor. */
static bool fd_open(int fd)
{
    return fcntl(fd, F_GETFD) != -1;
}

static int open_null(struct stat *st)
{
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(fstat(fd, st), 0);
    return fd;
}

START_TEST(test_found_while_valid)
{
    struct static_open_cache c = {0};
    struct stat st, got;
    int fd = open_null(&st);
    ck_assert(static_open_cache_put(&c, "/srv/a.txt", fd, &st, 1000));
    ck_assert_int_eq(static_open_cache_get(&c, "/srv/a.txt", 1999, 1000, &got), fd);
    ck_assert_int_eq(got.st_ino, st.st_ino);
    ck_assert_int_eq(static_open_cache_get(&c, "/srv/b.txt", 1500, 1000, &got), -1);
    /* At the validity's end it is closed and gone. */
    ck_assert_int_eq(static_open_cache_get(&c, "/srv/a.txt", 2000, 1000, &got), -1);
    ck_assert(!fd_open(fd));
    ck_assert_int_eq(static_open_cache_get(&c, "/srv/a.txt", 1000, 1000, &got), -1);
    static_open_cache_clear(&c);
}
END_TEST

START_TEST(test_bounded)
{
    struct static_open_cache c = {0};
    int fds[STATIC_OPEN_CACHE_SLOTS + 3];
    char path[32];
    struct stat st, got;
    for (int i = 0; i < STATIC_OPEN_CACHE_SLOTS + 3; i++) {
        fds[i] = open_null(&st);
        snprintf(path, sizeof(path), "/f%d", i);
        ck_assert(static_open_cache_put(&c, path, fds[i], &st, 100 + i));
    }
    /* The three oldest were closed to make room (their numbers went to the next opens); the
     * others are kept, open. */
    for (int i = 0; i < STATIC_OPEN_CACHE_SLOTS + 3; i++) {
        snprintf(path, sizeof(path), "/f%d", i);
        int fd = static_open_cache_get(&c, path, 150, 1000, &got);
        ck_assert_int_eq(fd, i < 3 ? -1 : fds[i]);
        if (i >= 3)
            ck_assert(fd_open(fds[i]));
    }
    /* The same path again replaces its entry (closing the old descriptor). */
    int again = open_null(&st);
    ck_assert(static_open_cache_put(&c, "/f5", again, &st, 200));
    ck_assert(!fd_open(fds[5]));
    ck_assert_int_eq(static_open_cache_get(&c, "/f5", 201, 1000, &got), again);
    static_open_cache_clear(&c);
    ck_assert(!fd_open(again));
}
END_TEST

START_TEST(test_fits)
{
    struct stat st = {0};
    st.st_mode = S_IFREG | 0644;
    st.st_size = STATIC_OPEN_CACHE_MAX_SIZE;
    ck_assert(static_open_cache_fits(&st));
    st.st_size++;
    ck_assert(!static_open_cache_fits(&st));
    st.st_size = 1;
    st.st_mode = S_IFDIR | 0755;
    ck_assert(!static_open_cache_fits(&st));
}
END_TEST

static Suite *open_cache_suite(void)
{
    Suite *s = suite_create("static_open_cache");
    TCase *tc = tcase_create("cache");
    tcase_add_test(tc, test_found_while_valid);
    tcase_add_test(tc, test_bounded);
    tcase_add_test(tc, test_fits);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(open_cache_suite());
}
