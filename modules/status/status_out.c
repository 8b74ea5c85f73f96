/*
 * status_out.c — writing text and escaped strings through a struct status_out (status_out.h).
 */
#include "status_out.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "preforkd/module.h"

void status_put(struct status_out *out, const char *s)
{
    out->write(out->ctx, s, strlen(s));
}

/* Lines of the status formats are short; a longer one is cut rather than allocated for. */
void status_printf(struct status_out *out, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n > 0)
        out->write(out->ctx, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

/* The core's escapers (module.h) write into a buffer; the renderers write through out. */
void status_html(struct status_out *out, const char *s)
{
    struct pfd_buf b = PFD_BUF_INIT;
    if (pfd_escape_html(&b, s, strlen(s)) == 0)
        out->write(out->ctx, b.data, b.len);
    pfd_buf_free(&b);
}

void status_json_string(struct status_out *out, const char *s)
{
    struct pfd_buf b = PFD_BUF_INIT;
    int rc = pfd_buf_append(&b, "\"", 1);
    rc = rc == 0 ? pfd_escape_json(&b, s, strlen(s)) : rc;
    rc = rc == 0 ? pfd_buf_append(&b, "\"", 1) : rc;
    out->write(out->ctx, rc == 0 ? b.data : "\"\"", rc == 0 ? b.len : 2);
    pfd_buf_free(&b);
}
