/* sioload's measurement helpers: latency histogram and /proc readers (no spec tags: this
 * module measures, it implements no protocol rule). */
#include "lt_stats.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

void lt_hist_reset(lt_hist *h) { memset(h, 0, sizeof *h); }

/* Values below 64 get a bucket each; above, every power of two is split in 32 buckets. */
static unsigned bucket_of(uint64_t v) {
  if (v < 64) return (unsigned)v;
  unsigned msb = 63u - (unsigned)__builtin_clzll(v);
  unsigned shift = msb - 5;
  unsigned idx = 64 + (msb - 6) * 32 + (unsigned)((v >> shift) - 32);
  return idx < LT_HIST_BUCKETS ? idx : LT_HIST_BUCKETS - 1;
}

/* The middle of bucket IDX. */
static uint64_t bucket_value(unsigned idx) {
  if (idx < 64) return idx;
  unsigned k = idx - 64, msb = k / 32 + 6, shift = msb - 5;
  uint64_t lo = (uint64_t)(32 + k % 32) << shift;
  return lo + ((1ULL << shift) >> 1);
}

void lt_hist_add(lt_hist *h, uint64_t v) {
  h->b[bucket_of(v)]++;
  h->count++;
  h->sum += v;
  if (v > h->max) h->max = v;
}

uint64_t lt_hist_quantile(const lt_hist *h, double q) {
  if (h->count == 0) return 0;
  uint64_t rank = (uint64_t)(q * (double)h->count);
  if (rank >= h->count - 1) return h->max; /* the top rank is the maximum itself */
  uint64_t seen = 0;
  for (unsigned i = 0; i < LT_HIST_BUCKETS; i++) {
    seen += h->b[i];
    if (seen > rank) {
      uint64_t v = bucket_value(i);
      return v > h->max ? h->max : v;
    }
  }
  return h->max;
}

static uint64_t tv_us(struct timeval tv) {
  return (uint64_t)tv.tv_sec * 1000000ULL + (uint64_t)tv.tv_usec;
}

bool lt_parse_proc_stat_cpu(const char *buf, long hz, uint64_t *us) {
  /* The command name may contain spaces and ')': fields are counted after its last ')'. */
  const char *p = strrchr(buf, ')');
  if (!p || p[1] != ' ' || hz <= 0) return false;
  unsigned long long ut = 0, st = 0;
  /* 3 state, 4 ppid, 5 pgrp, 6 session, 7 tty_nr, 8 tpgid, 9 flags, 10-13 fault counts,
   * 14 utime, 15 stime; 16-17 (cutime, cstime: waited-for children) are not counted. */
  if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
    return false;
  *us = (uint64_t)(ut + st) * 1000000ULL / (uint64_t)hz;
  return true;
}

/* utime + stime of PID from /proc/PID/stat. */
static bool proc_cpu_us(pid_t pid, uint64_t *us) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  FILE *f = fopen(path, "r");
  if (!f) return false;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  long hz = sysconf(_SC_CLK_TCK);
  return lt_parse_proc_stat_cpu(buf, hz > 0 ? hz : 100, us);
}

/* Busy time of all CPUs together from the first line of /proc/stat. */
static bool machine_busy_us(uint64_t *us) {
  FILE *f = fopen("/proc/stat", "r");
  if (!f) return false;
  unsigned long long v[8] = {0};
  int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                 &v[4], &v[5], &v[6], &v[7]);
  fclose(f);
  if (n < 5) return false;
  unsigned long long busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7]; /* not idle, iowait */
  long hz = sysconf(_SC_CLK_TCK);
  if (hz <= 0) hz = 100;
  *us = (uint64_t)busy * 1000000ULL / (uint64_t)hz;
  return true;
}

void lt_cpu_sample(lt_cpu *c, pid_t server_pid, uint64_t now_us) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  c->self_us = tv_us(ru.ru_utime) + tv_us(ru.ru_stime);
  c->wall_us = now_us;
  c->server_ok = server_pid > 0 && proc_cpu_us(server_pid, &c->server_us);
  c->machine_ok = machine_busy_us(&c->machine_busy_us);
}

double lt_cpu_self_pct(const lt_cpu *a, const lt_cpu *b) {
  if (b->wall_us <= a->wall_us) return 0;
  return 100.0 * (double)(b->self_us - a->self_us) / (double)(b->wall_us - a->wall_us);
}

double lt_cpu_server_pct(const lt_cpu *a, const lt_cpu *b) {
  if (!a->server_ok || !b->server_ok || b->wall_us <= a->wall_us) return -1;
  return 100.0 * (double)(b->server_us - a->server_us) / (double)(b->wall_us - a->wall_us);
}

double lt_cpu_other_pct(const lt_cpu *a, const lt_cpu *b) {
  if (!a->machine_ok || !b->machine_ok || b->wall_us <= a->wall_us) return -1;
  double busy = (double)(b->machine_busy_us - a->machine_busy_us);
  busy -= (double)(b->self_us - a->self_us);
  if (a->server_ok && b->server_ok) busy -= (double)(b->server_us - a->server_us);
  double pct = 100.0 * busy / (double)(b->wall_us - a->wall_us);
  return pct < 0 ? 0 : pct; /* tick granularity can make it dip below zero */
}

double lt_us_per_op(uint64_t cpu_us, uint64_t cpu_wall_us, uint64_t ops, uint64_t ops_wall_us) {
  if (ops == 0 || cpu_wall_us == 0 || ops_wall_us == 0) return -1;
  double cores = (double)cpu_us / (double)cpu_wall_us; /* CPU seconds per second */
  double ops_per_us = (double)ops / (double)ops_wall_us;
  return cores / ops_per_us;
}

double lt_cpu_server_us_per_op(const lt_cpu *a, const lt_cpu *b, uint64_t ops,
                               uint64_t ops_wall_us) {
  if (!a->server_ok || !b->server_ok || b->wall_us <= a->wall_us || b->server_us < a->server_us)
    return -1;
  return lt_us_per_op(b->server_us - a->server_us, b->wall_us - a->wall_us, ops, ops_wall_us);
}

double lt_cpu_self_us_per_op(const lt_cpu *a, const lt_cpu *b, uint64_t ops, uint64_t ops_wall_us) {
  if (b->wall_us <= a->wall_us || b->self_us < a->self_us) return -1;
  return lt_us_per_op(b->self_us - a->self_us, b->wall_us - a->wall_us, ops, ops_wall_us);
}

uint64_t lt_cpu_tick_us(void) {
  long hz = sysconf(_SC_CLK_TCK);
  return 1000000ULL / (uint64_t)(hz > 0 ? hz : 100);
}

long lt_rss_kib(pid_t pid) {
  char path[64], line[256];
  if (pid > 0)
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
  else
    snprintf(path, sizeof path, "/proc/self/status");
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  long kib = -1;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "VmRSS: %ld kB", &kib) == 1) break;
  fclose(f);
  return kib;
}
