/*
 * check_autoindex_cache.c — unit tests for modules/autoindex/autoindex_cache.c: a listing is found
 * again only for the same folder in the same state, variant, host and path, only while it is
 * younger than the validity, and the cache stays within its entries and bytes.
 */
#include <check.h>
#include <string.h>
#include <sys/stat.h>

#include "autoindex_cache.h"
#include "testsupport_run.h"

#define VALID_MS 1000
#define MAX_BYTES 1024

static struct stat folder(void)
{
    struct stat st;
    memset(&st, 0, sizeof(st));
    st.st_dev = 8;
    st.st_ino = 1234;
    st.st_size = 4096;
    st.st_mtim = (struct timespec){1600000000, 5};
    st.st_ctim = (struct timespec){1600000001, 7};
    return st;
}

static struct autoindex_cache_key key(const struct stat *dir)
{
    return (struct autoindex_cache_key){
        .dir = dir, .variant = "W/\"abc\"", .host = "example.com", .path = "/dir/"};
}

START_TEST(test_hit_while_valid)
{
    struct autoindex_cache c = {0};
    struct stat dir = folder();
    struct autoindex_cache_key k = key(&dir);
    autoindex_cache_put(&c, &k, 100, "<html>", 6, MAX_BYTES);
    size_t len = 0;
    const char *body = autoindex_cache_get(&c, &k, 100 + VALID_MS - 1, VALID_MS, &len);
    ck_assert_ptr_nonnull(body);
    ck_assert_uint_eq(len, 6);
    ck_assert_int_eq(memcmp(body, "<html>", 6), 0);
    /* At the validity's end it is gone, and stays gone. */
    ck_assert_ptr_null(autoindex_cache_get(&c, &k, 100 + VALID_MS, VALID_MS, &len));
    ck_assert_ptr_null(autoindex_cache_get(&c, &k, 100, VALID_MS, &len));
    ck_assert_uint_eq(c.bytes, 0);
    autoindex_cache_clear(&c);
}
END_TEST

/* Each thing a listing depends on, changed: no longer found. */
static void change_dev(struct stat *st, struct autoindex_cache_key *k)
{
    (void)k;
    st->st_dev++;
}
static void change_ino(struct stat *st, struct autoindex_cache_key *k)
{
    (void)k;
    st->st_ino++;
}
static void change_size(struct stat *st, struct autoindex_cache_key *k)
{
    (void)k;
    st->st_size += 4096;
}
static void change_mtime_ns(struct stat *st, struct autoindex_cache_key *k)
{
    (void)k;
    st->st_mtim.tv_nsec++;
}
static void change_ctime(struct stat *st, struct autoindex_cache_key *k)
{
    (void)k;
    st->st_ctim.tv_sec++;
}
static void change_variant(struct stat *st, struct autoindex_cache_key *k)
{
    (void)st;
    k->variant = "W/\"abd\"";
}
static void change_host(struct stat *st, struct autoindex_cache_key *k)
{
    (void)st;
    k->host = "";
}
static void change_path(struct stat *st, struct autoindex_cache_key *k)
{
    (void)st;
    k->path = "/dir/sub/";
}

static const struct change_case {
    const char *what;
    void (*change)(struct stat *st, struct autoindex_cache_key *k);
} change_cases[] = {
    {"device", change_dev},          {"inode", change_ino},   {"size", change_size},
    {"mtime (ns)", change_mtime_ns}, {"ctime", change_ctime}, {"variant", change_variant},
    {"host", change_host},           {"path", change_path},
};

START_TEST(test_miss_when_changed)
{
    const struct change_case *cc = &change_cases[_i];
    struct autoindex_cache c = {0};
    struct stat dir = folder();
    struct autoindex_cache_key k = key(&dir);
    autoindex_cache_put(&c, &k, 100, "<html>", 6, MAX_BYTES);
    struct stat other = folder();
    struct autoindex_cache_key k2 = key(&other);
    cc->change(&other, &k2);
    size_t len = 0;
    ck_assert_msg(autoindex_cache_get(&c, &k2, 101, VALID_MS, &len) == NULL,
                  "found again after its %s changed", cc->what);
    ck_assert_ptr_nonnull(autoindex_cache_get(&c, &k, 101, VALID_MS, &len));
    autoindex_cache_clear(&c);
}
END_TEST

/* Bounded: in bytes (the oldest go first; a body over the budget is never kept) and in
 * entries; the same key is replaced, not duplicated. */
START_TEST(test_bounded)
{
    struct autoindex_cache c = {0};
    char body[400];
    memset(body, 'x', sizeof(body));
    struct stat dirs[AUTOINDEX_CACHE_SLOTS + 2];
    for (size_t i = 0; i < AUTOINDEX_CACHE_SLOTS + 2; i++) {
        dirs[i] = folder();
        dirs[i].st_ino += i;
        struct autoindex_cache_key k = key(&dirs[i]);
        autoindex_cache_put(&c, &k, 100 + (int64_t)i, body, sizeof(body), MAX_BYTES);
        ck_assert_uint_le(c.bytes, MAX_BYTES);
    }
    size_t len = 0, found = 0;
    for (size_t i = 0; i < AUTOINDEX_CACHE_SLOTS + 2; i++) {
        struct autoindex_cache_key k = key(&dirs[i]);
        found += autoindex_cache_get(&c, &k, 200, VALID_MS, &len) != NULL;
    }
    ck_assert_uint_eq(found, MAX_BYTES / sizeof(body));
    /* The newest are the ones kept. */
    struct autoindex_cache_key newest = key(&dirs[AUTOINDEX_CACHE_SLOTS + 1]);
    ck_assert_ptr_nonnull(autoindex_cache_get(&c, &newest, 200, VALID_MS, &len));
    autoindex_cache_put(&c, &newest, 201, "short", 5, MAX_BYTES);
    ck_assert_str_eq(autoindex_cache_get(&c, &newest, 202, VALID_MS, &len) != NULL ? "hit" : "",
                     "hit");
    ck_assert_uint_eq(len, 5);
    /* Too big for the budget: not kept, and the old copy is gone too. */
    char big[MAX_BYTES + 1];
    memset(big, 'y', sizeof(big));
    autoindex_cache_put(&c, &newest, 203, big, sizeof(big), MAX_BYTES);
    ck_assert_ptr_null(autoindex_cache_get(&c, &newest, 204, VALID_MS, &len));
    /* Many small ones: never more than the slots. */
    autoindex_cache_clear(&c);
    for (size_t i = 0; i < AUTOINDEX_CACHE_SLOTS + 2; i++) {
        struct autoindex_cache_key k = key(&dirs[i]);
        autoindex_cache_put(&c, &k, 300 + (int64_t)i, "ab", 2, MAX_BYTES);
    }
    found = 0;
    for (size_t i = 0; i < AUTOINDEX_CACHE_SLOTS + 2; i++) {
        struct autoindex_cache_key k = key(&dirs[i]);
        found += autoindex_cache_get(&c, &k, 400, VALID_MS, &len) != NULL;
    }
    ck_assert_uint_eq(found, AUTOINDEX_CACHE_SLOTS);
    ck_assert_uint_eq(c.bytes, 2 * AUTOINDEX_CACHE_SLOTS);
    autoindex_cache_clear(&c);
    ck_assert_uint_eq(c.bytes, 0);
}
END_TEST

static Suite *cache_suite(void)
{
    Suite *s = suite_create("autoindex_cache");
    TCase *tc = tcase_create("cache");
    tcase_add_test(tc, test_hit_while_valid);
    tcase_add_loop_test(tc, test_miss_when_changed, 0,
                        (int)(sizeof(change_cases) / sizeof(change_cases[0])));
    tcase_add_test(tc, test_bounded);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(cache_suite());
}
