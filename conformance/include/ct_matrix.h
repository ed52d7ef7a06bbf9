#include "ct_report_html.h"
/* `sioconform matrix`: several JSON reports (one per server, or saved runs) on one page,
 * servers x case-runs, in the manner of Autobahn's agents x cases table (issue 16). */
#ifndef CT_MATRIX_H
#define CT_MATRIX_H

#include <stdio.h>

#include <cjson/cJSON.h>

/* The command line after "matrix": [--html OUT] [NAME=]REPORT.json ... (at least one).
 * Prints the servers' counts and the case-runs whose verdicts differ on OUT_CONSOLE;
 * writes the page (ct_report_page) to OUT when --html is given. VECTORS_DIR locates the
 * spec rendered into the page (ct_report_docs_root). Returns the exit status: 0, or 2
 * (usage, a report that does not load, a page that cannot be written). */
int ct_matrix_main(int argc, char **argv, const char *vectors_dir, FILE *out_console);

/* Load the --json report FILE as a matrix column named NAME (NULL: FILE's base name
 * without ".json"). Returns the index (the caller deletes it) or NULL with a message in
 * ERR when FILE is unreadable or not a sioconform report (format 1 with a runs array). */
cJSON *ct_matrix_load(const char *file, const char *name, char *err, size_t errlen);

/* How many case-runs of REPORTS (an array of indexes) do not have the same verdict on
 * every server (a run missing from a report counts as its own verdict); prints each on F
 * ("  eio.x@polling: sioref PASS, node FAIL") when F is not NULL. Returns the count of
 * distinct case-runs in *TOTAL. */
size_t ct_matrix_diff(const cJSON *reports, FILE *f, size_t *total);

#endif
