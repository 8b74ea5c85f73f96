/*
 * uri.h — from request-target to file name (RFC 3986, RFC 9112 §3.2).
 *
 * Pure functions. Every file name derived from a URI is made by pfd_uri_map(), after
 * pfd_uri_normalize() has guaranteed that the path is absolute and free of dot segments.
 */
#ifndef PFD_URI_H
#define PFD_URI_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Normalises an origin-form target ("/a/b?x=1"): splits off the query at the first '?'
 * (*query points into target, without the '?', or is NULL; *query_len its length), percent-
 * decodes the path once, merges repeated '/', removes "." and ".." segments. Writes the path,
 * NUL-terminated, to out. Returns 0, or an HTTP status:
 *   400 target not starting with '/', bad %-escape, decoded NUL, control characters,
 *       or ".." climbing above the root;
 *   404 an encoded '/' (%2F) in the path, as Apache does by default;
 *   414 the decoded path does not fit out_size.
 * A '#' fragment is not part of a request-target and is rejected with 400.
 */
int pfd_uri_normalize(const char *target, size_t target_len, char *out, size_t out_size,
                      const char **query, size_t *query_len);

/*
 * Absolute-form ("http://host:port/path?q", RFC 9112 §3.2.2): checks the scheme (http or https,
 * case-insensitive), sets *authority and *authority_len to the host[:port] part and *origin to the
 * path-and-query that follows ("/" when empty, via a pointer to a static "/"). Returns 0 or 400.
 */
int pfd_uri_split_absolute(const char *target, size_t target_len, const char **authority,
                           size_t *authority_len, const char **origin, size_t *origin_len);

/*
 * A Host value or absolute-form authority (RFC 9110 §7.2: uri-host [ ":" port ]) in host[0..len),
 * len > 0, with room for a NUL at host[len]: checks it, lower-cases the host in place, drops the
 * port and a trailing dot, and NUL-terminates what is left. The host is a name (letters, digits,
 * '-', '.', '_') or an IPv6 literal in brackets that inet_pton() accepts (RFC 3986 §3.2.2; no
 * IPvFuture, no zone id); the port is digits. Returns 0, or 400 (RFC 9112 §3.2: an invalid Host
 * is a 400).
 */
int pfd_uri_host_normalize(char *host, size_t len);

/* root + path into out (root without a trailing '/'; path from pfd_uri_normalize). 0 or 414. */
int pfd_uri_map(const char *root, const char *path, char *out, size_t out_size);

/* Whether a segment of path (normalised: no "." or ".." left) starts with '.'. */
bool pfd_uri_path_is_hidden(const char *path);

/* Percent-encodes what must be escaped in a path (for Location headers). 0 or -1 if too long. */
int pfd_uri_escape_path(const char *path, char *out, size_t out_size);

#endif
