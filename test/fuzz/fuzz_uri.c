/*
 * fuzz_uri.c — libFuzzer target for server/uri.c.
 *
 * Whatever the target, a path pfd_uri_normalize() accepts is absolute, NUL-terminated within
 * out, free of NUL and control bytes, of "//" and of "." or ".." segments — so pfd_uri_map()
 * can never leave the document root. Normalising it again changes nothing (idempotent), and
 * escaping it for a Location header gives a target that normalises back to the same path.
 * pfd_uri_split_absolute() must return pointers inside its input.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/uri.h"

#define FUZZ_OUT 1024

static void fuzz_check_path(const char *path)
{
    size_t n = strlen(path);
    assert(n >= 1 && path[0] == '/');
    assert(strstr(path, "/../") == NULL && strstr(path, "/./") == NULL);
    assert(strstr(path, "//") == NULL);
    assert(!(n >= 3 && strcmp(path + n - 3, "/..") == 0));
    assert(!(n >= 2 && strcmp(path + n - 2, "/.") == 0));
    for (size_t i = 0; i < n; i++)
        assert((unsigned char)path[i] >= 0x20 && path[i] != 0x7f);
}

static void fuzz_normalize(const char *target, size_t len)
{
    char out[FUZZ_OUT];
    const char *query = NULL;
    size_t query_len = 0;
    int rc = pfd_uri_normalize(target, len, out, sizeof(out), &query, &query_len);
    assert(rc == 0 || rc == 400 || rc == 404 || rc == 414);
    if (rc != 0)
        return;
    assert(memchr(out, '\0', sizeof(out)) != NULL);
    fuzz_check_path(out);
    if (query != NULL)
        assert(query > target && (size_t)(query - target) + query_len <= len);

    /* Mapped under a root, the path stays under it. */
    char mapped[FUZZ_OUT + 16];
    if (pfd_uri_map("/srv/www", out, mapped, sizeof(mapped)) == 0) {
        assert(strncmp(mapped, "/srv/www/", 9) == 0);
        assert(strstr(mapped, "/../") == NULL);
    }

    /* Escaped (as a Location header is), it normalises back to itself. */
    char escaped[FUZZ_OUT * 3 + 1];
    if (pfd_uri_escape_path(out, escaped, sizeof(escaped)) == 0) {
        char again[FUZZ_OUT];
        const char *q2 = NULL;
        size_t q2_len = 0;
        int rc2 = pfd_uri_normalize(escaped, strlen(escaped), again, sizeof(again), &q2, &q2_len);
        assert(rc2 == 0 || rc2 == 414);
        if (rc2 == 0)
            assert(strcmp(again, out) == 0 && q2 == NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4 * FUZZ_OUT)
        return 0;
    char *buf = malloc(size > 0 ? size : 1); /* exact size: ASan sees reads past the end */
    assert(buf != NULL);
    memcpy(buf, data, size);
    fuzz_normalize(buf, size);

    const char *authority = NULL, *origin = NULL;
    size_t authority_len = 0, origin_len = 0;
    if (pfd_uri_split_absolute(buf, size, &authority, &authority_len, &origin, &origin_len) == 0) {
        assert(authority >= buf && (size_t)(authority - buf) + authority_len <= size);
        assert(origin_len >= 1 && origin[0] == '/');
        if (origin != buf + size && !(origin >= buf && origin < buf + size))
            assert(origin_len == 1); /* the static "/" */
        else
            fuzz_normalize(origin, origin_len);
    }
    free(buf);
    return 0;
}
