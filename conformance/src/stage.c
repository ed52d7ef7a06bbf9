/* The shared run-and-report stage (ct_stage.h). */
#include "ct_stage.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ct_report_console.h"
#include "ct_report_live.h"

volatile sig_atomic_t ct_stage_interrupted;
static volatile pid_t g_child = -1;

/* Only stores a flag, or calls kill/_exit, which are async-signal-safe. */
static void on_interrupt(int sig) {
  if (ct_stage_interrupted) {
    if (g_child > 0) kill(g_child, SIGTERM);
    _exit(128 + sig);
  }
  ct_stage_interrupted = sig;
}

void ct_stage_catch_interrupts(pid_t child) {
  g_child = child;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

void ct_stage_run(ct_stage *st) {
  ct_sched *sc = &st->sc;
  memset(sc, 0, sizeof *sc);
  sc->cfg = st->cfg;
  sc->plan = st->plan;
  sc->interrupted = &ct_stage_interrupted;
  snprintf(sc->target, sizeof sc->target, "%s", st->target);
  sc->known = st->known;
  sc->live = ct_live_new(st->files[0], st->files[1], st->files[2], st->target, st->cfg->strict,
                         st->plan->n, 1000);
  st->t_start = ct_now_ms();
  ct_sched_run(sc);
  st->complete = !ct_stage_interrupted && !sc->stop;
  /* the reports list the finished runs in plan order */
  st->runs = ct_xmalloc((st->plan->n ? st->plan->n : 1) * sizeof *st->runs);
  st->nr = 0;
  for (size_t i = 0; i < st->plan->n; i++)
    if (st->plan->items[i].state == CT_RUN_REPORTED) {
      /* link on the run itself: the copy below is shallow and freed through sc.runs */
      ct_deviations_annotate(st->known, &sc->runs[i], 1);
      st->runs[st->nr++] = sc->runs[i];
    }
  ct_report_console_summary(stdout, st->runs, st->nr, st->cfg->strict);
}

int ct_stage_finish(ct_stage *st) {
  ct_sched *sc = &st->sc;
  int strict = st->cfg->strict;
  /* the final reports, written atomically (a reader never sees a torn file) */
  static const char *const what[] = {"JUnit", "JSON", "HTML"};
  static const ct_report_fn fns[] = {ct_report_junit, ct_report_json, ct_report_html};
  int werr = 0;
  for (int k = 0; k < 3; k++)
    if (st->files[k])
      werr |= ct_report_file(st->files[k], what[k], st->runs, st->nr, st->target, strict,
                             st->complete, fns[k], 0);
  ct_live_free(sc->live);
  int failed = 0;
  for (size_t i = 0; i < st->nr; i++) failed |= ct_run_failed(&st->runs[i], strict);
  for (size_t i = 0; i < st->plan->n; i++)
    if (st->plan->items[i].state != CT_RUN_PENDING) ct_run_free(&sc->runs[i]);
  free(st->runs);
  free(sc->runs);
  st->runs = NULL;
  sc->runs = NULL;
  if (werr || sc->stop || ct_stage_interrupted) return 2;
  return failed ? 1 : 0;
}
