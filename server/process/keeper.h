/*
 * keeper.h — the keeper process (keeper.c).
 */
#ifndef PFD_KEEPER_H
#define PFD_KEEPER_H

#include "pool/server.h"

/* Raises this process's descriptor limit to what a keeper needs (master, before forking
 * keepers; the hard limit too when running as root). 0, or -1 with the fix in err. */
int pfd_keeper_check_nofile(const struct pfd_config *conf, char *err, size_t err_size);
/* Runs keeper `index` in the forked child: holds parked connections until their clients speak,
 * close, or run out of time. Does not return. */
void pfd_keeper_run(struct pfd_server *server, unsigned index);

#endif
