/*
 * static_date.h — HTTP-date parsing for mod_static's conditional requests (RFC 9110 §5.6.7).
 */
#ifndef PFD_STATIC_DATE_H
#define PFD_STATIC_DATE_H

#include <stddef.h>
#include <time.h>

/*
 * Parses an HTTP-date in any of the three forms a recipient must accept:
 *   IMF-fixdate  "Sun, 06 Nov 1994 08:49:37 GMT"
 *   RFC 850      "Sunday, 06-Nov-94 08:49:37 GMT"
 *   asctime      "Sun Nov  6 08:49:37 1994"
 * Surrounding blanks are allowed, nothing else. Returns 0 with *out set (seconds since the
 * epoch, UTC), or -1 when s is not a valid HTTP-date (a caller then ignores the field, as
 * RFC 9110 §13.1.3 and §13.1.4 require).
 */
int static_date_parse(const char *s, time_t *out);

/*
 * t as an IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT", NUL-terminated into out (29 + 1). Pure
 * arithmetic: Last-Modified is formatted for every file served, and gmtime_r() costs five times
 * as much. Years outside 0..9999 are clamped to those bounds.
 */
void static_date_format(time_t t, char out[30]);

#endif
