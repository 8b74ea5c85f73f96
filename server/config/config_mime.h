/*
 * config_mime.h — a mime.types file ("type ext ext …" per line, as Apache and Debian's
 * /etc/mime.types write it) read into the table pfd_config_mime_lookup() searches. The config
 * loader reads it; serve/request.c looks a file's type up; the table itself is struct
 * pfd_config's mime_types (config.h).
 */
#ifndef PFD_CONFIG_MIME_H
#define PFD_CONFIG_MIME_H

#include <stddef.h>

#include "config/config.h"

#define CONFIG_MIME_EXT_MAX 32 /* longest file extension kept; longer ones are reported */

/* Told of each bad line (its number and why it is skipped); ctx is config_mime_read()'s. */
typedef void (*config_mime_bad_fn)(void *ctx, const char *path, int line, const char *why);

/*
 * Reads path into *types, sorted by extension for bsearch() with only the last definition of
 * each extension kept (as a later line overrides an earlier one), and sets *ntypes; extensions
 * are lower-cased, a leading '.' dropped. A line that is not "type ext …" goes to bad and the
 * rest of the file is read. Returns 0, or -1 with errno when the file cannot be opened or read
 * or memory runs out (ENOMEM); what was read until then is in *types all the same.
 */
int config_mime_read(const char *path, config_mime_bad_fn bad, void *ctx,
                     struct pfd_mime_type **types, size_t *ntypes);
void config_mime_free(struct pfd_mime_type *types, size_t ntypes);

/* Where the types come from when mime_types is not set: mime.types beside the config, else the
 * system's, else the built-in table. */
#define CONFIG_MIME_SYSTEM_FILE "/etc/mime.types"

/* The first of the n candidate files that exists (NULL entries skipped), or NULL: then the
 * built-in table serves. */
const char *config_mime_pick(const char *const *candidates, size_t n);
/* The built-in table of common web types (html, css, js, json, png, jpg, svg, woff2, wasm, mp4 …)
 * into *types, the same shape as config_mime_read() makes; 0, or -1 when out of memory. */
int config_mime_builtin(struct pfd_mime_type **types, size_t *ntypes);

/* The media type for a file extension (without the dot, any case), or NULL when unknown. */
const char *pfd_config_mime_lookup(const struct pfd_config *conf, const char *extension);

#endif
