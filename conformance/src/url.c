/* The target URL (issue 16, item 3 "Reach"). The URL's path is the Socket.IO path: a
 * path the user typed and we silently replaced with /socket.io/ would check a server
 * they did not name. https:// and wss:// name a TLS target (tls.c). Whatever the
 * harness cannot honour yet (IPv6) or would have
 * to drop (a query, a fragment: the harness writes its own EIO=4&transport=... query)
 * is refused with one line instead. */
#include "ct_url.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static int fail(char *err, size_t errlen, const char *url, const char *why) {
  snprintf(err, errlen, "bad URL %s: %s", url, why);
  return -1;
}

int ct_url_parse(const char *url, ct_url *u, char *err, size_t errlen) {
  memset(u, 0, sizeof *u);
  const char *p = url;
  const char *sep = strstr(url, "://");
  /* schemes are case-insensitive (RFC 3986, 3.1) */
  /* one server speaks both transports: ws:// names the same one as http://, wss:// the
   * same as https:// */
  if (strncasecmp(p, "http://", 7) == 0)
    p += 7;
  else if (strncasecmp(p, "ws://", 5) == 0)
    p += 5;
  else if (strncasecmp(p, "https://", 8) == 0)
    p += 8, u->tls = 1;
  else if (strncasecmp(p, "wss://", 6) == 0)
    p += 6, u->tls = 1;
  else if (sep) {
    snprintf(err, errlen,
             "bad URL %s: scheme %.*s:// is not supported (use http://, https://, ws:// or wss://)",
             url, (int)(sep - url < 20 ? sep - url : 20), url);
    return -1;
  }
  /* the authority ends at the path, query or fragment */
  size_t al = strcspn(p, "/?#");
  const char *rest = p + al;
  if (memchr(p, '@', al)) return fail(err, errlen, url, "user info is not supported");
  if (*p == '[')
    return fail(err, errlen, url, "IPv6 literals are not supported (the harness speaks IPv4)");
  const char *colon = memchr(p, ':', al);
  if (!colon) return fail(err, errlen, url, "no port (want http://HOST:PORT[/PATH])");
  size_t hl = (size_t)(colon - p);
  if (hl == 0) return fail(err, errlen, url, "no host (want http://HOST:PORT[/PATH])");
  if (hl >= sizeof u->host) return fail(err, errlen, url, "host too long");
  memcpy(u->host, p, hl);
  u->host[hl] = 0;
  /* digits only: strtol would also take spaces and a sign */
  long port = 0;
  const char *d = colon + 1;
  if (d == rest) return fail(err, errlen, url, "no port (want http://HOST:PORT[/PATH])");
  for (; d < rest; d++) {
    if (*d < '0' || *d > '9' || port > 65535)
      return fail(err, errlen, url, "the port must be a number from 1 to 65535");
    port = port * 10 + (*d - '0');
  }
  if (port < 1 || port > 65535)
    return fail(err, errlen, url, "the port must be a number from 1 to 65535");
  u->port = (int)port;
  size_t pl = strcspn(rest, "?#");
  if (rest[pl] == '?')
    return fail(err, errlen, url,
                "a query string is not supported (sioconform writes its own EIO=4&transport=...)");
  if (rest[pl] == '#') return fail(err, errlen, url, "a fragment is not supported");
  /* "" and "/" name no path: the default stays */
  if (pl > 1 || (pl == 1 && rest[0] != '/')) {
    if (ct_url_norm_path(rest, u->path, sizeof u->path) != 0)
      return fail(err, errlen, url, "path too long");
  }
  return 0;
}

int ct_url_norm_path(const char *path, char *out, size_t cap) {
  size_t n = strlen(path);
  while (n > 0 && path[n - 1] == '/') n--;
  const char *s = path;
  while (n > 0 && *s == '/') s++, n--;
  /* "/" + body + "/" (or just "/" for an empty body) + NUL */
  if (n + 3 > cap) return -1;
  out[0] = '/';
  memcpy(out + 1, s, n);
  if (n) out[1 + n++] = '/';
  out[1 + n] = 0;
  return 0;
}

int ct_url_sio_path(const char *url_path, const char *opt_path, char *out, size_t cap, char *err,
                    size_t errlen) {
  char opt[CT_URL_PATH_MAX];
  if (opt_path && ct_url_norm_path(opt_path, opt, sizeof opt) != 0) {
    snprintf(err, errlen, "--path %s is too long", opt_path);
    return -1;
  }
  const char *want = "/socket.io/";
  if (url_path && *url_path) {
    if (opt_path && strcmp(opt, url_path) != 0) {
      snprintf(err, errlen,
               "the URL names the Socket.IO path %s but --path says %s; give one, or the same",
               url_path, opt);
      return -1;
    }
    want = url_path;
  } else if (opt_path) {
    want = opt;
  }
  if (strlen(want) >= cap) {
    snprintf(err, errlen, "path %s is too long", want);
    return -1;
  }
  memcpy(out, want, strlen(want) + 1);
  return 0;
}
