/* Unit tests for order-tolerant preambles (SIO-NS-10, SIO-NS-11) and blocked preamble
 * steps: a fake connection whose queue is filled by hand (no network, no sleep; the
 * connection is marked closed so an empty queue ends a wait at once). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_client.h"
#include "ct_sio.h"
#include "ct_steps.h"

typedef struct fake_pkt {
  int binary;
  const char *s;
} fake_pkt;

static ct_config cfg;

static void fake_run(ct_run *r, ct_case *c, ct_level level, const char *steps) {
  memset(&cfg, 0, sizeof cfg);
  cfg.tscale = 1;
  cfg.sio_path = "/socket.io/";
  cfg.eio_path = "/engine.io/";
  memset(c, 0, sizeof *c);
  c->id = (char *)"p.case";
  c->level = level;
  c->sio = 1;
  c->steps = steps ? cJSON_Parse(steps) : NULL;
  cr_assert(!steps || c->steps, "bad steps JSON");
  memset(r, 0, sizeof *r);
  r->c = c;
  r->cfg = &cfg;
  r->transport = CT_TR_WEBSOCKET;
  r->run_id = ct_xstrdup("p.case@websocket");
  r->vars = cJSON_CreateObject();
  r->t0 = ct_now_ms();
}

static ct_conn *fake_conn(ct_run *r, const fake_pkt *p, size_t n) {
  ct_conn *k = ct_conn_new(r, "a", CT_TR_WEBSOCKET);
  for (size_t i = 0; i < n; i++)
    ct_queue_push(k, p[i].binary, (const unsigned char *)p[i].s, strlen(p[i].s));
  k->closed = 1;
  snprintf(k->close_why, sizeof k->close_why, "fake queue drained");
  return k;
}

static void done(ct_run *r, ct_case *c) {
  ct_conns_teardown(r, 0);
  cJSON_Delete(c->steps);
  ct_run_free(r);
}

static char *take_text(ct_conn *k) {
  ct_pkt p;
  if (ct_next(k, 0, &p) != 1) return NULL;
  char *s = ct_xstrndup((const char *)p.data.data, p.data.len);
  ct_buf_free(&p.data);
  return s;
}

Test(preamble, event_and_answer_namespaces) {
  long att = -1;
  ct_pkt p = {0, {(unsigned char *)"42[\"auth\",{}]", 13, 0}};
  cr_assert(ct_sio_is_event_of(&p, "/", &att) && att == 0);
  cr_assert(!ct_sio_is_event_of(&p, "/custom", &att));
  ct_pkt q = {0, {(unsigned char *)"42/custom,[\"auth\"]", 18, 0}};
  cr_assert(ct_sio_is_event_of(&q, "/custom", &att));
  cr_assert(!ct_sio_is_event_of(&q, "/", &att));
  ct_pkt b = {0, {(unsigned char *)"452-/custom,[\"x\"]", 17, 0}};
  cr_assert(ct_sio_is_event_of(&b, "/custom", &att) && att == 2);
  ct_pkt a = {0, {(unsigned char *)"40{\"sid\":\"x\"}", 13, 0}};
  cr_assert(!ct_sio_is_event_of(&a, "/", &att));
  ct_pkt bin = {1, {(unsigned char *)"42", 2, 0}};
  cr_assert(!ct_sio_is_event_of(&bin, "/", &att));
  char nsp[64];
  cr_assert(ct_sio_answer_nsp("40", nsp, sizeof nsp) && strcmp(nsp, "/") == 0);
  cr_assert(ct_sio_answer_nsp("40/custom,", nsp, sizeof nsp) && strcmp(nsp, "/custom") == 0);
  cr_assert(ct_sio_answer_nsp("44/auth,{", nsp, sizeof nsp) && strcmp(nsp, "/auth") == 0);
  cr_assert(!ct_sio_answer_nsp("42", nsp, sizeof nsp));
  cr_assert(!ct_sio_answer_nsp("4", nsp, sizeof nsp));
}

/* SIO-NS-11: events (a BINARY_EVENT with its attachment included) that come before the
 * answer are kept, in order, at the head of the queue; the answer is not one of them. */
Test(preamble, await_answer_sets_events_aside) {
  ct_run r;
  ct_case c;
  fake_run(&r, &c, CT_MUST, NULL);
  const fake_pkt in[] = {
      {0, "42[\"auth\",{}]"},    {0, "451-[\"b\",{\"_placeholder\":true,\"num\":0}]"},
      {1, "\x01\x02"},           {0, "6"},
      {0, "40{\"sid\":\"s1\"}"}, {0, "42[\"later\"]"}};
  ct_conn *k = fake_conn(&r, in, sizeof in / sizeof *in);
  ct_pkt ans;
  cr_assert_eq(ct_sio_await_answer(k, "/", 0, &ans), 1);
  cr_assert_eq(ans.data.len, 14);
  cr_assert(memcmp(ans.data.data, "40{\"sid\":\"s1\"}", 14) == 0);
  ct_buf_free(&ans.data);
  const char *want[] = {"42[\"auth\",{}]", "451-[\"b\",{\"_placeholder\":true,\"num\":0}]",
                        "\x01\x02", "42[\"later\"]"};
  for (size_t i = 0; i < 4; i++) {
    char *s = take_text(k);
    cr_assert_str_eq(s, want[i]);
    free(s);
  }
  cr_assert_null(take_text(k));
  done(&r, &c);
}

static ct_verdict run_steps(const char *steps, const fake_pkt *in, size_t n, ct_level level,
                            char **reason, char **blocked_by) {
  ct_run r;
  ct_case c;
  fake_run(&r, &c, level, steps);
  fake_conn(&r, in, n);
  ct_steps_run(&r);
  ct_verdict v = r.verdict;
  if (reason) *reason = ct_xstrdup(r.reason ? r.reason : "");
  if (blocked_by) *blocked_by = r.blocked_by ? ct_xstrdup(r.blocked_by) : NULL;
  done(&r, &c);
  return v;
}

static const fake_pkt greet_first[] = {{0, "42[\"auth\",{}]"}, {0, "40{\"sid\":\"s1\"}"}};

Test(preamble, expect_answer_defers_events) {
  const char *steps = "[{\"op\":\"expect\",\"prefix\":\"40\",\"json\":{\"sid\":\"$string\"}},"
                      "{\"op\":\"expect\",\"prefix\":\"42\",\"json_exact\":[\"auth\",{}]}]";
  cr_assert_eq(run_steps(steps, greet_first, 2, CT_MUST, NULL, NULL), CT_V_PASS);
}

/* SIO-NS-10 graded: with "defer": false the early event is the finding */
Test(preamble, expect_answer_defer_off_grades_the_order) {
  const char *steps = "[{\"op\":\"expect\",\"prefix\":\"40\",\"json\":{\"sid\":\"$string\"},"
                      "\"defer\":false},"
                      "{\"op\":\"expect\",\"prefix\":\"42\",\"json_exact\":[\"auth\",{}]}]";
  char *why = NULL;
  cr_assert_eq(run_steps(steps, greet_first, 2, CT_SHOULD, &why, NULL), CT_V_NONSTRICT);
  cr_assert(strstr(why, "unexpected packet"), "%s", why);
  free(why);
}

/* only events of the awaited namespace are set aside, and CONNECT_ERROR counts too */
Test(preamble, defer_is_per_namespace) {
  const fake_pkt in[] = {{0, "42/auth,[\"x\"]"}, {0, "44/auth,{\"message\":\"m\"}"}};
  cr_assert_eq(run_steps("[{\"op\":\"expect\",\"prefix\":\"44/auth,\"},"
                         "{\"op\":\"expect\",\"prefix\":\"42/auth,\"}]",
                         in, 2, CT_MUST, NULL, NULL),
               CT_V_PASS);
  const fake_pkt other[] = {{0, "42[\"x\"]"}, {0, "40/custom,{\"sid\":\"s\"}"}};
  cr_assert_eq(
      run_steps("[{\"op\":\"expect\",\"match\":\"^40/custom,\"}]", other, 2, CT_MUST, NULL, NULL),
      CT_V_FAIL);
}

/* a step naming its root is a preamble: its failure is BLOCKED, whatever the level */
Test(preamble, root_step_blocks) {
  const fake_pkt in[] = {{0, "4y"}};
  char *why = NULL, *root = NULL;
  cr_assert_eq(run_steps("[{\"op\":\"expect\",\"text\":\"4x\",\"root\":\"sio.connect.custom\"}]",
                         in, 1, CT_MAY, &why, &root),
               CT_V_BLOCKED);
  cr_assert_str_eq(root, "sio.connect.custom@websocket");
  free(why);
  free(root);
  cr_assert_eq(run_steps("[{\"op\":\"expect\",\"text\":\"4x\"}]", in, 1, CT_MAY, NULL, NULL),
               CT_V_INFO);
}

/* "repeat" stands for its body written out: the steps are numbered as if unrolled (the
 * repeat itself has no number), and the first failing one ends the run. */
Test(repeat, numbered_as_written_out) {
  const fake_pkt in[] = {{0, "4a"}, {0, "4a"}, {0, "4a"}, {0, "4b"}};
  const char *body =
      "{\"op\":\"repeat\",\"count\":%d,\"steps\":[{\"op\":\"expect\",\"text\":\"4a\"}]}";
  char steps[512], *why = NULL;
  snprintf(steps, sizeof steps, "[%s,{\"op\":\"expect\",\"text\":\"4b\"}]", body);
  char run[512];
  snprintf(run, sizeof run, steps, 3);
  cr_assert_eq(run_steps(run, in, 4, CT_MUST, NULL, NULL), CT_V_PASS);
  snprintf(run, sizeof run, steps, 4); /* the fourth "4a" meets "4b" */
  cr_assert_eq(run_steps(run, in, 4, CT_MUST, &why, NULL), CT_V_FAIL);
  cr_assert(strncmp(why, "step 4 (expect)", 15) == 0, "%s", why);
  free(why);
  snprintf(run, sizeof run, steps, 2); /* the step after the repeat is step 3 */
  cr_assert_eq(run_steps(run, in, 4, CT_MUST, &why, NULL), CT_V_FAIL);
  cr_assert(strncmp(why, "step 3 (expect)", 15) == 0, "%s", why);
  free(why);
}

Test(repeat, stops_at_the_first_failure) {
  const fake_pkt in[] = {{0, "4a"}, {0, "4x"}, {0, "4a"}};
  char *why = NULL;
  cr_assert_eq(run_steps("[{\"op\":\"repeat\",\"count\":3,\"steps\":[{\"op\":\"expect\","
                         "\"text\":\"4a\"}]},{\"op\":\"expect\",\"text\":\"4a\"}]",
                         in, 3, CT_MUST, &why, NULL),
               CT_V_FAIL);
  cr_assert(strncmp(why, "step 2 (expect)", 15) == 0, "%s", why);
  free(why);
}

/* the fields inside keep their meaning: a step naming its root is still a preamble */
Test(repeat, body_steps_keep_root) {
  const fake_pkt in[] = {{0, "4y"}};
  char *root = NULL;
  cr_assert_eq(run_steps("[{\"op\":\"repeat\",\"count\":2,\"steps\":[{\"op\":\"expect\","
                         "\"text\":\"4x\",\"root\":\"sio.connect.custom\"}]}]",
                         in, 1, CT_MUST, NULL, &root),
               CT_V_BLOCKED);
  cr_assert_str_eq(root, "sio.connect.custom@websocket");
  free(root);
}

/* A long repeat keeps the transcript short: iterations REPEAT_SHOWN + 1 to count - 1 are
 * one line, and when one of them decides the run its own lines follow the note. */
Test(repeat, long_flood_summarised) {
  fake_pkt in[8];
  for (int k = 0; k < 8; k++) in[k] = (fake_pkt){0, k < 7 ? "4a" : "4b"};
  const char *steps =
      "[{\"op\":\"repeat\",\"count\":10,\"steps\":[{\"op\":\"expect\",\"text\":\"4a\"}]}]";
  ct_run r;
  ct_case c;
  fake_run(&r, &c, CT_MUST, steps);
  fake_conn(&r, in, 8);
  ct_steps_run(&r);
  cr_assert_eq(r.verdict, CT_V_FAIL);
  const char *log = r.log.data ? (const char *)r.log.data : "";
  cr_assert(strstr(log, ".. repeat: iterations 4 to 8 ran; their lines are left out, but for "
                        "the last, which decided the run:"),
            "%s", log);
  done(&r, &c);
  const char *pass =
      "[{\"op\":\"repeat\",\"count\":6,\"steps\":[{\"op\":\"expect\",\"text\":\"4a\"}]}]";
  fake_run(&r, &c, CT_MUST, pass);
  fake_conn(&r, in, 7);
  ct_steps_run(&r);
  cr_assert_eq(r.verdict, CT_V_PASS);
  log = r.log.data ? (const char *)r.log.data : "";
  cr_assert(strstr(log, ".. repeat: iterations 4 to 5 ran; their lines are left out\n"), "%s", log);
  done(&r, &c);
}
