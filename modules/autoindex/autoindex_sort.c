/*
 * autoindex_sort.c — ordering a listing's entries (see autoindex_sort.h).
 */
#include "autoindex_sort.h"

#include <stdlib.h>
#include <string.h>

static bool autoindex_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Compares the digit runs at *pa and *pb by value and moves both past them. */
static int autoindex_number_cmp(const char **pa, const char **pb)
{
    const char *a = *pa, *b = *pb;
    while (*a == '0' && autoindex_digit(a[1]))
        a++; /* leading zeros do not make a number larger */
    while (*b == '0' && autoindex_digit(b[1]))
        b++;
    size_t la = 0, lb = 0;
    while (autoindex_digit(a[la]))
        la++;
    while (autoindex_digit(b[lb]))
        lb++;
    *pa = a + la;
    *pb = b + lb;
    if (la != lb)
        return la < lb ? -1 : 1; /* more significant digits: larger, however many */
    int c = memcmp(a, b, la);
    return c < 0 ? -1 : c > 0;
}

int autoindex_natural_cmp(const char *a, const char *b)
{
    while (*a != '\0' && *b != '\0') {
        if (autoindex_digit(*a) && autoindex_digit(*b)) {
            int c = autoindex_number_cmp(&a, &b);
            if (c != 0)
                return c;
            continue;
        }
        if (*a != *b)
            return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
        a++;
        b++;
    }
    return (*a != '\0') - (*b != '\0');
}

static int autoindex_int_cmp(int64_t a, int64_t b)
{
    return a < b ? -1 : a > b;
}

static int autoindex_name_cmp(const struct autoindex_entry *a, const struct autoindex_entry *b,
                              bool natural)
{
    int c = natural ? autoindex_natural_cmp(a->name, b->name) : 0;
    return c != 0 ? c : strcmp(a->name, b->name); /* names are unique: a total order */
}

static int autoindex_entry_cmp(const void *pa, const void *pb, void *arg)
{
    const struct autoindex_entry *a = pa, *b = pb;
    const struct autoindex_sort_spec *spec = arg;
    if (spec->folders_first && a->is_dir != b->is_dir)
        return a->is_dir ? -1 : 1;
    int c = 0;
    switch (spec->column) {
    case 'M':
        c = autoindex_int_cmp(a->mtime, b->mtime);
        break;
    case 'S':
        c = autoindex_int_cmp(a->size, b->size);
        break;
    case 'D':
        c = strcmp(a->desc, b->desc);
        break;
    default:
        break;
    }
    if (c == 0)
        c = autoindex_name_cmp(a, b, spec->natural);
    return spec->order == 'D' ? -c : c;
}

void autoindex_sort(struct autoindex_entry *entries, size_t n,
                    const struct autoindex_sort_spec *spec)
{
    if (n > 1)
        qsort_r(entries, n, sizeof(*entries), autoindex_entry_cmp, (void *)spec);
}

static void autoindex_swap(struct autoindex_entry *a, struct autoindex_entry *b)
{
    struct autoindex_entry t = *a;
    *a = *b;
    *b = t;
}

/* Lomuto's partition of [lo, hi) around the median of its first, middle and last entries;
 * returns where the pivot landed: all before it compare less, all after it greater. */
static size_t autoindex_partition(struct autoindex_entry *e, size_t lo, size_t hi,
                                  const struct autoindex_sort_spec *spec)
{
    size_t mid = lo + (hi - lo) / 2, last = hi - 1;
    void *arg = (void *)spec;
    if (autoindex_entry_cmp(&e[mid], &e[lo], arg) < 0)
        autoindex_swap(&e[mid], &e[lo]);
    if (autoindex_entry_cmp(&e[last], &e[lo], arg) < 0)
        autoindex_swap(&e[last], &e[lo]);
    if (autoindex_entry_cmp(&e[mid], &e[last], arg) < 0)
        autoindex_swap(&e[mid], &e[last]); /* the median is now at last */
    size_t store = lo;
    for (size_t i = lo; i < last; i++)
        if (autoindex_entry_cmp(&e[i], &e[last], arg) < 0)
            autoindex_swap(&e[i], &e[store++]);
    autoindex_swap(&e[store], &e[last]);
    return store;
}

/* Quickselect: afterwards e[k] is what a full sort puts there, with only smaller entries
 * before it and larger after it, in [lo, hi). Past 2·log2(n) rounds (pivots gone bad), the
 * rest is sorted outright, so the worst case stays O(n log n). */
static void autoindex_select(struct autoindex_entry *e, size_t lo, size_t hi, size_t k,
                             const struct autoindex_sort_spec *spec)
{
    int budget = 2;
    for (size_t m = hi - lo; m > 1; m >>= 1)
        budget += 2;
    while (hi - lo > 8) {
        if (budget-- == 0)
            break;
        size_t p = autoindex_partition(e, lo, hi, spec);
        if (k == p)
            return;
        if (k < p)
            hi = p;
        else
            lo = p + 1;
    }
    qsort_r(e + lo, hi - lo, sizeof(*e), autoindex_entry_cmp, (void *)spec);
}

void autoindex_sort_page(struct autoindex_entry *entries, size_t n, size_t first, size_t count,
                         const struct autoindex_sort_spec *spec)
{
    if (first >= n || count == 0)
        return;
    if (count > n - first)
        count = n - first;
    if (first == 0 && count == n) {
        autoindex_sort(entries, n, spec);
        return;
    }
    autoindex_select(entries, 0, n, first, spec);
    if (first + count < n)
        autoindex_select(entries, first + 1, n, first + count, spec);
    if (count > 1)
        qsort_r(entries + first + 1, count - 1, sizeof(*entries), autoindex_entry_cmp,
                (void *)spec);
}
