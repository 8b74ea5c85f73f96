/*
 * cgi_path.h — splitting a mapped file path into the script and PATH_INFO (RFC 3875 §4.1.5):
 * /docroot/cgi-bin/script.cgi/extra/path runs script.cgi with PATH_INFO "/extra/path".
 */
#ifndef CGI_PATH_H
#define CGI_PATH_H

#include <stddef.h>
#include <sys/stat.h>

#define CGI_PATH_MAX_COMPONENTS 256 /* bounds the walk */

/*
 * Walks file_path component by component after the first root_len bytes (the document root,
 * trusted to exist) and stops at the first component that is not a directory. Returns 0 with
 * *script_len (file_path[0..*script_len) is the script; the rest, "" or "/…", is PATH_INFO) and
 * *st (its stat), or -1 with errno (ENOENT when a component is missing, ENOTDIR …). A path that
 * is a directory all the way returns 0 with the whole length and a directory *st.
 */
int cgi_path_split(const char *file_path, size_t root_len, size_t *script_len, struct stat *st);

#endif
