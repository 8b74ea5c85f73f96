/*
 * http_etag.h — entity-tags (RFC 9110 §8.8.3) and the preconditions of §13: If-Match,
 * If-None-Match, If-Modified-Since, If-Unmodified-Since, If-Range. Modules reach the functions
 * through preforkd/module.h ("HTTP helpers"), which declares and documents them.
 */
#ifndef PFD_HTTP_ETAG_H
#define PFD_HTTP_ETAG_H

#include "preforkd/module.h"

#endif
