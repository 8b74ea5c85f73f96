/*
 * static_url.h — a decoded path made fit for a Location header again (RFC 3986 §3.3), pure: the
 * trailing-slash redirect must not hand back '?', '%', spaces or raw bytes as they were decoded.
 */
#ifndef PFD_STATIC_URL_H
#define PFD_STATIC_URL_H

#include <stddef.h>

/*
 * Percent-encodes path into out (out_size bytes, NUL included): every byte but RFC 3986's
 * unreserved ones, the sub-delims, ':', '@' and '/' (pchar and the separator) becomes %XX, as
 * the core's own escaping for Location does. 3 * strlen(path) + 1 bytes always suffice.
 * 0, or -1 when out is too small (out then holds "").
 */
int static_url_escape_path(const char *path, char *out, size_t out_size);

#endif
