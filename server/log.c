/*
 * log.c — the error log, the access log, and the cached HTTP date.
 *
 * A line is built in a stack buffer and written with one write() to an O_APPEND descriptor:
 * POSIX keeps such writes whole, so workers never interleave half lines.
 */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "request.h"

static const char *const log_level_names[] = {"emerg", "alert",  "crit", "error",
                                              "warn",  "notice", "info", "debug"};

static struct {
    int fd;
    int level;
    char *path;   /* NULL for stderr */
    int route_fd; /* a vhost's error log while serving its request, or -1 */
} error_log = {STDERR_FILENO, PFD_LOG_NOTICE, NULL, -1};

/* ---- piped logs ------------------------------------------------------------------------- */

/*
 * A log named "| command" goes to a program's stdin (Apache's piped logs: rotatelogs, cronolog,
 * a shipper). The master keeps both ends of the pipe and every writer holds a duplicate of the
 * write end, so when the program dies the pipe stays: the master starts the command again on the
 * same read end (at once, at most once a second), and what was written meanwhile waits in the
 * pipe rather than being lost or failing workers with EPIPE. Writes of up to PIPE_BUF bytes
 * (4096) reach the program whole; a longer line may interleave with another worker's.
 * Logs that name the same command share one pipe and one program.
 */
#define LOG_PIPES_MAX 8

static struct log_pipe {
    char *command; /* NULL: the entry is unused */
    int rfd, wfd;  /* -1 once no log uses it (retired: the program sees EOF and exits) */
    pid_t pid;     /* its program, or 0 when it must be started */
    pid_t spawner; /* the process that started it: after -D, not the master */
    int refs;      /* logs using it */
    int64_t started_ms;
} log_pipes[LOG_PIPES_MAX];

static int64_t log_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *log_pipe_command(const char *spec)
{
    return spec + 1 + strspn(spec + 1, " \t");
}

static int log_pipe_spawn(struct log_pipe *p)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        /* Its own session, so a terminal's Ctrl-C stops the master (which then closes the pipe)
         * rather than the logger first; default signals, nothing blocked. */
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        signal(SIGCHLD, SIG_DFL);
        setsid();
        if (dup2(p->rfd, STDIN_FILENO) < 0)
            _exit(126);
        execl("/bin/sh", "sh", "-c", p->command, (char *)NULL);
        _exit(127);
    }
    p->pid = pid;
    p->spawner = getpid();
    p->started_ms = log_now_ms();
    return 0;
}

/* A descriptor writing into the pipe of spec's command, started if new; -1 with errno. */
static int log_pipe_open(const char *spec)
{
    const char *command = log_pipe_command(spec);
    struct log_pipe *p = NULL;
    for (size_t i = 0; i < LOG_PIPES_MAX && p == NULL; i++)
        if (log_pipes[i].command != NULL && log_pipes[i].refs > 0 &&
            strcmp(log_pipes[i].command, command) == 0)
            p = &log_pipes[i];
    for (size_t i = 0; i < LOG_PIPES_MAX && p == NULL; i++) {
        if (log_pipes[i].command != NULL)
            continue;
        int fds[2];
        char *copy = strdup(command);
        if (copy == NULL || pipe2(fds, O_CLOEXEC) != 0) {
            free(copy);
            return -1;
        }
        log_pipes[i] = (struct log_pipe){.command = copy, .rfd = fds[0], .wfd = fds[1]};
        p = &log_pipes[i];
        if (log_pipe_spawn(p) != 0) {
            pfd_log(PFD_LOG_ERR, "fork() for the piped log \"%s\" failed: %s", command,
                    strerror(errno)); /* the maintenance tick tries again */
        }
    }
    if (p == NULL) {
        errno = EMFILE;
        return -1;
    }
    int fd = fcntl(p->wfd, F_DUPFD_CLOEXEC, 0);
    if (fd >= 0)
        p->refs++;
    return fd;
}

/* A log stopped using spec's pipe; the last one retires it. */
static void log_pipe_release(const char *spec)
{
    const char *command = log_pipe_command(spec);
    for (size_t i = 0; i < LOG_PIPES_MAX; i++) {
        struct log_pipe *p = &log_pipes[i];
        if (p->command == NULL || p->refs == 0 || strcmp(p->command, command) != 0)
            continue;
        if (--p->refs > 0)
            return;
        close(p->rfd);
        close(p->wfd);
        p->rfd = p->wfd = -1;
        if (p->pid <= 0 || p->spawner != getpid()) { /* nothing of ours left to reap */
            free(p->command);
            p->command = NULL;
        }
        return;
    }
}

bool pfd_log_pipe_reaped(pid_t pid, int status)
{
    for (size_t i = 0; i < LOG_PIPES_MAX; i++) {
        struct log_pipe *p = &log_pipes[i];
        if (p->command == NULL || p->pid != pid)
            continue;
        p->pid = 0;
        if (p->refs == 0) { /* retired: it read its EOF */
            free(p->command);
            p->command = NULL;
            return true;
        }
        pfd_log(PFD_LOG_ERR, "piped log program \"%s\" (pid %d) %s %d: restarting it", p->command,
                (int)pid, WIFSIGNALED(status) ? "exited on signal" : "exited with status",
                WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
        if (log_now_ms() - p->started_ms >= 1000)
            log_pipe_spawn(p);
        return true;
    }
    return false;
}

void pfd_log_pipes_maintain(void)
{
    for (size_t i = 0; i < LOG_PIPES_MAX; i++) {
        struct log_pipe *p = &log_pipes[i];
        if (p->command == NULL || p->refs == 0)
            continue;
        if (p->pid > 0 && p->spawner != getpid()) {
            /* Started before -D forked us away from it: it is not our child, so its death
             * could not be seen. Replace it with one we can watch. */
            kill(p->pid, SIGTERM);
            p->pid = 0;
        }
        if (p->pid == 0 && log_now_ms() - p->started_ms >= 1000 && log_pipe_spawn(p) != 0)
            pfd_log(PFD_LOG_ERR, "fork() for the piped log \"%s\" failed: %s", p->command,
                    strerror(errno));
    }
}

static bool log_is_pipe(const char *path)
{
    return path != NULL && path[0] == '|';
}

static int log_open_file(const char *path)
{
    if (log_is_pipe(path))
        return log_pipe_open(path);
    return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
}

/* Closes a log's descriptor, and lets go of its pipe when it has one. */
static void log_close_file(int fd, const char *path)
{
    close(fd);
    if (log_is_pipe(path))
        log_pipe_release(path);
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
    if (error_log.path == NULL || log_is_pipe(error_log.path))
        return 0;
    int fd = log_open_file(error_log.path);
    if (fd < 0)
        return -1;
    /* dup2 keeps the descriptor number, so nothing holding it needs to know. */
    dup2(fd, error_log.fd);
    close(fd);
    return 0;
}

void pfd_log_close(void)
{
    if (error_log.path != NULL) {
        log_close_file(error_log.fd, error_log.path);
        free(error_log.path);
    }
    error_log.fd = STDERR_FILENO;
    error_log.path = NULL;
}

void pfd_log_route_to(int fd)
{
    error_log.route_fd = fd;
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
    ssize_t w = write(error_log.route_fd >= 0 ? error_log.route_fd : error_log.fd, msg, len);
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

/* Seconds between two error-log lines about the same failing access log. */
#define PFD_LOG_COMPLAIN_INTERVAL 60

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
    ACCESS_SERVER_NAME,  /* %v */
    ACCESS_REQUEST_HOST, /* %V: the Host the client sent, as Apache with UseCanonicalName Off */
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
        {'H', ACCESS_PROTOCOL},     {'v', ACCESS_SERVER_NAME}, {'V', ACCESS_REQUEST_HOST},
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
    if (log->path == NULL || log_is_pipe(log->path))
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
        log_close_file(log->fd, log->path);
    free(log->path);
    pfd_access_format_free(log->format);
    log->fd = -1;
    log->path = NULL;
    log->format = NULL;
}

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
    case ACCESS_REQUEST_HOST: /* without its port; no Host: the server's name */
        access_append_escaped(b, pfd_request_host(r));
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

void pfd_access_log_write(const struct pfd_access_log *log, const struct pfd_request *r)
{
    if (log->fd < 0)
        return;
    struct pfd_buf *line = &r->conn->log_line;
    line->len = 0;
    for (size_t i = 0; i < log->format->nitems; i++)
        access_append_item(line, &log->format->items[i], r);
    pfd_buf_append(line, "\n", 1);
    if (write(log->fd, line->data, line->len) == (ssize_t)line->len)
        return;
    /* A full disk fails every line: say so, but once a minute per worker, not once a request. */
    static time_t last_complaint;
    time_t now = time(NULL);
    if (now - last_complaint >= PFD_LOG_COMPLAIN_INTERVAL) {
        last_complaint = now;
        pfd_log(PFD_LOG_ERR,
                "write() to access log \"%s\" failed: %s (lines are lost until it "
                "can be written again)",
                log->path != NULL ? log->path : "-", strerror(errno));
    }
}

/* ---- the vhosts' logs ------------------------------------------------------------------- */

/* A vhost's error log: a descriptor of its own, "-" sharing stderr. -1 with errno. */
static int vhost_error_log_open(const char *path)
{
    return strcmp(path, "-") == 0 ? fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 0) : log_open_file(path);
}

static int vhost_logs_open_one(struct pfd_vhost *vh, const struct pfd_config *conf)
{
    if (vh->own_access_log) {
        const char *path = vh->access_log != NULL ? vh->access_log : conf->access_log;
        const char *format =
            vh->access_log_format != NULL ? vh->access_log_format : conf->access_log_format;
        if (pfd_access_log_open(&vh->access_log_file, path, format) != 0)
            return -1; /* logged */
    }
    if (vh->error_log != NULL && (vh->error_log_fd = vhost_error_log_open(vh->error_log)) < 0) {
        pfd_log(PFD_LOG_ERR, "open() \"%s\" failed: %s", vh->error_log, strerror(errno));
        return -1;
    }
    return 0;
}

int pfd_vhost_logs_open(struct pfd_config *conf)
{
    int rc = 0;
    for (size_t v = 0; v < conf->nvhosts; v++)
        if (vhost_logs_open_one(&conf->vhosts[v], conf) != 0)
            rc = -1;
    return rc;
}

void pfd_vhost_logs_reopen(struct pfd_config *conf)
{
    for (size_t v = 0; v < conf->nvhosts; v++) {
        struct pfd_vhost *vh = &conf->vhosts[v];
        pfd_access_log_reopen(&vh->access_log_file);
        if (vh->error_log_fd < 0 || log_is_pipe(vh->error_log) || strcmp(vh->error_log, "-") == 0)
            continue;
        int fd = log_open_file(vh->error_log);
        if (fd < 0) {
            pfd_log(PFD_LOG_ERR, "open() \"%s\" failed: %s", vh->error_log, strerror(errno));
            continue;
        }
        dup2(fd, vh->error_log_fd); /* same number: nothing holding it needs to know */
        close(fd);
    }
}

void pfd_vhost_logs_close(struct pfd_config *conf)
{
    for (size_t v = 0; v < conf->nvhosts; v++) {
        struct pfd_vhost *vh = &conf->vhosts[v];
        pfd_access_log_close(&vh->access_log_file);
        if (vh->error_log_fd >= 0)
            log_close_file(vh->error_log_fd, vh->error_log);
        vh->error_log_fd = -1;
    }
}
