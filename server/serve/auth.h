/*
 * auth.h — HTTP Basic authentication (RFC 7617) against an Apache htpasswd file.
 *
 * Every hash format Apache's htpasswd writes on Unix is checked (serve/auth_hash.h lists them);
 * plain text is refused.
 */
#ifndef PFD_AUTH_H
#define PFD_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#define PFD_AUTH_MAX_USER 256       /* longest user name */
#define PFD_AUTH_MAX_PASSWORD 256   /* longest password */
#define PFD_AUTH_MAX_FILE (1 << 20) /* a larger htpasswd file is refused */
#define PFD_AUTH_MAX_LINE 1024      /* a longer line is skipped */

/*
 * An Authorization header value "Basic <base64 of user:password>" (scheme case-insensitive) into
 * user and password (NUL-terminated, each of PFD_AUTH_MAX_* + 1 bytes). 0, or -1 when it is not
 * Basic, not valid base64, has no ':', holds a NUL or control byte, or is too long.
 */
int pfd_auth_basic_decode(const char *header, char user[PFD_AUTH_MAX_USER + 1],
                          char password[PFD_AUTH_MAX_PASSWORD + 1]);

/*
 * Looks user up in the htpasswd file ("user:hash" lines) and checks password: 1 when it
 * matches, 0 when it does not (unknown user, wrong password, unsupported hash: logged at info
 * with the file's name and line), -1 when the file cannot be read (errno set). The file is read at
 * each call, so edits apply at once. An unknown user costs as much as a known one (the whole file
 * is read, names are compared in constant time, and a hash of the file's, or a stand-in bcrypt
 * hash, is verified), so that the time of an answer does not tell which user names exist.
 */
int pfd_auth_htpasswd_check(const char *file, const char *user, const char *password);

struct pfd_request;

/*
 * pfd_auth_htpasswd_check() for r's credentials, once per request and file: a request routed
 * twice (an index file, path info, a rewrite routes again through the same folders) does not
 * verify the same password twice (a bcrypt hash costs tens of milliseconds), as Apache skips
 * authentication in a subrequest whose configuration did not change. 1 also sets
 * r->remote_user; 0 and -1 as pfd_auth_htpasswd_check().
 */
int pfd_auth_request(struct pfd_request *r, const char *file, const char *user,
                     const char *password);

#endif
