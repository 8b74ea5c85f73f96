/*
 * testsupport_static.h — helpers for mod_static's integration tests: files in the test
 * server's docroot (regular, sparse, symlinks) and one-line requests with extra header fields.
 */
#ifndef PFD_TESTSUPPORT_STATIC_H
#define PFD_TESTSUPPORT_STATIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "testsupport.h"

/* s->docroot/rel with data, parent folders made (0755), the file 0644: workers may run as
 * nobody. 0 or -1. */
int ts_static_put(const struct ts_server *s, const char *rel, const void *data, size_t len);
int ts_static_put_str(const struct ts_server *s, const char *rel, const char *text);
/* A sparse file of size bytes (ftruncate: no disk used) ending with tail. 0 or -1. */
int ts_static_sparse(const struct ts_server *s, const char *rel, int64_t size, const char *tail);
/* s->docroot/rel → target (as given: absolute or relative). 0 or -1. */
int ts_static_symlink(const struct ts_server *s, const char *rel, const char *target);
/* The absolute path of s->docroot/rel into out. */
void ts_static_path(const struct ts_server *s, const char *rel, char *out, size_t size);
/*
 * `method path HTTP/1.1` with Host, Connection: close and `headers` (each line ending in CRLF,
 * or NULL) on a new connection; the final response into *r. TS_OK or an enum ts_result.
 */
int ts_static_request(int port, const char *method, const char *path, const char *headers,
                      struct ts_response *r);
/* Whether body[0..len) is bytes [offset, offset + len) of TS_BIG_PATH's pattern. */
bool ts_static_is_big(const char *body, size_t offset, size_t len);

#endif
