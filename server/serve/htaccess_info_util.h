/*
 * htaccess_info_util.h — what the FileInfo/Options/Indexes directives (htaccess_fileinfo.c,
 * htaccess_headers.c, htaccess_env.c, htaccess_index.c) share: request memory for apply(), the
 * -T trace line, regular expressions with bounded matching, and argument checks.
 */
#ifndef PFD_HTACCESS_INFO_UTIL_H
#define PFD_HTACCESS_INFO_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#include <pcre2.h>

#include "serve/htaccess_fileinfo.h"

struct pfd_ht_ctx;
struct pfd_ht_node;

/* Request memory for what apply() records; NULL when the arena is out of memory (apply() then
 * answers 500). */
void *pfd_ht_info_alloc(struct pfd_ht_ctx *ctx, size_t size);

/* -T: "    → what" on ctx->trace under the line the engine printed (nothing when NULL). */
void pfd_ht_info_trace(const struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n, const char *what);

/* A compiled regular expression and its match limits (Apache's are PCRE's defaults; these keep a
 * hostile pattern from burning a worker's CPU). */
struct pfd_ht_regex {
    pcre2_code *code;
    pcre2_match_context *limits;
};
#define PFD_HT_REGEX_CAPTURES 10 /* $0 … $9, as Apache's SetEnvIf and Header edit use */

/* 0, or -1 with "what \"pattern\": message" in err. */
int pfd_ht_regex_compile(struct pfd_ht_regex *re, const char *pattern, bool caseless,
                         const char *what, char *err, size_t err_size);
/* Whether subject matches; caps (may be NULL) receive each group's start and end offsets (-1 when
 * the group did not take part) for PFD_HT_REGEX_CAPTURES groups. */
bool pfd_ht_regex_match(const struct pfd_ht_regex *re, const char *subject,
                        long caps[2 * PFD_HT_REGEX_CAPTURES]);
void pfd_ht_regex_free(struct pfd_ht_regex *re);

/* Whether s is an RFC 9110 token (a header name, a charset). */
bool pfd_ht_info_is_token(const char *s);
/* Whether the node has between min and max arguments; else -1 with "Name takes …" in err. */
int pfd_ht_info_nargs(const struct pfd_ht_node *n, size_t min, size_t max, char *err,
                      size_t err_size);

/* file_name's last extension (without the dot), or NULL: "a.tar.gz" → "gz", ".profile" → NULL. */
const char *pfd_ht_info_extension(const char *file_name);
/* The newest extension map of kind (AddType, AddHandler …) naming ext (ext_len bytes, any case;
 * ext NULL: none): 1 with *value (NULL: removed by a Remove* line), or 0 when none names it. */
int pfd_ht_info_ext_lookup(const struct pfd_ht_fileinfo *fi, enum pfd_ht_ext_kind kind,
                           const char *ext, size_t ext_len, const char **value);

#endif
