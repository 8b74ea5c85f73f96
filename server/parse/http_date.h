/*
 * http_date.h — formatting an HTTP date (http_date.c). Modules get it through module.h.
 */
#ifndef PFD_HTTP_DATE_H
#define PFD_HTTP_DATE_H

#include <time.h>

/* t as "Sun, 06 Nov 1994 08:49:37 GMT" into out (29 characters and a NUL); a year beyond four
 * digits is clamped to the last (or first) date that can be written. */
void pfd_http_date_format(time_t t, char out[30]);

#endif
