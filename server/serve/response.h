/*
 * response.h — what conn.c needs of response.c besides the module API (preforkd/module.h).
 */
#ifndef PFD_RESPONSE_H
#define PFD_RESPONSE_H

struct pfd_request;

/* The core's error page for status; once the head is out, too late: the connection is marked to
 * close, -1. */
int pfd_response_send_error(struct pfd_request *r, int status);
/* A redirect: status (3xx), the Location header, a short page. PFD_DONE, or 500 when the
 * header cannot be added. */
int pfd_response_redirect(struct pfd_request *r, int status, const char *location);
/* Ends the response: the head if none was sent, the last chunk, then a flush (held back while a
 * pipelined request waits, so both share a send()). 0 or -1. */
int pfd_response_finish(struct pfd_request *r);

#endif
