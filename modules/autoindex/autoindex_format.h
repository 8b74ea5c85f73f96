/*
 * autoindex_format.h — how a listing shows sizes and times. Pure functions, unit-tested in
 * test/unit/check_autoindex_format.c. (Escaping is the core's: module.h, "HTTP helpers".)
 */
#ifndef AUTOINDEX_FORMAT_H
#define AUTOINDEX_FORMAT_H

#include <stdint.h>
#include <time.h>

/* "1.2K", "34M", "512" (bytes below 1 KiB); 1024-based, as Apache and nginx show sizes. */
void autoindex_size_human(int64_t size, char out[16]);
/* "2026-11-27 14:40" (UTC), the listing's column. */
void autoindex_time_short(time_t t, char out[24]);

#endif
