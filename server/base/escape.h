/*
 * escape.h — HTML, JSON-string and URL-component escaping and UTF-8 validation. Modules reach the
 * functions through preforkd/module.h ("HTTP helpers"), which declares and documents them.
 */
#ifndef PFD_ESCAPE_H
#define PFD_ESCAPE_H

#include "preforkd/module.h"

#endif
