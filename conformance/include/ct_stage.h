/* The stage the three commands share once their plan is made (stage.c): `sioconform`
 * (main.c), `sioconform client` (cc_main.c) and `sioconform cluster` (cl_main.c) run the
 * plan on the scheduler with partial reports, link the known deviations, print the
 * console summary, and write the final JUnit/JSON/HTML reports. What differs between
 * them (the header, the wall-time line, the stop and interrupt messages) stays with the
 * caller, between ct_stage_run and ct_stage_finish. */
#ifndef CT_STAGE_H
#define CT_STAGE_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include "ct_deviations.h"
#include "ct_sched.h"

typedef struct ct_stage {
  /* set by the caller */
  ct_config *cfg;        /* the runs' configuration; cfg->strict grades */
  ct_plan *plan;         /* the case-runs, in report order */
  const ct_known *known; /* linked on each run (may be empty) */
  const char *target;    /* the console's and the reports' target */
  const char *files[3];  /* --junit, --json, --html: NULL when not asked */
  /* set by ct_stage_run */
  ct_sched sc;     /* sc.stop: the server stopped answering (sc.gone says how) */
  ct_run *runs;    /* the finished runs in plan order (shallow copies of sc.runs) */
  size_t nr;       /* how many */
  int64_t t_start; /* ct_now_ms() when the scheduler started */
  int complete;    /* the plan ran to its end: not interrupted, not stopped */
} ct_stage;

/* SIGINT/SIGTERM (Ctrl-C, a CI timeout) during the runs: start nothing more, let the runs
 * in flight end (each is bounded), write the reports of the finished runs marked
 * incomplete (issue 16). A second signal ends the process at once, after a SIGTERM to
 * CHILD when CHILD > 0 (a server the command started). ct_stage_interrupted holds the
 * first signal's number, 0 before. */
extern volatile sig_atomic_t ct_stage_interrupted;
void ct_stage_catch_interrupts(pid_t child);

/* Start the partial reports, run the plan, link the deviations and print the console
 * summary of the finished runs. */
void ct_stage_run(ct_stage *st);

/* Write the final reports (atomically; "complete" unless interrupted or stopped) and
 * free what ct_stage_run made. Returns the exit status: 2 when a report could not be
 * written, the run was interrupted or the server stopped answering, else 1 when a run
 * failed (cfg->strict: NON-STRICT too), else 0. */
int ct_stage_finish(ct_stage *st);

#endif
