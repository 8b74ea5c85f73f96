/*
 * cgi_interp.c — parsing and matching interpreter mappings. See cgi_interp.h.
 */
#include "cgi_interp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static bool cgi_interp_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Splits in->words in place into ext (when with_ext) and argv. NULL, or why not. */
static const char *cgi_interp_split(struct cgi_interp *in, bool with_ext)
{
    char *p = in->words;
    size_t n = 0;
    size_t first = with_ext ? 1 : 0;
    char *word[CGI_INTERP_ARGS_MAX + 2];
    while (*p != '\0') {
        while (cgi_interp_blank(*p))
            *p++ = '\0';
        if (*p == '\0')
            break;
        if (n == first + 1 + CGI_INTERP_ARGS_MAX)
            return "too many arguments (at most 16)";
        word[n++] = p;
        while (*p != '\0' && !cgi_interp_blank(*p))
            p++;
    }
    if (with_ext && n > 0 &&
        (word[0][0] != '.' || word[0][1] == '\0' || strchr(word[0], '/') != NULL))
        return "the extension must start with '.' (\".php\")";
    if (n <= first)
        return with_ext ? "must read \".ext /path/to/program [argument…]\""
                        : "must read \"/path/to/program [argument…]\"";
    if (word[first][0] != '/')
        return "the program must be an absolute path";
    in->ext = with_ext ? word[0] : NULL;
    for (size_t i = first; i < n; i++)
        in->argv[in->argc++] = word[i];
    in->argv[in->argc] = NULL;
    return NULL;
}

const char *cgi_interp_parse(const char *text, bool with_ext, struct cgi_interp *out)
{
    memset(out, 0, sizeof(*out));
    if (strlen(text) > CGI_INTERP_TEXT_MAX)
        return "longer than 1024 bytes";
    out->words = strdup(text);
    if (out->words == NULL)
        return "out of memory";
    const char *why = cgi_interp_split(out, with_ext);
    if (why != NULL)
        cgi_interp_free(out);
    return why;
}

void cgi_interp_free(struct cgi_interp *in)
{
    free(in->words);
    memset(in, 0, sizeof(*in));
}

const char *cgi_interp_check_program(const char *program)
{
    struct stat st;
    if (stat(program, &st) != 0)
        return errno == ENOENT ? "the program does not exist" : "the program cannot be examined";
    if (!S_ISREG(st.st_mode))
        return "the program is not a regular file";
    if (access(program, X_OK) != 0)
        return "the program is not executable";
    return NULL;
}

const struct cgi_interp *cgi_interp_find(const struct cgi_interp *list, size_t n, const char *name,
                                         size_t len)
{
    const struct cgi_interp *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < n; i++) {
        size_t el = list[i].ext != NULL ? strlen(list[i].ext) : 0;
        if (el > best_len && el <= len && strncasecmp(name + len - el, list[i].ext, el) == 0) {
            best = &list[i];
            best_len = el;
        }
    }
    return best;
}

/* The handler names Apache sites give PHP (mod_php's, distributions' php-cgi Actions). */
static bool cgi_interp_php_handler(const char *handler)
{
    static const char *const names[] = {"php-script",
                                        "application/x-httpd-php",
                                        "x-httpd-php",
                                        "php5-script",
                                        "php7-script",
                                        "application/x-httpd-php5",
                                        "application/x-httpd-php7",
                                        "php-cgi"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcasecmp(handler, names[i]) == 0)
            return true;
    return false;
}

const struct cgi_interp *cgi_interp_for_handler(const struct cgi_interp *list, size_t n,
                                                const char *handler)
{
    static const char prefix[] = "interpreter:";
    const char *ext = NULL;
    if (strncasecmp(handler, prefix, sizeof(prefix) - 1) == 0)
        ext = handler + sizeof(prefix) - 1;
    else if (cgi_interp_php_handler(handler))
        ext = ".php";
    for (size_t i = 0; ext != NULL && ext[0] == '.' && i < n; i++)
        if (list[i].ext != NULL && strcasecmp(list[i].ext, ext) == 0)
            return &list[i];
    return NULL;
}

const struct cgi_interp *cgi_interp_for_dir_handler(const struct cgi_interp *list, size_t n,
                                                    const char *handler, const char *name,
                                                    size_t len)
{
    const struct cgi_interp *in = cgi_interp_for_handler(list, n, handler);
    return in != NULL ? in : cgi_interp_find(list, n, name, len);
}
