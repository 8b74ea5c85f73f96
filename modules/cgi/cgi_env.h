/*
 * cgi_env.h — the CGI/1.1 environment (RFC 3875 §4.1) as a growable list of "NAME=value"
 * strings, and the rules that turn request header fields into HTTP_* meta-variables.
 *
 * Pure: no request, no socket. mod_cgi fills it from the request accessors; check_cgi_env.c
 * tests it alone.
 */
#ifndef CGI_ENV_H
#define CGI_ENV_H

#include <stdbool.h>
#include <stddef.h>

#define CGI_ENV_MAX_VARS 512           /* meta-variables in one environment */
#define CGI_ENV_MAX_BYTES (256 * 1024) /* their total size (Linux allows far more) */
#define CGI_ENV_NAME_MAX 256           /* longest HTTP_* name */

struct cgi_env {
    char **vars; /* "NAME=value", NULL-terminated once vars != NULL */
    size_t n;
    size_t cap;
    size_t bytes;
};

void cgi_env_init(struct cgi_env *e);
void cgi_env_free(struct cgi_env *e);
/* Sets NAME=value, replacing an earlier NAME. 0, or -1 when over the bounds or out of memory. */
int cgi_env_set(struct cgi_env *e, const char *name, const char *value);
/* Appends value to NAME with sep between (a repeated header field, RFC 9110 §5.3), or sets it. */
int cgi_env_append(struct cgi_env *e, const char *name, const char *sep, const char *value);
/* The value of NAME, or NULL. */
const char *cgi_env_get(const struct cgi_env *e, const char *name);
/* Adds "NAME=value" text as is (set_env); -1 when it has no '=' or an empty name. */
int cgi_env_put(struct cgi_env *e, const char *name_value);
/* Where NAME is in e->vars (the order of first setting), or e->n when it is not there. */
size_t cgi_env_index(const struct cgi_env *e, const char *name);
/* Removes NAME when present; the others keep their order. */
void cgi_env_unset(struct cgi_env *e, const char *name);

/*
 * The meta-variable for a request header field: "HTTP_" + the name upper-cased, '-' → '_'
 * (RFC 3875 §4.1.18). Returns 0, or -1 when the field must not be passed:
 *  - names with anything but letters, digits and '-' (Apache 2.4 drops them too: "X_Foo" would
 *    otherwise smuggle itself in as the HTTP_X_FOO that "X-Foo" sets);
 *  - Proxy (httpoxy: HTTP_PROXY would read as a proxy setting), Proxy-Authorization always, and
 *    Authorization unless pass_authorization;
 *  - Content-Type and Content-Length, which are CONTENT_TYPE/CONTENT_LENGTH (§4.1.2, §4.1.3);
 *  - Transfer-Encoding and Connection: hop-by-hop; the script sees a de-chunked body.
 */
int cgi_env_header_name(const char *field, bool pass_authorization, char *out, size_t out_size);

#endif
