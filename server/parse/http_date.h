/*
 * http_date.h — HTTP-dates (RFC 9110 §5.6.7) and ISO 8601 dates (http_date.c): the parser and
 * the formatters, declared for modules and core alike in preforkd/module.h ("HTTP helpers").
 */
#ifndef PFD_HTTP_DATE_H
#define PFD_HTTP_DATE_H

#include "preforkd/module.h"

#endif
