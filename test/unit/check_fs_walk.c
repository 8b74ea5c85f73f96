/*
 * check_fs_walk.c — modules/common/fs_walk.c: where the URL's part of a file name starts
 * (table-driven), and opening under each symlink policy on a temp folder.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs_walk.h"
#include "testsupport_run.h"

static const struct {
    const char *desc;
    const char *root, *path, *file;
    size_t want; /* the trusted prefix's length */
} base_cases[] = {
    {"under the root", "/srv/www", "/a/b.txt", "/srv/www/a/b.txt", 8},
    {"the root's prefix is not the root", "/srv/www", "/x", "/srv/wwwx/x", 9},
    {"an alias: one component per segment", "/srv/www", "/files/a.txt", "/data/f/a.txt", 5},
    {"an alias, index file appended by the core", "/srv/www", "/files/", "/data/f/index.html", 5},
    {"an alias, the folder itself", "/srv/www", "/files/", "/data/f/", 5},
    {"no root", NULL, "/a", "/x/a", 2},
};

START_TEST(test_base_len)
{
    for (size_t i = 0; i < sizeof(base_cases) / sizeof(base_cases[0]); i++) {
        size_t got = fs_walk_base_len(base_cases[i].root, base_cases[i].path, base_cases[i].file);
        ck_assert_msg(got == base_cases[i].want, "%s: %zu, expected %zu", base_cases[i].desc, got,
                      base_cases[i].want);
    }
}
END_TEST

static char tmp[64];

static void make_site(void)
{
    snprintf(tmp, sizeof(tmp), "/tmp/pfd-fswalk-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmp));
    char p[128];
    snprintf(p, sizeof(p), "%s/dir", tmp);
    ck_assert_int_eq(mkdir(p, 0755), 0);
    snprintf(p, sizeof(p), "%s/dir/f.txt", tmp);
    int fd = open(p, O_WRONLY | O_CREAT, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "f\n", 2), 2);
    close(fd);
    snprintf(p, sizeof(p), "%s/dir/link.txt", tmp);
    ck_assert_int_eq(symlink("f.txt", p), 0);
    snprintf(p, sizeof(p), "%s/dirlink", tmp);
    ck_assert_int_eq(symlink("dir", p), 0);
}

static void remove_site(void)
{
    static const char *const names[] = {"dir/link.txt", "dir/f.txt", "dirlink", "dir", ""};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char p[128];
        snprintf(p, sizeof(p), "%s/%s", tmp, names[i]);
        if (unlink(p) != 0)
            rmdir(p);
    }
}

static const struct {
    const char *rel;
    int policy;
    int want_errno; /* 0: opens */
} walk_cases[] = {
    {"dir/f.txt", FS_SYMLINKS_ON, 0},
    {"dir/f.txt", FS_SYMLINKS_OFF, 0},
    {"dir/f.txt", FS_SYMLINKS_OWNER_MATCH, 0},
    {"dir/link.txt", FS_SYMLINKS_OFF, ELOOP},
    {"dir/link.txt", FS_SYMLINKS_OWNER_MATCH, 0}, /* same owner: ours */
    {"dirlink/f.txt", FS_SYMLINKS_OFF, ELOOP},    /* a folder component */
    {"dirlink/f.txt", FS_SYMLINKS_OWNER_MATCH, 0},
    {"dir/missing", FS_SYMLINKS_OFF, ENOENT},
    {"dir/f.txt/x", FS_SYMLINKS_OFF, ENOTDIR},
    {"dir/", FS_SYMLINKS_OFF, 0},
};

START_TEST(test_walk_policies)
{
    make_site();
    for (size_t i = 0; i < sizeof(walk_cases) / sizeof(walk_cases[0]); i++) {
        char p[128];
        snprintf(p, sizeof(p), "%s/%s", tmp, walk_cases[i].rel);
        errno = 0;
        int fd = fs_walk_open(p, strlen(tmp), (enum fs_symlinks)walk_cases[i].policy, O_RDONLY);
        int err = fd < 0 ? errno : 0;
        if (fd >= 0)
            close(fd);
        ck_assert_msg(err == walk_cases[i].want_errno, "%s (policy %d): %s, expected %s",
                      walk_cases[i].rel, walk_cases[i].policy, strerror(err),
                      strerror(walk_cases[i].want_errno));
    }
    remove_site();
}
END_TEST

/* A link of root's to a file chown'd to nobody is refused under if_owner_match (root only). */
START_TEST(test_walk_owner_mismatch)
{
    if (geteuid() != 0)
        return;
    make_site();
    char p[128];
    snprintf(p, sizeof(p), "%s/dir/f.txt", tmp);
    ck_assert_int_eq(chown(p, 65534, 65534), 0);
    snprintf(p, sizeof(p), "%s/dir/link.txt", tmp);
    int fd = fs_walk_open(p, strlen(tmp), FS_SYMLINKS_OWNER_MATCH, O_RDONLY);
    ck_assert_int_eq(fd, -1);
    ck_assert_int_eq(errno, EACCES);
    remove_site();
}
END_TEST

static Suite *fs_walk_suite(void)
{
    Suite *s = suite_create("fs_walk");
    TCase *tc = tcase_create("walk");
    tcase_add_test(tc, test_base_len);
    tcase_add_test(tc, test_walk_policies);
    tcase_add_test(tc, test_walk_owner_mismatch);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(fs_walk_suite());
}
