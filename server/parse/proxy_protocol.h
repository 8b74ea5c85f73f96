/*
 * proxy_protocol.h — the client's real address when preforkd runs behind a load balancer:
 * the PROXY protocol header (HAProxy's v1 text and v2 binary forms, also what cloud network load
 * balancers send) at the start of a connection, and X-Forwarded-For from trusted proxies.
 * Pure functions (no I/O), unit-tested in test/unit/check_proxy_protocol.c.
 */
#ifndef PFD_PROXY_PROTOCOL_H
#define PFD_PROXY_PROTOCOL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

/* A v1 line is at most 107 bytes with its CRLF (spec §2.1). */
#define PFD_PROXY_V1_MAX 107
/* The v2 fixed part: 12-byte signature, version/command, family/protocol, 16-bit length. */
#define PFD_PROXY_V2_FIXED 16
/* Most v2 bytes accepted, TLVs included: addresses need 216 at most; cloud load balancers add a
 * few short TLVs. A longer header is refused rather than buffered. */
#define PFD_PROXY_MAX 4096

struct pfd_proxy_header {
    /* false: LOCAL (a health check from the proxy itself), UNKNOWN, or an address family we do
     * not map (AF_UNIX): the connection keeps its own addresses. */
    bool has_address;
    char src_ip[INET6_ADDRSTRLEN];
    int src_port;
    char dst_ip[INET6_ADDRSTRLEN];
    int dst_port;
};

/*
 * Parses a PROXY header (v1 or v2) at the start of buf[0..len). Returns its length (> 0) when it
 * is complete and valid, 0 when the bytes so far are a valid beginning and more are needed, -1
 * when they cannot start or be a PROXY header. Never reads past len.
 */
long pfd_proxy_parse(const void *buf, size_t len, struct pfd_proxy_header *out);

struct pfd_cidr;

/*
 * The client address from an X-Forwarded-For value, trusted being trusted_proxies parsed once
 * (access.h): walking from the right (the entry the nearest proxy added), the first address that
 * is not trusted; when every entry is trusted, the leftmost. Copies it into out (INET6_ADDRSTRLEN
 * bytes) and returns true; false when the value holds no valid address where one is needed (then
 * the peer address should be kept). Entries are numeric addresses separated by commas and
 * blanks; "[v6]" and "v4:port" forms are accepted.
 */
bool pfd_proxy_client_from_xff(const char *xff, const struct pfd_cidr *trusted, size_t ntrusted,
                               char out[INET6_ADDRSTRLEN]);

#endif
