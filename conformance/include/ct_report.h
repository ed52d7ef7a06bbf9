/* Report writers: console lines, JUnit XML, a JSON index and one self-contained HTML
 * page. Each writer takes a FILE* it does not own and the finished runs (borrowed). */
#ifndef CT_REPORT_H
#define CT_REPORT_H

#include <stdio.h>

#include "ct.h"

typedef struct ct_tally {
  int pass, fail, nonstrict, info, skip;
} ct_tally;

/* Count the conformance runs of R[0..N): security-pack runs (sec.*) are left out,
 * they never move the conformance score. */
ct_tally ct_tally_runs(const ct_run *r, size_t n);
/* Count the security-pack runs of R[0..N) only. */
ct_tally ct_tally_sec(const ct_run *r, size_t n);
/* The closing line's numbers. passed = PASS + INFO (+ NON-STRICT unless STRICT);
 * failed = FAIL (+ NON-STRICT when STRICT); skipped = SKIP. */
void ct_tally_line(const ct_tally *t, int strict, int *passed, int *failed, int *skipped);
/* True when the run counts as a conformance failure. */
int ct_run_failed(const ct_run *r, int strict);

/* "PASS       eio.x@polling  (12 ms)" plus the reason for anything but PASS. */
void ct_report_console_line(FILE *f, const ct_run *r);
/* The summary block ending with exactly "N passed, N failed, N skipped". */
void ct_report_console_summary(FILE *f, const ct_run *r, size_t n, int strict);

/* TARGET: the URL checked (for the reports' headers). Return 0 or -1 (write error). */
int ct_report_junit(FILE *f, const ct_run *r, size_t n, const char *target, int strict);
int ct_report_json(FILE *f, const ct_run *r, size_t n, const char *target, int strict);
int ct_report_html(FILE *f, const ct_run *r, size_t n, const char *target, int strict);

#endif
