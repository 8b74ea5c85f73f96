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

/* An address or CIDR block of trusted_proxies, parsed once at config load. */
struct pfd_proxy_cidr {
    int af;
    unsigned char addr[16];
    int bits;
};

/* Parses the n entries of list (each accepted by pfd_proxy_check_cidr) into a malloc'd array
 * (*out, freed by the caller). 0, or -1 for a bad entry or no memory. */
int pfd_proxy_cidrs_make(char *const *list, size_t n, struct pfd_proxy_cidr **out);
/* pfd_proxy_trusted() over parsed entries: what the request path uses. */
bool pfd_proxy_in_cidrs(const char *ip, const struct pfd_proxy_cidr *cidrs, size_t n);
/* pfd_proxy_forwarded_for() over parsed entries. */
bool pfd_proxy_client_from_xff(const char *xff, const struct pfd_proxy_cidr *trusted,
                               size_t ntrusted, char out[INET6_ADDRSTRLEN]);

/*
 * Whether ip (numeric IPv4 or IPv6 text) falls in one of the n entries of list: addresses
 * ("10.1.2.3", "::1") or CIDR blocks ("10.0.0.0/8", "fd00::/8"). An IPv4-mapped IPv6 address
 * ("::ffff:10.1.2.3") matches the IPv4 entries.
 */
bool pfd_proxy_trusted(const char *ip, char *const *list, size_t n);
/* Whether value is an entry pfd_proxy_trusted() understands: NULL when good, else why not (the
 * config_check_fn signature). */
const char *pfd_proxy_check_cidr(const char *value);

/*
 * The client address from an X-Forwarded-For value: walking from the right (the entry the
 * nearest proxy added), the first address that is not trusted; when every entry is trusted, the
 * leftmost. Copies it into out (INET6_ADDRSTRLEN bytes) and returns true; false when the value
 * holds no valid address where one is needed (then the peer address should be kept). Entries
 * are numeric addresses separated by commas and blanks; "[v6]" and "v4:port" forms are accepted.
 */
bool pfd_proxy_forwarded_for(const char *xff, char *const *trusted, size_t ntrusted,
                             char out[INET6_ADDRSTRLEN]);

#endif
