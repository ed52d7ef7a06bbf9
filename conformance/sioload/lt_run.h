/* sioload's run: the options, one result per measured phase, and the state the phases,
 * the client callbacks and the report share (one run per process, in the global SL).
 * lt_phases.c fills it, lt_report.c prints it, main.c owns its lifetime. */
#ifndef SIOLOAD_LT_RUN_H
#define SIOLOAD_LT_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lt_client.h"
#include "lt_stats.h"

/* Caps on every count and duration (the README's "every count is capped"). */
#define MAX_CLIENTS       60000
#define MAX_INFLIGHT      100000
#define MAX_PHASE_SECONDS 600
#define MAX_DURATION      3600
#define MAX_ROUNDS        1000
#define MAX_CHURN_CONC    2000
#define MAX_LIST          16
#define MAX_RESULTS       64

typedef struct lt_options {
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
} lt_options;

typedef struct lt_result {
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
} lt_result;

typedef struct lt_run {
  lt_options o;
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
  lt_result res[MAX_RESULTS];
  size_t n_res;
} lt_run;

extern lt_run sl;

/* A new result row for PHASE ("ramp", "idle", "echo", "broadcast", "churn") titled
 * TITLE, with every optional figure unknown (-1); NULL past MAX_RESULTS rows. */
lt_result *lt_result_new(const char *phase, const char *title);
/* CPU shares of the window between samples A and B. */
void lt_result_cpu(lt_result *r, const lt_cpu *a, const lt_cpu *b);
/* CPU per operation: OPS operations counted over OPS_WALL_US, CPU sampled at A and B.
 * OP names the operation in the output (a static string). */
void lt_result_per_op(lt_result *r, const lt_cpu *a, const lt_cpu *b, const char *op, uint64_t ops,
                      uint64_t ops_wall_us);
/* Latency percentiles of H. */
void lt_result_lat(lt_result *r, const lt_hist *h);

#endif
