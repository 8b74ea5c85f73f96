/*
 * testsupport_tls.c — a test CA and certificates made with the openssl command line (see
 * testsupport_tls.h). RSA 2048 keys: quick to make, and every client accepts them.
 */
#include "testsupport_tls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TS_TLS_OPENSSL_TIMEOUT_S 30.0

/* Runs openssl with args; 0 when it exited 0, else -1 after printing what it said. */
static int tls_openssl(const char *const *args)
{
    const char *argv[24] = {"/usr/bin/openssl"};
    size_t n = 1;
    while (args[n - 1] != NULL && n < sizeof(argv) / sizeof(argv[0]) - 1) {
        argv[n] = args[n - 1];
        n++;
    }
    argv[n] = NULL;
    char *out = NULL;
    int rc = ts_run(argv, TS_TLS_OPENSSL_TIMEOUT_S, &out);
    if (rc != 0)
        fprintf(stderr, "openssl %s failed (%d): %s\n", args[0], rc, out != NULL ? out : "");
    free(out);
    return rc == 0 ? 0 : -1;
}

bool ts_tls_available(void)
{
    return access("/usr/bin/openssl", X_OK) == 0;
}

/* <s->dir>/tls/<name><suffix> into out. */
static void tls_path(const struct ts_server *s, const char *name, const char *suffix, char *out)
{
    int n = snprintf(out, TS_PATH_MAX, "%s/tls/%s%s", s->dir, name, suffix);
    if (n < 0 || n >= TS_PATH_MAX)
        out[0] = '\0'; /* a dir that long fails the openssl call that names it */
}

const char *ts_tls_ca_file(const struct ts_server *s)
{
    static char path[TS_PATH_MAX];
    tls_path(s, "ca", ".pem", path);
    return path;
}

int ts_tls_ca(const struct ts_server *s)
{
    char dir[TS_PATH_MAX], key[TS_PATH_MAX], cert[TS_PATH_MAX];
    int n = snprintf(dir, sizeof(dir), "%s/tls", s->dir);
    if (n < 0 || n >= (int)sizeof(dir) || mkdir(dir, 0755) != 0)
        return -1;
    tls_path(s, "ca", ".key", key);
    tls_path(s, "ca", ".pem", cert);
    const char *args[] = {"req",
                          "-x509",
                          "-newkey",
                          "rsa:2048",
                          "-nodes",
                          "-keyout",
                          key,
                          "-out",
                          cert,
                          "-days",
                          "30",
                          "-subj",
                          "/CN=preforkd test CA",
                          NULL};
    return tls_openssl(args);
}

int ts_tls_cert(const struct ts_server *s, const char *name, const char *host, int days,
                struct ts_tls_cert *out)
{
    char csr[TS_PATH_MAX], ext[TS_PATH_MAX], leaf[TS_PATH_MAX], ca_key[TS_PATH_MAX];
    char subject[256], san[512], days_text[16];
    tls_path(s, name, ".key", out->key);
    tls_path(s, name, ".pem", out->cert);
    tls_path(s, name, ".csr", csr);
    tls_path(s, name, ".ext", ext);
    tls_path(s, name, ".leaf", leaf);
    tls_path(s, "ca", ".key", ca_key);
    snprintf(subject, sizeof(subject), "/CN=%s", host);
    snprintf(san, sizeof(san), "subjectAltName=DNS:%s,IP:127.0.0.1\n", host);
    snprintf(days_text, sizeof(days_text), "%d", days);
    if (ts_file_write(ext, san, strlen(san)) != 0)
        return -1;
    const char *req[] = {"req",  "-newkey", "rsa:2048", "-nodes", "-keyout", out->key,
                         "-out", csr,       "-subj",    subject,  NULL};
    const char *sign[] = {"x509",    "-req",     "-in",
                          csr,       "-CA",      ts_tls_ca_file(s),
                          "-CAkey",  ca_key,     "-CAcreateserial",
                          "-out",    leaf,       "-days",
                          days_text, "-extfile", ext,
                          NULL};
    if (tls_openssl(req) != 0 || tls_openssl(sign) != 0)
        return -1;
    /* The full chain PEM a server is given: the leaf, then its issuer. */
    size_t nleaf = 0, nca = 0;
    char *leaf_pem = ts_file_read(leaf, &nleaf), *ca_pem = ts_file_read(ts_tls_ca_file(s), &nca);
    int rc = -1;
    FILE *f = leaf_pem != NULL && ca_pem != NULL ? fopen(out->cert, "w") : NULL;
    if (f != NULL) {
        rc = fwrite(leaf_pem, 1, nleaf, f) == nleaf && fwrite(ca_pem, 1, nca, f) == nca ? 0 : -1;
        rc = fclose(f) == 0 ? rc : -1;
    }
    free(leaf_pem);
    free(ca_pem);
    return rc;
}

void ts_tls_section(const struct ts_tls_cert *cert, char *out, size_t size)
{
    snprintf(out, size, "tls {\n  certificate = \"%s\"\n  certificate_key = \"%s\"\n}\n",
             cert->cert, cert->key);
}
