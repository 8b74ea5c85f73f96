/*
 * config_text.h — the config file's text as libconfuse is given it: comments blanked, backslashes
 * kept, the top-level titled sections found, every line where it was.
 *
 * libconfuse 3.3 counts lines wrongly after a comment and rejects a comment inside a list;
 * comment-free text fixes both, so every "FILE:LINE:" the loader prints is exact. The headers
 * give each titled section its line, and let one module body at a time be parsed (config.c).
 * Internal to the config loader; no libconfuse here.
 */
#ifndef PFD_CONFIG_TEXT_H
#define PFD_CONFIG_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_TEXT_MAX_BYTES (4 << 20) /* a config file larger than this is refused */

enum config_header_kind { HEADER_MODULE, HEADER_LOCATION, HEADER_VHOST };

/* A top-level `module "…" {`, `location "…" {` or `vhost "…" {`, or a `location "…" {` at the
 * top of a vhost body, in file order. */
struct config_header {
    enum config_header_kind kind;
    size_t parent;   /* index of the vhost header it is in, or SIZE_MAX (top level) */
    int line;        /* of the section's name */
    size_t body;     /* just after its '{' */
    size_t body_end; /* its '}', or the end of the text when it is never closed */
};

struct config_text {
    char *data; /* the file, comments blanked, NUL-terminated */
    size_t len;
    struct config_header *headers;
    size_t nheaders;
    int unclosed_line; /* of a top-level '{' never closed, or 0 */
    int last_line;     /* libconfuse reports the end of the file one line further */
};

/* Why a file could not be made into text: one message, on one line (0: the file as a whole). */
struct config_text_error {
    int line;
    char why[128];
};

/*
 * Reads file (a regular file of at most CONFIG_TEXT_MAX_BYTES without NUL bytes) into t, blanks
 * its comments, doubles each backslash of a double-quoted string that libconfuse would drop or
 * turn into a control character (all but \\ \" \' \n \t \r and \$ before '{'), and finds its
 * headers. Returns 0, or -1 with err filled; t is then to be freed
 * all the same. t starts zeroed.
 */
int config_text_read(struct config_text *t, const char *file, struct config_text_error *err);
void config_text_free(struct config_text *t);

/* A malloc'd copy of the text for one parse: every module and location body (a vhost's
 * locations included) blanked but that of header `keep` (SIZE_MAX: none) and, with
 * keep_locations, the location bodies. Vhost bodies are the core's: never blanked. NULL when out
 * of memory. */
char *config_text_for_parse(const struct config_text *t, size_t keep, bool keep_locations);

/* The n-th top-level header of a kind, or NULL. */
const struct config_header *config_text_header_nth(const struct config_text *t,
                                                   enum config_header_kind kind, size_t n);
/* The n-th location header inside the vhost header of index parent, or NULL. */
const struct config_header *config_text_header_child(const struct config_text *t, size_t parent,
                                                     size_t n);
/* How many location headers the vhost header of index parent holds. */
size_t config_text_nchildren(const struct config_text *t, size_t parent);

#endif
