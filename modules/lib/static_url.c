/*
 * static_url.c — percent-encoding a path for Location (see static_url.h).
 */
#include "static_url.h"

#include <stdbool.h>
#include <string.h>

/* RFC 3986 §3.3: pchar = unreserved / pct-encoded / sub-delims / ":" / "@", plus '/'. '%' is
 * not here: a decoded '%' is data and must be encoded again. */
static bool static_url_is_path_safe(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("-._~!$&'()*+,;=:@/", c) != NULL);
}

int static_url_escape_path(const char *path, char *out, size_t out_size)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)path; *p != '\0'; p++) {
        bool safe = static_url_is_path_safe(*p);
        if (o + (safe ? 1 : 3) + 1 > out_size) {
            if (out_size > 0)
                out[0] = '\0';
            return -1;
        }
        if (safe) {
            out[o++] = (char)*p;
            continue;
        }
        out[o++] = '%';
        out[o++] = hex[*p >> 4];
        out[o++] = hex[*p & 0xf];
    }
    if (o >= out_size)
        return -1;
    out[o] = '\0';
    return 0;
}
