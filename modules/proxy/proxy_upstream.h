/*
 * proxy_upstream.h — where mod_proxy sends a request, and how URLs map between the client's view
 * and the upstream's (Apache's ProxyPass / ProxyPassReverse, nginx's proxy_pass with a URI).
 *
 * Pure: text in, a result out (check_proxy_upstream.c tests them); the address is resolved once,
 * in the master, by proxy_upstream_parse().
 */
#ifndef PROXY_UPSTREAM_H
#define PROXY_UPSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#define PROXY_NAME_MAX 128 /* "127.0.0.1:8000", "unix:/run/app.sock" */
#define PROXY_PATH_MAX 256 /* the upstream URL's path ("/", "/base/") */

struct proxy_upstream {
    struct sockaddr_storage addr;
    socklen_t addr_len;
    char name[PROXY_NAME_MAX];      /* for logs and the access log: "127.0.0.1:8000", "unix:…" */
    char authority[PROXY_NAME_MAX]; /* Host when the client's is not passed: "127.0.0.1:8000" */
    char path[PROXY_PATH_MAX];      /* the URL's path, ending with '/' ("/" when none) */
};

/* "http://HOST[:PORT][/path/]" (HOST a name resolved now, an IPv4 address or "[IPv6]"; port 80
 * by default) or "unix:/absolute/path.sock". NULL, or why not. */
const char *proxy_upstream_parse(const char *text, struct proxy_upstream *u);

/* The path to send upstream for the client's path (escaped, starting with '/'): prefix
 * (ending with '/') replaced by upath; "/app" for prefix "/app/" is upath itself; a path outside
 * prefix goes under upath unchanged. Written to out (NUL-terminated); -1 when it does not fit. */
int proxy_path_to_upstream(const char *path, const char *prefix, const char *upath, char *out,
                           size_t out_size);

/* The other way, for a path the upstream sent (a Location, a cookie's Path): upath replaced by
 * prefix; NULL when path is not under upath (it is left as it is). */
const char *proxy_path_from_upstream(const char *path, const char *prefix, const char *upath,
                                     char *out, size_t out_size);

/* ProxyPassReverse for a Location value: "http://AUTH/upath/x" (AUTH the upstream's authority or
 * the Host sent to it) becomes origin + "/prefix/x", a path "/upath/x" becomes "/prefix/x". NULL
 * when nothing changes. */
const char *proxy_location_rewrite(const char *location, const struct proxy_upstream *u,
                                   const char *sent_host, const char *origin, const char *prefix,
                                   char *out, size_t out_size);

/* ProxyPassReverseCookiePath for a Set-Cookie value: its Path attribute mapped back. NULL when
 * nothing changes. */
const char *proxy_cookie_rewrite(const char *cookie, const char *prefix, const char *upath,
                                 char *out, size_t out_size);

#endif
