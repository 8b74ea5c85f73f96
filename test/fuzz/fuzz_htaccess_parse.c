/*
 * fuzz_htaccess_parse.c — libFuzzer target for server/parse/htaccess_parse.c.
 *
 * Whatever the bytes, pfd_htp_parse() either refuses them (nothing allocated, a message set) or
 * returns a tree within the bounds: at most PFD_HTP_MAX_DIRECTIVES nodes, sections at most
 * PFD_HTP_MAX_DEPTH deep, every node named, every line number within the file, no argument
 * longer than a line. ASan sees leaks and reads past the (exactly sized) input.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/htaccess_parse.h"

static size_t fuzz_check(const struct pfd_ht_node *nodes, size_t n, unsigned depth, unsigned lines)
{
    size_t count = n;
    assert(depth <= PFD_HTP_MAX_DEPTH);
    for (size_t i = 0; i < n; i++) {
        const struct pfd_ht_node *nd = &nodes[i];
        assert(nd->name != NULL && nd->line >= 1 && nd->line <= lines);
        assert(nd->nargs <= PFD_HTP_MAX_ARGS);
        for (size_t a = 0; a < nd->nargs; a++)
            assert(strlen(nd->args[a]) <= PFD_HTP_MAX_LINE);
        assert(nd->container || nd->nchildren == 0);
        count += fuzz_check(nd->children, nd->nchildren, depth + nd->container, lines);
    }
    return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size > 0 ? size : 1);
    assert(buf != NULL);
    memcpy(buf, data, size);
    unsigned lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += buf[i] == '\n';
    struct pfd_ht_node *nodes;
    size_t n;
    unsigned line;
    char err[256] = "";
    if (pfd_htp_parse(buf, size, &nodes, &n, &line, err, sizeof(err)) == 0) {
        assert(fuzz_check(nodes, n, 0, lines) <= PFD_HTP_MAX_DIRECTIVES);
        pfd_htp_free(nodes, n);
    } else {
        assert(err[0] != '\0' && line <= lines);
    }
    free(buf);
    return 0;
}
