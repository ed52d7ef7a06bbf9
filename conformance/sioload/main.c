/* sioload: a Socket.IO v5 load generator that measures a server (memory per idle
 * client, acks/s and latency at a chosen number of acks in flight, room fan-out time,
 * connection churn) while costing it far less CPU than the server spends, and says so:
 * every phase reports sioload's own CPU share beside the server's.
 * Uses the test-app contract (build/CONTRACT.txt): "message-with-ack" (SIO-ACK-*),
 * "join" + "to-room-all" or "broadcast" (extensions "rooms", "broadcast").
 * Loopback only; every phase is bounded in time and every count is capped. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lt_client.h"
#include "lt_stats.h"

#define MAX_CLIENTS       60000
#define MAX_INFLIGHT      100000
#define MAX_PHASE_SECONDS 600
#define MAX_DURATION      3600
#define MAX_ROUNDS        1000
#define MAX_CHURN_CONC    2000
#define MAX_LIST          16
#define MAX_RESULTS       64
#define ECHO_WARMUP_US    500000ULL
#define DRAIN_US          3000000ULL
#define JOIN_TIMEOUT_US   30000000ULL
#define ROUND_TIMEOUT_US  5000000ULL
#define ROUND_GAP_US      20000ULL
#define PEND_ECHO         1
#define PEND_JOIN         2

typedef struct options {
  const char *url;
  lt_transport transport;
  uint32_t clients;
  uint32_t ramp_rate, ramp_conc;
  double idle_s;
  uint32_t inflight[MAX_LIST];
  size_t n_inflight;
  double echo_s;
  uint32_t payload;
  uint32_t bcast[MAX_LIST];
  size_t n_bcast;
  uint32_t rounds;
  bool bcast_all; /* "broadcast" to the namespace instead of a room */
  double churn_s;
  uint32_t churn_conc;
  pid_t server_pid;
  double duration_s;
  const char *json_path;
  const char *label;
  uint32_t source_ips;
  bool quiet;
} options;

typedef struct result {
  char phase[16];
  char title[48];
  uint32_t clients;
  uint32_t param;
  double seconds;
  uint64_t count;
  double rate;
  const char *unit;
  bool has_lat;
  uint64_t p50, p99, p999, max;
  /* broadcast */
  uint32_t rounds, incomplete;
  uint64_t first_p50, last_p50, last_p99, last_max;
  /* memory */
  long srv_rss_before, srv_rss_after, self_rss_before, self_rss_after;
  double srv_kib_per_client, self_kib_per_client;
  uint64_t failed, lost;
  double self_cpu, server_cpu, other_cpu;
  /* CPU per operation (ack, delivery, connect): server utime + stime only, and sioload's
   * own; -1 when unknown. cpu_wall_us/srv_cpu_us/self_cpu_us: the raw window. */
  const char *op;
  double srv_us_per_op, self_us_per_op;
  uint64_t cpu_wall_us, srv_cpu_us, self_cpu_us;
  bool srv_cpu_ok;
} result;

static struct {
  options o;
  lt_ctx ctx;
  lt_client *cl;
  lt_client *churn;
  uint32_t n_churn;
  uint64_t t_deadline;
  bool aborted;
  volatile sig_atomic_t stop;
  /* live counters */
  uint32_t n_ready, n_hs;
  uint64_t hs_failed, dropped;
  const char *last_error;
  const char *err_name[8]; /* distinct client errors (static strings) and their counts */
  uint64_t err_count[8];
  /* phase state */
  int phase; /* 0 none, 1 ramp, 2 echo, 3 join, 4 round, 5 churn */
  bool sending;
  uint64_t win_start, win_end;
  uint64_t count;
  lt_hist hist;
  uint64_t inflight_total;
  uint32_t join_pending;
  uint64_t bseq, bsent_us;
  uint32_t bexpect, bgot;
  uint64_t bfirst, blast;
  char echo_tail[4200];
  size_t echo_tail_len;
  char *msg;
  size_t msg_cap;
  uint64_t churn_ok;
  result res[MAX_RESULTS];
  size_t n_res;
} g;

/* ---- small helpers ------------------------------------------------------------------ */

static void usage(FILE *f) {
  fprintf(f,
          "usage: sioload [options] http://127.0.0.1:PORT[/socket.io/]\n"
          "  -n, --clients N          clients to connect (default 100, max %d)\n"
          "  -t, --transport T        websocket (default) or polling\n"
          "      --ramp-rate R        new connections per second (default 2000)\n"
          "      --ramp-concurrency C handshakes in progress at once (default 200)\n"
          "      --idle S             idle seconds before the memory reading (default 2; 0 "
          "skips)\n"
          "      --inflight LIST      echo phases, acks in flight, e.g. 1,10,100 (default 10; "
          "0 skips)\n"
          "      --echo-time S        seconds per echo phase (default 5)\n"
          "      --payload BYTES      echo string length (default 16)\n"
          "      --broadcast LIST     room sizes for fan-out, e.g. 1000,5000 (default none)\n"
          "      --broadcast-mode M   room (join + to-room-all, default) or namespace "
          "(\"broadcast\")\n"
          "      --rounds R           fan-out rounds per size (default 20)\n"
          "      --churn S            seconds of connect/disconnect churn (default 0)\n"
          "      --churn-concurrency C  churning clients at once (default 50)\n"
          "      --server-pid PID     read the server's RSS and CPU from /proc/PID\n"
          "      --duration S         hard cap on the whole run (default 300, max %d)\n"
          "      --source-ips N       spread connections over 127.0.0.1..N (default 1; churn "
          "uses 32)\n"
          "      --json FILE          write the results as JSON\n"
          "      --label NAME         name stored in the JSON (e.g. official, sioref)\n"
          "  -q, --quiet              no progress on stderr\n",
          MAX_CLIENTS, MAX_DURATION);
}

static int parse_list(const char *s, uint32_t *out, size_t *n, uint32_t max) {
  *n = 0;
  char *end;
  while (*s) {
    unsigned long v = strtoul(s, &end, 10);
    if (end == s || v > max || *n >= MAX_LIST) return -1;
    if (v) out[(*n)++] = (uint32_t)v;
    s = end;
    if (*s == ',')
      s++;
    else if (*s)
      return -1;
  }
  return 0;
}

static double parse_num(const char *s, double max, bool *ok) {
  char *end;
  double v = strtod(s, &end);
  if (end == s || *end || v < 0 || v > max) *ok = false;
  return v;
}

/* Accept only loopback targets: this tool must never load another machine. */
static int parse_url(const char *url, struct sockaddr_in *sa, char *path, size_t cap) {
  const char *p = url;
  if (strncmp(p, "http://", 7) == 0)
    p += 7;
  else if (strncmp(p, "ws://", 5) == 0)
    p += 5;
  const char *colon = strchr(p, ':');
  if (!colon || colon - p > 63) return -1;
  char host[64];
  memcpy(host, p, (size_t)(colon - p));
  host[colon - p] = 0;
  if (strcmp(host, "localhost") == 0) strcpy(host, "127.0.0.1");
  memset(sa, 0, sizeof *sa);
  sa->sin_family = AF_INET;
  if (inet_pton(AF_INET, host, &sa->sin_addr) != 1) return -1;
  if ((ntohl(sa->sin_addr.s_addr) >> 24) != 127) return -2;
  char *end;
  unsigned long port = strtoul(colon + 1, &end, 10);
  if (end == colon + 1 || port == 0 || port > 65535) return -1;
  sa->sin_port = htons((uint16_t)port);
  if (*end == '/' && end[1]) {
    snprintf(path, cap, "%s", end);
    size_t l = strlen(path);
    if (path[l - 1] != '/' && l + 1 < cap) strcat(path, "/");
  } else {
    snprintf(path, cap, "/socket.io/");
  }
  return 0;
}

static void raise_nofile(uint32_t need) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  if (rl.rlim_cur >= need) return;
  rl.rlim_cur = need < rl.rlim_max ? need : rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < need)
    fprintf(stderr, "sioload: RLIMIT_NOFILE hard limit %lu < %u needed; connections will fail\n",
            (unsigned long)rl.rlim_max, need);
}

static void on_signal(int sig) {
  (void)sig;
  g.stop = 1;
}

static result *new_result(const char *phase, const char *title) {
  if (g.n_res >= MAX_RESULTS) return NULL;
  result *r = &g.res[g.n_res++];
  memset(r, 0, sizeof *r);
  snprintf(r->phase, sizeof r->phase, "%s", phase);
  snprintf(r->title, sizeof r->title, "%s", title);
  r->server_cpu = r->other_cpu = -1;
  r->srv_us_per_op = r->self_us_per_op = -1;
  r->srv_rss_before = r->srv_rss_after = -1;
  return r;
}

static void set_cpu(result *r, const lt_cpu *a, const lt_cpu *b) {
  r->self_cpu = lt_cpu_self_pct(a, b);
  r->server_cpu = lt_cpu_server_pct(a, b);
  r->other_cpu = lt_cpu_other_pct(a, b);
}

/* CPU per operation: OPS operations counted over OPS_WALL_US, CPU sampled at A and B.
 * OP names the operation in the output (a static string). */
static void set_per_op(result *r, const lt_cpu *a, const lt_cpu *b, const char *op, uint64_t ops,
                       uint64_t ops_wall_us) {
  r->op = op;
  r->srv_us_per_op = lt_cpu_server_us_per_op(a, b, ops, ops_wall_us);
  r->self_us_per_op = lt_cpu_self_us_per_op(a, b, ops, ops_wall_us);
  r->cpu_wall_us = b->wall_us - a->wall_us;
  r->self_cpu_us = b->self_us - a->self_us;
  r->srv_cpu_ok = a->server_ok && b->server_ok && b->server_us >= a->server_us;
  r->srv_cpu_us = r->srv_cpu_ok ? b->server_us - a->server_us : 0;
}

static void set_lat(result *r, const lt_hist *h) {
  r->has_lat = h->count > 0;
  r->p50 = lt_hist_quantile(h, 0.50);
  r->p99 = lt_hist_quantile(h, 0.99);
  r->p999 = lt_hist_quantile(h, 0.999);
  r->max = h->max;
}

static char *msg_reserve(size_t n) {
  if (n > g.msg_cap) {
    char *m = realloc(g.msg, n);
    if (!m) return NULL;
    g.msg = m;
    g.msg_cap = n;
  }
  return g.msg;
}

/* Send event text TAIL (a JSON array) with ack id ID, tracking it as KIND. */
static int send_with_ack(lt_client *cl, uint8_t kind, const char *tail, size_t tail_len,
                         uint64_t now) {
  char *m = msg_reserve(tail_len + 16);
  if (!m) return -1;
  uint32_t id = cl->next_id++;
  int h = snprintf(m, 16, "2%u", id);
  memcpy(m + h, tail, tail_len);
  lt_pending *p = &cl->ring[id & cl->ring_mask];
  p->t_us = now;
  p->id = id;
  p->kind = kind;
  cl->inflight++;
  return lt_client_emit(&g.ctx, cl, m, (size_t)h + tail_len);
}

static int ring_alloc(lt_client *cl, uint32_t want) {
  uint32_t cap = 1;
  while (cap < want * 2) cap <<= 1;
  if (cl->ring && cl->ring_mask + 1 >= cap) return 0;
  free(cl->ring);
  cl->ring = calloc(cap, sizeof *cl->ring);
  if (!cl->ring) return -1;
  cl->ring_mask = cap - 1;
  return 0;
}

/* ---- hooks --------------------------------------------------------------------------- */

static void hook_ready(lt_ctx *ctx, lt_client *cl, uint64_t now) {
  (void)ctx;
  if (cl->churn) {
    if (g.phase == 5 && now >= g.win_start && now <= g.win_end) {
      g.churn_ok++;
      lt_hist_add(&g.hist, now - cl->t_start_us);
    }
    lt_client_close(&g.ctx, cl, now);
    return;
  }
  g.n_hs--;
  g.n_ready++;
  cl->joined = false;
  if (g.phase == 1) lt_hist_add(&g.hist, now - cl->t_start_us);
}

static void hook_dead(lt_ctx *ctx, lt_client *cl, uint64_t now) {
  (void)ctx;
  (void)now;
  if (cl->state == LT_CL_DEAD && cl->error) {
    g.last_error = cl->error;
    for (size_t i = 0; i < 8; i++) {
      if (g.err_name[i] && g.err_name[i] != cl->error) continue;
      g.err_name[i] = cl->error;
      g.err_count[i]++;
      break;
    }
  }
  if (cl->churn) {
    if (cl->state == LT_CL_DEAD) g.hs_failed++;
    return; /* restarted by the churn loop, never from inside a callback */
  }
  if (cl->ring)
    for (uint32_t i = 0; i <= cl->ring_mask; i++) {
      if (cl->ring[i].kind == PEND_ECHO && g.inflight_total) g.inflight_total--;
      if (cl->ring[i].kind == PEND_JOIN && g.join_pending) g.join_pending--;
      cl->ring[i].kind = 0;
    }
  cl->inflight = 0;
  cl->want_inflight = 0;
  if (cl->was_ready) {
    g.n_ready--;
    g.dropped++;
  } else {
    g.n_hs--;
    g.hs_failed++;
  }
}

static void hook_ack(lt_ctx *ctx, lt_client *cl, uint32_t id, const uint8_t *data, size_t len,
                     uint64_t now) {
  (void)ctx;
  (void)data;
  (void)len;
  if (!cl->ring) return;
  lt_pending *p = &cl->ring[id & cl->ring_mask];
  if (p->id != id || p->kind == 0) return;
  uint8_t kind = p->kind;
  p->kind = 0;
  cl->inflight--;
  if (kind == PEND_JOIN) {
    cl->joined = true;
    g.join_pending--;
    return;
  }
  g.inflight_total--;
  if (now >= g.win_start && now <= g.win_end) {
    g.count++;
    lt_hist_add(&g.hist, now - p->t_us);
  }
  if (g.sending && cl->inflight < cl->want_inflight) {
    if (send_with_ack(cl, PEND_ECHO, g.echo_tail, g.echo_tail_len, now) == 0) g.inflight_total++;
  }
}

static void hook_event(lt_ctx *ctx, lt_client *cl, const uint8_t *data, size_t len, uint64_t now) {
  (void)ctx;
  (void)cl;
  if (g.phase != 4) return;
  static const char room[] = "[\"room-message\",", all[] = "[\"broadcast-message\",";
  const char *pre = g.o.bcast_all ? all : room;
  size_t pl = g.o.bcast_all ? sizeof all - 1 : sizeof room - 1;
  if (len <= pl || memcmp(data, pre, pl) != 0) return;
  uint64_t seq = 0;
  for (size_t i = pl; i < len && data[i] >= '0' && data[i] <= '9'; i++)
    seq = seq * 10 + (uint64_t)(data[i] - '0');
  if (seq != g.bseq) return;
  uint64_t lat = now - g.bsent_us;
  if (g.bgot == 0) g.bfirst = lat;
  g.bgot++;
  g.blast = lat;
  lt_hist_add(&g.hist, lat);
}

/* ---- the loop ------------------------------------------------------------------------ */

static void progress(const char *what) {
  if (g.o.quiet) return;
  fprintf(stderr, "[sioload] %s: ready %u/%u, handshaking %u, failed %llu, dropped %llu\n", what,
          g.n_ready, g.o.clients, g.n_hs, (unsigned long long)g.hs_failed,
          (unsigned long long)g.dropped);
}

/* One turn of the event loop. Returns false when the run must end (signal, cap). */
static bool turn(int timeout_ms) {
  static uint64_t last_sweep;
  if (g.stop) return false;
  if (lt_ctx_poll(&g.ctx, timeout_ms) < 0) {
    perror("sioload: epoll_wait");
    g.stop = 1;
    return false;
  }
  uint64_t now = lt_now_us();
  if (now - last_sweep > 100000) {
    last_sweep = now;
    lt_ctx_sweep(&g.ctx, g.cl, g.o.clients, now);
    if (g.churn) lt_ctx_sweep(&g.ctx, g.churn, g.n_churn, now);
  }
  if (now > g.t_deadline) {
    if (!g.aborted) fprintf(stderr, "sioload: --duration reached, stopping\n");
    g.aborted = true;
    return false;
  }
  return true;
}

/* Run the loop until UNTIL_US, calling nothing else; returns false on abort. */
static bool run_for(uint64_t until_us) {
  while (lt_now_us() < until_us)
    if (!turn(10)) return false;
  return true;
}

/* ---- phases ------------------------------------------------------------------------- */

static void phase_ramp(void) {
  result *r = new_result("ramp", "ramp-up");
  lt_cpu c0, c1;
  uint64_t t0 = lt_now_us();
  lt_cpu_sample(&c0, g.o.server_pid, t0);
  lt_hist_reset(&g.hist);
  g.phase = 1;
  uint32_t started = 0;
  uint64_t last_print = t0;
  while (started < g.o.clients || g.n_hs > 0) { /* every client started and settled */
    uint64_t now = lt_now_us();
    uint64_t allowed = (now - t0) * g.o.ramp_rate / 1000000ULL + 1;
    while (started < g.o.clients && started < allowed && g.n_hs < g.o.ramp_conc) {
      g.n_hs++;
      lt_client_start(&g.ctx, &g.cl[started], now);
      started++;
    }
    if (now - last_print > 1000000) {
      last_print = now;
      progress("ramp");
    }
    if (!turn(started < g.o.clients ? 1 : 10)) break;
  }
  uint64_t t1 = lt_now_us();
  lt_cpu_sample(&c1, g.o.server_pid, t1);
  g.phase = 0;
  if (!r) return;
  r->clients = g.n_ready;
  r->seconds = (double)(t1 - t0) / 1e6;
  r->count = g.n_ready;
  r->rate = r->seconds > 0 ? (double)g.n_ready / r->seconds : 0;
  r->unit = "conn/s";
  r->failed = g.hs_failed;
  set_lat(r, &g.hist);
  set_cpu(r, &c0, &c1);
  set_per_op(r, &c0, &c1, "connect", g.n_ready, t1 - t0);
  progress("ramp done");
}

static void phase_idle(long srv_before, long self_before) {
  uint64_t t0 = lt_now_us();
  lt_cpu c0, c1;
  lt_cpu_sample(&c0, g.o.server_pid, t0);
  if (!g.o.quiet) fprintf(stderr, "[sioload] idle %.1f s\n", g.o.idle_s);
  run_for(t0 + (uint64_t)(g.o.idle_s * 1e6));
  uint64_t t1 = lt_now_us();
  lt_cpu_sample(&c1, g.o.server_pid, t1);
  result *r = new_result("idle", "idle memory");
  if (!r) return;
  r->clients = g.n_ready;
  r->seconds = (double)(t1 - t0) / 1e6;
  r->srv_rss_before = srv_before;
  r->self_rss_before = self_before;
  r->srv_rss_after = g.o.server_pid > 0 ? lt_rss_kib(g.o.server_pid) : -1;
  r->self_rss_after = lt_rss_kib(0);
  if (g.n_ready) {
    if (srv_before >= 0 && r->srv_rss_after >= 0)
      r->srv_kib_per_client = (double)(r->srv_rss_after - srv_before) / g.n_ready;
    r->self_kib_per_client = (double)(r->self_rss_after - self_before) / g.n_ready;
  }
  set_cpu(r, &c0, &c1);
}

static void phase_echo(uint32_t k) {
  char title[48];
  snprintf(title, sizeof title, "echo, %u in flight", k);
  /* Spread K outstanding acks over the ready clients, at most one client per ack. */
  uint32_t active = 0;
  for (uint32_t i = 0; i < g.o.clients && active < k; i++)
    if (g.cl[i].state == LT_CL_READY) active++;
  if (!active) return;
  result *r = new_result("echo", title);
  uint64_t dropped0 = g.dropped;
  uint32_t per = k / active, extra = k % active;
  lt_hist_reset(&g.hist);
  g.count = 0;
  g.phase = 2;
  g.sending = true;
  uint64_t t0 = lt_now_us();
  g.win_start = t0 + ECHO_WARMUP_US;
  g.win_end = g.win_start + (uint64_t)(g.o.echo_s * 1e6);
  uint32_t a = 0;
  for (uint32_t i = 0; i < g.o.clients && a < active; i++) {
    lt_client *cl = &g.cl[i];
    if (cl->state != LT_CL_READY) continue;
    cl->want_inflight = per + (a < extra ? 1 : 0);
    a++;
    if (ring_alloc(cl, cl->want_inflight) < 0) continue;
    while (cl->state == LT_CL_READY && cl->inflight < cl->want_inflight) {
      if (send_with_ack(cl, PEND_ECHO, g.echo_tail, g.echo_tail_len, t0) < 0) break;
      g.inflight_total++;
    }
  }
  lt_cpu c0, c1;
  bool ok = run_for(g.win_start);
  lt_cpu_sample(&c0, g.o.server_pid, lt_now_us());
  uint64_t last_print = lt_now_us();
  while (ok && lt_now_us() < g.win_end) {
    ok = turn(10);
    uint64_t now = lt_now_us();
    if (now - last_print > 1000000 && !g.o.quiet) {
      last_print = now;
      fprintf(stderr, "[sioload] %s: %.0f acks/s so far\n", title,
              (double)g.count * 1e6 / (double)(now - g.win_start));
    }
  }
  uint64_t t1 = lt_now_us();
  lt_cpu_sample(&c1, g.o.server_pid, t1);
  g.sending = false;
  uint64_t drain_end = lt_now_us() + DRAIN_US;
  while (ok && g.inflight_total > 0 && lt_now_us() < drain_end) ok = turn(10);
  g.phase = 0;
  for (uint32_t i = 0; i < g.o.clients; i++) g.cl[i].want_inflight = 0;
  if (!r) return;
  r->clients = active;
  r->param = k;
  /* Acks count only up to win_end; the loop may overshoot it by one turn. */
  uint64_t win_us = (t1 < g.win_end ? t1 : g.win_end) - g.win_start;
  r->seconds = (double)win_us / 1e6;
  r->count = g.count;
  r->rate = r->seconds > 0 ? (double)g.count / r->seconds : 0;
  r->unit = "acks/s";
  r->lost = g.inflight_total;
  r->failed = g.dropped - dropped0;
  set_lat(r, &g.hist);
  set_cpu(r, &c0, &c1);
  set_per_op(r, &c0, &c1, "ack", g.count, win_us);
  g.inflight_total = 0;
  for (uint32_t i = 0; i < g.o.clients; i++) g.cl[i].inflight = 0;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static void phase_broadcast(uint32_t size) {
  char title[48], room[32];
  uint32_t members = 0;
  for (uint32_t i = 0; i < g.o.clients; i++)
    if (g.cl[i].state == LT_CL_READY) members++;
  if (g.o.bcast_all) {
    snprintf(title, sizeof title, "broadcast to namespace (%u)", members ? members - 1 : 0);
  } else {
    if (members > size) members = size;
    snprintf(title, sizeof title, "room fan-out to %u", members);
  }
  snprintf(room, sizeof room, "bench-%u", size);
  if (members < 2) return;
  result *r = new_result("broadcast", title);
  uint64_t dropped0 = g.dropped;
  lt_client *sender = NULL;
  char buf[96];
  bool ok = true;
  if (!g.o.bcast_all) {
    /* Join: the first SIZE ready clients enter the room, every join acknowledged. */
    g.phase = 3;
    g.join_pending = 0;
    int tl = snprintf(buf, sizeof buf, "[\"join\",\"%s\"]", room);
    uint64_t now = lt_now_us();
    uint32_t m = 0;
    for (uint32_t i = 0; i < g.o.clients && m < members; i++) {
      lt_client *cl = &g.cl[i];
      if (cl->state != LT_CL_READY) continue;
      if (!sender) sender = cl;
      m++;
      cl->joined = false;
      if (ring_alloc(cl, 1) < 0) continue;
      if (send_with_ack(cl, PEND_JOIN, buf, (size_t)tl, now) == 0) g.join_pending++;
    }
    uint64_t until = lt_now_us() + JOIN_TIMEOUT_US;
    while (ok && g.join_pending > 0 && lt_now_us() < until) ok = turn(10);
    if (g.join_pending) fprintf(stderr, "sioload: %u joins unanswered\n", g.join_pending);
    members = m - g.join_pending;
  } else {
    for (uint32_t i = 0; i < g.o.clients && !sender; i++)
      if (g.cl[i].state == LT_CL_READY) sender = &g.cl[i];
    members -= 1; /* "broadcast" excludes the sender */
  }
  g.phase = 4;
  lt_hist_reset(&g.hist);
  uint64_t *firsts = calloc(g.o.rounds, sizeof *firsts);
  uint64_t *lasts = calloc(g.o.rounds, sizeof *lasts);
  uint32_t done = 0, incomplete = 0;
  lt_cpu c0, c1;
  lt_cpu_sample(&c0, g.o.server_pid, lt_now_us());
  uint64_t t0 = lt_now_us();
  for (uint32_t round = 0; ok && firsts && lasts && round < g.o.rounds; round++) {
    if (sender->state != LT_CL_READY) break;
    g.bseq = 1000000ULL * size + round;
    g.bexpect = members;
    g.bgot = 0;
    g.bfirst = g.blast = 0;
    int n = g.o.bcast_all
                ? snprintf(buf, sizeof buf, "2[\"broadcast\",%llu]", (unsigned long long)g.bseq)
                : snprintf(buf, sizeof buf, "2[\"to-room-all\",\"%s\",%llu]", room,
                           (unsigned long long)g.bseq);
    g.bsent_us = lt_now_us();
    if (lt_client_emit(&g.ctx, sender, buf, (size_t)n) < 0) break;
    uint64_t until = g.bsent_us + ROUND_TIMEOUT_US;
    while (ok && g.bgot < g.bexpect && lt_now_us() < until) ok = turn(5);
    if (g.bgot < g.bexpect) incomplete++;
    firsts[done] = g.bfirst;
    lasts[done] = g.blast;
    done++;
    ok = ok && run_for(lt_now_us() + ROUND_GAP_US);
  }
  uint64_t t1 = lt_now_us();
  lt_cpu_sample(&c1, g.o.server_pid, t1);
  g.phase = 0;
  if (r && done) {
    qsort(firsts, done, sizeof *firsts, cmp_u64);
    qsort(lasts, done, sizeof *lasts, cmp_u64);
    r->clients = members;
    r->param = size;
    r->rounds = done;
    r->incomplete = incomplete;
    r->seconds = (double)(t1 - t0) / 1e6;
    r->count = g.hist.count;
    r->rate = r->seconds > 0 ? (double)g.hist.count / r->seconds : 0;
    r->unit = "deliveries/s";
    r->first_p50 = firsts[done / 2];
    r->last_p50 = lasts[done / 2];
    r->last_p99 = lasts[(size_t)((done - 1) * 0.99)];
    r->last_max = lasts[done - 1];
    r->failed = g.dropped - dropped0;
    set_lat(r, &g.hist);
    set_cpu(r, &c0, &c1);
    set_per_op(r, &c0, &c1, "delivery", g.hist.count, t1 - t0);
  }
  free(firsts);
  free(lasts);
}

static void phase_churn(void) {
  g.n_churn = g.o.churn_conc;
  g.churn = calloc(g.n_churn, sizeof *g.churn);
  result *r = new_result("churn", "connect/disconnect churn");
  if (!g.churn) return;
  for (uint32_t i = 0; i < g.n_churn; i++) {
    lt_client_init(&g.churn[i], i);
    g.churn[i].churn = true;
  }
  uint32_t saved_ips = g.ctx.source_ips;
  if (g.ctx.source_ips < 32) g.ctx.source_ips = 32;
  lt_hist_reset(&g.hist);
  g.churn_ok = 0;
  uint64_t fails0 = g.hs_failed;
  g.phase = 5;
  uint64_t t0 = lt_now_us();
  g.win_start = t0;
  g.win_end = t0 + (uint64_t)(g.o.churn_s * 1e6);
  lt_cpu c0, c1;
  lt_cpu_sample(&c0, g.o.server_pid, t0);
  bool ok = true;
  uint64_t last_print = t0;
  while (ok && lt_now_us() < g.win_end) {
    uint64_t now = lt_now_us();
    for (uint32_t i = 0; i < g.n_churn; i++) {
      lt_client *cl = &g.churn[i];
      if (cl->state == LT_CL_IDLE || cl->state == LT_CL_DEAD) lt_client_start(&g.ctx, cl, now);
    }
    if (now - last_print > 1000000 && !g.o.quiet) {
      last_print = now;
      fprintf(stderr, "[sioload] churn: %.0f connects/s so far\n",
              (double)g.churn_ok * 1e6 / (double)(now - t0));
    }
    ok = turn(5);
  }
  uint64_t t1 = lt_now_us();
  lt_cpu_sample(&c1, g.o.server_pid, t1);
  g.phase = 0;
  for (uint32_t i = 0; i < g.n_churn; i++) lt_client_close(&g.ctx, &g.churn[i], t1);
  uint64_t until = t1 + 2500000ULL;
  for (;;) {
    uint32_t busy = 0;
    for (uint32_t i = 0; i < g.n_churn; i++)
      busy += g.churn[i].state == LT_CL_CLOSING || g.churn[i].state == LT_CL_HANDSHAKE;
    if (!busy || lt_now_us() > until || !turn(10)) break;
  }
  for (uint32_t i = 0; i < g.n_churn; i++) lt_client_reset(&g.ctx, &g.churn[i]);
  g.ctx.source_ips = saved_ips;
  if (!r) return;
  r->clients = g.n_churn;
  uint64_t win_us = (t1 < g.win_end ? t1 : g.win_end) - t0;
  r->seconds = (double)win_us / 1e6;
  r->count = g.churn_ok;
  r->rate = r->seconds > 0 ? (double)g.churn_ok / r->seconds : 0;
  r->unit = "connects/s";
  r->failed = g.hs_failed - fails0;
  set_lat(r, &g.hist);
  set_cpu(r, &c0, &c1);
  set_per_op(r, &c0, &c1, "connect", g.churn_ok, win_us);
}

/* ---- output -------------------------------------------------------------------------- */

static void fmt_us(char *out, size_t cap, uint64_t us, bool have) {
  if (!have)
    snprintf(out, cap, "-");
  else if (us < 10000)
    snprintf(out, cap, "%.3f ms", (double)us / 1000.0);
  else
    snprintf(out, cap, "%.1f ms", (double)us / 1000.0);
}

static void fmt_pct(char *out, size_t cap, double v) {
  if (v < 0)
    snprintf(out, cap, "-");
  else
    snprintf(out, cap, "%.0f%%", v);
}

static void fmt_us_op(char *out, size_t cap, double v) {
  if (v < 0)
    snprintf(out, cap, "-");
  else if (v < 100)
    snprintf(out, cap, "%.2f", v);
  else
    snprintf(out, cap, "%.0f", v);
}

/* One table line: the fixed columns, then CPU shares and CPU per operation. */
static void table_line(FILE *f, const result *r, const char *val, const char *a, const char *b,
                       const char *c) {
  char sc[16], vc[16], oc[16], so[24], vo[24];
  fmt_pct(sc, sizeof sc, r->self_cpu);
  fmt_pct(oc, sizeof oc, r->other_cpu);
  fmt_pct(vc, sizeof vc, r->server_cpu);
  fmt_us_op(vo, sizeof vo, r->op ? r->srv_us_per_op : -1);
  fmt_us_op(so, sizeof so, r->op ? r->self_us_per_op : -1);
  fprintf(f, "%-30s %7u %22s %10s %10s %10s %8s %8s %8s %10s %10s\n", r->title, r->clients, val, a,
          b, c, sc, vc, oc, vo, so);
}

static void print_table(FILE *f) {
  fprintf(f, "\nsioload %s over %s, %u clients%s\n", g.o.url,
          g.o.transport == LT_POLLING ? "polling" : "websocket", g.o.clients,
          g.aborted ? " (ABORTED by --duration or signal)" : "");
  fprintf(f, "%-30s %7s %22s %10s %10s %10s %8s %8s %8s %10s %10s\n", "phase", "clients", "result",
          "p50", "p99", "p99.9", "sioload", "server", "others", "srv us/op", "load us/op");
  for (size_t i = 0; i < g.n_res; i++) {
    const result *r = &g.res[i];
    char val[64], a[24], b[24], c[24];
    if (strcmp(r->phase, "idle") == 0) {
      if (r->srv_rss_after >= 0)
        snprintf(val, sizeof val, "%.1f KiB/client", r->srv_kib_per_client);
      else
        snprintf(val, sizeof val, "(no --server-pid)");
      table_line(f, r, val, "-", "-", "-");
      if (r->srv_rss_after >= 0)
        fprintf(f, "    server RSS %.1f -> %.1f MiB", r->srv_rss_before / 1024.0,
                r->srv_rss_after / 1024.0);
      fprintf(f, "%s sioload %.1f KiB/client (RSS %.1f MiB)\n", r->srv_rss_after >= 0 ? ";" : "   ",
              r->self_kib_per_client, r->self_rss_after / 1024.0);
      continue;
    }
    snprintf(val, sizeof val, "%.0f %s", r->rate, r->unit ? r->unit : "");
    if (strcmp(r->phase, "broadcast") == 0) {
      fmt_us(a, sizeof a, r->first_p50, r->rounds > 0);
      fmt_us(b, sizeof b, r->last_p50, r->rounds > 0);
      fmt_us(c, sizeof c, r->last_p99, r->rounds > 0);
      table_line(f, r, "first/last p50", a, b, c);
      fprintf(f,
              "    %u rounds, %u incomplete, %llu clients dropped; columns: first delivery p50, "
              "last delivery p50, last p99 (over rounds)\n",
              r->rounds, r->incomplete, (unsigned long long)r->failed);
      continue;
    }
    fmt_us(a, sizeof a, r->p50, r->has_lat);
    fmt_us(b, sizeof b, r->p99, r->has_lat);
    fmt_us(c, sizeof c, r->p999, r->has_lat);
    table_line(f, r, val, a, b, c);
    if (r->failed || r->lost)
      fprintf(f, "    %s %llu, lost %llu\n",
              strcmp(r->phase, "echo") == 0 ? "clients dropped" : "failed",
              (unsigned long long)r->failed, (unsigned long long)r->lost);
  }
  fprintf(f, "CPU columns: percent of one core over the measured window (sioload: getrusage; "
             "server: /proc/PID/stat utime+stime; others: every other process, /proc/stat).\n"
             "us/op: CPU microseconds per operation in the window (echo: per ack; fan-out: per "
             "delivery; ramp, churn: per connect), server and sioload apart.\n");
  for (size_t i = 0; i < 8 && g.err_name[i]; i++)
    fprintf(f, "client errors: %llu x %s\n", (unsigned long long)g.err_count[i], g.err_name[i]);
}

static void json_str(FILE *f, const char *s) {
  fputc('"', f);
  for (; s && *s; s++) {
    if (*s == '"' || *s == '\\') fputc('\\', f);
    if ((unsigned char)*s >= 0x20) fputc(*s, f);
  }
  fputc('"', f);
}

static int write_json(const char *path) {
  FILE *f = fopen(path, "w");
  if (!f) return -1;
  fprintf(f, "{\"tool\":\"sioload\",\"format\":1,\"label\":");
  json_str(f, g.o.label);
  fprintf(f, ",\"url\":");
  json_str(f, g.o.url);
  fprintf(f, ",\"transport\":\"%s\",\"clients\":%u,\"aborted\":%s,\"last_error\":",
          g.o.transport == LT_POLLING ? "polling" : "websocket", g.o.clients,
          g.aborted ? "true" : "false");
  if (g.last_error)
    json_str(f, g.last_error);
  else
    fprintf(f, "null");
  fprintf(f, ",\"errors\":{");
  for (size_t i = 0; i < 8 && g.err_name[i]; i++) {
    fprintf(f, "%s", i ? "," : "");
    json_str(f, g.err_name[i]);
    fprintf(f, ":%llu", (unsigned long long)g.err_count[i]);
  }
  fprintf(f, "},\"phases\":[");
  for (size_t i = 0; i < g.n_res; i++) {
    const result *r = &g.res[i];
    fprintf(f, "%s\n {\"phase\":\"%s\",\"title\":", i ? "," : "", r->phase);
    json_str(f, r->title);
    fprintf(f, ",\"clients\":%u,\"param\":%u,\"seconds\":%.3f,\"count\":%llu,\"rate\":%.1f",
            r->clients, r->param, r->seconds, (unsigned long long)r->count, r->rate);
    fprintf(f, ",\"failed\":%llu,\"lost\":%llu", (unsigned long long)r->failed,
            (unsigned long long)r->lost);
    if (r->has_lat)
      fprintf(f, ",\"latency_us\":{\"p50\":%llu,\"p99\":%llu,\"p999\":%llu,\"max\":%llu}",
              (unsigned long long)r->p50, (unsigned long long)r->p99, (unsigned long long)r->p999,
              (unsigned long long)r->max);
    if (strcmp(r->phase, "broadcast") == 0)
      fprintf(f,
              ",\"rounds\":%u,\"incomplete\":%u,\"first_p50_us\":%llu,\"last_p50_us\":%llu,"
              "\"last_p99_us\":%llu,\"last_max_us\":%llu",
              r->rounds, r->incomplete, (unsigned long long)r->first_p50,
              (unsigned long long)r->last_p50, (unsigned long long)r->last_p99,
              (unsigned long long)r->last_max);
    if (strcmp(r->phase, "idle") == 0) {
      fprintf(f, ",\"server_rss_kib\":[%ld,%ld],\"sioload_rss_kib\":[%ld,%ld]", r->srv_rss_before,
              r->srv_rss_after, r->self_rss_before, r->self_rss_after);
      if (r->srv_rss_after >= 0)
        fprintf(f, ",\"server_kib_per_client\":%.2f", r->srv_kib_per_client);
      fprintf(f, ",\"sioload_kib_per_client\":%.2f", r->self_kib_per_client);
    }
    if (r->op) {
      /* Raw CPU window and CPU per operation; the server's from its utime + stime only. */
      fprintf(f, ",\"cpu_us\":{\"wall\":%llu,\"sioload\":%llu,\"server\":",
              (unsigned long long)r->cpu_wall_us, (unsigned long long)r->self_cpu_us);
      if (r->srv_cpu_ok)
        fprintf(f, "%llu", (unsigned long long)r->srv_cpu_us);
      else
        fprintf(f, "null");
      /* The server's figure moves in clock ticks: short windows are coarse. */
      fprintf(f, ",\"server_tick\":%llu}", (unsigned long long)lt_cpu_tick_us());
      fprintf(f, ",\"cpu_us_per_op\":{\"op\":\"%s\",\"server\":", r->op);
      if (r->srv_us_per_op >= 0)
        fprintf(f, "%.3f", r->srv_us_per_op);
      else
        fprintf(f, "null");
      if (r->self_us_per_op >= 0)
        fprintf(f, ",\"sioload\":%.3f}", r->self_us_per_op);
      else
        fprintf(f, ",\"sioload\":null}");
    }
    fprintf(f, ",\"cpu_pct\":{\"sioload\":%.1f,\"server\":", r->self_cpu);
    if (r->server_cpu >= 0)
      fprintf(f, "%.1f", r->server_cpu);
    else
      fprintf(f, "null");
    if (r->other_cpu >= 0)
      fprintf(f, ",\"others\":%.1f}}", r->other_cpu);
    else
      fprintf(f, ",\"others\":null}}");
  }
  fprintf(f, "\n]}\n");
  return fclose(f);
}

/* ---- main ---------------------------------------------------------------------------- */

static int parse_args(int argc, char **argv) {
  options *o = &g.o;
  *o = (options){.clients = 100,
                 .ramp_rate = 2000,
                 .ramp_conc = 200,
                 .idle_s = 2,
                 .echo_s = 5,
                 .payload = 16,
                 .rounds = 20,
                 .churn_conc = 50,
                 .duration_s = 300,
                 .label = "",
                 .source_ips = 1};
  o->inflight[0] = 10;
  o->n_inflight = 1;
  enum {
    O_RAMP = 256,
    O_RCONC,
    O_IDLE,
    O_INFL,
    O_ECHO,
    O_PAY,
    O_BC,
    O_BCM,
    O_ROUNDS,
    O_CHURN,
    O_CCONC,
    O_PID,
    O_DUR,
    O_JSON,
    O_LABEL,
    O_SRC
  };
  static const struct option lo[] = {{"clients", 1, 0, 'n'},
                                     {"transport", 1, 0, 't'},
                                     {"ramp-rate", 1, 0, O_RAMP},
                                     {"ramp-concurrency", 1, 0, O_RCONC},
                                     {"idle", 1, 0, O_IDLE},
                                     {"inflight", 1, 0, O_INFL},
                                     {"echo-time", 1, 0, O_ECHO},
                                     {"payload", 1, 0, O_PAY},
                                     {"broadcast", 1, 0, O_BC},
                                     {"broadcast-mode", 1, 0, O_BCM},
                                     {"rounds", 1, 0, O_ROUNDS},
                                     {"churn", 1, 0, O_CHURN},
                                     {"churn-concurrency", 1, 0, O_CCONC},
                                     {"server-pid", 1, 0, O_PID},
                                     {"duration", 1, 0, O_DUR},
                                     {"json", 1, 0, O_JSON},
                                     {"label", 1, 0, O_LABEL},
                                     {"source-ips", 1, 0, O_SRC},
                                     {"quiet", 0, 0, 'q'},
                                     {"help", 0, 0, 'h'},
                                     {0, 0, 0, 0}};
  int c;
  bool ok = true;
  while ((c = getopt_long(argc, argv, "n:t:qh", lo, NULL)) != -1) {
    switch (c) {
    case 'n':
      o->clients = (uint32_t)parse_num(optarg, MAX_CLIENTS, &ok);
      break;
    case 't':
      if (strcmp(optarg, "websocket") == 0)
        o->transport = LT_WEBSOCKET;
      else if (strcmp(optarg, "polling") == 0)
        o->transport = LT_POLLING;
      else
        ok = false;
      break;
    case O_RAMP:
      o->ramp_rate = (uint32_t)parse_num(optarg, 1000000, &ok);
      break;
    case O_RCONC:
      o->ramp_conc = (uint32_t)parse_num(optarg, MAX_CLIENTS, &ok);
      break;
    case O_IDLE:
      o->idle_s = parse_num(optarg, MAX_PHASE_SECONDS, &ok);
      break;
    case O_INFL:
      ok = ok && parse_list(optarg, o->inflight, &o->n_inflight, MAX_INFLIGHT) == 0;
      break;
    case O_ECHO:
      o->echo_s = parse_num(optarg, MAX_PHASE_SECONDS, &ok);
      break;
    case O_PAY:
      o->payload = (uint32_t)parse_num(optarg, 4096, &ok);
      break;
    case O_BC:
      ok = ok && parse_list(optarg, o->bcast, &o->n_bcast, MAX_CLIENTS) == 0;
      break;
    case O_BCM:
      if (strcmp(optarg, "room") == 0)
        o->bcast_all = false;
      else if (strcmp(optarg, "namespace") == 0)
        o->bcast_all = true;
      else
        ok = false;
      break;
    case O_ROUNDS:
      o->rounds = (uint32_t)parse_num(optarg, MAX_ROUNDS, &ok);
      break;
    case O_CHURN:
      o->churn_s = parse_num(optarg, MAX_PHASE_SECONDS, &ok);
      break;
    case O_CCONC:
      o->churn_conc = (uint32_t)parse_num(optarg, MAX_CHURN_CONC, &ok);
      break;
    case O_PID:
      o->server_pid = (pid_t)parse_num(optarg, 1e9, &ok);
      break;
    case O_DUR:
      o->duration_s = parse_num(optarg, MAX_DURATION, &ok);
      break;
    case O_JSON:
      o->json_path = optarg;
      break;
    case O_LABEL:
      o->label = optarg;
      break;
    case O_SRC:
      o->source_ips = (uint32_t)parse_num(optarg, 250, &ok);
      break;
    case 'q':
      o->quiet = true;
      break;
    case 'h':
      usage(stdout);
      exit(0);
    default:
      ok = false;
    }
  }
  if (!ok || optind != argc - 1 || o->clients == 0 || o->ramp_rate == 0 || o->ramp_conc == 0 ||
      o->churn_conc == 0 || o->rounds == 0) {
    usage(stderr);
    return -1;
  }
  o->url = argv[optind];
  return 0;
}

int main(int argc, char **argv) {
  if (parse_args(argc, argv) < 0) return 2;
  struct sockaddr_in sa;
  char path[128];
  int u = parse_url(g.o.url, &sa, path, sizeof path);
  if (u < 0) {
    fprintf(stderr, "sioload: %s: %s\n", g.o.url,
            u == -2 ? "only loopback (127.0.0.0/8) targets are allowed" : "bad URL");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  uint32_t per = g.o.transport == LT_POLLING ? 2 : 1;
  raise_nofile(g.o.clients * per + (g.o.churn_s > 0 ? g.o.churn_conc * 2 : 0) + 64);
  if (lt_ctx_init(&g.ctx, g.o.transport, &sa, path) < 0) {
    perror("sioload");
    return 2;
  }
  g.ctx.source_ips = g.o.source_ips ? g.o.source_ips : 1;
  g.ctx.hooks = (lt_hooks){
      .on_ready = hook_ready, .on_ack = hook_ack, .on_event = hook_event, .on_dead = hook_dead};
  g.cl = calloc(g.o.clients, sizeof *g.cl);
  if (!g.cl) {
    perror("sioload");
    return 2;
  }
  for (uint32_t i = 0; i < g.o.clients; i++) lt_client_init(&g.cl[i], i);
  /* The echo event: ["message-with-ack","xxxx..."] with a string of --payload bytes. */
  int tl = snprintf(g.echo_tail, sizeof g.echo_tail, "[\"message-with-ack\",\"");
  memset(g.echo_tail + tl, 'x', g.o.payload);
  tl += (int)g.o.payload;
  tl += snprintf(g.echo_tail + tl, sizeof g.echo_tail - (size_t)tl, "\"]");
  g.echo_tail_len = (size_t)tl;
  g.t_deadline = lt_now_us() + (uint64_t)(g.o.duration_s * 1e6);

  long srv_before = g.o.server_pid > 0 ? lt_rss_kib(g.o.server_pid) : -1;
  long self_before = lt_rss_kib(0);
  if (g.o.server_pid > 0 && srv_before < 0)
    fprintf(stderr, "sioload: cannot read /proc/%d/status; server figures omitted\n",
            (int)g.o.server_pid);

  phase_ramp();
  if (!g.aborted && !g.stop && g.o.idle_s > 0) phase_idle(srv_before, self_before);
  for (size_t i = 0; i < g.o.n_inflight && !g.aborted && !g.stop; i++) phase_echo(g.o.inflight[i]);
  for (size_t i = 0; i < g.o.n_bcast && !g.aborted && !g.stop; i++) phase_broadcast(g.o.bcast[i]);
  if (!g.aborted && !g.stop && g.o.churn_s > 0) phase_churn();

  print_table(stdout);
  int rc = 0;
  if (g.o.json_path && write_json(g.o.json_path) != 0) {
    perror(g.o.json_path);
    rc = 2;
  }
  for (uint32_t i = 0; i < g.o.clients; i++) {
    lt_client_reset(&g.ctx, &g.cl[i]);
    free(g.cl[i].ring);
  }
  free(g.cl);
  free(g.churn);
  free(g.msg);
  lt_ctx_free(&g.ctx);
  if (g.n_ready == 0) rc = rc ? rc : 2;
  return rc;
}
