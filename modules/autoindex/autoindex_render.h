/*
 * autoindex_render.h — a listing as HTML5 (one small inline stylesheet, readable on a phone,
 * dark mode; no scripts, no external assets) or as JSON, appended to a buffer piece by piece so
 * that the module can stream it. Pure, unit-tested in test/unit/check_autoindex_render.c.
 */
#ifndef AUTOINDEX_RENDER_H
#define AUTOINDEX_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "autoindex_query.h"
#include "autoindex_sort.h"
#include "preforkd/module.h"

struct autoindex_page {
    const char *path;         /* the decoded request path, ending in '/' */
    struct autoindex_query q; /* the order shown (column, order) and the page */
    size_t pages;             /* >= 1 */
    bool sort_links;          /* column headers link to the other orders */
    bool exact_size;          /* bytes, not "1.2K" */
    const char *header;       /* header_file's content, or NULL */
    size_t header_len;
    bool header_html;   /* inserted as is (a .html file), else escaped in <pre> */
    const char *readme; /* readme_file's content, or NULL */
    size_t readme_len;
    bool readme_html;
    const char *footer; /* plain text for the footer line, e.g. "preforkd/0.1.0" */
};

/* Doctype, head, title, the header file, the table head and the "Parent Directory" row
 * (left out at "/"). */
int autoindex_render_html_head(struct pfd_buf *b, const struct autoindex_page *p);
int autoindex_render_html_row(struct pfd_buf *b, const struct autoindex_page *p,
                              const struct autoindex_entry *e);
/* The end of the table, the page links, the readme file, the footer. */
int autoindex_render_html_foot(struct pfd_buf *b, const struct autoindex_page *p);

/* JSON, a page at a time as HTML: {"path","page","pages","total" (entries in the folder),
 * "prev","next" (the query of that page, or null),"entries":[ … ]}. The head, up to the
 * entries' "[". */
int autoindex_render_json_head(struct pfd_buf *b, const struct autoindex_page *p, size_t total);
/* One object of the entries: {"name","type","size" (files only, as nginx),"mtime","href"};
 * first: no leading comma. */
int autoindex_render_json_row(struct pfd_buf *b, const struct autoindex_entry *e, bool first);
/* "]}" and a newline. */
int autoindex_render_json_foot(struct pfd_buf *b);

#endif
