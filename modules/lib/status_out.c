/*
 * status_out.c — writing text and escaped strings through a struct status_out (status_out.h).
 */
#include "status_out.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

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

size_t status_utf8_len(const unsigned char *s, size_t n)
{
    if (n == 0)
        return 0;
    if (s[0] < 0x80)
        return 1;
    size_t len = s[0] >= 0xC2 && s[0] <= 0xDF   ? 2
                 : s[0] >= 0xE0 && s[0] <= 0xEF ? 3
                 : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4
                                                : 0;
    if (len == 0 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    /* No overlong three- and four-byte forms, no surrogates, nothing above U+10FFFF. */
    if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F) ||
        (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] > 0x8F))
        return 0;
    return len;
}

/* Walks s in runs that need no escaping, calling escape() for every other byte or sequence. */
static void status_escape(struct status_out *out, const char *s,
                          void (*escape)(struct status_out *out, unsigned char c, bool valid))
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    size_t i = 0, run = 0;
    while (i < n) {
        size_t len = status_utf8_len(p + i, n - i);
        bool special = len != 1 || p[i] < 0x20 || p[i] == 0x7F || strchr("&<>\"'\\", p[i]);
        if (len > 1) /* well-formed multi-byte: plain text */
            special = false;
        if (!special) {
            i += len;
            continue;
        }
        if (i > run)
            out->write(out->ctx, s + run, i - run);
        escape(out, p[i], len == 1);
        i++;
        run = i;
    }
    if (i > run)
        out->write(out->ctx, s + run, i - run);
}

static void status_html_one(struct status_out *out, unsigned char c, bool valid)
{
    const char *ref = !valid      ? "\xEF\xBF\xBD"
                      : c == '&'  ? "&amp;"
                      : c == '<'  ? "&lt;"
                      : c == '>'  ? "&gt;"
                      : c == '"'  ? "&quot;"
                      : c == '\'' ? "&#39;"
                      : c == '\\' ? "\\"
                                  : "\xEF\xBF\xBD";
    status_put(out, ref);
}

void status_html(struct status_out *out, const char *s)
{
    status_escape(out, s, status_html_one);
}

static void status_json_one(struct status_out *out, unsigned char c, bool valid)
{
    if (!valid)
        status_put(out, "\\ufffd");
    else if (c == '"' || c == '\\')
        status_printf(out, "\\%c", c);
    else if (c < 0x20 || c == 0x7F)
        status_printf(out, "\\u%04x", c);
    else
        out->write(out->ctx, (const char *)&c, 1); /* & < > ' are plain in JSON */
}

void status_json_string(struct status_out *out, const char *s)
{
    status_put(out, "\"");
    status_escape(out, s, status_json_one);
    status_put(out, "\"");
}
