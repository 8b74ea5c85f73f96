/*
 * htaccess_rewrite_eval.h — the evaluation under .htaccess rewrite rules (htaccess_rewrite.c):
 * server variables (%{HTTP_HOST}), templates with back-references ($N of the rule, %N of the
 * last matched condition), RewriteCond tests, and the pcre2 match with the config's limits.
 */
#ifndef PFD_HTACCESS_REWRITE_EVAL_H
#define PFD_HTACCESS_REWRITE_EVAL_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h" /* pcre2 */

struct pfd_request;
struct pfd_ht_rewrite;

#define PFD_HT_REWRITE_CAPTURES 10  /* $0 … $9 and %0 … %9, as Apache */
#define PFD_HT_REWRITE_MAX_URL 8192 /* longest expansion (a URL, a test string) */

/* What a RewriteCond's CondPattern asks of its TestString. */
enum pfd_ht_rewrite_test {
    PFD_HT_RW_REGEX,
    PFD_HT_RW_EQ, /* =str, lexically */
    PFD_HT_RW_LT,
    PFD_HT_RW_LE,
    PFD_HT_RW_GT,
    PFD_HT_RW_GE,
    PFD_HT_RW_FILE,    /* -f (and -F: no subrequest, the same test) */
    PFD_HT_RW_DIR,     /* -d */
    PFD_HT_RW_SIZE,    /* -s: a regular file, not empty */
    PFD_HT_RW_SYMLINK, /* -l, -L, -h */
    PFD_HT_RW_EXEC,    /* -x: exists with an execute bit */
};

/* One RewriteCond, compiled at load. */
struct pfd_ht_rewrite_cond {
    char *test;    /* the TestString template */
    char *pattern; /* as written, for logs */
    enum pfd_ht_rewrite_test kind;
    const char *operand; /* what =, <, > … compare with (into pattern) */
    pcre2_code *re;
    bool negate;  /* '!' */
    bool nocase;  /* [NC] */
    bool or_next; /* [OR] */
};

/* One run of a file's rules against a request: what templates and tests read. */
struct pfd_ht_rewrite_eval {
    struct pfd_request *r;
    struct pfd_ht_rewrite *result; /* its env list: %{ENV:X} */
    const char *path;              /* the URL path as the rules left it (decoded) */
    const char *query;             /* its query (raw), or NULL */
    bool path_changed;             /* a rule substituted it: REQUEST_FILENAME follows */
    const char *filename;          /* REQUEST_FILENAME once computed, else NULL */
    const char *path_info;         /* what follows it in r->file_path */
    const char *rule_subject;      /* what the rule's pattern matched, and its captures */
    size_t rule_ov[2 * PFD_HT_REWRITE_CAPTURES];
    int rule_n;
    const char *cond_subject; /* the last condition that matched a regex, and its captures */
    size_t cond_ov[2 * PFD_HT_REWRITE_CAPTURES];
    int cond_n;
    pcre2_match_data *md; /* in the request's arena */
    const char *where;    /* "FILE:LINE" of the directive being evaluated, for logs */
};

/* Sets ev up for r (match data in its arena). */
void pfd_ht_rewrite_eval_init(struct pfd_ht_rewrite_eval *ev, struct pfd_request *r,
                              struct pfd_ht_rewrite *result);

/* pcre2_compile() (caseless with nocase) plus JIT; NULL with why in err. */
pcre2_code *pfd_ht_rewrite_regex(const char *pattern, bool nocase, char *err, size_t err_size);

/* Matches re against subject with the config's limits; the captures go to ov (*n pairs).
 * 1, 0 (no match), or -1 when the match failed (a limit: logged with ev->where). */
int pfd_ht_rewrite_match(struct pfd_ht_rewrite_eval *ev, const pcre2_code *re, const char *subject,
                         size_t *ov, int *n);

/* Whether a template only uses what the expansion knows: $N, %N, %{VAR} of the known variables
 * (%{HTTP:Header}, %{ENV:X} too), '\' escapes. 0, or -1 with why in err (an unknown variable,
 * a RewriteMap ${map:key}). */
int pfd_ht_rewrite_template_check(const char *tmpl, char *err, size_t err_size);

/* tmpl with its references replaced, in the request's arena; with escape_backrefs ([B]) the
 * back-references are percent-encoded but for letters and digits. NULL when the result would
 * exceed PFD_HT_REWRITE_MAX_URL (logged). */
char *pfd_ht_rewrite_expand(struct pfd_ht_rewrite_eval *ev, const char *tmpl, bool escape_backrefs);

/* Parses "CondPattern" and "[flags]" (NULL: none) into c (test set by the caller). 0, or -1 with
 * why in err. */
int pfd_ht_rewrite_cond_compile(struct pfd_ht_rewrite_cond *c, const char *pattern,
                                const char *flags, char *err, size_t err_size);
void pfd_ht_rewrite_cond_free(struct pfd_ht_rewrite_cond *c);

/* Whether the condition holds: 1, 0, or -1 (a regex failed, or the test string is too long:
 * logged). A regex that matches leaves its captures as ev's %N. */
int pfd_ht_rewrite_cond_test(struct pfd_ht_rewrite_eval *ev, const struct pfd_ht_rewrite_cond *c);

#endif
