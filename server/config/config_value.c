/*
 * config_value.c — the checks and parsers of single directive values: pure functions of a
 * string, so the loader runs them while libconfuse parses (when its line is the value's line) and
 * the tests run them without a file.
 */
#include "config/config_value.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/config.h"

static const char *const config_log_levels[] = {
    [PFD_LOG_EMERG] = "emerg", [PFD_LOG_ALERT] = "alert", [PFD_LOG_CRIT] = "crit",
    [PFD_LOG_ERR] = "error",   [PFD_LOG_WARN] = "warn",   [PFD_LOG_NOTICE] = "notice",
    [PFD_LOG_INFO] = "info",   [PFD_LOG_DEBUG] = "debug",
};

const char *config_check_nonempty(const char *value)
{
    return value[0] == '\0' ? "must not be empty" : NULL;
}

const char *config_check_listen(const char *value)
{
    struct sockaddr_storage addr;
    socklen_t len;
    if (pfd_config_parse_listen(value, &addr, &len) == -1)
        return "expected \"1.2.3.4:port\", \"[::1]:port\", \"*:port\" or \"port\", "
               "a numeric address and a port from 1 to 65535";
    return NULL;
}

int config_log_level_of(const char *value)
{
    for (size_t i = 0; i < sizeof(config_log_levels) / sizeof(config_log_levels[0]); i++) {
        if (strcmp(config_log_levels[i], value) == 0)
            return (int)i;
    }
    return -1;
}

const char *config_check_log_level(const char *value)
{
    if (config_log_level_of(value) == -1)
        return "unknown log level (use emerg, alert, crit, error, warn, notice, info or debug)";
    return NULL;
}

/* The index of value in words (n of them), or -1 (also for NULL). */
static int config_word_index(const char *const *words, size_t n, const char *value)
{
    for (size_t i = 0; value != NULL && i < n; i++)
        if (strcmp(words[i], value) == 0)
            return (int)i;
    return -1;
}

int config_symlinks_of(const char *value)
{
    static const char *const words[] = {[PFD_SYMLINKS_ON] = "on",
                                        [PFD_SYMLINKS_OFF] = "off",
                                        [PFD_SYMLINKS_IF_OWNER_MATCH] = "if_owner_match"};
    return config_word_index(words, sizeof(words) / sizeof(words[0]), value);
}

const char *config_check_symlinks(const char *value)
{
    return config_symlinks_of(value) < 0 ? "expected \"on\", \"off\" or \"if_owner_match\"" : NULL;
}

int config_scheduling_of(const char *value)
{
    static const char *const words[] = {
        [PFD_SCHEDULING_NORMAL] = "normal", [PFD_SCHEDULING_BATCH] = "batch"};
    return config_word_index(words, sizeof(words) / sizeof(words[0]), value);
}

const char *config_check_scheduling(const char *value)
{
    return config_scheduling_of(value) < 0 ? "expected \"normal\" or \"batch\"" : NULL;
}

int config_override_of(const char *value)
{
    static const struct {
        const char *word;
        int mask;
    } words[] = {
        {"None", 0},
        {"All", PFD_OVERRIDE_ALL},
        {"AuthConfig", PFD_OVERRIDE_AUTHCONFIG},
        {"FileInfo", PFD_OVERRIDE_FILEINFO},
        {"Indexes", PFD_OVERRIDE_INDEXES},
        {"Limit", PFD_OVERRIDE_LIMIT},
        {"Options", PFD_OVERRIDE_OPTIONS},
    };
    for (size_t i = 0; value != NULL && i < sizeof(words) / sizeof(words[0]); i++)
        if (strcasecmp(words[i].word, value) == 0)
            return words[i].mask;
    return -1;
}

const char *config_check_override(const char *value)
{
    return config_override_of(value) < 0 ? "expected None, All, AuthConfig, FileInfo, Indexes, "
                                           "Limit or Options (Apache's AllowOverride words)"
                                         : NULL;
}

const char *config_check_size(const char *value)
{
    if (pfd_size_parse(value) == -1)
        return "expected a size in bytes with an optional K, M or G suffix, e.g. \"1M\"";
    return NULL;
}

const char *config_check_file_name(const char *value)
{
    if (value[0] == '\0' || strchr(value, '/') != NULL || !strcmp(value, ".") ||
        !strcmp(value, ".."))
        return "must be a file name without '/'";
    return NULL;
}

const char *config_check_media_type(const char *value)
{
    const char *slash = strchr(value, '/');
    if (slash == NULL || slash == value || slash[1] == '\0' || strpbrk(value, " \t\r\n") != NULL)
        return "expected a media type such as \"application/octet-stream\"";
    return NULL;
}

/* The one size parser: the core's limits and the modules' sizes (mod_cgi's rlimit_mem and
 * spool_max) read alike. Digits only, then at most one of K, M, G: no sign, blanks or fraction. */
int64_t pfd_size_parse(const char *text)
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

/* ---- tls { verify_client } ----------------------------------------------------------------- */

static const char *const config_tls_verify_names[] = {"off", "optional", "require"};

#define CONFIG_TLS_NVERIFY (sizeof(config_tls_verify_names) / sizeof(config_tls_verify_names[0]))

int config_tls_verify_client(const char *value)
{
    int i = config_word_index(config_tls_verify_names, CONFIG_TLS_NVERIFY, value);
    return i < 0 ? PFD_TLS_VERIFY_OFF : i;
}

const char *config_check_tls_verify_client(const char *value)
{
    return config_word_index(config_tls_verify_names, CONFIG_TLS_NVERIFY, value) < 0
               ? "expected off, optional or require"
               : NULL;
}

/* ---- tls { protocols } --------------------------------------------------------------------- */

static const char *const config_tls_protocol_names[] = {"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"};

#define CONFIG_TLS_NPROTOCOLS (sizeof(config_tls_protocol_names) / sizeof(char *))

/* The index of the protocol named by the word at s (len bytes), or -1. */
static int config_tls_protocol_index(const char *s, size_t len)
{
    for (size_t i = 0; i < CONFIG_TLS_NPROTOCOLS; i++) {
        if (strlen(config_tls_protocol_names[i]) == len &&
            strncmp(s, config_tls_protocol_names[i], len) == 0)
            return (int)i;
    }
    return -1;
}

const char *config_check_tls_protocols(const char *value)
{
    size_t words = 0;
    for (const char *p = value + strspn(value, " "); *p != '\0'; p += strspn(p, " ")) {
        size_t len = strcspn(p, " ");
        int i = config_tls_protocol_index(p, len);
        if (i < 0)
            return "expected a list of TLSv1.2 and TLSv1.3";
        if (i < 2)
            return "TLSv1 and TLSv1.1 are deprecated (RFC 8996) and not offered: use TLSv1.2 "
                   "and TLSv1.3";
        p += len;
        words++;
    }
    return words == 0 ? "expected a list of TLSv1.2 and TLSv1.3" : NULL;
}

unsigned config_tls_protocol_bits(const char *value)
{
    unsigned bits = 0;
    for (const char *p = value + strspn(value, " "); *p != '\0'; p += strspn(p, " ")) {
        size_t len = strcspn(p, " ");
        int i = config_tls_protocol_index(p, len);
        if (i >= 0)
            bits |= 1u << i;
        p += len;
    }
    return bits;
}
