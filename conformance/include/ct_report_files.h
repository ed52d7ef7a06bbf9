/* The JUnit XML and JSON reports (report_files.c). Each writer takes a FILE* it does not
 * own and the finished runs (borrowed). */
#ifndef CT_REPORT_FILES_H
#define CT_REPORT_FILES_H

#include <cjson/cJSON.h>
#include <stdio.h>

#include "ct_verdict.h"

/* TARGET: the URL checked (for the reports' headers). COMPLETE: 0 when the run was cut
 * short (a signal) and R holds only the runs finished so far; the JSON says
 * "complete": false, the JUnit a testsuite property complete=false. Return 0 or -1
 * (write error). */
int ct_report_junit(FILE *f, const ct_run *r, size_t n, const char *target, int strict,
                    int complete);
int ct_report_json(FILE *f, const ct_run *r, size_t n, const char *target, int strict,
                   int complete);
/* The JSON index of the --json report (caller deletes). */
cJSON *ct_report_index(const ct_run *r, size_t n, const char *target, int strict, int complete);

#endif
