/*
 * config_text.c — reads the config file and prepares its text for libconfuse (see config_text.h).
 *
 * The scanner walks the text token by token, only as far as it takes to tell a comment from a
 * quoted string and to follow the nesting of braces: a comment starts only where a token may, so
 * "/srv//www" stays one word and "#" inside quotes is no comment. Comments are overwritten with
 * blanks, newlines kept, so each byte stays on its line.
 */
#include "config/config_text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int config_text_fail(struct config_text_error *err, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Fills err; returns -1, for `return config_text_fail(…)`. */
static int config_text_fail(struct config_text_error *err, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->why, sizeof(err->why), fmt, ap);
    va_end(ap);
    err->line = line;
    return -1;
}

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

/* The scanner's view of the top level and of vhost bodies: the last two tokens there, to
 * recognise NAME "TITLE" {, and the header open at depth 1 and 2. */
struct config_scan {
    struct config_text *t;
    int line;
    int depth;
    size_t open[2]; /* index of the header whose body is being scanned per depth, or SIZE_MAX */
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

/* Whether the scanner is where headers may start: the top level, or the top of a vhost body. */
static bool config_scan_at_header_level(const struct config_scan *sc)
{
    if (sc->depth == 0)
        return true;
    return sc->depth == 1 && sc->open[0] != SIZE_MAX &&
           sc->t->headers[sc->open[0]].kind == HEADER_VHOST;
}

static void config_scan_push(struct config_scan *sc, size_t start, size_t len, bool word)
{
    if (!config_scan_at_header_level(sc))
        return;
    sc->prev[1] = sc->prev[0];
    sc->prev[0].start = start;
    sc->prev[0].len = len;
    sc->prev[0].line = sc->line;
    sc->prev[0].word = word;
}

/* The kind of header NAME names at this level, or -1. */
static int config_scan_header_kind(const struct config_scan *sc, int depth)
{
    const struct config_text *t = sc->t;
    size_t start = sc->prev[1].start, len = sc->prev[1].len;
    if (config_token_is(t, start, len, "location"))
        return HEADER_LOCATION;
    if (depth > 0)
        return -1;
    if (config_token_is(t, start, len, "module"))
        return HEADER_MODULE;
    if (config_token_is(t, start, len, "vhost"))
        return HEADER_VHOST;
    return -1;
}

static int config_scan_open(struct config_scan *sc, size_t i)
{
    struct config_text *t = sc->t;
    bool header_level = config_scan_at_header_level(sc);
    int depth = sc->depth++;
    if (depth == 0)
        t->unclosed_line = sc->line;
    if (depth < 2)
        sc->open[depth] = SIZE_MAX;
    if (!header_level || !sc->prev[0].word || !sc->prev[1].word)
        return 0;
    int kind = config_scan_header_kind(sc, depth);
    if (kind < 0)
        return 0;
    struct config_header *h = realloc(t->headers, (t->nheaders + 1) * sizeof(*h));
    if (h == NULL)
        return -1;
    t->headers = h;
    h[t->nheaders] =
        (struct config_header){(enum config_header_kind)kind, depth == 0 ? SIZE_MAX : sc->open[0],
                               sc->prev[1].line, i + 1, t->len};
    sc->open[depth] = t->nheaders++;
    return 0;
}

static void config_scan_close(struct config_scan *sc, size_t i)
{
    if (sc->depth == 0) /* a stray '}': libconfuse reports it */
        return;
    int depth = --sc->depth;
    if (depth == 0)
        sc->t->unclosed_line = 0;
    if (depth < 2 && sc->open[depth] != SIZE_MAX) {
        sc->t->headers[sc->open[depth]].body_end = i;
        sc->open[depth] = SIZE_MAX;
    }
}

/* Blanks the comments of t->data and records the headers; -1 on an unclosed comment. */
static int config_text_scan(struct config_text *t, struct config_text_error *err)
{
    struct config_scan sc = {.t = t, .line = 1, .open = {SIZE_MAX, SIZE_MAX}};
    char *s = t->data;
    for (size_t i = 0; i < t->len;) {
        bool unclosed = false;
        size_t end = config_comment_end(s, t->len, i, &unclosed);
        if (unclosed) {
            return config_text_fail(err, sc.line, "comment is never closed ('*/' missing)");
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
                return config_text_fail(err, 0, "out of memory");
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

char *config_text_for_parse(const struct config_text *t, size_t keep, bool keep_locations)
{
    char *copy = malloc(t->len + 1);
    if (copy == NULL)
        return NULL;
    memcpy(copy, t->data, t->len + 1);
    for (size_t h = 0; h < t->nheaders; h++) {
        bool kept = h == keep || t->headers[h].kind == HEADER_VHOST ||
                    (keep_locations && t->headers[h].kind == HEADER_LOCATION);
        if (!kept)
            config_text_blank(copy, t->headers[h].body, t->headers[h].body_end);
    }
    return copy;
}

const struct config_header *config_text_header_nth(const struct config_text *t,
                                                   enum config_header_kind kind, size_t n)
{
    for (size_t h = 0; h < t->nheaders; h++) {
        if (t->headers[h].kind == kind && t->headers[h].parent == SIZE_MAX && n-- == 0)
            return &t->headers[h];
    }
    return NULL;
}

const struct config_header *config_text_header_child(const struct config_text *t, size_t parent,
                                                     size_t n)
{
    for (size_t h = 0; h < t->nheaders; h++) {
        if (t->headers[h].parent == parent && n-- == 0)
            return &t->headers[h];
    }
    return NULL;
}

size_t config_text_nchildren(const struct config_text *t, size_t parent)
{
    size_t n = 0;
    for (size_t h = 0; h < t->nheaders; h++)
        n += t->headers[h].parent == parent;
    return n;
}

/* The bytes of file into t->data, with room for two more; -1 (err filled) when it cannot be read.
 */
static int config_text_load(struct config_text *t, const char *file, struct config_text_error *err)
{
    int rc = -1;
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd == -1 || fstat(fd, &st) == -1) {
        config_text_fail(err, 0, "cannot open: %s", strerror(errno));
        goto done;
    }
    if (!S_ISREG(st.st_mode) || st.st_size > CONFIG_TEXT_MAX_BYTES) {
        config_text_fail(err, 0, "not a regular file of at most %d bytes", CONFIG_TEXT_MAX_BYTES);
        goto done;
    }
    t->data = malloc((size_t)st.st_size + 2);
    if (t->data == NULL) {
        config_text_fail(err, 0, "out of memory");
        goto done;
    }
    ssize_t n = 0;
    while (t->len < (size_t)st.st_size &&
           (n = read(fd, t->data + t->len, (size_t)st.st_size - t->len)) > 0)
        t->len += (size_t)n;
    if (n == -1)
        config_text_fail(err, 0, "cannot read: %s", strerror(errno));
    else
        rc = 0;
done:
    if (fd != -1)
        close(fd);
    return rc;
}

/* Whether the backslash at s[i], inside a double-quoted string, starts an escape that keeps
 * libconfuse's meaning: \\ \" \' \n \t \r (the same in a pcre2 pattern), and \$ before '{' (what
 * stops libconfuse from expanding ${NAME} from the environment). */
static bool config_escape_kept(const char *s, size_t len, size_t i)
{
    if (i + 1 >= len)
        return false;
    char c = s[i + 1];
    if (c != '\0' && strchr("\\\"'ntr", c) != NULL)
        return true;
    return c == '$' && i + 2 < len && s[i + 2] == '{';
}

/*
 * Every other backslash in a double-quoted string is doubled, so that libconfuse keeps it: it
 * would drop it ("\." became ".", "\d" became "d", so "~ \.png$" matched "/apng") or turn it into
 * a control character ("\b", a regex's word boundary, became a backspace). Single-quoted strings
 * keep their backslashes already. Runs on comment-free text; out is NULL when nothing changes.
 * -1 when out of memory.
 */
static int config_text_keep_backslashes(const char *s, size_t len, char **out, size_t *out_len)
{
    *out = NULL;
    char *copy = NULL;
    for (int pass = 0; pass < 2; pass++) {
        size_t n = 0;
        char quote = 0;
        for (size_t i = 0; i < len; i++) {
            bool doubled = false, pair = false;
            if (quote == 0 && (s[i] == '"' || s[i] == '\''))
                quote = s[i];
            else if (quote != 0 && s[i] == quote)
                quote = 0;
            else if (quote != 0 && s[i] == '\\') {
                pair = quote == '\'' || config_escape_kept(s, len, i);
                doubled = !pair;
            }
            if (copy != NULL && doubled)
                copy[n] = '\\';
            n += doubled;
            if (copy != NULL)
                copy[n] = s[i];
            n++;
            if (pair && i + 1 < len) { /* the escaped character is no quote */
                if (copy != NULL)
                    copy[n] = s[i + 1];
                n++;
                i++;
            }
        }
        if (pass == 1) {
            copy[n] = '\0';
            *out = copy;
            *out_len = n;
        } else if (n == len) {
            return 0;
        } else if ((copy = malloc(n + 1)) == NULL) {
            return -1;
        }
    }
    return 0;
}

/* Blanks comments, doubles the backslashes libconfuse would drop, then finds the headers in the
 * text libconfuse will read (the doubling moves them). */
static int config_text_prepare(struct config_text *t, struct config_text_error *err)
{
    if (config_text_scan(t, err) == -1)
        return -1;
    char *kept;
    size_t kept_len;
    if (config_text_keep_backslashes(t->data, t->len, &kept, &kept_len) == -1)
        return config_text_fail(err, 0, "out of memory");
    if (kept == NULL)
        return 0;
    free(t->data);
    free(t->headers);
    t->data = kept;
    t->len = kept_len;
    t->headers = NULL;
    t->nheaders = 0;
    t->unclosed_line = 0;
    return config_text_scan(t, err);
}

int config_text_read(struct config_text *t, const char *file, struct config_text_error *err)
{
    if (config_text_load(t, file, err) == -1)
        return -1;
    const char *nul = memchr(t->data, '\0', t->len);
    if (nul != NULL) /* libconfuse would silently stop reading there */
        return config_text_fail(err,
                                1 + (int)config_count_lines(t->data, 0, (size_t)(nul - t->data)),
                                "NUL byte in the file");
    t->last_line = 1 + (int)config_count_lines(t->data, 0, t->len);
    if (t->len > 0 && t->data[t->len - 1] == '\n')
        t->last_line--;
    t->data[t->len++] = ' '; /* fmemopen() refuses an empty buffer */
    t->data[t->len] = '\0';
    return config_text_prepare(t, err);
}

void config_text_free(struct config_text *t)
{
    free(t->data);
    free(t->headers);
    t->data = NULL;
    t->headers = NULL;
}
