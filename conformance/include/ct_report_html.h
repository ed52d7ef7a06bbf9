/* The HTML report page and the matrix page (report_html.c). */
#ifndef CT_REPORT_HTML_H
#define CT_REPORT_HTML_H

#include <cjson/cJSON.h>
#include <stdio.h>

#include "ct_verdict.h"

/* The same runs as one self-contained HTML page (ct_report_html, in the same terms as the
 * writers of ct_report_files.h). */
int ct_report_html(FILE *f, const ct_run *r, size_t n, const char *target, int strict,
                   int complete);

/* The HTML page (report_html.c) of REPORTS, an array of JSON indexes (borrowed), each
 * with a "name": one report gives the report page, several the matrix page (one verdict
 * column per server). One self-contained file: inline style and script, the data, and a
 * rendered copy of DOCS_ROOT/spec/ *.md and DOCS_ROOT/conformance/known-deviations.md
 * that every spec tag and known deviation links to (without them, tags are plain text).
 * DOCS_ROOT NULL: none. Not thread-safe (the rendered documents are cached). */
int ct_report_page(FILE *f, const cJSON *reports, const char *docs_root);

/* Issue 14: REPORTS (an array of indexes, taken) with every report that holds runs of
 * several protocols (--eio all, --parser all) split into one column per protocol: NAME
 * for the default runs, NAME/eio3, NAME/msgpack, each run id without its protocol suffix
 * (so rows line up) and the counts recomputed. Returns the new array (REPORTS itself when
 * no run id carries a protocol). Used by the report page and `sioconform matrix`. */
cJSON *ct_report_split_protocols(cJSON *reports);
/* The repository root that holds spec/ for a VECTORS_DIR ("X/vectors" -> "X"); caller
 * frees. */
char *ct_report_docs_root(const char *vectors_dir);

#endif
