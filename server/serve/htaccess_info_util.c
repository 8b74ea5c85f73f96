/*
 * htaccess_info_util.c — helpers of the FileInfo/Options/Indexes directives. See the header.
 */
#include "serve/htaccess_info_util.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "serve/htaccess.h"
#include "serve/request.h"

/* Bounds of one match: enough for any sane header or URL pattern, too little for a runaway. */
#define HT_REGEX_MATCH_LIMIT 100000
#define HT_REGEX_DEPTH_LIMIT 10000

void *pfd_ht_info_alloc(struct pfd_ht_ctx *ctx, size_t size)
{
    return pfd_arena_alloc(&ctx->r->conn->arena, size);
}

void pfd_ht_info_trace(const struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n, const char *what)
{
    (void)n; /* the engine printed the line itself, just before */
    if (ctx->trace != NULL)
        fprintf(ctx->trace, "    → %s\n", what);
}

int pfd_ht_regex_compile(struct pfd_ht_regex *re, const char *pattern, bool caseless,
                         const char *what, char *err, size_t err_size)
{
    int code = 0;
    PCRE2_SIZE offset = 0;
    re->limits = NULL;
    re->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                             caseless ? PCRE2_CASELESS : 0, &code, &offset, NULL);
    if (re->code == NULL) {
        PCRE2_UCHAR msg[120];
        pcre2_get_error_message(code, msg, sizeof(msg));
        snprintf(err, err_size, "%s \"%s\": %s at offset %zu", what, pattern, (char *)msg,
                 (size_t)offset);
        return -1;
    }
    re->limits = pcre2_match_context_create(NULL);
    if (re->limits == NULL) {
        snprintf(err, err_size, "%s: out of memory", what);
        pfd_ht_regex_free(re);
        return -1;
    }
    pcre2_set_match_limit(re->limits, HT_REGEX_MATCH_LIMIT);
    pcre2_set_depth_limit(re->limits, HT_REGEX_DEPTH_LIMIT);
    (void)pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE); /* the interpreter is fine too */
    return 0;
}

bool pfd_ht_regex_match(const struct pfd_ht_regex *re, const char *subject,
                        long caps[2 * PFD_HT_REGEX_CAPTURES])
{
    pcre2_match_data *md = pcre2_match_data_create(PFD_HT_REGEX_CAPTURES, NULL);
    if (md == NULL)
        return false;
    int rc = pcre2_match(re->code, (PCRE2_SPTR)subject, strlen(subject), 0, 0, md, re->limits);
    if (rc > 0 && caps != NULL) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        for (int i = 0; i < PFD_HT_REGEX_CAPTURES; i++) {
            bool set = i < rc && ov[2 * i] != PCRE2_UNSET;
            caps[2 * i] = set ? (long)ov[2 * i] : -1;
            caps[2 * i + 1] = set ? (long)ov[2 * i + 1] : -1;
        }
    }
    pcre2_match_data_free(md);
    return rc > 0;
}

void pfd_ht_regex_free(struct pfd_ht_regex *re)
{
    pcre2_code_free(re->code);
    pcre2_match_context_free(re->limits);
    re->code = NULL;
    re->limits = NULL;
}

bool pfd_ht_info_is_token(const char *s)
{
    if (s[0] == '\0')
        return false;
    for (; *s != '\0'; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              strchr("!#$%&'*+-.^_`|~", *s) != NULL))
            return false;
    return true;
}

int pfd_ht_info_nargs(const struct pfd_ht_node *n, size_t min, size_t max, char *err,
                      size_t err_size)
{
    if (n->nargs >= min && n->nargs <= max)
        return 0;
    if (min == max)
        snprintf(err, err_size, "%s takes %zu argument%s", n->name, min, min == 1 ? "" : "s");
    else if (max == (size_t)-1)
        snprintf(err, err_size, "%s takes at least %zu argument%s", n->name, min,
                 min == 1 ? "" : "s");
    else
        snprintf(err, err_size, "%s takes %zu to %zu arguments", n->name, min, max);
    return -1;
}

const char *pfd_ht_info_extension(const char *file_name)
{
    const char *slash = strrchr(file_name, '/');
    const char *base = slash != NULL ? slash + 1 : file_name;
    const char *dot = strrchr(base, '.');
    return dot != NULL && dot != base && dot[1] != '\0' ? dot + 1 : NULL;
}

int pfd_ht_info_ext_lookup(const struct pfd_ht_fileinfo *fi, enum pfd_ht_ext_kind kind,
                           const char *ext, size_t ext_len, const char **value)
{
    for (const struct pfd_ht_ext_entry *e = fi->exts; e != NULL && ext != NULL; e = e->next) {
        if (e->map->kind != kind)
            continue;
        for (size_t i = 0; i < e->map->nexts; i++) {
            if (strlen(e->map->exts[i]) == ext_len &&
                strncasecmp(e->map->exts[i], ext, ext_len) == 0) {
                *value = e->map->value;
                return 1;
            }
        }
    }
    return 0;
}
