/* Unit tests for verdict bookkeeping and the report writers: the closing line's
 * counts, one verdict per run, JUnit XML escaping, a JSON index that parses, and an
 * HTML page without external resources. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_client.h"
#include "ct_run.h"
#include "ct_report_console.h"
#include "ct_report_files.h"
#include "ct_report_html.h"

static ct_case mk(const char *id, ct_level l) {
  ct_case c;
  memset(&c, 0, sizeof c);
  c.id = (char *)id;
  c.title = (char *)"t";
  c.tags = (char *)"EIO-HS-1,EIO-HS-2";
  c.level = l;
  c.transports = CT_TR_ALL;
  return c;
}

static void probe_fail(ct_run *r) { ct_fail(r, "exp <a&b>", "act \"q\"", "bad </script>"); }
static void probe_none(ct_run *r) { (void)r; }
static void probe_twice(ct_run *r) {
  ct_pass(r);
  ct_fail(r, NULL, NULL, "late");
}
static void probe_skip(ct_run *r) { ct_skip(r, "no"); }

static ct_config cfg0(void) {
  ct_config c;
  memset(&c, 0, sizeof c);
  c.tscale = 1;
  c.sio_path = "/socket.io/";
  c.eio_path = "/engine.io/";
  return c;
}

Test(report, verdict_rules) {
  ct_config cfg = cfg0();
  ct_case must = mk("a.must", CT_MUST), should = mk("a.should", CT_SHOULD),
          may = mk("a.may", CT_MAY), none = mk("a.none", CT_MUST), twice = mk("a.twice", CT_MUST);
  must.probe = should.probe = may.probe = probe_fail;
  none.probe = probe_none;
  twice.probe = probe_twice;
  ct_run r;
  ct_run_case(&r, &must, &cfg, CT_TR_POLLING);
  cr_assert_eq(r.verdict, CT_V_FAIL);
  cr_assert_str_eq(r.run_id, "a.must@polling");
  ct_run_free(&r);
  ct_run_case(&r, &should, &cfg, CT_TR_WEBSOCKET);
  cr_assert_eq(r.verdict, CT_V_NONSTRICT);
  cr_assert_str_eq(r.run_id, "a.should@websocket");
  ct_run_free(&r);
  ct_run_case(&r, &may, &cfg, CT_TR_POLLING);
  cr_assert_eq(r.verdict, CT_V_INFO);
  ct_run_free(&r);
  ct_run_case(&r, &none, &cfg, CT_TR_POLLING);
  cr_assert_eq(r.verdict, CT_V_FAIL);
  cr_assert(strstr(r.reason, "no verdict") != NULL);
  ct_run_free(&r);
  ct_run_case(&r, &twice, &cfg, CT_TR_POLLING);
  cr_assert_eq(r.verdict, CT_V_PASS); /* the first verdict stands */
  cr_assert(strstr((char *)r.log.data, "second verdict") != NULL);
  ct_run_free(&r);
}

Test(report, requires_missing_extension_skips) {
  ct_config cfg = cfg0();
  cfg.extensions = cJSON_Parse("[\"rooms\"]");
  ct_case c = mk("a.x", CT_MUST);
  c.probe = probe_fail;
  c.requires = (char *)"auth";
  ct_run r;
  ct_run_case(&r, &c, &cfg, CT_TR_POLLING);
  cr_assert_eq(r.verdict, CT_V_SKIP);
  ct_run_free(&r);
  c.requires = (char *)"rooms";
  ct_run_case(&r, &c, &cfg, CT_TR_POLLING);
  cr_assert_eq(r.verdict, CT_V_FAIL);
  ct_run_free(&r);
  cJSON_Delete(cfg.extensions);
}

static char *run_writer(int (*fn)(FILE *, const ct_run *, size_t, const char *, int, int),
                        const ct_run *runs, size_t n, int strict) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  cr_assert_eq(fn(f, runs, n, "http://127.0.0.1:1", strict, 1), 0);
  fclose(f);
  return buf;
}

static void console(FILE *f, const ct_run *r, size_t n, int strict) {
  ct_report_console_summary(f, r, n, strict);
}

/* A run cut short by a signal: the reports say so; a normal one says complete (issue 16) */
Test(report, complete_flag) {
  ct_config cfg = cfg0();
  ct_case a = mk("x.fail", CT_MUST);
  a.probe = probe_fail;
  ct_run runs[1];
  ct_run_case(&runs[0], &a, &cfg, CT_TR_POLLING);
  for (int complete = 0; complete <= 1; complete++) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_eq(ct_report_json(f, runs, 1, "http://127.0.0.1:1", 0, complete), 0);
    fclose(f);
    cJSON *root = cJSON_Parse(buf);
    cr_assert_not_null(root);
    const cJSON *c = cJSON_GetObjectItem(root, "complete");
    cr_assert(cJSON_IsBool(c), "%s", buf);
    cr_assert_eq(cJSON_IsTrue(c) ? 1 : 0, complete);
    cJSON_Delete(root);
    free(buf);
    buf = NULL;
    f = open_memstream(&buf, &len);
    cr_assert_eq(ct_report_junit(f, runs, 1, "http://127.0.0.1:1", 0, complete), 0);
    fclose(f);
    const char *p = strstr(buf, "<property name=\"complete\" value=\"false\"/>");
    cr_assert_eq(p != NULL, !complete, "%s", buf);
    /* still one <properties> in the suite, before its testcases (JUnit schema) */
    if (p) cr_assert(strstr(buf, "<properties>") < p && p < strstr(buf, "<testcase"), "%s", buf);
    free(buf);
  }
  ct_run_free(&runs[0]);
}

Test(report, writers) {
  ct_config cfg = cfg0();
  ct_case a = mk("x.fail", CT_MUST), b = mk("x.ns", CT_SHOULD), c = mk("x.skip", CT_MUST),
          d = mk("x.info", CT_MAY);
  a.probe = b.probe = d.probe = probe_fail;
  c.probe = probe_skip;
  ct_run runs[4];
  ct_run_case(&runs[0], &a, &cfg, CT_TR_POLLING);
  ct_run_case(&runs[1], &b, &cfg, CT_TR_POLLING);
  ct_run_case(&runs[2], &c, &cfg, CT_TR_WEBSOCKET);
  ct_run_case(&runs[3], &d, &cfg, CT_TR_WEBSOCKET);

  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  console(f, runs, 4, 0);
  fclose(f);
  cr_assert(strstr(buf, "\n2 passed, 1 failed, 1 skipped\n") != NULL, "%s", buf);
  free(buf);
  f = open_memstream(&buf, &len);
  console(f, runs, 4, 1);
  fclose(f);
  cr_assert(strstr(buf, "\n1 passed, 2 failed, 1 skipped\n") != NULL, "%s", buf);
  free(buf);

  char *x = run_writer(ct_report_junit, runs, 4, 0);
  cr_assert(strstr(x, "<testcase classname=\"x.fail\" name=\"polling\"") != NULL);
  cr_assert(strstr(x, "exp &lt;a&amp;b&gt;") != NULL);
  cr_assert(strstr(x, "<skipped") != NULL);
  cr_assert(strstr(x, "failures=\"1\"") != NULL);
  free(x);

  char *j = run_writer(ct_report_json, runs, 4, 0);
  cJSON *root = cJSON_Parse(j);
  cr_assert_not_null(root);
  cJSON *runs_j = cJSON_GetObjectItem(root, "runs");
  cr_assert_eq(cJSON_GetArraySize(runs_j), 4);
  cJSON *r0 = cJSON_GetArrayItem(runs_j, 0);
  cr_assert_str_eq(cJSON_GetObjectItem(r0, "verdict")->valuestring, "FAIL");
  cr_assert_str_eq(cJSON_GetObjectItem(r0, "expected")->valuestring, "exp <a&b>");
  cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r0, "tags")), 2);
  cr_assert(cJSON_IsString(cJSON_GetObjectItem(r0, "transcript")));
  cJSON_Delete(root);
  free(j);

  char *h = run_writer(ct_report_html, runs, 4, 0);
  cr_assert(strstr(h, "<!DOCTYPE html>") == h);
  cr_assert_null(strstr(h, "http://cdn"));
  cr_assert_null(strstr(h, "src=\""));
  cr_assert_null(strstr(h, "href=\""));
  /* the failure text cannot end the script: every "<" of the data is \u003c (issue 16) */
  cr_assert_null(strstr(h, "</script>\""));
  cr_assert(strstr(h, "bad \\u003c/script>") != NULL);
  /* the data is one JSON document inside the page */
  char *ds = strstr(h, "<script id=\"data\" type=\"application/json\">");
  cr_assert_not_null(ds);
  ds = strchr(ds, '>') + 1;
  char *de = strstr(ds, "</script>");
  cJSON *data = cJSON_ParseWithLength(ds, (size_t)(de - ds));
  cr_assert_not_null(data);
  cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(data, "reports")), 1);
  cJSON_Delete(data);
  free(h);
  for (int i = 0; i < 4; i++) ct_run_free(&runs[i]);
}

/* ---- one fault, one failure (issue 11): BLOCKED runs and their roots ---- */

static void probe_blocked(ct_run *r) {
  ct_preamble_fail(r, CT_ROOT_SIO_CONNECT, r->transport, "40{\"sid\":...}", "42[\"auth\",{}]",
                   "a: bad CONNECT answer");
}
static void probe_blocked_graded(ct_run *r) {
  r->open_graded = 1; /* a step that checks the preamble itself */
  probe_blocked(r);
}

Test(report, preamble_failure_is_blocked_whatever_the_level) {
  ct_config cfg = cfg0();
  ct_case must = mk("b.must", CT_MUST), should = mk("b.should", CT_SHOULD),
          may = mk("b.may", CT_MAY), root = mk(CT_ROOT_SIO_CONNECT, CT_MUST),
          graded = mk("b.graded", CT_SHOULD);
  must.probe = should.probe = may.probe = root.probe = probe_blocked;
  graded.probe = probe_blocked_graded;
  ct_case *blocked[] = {&must, &should, &may};
  for (int i = 0; i < 3; i++) {
    ct_run r;
    ct_run_case(&r, blocked[i], &cfg, CT_TR_WEBSOCKET);
    /* never PASS/INFO/NON-STRICT: a setup failure says nothing about the case's rule */
    cr_assert_eq(r.verdict, CT_V_BLOCKED, "%s: %s", r.run_id, ct_verdict_name(r.verdict));
    cr_assert_str_eq(r.blocked_by, "sio.connect.main-answer@websocket");
    cr_assert(strstr(r.reason, "bad CONNECT answer") && strstr(r.reason, "42[\"auth\""));
    cr_assert(ct_run_failed(&r, 0));
    ct_run_free(&r);
  }
  ct_run r;
  ct_run_case(&r, &root, &cfg, CT_TR_POLLING); /* the root grades its own preamble */
  cr_assert_eq(r.verdict, CT_V_FAIL);
  cr_assert_null(r.blocked_by);
  cr_assert_str_eq(r.actual, "42[\"auth\",{}]");
  ct_run_free(&r);
  ct_run_case(&r, &graded, &cfg, CT_TR_POLLING); /* a checking step: by level */
  cr_assert_eq(r.verdict, CT_V_NONSTRICT);
  ct_run_free(&r);
}

Test(report, handshake_root_follows_the_path) {
  ct_config cfg = cfg0();
  ct_case c = mk("h.x", CT_MUST);
  ct_run r;
  memset(&r, 0, sizeof r);
  r.c = &c;
  r.cfg = &cfg;
  cr_assert_str_eq(ct_handshake_root(&r, "/socket.io/"), "sio.engine.handshake.open");
  cr_assert_str_eq(ct_handshake_root(&r, "/engine.io/"), "eio.handshake.open");
}

Test(report, blocked_writers_group_under_the_root) {
  ct_config cfg = cfg0();
  ct_case root = mk(CT_ROOT_SIO_CONNECT, CT_MUST), d1 = mk("d.one", CT_MUST),
          d2 = mk("d.two", CT_SHOULD), ok = mk("d.ok", CT_MUST);
  root.probe = d1.probe = d2.probe = probe_blocked;
  ct_run runs[5];
  ct_run_case(&runs[0], &root, &cfg, CT_TR_POLLING);
  ct_run_case(&runs[1], &d1, &cfg, CT_TR_POLLING);
  ct_run_case(&runs[2], &d2, &cfg, CT_TR_POLLING);
  ct_run_case(&runs[3], &d1, &cfg, CT_TR_WEBSOCKET); /* root@websocket was not run */
  ct_run_case(&runs[4], &ok, &cfg, CT_TR_POLLING);   /* no verdict: FAIL */
  ct_root_group g[4];
  cr_assert_eq(ct_root_groups(runs, 5, g, 4), 2);
  cr_assert_eq(ct_root_groups(runs, 5, NULL, 0), 2); /* counting only */
  cr_assert_str_eq(g[0].root, "sio.connect.main-answer@polling");
  cr_assert_eq(g[0].blocked, 2);
  cr_assert_eq(g[0].root_index, 0);
  cr_assert_eq(g[1].blocked, 1);
  cr_assert_eq(g[1].root_index, -1);

  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  ct_report_console_line(f, &runs[1]);
  console(f, runs, 5, 0);
  fclose(f);
  cr_assert(strstr(buf, "BLOCKED    d.one@polling (") == buf, "%s", buf);
  cr_assert(strstr(buf, " - blocked by sio.connect.main-answer@polling: a: bad CONNECT answer"),
            "%s", buf);
  cr_assert(strstr(buf, "\n2 root failures, 3 blocked:\n"), "%s", buf);
  cr_assert(strstr(buf, "  sio.connect.main-answer@polling (FAIL) blocks 2 runs\n"), "%s", buf);
  cr_assert(strstr(buf, "  sio.connect.main-answer@websocket (not run) blocks 1 run\n"), "%s", buf);
  /* the line above the closing one gives every verdict; blocked count as failed */
  cr_assert(strstr(buf, "5 case-runs: 0 PASS, 2 FAIL, 3 BLOCKED, 0 NON-STRICT, 0 INFO, 0 SKIP\n"
                        "0 passed, 5 failed, 0 skipped\n"),
            "%s", buf);
  free(buf);

  char *x = run_writer(ct_report_junit, runs, 5, 0);
  cr_assert(strstr(x, "<failure type=\"BLOCKED\" message=\"blocked by "
                      "sio.connect.main-answer@polling: a: bad CONNECT answer"),
            "%s", x);
  cr_assert(strstr(x, "failures=\"5\""), "%s", x);
  free(x);

  char *j = run_writer(ct_report_json, runs, 5, 0);
  cJSON *doc = cJSON_Parse(j);
  cr_assert_not_null(doc);
  cJSON *sum = cJSON_GetObjectItem(doc, "summary");
  cr_assert_eq(cJSON_GetObjectItem(sum, "BLOCKED")->valueint, 3);
  cr_assert_eq(cJSON_GetObjectItem(sum, "failed")->valueint, 5);
  cr_assert_eq(cJSON_GetObjectItem(sum, "roots")->valueint, 2);
  cJSON *r1 = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "runs"), 1);
  cr_assert_str_eq(cJSON_GetObjectItem(r1, "verdict")->valuestring, "BLOCKED");
  cr_assert_str_eq(cJSON_GetObjectItem(r1, "blocked_by")->valuestring,
                   "sio.connect.main-answer@polling");
  cJSON *g0 = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "roots"), 0);
  cr_assert_str_eq(cJSON_GetObjectItem(g0, "verdict")->valuestring, "FAIL");
  cr_assert_eq(cJSON_GetObjectItem(g0, "blocked")->valueint, 2);
  cJSON_Delete(doc);
  free(j);

  char *h = run_writer(ct_report_html, runs, 5, 0);
  /* the page's data names the root and each blocked run's root; its script groups them
   * (issue 16: the page became one script shared with the matrix) */
  cr_assert(strstr(h, "\"roots\":[{\"root\":\"sio.connect.main-answer@polling\"") &&
                strstr(h, "\"blocked_by\":\"sio.connect.main-answer@polling\"") &&
                strstr(h, "a failed preamble blocks these runs"),
            "%s", h);
  free(h);
  for (int i = 0; i < 5; i++) ct_run_free(&runs[i]);
}

static void probe_step3(ct_run *r) { ct_fail(r, "x", "y", "step 3 (expect): no pong"); }

/* Console lines and the JSON carry the spec tags of the step that failed (issue 16):
 * the step's own "tag", else the case's tags its note cites, else every tag of the case.
 * Steps are counted as the executor counts them (a repeat's body unrolled). */
Test(report, failed_step_tags) {
  ct_config cfg = cfg0();
  ct_case c = mk("a.tags", CT_MUST);
  c.tags = (char *)"EIO-HB-3,EIO-HB-30,EIO-HS-1";
  c.probe = probe_step3;
  const char *variants[][2] = {
      /* steps, wanted tags */
      {"[{\"op\":\"open\"},{\"op\":\"send\"},{\"op\":\"expect\",\"tag\":\"EIO-HB-30\"}]",
       "EIO-HB-30"},
      {"[{\"op\":\"open\"},{\"op\":\"repeat\",\"count\":2,\"steps\":[{\"op\":\"send\",\"tag\":"
       "[\"EIO-HS-1\",\"EIO-HB-3\"]}]}]",
       "EIO-HS-1,EIO-HB-3"},
      {"[{\"op\":\"open\"},{\"op\":\"send\"},{\"op\":\"expect\",\"note\":\"EIO-HB-30 only\"}]",
       "EIO-HB-30"},
      {"[{\"op\":\"open\"},{\"op\":\"send\"},{\"op\":\"expect\",\"note\":\"see EIO-HB-3.\"}]",
       "EIO-HB-3"},
      {"[{\"op\":\"open\"},{\"op\":\"send\"},{\"op\":\"expect\"}]", "EIO-HB-3,EIO-HB-30,EIO-HS-1"},
  };
  for (size_t v = 0; v < sizeof variants / sizeof *variants; v++) {
    c.steps = cJSON_Parse(variants[v][0]);
    cr_assert_not_null(c.steps);
    ct_run r;
    ct_run_case(&r, &c, &cfg, CT_TR_POLLING);
    char tags[128];
    cr_assert_eq(ct_run_failed_step(&r), 3);
    cr_assert_str_eq(ct_run_step_tags(&r, tags, sizeof tags), variants[v][1], "variant %zu", v);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ct_report_console_line(f, &r);
    fclose(f);
    if (v == 0)
      cr_assert(strstr(buf, "- step 3 (expect): no pong [EIO-HB-30]\n") != NULL, "%s", buf);
    if (v == 1) cr_assert(strstr(buf, "no pong [EIO-HS-1, EIO-HB-3]\n") != NULL, "%s", buf);
    free(buf);
    if (v == 0) {
      f = open_memstream(&buf, &len);
      cr_assert_eq(ct_report_json(f, &r, 1, "t", 0, 1), 0);
      fclose(f);
      cJSON *j = cJSON_Parse(buf);
      const cJSON *run = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "runs"), 0);
      cr_assert_eq(cJSON_GetObjectItem(run, "step")->valueint, 3);
      cr_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(run, "step_tags"), 0)->valuestring,
                       "EIO-HB-30");
      cJSON_Delete(j);
      free(buf);
    }
    ct_run_free(&r);
    cJSON_Delete(c.steps);
  }
  /* no step: a probe's failure names every tag; PASS names none */
  c.steps = NULL;
  c.probe = probe_fail;
  ct_run r;
  ct_run_case(&r, &c, &cfg, CT_TR_POLLING);
  char tags[128];
  cr_assert_str_eq(ct_run_step_tags(&r, tags, sizeof tags), "EIO-HB-3,EIO-HB-30,EIO-HS-1");
  ct_run_free(&r);
}
