/*
 * status_out.h — where mod_status's renderers write: a callback the module points at the
 * response (through a small staging buffer) and the tests at a string. Keeps the renderers pure.
 */
#ifndef STATUS_OUT_H
#define STATUS_OUT_H

#include <stddef.h>

struct status_out {
    void (*write)(void *ctx, const char *data, size_t len);
    void *ctx;
};

void status_put(struct status_out *out, const char *s);
void status_printf(struct status_out *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* s as HTML text (pfd_escape_html(): whatever a client sent — request lines come from clients —
 * cannot make markup), and as a JSON string with its quotes (pfd_escape_json(): the document
 * always parses). */
void status_html(struct status_out *out, const char *s);
void status_json_string(struct status_out *out, const char *s);

#endif
