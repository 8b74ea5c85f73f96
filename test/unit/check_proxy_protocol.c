/*
 * check_proxy_protocol.c — server/parse/proxy_protocol.c: PROXY protocol v1 and v2 headers
 * (complete, partial, malformed, LOCAL/UNKNOWN), trusted-proxy blocks, and X-Forwarded-For.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_route_check.h"
#include "parse/access.h"
#include "parse/proxy_protocol.h"
#include "preforkd/module.h"
#include "testsupport_run.h"

/* ---- version 1 ---------------------------------------------------------------------------- */

static const struct {
    const char *what;
    const char *in;
    long rc; /* -2: the whole input's length */
    const char *src;
    int sport;
    const char *dst;
    int dport;
} v1_cases[] = {
    {"tcp4", "PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\nGET", 45, "192.0.2.1", 56324,
     "198.51.100.2", 443},
    {"tcp6", "PROXY TCP6 2001:db8::1 2001:db8::2 1 65535\r\n", -2, "2001:db8::1", 1, "2001:db8::2",
     65535},
    {"tcp6 canonical form", "PROXY TCP6 2001:DB8:0:0::1 ::1 80 80\r\n", -2, "2001:db8::1", 80,
     "::1", 80},
    {"unknown", "PROXY UNKNOWN\r\n", -2, NULL, 0, NULL, 0},
    {"unknown with addresses", "PROXY UNKNOWN ffff:f::1 ffff:f::2 1 2\r\n", -2, NULL, 0, NULL, 0},
    {"port zero", "PROXY TCP4 1.2.3.4 5.6.7.8 0 0\r\n", -2, "1.2.3.4", 0, "5.6.7.8", 0},
    {"empty", "", 0, NULL, 0, NULL, 0},
    {"prefix only", "PRO", 0, NULL, 0, NULL, 0},
    {"no CRLF yet", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2", 0, NULL, 0, NULL, 0},
    {"CR without LF yet", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r", 0, NULL, 0, NULL, 0},
    {"plain HTTP", "GET / HTTP/1.1\r\n\r\n", -1, NULL, 0, NULL, 0},
    {"lower case", "proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n", -1, NULL, 0, NULL, 0},
    {"P then garbage", "PUT / HTTP/1.1\r\n", -1, NULL, 0, NULL, 0},
    {"family mismatch", "PROXY TCP4 ::1 ::1 1 2\r\n", -1, NULL, 0, NULL, 0},
    {"tcp6 with v4", "PROXY TCP6 1.2.3.4 5.6.7.8 1 2\r\n", -1, NULL, 0, NULL, 0},
    {"port too big", "PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n", -1, NULL, 0, NULL, 0},
    {"port sign", "PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n", -1, NULL, 0, NULL, 0},
    {"missing port", "PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n", -1, NULL, 0, NULL, 0},
    {"extra field", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n", -1, NULL, 0, NULL, 0},
    {"double space", "PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n", -1, NULL, 0, NULL, 0},
    {"bad address", "PROXY TCP4 1.2.3.999 5.6.7.8 1 2\r\n", -1, NULL, 0, NULL, 0},
    {"other protocol", "PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n", -1, NULL, 0, NULL, 0},
    {"bare LF", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n\r\n", -1, NULL, 0, NULL, 0},
    {"too long",
     "PROXY UNKNOWN aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n",
     -1, NULL, 0, NULL, 0},
};

START_TEST(test_v1)
{
    const char *in = v1_cases[_i].in;
    struct pfd_proxy_header h;
    long want = v1_cases[_i].rc == -2 ? (long)strlen(in) : v1_cases[_i].rc;
    long rc = pfd_proxy_parse(in, strlen(in), &h);
    ck_assert_msg(rc == want, "%s: %ld, expected %ld", v1_cases[_i].what, rc, want);
    if (rc > 0) {
        ck_assert_msg(h.has_address == (v1_cases[_i].src != NULL), "%s: has_address",
                      v1_cases[_i].what);
        if (v1_cases[_i].src != NULL) {
            ck_assert_str_eq(h.src_ip, v1_cases[_i].src);
            ck_assert_str_eq(h.dst_ip, v1_cases[_i].dst);
            ck_assert_int_eq(h.src_port, v1_cases[_i].sport);
            ck_assert_int_eq(h.dst_port, v1_cases[_i].dport);
        }
    }
}
END_TEST

/* Every proper prefix of a valid header asks for more; never a false verdict. */
START_TEST(test_v1_prefixes)
{
    const char *in = "PROXY TCP6 2001:db8::1 2001:db8::2 1 65535\r\n";
    struct pfd_proxy_header h;
    for (size_t n = 0; n < strlen(in); n++)
        ck_assert_msg(pfd_proxy_parse(in, n, &h) == 0, "prefix of %zu bytes", n);
}
END_TEST

/* ---- version 2 ---------------------------------------------------------------------------- */

static const unsigned char sig[12] = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D,
                                      0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

/* A v2 header: ver_cmd, fam, then body of body_len bytes; returns its length. */
static size_t v2_build(unsigned char *out, unsigned char ver_cmd, unsigned char fam,
                       const unsigned char *body, size_t body_len)
{
    memcpy(out, sig, 12);
    out[12] = ver_cmd;
    out[13] = fam;
    out[14] = (unsigned char)(body_len >> 8);
    out[15] = (unsigned char)body_len;
    if (body_len > 0)
        memcpy(out + 16, body, body_len);
    return 16 + body_len;
}

START_TEST(test_v2_inet)
{
    unsigned char body[12 + 7] = {192,
                                  0,
                                  2,
                                  1,
                                  10,
                                  0,
                                  0,
                                  1,
                                  0xDC,
                                  0x04,
                                  0x01,
                                  0xBB,
                                  /* a TLV, ignored */ 0x04,
                                  0x00,
                                  0x04,
                                  'a',
                                  'b',
                                  'c',
                                  'd'};
    unsigned char buf[64];
    size_t n = v2_build(buf, 0x21, 0x11, body, sizeof(body));
    memcpy(buf + n, "GET", 3);
    struct pfd_proxy_header h;
    ck_assert_int_eq(pfd_proxy_parse(buf, n + 3, &h), (long)n);
    ck_assert(h.has_address);
    ck_assert_str_eq(h.src_ip, "192.0.2.1");
    ck_assert_str_eq(h.dst_ip, "10.0.0.1");
    ck_assert_int_eq(h.src_port, 56324);
    ck_assert_int_eq(h.dst_port, 443);
    for (size_t k = 0; k < n; k++)
        ck_assert_msg(pfd_proxy_parse(buf, k, &h) == 0, "prefix of %zu bytes", k);
}
END_TEST

START_TEST(test_v2_inet6)
{
    unsigned char body[36] = {0x20, 0x01, 0x0d,     0xb8,     [15] = 1, [16] = 0x20, 0x01,
                              0x0d, 0xb8, [31] = 2, [32] = 0, 80,       0x1F,        0x90};
    unsigned char buf[64];
    size_t n = v2_build(buf, 0x21, 0x21, body, sizeof(body));
    struct pfd_proxy_header h;
    ck_assert_int_eq(pfd_proxy_parse(buf, n, &h), (long)n);
    ck_assert(h.has_address);
    ck_assert_str_eq(h.src_ip, "2001:db8::1");
    ck_assert_str_eq(h.dst_ip, "2001:db8::2");
    ck_assert_int_eq(h.src_port, 80);
    ck_assert_int_eq(h.dst_port, 8080);
}
END_TEST

/* Complete headers that keep the connection's own addresses. */
START_TEST(test_v2_no_address)
{
    unsigned char body[216] = {0};
    unsigned char buf[300];
    struct pfd_proxy_header h;
    size_t n = v2_build(buf, 0x20, 0x00, NULL, 0); /* LOCAL: a health check */
    ck_assert_int_eq(pfd_proxy_parse(buf, n, &h), (long)n);
    ck_assert(!h.has_address);
    n = v2_build(buf, 0x21, 0x00, NULL, 0); /* PROXY, UNSPEC */
    ck_assert_int_eq(pfd_proxy_parse(buf, n, &h), (long)n);
    ck_assert(!h.has_address);
    n = v2_build(buf, 0x21, 0x31, body, sizeof(body)); /* UNIX */
    ck_assert_int_eq(pfd_proxy_parse(buf, n, &h), (long)n);
    ck_assert(!h.has_address);
    n = v2_build(buf, 0x21, 0x12, body, 12); /* DGRAM */
    ck_assert_int_eq(pfd_proxy_parse(buf, n, &h), (long)n);
    ck_assert(!h.has_address);
    n = v2_build(buf, 0x20, 0x11, body, 12); /* LOCAL with addresses: ignored */
    ck_assert_int_eq(pfd_proxy_parse(buf, n, &h), (long)n);
    ck_assert(!h.has_address);
}
END_TEST

START_TEST(test_v2_malformed)
{
    unsigned char body[64] = {0};
    unsigned char buf[128];
    struct pfd_proxy_header h;
    size_t n = v2_build(buf, 0x11, 0x11, body, 12); /* version 1 in a v2 frame */
    ck_assert_int_eq(pfd_proxy_parse(buf, n, &h), -1);
    n = v2_build(buf, 0x22, 0x11, body, 12); /* command 2 */
    ck_assert_int_eq(pfd_proxy_parse(buf, n, &h), -1);
    n = v2_build(buf, 0x21, 0x41, body, 12); /* family 4 */
    ck_assert_int_eq(pfd_proxy_parse(buf, n, &h), -1);
    n = v2_build(buf, 0x21, 0x13, body, 12); /* protocol 3 */
    ck_assert_int_eq(pfd_proxy_parse(buf, n, &h), -1);
    n = v2_build(buf, 0x21, 0x11, body, 11); /* addresses do not fit */
    ck_assert_int_eq(pfd_proxy_parse(buf, n, &h), -1);
    n = v2_build(buf, 0x21, 0x21, body, 35);
    ck_assert_int_eq(pfd_proxy_parse(buf, n, &h), -1);
    buf[3] = 'X'; /* signature */
    ck_assert_int_eq(pfd_proxy_parse(buf, 4, &h), -1);
    /* Announcing more than PFD_PROXY_MAX is refused at once, not waited for. */
    n = v2_build(buf, 0x21, 0x11, body, 12);
    buf[14] = 0xFF;
    buf[15] = 0xFF;
    ck_assert_int_eq(pfd_proxy_parse(buf, n, &h), -1);
    /* Only the first byte tells v1 from v2 from anything else. */
    ck_assert_int_eq(pfd_proxy_parse("\x16\x03\x01", 3, &h), -1); /* a TLS ClientHello */
}
END_TEST

/* ---- trusted proxies and X-Forwarded-For -------------------------------------------------- */

static char *trusted[] = {"10.0.0.0/8", "127.0.0.1", "fd00::/8", "192.168.1.128/25"};
#define NTRUSTED (sizeof(trusted) / sizeof(trusted[0]))

static const struct {
    const char *ip;
    bool trusted;
} trust_cases[] = {
    {"10.1.2.3", true},
    {"11.0.0.1", false},
    {"127.0.0.1", true},
    {"127.0.0.2", false},
    {"fd12::1", true},
    {"fe80::1", false},
    {"::ffff:10.9.9.9", true},
    {"192.168.1.200", true},
    {"192.168.1.127", false},
    {"not an address", false},
    {"", false},
    {"::1", false},
};

/* trusted, parsed as the config loader parses trusted_proxies (access.h: the one rule). */
static struct pfd_cidr *trusted_parsed(void)
{
    struct pfd_cidr *cidrs;
    const char *why;
    size_t bad;
    ck_assert_int_eq(pfd_cidr_list_parse(trusted, NTRUSTED, &cidrs, &why, &bad), 0);
    return cidrs;
}

START_TEST(test_trusted)
{
    struct pfd_cidr *cidrs = trusted_parsed();
    ck_assert_msg(pfd_cidr_list_match(cidrs, NTRUSTED, trust_cases[_i].ip) ==
                      trust_cases[_i].trusted,
                  "%s", trust_cases[_i].ip);
    free(cidrs);
}
END_TEST

/* trusted_proxies, location allow/deny and mod_status's allow_from take the same entries: "all"
 * everywhere, host bits beyond the prefix ("10.0.0.1/8": meant /32?) nowhere. */
START_TEST(test_check_cidr)
{
    const char *good[] = {"1.2.3.4", "0.0.0.0/0", "10.0.0.0/8", "::1", "::/0", "fd00::/128", "all"};
    const char *bad[] = {"",           "1.2.3", "10.0.0.0/33",  "::1/129",       "10.0.0.0/",
                         "10.0.0.0/a", "/8",    "host.example", "10.0.0.0/0008", "10.0.0.1/8",
                         "fd00::1/8",  "ALL"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        ck_assert_msg(pfd_address_check(good[i]) == NULL, "%s", good[i]);
        ck_assert_msg(config_check_cidr(good[i]) == NULL, "%s", good[i]);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(pfd_address_check(bad[i]) != NULL, "%s", bad[i]);
        ck_assert_msg(config_check_cidr(bad[i]) != NULL, "%s", bad[i]);
    }
}
END_TEST

/* A module's compiled list (mod_status's allow_from) matches as trusted_proxies does. */
START_TEST(test_addresses)
{
    struct pfd_addresses *a = pfd_addresses_parse(trusted, NTRUSTED);
    ck_assert_ptr_nonnull(a);
    ck_assert_msg(pfd_addresses_match(a, trust_cases[_i].ip) == trust_cases[_i].trusted, "%s",
                  trust_cases[_i].ip);
    struct pfd_addresses *copy = pfd_addresses_dup(a);
    ck_assert_msg(pfd_addresses_match(copy, trust_cases[_i].ip) == trust_cases[_i].trusted, "%s",
                  trust_cases[_i].ip);
    pfd_addresses_free(copy);
    pfd_addresses_free(a);
}
END_TEST

START_TEST(test_addresses_all_and_none)
{
    char *all[] = {"all"}, *v4all[] = {"0.0.0.0/0"}, *hostbits[] = {"10.0.0.1/8"};
    struct pfd_addresses *a = pfd_addresses_parse(all, 1), *v4 = pfd_addresses_parse(v4all, 1);
    struct pfd_addresses *none = pfd_addresses_parse(NULL, 0);
    ck_assert(pfd_addresses_match(a, "192.0.2.1"));
    ck_assert(pfd_addresses_match(a, "2001:db8::1"));
    ck_assert(pfd_addresses_match(v4, "192.0.2.1"));
    ck_assert(pfd_addresses_match(v4, "::ffff:192.0.2.1"));
    ck_assert(!pfd_addresses_match(v4, "2001:db8::1"));
    ck_assert(!pfd_addresses_match(none, "127.0.0.1"));
    ck_assert_ptr_null(pfd_addresses_parse(hostbits, 1));
    pfd_addresses_free(a);
    pfd_addresses_free(v4);
    pfd_addresses_free(none);
}
END_TEST

static const struct {
    const char *xff;
    const char *client; /* NULL: keep the peer */
} xff_cases[] = {
    {"203.0.113.7", "203.0.113.7"},
    {"203.0.113.7, 10.0.0.5", "203.0.113.7"},
    {"198.51.100.1, 203.0.113.7, 10.0.0.5", "203.0.113.7"}, /* the left one is the client's say */
    {"10.0.0.9, 10.0.0.5", "10.0.0.9"},                     /* all trusted: the leftmost */
    {" 203.0.113.7 ,10.0.0.5 ", "203.0.113.7"},
    {"2001:db8::7", "2001:db8::7"},
    {"[2001:db8::7]:4711", "2001:db8::7"},
    {"203.0.113.7:4711", "203.0.113.7"},
    {"garbage", NULL},
    {"", NULL},
    {"203.0.113.7, garbage", NULL}, /* the nearest entry is not an address */
    {"garbage, 203.0.113.7", "203.0.113.7"},
    {"203.0.113.7,,10.0.0.5", NULL},
};

START_TEST(test_forwarded_for)
{
    char out[INET6_ADDRSTRLEN] = "";
    struct pfd_cidr *cidrs = trusted_parsed();
    bool ok = pfd_proxy_client_from_xff(xff_cases[_i].xff, cidrs, NTRUSTED, out);
    free(cidrs);
    ck_assert_msg(ok == (xff_cases[_i].client != NULL), "\"%s\": %d", xff_cases[_i].xff, ok);
    if (ok)
        ck_assert_str_eq(out, xff_cases[_i].client);
}
END_TEST

START_TEST(test_forwarded_for_long_chain)
{
    char xff[64 * 12 + 64] = "203.0.113.7";
    for (int i = 0; i < 70; i++)
        strcat(xff, ",10.0.0.1");
    char out[INET6_ADDRSTRLEN];
    struct pfd_cidr *cidrs = trusted_parsed();
    ck_assert(!pfd_proxy_client_from_xff(xff, cidrs, NTRUSTED, out));
    free(cidrs);
}
END_TEST

static Suite *proxy_protocol_suite(void)
{
    Suite *s = suite_create("proxy_protocol");
    TCase *tc = tcase_create("v1");
    tcase_add_loop_test(tc, test_v1, 0, sizeof(v1_cases) / sizeof(v1_cases[0]));
    tcase_add_test(tc, test_v1_prefixes);
    suite_add_tcase(s, tc);
    tc = tcase_create("v2");
    tcase_add_test(tc, test_v2_inet);
    tcase_add_test(tc, test_v2_inet6);
    tcase_add_test(tc, test_v2_no_address);
    tcase_add_test(tc, test_v2_malformed);
    suite_add_tcase(s, tc);
    tc = tcase_create("forwarded");
    tcase_add_loop_test(tc, test_trusted, 0, sizeof(trust_cases) / sizeof(trust_cases[0]));
    tcase_add_test(tc, test_check_cidr);
    tcase_add_loop_test(tc, test_addresses, 0, sizeof(trust_cases) / sizeof(trust_cases[0]));
    tcase_add_test(tc, test_addresses_all_and_none);
    tcase_add_loop_test(tc, test_forwarded_for, 0, sizeof(xff_cases) / sizeof(xff_cases[0]));
    tcase_add_test(tc, test_forwarded_for_long_chain);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ts_run_suite(proxy_protocol_suite());
}
