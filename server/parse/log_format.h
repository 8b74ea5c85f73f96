/*
 * log_format.h — an Apache LogFormat string compiled once into a list of items (log_format.c);
 * serve/access_log.c interprets the list for each request.
 */
#ifndef PFD_LOG_FORMAT_H
#define PFD_LOG_FORMAT_H

#include <stddef.h>

enum pfd_access_op {
    PFD_ACCESS_LITERAL,
    PFD_ACCESS_REMOTE_HOST,  /* %h %a */
    PFD_ACCESS_LOCAL_IP,     /* %A */
    PFD_ACCESS_DASH,         /* %l */
    PFD_ACCESS_REMOTE_USER,  /* %u */
    PFD_ACCESS_TIME,         /* %t */
    PFD_ACCESS_REQUEST_LINE, /* %r */
    PFD_ACCESS_STATUS,       /* %s %>s */
    PFD_ACCESS_BYTES_CLF,    /* %b */
    PFD_ACCESS_BYTES,        /* %B */
    PFD_ACCESS_REQ_HEADER,   /* %{Name}i */
    PFD_ACCESS_SSL_VAR,      /* %{SSL_PROTOCOL}x, %{SSL_CIPHER}x … (mod_ssl's); "-" on HTTP */
    PFD_ACCESS_DURATION_US,  /* %D */
    PFD_ACCESS_DURATION_S,   /* %T */
    PFD_ACCESS_PATH,         /* %U */
    PFD_ACCESS_QUERY,        /* %q */
    PFD_ACCESS_METHOD,       /* %m */
    PFD_ACCESS_PROTOCOL,     /* %H */
    PFD_ACCESS_SERVER_NAME,  /* %v */
    PFD_ACCESS_REQUEST_HOST, /* %V: the Host the client sent, as Apache with UseCanonicalName Off */
    PFD_ACCESS_LOCAL_PORT,   /* %p */
    PFD_ACCESS_PID,          /* %P */
    PFD_ACCESS_KEEPALIVE,    /* %k */
    PFD_ACCESS_CONN_STATUS,  /* %X */
    PFD_ACCESS_NOTE,         /* %{name}n: a note a module set (pfd_request_note_set()) */
};

struct pfd_access_item {
    enum pfd_access_op op;
    char *text; /* the literal, or the header name */
    size_t len;
};

struct pfd_access_format {
    struct pfd_access_item *items;
    size_t nitems;
};

/* Compiles an Apache LogFormat string. NULL with a reason in err when it holds an unknown %-code.
 */
struct pfd_access_format *pfd_access_format_compile(const char *format, char *err, size_t err_size);
void pfd_access_format_free(struct pfd_access_format *f);

#endif
