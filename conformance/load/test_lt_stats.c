/* Unit tests for sioload's latency histogram (lt_stats.c): bucket error bound, quantiles
 * of known distributions, and the empty case. No spec tags: measurement code. */
#include <criterion/criterion.h>

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
