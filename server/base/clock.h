/*
 * clock.h — monotonic milliseconds for deadlines (pfd_now_ms), wall-clock microseconds for
 * timestamps (pfd_wall_clock_us): modules reach these through preforkd/module.h ("HTTP
 * helpers"), which declares and documents them. And the Date header's text, the core's own.
 */
#ifndef PFD_CLOCK_H
#define PFD_CLOCK_H

#include "preforkd/module.h"

/* "Fri, 27 Nov 2026 14:08:29 GMT" (IMF-fixdate, RFC 9110 §5.6.7) for the Date header, formatted
 * once a second. */
const char *pfd_http_date_now(void);

#endif
