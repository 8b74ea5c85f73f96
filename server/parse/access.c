/*
 * access.c — CIDR rules (see access.h), and the modules' compiled address lists (module.h).
 */
#include "parse/access.h"

#include "preforkd/module.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

int pfd_access_addr(const char *text, unsigned char out[16])
{
    struct in_addr v4;
    if (inet_pton(AF_INET, text, &v4) == 1) {
        memset(out, 0, 10);
        out[10] = out[11] = 0xff;
        memcpy(out + 12, &v4, 4);
        return 0;
    }
    return inet_pton(AF_INET6, text, out) == 1 ? 0 : -1;
}

/* The prefix length after '/': 0..max, or -1. */
static int access_prefix(const char *s, unsigned max)
{
    if (*s < '0' || *s > '9' || strlen(s) > 3)
        return -1;
    char *end;
    long n = strtol(s, &end, 10);
    return *end == '\0' && n >= 0 && n <= (long)max ? (int)n : -1;
}

int pfd_cidr_parse(const char *text, struct pfd_cidr *out, const char **why)
{
    memset(out, 0, sizeof(*out));
    if (strcmp(text, "all") == 0)
        return 0;
    char addr[64];
    const char *slash = strchr(text, '/');
    size_t alen = slash != NULL ? (size_t)(slash - text) : strlen(text);
    if (alen == 0 || alen >= sizeof(addr)) {
        *why = "not an address, CIDR block or \"all\"";
        return -1;
    }
    memcpy(addr, text, alen);
    addr[alen] = '\0';
    if (pfd_access_addr(addr, out->addr) == -1) {
        *why = "not an address, CIDR block or \"all\"";
        return -1;
    }
    bool v4 = strchr(addr, ':') == NULL;
    unsigned max = v4 ? 32 : 128;
    int bits = slash != NULL ? access_prefix(slash + 1, max) : (int)max;
    if (bits < 0) {
        *why = v4 ? "the prefix length must be 0..32" : "the prefix length must be 0..128";
        return -1;
    }
    out->bits = (unsigned)bits + (v4 ? 96 : 0);
    struct pfd_cidr net = *out;
    for (unsigned i = out->bits; i < 128; i++)
        net.addr[i / 8] &= (unsigned char)~(0x80u >> (i % 8));
    if (memcmp(net.addr, out->addr, 16) != 0) {
        *why = "host bits are set beyond the prefix length";
        return -1;
    }
    return 0;
}

bool pfd_cidr_match(const struct pfd_cidr *c, const unsigned char addr[16])
{
    unsigned whole = c->bits / 8, rest = c->bits % 8;
    if (memcmp(c->addr, addr, whole) != 0)
        return false;
    if (rest == 0)
        return true;
    unsigned char mask = (unsigned char)(0xffu << (8 - rest));
    return (c->addr[whole] & mask) == (addr[whole] & mask);
}

int pfd_cidr_list_parse(char *const *texts, size_t n, struct pfd_cidr **out, const char **why,
                        size_t *bad)
{
    *out = NULL;
    if (n == 0)
        return 0;
    struct pfd_cidr *list = calloc(n, sizeof(*list));
    *why = NULL;
    *bad = 0;
    if (list == NULL)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (pfd_cidr_parse(texts[i], &list[i], why) != 0) {
            *bad = i;
            free(list);
            return -1;
        }
    }
    *out = list;
    return 0;
}

bool pfd_cidr_list_match(const struct pfd_cidr *list, size_t n, const char *ip)
{
    unsigned char addr[16];
    if (n == 0 || pfd_access_addr(ip, addr) != 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (pfd_cidr_match(&list[i], addr))
            return true;
    return false;
}

/* ---- for modules (module.h) ---------------------------------------------------------------- */

struct pfd_addresses {
    struct pfd_cidr *cidrs;
    size_t n;
};

const char *pfd_address_check(const char *entry)
{
    struct pfd_cidr c;
    const char *why = NULL;
    return pfd_cidr_parse(entry, &c, &why) == 0 ? NULL : why;
}

struct pfd_addresses *pfd_addresses_parse(char *const *list, size_t n)
{
    struct pfd_addresses *a = calloc(1, sizeof(*a));
    const char *why;
    size_t bad;
    if (a == NULL || pfd_cidr_list_parse(list, n, &a->cidrs, &why, &bad) != 0) {
        free(a);
        return NULL;
    }
    a->n = n;
    return a;
}

struct pfd_addresses *pfd_addresses_dup(const struct pfd_addresses *from)
{
    struct pfd_addresses *a = calloc(1, sizeof(*a));
    if (a == NULL || from->n == 0)
        return a;
    a->cidrs = malloc(from->n * sizeof(*a->cidrs));
    if (a->cidrs == NULL) {
        free(a);
        return NULL;
    }
    memcpy(a->cidrs, from->cidrs, from->n * sizeof(*a->cidrs));
    a->n = from->n;
    return a;
}

bool pfd_addresses_match(const struct pfd_addresses *a, const char *ip)
{
    return a != NULL && pfd_cidr_list_match(a->cidrs, a->n, ip);
}

void pfd_addresses_free(struct pfd_addresses *a)
{
    if (a != NULL)
        free(a->cidrs);
    free(a);
}

/* ---- allow and deny ------------------------------------------------------------------------ */

/* The longest prefix among the rules of list that match addr, or -1 when none does. */
static int access_best_match(const struct pfd_cidr *list, size_t n, const unsigned char addr[16])
{
    int best = -1;
    for (size_t i = 0; i < n; i++)
        if ((int)list[i].bits > best && pfd_cidr_match(&list[i], addr))
            best = (int)list[i].bits;
    return best;
}

/* The most specific matching rule decides (a tie goes to deny), so both `allow 127.0.0.1` with
 * `deny all` and `allow 10.0.0.0/8` with `deny 10.0.0.5` mean what they say, in any order. No
 * matching rule: allowed unless there are allow rules. */
bool pfd_access_allowed(const struct pfd_access *a, const unsigned char addr[16])
{
    int allow = access_best_match(a->allow, a->nallow, addr);
    int deny = access_best_match(a->deny, a->ndeny, addr);
    if (allow < 0 && deny < 0)
        return a->nallow == 0;
    return allow > deny;
}

bool pfd_access_any(const struct pfd_access *a)
{
    return a->nallow > 0 || a->ndeny > 0;
}
