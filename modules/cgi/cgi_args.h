/*
 * cgi_args.h — command-line arguments from an ISINDEX-style query (RFC 3875 §4.4).
 */
#ifndef PFD_CGI_ARGS_H
#define PFD_CGI_ARGS_H

#include <stddef.h>

/* Most search words passed as arguments; the rest are left to QUERY_STRING. */
#define CGI_ARGS_MAX 64

/*
 * RFC 3875 §4.4: a query without an unencoded '=' is a search-string, given to the script as
 * words — split on '+', each percent-decoded. query is a writable copy, decoded in place; words
 * receives pointers into it. Returns the number of words (0 when the query is not a
 * search-string, or a word has a bad escape or decodes to a NUL: then the script gets no
 * arguments, as Apache does when it cannot decode them). At most max words.
 */
size_t cgi_args_from_query(char *query, char **words, size_t max);

#endif
