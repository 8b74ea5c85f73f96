/*
 * log_format.c — compiling an Apache LogFormat string ("%h %l %u %t \"%r\" %>s %b") into items,
 * once, when the config is loaded: at request time only the items are walked.
 */
#include "parse/log_format.h"

#include "preforkd/module.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int access_format_add(struct pfd_access_format *f, enum pfd_access_op op, const char *text,
                             size_t len)
{
    struct pfd_access_item *items = realloc(f->items, (f->nitems + 1) * sizeof(*items));
    if (items == NULL)
        return -1;
    f->items = items;
    struct pfd_access_item *it = &items[f->nitems++];
    it->op = op;
    it->len = len;
    it->text = NULL;
    if (text != NULL && (it->text = strndup(text, len)) == NULL)
        return -1;
    return 0;
}

static int access_op_for(char c)
{
    static const struct {
        char code;
        enum pfd_access_op op;
    } codes[] = {
        {'h', PFD_ACCESS_REMOTE_HOST},  {'a', PFD_ACCESS_REMOTE_HOST},
        {'A', PFD_ACCESS_LOCAL_IP},     {'l', PFD_ACCESS_DASH},
        {'u', PFD_ACCESS_REMOTE_USER},  {'t', PFD_ACCESS_TIME},
        {'r', PFD_ACCESS_REQUEST_LINE}, {'s', PFD_ACCESS_STATUS},
        {'b', PFD_ACCESS_BYTES_CLF},    {'B', PFD_ACCESS_BYTES},
        {'D', PFD_ACCESS_DURATION_US},  {'T', PFD_ACCESS_DURATION_S},
        {'U', PFD_ACCESS_PATH},         {'q', PFD_ACCESS_QUERY},
        {'m', PFD_ACCESS_METHOD},       {'H', PFD_ACCESS_PROTOCOL},
        {'v', PFD_ACCESS_SERVER_NAME},  {'V', PFD_ACCESS_REQUEST_HOST},
        {'p', PFD_ACCESS_LOCAL_PORT},   {'P', PFD_ACCESS_PID},
        {'k', PFD_ACCESS_KEEPALIVE},    {'X', PFD_ACCESS_CONN_STATUS},
    };
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        if (codes[i].code == c)
            return (int)codes[i].op;
    return -1;
}

/* The mod_ssl variables %{NAME}x may name (what serve/tls.c's pfd_tls_var() knows): a name it
 * does not know is refused at load rather than logged as "-" forever. */
static bool access_ssl_var_known(const char *name, size_t len)
{
    static const char *const known[] = {PFD_SSL_VAR_NAMES};
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (strlen(known[i]) == len && memcmp(known[i], name, len) == 0)
            return true;
    return false;
}

struct pfd_access_format *pfd_access_format_compile(const char *format, char *err, size_t err_size)
{
    struct pfd_access_format *f = calloc(1, sizeof(*f));
    if (f == NULL)
        goto oom;
    const char *p = format;
    while (*p) {
        const char *lit = p;
        while (*p && *p != '%')
            p++;
        if (p > lit && access_format_add(f, PFD_ACCESS_LITERAL, lit, (size_t)(p - lit)) != 0)
            goto oom;
        if (*p == '\0')
            break;
        p++; /* the '%' */
        if (*p == '%') {
            if (access_format_add(f, PFD_ACCESS_LITERAL, "%", 1) != 0)
                goto oom;
            p++;
            continue;
        }
        const char *arg = NULL;
        size_t arg_len = 0;
        if (*p == '>' || *p == '<')
            p++; /* final/original status: one request here, they are the same */
        if (*p == '{') {
            arg = ++p;
            while (*p && *p != '}')
                p++;
            if (*p != '}') {
                snprintf(err, err_size, "access_log_format: unterminated %%{");
                goto fail;
            }
            arg_len = (size_t)(p - arg);
            p++;
        }
        int op = arg != NULL && *p == 'i'   ? PFD_ACCESS_REQ_HEADER
                 : arg != NULL && *p == 'n' ? PFD_ACCESS_NOTE
                 : arg != NULL && *p == 'x' ? PFD_ACCESS_SSL_VAR
                                            : access_op_for(*p);
        if (op < 0 || *p == '\0') {
            snprintf(err, err_size, "access_log_format: unknown code %%%c", *p ? *p : ' ');
            goto fail;
        }
        if (op == PFD_ACCESS_SSL_VAR && !access_ssl_var_known(arg, arg_len)) {
            snprintf(err, err_size,
                     "access_log_format: unknown variable %%{%.*s}x (SSL_PROTOCOL, SSL_CIPHER, "
                     "SSL_TLS_SNI, SSL_CLIENT_VERIFY, SSL_CLIENT_S_DN and the others of mod_ssl "
                     "in the README)",
                     (int)(arg_len > 64 ? 64 : arg_len), arg);
            goto fail;
        }
        if (access_format_add(f, (enum pfd_access_op)op, arg, arg_len) != 0)
            goto oom;
        p++;
    }
    return f;
oom:
    snprintf(err, err_size, "out of memory");
fail:
    pfd_access_format_free(f);
    return NULL;
}

void pfd_access_format_free(struct pfd_access_format *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; i < f->nitems; i++)
        free(f->items[i].text);
    free(f->items);
    free(f);
}
