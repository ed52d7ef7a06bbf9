/* The run's shared state and the result rows (see lt_run.h). */
#include "lt_run.h"

#include <stdio.h>
#include <string.h>

lt_run sl;

lt_result *lt_result_new(const char *phase, const char *title) {
  if (sl.n_res >= MAX_RESULTS) return NULL;
  lt_result *r = &sl.res[sl.n_res++];
  memset(r, 0, sizeof *r);
  snprintf(r->phase, sizeof r->phase, "%s", phase);
  snprintf(r->title, sizeof r->title, "%s", title);
  r->server_cpu = r->other_cpu = -1;
  r->srv_us_per_op = r->self_us_per_op = -1;
  r->srv_rss_before = r->srv_rss_after = -1;
  return r;
}

void lt_result_cpu(lt_result *r, const lt_cpu *a, const lt_cpu *b) {
  r->self_cpu = lt_cpu_self_pct(a, b);
  r->server_cpu = lt_cpu_server_pct(a, b);
  r->other_cpu = lt_cpu_other_pct(a, b);
}

void lt_result_per_op(lt_result *r, const lt_cpu *a, const lt_cpu *b, const char *op, uint64_t ops,
                      uint64_t ops_wall_us) {
  r->op = op;
  r->srv_us_per_op = lt_cpu_server_us_per_op(a, b, ops, ops_wall_us);
  r->self_us_per_op = lt_cpu_self_us_per_op(a, b, ops, ops_wall_us);
  r->cpu_wall_us = b->wall_us - a->wall_us;
  r->self_cpu_us = b->self_us - a->self_us;
  r->srv_cpu_ok = a->server_ok && b->server_ok && b->server_us >= a->server_us;
  r->srv_cpu_us = r->srv_cpu_ok ? b->server_us - a->server_us : 0;
}

void lt_result_lat(lt_result *r, const lt_hist *h) {
  r->has_lat = h->count > 0;
  r->p50 = lt_hist_quantile(h, 0.50);
  r->p99 = lt_hist_quantile(h, 0.99);
  r->p999 = lt_hist_quantile(h, 0.999);
  r->max = h->max;
}
