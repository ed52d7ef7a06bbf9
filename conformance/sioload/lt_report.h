/* sioload's output: the table on stdout and the --json file (format 1, read by
 * ci/bench.d/summarize.js). */
#ifndef SIOLOAD_LT_REPORT_H
#define SIOLOAD_LT_REPORT_H

#include <stdio.h>

/* The results of the run as a table on F. */
void lt_report_table(FILE *f);
/* The results as JSON into PATH. 0, or -1 with errno set. */
int lt_report_json(const char *path);

#endif
