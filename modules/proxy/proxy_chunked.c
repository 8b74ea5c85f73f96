/*
 * proxy_chunked.c — an incremental chunked decoder. See proxy_chunked.h.
 */
#include "proxy_chunked.h"

#include <string.h>

enum {
    CH_SIZE = 0, /* hex digits of the chunk size */
    CH_EXT,      /* ";name=value" up to the LF */
    CH_SIZE_LF,  /* after the CR of the size line */
    CH_DATA,
    CH_DATA_CR, /* the CRLF after a chunk's data */
    CH_DATA_LF,
    CH_TRAILER,      /* the start of a trailer line, or the empty line */
    CH_TRAILER_LINE, /* a trailer field, up to its LF */
    CH_END_LF,       /* after the CR of the empty line */
};

#define CH_DIGITS_MAX 15 /* 2^60 bytes: more than any body, well inside uint64_t */

static int ch_hex(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* The size line is over: data, or the trailer after the last chunk (size 0). */
static void ch_size_done(struct proxy_chunked *c)
{
    c->state = c->left > 0 ? CH_DATA : CH_TRAILER;
    c->line = 0;
}

/* One byte of the size line. 0, or -1 when it is malformed. */
static int ch_size_byte(struct proxy_chunked *c, char ch)
{
    if (++c->line > PROXY_CHUNK_LINE_MAX)
        return -1;
    int v = ch_hex(ch);
    if (c->state == CH_SIZE && v >= 0) {
        if (++c->digits > CH_DIGITS_MAX)
            return -1;
        c->left = c->left * 16 + (uint64_t)v;
        return 0;
    }
    if (c->state == CH_SIZE && c->digits == 0)
        return -1; /* a size line must start with a digit */
    if (c->state == CH_SIZE_LF) {
        if (ch != '\n')
            return -1;
        ch_size_done(c);
    } else if (ch == '\n') {
        ch_size_done(c);
    } else if (c->state == CH_SIZE && ch == '\r') {
        c->state = CH_SIZE_LF;
    } else if (c->state == CH_SIZE && ch != ';' && ch != ' ' && ch != '\t') {
        return -1;
    } else {
        c->state = CH_EXT; /* extensions are ignored (RFC 9112 §7.1.1) */
    }
    return 0;
}

/* One byte of the CRLF after data or of the trailer section. 0, or -1 when malformed. */
static int ch_tail_byte(struct proxy_chunked *c, char ch)
{
    switch (c->state) {
    case CH_DATA_CR:
        if (ch == '\r') {
            c->state = CH_DATA_LF;
            return 0;
        }
        /* a bare LF is accepted (RFC 9112 §2.2) */
        /* fall through */
    case CH_DATA_LF:
        if (ch != '\n')
            return -1;
        c->state = CH_SIZE;
        c->digits = 0;
        c->line = 0;
        return 0;
    case CH_TRAILER:
        if (ch == '\r')
            c->state = CH_END_LF;
        else if (ch == '\n')
            c->done = true;
        else
            c->state = CH_TRAILER_LINE;
        break;
    case CH_TRAILER_LINE:
        if (ch == '\n')
            c->state = CH_TRAILER;
        break;
    case CH_END_LF:
        if (ch != '\n')
            return -1;
        c->done = true;
        return 0;
    }
    return ++c->line > PROXY_TRAILER_MAX ? -1 : 0;
}

ssize_t proxy_chunked_decode(struct proxy_chunked *c, char *buf, size_t len, size_t *used)
{
    size_t in = 0, out = 0;
    while (in < len && !c->done) {
        if (c->state == CH_DATA) {
            size_t n = len - in;
            if ((uint64_t)n > c->left)
                n = (size_t)c->left;
            memmove(buf + out, buf + in, n);
            in += n;
            out += n;
            c->left -= n;
            if (c->left == 0)
                c->state = CH_DATA_CR;
            continue;
        }
        char ch = buf[in++];
        int rc = c->state <= CH_SIZE_LF ? ch_size_byte(c, ch) : ch_tail_byte(c, ch);
        if (rc != 0)
            return -1;
    }
    *used = in;
    return (ssize_t)out;
}
