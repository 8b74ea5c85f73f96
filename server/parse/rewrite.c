/*
 * rewrite.c — capture expansion for redirects, rewrites and aliases (see rewrite.h).
 */
#include "parse/rewrite.h"

#include <string.h>

static const struct {
    const char *name;
    unsigned bit;
} rewrite_flags[] = {
    {"last", PFD_REWRITE_LAST},           {"break", PFD_REWRITE_BREAK},
    {"qsappend", PFD_REWRITE_QSAPPEND},   {"redirect", PFD_REWRITE_REDIRECT},
    {"permanent", PFD_REWRITE_PERMANENT},
};

unsigned pfd_rewrite_flag(const char *name)
{
    for (size_t i = 0; i < sizeof(rewrite_flags) / sizeof(rewrite_flags[0]); i++)
        if (strcmp(rewrite_flags[i].name, name) == 0)
            return rewrite_flags[i].bit;
    return 0;
}

/* RFC 3986 pchar plus '/': unreserved, sub-delims, ':' and '@'. */
static bool rewrite_is_path_safe(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != '\0' && strchr("-._~!$&'()*+,;=:@/", c) != NULL;
}

/* Appends n bytes of s at out[*o], escaped or not; false when they do not fit (with the NUL). */
static bool rewrite_append(char *out, size_t out_size, size_t *o, const char *s, size_t n,
                           bool escape)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        bool plain = !escape || rewrite_is_path_safe(c);
        if (*o + (plain ? 1 : 3) >= out_size)
            return false;
        if (plain) {
            out[(*o)++] = (char)c;
        } else {
            out[(*o)++] = '%';
            out[(*o)++] = hex[c >> 4];
            out[(*o)++] = hex[c & 0xf];
        }
    }
    return true;
}

/* Length of the "scheme://authority" that starts s (n bytes), or of a leading "//authority"; 0
 * when s is a path or a relative reference. What follows it is the path. */
static size_t rewrite_authority_len(const char *s, size_t n)
{
    size_t i = 0;
    if (n > 0 && ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) {
        i = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
        if (i >= n || s[i] != ':')
            return 0;
        i++;
    }
    if (i + 1 >= n || s[i] != '/' || s[i + 1] != '/')
        return 0;
    i += 2;
    return i + strcspn(s + i, "/?#") > n ? n : i + strcspn(s + i, "/?#");
}

/* Whether out[0..o) ends where a path begins: nothing yet, or a "scheme://authority" and no
 * path. A capture appended there could otherwise become (part of) a host. */
static bool rewrite_at_path_start(const char *out, size_t o)
{
    return o == 0 || (rewrite_authority_len(out, o) == o);
}

/* Appends capture text (n bytes) in escape mode so that it can only ever land in the path:
 * at the start of the path it begins with one '/', and after a '/' its own leading slashes are
 * dropped, so "@evil.example", ".evil.example" or "//evil.example" never name another host. */
static bool rewrite_append_capture(char *out, size_t out_size, size_t *o, const char *s, size_t n)
{
    bool path_start = rewrite_at_path_start(out, *o);
    if (path_start || (*o > 0 && out[*o - 1] == '/')) {
        while (n > 0 && (*s == '/' || *s == '\\')) {
            s++;
            n--;
        }
    }
    if (path_start && n > 0 && !rewrite_append(out, out_size, o, "/", 1, false))
        return false;
    return rewrite_append(out, out_size, o, s, n, true);
}

long pfd_rewrite_expand(const char *tmpl, const char *subject, const size_t *ovector, int npairs,
                        bool escape, char *out, size_t out_size)
{
    size_t o = 0;
    if (out_size == 0)
        return -1;
    for (const char *p = tmpl; *p != '\0'; p++) {
        bool ok;
        if (p[0] == '$' && p[1] >= '0' && p[1] <= '9') {
            int n = p[1] - '0';
            size_t from = 0, to = 0;
            if (n < npairs && ovector[2 * n] <= ovector[2 * n + 1] &&
                ovector[2 * n + 1] <= strlen(subject)) {
                from = ovector[2 * n];
                to = ovector[2 * n + 1];
            }
            out[o] = '\0';
            ok = escape ? rewrite_append_capture(out, out_size, &o, subject + from, to - from)
                        : rewrite_append(out, out_size, &o, subject + from, to - from, false);
            p++;
        } else {
            ok = rewrite_append(out, out_size, &o, p, 1, false);
            p += p[0] == '$' && p[1] == '$';
        }
        if (!ok)
            return -1;
    }
    out[o] = '\0';
    return (long)o;
}

const char *pfd_rewrite_check_target(const char *tmpl)
{
    /* Up to the end of the authority when the first '/' starts a "//": whatever precedes it
     * (a scheme, or a capture posing as one) and the host itself are the template's own. */
    const char *slash = strchr(tmpl, '/');
    size_t auth = 0;
    if (slash != NULL && slash[1] == '/')
        auth = (size_t)(slash - tmpl) + 2 + strcspn(slash + 2, "/?#");
    /* A capture at the very end of a host is fine: expansion starts the path there. */
    size_t host = slash != NULL ? (size_t)(slash - tmpl) + 2 : 0;
    for (size_t i = 0; i + 1 < auth; i++)
        if (tmpl[i] == '$' && tmpl[i + 1] >= '0' && tmpl[i + 1] <= '9' &&
            (i + 2 < auth || i <= host))
            return "a capture ($N) may not be part of the scheme or host: a client would choose "
                   "where the redirect goes";
    return NULL;
}

int pfd_rewrite_parse_redirect(const char *text, int *status, const char **target, const char **why)
{
    static const int allowed[] = {301, 302, 303, 307, 308};
    int n = 0;
    const char *p = text;
    for (int i = 0; i < 3; i++, p++) {
        if (*p < '0' || *p > '9') {
            *why = "must start with a status (301, 302, 303, 307 or 308)";
            return -1;
        }
        n = n * 10 + (*p - '0');
    }
    bool known = false;
    for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
        known = known || allowed[i] == n;
    if (!known || (*p != ' ' && *p != '\t')) {
        *why = "must start with a status (301, 302, 303, 307 or 308) and a blank";
        return -1;
    }
    p += strspn(p, " \t");
    if (*p == '\0' || p[strcspn(p, " \t\r\n")] != '\0') {
        *why = "needs one target after the status, without blanks";
        return -1;
    }
    *status = n;
    *target = p;
    return 0;
}

bool pfd_rewrite_path_is_clean(const char *path)
{
    if (path[0] != '/')
        return false;
    for (const char *seg = path; seg != NULL; seg = strchr(seg + 1, '/')) {
        const char *s = seg + 1;
        size_t len = strcspn(s, "/");
        if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
            return false;
    }
    return true;
}
