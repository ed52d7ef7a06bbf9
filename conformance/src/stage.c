/* The shared run-and-report stage (ct_stage.h). */
#include "ct_stage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_report_console.h"
#include "ct_report_live.h"

void ct_stage_run(ct_stage *st) {
  ct_sched *sc = &st->sc;
  memset(sc, 0, sizeof *sc);
  sc->cfg = st->cfg;
  sc->plan = st->plan;
  sc->interrupted = st->interrupted;
  snprintf(sc->target, sizeof sc->target, "%s", st->target);
  sc->known = st->known;
  sc->live = ct_live_new(st->files[0], st->files[1], st->files[2], st->target, st->cfg->strict,
                         st->plan->n, 1000);
  st->t_start = ct_now_ms();
  ct_sched_run(sc);
  st->complete = !*st->interrupted && !sc->stop;
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
  if (werr || sc->stop || *st->interrupted) return 2;
  return failed ? 1 : 0;
}
