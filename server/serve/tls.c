/*
 * tls.c — HTTPS with OpenSSL 3. The master makes one SSL_CTX per certificate (the top level's
 * and each vhost's own) before it forks; the worker's connections start on the top level's and
 * switch to a vhost's when the client's SNI names it (RFC 6066 §3). ALPN answers "http/1.1"
 * (RFC 7301). Every call here is non-blocking and says what it waits for; the waits, with their
 * deadlines, are serve/conn_io.c's.
 */
#include "serve/tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/tls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/tls_tickets.h"
#include "config/config_value.h"
#include "serve/tls_warm.h"

/* A certificate that expires in fewer days than this is warned about at start and by -t. */
#define PFD_TLS_EXPIRY_WARN_DAYS 14

struct pfd_tls {
    const struct pfd_config *conf;
    SSL_CTX *top;     /* the top level's tls { }: every connection starts on it */
    SSL_CTX **vhosts; /* conf->nvhosts of them; NULL where a vhost has no certificate */
};

/* A growing report: lines appended to a caller's buffer, truncated when full. */
struct tls_report {
    char *text;
    size_t size, len;
};

static void tls_report_add(struct tls_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void tls_report_add(struct tls_report *r, const char *fmt, ...)
{
    if (r->text == NULL || r->len + 1 >= r->size)
        return;
    if (r->len > 0)
        r->text[r->len++] = '\n';
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(r->text + r->len, r->size - r->len, fmt, ap);
    va_end(ap);
    r->len = n < 0 ? r->len : r->len + (size_t)n < r->size ? r->len + (size_t)n : r->size - 1;
}

/* OpenSSL's reason for the last failure (its error queue emptied), or fallback. */
static const char *tls_reason(const char *fallback)
{
    static char text[256];
    unsigned long e = ERR_peek_last_error();
    const char *reason = e != 0 ? ERR_reason_error_string(e) : NULL;
    snprintf(text, sizeof(text), "%s", reason != NULL ? reason : fallback);
    ERR_clear_error();
    return text;
}

/* ---- the contexts (master) ----------------------------------------------------------------- */

/* ALPN: this server speaks HTTP/1.1 only. A client that offers no "http/1.1" gets no ALPN
 * answer and may go on (as nginx does) rather than a fatal alert. */
static int tls_alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                           const unsigned char *in, unsigned int inlen, void *arg)
{
    static const unsigned char ours[] = "\x08http/1.1";
    (void)ssl;
    (void)arg;
    unsigned char *chosen = NULL;
    if (SSL_select_next_proto(&chosen, outlen, ours, sizeof(ours) - 1, in, inlen) !=
        OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK;
    *out = chosen;
    return SSL_TLSEXT_ERR_OK;
}

/* The session id context of the context made from t (index 0: the top level's, v + 1: vhost v's)
 * into out (SSL_MAX_SID_CTX_LENGTH bytes); its length. A session made where no client
 * certificate was asked for must not resume where one is (it would skip the check), nor one
 * from another vhost's check. */
static size_t tls_session_context_id(const struct pfd_tls_settings *t, size_t index, char *out)
{
    int n = t->verify_client == PFD_TLS_VERIFY_OFF
                ? snprintf(out, SSL_MAX_SID_CTX_LENGTH, "preforkd")
                : snprintf(out, SSL_MAX_SID_CTX_LENGTH, "preforkd/%d/%zu", t->verify_client, index);
    return n > 0 && n < SSL_MAX_SID_CTX_LENGTH ? (size_t)n : SSL_MAX_SID_CTX_LENGTH - 1;
}

/* Whether the session ssl resumed was made under the context of t: OpenSSL resumes before the
 * SNI callback switches contexts, so a ticket of the top level's would otherwise skip a vhost's
 * client certificate check (as nginx's CVE-2025-23419). */
static bool tls_resumed_here(SSL *ssl, const struct pfd_tls_settings *t, size_t index)
{
    char want[SSL_MAX_SID_CTX_LENGTH];
    size_t want_len = tls_session_context_id(t, index, want);
    unsigned int have_len = 0;
    const unsigned char *have = SSL_SESSION_get0_id_context(SSL_get_session(ssl), &have_len);
    return have != NULL && have_len == want_len && memcmp(have, want, want_len) == 0;
}

/* SNI: the vhost whose name or alias the client asked for serves its own certificate; any other
 * name (or none) keeps the top level's. Host names are compared in lower case (RFC 6066 §3). */
static int tls_servername(SSL *ssl, int *alert, void *arg)
{
    const struct pfd_tls *tls = arg;
    const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    char lower[256];
    size_t n = name != NULL ? strlen(name) : 0;
    if (n == 0 || n >= sizeof(lower))
        return SSL_TLSEXT_ERR_OK;
    for (size_t i = 0; i <= n; i++)
        lower[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] - 'A' + 'a' : name[i]);
    if (n > 1 && lower[n - 1] == '.')
        lower[n - 1] = '\0';
    const struct pfd_vhost *vh = pfd_config_vhost_named(tls->conf, lower);
    SSL_CTX *ctx = vh != NULL ? tls->vhosts[vh - tls->conf->vhosts] : NULL;
    if (ctx == NULL)
        return SSL_TLSEXT_ERR_OK;
    size_t v = (size_t)(vh - tls->conf->vhosts);
    if (SSL_session_reused(ssl) && !tls_resumed_here(ssl, &vh->tls, v + 1)) {
        *alert = SSL_AD_ACCESS_DENIED;
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    if (SSL_set_SSL_CTX(ssl, ctx) == NULL)
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    /* SSL_set_SSL_CTX() takes the certificate but not whether (and from which CAs) a client
     * certificate is asked for: those came from the top level's context at SSL_new(). */
    SSL_set_verify(ssl, SSL_CTX_get_verify_mode(ctx), NULL);
    SSL_set_verify_depth(ssl, SSL_CTX_get_verify_depth(ctx));
    STACK_OF(X509_NAME) *names = SSL_CTX_get_client_CA_list(ctx);
    SSL_set_client_CA_list(ssl, names != NULL ? SSL_dup_CA_list(names) : NULL);
    return SSL_TLSEXT_ERR_OK;
}

/* protocols → the lowest and highest version; the value was checked while parsed. */
static void tls_set_protocols(SSL_CTX *ctx, const char *protocols)
{
    unsigned bits = config_tls_protocol_bits(protocols);
    int min = bits & (1u << 2) ? TLS1_2_VERSION : TLS1_3_VERSION;
    int max = bits & (1u << 3) ? TLS1_3_VERSION : TLS1_2_VERSION;
    SSL_CTX_set_min_proto_version(ctx, min);
    SSL_CTX_set_max_proto_version(ctx, max);
}

/* The certificate's expiry, and whether its chain is in the file, as notes. */
static void tls_note_certificate(SSL_CTX *ctx, const struct pfd_config *conf,
                                 const struct pfd_tls_settings *t, struct tls_report *notes)
{
    X509 *leaf = SSL_CTX_get0_certificate(ctx);
    if (leaf == NULL)
        return;
    int days = 0, secs = 0;
    ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notAfter(leaf));
    char subject[256] = "";
    X509_NAME_oneline(X509_get_subject_name(leaf), subject, sizeof(subject));
    if (days < 0 || (days == 0 && secs < 0))
        tls_report_add(notes, "%s:%d: warning: certificate \"%s\" (%s) expired %d days ago",
                       conf->file, t->line, t->certificate, subject, -days);
    else if (days < PFD_TLS_EXPIRY_WARN_DAYS)
        tls_report_add(notes,
                       "%s:%d: warning: certificate \"%s\" (%s) expires in %d days: renew it",
                       conf->file, t->line, t->certificate, subject, days);
    else
        tls_report_add(notes, "%s:%d: certificate \"%s\" (%s) expires in %d days", conf->file,
                       t->line, t->certificate, subject, days);
    STACK_OF(X509) *chain = NULL;
    SSL_CTX_get0_chain_certs(ctx, &chain);
    bool self_signed = X509_check_issued(leaf, leaf) == X509_V_OK;
    if (!self_signed && (chain == NULL || sk_X509_num(chain) == 0))
        tls_report_add(notes,
                       "%s:%d: warning: certificate \"%s\" has no issuer's certificate after it: "
                       "unless its issuer is a root every client trusts, give the full chain "
                       "(the certificate, then the intermediates) in one PEM file",
                       conf->file, t->line, t->certificate);
}

/* The certificate chain and key of t into ctx, checked against each other. 0 or -1 (said). */
static int tls_load_keys(SSL_CTX *ctx, const struct pfd_config *conf,
                         const struct pfd_tls_settings *t, struct tls_report *err)
{
    if (access(t->certificate, R_OK) != 0) {
        tls_report_add(err, "%s:%d: certificate \"%s\": %s", conf->file, t->line, t->certificate,
                       strerror(errno));
        return -1;
    }
    if (access(t->certificate_key, R_OK) != 0) {
        tls_report_add(err, "%s:%d: certificate_key \"%s\": %s", conf->file, t->key_line,
                       t->certificate_key, strerror(errno));
        return -1;
    }
    if (SSL_CTX_use_certificate_chain_file(ctx, t->certificate) != 1) {
        tls_report_add(err, "%s:%d: certificate \"%s\": not a PEM certificate chain (%s)",
                       conf->file, t->line, t->certificate, tls_reason("unreadable"));
        return -1;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, t->certificate_key, SSL_FILETYPE_PEM) != 1) {
        const char *why = tls_reason("unreadable");
        bool mismatch = strstr(why, "mismatch") != NULL;
        tls_report_add(err, "%s:%d: certificate_key \"%s\": %s (%s)", conf->file, t->key_line,
                       t->certificate_key,
                       mismatch ? "does not match the certificate" : "not a PEM private key", why);
        return -1;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        tls_report_add(err, "%s:%d: certificate_key \"%s\": does not match the certificate \"%s\"",
                       conf->file, t->key_line, t->certificate_key, t->certificate);
        ERR_clear_error();
        return -1;
    }
    return 0;
}

/* tls { verify_client, client_ca, verify_depth } into ctx: the CAs a client certificate must
 * chain to, also named to the client in the CertificateRequest. 0 or -1 (said). */
static int tls_load_client_ca(SSL_CTX *ctx, const struct pfd_config *conf,
                              const struct pfd_tls_settings *t, struct tls_report *err,
                              struct tls_report *notes)
{
    if (t->verify_client == PFD_TLS_VERIFY_OFF)
        return 0;
    if (access(t->client_ca, R_OK) != 0) {
        tls_report_add(err, "%s:%d: client_ca \"%s\": %s", conf->file, t->client_ca_line,
                       t->client_ca, strerror(errno));
        return -1;
    }
    STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(t->client_ca);
    if (names == NULL || SSL_CTX_load_verify_locations(ctx, t->client_ca, NULL) != 1) {
        tls_report_add(err, "%s:%d: client_ca \"%s\": no PEM certificate in it (%s)", conf->file,
                       t->client_ca_line, t->client_ca, tls_reason("unreadable"));
        sk_X509_NAME_pop_free(names, X509_NAME_free);
        return -1;
    }
    int count = sk_X509_NAME_num(names);
    SSL_CTX_set_client_CA_list(ctx, names);
    /* require: no certificate, no handshake (Apache's SSLVerifyClient require); optional: a
     * client without one is served, and CGI sees SSL_CLIENT_VERIFY=NONE. A certificate that
     * does not chain to client_ca fails the handshake either way. */
    int mode = SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE;
    if (t->verify_client == PFD_TLS_VERIFY_REQUIRE)
        mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    SSL_CTX_set_verify(ctx, mode, NULL);
    SSL_CTX_set_verify_depth(ctx, t->verify_depth);
    tls_report_add(notes, "%s:%d: client certificates %s, from %d CA%s in \"%s\"", conf->file,
                   t->client_ca_line,
                   t->verify_client == PFD_TLS_VERIFY_REQUIRE ? "required" : "asked for", count,
                   count == 1 ? "" : "s", t->client_ca);
    return 0;
}

/* One context from t: protocols, ciphers, keys, ALPN and SNI. NULL after saying why. */
static SSL_CTX *tls_context(struct pfd_tls *tls, const struct pfd_tls_settings *t, size_t index,
                            struct tls_report *err, struct tls_report *notes)
{
    const struct pfd_config *conf = tls->conf;
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL) {
        tls_report_add(err, "%s:%d: SSL_CTX_new() failed: %s", conf->file, t->line,
                       tls_reason("out of memory"));
        return NULL;
    }
    tls_set_protocols(ctx, t->protocols);
    if (SSL_CTX_set_cipher_list(ctx, t->ciphers) != 1) {
        tls_report_add(err, "%s:%d: tls { ciphers \"%s\" }: no cipher OpenSSL knows (%s)",
                       conf->file, t->line, t->ciphers, tls_reason("bad list"));
        SSL_CTX_free(ctx);
        return NULL;
    }
    /* No client-initiated renegotiation (a CPU cost a client could impose at will); no
     * compression (CRIME); a close without close_notify is an EOF, as most HTTP clients close
     * (the message's length framed it). */
    uint64_t options =
        SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_IGNORE_UNEXPECTED_EOF;
    /* The server's order (an audit rates a server without one HIGH), but a client that puts
     * ChaCha20 first (a phone without AES instructions) keeps it: what Mozilla's profile wants
     * from leaving the choice to the client. */
    if (t->prefer_server_ciphers)
        options |= SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_PRIORITIZE_CHACHA;
    /* kTLS: after the handshake OpenSSL gives the record keys to the kernel where it can
     * (serve/conn_io.c then sends files with SSL_sendfile()); where it cannot, nothing changes. */
    if (t->ktls)
        options |= SSL_OP_ENABLE_KTLS;
    SSL_CTX_set_options(ctx, options);
    /* A write that returned WANT_WRITE is retried with the same bytes, maybe from a buffer that
     * has moved since; idle keep-alive connections give their buffers back. */
    SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
    /* One read() takes what the socket holds, not a record's 5-byte header and then its body:
     * a read a request saved. Records read ahead wait in OpenSSL's buffer, where polling the
     * socket would not see them: pfd_tls_pending() asks SSL_has_pending(). */
    SSL_CTX_set_read_ahead(ctx, 1);
    SSL_CTX_set_dh_auto(ctx, 1);
    /* Resumption works across workers: they share the ticket keys this context made before the
     * fork. The id context lets a session resume on the vhost context it was made on. */
    char sid_ctx[SSL_MAX_SID_CTX_LENGTH];
    size_t sid_len = tls_session_context_id(t, index, sid_ctx);
    SSL_CTX_set_session_id_context(ctx, (const unsigned char *)sid_ctx, (unsigned)sid_len);
    SSL_CTX_set_alpn_select_cb(ctx, tls_alpn_select, NULL);
    SSL_CTX_set_tlsext_servername_callback(ctx, tls_servername);
    SSL_CTX_set_tlsext_servername_arg(ctx, tls);
    /* Ticket keys of the master's, shared by every worker, kept across reloads and rotated
     * (base/tls_tickets.c): a session resumes whichever worker answers, before or after USR1. */
    if (pfd_tls_tickets_attach(ctx) != 0)
        tls_report_add(notes,
                       "%s:%d: warning: session tickets: OpenSSL's own keys (lost at each "
                       "reload)",
                       conf->file, t->line);
    if (tls_load_keys(ctx, conf, t, err) != 0 ||
        tls_load_client_ca(ctx, conf, t, err, notes) != 0) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    tls_note_certificate(ctx, conf, t, notes);
    return ctx;
}

int pfd_tls_create(const struct pfd_config *conf, struct pfd_tls **out, char *err, size_t err_size,
                   char *notes, size_t notes_size)
{
    struct tls_report errors = {err, err_size, 0}, noted = {notes, notes_size, 0};
    if (err_size > 0)
        err[0] = '\0';
    if (notes != NULL && notes_size > 0)
        notes[0] = '\0';
    *out = NULL;
    if (conf->ntls_listen == 0)
        return 0;
    struct pfd_tls *tls = calloc(1, sizeof(*tls));
    if (tls == NULL || (tls->vhosts = calloc(conf->nvhosts + 1, sizeof(SSL_CTX *))) == NULL) {
        free(tls);
        tls_report_add(&errors, "%s: out of memory", conf->file);
        return -1;
    }
    tls->conf = conf;
    int rc = 0;
    tls->top = tls_context(tls, &conf->tls, 0, &errors, &noted);
    rc |= tls->top == NULL ? -1 : 0;
    for (size_t v = 0; v < conf->nvhosts; v++) {
        const struct pfd_vhost *vh = &conf->vhosts[v];
        if (vh->tls.certificate == NULL)
            continue;
        tls->vhosts[v] = tls_context(tls, &vh->tls, v + 1, &errors, &noted);
        rc |= tls->vhosts[v] == NULL ? -1 : 0;
    }
    if (rc != 0) {
        pfd_tls_free(tls);
        return -1;
    }
    *out = tls;
    return 0;
}

/* What a handshake builds (serve/tls_warm.c) depends on the kind of key, not on the certificate:
 * one context of each kind is warmed, the top level's first. */
void pfd_tls_warm(struct pfd_tls *tls)
{
    if (tls == NULL)
        return;
    int kinds[8];
    size_t nkinds = 0;
    for (size_t v = 0; v <= tls->conf->nvhosts; v++) {
        SSL_CTX *ctx = v == 0 ? tls->top : tls->vhosts[v - 1];
        EVP_PKEY *key = ctx != NULL ? SSL_CTX_get0_privatekey(ctx) : NULL;
        if (key == NULL)
            continue;
        int kind = EVP_PKEY_get_base_id(key);
        bool warmed = false;
        for (size_t k = 0; k < nkinds; k++)
            warmed |= kinds[k] == kind;
        if (warmed || nkinds == sizeof(kinds) / sizeof(kinds[0]))
            continue;
        /* A context that asks for client certificates cannot be warmed by a client without one;
         * another of the same kind may be. */
        if (pfd_tls_warm_context(ctx))
            kinds[nkinds++] = kind;
        else
            pfd_log(PFD_LOG_DEBUG, "TLS: no handshake in memory with the context of %s",
                    v == 0 ? "the top level" : tls->conf->vhosts[v - 1].name);
    }
}

void pfd_tls_log_notes(const char *notes)
{
    while (notes != NULL && *notes != '\0') {
        size_t n = strcspn(notes, "\n");
        pfd_log(memmem(notes, n, "warning:", 8) != NULL ? PFD_LOG_WARN : PFD_LOG_INFO, "%.*s",
                (int)n, notes);
        notes += n + (notes[n] == '\n');
    }
}

void pfd_tls_free(struct pfd_tls *tls)
{
    if (tls == NULL)
        return;
    SSL_CTX_free(tls->top);
    for (size_t v = 0; v < tls->conf->nvhosts; v++)
        SSL_CTX_free(tls->vhosts[v]);
    free(tls->vhosts);
    free(tls);
}

/* ---- one connection (worker) --------------------------------------------------------------- */

struct ssl_st *pfd_tls_new(struct pfd_tls *tls, int fd)
{
    SSL *ssl = tls != NULL ? SSL_new(tls->top) : NULL;
    if (ssl == NULL || SSL_set_fd(ssl, fd) != 1) {
        pfd_log(PFD_LOG_ERR, "SSL_new() failed: %s", tls_reason("no TLS context"));
        SSL_free(ssl);
        return NULL;
    }
    SSL_set_accept_state(ssl);
    return ssl;
}

/* What an SSL_* call's result asks for: 0 with *events to wait, or -1 (errno set). */
static int tls_want(SSL *ssl, int rc, short *events)
{
    switch (SSL_get_error(ssl, rc)) {
    case SSL_ERROR_WANT_READ:
        *events = POLLIN;
        errno = EAGAIN;
        return 0;
    case SSL_ERROR_WANT_WRITE:
        *events = POLLOUT;
        errno = EAGAIN;
        return 0;
    case SSL_ERROR_SYSCALL:
        if (errno == 0)
            errno = ECONNRESET; /* EOF without close_notify */
        ERR_clear_error();
        return -1;
    default:
        ERR_clear_error();
        errno = EPROTO;
        return -1;
    }
}

int pfd_tls_handshake(struct ssl_st *ssl, short *events, char *why, size_t why_size)
{
    ERR_clear_error();
    int rc = SSL_do_handshake(ssl);
    if (rc == 1)
        return 1;
    int err = SSL_get_error(ssl, rc);
    unsigned long e = ERR_peek_last_error();
    const char *reason = e != 0 ? ERR_reason_error_string(e) : NULL;
    if (tls_want(ssl, rc, events) == 0)
        return 0;
    if (reason == NULL)
        reason = err == SSL_ERROR_SYSCALL || err == SSL_ERROR_ZERO_RETURN
                     ? "the client closed the connection"
                     : "failed";
    snprintf(why, why_size, "%s", reason);
    return -1;
}

ssize_t pfd_tls_read(struct ssl_st *ssl, void *buf, size_t len, short *events)
{
    size_t got = 0;
    ERR_clear_error();
    int rc = SSL_read_ex(ssl, buf, len, &got);
    if (rc == 1)
        return (ssize_t)got;
    int err = SSL_get_error(ssl, rc);
    if (err == SSL_ERROR_ZERO_RETURN) /* close_notify */
        return 0;
    if (tls_want(ssl, rc, events) == 0)
        return -1;
    /* A client that closes without close_notify is usual for HTTP (the length framed the
     * message, RFC 8446 §6.1 allows it): an EOF, as for plain TCP. */
    return err == SSL_ERROR_SYSCALL && errno == ECONNRESET ? 0 : -1;
}

ssize_t pfd_tls_write(struct ssl_st *ssl, const void *buf, size_t len, short *events)
{
    size_t put = 0;
    ERR_clear_error();
    if (SSL_write_ex(ssl, buf, len, &put) == 1)
        return (ssize_t)put;
    tls_want(ssl, 0, events);
    return -1;
}

bool pfd_tls_pending(const struct ssl_st *ssl)
{
    return SSL_has_pending(ssl) == 1;
}

bool pfd_tls_serves_vhost(const struct ssl_st *ssl, const struct pfd_tls *tls,
                          const struct pfd_vhost *vh)
{
    const struct pfd_config *conf = tls->conf;
    SSL_CTX *want = tls->top, *have = SSL_get_SSL_CTX(ssl);
    if (vh != NULL && vh >= conf->vhosts && vh < conf->vhosts + conf->nvhosts &&
        tls->vhosts[vh - conf->vhosts] != NULL)
        want = tls->vhosts[vh - conf->vhosts];
    if (have == want)
        return true;
    /* No SNI: the default certificate was the client's to expect, but not a way around the
     * client certificate that the Host's vhost asks for. */
    return SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name) == NULL &&
           SSL_CTX_get_verify_mode(want) == SSL_VERIFY_NONE;
}

void pfd_tls_close(struct ssl_st *ssl)
{
    if (ssl == NULL)
        return;
    /* close_notify (RFC 8446 §6.1) when the socket takes it now; the client's answer is not
     * waited for. Not after a failure: OpenSSL refuses it then anyway. */
    if (SSL_is_init_finished(ssl))
        (void)SSL_shutdown(ssl);
    ERR_clear_error();
    SSL_free(ssl);
}

/* A name as mod_ssl gives it: RFC 2253 (most specific first, "CN=alice,O=Example"), UTF-8 kept. */
static const char *tls_name_text(const X509_NAME *name, char *buf, size_t size)
{
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL)
        return NULL;
    int n = X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    n = n >= 0 ? BIO_read(bio, buf, (int)size - 1) : -1;
    BIO_free(bio);
    if (n < 0)
        return NULL;
    buf[n] = '\0';
    return buf;
}

/* The client certificate's SSL_CLIENT_* values, or NULL when there is none or name is another. */
static const char *tls_client_var(const X509 *cert, const char *name)
{
    static char text[1024];
    if (strcmp(name, "SSL_CLIENT_S_DN") == 0)
        return tls_name_text(X509_get_subject_name(cert), text, sizeof(text));
    if (strcmp(name, "SSL_CLIENT_I_DN") == 0)
        return tls_name_text(X509_get_issuer_name(cert), text, sizeof(text));
    if (strcmp(name, "SSL_CLIENT_S_DN_CN") == 0) {
        int n = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, text,
                                          (int)sizeof(text));
        return n >= 0 ? text : NULL;
    }
    if (strcmp(name, "SSL_CLIENT_M_SERIAL") == 0) {
        BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
        char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;
        bool known = hex != NULL;
        snprintf(text, sizeof(text), "%s", known ? hex : "");
        OPENSSL_free(hex);
        BN_free(bn);
        return known ? text : NULL;
    }
    bool start = strcmp(name, "SSL_CLIENT_V_START") == 0;
    if (start || strcmp(name, "SSL_CLIENT_V_END") == 0) {
        BIO *bio = BIO_new(BIO_s_mem());
        int n = bio != NULL && ASN1_TIME_print(bio, start ? X509_get0_notBefore(cert)
                                                          : X509_get0_notAfter(cert)) == 1
                    ? BIO_read(bio, text, (int)sizeof(text) - 1)
                    : -1;
        BIO_free(bio);
        if (n < 0)
            return NULL;
        text[n] = '\0';
        return text;
    }
    return NULL;
}

const char *pfd_tls_var(const struct ssl_st *ssl, const char *name)
{
    if (ssl == NULL)
        return NULL;
    if (strcmp(name, "SSL_PROTOCOL") == 0)
        return SSL_get_version(ssl);
    if (strcmp(name, "SSL_CIPHER") == 0)
        return SSL_get_cipher_name(ssl);
    if (strcmp(name, "SSL_TLS_SNI") == 0)
        return SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    if (strncmp(name, "SSL_CLIENT_", 11) != 0)
        return NULL;
    const X509 *cert = SSL_get0_peer_certificate(ssl);
    if (strcmp(name, "SSL_CLIENT_VERIFY") == 0) {
        static char verdict[128];
        long result = SSL_get_verify_result(ssl);
        if (cert == NULL)
            return "NONE";
        if (result == X509_V_OK)
            return "SUCCESS";
        snprintf(verdict, sizeof(verdict), "FAILED:%s", X509_verify_cert_error_string(result));
        return verdict;
    }
    return cert != NULL ? tls_client_var(cert, name) : NULL;
}

/* ---- kTLS: the kernel encrypts, so a file goes out with sendfile() ------------------------- */

bool pfd_tls_ktls_send(struct ssl_st *ssl)
{
    return BIO_get_ktls_send(SSL_get_wbio(ssl)) != 0;
}

ssize_t pfd_tls_sendfile(struct ssl_st *ssl, int fd, off_t offset, size_t len, short *events)
{
    ERR_clear_error();
    ossl_ssize_t n = SSL_sendfile(ssl, fd, offset, len, 0);
    if (n >= 0)
        return (ssize_t)n;
    tls_want(ssl, (int)n, events);
    return -1;
}

/* Keys for TLS 1.2 AES-128-GCM on a socket that has TCP_ULP "tls" (all zero: the socket is
 * closed unused). The kernel then looks up its "gcm(aes)" cipher: a kernel whose tls module is
 * there but that cannot load the cipher takes the ULP and refuses the keys, and OpenSSL then
 * quietly stays in user space (seen in a guest without modprobe: test/ktls/vm.sh). */
static int tls_kernel_aes_gcm(int fd)
{
    struct tls12_crypto_info_aes_gcm_128 keys = {
        .info = {.version = TLS_1_2_VERSION, .cipher_type = TLS_CIPHER_AES_GCM_128}};
    return setsockopt(fd, SOL_TLS, TLS_TX, &keys, sizeof(keys));
}

/* TCP_ULP "tls" on an established loopback connection, then keys for AES-GCM: what OpenSSL
 * asks of the kernel before it hands a socket's records to it (the `tls` module, Linux 4.13+,
 * and the kernel's gcm cipher). */
static int tls_kernel_ktls(char *why, size_t why_size)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof(addr);
    int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), c = -1, rc = -1;
    if (l < 0 || bind(l, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(l, 1) != 0 ||
        getsockname(l, (struct sockaddr *)&addr, &alen) != 0 ||
        (c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
        connect(c, (struct sockaddr *)&addr, alen) != 0)
        snprintf(why, why_size, "no loopback connection to try it on: %s", strerror(errno));
    else if (setsockopt(c, SOL_TCP, TCP_ULP, "tls", sizeof("tls")) != 0)
        snprintf(why, why_size, "the kernel refuses TCP_ULP \"tls\": %s (modprobe tls)",
                 strerror(errno));
    else if (tls_kernel_aes_gcm(c) != 0)
        snprintf(why, why_size,
                 "the kernel's tls module refuses AES-GCM keys (TLS_TX): %s (modprobe gcm)",
                 strerror(errno));
    else
        rc = 0;
    if (c >= 0)
        close(c);
    if (l >= 0)
        close(l);
    return rc;
}

enum pfd_tls_files pfd_tls_files_path(const struct pfd_config *conf, char *why, size_t why_size)
{
    if (conf->ntls_listen == 0)
        return PFD_TLS_FILES_NONE;
    if (!conf->tls.ktls) {
        snprintf(why, why_size, "tls { ktls = false }");
        return PFD_TLS_FILES_BUFFERED;
    }
    return tls_kernel_ktls(why, why_size) == 0 ? PFD_TLS_FILES_KTLS : PFD_TLS_FILES_BUFFERED;
}
