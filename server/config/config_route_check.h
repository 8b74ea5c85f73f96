/*
 * config_route_check.h — checks of single routing values (config_route_check.c), and the rows
 * of the directive table they belong to. Internal to the config loader.
 */
#ifndef PFD_CONFIG_ROUTE_CHECK_H
#define PFD_CONFIG_ROUTE_CHECK_H

/* The rows of config_directives for the routing directives (spliced into the table). */
#define CONFIG_ROUTE_DIRECTIVES                                                                    \
    CONFIG_ROUTE_STR("location", "alias", config_check_nonempty),                                  \
        CONFIG_ROUTE_STR("location", "redirect", config_check_redirect),                           \
        CONFIG_ROUTE_STR("location", "scheme", config_check_scheme),                               \
        CONFIG_ROUTE_LIST("location", "add_headers", config_check_header_line),                    \
        CONFIG_ROUTE_LIST("location", "allow", config_check_cidr),                                 \
        CONFIG_ROUTE_LIST("location", "deny", config_check_cidr),                                  \
        CONFIG_ROUTE_STR("location", "auth_basic", config_check_realm),                            \
        CONFIG_ROUTE_STR("location", "auth_user_file", config_check_nonempty),                     \
        CONFIG_ROUTE_LIST("location", "error_document", config_check_error_document),              \
        CONFIG_ROUTE_STR("rewrite", "pattern", config_check_nonempty),                             \
        CONFIG_ROUTE_STR("rewrite", "to", config_check_nonempty),                                  \
        CONFIG_ROUTE_LIST("rewrite", "flags", config_check_rewrite_flag),                          \
        CONFIG_ROUTE_LIST("vhost", "aliases", config_check_host_name),                             \
        CONFIG_ROUTE_STR("vhost", "document_root", config_check_nonempty),                         \
        CONFIG_ROUTE_STR("vhost", "server_admin", config_check_nonempty),                          \
        CONFIG_ROUTE_LIST("vhost", "error_document", config_check_error_document),                 \
        CONFIG_ROUTE_STR("vhost", "access_log", config_check_nonempty),                            \
        CONFIG_ROUTE_STR("vhost", "access_log_format", config_check_nonempty),                     \
        CONFIG_ROUTE_STR("vhost", "error_log", config_check_nonempty),                             \
        CONFIG_ROUTE_LIST(NULL, "error_document", config_check_error_document),                    \
        CONFIG_ROUTE_BOOL("location", "serve_hidden"), CONFIG_ROUTE_BOOL("vhost", "serve_hidden"), \
        CONFIG_ROUTE_STR("location", "follow_symlinks", config_check_symlinks),                    \
        CONFIG_ROUTE_STR("vhost", "follow_symlinks", config_check_symlinks),                       \
        CONFIG_ROUTE_LIST("location", "allow_override", config_check_override),                    \
        CONFIG_ROUTE_LIST("vhost", "allow_override", config_check_override),                       \
        CONFIG_ROUTE_STR("location", "body_limit", config_check_size),                             \
        CONFIG_ROUTE_STR("vhost", "body_limit", config_check_size)
#define CONFIG_ROUTE_STR(sec, name, check)                                                         \
    {                                                                                              \
        sec, CFG_STR(name, NULL, CFGF_NODEFAULT), COPY_NONE, 0, 0, 0, 0, check                     \
    }
#define CONFIG_ROUTE_BOOL(sec, name)                                                               \
    {                                                                                              \
        sec, CFG_BOOL(name, cfg_false, CFGF_NODEFAULT), COPY_NONE, 0, 0, 0, 0, NULL                \
    }
#define CONFIG_ROUTE_LIST(sec, name, check)                                                        \
    {                                                                                              \
        sec, CFG_STR_LIST(name, NULL, CFGF_NODEFAULT), COPY_NONE, 0, 0, 0, 0, check                \
    }

const char *config_check_redirect(const char *value);
const char *config_check_scheme(const char *value);
const char *config_check_header_line(const char *value);
const char *config_check_cidr(const char *value);
const char *config_check_realm(const char *value);
const char *config_check_error_document(const char *value);
const char *config_check_rewrite_flag(const char *value);
const char *config_check_host_name(const char *value);

/* "404 /errors/404.html" → status and uri (into value); 0 or -1 with *why. */
int config_error_document_parse(const char *value, int *status, const char **uri, const char **why);

#endif
