/*
 * htaccess_env.h — .htaccess directives for scripts' environment (FileInfo): SetEnv, UnsetEnv
 * (mod_env), SetEnvIf and SetEnvIfNoCase (mod_setenvif). mod_cgi reads the result through
 * pfd_request_env_at() (module.h); Header's env= condition through pfd_ht_env_get().
 */
#ifndef PFD_HTACCESS_ENV_H
#define PFD_HTACCESS_ENV_H

#include <stddef.h>

struct pfd_ht_ctx;
struct pfd_ht_node;
struct pfd_ht_fileinfo;
struct pfd_ht_result;

/* One variable: its last word wins (value NULL: UnsetEnv, or "!VAR" of SetEnvIf). */
struct pfd_ht_env_var {
    const char *name;
    const char *value;
    struct pfd_ht_env_var *next;
};

/* The value the files gave name (a RewriteRule's [E=] over SetEnv & co), or NULL (never set, or
 * unset). res may be NULL. */
const char *pfd_ht_env_get(const struct pfd_ht_result *res, const char *name);

int pfd_ht_setenv_compile(struct pfd_ht_node *n, char *err, size_t err_size);
int pfd_ht_setenv_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n);
int pfd_ht_unsetenv_compile(struct pfd_ht_node *n, char *err, size_t err_size);
int pfd_ht_unsetenv_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n);
/*
 * SetEnvIf attribute regex [!]VAR[=value]…: attribute is Remote_Addr, Remote_Host (the address:
 * preforkd does no DNS), Server_Addr, Request_Method, Request_Protocol, Request_URI (the path,
 * without the query), else a request header (absent: matched as ""), else a variable an earlier
 * SetEnvIf set; an attribute with anything but letters, digits, '-' and '_' is a regex of request
 * field names (the first field whose name and value both match). value may hold $0 … $9, the
 * regex's groups. SetEnvIfNoCase: the regex ignores case.
 */
int pfd_ht_setenvif_compile(struct pfd_ht_node *n, char *err, size_t err_size);
int pfd_ht_setenvif_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n);
void pfd_ht_setenvif_free(void *data);

#endif
