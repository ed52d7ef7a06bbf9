/* sioload-lws-probe: the same WebSocket client work as sioload (Socket.IO CONNECT, pong
 * every ping, "message-with-ack" echo with K acks in flight) written on the
 * libwebsockets 4.1 client, kept only to measure which of the two costs the load
 * generator less CPU and memory per connection (see conformance/sioload/README.md).
 * Spec tags as sioload: EIO-HB-2 (pong), SIO-CN-1 (CONNECT), SIO-ACK-2 (acks).
 * Usage: sioload-lws-probe PORT CLIENTS INFLIGHT SECONDS */
#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

typedef struct probe_client {
  struct lws *wsi;
  int ready;
  int want_connect; /* "40" to send */
  int pongs;        /* "3" to send */
  int echoes;       /* echo events to send */
  int inflight, want_inflight;
  unsigned next_id;
} probe_client;

static probe_client *g_cl;
static int g_n, g_ready, g_failed, g_measuring;
static unsigned long long g_acks;
static struct lws_context *g_ctx;

static unsigned long long now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000;
}

static unsigned long long cpu_us(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (unsigned long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000ULL +
         (unsigned long long)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

static long rss_kib(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kib = -1;
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "VmRSS: %ld kB", &kib) == 1) break;
  if (f) fclose(f);
  return kib;
}

/* One message per WRITEABLE callback, as libwebsockets requires. */
static int write_one(struct lws *wsi, probe_client *c) {
  unsigned char buf[LWS_PRE + 128];
  unsigned char *p = buf + LWS_PRE;
  int n;
  if (c->want_connect) {
    c->want_connect = 0;
    n = snprintf((char *)p, 128, "40");
  } else if (c->pongs) {
    c->pongs--;
    n = snprintf((char *)p, 128, "3");
  } else if (c->echoes) {
    c->echoes--;
    n = snprintf((char *)p, 128, "42%u[\"message-with-ack\",\"xxxxxxxxxxxxxxxx\"]", c->next_id++);
  } else {
    return 0;
  }
  if (lws_write(wsi, p, (size_t)n, LWS_WRITE_TEXT) < n) return -1;
  if (c->want_connect || c->pongs || c->echoes) lws_callback_on_writable(wsi);
  return 0;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len) {
  probe_client *c = lws_get_opaque_user_data(wsi);
  const char *s = in;
  switch (reason) {
  case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
    g_failed++;
    if (c) c->wsi = NULL;
    return 0;
  case LWS_CALLBACK_CLIENT_RECEIVE:
    if (!c || len < 1) return 0;
    if (s[0] == '0') { /* open packet: ask for namespace "/" */
      c->want_connect = 1;
      lws_callback_on_writable(wsi);
    } else if (s[0] == '2') { /* EIO-HB-2 */
      c->pongs++;
      lws_callback_on_writable(wsi);
    } else if (len >= 2 && s[0] == '4' && s[1] == '0' && !c->ready) {
      c->ready = 1;
      g_ready++;
    } else if (len >= 2 && s[0] == '4' && s[1] == '3') { /* SIO-ACK-2 */
      c->inflight--;
      if (g_measuring) g_acks++;
      if (c->inflight < c->want_inflight) {
        c->inflight++;
        c->echoes++;
        lws_callback_on_writable(wsi);
      }
    }
    return 0;
  case LWS_CALLBACK_CLIENT_WRITEABLE:
    return c ? write_one(wsi, c) : 0;
  case LWS_CALLBACK_CLIENT_CLOSED:
    if (c) {
      c->wsi = NULL;
      if (c->ready) g_ready--;
      c->ready = 0;
    }
    return 0;
  default:
    return 0;
  }
}

static const struct lws_protocols protocols[] = {{"sio-probe", callback, 0, 4096, 0, NULL, 0},
                                                 {NULL, NULL, 0, 0, 0, NULL, 0}};

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: sioload-lws-probe PORT CLIENTS INFLIGHT SECONDS\n");
    return 2;
  }
  int port = atoi(argv[1]), inflight = atoi(argv[3]);
  double secs = atof(argv[4]);
  g_n = atoi(argv[2]);
  if (port <= 0 || g_n <= 0 || g_n > 60000 || inflight < 0 || secs <= 0 || secs > 120) return 2;
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  lws_set_log_level(LLL_ERR, NULL);
  long rss0 = rss_kib();
  struct lws_context_creation_info info;
  memset(&info, 0, sizeof info);
  info.port = CONTEXT_PORT_NO_LISTEN;
  info.protocols = protocols;
  info.fd_limit_per_thread = (unsigned)g_n + 64;
  g_ctx = lws_create_context(&info);
  if (!g_ctx) return 2;
  long rss_ctx = rss_kib();
  g_cl = calloc((size_t)g_n, sizeof *g_cl);
  unsigned long long t0 = now_us(), deadline = t0 + 60000000ULL;
  int started = 0;
  while (g_ready + g_failed < g_n && now_us() < deadline) {
    /* at most 200 handshakes in progress, as sioload's default ramp */
    while (started < g_n && started - g_ready - g_failed < 200) {
      struct lws_client_connect_info ci;
      memset(&ci, 0, sizeof ci);
      ci.context = g_ctx;
      ci.address = "127.0.0.1";
      ci.port = port;
      ci.path = "/socket.io/?EIO=4&transport=websocket";
      ci.host = ci.origin = "127.0.0.1";
      ci.local_protocol_name = "sio-probe";
      ci.opaque_user_data = &g_cl[started];
      ci.pwsi = &g_cl[started].wsi;
      if (!lws_client_connect_via_info(&ci)) g_failed++;
      started++;
    }
    lws_service(g_ctx, 0);
  }
  unsigned long long t1 = now_us();
  /* no settle time: an idle lws_service() may block until the next ping */
  long rss1 = rss_kib();
  printf("lws-probe: %d ready, %d failed, connect %.2f s; RSS %ld KiB base, %ld KiB after "
         "context, %ld KiB with clients: %.2f KiB/client (context: %ld KiB)\n",
         g_ready, g_failed, (double)(t1 - t0) / 1e6, rss0, rss_ctx, rss1,
         g_ready ? (double)(rss1 - rss_ctx) / g_ready : 0.0, rss_ctx - rss0);
  if (inflight > 0 && g_ready > 0) {
    int active = inflight < g_ready ? inflight : g_ready, a = 0;
    for (int i = 0; i < g_n && a < active; i++) {
      probe_client *c = &g_cl[i];
      if (!c->ready || !c->wsi) continue;
      c->want_inflight = inflight / active + (a < inflight % active ? 1 : 0);
      c->inflight = c->echoes = c->want_inflight;
      lws_callback_on_writable(c->wsi);
      a++;
    }
    unsigned long long w0 = now_us() + 500000ULL, w1 = w0 + (unsigned long long)(secs * 1e6);
    while (now_us() < w0) lws_service(g_ctx, 0);
    unsigned long long c0 = cpu_us();
    g_measuring = 1;
    while (now_us() < w1) lws_service(g_ctx, 0);
    g_measuring = 0;
    unsigned long long c1 = cpu_us(), w = now_us() - w0;
    printf("lws-probe: echo %d in flight: %.0f acks/s, CPU %.1f%% of a core, %.2f us CPU per "
           "ack\n",
           inflight, (double)g_acks * 1e6 / (double)w, 100.0 * (double)(c1 - c0) / (double)w,
           g_acks ? (double)(c1 - c0) / (double)g_acks : 0.0);
  }
  lws_context_destroy(g_ctx);
  free(g_cl);
  return 0;
}
