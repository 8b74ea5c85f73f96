/*
 * autoindex_sort.h — the entries of a listing and their order: Apache's columns (name,
 * modified, size, description), ascending or descending, folders first, natural name order
 * ("file2" before "file10"). Pure, unit-tested in test/unit/check_autoindex_sort.c.
 */
#ifndef AUTOINDEX_SORT_H
#define AUTOINDEX_SORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct autoindex_entry {
    const char *name; /* NUL-terminated, in the listing's name arena */
    size_t name_len;
    const char *desc; /* media type or "Directory"; never NULL */
    int64_t size;     /* bytes; -1 for a directory */
    int64_t mtime;    /* seconds since the epoch */
    bool is_dir;
    bool pending; /* size and mtime not read yet: only the page shown reads them */
    bool gone;    /* vanished (or changed type) before its row was drawn: left out */
};

struct autoindex_sort_spec {
    char column;        /* 'N', 'M', 'S' or 'D' (see autoindex_query.h) */
    char order;         /* 'A' or 'D' */
    bool folders_first; /* directories before files, whatever the order */
    bool natural;       /* digit runs compare as numbers */
};

/* Byte order, except that runs of ASCII digits compare by value ("a2" < "a10"; "a01" and "a1"
 * compare equal here, callers break the tie). <0, 0, >0 as strcmp. */
int autoindex_natural_cmp(const char *a, const char *b);
/* Sorts n entries in O(n log n) (qsort_r); the order is total, so every run agrees. */
void autoindex_sort(struct autoindex_entry *entries, size_t n,
                    const struct autoindex_sort_spec *spec);
/*
 * Only one page: afterwards entries[first, first + count) hold, in order, what autoindex_sort()
 * would put there (the rest in no useful order). A selection, then a sort of the page: O(n) on
 * average plus O(count log count), not O(n log n), for a page of a large folder.
 */
void autoindex_sort_page(struct autoindex_entry *entries, size_t n, size_t first, size_t count,
                         const struct autoindex_sort_spec *spec);

#endif
