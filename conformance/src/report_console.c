#include "ct_report_console.h"
/* Console report: one line per case-run and the closing "N passed, N failed, N
 * skipped" line, with NON-STRICT and INFO counted as documented in
 * conformance/README.md; BLOCKED runs (a failed preamble) count as failed and are
 * grouped under the root case that failed (issue 11, "one fault, one failure"). */
#include <stdlib.h>
#include <string.h>

static ct_tally tally(const ct_run *r, size_t n, int sec) {
  ct_tally t = {0, 0, 0, 0, 0, 0};
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
    case CT_V_BLOCKED:
      t.blocked++;
      break;
    default:
      t.fail++;
      break;
    }
  }
  return t;
}

ct_tally ct_tally_runs(const ct_run *r, size_t n) { return tally(r, n, 0); }

static unsigned proto_of(const ct_run *r) { return r->proto ? r->proto : CT_P_EIO4; }

unsigned ct_run_protocols(const ct_run *r, size_t n) {
  unsigned m = 0;
  for (size_t i = 0; i < n; i++) m |= proto_of(&r[i]);
  return m;
}

ct_tally ct_tally_proto(const ct_run *r, size_t n, unsigned proto) {
  ct_tally t = {0};
  for (size_t i = 0; i < n; i++) {
    if (proto_of(&r[i]) != proto) continue;
    ct_tally one = tally(&r[i], 1, 0);
    t.pass += one.pass;
    t.fail += one.fail;
    t.nonstrict += one.nonstrict;
    t.info += one.info;
    t.skip += one.skip;
    t.blocked += one.blocked;
  }
  return t;
}

/* Issue 14: the conformance counts in one column per protocol, when the runs hold more
 * than the default one (the closing lines below stay the totals). */
static void proto_summary(FILE *f, const ct_run *r, size_t n) {
  unsigned m = ct_run_protocols(r, n);
  if (!(m & ~CT_P_EIO4)) return;
  ct_tally t[3];
  fprintf(f, "\nby protocol:  ");
  for (unsigned i = 0; i < 3; i++)
    if (m & (1u << i)) {
      t[i] = ct_tally_proto(r, n, 1u << i);
      fprintf(f, " %8s", ct_proto_name(1u << i));
    }
  fputc('\n', f);
  static const char *const names[] = {"PASS", "FAIL", "BLOCKED", "NON-STRICT", "INFO", "SKIP"};
  for (int v = 0; v < 6; v++) {
    fprintf(f, "  %-12s", names[v]);
    for (unsigned i = 0; i < 3; i++)
      if (m & (1u << i)) {
        const ct_tally *x = &t[i];
        int c[] = {x->pass, x->fail, x->blocked, x->nonstrict, x->info, x->skip};
        fprintf(f, " %8d", c[v]);
      }
    fputc('\n', f);
  }
}
ct_tally ct_tally_sec(const ct_run *r, size_t n) { return tally(r, n, 1); }

void ct_tally_line(const ct_tally *t, int strict, int *passed, int *failed, int *skipped) {
  *passed = t->pass + t->info + (strict ? 0 : t->nonstrict);
  *failed = t->fail + t->blocked + (strict ? t->nonstrict : 0);
  *skipped = t->skip;
}

int ct_run_failed(const ct_run *r, int strict) {
  return r->verdict == CT_V_FAIL || r->verdict == CT_V_NONE || r->verdict == CT_V_BLOCKED ||
         (strict && r->verdict == CT_V_NONSTRICT);
}

int ct_run_failed_step(const ct_run *r) {
  int n = 0;
  if (!r->reason || sscanf(r->reason, "step %d (", &n) != 1 || n < 1) return 0;
  return n;
}

/* Step number *I (counted as steps.c counts them: every step written, a repeat's body
 * unrolled COUNT times, the repeat itself unnumbered) in STEPS, or NULL. */
static const cJSON *nth_step(const cJSON *steps, int *i) {
  const cJSON *s;
  cJSON_ArrayForEach(s, steps) {
    const char *op = cJSON_GetStringValue(cJSON_GetObjectItem(s, "op"));
    if (op && strcmp(op, "repeat") == 0) {
      const cJSON *cnt = cJSON_GetObjectItem(s, "count");
      for (int k = 0; cJSON_IsNumber(cnt) && k < cnt->valueint; k++) {
        const cJSON *x = nth_step(cJSON_GetObjectItem(s, "steps"), i);
        if (x || *i <= 0) return x;
      }
      continue;
    }
    if (--*i == 0) return s;
  }
  return NULL;
}

static void add_tag(char *out, size_t len, const char *tag, size_t tl) {
  size_t ol = strlen(out);
  if (ol + (ol ? 1 : 0) + tl + 1 > len) return;
  if (ol) out[ol++] = ',';
  memcpy(out + ol, tag, tl);
  out[ol + tl] = '\0';
}

/* Is TAG (TL bytes) written in TEXT as a whole tag (not the head of EIO-HB-30)? */
static int cites(const char *text, const char *tag, size_t tl) {
  for (const char *p = text; (p = strstr(p, tag)) != NULL; p++) {
    char after = p[tl];
    int head = p == text || !(p[-1] == '-' || (p[-1] >= 'A' && p[-1] <= 'Z'));
    if (head && !(after >= '0' && after <= '9') && after != '-' && !(after >= 'A' && after <= 'Z'))
      return 1;
  }
  return 0;
}

char *ct_run_step_tags(const ct_run *r, char *out, size_t len) {
  if (!len) return out;
  out[0] = '\0';
  if (r->verdict == CT_V_PASS || r->verdict == CT_V_SKIP || r->verdict == CT_V_BLOCKED || !r->c ||
      !r->c->tags)
    return out;
  int n = ct_run_failed_step(r);
  const cJSON *st = n && r->c->steps ? nth_step(r->c->steps, &n) : NULL;
  const cJSON *own = st ? cJSON_GetObjectItem(st, "tag") : NULL;
  if (cJSON_IsString(own)) {
    add_tag(out, len, own->valuestring, strlen(own->valuestring));
    return out;
  }
  if (cJSON_IsArray(own)) {
    const cJSON *t;
    cJSON_ArrayForEach(t, own) if (cJSON_IsString(t))
        add_tag(out, len, t->valuestring, strlen(t->valuestring));
    if (*out) return out;
  }
  const char *note = st ? cJSON_GetStringValue(cJSON_GetObjectItem(st, "note")) : NULL;
  for (int pass = note ? 0 : 1; pass < 2 && !*out; pass++)
    for (const char *p = r->c->tags; *p;) {
      size_t tl = strcspn(p, ",");
      char tag[64];
      if (tl < sizeof tag) {
        memcpy(tag, p, tl);
        tag[tl] = '\0';
        if (pass == 1 || cites(note, tag, tl)) add_tag(out, len, p, tl);
      }
      p += tl + (p[tl] == ',');
    }
  return out;
}

void ct_report_console_line(FILE *f, const ct_run *r) {
  fprintf(f, "%-10s %s (%.0f ms)", ct_verdict_name(r->verdict), r->run_id, r->ms);
  if (r->verdict == CT_V_BLOCKED)
    fprintf(f, " - blocked by %s: %s", r->blocked_by ? r->blocked_by : "?",
            r->reason ? r->reason : "");
  else if (r->verdict != CT_V_PASS && r->reason && *r->reason)
    fprintf(f, " - %s", r->reason);
  char tags[256];
  if (*ct_run_step_tags(r, tags, sizeof tags)) { /* the rule that failed, spec/ (issue 16) */
    fputs(" [", f);
    for (const char *p = tags; *p; p++) {
      fputc(*p, f);
      if (*p == ',') fputc(' ', f);
    }
    fputc(']', f);
  }
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
  size_t ns = (size_t)(t.pass + t.fail + t.nonstrict + t.info + t.skip + t.blocked);
  if (!ns) return 0;
  fprintf(f,
          "\nsecurity pack: %zu case-runs: %d PASS, %d FAIL, %d BLOCKED, %d NON-STRICT, %d INFO, "
          "%d SKIP\n",
          ns, t.pass, t.fail, t.blocked, t.nonstrict, t.info, t.skip);
  for (size_t i = 0; i < n; i++)
    if (ct_case_is_sec(r[i].c) &&
        (r[i].verdict == CT_V_FAIL || r[i].verdict == CT_V_NONE || r[i].verdict == CT_V_BLOCKED))
      fprintf(f, "  %s [%s] %s%s%s%s\n", r[i].verdict == CT_V_BLOCKED ? "BLOCKED" : "FAIL",
              r[i].c->severity ? r[i].c->severity : "?", r[i].run_id,
              r[i].c->fixed ? " (fixed in " : "", r[i].c->fixed ? r[i].c->fixed : "",
              r[i].c->fixed ? ")" : "");
  return ns;
}

static int blocked_by_is(const ct_run *x, const char *root) {
  return x->verdict == CT_V_BLOCKED && x->blocked_by && strcmp(x->blocked_by, root) == 0;
}

size_t ct_root_groups(const ct_run *r, size_t n, ct_root_group *out, size_t max) {
  size_t ng = 0;
  for (size_t i = 0; i < n; i++) {
    if (r[i].verdict != CT_V_BLOCKED || !r[i].blocked_by) continue;
    int seen = 0;
    for (size_t k = 0; k < i && !seen; k++) seen = blocked_by_is(&r[k], r[i].blocked_by);
    if (seen) continue;
    if (ng < max) {
      ct_root_group *g = &out[ng];
      g->root = r[i].blocked_by;
      g->blocked = 0;
      g->root_index = -1;
      for (size_t k = i; k < n; k++) g->blocked += blocked_by_is(&r[k], g->root);
      for (size_t k = 0; k < n; k++)
        if (r[k].run_id && strcmp(r[k].run_id, g->root) == 0) g->root_index = (long)k;
    }
    ng++;
  }
  return ng;
}

/* "1 root failure, 240 blocked:" and one line per root with its own verdict. */
static void blocked_summary(FILE *f, const ct_run *r, size_t n, int nblocked) {
  if (!nblocked) return;
  ct_root_group g[64];
  size_t ng = ct_root_groups(r, n, g, 64);
  fprintf(f, "%zu root failure%s, %d blocked:\n", ng, ng == 1 ? "" : "s", nblocked);
  for (size_t i = 0; i < ng && i < 64; i++)
    fprintf(f, "  %s (%s) blocks %d run%s\n", g[i].root,
            g[i].root_index < 0 ? "not run" : ct_verdict_name(r[g[i].root_index].verdict),
            g[i].blocked, g[i].blocked == 1 ? "" : "s");
  if (ng > 64) fprintf(f, "  ... and %zu more roots\n", ng - 64);
}

void ct_report_console_summary(FILE *f, const ct_run *r, size_t n, int strict) {
  size_t ns = sec_summary(f, r, n);
  ct_tally t = ct_tally_runs(r, n);
  int p, fl, s;
  ct_tally_line(&t, strict, &p, &fl, &s);
  ct_tally ts = ct_tally_sec(r, n);
  proto_summary(f, r, n);
  fputc('\n', f);
  blocked_summary(f, r, n, t.blocked + ts.blocked);
  fprintf(f, "%zu case-runs: %d PASS, %d FAIL, %d BLOCKED, %d NON-STRICT, %d INFO, %d SKIP%s\n",
          n - ns, t.pass, t.fail, t.blocked, t.nonstrict, t.info, t.skip,
          strict ? " (strict)" : "");
  fprintf(f, "%d passed, %d failed, %d skipped\n", p, fl, s);
}
