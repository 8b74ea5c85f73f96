/*
 * http_date.h — HTTP-date (RFC 9110 §5.6.7): the parser, the formatter and the cached "now" of
 * the Date header. Modules reach the same functions through preforkd/module.h ("HTTP helpers"),
 * which declares and documents them; this header adds nothing to that API.
 */
#ifndef PFD_HTTP_DATE_H
#define PFD_HTTP_DATE_H

#include "preforkd/module.h"

#endif
