/*
 * http_date.h — formatting an HTTP date (http_date.c): pfd_http_date_format(), declared for
 * modules and core alike in preforkd/module.h.
 */
#ifndef PFD_HTTP_DATE_H
#define PFD_HTTP_DATE_H

#include "preforkd/module.h"

#endif
