/*
 * proxy_protocol.c — the PROXY protocol header (haproxy.org/download/2.8/doc/proxy-protocol.txt)
 * and X-Forwarded-For from trusted proxies: pure parsers, see proxy_protocol.h.
 */
#include "parse/proxy_protocol.h"

#include "parse/access.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char proxy_v2_signature[12] = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D,
                                                     0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

/* ---- version 1: "PROXY TCP4 1.2.3.4 5.6.7.8 1111 2222\r\n" ------------------------------ */

/* A port: 1 to 5 digits, at most 65535. -1 when not one. */
static int proxy_port(const char *s, size_t n)
{
    if (n == 0 || n > 5)
        return -1;
    int port = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        port = port * 10 + (s[i] - '0');
    }
    return port <= 65535 ? port : -1;
}

/* A numeric address of family af, copied (canonical) into out. 0 or -1. */
static int proxy_address(int af, const char *s, size_t n, char out[INET6_ADDRSTRLEN])
{
    char text[INET6_ADDRSTRLEN];
    unsigned char bin[16];
    if (n == 0 || n >= sizeof(text))
        return -1;
    memcpy(text, s, n);
    text[n] = '\0';
    if (inet_pton(af, text, bin) != 1)
        return -1;
    return inet_ntop(af, bin, out, INET6_ADDRSTRLEN) != NULL ? 0 : -1;
}

/* The four fields after "TCP4 "/"TCP6 ", each separated by exactly one space. */
static int proxy_v1_fields(int af, const char *p, const char *end, struct pfd_proxy_header *out)
{
    const char *field[4];
    size_t flen[4];
    for (int i = 0; i < 4; i++) {
        const char *sp = memchr(p, ' ', (size_t)(end - p));
        const char *stop = i < 3 ? sp : end;
        if (stop == NULL || (i == 3 && sp != NULL))
            return -1;
        field[i] = p;
        flen[i] = (size_t)(stop - p);
        p = stop + 1;
    }
    if (proxy_address(af, field[0], flen[0], out->src_ip) != 0 ||
        proxy_address(af, field[1], flen[1], out->dst_ip) != 0)
        return -1;
    out->src_port = proxy_port(field[2], flen[2]);
    out->dst_port = proxy_port(field[3], flen[3]);
    if (out->src_port < 0 || out->dst_port < 0)
        return -1;
    out->has_address = true;
    return 0;
}

static long proxy_parse_v1(const char *buf, size_t len, struct pfd_proxy_header *out)
{
    static const char prefix[] = "PROXY ";
    size_t plen = sizeof(prefix) - 1;
    if (memcmp(buf, prefix, len < plen ? len : plen) != 0)
        return -1;
    size_t scan = len < PFD_PROXY_V1_MAX ? len : PFD_PROXY_V1_MAX;
    const char *cr = NULL;
    for (size_t i = 0; i + 1 < scan && cr == NULL; i++)
        if (buf[i] == '\r' && buf[i + 1] == '\n')
            cr = buf + i;
    if (cr == NULL)
        return len >= PFD_PROXY_V1_MAX ? -1 : 0;
    if ((size_t)(cr - buf) < plen)
        return -1;
    const char *p = buf + plen;
    long total = (long)(cr - buf) + 2;
    if ((size_t)(cr - p) >= 7 && memcmp(p, "UNKNOWN", 7) == 0 && (p + 7 == cr || p[7] == ' '))
        return total; /* the sender does not know, or will not say: keep the connection's */
    int af = 0;
    if ((size_t)(cr - p) > 5 && memcmp(p, "TCP4 ", 5) == 0)
        af = AF_INET;
    else if ((size_t)(cr - p) > 5 && memcmp(p, "TCP6 ", 5) == 0)
        af = AF_INET6;
    if (af == 0 || proxy_v1_fields(af, p + 5, cr, out) != 0)
        return -1;
    return total;
}

/* ---- version 2: binary -------------------------------------------------------------------- */

static long proxy_parse_v2(const unsigned char *b, size_t len, struct pfd_proxy_header *out)
{
    size_t slen = sizeof(proxy_v2_signature);
    if (memcmp(b, proxy_v2_signature, len < slen ? len : slen) != 0)
        return -1;
    if (len >= 13 && ((b[12] >> 4) != 2 || (b[12] & 0x0F) > 1))
        return -1; /* version 2; command LOCAL (0) or PROXY (1) */
    if (len >= 14 && ((b[13] >> 4) > 3 || (b[13] & 0x0F) > 2))
        return -1; /* family UNSPEC/INET/INET6/UNIX, protocol UNSPEC/STREAM/DGRAM */
    if (len < PFD_PROXY_V2_FIXED)
        return 0;
    size_t total = PFD_PROXY_V2_FIXED + ((size_t)b[14] << 8 | b[15]);
    if (total > PFD_PROXY_MAX)
        return -1;
    int family = b[13] >> 4, protocol = b[13] & 0x0F;
    size_t need = family == 1 ? 12 : family == 2 ? 36 : family == 3 ? 216 : 0;
    if (total - PFD_PROXY_V2_FIXED < need)
        return -1; /* the addresses do not fit the length it announced */
    if (len < total)
        return 0;
    bool proxied = (b[12] & 0x0F) == 1;
    if (!proxied || protocol != 1 || (family != 1 && family != 2))
        return (long)total; /* LOCAL, UNSPEC, UNIX or DGRAM: keep the connection's addresses */
    const unsigned char *a = b + PFD_PROXY_V2_FIXED;
    int af = family == 1 ? AF_INET : AF_INET6;
    size_t alen = family == 1 ? 4 : 16;
    if (inet_ntop(af, a, out->src_ip, sizeof(out->src_ip)) == NULL ||
        inet_ntop(af, a + alen, out->dst_ip, sizeof(out->dst_ip)) == NULL)
        return -1;
    out->src_port = a[2 * alen] << 8 | a[2 * alen + 1];
    out->dst_port = a[2 * alen + 2] << 8 | a[2 * alen + 3];
    out->has_address = true;
    return (long)total;
}

long pfd_proxy_parse(const void *buf, size_t len, struct pfd_proxy_header *out)
{
    memset(out, 0, sizeof(*out));
    if (len == 0)
        return 0;
    const unsigned char *b = buf;
    if (b[0] == 'P')
        return proxy_parse_v1(buf, len, out);
    if (b[0] == 0x0D)
        return proxy_parse_v2(b, len, out);
    return -1;
}

/* ---- X-Forwarded-For ---------------------------------------------------------------------- */

/* One X-Forwarded-For entry (blanks trimmed) → canonical address text. 0 or -1. */
static int proxy_xff_entry(const char *s, size_t n, char out[INET6_ADDRSTRLEN])
{
    while (n > 0 && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n > 0 && s[0] == '[') { /* "[v6]" or "[v6]:port" */
        const char *close = memchr(s, ']', n);
        if (close == NULL)
            return -1;
        return proxy_address(AF_INET6, s + 1, (size_t)(close - s - 1), out);
    }
    const char *colon = memchr(s, ':', n);
    if (colon != NULL && memchr(colon + 1, ':', n - (size_t)(colon + 1 - s)) == NULL)
        return proxy_address(AF_INET, s, (size_t)(colon - s), out); /* "v4:port" */
    return proxy_address(colon != NULL ? AF_INET6 : AF_INET, s, n, out);
}

/* Entries looked at, at most: a longer chain of proxies is not believable. */
#define PROXY_XFF_MAX_HOPS 64

bool pfd_proxy_client_from_xff(const char *xff, const struct pfd_cidr *trusted, size_t ntrusted,
                               char out[INET6_ADDRSTRLEN])
{
    size_t end = strlen(xff);
    for (int hop = 0; hop < PROXY_XFF_MAX_HOPS; hop++) {
        size_t start = end;
        while (start > 0 && xff[start - 1] != ',')
            start--;
        char ip[INET6_ADDRSTRLEN];
        if (proxy_xff_entry(xff + start, end - start, ip) != 0)
            return false;
        if (!pfd_cidr_list_match(trusted, ntrusted, ip) || start == 0) {
            memcpy(out, ip, sizeof(ip));
            return true;
        }
        end = start - 1; /* before the comma */
    }
    return false;
}
