/* Partial reports written as runs finish, and atomic report files (issue 16): a run cut
 * short, even by SIGKILL, leaves valid JSON, JUnit and HTML reports holding the runs
 * finished up to the last rewrite, marked "complete": false. */
#include "ct_report_live.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ct_report_files.h"
#include "ct_report_html.h"

int ct_report_file(const char *file, const char *what, const ct_run *r, size_t n,
                   const char *target, int strict, int complete, ct_report_fn fn, int quiet) {
  /* beside FILE, so the rename stays on one file system and is atomic */
  char *tmp = ct_xasprintf("%s.tmp.%ld", file, (long)getpid());
  FILE *f = fopen(tmp, "w");
  if (!f) {
    fprintf(stderr, "sioconform: cannot write %s: %s\n", tmp, strerror(errno));
    free(tmp);
    return -1;
  }
  int rc = fn(f, r, n, target, strict, complete);
  if (fclose(f) != 0) rc = -1;
  if (rc == 0 && rename(tmp, file) != 0) {
    fprintf(stderr, "sioconform: cannot write %s: %s\n", file, strerror(errno));
    rc = -1;
  } else if (rc != 0) {
    fprintf(stderr, "sioconform: cannot write %s\n", tmp);
  }
  if (rc != 0) remove(tmp);
  free(tmp);
  if (rc == 0 && !quiet) fprintf(stderr, "%s report: %s\n", what, file);
  return rc;
}

struct ct_live {
  const char *file[3]; /* junit, json, html */
  char *target;
  int strict;
  size_t planned;
  const ct_run **done; /* done[i]: plan item i's finished run, or NULL */
  ct_run *scratch;     /* the finished runs in plan order (shallow copies) */
  int interval_ms;
  int64_t last;
  int failed; /* a write failed: said once */
};

static const char *const k_what[3] = {"JUnit", "JSON", "HTML"};
static const ct_report_fn k_fn[3] = {ct_report_junit, ct_report_json, ct_report_html};

static void live_write(ct_live *l) {
  size_t n = 0;
  for (size_t i = 0; i < l->planned; i++)
    if (l->done[i]) l->scratch[n++] = *l->done[i];
  for (int k = 0; k < 3; k++) {
    if (!l->file[k]) continue;
    if (ct_report_file(l->file[k], k_what[k], l->scratch, n, l->target, l->strict, 0, k_fn[k], 1) !=
            0 &&
        !l->failed) {
      l->failed = 1;
      fprintf(stderr, "sioconform: the partial %s report could not be written\n", k_what[k]);
    }
  }
  l->last = ct_now_ms();
}

ct_live *ct_live_new(const char *junit, const char *json, const char *html, const char *target,
                     int strict, size_t planned, int interval_ms) {
  if (!junit && !json && !html) return NULL;
  ct_live *l = ct_xmalloc(sizeof *l);
  memset(l, 0, sizeof *l);
  l->file[0] = junit;
  l->file[1] = json;
  l->file[2] = html;
  l->target = ct_xstrdup(target ? target : "");
  l->strict = strict;
  l->planned = planned;
  l->done = ct_xmalloc((planned ? planned : 1) * sizeof *l->done);
  memset(l->done, 0, (planned ? planned : 1) * sizeof *l->done);
  l->scratch = ct_xmalloc((planned ? planned : 1) * sizeof *l->scratch);
  l->interval_ms = interval_ms;
  live_write(l); /* a run killed before its first run ends still leaves valid files */
  return l;
}

void ct_live_add(ct_live *l, size_t plan_index, const ct_run *r) {
  if (!l || plan_index >= l->planned) return;
  l->done[plan_index] = r;
  if (ct_now_ms() - l->last >= l->interval_ms) live_write(l);
}

void ct_live_free(ct_live *l) {
  if (!l) return;
  free(l->done);
  free(l->scratch);
  free(l->target);
  free(l);
}
