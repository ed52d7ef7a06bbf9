/* TLS targets through OpenSSL (issue 16, item 3 "Reach"). One SSL_CTX for the process,
 * set up once from the command line; one SSL session per connection, kept in a table
 * indexed by the connection's fd so that every caller of ct_tcp_connect (the polling
 * and WebSocket clients, discovery, the raw-socket steps, the probes, the fuzzer) goes
 * through TLS without knowing it. Verification is on unless --insecure: a harness that
 * quietly accepted any certificate would check a server nobody proved it reached. */
#include "ct_tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ct_util.h"

static SSL_CTX *g_ctx;
static int g_insecure;
/* fd -> session; the lock guards the table, never a session (each is used by the one
 * thread whose run opened it) */
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static SSL **g_tab;
static size_t g_cap;

static _Thread_local char t_err[384];

static SSL *lookup(int fd) {
  SSL *s = NULL;
  pthread_mutex_lock(&g_mu);
  if (fd >= 0 && (size_t)fd < g_cap) s = g_tab[fd];
  pthread_mutex_unlock(&g_mu);
  return s;
}

static void store(int fd, SSL *s) {
  pthread_mutex_lock(&g_mu);
  if ((size_t)fd >= g_cap) {
    size_t cap = g_cap ? g_cap : 256;
    while (cap <= (size_t)fd) cap *= 2;
    g_tab = ct_xrealloc(g_tab, cap * sizeof *g_tab);
    memset(g_tab + g_cap, 0, (cap - g_cap) * sizeof *g_tab);
    g_cap = cap;
  }
  SSL *old = g_tab[fd];
  g_tab[fd] = s;
  pthread_mutex_unlock(&g_mu);
  SSL_free(old); /* a session left by a caller that closed the fd without ct_tcp_close */
}

/* The first OpenSSL error on this thread's queue, as text. */
static void openssl_reason(char *out, size_t cap, const char *fallback) {
  unsigned long e = ERR_peek_last_error();
  if (e) {
    const char *r = ERR_reason_error_string(e);
    snprintf(out, cap, "%s", r ? r : "unknown OpenSSL error");
  } else {
    snprintf(out, cap, "%s", fallback);
  }
  ERR_clear_error();
}

int ct_tls_setup(int insecure, const char *ca_file, char *err, size_t errlen) {
  SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx) {
    snprintf(err, errlen, "TLS: cannot create an OpenSSL context");
    return -1;
  }
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  /* a peer that closes without close_notify is an ordinary end of stream to the
   * harness, as a FIN is on a plain connection (servers under test do it, and cases
   * that close abruptly are about Engine.IO, not TLS) */
  SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
  /* ct_send_all retries with the rest of its buffer after a partial write */
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (!insecure) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    if (SSL_CTX_set_default_verify_paths(ctx) != 1) ERR_clear_error();
    if (ca_file && SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
      char why[200];
      openssl_reason(why, sizeof why, "unreadable");
      snprintf(err, errlen, "--ca %s: no CA certificate loaded (%s)", ca_file, why);
      SSL_CTX_free(ctx);
      return -1;
    }
  }
  SSL_CTX_free(g_ctx);
  g_ctx = ctx;
  g_insecure = insecure;
  return 0;
}

int ct_tls_on(void) { return g_ctx != NULL; }

void ct_tls_cleanup(void) {
  pthread_mutex_lock(&g_mu);
  for (size_t i = 0; i < g_cap; i++) SSL_free(g_tab[i]);
  free(g_tab);
  g_tab = NULL;
  g_cap = 0;
  pthread_mutex_unlock(&g_mu);
  SSL_CTX_free(g_ctx);
  g_ctx = NULL;
}

const char *ct_tls_error(void) { return t_err; }
int ct_tls_has(int fd) { return g_ctx && lookup(fd) != NULL; }

/* What SSL_get_error says about the last call RC: -1 with *EVENTS to wait for, -2 an
 * error, 0 the end of the stream. */
static long classify(SSL *s, int rc, short *events) {
  int e = SSL_get_error(s, rc);
  switch (e) {
  case SSL_ERROR_WANT_READ:
    *events = POLLIN;
    return -1;
  case SSL_ERROR_WANT_WRITE:
    *events = POLLOUT;
    return -1;
  case SSL_ERROR_ZERO_RETURN:
    return 0;
  case SSL_ERROR_SYSCALL:
    if (errno == EINTR || errno == EAGAIN) {
      *events = POLLIN;
      return -1;
    }
    ERR_clear_error();
    return -2;
  default:
    ERR_clear_error();
    return -2;
  }
}

int ct_tls_client(int fd, const char *host, int timeout_ms) {
  t_err[0] = 0;
  ERR_clear_error();
  SSL *s = g_ctx ? SSL_new(g_ctx) : NULL;
  if (!s || SSL_set_fd(s, fd) != 1) {
    SSL_free(s);
    snprintf(t_err, sizeof t_err, "cannot create a TLS session");
    return -1;
  }
  struct in_addr a4;
  int is_ip = inet_pton(AF_INET, host, &a4) == 1;
  if (!is_ip) SSL_set_tlsext_host_name(s, host); /* SNI carries DNS names only (RFC 6066 3) */
  if (!g_insecure) {
    /* RFC 6125 / RFC 2818: the name connected to must be in the certificate; an IP
     * address is matched against its IP address SANs */
    int ok =
        is_ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(s), host) : SSL_set1_host(s, host);
    if (ok != 1) {
      SSL_free(s);
      snprintf(t_err, sizeof t_err, "cannot set the expected host name %s", host);
      return -1;
    }
  }
  int64_t deadline = ct_now_ms() + timeout_ms;
  for (;;) {
    ERR_clear_error();
    int rc = SSL_connect(s);
    if (rc == 1) break;
    short ev = 0;
    long c = classify(s, rc, &ev);
    int64_t left = deadline - ct_now_ms();
    if (c == -1 && left > 0) {
      struct pollfd pfd = {fd, ev, 0};
      poll(&pfd, 1, (int)left);
      continue;
    }
    long vr = SSL_get_verify_result(s);
    if (vr != X509_V_OK) {
      int name = vr == X509_V_ERR_HOSTNAME_MISMATCH || vr == X509_V_ERR_IP_ADDRESS_MISMATCH;
      snprintf(t_err, sizeof t_err, "certificate verification failed: %s (%s%s%s)",
               X509_verify_cert_error_string(vr), name ? "the certificate is not for " : "",
               name ? host : "trust its CA with --ca FILE",
               name ? "; --insecure accepts any certificate"
                    : ", or accept any certificate with --insecure");
    } else if (c == -1) {
      snprintf(t_err, sizeof t_err, "TLS handshake timed out after %d ms", timeout_ms);
    } else {
      char why[200];
      openssl_reason(why, sizeof why,
                     c == 0 ? "the server closed the connection"
                            : "the connection ended (is it a TLS port?)");
      snprintf(t_err, sizeof t_err, "TLS handshake failed: %s", why);
    }
    SSL_free(s);
    return -1;
  }
  store(fd, s);
  return 0;
}

long ct_tls_send(int fd, const void *p, size_t len, short *events) {
  SSL *s = lookup(fd);
  if (!s) return -2;
  if (len > INT32_MAX) len = INT32_MAX;
  ERR_clear_error();
  int rc = SSL_write(s, p, (int)len);
  if (rc > 0) return rc;
  long c = classify(s, rc, events);
  return c == 0 ? -2 : c; /* a write cannot see the end of the stream */
}

long ct_tls_recv(int fd, void *buf, size_t cap, short *events) {
  SSL *s = lookup(fd);
  if (!s) return -2;
  if (cap > INT32_MAX) cap = INT32_MAX;
  ERR_clear_error();
  int rc = SSL_read(s, buf, (int)cap);
  if (rc > 0) return rc;
  return classify(s, rc, events);
}

int ct_tls_shutdown_wr(int fd) {
  SSL *s = lookup(fd);
  if (!s) return -1;
  ERR_clear_error();
  /* 0 = our close_notify is sent and the peer's not yet seen: that is the half-close */
  int rc = SSL_shutdown(s);
  ERR_clear_error();
  shutdown(fd, SHUT_WR);
  return rc < 0 ? -1 : 0;
}

void ct_tls_forget(int fd) {
  if (!g_ctx || fd < 0) return;
  SSL *s = NULL;
  pthread_mutex_lock(&g_mu);
  if ((size_t)fd < g_cap) {
    s = g_tab[fd];
    g_tab[fd] = NULL;
  }
  pthread_mutex_unlock(&g_mu);
  SSL_free(s);
}
