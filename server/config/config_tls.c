/*
 * config_tls.c — HTTPS settings: the tls { } section at the top level (the default certificate)
 * and in each vhost (its own certificate, chosen by the client's SNI). Only paths and names are
 * read here; the files themselves are read by the master when it makes the contexts
 * (serve/tls.c), so that -t and a start report the same errors.
 */
#include "config/config_tls.h"

#include "config/config_parse.h"
#include "config/config_value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* verify_client, client_ca and verify_depth of one tls { } section that has a certificate. A
 * client certificate is only worth asking for with the CAs it must chain to, and those without
 * asking would be a setting that does nothing. */
static int config_tls_client_certificates(struct config_load *ld, cfg_t *sec,
                                          struct pfd_tls_settings *out, const char *where)
{
    const char *ca = cfg_getstr(sec, "client_ca");
    out->verify_client = config_tls_verify_client(cfg_getstr(sec, "verify_client"));
    out->verify_depth = (int)cfg_getint(sec, "verify_depth");
    out->client_ca_line = config_section_line(ld, sec, "client_ca");
    int verify_line = config_section_line(ld, sec, "verify_client");
    if (out->verify_client != PFD_TLS_VERIFY_OFF && ca == NULL)
        config_error(ld, verify_line > 0 ? verify_line : out->line,
                     "%stls { verify_client = \"%s\" }: needs client_ca, the PEM file of the CAs "
                     "that client certificates must chain to",
                     where, cfg_getstr(sec, "verify_client"));
    else if (out->verify_client == PFD_TLS_VERIFY_OFF && ca != NULL)
        config_error(ld, out->client_ca_line,
                     "%stls { client_ca }: set verify_client = \"optional\" or \"require\" too "
                     "(without it no client certificate is asked for)",
                     where);
    if (ca == NULL || out->verify_client == PFD_TLS_VERIFY_OFF)
        return 0;
    out->client_ca = config_path(ld->conf, ca, false);
    return out->client_ca == NULL ? config_oom(ld) : 0;
}

/* One tls { } section into out. A section that sets nothing leaves certificate NULL; one that
 * sets anything must name a certificate (a vhost's protocols without one would be ignored). */
static int config_tls_section(struct config_load *ld, cfg_t *sec, struct pfd_tls_settings *out,
                              const char *where)
{
    const char *cert = cfg_getstr(sec, "certificate"), *key = cfg_getstr(sec, "certificate_key");
    out->protocols = cfg_getstr(sec, "protocols");
    out->ciphers = cfg_getstr(sec, "ciphers");
    out->prefer_server_ciphers = cfg_getbool(sec, "prefer_server_ciphers") == cfg_true;
    out->ktls = cfg_getbool(sec, "ktls") == cfg_true;
    out->line = config_section_line(ld, sec, "certificate");
    out->key_line = config_section_line(ld, sec, "certificate_key");
    if (cert == NULL) {
        static const char *const others[] = {"certificate_key",       "protocols",     "ciphers",
                                             "prefer_server_ciphers", "verify_client", "client_ca",
                                             "verify_depth"};
        for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
            int line = config_section_line(ld, sec, others[i]);
            if (line > 0)
                config_error(ld, line, "%stls { %s }: needs a certificate in the same section",
                             where, others[i]);
        }
        return 0;
    }
    if (key == NULL) {
        config_error(ld, out->line,
                     "%stls { certificate \"%s\" }: certificate_key is missing (the private key's "
                     "PEM file)",
                     where, cert);
        return 0;
    }
    out->certificate = config_path(ld->conf, cert, false);
    out->certificate_key = config_path(ld->conf, key, false);
    if (out->certificate == NULL || out->certificate_key == NULL)
        return config_oom(ld);
    return config_tls_client_certificates(ld, sec, out, where);
}

int config_tls(struct config_load *ld)
{
    struct pfd_config *conf = ld->conf;
    if (config_tls_section(ld, cfg_getsec(conf->cfg, "tls"), &conf->tls, "") != 0)
        return -1;
    for (size_t v = 0; v < conf->nvhosts; v++) {
        struct pfd_vhost *vh = &conf->vhosts[v];
        cfg_t *sec = cfg_getsec(cfg_getnsec(conf->cfg, "vhost", (unsigned)v), "tls");
        char where[512];
        snprintf(where, sizeof(where), "vhost \"%s\": ", vh->name);
        if (config_tls_section(ld, sec, &vh->tls, where) != 0)
            return -1;
        if (vh->tls.certificate != NULL && conf->tls.certificate == NULL)
            config_error(ld, vh->tls.line,
                         "vhost \"%s\": tls { certificate }: the top level needs a tls { "
                         "certificate } too, served to clients that name no vhost",
                         vh->name);
    }
    if (conf->ntls_listen > 0 && conf->tls.certificate == NULL && ld->nerrors == 0)
        config_error(ld, config_line(ld, NULL, "tls_listen", 0),
                     "tls_listen: needs tls { certificate = \"…\"; certificate_key = \"…\" } at "
                     "the top level");
    return 0;
}

void config_tls_free(struct pfd_config *conf)
{
    free(conf->tls.certificate);
    free(conf->tls.certificate_key);
    free(conf->tls.client_ca);
    for (size_t v = 0; v < conf->nvhosts; v++) {
        free(conf->vhosts[v].tls.certificate);
        free(conf->vhosts[v].tls.certificate_key);
        free(conf->vhosts[v].tls.client_ca);
    }
}
