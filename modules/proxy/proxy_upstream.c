/*
 * proxy_upstream.c — upstream addresses and the URL mapping both ways. See proxy_upstream.h.
 */
#include "proxy_upstream.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/un.h>

static const char *proxy_unix_parse(const char *path, struct proxy_upstream *u)
{
    struct sockaddr_un *sun = (struct sockaddr_un *)&u->addr;
    if (path[0] != '/')
        return "a unix socket path must be absolute (\"unix:/run/app.sock\")";
    if (strlen(path) >= sizeof(sun->sun_path) || strlen(path) + 5 >= sizeof(u->name))
        return "the unix socket path is too long";
    sun->sun_family = AF_UNIX;
    memcpy(sun->sun_path, path, strlen(path) + 1);
    u->addr_len = (socklen_t)sizeof(*sun);
    snprintf(u->name, sizeof(u->name), "unix:%s", path);
    snprintf(u->authority, sizeof(u->authority), "localhost");
    strcpy(u->path, "/");
    return NULL;
}

/* "HOST[:PORT]" or "[V6][:PORT]" (auth_len bytes) into host and port. */
static const char *proxy_authority_split(const char *auth, size_t auth_len, char *host,
                                         size_t host_size, char *port, size_t port_size)
{
    const char *colon = NULL, *host_start = auth, *host_end;
    if (auth[0] == '[') {
        const char *close = memchr(auth, ']', auth_len);
        if (close == NULL)
            return "an IPv6 address without its ']'";
        host_start = auth + 1;
        host_end = close;
        if (close + 1 < auth + auth_len) {
            if (close[1] != ':')
                return "something after the IPv6 address that is not \":PORT\"";
            colon = close + 1;
        }
    } else {
        colon = memchr(auth, ':', auth_len);
        host_end = colon != NULL ? colon : auth + auth_len;
    }
    size_t host_len = (size_t)(host_end - host_start);
    size_t port_len = colon != NULL ? (size_t)(auth + auth_len - colon - 1) : 0;
    if (host_len == 0 || host_len >= host_size)
        return "no host, or a host name too long";
    if (colon != NULL &&
        (port_len == 0 || port_len >= port_size || strspn(colon + 1, "0123456789") < port_len))
        return "a port that is not a number";
    memcpy(host, host_start, host_len);
    host[host_len] = '\0';
    if (colon != NULL) {
        memcpy(port, colon + 1, port_len);
        port[port_len] = '\0';
    } else
        strcpy(port, "80");
    return NULL;
}

static const char *proxy_http_parse(const char *rest, struct proxy_upstream *u)
{
    size_t auth_len = strcspn(rest, "/?#");
    const char *path = rest + auth_len;
    char host[PROXY_NAME_MAX], port[8];
    const char *why = proxy_authority_split(rest, auth_len, host, sizeof(host), port, sizeof(port));
    if (why != NULL)
        return why;
    if (*path != '\0' && *path != '/')
        return "a query or fragment in the upstream URL";
    size_t plen = strlen(path);
    if (plen + 2 > sizeof(u->path) || strpbrk(path, "?#") != NULL)
        return "an upstream path that is too long or holds '?' or '#'";
    if (atoi(port) < 1 || atoi(port) > 65535)
        return "a port outside 1..65535";
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
    if (getaddrinfo(host, port, &hints, &res) != 0 || res == NULL)
        return "the upstream host cannot be resolved";
    memcpy(&u->addr, res->ai_addr, res->ai_addrlen);
    u->addr_len = res->ai_addrlen;
    freeaddrinfo(res);
    snprintf(u->authority, sizeof(u->authority), "%.*s", (int)auth_len, rest);
    snprintf(u->name, sizeof(u->name), "%s", u->authority);
    snprintf(u->path, sizeof(u->path), "%s%s", plen > 0 ? path : "/",
             plen > 0 && path[plen - 1] != '/' ? "/" : "");
    return NULL;
}

const char *proxy_upstream_parse(const char *text, struct proxy_upstream *u)
{
    memset(u, 0, sizeof(*u));
    if (strncmp(text, "unix:", 5) == 0)
        return proxy_unix_parse(text + 5, u);
    if (strncasecmp(text, "http://", 7) == 0)
        return proxy_http_parse(text + 7, u);
    if (strncasecmp(text, "https://", 8) == 0)
        return "https upstreams are not supported (only http:// and unix:)";
    return "must read \"http://HOST:PORT[/path/]\" or \"unix:/path.sock\"";
}

/* alen bytes of a, then the string b, into out; NULL when they do not fit. (No snprintf: the
 * request path is mapped for every request.) */
static const char *proxy_path_join(const char *a, size_t alen, const char *b, char *out,
                                   size_t out_size)
{
    size_t blen = strlen(b);
    if (alen + blen >= out_size)
        return NULL;
    memcpy(out, a, alen);
    memcpy(out + alen, b, blen + 1);
    return out;
}

/* Replaces from (ending with '/') at the start of path by to (ending with '/'); path equal to
 * from without its '/' becomes to without its '/' (or "/"). NULL when path is outside from. */
static const char *proxy_path_swap(const char *path, const char *from, const char *to, char *out,
                                   size_t out_size)
{
    size_t flen = strlen(from), tlen = strlen(to);
    if (strncmp(path, from, flen) == 0)
        return proxy_path_join(to, tlen, path + flen, out, out_size);
    if (flen > 1 && strncmp(path, from, flen - 1) == 0 && strchr("?;#", path[flen - 1]) != NULL)
        return proxy_path_join(to, tlen > 1 ? tlen - 1 : tlen, path + flen - 1, out, out_size);
    return NULL;
}

int proxy_path_to_upstream(const char *path, const char *prefix, const char *upath, char *out,
                           size_t out_size)
{
    if (proxy_path_swap(path, prefix, upath, out, out_size) != NULL)
        return 0;
    return proxy_path_join(upath, strlen(upath) - 1, path, out, out_size) != NULL ? 0 : -1;
}

const char *proxy_path_from_upstream(const char *path, const char *prefix, const char *upath,
                                     char *out, size_t out_size)
{
    if (strcmp(prefix, upath) == 0)
        return NULL;
    return proxy_path_swap(path, upath, prefix, out, out_size);
}

/* The length of "http://AUTH" at the start of url when AUTH is auth (case-insensitive), else 0. */
static size_t proxy_origin_match(const char *url, const char *auth)
{
    if (auth == NULL || strncasecmp(url, "http://", 7) != 0)
        return 0;
    size_t alen = strlen(auth);
    if (alen == 0 || strncasecmp(url + 7, auth, alen) != 0 || strchr("/?#", url[7 + alen]) == NULL)
        return 0;
    return 7 + alen;
}

const char *proxy_location_rewrite(const char *location, const struct proxy_upstream *u,
                                   const char *sent_host, const char *origin, const char *prefix,
                                   char *out, size_t out_size)
{
    size_t skip = proxy_origin_match(location, u->authority);
    if (skip == 0)
        skip = proxy_origin_match(location, sent_host);
    bool absolute = skip > 0;
    if (!absolute && location[0] != '/')
        return NULL; /* another site, or a relative reference: the client resolves it */
    if (location[skip] == '/' && location[skip + 1] == '/')
        return NULL; /* "//host/…": a network-path reference, another site */
    char mapped[PROXY_PATH_MAX * 4];
    const char *path = location + skip;
    const char *m = proxy_path_from_upstream(path[0] != '\0' ? path : "/", prefix, u->path, mapped,
                                             sizeof(mapped));
    if (m == NULL && !absolute)
        return NULL;
    int n = snprintf(out, out_size, "%s%s", absolute ? origin : "", m != NULL ? m : path);
    return n >= 0 && (size_t)n < out_size ? out : NULL;
}

/* Where "path=" starts among cookie's attributes (after "; "), or NULL. */
static const char *proxy_cookie_path_attr(const char *cookie)
{
    for (const char *p = strchr(cookie, ';'); p != NULL; p = strchr(p + 1, ';')) {
        const char *a = p + 1;
        while (*a == ' ' || *a == '\t')
            a++;
        if (strncasecmp(a, "path", 4) != 0)
            continue;
        const char *eq = a + 4;
        while (*eq == ' ' || *eq == '\t')
            eq++;
        if (*eq == '=')
            return eq + 1;
    }
    return NULL;
}

const char *proxy_cookie_rewrite(const char *cookie, const char *prefix, const char *upath,
                                 char *out, size_t out_size)
{
    const char *value = proxy_cookie_path_attr(cookie);
    if (value == NULL)
        return NULL;
    while (*value == ' ' || *value == '\t')
        value++;
    size_t vlen = strcspn(value, ";");
    while (vlen > 0 && (value[vlen - 1] == ' ' || value[vlen - 1] == '\t'))
        vlen--;
    char path[PROXY_PATH_MAX * 2], mapped[PROXY_PATH_MAX * 4];
    if (vlen == 0 || vlen >= sizeof(path))
        return NULL;
    memcpy(path, value, vlen);
    path[vlen] = '\0';
    /* "/base" is the whole of upath "/base/": map it as "/base/", keep the slash off again. */
    bool bare =
        path[vlen - 1] != '/' && strlen(upath) == vlen + 1 && strncmp(path, upath, vlen) == 0;
    if (bare)
        strcat(path, "/");
    const char *m = proxy_path_from_upstream(path, prefix, upath, mapped, sizeof(mapped));
    if (m == NULL)
        return NULL;
    size_t mlen = strlen(m);
    if (bare && mlen > 1)
        mlen--;
    int n = snprintf(out, out_size, "%.*s%.*s%s", (int)(value - cookie), cookie, (int)mlen, m,
                     value + vlen);
    return n >= 0 && (size_t)n < out_size ? out : NULL;
}
