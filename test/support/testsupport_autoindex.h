/*
 * testsupport_autoindex.h — helpers for mod_autoindex's integration tests: folders of files with
 * chosen sizes and times, a server started after the site is filled, the rows of a listing, and
 * checks of its HTML (Python's html.parser, xmllint) and JSON (Python's json) by real parsers.
 */
#ifndef PFD_TESTSUPPORT_AUTOINDEX_H
#define PFD_TESTSUPPORT_AUTOINDEX_H

#include <stddef.h>
#include <time.h>

#include "testsupport.h"

/* A world-readable file dir/name of size bytes ('x') with mtime (0: now); 0 or -1. */
int ts_autoindex_file(const char *dir, const char *name, size_t size, time_t mtime);
/* A file with this content. */
int ts_autoindex_file_text(const char *dir, const char *name, const char *text);
/* A world-readable folder dir/name (mode 0755); mtime 0: now. 0 or -1. */
int ts_autoindex_dir(const char *dir, const char *name, time_t mtime);
/* Sets path's mtime; 0 or -1. */
int ts_autoindex_touch(const char *path, time_t mtime);

/* ts_server_start(), but calls fill(docroot, arg) between making the site and starting. */
void ts_autoindex_start(struct ts_server *s, const char *extra,
                        void (*fill)(const char *docroot, void *arg), void *arg);

/* The hrefs of the listing's rows in order, "Parent Directory" left out, each followed by '\n'
 * (malloc'd; "" when none). */
char *ts_autoindex_hrefs(const char *html);
/* How many entry rows (Parent Directory left out) the page has. */
size_t ts_autoindex_rows(const char *html);

/* Parses html with Python's html.parser (every element closed in order, strict UTF-8, no
 * <script>, no on* attribute) and, when installed, xmllint --html; NULL when clean, else what
 * went wrong (malloc'd). */
char *ts_autoindex_html_problems(const char *html, size_t len);
/* Parses json with Python's json module: an array of objects with name, type and mtime (ISO
 * 8601, UTC), size for files. NULL when valid, else what went wrong (malloc'd). *names gets the
 * names, one per line as Python's ascii() writes them, when not NULL. */
char *ts_autoindex_json_problems(const char *json, size_t len, char **names);

#endif
