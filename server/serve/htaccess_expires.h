/*
 * htaccess_expires.h — .htaccess ExpiresActive, ExpiresByType, ExpiresDefault (mod_expires,
 * Indexes): the rules a request gathers, which htaccess_headers.c turns into Expires and
 * Cache-Control: max-age on the response.
 */
#ifndef PFD_HTACCESS_EXPIRES_H
#define PFD_HTACCESS_EXPIRES_H

#include <stddef.h>
#include <stdint.h>

struct pfd_ht_ctx;
struct pfd_ht_node;
struct pfd_ht_fileinfo;

/* An Expires time: from the access ('A') or the file's modification ('M'), plus seconds. */
struct pfd_ht_expires_spec {
    char base;
    int64_t seconds;
};
/* Longest expiry accepted: a hundred years (Apache has no bound; this keeps time_t sums sane). */
#define PFD_HT_EXPIRES_MAX_SECONDS (100LL * 365 * 86400)

/* An ExpiresByType (type set) or ExpiresDefault (type NULL) line. */
struct pfd_ht_expires_rule {
    const char *type;
    struct pfd_ht_expires_spec spec;
};
struct pfd_ht_expires_entry {
    const struct pfd_ht_expires_rule *rule;
    struct pfd_ht_expires_entry *next; /* older */
};

/*
 * Apache's two syntaxes: "A3600" / "M86400" (seconds after access or modification), or
 * "access|now|modification [plus] {N years|months|weeks|days|hours|minutes|seconds}…" (a month
 * is 30 days, a year 365, as mod_expires counts). 0, or -1 with why in err.
 */
int pfd_ht_expires_parse(const char *s, struct pfd_ht_expires_spec *out, char *err,
                         size_t err_size);

int pfd_ht_expires_active_compile(struct pfd_ht_node *n, char *err, size_t err_size);
int pfd_ht_expires_active_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n);
/* ExpiresByType type spec, ExpiresDefault spec. */
int pfd_ht_expires_compile(struct pfd_ht_node *n, char *err, size_t err_size);
int pfd_ht_expires_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n);

/* The rule for a response type (NULL: none): ExpiresByType exact, then the wildcard ("text/" "*"),
 * then ExpiresDefault; the newest of each kind. NULL when none applies. */
const struct pfd_ht_expires_spec *pfd_ht_expires_rule(const struct pfd_ht_fileinfo *fi,
                                                      const char *type);

#endif
