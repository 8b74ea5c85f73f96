/*
 * cgi_interp.h — interpreter mappings: a file extension (or a whole location) mapped to a
 * program that runs the file, as Apache's AddHandler + Action and lighttpd's cgi.assign do, so
 * that index.php runs through php-cgi without a #! line or the exec bit.
 *
 * Pure: parsing the configured text and matching a file name. mod_cgi does the rest;
 * check_cgi_interp.c tests these alone.
 */
#ifndef PFD_CGI_INTERP_H
#define PFD_CGI_INTERP_H

#include <stdbool.h>
#include <stddef.h>

#define CGI_INTERP_ARGS_MAX 16   /* words after the program ("-d", "upload_max_filesize=16M"…) */
#define CGI_INTERP_TEXT_MAX 1024 /* one configured entry */

/* One mapping. words owns the text; ext and argv point into it. */
struct cgi_interp {
    char *words;
    const char *ext;                     /* ".php", or NULL for a location's cgi_interpreter */
    char *argv[CGI_INTERP_ARGS_MAX + 2]; /* program, its arguments, NULL */
    size_t argc;
};

/*
 * Parses text: with_ext, ".ext /abs/program [arg…]" (an `interpreters` entry); without,
 * "/abs/program [arg…]" (cgi_interpreter). Words are separated by blanks; there is no quoting.
 * Fills *out (free it with cgi_interp_free()) and returns NULL, or returns why the text is not
 * that (out is then empty). Whether the program exists is cgi_interp_check_program()'s job.
 */
const char *cgi_interp_parse(const char *text, bool with_ext, struct cgi_interp *out);
void cgi_interp_free(struct cgi_interp *in);
/* NULL when the program (absolute) is a regular file the server may execute, else why not. */
const char *cgi_interp_check_program(const char *program);
/* The mapping among list[0..n) whose extension ends name[0..len), case-insensitively (the
 * longest wins: ".tar.php" before ".php"), or NULL. */
const struct cgi_interp *cgi_interp_find(const struct cgi_interp *list, size_t n, const char *name,
                                         size_t len);

/*
 * The mapping a handler name chooses (an .htaccess `AddHandler NAME .ext` or `SetHandler NAME`),
 * or NULL: "interpreter:.ext" names the mapping of .ext; the names Apache sites use for PHP
 * ("php-script", "application/x-httpd-php", "x-httpd-php", "php5-script", "php7-script",
 * "application/x-httpd-php5", "application/x-httpd-php7", "php-cgi") name the ".php" mapping.
 * Case-insensitive. ("cgi-script" is not an interpreter: the file runs itself.)
 */
const struct cgi_interp *cgi_interp_for_handler(const struct cgi_interp *list, size_t n,
                                                const char *handler);
/*
 * The mapping that runs name[0..len) when a .htaccess file gave it the handler `handler` (not
 * "cgi-script"): the one the name chooses (cgi_interp_for_handler()), else the one of the file's
 * own extension (a host's own name, `AddHandler php82-script .php`: the mapping decides, as
 * Apache's Action for that name would run php-cgi), else NULL: nothing runs it.
 */
const struct cgi_interp *cgi_interp_for_dir_handler(const struct cgi_interp *list, size_t n,
                                                    const char *handler, const char *name,
                                                    size_t len);

#endif
