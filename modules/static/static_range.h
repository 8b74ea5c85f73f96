/*
 * static_range.h — the Range request header (RFC 9110 §14.1.2, §14.2), pure.
 */
#ifndef PFD_STATIC_RANGE_H
#define PFD_STATIC_RANGE_H

#include <stddef.h>
#include <stdint.h>

/* Most range-specs one header may list before it is ignored (nginx's max_ranges, Apache's
 * MaxRanges, both default to about this). */
#define STATIC_RANGE_MAX 100

struct static_range {
    int64_t first; /* inclusive byte positions within the representation */
    int64_t last;
};

enum static_range_result {
    STATIC_RANGE_IGNORE,        /* serve the whole representation: 200 */
    STATIC_RANGE_OK,            /* out[0..*count) to send: 206 */
    STATIC_RANGE_UNSATISFIABLE, /* 416 with Content-Range: bytes * / size */
};

/*
 * Parses `value` (the Range field value) against a representation of `size` bytes, at most
 * `max` range-specs (<= STATIC_RANGE_MAX). Syntax errors, other units, more than `max` specs,
 * and specs whose lengths add up to more than `size` (an amplification attempt: overlapping or
 * repeated ranges) give STATIC_RANGE_IGNORE, as Apache does. Satisfiable ranges are clipped to
 * the representation, sorted and coalesced when they overlap or touch (RFC 9110 §14.2 allows
 * it), so out[] never holds more bytes than the file. out has room for max entries.
 */
enum static_range_result static_range_parse(const char *value, int64_t size,
                                            struct static_range *out, size_t max, size_t *count);

/* Total bytes in out[0..count). */
int64_t static_range_total(const struct static_range *ranges, size_t count);

#endif
