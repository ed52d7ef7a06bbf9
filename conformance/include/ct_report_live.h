/* Report files that survive a run cut short (issue 16): every report file is written
 * atomically (a temporary file beside it, then rename), and while the runs go on the
 * JSON, JUnit and HTML reports are rewritten as runs finish, marked "complete": false,
 * so even a SIGKILL leaves the last whole version behind, never a torn file. */
#ifndef CT_REPORT_LIVE_H
#define CT_REPORT_LIVE_H

#include <stdio.h>

#include "ct_client.h"
#include "ct_report_files.h"
#include "ct_report_html.h"

/* A report writer of ct_report.h (ct_report_junit, ct_report_json, ct_report_html). */
typedef int (*ct_report_fn)(FILE *f, const ct_run *r, size_t n, const char *target, int strict,
                            int complete);

/* Write FN's report of R[0..N) to FILE atomically: into "FILE.tmp.PID", then renamed over
 * FILE (a reader sees the old file or the new one, whole). WHAT names the report in the
 * messages: "WHAT report: FILE" on stderr when QUIET is 0, one error line on failure
 * (the temporary file removed). Returns 0 or -1. */
int ct_report_file(const char *file, const char *what, const ct_run *r, size_t n,
                   const char *target, int strict, int complete, ct_report_fn fn, int quiet);

/* The partial reports of a run in progress. */
typedef struct ct_live ct_live;

/* Start the partial reports for PLANNED case-runs: each of JUNIT, JSON, HTML that is not
 * NULL is written at once with no runs ("complete": false), then rewritten by
 * ct_live_add at most every INTERVAL_MS milliseconds (0: after every run). Returns NULL
 * when no file is asked for (the other functions accept NULL). */
ct_live *ct_live_new(const char *junit, const char *json, const char *html, const char *target,
                     int strict, size_t planned, int interval_ms);
/* Run number PLAN_INDEX (< PLANNED) finished: R is borrowed until ct_live_free and must
 * not change afterwards. Rewrites the files (runs in plan order) when the interval has
 * passed since the last rewrite. Not thread-safe: the caller serialises (the scheduler
 * calls it under its lock). A write error is printed once; the run goes on. */
void ct_live_add(ct_live *l, size_t plan_index, const ct_run *r);
void ct_live_free(ct_live *l);

#endif
