/* sioconform: the command line. Loads the cases (scenario files, codec-vector
 * families, C probes), selects them, starts the built-in sioref when no URL is
 * given, runs each selected case on each selected transport and writes the reports.
 * Exit: 0 every required case passed, 1 a conformance failure, 2 usage/connection.
 * The options are cli.c's, the built-in target sioref_child.c's, the scheduler
 * sched.c's; main() only strings the stages together. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cc_main.h"
#include "cl_main.h"
#include "ct_client.h"
#include "ct_cli.h"
#include "ct_deviations.h"
#include "ct_discover.h"
#include "ct_fuzz_live.h"
#include "ct_matrix.h"
#include "ct_report_live.h"
#include "ct_sched.h"
#include "ct_scenario.h"
#include "ct_sioref_child.h"
#include "ct_stage.h"
#include "ct_tls.h"
#include "ct_report_console.h"
#include "ct_report_files.h"
#include "ct_report_html.h"
#include "ct_vectors.h"
#include "ct_probes.h"
#include "ct_probes_cors.h"

#ifndef CT_DEFAULT_KNOWN_DEVIATIONS
#define CT_DEFAULT_KNOWN_DEVIATIONS "conformance/known-deviations.json"
#endif

/* ---- interrupts during the runs (the scheduler, sched.c, stops starting runs) */

/* ---- one invocation's resources, freed in one place */

typedef struct app {
  ct_cli o;
  ct_cases cs;
  ct_plan plan;
  pid_t child;      /* the sioref we started, or -1 */
  ct_known known;   /* known deviations (empty when not loaded) */
  char target[300]; /* http(s)://HOST:PORT, for the console and the reports */
} app;

static int finish(app *a, int rc) {
  ct_deviations_free(&a->known);
  cJSON_Delete(a->o.cfg.extensions);
  ct_plan_free(&a->plan);
  ct_cases_free(&a->cs);
  ct_sioref_stop(a->child);
  ct_tls_cleanup();
  return rc;
}

static int fail(app *a, const char *msg) {
  fprintf(stderr, "sioconform: %s\n", msg);
  return finish(a, 2);
}

/* Scenario files, the codec-vector families and the C probes. */
static int load_cases(app *a) {
  char err[512];
  char *scen = ct_xasprintf("%s/scenarios", a->o.cfg.vectors_dir);
  int rc = ct_scenarios_load_dir(&a->cs, scen, err, sizeof err);
  free(scen);
  if (rc < 0 || ct_vectors_load(&a->cs, a->o.cfg.vectors_dir, err, sizeof err) < 0) {
    fprintf(stderr, "sioconform: %s\n", err);
    return -1;
  }
  ct_probes_register(&a->cs);
  /* only when told the origin: runs without --cors-origin keep their case list */
  if (a->o.cfg.cors_origin) ct_probes_cors_register(&a->cs);
  return 0;
}

/* --list: one line a selected case, no network. */
static void print_list(const app *a) {
  const ct_plan *plan = &a->plan;
  for (size_t k = 0; k < plan->n; k++) {
    const ct_case *c = plan->items[k].c;
    if (k > 0 && plan->items[k - 1].c == c) continue; /* the case's second transport */
    char pr[64] = ""; /* issue 14: the protocols of a case that is not eio4 only */
    if (c->protocols != CT_P_EIO4) ct_protos_list(c->protocols, "  protocols:", pr, sizeof pr);
    printf("%-58s %-6s %-18s %s  needs:%s%s%s%s%s\n", c->id, ct_level_name(c->level),
           c->transports == CT_TR_ALL       ? "polling,websocket"
           : c->transports == CT_TR_POLLING ? "polling"
                                            : "websocket",
           c->tags, ct_need_name(c->needs), c->requires ? "  requires:" : "",
           c->requires ? c->requires : "", c->exclusive ? "  exclusive" : "", pr);
  }
  printf("%zu cases, %zu case-runs selected\n", a->cs.n, plan->n);
}

/* The URL's server, or the built-in sioref; then one TCP connect, so that a server that
 * does not answer is exit 2, not 300 failures. 0, or -1 with the line printed. */
static int reach_target(app *a) {
  ct_config *cfg = &a->o.cfg;
  if (!a->o.url) {
    const char *bin = ct_sioref_find(a->o.sioref);
    if (!bin) {
      fprintf(stderr, "sioconform: no URL given and no sioref binary found "
                      "(use --sioref BIN or SIOCONFORM_SIOREF)\n");
      return -1;
    }
    /* the reference has no known deviations: a non-PASS of sioref is never linked to
     * another server's entry */
    if (!a->o.known_server) a->o.known_server = "sioref";
    a->child = ct_sioref_start(bin, cfg);
    if (a->child < 0) {
      fprintf(stderr, "sioconform: could not start %s\n", bin);
      return -1;
    }
    fprintf(stderr, "started %s (pid %d) on %s:%d\n", bin, (int)a->child, cfg->host, cfg->port);
  }
  int tls = a->o.url_parts.tls;
  snprintf(a->target, sizeof a->target, "%s://%s:%d", tls ? "https" : "http", cfg->host, cfg->port);
  char err[600];
  if (tls && ct_tls_setup(a->o.insecure, a->o.ca_file, err, sizeof err) != 0) {
    fprintf(stderr, "sioconform: %s\n", err);
    return -1;
  }
  int fd = ct_tcp_connect(cfg->host, cfg->port, 2000);
  if (fd < 0) {
    /* a certificate that does not verify is one line here, not a FAIL per case-run */
    if (tls && ct_tls_error()[0])
      fprintf(stderr, "sioconform: %s: %s\n", a->target, ct_tls_error());
    else
      fprintf(stderr, "sioconform: cannot connect to %s\n", a->target);
    return -1;
  }
  ct_tcp_close(fd);
  return 0;
}

/* Discovery: what the target offers. 0, or -1 with the one line printed. */
static int discover(app *a) {
  ct_config *cfg = &a->o.cfg;
  char why[600];
  int drc = ct_discover(cfg, why, sizeof why);
  /* a Socket.IO path the user named (URL or --path) that does not speak Engine.IO is a
   * typo or the wrong server: the echo path answering must not turn it into all SKIP */
  if (drc == 0 && !cfg->tgt.sio_engine && (a->o.url_parts.path[0] || a->o.path_opt)) {
    snprintf(why, sizeof why, "nothing speaks Engine.IO on the Socket.IO path %s you named (%s)",
             cfg->sio_path, cfg->tgt.answered);
    drc = -1;
  }
  if (drc != 0) {
    /* not Engine.IO, or unreachable: one line naming what answered, exit 2 */
    fprintf(stderr, "sioconform: %s\n", why);
    return -1;
  }
  if (cfg->jobs <= 0) cfg->jobs = CT_DEFAULT_JOBS;
  return 0;
}

/* Known deviations, matched by cause (known-deviations.md). An explicit file that does
 * not load is a usage error (-1); the default one is only used when it is there. */
static int load_known(app *a) {
  char err[512];
  const ct_cli *o = &a->o;
  if (o->no_known) return 0;
  if (ct_deviations_load(&a->known, o->known_file ? o->known_file : CT_DEFAULT_KNOWN_DEVIATIONS,
                         o->cfg.vectors_dir, o->known_server, err, sizeof err) < 0) {
    fprintf(stderr, "sioconform: %s%s\n", err, o->known_file ? "" : " (runs not linked)");
    return o->known_file ? -1 : 0;
  }
  if (o->known_server && a->known.n == 0)
    /* a typo or a server nobody has judged: say so rather than link nothing silently */
    fprintf(stderr,
            "sioconform: no entry of the known deviations lists server \"%s\"; runs not linked\n",
            o->known_server);
  return 0;
}

/* The header before the runs: the target, its extensions and what discovery found. */
static void print_header(const app *a) {
  const ct_plan *plan = &a->plan;
  const ct_config *cfg = &a->o.cfg;
  const ct_case **pc = ct_xmalloc((plan->n ? plan->n : 1) * sizeof *pc);
  unsigned *pt = ct_xmalloc((plan->n ? plan->n : 1) * sizeof *pt);
  for (size_t i = 0; i < plan->n; i++) {
    pc[i] = plan->items[i].c;
    pt[i] = plan->items[i].tr;
  }
  char *e = cfg->extensions ? cJSON_PrintUnformatted(cfg->extensions) : NULL;
  printf("sioconform: checking %s (extensions: %s)\n", a->target, e ? e : "none announced");
  free(e);
  ct_discovery_print(stdout, cfg, pc, pt, plan->n);
  if (cfg->jobs > 1) printf("  jobs: %d case-runs side by side (--jobs)\n", cfg->jobs);
  fflush(stdout);
  free(pc);
  free(pt);
}

/* Run the plan on --jobs threads, print the summary and write the reports. Returns the
 * exit status. */
static int run_plan(app *a) {
  ct_config *cfg = &a->o.cfg;
  const ct_cli *o = &a->o;
  ct_stage st = {.cfg = cfg,
                 .plan = &a->plan,
                 .known = &a->known,
                 .target = a->target,
                 .files = {o->junit, o->json, o->html}};
  print_header(a);
  ct_stage_catch_interrupts(a->child);
  ct_stage_run(&st);
  if (cfg->jobs > 1)
    printf("wall time %.1f s with --jobs %d\n", (double)(ct_now_ms() - st.t_start) / 1000.0,
           cfg->jobs);
  if (st.sc.stop)
    fprintf(stderr,
            "sioconform: the server stopped answering after %zu of %zu case-runs (%s); "
            "stopped, the reports hold the runs finished so far\n",
            st.nr, a->plan.n, st.sc.gone);
  if (ct_stage_interrupted)
    fprintf(stderr, "sioconform: interrupted: reports hold the %zu runs finished so far\n", st.nr);
  fflush(stdout);
  return ct_stage_finish(&st);
}

int main(int argc, char **argv) {
  app a;
  memset(&a, 0, sizeof a);
  a.child = -1;
  ct_cli_defaults(&a.o);
  /* sioconform matrix A.json B.json ... (issue 16) */
  if (argc > 1 && strcmp(argv[1], "matrix") == 0)
    return ct_matrix_main(argc - 1, argv + 1, a.o.cfg.vectors_dir, stdout);
  /* sioconform client [options] -- CMD ARGS... (issue 13) */
  if (argc > 1 && strcmp(argv[1], "client") == 0)
    return cc_main(argc - 1, argv + 1, a.o.cfg.vectors_dir, CT_DEFAULT_KNOWN_DEVIATIONS);
  /* sioconform cluster URL1 URL2 ... [--via LB_URL] (issue 15) */
  if (argc > 1 && strcmp(argv[1], "cluster") == 0)
    return cl_main(argc - 1, argv + 1, a.o.cfg.vectors_dir, CT_DEFAULT_KNOWN_DEVIATIONS);
  int rc = ct_cli_parse(&a.o, argc, argv);
  if (rc != CT_CLI_RUN) return rc;
  if (load_cases(&a) < 0) return finish(&a, 2);
  /* the plan: every selected (case, transport) in list order, made once; --list, the
   * discovery header and the scheduler all read it */
  if (ct_plan_build_protos(&a.plan, &a.cs, a.o.transports, a.o.cfg.protocols, a.o.prefixes, a.o.np,
                           a.o.skips, a.o.ns) == 0)
    return fail(&a, "no case matches the selection");
  if (a.o.list) {
    print_list(&a);
    return finish(&a, 0);
  }
  signal(SIGPIPE, SIG_IGN);
  if (reach_target(&a) < 0) return finish(&a, 2);
  if (a.o.fuzz.n > 0 || a.o.fuzz.replay) {
    a.o.fuzz.child = a.child;
    int frc =
        a.o.fuzz.replay ? ct_fuzz_replay(&a.o.cfg, &a.o.fuzz) : ct_fuzz_run(&a.o.cfg, &a.o.fuzz);
    return finish(&a, frc);
  }
  if (discover(&a) < 0 || load_known(&a) < 0) return finish(&a, 2);
  return finish(&a, run_plan(&a));
}
