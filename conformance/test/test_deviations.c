/* Unit tests for the known-deviations matcher: the fixture shared with
 * check-deviations-selftest.py (every run gets the entry its "want" names, so the C
 * matcher and the python checker agree), the portable pattern subset, grammar errors,
 * annotation of runs and the repository's own known-deviations.json. No network. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ct_client.h"
#include "ct_deviations.h"
#include "ct_report_console.h"
#include "ct_report_files.h"
#include "ct_report_html.h"

#define FIXTURE SIO_SOURCE_DIR "/conformance/test/deviations-fixture"

static cJSON *load_json(const char *path) {
  char *text = ct_read_file(path);
  cr_assert(text, "cannot open %s", path);
  cJSON *j = cJSON_Parse(text);
  free(text);
  cr_assert(j, "%s is not JSON", path);
  return j;
}

static ct_verdict verdict_of(const char *s) {
  for (int v = CT_V_PASS; v <= CT_V_BLOCKED; v++)
    if (!strcmp(ct_verdict_name((ct_verdict)v), s)) return (ct_verdict)v;
  cr_assert_fail("unknown verdict %s", s);
  return CT_V_NONE;
}

static char *dup_or_null(const cJSON *o, const char *k) {
  const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(o, k));
  return s ? ct_xstrdup(s) : NULL;
}

/* A finished run (and its case) from one run object of a JSON report. */
static void run_from_json(const cJSON *o, ct_case *c, ct_run *r) {
  memset(c, 0, sizeof *c);
  memset(r, 0, sizeof *r);
  c->id = dup_or_null(o, "id");
  ct_buf tags = {0};
  const cJSON *t;
  cJSON_ArrayForEach(t, cJSON_GetObjectItem(o, "tags")) {
    if (tags.len) ct_buf_adds(&tags, ",");
    ct_buf_adds(&tags, t->valuestring);
  }
  c->tags = ct_buf_steal(&tags);
  r->c = c;
  r->run_id = dup_or_null(o, "run");
  r->verdict = verdict_of(cJSON_GetStringValue(cJSON_GetObjectItem(o, "verdict")));
  r->reason = dup_or_null(o, "reason");
  r->expected = dup_or_null(o, "expected");
  r->actual = dup_or_null(o, "actual");
}

static void run_clear(ct_case *c, ct_run *r) {
  free(c->id);
  free(c->tags);
  free(r->run_id);
  free(r->reason);
  free(r->expected);
  free(r->actual);
  free(r->deviation);
}

Test(deviations, fixture_agrees_with_python_checker) {
  ct_known k;
  char err[300];
  cr_assert_eq(ct_deviations_load(&k, FIXTURE "/known.json", SIO_VECTORS_DIR, "s", err, sizeof err),
               0, "%s", err);
  cJSON *rep = load_json(FIXTURE "/report.json");
  const cJSON *runs = cJSON_GetObjectItem(rep, "runs");
  size_t n = (size_t)cJSON_GetArraySize(runs), i = 0;
  ct_case *cs = calloc(n, sizeof *cs);
  ct_run *rs = calloc(n, sizeof *rs);
  const cJSON *o;
  cJSON_ArrayForEach(o, runs) {
    run_from_json(o, &cs[i], &rs[i]);
    i++;
  }
  size_t linked = ct_deviations_annotate(&k, rs, n);
  size_t want_linked = 0;
  i = 0;
  cJSON_ArrayForEach(o, runs) {
    const char *want = cJSON_GetStringValue(cJSON_GetObjectItem(o, "want"));
    if (want) {
      want_linked++;
      cr_expect(rs[i].deviation && !strcmp(rs[i].deviation, want), "%s: want %s, got %s",
                rs[i].run_id, want, rs[i].deviation ? rs[i].deviation : "-");
    } else {
      cr_expect_null(rs[i].deviation, "%s: want -, got %s", rs[i].run_id, rs[i].deviation);
    }
    i++;
  }
  cr_expect_eq(linked, want_linked);
  cr_expect_str_eq(ct_deviations_title("B"), "POST answered OK");
  cr_expect_null(ct_deviations_title("T")); /* another server's entry is not loaded */
  cr_expect_null(ct_deviations_title("nope"));
  for (i = 0; i < n; i++) run_clear(&cs[i], &rs[i]);
  free(cs);
  free(rs);
  cJSON_Delete(rep);
  ct_deviations_free(&k);
}

/* The heart of issue 11: the run id is the one the entry names, the failure is another. */
Test(deviations, matching_id_with_other_reason_is_unexplained) {
  ct_known k;
  char err[300];
  cr_assert_eq(ct_deviations_load(&k, FIXTURE "/known.json", NULL, "s", err, sizeof err), 0, "%s",
               err);
  ct_case c = {0};
  c.id = "eio.x.close";
  c.tags = "EIO-CL-6";
  ct_run r = {0};
  r.c = &c;
  r.run_id = "eio.x.close@polling";
  r.verdict = CT_V_FAIL;
  r.reason = "step 3 (expect_close): a not closed within 1000 ms";
  const ct_deviation *d = ct_deviations_match(&k, &r);
  cr_assert(d && !strcmp(d->ref, "A"));
  r.reason = "bad CONNECT answer";
  cr_expect_null(ct_deviations_match(&k, &r));
  r.reason = "step 3 (expect_close): a not closed within 1000 ms";
  r.verdict = CT_V_PASS;
  cr_expect_null(ct_deviations_match(&k, &r));
  ct_deviations_free(&k);
}

Test(deviations, every_entry_without_server_filter) {
  ct_known k;
  char err[300];
  cr_assert_eq(ct_deviations_load(&k, FIXTURE "/known.json", NULL, NULL, err, sizeof err), 0, "%s",
               err);
  cr_expect_eq(k.n, 8);
  ct_deviations_free(&k);
}

Test(deviations, portable_subset_same_as_python) {
  cJSON *j = load_json(FIXTURE "/patterns.json");
  const cJSON *p;
  char why[200];
  cJSON_ArrayForEach(p, cJSON_GetObjectItem(j, "portable")) {
    cr_expect(ct_deviations_re_portable(p->valuestring, why, sizeof why), "refused \"%s\": %s",
              p->valuestring, why);
  }
  cJSON_ArrayForEach(p, cJSON_GetObjectItem(j, "not-portable")) {
    cr_expect(!ct_deviations_re_portable(p->valuestring, why, sizeof why), "accepted \"%s\"",
              p->valuestring);
  }
  cJSON_Delete(j);
}

Test(deviations, step_kind) {
  char k[32];
  ct_deviations_step_kind("step 12 (expect_close): x", k, sizeof k);
  cr_expect_str_eq(k, "expect_close");
  ct_deviations_step_kind("bad CONNECT answer", k, sizeof k);
  cr_expect_str_eq(k, "");
  ct_deviations_step_kind("step x (y): z", k, sizeof k);
  cr_expect_str_eq(k, "");
  ct_deviations_step_kind(NULL, k, sizeof k);
  cr_expect_str_eq(k, "");
}

static int load_text(const char *text, char *err, size_t errlen) {
  char path[] = "/tmp/test_deviations_XXXXXX";
  int fd = mkstemp(path);
  cr_assert(fd >= 0);
  cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
  close(fd);
  ct_known k;
  int rc = ct_deviations_load(&k, path, NULL, NULL, err, errlen);
  unlink(path);
  ct_deviations_free(&k);
  return rc;
}

Test(deviations, grammar_errors) {
  char err[300];
  static const char *const bad[] = {
      /* id patterns alone cannot say why */
      "{\"format\":2,\"entries\":[{\"ref\":\"A\",\"title\":\"t\",\"servers\":[\"s\"],"
      "\"causes\":[{\"tags\":[\"X-1\"],\"cases\":[\"eio.*\"]}]}]}",
      "{\"format\":2,\"entries\":[{\"ref\":\"A\",\"title\":\"t\",\"servers\":[\"s\"],"
      "\"causes\":[{\"reason\":\"x\"}]}]}",
      "{\"format\":2,\"entries\":[{\"ref\":\"A\",\"title\":\"t\",\"servers\":[\"s\"],"
      "\"causes\":[{\"tags\":[\"X-1\"],\"reason\":\"\\\\d\"}]}]}",
      "{\"format\":2,\"entries\":[{\"ref\":\"A\",\"title\":\"t\",\"servers\":[\"s\"],"
      "\"causes\":[{\"tags\":[\"X-1\"],\"reason\":\"x\",\"pattern\":\"y\"}]}]}",
      "{\"format\":2,\"entries\":[{\"ref\":\"A\",\"title\":\"t\",\"servers\":[\"s\"],"
      "\"causes\":[]}]}",
      "{\"format\":2,\"entries\":[{\"ref\":\"A\",\"servers\":[\"s\"],"
      "\"causes\":[{\"tags\":[\"X-1\"],\"reason\":\"x\"}]}]}",
      "{\"format\":2,\"entries\":[{\"ref\":\"A\",\"title\":\"t\",\"servers\":[\"s\"],"
      "\"causes\":[{\"tags\":[\"X-1\"],\"reason\":\"x\",\"verdicts\":[\"PASS\"]}]}]}",
      "{\"format\":1,\"entries\":[{\"ref\":\"A\",\"servers\":[\"s\"],\"cases\":[\"*\"]}]}",
      "not json",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    cr_expect_eq(load_text(bad[i], err, sizeof err), -1, "accepted bad file %zu", i);
  cr_expect_eq(load_text("{\"format\":2,\"entries\":[{\"ref\":\"A\",\"title\":\"t\",\"servers\":"
                         "[\"s\"],\"causes\":[{\"tags\":[\"X-1\"],\"reason\":\"x\"}]}]}",
                         err, sizeof err),
               0, "%s", err);
}

Test(deviations, repository_file_loads) {
  ct_known k;
  char err[300];
  cr_assert_eq(ct_deviations_load(&k, SIO_SOURCE_DIR "/conformance/known-deviations.json",
                                  SIO_VECTORS_DIR, NULL, err, sizeof err),
               0, "%s", err);
  cr_expect_gt(k.n, 20);
  cr_expect_gt(k.nupstream, 50);
  ct_deviations_free(&k);
}

/* The writers print the link: console suffix, JSON "deviation" + "deviation-title", HTML. */
Test(deviations, reports_link_the_entry) {
  ct_known k;
  char err[300];
  cr_assert_eq(ct_deviations_load(&k, FIXTURE "/known.json", NULL, "s", err, sizeof err), 0, "%s",
               err);
  ct_case c = {0};
  c.id = "eio.msg.ok";
  c.title = "t";
  c.tags = "EIO-TR-8";
  c.transports = CT_TR_POLLING;
  ct_run r = {0};
  r.c = &c;
  r.run_id = ct_xstrdup("eio.msg.ok@polling");
  r.transport = CT_TR_POLLING;
  r.verdict = CT_V_FAIL;
  r.reason = ct_xstrdup("step 2 (post): body");
  r.expected = ct_xstrdup("ok");
  r.actual = ct_xstrdup("OK");
  cr_assert_eq(ct_deviations_annotate(&k, &r, 1), 1);
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  ct_report_console_line(f, &r);
  fclose(f);
  /* the failed step's spec tag comes first (issue 16), then the deviation */
  cr_expect(strstr(buf, "step 2 (post): body [EIO-TR-8] [known deviation B]\n"), "%s", buf);
  free(buf);
  f = open_memstream(&buf, &len);
  cr_assert_eq(ct_report_json(f, &r, 1, "http://x", 0, 1), 0);
  fclose(f);
  cJSON *j = cJSON_Parse(buf);
  const cJSON *run = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "runs"), 0);
  cr_expect_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(run, "deviation")), "B");
  cr_expect_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(run, "deviation-title")),
                   "POST answered OK");
  cJSON_Delete(j);
  free(buf);
  f = open_memstream(&buf, &len);
  cr_assert_eq(ct_report_html(f, &r, 1, "http://x", 0, 1), 0);
  fclose(f);
  cr_expect(strstr(buf, "known deviation"));
  free(buf);
  /* a PASS is never linked, and annotating again clears a stale link */
  r.verdict = CT_V_PASS;
  cr_expect_eq(ct_deviations_annotate(&k, &r, 1), 0);
  cr_expect_null(r.deviation);
  free(r.run_id);
  free(r.reason);
  free(r.expected);
  free(r.actual);
  ct_deviations_free(&k);
}
