/*
 * log.c — the error log, the access log, and the cached HTTP date.
 *
 * A line is built in a stack buffer and written with one write() to an O_APPEND descriptor:
 * POSIX keeps such writes whole, so workers never interleave half lines.
 */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "buf.h"
#include "request.h"

static const char *const log_level_names[] = {"emerg", "alert",  "crit", "error",
                                              "warn",  "notice", "info", "debug"};

static struct {
    int fd;
    int level;
    char *path; /* NULL for stderr */
} error_log = {STDERR_FILENO, PFD_LOG_NOTICE, NULL};

int pfd_log_level_from_name(const char *name)
{
    for (size_t i = 0; i < sizeof(log_level_names) / sizeof(log_level_names[0]); i++)
        if (strcmp(name, log_level_names[i]) == 0)
            return (int)i;
    return -1;
}

static int log_open_file(const char *path)
{
    return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
}

int pfd_log_open(const char *path, int level)
{
    error_log.level = level;
    if (path == NULL || strcmp(path, "-") == 0) {
        pfd_log_close();
        return 0;
    }
    int fd = log_open_file(path);
    if (fd < 0)
        return -1;
    char *copy = strdup(path);
    if (copy == NULL) {
        close(fd);
        return -1;
    }
    pfd_log_close();
    error_log.fd = fd;
    error_log.path = copy;
    return 0;
}

int pfd_log_reopen(void)
{
    if (error_log.path == NULL)
        return 0;
    int fd = log_open_file(error_log.path);
    if (fd < 0)
        return -1;
    /* dup2 keeps the descriptor number, so nothing holding it needs to know. */
    dup2(fd, error_log.fd);
    close(fd);
    return 0;
}

void pfd_log_set_level(int level)
{
    error_log.level = level;
}

int pfd_log_level(void)
{
    return error_log.level;
}

void pfd_log_close(void)
{
    if (error_log.path != NULL) {
        close(error_log.fd);
        free(error_log.path);
    }
    error_log.fd = STDERR_FILENO;
    error_log.path = NULL;
}

void pfd_log_at(int level, const char *file, int line, const char *fmt, ...)
{
    if (level > error_log.level)
        return;
    int saved_errno = errno;
    char msg[2048];
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    localtime_r(&tv.tv_sec, &tm);
    char stamp[64];
    strftime(stamp, sizeof(stamp), "%a %b %d %H:%M:%S", &tm);
    int n = snprintf(msg, sizeof(msg), "[%s.%06ld %d] [%s] [pid %d] ", stamp, (long)tv.tv_usec,
                     tm.tm_year + 1900, log_level_names[level], (int)getpid());
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(msg + n, sizeof(msg) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof(msg) - 1)
        len = sizeof(msg) - 1;
    if (level <= PFD_LOG_ERR || error_log.level >= PFD_LOG_DEBUG) {
        int k = snprintf(msg + len, sizeof(msg) - len, " (%s:%d)", file, line);
        if (k > 0)
            len = len + (size_t)k < sizeof(msg) - 1 ? len + (size_t)k : sizeof(msg) - 1;
    }
    msg[len++] = '\n';
    ssize_t w = write(error_log.fd, msg, len);
    (void)w;
    errno = saved_errno;
}

/* ---- HTTP dates ------------------------------------------------------------------------- */

/* By hand rather than strftime(): it runs for every Last-Modified, and the format never depends
 * on the locale (RFC 9110 §5.6.7). */
void pfd_http_date_format(time_t t, char out[30])
{
    static const char days[] = "SunMonTueWedThuFriSat";
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0) {
        /* A four-digit year cannot say it: clamp to the last date that can be written. */
        tm = (struct tm){.tm_year = 9999 - 1900,
                         .tm_mon = 11,
                         .tm_mday = 31,
                         .tm_hour = 23,
                         .tm_min = 59,
                         .tm_sec = 59,
                         .tm_wday = 5};
        if (t < 0)
            tm = (struct tm){.tm_year = 70, .tm_mday = 1, .tm_wday = 4};
    }
    int year = tm.tm_year + 1900;
    char *p = out;
    memcpy(p, days + 3 * tm.tm_wday, 3);
    p += 3;
    *p++ = ',';
    *p++ = ' ';
    *p++ = (char)('0' + tm.tm_mday / 10);
    *p++ = (char)('0' + tm.tm_mday % 10);
    *p++ = ' ';
    memcpy(p, months + 3 * tm.tm_mon, 3);
    p += 3;
    *p++ = ' ';
    *p++ = (char)('0' + year / 1000);
    *p++ = (char)('0' + year / 100 % 10);
    *p++ = (char)('0' + year / 10 % 10);
    *p++ = (char)('0' + year % 10);
    *p++ = ' ';
    int fields[3] = {tm.tm_hour, tm.tm_min, tm.tm_sec};
    for (int i = 0; i < 3; i++) {
        *p++ = (char)('0' + fields[i] / 10);
        *p++ = (char)('0' + fields[i] % 10);
        *p++ = i < 2 ? ':' : ' ';
    }
    memcpy(p, "GMT", 4);
}

const char *pfd_http_date_now(void)
{
    static time_t cached_at = -1;
    static char cached[30];
    time_t now = time(NULL);
    if (now != cached_at) {
        pfd_http_date_format(now, cached);
        cached_at = now;
    }
    return cached;
}

/* ---- the access log --------------------------------------------------------------------- */

enum access_op {
    ACCESS_LITERAL,
    ACCESS_REMOTE_HOST,  /* %h %a */
    ACCESS_LOCAL_IP,     /* %A */
    ACCESS_DASH,         /* %l */
    ACCESS_REMOTE_USER,  /* %u */
    ACCESS_TIME,         /* %t */
    ACCESS_REQUEST_LINE, /* %r */
    ACCESS_STATUS,       /* %s %>s */
    ACCESS_BYTES_CLF,    /* %b */
    ACCESS_BYTES,        /* %B */
    ACCESS_REQ_HEADER,   /* %{Name}i */
    ACCESS_DURATION_US,  /* %D */
    ACCESS_DURATION_S,   /* %T */
    ACCESS_PATH,         /* %U */
    ACCESS_QUERY,        /* %q */
    ACCESS_METHOD,       /* %m */
    ACCESS_PROTOCOL,     /* %H */
    ACCESS_SERVER_NAME,  /* %v %V */
    ACCESS_LOCAL_PORT,   /* %p */
    ACCESS_PID,          /* %P */
    ACCESS_KEEPALIVE,    /* %k */
    ACCESS_CONN_STATUS,  /* %X */
};

struct access_item {
    enum access_op op;
    char *text; /* the literal, or the header name */
    size_t len;
};

struct pfd_access_format {
    struct access_item *items;
    size_t nitems;
};

static int access_format_add(struct pfd_access_format *f, enum access_op op, const char *text,
                             size_t len)
{
    struct access_item *items = realloc(f->items, (f->nitems + 1) * sizeof(*items));
    if (items == NULL)
        return -1;
    f->items = items;
    struct access_item *it = &items[f->nitems++];
    it->op = op;
    it->len = len;
    it->text = NULL;
    if (text != NULL && (it->text = strndup(text, len)) == NULL)
        return -1;
    return 0;
}

static int access_op_for(char c)
{
    static const struct {
        char code;
        enum access_op op;
    } codes[] = {
        {'h', ACCESS_REMOTE_HOST},  {'a', ACCESS_REMOTE_HOST}, {'A', ACCESS_LOCAL_IP},
        {'l', ACCESS_DASH},         {'u', ACCESS_REMOTE_USER}, {'t', ACCESS_TIME},
        {'r', ACCESS_REQUEST_LINE}, {'s', ACCESS_STATUS},      {'b', ACCESS_BYTES_CLF},
        {'B', ACCESS_BYTES},        {'D', ACCESS_DURATION_US}, {'T', ACCESS_DURATION_S},
        {'U', ACCESS_PATH},         {'q', ACCESS_QUERY},       {'m', ACCESS_METHOD},
        {'H', ACCESS_PROTOCOL},     {'v', ACCESS_SERVER_NAME}, {'V', ACCESS_SERVER_NAME},
        {'p', ACCESS_LOCAL_PORT},   {'P', ACCESS_PID},         {'k', ACCESS_KEEPALIVE},
        {'X', ACCESS_CONN_STATUS},
    };
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        if (codes[i].code == c)
            return (int)codes[i].op;
    return -1;
}

struct pfd_access_format *pfd_access_format_compile(const char *format, char *err, size_t err_size)
{
    struct pfd_access_format *f = calloc(1, sizeof(*f));
    if (f == NULL)
        goto oom;
    const char *p = format;
    while (*p) {
        const char *lit = p;
        while (*p && *p != '%')
            p++;
        if (p > lit && access_format_add(f, ACCESS_LITERAL, lit, (size_t)(p - lit)) != 0)
            goto oom;
        if (*p == '\0')
            break;
        p++; /* the '%' */
        if (*p == '%') {
            if (access_format_add(f, ACCESS_LITERAL, "%", 1) != 0)
                goto oom;
            p++;
            continue;
        }
        const char *arg = NULL;
        size_t arg_len = 0;
        if (*p == '>' || *p == '<')
            p++; /* final/original status: one request here, they are the same */
        if (*p == '{') {
            arg = ++p;
            while (*p && *p != '}')
                p++;
            if (*p != '}') {
                snprintf(err, err_size, "access_log_format: unterminated %%{");
                goto fail;
            }
            arg_len = (size_t)(p - arg);
            p++;
        }
        int op = arg != NULL && *p == 'i' ? ACCESS_REQ_HEADER : access_op_for(*p);
        if (op < 0 || *p == '\0') {
            snprintf(err, err_size, "access_log_format: unknown code %%%c", *p ? *p : ' ');
            goto fail;
        }
        if (access_format_add(f, (enum access_op)op, arg, arg_len) != 0)
            goto oom;
        p++;
    }
    return f;
oom:
    snprintf(err, err_size, "out of memory");
fail:
    pfd_access_format_free(f);
    return NULL;
}

void pfd_access_format_free(struct pfd_access_format *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; i < f->nitems; i++)
        free(f->items[i].text);
    free(f->items);
    free(f);
}

int pfd_access_log_open(struct pfd_access_log *log, const char *path, const char *format)
{
    char err[256];
    log->fd = -1;
    log->path = NULL;
    log->format = NULL;
    if (path == NULL)
        return 0;
    log->format = pfd_access_format_compile(format, err, sizeof(err));
    if (log->format == NULL) {
        pfd_log(PFD_LOG_ERR, "%s", err);
        return -1;
    }
    if (strcmp(path, "-") == 0) {
        log->fd = STDERR_FILENO;
        return 0;
    }
    log->fd = log_open_file(path);
    if (log->fd < 0 || (log->path = strdup(path)) == NULL) {
        pfd_log(PFD_LOG_ERR, "open() \"%s\" failed: %s", path, strerror(errno));
        pfd_access_log_close(log);
        return -1;
    }
    return 0;
}

int pfd_access_log_reopen(struct pfd_access_log *log)
{
    if (log->path == NULL)
        return 0;
    int fd = log_open_file(log->path);
    if (fd < 0) {
        pfd_log(PFD_LOG_ERR, "open() \"%s\" failed: %s", log->path, strerror(errno));
        return -1;
    }
    dup2(fd, log->fd);
    close(fd);
    return 0;
}

void pfd_access_log_close(struct pfd_access_log *log)
{
    if (log->fd >= 0 && log->path != NULL)
        close(log->fd);
    free(log->path);
    pfd_access_format_free(log->format);
    log->fd = -1;
    log->path = NULL;
    log->format = NULL;
}

/* Apache escapes quotes, backslashes and control bytes in logged request data (CVE-2003-0020). */
/* Apache escapes quotes, backslashes and control bytes in logged request data (CVE-2003-0020).
 * Safe runs are appended whole: most values have nothing to escape. */
static void access_append_escaped(struct pfd_buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    if (s == NULL || *s == '\0') {
        pfd_buf_append(b, "-", 1);
        return;
    }
    for (;;) {
        const char *run = s;
        while (*s >= 0x20 && *s < 0x7f && *s != '"' && *s != '\\')
            s++;
        if (s > run)
            pfd_buf_append(b, run, (size_t)(s - run));
        if (*s == '\0')
            return;
        unsigned char c = (unsigned char)*s++;
        char esc[4] = {'\\', (char)c, 0, 0};
        if (c != '"' && c != '\\') {
            esc[1] = 'x';
            esc[2] = hex[c >> 4];
            esc[3] = hex[c & 15];
        }
        pfd_buf_append(b, esc, c == '"' || c == '\\' ? 2 : 4);
    }
}

static void access_append_time(struct pfd_buf *b)
{
    static time_t cached_at = -1;
    static char cached[40];
    time_t now = time(NULL);
    if (now != cached_at) {
        struct tm tm;
        localtime_r(&now, &tm);
        strftime(cached, sizeof(cached), "[%d/%b/%Y:%H:%M:%S %z]", &tm);
        cached_at = now;
    }
    pfd_buf_append_str(b, cached);
}

static void access_append_item(struct pfd_buf *b, const struct access_item *it,
                               const struct pfd_request *r)
{
    switch (it->op) {
    case ACCESS_LITERAL:
        pfd_buf_append(b, it->text, it->len);
        break;
    case ACCESS_REMOTE_HOST:
        pfd_buf_append_str(b, r->conn->peer_ip);
        break;
    case ACCESS_LOCAL_IP:
        pfd_buf_append_str(b, r->conn->local_ip);
        break;
    case ACCESS_DASH:
        pfd_buf_append(b, "-", 1);
        break;
    case ACCESS_REMOTE_USER:
        access_append_escaped(b, r->remote_user);
        break;
    case ACCESS_TIME:
        access_append_time(b);
        break;
    case ACCESS_REQUEST_LINE:
        access_append_escaped(b, r->request_line);
        break;
    case ACCESS_STATUS:
        pfd_buf_append_int(b, r->status);
        break;
    case ACCESS_BYTES_CLF:
        if (r->body_bytes_sent == 0)
            pfd_buf_append(b, "-", 1);
        else
            pfd_buf_append_int(b, r->body_bytes_sent);
        break;
    case ACCESS_BYTES:
        pfd_buf_append_int(b, r->body_bytes_sent);
        break;
    case ACCESS_REQ_HEADER:
        access_append_escaped(b, pfd_request_header(r, it->text));
        break;
    case ACCESS_DURATION_US:
        pfd_buf_append_int(b, pfd_request_elapsed_us(r));
        break;
    case ACCESS_DURATION_S:
        pfd_buf_append_int(b, pfd_request_elapsed_us(r) / 1000000);
        break;
    case ACCESS_PATH:
        access_append_escaped(b, r->path);
        break;
    case ACCESS_QUERY:
        if (r->query != NULL) {
            pfd_buf_append(b, "?", 1);
            access_append_escaped(b, r->query);
        }
        break;
    case ACCESS_METHOD:
        access_append_escaped(b, r->method_name);
        break;
    case ACCESS_PROTOCOL:
        access_append_escaped(b, r->protocol);
        break;
    case ACCESS_SERVER_NAME:
        access_append_escaped(b, pfd_request_server_name(r));
        break;
    case ACCESS_LOCAL_PORT:
        pfd_buf_printf(b, "%d", r->conn->local_port);
        break;
    case ACCESS_PID:
        pfd_buf_printf(b, "%d", (int)getpid());
        break;
    case ACCESS_KEEPALIVE:
        pfd_buf_printf(b, "%u", r->conn->requests - 1);
        break;
    case ACCESS_CONN_STATUS:
        pfd_buf_append(b, r->conn->keep_alive ? "+" : "-", 1);
        break;
    }
}

void pfd_access_log_write(struct pfd_access_log *log, const struct pfd_request *r)
{
    if (log->fd < 0)
        return;
    struct pfd_buf *line = &r->conn->log_line;
    line->len = 0;
    for (size_t i = 0; i < log->format->nitems; i++)
        access_append_item(line, &log->format->items[i], r);
    pfd_buf_append(line, "\n", 1);
    ssize_t w = write(log->fd, line->data, line->len);
    (void)w;
}
