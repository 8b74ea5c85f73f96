/*
 * auth.c — Basic credentials and htpasswd files (see auth.h).
 */
#include "serve/auth.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "serve/auth_hash.h"
#include "serve/request.h"

static int auth_b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Standard base64 (RFC 4648 §4, padding optional) into out; its length, or -1. */
static long auth_b64_decode(const char *in, size_t len, unsigned char *out, size_t out_size)
{
    while (len > 0 && in[len - 1] == '=')
        len--;
    if (len % 4 == 1)
        return -1;
    size_t o = 0;
    unsigned acc = 0;
    int nbits = 0;
    for (size_t i = 0; i < len; i++) {
        int v = auth_b64_value((unsigned char)in[i]);
        if (v < 0)
            return -1;
        acc = (acc << 6) | (unsigned)v;
        nbits += 6;
        if (nbits >= 8) {
            nbits -= 8;
            if (o >= out_size)
                return -1;
            out[o++] = (unsigned char)(acc >> nbits);
            acc &= (1u << nbits) - 1;
        }
    }
    return (long)o;
}

int pfd_auth_basic_decode(const char *header, char user[PFD_AUTH_MAX_USER + 1],
                          char password[PFD_AUTH_MAX_PASSWORD + 1])
{
    if (header == NULL || strncasecmp(header, "Basic", 5) != 0 ||
        (header[5] != ' ' && header[5] != '\t'))
        return -1;
    const char *b64 = header + 5 + strspn(header + 5, " \t");
    size_t len = strcspn(b64, " \t");
    if (b64[len + strspn(b64 + len, " \t")] != '\0')
        return -1;
    unsigned char plain[PFD_AUTH_MAX_USER + PFD_AUTH_MAX_PASSWORD + 2];
    long n = auth_b64_decode(b64, len, plain, sizeof(plain));
    if (n < 0)
        return -1;
    const unsigned char *colon = memchr(plain, ':', (size_t)n);
    if (colon == NULL)
        return -1;
    size_t ulen = (size_t)(colon - plain), plen = (size_t)n - ulen - 1;
    if (ulen == 0 || ulen > PFD_AUTH_MAX_USER || plen > PFD_AUTH_MAX_PASSWORD)
        return -1;
    for (long i = 0; i < n; i++)
        if (plain[i] < 0x20 || plain[i] == 0x7f)
            return -1;
    memcpy(user, plain, ulen);
    user[ulen] = '\0';
    memcpy(password, colon + 1, plen);
    password[plen] = '\0';
    return 0;
}

/*
 * What an unknown user's password is checked against, when the file has no supported hash to
 * stand in (see pfd_auth_htpasswd_check()): bcrypt at htpasswd -B's default cost, made once.
 * No password is known to match it, and the answer is "no" whatever it says.
 */
#define AUTH_STAND_IN_HASH "$2y$05$preforkdstandinhashsae//9Y0T/KAtCQBrpFP2wV6lddCZgqyla"

/* One htpasswd line split in place: its user and hash (NUL-terminated), or -1 for a comment, a
 * blank line or a line without ':'. */
static int auth_line_split(char *line, char **user, char **hash)
{
    line[strcspn(line, "\r\n")] = '\0';
    char *colon = strchr(line, ':');
    if (colon == NULL || line[0] == '#')
        return -1;
    *colon = '\0';
    *user = line;
    *hash = colon + 1;
    char *end = strchr(*hash, ':'); /* htdigest-like trailing fields are ignored */
    if (end != NULL)
        *end = '\0';
    return 0;
}

/* What a scan of the file found: the user's hash and line, and a supported hash of another
 * entry. */
struct auth_scan {
    bool found;
    int found_line; /* for the log, when the user's hash cannot be checked */
    char hash[PFD_AUTH_MAX_LINE + 2];
    bool have_stand_in;
    char stand_in[PFD_AUTH_MAX_LINE + 2];
};

/* Notes line number lineno's user and hash. Every line costs the same whoever is asked for:
 * names are compared in constant time, and the scan never stops early. */
static void auth_scan_line(struct auth_scan *scan, char *line, int lineno, const char *user)
{
    char *name, *hash;
    if (auth_line_split(line, &name, &hash) != 0)
        return;
    bool match = pfd_auth_equal(name, user);
    if (match && !scan->found) {
        scan->found = true;
        scan->found_line = lineno;
        snprintf(scan->hash, sizeof(scan->hash), "%s", hash);
    } else if (!scan->have_stand_in && pfd_auth_hash_supported(hash)) {
        scan->have_stand_in = true;
        snprintf(scan->stand_in, sizeof(scan->stand_in), "%s", hash);
    }
}

/* Reads every whole line of f into scan (lines too long for the buffer are skipped, and
 * counted as one line each). */
static void auth_scan_file(FILE *f, const char *user, struct auth_scan *scan)
{
    char line[PFD_AUTH_MAX_LINE + 2];
    bool skipping = false; /* the rest of a line too long for the buffer */
    int lineno = 1;
    for (int n = 0; n < PFD_AUTH_MAX_FILE && fgets(line, sizeof(line), f) != NULL; n++) {
        bool whole = strchr(line, '\n') != NULL || feof(f);
        bool was_skipping = skipping;
        skipping = !whole;
        if (!was_skipping && whole)
            auth_scan_line(scan, line, lineno, user);
        if (whole)
            lineno++;
    }
    explicit_bzero(line, sizeof(line));
}

/*
 * An unknown user (or one whose hash this server cannot check) costs a hash verification too,
 * against another entry's hash (same algorithm and cost as the file's own) or AUTH_STAND_IN_HASH:
 * otherwise the answer's speed tells which user names exist. A user whose line is refused is
 * logged at info with the reason (never the hash or the password), so that an operator
 * migrating a file sees which lines to remake.
 */
static int auth_scan_verdict(const struct auth_scan *scan, const char *file, const char *user,
                             const char *password)
{
    const char *refusal = scan->found ? pfd_auth_hash_refusal(scan->hash) : NULL;
    if (scan->found && refusal == NULL)
        return pfd_auth_hash_verify(scan->hash, password) ? 1 : 0;
    if (refusal != NULL)
        pfd_log(PFD_LOG_INFO, "\"%s\" line %d: user \"%s\" refused: %s", file, scan->found_line,
                user, refusal);
    (void)pfd_auth_hash_verify(scan->have_stand_in ? scan->stand_in : AUTH_STAND_IN_HASH, password);
    return 0;
}

int pfd_auth_htpasswd_check(const char *file, const char *user, const char *password)
{
    int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    struct stat st;
    if (fd == -1)
        return -1;
    if (fstat(fd, &st) == -1) {
        int err = errno;
        close(fd);
        errno = err;
        return -1;
    }
    if (!S_ISREG(st.st_mode) || st.st_size > PFD_AUTH_MAX_FILE) {
        close(fd);
        errno = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
        return -1;
    }
    FILE *f = fdopen(fd, "r");
    if (f == NULL) {
        close(fd);
        return -1;
    }
    struct auth_scan *scan = calloc(1, sizeof(*scan)); /* ~2 KiB of hashes: not on the stack */
    if (scan == NULL) {
        fclose(f);
        errno = ENOMEM;
        return -1;
    }
    auth_scan_file(f, user, scan);
    fclose(f);
    int result = auth_scan_verdict(scan, file, user, password);
    explicit_bzero(scan, sizeof(*scan));
    free(scan);
    return result;
}

int pfd_auth_request(struct pfd_request *r, const char *file, const char *user,
                     const char *password)
{
    if (r->auth_proved_by != NULL && strcmp(r->auth_proved_by, file) == 0 &&
        strcmp(r->remote_user, user) == 0)
        return 1;
    int ok = pfd_auth_htpasswd_check(file, user, password);
    if (ok == 1) {
        r->remote_user = pfd_request_strdup(r, user);
        r->auth_proved_by = pfd_request_strdup(r, file);
    }
    return ok;
}
