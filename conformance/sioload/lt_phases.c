/* The phases and the client callbacks (see lt_phases.h). Phase numbers in sl.phase:
 * 0 none, 1 ramp, 2 echo, 3 join, 4 round, 5 churn. */
#include "lt_phases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lt_run.h"

#define ECHO_WARMUP_US   500000ULL
#define DRAIN_US         3000000ULL
#define JOIN_TIMEOUT_US  30000000ULL
#define ROUND_TIMEOUT_US 5000000ULL
#define ROUND_GAP_US     20000ULL
#define PEND_ECHO        1
#define PEND_JOIN        2

static char *msg_reserve(size_t n) {
  if (n > sl.msg_cap) {
    char *m = realloc(sl.msg, n);
    if (!m) return NULL;
    sl.msg = m;
    sl.msg_cap = n;
  }
  return sl.msg;
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
  return lt_client_emit(&sl.ctx, cl, m, (size_t)h + tail_len);
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
    if (sl.phase == 5 && now >= sl.win_start && now <= sl.win_end) {
      sl.churn_ok++;
      lt_hist_add(&sl.hist, now - cl->t_start_us);
    }
    lt_client_close(&sl.ctx, cl, now);
    return;
  }
  sl.n_hs--;
  sl.n_ready++;
  cl->joined = false;
  if (sl.phase == 1) lt_hist_add(&sl.hist, now - cl->t_start_us);
}

static void hook_dead(lt_ctx *ctx, lt_client *cl, uint64_t now) {
  (void)ctx;
  (void)now;
  if (cl->state == LT_CL_DEAD && cl->error) {
    sl.last_error = cl->error;
    for (size_t i = 0; i < 8; i++) {
      if (sl.err_name[i] && sl.err_name[i] != cl->error) continue;
      sl.err_name[i] = cl->error;
      sl.err_count[i]++;
      break;
    }
  }
  if (cl->churn) {
    if (cl->state == LT_CL_DEAD) sl.hs_failed++;
    return; /* restarted by the churn loop, never from inside a callback */
  }
  if (cl->ring)
    for (uint32_t i = 0; i <= cl->ring_mask; i++) {
      if (cl->ring[i].kind == PEND_ECHO && sl.inflight_total) sl.inflight_total--;
      if (cl->ring[i].kind == PEND_JOIN && sl.join_pending) sl.join_pending--;
      cl->ring[i].kind = 0;
    }
  cl->inflight = 0;
  cl->want_inflight = 0;
  if (cl->was_ready) {
    sl.n_ready--;
    sl.dropped++;
  } else {
    sl.n_hs--;
    sl.hs_failed++;
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
    sl.join_pending--;
    return;
  }
  sl.inflight_total--;
  if (now >= sl.win_start && now <= sl.win_end) {
    sl.count++;
    lt_hist_add(&sl.hist, now - p->t_us);
  }
  if (sl.sending && cl->inflight < cl->want_inflight) {
    if (send_with_ack(cl, PEND_ECHO, sl.echo_tail, sl.echo_tail_len, now) == 0) sl.inflight_total++;
  }
}

static void hook_event(lt_ctx *ctx, lt_client *cl, const uint8_t *data, size_t len, uint64_t now) {
  (void)ctx;
  (void)cl;
  if (sl.phase != 4) return;
  static const char room[] = "[\"room-message\",", all[] = "[\"broadcast-message\",";
  const char *pre = sl.o.bcast_all ? all : room;
  size_t pl = sl.o.bcast_all ? sizeof all - 1 : sizeof room - 1;
  if (len <= pl || memcmp(data, pre, pl) != 0) return;
  uint64_t seq = 0;
  for (size_t i = pl; i < len && data[i] >= '0' && data[i] <= '9'; i++)
    seq = seq * 10 + (uint64_t)(data[i] - '0');
  if (seq != sl.bseq) return;
  uint64_t lat = now - sl.bsent_us;
  if (sl.bgot == 0) sl.bfirst = lat;
  sl.bgot++;
  sl.blast = lat;
  lt_hist_add(&sl.hist, lat);
}

/* ---- the loop ------------------------------------------------------------------------ */

static void progress(const char *what) {
  if (sl.o.quiet) return;
  fprintf(stderr, "[sioload] %s: ready %u/%u, handshaking %u, failed %llu, dropped %llu\n", what,
          sl.n_ready, sl.o.clients, sl.n_hs, (unsigned long long)sl.hs_failed,
          (unsigned long long)sl.dropped);
}

/* One turn of the event loop. Returns false when the run must end (signal, cap). */
static bool turn(int timeout_ms) {
  static uint64_t last_sweep;
  if (sl.stop) return false;
  if (lt_ctx_poll(&sl.ctx, timeout_ms) < 0) {
    perror("sioload: epoll_wait");
    sl.stop = 1;
    return false;
  }
  uint64_t now = lt_now_us();
  if (now - last_sweep > 100000) {
    last_sweep = now;
    lt_ctx_sweep(&sl.ctx, sl.cl, sl.o.clients, now);
    if (sl.churn) lt_ctx_sweep(&sl.ctx, sl.churn, sl.n_churn, now);
  }
  if (now > sl.t_deadline) {
    if (!sl.aborted) fprintf(stderr, "sioload: --duration reached, stopping\n");
    sl.aborted = true;
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

void lt_phase_ramp(void) {
  lt_result *r = lt_result_new("ramp", "ramp-up");
  lt_cpu c0, c1;
  uint64_t t0 = lt_now_us();
  lt_cpu_sample(&c0, sl.o.server_pid, t0);
  lt_hist_reset(&sl.hist);
  sl.phase = 1;
  uint32_t started = 0;
  uint64_t last_print = t0;
  while (started < sl.o.clients || sl.n_hs > 0) { /* every client started and settled */
    uint64_t now = lt_now_us();
    uint64_t allowed = (now - t0) * sl.o.ramp_rate / 1000000ULL + 1;
    while (started < sl.o.clients && started < allowed && sl.n_hs < sl.o.ramp_conc) {
      sl.n_hs++;
      lt_client_start(&sl.ctx, &sl.cl[started], now);
      started++;
    }
    if (now - last_print > 1000000) {
      last_print = now;
      progress("ramp");
    }
    if (!turn(started < sl.o.clients ? 1 : 10)) break;
  }
  uint64_t t1 = lt_now_us();
  lt_cpu_sample(&c1, sl.o.server_pid, t1);
  sl.phase = 0;
  if (!r) return;
  r->clients = sl.n_ready;
  r->seconds = (double)(t1 - t0) / 1e6;
  r->count = sl.n_ready;
  r->rate = r->seconds > 0 ? (double)sl.n_ready / r->seconds : 0;
  r->unit = "conn/s";
  r->failed = sl.hs_failed;
  lt_result_lat(r, &sl.hist);
  lt_result_cpu(r, &c0, &c1);
  lt_result_per_op(r, &c0, &c1, "connect", sl.n_ready, t1 - t0);
  progress("ramp done");
}

void lt_phase_idle(long srv_before, long self_before) {
  uint64_t t0 = lt_now_us();
  lt_cpu c0, c1;
  lt_cpu_sample(&c0, sl.o.server_pid, t0);
  if (!sl.o.quiet) fprintf(stderr, "[sioload] idle %.1f s\n", sl.o.idle_s);
  run_for(t0 + (uint64_t)(sl.o.idle_s * 1e6));
  uint64_t t1 = lt_now_us();
  lt_cpu_sample(&c1, sl.o.server_pid, t1);
  lt_result *r = lt_result_new("idle", "idle memory");
  if (!r) return;
  r->clients = sl.n_ready;
  r->seconds = (double)(t1 - t0) / 1e6;
  r->srv_rss_before = srv_before;
  r->self_rss_before = self_before;
  r->srv_rss_after = sl.o.server_pid > 0 ? lt_rss_kib(sl.o.server_pid) : -1;
  r->self_rss_after = lt_rss_kib(0);
  if (sl.n_ready) {
    if (srv_before >= 0 && r->srv_rss_after >= 0)
      r->srv_kib_per_client = (double)(r->srv_rss_after - srv_before) / sl.n_ready;
    r->self_kib_per_client = (double)(r->self_rss_after - self_before) / sl.n_ready;
  }
  lt_result_cpu(r, &c0, &c1);
}

void lt_phase_echo(uint32_t k) {
  char title[48];
  snprintf(title, sizeof title, "echo, %u in flight", k);
  /* Spread K outstanding acks over the ready clients, at most one client per ack. */
  uint32_t active = 0;
  for (uint32_t i = 0; i < sl.o.clients && active < k; i++)
    if (sl.cl[i].state == LT_CL_READY) active++;
  if (!active) return;
  lt_result *r = lt_result_new("echo", title);
  uint64_t dropped0 = sl.dropped;
  uint32_t per = k / active, extra = k % active;
  lt_hist_reset(&sl.hist);
  sl.count = 0;
  sl.phase = 2;
  sl.sending = true;
  uint64_t t0 = lt_now_us();
  sl.win_start = t0 + ECHO_WARMUP_US;
  sl.win_end = sl.win_start + (uint64_t)(sl.o.echo_s * 1e6);
  uint32_t a = 0;
  for (uint32_t i = 0; i < sl.o.clients && a < active; i++) {
    lt_client *cl = &sl.cl[i];
    if (cl->state != LT_CL_READY) continue;
    cl->want_inflight = per + (a < extra ? 1 : 0);
    a++;
    if (ring_alloc(cl, cl->want_inflight) < 0) continue;
    while (cl->state == LT_CL_READY && cl->inflight < cl->want_inflight) {
      if (send_with_ack(cl, PEND_ECHO, sl.echo_tail, sl.echo_tail_len, t0) < 0) break;
      sl.inflight_total++;
    }
  }
  lt_cpu c0, c1;
  bool ok = run_for(sl.win_start);
  lt_cpu_sample(&c0, sl.o.server_pid, lt_now_us());
  uint64_t last_print = lt_now_us();
  while (ok && lt_now_us() < sl.win_end) {
    ok = turn(10);
    uint64_t now = lt_now_us();
    if (now - last_print > 1000000 && !sl.o.quiet) {
      last_print = now;
      fprintf(stderr, "[sioload] %s: %.0f acks/s so far\n", title,
              (double)sl.count * 1e6 / (double)(now - sl.win_start));
    }
  }
  uint64_t t1 = lt_now_us();
  lt_cpu_sample(&c1, sl.o.server_pid, t1);
  sl.sending = false;
  uint64_t drain_end = lt_now_us() + DRAIN_US;
  while (ok && sl.inflight_total > 0 && lt_now_us() < drain_end) ok = turn(10);
  sl.phase = 0;
  for (uint32_t i = 0; i < sl.o.clients; i++) sl.cl[i].want_inflight = 0;
  if (!r) return;
  r->clients = active;
  r->param = k;
  /* Acks count only up to win_end; the loop may overshoot it by one turn. */
  uint64_t win_us = (t1 < sl.win_end ? t1 : sl.win_end) - sl.win_start;
  r->seconds = (double)win_us / 1e6;
  r->count = sl.count;
  r->rate = r->seconds > 0 ? (double)sl.count / r->seconds : 0;
  r->unit = "acks/s";
  r->lost = sl.inflight_total;
  r->failed = sl.dropped - dropped0;
  lt_result_lat(r, &sl.hist);
  lt_result_cpu(r, &c0, &c1);
  lt_result_per_op(r, &c0, &c1, "ack", sl.count, win_us);
  sl.inflight_total = 0;
  for (uint32_t i = 0; i < sl.o.clients; i++) sl.cl[i].inflight = 0;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

void lt_phase_broadcast(uint32_t size) {
  char title[48], room[32];
  uint32_t members = 0;
  for (uint32_t i = 0; i < sl.o.clients; i++)
    if (sl.cl[i].state == LT_CL_READY) members++;
  if (sl.o.bcast_all) {
    snprintf(title, sizeof title, "broadcast to namespace (%u)", members ? members - 1 : 0);
  } else {
    if (members > size) members = size;
    snprintf(title, sizeof title, "room fan-out to %u", members);
  }
  snprintf(room, sizeof room, "bench-%u", size);
  if (members < 2) return;
  lt_result *r = lt_result_new("broadcast", title);
  uint64_t dropped0 = sl.dropped;
  lt_client *sender = NULL;
  char buf[96];
  bool ok = true;
  if (!sl.o.bcast_all) {
    /* Join: the first SIZE ready clients enter the room, every join acknowledged. */
    sl.phase = 3;
    sl.join_pending = 0;
    int tl = snprintf(buf, sizeof buf, "[\"join\",\"%s\"]", room);
    uint64_t now = lt_now_us();
    uint32_t m = 0;
    for (uint32_t i = 0; i < sl.o.clients && m < members; i++) {
      lt_client *cl = &sl.cl[i];
      if (cl->state != LT_CL_READY) continue;
      if (!sender) sender = cl;
      m++;
      cl->joined = false;
      if (ring_alloc(cl, 1) < 0) continue;
      if (send_with_ack(cl, PEND_JOIN, buf, (size_t)tl, now) == 0) sl.join_pending++;
    }
    uint64_t until = lt_now_us() + JOIN_TIMEOUT_US;
    while (ok && sl.join_pending > 0 && lt_now_us() < until) ok = turn(10);
    if (sl.join_pending) fprintf(stderr, "sioload: %u joins unanswered\n", sl.join_pending);
    members = m - sl.join_pending;
  } else {
    for (uint32_t i = 0; i < sl.o.clients && !sender; i++)
      if (sl.cl[i].state == LT_CL_READY) sender = &sl.cl[i];
    members -= 1; /* "broadcast" excludes the sender */
  }
  sl.phase = 4;
  lt_hist_reset(&sl.hist);
  uint64_t *firsts = calloc(sl.o.rounds, sizeof *firsts);
  uint64_t *lasts = calloc(sl.o.rounds, sizeof *lasts);
  uint32_t done = 0, incomplete = 0;
  lt_cpu c0, c1;
  lt_cpu_sample(&c0, sl.o.server_pid, lt_now_us());
  uint64_t t0 = lt_now_us();
  for (uint32_t round = 0; ok && firsts && lasts && round < sl.o.rounds; round++) {
    if (sender->state != LT_CL_READY) break;
    sl.bseq = 1000000ULL * size + round;
    sl.bexpect = members;
    sl.bgot = 0;
    sl.bfirst = sl.blast = 0;
    int n = sl.o.bcast_all
                ? snprintf(buf, sizeof buf, "2[\"broadcast\",%llu]", (unsigned long long)sl.bseq)
                : snprintf(buf, sizeof buf, "2[\"to-room-all\",\"%s\",%llu]", room,
                           (unsigned long long)sl.bseq);
    sl.bsent_us = lt_now_us();
    if (lt_client_emit(&sl.ctx, sender, buf, (size_t)n) < 0) break;
    uint64_t until = sl.bsent_us + ROUND_TIMEOUT_US;
    while (ok && sl.bgot < sl.bexpect && lt_now_us() < until) ok = turn(5);
    if (sl.bgot < sl.bexpect) incomplete++;
    firsts[done] = sl.bfirst;
    lasts[done] = sl.blast;
    done++;
    ok = ok && run_for(lt_now_us() + ROUND_GAP_US);
  }
  uint64_t t1 = lt_now_us();
  lt_cpu_sample(&c1, sl.o.server_pid, t1);
  sl.phase = 0;
  if (r && done) {
    qsort(firsts, done, sizeof *firsts, cmp_u64);
    qsort(lasts, done, sizeof *lasts, cmp_u64);
    r->clients = members;
    r->param = size;
    r->rounds = done;
    r->incomplete = incomplete;
    r->seconds = (double)(t1 - t0) / 1e6;
    r->count = sl.hist.count;
    r->rate = r->seconds > 0 ? (double)sl.hist.count / r->seconds : 0;
    r->unit = "deliveries/s";
    r->first_p50 = firsts[done / 2];
    r->last_p50 = lasts[done / 2];
    r->last_p99 = lasts[(size_t)((done - 1) * 0.99)];
    r->last_max = lasts[done - 1];
    r->failed = sl.dropped - dropped0;
    lt_result_lat(r, &sl.hist);
    lt_result_cpu(r, &c0, &c1);
    lt_result_per_op(r, &c0, &c1, "delivery", sl.hist.count, t1 - t0);
  }
  free(firsts);
  free(lasts);
}

void lt_phase_churn(void) {
  sl.n_churn = sl.o.churn_conc;
  sl.churn = calloc(sl.n_churn, sizeof *sl.churn);
  lt_result *r = lt_result_new("churn", "connect/disconnect churn");
  if (!sl.churn) return;
  for (uint32_t i = 0; i < sl.n_churn; i++) {
    lt_client_init(&sl.churn[i], i);
    sl.churn[i].churn = true;
  }
  uint32_t saved_ips = sl.ctx.source_ips;
  if (sl.ctx.source_ips < 32) sl.ctx.source_ips = 32;
  lt_hist_reset(&sl.hist);
  sl.churn_ok = 0;
  uint64_t fails0 = sl.hs_failed;
  sl.phase = 5;
  uint64_t t0 = lt_now_us();
  sl.win_start = t0;
  sl.win_end = t0 + (uint64_t)(sl.o.churn_s * 1e6);
  lt_cpu c0, c1;
  lt_cpu_sample(&c0, sl.o.server_pid, t0);
  bool ok = true;
  uint64_t last_print = t0;
  while (ok && lt_now_us() < sl.win_end) {
    uint64_t now = lt_now_us();
    for (uint32_t i = 0; i < sl.n_churn; i++) {
      lt_client *cl = &sl.churn[i];
      if (cl->state == LT_CL_IDLE || cl->state == LT_CL_DEAD) lt_client_start(&sl.ctx, cl, now);
    }
    if (now - last_print > 1000000 && !sl.o.quiet) {
      last_print = now;
      fprintf(stderr, "[sioload] churn: %.0f connects/s so far\n",
              (double)sl.churn_ok * 1e6 / (double)(now - t0));
    }
    ok = turn(5);
  }
  uint64_t t1 = lt_now_us();
  lt_cpu_sample(&c1, sl.o.server_pid, t1);
  sl.phase = 0;
  for (uint32_t i = 0; i < sl.n_churn; i++) lt_client_close(&sl.ctx, &sl.churn[i], t1);
  uint64_t until = t1 + 2500000ULL;
  for (;;) {
    uint32_t busy = 0;
    for (uint32_t i = 0; i < sl.n_churn; i++)
      busy += sl.churn[i].state == LT_CL_CLOSING || sl.churn[i].state == LT_CL_HANDSHAKE;
    if (!busy || lt_now_us() > until || !turn(10)) break;
  }
  for (uint32_t i = 0; i < sl.n_churn; i++) lt_client_reset(&sl.ctx, &sl.churn[i]);
  sl.ctx.source_ips = saved_ips;
  if (!r) return;
  r->clients = sl.n_churn;
  uint64_t win_us = (t1 < sl.win_end ? t1 : sl.win_end) - t0;
  r->seconds = (double)win_us / 1e6;
  r->count = sl.churn_ok;
  r->rate = r->seconds > 0 ? (double)sl.churn_ok / r->seconds : 0;
  r->unit = "connects/s";
  r->failed = sl.hs_failed - fails0;
  lt_result_lat(r, &sl.hist);
  lt_result_cpu(r, &c0, &c1);
  lt_result_per_op(r, &c0, &c1, "connect", sl.churn_ok, win_us);
}

lt_hooks lt_phase_hooks(void) {
  return (lt_hooks){
      .on_ready = hook_ready, .on_ack = hook_ack, .on_event = hook_event, .on_dead = hook_dead};
}
