/* The console report (report_console.c): a line per finished run, the tallies and the
 * closing summary. Every function takes the finished runs borrowed. */
#ifndef CT_REPORT_CONSOLE_H
#define CT_REPORT_CONSOLE_H

#include <stdio.h>

#include "ct_verdict.h"

typedef struct ct_tally {
  int pass, fail, nonstrict, info, skip;
  int blocked; /* BLOCKED: a preamble failed; counted as failed, never as passed */
} ct_tally;

/* Count the conformance runs of R[0..N): security-pack runs (sec.*) are left out,
 * they never move the conformance score. */
ct_tally ct_tally_runs(const ct_run *r, size_t n);
/* Count the security-pack runs of R[0..N) only. */
ct_tally ct_tally_sec(const ct_run *r, size_t n);
/* Issue 14: the CT_P_* protocols R[0..N) were run under, and the conformance runs of one. */
unsigned ct_run_protocols(const ct_run *r, size_t n);
ct_tally ct_tally_proto(const ct_run *r, size_t n, unsigned proto);
/* The closing line's numbers. passed = PASS + INFO (+ NON-STRICT unless STRICT);
 * failed = FAIL + BLOCKED (+ NON-STRICT when STRICT); skipped = SKIP. */
void ct_tally_line(const ct_tally *t, int strict, int *passed, int *failed, int *skipped);
/* True when the run counts as a conformance failure. */
int ct_run_failed(const ct_run *r, int strict);

/* "PASS       eio.x@polling  (12 ms)" plus the reason for anything but PASS; a run whose
 * step failed (FAIL, NON-STRICT, INFO) adds the spec tags of that step: "[EIO-HB-3]". */
void ct_report_console_line(FILE *f, const ct_run *r);
/* The number of the step that decided R ("step N (op): ..." starts its reason), or 0. */
int ct_run_failed_step(const ct_run *r);
/* The spec tags of the step that failed R, comma-separated into OUT (LEN bytes): the
 * step's own "tag" (a string or a list) when the scenario gives one; else the case's tags
 * that the step's "note" cites; else every tag of the case (a C probe, a step that cites
 * none). "" for PASS, SKIP and BLOCKED (a blocked run names its root instead). Returns
 * OUT. */
char *ct_run_step_tags(const ct_run *r, char *out, size_t len);
/* The blocked runs of R[0..N) grouped by root: for each distinct root run id (in order of
 * first appearance) its index in R (-1 when the root was not run) and how many runs it
 * blocks. Fills at most MAX groups; returns the number of distinct roots. */
typedef struct ct_root_group {
  const char *root; /* borrowed from a run's blocked_by */
  long root_index;  /* index of the root's own run in R, or -1 */
  int blocked;
} ct_root_group;
size_t ct_root_groups(const ct_run *r, size_t n, ct_root_group *out, size_t max);
/* The summary block ending with exactly "N passed, N failed, N skipped"; blocked runs
 * are counted on the line above it and grouped under their roots. */
void ct_report_console_summary(FILE *f, const ct_run *r, size_t n, int strict);

#endif
