/*
 * htaccess_index.c — mod_autoindex's directives from .htaccess files. See the header.
 */
#include "serve/htaccess_index.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "serve/htaccess.h"
#include "serve/htaccess_info_util.h"
#include "serve/request.h"

/* The request's listing settings, every flag "not set" (-1) on first use. */
static struct pfd_dir_listing *ht_index_listing(struct pfd_ht_ctx *ctx)
{
    struct pfd_ht_fileinfo *fi = &ctx->result->info;
    if (!fi->listing_set) {
        fi->listing.folders_first = fi->listing.version_sort = -1;
        fi->listing.ignore_client = fi->listing.column_sorting = -1;
        fi->listing_set = true;
    }
    return &fi->listing;
}

const struct pfd_dir_listing *pfd_request_dir_listing(const struct pfd_request *r)
{
    return r->htaccess != NULL && r->htaccess->info.listing_set ? &r->htaccess->info.listing : NULL;
}

/* ---- IndexIgnore, IndexIgnoreReset ---------------------------------------------------------- */

int pfd_ht_index_ignore_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    return pfd_ht_info_nargs(n, 1, (size_t)-1, err, err_size);
}

/* The patterns so far plus this line's, in a new array (a few per folder: copying is cheap). */
int pfd_ht_index_ignore_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n)
{
    struct pfd_dir_listing *l = ht_index_listing(ctx);
    const char **all = pfd_ht_info_alloc(ctx, (l->nignore + n->nargs) * sizeof(*all));
    if (all == NULL)
        return 500;
    if (l->nignore > 0)
        memcpy(all, l->ignore, l->nignore * sizeof(*all));
    for (size_t i = 0; i < n->nargs; i++)
        all[l->nignore + i] = n->args[i];
    l->ignore = all;
    l->nignore += n->nargs;
    pfd_ht_info_trace(ctx, n, "hidden from listings");
    return 0;
}

int pfd_ht_index_ignore_reset_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    if (pfd_ht_info_nargs(n, 1, 1, err, err_size) != 0)
        return -1;
    if (strcasecmp(n->args[0], "On") != 0 && strcasecmp(n->args[0], "Off") != 0) {
        snprintf(err, err_size, "IndexIgnoreReset must be On or Off");
        return -1;
    }
    return 0;
}

/* On: the inherited patterns (the server's index_ignore, the parents' IndexIgnore) go. */
int pfd_ht_index_ignore_reset_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n)
{
    struct pfd_dir_listing *l = ht_index_listing(ctx);
    l->ignore_reset = strcasecmp(n->args[0], "On") == 0;
    if (l->ignore_reset)
        l->nignore = 0;
    pfd_ht_info_trace(ctx, n, "inherited ignore patterns reset");
    return 0;
}

/* ---- IndexOptions ------------------------------------------------------------------------------
 */

enum {
    HT_IX_FOLDERS_FIRST = 1 << 0,
    HT_IX_VERSION_SORT = 1 << 1,
    HT_IX_IGNORE_CLIENT = 1 << 2,
    HT_IX_NO_COLUMN_SORTING = 1 << 3,
    HT_IX_ALL = (1 << 4) - 1,
};

/* An IndexOptions line: a new set (a bare word, Apache's rule), or +/- changes. */
struct ht_index_options {
    bool replace;
    unsigned plus, minus;
};

/* A keyword's bit; 0 for one accepted without effect; -1 unknown. "Name=value" keywords are
 * matched on their name. */
static long ht_index_keyword(const char *word)
{
    static const struct {
        const char *name;
        unsigned bit;
    } mapped[] = {{"FoldersFirst", HT_IX_FOLDERS_FIRST},
                  {"VersionSort", HT_IX_VERSION_SORT},
                  {"IgnoreClient", HT_IX_IGNORE_CLIENT},
                  {"SuppressColumnSorting", HT_IX_NO_COLUMN_SORTING}};
    static const char *const accepted[] = {"AddAltClass",
                                           "Charset",
                                           "DescriptionWidth",
                                           "FancyIndexing",
                                           "HTMLTable",
                                           "IconsAreLinks",
                                           "IconHeight",
                                           "IconWidth",
                                           "IgnoreCase",
                                           "NameWidth",
                                           "ScanHTMLTitles",
                                           "ShowForbidden",
                                           "SuppressDescription",
                                           "SuppressHTMLPreamble",
                                           "SuppressIcon",
                                           "SuppressLastModified",
                                           "SuppressRules",
                                           "SuppressSize",
                                           "TrackModified",
                                           "Type",
                                           "UseOldDateFormat",
                                           "XHTML",
                                           "None"};
    size_t len = strcspn(word, "=");
    for (size_t i = 0; i < sizeof(mapped) / sizeof(mapped[0]); i++)
        if (strlen(mapped[i].name) == len && strncasecmp(word, mapped[i].name, len) == 0)
            return mapped[i].bit;
    for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++)
        if (strlen(accepted[i]) == len && strncasecmp(word, accepted[i], len) == 0)
            return 0;
    return -1;
}

int pfd_ht_index_options_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    if (pfd_ht_info_nargs(n, 1, (size_t)-1, err, err_size) != 0)
        return -1;
    struct ht_index_options o = {0};
    for (size_t i = 0; i < n->nargs; i++) {
        const char *a = n->args[i];
        char sign = a[0] == '+' || a[0] == '-' ? a[0] : 0;
        long bit = ht_index_keyword(a + (sign != 0));
        if (bit < 0) {
            snprintf(err, err_size, "Invalid directory indexing option \"%s\"", a);
            return -1;
        }
        if (sign == '-') {
            o.minus |= (unsigned)bit;
            o.plus &= ~(unsigned)bit;
        } else {
            o.replace |= sign == 0;
            o.plus |= (unsigned)bit;
            o.minus &= ~(unsigned)bit;
        }
    }
    struct ht_index_options *copy = malloc(sizeof(*copy));
    if (copy == NULL) {
        snprintf(err, err_size, "IndexOptions: out of memory");
        return -1;
    }
    *copy = o;
    n->data = copy;
    return 0;
}

/* bit of set/on into the listing's -1/0/1 field. */
static void ht_index_flag(int *field, unsigned bit, unsigned set, unsigned on, bool invert)
{
    if (set & bit)
        *field = ((on & bit) != 0) != invert;
}

int pfd_ht_index_options_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n)
{
    const struct ht_index_options *o = n->data;
    struct pfd_dir_listing *l = ht_index_listing(ctx);
    unsigned set = o->replace ? (unsigned)HT_IX_ALL : o->plus | o->minus;
    unsigned on = o->plus & ~o->minus;
    ht_index_flag(&l->folders_first, HT_IX_FOLDERS_FIRST, set, on, false);
    ht_index_flag(&l->version_sort, HT_IX_VERSION_SORT, set, on, false);
    ht_index_flag(&l->ignore_client, HT_IX_IGNORE_CLIENT, set, on, false);
    ht_index_flag(&l->column_sorting, HT_IX_NO_COLUMN_SORTING, set, on, true);
    pfd_ht_info_trace(ctx, n, "listing options set");
    return 0;
}

/* ---- IndexOrderDefault, HeaderName, ReadmeName ------------------------------------------------
 */

int pfd_ht_index_order_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    if (pfd_ht_info_nargs(n, 2, 2, err, err_size) != 0)
        return -1;
    static const char *const columns[] = {"Name", "Date", "Size", "Description"};
    bool order =
        strcasecmp(n->args[0], "Ascending") == 0 || strcasecmp(n->args[0], "Descending") == 0;
    bool column = false;
    for (size_t i = 0; i < 4; i++)
        column |= strcasecmp(n->args[1], columns[i]) == 0;
    if (!order || !column) {
        snprintf(err, err_size,
                 "IndexOrderDefault takes Ascending|Descending and "
                 "Name|Date|Size|Description");
        return -1;
    }
    return 0;
}

int pfd_ht_index_order_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n)
{
    struct pfd_dir_listing *l = ht_index_listing(ctx);
    char c = (char)(n->args[1][0] & ~0x20); /* 'N', 'S', 'D' (Description) */
    l->order_column = strcasecmp(n->args[1], "Date") == 0 ? 'M' : c;
    l->order = (char)(n->args[0][0] & ~0x20); /* 'A' or 'D' */
    pfd_ht_info_trace(ctx, n, "default order set");
    return 0;
}

int pfd_ht_index_file_compile(struct pfd_ht_node *n, char *err, size_t err_size)
{
    if (pfd_ht_info_nargs(n, 1, 1, err, err_size) != 0)
        return -1;
    if (strchr(n->args[0], '/') != NULL || strcmp(n->args[0], "..") == 0) {
        snprintf(err, err_size, "%s: only a file name of the listed folder is supported", n->name);
        return -1;
    }
    return 0;
}

int pfd_ht_index_file_apply(struct pfd_ht_ctx *ctx, const struct pfd_ht_node *n)
{
    struct pfd_dir_listing *l = ht_index_listing(ctx);
    if (strcasecmp(n->name, "HeaderName") == 0)
        l->header_name = n->args[0];
    else
        l->readme_name = n->args[0];
    pfd_ht_info_trace(ctx, n, "listing insert set");
    return 0;
}
