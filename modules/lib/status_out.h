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

/*
 * HTML text or a quoted attribute value: & < > " ' become character references, control bytes
 * and bytes that do not form well-formed UTF-8 become U+FFFD, so whatever a client sent (request
 * lines come from clients) cannot make markup.
 */
void status_html(struct status_out *out, const char *s);
/* A JSON string with its quotes (RFC 8259): '"', '\' and control characters escaped, invalid
 * UTF-8 bytes replaced by \ufffd, so the document always parses. */
void status_json_string(struct status_out *out, const char *s);

/* Length (1-4) of the well-formed UTF-8 sequence at s (RFC 3629 §4), or 0 when s does not start
 * one. n: bytes available. */
size_t status_utf8_len(const unsigned char *s, size_t n);

#endif
