/* `sioconform cluster` (cl_main.h). */
#include "cl_main.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cl_cases.h"
#include "cl_ctx.h"
#include "cl_opts.h"
#include "ct_deviations.h"
#include "ct_http.h"
#include "ct_report_console.h"
#include "ct_stage.h"

static void print_list(const ct_plan *plan, size_t ncases) {
  for (size_t k = 0; k < plan->n; k++) {
    const ct_case *c = plan->items[k].c;
    if (k > 0 && plan->items[k - 1].c == c) continue;
    printf("%-34s %-6s %-18s %s\n", c->id, ct_level_name(c->level),
           c->transports == CT_TR_ALL       ? "polling,websocket"
           : c->transports == CT_TR_POLLING ? "polling"
                                            : "websocket",
           c->tags);
  }
  printf("%zu cases, %zu case-runs selected\n", ncases, plan->n);
}

/* The header: every node with what it announced, the balancer, the stop. */
static void print_header(const cl_ctx *x, const char *target) {
  printf("sioconform: checking the cluster %s\n", target);
  for (int i = 0; i < x->n; i++) {
    char *e =
        x->nodes[i].cfg.extensions ? cJSON_PrintUnformatted(x->nodes[i].cfg.extensions) : NULL;
    printf("  node %d %s: extensions %s, pingInterval %ld ms\n", i + 1, x->nodes[i].url,
           e ? e : "none announced", x->nodes[i].cfg.tgt.ping_interval);
    free(e);
  }
  printf("  load balancer: %s\n", x->has_via ? x->via_url : "none (--via): its cases are SKIP");
  if (x->kill_node)
    printf("  failover: node %d is stopped by %s (last case)\n", x->kill_node,
           x->kill_pid ? "SIGKILL to its pid" : "--kill-cmd");
  else
    printf("  failover: no --kill/--kill-cmd: its case is SKIP\n");
  fflush(stdout);
}

/* Run the plan, print the summary, write the reports; the exit status. */
static int run(cl_ctx *x, const cl_opts *o, ct_plan *plan, const ct_known *known,
               const char *target) {
  ct_stage st = {.cfg = &x->cfg,
                 .plan = plan,
                 .known = known,
                 .target = target,
                 .files = {o->junit, o->json, o->html}};
  ct_stage_run(&st);
  printf("wall time %.1f s\n", (double)(ct_now_ms() - st.t_start) / 1000.0);
  if (ct_stage_interrupted)
    fprintf(stderr, "sioconform: interrupted: reports hold the %zu runs finished so far\n", st.nr);
  fflush(stdout);
  return ct_stage_finish(&st);
}

int cl_main(int argc, char **argv, const char *vectors_dir, const char *known_default) {
  cl_opts o;
  int rc = cl_opts_parse(&o, argc, argv);
  if (rc != CL_RUN) return rc;
  ct_cases cs;
  memset(&cs, 0, sizeof cs);
  cl_cases_register(&cs);
  ct_plan plan;
  if (ct_plan_build(&plan, &cs, o.transports, o.prefixes, o.np, NULL, 0) == 0) {
    fprintf(stderr, "sioconform cluster: no case matches the selection\n");
    ct_cases_free(&cs);
    return 2;
  }
  if (o.list) {
    print_list(&plan, cs.n);
    ct_plan_free(&plan);
    ct_cases_free(&cs);
    return 0;
  }
  signal(SIGPIPE, SIG_IGN);
  static cl_ctx x; /* large (a ct_config per node); one per process */
  cl_ctx_init(&x, &o, vectors_dir);
  ct_known known;
  memset(&known, 0, sizeof known);
  ct_buf t = {0};
  ct_buf_adds(&t, "cluster:");
  for (int i = 0; i < o.n; i++) ct_buf_printf(&t, " %s", o.urls[i]);
  if (o.has_via) ct_buf_printf(&t, " via %s", o.via_url);
  char target[300];
  snprintf(target, sizeof target, "%s", (char *)t.data);
  ct_buf_free(&t);
  rc = 2;
  /* every node must answer before anything runs: one line, exit 2, as for a server */
  if (cl_ctx_discover(&x) != 0) goto out;
  if (o.has_via) {
    int fd = ct_tcp_connect(o.via.host, o.via.port, 2000);
    if (fd < 0) {
      fprintf(stderr, "sioconform cluster: cannot connect to the balancer %s\n", o.via_url);
      goto out;
    }
    ct_tcp_close(fd);
  }
  if (!o.no_known) {
    char err[512];
    if (ct_deviations_load(&known, o.known_file ? o.known_file : known_default, vectors_dir,
                           o.known_server, err, sizeof err) < 0) {
      fprintf(stderr, "sioconform cluster: %s\n", err);
      if (o.known_file) goto out;
    }
  }
  ct_stage_catch_interrupts(-1);
  print_header(&x, target);
  rc = run(&x, &o, &plan, &known, target);
out:
  ct_deviations_free(&known);
  cl_ctx_free(&x);
  ct_plan_free(&plan);
  ct_cases_free(&cs);
  return rc;
}
