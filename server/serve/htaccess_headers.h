/*
 * htaccess_headers.h — .htaccess directives that change the response head: Header (mod_headers,
 * FileInfo), applied just before the head is sent, after the handler chose the Content-Type
 * (pfd_ht_headers_finish, which adds Expires* from htaccess_expires.c too), and RequestHeader.
 */
#ifndef PFD_HTACCESS_HEADERS_H
#define PFD_HTACCESS_HEADERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pfd_ht_ctx;
struct pfd_ht_node;
struct pfd_request;

/* One Header line, in the order the files gave them. */
struct pfd_ht_header_op {
    const struct pfd_ht_header_spec *spec; /* what compile() made of the line */
    struct pfd_ht_header_op *next;
};

int pfd_ht_header_compile(struct pfd_ht_node *n, char *err, size_t err_size);
int pfd_ht_header_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n);
void pfd_ht_header_free(void *data);
/* RequestHeader action field [value] [env=[!]VAR] (mod_headers, FileInfo): set, append, add,
 * merge, setifempty, unset, edit, edit* on the request's fields when the file applies (Apache's
 * fixup), so the handler and a CGI script see them; Host and the framing fields are refused. */
int pfd_ht_request_header_compile(struct pfd_ht_node *n, char *err, size_t err_size);
int pfd_ht_request_header_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n);
/*
 * The response head as the files want it, just before it is built (response.c), every response
 * included (errors, CGI): AddEncoding and AddLanguage by the served file's extension when the
 * handler set no Content-Encoding/Content-Language (success only); FileETag None drops the ETag;
 * AddDefaultCharset on a text/plain or text/html Content-Type without a
 * charset; Expires and Cache-Control: max-age when ExpiresActive On and the response is no error
 * and has no Expires yet (mod_expires leaves a script's own alone); then the Header lines in
 * order, "onsuccess" ones (the default) on 2xx and 304 only, "always" ones on every response.
 * The core's own fields (Date, Server, Content-Length, Transfer-Encoding, Connection) are not
 * the files' to change. Nothing when r->htaccess is NULL.
 */
void pfd_ht_headers_finish(struct pfd_request *r);

#endif
