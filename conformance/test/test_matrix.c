/* Unit tests for `sioconform matrix` (ct_matrix.h) on two small saved reports
 * (test/matrix-fixture/): loading, the differing case-runs, the page, and the errors. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ct_matrix.h"
#include "ct_report_html.h"

#define CT_TEST_DIR SIO_SOURCE_DIR "/conformance/test"
#define FIX         CT_TEST_DIR "/matrix-fixture/"

Test(matrix, load_and_diff) {
  char err[512];
  cJSON *all = cJSON_CreateArray();
  cJSON *a = ct_matrix_load(FIX "a.json", NULL, err, sizeof err);
  cJSON *b = ct_matrix_load(FIX "b.json", "faulty", err, sizeof err);
  cr_assert(a && b, "%s", err);
  cr_assert_str_eq(cJSON_GetObjectItem(a, "name")->valuestring, "a");
  cr_assert_str_eq(cJSON_GetObjectItem(b, "name")->valuestring, "faulty");
  cJSON_AddItemToArray(all, a);
  cJSON_AddItemToArray(all, b);
  char *out = NULL;
  size_t len = 0, total = 0;
  FILE *f = open_memstream(&out, &len);
  /* ping differs, close is missing from b (a partial report), sec differs, b's root and
   * blocked runs are missing from a; open agrees */
  cr_assert_eq(ct_matrix_diff(all, f, &total), 6);
  fclose(f);
  cr_assert_eq(total, 7);
  cr_assert(strstr(out, "  sio.message.ack@polling: a ABSENT, faulty BLOCKED\n") != NULL, "%s",
            out);
  cr_assert(strstr(out, "  eio.heartbeat.ping@websocket: a PASS, faulty FAIL\n") != NULL, "%s",
            out);
  cr_assert(strstr(out, "  eio.close.x@polling: a PASS, faulty ABSENT\n") != NULL, "%s", out);
  cr_assert_null(strstr(out, "handshake"));
  free(out);
  /* the page: both reports' data, one script, nothing external */
  f = open_memstream(&out, &len);
  cr_assert_eq(ct_report_page(f, all, NULL), 0);
  fclose(f);
  cr_assert(strstr(out, "<title>sioconform matrix: 2 servers</title>") != NULL);
  cr_assert(strstr(out, "\"name\":\"faulty\"") && strstr(out, "\"name\":\"a\""));
  cr_assert(strstr(out, "close \\u003c/script>") != NULL); /* data cannot end the script */
  cr_assert_null(strstr(out, "src=\""));
  free(out);
  cJSON_Delete(all);
}

Test(matrix, bad_input) {
  char err[512];
  cr_assert_null(ct_matrix_load(FIX "missing.json", NULL, err, sizeof err));
  cr_assert(strstr(err, "cannot read") != NULL);
  cr_assert_null(ct_matrix_load(CT_TEST_DIR "/junit.xsd", NULL, err, sizeof err));
  cr_assert(strstr(err, "is not a sioconform --json report") != NULL, "%s", err);
  FILE *devnull = fopen("/dev/null", "w");
  char *argv1[] = {"matrix", "--bogus", NULL};
  cr_assert_eq(ct_matrix_main(2, argv1, NULL, devnull), 2);
  char *argv2[] = {"matrix", NULL};
  cr_assert_eq(ct_matrix_main(1, argv2, NULL, devnull), 2);
  char *argv3[] = {"matrix", "x=" FIX "a.json", "y=" FIX "b.json", NULL};
  cr_assert_eq(ct_matrix_main(3, argv3, NULL, devnull), 0);
  fclose(devnull);
}

/* --markdown: the tables of RESULTS.md; --no-transcripts: a page without them */
Test(matrix, markdown_tables) {
  char md[] = "/tmp/ct-matrix-md-XXXXXX", page[] = "/tmp/ct-matrix-html-XXXXXX";
  int fd1 = mkstemp(md), fd2 = mkstemp(page);
  cr_assert(fd1 >= 0 && fd2 >= 0);
  close(fd1);
  close(fd2);
  FILE *devnull = fopen("/dev/null", "w");
  char *argv[] = {"matrix",          "--markdown",      md,  "--html", page, "--no-transcripts",
                  "x=" FIX "a.json", "y=" FIX "b.json", NULL};
  cr_assert_eq(ct_matrix_main(8, argv, NULL, devnull), 0);
  fclose(devnull);
  FILE *f = fopen(md, "r");
  char buf[8192];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = '\0';
  fclose(f);
  cr_assert(strstr(buf, "| x | 3 | 0 | 0 | 0 | 0 | 0 | 1 / 0 / 0 of 1 | yes |\n"), "%s", buf);
  cr_assert(strstr(buf, "| y | 1 | 2 | 2 | 0 | 0 | 0 | 0 / 1 / 0 of 1 | no |\n"), "%s", buf);
  cr_assert(strstr(buf, "| `eio.heartbeat` | 1 / 1 | 0 / 1, **1 failed** |\n"), "%s", buf);
  cr_assert(strstr(buf, "| `sec.x.y@polling` | MUST | high | PASS | FAIL |\n"), "%s", buf);
  cr_assert(strstr(buf, "| `eio.heartbeat.ping@websocket` | MUST | PASS | FAIL (N-9) |\n"), "%s",
            buf);
  cr_assert(strstr(buf, "| `eio.close.x@polling` | SHOULD | PASS | - |\n"), "%s", buf);
  cr_assert_null(strstr(buf, "eio.handshake.open@polling")); /* the same everywhere */
  f = fopen(page, "r");
  char *html = calloc(1, 1 << 20);
  fread(html, 1, (1 << 20) - 1, f);
  fclose(f);
  cr_assert(strstr(html, "\"name\":\"y\"") != NULL);
  cr_assert_null(strstr(html, "\"transcript\""));
  free(html);
  unlink(md);
  unlink(page);
}

/* Issue 14: a report with runs of several protocols becomes one column per protocol,
 * run ids without their suffix and counts recomputed; a report without suffixes stays. */
Test(matrix, split_protocols) {
  const char *text =
      "{\"format\":1,\"name\":\"n\",\"summary\":{\"runs\":3,\"PASS\":2,\"FAIL\":1},"
      "\"security\":{\"runs\":0},\"runs\":["
      "{\"run\":\"a.b@polling\",\"id\":\"a.b\",\"verdict\":\"PASS\",\"tags\":[]},"
      "{\"run\":\"a.b@polling/eio3\",\"id\":\"a.b\",\"verdict\":\"FAIL\",\"tags\":[]},"
      "{\"run\":\"a.c@websocket/eio3\",\"id\":\"a.c\",\"verdict\":\"PASS\",\"tags\":[]}]}";
  cJSON *all = cJSON_CreateArray();
  cJSON_AddItemToArray(all, cJSON_Parse(text));
  all = ct_report_split_protocols(all);
  cr_assert_eq(cJSON_GetArraySize(all), 2);
  cJSON *v4 = cJSON_GetArrayItem(all, 0), *v3 = cJSON_GetArrayItem(all, 1);
  cr_expect_str_eq(cJSON_GetObjectItem(v4, "name")->valuestring, "n");
  cr_expect_str_eq(cJSON_GetObjectItem(v3, "name")->valuestring, "n/eio3");
  cJSON *r = cJSON_GetArrayItem(cJSON_GetObjectItem(v3, "runs"), 0);
  cr_expect_str_eq(cJSON_GetObjectItem(r, "run")->valuestring, "a.b@polling");
  cJSON *s = cJSON_GetObjectItem(v3, "summary");
  cr_expect_eq(cJSON_GetObjectItem(s, "runs")->valueint, 2);
  cr_expect_eq(cJSON_GetObjectItem(s, "FAIL")->valueint, 1);
  cr_expect_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(v4, "summary"), "FAIL")->valueint, 0);
  cJSON_Delete(all);
  /* no suffix anywhere: the same array comes back */
  cJSON *one = cJSON_CreateArray();
  cJSON_AddItemToArray(one, cJSON_Parse("{\"name\":\"x\",\"runs\":[{\"run\":\"a@polling\"}]}"));
  cr_expect_eq(ct_report_split_protocols(one), one);
  cJSON_Delete(one);
}
