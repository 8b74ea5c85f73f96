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
