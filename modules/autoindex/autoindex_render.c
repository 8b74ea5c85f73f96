/*
 * autoindex_render.c — HTML and JSON for a listing (see autoindex_render.h).
 */
#include "autoindex_render.h"

#include <stdio.h>
#include <string.h>

#include "autoindex_format.h"

/* Phone-friendly (the viewport meta, no fixed widths, the description column hidden when
 * narrow), dark mode by prefers-color-scheme; no fonts or images to fetch. */
static const char autoindex_css[] =
    "<style>\n"
    ":root{color-scheme:light dark;--fg:#1b1b1b;--bg:#fff;--mute:#666;--line:#e3e3e3;"
    "--link:#0b57d0;--hover:#f3f6fc}\n"
    "@media (prefers-color-scheme:dark){:root{--fg:#e6e6e6;--bg:#121212;--mute:#9a9a9a;"
    "--line:#2c2c2c;--link:#8ab4f8;--hover:#1e2633}}\n"
    "body{margin:0 auto;max-width:60rem;padding:1rem;font:16px/1.5 system-ui,sans-serif;"
    "color:var(--fg);background:var(--bg)}\n"
    "h1{font-size:1.25rem;font-weight:600;word-break:break-all}\n"
    "a{color:var(--link);text-decoration:none}a:hover{text-decoration:underline}\n"
    "table{width:100%;border-collapse:collapse}\n"
    "th,td{padding:.35rem .5rem;text-align:left;border-bottom:1px solid var(--line)}\n"
    "th{font-weight:600;white-space:nowrap}th a{color:inherit}\n"
    "td:first-child{word-break:break-all}\n"
    "td:nth-child(2),td:nth-child(3){white-space:nowrap;color:var(--mute);"
    "font-variant-numeric:tabular-nums}\n"
    "td:nth-child(3),th:nth-child(3){text-align:right}\n"
    "td:nth-child(4){color:var(--mute)}\n"
    "tr:hover td{background:var(--hover)}\n"
    "tr.d td:first-child a{font-weight:600}\n"
    "pre{white-space:pre-wrap;word-break:break-word}\n"
    ".pages,.foot{margin-top:1rem;color:var(--mute);font-size:.875rem}\n"
    ".pages a,.pages strong{margin-right:.5rem}\n"
    "@media (max-width:40rem){body{padding:.5rem}th:nth-child(4),td:nth-child(4)"
    "{display:none}th:nth-child(2),td:nth-child(2){font-size:.8rem}}\n"
    "</style>\n";

/* "Index of " and the path, each folder a link to itself (absolute, percent-encoded). */
static int autoindex_render_crumbs(struct pfd_buf *b, const char *path)
{
    int rc = pfd_buf_append_str(b, "<h1>Index of <a href=\"/\">/</a>");
    const char *seg = path[0] == '/' ? path + 1 : path;
    for (int guard = 0; *seg != '\0' && guard < 4096; guard++) {
        const char *slash = strchr(seg, '/');
        size_t len = slash ? (size_t)(slash - seg) : strlen(seg);
        rc |= pfd_buf_append_str(b, "<a href=\"");
        rc |= pfd_escape_url(b, path, (size_t)(seg - path) + len, true);
        rc |= pfd_buf_append_str(b, slash ? "/\">" : "\">");
        rc |= pfd_escape_html(b, seg, len);
        rc |= pfd_buf_append_str(b, slash ? "</a>/" : "</a>");
        seg += len + (slash != NULL);
    }
    return rc | pfd_buf_append_str(b, "</h1>\n");
}

/* A header or readme file: HTML as the site's author wrote it, anything else as text. */
static int autoindex_render_insert(struct pfd_buf *b, const char *text, size_t len, bool html,
                                   const char *cls)
{
    if (text == NULL)
        return 0;
    int rc = pfd_buf_printf(b, "<div class=\"%s\">", cls);
    if (html)
        rc |= pfd_buf_append(b, text, len);
    else
        rc |= pfd_buf_append_str(b, "<pre>") | pfd_escape_html_text(b, text, len) |
              pfd_buf_append_str(b, "</pre>");
    return rc | pfd_buf_append_str(b, "</div>\n");
}

static const char *const autoindex_column_names[][2] = {
    {"N", "Name"}, {"M", "Last modified"}, {"S", "Size"}, {"D", "Description"}};

/* One column head: a link to its ascending order, or to descending when it is already the
 * ascending one (as Apache's FancyIndexing), with aria-sort on the current column. */
static int autoindex_render_th(struct pfd_buf *b, const struct autoindex_page *p, int i)
{
    char col = autoindex_column_names[i][0][0];
    const char *label = autoindex_column_names[i][1];
    bool current = p->q.column == col;
    int rc = pfd_buf_append_str(b, "<th");
    if (current)
        rc |= pfd_buf_append_str(b, p->q.order == 'D' ? " aria-sort=\"descending\""
                                                      : " aria-sort=\"ascending\"");
    rc |= pfd_buf_append_str(b, ">");
    if (!p->sort_links)
        return rc | pfd_buf_printf(b, "%s</th>", label);
    char next = current && p->q.order == 'A' ? 'D' : 'A';
    rc |= pfd_buf_printf(b, "<a href=\"?C=%c;O=%c\">%s</a>", col, next, label);
    if (current)
        rc |= pfd_buf_append_str(b, p->q.order == 'D' ? " &#8595;" : " &#8593;");
    return rc | pfd_buf_append_str(b, "</th>");
}

int autoindex_render_html_head(struct pfd_buf *b, const struct autoindex_page *p)
{
    int rc = pfd_buf_append_str(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
                                   "<meta charset=\"utf-8\">\n"
                                   "<meta name=\"viewport\" content=\"width=device-width, "
                                   "initial-scale=1\">\n<title>Index of ");
    rc |= pfd_escape_html(b, p->path, strlen(p->path));
    rc |= pfd_buf_append_str(b, "</title>\n");
    rc |= pfd_buf_append_str(b, autoindex_css);
    rc |= pfd_buf_append_str(b, "</head>\n<body>\n<div class=\"top\">\n");
    rc |= autoindex_render_crumbs(b, p->path);
    rc |= autoindex_render_insert(b, p->header, p->header_len, p->header_html, "header");
    rc |= pfd_buf_append_str(b, "</div>\n<table>\n<thead><tr>");
    for (int i = 0; i < 4; i++)
        rc |= autoindex_render_th(b, p, i);
    rc |= pfd_buf_append_str(b, "</tr></thead>\n<tbody>\n");
    if (strcmp(p->path, "/") != 0)
        rc |= pfd_buf_append_str(b, "<tr class=\"p\"><td><a href=\"../\">Parent Directory</a>"
                                    "</td><td></td><td>-</td><td></td></tr>\n");
    return rc;
}

int autoindex_render_html_row(struct pfd_buf *b, const struct autoindex_page *p,
                              const struct autoindex_entry *e)
{
    char when[24], iso[24], size[24];
    autoindex_time_short((time_t)e->mtime, when);
    pfd_iso8601_format((time_t)e->mtime, iso);
    if (e->is_dir)
        strcpy(size, "-");
    else if (p->exact_size)
        snprintf(size, sizeof(size), "%lld", (long long)e->size);
    else
        autoindex_size_human(e->size, size);
    int rc =
        pfd_buf_append_str(b, e->is_dir ? "<tr class=\"d\"><td><a href=\"" : "<tr><td><a href=\"");
    rc |= pfd_escape_url(b, e->name, e->name_len, false);
    rc |= pfd_buf_append_str(b, e->is_dir ? "/\">" : "\">");
    rc |= pfd_escape_html(b, e->name, e->name_len);
    rc |= pfd_buf_printf(b, "%s</a></td><td title=\"%s\">%s</td><td>%s</td><td>",
                         e->is_dir ? "/" : "", iso, when, size);
    rc |= pfd_escape_html(b, e->desc, strlen(e->desc));
    return rc | pfd_buf_append_str(b, "</td></tr>\n");
}

static int autoindex_render_page_link(struct pfd_buf *b, const struct autoindex_page *p,
                                      size_t page, const char *label)
{
    if (page == p->q.page)
        return pfd_buf_printf(b, "<strong>%s</strong>", label);
    if (p->sort_links)
        return pfd_buf_printf(b, "<a href=\"?C=%c;O=%c;page=%zu\">%s</a>", p->q.column, p->q.order,
                              page, label);
    return pfd_buf_printf(b, "<a href=\"?page=%zu\">%s</a>", page, label);
}

/* First, previous, this, next, last: a bounded number of links however many pages. */
static int autoindex_render_pages(struct pfd_buf *b, const struct autoindex_page *p)
{
    if (p->pages <= 1)
        return 0;
    size_t cur = p->q.page;
    int rc = pfd_buf_printf(b, "<div class=\"pages\">Page %zu of %zu: ", cur, p->pages);
    if (cur > 1) {
        rc |= autoindex_render_page_link(b, p, 1, "first");
        rc |= autoindex_render_page_link(b, p, cur - 1, "previous");
    }
    char label[24];
    snprintf(label, sizeof(label), "%zu", cur);
    rc |= autoindex_render_page_link(b, p, cur, label);
    if (cur < p->pages) {
        rc |= autoindex_render_page_link(b, p, cur + 1, "next");
        rc |= autoindex_render_page_link(b, p, p->pages, "last");
    }
    return rc | pfd_buf_append_str(b, "</div>\n");
}

int autoindex_render_html_foot(struct pfd_buf *b, const struct autoindex_page *p)
{
    int rc = pfd_buf_append_str(b, "</tbody>\n</table>\n");
    rc |= autoindex_render_pages(b, p);
    rc |= autoindex_render_insert(b, p->readme, p->readme_len, p->readme_html, "readme");
    if (p->footer != NULL) {
        rc |= pfd_buf_append_str(b, "<div class=\"foot\">");
        rc |= pfd_escape_html(b, p->footer, strlen(p->footer));
        rc |= pfd_buf_append_str(b, "</div>\n");
    }
    return rc | pfd_buf_append_str(b, "</body>\n</html>\n");
}

int autoindex_render_json_row(struct pfd_buf *b, const struct autoindex_entry *e, bool first)
{
    char iso[24];
    pfd_iso8601_format((time_t)e->mtime, iso);
    int rc = pfd_buf_append_str(b, first ? "\n{\"name\":\"" : ",\n{\"name\":\"");
    rc |= pfd_escape_json(b, e->name, e->name_len);
    rc |= pfd_buf_append_str(b, e->is_dir ? "\",\"type\":\"directory\"" : "\",\"type\":\"file\"");
    if (!e->is_dir)
        rc |= pfd_buf_printf(b, ",\"size\":%lld", (long long)e->size);
    rc |= pfd_buf_printf(b, ",\"mtime\":\"%s\",\"href\":\"", iso);
    rc |= pfd_escape_url(b, e->name, e->name_len, false);
    return rc | pfd_buf_append_str(b, e->is_dir ? "/\"}" : "\"}");
}

/* "?C=N;O=A;F=json;page=2" for page, or null when there is no such page. */
static int autoindex_render_json_link(struct pfd_buf *b, const struct autoindex_page *p,
                                      size_t page)
{
    if (page < 1 || page > p->pages)
        return pfd_buf_append_str(b, "null");
    return pfd_buf_printf(b, "\"?C=%c;O=%c;F=json;page=%zu\"", p->q.column, p->q.order, page);
}

int autoindex_render_json_head(struct pfd_buf *b, const struct autoindex_page *p, size_t total)
{
    int rc = pfd_buf_append_str(b, "{\"path\":\"");
    rc |= pfd_escape_json(b, p->path, strlen(p->path));
    rc |= pfd_buf_printf(b, "\",\"page\":%zu,\"pages\":%zu,\"total\":%zu,\"prev\":", p->q.page,
                         p->pages, total);
    rc |= autoindex_render_json_link(b, p, p->q.page - 1);
    rc |= pfd_buf_append_str(b, ",\"next\":");
    rc |= autoindex_render_json_link(b, p, p->q.page + 1);
    return rc | pfd_buf_append_str(b, ",\"entries\":[");
}

int autoindex_render_json_foot(struct pfd_buf *b)
{
    return pfd_buf_append_str(b, "\n]}\n");
}
