/*
 * fuzz_escape.c — libFuzzer target for server/base/escape.c: every escaper over arbitrary bytes
 * (file names, request lines and script output are all hostile input).
 *
 * What each promises is checked on its output: HTML has no '<', '>', '"', '\'' or '&' but in a
 * reference, no control byte (but the kept blanks of the text form) and is well-formed UTF-8;
 * JSON has no raw '"', control byte or invalid UTF-8; a URL component only unreserved bytes,
 * '%XX' (and '/' when kept); log text printable ASCII only. pfd_utf8_len never claims more
 * bytes than it was given.
 */
#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/escape.h"

static bool fuzz_valid_utf8(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t len = pfd_utf8_len((const unsigned char *)s + i, n - i);
        if (len == 0)
            return false;
        assert(len <= n - i);
        i += len;
    }
    return true;
}

static void fuzz_html(const char *in, size_t n, bool text)
{
    struct pfd_buf b = PFD_BUF_INIT;
    assert((text ? pfd_escape_html_text(&b, in, n) : pfd_escape_html(&b, in, n)) == 0);
    assert(strlen(b.data) == b.len);
    assert(fuzz_valid_utf8(b.data, b.len));
    for (size_t i = 0; i < b.len; i++) {
        unsigned char c = (unsigned char)b.data[i];
        assert(c != '<' && c != '>' && c != '"' && c != '\'' && c != 0x7f);
        assert(c >= 0x20 || (text && (c == '\t' || c == '\n' || c == '\r')));
        if (c == '&')
            assert(strchr(b.data + i, ';') != NULL);
    }
    pfd_buf_free(&b);
}

static void fuzz_json(const char *in, size_t n)
{
    struct pfd_buf b = PFD_BUF_INIT;
    assert(pfd_escape_json(&b, in, n) == 0);
    assert(strlen(b.data) == b.len);
    assert(fuzz_valid_utf8(b.data, b.len));
    for (size_t i = 0; i < b.len; i++) {
        unsigned char c = (unsigned char)b.data[i];
        assert(c >= 0x20 && c != 0x7f);
        if (c == '\\') {
            assert(i + 1 < b.len && strchr("\"\\u", b.data[i + 1]) != NULL);
            i++; /* the escaped character */
        } else {
            assert(c != '"');
        }
    }
    pfd_buf_free(&b);
}

static void fuzz_url(const char *in, size_t n, bool keep_slash)
{
    struct pfd_buf b = PFD_BUF_INIT;
    assert(pfd_escape_url(&b, in, n, keep_slash) == 0);
    assert(strlen(b.data) == b.len && b.len <= 3 * n);
    for (size_t i = 0; i < b.len; i++) {
        char c = b.data[i];
        if (c == '%') {
            assert(i + 2 < b.len && strchr("0123456789ABCDEF", b.data[i + 1]) != NULL &&
                   strchr("0123456789ABCDEF", b.data[i + 2]) != NULL);
            i += 2;
            continue;
        }
        assert(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~", c) ||
               (keep_slash && c == '/'));
    }
    pfd_buf_free(&b);
}

static void fuzz_log(const char *in, size_t n)
{
    struct pfd_buf b = PFD_BUF_INIT;
    assert(pfd_escape_log(&b, in, n) == 0);
    assert(strlen(b.data) == b.len && b.len <= 4 * n);
    for (size_t i = 0; i < b.len; i++)
        assert(b.data[i] >= 0x20 && b.data[i] <= 0x7e);
    pfd_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    const char *in = (const char *)data;
    fuzz_html(in, size, false);
    fuzz_html(in, size, true);
    fuzz_json(in, size);
    fuzz_url(in, size, false);
    fuzz_url(in, size, true);
    fuzz_log(in, size);
    return 0;
}
