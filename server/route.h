/*
 * route.h — which location a request path falls in.
 */
#ifndef PFD_ROUTE_H
#define PFD_ROUTE_H

#include "server.h"

/* The first location whose pattern matches path, or NULL. Patterns were compiled (and JIT-
 * compiled where possible) at start-up; the match data is the worker's, so nothing allocates. */
const struct pfd_location *pfd_route_match(struct pfd_server *server, const char *path);

#endif
