/*
 * fuzz_proxy_chunked.c — libFuzzer target for modules/proxy/proxy_chunked.c and the rewriting
 * of proxy_upstream.c: what an upstream sends, which a broken or hostile application controls.
 *
 * The first byte chooses where the input splits. The chunked decoder fed the input whole and in
 * two pieces agrees (same data, same end, same verdict), never writes more than it read, and
 * consumes everything until the body ends. The input as a Set-Cookie or Location value rewrites
 * into a NUL-terminated string that fits the buffer, or is left alone.
 */
#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proxy_chunked.h"
#include "proxy_upstream.h"

/* Decodes buf[0..len) in pieces split at cut into out; -1 on a framing error, else the body's
 * length; *done as the decoder says. */
static ssize_t fuzz_decode(const char *in, size_t len, size_t cut, char *out, bool *done)
{
    struct proxy_chunked c;
    memset(&c, 0, sizeof(c));
    char *buf = malloc(len > 0 ? len : 1);
    assert(buf != NULL);
    memcpy(buf, in, len);
    size_t total = 0;
    size_t pieces[2][2] = {{0, cut}, {cut, len - cut}};
    for (int i = 0; i < 2 && !c.done; i++) {
        size_t used;
        char *p = buf + pieces[i][0];
        ssize_t n = proxy_chunked_decode(&c, p, pieces[i][1], &used);
        if (n < 0) {
            free(buf);
            return -1;
        }
        assert((size_t)n <= pieces[i][1] && used <= pieces[i][1]);
        assert(c.done || used == pieces[i][1]);
        memcpy(out + total, p, (size_t)n);
        total += (size_t)n;
    }
    *done = c.done;
    free(buf);
    return (ssize_t)total;
}

static void fuzz_rewrites(const char *s)
{
    char out[2048];
    const char *r = proxy_cookie_rewrite(s, "/app/", "/base/", out, sizeof(out));
    assert(r == NULL || (r == out && memchr(out, '\0', sizeof(out)) != NULL));
    struct proxy_upstream u;
    memset(&u, 0, sizeof(u));
    strcpy(u.authority, "127.0.0.1:8000");
    strcpy(u.path, "/base/");
    r = proxy_location_rewrite(s, &u, "front.test", "http://front.test", "/app/", out, sizeof(out));
    assert(r == NULL || (r == out && memchr(out, '\0', sizeof(out)) != NULL));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 65536)
        return 0;
    size_t len = size - 1, cut = len > 0 ? data[0] % (len + 1) : 0;
    const char *in = (const char *)data + 1;
    char *whole = malloc(len + 1), *split = malloc(len + 1);
    assert(whole != NULL && split != NULL);
    bool done_whole = false, done_split = false;
    ssize_t a = fuzz_decode(in, len, len, whole, &done_whole);
    ssize_t b = fuzz_decode(in, len, cut, split, &done_split);
    assert(a == b);
    if (a >= 0) {
        assert(done_whole == done_split);
        assert(memcmp(whole, split, (size_t)a) == 0);
    }
    free(whole);
    free(split);

    char *s = malloc(len + 1);
    assert(s != NULL);
    memcpy(s, in, len);
    s[len] = '\0';
    fuzz_rewrites(s);
    free(s);
    return 0;
}
