/*
 * config.c — reads preforkd.conf with libconfuse, checks it, and copies it into struct
 * pfd_config once, before the first fork.
 *
 * How a file is read:
 *  1. config_text_scan() blanks the comments out (keeping every newline) and finds the top-level
 *     `location "…" {` and `module "…" {` headers. libconfuse 3.3 counts lines wrongly after a
 *     comment and rejects a comment inside a list; comment-free text fixes both, so every
 *     "FILE:LINE:" is exact. The headers give each titled section its line.
 *  2. Pass 1 parses the core directives with every module body blanked: a module's options are
 *     unknown until the module is loaded. Each value is checked while it is parsed, when the
 *     parser's line is the value's line; the lines are kept for the checks that need them later.
 *  3. The table of directives copies the tree into the typed struct; then come the checks that
 *     span several directives or touch the file system.
 *  4. The modules are loaded from module_dir. Each `module "x"` section is then parsed again,
 *     alone (the other module bodies blanked), with module x's option table: unknown options,
 *     types, defaults and the module's own validators are exactly that module's, with lines.
 *
 * libconfuse's scanner is global state and its callbacks carry no user pointer, so a load is not
 * reentrant anyway; the callbacks reach the load in progress through config_current, which is set
 * only while libconfuse runs.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "module_load.h"

#define CONFIG_MAX_BYTES (4 << 20) /* a config file larger than this is refused */
#define CONFIG_MSG_MAX 1024        /* one error message */
#define CONFIG_EXT_MAX 32          /* longest file extension in mime.types */
#define CONFIG_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define CONFIG_LOG_FORMAT_COMBINED "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\""

static const char *const config_log_levels[] = {
    [PFD_LOG_EMERG] = "emerg", [PFD_LOG_ALERT] = "alert", [PFD_LOG_CRIT] = "crit",
    [PFD_LOG_ERR] = "error",   [PFD_LOG_WARN] = "warn",   [PFD_LOG_NOTICE] = "notice",
    [PFD_LOG_INFO] = "info",   [PFD_LOG_DEBUG] = "debug",
};

/* ---- the directives ---------------------------------------------------------------------- */

enum config_copy {
    COPY_NONE, /* copied by its own code */
    COPY_INT,  /* int field */
    COPY_BOOL, /* bool field */
    COPY_STR,  /* char * field; NULL when unset */
    COPY_PATH, /* char * field: absolute, relative paths against the config's folder */
    COPY_LOG,  /* like COPY_PATH, but "-" (stderr) stays "-" */
    COPY_LIST, /* char ** field, with its size_t count at count_offset */
};

/* Checks one string value; NULL when good, else why not. Pure, so values are checked as parsed. */
typedef const char *(*config_check_fn)(const char *value);

struct config_directive {
    const char *section; /* "prefork" …, or NULL at the top level */
    cfg_opt_t opt;       /* libconfuse's description: name, type, default */
    enum config_copy copy;
    size_t offset;       /* of the field in struct pfd_config */
    size_t count_offset; /* COPY_LIST: of its count */
    long min, max;       /* CFGT_INT: the accepted range */
    config_check_fn check;
};

static const char *config_check_nonempty(const char *value);
static const char *config_check_listen(const char *value);
static const char *config_check_log_level(const char *value);
static const char *config_check_size(const char *value);
static const char *config_check_file_name(const char *value);
static const char *config_check_media_type(const char *value);

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

static const struct config_directive config_directives[] = {
    CONF_LIST("listen", "{\"127.0.0.1:8080\"}", COPY_NONE, 0, 0, config_check_listen),
    CONF_STR("server_name", NULL, CFGF_NODEFAULT, COPY_STR, CONF_AT(server_name),
             config_check_nonempty),
    CONF_STR("server_admin", NULL, CFGF_NODEFAULT, COPY_STR, CONF_AT(server_admin),
             config_check_nonempty),
    CONF_STR("document_root", "htdocs", CFGF_NONE, COPY_NONE, 0, config_check_nonempty),
    CONF_STR("user", "nobody", CFGF_NONE, COPY_STR, CONF_AT(user), config_check_nonempty),
    CONF_STR("group", NULL, CFGF_NODEFAULT, COPY_STR, CONF_AT(group), config_check_nonempty),
    CONF_STR("pid_file", NULL, CFGF_NODEFAULT, COPY_PATH, CONF_AT(pid_file), config_check_nonempty),
    CONF_STR("error_log", "-", CFGF_NONE, COPY_LOG, CONF_AT(error_log), config_check_nonempty),
    CONF_STR("log_level", "notice", CFGF_NONE, COPY_NONE, 0, config_check_log_level),
    CONF_STR("access_log", NULL, CFGF_NODEFAULT, COPY_LOG, CONF_AT(access_log),
             config_check_nonempty),
    CONF_STR("access_log_format", CONFIG_LOG_FORMAT_COMBINED, CFGF_NONE, COPY_STR,
             CONF_AT(access_log_format), config_check_nonempty),
    CONF_STR("module_dir", "modules", CFGF_NONE, COPY_PATH, CONF_AT(module_dir),
             config_check_nonempty),
    CONF_LIST("modules", "{\"static\"}", COPY_LIST, CONF_AT(modules), CONF_AT(nmodules),
              config_check_nonempty),
    CONF_LIST("index_files", "{\"index.html\"}", COPY_LIST, CONF_AT(index_files),
              CONF_AT(nindex_files), config_check_file_name),
    CONF_STR("mime_types", NULL, CFGF_NODEFAULT, COPY_NONE, 0, config_check_nonempty),
    CONF_STR("default_type", "application/octet-stream", CFGF_NONE, COPY_STR, CONF_AT(default_type),
             config_check_media_type),
    CONF_BOOL(NULL, "trace_enable", cfg_false, trace_enable),
    CONF_BOOL(NULL, "server_tokens", cfg_true, server_tokens),

    CONF_INT("prefork", "start_servers", 5, prefork.start_servers, 1, PFD_MAX_WORKERS_LIMIT),
    CONF_INT("prefork", "min_spare_servers", 5, prefork.min_spare_servers, 1,
             PFD_MAX_WORKERS_LIMIT),
    CONF_INT("prefork", "max_spare_servers", 10, prefork.max_spare_servers, 1,
             PFD_MAX_WORKERS_LIMIT),
    CONF_INT("prefork", "max_workers", 150, prefork.max_workers, 1, PFD_MAX_WORKERS_LIMIT),
    CONF_INT("prefork", "max_requests_per_child", 0, prefork.max_requests_per_child, 0, INT_MAX),
    CONF_INT("prefork", "listen_backlog", 511, prefork.listen_backlog, 1, 65535),
    CONF_INT("prefork", "max_spawn_rate", 32, prefork.max_spawn_rate, 1, PFD_MAX_WORKERS_LIMIT),

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
    {"limits", CFG_STR("body", "1M", CFGF_NONE), COPY_NONE, 0, 0, 0, 0, config_check_size},

    CONF_BOOL("keepalive", "enabled", cfg_true, keepalive.enabled),
    CONF_INT("keepalive", "max_requests", 100, keepalive.max_requests, 0, INT_MAX),

    {"location", CFG_STR("handler", NULL, CFGF_NODEFAULT), COPY_NONE, 0, 0, 0, 0,
     config_check_nonempty},
};

#define CONFIG_NDIRECTIVES CONFIG_ARRAY_SIZE(config_directives)

/* The sections; a module section's options are the module's own (see config_options_build). */
static const struct config_section {
    const char *name;
    cfg_flag_t flags;
} config_sections[] = {
    {"prefork", CFGF_NONE},
    {"timeouts", CFGF_NONE},
    {"limits", CFGF_NONE},
    {"keepalive", CFGF_NONE},
    {"location", CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES},
    {"module", CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES},
};

#define CONFIG_NSECTIONS CONFIG_ARRAY_SIZE(config_sections)

/* ---- the load in progress ---------------------------------------------------------------- */

enum config_header_kind { HEADER_MODULE, HEADER_LOCATION };

/* A top-level `module "…" {` or `location "…" {`, in file order. */
struct config_header {
    enum config_header_kind kind;
    int line;        /* of the section's name */
    size_t body;     /* just after its '{' */
    size_t body_end; /* its '}', or the end of the text when it is never closed */
};

struct config_text {
    char *data; /* the file, comments blanked */
    size_t len;
    struct config_header *headers;
    size_t nheaders;
    int unclosed_line; /* of a top-level '{' never closed, or 0 */
    int last_line;     /* libconfuse reports the end of the file one line further */
};

/* The line of each value a directive got (index: list position, or location number). */
struct config_lines {
    int *line;
    size_t n;
};

struct config_load {
    struct pfd_config *conf;
    const char *file; /* as given: the FILE of "FILE:LINE: message" */
    char *err;
    size_t err_size, err_len;
    int nerrors;
    cfg_t *parsing; /* the tree libconfuse is filling */
    struct config_text text;
    struct config_lines lines[CONFIG_NDIRECTIVES];
};

static struct config_load *config_current;

static void config_verror(struct config_load *ld, const char *file, int line, const char *fmt,
                          va_list ap)
{
    char msg[CONFIG_MSG_MAX];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    ld->nerrors++;
    if (ld->err_size == 0 || ld->err_len + 1 >= ld->err_size)
        return;
    char *at = ld->err + ld->err_len;
    size_t room = ld->err_size - ld->err_len;
    const char *sep = ld->err_len > 0 ? "\n" : "";
    int n = line > 0 ? snprintf(at, room, "%s%s:%d: %s", sep, file, line, msg)
                     : snprintf(at, room, "%s%s: %s", sep, file, msg);
    if (n > 0)
        ld->err_len += (size_t)n < room ? (size_t)n : room - 1;
}

/* Records "FILE:LINE: message" (just "FILE: message" when line is 0: a default value). */
static void config_error(struct config_load *ld, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same for another file (mime.types). */
static void config_error_in(struct config_load *ld, const char *file, int line, const char *fmt,
                            ...) __attribute__((format(printf, 4, 5)));

static void config_error(struct config_load *ld, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    config_verror(ld, ld->file, line, fmt, ap);
    va_end(ap);
}

static void config_error_in(struct config_load *ld, const char *file, int line, const char *fmt,
                            ...)
{
    va_list ap;
    va_start(ap, fmt);
    config_verror(ld, file, line, fmt, ap);
    va_end(ap);
}

/* libconfuse's errors (and cfg_error() from a module's validator): one clean line, naming the
 * section. The message may already start with "FILE:LINE: " from a module; that is dropped. */
static void config_on_cfg_error(cfg_t *cfg, const char *fmt, va_list ap)
{
    char msg[CONFIG_MSG_MAX], where[CONFIG_MSG_MAX / 2] = "";
    if (strcmp(fmt, "no such option '%s'") == 0)
        fmt = "unknown directive '%s'";
    vsnprintf(msg, sizeof(msg), fmt, ap);
    const char *text = msg;
    size_t flen = cfg->filename != NULL ? strlen(cfg->filename) : 0;
    if (flen > 0 && strncmp(msg, cfg->filename, flen) == 0 && msg[flen] == ':') {
        const char *rest = msg + flen + 1 + strspn(msg + flen + 1, "0123456789");
        text = rest[0] == ':' ? rest + 1 + strspn(rest + 1, " ") : text;
    }
    if (cfg->name != NULL && strcmp(cfg->name, "root") != 0) {
        if (cfg->title != NULL)
            snprintf(where, sizeof(where), " in %s \"%s\"", cfg->name, cfg->title);
        else
            snprintf(where, sizeof(where), " in section %s", cfg->name);
    }
    if (config_current == NULL) { /* a module reading its section later: no load to report to */
        fprintf(stderr, "%s:%d: %s%s\n", cfg->filename ? cfg->filename : "?", cfg->line, text,
                where);
        return;
    }
    int line = cfg->line;
    if (line > config_current->text.last_line && config_current->text.last_line > 0)
        line = config_current->text.last_line;
    config_error(config_current, line, "%s%s", text, where);
}

static int config_oom(struct config_load *ld)
{
    config_error(ld, 0, "out of memory");
    return -1;
}

/* ---- the text: comments out, titled sections found --------------------------------------- */

/* Blanks s[from, to) but its newlines, so line numbers survive. */
static void config_text_blank(char *s, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        if (s[i] != '\n')
            s[i] = ' ';
    }
}

static size_t config_count_lines(const char *s, size_t from, size_t to)
{
    size_t n = 0;
    for (size_t i = from; i < to; i++)
        n += s[i] == '\n';
    return n;
}

/* Where the comment starting at s[i] ends (its newline stays), or i when none starts there.
 * Called only where a token may start, so "/srv//www" stays one word. */
static size_t config_comment_end(const char *s, size_t len, size_t i, bool *unclosed)
{
    if (s[i] == '#' || (s[i] == '/' && i + 1 < len && s[i + 1] == '/')) {
        const char *nl = memchr(s + i, '\n', len - i);
        return nl != NULL ? (size_t)(nl - s) : len;
    }
    if (s[i] == '/' && i + 1 < len && s[i + 1] == '*') {
        for (size_t j = i + 2; j + 1 < len; j++) {
            if (s[j] == '*' && s[j + 1] == '/')
                return j + 2;
        }
        *unclosed = true;
        return len;
    }
    return i;
}

/* Just past the token at s[i]: a quoted string (backslash escapes, as libconfuse reads them),
 * an environment reference ${…}, or a bare word. */
static size_t config_token_end(const char *s, size_t len, size_t i)
{
    if (s[i] == '"' || s[i] == '\'') {
        for (size_t j = i + 1; j < len; j++) {
            if (s[j] == '\\')
                j++;
            else if (s[j] == s[i])
                return j + 1;
        }
        return len;
    }
    if (s[i] == '$' && i + 1 < len && s[i + 1] == '{') {
        const char *close = memchr(s + i, '}', len - i);
        if (close != NULL)
            return (size_t)(close - s) + 1;
    }
    size_t j = i + 1;
    while (j < len && strchr(" \t\r\n#\"'{}()=+,", s[j]) == NULL)
        j++;
    return j;
}

/* The scanner's view of the top level: the last two tokens, to recognise NAME "TITLE" {. */
struct config_scan {
    struct config_text *t;
    int line;
    int depth;
    size_t open; /* index of the header whose body is being scanned, or SIZE_MAX */
    struct {
        size_t start, len;
        int line;
        bool word;
    } prev[2];
};

static bool config_token_is(const struct config_text *t, size_t start, size_t len, const char *word)
{
    const char *s = t->data + start;
    if (len >= 2 && (s[0] == '"' || s[0] == '\'') && s[len - 1] == s[0]) {
        s++;
        len -= 2;
    }
    return len == strlen(word) && memcmp(s, word, len) == 0;
}

static void config_scan_push(struct config_scan *sc, size_t start, size_t len, bool word)
{
    if (sc->depth > 0)
        return;
    sc->prev[1] = sc->prev[0];
    sc->prev[0].start = start;
    sc->prev[0].len = len;
    sc->prev[0].line = sc->line;
    sc->prev[0].word = word;
}

static int config_scan_open(struct config_scan *sc, size_t i)
{
    if (sc->depth++ > 0)
        return 0;
    struct config_text *t = sc->t;
    t->unclosed_line = sc->line;
    if (!sc->prev[0].word || !sc->prev[1].word)
        return 0;
    bool module = config_token_is(t, sc->prev[1].start, sc->prev[1].len, "module");
    if (!module && !config_token_is(t, sc->prev[1].start, sc->prev[1].len, "location"))
        return 0;
    struct config_header *h = realloc(t->headers, (t->nheaders + 1) * sizeof(*h));
    if (h == NULL)
        return -1;
    t->headers = h;
    h[t->nheaders] = (struct config_header){module ? HEADER_MODULE : HEADER_LOCATION,
                                            sc->prev[1].line, i + 1, t->len};
    sc->open = t->nheaders++;
    return 0;
}

static void config_scan_close(struct config_scan *sc, size_t i)
{
    if (sc->depth == 0) /* a stray '}': libconfuse reports it */
        return;
    if (--sc->depth > 0)
        return;
    sc->t->unclosed_line = 0;
    if (sc->open != SIZE_MAX)
        sc->t->headers[sc->open].body_end = i;
    sc->open = SIZE_MAX;
}

/* Blanks the comments of t->data and records the headers; -1 (reported) on an unclosed comment. */
static int config_text_scan(struct config_load *ld, struct config_text *t)
{
    struct config_scan sc = {.t = t, .line = 1, .open = SIZE_MAX};
    char *s = t->data;
    for (size_t i = 0; i < t->len;) {
        bool unclosed = false;
        size_t end = config_comment_end(s, t->len, i, &unclosed);
        if (unclosed) {
            config_error(ld, sc.line, "comment is never closed ('*/' missing)");
            return -1;
        }
        if (end > i) {
            sc.line += (int)config_count_lines(s, i, end);
            config_text_blank(s, i, end);
        } else if (s[i] == '\n' || s[i] == ' ' || s[i] == '\t' || s[i] == '\r') {
            sc.line += s[i] == '\n';
            end = i + 1;
        } else if (strchr("{}()=+,", s[i]) != NULL) {
            end = i + 1 + (s[i] == '+' && i + 1 < t->len && s[i + 1] == '=');
            if (s[i] == '{' && config_scan_open(&sc, i) == -1)
                return config_oom(ld);
            if (s[i] == '}')
                config_scan_close(&sc, i);
            config_scan_push(&sc, i, end - i, false);
        } else {
            end = config_token_end(s, t->len, i);
            config_scan_push(&sc, i, end - i, true);
            sc.line += (int)config_count_lines(s, i, end);
        }
        i = end;
    }
    return 0;
}

/* A copy of the text for one parse: every module body blanked but header `keep` (SIZE_MAX:
 * none). libconfuse reads it from memory. */
static char *config_text_for_parse(const struct config_text *t, size_t keep)
{
    char *copy = malloc(t->len + 1);
    if (copy == NULL)
        return NULL;
    memcpy(copy, t->data, t->len + 1);
    for (size_t h = 0; h < t->nheaders; h++) {
        if (t->headers[h].kind == HEADER_MODULE && h != keep)
            config_text_blank(copy, t->headers[h].body, t->headers[h].body_end);
    }
    return copy;
}

/* The n-th header of a kind, or NULL. */
static const struct config_header *config_header_nth(const struct config_text *t,
                                                     enum config_header_kind kind, size_t n)
{
    for (size_t h = 0; h < t->nheaders; h++) {
        if (t->headers[h].kind == kind && n-- == 0)
            return &t->headers[h];
    }
    return NULL;
}

static int config_read(struct config_load *ld)
{
    struct config_text *t = &ld->text;
    int fd = open(ld->file, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd == -1 || fstat(fd, &st) == -1) {
        config_error(ld, 0, "cannot open: %s", strerror(errno));
        goto fail;
    }
    if (!S_ISREG(st.st_mode) || st.st_size > CONFIG_MAX_BYTES) {
        config_error(ld, 0, "not a regular file of at most %d bytes", CONFIG_MAX_BYTES);
        goto fail;
    }
    t->data = malloc((size_t)st.st_size + 2);
    if (t->data == NULL) {
        config_oom(ld);
        goto fail;
    }
    ssize_t n = 0;
    while (t->len < (size_t)st.st_size &&
           (n = read(fd, t->data + t->len, (size_t)st.st_size - t->len)) > 0)
        t->len += (size_t)n;
    if (n == -1) {
        config_error(ld, 0, "cannot read: %s", strerror(errno));
        goto fail;
    }
    close(fd);
    fd = -1;
    const char *nul = memchr(t->data, '\0', t->len);
    if (nul != NULL) { /* libconfuse would silently stop reading there */
        config_error(ld, 1 + (int)config_count_lines(t->data, 0, (size_t)(nul - t->data)),
                     "NUL byte in the file");
        goto fail;
    }
    t->last_line = 1 + (int)config_count_lines(t->data, 0, t->len);
    if (t->len > 0 && t->data[t->len - 1] == '\n')
        t->last_line--;
    t->data[t->len++] = ' '; /* fmemopen() refuses an empty buffer */
    t->data[t->len] = '\0';
    return config_text_scan(ld, t);
fail:
    if (fd != -1)
        close(fd);
    return -1;
}

/* ---- parsing ----------------------------------------------------------------------------- */

static const struct config_section *config_section_find(const char *name)
{
    for (size_t s = 0; s < CONFIG_NSECTIONS; s++) {
        if (strcmp(config_sections[s].name, name) == 0)
            return &config_sections[s];
    }
    return NULL;
}

/* The row of the directive that opt of section cfg stands for; -1 when none (a module's). */
static long config_directive_index(const char *section, const char *name)
{
    for (size_t i = 0; i < CONFIG_NDIRECTIVES; i++) {
        const struct config_directive *d = &config_directives[i];
        bool same_section = section == NULL ? d->section == NULL
                                            : d->section != NULL && !strcmp(d->section, section);
        if (same_section && strcmp(d->opt.name, name) == 0)
            return (long)i;
    }
    return -1;
}

static long config_directive_of(const cfg_t *cfg, const cfg_opt_t *opt)
{
    const char *section = strcmp(cfg->name, "root") == 0 ? NULL : cfg->name;
    return config_directive_index(section, opt->name);
}

static void config_line_set(struct config_load *ld, size_t row, size_t index, int line)
{
    struct config_lines *l = &ld->lines[row];
    if (index >= l->n) {
        int *grown = realloc(l->line, (index + 1) * sizeof(*grown));
        if (grown == NULL)
            return; /* the line is only for messages */
        memset(grown + l->n, 0, (index + 1 - l->n) * sizeof(*grown));
        l->line = grown;
        l->n = index + 1;
    }
    l->line[index] = line;
}

/* The line of a directive's value; 0 when it kept its default. */
static int config_line(const struct config_load *ld, const char *section, const char *name,
                       size_t index)
{
    long row = config_directive_index(section, name);
    if (row < 0 || index >= ld->lines[row].n)
        return 0;
    return ld->lines[row].line[index];
}

static void config_check_value(struct config_load *ld, const struct config_directive *d, int line,
                               const char *value)
{
    const char *why = d->check != NULL && value != NULL ? d->check(value) : NULL;
    if (why != NULL)
        config_error(ld, line, "%s \"%s\": %s", d->opt.name, value, why);
}

/* libconfuse's validate callback: a scalar was just set, on the parser's current line. */
static int config_on_value(cfg_t *cfg, cfg_opt_t *opt)
{
    struct config_load *ld = config_current;
    long row = ld != NULL ? config_directive_of(cfg, opt) : -1;
    if (row < 0)
        return 0;
    const struct config_directive *d = &config_directives[row];
    size_t index = 0;
    const struct config_section *sec = d->section ? config_section_find(d->section) : NULL;
    if (sec != NULL && (sec->flags & CFGF_MULTI) && ld->parsing != NULL)
        index = cfg_size(ld->parsing, sec->name) - 1; /* the section being parsed is the last */
    config_line_set(ld, (size_t)row, index, cfg->line);
    if (opt->type == CFGT_INT) {
        long n = cfg_opt_getnint(opt, 0);
        if (n < d->min || n > d->max) {
            if (d->max == INT_MAX)
                config_error(ld, cfg->line, "%s = %ld: must be at least %ld", d->opt.name, n,
                             d->min);
            else
                config_error(ld, cfg->line, "%s = %ld: must be between %ld and %ld", d->opt.name, n,
                             d->min, d->max);
        }
    } else if (opt->type == CFGT_STR) {
        config_check_value(ld, d, cfg->line, cfg_opt_getnstr(opt, 0));
    }
    return 0; /* keep parsing: report every bad value at once */
}

/* libconfuse's parse callback for list values: called once per value (the validate callback
 * also runs at the closing brace), so each value gets its own line. */
static int config_on_list_value(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
    *(const char **)result = value;
    struct config_load *ld = config_current;
    long row = ld != NULL ? config_directive_of(cfg, opt) : -1;
    if (row < 0 || opt->nvalues == 0)
        return 0;
    config_line_set(ld, (size_t)row, opt->nvalues - 1, cfg->line);
    config_check_value(ld, &config_directives[row], cfg->line, value);
    return 0;
}

/* The option arrays for cfg_init(), which copies them: they are freed right after. */
struct config_options {
    cfg_opt_t *root;
    cfg_opt_t *sub[CONFIG_NSECTIONS];
};

static void config_options_free(struct config_options *o)
{
    free(o->root);
    for (size_t s = 0; s < CONFIG_NSECTIONS; s++)
        free(o->sub[s]);
}

static cfg_opt_t config_option_of(const struct config_directive *d, bool callbacks)
{
    cfg_opt_t opt = d->opt;
    if (callbacks && (opt.flags & CFGF_LIST))
        opt.parsecb = config_on_list_value;
    else if (callbacks)
        opt.validcb = config_on_value;
    return opt;
}

/*
 * The core directives and sections; the module sections get module_opts (NULL: none). With
 * callbacks, values are checked and their lines recorded as they are parsed.
 */
static int config_options_build(struct config_options *o, bool callbacks, cfg_opt_t *module_opts)
{
    memset(o, 0, sizeof(*o));
    /* calloc'd arrays end in zeros, which is CFG_END(). */
    o->root = calloc(CONFIG_NDIRECTIVES + CONFIG_NSECTIONS + 1, sizeof(cfg_opt_t));
    if (o->root == NULL)
        return -1;
    size_t nroot = 0;
    for (size_t s = 0; s < CONFIG_NSECTIONS; s++) {
        const struct config_section *sec = &config_sections[s];
        o->sub[s] = calloc(CONFIG_NDIRECTIVES + 1, sizeof(cfg_opt_t));
        if (o->sub[s] == NULL)
            return -1;
        size_t n = 0;
        for (size_t i = 0; i < CONFIG_NDIRECTIVES; i++) {
            const struct config_directive *d = &config_directives[i];
            if (d->section != NULL && strcmp(d->section, sec->name) == 0)
                o->sub[s][n++] = config_option_of(d, callbacks);
        }
        bool module = strcmp(sec->name, "module") == 0 && module_opts != NULL;
        o->root[nroot++] =
            (cfg_opt_t)CFG_SEC(sec->name, module ? module_opts : o->sub[s], sec->flags);
    }
    for (size_t i = 0; i < CONFIG_NDIRECTIVES; i++) {
        if (config_directives[i].section == NULL)
            o->root[nroot++] = config_option_of(&config_directives[i], callbacks);
    }
    return 0;
}

/* Parses text with the core directives and module_opts; the tree, or NULL (reported). */
static cfg_t *config_parse(struct config_load *ld, char *text, bool callbacks,
                           cfg_opt_t *module_opts)
{
    struct config_options o = {NULL, {NULL}};
    cfg_t *cfg = NULL;
    FILE *fp = NULL;
    config_current = ld;
    if (text == NULL || config_options_build(&o, callbacks, module_opts) == -1) {
        config_oom(ld);
        goto done;
    }
    cfg = cfg_init(o.root, CFGF_NONE);
    fp = cfg != NULL ? fmemopen(text, strlen(text), "r") : NULL;
    if (fp == NULL) {
        config_oom(ld);
        goto done;
    }
    cfg_set_error_function(cfg, config_on_cfg_error);
    cfg->filename = strdup(ld->file); /* what sections copy; NULL: libconfuse says "FILE" */
    ld->parsing = cfg;
    errno = 0; /* libconfuse tests errno == ERANGE after strtol() without clearing it */
    int nerrors = ld->nerrors;
    if (cfg_parse_fp(cfg, fp) != CFG_SUCCESS && ld->nerrors == nerrors)
        config_error(ld, cfg->line, "syntax error");
done:
    if (fp != NULL)
        fclose(fp);
    config_options_free(&o);
    ld->parsing = NULL;
    config_current = NULL;
    free(text);
    if (cfg != NULL && ld->nerrors > 0) {
        cfg_free(cfg);
        cfg = NULL;
    }
    return cfg;
}

/* Pass 1: the core directives, every module body blanked. */
static int config_parse_core(struct config_load *ld)
{
    struct config_text *t = &ld->text;
    ld->conf->cfg = config_parse(ld, config_text_for_parse(t, SIZE_MAX), true, NULL);
    if (ld->conf->cfg == NULL)
        return -1;
    if (t->unclosed_line > 0) {
        config_error(ld, t->unclosed_line, "'{' is never closed");
        return -1;
    }
    size_t nmod = 0, nloc = 0;
    for (size_t h = 0; h < t->nheaders; h++)
        *(t->headers[h].kind == HEADER_MODULE ? &nmod : &nloc) += 1;
    if (nmod != cfg_size(ld->conf->cfg, "module") || nloc != cfg_size(ld->conf->cfg, "location")) {
        config_error(ld, 0,
                     "write module and location section names plainly, "
                     "e.g. location \"^/x\" { … }");
        return -1;
    }
    return 0;
}

/* ---- values ------------------------------------------------------------------------------ */

static const char *config_check_nonempty(const char *value)
{
    return value[0] == '\0' ? "must not be empty" : NULL;
}

static const char *config_check_listen(const char *value)
{
    struct sockaddr_storage addr;
    socklen_t len;
    if (pfd_config_parse_listen(value, &addr, &len) == -1)
        return "expected \"1.2.3.4:port\", \"[::1]:port\", \"*:port\" or \"port\", "
               "a numeric address and a port from 1 to 65535";
    return NULL;
}

static int config_log_level_of(const char *value)
{
    for (size_t i = 0; i < CONFIG_ARRAY_SIZE(config_log_levels); i++) {
        if (strcmp(config_log_levels[i], value) == 0)
            return (int)i;
    }
    return -1;
}

static const char *config_check_log_level(const char *value)
{
    if (config_log_level_of(value) == -1)
        return "unknown log level (use emerg, alert, crit, error, warn, notice, info or debug)";
    return NULL;
}

static const char *config_check_size(const char *value)
{
    if (pfd_config_parse_size(value) == -1)
        return "expected a size in bytes with an optional K, M or G suffix, e.g. \"1M\"";
    return NULL;
}

static const char *config_check_file_name(const char *value)
{
    if (value[0] == '\0' || strchr(value, '/') != NULL || !strcmp(value, ".") ||
        !strcmp(value, ".."))
        return "must be a file name without '/'";
    return NULL;
}

static const char *config_check_media_type(const char *value)
{
    const char *slash = strchr(value, '/');
    if (slash == NULL || slash == value || slash[1] == '\0' || strpbrk(value, " \t\r\n") != NULL)
        return "expected a media type such as \"application/octet-stream\"";
    return NULL;
}

int64_t pfd_config_parse_size(const char *text)
{
    if (text == NULL || !isdigit((unsigned char)text[0]))
        return -1;
    int64_t n = 0;
    const char *p = text;
    for (; isdigit((unsigned char)*p); p++) {
        int digit = *p - '0';
        if (n > (INT64_MAX - digit) / 10)
            return -1;
        n = n * 10 + digit;
    }
    const char *suffix = *p != '\0' ? strchr("KkMmGg", *p) : NULL;
    int shift = suffix != NULL ? 10 * (int)(1 + (suffix - "KkMmGg") / 2) : 0;
    if (suffix != NULL)
        p++;
    if (*p != '\0' || n > (INT64_MAX >> shift))
        return -1;
    return n * ((int64_t)1 << shift);
}

/* "1".."65535", digits only. */
static int config_port_parse(const char *text)
{
    size_t n = strspn(text, "0123456789");
    if (n == 0 || n > 5 || text[n] != '\0')
        return -1;
    int port = atoi(text);
    return port >= 1 && port <= 65535 ? port : -1;
}

static int config_listen_v6(const char *text, struct sockaddr_storage *addr, socklen_t *len)
{
    const char *close = strchr(text, ']');
    char host[INET6_ADDRSTRLEN];
    size_t n = close != NULL ? (size_t)(close - text - 1) : 0;
    if (close == NULL || close[1] != ':' || n == 0 || n >= sizeof(host))
        return -1;
    memcpy(host, text + 1, n);
    host[n] = '\0';
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)addr;
    int port = config_port_parse(close + 2);
    if (port == -1 || inet_pton(AF_INET6, host, &a6->sin6_addr) != 1)
        return -1;
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons((uint16_t)port);
    *len = sizeof(*a6);
    return 0;
}

static int config_listen_v4(const char *text, struct sockaddr_storage *addr, socklen_t *len)
{
    const char *colon = strchr(text, ':');
    const char *port_text = colon != NULL ? colon + 1 : text;
    char host[INET_ADDRSTRLEN];
    size_t n = colon != NULL ? (size_t)(colon - text) : 0;
    if (n >= sizeof(host))
        return -1;
    memcpy(host, text, n);
    host[n] = '\0';
    struct sockaddr_in *a4 = (struct sockaddr_in *)addr;
    int port = config_port_parse(port_text);
    if (port == -1)
        return -1;
    if (colon == NULL || strcmp(host, "*") == 0)
        a4->sin_addr.s_addr = htonl(INADDR_ANY);
    else if (inet_pton(AF_INET, host, &a4->sin_addr) != 1) /* dotted quads only: no DNS */
        return -1;
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)port);
    *len = sizeof(*a4);
    return 0;
}

int pfd_config_parse_listen(const char *text, struct sockaddr_storage *addr, socklen_t *len)
{
    memset(addr, 0, sizeof(*addr));
    *len = 0;
    if (text == NULL || text[0] == '\0')
        return -1;
    return text[0] == '[' ? config_listen_v6(text, addr, len) : config_listen_v4(text, addr, len);
}

/* ---- copying into struct pfd_config ------------------------------------------------------ */

static void *config_field(struct pfd_config *conf, size_t offset)
{
    return (char *)conf + offset;
}

/* path against the config's folder; "-" kept when dash is true. NULL only on OOM. */
static char *config_path(const struct pfd_config *conf, const char *path, bool dash)
{
    if (path[0] == '/' || (dash && strcmp(path, "-") == 0))
        return strdup(path);
    size_t n = strlen(conf->dir) + strlen(path) + 2;
    char *full = malloc(n);
    if (full != NULL)
        snprintf(full, n, "%s/%s", conf->dir, path);
    return full;
}

static int config_copy_list(struct pfd_config *conf, const struct config_directive *d,
                            cfg_opt_t *opt)
{
    size_t n = cfg_opt_size(opt);
    char **list = calloc(n + 1, sizeof(*list)); /* NULL-terminated as well */
    if (list == NULL)
        return -1;
    *(char ***)config_field(conf, d->offset) = list;
    for (size_t i = 0; i < n; i++) {
        list[i] = strdup(cfg_opt_getnstr(opt, (unsigned)i));
        if (list[i] == NULL)
            return -1;
        (*(size_t *)config_field(conf, d->count_offset))++;
    }
    return 0;
}

/* The generic copier: one directive from its section of the tree to its field. */
static int config_copy(struct pfd_config *conf, const struct config_directive *d)
{
    if (d->copy == COPY_NONE)
        return 0;
    cfg_t *sec = d->section != NULL ? cfg_getsec(conf->cfg, d->section) : conf->cfg;
    cfg_opt_t *opt = cfg_getopt(sec, d->opt.name);
    void *field = config_field(conf, d->offset);
    const char *s = d->opt.type == CFGT_STR ? cfg_opt_getnstr(opt, 0) : NULL;
    switch (d->copy) {
    case COPY_NONE:
        break;
    case COPY_INT:
        *(int *)field = (int)cfg_opt_getnint(opt, 0);
        return 0;
    case COPY_BOOL:
        *(bool *)field = cfg_opt_getnbool(opt, 0) == cfg_true;
        return 0;
    case COPY_LIST:
        return config_copy_list(conf, d, opt);
    case COPY_STR:
    case COPY_PATH:
    case COPY_LOG:
        if (s == NULL) /* CFGF_NODEFAULT and not set */
            return 0;
        *(char **)field =
            d->copy == COPY_STR ? strdup(s) : config_path(conf, s, d->copy == COPY_LOG);
        return *(char **)field != NULL ? 0 : -1;
    }
    return 0;
}

static int config_copy_listens(struct pfd_config *conf)
{
    cfg_opt_t *opt = cfg_getopt(conf->cfg, "listen");
    size_t n = cfg_opt_size(opt);
    conf->listens = calloc(n > 0 ? n : 1, sizeof(*conf->listens));
    if (conf->listens == NULL)
        return -1;
    for (size_t i = 0; i < n; i++) {
        struct pfd_listen *l = &conf->listens[i];
        l->fd = -1;
        l->text = strdup(cfg_opt_getnstr(opt, (unsigned)i));
        if (l->text == NULL)
            return -1;
        conf->nlistens++;
        pfd_config_parse_listen(l->text, &l->addr, &l->addr_len); /* checked while parsed */
    }
    return 0;
}

/* server_name, server_admin and group when not given; the limits body size and log level. */
static int config_copy_derived(struct pfd_config *conf)
{
    cfg_t *cfg = conf->cfg;
    conf->log_level = config_log_level_of(cfg_getstr(cfg, "log_level"));
    conf->limits.body = pfd_config_parse_size(cfg_getstr(cfg_getsec(cfg, "limits"), "body"));
    if (conf->server_name == NULL) {
        char host[HOST_NAME_MAX + 1] = "";
        if (gethostname(host, sizeof(host)) == -1 || host[0] == '\0')
            snprintf(host, sizeof(host), "localhost");
        host[HOST_NAME_MAX] = '\0';
        if ((conf->server_name = strdup(host)) == NULL)
            return -1;
    }
    if (conf->server_admin == NULL) {
        size_t n = strlen("webmaster@") + strlen(conf->server_name) + 1;
        if ((conf->server_admin = malloc(n)) == NULL)
            return -1;
        snprintf(conf->server_admin, n, "webmaster@%s", conf->server_name);
    }
    if (conf->group == NULL) { /* the user's primary group, when the user exists */
        struct passwd *pw = getpwnam(conf->user);
        struct group *gr = pw != NULL ? getgrgid(pw->pw_gid) : NULL;
        if (gr != NULL && (conf->group = strdup(gr->gr_name)) == NULL)
            return -1;
    }
    return 0;
}

static int config_fill(struct config_load *ld)
{
    struct pfd_config *conf = ld->conf;
    for (size_t i = 0; i < CONFIG_NDIRECTIVES; i++) {
        if (config_copy(conf, &config_directives[i]) == -1)
            return config_oom(ld);
    }
    if (config_copy_listens(conf) == -1 || config_copy_derived(conf) == -1)
        return config_oom(ld);
    if (conf->nlistens == 0)
        config_error(ld, 0, "listen: at least one address is needed");
    return 0;
}

/* ---- checks across directives and against the system ------------------------------------- */

static int config_max(int a, int b)
{
    return a > b ? a : b;
}

/* "a (N) is greater than b (M)", on the later of the two lines (the one that broke it). */
static void config_check_order(struct config_load *ld, const char *section, const char *a, int va,
                               const char *b, int vb)
{
    if (va <= vb)
        return;
    int line = config_max(config_line(ld, section, a, 0), config_line(ld, section, b, 0));
    config_error(ld, line, "%s (%d) is greater than %s (%d)", a, va, b, vb);
}

static void config_check_listen_dupes(struct config_load *ld)
{
    const struct pfd_config *conf = ld->conf;
    for (size_t i = 0; i < conf->nlistens; i++) {
        for (size_t j = 0; j < i; j++) {
            const struct pfd_listen *a = &conf->listens[i], *b = &conf->listens[j];
            if (a->addr_len == b->addr_len && memcmp(&a->addr, &b->addr, a->addr_len) == 0)
                config_error(ld, config_line(ld, NULL, "listen", i),
                             "listen \"%s\": the same address as \"%s\"", a->text, b->text);
        }
    }
}

/* Whether path is a folder we may read and search; if not, says why and returns -1. */
static int config_check_folder(struct config_load *ld, int line, const char *name, const char *path)
{
    struct stat st;
    if (stat(path, &st) == -1) {
        config_error(ld, line, "%s \"%s\": %s", name, path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        config_error(ld, line, "%s \"%s\": not a folder", name, path);
        return -1;
    }
    if (access(path, R_OK | X_OK) == -1) {
        config_error(ld, line, "%s \"%s\": not readable: %s", name, path, strerror(errno));
        return -1;
    }
    return 0;
}

/* document_root: absolute, symlinks and dots resolved, no trailing '/'. */
static int config_document_root(struct config_load *ld)
{
    struct pfd_config *conf = ld->conf;
    int line = config_line(ld, NULL, "document_root", 0);
    char *path = config_path(conf, cfg_getstr(conf->cfg, "document_root"), false);
    if (path == NULL)
        return config_oom(ld);
    if (config_check_folder(ld, line, "document_root", path) == 0)
        conf->document_root = realpath(path, NULL);
    free(path);
    return 0;
}

/* As root, the workers switch to user/group: they must exist. */
static void config_check_user(struct config_load *ld)
{
    const struct pfd_config *conf = ld->conf;
    if (geteuid() != 0)
        return;
    if (getpwnam(conf->user) == NULL)
        config_error(ld, config_line(ld, NULL, "user", 0), "user \"%s\": no such user", conf->user);
    else if (conf->group == NULL || getgrnam(conf->group) == NULL)
        config_error(ld, config_line(ld, NULL, "group", 0), "group \"%s\": no such group",
                     conf->group != NULL ? conf->group : "(the user's primary group)");
}

static int config_check_core(struct config_load *ld)
{
    const struct pfd_config *conf = ld->conf;
    config_check_order(ld, "prefork", "start_servers", conf->prefork.start_servers, "max_workers",
                       conf->prefork.max_workers);
    config_check_order(ld, "prefork", "min_spare_servers", conf->prefork.min_spare_servers,
                       "max_spare_servers", conf->prefork.max_spare_servers);
    config_check_listen_dupes(ld);
    config_check_user(ld);
    return config_document_root(ld);
}

/* The runtime check: every address can be bound now. SO_REUSEADDR as the server sets it, so a
 * port left in TIME_WAIT by a previous run passes; a port someone listens on does not. */
static void config_check_bind(struct config_load *ld, size_t i)
{
    const struct pfd_listen *l = &ld->conf->listens[i];
    int line = config_line(ld, NULL, "listen", i);
    int fd = socket(l->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd == -1) {
        config_error(ld, line, "listen \"%s\": socket() failed: %s", l->text, strerror(errno));
        return;
    }
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    if (l->addr.ss_family == AF_INET6) /* so "[::]:80" and "*:80" can both be used */
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
    if (bind(fd, (const struct sockaddr *)&l->addr, l->addr_len) == -1) {
        if (errno == EADDRINUSE)
            config_error(ld, line, "listen \"%s\": address already in use", l->text);
        else
            config_error(ld, line, "listen \"%s\": bind() failed: %s", l->text, strerror(errno));
    }
    close(fd);
}

/* ---- modules ----------------------------------------------------------------------------- */

static size_t config_module_find(const struct pfd_config *conf, const char *name)
{
    for (size_t i = 0; i < conf->nloaded; i++) {
        if (strcmp(conf->loaded[i].module->name, name) == 0)
            return i;
    }
    return SIZE_MAX;
}

static bool config_module_listed(const struct pfd_config *conf, const char *name)
{
    for (size_t i = 0; i < conf->nmodules; i++) {
        if (strcmp(conf->modules[i], name) == 0)
            return true;
    }
    return false;
}

/* dlopen()s `modules` in order into conf->loaded. */
static int config_load_modules(struct config_load *ld)
{
    struct pfd_config *conf = ld->conf;
    int dir_line = config_line(ld, NULL, "module_dir", 0);
    if (conf->nmodules == 0 && dir_line == 0)
        return 0; /* no modules: the default module_dir need not exist */
    if (config_check_folder(ld, dir_line, "module_dir", conf->module_dir) == -1)
        return 0;
    conf->loaded = calloc(conf->nmodules + 1, sizeof(*conf->loaded));
    if (conf->loaded == NULL)
        return config_oom(ld);
    for (size_t i = 0; i < conf->nmodules; i++) {
        const char *name = conf->modules[i];
        int line = config_line(ld, NULL, "modules", i);
        char why[CONFIG_MSG_MAX / 2];
        bool twice = false;
        for (size_t j = 0; j < i; j++)
            twice = twice || strcmp(conf->modules[j], name) == 0;
        if (twice) {
            config_error(ld, line, "module \"%s\" is listed twice", name);
            continue;
        }
        if (pfd_module_open(conf->module_dir, name, &conf->loaded[conf->nloaded], why,
                            sizeof(why)) == -1) {
            config_error(ld, line, "%s", why);
            continue;
        }
        conf->nloaded++;
    }
    return 0;
}

/* Pass 2, once per `module "x"` section: the file again, only that module body left, with
 * module x's option table. Its tree is kept: the module reads its section from it. */
static int config_parse_module(struct config_load *ld, size_t header, cfg_t *shell)
{
    struct pfd_config *conf = ld->conf;
    const char *title = cfg_title(shell);
    int line = ld->text.headers[header].line;
    size_t m = config_module_find(conf, title);
    if (m == SIZE_MAX) {
        if (!config_module_listed(conf, title))
            config_error(ld, line, "module \"%s\" is not in modules, so this section is unused",
                         title);
        return 0; /* listed but not loaded: already reported */
    }
    struct pfd_loaded_module *lm = &conf->loaded[m];
    cfg_opt_t none[] = {CFG_END()};
    cfg_opt_t *opts = lm->module->options != NULL ? lm->module->options : none;
    lm->cfg = config_parse(ld, config_text_for_parse(&ld->text, header), false, opts);
    if (lm->cfg != NULL)
        lm->section = cfg_gettsec(lm->cfg, "module", title);
    return 0;
}

static int config_parse_modules(struct config_load *ld)
{
    cfg_t *cfg = ld->conf->cfg;
    size_t n = 0;
    for (size_t h = 0; h < ld->text.nheaders; h++) {
        if (ld->text.headers[h].kind == HEADER_MODULE)
            config_parse_module(ld, h, cfg_getnsec(cfg, "module", (unsigned)n++));
    }
    return 0;
}

/* ---- locations --------------------------------------------------------------------------- */

/* Plain bytes, no UTF flag: paths are matched as the bytes they decode to. JIT when available. */
static int config_location(struct config_load *ld, size_t i, cfg_t *sec)
{
    struct pfd_config *conf = ld->conf;
    struct pfd_location *loc = &conf->locations[i];
    const char *handler = cfg_getstr(sec, "handler");
    const struct config_header *h = config_header_nth(&ld->text, HEADER_LOCATION, i);
    loc->line = h != NULL ? h->line : 0;
    loc->pattern = strdup(cfg_title(sec));
    loc->handler = handler != NULL ? strdup(handler) : NULL;
    if (loc->pattern == NULL || (handler != NULL && loc->handler == NULL))
        return config_oom(ld);
    int code;
    PCRE2_SIZE offset;
    loc->regex =
        pcre2_compile((PCRE2_SPTR)loc->pattern, PCRE2_ZERO_TERMINATED, 0, &code, &offset, NULL);
    if (loc->regex == NULL) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof(msg));
        config_error(ld, loc->line, "bad regex \"%s\": %s at offset %zu", loc->pattern,
                     (const char *)msg, (size_t)offset);
    } else {
        (void)pcre2_jit_compile(loc->regex, PCRE2_JIT_COMPLETE); /* the interpreter is fine too */
    }
    if (handler != NULL && !config_module_listed(conf, handler))
        config_error(ld, config_line(ld, "location", "handler", i),
                     "location \"%s\": handler \"%s\" is not in modules", loc->pattern, handler);
    return 0;
}

static int config_locations(struct config_load *ld)
{
    struct pfd_config *conf = ld->conf;
    size_t n = cfg_size(conf->cfg, "location");
    conf->locations = calloc(n + 1, sizeof(*conf->locations));
    if (conf->locations == NULL)
        return config_oom(ld);
    for (size_t i = 0; i < n; i++) {
        conf->nlocations++;
        if (config_location(ld, i, cfg_getnsec(conf->cfg, "location", (unsigned)i)) == -1)
            return -1;
    }
    return 0;
}

/* ---- mime.types -------------------------------------------------------------------------- */

/* While reading: seq is the file order, so a later extension wins over an earlier one. */
struct config_mime_entry {
    struct pfd_mime_type mt;
    size_t seq;
};

struct config_mime {
    struct config_mime_entry *entries;
    size_t n, cap;
};

static int config_mime_add(struct config_mime *m, const char *ext, const char *type)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 256;
        struct config_mime_entry *grown = realloc(m->entries, cap * sizeof(*grown));
        if (grown == NULL)
            return -1;
        m->entries = grown;
        m->cap = cap;
    }
    struct pfd_mime_type *e = &m->entries[m->n].mt;
    m->entries[m->n].seq = m->n;
    e->extension = strdup(ext);
    e->type = strdup(type);
    if (e->extension == NULL || e->type == NULL) {
        free(e->extension);
        free(e->type);
        return -1;
    }
    for (char *c = e->extension; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    m->n++;
    return 0;
}

/* One line: "type ext ext …", '#' to the end of the line is a comment. */
static int config_mime_line(struct config_load *ld, struct config_mime *m, const char *path,
                            int lineno, char *line)
{
    char *hash = strchr(line, '#');
    if (hash != NULL)
        *hash = '\0';
    char *save = NULL;
    const char *type = strtok_r(line, " \t\r\n", &save);
    if (type == NULL)
        return 0;
    if (config_check_media_type(type) != NULL) {
        config_error_in(ld, path, lineno, "\"%s\" is not a media type", type);
        return 0;
    }
    for (char *ext; (ext = strtok_r(NULL, " \t\r\n", &save)) != NULL;) {
        if (ext[0] == '.')
            ext++;
        if (config_check_file_name(ext) != NULL || strlen(ext) > CONFIG_EXT_MAX) {
            config_error_in(ld, path, lineno, "\"%s\" is not a file extension", ext);
            continue;
        }
        if (config_mime_add(m, ext, type) == -1)
            return config_oom(ld);
    }
    return 0;
}

/* By extension; equal extensions: the later definition first. */
static int config_mime_cmp(const void *a, const void *b)
{
    const struct config_mime_entry *x = a, *y = b;
    int c = strcmp(x->mt.extension, y->mt.extension);
    return c != 0 ? c : (x->seq < y->seq) - (x->seq > y->seq);
}

/* Sorts by extension for bsearch(), keeping the last definition of each; conf owns the result. */
static int config_mime_finish(struct pfd_config *conf, struct config_mime *m)
{
    qsort(m->entries, m->n, sizeof(*m->entries), config_mime_cmp);
    conf->mime_types = calloc(m->n + 1, sizeof(*conf->mime_types));
    const char *last = NULL; /* the extension kept last */
    for (size_t i = 0; i < m->n; i++) {
        struct pfd_mime_type *e = &m->entries[i].mt;
        if (conf->mime_types != NULL && (last == NULL || strcmp(last, e->extension) != 0)) {
            conf->mime_types[conf->nmime_types++] = *e;
            last = e->extension;
            continue;
        }
        free(e->extension);
        free(e->type);
    }
    free(m->entries);
    return conf->mime_types != NULL ? 0 : -1;
}

static int config_mime_read(struct config_load *ld, const char *path, int line)
{
    FILE *f = fopen(path, "re");
    if (f == NULL) {
        config_error(ld, line, "mime_types \"%s\": %s", path, strerror(errno));
        return 0;
    }
    struct config_mime m = {NULL, 0, 0};
    char *buf = NULL;
    size_t cap = 0;
    int rc = 0;
    for (int lineno = 1; rc == 0 && getline(&buf, &cap, f) != -1; lineno++)
        rc = config_mime_line(ld, &m, path, lineno, buf);
    if (rc == 0 && ferror(f))
        config_error(ld, line, "mime_types \"%s\": %s", path, strerror(errno));
    free(buf);
    fclose(f);
    if (config_mime_finish(ld->conf, &m) == -1)
        return config_oom(ld);
    return rc;
}

/* mime_types as given, else "mime.types" beside the config file when there is one. */
static int config_mime_types(struct config_load *ld)
{
    struct pfd_config *conf = ld->conf;
    const char *given = cfg_getstr(conf->cfg, "mime_types");
    conf->mime_types_file = config_path(conf, given != NULL ? given : "mime.types", false);
    if (conf->mime_types_file == NULL)
        return config_oom(ld);
    if (given == NULL && access(conf->mime_types_file, F_OK) == -1) {
        free(conf->mime_types_file);
        conf->mime_types_file = NULL;
        return 0;
    }
    return config_mime_read(ld, conf->mime_types_file, config_line(ld, NULL, "mime_types", 0));
}

static int config_mime_key_cmp(const void *key, const void *entry)
{
    return strcmp(key, ((const struct pfd_mime_type *)entry)->extension);
}

const char *pfd_config_mime_lookup(const struct pfd_config *conf, const char *extension)
{
    char key[CONFIG_EXT_MAX + 1];
    size_t n = strlen(extension);
    if (n == 0 || n > CONFIG_EXT_MAX || conf->nmime_types == 0)
        return NULL;
    for (size_t i = 0; i <= n; i++)
        key[i] = (char)tolower((unsigned char)extension[i]);
    const struct pfd_mime_type *e =
        bsearch(key, conf->mime_types, conf->nmime_types, sizeof(*e), config_mime_key_cmp);
    return e != NULL ? e->type : NULL;
}

/* ---- load and free ----------------------------------------------------------------------- */

/* conf->file as given, conf->dir the absolute folder of it. */
static int config_start(struct config_load *ld, const char *file)
{
    struct pfd_config *conf = ld->conf;
    conf->file = strdup(file);
    const char *slash = strrchr(file, '/');
    char *folder = slash == NULL ? strdup(".") : strndup(file, (size_t)(slash - file));
    if (conf->file == NULL || folder == NULL) {
        free(folder);
        return config_oom(ld);
    }
    conf->dir = realpath(folder[0] != '\0' ? folder : "/", NULL);
    if (conf->dir == NULL)
        config_error(ld, 0, "cannot resolve its folder \"%s\": %s", folder, strerror(errno));
    free(folder);
    return conf->dir != NULL ? config_read(ld) : -1;
}

static void config_load_free(struct config_load *ld)
{
    for (size_t i = 0; i < CONFIG_NDIRECTIVES; i++)
        free(ld->lines[i].line);
    free(ld->text.data);
    free(ld->text.headers);
}

struct pfd_config *pfd_config_load(const char *file, bool check_runtime, char *err, size_t err_size)
{
    struct config_load ld = {.file = file, .err = err, .err_size = err_size};
    if (err_size > 0)
        err[0] = '\0';
    ld.conf = calloc(1, sizeof(*ld.conf));
    if (ld.conf == NULL) {
        config_oom(&ld);
        return NULL;
    }
    /* Each step runs while the ones before could finish; a step returns -1 when what follows
     * cannot run, and records its errors either way so that one run reports them all. */
    if (config_start(&ld, file) == 0 && config_parse_core(&ld) == 0 && config_fill(&ld) == 0 &&
        config_check_core(&ld) == 0 && config_load_modules(&ld) == 0 &&
        config_parse_modules(&ld) == 0 && config_locations(&ld) == 0 &&
        config_mime_types(&ld) == 0 && check_runtime) {
        for (size_t i = 0; i < ld.conf->nlistens; i++)
            config_check_bind(&ld, i);
    }
    config_load_free(&ld);
    if (ld.nerrors > 0) {
        pfd_config_free(ld.conf);
        return NULL;
    }
    return ld.conf;
}

static void config_strv_free(char **v, size_t n)
{
    for (size_t i = 0; v != NULL && i < n; i++)
        free(v[i]);
    free(v);
}

void pfd_config_free(struct pfd_config *conf)
{
    if (conf == NULL)
        return;
    /* Module trees first: their callbacks (freecb) live in the module, which dlclose unmaps. */
    for (size_t i = 0; i < conf->nloaded; i++) {
        if (conf->loaded[i].cfg != NULL)
            cfg_free(conf->loaded[i].cfg);
        pfd_module_close(&conf->loaded[i]);
    }
    free(conf->loaded);
    for (size_t i = 0; i < conf->nlocations; i++) {
        free(conf->locations[i].pattern);
        pcre2_code_free(conf->locations[i].regex);
        free(conf->locations[i].handler);
    }
    free(conf->locations);
    for (size_t i = 0; i < conf->nlistens; i++)
        free(conf->listens[i].text);
    free(conf->listens);
    for (size_t i = 0; i < conf->nmime_types; i++) {
        free(conf->mime_types[i].extension);
        free(conf->mime_types[i].type);
    }
    free(conf->mime_types);
    config_strv_free(conf->modules, conf->nmodules);
    config_strv_free(conf->index_files, conf->nindex_files);
    char *strings[] = {conf->file,
                       conf->dir,
                       conf->server_name,
                       conf->server_admin,
                       conf->document_root,
                       conf->user,
                       conf->group,
                       conf->pid_file,
                       conf->error_log,
                       conf->access_log,
                       conf->access_log_format,
                       conf->module_dir,
                       conf->mime_types_file,
                       conf->default_type};
    for (size_t i = 0; i < CONFIG_ARRAY_SIZE(strings); i++)
        free(strings[i]);
    if (conf->cfg != NULL)
        cfg_free(conf->cfg);
    free(conf);
}
