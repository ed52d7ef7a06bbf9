/* sioref: the reference server's command line. Parses flags, builds the two routers
 * of the test-app contract (spec/contract.md CT-1..CT-6: /engine.io/ echo, CT-10, and
 * the Socket.IO application on --path), runs the libwebsockets adapter and stops
 * cleanly on SIGINT/SIGTERM (CT-4). */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "sioref/lws_adapter.h"
#include "sioref/eio_server.h"
#if SIOREF_HAVE_SIO
#include "sioref/contract_app.h"
#include "sioref/eio_sio_glue.h"
#if SIOREF_HAVE_REDIS
#include "sioref/ra_adapter.h"
#include "sioref/redis_link.h"
#endif
#if SIOREF_HAVE_MSGPACK
#include "sioref/sio_mp_bridge.h"
#endif
#else
typedef struct eio_sio_glue eio_sio_glue; /* a build without the Socket.IO layer */
static void eio_sio_glue_free(eio_sio_glue *g) { (void)g; }
#endif

#define MAX_ORIGINS 16

typedef struct options {
  const char *host;
  long port;
  const char *path;
  long ping_interval_ms;
  long ping_timeout_ms;
  long max_payload;
  long connect_timeout_ms;
  long max_sessions;
  const char *origins[MAX_ORIGINS];
  size_t n_origins;
  const char *tls_cert;
  const char *tls_key;
  bool verbose;
  const char *redis;     /* --redis URL: join a cluster (issue 15) */
  bool allow_eio3;       /* --allow-eio3: Engine.IO v3 / Socket.IO protocol v4 clients too */
  bool msgpack;          /* --parser msgpack (spec/msgpack.md) */
  bool ws_compression;   /* --ws-compression on|off (default off, as engine.io 4+) */
  long http_compression; /* --http-compression BYTES|off: 0 = off (default 1024) */
} options;

static volatile sig_atomic_t g_stop;
static sioref_adapter *g_adapter;

static void on_signal(int sig) {
  (void)sig;
  g_stop = 1;
  sioref_adapter_interrupt(g_adapter);
}

static void usage(FILE *f) {
  fprintf(f, "usage: sioref [options]\n"
             "  --host H               address to bind (default 127.0.0.1)\n"
             "  --port N               TCP port, 0 = any free port (default 3000)\n"
             "  --path P               Socket.IO path (default /socket.io/); /engine.io/ always\n"
             "                         serves the Engine.IO echo application\n"
             "  --ping-interval MS     Engine.IO pingInterval (default 25000)\n"
             "  --ping-timeout MS      Engine.IO pingTimeout (default 20000)\n"
             "  --max-payload BYTES    Engine.IO maxPayload (default 1000000)\n"
             "  --connect-timeout MS   Socket.IO connect timeout (default 45000)\n"
             "  --cors-origin ORIGIN   allow this CORS origin, '*' for any (repeatable)\n"
             "  --max-sessions N       most Engine.IO sessions per path, 0 = no bound\n"
             "                         (default 10000); past it handshakes get 403\n"
             "  --tls-cert FILE        serve TLS (https://, wss://) with this PEM certificate\n"
             "                         chain; needs --tls-key\n"
             "  --tls-key FILE         the PEM private key of --tls-cert\n"
             "  --redis URL            join a cluster through Redis (redis://HOST[:PORT]), as\n"
             "                         @socket.io/redis-adapter 8.3.0 nodes do\n"
             "  --allow-eio3           also serve Engine.IO v3 / Socket.IO protocol v4 clients\n"
             "                         (an EIO query other than 4 is v3; without the flag it\n"
             "                         is refused with error code 5)\n"
             "  --parser P             Socket.IO parser: json (default) or msgpack (one\n"
             "                         msgpack map per binary message, spec/msgpack.md)\n"
             "  --ws-compression on|off  accept permessage-deflate (RFC 7692) offers (default\n"
             "                         off, as engine.io's perMessageDeflate since 4.0)\n"
             "  --http-compression N|off  gzip/deflate polling bodies of N bytes or more when\n"
             "                         the client accepts it (default 1024, as engine.io)\n"
             "  --verbose              one stderr line per connection event\n"
             "  --help                 this text\n");
}

static int bad(const char *fmt, const char *a) {
  fprintf(stderr, "sioref: ");
  fprintf(stderr, fmt, a);
  fprintf(stderr, " (see --help)\n");
  return 2;
}

static bool parse_long(const char *s, long lo, long hi, long *out) {
  if (!s || !*s) return false;
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *end || v < lo || v > hi) return false;
  *out = v;
  return true;
}

/* Returns -1 to go on, or an exit status. */
static int parse_args(int argc, char **argv, options *o) {
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    if (strncmp(arg, "--", 2) != 0) return bad("unexpected argument '%s'", arg);
    char name[32];
    const char *val = NULL;
    const char *eq = strchr(arg, '=');
    size_t nlen = eq ? (size_t)(eq - arg) : strlen(arg);
    if (nlen >= sizeof name) return bad("unknown option '%s'", arg);
    memcpy(name, arg, nlen);
    name[nlen] = 0;
    if (strcmp(name, "--help") == 0) {
      usage(stdout);
      return 0;
    }
    if (strcmp(name, "--verbose") == 0) {
      if (eq) return bad("option '%s' takes no value", name);
      o->verbose = true;
      continue;
    }
    if (strcmp(name, "--allow-eio3") == 0) { /* EIO-TVER-2 */
      if (eq) return bad("option '%s' takes no value", name);
      o->allow_eio3 = true;
      continue;
    }
    static const char *const with_value[] = {"--host",
                                             "--port",
                                             "--path",
                                             "--ping-interval",
                                             "--ping-timeout",
                                             "--max-payload",
                                             "--connect-timeout",
                                             "--cors-origin",
                                             "--max-sessions",
                                             "--tls-cert",
                                             "--tls-key",
                                             "--redis",
                                             "--parser",
                                             "--ws-compression",
                                             "--http-compression"};
    bool known = false;
    for (size_t k = 0; k < sizeof with_value / sizeof *with_value; k++)
      if (strcmp(name, with_value[k]) == 0) known = true;
    if (!known) return bad("unknown option '%s'", name);
    if (eq) {
      val = eq + 1;
    } else {
      if (i + 1 >= argc) return bad("option '%s' needs a value", name);
      val = argv[++i];
    }
    if (strcmp(name, "--host") == 0) {
      if (!*val) return bad("bad value for %s", name);
      o->host = val;
    } else if (strcmp(name, "--port") == 0) {
      if (!parse_long(val, 0, 65535, &o->port)) return bad("bad port '%s'", val);
    } else if (strcmp(name, "--path") == 0) {
      if (val[0] != '/' || strlen(val) > 60) return bad("bad path '%s' (must start with /)", val);
      o->path = val;
    } else if (strcmp(name, "--ping-interval") == 0) {
      if (!parse_long(val, 1, INT_MAX, &o->ping_interval_ms))
        return bad("bad --ping-interval '%s'", val);
    } else if (strcmp(name, "--ping-timeout") == 0) {
      if (!parse_long(val, 1, INT_MAX, &o->ping_timeout_ms))
        return bad("bad --ping-timeout '%s'", val);
    } else if (strcmp(name, "--max-payload") == 0) {
      if (!parse_long(val, 1, INT_MAX, &o->max_payload)) return bad("bad --max-payload '%s'", val);
    } else if (strcmp(name, "--connect-timeout") == 0) {
      if (!parse_long(val, 1, INT_MAX, &o->connect_timeout_ms))
        return bad("bad --connect-timeout '%s'", val);
    } else if (strcmp(name, "--max-sessions") == 0) {
      if (!parse_long(val, 0, INT_MAX, &o->max_sessions))
        return bad("bad --max-sessions '%s'", val);
    } else if (strcmp(name, "--tls-cert") == 0 || strcmp(name, "--tls-key") == 0) {
      if (!*val || access(val, R_OK) != 0) return bad("cannot read '%s'", val);
      if (strcmp(name, "--tls-cert") == 0)
        o->tls_cert = val;
      else
        o->tls_key = val;
    } else if (strcmp(name, "--redis") == 0) {
#if SIOREF_HAVE_REDIS
      if (!redis_link_url_ok(val)) return bad("bad --redis '%s' (redis://HOST[:PORT])", val);
      o->redis = val;
#else
      return bad("%s: this sioref was built without hiredis (libhiredis-dev)", name);
#endif
    } else if (strcmp(name, "--parser") == 0) {
      if (strcmp(val, "msgpack") != 0 && strcmp(val, "json") != 0)
        return bad("bad --parser '%s' (json or msgpack)", val);
#if !SIOREF_HAVE_MSGPACK
      if (strcmp(val, "msgpack") == 0)
        return bad("%s", "built without msgpack-c: no --parser msgpack");
#endif
      o->msgpack = strcmp(val, "msgpack") == 0;
    } else if (strcmp(name, "--ws-compression") == 0) {
      if (strcmp(val, "on") != 0 && strcmp(val, "off") != 0)
        return bad("bad --ws-compression '%s' (on or off)", val);
      o->ws_compression = strcmp(val, "on") == 0;
    } else if (strcmp(name, "--http-compression") == 0) {
      if (strcmp(val, "off") == 0)
        o->http_compression = 0;
      else if (!parse_long(val, 1, INT_MAX, &o->http_compression))
        return bad("bad --http-compression '%s' (a byte count from 1, or off)", val);
    } else if (strcmp(name, "--cors-origin") == 0) {
      if (!*val) return bad("bad value for %s", name);
      if (o->n_origins >= MAX_ORIGINS) return bad("too many %s options", name);
      o->origins[o->n_origins++] = val;
    }
  }
  if (!o->tls_cert != !o->tls_key) return bad("%s", "--tls-cert and --tls-key go together");
  if (o->msgpack && o->allow_eio3) /* the msgpack parser speaks Socket.IO v5 only */
    return bad("%s", "--parser msgpack and --allow-eio3 do not go together");
  return -1;
}

/* The only random source in sioref: session and socket ids. */
static int os_random(void *user, uint8_t *buf, size_t len) {
  (void)user;
  while (len) {
    ssize_t n = getrandom(buf, len, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    buf += n;
    len -= (size_t)n;
  }
  return 0;
}

#if SIOREF_HAVE_MSGPACK
/* --parser msgpack: the glue's parser is the msgpack bridge (SIO-MP-*). */
static int mp_decode(void *state, const uint8_t *d, size_t n, bool bin, eio_sio_emit_fn emit,
                     void *ctx) {
  (void)state;
  return sio_mp_bridge_decode(d, n, bin, 0, emit, ctx);
}
static int mp_encode(void *state, bool bin, const uint8_t *d, size_t n, eio_sio_emit_fn emit,
                     void *ctx) {
  return sio_mp_bridge_push(state, bin, d, n, emit, ctx);
}
static sio_mp_bridge g_bridge;
static const eio_sio_parser g_mp_parser = {mp_decode, mp_encode, &g_bridge};
#endif

/* ---- /engine.io/: the echo application (CT-10) ---- */

static bool g_verbose;

static void echo_open(void *user, eio_session *s, uint64_t now_ms) {
  (void)user;
  (void)now_ms;
  if (g_verbose)
    fprintf(stderr, "sioref: engine.io open %s over %s\n", eio_session_sid(s),
            eio_session_transport(s) == EIO_TRANSPORT_POLLING ? "polling" : "websocket");
}

static void echo_message(void *user, eio_session *s, const uint8_t *d, size_t n, bool bin,
                         uint64_t now_ms) {
  (void)user;
  eio_session_send(s, d, n, bin, now_ms);
}

static void echo_close(void *user, eio_session *s, eio_close_reason reason, uint64_t now_ms) {
  (void)user;
  (void)now_ms;
  if (g_verbose)
    fprintf(stderr, "sioref: engine.io close %s (%s)\n", eio_session_sid(s),
            eio_close_reason_text(reason));
}

static void base_config(const options *o, eio_server_config *c) {
  memset(c, 0, sizeof *c);
  eio_config_defaults(&c->session);
  c->session.ping_interval_ms = (uint32_t)o->ping_interval_ms;
  c->session.ping_timeout_ms = (uint32_t)o->ping_timeout_ms;
  c->session.max_payload_bytes = (size_t)o->max_payload;
  c->session.out_headroom = sioref_adapter_headroom();
  c->max_sessions = (size_t)o->max_sessions;
  c->cors_origins = o->origins;
  c->n_cors_origins = o->n_origins;
  c->random = os_random;
  c->wake = sioref_adapter_wake;
  c->allow_eio3 = o->allow_eio3;
}

int main(int argc, char **argv) {
  options o = {.host = "127.0.0.1",
               .port = 3000,
               .path = "/socket.io/",
               .ping_interval_ms = EIO_DEFAULT_PING_INTERVAL_MS,
               .ping_timeout_ms = EIO_DEFAULT_PING_TIMEOUT_MS,
               .max_payload = EIO_DEFAULT_MAX_PAYLOAD_BYTES,
               .connect_timeout_ms = 45000,
               .max_sessions = 10000,
               .http_compression = 1024};
  int rc = parse_args(argc, argv, &o);
  if (rc >= 0) return rc;
  g_verbose = o.verbose;
  if (strcmp(o.path, "/engine.io/") == 0)
    return bad("--path %s is taken by the Engine.IO echo application", o.path);

  signal(SIGPIPE, SIG_IGN);
  sioref_adapter_config ac = {.host = o.host,
                              .port = (int)o.port,
                              .verbose = o.verbose,
                              .tls_cert = o.tls_cert,
                              .tls_key = o.tls_key,
                              .ws_compression = o.ws_compression,
                              .http_compression_min = (size_t)o.http_compression};
  eio_sio_glue *glue = NULL;
#if SIOREF_HAVE_SIO
  /* The application: the test-app contract, with the connect timeout of the flags. */
  sio_server_config app = {0};
  contract_app_configure(&app);
  app.connect_timeout_ms = (uint64_t)o.connect_timeout_ms;
  app.random = os_random;
  glue = eio_sio_glue_new(&app, o.verbose);
  if (!glue) {
    fprintf(stderr, "sioref: cannot create the Socket.IO layer\n");
    return 1;
  }
  ac.tick = eio_sio_glue_tick;
  ac.tick_user = glue;
#if SIOREF_HAVE_MSGPACK
  if (o.msgpack) eio_sio_glue_set_parser(glue, &g_mp_parser);
#endif
#endif
  if (sioref_adapter_new(&ac, &g_adapter) < 0) {
    eio_sio_glue_free(glue);
    return 1;
  }
#if SIOREF_HAVE_REDIS
  /* --redis: the Redis adapter under the Socket.IO layer, its connections on our loop,
   * and the contract's cluster extension (CT-50) with a name for this process (CT-51). */
  ra_adapter *ra = NULL;
  redis_link *link = NULL;
  if (o.redis) {
    ra_config rcfg = {.srv = eio_sio_glue_server(glue), .random = os_random};
    ra = ra_adapter_new(&rcfg);
    link = ra ? redis_link_new(sioref_adapter_ev_loop(g_adapter), o.redis, ra) : NULL;
    uint8_t r[4] = {0};
    (void)os_random(NULL, r, sizeof r);
    char node_id[48];
    snprintf(node_id, sizeof node_id, "sioref-%ld-%02x%02x%02x%02x", (long)getpid(), r[0], r[1],
             r[2], r[3]);
    contract_app_cluster(eio_sio_glue_server(glue), node_id);
    if (!link) {
      fprintf(stderr, "sioref: cannot set up the Redis adapter\n");
      ra_adapter_free(ra);
      sioref_adapter_free(g_adapter);
      eio_sio_glue_free(glue);
      return 1;
    }
  }
#endif

  eio_server_config ec;
  base_config(&o, &ec);
  ec.wake_user = g_adapter;
  ec.on_open = echo_open;
  ec.on_message = echo_message;
  ec.on_close = echo_close;
  eio_server *echo = NULL, *sio = NULL;
  eio_server_config sc;
  base_config(&o, &sc);
  sc.wake_user = g_adapter;
#if SIOREF_HAVE_SIO
  eio_sio_glue_eio_callbacks(glue, &sc);
#else
  sc.on_open = echo_open;
  sc.on_message = echo_message;
  sc.on_close = echo_close;
#endif
  if (eio_server_new(&ec, &echo) < 0 || eio_server_new(&sc, &sio) < 0 ||
      sioref_adapter_mount(g_adapter, "/engine.io/", echo) < 0 ||
      sioref_adapter_mount(g_adapter, o.path, sio) < 0) {
    fprintf(stderr, "sioref: out of memory\n");
    sioref_adapter_free(g_adapter);
    eio_server_free(echo);
    eio_server_free(sio);
    eio_sio_glue_free(glue);
    return 1;
  }

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);

  /* CT-3: exactly one line on stdout, once we accept connections (https:// with TLS). */
  printf("listening on %s://%s:%d\n", o.tls_cert ? "https" : "http", o.host,
         sioref_adapter_port(g_adapter));
  fflush(stdout);

  sioref_adapter_run(g_adapter, &g_stop, 1500);
#if SIOREF_HAVE_REDIS
  redis_link_free(link); /* its watchers are on the adapter's loop */
#endif
  sioref_adapter_free(g_adapter); /* closes connections: holds are released */
  g_adapter = NULL;
  eio_server_free(echo);
  eio_server_free(sio);
#if SIOREF_HAVE_REDIS
  ra_adapter_free(ra); /* after the sessions closed, before the Socket.IO server */
#endif
  eio_sio_glue_free(glue);
#if SIOREF_HAVE_MSGPACK
  sio_mp_bridge_reset(&g_bridge);
#endif
  return 0;
}
