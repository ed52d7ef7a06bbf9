/* The target URL (issue 16, item 3 "Reach"): the URL's path is the Socket.IO path, a
 * path in both the URL and --path must agree, https:// and wss:// name a TLS target,
 * and what the harness cannot honour (a query, a fragment, IPv6) is refused with one
 * line rather than dropped. */
#include <criterion/criterion.h>
#include <string.h>

#include "ct_url.h"

static char err[300];

/* parse URL and combine its path with OPT (--path or NULL) into OUT; -1 on error */
static int resolve(const char *url, const char *opt, char *out, size_t cap, ct_url *u) {
  err[0] = 0;
  if (ct_url_parse(url, u, err, sizeof err) != 0) return -1;
  return ct_url_sio_path(u->path, opt, out, cap, err, sizeof err);
}

Test(url, default_path) {
  static const char *const urls[] = {"http://127.0.0.1:3000", "http://127.0.0.1:3000/",
                                     "ws://localhost:80/", "127.0.0.1:3000"};
  for (size_t i = 0; i < sizeof urls / sizeof *urls; i++) {
    ct_url u;
    char p[CT_URL_PATH_MAX];
    cr_assert_eq(resolve(urls[i], NULL, p, sizeof p, &u), 0, "%s: %s", urls[i], err);
    cr_assert_str_eq(p, "/socket.io/", "%s", urls[i]);
  }
  ct_url u;
  char p[CT_URL_PATH_MAX];
  cr_assert_eq(resolve("http://127.0.0.1:3000", NULL, p, sizeof p, &u), 0);
  cr_assert_str_eq(u.host, "127.0.0.1");
  cr_assert_eq(u.port, 3000);
}

Test(url, custom_path) {
  ct_url u;
  char p[CT_URL_PATH_MAX];
  cr_assert_eq(resolve("http://127.0.0.1:3000/custom/", NULL, p, sizeof p, &u), 0, "%s", err);
  cr_assert_str_eq(p, "/custom/");
  cr_assert_str_eq(u.host, "127.0.0.1");
  cr_assert_eq(u.port, 3000);
  cr_assert_eq(resolve("ws://localhost:8080/a/b/", NULL, p, sizeof p, &u), 0, "%s", err);
  cr_assert_str_eq(p, "/a/b/");
  cr_assert_str_eq(u.host, "localhost");
}

Test(url, normalised_to_one_trailing_slash) {
  ct_url u;
  char p[CT_URL_PATH_MAX];
  cr_assert_eq(resolve("http://h:1/custom", NULL, p, sizeof p, &u), 0, "%s", err);
  cr_assert_str_eq(p, "/custom/");
  cr_assert_eq(resolve("http://h:1/custom//", NULL, p, sizeof p, &u), 0, "%s", err);
  cr_assert_str_eq(p, "/custom/");
  cr_assert_eq(resolve("http://h:1", "io", p, sizeof p, &u), 0, "%s", err);
  cr_assert_str_eq(p, "/io/");
  cr_assert_eq(resolve("http://h:1", "/", p, sizeof p, &u), 0, "%s", err);
  cr_assert_str_eq(p, "/");
}

Test(url, conflict_with_path_option) {
  ct_url u;
  char p[CT_URL_PATH_MAX];
  cr_assert_eq(resolve("http://h:1/custom/", "/other/", p, sizeof p, &u), -1);
  cr_assert(strstr(err, "/custom/") && strstr(err, "/other/") && strstr(err, "--path"), "%s", err);
  /* a URL without a path next to --path: the option alone decides, no conflict */
  cr_assert_eq(resolve("http://h:1/", "/other/", p, sizeof p, &u), 0, "%s", err);
  cr_assert_str_eq(p, "/other/");
}

Test(url, agreement_with_path_option) {
  ct_url u;
  char p[CT_URL_PATH_MAX];
  cr_assert_eq(resolve("http://h:1/custom", "/custom/", p, sizeof p, &u), 0, "%s", err);
  cr_assert_str_eq(p, "/custom/");
  cr_assert_eq(resolve("http://h:1/socket.io/", "/socket.io", p, sizeof p, &u), 0, "%s", err);
  cr_assert_str_eq(p, "/socket.io/");
}

Test(url, query_and_fragment_refused) {
  ct_url u;
  cr_assert_eq(ct_url_parse("http://h:1/socket.io/?EIO=4", &u, err, sizeof err), -1);
  cr_assert(strstr(err, "query"), "%s", err);
  cr_assert_eq(ct_url_parse("http://h:1?x=1", &u, err, sizeof err), -1);
  cr_assert(strstr(err, "query"), "%s", err);
  cr_assert_eq(ct_url_parse("http://h:1/p/#top", &u, err, sizeof err), -1);
  cr_assert(strstr(err, "fragment"), "%s", err);
}

Test(url, tls_schemes) {
  ct_url u;
  char p[CT_URL_PATH_MAX];
  cr_assert_eq(resolve("https://h:443/custom", NULL, p, sizeof p, &u), 0, "%s", err);
  cr_assert(u.tls);
  cr_assert_eq(u.port, 443);
  cr_assert_str_eq(p, "/custom/");
  cr_assert_eq(resolve("WSS://h:8443/socket.io/", NULL, p, sizeof p, &u), 0, "%s", err);
  cr_assert(u.tls);
  cr_assert_str_eq(u.host, "h");
  cr_assert_eq(resolve("ws://h:80", NULL, p, sizeof p, &u), 0, "%s", err);
  cr_assert_not(u.tls);
  cr_assert_eq(ct_url_parse("ftp://h:21/", &u, err, sizeof err), -1);
  cr_assert(strstr(err, "ftp://"), "%s", err);
  cr_assert_eq(ct_url_parse("httpss://h:21/", &u, err, sizeof err), -1);
}

Test(url, bad_port) {
  static const char *const urls[] = {"http://h",       "http://h:",       "http://h:0",
                                     "http://h:65536", "http://h:12x/",   "http://:3000",
                                     "http://h:-1",    "http://h/p:3000", "http://h: 80"};
  for (size_t i = 0; i < sizeof urls / sizeof *urls; i++) {
    ct_url u;
    err[0] = 0;
    cr_assert_eq(ct_url_parse(urls[i], &u, err, sizeof err), -1, "%s accepted", urls[i]);
    cr_assert(err[0], "%s: no reason", urls[i]);
  }
}

/* ct_tcp_connect speaks IPv4 only (AF_INET): an IPv6 literal is refused by name rather
 * than misread as host "[" */
Test(url, ipv6_literal_refused) {
  ct_url u;
  cr_assert_eq(ct_url_parse("http://[::1]:3000/", &u, err, sizeof err), -1);
  cr_assert(strstr(err, "IPv6"), "%s", err);
}
