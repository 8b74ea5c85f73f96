/*
 * htaccess_index.h — .htaccess directives of mod_autoindex (Indexes): IndexIgnore,
 * IndexIgnoreReset, IndexOptions, IndexOrderDefault, HeaderName, ReadmeName, recorded into
 * struct pfd_dir_listing for mod_autoindex (pfd_request_dir_listing(), module.h).
 *
 * IndexOptions: FoldersFirst, VersionSort, IgnoreClient and SuppressColumnSorting change the
 * listing; Apache's other keywords (FancyIndexing, HTMLTable, NameWidth=… : how Apache draws
 * its page) are accepted and change nothing; a word Apache does not know is an error (500), as
 * in Apache.
 */
#ifndef PFD_HTACCESS_INDEX_H
#define PFD_HTACCESS_INDEX_H

#include <stddef.h>

struct pfd_ht_ctx;
struct pfd_ht_node;

int pfd_ht_index_ignore_compile(struct pfd_ht_node *n, char *err, size_t err_size);
int pfd_ht_index_ignore_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n);
int pfd_ht_index_ignore_reset_compile(struct pfd_ht_node *n, char *err, size_t err_size);
int pfd_ht_index_ignore_reset_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n);
int pfd_ht_index_options_compile(struct pfd_ht_node *n, char *err, size_t err_size);
int pfd_ht_index_options_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n);
int pfd_ht_index_order_compile(struct pfd_ht_node *n, char *err, size_t err_size);
int pfd_ht_index_order_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n);
/* HeaderName, ReadmeName: a file name of the listed folder (Apache also takes a URI). */
int pfd_ht_index_file_compile(struct pfd_ht_node *n, char *err, size_t err_size);
int pfd_ht_index_file_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n);

#endif
