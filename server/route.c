/*
 * route.c — location matching (see route.h).
 */
#include "route.h"

#include <string.h>

const struct pfd_location *pfd_route_match(struct pfd_server *server, const char *path)
{
    const struct pfd_config *conf = server->conf;
    if (conf->nlocations == 0)
        return NULL;
    if (server->match_data == NULL) {
        server->match_data = pcre2_match_data_create(1, NULL);
        if (server->match_data == NULL)
            return NULL;
    }
    size_t len = strlen(path);
    for (size_t i = 0; i < conf->nlocations; i++) {
        const struct pfd_location *loc = &conf->locations[i];
        int rc = pcre2_match(loc->regex, (PCRE2_SPTR)path, len, 0, 0, server->match_data, NULL);
        if (rc >= 0)
            return loc;
    }
    return NULL;
}
