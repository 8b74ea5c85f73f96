/*
 * rewrite.h — expanding a redirect, rewrite or alias template with the captures of a match.
 *
 * Pure functions: a template and a match in, bytes out. The router (route.c) calls them with the
 * ovector of the pcre2 match it just made.
 */
#ifndef PFD_REWRITE_H
#define PFD_REWRITE_H

#include <stdbool.h>
#include <stddef.h>

/* $0 … $9: the whole match and nine groups. A pattern may have more groups; they are unused. */
#define PFD_REWRITE_CAPTURES 10

/* Rewrite rule flags (rewrite { flags = {…} }). */
enum {
    PFD_REWRITE_LAST = 1 << 0,      /* stop the rules here; route the new path again */
    PFD_REWRITE_BREAK = 1 << 1,     /* stop the rules here; stay in this location */
    PFD_REWRITE_QSAPPEND = 1 << 2,  /* a target with its own query keeps the request's too */
    PFD_REWRITE_REDIRECT = 1 << 3,  /* answer 302 with the target as Location */
    PFD_REWRITE_PERMANENT = 1 << 4, /* answer 301 with the target as Location */
};

/* A flag's bit, or 0 when name is no flag. */
unsigned pfd_rewrite_flag(const char *name);

/*
 * Writes tmpl to out with "$N" (N a digit) replaced by capture N of subject: ovector holds
 * npairs (start, end) offsets as pcre2 sets them; an unset or missing group is empty. "$$" is
 * one '$'; any other '$' is itself. With escape, capture bytes that may not appear in a URL path
 * are percent-encoded ('?', '%', '#', spaces, controls, non-ASCII …), so a decoded path put back
 * into a URL decodes to the same bytes, and a capture can only land in the path: one that would
 * start the path (at the start of tmpl, or right after "scheme://host") gets one leading '/', and
 * a capture's own leading slashes after a '/' are dropped, so no capture can turn the target
 * into another host ("https://example.com$1" with "@evil.example"). Returns the length written (out
 * NUL-terminated), or -1 when out_size is too small.
 */
long pfd_rewrite_expand(const char *tmpl, const char *subject, const size_t *ovector, int npairs,
                        bool escape, char *out, size_t out_size);

/*
 * Parses a redirect directive's value, "301 https://example.com$1": a 3xx status (301, 302, 303,
 * 307 or 308), blanks, and a non-empty target without blanks. Sets *status and *target (pointing
 * into text). 0, or -1 with *why set.
 */
int pfd_rewrite_parse_redirect(const char *text, int *status, const char **target,
                               const char **why);

/* NULL when a redirect or rewrite target template is acceptable, else why not (a capture in
 * its scheme or host). */
const char *pfd_rewrite_check_target(const char *tmpl);

/* Whether a path (an alias after expansion) is absolute and holds no "." or ".." segment, so it
 * names what it says. */
bool pfd_rewrite_path_is_clean(const char *path);

#endif
