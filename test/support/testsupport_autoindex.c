/*
 * testsupport_autoindex.c — helpers for mod_autoindex's integration tests (see the header).
 */
#include "testsupport_autoindex.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TSA_PARSE_TIMEOUT_S 20.0

int ts_autoindex_touch(const char *path, time_t mtime)
{
    if (mtime == 0)
        return 0;
    struct timespec times[2] = {{mtime, 0}, {mtime, 0}};
    return utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW);
}

static int tsa_write(const char *dir, const char *name, const char *data, size_t size, char fill,
                     time_t mtime)
{
    char path[TS_PATH_MAX * 2];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    char block[4096];
    memset(block, fill, sizeof(block));
    size_t left = size;
    while (left > 0) {
        size_t n = left < sizeof(block) ? left : sizeof(block);
        if (write(fd, data != NULL ? data + (size - left) : block, n) != (ssize_t)n)
            break;
        left -= n;
    }
    int rc = left == 0 && fchmod(fd, 0644) == 0 ? 0 : -1;
    close(fd);
    return rc == 0 ? ts_autoindex_touch(path, mtime) : -1;
}

int ts_autoindex_file(const char *dir, const char *name, size_t size, time_t mtime)
{
    return tsa_write(dir, name, NULL, size, 'x', mtime);
}

int ts_autoindex_file_text(const char *dir, const char *name, const char *text)
{
    return tsa_write(dir, name, text, strlen(text), 0, 0);
}

int ts_autoindex_dir(const char *dir, const char *name, time_t mtime)
{
    char path[TS_PATH_MAX * 2];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if ((mkdir(path, 0755) != 0 && errno != EEXIST) || chmod(path, 0755) != 0)
        return -1;
    return ts_autoindex_touch(path, mtime);
}

void ts_autoindex_start(struct ts_server *s, const char *extra,
                        void (*fill)(const char *docroot, void *arg), void *arg)
{
    ck_assert_msg(ts_server_init(s) == 0, "cannot make the test site: %s", strerror(errno));
    if (fill != NULL)
        fill(s->docroot, arg);
    ck_assert_msg(ts_server_configure(s, extra) == 0, "cannot write %s", s->conf);
    const char *argv[] = {"-f", s->conf, NULL};
    ck_assert_msg(ts_server_spawn(s, argv) == 0, "fork: %s", strerror(errno));
    if (ts_server_wait_ready(s, TS_START_TIMEOUT_S) == 0)
        return;
    ts_server_dump(s);
    ck_abort_msg("preforkd did not start (config: %s)", extra);
}

/* The start of the table body: rows before it are headings. */
static const char *tsa_tbody(const char *html)
{
    const char *body = strstr(html, "<tbody>");
    return body != NULL ? body : html + strlen(html);
}

char *ts_autoindex_hrefs(const char *html)
{
    size_t cap = strlen(html) + 1, len = 0;
    char *out = calloc(1, cap);
    if (out == NULL)
        return NULL;
    const char *p = tsa_tbody(html);
    const char *end = strstr(p, "</tbody>");
    for (int guard = 0; guard < 1000000; guard++) {
        p = strstr(p, "<td><a href=\"");
        if (p == NULL || (end != NULL && p > end))
            break;
        p += strlen("<td><a href=\"");
        size_t n = strcspn(p, "\"");
        if (!(n == 3 && strncmp(p, "../", 3) == 0) && len + n + 1 < cap) {
            memcpy(out + len, p, n);
            len += n;
            out[len++] = '\n';
        }
        p += n;
    }
    return out;
}

size_t ts_autoindex_rows(const char *html)
{
    char *hrefs = ts_autoindex_hrefs(html);
    size_t n = 0;
    for (const char *p = hrefs; p != NULL && *p != '\0'; p++)
        n += *p == '\n';
    free(hrefs);
    return n;
}

/* Writes data to a temp file (world-readable) for a parser to read; its path, or "" on error. */
static int tsa_temp(const char *data, size_t len, char path[64])
{
    snprintf(path, 64, "/tmp/pfd-aix-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    int rc = write(fd, data, len) == (ssize_t)len ? 0 : -1;
    close(fd);
    return rc;
}

static const char tsa_html_script[] =
    "import sys, html.parser\n"
    "VOID = {'meta','br','hr','img','input','link','area','base','col','embed','source',"
    "'track','wbr'}\n"
    "class P(html.parser.HTMLParser):\n"
    "    def __init__(s):\n"
    "        super().__init__(convert_charrefs=True); s.stack = []; s.err = []\n"
    "    def handle_starttag(s, t, a):\n"
    "        if t == 'script': s.err.append('a <script> element')\n"
    "        s.err += ['event attribute ' + k for k, v in a if k.startswith('on')]\n"
    "        if t not in VOID: s.stack.append(t)\n"
    "    def handle_endtag(s, t):\n"
    "        if not s.stack or s.stack[-1] != t:\n"
    "            s.err.append('</%s> closes %s' % (t, s.stack[-3:]))\n"
    "        else: s.stack.pop()\n"
    "text = open(sys.argv[1], 'rb').read().decode('utf-8')\n"
    "if not text.startswith('<!DOCTYPE html>'): print('no <!DOCTYPE html>')\n"
    "p = P(); p.feed(text); p.close()\n"
    "if p.stack: p.err.append('unclosed ' + str(p.stack))\n"
    "print('\\n'.join(p.err)); sys.exit(1 if p.err else 0)\n";

char *ts_autoindex_html_problems(const char *html, size_t len)
{
    char path[64];
    if (tsa_temp(html, len, path) != 0)
        return strdup("cannot write a temp file");
    char *out = NULL;
    const char *argv[] = {"/usr/bin/env", "python3", "-c", tsa_html_script, path, NULL};
    int rc = ts_run(argv, TSA_PARSE_TIMEOUT_S, &out);
    if (rc == 0 && access("/usr/bin/xmllint", X_OK) == 0) {
        free(out);
        const char *lint[] = {"/usr/bin/xmllint", "--html", "--noout", path, NULL};
        rc = ts_run(lint, TSA_PARSE_TIMEOUT_S, &out);
        if (rc == 0 && out != NULL && out[0] != '\0')
            rc = 1; /* xmllint --html reports errors without failing */
    }
    unlink(path);
    if (rc == 0) {
        free(out);
        return NULL;
    }
    return out != NULL ? out : strdup("the parser failed without output");
}

static const char tsa_json_script[] =
    "import sys, json, re\n"
    "o = json.load(open(sys.argv[1], encoding='utf-8'))\n"
    "assert isinstance(o, dict), 'not an object'\n"
    "assert isinstance(o['path'], str) and o['path'].endswith('/'), o['path']\n"
    "assert 1 <= o['page'] <= o['pages'] and o['total'] >= 0, o\n"
    "for k in ('prev', 'next'):\n"
    "    assert o[k] is None or re.fullmatch(r'\\?C=[NMSD];O=[AD];F=json;page=\\d+', o[k]), o[k]\n"
    "d = o['entries']\n"
    "assert isinstance(d, list), 'entries: not an array'\n"
    "for e in d:\n"
    "    assert isinstance(e['name'], str) and e['type'] in ('file', 'directory'), e\n"
    "    assert re.fullmatch(r'\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ', e['mtime']), e\n"
    "    assert e['type'] == 'directory' or isinstance(e['size'], int), e\n"
    "for e in d: print(ascii(e['name']))\n";

char *ts_autoindex_json_problems(const char *json, size_t len, char **names)
{
    char path[64];
    if (names != NULL)
        *names = NULL;
    if (tsa_temp(json, len, path) != 0)
        return strdup("cannot write a temp file");
    char *out = NULL;
    const char *argv[] = {"/usr/bin/env", "python3", "-c", tsa_json_script, path, NULL};
    int rc = ts_run(argv, TSA_PARSE_TIMEOUT_S, &out);
    unlink(path);
    if (rc != 0)
        return out != NULL ? out : strdup("python3 failed without output");
    if (names != NULL)
        *names = out;
    else
        free(out);
    return NULL;
}
