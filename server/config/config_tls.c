/*
 * config_tls.c — HTTPS settings: the tls { } section at the top level (the default certificate)
 * and in each vhost (its own certificate, chosen by the client's SNI). Only paths and names are
 * read here; the files themselves are read by the master when it makes the contexts
 * (serve/tls.c), so that -t and a start report the same errors.
 */
#include "config/config_tls.h"

#include "config/config_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
        static const char *const others[] = {"certificate_key", "protocols", "ciphers",
                                             "prefer_server_ciphers"};
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
    return 0;
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
    for (size_t v = 0; v < conf->nvhosts; v++) {
        free(conf->vhosts[v].tls.certificate);
        free(conf->vhosts[v].tls.certificate_key);
    }
}
