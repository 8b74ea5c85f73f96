/*
 * status.h — HTTP status codes (status.c): pfd_status_reason() and pfd_status_from_errno(),
 * declared for modules and core alike in preforkd/module.h.
 */
#ifndef PFD_STATUS_H
#define PFD_STATUS_H

#include "preforkd/module.h"

#endif
