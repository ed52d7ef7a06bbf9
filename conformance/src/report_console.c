/* Console report: one line per case-run and the closing "N passed, N failed, N
 * skipped" line, with NON-STRICT and INFO counted as documented in
 * conformance/README.md. */
#include "ct_report.h"

static ct_tally tally(const ct_run *r, size_t n, int sec) {
  ct_tally t = {0, 0, 0, 0, 0};
  for (size_t i = 0; i < n; i++) {
    if (ct_case_is_sec(r[i].c) != sec) continue;
    switch (r[i].verdict) {
    case CT_V_PASS:
      t.pass++;
      break;
    case CT_V_NONSTRICT:
      t.nonstrict++;
      break;
    case CT_V_INFO:
      t.info++;
      break;
    case CT_V_SKIP:
      t.skip++;
      break;
    default:
      t.fail++;
      break;
    }
  }
  return t;
}

ct_tally ct_tally_runs(const ct_run *r, size_t n) { return tally(r, n, 0); }
ct_tally ct_tally_sec(const ct_run *r, size_t n) { return tally(r, n, 1); }

void ct_tally_line(const ct_tally *t, int strict, int *passed, int *failed, int *skipped) {
  *passed = t->pass + t->info + (strict ? 0 : t->nonstrict);
  *failed = t->fail + (strict ? t->nonstrict : 0);
  *skipped = t->skip;
}

int ct_run_failed(const ct_run *r, int strict) {
  return r->verdict == CT_V_FAIL || r->verdict == CT_V_NONE || r->verdict == CT_V_BLOCKED ||
         (strict && r->verdict == CT_V_NONSTRICT);
}

void ct_report_console_line(FILE *f, const ct_run *r) {
  fprintf(f, "%-10s %s (%.0f ms)", ct_verdict_name(r->verdict), r->run_id, r->ms);
  if (r->verdict != CT_V_PASS && r->reason && *r->reason) fprintf(f, " - %s", r->reason);
  if (r->deviation) fprintf(f, " [known deviation %s]", r->deviation); /* known-deviations.md */
  fputc('\n', f);
  if ((r->verdict == CT_V_FAIL || r->verdict == CT_V_NONSTRICT) && (r->expected || r->actual)) {
    if (r->expected) fprintf(f, "           expected: %s\n", r->expected);
    if (r->actual) fprintf(f, "           actual:   %s\n", r->actual);
  }
}

/* The security pack's own block (issue 6): counts per verdict and the failing runs
 * with their severity, printed above the conformance lines. */
static size_t sec_summary(FILE *f, const ct_run *r, size_t n) {
  ct_tally t = ct_tally_sec(r, n);
  size_t ns = (size_t)(t.pass + t.fail + t.nonstrict + t.info + t.skip);
  if (!ns) return 0;
  fprintf(f, "\nsecurity pack: %zu case-runs: %d PASS, %d FAIL, %d NON-STRICT, %d INFO, %d SKIP\n",
          ns, t.pass, t.fail, t.nonstrict, t.info, t.skip);
  for (size_t i = 0; i < n; i++)
    if (ct_case_is_sec(r[i].c) && (r[i].verdict == CT_V_FAIL || r[i].verdict == CT_V_NONE))
      fprintf(f, "  FAIL [%s] %s\n", r[i].c->severity ? r[i].c->severity : "?", r[i].run_id);
  return ns;
}

void ct_report_console_summary(FILE *f, const ct_run *r, size_t n, int strict) {
  size_t ns = sec_summary(f, r, n);
  ct_tally t = ct_tally_runs(r, n);
  int p, fl, s;
  ct_tally_line(&t, strict, &p, &fl, &s);
  fprintf(f, "\n%zu case-runs: %d PASS, %d FAIL, %d NON-STRICT, %d INFO, %d SKIP%s\n", n - ns,
          t.pass, t.fail, t.nonstrict, t.info, t.skip, strict ? " (strict)" : "");
  fprintf(f, "%d passed, %d failed, %d skipped\n", p, fl, s);
}
