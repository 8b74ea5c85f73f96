/*
 * http_list.h — the elements of a comma-separated field value with their weights (RFC 9110
 * §5.6.1, §12.4.2). Modules reach pfd_http_list_next() through preforkd/module.h ("HTTP
 * helpers"), which declares and documents it.
 */
#ifndef PFD_HTTP_LIST_H
#define PFD_HTTP_LIST_H

#include "preforkd/module.h"

#endif
