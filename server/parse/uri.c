/*
 * uri.c — from request-target to file name (RFC 3986, RFC 9112 §3.2).
 *
 * The path is percent-decoded exactly once, segment by segment, straight into the caller's
 * buffer; dot segments are resolved as each decoded segment lands, so "%2e%2e" is caught as
 * ".." while "%252e" stays the literal name "%2e". Nothing here touches the file system.
 */
#include "parse/uri.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

static int uri_hex(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool uri_is_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* RFC 3986 §3.3: pchar = unreserved / pct-encoded / sub-delims / ":" / "@"; plus '/'. */
static bool uri_is_path_safe(unsigned char c)
{
    return uri_is_alnum(c) || (c != '\0' && strchr("-._~!$&'()*+,;=:@/", c) != NULL);
}

/* RFC 3986 §3.2: the characters of host [ ":" port ] (reg-name, IP-literal, pct-encoded). */
static bool uri_is_authority_char(unsigned char c)
{
    return uri_is_alnum(c) || (c != '\0' && strchr("-._~!$&'()*+,;=%:[]", c) != NULL);
}

/* Control characters, DEL and SP: never meaningful in a file name taken from a URI. */
static bool uri_is_forbidden(unsigned char c)
{
    return c < 0x20 || c == 0x7f;
}

/*
 * Decodes the raw segment seg[0..len) (no raw '/') into out[0..cap). Returns the decoded
 * length in *n and 0, or 400 (bad escape, control character), 404 (%2F) or 414 (no room).
 */
static int uri_decode_segment(const char *seg, size_t len, char *out, size_t cap, size_t *n)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)seg[i];
        if (c == ' ' || uri_is_forbidden(c))
            return 400; /* raw whitespace or controls: not a valid request-target */
        if (c == '%') {
            if (len - i < 3 || uri_hex((unsigned char)seg[i + 1]) < 0 ||
                uri_hex((unsigned char)seg[i + 2]) < 0)
                return 400;
            c = (unsigned char)(uri_hex((unsigned char)seg[i + 1]) * 16 +
                                uri_hex((unsigned char)seg[i + 2]));
            i += 2;
            if (c == '/')
                return 404; /* an encoded '/' would hide a segment boundary (Apache: 404) */
            if (uri_is_forbidden(c))
                return 400; /* %00 truncates C strings; other controls have no business here */
        }
        if (o == cap)
            return 414;
        out[o++] = (char)c;
    }
    *n = o;
    return 0;
}

/*
 * Appends one decoded segment to the normalised path out[0..*o): "" and "." vanish, ".."
 * removes the previous segment (400 when there is none: it would climb above the root).
 * The decoded text was already written at out + *o + 1, after the '/' we place at out[*o].
 */
static int uri_push_segment(char *out, size_t *o, size_t n, bool last)
{
    const char *seg = out + *o + 1;
    bool dot = n == 1 && seg[0] == '.';
    bool dotdot = n == 2 && seg[0] == '.' && seg[1] == '.';

    if (dotdot) {
        if (*o == 0)
            return 400;
        while (out[--*o] != '/') /* out[0] is '/', so this stops */
            ;
    }
    if (n == 0 || dot || dotdot) {
        if (last) /* RFC 3986 §5.2.4: "/a/." and "/a/.." keep a trailing '/' */
            out[(*o)++] = '/';
        return 0;
    }
    out[*o] = '/';
    *o += 1 + n;
    return 0;
}

int pfd_uri_normalize(const char *target, size_t target_len, char *out, size_t out_size,
                      const char **query, size_t *query_len)
{
    if (target_len == 0 || target[0] != '/')
        return 400;
    if (memchr(target, '#', target_len) != NULL)
        return 400; /* RFC 9112 §3.2: a request-target carries no fragment */
    const char *q = memchr(target, '?', target_len);
    size_t path_len = q ? (size_t)(q - target) : target_len;
    *query = q ? q + 1 : NULL;
    *query_len = q ? target_len - path_len - 1 : 0;
    if (out_size < 2)
        return 414;

    size_t o = 0;
    for (size_t i = 1; i <= path_len;) { /* each raw segment after a '/' */
        const char *slash = memchr(target + i, '/', path_len - i);
        size_t seg_len = slash ? (size_t)(slash - target) - i : path_len - i;
        size_t n;
        /* Room for '/' before the segment and for the final NUL. */
        if (o + 2 > out_size)
            return 414;
        int rc = uri_decode_segment(target + i, seg_len, out + o + 1, out_size - o - 2, &n);
        if (rc == 0)
            rc = uri_push_segment(out, &o, n, slash == NULL);
        if (rc != 0)
            return rc;
        i += seg_len + 1;
    }
    if (o == 0) /* cannot happen: the last segment always leaves at least "/" */
        out[o++] = '/';
    out[o] = '\0';
    return 0;
}

/*
 * Absolute-form (RFC 9112 §3.2.2). An empty path followed by a query ("http://h?x") is
 * refused with 400: its origin-form would be "/?x", which exists nowhere in the target to point
 * at, and clients send absolute-form only to proxies, which we are not.
 */
int pfd_uri_split_absolute(const char *target, size_t target_len, const char **authority,
                           size_t *authority_len, const char **origin, size_t *origin_len)
{
    size_t i;
    if (target_len > 7 && strncasecmp(target, "http://", 7) == 0)
        i = 7;
    else if (target_len > 8 && strncasecmp(target, "https://", 8) == 0)
        i = 8;
    else
        return 400;
    if (memchr(target, '#', target_len) != NULL)
        return 400;
    size_t a = i;
    while (i < target_len && target[i] != '/' && target[i] != '?') {
        /* RFC 9110 §4.2.4: userinfo ('@') is deprecated for http(s) and a phishing vector. */
        if (!uri_is_authority_char((unsigned char)target[i]))
            return 400;
        i++;
    }
    if (i == a || (i < target_len && target[i] == '?'))
        return 400;
    *authority = target + a;
    *authority_len = i - a;
    *origin = i < target_len ? target + i : "/";
    *origin_len = i < target_len ? target_len - i : 1;
    return 0;
}

/* RFC 3986 §3.2.2: IP-literal = "[" ( IPv6address / IPvFuture ) "]". Only IPv6 is served:
 * inet_pton() is the grammar (IPv4-embedded forms included); IPvFuture ("[v1.x]") and zone ids
 * are refused, as no address of ours can have them. */
static bool uri_is_ipv6_literal(const char *s, size_t len)
{
    char text[INET6_ADDRSTRLEN];
    struct in6_addr addr;
    if (len < 2 || s[0] != '[' || s[len - 1] != ']' || len - 2 >= sizeof(text))
        return false;
    memcpy(text, s + 1, len - 2);
    text[len - 2] = '\0';
    return inet_pton(AF_INET6, text, &addr) == 1;
}

/* A reg-name or IPv4 address as a server name can be: letters, digits, '-', '.', '_'. */
static bool uri_is_name_char(unsigned char c)
{
    return uri_is_alnum(c) || c == '-' || c == '.' || c == '_';
}

int pfd_uri_host_normalize(char *host, size_t len)
{
    size_t end = len;
    if (host[0] == '[') {
        const char *close = memchr(host, ']', len);
        if (close == NULL)
            return 400;
        end = (size_t)(close - host) + 1;
        if (!uri_is_ipv6_literal(host, end))
            return 400;
    } else {
        const char *colon = memchr(host, ':', len);
        if (colon != NULL)
            end = (size_t)(colon - host);
        for (size_t i = 0; i < end; i++)
            if (!uri_is_name_char((unsigned char)host[i]))
                return 400;
    }
    if (end < len) { /* the port: ':' and digits only */
        if (host[end] != ':')
            return 400;
        for (size_t i = end + 1; i < len; i++)
            if (host[i] < '0' || host[i] > '9')
                return 400;
    }
    for (size_t i = 0; i < end; i++)
        if (host[i] >= 'A' && host[i] <= 'Z')
            host[i] = (char)(host[i] - 'A' + 'a');
    if (end > 1 && host[end - 1] == '.')
        end--;
    host[end] = '\0';
    return 0;
}

int pfd_uri_map(const char *root, const char *path, char *out, size_t out_size)
{
    size_t root_len = strlen(root), path_len = strlen(path);
    /* Defence in depth: only a normalised absolute path may be joined to a root. */
    if (path[0] != '/' || strstr(path, "/../") != NULL ||
        (path_len >= 3 && strcmp(path + path_len - 3, "/..") == 0))
        return 400;
    while (root_len > 0 && root[root_len - 1] == '/')
        root_len--; /* "/srv/www/" + "/a" must not become "/srv/www//a" */
    if (root_len + path_len + 1 > out_size)
        return 414;
    memcpy(out, root, root_len);
    memcpy(out + root_len, path, path_len + 1);
    return 0;
}

bool pfd_uri_path_is_hidden(const char *path)
{
    if (path[0] == '.')
        return true;
    for (const char *p = strchr(path, '/'); p != NULL; p = strchr(p + 1, '/'))
        if (p[1] == '.')
            return true;
    return false;
}

int pfd_uri_escape_path(const char *path, char *out, size_t out_size)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)path; *p != '\0'; p++) {
        bool safe = uri_is_path_safe(*p);
        if (o + (safe ? 1 : 3) + 1 > out_size)
            return -1;
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
