/* File reports: JUnit XML (one testcase per case-run, classname = case id,
 * name = transport), a JSON index (expected vs actual and the wire transcript per
 * run); the HTML page is report_html.c. BLOCKED runs (a failed preamble) are failures
 * that name their root, grouped under it. */
#include "ct_report_files.h"

#include <stdlib.h>
#include <string.h>

#include "ct_discover.h"
#include "ct_deviations.h"
#include "ct_report_console.h"

static void xml_escape(FILE *f, const char *s) {
  for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
    switch (*p) {
    case '<':
      fputs("&lt;", f);
      break;
    case '>':
      fputs("&gt;", f);
      break;
    case '&':
      fputs("&amp;", f);
      break;
    case '"':
      fputs("&quot;", f);
      break;
    case '\'':
      fputs("&#39;", f);
      break;
    default:
      /* XML 1.0 forbids most control characters even escaped */
      if (*p < 0x20 && *p != '\n' && *p != '\t')
        fprintf(f, "\\x%02x", *p);
      else
        fputc(*p, f);
    }
  }
}

static const char *transport_of(const ct_run *r) {
  return r->transport == CT_TR_POLLING ? "polling" : "websocket";
}

static void junit_cases(FILE *f, const ct_run *r, size_t n, int strict, int sec);

int ct_report_junit(FILE *f, const ct_run *r, size_t n, const char *target, int strict,
                    int complete) {
  ct_tally t = ct_tally_runs(r, n);
  int fl = 0, s = 0;
  for (size_t i = 0; i < n; i++) {
    fl += ct_run_failed(&r[i], strict);
    s += r[i].verdict == CT_V_SKIP;
  }
  double total = 0;
  for (size_t i = 0; i < n; i++) total += r[i].ms;
  fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  fprintf(f,
          "<testsuites name=\"sioconform\" tests=\"%zu\" failures=\"%d\" skipped=\"%d\" "
          "time=\"%.3f\">\n",
          n, fl, s, total / 1000);
  /* two suites: the conformance cases, then the security pack (issue 6) */
  for (int sec = 0; sec <= 1; sec++) {
    ct_tally ts = sec ? ct_tally_sec(r, n) : t;
    int sp, sf, ss;
    ct_tally_line(&ts, strict, &sp, &sf, &ss);
    int nt = ts.pass + ts.fail + ts.nonstrict + ts.info + ts.skip + ts.blocked;
    if (sec && nt == 0) break;
    double tt = 0;
    for (size_t i = 0; i < n; i++)
      if (ct_case_is_sec(r[i].c) == sec) tt += r[i].ms;
    fprintf(f, "  <testsuite name=\"sioconform %s", sec ? "security pack " : "");
    xml_escape(f, target);
    fprintf(f, "\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"%d\" time=\"%.3f\">\n", nt,
            sf, ss, tt / 1000);
    /* what discovery found on the target (issue 11) */
    char *disc = n && r[0].cfg ? ct_discovery_line(r[0].cfg) : NULL;
    /* one <properties> per suite (JUnit schema); complete=false: cut short by a signal,
     * only the runs finished so far (issue 16) */
    if (disc || !complete) {
      fprintf(f, "    <properties>");
      if (disc) {
        fprintf(f, "<property name=\"discovery\" value=\"");
        xml_escape(f, disc);
        fprintf(f, "\"/>");
      }
      if (!complete) fprintf(f, "<property name=\"complete\" value=\"false\"/>");
      fprintf(f, "</properties>\n");
      free(disc);
    }
    junit_cases(f, r, n, strict, sec);
    fprintf(f, "  </testsuite>\n");
  }
  fprintf(f, "</testsuites>\n");
  return ferror(f) ? -1 : 0;
}

static void junit_cases(FILE *f, const ct_run *r, size_t n, int strict, int sec) {
  for (size_t i = 0; i < n; i++) {
    const ct_run *x = &r[i];
    if (ct_case_is_sec(x->c) != sec) continue;
    fprintf(f, "    <testcase classname=\"");
    xml_escape(f, x->c->id);
    /* one testcase per (transport, protocol): "polling", "polling/eio3" (issue 14) */
    fprintf(f, "\" name=\"%s%s\" time=\"%.3f\">\n", transport_of(x), ct_proto_suffix(x->proto),
            x->ms / 1000);
    fprintf(f,
            "      <properties><property name=\"verdict\" value=\"%s\"/>"
            "<property name=\"level\" value=\"%s\"/><property name=\"tags\" value=\"",
            ct_verdict_name(x->verdict), ct_level_name(x->c->level));
    xml_escape(f, x->c->tags);
    fprintf(f, "\"/>");
    if (x->c->severity) fprintf(f, "<property name=\"severity\" value=\"%s\"/>", x->c->severity);
    if (x->proto > CT_P_EIO4)
      fprintf(f, "<property name=\"protocol\" value=\"%s\"/>", ct_proto_name(x->proto));
    if (x->c->fixed) {
      fputs("<property name=\"fixed\" value=\"", f);
      xml_escape(f, x->c->fixed);
      fputs("\"/>", f);
    }
    fprintf(f, "</properties>\n");
    if (x->verdict == CT_V_BLOCKED) {
      /* a failure whose message names the root case that failed */
      fprintf(f, "      <failure type=\"BLOCKED\" message=\"blocked by ");
      xml_escape(f, x->blocked_by ? x->blocked_by : "?");
      fprintf(f, ": ");
      xml_escape(f, x->reason);
      fprintf(f, "\">the preamble failed; its root case ");
      xml_escape(f, x->blocked_by ? x->blocked_by : "?");
      fprintf(f, " grades it</failure>\n");
    } else if (ct_run_failed(x, strict)) {
      fprintf(f, "      <failure type=\"%s\" message=\"", ct_verdict_name(x->verdict));
      xml_escape(f, x->reason);
      fprintf(f, "\">expected: ");
      xml_escape(f, x->expected ? x->expected : "-");
      fprintf(f, "\nactual: ");
      xml_escape(f, x->actual ? x->actual : "-");
      fprintf(f, "</failure>\n");
    } else if (x->verdict == CT_V_SKIP) {
      fprintf(f, "      <skipped message=\"");
      xml_escape(f, x->reason);
      fprintf(f, "\"/>\n");
    }
    fprintf(f, "      <system-out>");
    xml_escape(f, (const char *)x->log.data);
    fprintf(f, "</system-out>\n    </testcase>\n");
  }
}

static cJSON *run_json(const ct_run *x) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "run", x->run_id);
  cJSON_AddStringToObject(o, "id", x->c->id);
  cJSON_AddStringToObject(o, "transport", transport_of(x));
  /* issue 14: eio4 (Engine.IO v4 / Socket.IO v5, JSON), eio3 or msgpack */
  cJSON_AddStringToObject(o, "protocol", ct_proto_name(x->proto ? x->proto : CT_P_EIO4));
  cJSON_AddStringToObject(o, "title", x->c->title);
  cJSON_AddStringToObject(o, "level", ct_level_name(x->c->level));
  cJSON *tags = cJSON_AddArrayToObject(o, "tags");
  char *t = ct_xstrdup(x->c->tags);
  for (char *save = NULL, *tok = strtok_r(t, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
    cJSON_AddItemToArray(tags, cJSON_CreateString(tok));
  free(t);
  cJSON_AddStringToObject(o, "verdict", ct_verdict_name(x->verdict));
  if (x->blocked_by) cJSON_AddStringToObject(o, "blocked_by", x->blocked_by);
  cJSON_AddStringToObject(o, "family", ct_case_is_sec(x->c) ? "security" : "conformance");
  if (x->c->severity) cJSON_AddStringToObject(o, "severity", x->c->severity);
  if (x->c->fixed) cJSON_AddStringToObject(o, "fixed", x->c->fixed);
  cJSON_AddStringToObject(o, "reason", x->reason ? x->reason : "");
  if (x->expected)
    cJSON_AddStringToObject(o, "expected", x->expected);
  else
    cJSON_AddNullToObject(o, "expected");
  if (x->actual)
    cJSON_AddStringToObject(o, "actual", x->actual);
  else
    cJSON_AddNullToObject(o, "actual");
  /* the step that failed and the rule it checks (issue 16) */
  int step = ct_run_failed_step(x);
  if (step) cJSON_AddNumberToObject(o, "step", step);
  char st[512];
  if (*ct_run_step_tags(x, st, sizeof st)) {
    cJSON *a = cJSON_AddArrayToObject(o, "step_tags");
    for (char *save = NULL, *tok = strtok_r(st, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
      cJSON_AddItemToArray(a, cJSON_CreateString(tok));
  }
  if (x->deviation) { /* the known-deviations.md entry whose cause matches this run */
    cJSON_AddStringToObject(o, "deviation", x->deviation);
    const char *title = ct_deviations_title(x->deviation);
    if (title) cJSON_AddStringToObject(o, "deviation-title", title);
  }
  cJSON_AddNumberToObject(o, "ms", x->ms);
  if (x->c->requires) cJSON_AddStringToObject(o, "requires", x->c->requires);
  cJSON_AddStringToObject(o, "source", x->c->source ? x->c->source : "probe");
  /* cJSON stops strings at NUL: the transcript is escaped text, never raw bytes */
  cJSON_AddStringToObject(o, "transcript", x->log.data ? (const char *)x->log.data : "");
  return o;
}

/* The six verdict counts of T as members of O, in the reports' order. */
static void add_verdict_counts(cJSON *o, const ct_tally *t) {
  cJSON_AddNumberToObject(o, "PASS", t->pass);
  cJSON_AddNumberToObject(o, "FAIL", t->fail);
  cJSON_AddNumberToObject(o, "BLOCKED", t->blocked);
  cJSON_AddNumberToObject(o, "NON-STRICT", t->nonstrict);
  cJSON_AddNumberToObject(o, "INFO", t->info);
  cJSON_AddNumberToObject(o, "SKIP", t->skip);
}

cJSON *ct_report_index(const ct_run *r, size_t n, const char *target, int strict, int complete) {
  ct_tally t = ct_tally_runs(r, n);
  int p, fl, s;
  ct_tally_line(&t, strict, &p, &fl, &s);
  cJSON *root = cJSON_CreateObject();
  cJSON_AddNumberToObject(root, "format", 1);
  cJSON_AddStringToObject(root, "tool", "sioconform");
  /* what discovery found on the target (issue 11) */
  cJSON *disc = n && r[0].cfg ? ct_discovery_json(r[0].cfg) : NULL;
  if (disc) {
    char *line = ct_discovery_line(r[0].cfg);
    cJSON_AddStringToObject(disc, "summary", line);
    free(line);
    cJSON_AddItemToObject(root, "discovery", disc);
  }
  cJSON_AddStringToObject(root, "target", target);
  cJSON_AddBoolToObject(root, "strict", strict);
  /* false: cut short by a signal, only the runs finished so far (issue 16) */
  cJSON_AddBoolToObject(root, "complete", complete);
  cJSON *sum = cJSON_AddObjectToObject(root, "summary");
  cJSON_AddNumberToObject(sum, "runs", t.pass + t.fail + t.nonstrict + t.info + t.skip + t.blocked);
  cJSON_AddNumberToObject(sum, "passed", p);
  cJSON_AddNumberToObject(sum, "failed", fl);
  cJSON_AddNumberToObject(sum, "skipped", s);
  add_verdict_counts(sum, &t);
  /* issue 14: one column per protocol, when the runs are not all of the default one */
  unsigned protos = ct_run_protocols(r, n);
  if (protos & ~CT_P_EIO4) {
    cJSON *pr = cJSON_AddObjectToObject(sum, "protocols");
    for (unsigned b = CT_P_EIO4; b <= CT_P_MSGPACK; b <<= 1) {
      if (!(protos & b)) continue;
      ct_tally tp = ct_tally_proto(r, n, b);
      add_verdict_counts(cJSON_AddObjectToObject(pr, ct_proto_name(b)), &tp);
    }
  }
  /* the security pack is summarised apart and never counted above (issue 6) */
  ct_tally ts = ct_tally_sec(r, n);
  cJSON *sec = cJSON_AddObjectToObject(root, "security");
  cJSON_AddNumberToObject(sec, "runs",
                          ts.pass + ts.fail + ts.nonstrict + ts.info + ts.skip + ts.blocked);
  cJSON_AddNumberToObject(sec, "PASS", ts.pass);
  cJSON_AddNumberToObject(sec, "FAIL", ts.fail);
  cJSON_AddNumberToObject(sec, "BLOCKED", ts.blocked);
  cJSON_AddNumberToObject(sec, "NON-STRICT", ts.nonstrict);
  cJSON_AddNumberToObject(sec, "INFO", ts.info);
  cJSON_AddNumberToObject(sec, "SKIP", ts.skip);
  cJSON *sf = cJSON_AddArrayToObject(sec, "failing");
  for (size_t i = 0; i < n; i++)
    if (ct_case_is_sec(r[i].c) && ct_run_failed(&r[i], strict))
      cJSON_AddItemToArray(sf, cJSON_CreateString(r[i].run_id));
  /* one fault, one failure: every root that blocks runs, with its own verdict */
  size_t ng = ct_root_groups(r, n, NULL, 0);
  ct_root_group *g = ct_xmalloc((ng ? ng : 1) * sizeof *g);
  ct_root_groups(r, n, g, ng);
  cJSON *roots = cJSON_AddArrayToObject(root, "roots");
  for (size_t i = 0; i < ng; i++) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "root", g[i].root);
    cJSON_AddStringToObject(o, "verdict",
                            g[i].root_index < 0 ? "NOT RUN"
                                                : ct_verdict_name(r[g[i].root_index].verdict));
    cJSON_AddNumberToObject(o, "blocked", g[i].blocked);
    cJSON_AddItemToArray(roots, o);
  }
  free(g);
  cJSON_AddNumberToObject(sum, "roots", (double)ng);
  cJSON *runs = cJSON_AddArrayToObject(root, "runs");
  for (size_t i = 0; i < n; i++) cJSON_AddItemToArray(runs, run_json(&r[i]));
  return root;
}

int ct_report_json(FILE *f, const ct_run *r, size_t n, const char *target, int strict,
                   int complete) {
  cJSON *root = ct_report_index(r, n, target, strict, complete);
  char *s = cJSON_Print(root);
  cJSON_Delete(root);
  if (!s) return -1;
  fputs(s, f);
  fputc('\n', f);
  free(s);
  return ferror(f) ? -1 : 0;
}
