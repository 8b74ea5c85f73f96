/*
 * testsupport_cgi.h — what mod_cgi's integration tests add to the harness: installing the test
 * scripts of test/cgi/ into a test server's docroot, compiling the C one, reading a response
 * too big for ts_response_read(), and finding processes by their command line.
 */
#ifndef PFD_TESTSUPPORT_CGI_H
#define PFD_TESTSUPPORT_CGI_H

#include "testsupport.h"

/* Copies test/cgi/<name> to <docroot>/<dir>/<name>, mode 0755 (workers run as nobody); 0 or -1. */
int ts_cgi_install(const struct ts_server *s, const char *dir, const char *name);
/* Writes text to <docroot>/<dir>/<name> with mode; 0 or -1. */
int ts_cgi_write(const struct ts_server *s, const char *dir, const char *name, const char *text,
                 int mode);
/* cc -O2 test/cgi/<src> -o <docroot>/<dir>/<name>; 0 or -1 (the compiler's output on stderr). */
int ts_cgi_compile(const struct ts_server *s, const char *src, const char *dir, const char *name);
/*
 * Sends raw on a new connection and reads until the server closes it (use HTTP/1.0 or
 * Connection: close), counting body bytes without keeping them. *status gets the status, *body
 * the body bytes after the head (chunk framing included when the response is chunked).
 * TS_OK or an enum ts_result.
 */
int ts_cgi_count_response(int port, const char *raw, int timeout_ms, int *status,
                          unsigned long long *body);
/* Processes whose command line (arguments joined by spaces) contains needle. */
int ts_cgi_count_procs(const char *needle);
/* The value of NAME in "NAME=value" lines of text (malloc'd), or NULL when absent. */
char *ts_cgi_env_value(const char *text, const char *name);

#endif
