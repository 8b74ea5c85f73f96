/*
 * config.h — the typed configuration, built once from the libconfuse tree before the first fork
 * and read-only afterwards. Request code reads these structs; it never calls cfg_get*().
 */
#ifndef PFD_CONFIG_H
#define PFD_CONFIG_H

#include <confuse.h>
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "preforkd/module.h"

struct pfd_listen {
    char *text; /* as written: "127.0.0.1:8080", "[::1]:8080", "*:80", "8080" */
    struct sockaddr_storage addr;
    socklen_t addr_len;
    int fd; /* -1 until bound (listen.c) */
};

struct pfd_loaded_module {
    const struct pfd_module *module;
    void *dl_handle; /* from dlopen() */
    char *path;
    cfg_t *section; /* its `module "<name>"` section, or NULL when absent */
    void *conf;     /* what its init() returned */
    /* The tree section lives in, owned by config.c: each module section is parsed with that
     * module's option table alone, so its options, types and defaults are exactly its own. */
    cfg_t *cfg;
};

struct pfd_location {
    char *pattern;                            /* a pcre2 pattern matched against the decoded path */
    pcre2_code *regex;                        /* compiled once, at start-up */
    char *handler;                            /* module name, or NULL: try every module in order */
    struct pfd_loaded_module *handler_module; /* resolved by module.c after loading */
    cfg_t *section;      /* its parsed section: core and module location options */
    void **module_confs; /* per loaded module (conf->loaded order): its location_init() config,
                            or NULL to use the module's main config; made by module_hooks.c */
    int line;
};

struct pfd_mime_type {
    char *extension; /* without the dot, lower case */
    char *type;
};

struct pfd_config {
    char *file; /* the config file as given */
    char *dir;  /* its folder: relative paths resolve against it */

    struct pfd_listen *listens;
    size_t nlistens;
    char *server_name;       /* default: the host name */
    char *server_admin;      /* default: "webmaster@" server_name */
    char *document_root;     /* absolute, no trailing '/' */
    char *user;              /* used only when started as root; default "nobody" */
    char *group;             /* default: the user's primary group */
    char *pid_file;          /* absolute or NULL */
    char *error_log;         /* absolute path, or "-" for stderr */
    int log_level;           /* enum pfd_log_level, from "emerg" … "debug"; default "notice" */
    char *access_log;        /* absolute path, "-" for stderr, or NULL (off); default NULL */
    char *access_log_format; /* Apache LogFormat; default the "combined" format */
    char *module_dir;        /* absolute */
    char **modules;          /* names, in the order handlers are tried */
    size_t nmodules;

    struct {
        int start_servers;          /* 5 */
        int min_spare_servers;      /* 5 */
        int max_spare_servers;      /* 10 */
        int max_workers;            /* 150; at most PFD_MAX_WORKERS_LIMIT */
        int max_requests_per_child; /* 0 = never */
        int listen_backlog;         /* 511 */
        int max_spawn_rate;         /* 32 */
    } prefork;

    struct {
        int header;    /* 20 s: whole request head */
        int body;      /* 60 s: between body reads */
        int keepalive; /* 5 s: idle between requests */
        int send;      /* 60 s: between writes to the client */
        int graceful;  /* 30 s: graceful stop/restart waits this long for old workers */
    } timeouts;

    struct {
        int request_line;      /* 8190 */
        int header_fields;     /* 100 */
        int header_field_size; /* 8190 */
        int64_t body;          /* "1M": bytes; sizes accept K, M, G suffixes; 0 = unlimited */
    } limits;

    struct {
        bool enabled;     /* true */
        int max_requests; /* 100 per connection; 0 = unlimited */
    } keepalive;

    char **index_files; /* {"index.html"} */
    size_t nindex_files;
    char *mime_types_file;            /* absolute path or NULL; default "mime.types" beside */
    struct pfd_mime_type *mime_types; /* sorted by extension for bsearch */
    size_t nmime_types;
    char *default_type; /* "application/octet-stream" */
    bool trace_enable;  /* false → TRACE gets 405 */
    bool server_tokens; /* true → "Server: preforkd/0.1.0", false → "Server: preforkd" */

    struct pfd_location *locations;
    size_t nlocations;

    /* Filled by module.c after parsing: modules in `modules` order. */
    struct pfd_loaded_module *loaded;
    size_t nloaded;

    cfg_t *cfg; /* the core directives' libconfuse tree; module sections live in loaded[i].cfg */
};

#define PFD_MAX_WORKERS_LIMIT 20000

/*
 * Reads and validates the config file. On any error writes "FILE:LINE: what is wrong" (one line
 * per error) to err (a buffer of err_size bytes, NUL-terminated) and returns NULL.
 * Modules are loaded (dlopen, api check) and their sections parsed, but their init() hooks are not
 * called. check_runtime also checks what only the running server needs: docroot readable,
 * listen addresses free to bind (a "port in use" error names the listen line).
 */
struct pfd_config *pfd_config_load(const char *file, bool check_runtime, char *err,
                                   size_t err_size);
void pfd_config_free(struct pfd_config *conf);

/* The media type for a file extension (without the dot, any case), or NULL when unknown. */
const char *pfd_config_mime_lookup(const struct pfd_config *conf, const char *extension);

/* "10", "10K", "1M", "2G" (1024-based) → bytes; -1 when malformed or negative. */
int64_t pfd_config_parse_size(const char *text);
/* "host:port", "[v6]:port", "*:port", "port" → address; 0 or -1. */
int pfd_config_parse_listen(const char *text, struct sockaddr_storage *addr, socklen_t *len);

#endif
