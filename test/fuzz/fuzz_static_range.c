/*
 * fuzz_static_range.c — libFuzzer target for modules/static/static_range.c (the Range header).
 *
 * The first 8 bytes give the representation's size, the rest is the field value. Whatever the
 * value, the ranges returned lie inside the representation, are sorted, disjoint and never
 * add up to more than the representation (no amplification), and there are at most `max`.
 *
 * Sizes go up to INT64_MAX: above 2^62, "bytes=0-,0-" once overflowed the running total in
 * static_range_parse() (found by this target; the sum is now compared before it is added).
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "static_range.h"

#define FUZZ_RANGE_SIZE_MAX INT64_MAX

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 8 || size > 8192)
        return 0;
    uint64_t raw;
    memcpy(&raw, data, 8);
    /* Small sizes are the interesting ones; keep a few huge ones too. */
    int64_t rep = (raw & 0x100) ? (int64_t)(raw % FUZZ_RANGE_SIZE_MAX) : (int64_t)(raw % 4096);
    size_t max = 1 + (size_t)(data[1] % STATIC_RANGE_MAX);

    char *value = malloc(size - 8 + 1);
    assert(value != NULL);
    memcpy(value, data + 8, size - 8);
    value[size - 8] = '\0';

    struct static_range out[STATIC_RANGE_MAX];
    size_t count = 0;
    enum static_range_result rc = static_range_parse(value, rep, out, max, &count);
    assert(rc == STATIC_RANGE_IGNORE || rc == STATIC_RANGE_OK || rc == STATIC_RANGE_UNSATISFIABLE);
    if (rc == STATIC_RANGE_OK) {
        assert(count >= 1 && count <= max);
        for (size_t i = 0; i < count; i++) {
            assert(out[i].first >= 0 && out[i].first <= out[i].last && out[i].last < rep);
            if (i > 0)
                assert(out[i].first > out[i - 1].last);
        }
        int64_t total = static_range_total(out, count);
        assert(total >= 1 && total <= rep);
    }
    free(value);
    return 0;
}
