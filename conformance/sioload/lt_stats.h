/* sioload's measurement helpers: a fixed-size latency histogram (log-linear buckets,
 * about 3 % relative error, no allocation), and readers for the CPU time and resident
 * memory of this process and of the server under test (Linux /proc). */
#ifndef SIOLOAD_LT_STATS_H
#define SIOLOAD_LT_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define LT_HIST_BUCKETS 1280

typedef struct lt_hist {
  uint64_t count;
  uint64_t max;
  uint64_t sum;
  uint32_t b[LT_HIST_BUCKETS];
} lt_hist;

void lt_hist_reset(lt_hist *h);
void lt_hist_add(lt_hist *h, uint64_t v);
/* The value at quantile Q (0..1), e.g. 0.99; 0 when the histogram is empty. */
uint64_t lt_hist_quantile(const lt_hist *h, double q);

/* CPU time used so far, in microseconds (user + system). */
typedef struct lt_cpu {
  uint64_t self_us;         /* this process (getrusage) */
  uint64_t server_us;       /* the server process (/proc/PID/stat utime + stime), 0 if unknown */
  uint64_t machine_busy_us; /* all CPUs, /proc/stat: everything but idle and iowait */
  uint64_t wall_us;
  bool server_ok;
  bool machine_ok;
} lt_cpu;

/* Sample the CPU counters now. SERVER_PID <= 0 means no server figures. */
void lt_cpu_sample(lt_cpu *c, pid_t server_pid, uint64_t now_us);

/* Percent of one core used between A and B by this process and by the server. */
double lt_cpu_self_pct(const lt_cpu *a, const lt_cpu *b);
double lt_cpu_server_pct(const lt_cpu *a, const lt_cpu *b);
/* Percent of one core used by every other process on the machine between A and B (a
 * benchmark on a shared machine is only clean when this stays near 0); -1 if unknown. */
double lt_cpu_other_pct(const lt_cpu *a, const lt_cpu *b);

/* CPU microseconds per operation: CPU_US spent over a window of CPU_WALL_US, divided by
 * the operations per microsecond measured over OPS_WALL_US (OPS operations). The two
 * windows are normally the same phase but sampled a few milliseconds apart; scaling
 * both to a rate keeps that offset out of the result. Returns -1 when OPS or either
 * window is 0. Pure function. */
double lt_us_per_op(uint64_t cpu_us, uint64_t cpu_wall_us, uint64_t ops, uint64_t ops_wall_us);

/* Server CPU (its utime + stime only, never this process's) or this process's CPU per
 * operation between samples A and B, for OPS operations counted over OPS_WALL_US; -1
 * when the server's CPU is unknown, or as lt_us_per_op. */
double lt_cpu_server_us_per_op(const lt_cpu *a, const lt_cpu *b, uint64_t ops,
                               uint64_t ops_wall_us);
double lt_cpu_self_us_per_op(const lt_cpu *a, const lt_cpu *b, uint64_t ops, uint64_t ops_wall_us);

/* Parse the text of a /proc/PID/stat file: utime + stime (fields 14 and 15, the whole
 * thread group, children excluded) in microseconds, given the clock ticks per second
 * HZ. BUF is read only; returns false when the text does not have those fields. */
bool lt_parse_proc_stat_cpu(const char *buf, long hz, uint64_t *us);

/* The resolution of the /proc/PID/stat CPU counters: one clock tick in microseconds
 * (10000 at the usual 100 Hz). */
uint64_t lt_cpu_tick_us(void);

/* VmRSS of PID in KiB (0 = this process), or -1 when it cannot be read. */
long lt_rss_kib(pid_t pid);

#endif
