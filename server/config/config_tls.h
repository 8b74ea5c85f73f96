/*
 * config_tls.h — tls_listen and the tls { } sections (config_tls.c). Internal to the config
 * loader; the contexts are made from them by serve/tls.c.
 */
#ifndef PFD_CONFIG_TLS_H
#define PFD_CONFIG_TLS_H

#include "config/config.h"
#include "config/config_load.h"

/* TLS 1.2 and 1.3 only: 1.0 and 1.1 are deprecated (RFC 8996). */
#define CONFIG_TLS_PROTOCOLS "TLSv1.2 TLSv1.3"
/* Mozilla's "intermediate" profile for TLS 1.2 (TLS 1.3 suites are OpenSSL's defaults, all of
 * them AEAD): forward secrecy and AEAD only, still every browser of the last decade. */
#define CONFIG_TLS_CIPHERS                                                                         \
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"     \
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"       \
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305"

/* Copies the top level's tls { } and each vhost's (after config_routes()), and checks that
 * tls_listen has a certificate to serve. 0, or -1 when out of memory (errors are reported). */
int config_tls(struct config_load *ld);
/* Frees what config_tls() made. */
void config_tls_free(struct pfd_config *conf);

#endif
