/*
 * access.h — addresses and CIDR blocks: the one parser and matcher behind location allow/deny,
 * trusted_proxies and the modules' address lists (module.h's pfd_addresses_*, mod_status's
 * allow_from), so that one entry means the same everywhere.
 *
 * Pure functions. Every address is held in its IPv6 form, IPv4 as ::ffff:a.b.c.d (RFC 4291
 * §2.5.5.2), so an IPv4 rule also matches a client that reached an IPv6 socket through a mapped
 * address, and one comparison serves both families.
 */
#ifndef PFD_ACCESS_H
#define PFD_ACCESS_H

#include <stdbool.h>
#include <stddef.h>

struct pfd_cidr {
    unsigned char addr[16]; /* network address, host bits cleared */
    unsigned bits;          /* prefix length on the 128-bit form; 0 matches everything */
};

struct pfd_access {
    struct pfd_cidr *allow; /* empty: everyone not denied */
    size_t nallow;
    struct pfd_cidr *deny;
    size_t ndeny;
};

/* "all", "1.2.3.4", "10.0.0.0/8", "::1", "2001:db8::/32", "::ffff:10.0.0.0/104". 0, or -1 with
 * *why set. Host bits set beyond the prefix are refused, at -t with the entry's FILE:LINE (a typo
 * such as 10.0.0.1/8 — meant /32? — is not silently widened to a network; nginx masks with a
 * warning, we refuse). "all" is ::/0: every IPv4 and IPv6 client. An IPv4 block (0.0.0.0/0
 * too) matches IPv4 clients, mapped ones included, and no native IPv6 one. */
int pfd_cidr_parse(const char *text, struct pfd_cidr *out, const char **why);
bool pfd_cidr_match(const struct pfd_cidr *c, const unsigned char addr[16]);
/* The n entries of texts into a malloc'd array (*out, NULL when n is 0; freed by the caller).
 * 0, or -1 with *why (NULL: out of memory) and *bad the index of the entry refused. */
int pfd_cidr_list_parse(char *const *texts, size_t n, struct pfd_cidr **out, const char **why,
                        size_t *bad);
/* Whether ip (numeric text, as inet_ntop() writes it) is in one of the n blocks of list. */
bool pfd_cidr_list_match(const struct pfd_cidr *list, size_t n, const char *ip);
/* A numeric IPv4 or IPv6 address (as inet_ntop() wrote it) into the 16-byte form. 0 or -1. */
int pfd_access_addr(const char *text, unsigned char out[16]);
/* Whether a client may pass: the most specific rule that matches it decides (deny on a tie);
 * when none matches, it passes unless there are allow rules. */
bool pfd_access_allowed(const struct pfd_access *a, const unsigned char addr[16]);
/* Whether a has rules at all. */
bool pfd_access_any(const struct pfd_access *a);

#endif
