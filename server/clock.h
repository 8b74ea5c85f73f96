/*
 * clock.h — monotonic milliseconds for deadlines (pfd_now_ms), wall-clock microseconds for
 * timestamps (pfd_wall_clock_us). Modules reach it through
 * preforkd/module.h ("HTTP helpers"), which declares and documents it.
 */
#ifndef PFD_CLOCK_H
#define PFD_CLOCK_H

#include "preforkd/module.h"

#endif
