/* Unit tests for verdict bookkeeping and the report writers: the closing line's
 * counts, one verdict per run, JUnit XML escaping, a JSON index that parses, and an
 * HTML page without external resources. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct.h"
#include "ct_report.h"

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

static char *run_writer(int (*fn)(FILE *, const ct_run *, size_t, const char *, int),
                        const ct_run *runs, size_t n, int strict) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  cr_assert_eq(fn(f, runs, n, "http://127.0.0.1:1", strict), 0);
  fclose(f);
  return buf;
}

static void console(FILE *f, const ct_run *r, size_t n, int strict) {
  ct_report_console_summary(f, r, n, strict);
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
  cr_assert_null(strstr(h, "</script>\"")); /* the failure text cannot end the script */
  cr_assert(strstr(h, "<\\/script>") != NULL);
  free(h);
  for (int i = 0; i < 4; i++) ct_run_free(&runs[i]);
}
