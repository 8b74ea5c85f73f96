/*
 * fuzz_cgi_parse.c — libFuzzer target for modules/cgi/cgi_parse.c: a CGI script's response
 * head, which a hostile or broken script controls entirely.
 *
 * The first byte chooses nph; the rest is the script's output. cgi_head_end() fed whole and
 * in two pieces agrees; a head it delimits parses without reading past it; a parsed status is
 * 100..599 and every field is a NUL-terminated string inside the buffer. (The log escaping of
 * a script's output is the core's: fuzz_escape.c.)
 */
#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cgi_parse.h"

static void fuzz_inside(const char *buf, size_t len, const char *s)
{
    if (s == NULL)
        return;
    assert(s >= buf && s < buf + len);
    assert(memchr(s, '\0', len - (size_t)(s - buf)) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > CGI_HEAD_MAX)
        return 0;
    bool nph = data[0] & 1;
    size_t len = size - 1;
    char *buf = malloc(len > 0 ? len : 1);
    assert(buf != NULL);
    memcpy(buf, data + 1, len);

    size_t end = cgi_head_end(buf, len, 0);
    assert(end <= len);
    size_t split = len / 2;
    size_t first = cgi_head_end(buf, split, 0);
    size_t end2 = first != 0 ? first : cgi_head_end(buf, len, split > 3 ? split - 3 : 0);
    assert(end == end2);

    if (end > 0) {
        struct cgi_head *h = malloc(sizeof(*h));
        assert(h != NULL);
        const char *err = NULL;
        if (cgi_head_parse(buf, end, nph, h, &err) == 0) {
            assert(h->status == 0 || (h->status >= 100 && h->status <= 599));
            assert(h->nfields <= CGI_FIELDS_MAX);
            assert(h->content_length >= -1);
            fuzz_inside(buf, end, h->location);
            fuzz_inside(buf, end, h->content_type);
            for (size_t i = 0; i < h->nfields; i++) {
                fuzz_inside(buf, end, h->fields[i].name);
                fuzz_inside(buf, end, h->fields[i].value);
            }
        } else {
            assert(err != NULL);
        }
        free(h);
    }
    free(buf);
    return 0;
}
