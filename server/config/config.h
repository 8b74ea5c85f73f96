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

#include "config/logs.h"
#include "parse/access.h"
#include "preforkd/module.h"

struct pfd_listen {
    char *text; /* as written: "127.0.0.1:8080", "[::1]:8080", "*:80", "8080" */
    struct sockaddr_storage addr;
    socklen_t addr_len;
    int fd;              /* -1 until bound (listen.c) */
    bool proxy_protocol; /* connections start with a PROXY header (named in proxy_protocol) */
    bool tls;            /* from tls_listen: every connection starts with a TLS handshake */
};

/* A `tls { … }` section, at the top level or in a vhost (config_tls.c). The master turns it into
 * an OpenSSL context before the first fork (serve/tls.c); workers never open these files. */
struct pfd_tls_settings {
    char *certificate;     /* absolute path of the full chain PEM (leaf first); NULL: not set */
    char *certificate_key; /* absolute path of its private key (PEM) */
    const char *protocols; /* "TLSv1.2 TLSv1.3" (points into the config tree) */
    const char *ciphers;   /* TLS 1.2 cipher list, OpenSSL syntax (points into the tree) */
    bool prefer_server_ciphers;
    bool ktls;    /* ask OpenSSL for kernel TLS: static files then go out with SSL_sendfile() */
    int line;     /* of certificate, for "FILE:LINE:" */
    int key_line; /* of certificate_key */
    int verify_client; /* PFD_TLS_VERIFY_*: whether a client certificate is asked for */
    char *client_ca;   /* absolute path of the CAs' PEM that client certificates must chain to */
    int verify_depth;  /* most intermediates between a client certificate and client_ca */
    int client_ca_line;
};

/* tls { verify_client }, as Apache's SSLVerifyClient none, optional and require. */
enum { PFD_TLS_VERIFY_OFF, PFD_TLS_VERIFY_OPTIONAL, PFD_TLS_VERIFY_REQUIRE };

/* prefork { scheduling }: the Linux policy of workers (SCHED_OTHER or SCHED_BATCH). */
enum pfd_scheduling { PFD_SCHEDULING_NORMAL, PFD_SCHEDULING_BATCH };

struct pfd_loaded_module {
    const struct pfd_module *module;
    void *dl_handle; /* from dlopen() */
    char *path;
    cfg_t *section; /* its `module "<name>"` section, or NULL when absent */
    int line;       /* of that section's `module "<name>" {`, or 0 */
    void *conf;     /* what its init() returned */
    /* The tree section lives in, owned by config.c: each module section is parsed with that
     * module's option table alone, so its options, types and defaults are exactly its own. */
    cfg_t *cfg;
};

/* How a location's title matches the decoded path (route.c). */
enum pfd_location_kind {
    PFD_LOCATION_PREFIX, /* location "/x": the path starts with /x */
    PFD_LOCATION_EXACT,  /* location "= /x": the path is /x */
    PFD_LOCATION_REGEX,  /* location "~ re", "~* re" (caseless), or a title starting with '^' */
};

/* One `rewrite { pattern to flags }` rule of a location. */
struct pfd_rewrite {
    char *pattern;
    pcre2_code *regex;
    char *to;       /* a template: $0 … $9 are the pattern's captures */
    unsigned flags; /* PFD_REWRITE_* (rewrite.h) */
    int line;
};

/* One `add_headers` entry, "Name: value". */
struct pfd_header_line {
    char *name;
    char *value;
};

/* `error_document = {"404 /errors/404.html"}`: the status and the local URI that serves it. */
struct pfd_error_document {
    int status;
    char *uri;
};

struct pfd_error_documents {
    struct pfd_error_document *v;
    size_t n;
};

struct pfd_location {
    char *pattern;                            /* the title as written: "^/cgi-bin/", "= /x" … */
    pcre2_code *regex;                        /* PFD_LOCATION_REGEX: compiled once, at start-up */
    char *handler;                            /* module name, or NULL: try every module in order */
    struct pfd_loaded_module *handler_module; /* resolved by module_hooks.c after loading */
    cfg_t *section;      /* its parsed section: core and module location options */
    void **module_confs; /* per loaded module (conf->loaded order): its location_init() config,
                            or NULL to use the module's main config; made by module_hooks.c */
    int line;

    enum pfd_location_kind kind;
    const char *match; /* PREFIX, EXACT: the path to compare (points into pattern) */
    size_t match_len;
    char *alias;         /* files under this folder instead of document_root; may hold $N */
    char *scheme;        /* "http" or "https": only requests over it match; NULL: both */
    int redirect_status; /* 0: no redirect */
    char *redirect_to;   /* template with $N */
    struct pfd_rewrite *rewrites;
    size_t nrewrites;
    struct pfd_header_line *add_headers;
    size_t nadd_headers;
    struct pfd_access access;
    char *auth_realm;     /* Basic authentication when set */
    char *auth_user_file; /* absolute path of the htpasswd file */
    char *auth_challenge; /* the WWW-Authenticate value, made once */
    struct pfd_error_documents error_documents;
    const struct pfd_vhost *vhost; /* the vhost it belongs to, or NULL (top level) */
    /* The file policy when the location sets it (pfd_request_serve_hidden(),
     * pfd_request_follow_symlinks()); -1: not set here, the request's vhost's (or the top
     * level's) applies, also for a top-level location a vhost without document_root shares. */
    int serve_hidden;    /* -1, 0 or 1 */
    int follow_symlinks; /* -1 or an enum pfd_symlinks */
    /* allow_override (Apache's AllowOverride classes, PFD_OVERRIDE_*) when the location sets it,
     * else -1: the vhost's (or the top level's) applies. */
    int allow_override;
    /* body_limit (Apache's LimitRequestBody in a <Location>, nginx's client_max_body_size):
     * bytes, 0 for no limit, -1 when not set here (the vhost's or top level's limits.body). */
    int64_t body_limit;
};

/* What routing reads: the locations of one server (top level or vhost), in file order, and its
 * error documents. */
struct pfd_routes {
    struct pfd_location *locations; /* a slice of pfd_config.locations */
    size_t nlocations;
    struct pfd_error_documents error_documents;
    /* A vhost without a document_root of its own serves the top level's files, so the top
     * level's locations come first, before its own: choosing that vhost with Host can never
     * widen access. NULL otherwise. */
    const struct pfd_routes *shared;
};

/* A name-based virtual host. view is the config its requests see (r->conf): the main config
 * with document_root, server_name and routes replaced; it shares every other pointer with the
 * main config and is freed with it. */
struct pfd_vhost {
    char *name;     /* lower case, no trailing dot; "*.example.com" matches any subdomain */
    char **aliases; /* the same forms */
    size_t naliases;
    char *document_root; /* absolute, resolved */
    struct pfd_routes routes;
    struct pfd_config *view;
    int line;
    bool serve_hidden; /* its own, else the top level's; its view carries them */
    enum pfd_symlinks follow_symlinks;
    unsigned allow_override; /* its own, else the top level's; its view carries it */
    int64_t body_limit;      /* its own, else limits.body; its view carries it in limits.body */

    /* Its own logs (optional). access_log, access_log_format: as configured, NULL when unset;
     * either one set gives the vhost a log of its own, the other taken from the top level. */
    char *access_log;        /* absolute path, "-" or "| command"; NULL: the top level's */
    char *access_log_format; /* NULL: the top level's */
    char *error_log;         /* absolute path, "-" or "| command"; NULL: the top level's */
    bool own_access_log;     /* its requests go to access_log_file, not the server's log */
    /* Opened by the master before fork (pfd_vhost_logs_open) and inherited by the workers;
     * fd -1 until then, and closed with the config. */
    struct pfd_access_log access_log_file;
    int error_log_fd; /* -1: the top level's error log */
    /* Its own certificate, chosen by SNI (certificate NULL: the top level's serves it). */
    struct pfd_tls_settings tls;
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
    bool allow_root_workers; /* user may be root (uid 0): refused unless this says so */
    char *group;             /* default: the user's primary group */
    /* user and group as ids, looked up once by the master when it runs as root (config.c), so
     * that workers neither read /etc/passwd nor load NSS modules: pages each fork would own. */
    struct {
        bool resolved;
        uid_t uid;
        gid_t gid;
        gid_t *groups; /* supplementary groups of user, gid included */
        int ngroups;
    } run_as;
    char *chroot;            /* NULL, or the resolved folder the workers chroot() into (as root);
                              * then document_root, aliases and auth_user_file are stored as
                              * seen inside it (the folder's prefix stripped) */
    char *pid_file;          /* absolute or NULL */
    char *error_log;         /* absolute path, or "-" for stderr */
    int log_level;           /* enum pfd_log_level, from "emerg" … "debug"; default "notice" */
    char *access_log;        /* absolute path, "-" for stderr, or NULL (off); default NULL */
    char *access_log_format; /* Apache LogFormat; default the "combined" format */
    char *module_dir;        /* absolute */
    char **modules;          /* names, in the order handlers are tried */
    size_t nmodules;

    struct {
        int start_servers;              /* 5 */
        int min_spare_servers;          /* 5 */
        int max_spare_servers;          /* 10 */
        int max_workers;                /* 150; at most PFD_MAX_WORKERS_LIMIT */
        int max_requests_per_child;     /* 0 = never */
        int listen_backlog;             /* 511 */
        int max_spawn_rate;             /* 32 */
        enum pfd_scheduling scheduling; /* "normal" */
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
        bool enabled;      /* true */
        int max_requests;  /* 100 per connection; 0 = unlimited */
        bool park;         /* true: idle connections wait in the keeper, not in a worker */
        int park_grace_ms; /* 5: how long a worker waits for the next request before parking */
        int max_parked;    /* 10000: connections the keepers hold, all together */
        int keepers;       /* 1: keeper processes */
    } keepalive;

    char **index_files; /* {"index.html"} */
    size_t nindex_files;
    char *mime_types_file;            /* absolute path or NULL; default "mime.types" beside */
    struct pfd_mime_type *mime_types; /* sorted by extension for bsearch */
    size_t nmime_types;
    char *default_type; /* "application/octet-stream" */
    bool trace_enable;  /* false → TRACE gets 405 */
    bool serve_hidden;  /* the file policy of modules that serve or list files (module.h) */
    enum pfd_symlinks follow_symlinks;
    /* .htaccess files (serve/htaccess.c): which directive classes they may use, a mask of
     * PFD_OVERRIDE_*; 0 (Apache 2.4's "AllowOverride None", the default): none is even looked
     * for. access_file_name: their name in each folder, ".htaccess". */
    unsigned allow_override;
    char *access_file_name;
    bool server_tokens; /* true → "Server: preforkd/0.1.0", false → "Server: preforkd" */
    char **tls_listen;  /* addresses that speak HTTPS; listens[] holds them after listen's */
    size_t ntls_listen;
    struct pfd_tls_settings tls; /* the default certificate (certificate NULL: no TLS) */
    char **proxy_protocol;       /* listen addresses whose connections start with a PROXY header */
    size_t nproxy_protocol;
    char **trusted_proxies; /* addresses/blocks whose X-Forwarded-For names the client */
    size_t ntrusted_proxies;
    struct pfd_cidr *trusted_cidrs; /* the same, parsed once (ntrusted_proxies entries) */

    /* Every location: the top level's first, then each vhost's (module hooks visit them all). */
    struct pfd_location *locations;
    size_t nlocations;
    struct pfd_routes routes; /* this server's own: the top level's, or a vhost's in a view */
    struct pfd_vhost *vhosts;
    size_t nvhosts;
    pcre2_match_context *match_context; /* match and depth limits for every route regex */
    bool is_view;                       /* a vhost's view: owns nothing */

    /* Filled by config.c (module_load.c) after parsing: modules in `modules` order. */
    struct pfd_loaded_module *loaded;
    size_t nloaded;

    cfg_t *cfg; /* the core directives' libconfuse tree; module sections live in loaded[i].cfg */

    /* What the load found doubtful but not wrong: "FILE:LINE: warning: …" lines joined by '\n',
     * or NULL. -t prints them; start-up writes them to the error log. */
    char *warnings;

    /* The line of each value set inside a section (module sections and locations included),
     * kept from the load for the modules' option reader (module_options.c). */
    struct pfd_option_line *option_lines;
    size_t noption_lines;
};

struct pfd_option_line {
    const cfg_t *sec; /* the section of the tree (conf->cfg, or a loaded module's cfg) */
    const char *name; /* the option's name, as the tree holds it */
    int line;
};

/* Apache's AllowOverride classes: which .htaccess directives a location allows (allow_override)
 * and the class each directive belongs to (serve/htaccess.h's directive tables). */
enum pfd_override {
    PFD_OVERRIDE_AUTHCONFIG = 1 << 0,
    PFD_OVERRIDE_FILEINFO = 1 << 1,
    PFD_OVERRIDE_INDEXES = 1 << 2,
    PFD_OVERRIDE_LIMIT = 1 << 3,
    PFD_OVERRIDE_OPTIONS = 1 << 4,
    PFD_OVERRIDE_ALL = (1 << 5) - 1,
};

#define PFD_MAX_WORKERS_LIMIT 20000
/* keepalive { keepers } at most: the scoreboard has a slot for each. */
#define PFD_MAX_KEEPERS 16

/* How much pfd_config_load() checks beyond the file itself. */
enum pfd_config_checks {
    PFD_CONFIG_PARSE_ONLY = 0,  /* a reload, the tests: nothing outside the config */
    PFD_CONFIG_CHECK_START = 1, /* start-up: the listen addresses must be free to bind */
    /* -t: the same, but an address in use is only a warning: the running server (whose config
     * is being checked before a reload) holds it, and a reload keeps its sockets. */
    PFD_CONFIG_CHECK_TEST = 2,
};

/*
 * Reads and validates the config file. On any error writes "FILE:LINE: what is wrong" (one line
 * per error) to err (a buffer of err_size bytes, NUL-terminated) and returns NULL.
 * Modules are loaded (dlopen, api check) and their sections parsed, but their init() hooks are not
 * called. checks says what is checked beyond the file (see enum pfd_config_checks); what is
 * doubtful but not wrong goes to conf->warnings.
 */
struct pfd_config *pfd_config_load(const char *file, enum pfd_config_checks checks, char *err,
                                   size_t err_size);
void pfd_config_free(struct pfd_config *conf);
/* The vhost named host (lower case, no port, no trailing dot): exact name or alias first, then
 * "*.domain" wildcards; NULL when none (or host is NULL). What Host (serve/route.c) and the TLS
 * server name (serve/tls.c) choose by. */
const struct pfd_vhost *pfd_config_vhost_named(const struct pfd_config *conf, const char *host);

#endif
