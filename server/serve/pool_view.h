/*
 * pool_view.h — the pool as modules see it (pool_view.c); the functions are declared for
 * modules in preforkd/module.h (pfd_pool_info, pfd_pool_worker, pfd_pool_keeper_count,
 * pfd_pool_keeper, pfd_pool_keepers_total, pfd_pool_listener_count, pfd_pool_listener).
 */
#ifndef PFD_POOL_VIEW_H
#define PFD_POOL_VIEW_H

#include "preforkd/module.h"

#endif
