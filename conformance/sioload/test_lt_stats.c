/* Unit tests for sioload's measurement helpers (lt_stats.c): the latency histogram
 * (bucket error bound, quantiles, the empty case), CPU per operation, and the
 * /proc/PID/stat parser. No spec tags: measurement code. */
#include <criterion/criterion.h>
#include <stdio.h>

#include "lt_stats.h"

static lt_hist h;

Test(lt_hist, empty_is_zero) {
  lt_hist_reset(&h);
  cr_expect_eq(lt_hist_quantile(&h, 0.5), 0);
  cr_expect_eq(h.count, 0);
}

Test(lt_hist, small_values_are_exact) {
  lt_hist_reset(&h);
  for (uint64_t v = 0; v < 64; v++) lt_hist_add(&h, v);
  cr_expect_eq(lt_hist_quantile(&h, 0.0), 0);
  cr_expect_eq(lt_hist_quantile(&h, 0.5), 32);
  cr_expect_eq(lt_hist_quantile(&h, 1.0), 63);
}

Test(lt_hist, relative_error_is_bounded) {
  /* One value at a time: the reported value must be within 1/32 of it, from 64 us to
   * over an hour. */
  for (uint64_t v = 64; v < 4000000000ULL; v = v * 5 / 4 + 7) {
    lt_hist_reset(&h);
    lt_hist_add(&h, v);
    uint64_t q = lt_hist_quantile(&h, 0.5);
    double err = q > v ? (double)(q - v) / (double)v : (double)(v - q) / (double)v;
    cr_expect(err <= 1.0 / 32, "value %llu reported as %llu", (unsigned long long)v,
              (unsigned long long)q);
  }
}

Test(lt_hist, quantiles_of_a_uniform_run) {
  lt_hist_reset(&h);
  for (uint64_t v = 1; v <= 100000; v++) lt_hist_add(&h, v);
  uint64_t p50 = lt_hist_quantile(&h, 0.50), p99 = lt_hist_quantile(&h, 0.99);
  cr_expect(p50 > 48000 && p50 < 52000, "p50 %llu", (unsigned long long)p50);
  cr_expect(p99 > 96000 && p99 < 102000, "p99 %llu", (unsigned long long)p99);
  cr_expect_eq(h.max, 100000);
  cr_expect_eq(lt_hist_quantile(&h, 1.0), 100000); /* never above the true max */
}

Test(lt_hist, tail_is_seen) {
  /* 999 fast values and one slow one: p99.9 must show the slow one, p99 must not. */
  lt_hist_reset(&h);
  for (int i = 0; i < 999; i++) lt_hist_add(&h, 100);
  lt_hist_add(&h, 50000);
  cr_expect_lt(lt_hist_quantile(&h, 0.99), 110);
  cr_expect_gt(lt_hist_quantile(&h, 0.9995), 48000);
}

/* ---- CPU per operation ---------------------------------------------------------------- */

static lt_cpu at(uint64_t wall, uint64_t self, uint64_t server, bool server_ok) {
  return (lt_cpu){.wall_us = wall,
                  .self_us = self,
                  .server_us = server,
                  .server_ok = server_ok,
                  .machine_ok = false};
}

Test(lt_cpu, us_per_op_of_a_busy_core) {
  /* One full core for 2 s, 200,000 acks in the same 2 s: 10 us each. */
  cr_expect_float_eq(lt_us_per_op(2000000, 2000000, 200000, 2000000), 10.0, 1e-9);
  /* Half a core: 5 us each. */
  cr_expect_float_eq(lt_us_per_op(1000000, 2000000, 200000, 2000000), 5.0, 1e-9);
}

Test(lt_cpu, us_per_op_scales_out_a_window_offset) {
  /* The CPU window ran 10 ms longer than the ack window (sampled after a loop turn):
   * the server was at 100 % throughout, so the answer is still 10 us, not 10.05. */
  cr_expect_float_eq(lt_us_per_op(2010000, 2010000, 200000, 2000000), 10.0, 1e-9);
}

Test(lt_cpu, us_per_op_without_operations_is_unknown) {
  cr_expect_eq(lt_us_per_op(1000, 2000000, 0, 2000000), -1);
  cr_expect_eq(lt_us_per_op(1000, 0, 10, 2000000), -1);
  cr_expect_eq(lt_us_per_op(1000, 2000000, 10, 0), -1);
}

Test(lt_cpu, server_per_op_counts_the_server_only) {
  /* sioload burns 1.5 s and the server 0.5 s of CPU over 1 s; 50,000 acks. The server's
   * figure must be 10 us (its own 0.5 s), sioload's 30 us. */
  lt_cpu a = at(1000000, 7000000, 3000000, true);
  lt_cpu b = at(2000000, 8500000, 3500000, true);
  cr_expect_float_eq(lt_cpu_server_us_per_op(&a, &b, 50000, 1000000), 10.0, 1e-9);
  cr_expect_float_eq(lt_cpu_self_us_per_op(&a, &b, 50000, 1000000), 30.0, 1e-9);
}

Test(lt_cpu, server_per_op_unknown_without_server) {
  lt_cpu a = at(1000000, 0, 0, false), b = at(2000000, 500000, 0, false);
  cr_expect_eq(lt_cpu_server_us_per_op(&a, &b, 1000, 1000000), -1);
  cr_expect_float_eq(lt_cpu_self_us_per_op(&a, &b, 1000, 1000000), 500.0, 1e-9);
  /* A server that restarted (counter went backwards) is unknown too. */
  lt_cpu c = at(1000000, 0, 900000, true), d = at(2000000, 0, 100000, true);
  cr_expect_eq(lt_cpu_server_us_per_op(&c, &d, 1000, 1000000), -1);
}

/* ---- /proc/PID/stat ------------------------------------------------------------------- */

Test(lt_proc, stat_fields_are_utime_and_stime) {
  /* A command name with spaces and parentheses; utime 150, stime 50 ticks, and large
   * cutime/cstime (children) that must not be added. */
  const char *line = "4242 (node (srv) x) S 1 4242 4242 0 -1 4194304 1200 0 3 0 150 50 9999 "
                     "8888 20 0 11 0 1234 56789 100 18446744073709551615 1 1 0 0 0 0 0 0\n";
  uint64_t us = 0;
  cr_assert(lt_parse_proc_stat_cpu(line, 100, &us));
  cr_expect_eq(us, 2000000); /* 200 ticks at 100 Hz */
  cr_assert(lt_parse_proc_stat_cpu(line, 250, &us));
  cr_expect_eq(us, 800000);
}

Test(lt_proc, malformed_stat_is_refused) {
  uint64_t us = 7;
  cr_expect_not(lt_parse_proc_stat_cpu("", 100, &us));
  cr_expect_not(lt_parse_proc_stat_cpu("12 (x) S 1 2", 100, &us));
  cr_expect_not(lt_parse_proc_stat_cpu("12 x S 1 2 3 4 5 6 7 8 9 10 11 12 13", 100, &us));
  cr_expect_not(lt_parse_proc_stat_cpu("12 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13", 0, &us));
  cr_expect_eq(us, 7);
}

Test(lt_proc, own_stat_parses) {
  /* The live file of this process has the layout the parser expects. */
  FILE *f = fopen("/proc/self/stat", "r");
  cr_assert_not_null(f);
  char buf[1024];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  uint64_t us = 0;
  cr_expect(lt_parse_proc_stat_cpu(buf, 100, &us));
}

Test(lt_proc, clock_tick_is_sane) {
  /* USER_HZ is 100 on Linux; anything from 1 Hz to 1 MHz would still be usable. */
  uint64_t t = lt_cpu_tick_us();
  cr_expect(t >= 1 && t <= 1000000, "tick %llu us", (unsigned long long)t);
}
