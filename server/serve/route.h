/*
 * route.h — which virtual host and location serve a request, and what the location asks for
 * before its handler runs: rewrites, access rules, authentication, a redirect, an alias, extra
 * headers; and which error document replaces an error page.
 *
 * Order, for each request (and again after an internal redirect):
 *   1. vhost by Host (conn_prepare_request): exact name or alias, then "*.domain" wildcards;
 *      none matches → the top level serves it.
 *   2. location: the first in file order whose form matches the decoded path ("= /x" exact,
 *      "/x" prefix, "~ re" / "~* re" / a title starting with '^' (or any other non-'/' title)
 *      as a pcre2 regex).
 *   3. its rewrite rules, in order; a rewritten path is routed again from step 2 (at most
 *      PFD_ROUTE_MAX_ROUNDS times: then 500, logged).
 *   4. allow/deny (403), then Basic authentication (401), then redirect (3xx), then alias and
 *      add_headers, then the handler.
 */
#ifndef PFD_ROUTE_H
#define PFD_ROUTE_H

#include <stdio.h>

#include "pool/server.h"
#include "serve/request.h"

#define PFD_ROUTE_MAX_ROUNDS 10 /* routing rounds a request may take through rewrites */
#define PFD_ROUTE_MAX_URI 8192  /* longest URI or file name a template may expand to */

/*
 * The first location of routes whose form matches path (len bytes), or NULL. A regex match
 * leaves its captures in md (which needs PFD_REWRITE_CAPTURES pairs) and sets *npairs; the other
 * forms set *npairs to 0. *error is 0, or 500 when a regex failed (match limit, logged).
 */
const struct pfd_location *pfd_route_location(const struct pfd_routes *routes, const char *path,
                                              size_t len, pcre2_match_data *md,
                                              pcre2_match_context *mc, int *npairs, int *error);
/* The same for a request that arrived over scheme ("http", "https"): a location with a `scheme`
 * condition matches only such requests (pfd_route_location() ignores the conditions). */
const struct pfd_location *pfd_route_location_for(const struct pfd_routes *routes,
                                                  const char *scheme, const char *path, size_t len,
                                                  pcre2_match_data *md, pcre2_match_context *mc,
                                                  int *npairs, int *error);

/* The vhost serving host (lower case, no port, no trailing dot; NULL: none), or NULL. */
const struct pfd_vhost *pfd_route_vhost(const struct pfd_config *conf, const char *host);
/* Sets r->vhost and r->conf (the vhost's view) from r->host. */
void pfd_route_vhost_select(struct pfd_request *r);

/*
 * Steps 2–4 for r: sets r->location (and may change r->path, r->query, r->file_path, add
 * headers). PFD_DECLINED: run the handler; PFD_DONE: a redirect was sent; or an error status.
 */
int pfd_route_request(struct pfd_request *r);

/* The error document for status: the location's, else the vhost's or top level's; NULL when
 * none, or when r is already serving an error document or has begun its response. */
const char *pfd_route_error_document(const struct pfd_request *r, int status);

/*
 * preforkd -T: prints to out what would serve url (origin-form, "/a?b") with Host host (NULL:
 * none) — vhost, location, rewrite steps, access rules, authentication, redirect, handler and
 * file — without serving it. 0, or 1 when url is not a valid request target.
 */
int pfd_route_explain(struct pfd_config *conf, const char *url, const char *host, FILE *out);

#endif
