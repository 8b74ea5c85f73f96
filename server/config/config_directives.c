/*
 * config_directives.c — the table of core directives: for each, where it may appear, libconfuse's
 * description (name, type, default), how its value is checked as it is parsed, and where in
 * struct pfd_config it is copied. Module options are the modules' own.
 */
#include "config/config_directives.h"

#include <limits.h>
#include <stddef.h>

#include "config/config.h"
#include "config/config_route_check.h"
#include "config/config_tls.h"
#include "config/config_value.h"

#define CONFIG_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define CONFIG_LOG_FORMAT_COMBINED "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\""

/* ---- the directives ---------------------------------------------------------------------- */

#define CONF_AT(field) offsetof(struct pfd_config, field)
#define CONF_INT(sec, name, def, field, lo, hi)                                                    \
    {                                                                                              \
        sec, CFG_INT(name, def, CFGF_NONE), COPY_INT, CONF_AT(field), 0, lo, hi, NULL              \
    }
#define CONF_BOOL(sec, name, def, field)                                                           \
    {                                                                                              \
        sec, CFG_BOOL(name, def, CFGF_NONE), COPY_BOOL, CONF_AT(field), 0, 0, 0, NULL              \
    }
#define CONF_STR(name, def, flags, copy, field, check)                                             \
    {                                                                                              \
        NULL, CFG_STR(name, def, flags), copy, field, 0, 0, 0, check                               \
    }
#define CONF_LIST(name, def, copy, field, count, check)                                            \
    {                                                                                              \
        NULL, CFG_STR_LIST(name, def, CFGF_NONE), copy, field, count, 0, 0, check                  \
    }

const struct config_directive config_directives[] = {
    CONF_LIST("listen", "{\"127.0.0.1:8080\"}", COPY_NONE, 0, 0, config_check_listen),
    CONF_LIST("tls_listen", NULL, COPY_LIST, CONF_AT(tls_listen), CONF_AT(ntls_listen),
              config_check_listen),
    CONF_STR("server_name", NULL, CFGF_NODEFAULT, COPY_STR, CONF_AT(server_name),
             config_check_nonempty),
    CONF_STR("server_admin", NULL, CFGF_NODEFAULT, COPY_STR, CONF_AT(server_admin),
             config_check_nonempty),
    CONF_STR("document_root", "htdocs", CFGF_NONE, COPY_NONE, 0, config_check_nonempty),
    CONF_STR("user", "nobody", CFGF_NONE, COPY_STR, CONF_AT(user), config_check_nonempty),
    CONF_BOOL(NULL, "allow_root_workers", cfg_false, allow_root_workers),
    CONF_STR("group", NULL, CFGF_NODEFAULT, COPY_STR, CONF_AT(group), config_check_nonempty),
    CONF_STR("chroot", NULL, CFGF_NODEFAULT, COPY_PATH, CONF_AT(chroot), config_check_nonempty),
    CONF_STR("pid_file", NULL, CFGF_NODEFAULT, COPY_PATH, CONF_AT(pid_file), config_check_nonempty),
    CONF_STR("error_log", "-", CFGF_NONE, COPY_LOG, CONF_AT(error_log), config_check_nonempty),
    CONF_STR("log_level", "notice", CFGF_NONE, COPY_NONE, 0, config_check_log_level),
    CONF_STR("access_log", NULL, CFGF_NODEFAULT, COPY_LOG, CONF_AT(access_log),
             config_check_nonempty),
    CONF_STR("access_log_format", CONFIG_LOG_FORMAT_COMBINED, CFGF_NONE, COPY_STR,
             CONF_AT(access_log_format), config_check_nonempty),
    /* "modules" beside the config in a source build; the installed modules in a package
     * (PFD_DEFAULT_MODULE_DIR, from CMake), so an installed config needs no path. */
    CONF_STR("module_dir", PFD_DEFAULT_MODULE_DIR, CFGF_NONE, COPY_PATH, CONF_AT(module_dir),
             config_check_nonempty),
    CONF_LIST("modules", "{\"static\"}", COPY_LIST, CONF_AT(modules), CONF_AT(nmodules),
              config_check_nonempty),
    CONF_LIST("index_files", "{\"index.html\"}", COPY_LIST, CONF_AT(index_files),
              CONF_AT(nindex_files), config_check_file_name),
    CONF_STR("mime_types", NULL, CFGF_NODEFAULT, COPY_NONE, 0, config_check_nonempty),
    CONF_STR("default_type", "application/octet-stream", CFGF_NONE, COPY_STR, CONF_AT(default_type),
             config_check_media_type),
    CONF_BOOL(NULL, "trace_enable", cfg_false, trace_enable),
    CONF_BOOL(NULL, "serve_hidden", cfg_false, serve_hidden),
    CONF_STR("follow_symlinks", "on", CFGF_NONE, COPY_NONE, 0, config_check_symlinks),
    CONF_BOOL(NULL, "server_tokens", cfg_true, server_tokens),
    CONF_LIST("allow_override", "{\"None\"}", COPY_NONE, 0, 0, config_check_override),
    CONF_STR("access_file_name", ".htaccess", CFGF_NONE, COPY_STR, CONF_AT(access_file_name),
             config_check_file_name),
    CONF_LIST("proxy_protocol", NULL, COPY_LIST, CONF_AT(proxy_protocol), CONF_AT(nproxy_protocol),
              config_check_listen),
    CONF_LIST("trusted_proxies", NULL, COPY_LIST, CONF_AT(trusted_proxies),
              CONF_AT(ntrusted_proxies), config_check_cidr),

    CONF_INT("prefork", "start_servers", 5, prefork.start_servers, 1, PFD_MAX_WORKERS_LIMIT),
    CONF_INT("prefork", "min_spare_servers", 5, prefork.min_spare_servers, 1,
             PFD_MAX_WORKERS_LIMIT),
    CONF_INT("prefork", "max_spare_servers", 10, prefork.max_spare_servers, 1,
             PFD_MAX_WORKERS_LIMIT),
    CONF_INT("prefork", "max_workers", 150, prefork.max_workers, 1, PFD_MAX_WORKERS_LIMIT),
    CONF_INT("prefork", "max_requests_per_child", 0, prefork.max_requests_per_child, 0, INT_MAX),
    CONF_INT("prefork", "listen_backlog", 511, prefork.listen_backlog, 1, 65535),
    CONF_INT("prefork", "max_spawn_rate", 32, prefork.max_spawn_rate, 1, PFD_MAX_WORKERS_LIMIT),
    {"prefork", CFG_STR("scheduling", "normal", CFGF_NONE), COPY_NONE, 0, 0, 0, 0,
     config_check_scheduling},

    /* Seconds; a day at most keeps every deadline computation far from overflow. */
    CONF_INT("timeouts", "header", 20, timeouts.header, 1, 86400),
    CONF_INT("timeouts", "body", 60, timeouts.body, 1, 86400),
    CONF_INT("timeouts", "keepalive", 5, timeouts.keepalive, 1, 86400),
    CONF_INT("timeouts", "send", 60, timeouts.send, 1, 86400),
    CONF_INT("timeouts", "graceful", 30, timeouts.graceful, 1, 86400),

    /* A request line or header field shorter than 256 bytes would refuse ordinary browsers. */
    CONF_INT("limits", "request_line", 8190, limits.request_line, 256, 1 << 20),
    CONF_INT("limits", "header_fields", 100, limits.header_fields, 1, 10000),
    CONF_INT("limits", "header_field_size", 8190, limits.header_field_size, 256, 1 << 20),
    /* 1 GiB, Apache's LimitRequestBody default since 2.4.54: uploads of a few MB (CGI.pm, php-cgi,
     * git-http-backend) work out of the box, while a body is still bounded. */
    {"limits", CFG_STR("body", "1G", CFGF_NONE), COPY_NONE, 0, 0, 0, 0, config_check_size},

    /* tls { } at the top level and in a vhost (config_tls.c copies both). */
    {"tls", CFG_STR("certificate", NULL, CFGF_NODEFAULT), COPY_NONE, 0, 0, 0, 0,
     config_check_nonempty},
    {"tls", CFG_STR("certificate_key", NULL, CFGF_NODEFAULT), COPY_NONE, 0, 0, 0, 0,
     config_check_nonempty},
    {"tls", CFG_STR("protocols", CONFIG_TLS_PROTOCOLS, CFGF_NONE), COPY_NONE, 0, 0, 0, 0,
     config_check_tls_protocols},
    {"tls", CFG_STR("ciphers", CONFIG_TLS_CIPHERS, CFGF_NONE), COPY_NONE, 0, 0, 0, 0,
     config_check_nonempty},
    {"tls", CFG_BOOL("prefer_server_ciphers", cfg_true, CFGF_NONE), COPY_NONE, 0, 0, 0, 0, NULL},
    {"tls", CFG_BOOL("ktls", cfg_false, CFGF_NONE), COPY_NONE, 0, 0, 0, 0, NULL},
    /* Client certificates (Apache's SSLVerifyClient, SSLCACertificateFile, SSLVerifyDepth). */
    {"tls", CFG_STR("verify_client", "off", CFGF_NONE), COPY_NONE, 0, 0, 0, 0,
     config_check_tls_verify_client},
    {"tls", CFG_STR("client_ca", NULL, CFGF_NODEFAULT), COPY_NONE, 0, 0, 0, 0,
     config_check_nonempty},
    {"tls", CFG_INT("verify_depth", 1, CFGF_NONE), COPY_NONE, 0, 0, 0, 16, NULL},

    CONF_BOOL("keepalive", "enabled", cfg_true, keepalive.enabled),
    CONF_INT("keepalive", "max_requests", 100, keepalive.max_requests, 0, INT_MAX),
    CONF_BOOL("keepalive", "park", cfg_true, keepalive.park),
    CONF_INT("keepalive", "park_grace_ms", 5, keepalive.park_grace_ms, 0, 60000),
    CONF_INT("keepalive", "max_parked", 10000, keepalive.max_parked, 1, 1 << 20),
    CONF_INT("keepalive", "keepers", 1, keepalive.keepers, 1, PFD_MAX_KEEPERS),

    {"location", CFG_STR("handler", NULL, CFGF_NODEFAULT), COPY_NONE, 0, 0, 0, 0,
     config_check_nonempty},
    CONFIG_ROUTE_DIRECTIVES, /* alias, redirect, rewrite, vhost … (config_route.c) */
};

const size_t config_ndirectives = CONFIG_ARRAY_SIZE(config_directives);
