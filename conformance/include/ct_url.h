/* The target URL on the command line: host, port and the Socket.IO path it names, and
 * how that path meets --path (issue 16, item 3 "Reach"; conformance/README.md,
 * "Command line"). */
#ifndef CT_URL_H
#define CT_URL_H

#include <stddef.h>

#define CT_URL_PATH_MAX 256

typedef struct ct_url {
  char host[256];
  int port;
  int tls; /* https:// or wss:// */
  /* the URL's path, normalised to end in '/'; "" when the URL has none or only "/" */
  char path[CT_URL_PATH_MAX];
} ct_url;

/* Parse URL: [http:// | ws:// | https:// | wss://]HOST:PORT[/PATH] (the last two set
 * tls). Refused, each with one line in ERR: any other scheme, a query string or a fragment,
 * user info, an IPv6 literal (the harness connects over IPv4 only), a missing or bad
 * port, a path too long. Returns 0, or -1. */
int ct_url_parse(const char *url, ct_url *u, char *err, size_t errlen);

/* Normalise a Socket.IO path the way the official client does: a leading '/' and
 * exactly one trailing '/'. Returns 0, or -1 when it does not fit in CAP. */
int ct_url_norm_path(const char *path, char *out, size_t cap);

/* The Socket.IO path to check, into OUT: URL_PATH (ct_url.path, "" for none) and
 * OPT_PATH (--path, NULL for none), both normalised; the default "/socket.io/" when
 * neither is given. Both given and different (after normalising) is a usage error:
 * -1 with one line in ERR. Returns 0, or -1. */
int ct_url_sio_path(const char *url_path, const char *opt_path, char *out, size_t cap, char *err,
                    size_t errlen);

#endif
