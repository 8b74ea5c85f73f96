/*
 * htaccess_parse.c — Apache's configuration syntax into a tree of nodes (see htaccess_parse.h).
 *
 * Lines are joined (continuations) into one bounded buffer, then each logical line is a comment,
 * a section's start, a section's end or a directive. Open sections wait on a stack, each level
 * a growable array of nodes; closing a section moves its level into the section's node.
 */
#include "parse/htaccess_parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct htp_level {
    struct pfd_ht_node *v;
    size_t n, cap;
};

struct htp_state {
    struct htp_level levels[PFD_HTP_MAX_DEPTH + 1]; /* [0]: the file; [i]: open[i-1]'s body */
    struct pfd_ht_node open[PFD_HTP_MAX_DEPTH];     /* the sections not closed yet */
    size_t depth;
    size_t count; /* nodes made so far */
    unsigned line;
    char *err;
    size_t err_size;
};

static int htp_fail(struct htp_state *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int htp_fail(struct htp_state *st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->err, st->err_size, fmt, ap);
    va_end(ap);
    return -1;
}

static bool htp_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static void htp_node_free(struct pfd_ht_node *n)
{
    free(n->name);
    for (size_t i = 0; i < n->nargs; i++)
        free(n->args[i]);
    free(n->args);
    pfd_htp_free(n->children, n->nchildren);
}

void pfd_htp_free(struct pfd_ht_node *nodes, size_t n)
{
    for (size_t i = 0; i < n; i++)
        htp_node_free(&nodes[i]);
    free(nodes);
}

/* The next word of *p (quotes removed, escapes applied) into a new string; *p moves past it.
 * NULL with *bad set when a quote is not closed (or out of memory: *bad stays false). */
static char *htp_word(const char **p, bool *bad)
{
    const char *s = *p;
    size_t len = strlen(s);
    char *out = malloc(len + 1), *o = out;
    if (out == NULL)
        return NULL;
    if (*s == '"' || *s == '\'') {
        char quote = *s++;
        while (*s != '\0' && *s != quote) {
            if (*s == '\\' && (s[1] == quote || s[1] == '\\'))
                s++;
            *o++ = *s++;
        }
        if (*s != quote) {
            free(out);
            *bad = true;
            return NULL;
        }
        s++;
    } else {
        while (*s != '\0' && !htp_blank(*s))
            *o++ = *s++;
    }
    *o = '\0';
    *p = s;
    return out;
}

/* The words of text into n (name first when with_name, then the arguments). 0 or -1. */
static int htp_split(struct htp_state *st, const char *text, struct pfd_ht_node *n, bool with_name)
{
    const char *p = text;
    size_t cap = 0;
    for (;;) {
        while (htp_blank(*p))
            p++;
        if (*p == '\0')
            return 0;
        bool bad = false;
        char *w = htp_word(&p, &bad);
        if (w == NULL)
            return bad ? htp_fail(st, "a quote is not closed") : htp_fail(st, "out of memory");
        if (with_name && n->name == NULL) {
            n->name = w;
            continue;
        }
        if (n->nargs == PFD_HTP_MAX_ARGS) {
            free(w);
            return htp_fail(st, "more than %d arguments", PFD_HTP_MAX_ARGS);
        }
        if (n->nargs == cap) {
            cap = cap == 0 ? 4 : cap * 2;
            char **args = realloc(n->args, cap * sizeof(*args));
            if (args == NULL) {
                free(w);
                return htp_fail(st, "out of memory");
            }
            n->args = args;
        }
        n->args[n->nargs++] = w;
    }
}

/* Appends *n (moved: the caller's copy must not be freed) to the open level. */
static int htp_append(struct htp_state *st, struct pfd_ht_node *n)
{
    struct htp_level *lv = &st->levels[st->depth];
    if (lv->n == lv->cap) {
        size_t cap = lv->cap == 0 ? 8 : lv->cap * 2;
        struct pfd_ht_node *v = realloc(lv->v, cap * sizeof(*v));
        if (v == NULL) {
            htp_node_free(n);
            return htp_fail(st, "out of memory");
        }
        lv->v = v;
        lv->cap = cap;
    }
    lv->v[lv->n++] = *n;
    return 0;
}

static int htp_count(struct htp_state *st)
{
    if (++st->count > PFD_HTP_MAX_DIRECTIVES)
        return htp_fail(st, "more than %d directives", PFD_HTP_MAX_DIRECTIVES);
    return 0;
}

/* "Name args" of a plain directive. */
static int htp_directive(struct htp_state *st, const char *text)
{
    struct pfd_ht_node n = {.line = st->line};
    if (htp_count(st) != 0)
        return -1;
    if (htp_split(st, text, &n, true) != 0) {
        htp_node_free(&n);
        return -1;
    }
    return htp_append(st, &n);
}

/* "<Name args>": a section opens. text starts at '<' and ends at '>' (checked). */
static int htp_open(struct htp_state *st, char *text, size_t len)
{
    if (st->depth == PFD_HTP_MAX_DEPTH)
        return htp_fail(st, "sections nested more than %d deep", PFD_HTP_MAX_DEPTH);
    if (htp_count(st) != 0)
        return -1;
    text[len - 1] = '\0'; /* the '>' */
    struct pfd_ht_node n = {.line = st->line, .container = true};
    if (htp_split(st, text + 1, &n, true) != 0 || n.name == NULL) {
        htp_node_free(&n);
        return n.name == NULL ? htp_fail(st, "a section without a name") : -1;
    }
    st->open[st->depth++] = n;
    return 0;
}

/* "</Name>": the innermost open section closes; its body moves into its node. */
static int htp_close(struct htp_state *st, char *text, size_t len)
{
    text[len - 1] = '\0';
    char *name = text + 2;
    while (htp_blank(*name))
        name++;
    size_t nl = strlen(name);
    while (nl > 0 && htp_blank(name[nl - 1]))
        name[--nl] = '\0';
    if (st->depth == 0)
        return htp_fail(st, "</%s> without a matching <%s>", name, name);
    struct pfd_ht_node *open = &st->open[st->depth - 1];
    if (strcasecmp(open->name, name) != 0)
        return htp_fail(st, "</%s> where </%s> (of line %u) was expected", name, open->name,
                        open->line);
    struct htp_level *body = &st->levels[st->depth];
    struct pfd_ht_node n = *open;
    n.children = body->v;
    n.nchildren = body->n;
    *body = (struct htp_level){0};
    st->depth--;
    return htp_append(st, &n);
}

/* One logical line (continuations joined), modified in place. */
static int htp_line(struct htp_state *st, char *text)
{
    while (htp_blank(*text))
        text++;
    size_t len = strlen(text);
    while (len > 0 && htp_blank(text[len - 1]))
        text[--len] = '\0';
    if (len == 0 || text[0] == '#')
        return 0;
    if (text[0] != '<')
        return htp_directive(st, text);
    if (text[len - 1] != '>')
        return htp_fail(st, "a section's line must end with '>'");
    return text[1] == '/' ? htp_close(st, text, len) : htp_open(st, text, len);
}

static void htp_state_free(struct htp_state *st)
{
    for (size_t i = 0; i <= PFD_HTP_MAX_DEPTH; i++)
        pfd_htp_free(st->levels[i].v, st->levels[i].n);
    for (size_t i = 0; i < st->depth; i++)
        htp_node_free(&st->open[i]);
}

/* Every logical line of text through htp_line(); st->line is the first physical line of the
 * logical one being read. 0 or -1. */
static int htp_lines(struct htp_state *st, const char *text, size_t len, char *buf)
{
    size_t used = 0;
    unsigned physical = 0;
    for (size_t pos = 0; pos < len;) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl != NULL ? (size_t)(nl - text) : len, line_len = end - pos;
        physical++;
        if (used == 0)
            st->line = physical;
        if (memchr(text + pos, '\0', line_len) != NULL)
            return htp_fail(st, "a NUL byte");
        if (line_len > 0 && text[pos + line_len - 1] == '\r')
            line_len--;
        bool joined = line_len > 0 && text[pos + line_len - 1] == '\\';
        line_len -= joined;
        if (used + line_len > PFD_HTP_MAX_LINE)
            return htp_fail(st, "a line longer than %d bytes", PFD_HTP_MAX_LINE);
        memcpy(buf + used, text + pos, line_len);
        used += line_len;
        pos = end + 1;
        if (joined && pos < len)
            continue;
        buf[used] = '\0';
        used = 0;
        if (htp_line(st, buf) != 0)
            return -1;
    }
    return 0;
}

int pfd_htp_parse(const char *text, size_t len, struct pfd_ht_node **nodes, size_t *nnodes,
                  unsigned *err_line, char *err, size_t err_size)
{
    *nodes = NULL;
    *nnodes = 0;
    *err_line = 0;
    struct htp_state *st = calloc(1, sizeof(*st));
    char *buf = malloc(PFD_HTP_MAX_LINE + 1);
    int rc = -1;
    if (st == NULL || buf == NULL) {
        snprintf(err, err_size, "out of memory");
        goto out;
    }
    st->err = err;
    st->err_size = err_size;
    if (len > PFD_HTP_MAX_FILE) {
        htp_fail(st, "larger than %d bytes", PFD_HTP_MAX_FILE);
        goto out;
    }
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) { /* the UTF-8 byte order mark */
        text += 3;
        len -= 3;
    }
    if (htp_lines(st, text, len, buf) != 0) {
        *err_line = st->line;
        goto out;
    }
    if (st->depth > 0) {
        *err_line = st->open[st->depth - 1].line;
        htp_fail(st, "<%s> is not closed", st->open[st->depth - 1].name);
        goto out;
    }
    *nodes = st->levels[0].v;
    *nnodes = st->levels[0].n;
    st->levels[0] = (struct htp_level){0};
    rc = 0;
out:
    if (st != NULL)
        htp_state_free(st);
    free(st);
    free(buf);
    return rc;
}
