/*
 * autoindex_render.c — HTML and JSON for a listing (see autoindex_render.h).
 */
#include "autoindex_render.h"

#include <stdio.h>
#include <string.h>

#include "autoindex_escape.h"

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
static int autoindex_render_crumbs(struct autoindex_buf *b, const char *path)
{
    int rc = autoindex_buf_puts(b, "<h1>Index of <a href=\"/\">/</a>");
    const char *seg = path[0] == '/' ? path + 1 : path;
    for (int guard = 0; *seg != '\0' && guard < 4096; guard++) {
        const char *slash = strchr(seg, '/');
        size_t len = slash ? (size_t)(slash - seg) : strlen(seg);
        rc |= autoindex_buf_puts(b, "<a href=\"");
        rc |= autoindex_url_encode(b, path, (size_t)(seg - path) + len, 1);
        rc |= autoindex_buf_puts(b, slash ? "/\">" : "\">");
        rc |= autoindex_html_escape(b, seg, len);
        rc |= autoindex_buf_puts(b, slash ? "</a>/" : "</a>");
        seg += len + (slash != NULL);
    }
    return rc | autoindex_buf_puts(b, "</h1>\n");
}

/* A header or readme file: HTML as the site's author wrote it, anything else as text. */
static int autoindex_render_insert(struct autoindex_buf *b, const char *text, size_t len, bool html,
                                   const char *cls)
{
    if (text == NULL)
        return 0;
    int rc = autoindex_buf_printf(b, "<div class=\"%s\">", cls);
    if (html)
        rc |= autoindex_buf_append(b, text, len);
    else
        rc |= autoindex_buf_puts(b, "<pre>") | autoindex_html_escape_text(b, text, len) |
              autoindex_buf_puts(b, "</pre>");
    return rc | autoindex_buf_puts(b, "</div>\n");
}

static const char *const autoindex_column_names[][2] = {
    {"N", "Name"}, {"M", "Last modified"}, {"S", "Size"}, {"D", "Description"}};

/* One column head: a link to its ascending order, or to descending when it is already the
 * ascending one (as Apache's FancyIndexing), with aria-sort on the current column. */
static int autoindex_render_th(struct autoindex_buf *b, const struct autoindex_page *p, int i)
{
    char col = autoindex_column_names[i][0][0];
    const char *label = autoindex_column_names[i][1];
    bool current = p->q.column == col;
    int rc = autoindex_buf_puts(b, "<th");
    if (current)
        rc |= autoindex_buf_puts(b, p->q.order == 'D' ? " aria-sort=\"descending\""
                                                      : " aria-sort=\"ascending\"");
    rc |= autoindex_buf_puts(b, ">");
    if (!p->sort_links)
        return rc | autoindex_buf_printf(b, "%s</th>", label);
    char next = current && p->q.order == 'A' ? 'D' : 'A';
    rc |= autoindex_buf_printf(b, "<a href=\"?C=%c;O=%c\">%s</a>", col, next, label);
    if (current)
        rc |= autoindex_buf_puts(b, p->q.order == 'D' ? " &#8595;" : " &#8593;");
    return rc | autoindex_buf_puts(b, "</th>");
}

int autoindex_render_html_head(struct autoindex_buf *b, const struct autoindex_page *p)
{
    int rc = autoindex_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
                                   "<meta charset=\"utf-8\">\n"
                                   "<meta name=\"viewport\" content=\"width=device-width, "
                                   "initial-scale=1\">\n<title>Index of ");
    rc |= autoindex_html_escape(b, p->path, strlen(p->path));
    rc |= autoindex_buf_puts(b, "</title>\n");
    rc |= autoindex_buf_puts(b, autoindex_css);
    rc |= autoindex_buf_puts(b, "</head>\n<body>\n<div class=\"top\">\n");
    rc |= autoindex_render_crumbs(b, p->path);
    rc |= autoindex_render_insert(b, p->header, p->header_len, p->header_html, "header");
    rc |= autoindex_buf_puts(b, "</div>\n<table>\n<thead><tr>");
    for (int i = 0; i < 4; i++)
        rc |= autoindex_render_th(b, p, i);
    rc |= autoindex_buf_puts(b, "</tr></thead>\n<tbody>\n");
    if (strcmp(p->path, "/") != 0)
        rc |= autoindex_buf_puts(b, "<tr class=\"p\"><td><a href=\"../\">Parent Directory</a>"
                                    "</td><td></td><td>-</td><td></td></tr>\n");
    return rc;
}

int autoindex_render_html_row(struct autoindex_buf *b, const struct autoindex_page *p,
                              const struct autoindex_entry *e)
{
    char when[24], iso[24], size[24];
    autoindex_time_short((time_t)e->mtime, when);
    autoindex_time_iso((time_t)e->mtime, iso);
    if (e->is_dir)
        strcpy(size, "-");
    else if (p->exact_size)
        snprintf(size, sizeof(size), "%lld", (long long)e->size);
    else
        autoindex_size_human(e->size, size);
    int rc =
        autoindex_buf_puts(b, e->is_dir ? "<tr class=\"d\"><td><a href=\"" : "<tr><td><a href=\"");
    rc |= autoindex_url_encode(b, e->name, e->name_len, 0);
    rc |= autoindex_buf_puts(b, e->is_dir ? "/\">" : "\">");
    rc |= autoindex_html_escape(b, e->name, e->name_len);
    rc |= autoindex_buf_printf(b, "%s</a></td><td title=\"%s\">%s</td><td>%s</td><td>",
                               e->is_dir ? "/" : "", iso, when, size);
    rc |= autoindex_html_escape(b, e->desc, strlen(e->desc));
    return rc | autoindex_buf_puts(b, "</td></tr>\n");
}

static int autoindex_render_page_link(struct autoindex_buf *b, const struct autoindex_page *p,
                                      size_t page, const char *label)
{
    if (page == p->q.page)
        return autoindex_buf_printf(b, "<strong>%s</strong>", label);
    if (p->sort_links)
        return autoindex_buf_printf(b, "<a href=\"?C=%c;O=%c;page=%zu\">%s</a>", p->q.column,
                                    p->q.order, page, label);
    return autoindex_buf_printf(b, "<a href=\"?page=%zu\">%s</a>", page, label);
}

/* First, previous, this, next, last: a bounded number of links however many pages. */
static int autoindex_render_pages(struct autoindex_buf *b, const struct autoindex_page *p)
{
    if (p->pages <= 1)
        return 0;
    size_t cur = p->q.page;
    int rc = autoindex_buf_printf(b, "<div class=\"pages\">Page %zu of %zu: ", cur, p->pages);
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
    return rc | autoindex_buf_puts(b, "</div>\n");
}

int autoindex_render_html_foot(struct autoindex_buf *b, const struct autoindex_page *p)
{
    int rc = autoindex_buf_puts(b, "</tbody>\n</table>\n");
    rc |= autoindex_render_pages(b, p);
    rc |= autoindex_render_insert(b, p->readme, p->readme_len, p->readme_html, "readme");
    if (p->footer != NULL) {
        rc |= autoindex_buf_puts(b, "<div class=\"foot\">");
        rc |= autoindex_html_escape(b, p->footer, strlen(p->footer));
        rc |= autoindex_buf_puts(b, "</div>\n");
    }
    return rc | autoindex_buf_puts(b, "</body>\n</html>\n");
}

int autoindex_render_json_row(struct autoindex_buf *b, const struct autoindex_entry *e, bool first)
{
    char iso[24];
    autoindex_time_iso((time_t)e->mtime, iso);
    int rc = autoindex_buf_puts(b, first ? "\n{\"name\":\"" : ",\n{\"name\":\"");
    rc |= autoindex_json_escape(b, e->name, e->name_len);
    rc |= autoindex_buf_puts(b, e->is_dir ? "\",\"type\":\"directory\"" : "\",\"type\":\"file\"");
    if (!e->is_dir)
        rc |= autoindex_buf_printf(b, ",\"size\":%lld", (long long)e->size);
    rc |= autoindex_buf_printf(b, ",\"mtime\":\"%s\",\"href\":\"", iso);
    rc |= autoindex_url_encode(b, e->name, e->name_len, 0);
    return rc | autoindex_buf_puts(b, e->is_dir ? "/\"}" : "\"}");
}

/* "?C=N;O=A;F=json;page=2" for page, or null when there is no such page. */
static int autoindex_render_json_link(struct autoindex_buf *b, const struct autoindex_page *p,
                                      size_t page)
{
    if (page < 1 || page > p->pages)
        return autoindex_buf_puts(b, "null");
    return autoindex_buf_printf(b, "\"?C=%c;O=%c;F=json;page=%zu\"", p->q.column, p->q.order, page);
}

int autoindex_render_json_head(struct autoindex_buf *b, const struct autoindex_page *p,
                               size_t total)
{
    int rc = autoindex_buf_puts(b, "{\"path\":\"");
    rc |= autoindex_json_escape(b, p->path, strlen(p->path));
    rc |= autoindex_buf_printf(
        b, "\",\"page\":%zu,\"pages\":%zu,\"total\":%zu,\"prev\":", p->q.page, p->pages, total);
    rc |= autoindex_render_json_link(b, p, p->q.page - 1);
    rc |= autoindex_buf_puts(b, ",\"next\":");
    rc |= autoindex_render_json_link(b, p, p->q.page + 1);
    return rc | autoindex_buf_puts(b, ",\"entries\":[");
}

int autoindex_render_json_foot(struct autoindex_buf *b)
{
    return autoindex_buf_puts(b, "\n]}\n");
}
