/* tls.c, the seam between the harness's sockets and OpenSSL (issue 16, item 3): a TLS
 * server on the other end of a socketpair, with a certificate made here, in memory;
 * verification on by default, --ca, --insecure, a name that does not match, the data
 * path through ct_send_all / ct_recv_some, and the end of the stream. No network, no
 * sleep: the server side runs on a thread with blocking I/O. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ct_http.h"
#include "ct_tls.h"

static EVP_PKEY *g_key;
static X509 *g_cert;
static char g_ca[64];

/* A self-signed P-256 certificate for IP 127.0.0.1 and DNS localhost, and its PEM file. */
static void make_cert(void) {
  signal(SIGPIPE, SIG_IGN);
  g_key = EVP_EC_gen("P-256");
  cr_assert_not_null(g_key);
  g_cert = X509_new();
  X509_set_version(g_cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(g_cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(g_cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(g_cert), 3600);
  X509_set_pubkey(g_cert, g_key);
  X509_NAME *n = X509_get_subject_name(g_cert);
  X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"test_tls", -1, -1, 0);
  X509_set_issuer_name(g_cert, n);
  X509V3_CTX v3;
  X509V3_set_ctx(&v3, g_cert, g_cert, NULL, NULL, 0);
  X509_EXTENSION *san =
      X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
  X509_add_ext(g_cert, san, -1);
  X509_EXTENSION_free(san);
  cr_assert(X509_sign(g_cert, g_key, EVP_sha256()) > 0);
  snprintf(g_ca, sizeof g_ca, "/tmp/test_tls_ca.%d.pem", (int)getpid());
  FILE *f = fopen(g_ca, "w");
  cr_assert_not_null(f);
  PEM_write_X509(f, g_cert);
  fclose(f);
}

static void free_cert(void) {
  unlink(g_ca);
  X509_free(g_cert);
  EVP_PKEY_free(g_key);
  ct_tls_cleanup();
}

TestSuite(tls, .init = make_cert, .fini = free_cert);

/* The server end: accept, echo one read back, then close_notify and close. */
typedef struct server {
  int fd;
  int accepted;
} server;

static void *serve(void *arg) {
  server *sv = arg;
  SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
  SSL_CTX_use_certificate(ctx, g_cert);
  SSL_CTX_use_PrivateKey(ctx, g_key);
  SSL *s = SSL_new(ctx);
  SSL_set_fd(s, sv->fd);
  if (SSL_accept(s) == 1) {
    sv->accepted = 1;
    char buf[256];
    int n = SSL_read(s, buf, sizeof buf);
    if (n > 0) SSL_write(s, buf, n);
    SSL_shutdown(s);
  }
  SSL_free(s);
  SSL_CTX_free(ctx);
  close(sv->fd);
  ERR_clear_error();
  return NULL;
}

/* A non-blocking client end with the server thread started on the other. */
static int pair(server *sv, pthread_t *th) {
  int sp[2];
  cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
  fcntl(sp[0], F_SETFL, fcntl(sp[0], F_GETFL) | O_NONBLOCK);
  sv->fd = sp[1];
  sv->accepted = 0;
  pthread_create(th, NULL, serve, sv);
  return sp[0];
}

/* Read until EOF (or 2 s) into B; returns the last ct_recv_some result. */
static long read_to_end(int fd, ct_buf *b) {
  long n = -1;
  for (int i = 0; i < 100; i++) {
    while ((n = ct_recv_some(fd, b)) > 0) {
    }
    if (n == 0 || n == -2) break;
    struct pollfd pfd = {fd, POLLIN, 0};
    poll(&pfd, 1, 20);
  }
  return n;
}

Test(tls, verification_is_on_by_default) {
  char err[256];
  cr_assert_eq(ct_tls_setup(0, NULL, err, sizeof err), 0, "%s", err);
  cr_assert(ct_tls_on());
  server sv;
  pthread_t th;
  int fd = pair(&sv, &th);
  cr_assert_eq(ct_tls_client(fd, "127.0.0.1", 2000), -1);
  cr_assert(strstr(ct_tls_error(), "certificate verification failed: self-signed certificate"),
            "%s", ct_tls_error());
  cr_assert(strstr(ct_tls_error(), "--ca FILE"), "%s", ct_tls_error());
  cr_assert_not(ct_tls_has(fd));
  ct_tcp_close(fd);
  pthread_join(th, NULL);
  cr_assert_not(sv.accepted);
}

Test(tls, ca_file_verifies_and_data_goes_through) {
  char err[256];
  cr_assert_eq(ct_tls_setup(0, g_ca, err, sizeof err), 0, "%s", err);
  server sv;
  pthread_t th;
  int fd = pair(&sv, &th);
  cr_assert_eq(ct_tls_client(fd, "127.0.0.1", 2000), 0, "%s", ct_tls_error());
  cr_assert(ct_tls_has(fd));
  cr_assert_str_eq(ct_tls_error(), "");
  cr_assert_eq(ct_send_all(fd, "hello tls", 9, 2000), 0);
  ct_buf b = {0};
  cr_assert_eq(read_to_end(fd, &b), 0, "the server's close_notify is the end of the stream");
  cr_assert_eq(b.len, 9);
  cr_assert_eq(memcmp(b.data, "hello tls", 9), 0);
  ct_buf_free(&b);
  ct_tcp_close(fd);
  cr_assert_not(ct_tls_has(fd), "closing forgets the session");
  pthread_join(th, NULL);
}

Test(tls, a_name_not_in_the_certificate_fails) {
  char err[256];
  cr_assert_eq(ct_tls_setup(0, g_ca, err, sizeof err), 0, "%s", err);
  const char *hosts[] = {"127.0.0.2", "example.org"};
  const char *want[] = {"IP address mismatch (the certificate is not for 127.0.0.2;",
                        "hostname mismatch (the certificate is not for example.org;"};
  for (int i = 0; i < 2; i++) {
    server sv;
    pthread_t th;
    int fd = pair(&sv, &th);
    cr_assert_eq(ct_tls_client(fd, hosts[i], 2000), -1);
    cr_assert(strstr(ct_tls_error(), want[i]), "%s", ct_tls_error());
    ct_tcp_close(fd);
    pthread_join(th, NULL);
  }
}

Test(tls, insecure_accepts_any_certificate) {
  char err[256];
  cr_assert_eq(ct_tls_setup(1, NULL, err, sizeof err), 0, "%s", err);
  server sv;
  pthread_t th;
  int fd = pair(&sv, &th);
  cr_assert_eq(ct_tls_client(fd, "example.org", 2000), 0, "%s", ct_tls_error());
  ct_tcp_close(fd);
  pthread_join(th, NULL);
}

Test(tls, a_ca_file_without_a_certificate_is_refused) {
  char err[256];
  FILE *f = fopen(g_ca, "w");
  fputs("not a certificate\n", f);
  fclose(f);
  cr_assert_eq(ct_tls_setup(0, g_ca, err, sizeof err), -1);
  cr_assert(strstr(err, "no CA certificate loaded"), "%s", err);
  cr_assert_not(ct_tls_on(), "a failed setup leaves TLS off");
}

Test(tls, plain_sockets_are_untouched) {
  /* no TLS target: ct_send_all / ct_recv_some are the socket calls */
  cr_assert_not(ct_tls_on());
  int sp[2];
  cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
  fcntl(sp[0], F_SETFL, fcntl(sp[0], F_GETFL) | O_NONBLOCK);
  cr_assert_not(ct_tls_has(sp[0]));
  cr_assert_eq(ct_send_all(sp[0], "x", 1, 100), 0);
  char c;
  cr_assert_eq(read(sp[1], &c, 1), 1);
  cr_assert_eq(ct_tcp_shutdown_wr(sp[0]), 0);
  cr_assert_eq(read(sp[1], &c, 1), 0, "shutdown SHUT_WR is the peer's EOF");
  ct_tcp_close(sp[0]);
  close(sp[1]);
}
