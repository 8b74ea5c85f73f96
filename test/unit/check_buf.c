/*
 * check_buf.c — unit tests for server/buf.c: the growable byte buffer (appends, printf past its
 * first 256 bytes, decimal integers without printf, consume) and the per-request arena
 * (alignment, allocations larger than a block, reset).
 *
 * The buffer promises to stay a C string (a NUL after len, not counted) after every append, so
 * the tests check data[len] as well as the bytes.
 */
#include <check.h>
#include <inttypes.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "testsupport_run.h"

/* b holds exactly want: len bytes. */
static void assert_bytes(const struct pfd_buf *b, const char *want, size_t len, const char *what)
{
    ck_assert_msg(b->len == len, "%s: len %zu, want %zu", what, b->len, len);
    ck_assert_msg(b->cap > b->len, "%s: cap %zu leaves no room for the NUL", what, b->cap);
    ck_assert_msg(memcmp(b->data, want, len) == 0, "%s: wrong bytes", what);
}

/* b holds exactly want (len bytes), then the NUL that keeps it a C string. */
static void assert_buf(const struct pfd_buf *b, const char *want, size_t len, const char *what)
{
    assert_bytes(b, want, len, what);
    ck_assert_msg(b->data[len] == '\0', "%s: no NUL after %zu bytes", what, len);
}

/* ---- appends ------------------------------------------------------------------------------ */

START_TEST(test_buf_append)
{
    struct pfd_buf b = PFD_BUF_INIT;
    ck_assert_int_eq(pfd_buf_append(&b, "", 0), 0);
    assert_buf(&b, "", 0, "empty append");
    ck_assert_int_eq(pfd_buf_append(&b, "abc", 3), 0);
    ck_assert_int_eq(pfd_buf_append_str(&b, "def"), 0);
    ck_assert_int_eq(pfd_buf_append(&b, "g\0h", 3), 0); /* bytes, NUL included */
    assert_buf(&b, "abcdefg\0h", 9, "three appends");
    pfd_buf_free(&b);
    ck_assert_ptr_null(b.data);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_uint_eq(b.cap, 0);
    pfd_buf_free(&b); /* twice is harmless */
}
END_TEST

/* Many appends across several doublings; every byte lands where it should. */
START_TEST(test_buf_append_growth)
{
    struct pfd_buf b = PFD_BUF_INIT;
    char want[10000];
    for (size_t i = 0; i < sizeof(want); i++) {
        want[i] = (char)('a' + (i * 7) % 26);
        ck_assert_int_eq(pfd_buf_append(&b, &want[i], 1), 0);
    }
    assert_buf(&b, want, sizeof(want), "10000 one-byte appends");
    ck_assert_int_eq(pfd_buf_append(&b, want, sizeof(want)), 0);
    ck_assert_msg(memcmp(b.data + sizeof(want), want, sizeof(want)) == 0, "one big append");
    ck_assert_uint_eq(b.len, 2 * sizeof(want));
    pfd_buf_free(&b);
}
END_TEST

START_TEST(test_buf_reserve)
{
    struct pfd_buf b = PFD_BUF_INIT;
    ck_assert_int_eq(pfd_buf_reserve(&b, 1000), 0);
    ck_assert_msg(b.cap >= 1000 && b.len == 0, "reserve 1000: cap %zu len %zu", b.cap, b.len);
    char *before = b.data;
    ck_assert_int_eq(pfd_buf_append(&b, "x", 1), 0);
    ck_assert_msg(b.data == before, "an append within the reserve moved the data");
    ck_assert_int_eq(pfd_buf_reserve(&b, SIZE_MAX - 8), -1); /* refused, not wrapped */
    assert_buf(&b, "x", 1, "after a refused reserve");
    pfd_buf_free(&b);
}
END_TEST

/* ---- printf ------------------------------------------------------------------------------- */

START_TEST(test_buf_printf)
{
    struct pfd_buf b = PFD_BUF_INIT;
    ck_assert_int_eq(pfd_buf_printf(&b, "%s=%d", "a", 1), 0);
    ck_assert_int_eq(pfd_buf_printf(&b, ", %05.1f%%", 2.5), 0);
    ck_assert_int_eq(pfd_buf_printf(&b, "%s", ""), 0);
    assert_buf(&b, "a=1, 002.5%", 11, "printf");
    pfd_buf_free(&b);
}
END_TEST

/* One printf of 300 bytes into an empty buffer (whose first size is 256), then a second that
 * doubles again: the output is whole both times. */
START_TEST(test_buf_printf_growth)
{
    struct pfd_buf b = PFD_BUF_INIT;
    char big[1001];
    for (size_t i = 0; i < 1000; i++)
        big[i] = (char)('A' + i % 26);
    big[1000] = '\0';
    ck_assert_int_eq(pfd_buf_printf(&b, "%.300s", big), 0);
    assert_buf(&b, big, 300, "300-byte printf");
    ck_assert_int_eq(pfd_buf_printf(&b, "[%s]", big), 0);
    ck_assert_uint_eq(b.len, 1302);
    ck_assert_msg(b.data[300] == '[' && memcmp(b.data + 301, big, 1000) == 0 &&
                      b.data[1301] == ']' && b.data[1302] == '\0',
                  "the second printf is not whole");
    pfd_buf_free(&b);
}
END_TEST

/* A printf that ends exactly at, one short of, or one past the capacity (with the NUL). */
START_TEST(test_buf_printf_at_capacity)
{
    for (size_t extra = 0; extra < 24; extra++) {
        struct pfd_buf b = PFD_BUF_INIT;
        ck_assert_int_eq(pfd_buf_reserve(&b, 1), 0);
        size_t cap = b.cap;
        size_t fill = cap - 12;
        char *want = malloc(fill + extra + 1);
        memset(want, 'f', fill);
        memset(want + fill, 'p', extra);
        ck_assert_int_eq(pfd_buf_append(&b, want, fill), 0);
        ck_assert_int_eq(pfd_buf_printf(&b, "%.*s", (int)extra, want + fill), 0);
        char what[64];
        snprintf(what, sizeof(what), "printf of %zu bytes into %zu free", extra, cap - fill);
        assert_buf(&b, want, fill + extra, what);
        free(want);
        pfd_buf_free(&b);
    }
}
END_TEST

static int buf_vprintf_twice(struct pfd_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = pfd_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

/* The va_list is used twice when the buffer must grow: both uses see the same arguments. */
START_TEST(test_buf_vprintf_growth)
{
    struct pfd_buf b = PFD_BUF_INIT;
    ck_assert_int_eq(buf_vprintf_twice(&b, "%0400d|%s", 7, "end"), 0);
    ck_assert_uint_eq(b.len, 404);
    ck_assert_msg(b.data[398] == '0' && strcmp(b.data + 399, "7|end") == 0, "\"%s\"", b.data + 390);
    pfd_buf_free(&b);
}
END_TEST

/* ---- append_int --------------------------------------------------------------------------- */

START_TEST(test_buf_append_int)
{
    static const struct {
        int64_t value;
        const char *text;
    } cases[] = {
        {0, "0"},
        {1, "1"},
        {-1, "-1"},
        {9, "9"},
        {10, "10"},
        {-10, "-10"},
        {200, "200"},
        {1000000, "1000000"},
        {INT32_MAX, "2147483647"},
        {(int64_t)INT32_MIN - 1, "-2147483649"},
        {INT64_MAX, "9223372036854775807"},
        {INT64_MIN, "-9223372036854775808"},
        {INT64_MIN + 1, "-9223372036854775807"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct pfd_buf b = PFD_BUF_INIT;
        ck_assert_int_eq(pfd_buf_append_str(&b, "n="), 0);
        ck_assert_int_eq(pfd_buf_append_int(&b, cases[i].value), 0);
        char want[64], what[64];
        snprintf(want, sizeof(want), "n=%s", cases[i].text);
        snprintf(what, sizeof(what), "append_int(%" PRId64 ")", cases[i].value);
        assert_buf(&b, want, strlen(want), what);
        pfd_buf_free(&b);
    }
}
END_TEST

/* Against printf for a spread of values, appended one after another into one buffer. */
START_TEST(test_buf_append_int_against_printf)
{
    struct pfd_buf got = PFD_BUF_INIT, want = PFD_BUF_INIT;
    uint64_t x = 88172645463325252ULL; /* xorshift64: a fixed, spread sequence */
    for (int i = 0; i < 5000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int64_t v = (int64_t)(x >> (i % 64)) * (i % 2 ? -1 : 1);
        ck_assert_int_eq(pfd_buf_append_int(&got, v), 0);
        ck_assert_int_eq(pfd_buf_printf(&want, "%" PRId64, v), 0);
        pfd_buf_append(&got, " ", 1);
        pfd_buf_append(&want, " ", 1);
    }
    ck_assert_uint_eq(got.len, want.len);
    ck_assert_msg(memcmp(got.data, want.data, got.len) == 0, "append_int differs from printf");
    pfd_buf_free(&got);
    pfd_buf_free(&want);
}
END_TEST

/* ---- consume ------------------------------------------------------------------------------ */

START_TEST(test_buf_consume)
{
    struct pfd_buf b = PFD_BUF_INIT;
    ck_assert_int_eq(pfd_buf_append_str(&b, "GET / HTTP/1.1\r\nnext"), 0);
    pfd_buf_consume(&b, 0);
    assert_bytes(&b, "GET / HTTP/1.1\r\nnext", 20, "consume 0");
    pfd_buf_consume(&b, 16);
    assert_bytes(&b, "next", 4, "consume 16 of 20");
    ck_assert_int_eq(pfd_buf_append_str(&b, "+more"), 0);
    assert_buf(&b, "next+more", 9, "append after consume");
    pfd_buf_consume(&b, 9);
    assert_bytes(&b, "", 0, "consume all");
    ck_assert_int_eq(pfd_buf_append_str(&b, "again"), 0);
    assert_buf(&b, "again", 5, "append after consuming all");
    pfd_buf_consume(&b, 100);
    assert_bytes(&b, "", 0, "consume more than len");
    pfd_buf_free(&b);
    pfd_buf_consume(&b, 5); /* an empty buffer stays empty */
    ck_assert_uint_eq(b.len, 0);
}
END_TEST

/* Consuming from a buffer larger than the first block: the kept tail moves, overlapping. */
START_TEST(test_buf_consume_large)
{
    struct pfd_buf b = PFD_BUF_INIT;
    char want[3000];
    for (size_t i = 0; i < sizeof(want); i++)
        want[i] = (char)('0' + i % 10);
    ck_assert_int_eq(pfd_buf_append(&b, want, sizeof(want)), 0);
    pfd_buf_consume(&b, 1);
    assert_bytes(&b, want + 1, sizeof(want) - 1, "consume 1 of 3000");
    pfd_buf_consume(&b, 1000);
    assert_bytes(&b, want + 1001, sizeof(want) - 1001, "then 1000 more");
    pfd_buf_free(&b);
}
END_TEST

/* buf.c promises "always a C string too" after an append; what consume leaves must be one as
 * well, or a caller reading data as a string after a consume reads stale bytes. */
START_TEST(test_buf_consume_keeps_c_string)
{
    struct pfd_buf b = PFD_BUF_INIT;
    ck_assert_int_eq(pfd_buf_append_str(&b, "GET / HTTP/1.1\r\nnext"), 0);
    pfd_buf_consume(&b, 16);
    assert_buf(&b, "next", 4, "consume 16 of 20");
    pfd_buf_consume(&b, 4);
    assert_buf(&b, "", 0, "consume all");
    ck_assert_int_eq(pfd_buf_append_str(&b, "again"), 0);
    pfd_buf_consume(&b, 100);
    assert_buf(&b, "", 0, "consume more than len");
    pfd_buf_free(&b);
}
END_TEST

/* ---- the arena ---------------------------------------------------------------------------- */

#define ARENA_ALIGN alignof(max_align_t)

static bool aligned(const void *p)
{
    return (uintptr_t)p % ARENA_ALIGN == 0;
}

/* Sizes of every residue around the alignment, in a small block so that blocks chain. */
START_TEST(test_arena_alignment)
{
    struct pfd_arena a;
    pfd_arena_init(&a, 256);
    for (size_t size = 1; size <= 3 * ARENA_ALIGN + 1; size++) {
        for (int k = 0; k < 4; k++) {
            unsigned char *p = pfd_arena_alloc(&a, size);
            ck_assert_ptr_nonnull(p);
            ck_assert_msg(aligned(p), "alloc(%zu) #%d at %p: not aligned to %zu", size, k,
                          (void *)p, (size_t)ARENA_ALIGN);
            memset(p, 0xab, size);
        }
    }
    /* Objects that need the alignment work in place. */
    long double *ld = pfd_arena_alloc(&a, sizeof(long double) * 3);
    *ld = 1.5L;
    ck_assert(ld[0] == 1.5L);
    pfd_arena_free(&a);
    ck_assert_ptr_null(a.head);
}
END_TEST

/* Each allocation gets its own bytes: filled with its index, they all read back intact. */
static void fill_and_check(struct pfd_arena *a, const size_t *sizes, size_t n, const char *what)
{
    unsigned char *ptrs[64];
    ck_assert_uint_le(n, 64);
    for (size_t i = 0; i < n; i++) {
        ptrs[i] = pfd_arena_alloc(a, sizes[i]);
        ck_assert_msg(ptrs[i] != NULL, "%s: alloc(%zu) failed", what, sizes[i]);
        ck_assert_msg(aligned(ptrs[i]), "%s: alloc(%zu) not aligned", what, sizes[i]);
        memset(ptrs[i], (int)i + 1, sizes[i]);
    }
    for (size_t i = 0; i < n; i++) {
        size_t j = 0; /* one assertion per allocation: Check's are too slow per byte */
        while (j < sizes[i] && ptrs[i][j] == (unsigned char)(i + 1))
            j++;
        ck_assert_msg(j == sizes[i], "%s: allocation %zu (%zu bytes) overwritten at byte %zu", what,
                      i, sizes[i], j);
    }
}

/* Larger than the block size, before, between and after small ones. */
static const size_t mixed_sizes[] = {10, 1000, 1,  64, 65, 100000, 3,   200, 4096,
                                     63, 5000, 17, 0,  8,  64,     128, 1,   70000};

START_TEST(test_arena_big_allocations)
{
    struct pfd_arena a;
    pfd_arena_init(&a, 64);
    fill_and_check(&a, mixed_sizes, sizeof(mixed_sizes) / sizeof(mixed_sizes[0]), "block 64");
    /* The first allocation of an arena larger than its block. */
    struct pfd_arena b;
    pfd_arena_init(&b, 128);
    size_t first[] = {1 << 20, 5};
    fill_and_check(&b, first, 2, "1 MiB first");
    pfd_arena_free(&a);
    pfd_arena_free(&b);
}
END_TEST

/* Reset frees all but one block and the arena goes on working, many times over. */
START_TEST(test_arena_reset)
{
    struct pfd_arena a;
    pfd_arena_init(&a, 512);
    pfd_arena_reset(&a); /* on an arena that never allocated */
    for (int round = 0; round < 50; round++) {
        char what[32];
        snprintf(what, sizeof(what), "round %d", round);
        fill_and_check(&a, mixed_sizes, sizeof(mixed_sizes) / sizeof(mixed_sizes[0]), what);
        char *s = pfd_arena_strndup(&a, "hello, arena", 5);
        ck_assert_str_eq(s, "hello");
        pfd_arena_reset(&a);
        ck_assert_ptr_nonnull(a.head);
    }
    pfd_arena_free(&a);
    ck_assert_ptr_null(a.head);
    /* Usable again after free, as after init. */
    fill_and_check(&a, mixed_sizes, 4, "after free");
    pfd_arena_free(&a);
}
END_TEST

static char *arena_printf(struct pfd_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = pfd_arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

START_TEST(test_arena_strings)
{
    struct pfd_arena a;
    pfd_arena_init(&a, 64);
    char *s = pfd_arena_strndup(&a, "abc\0def", 7); /* a length, not a C string */
    ck_assert_msg(memcmp(s, "abc\0def", 8) == 0, "strndup of 7 bytes");
    ck_assert_str_eq(pfd_arena_strndup(&a, "", 0), "");
    char *p = arena_printf(&a, "%s-%d-%0200d", "x", 42, 1);
    ck_assert_uint_eq(strlen(p), 205);
    ck_assert_msg(strncmp(p, "x-42-000", 8) == 0 && p[204] == '1', "\"%.20s…\"", p);
    ck_assert_msg(aligned(s) && aligned(p), "strings are allocations like others");
    pfd_arena_free(&a);
}
END_TEST

START_TEST(test_arena_refuses_huge)
{
    struct pfd_arena a;
    pfd_arena_init(&a, 64);
    ck_assert_ptr_null(pfd_arena_alloc(&a, SIZE_MAX));
    ck_assert_ptr_null(pfd_arena_alloc(&a, SIZE_MAX / 2 + 1));
    ck_assert_ptr_nonnull(pfd_arena_alloc(&a, 16)); /* still usable */
    pfd_arena_free(&a);
}
END_TEST

static Suite *buf_suite(void)
{
    Suite *s = suite_create("buf");
    TCase *buf = tcase_create("buf");
    tcase_add_test(buf, test_buf_append);
    tcase_add_test(buf, test_buf_append_growth);
    tcase_add_test(buf, test_buf_reserve);
    tcase_add_test(buf, test_buf_printf);
    tcase_add_test(buf, test_buf_printf_growth);
    tcase_add_test(buf, test_buf_printf_at_capacity);
    tcase_add_test(buf, test_buf_vprintf_growth);
    tcase_add_test(buf, test_buf_append_int);
    tcase_add_test(buf, test_buf_append_int_against_printf);
    tcase_add_test(buf, test_buf_consume);
    tcase_add_test(buf, test_buf_consume_large);
    tcase_add_test(buf, test_buf_consume_keeps_c_string);
    suite_add_tcase(s, buf);

    TCase *arena = tcase_create("arena");
    tcase_add_test(arena, test_arena_alignment);
    tcase_add_test(arena, test_arena_big_allocations);
    tcase_add_test(arena, test_arena_reset);
    tcase_add_test(arena, test_arena_strings);
    tcase_add_test(arena, test_arena_refuses_huge);
    suite_add_tcase(s, arena);
    return s;
}

int main(void)
{
    return ts_run_suite(buf_suite());
}
