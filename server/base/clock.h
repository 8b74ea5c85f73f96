/*
 * clock.h — monotonic milliseconds for deadlines, and the current HTTP date (clock.c).
 */
#ifndef PFD_CLOCK_H
#define PFD_CLOCK_H

#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC in milliseconds: every deadline is measured against it. */
int64_t pfd_now_ms(void);
/* "Fri, 27 Nov 2026 14:08:29 GMT" (IMF-fixdate, RFC 9110 §5.6.7), cached per second. */
const char *pfd_http_date_now(void);

#endif
