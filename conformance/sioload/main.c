/* sioload: a Socket.IO v5 load generator that measures a server (memory per idle
 * client, acks/s and latency at a chosen number of acks in flight, room fan-out time,
 * connection churn) while costing it far less CPU than the server spends, and says so:
 * every phase reports sioload's own CPU share beside the server's.
 * Uses the test-app contract (build/CONTRACT.txt): "message-with-ack" (SIO-ACK-*),
 * "join" + "to-room-all" or "broadcast" (extensions "rooms", "broadcast").
 * Loopback only; every phase is bounded in time and every count is capped.
 *
 * This file runs the phases in order; lt_args.c reads the command line, lt_phases.c
 * holds the phases and the client callbacks, lt_report.c the table and the JSON,
 * lt_run.h the state they share, lt_client.c the connections, lt_stats.c the figures. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "lt_args.h"
#include "lt_phases.h"
#include "lt_report.h"
#include "lt_run.h"

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
  sl.stop = 1;
}

int main(int argc, char **argv) {
  if (lt_args_parse(argc, argv, &sl.o) < 0) return 2;
  struct sockaddr_in sa;
  char path[128];
  int u = lt_args_url(sl.o.url, &sa, path, sizeof path);
  if (u < 0) {
    fprintf(stderr, "sioload: %s: %s\n", sl.o.url,
            u == -2 ? "only loopback (127.0.0.0/8) targets are allowed" : "bad URL");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  uint32_t per = sl.o.transport == LT_POLLING ? 2 : 1;
  raise_nofile(sl.o.clients * per + (sl.o.churn_s > 0 ? sl.o.churn_conc * 2 : 0) + 64);
  if (lt_ctx_init(&sl.ctx, sl.o.transport, &sa, path) < 0) {
    perror("sioload");
    return 2;
  }
  sl.ctx.source_ips = sl.o.source_ips ? sl.o.source_ips : 1;
  sl.ctx.hooks = lt_phase_hooks();
  sl.cl = calloc(sl.o.clients, sizeof *sl.cl);
  if (!sl.cl) {
    perror("sioload");
    return 2;
  }
  for (uint32_t i = 0; i < sl.o.clients; i++) lt_client_init(&sl.cl[i], i);
  /* The echo event: ["message-with-ack","xxxx..."] with a string of --payload bytes. */
  int tl = snprintf(sl.echo_tail, sizeof sl.echo_tail, "[\"message-with-ack\",\"");
  memset(sl.echo_tail + tl, 'x', sl.o.payload);
  tl += (int)sl.o.payload;
  tl += snprintf(sl.echo_tail + tl, sizeof sl.echo_tail - (size_t)tl, "\"]");
  sl.echo_tail_len = (size_t)tl;
  sl.t_deadline = lt_now_us() + (uint64_t)(sl.o.duration_s * 1e6);

  long srv_before = sl.o.server_pid > 0 ? lt_rss_kib(sl.o.server_pid) : -1;
  long self_before = lt_rss_kib(0);
  if (sl.o.server_pid > 0 && srv_before < 0)
    fprintf(stderr, "sioload: cannot read /proc/%d/status; server figures omitted\n",
            (int)sl.o.server_pid);

  lt_phase_ramp();
  if (!sl.aborted && !sl.stop && sl.o.idle_s > 0) lt_phase_idle(srv_before, self_before);
  for (size_t i = 0; i < sl.o.n_inflight && !sl.aborted && !sl.stop; i++)
    lt_phase_echo(sl.o.inflight[i]);
  for (size_t i = 0; i < sl.o.n_bcast && !sl.aborted && !sl.stop; i++)
    lt_phase_broadcast(sl.o.bcast[i]);
  if (!sl.aborted && !sl.stop && sl.o.churn_s > 0) lt_phase_churn();

  lt_report_table(stdout);
  int rc = 0;
  if (sl.o.json_path && lt_report_json(sl.o.json_path) != 0) {
    perror(sl.o.json_path);
    rc = 2;
  }
  for (uint32_t i = 0; i < sl.o.clients; i++) {
    lt_client_reset(&sl.ctx, &sl.cl[i]);
    free(sl.cl[i].ring);
  }
  free(sl.cl);
  free(sl.churn);
  free(sl.msg);
  lt_ctx_free(&sl.ctx);
  if (sl.n_ready == 0) rc = rc ? rc : 2;
  return rc;
}
