/* Unit tests for the step language: variable substitution, expressions, the JSON
 * pattern matcher, and the scenario loader's validation (a typo must be an error). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "ct_match.h"
#include "ct_scenario.h"
#include "ct_sched.h"
#include "ct_steps_sec.h"
#include "ct_vectors.h"

static cJSON *vars(void) {
  cJSON *v = cJSON_CreateObject();
  cJSON_AddStringToObject(v, "sid", "abc");
  cJSON_AddNumberToObject(v, "pingInterval", 300);
  cJSON_AddNumberToObject(v, "pingTimeout", 200);
  return v;
}

Test(steps, subst) {
  cJSON *v = vars();
  char *s = ct_subst("/x/?sid=${sid}&t=${pingInterval}", v, NULL);
  cr_assert_str_eq(s, "/x/?sid=abc&t=300");
  free(s);
  char *missing = NULL;
  cr_assert_null(ct_subst("${nope}", v, &missing));
  cr_assert_str_eq(missing, "nope");
  free(missing);
  s = ct_subst("no vars $ { }", v, NULL);
  cr_assert_str_eq(s, "no vars $ { }");
  free(s);
  cJSON_Delete(v);
}

Test(steps, eval) {
  cJSON *v = vars();
  long out = 0;
  cr_assert_eq(ct_eval("${pingInterval}+${pingTimeout}+500", v, &out), 0);
  cr_assert_eq(out, 1000);
  cr_assert_eq(ct_eval("${pingInterval}*4-200", v, &out), 0);
  cr_assert_eq(out, 1000);
  cr_assert_eq(ct_eval("7", v, &out), 0);
  cr_assert_eq(out, 7);
  cr_assert_eq(ct_eval("5+", v, &out), -1);
  cr_assert_eq(ct_eval("5/2", v, &out), -1);
  cr_assert_eq(ct_eval("${sid}", v, &out), -1);
  cJSON_Delete(v);
}

Test(steps, json_match) {
  cJSON *e = cJSON_Parse("{\"sid\":\"$string\",\"n\":[1,\"$number\"]}");
  cJSON *a = cJSON_Parse("{\"sid\":\"x\",\"n\":[1,2],\"extra\":true}");
  cJSON *b = cJSON_Parse("{\"sid\":5,\"n\":[1,2]}");
  cJSON *c = cJSON_Parse("{\"sid\":\"x\",\"n\":[1,2,3]}");
  cr_assert(ct_json_match(e, a, 0));
  cr_assert_not(ct_json_match(e, a, 1)); /* exact: no extra keys */
  cr_assert_not(ct_json_match(e, b, 0));
  cr_assert_not(ct_json_match(e, c, 0));
  cJSON *x = cJSON_Parse("[\"auth\",{}]");
  cJSON *y = cJSON_Parse("[\"auth\",{\"token\":\"1\"}]");
  cr_assert_not(ct_json_match(x, y, 1));
  cr_assert(ct_json_match(x, x, 1));
  cJSON_Delete(e);
  cJSON_Delete(a);
  cJSON_Delete(b);
  cJSON_Delete(c);
  cJSON_Delete(x);
  cJSON_Delete(y);
}

static int load(const char *text, char *err) {
  ct_cases cs = {0};
  int rc = ct_scenarios_parse(&cs, text, "t.json", err, 256);
  ct_cases_free(&cs);
  return rc;
}

Test(steps, loader_accepts_valid) {
  char err[256];
  const char *ok = "{\"format\":1,\"cases\":[{\"id\":\"a.b\",\"level\":\"SHOULD\","
                   "\"tags\":[\"EIO-HS-1\"],\"transports\":[\"polling\"],\"endpoint\":\"sio\","
                   "\"steps\":[{\"op\":\"open\"},{\"op\":\"expect\",\"text\":\"4x\"}]}]}";
  ct_cases cs = {0};
  cr_assert_eq(ct_scenarios_parse(&cs, ok, "t.json", err, sizeof err), 1);
  cr_assert_str_eq(cs.v[0].id, "a.b");
  cr_assert_eq(cs.v[0].level, CT_SHOULD);
  cr_assert_eq(cs.v[0].transports, CT_TR_POLLING);
  cr_assert_eq(cs.v[0].sio, 1);
  cr_assert_str_eq(cs.v[0].tags, "EIO-HS-1");
  ct_cases_free(&cs);
}

Test(steps, loader_rejects_mistakes) {
  char err[256];
  cr_assert_eq(load("not json", err), -1);
  cr_assert_eq(load("{\"format\":2,\"cases\":[]}", err), -1);
  /* unknown op */
  cr_assert_eq(load("{\"format\":1,\"cases\":[{\"id\":\"a\",\"level\":\"MUST\",\"tags\":[\"T\"],"
                    "\"steps\":[{\"op\":\"opne\"}]}]}",
                    err),
               -1);
  cr_assert(strstr(err, "opne") != NULL);
  /* bad level, no tags, empty steps, bad transport, duplicate id */
  cr_assert_eq(load("{\"format\":1,\"cases\":[{\"id\":\"a\",\"level\":\"MUSTNT\",\"tags\":[\"T\"],"
                    "\"steps\":[{\"op\":\"open\"}]}]}",
                    err),
               -1);
  cr_assert_eq(load("{\"format\":1,\"cases\":[{\"id\":\"a\",\"level\":\"MUST\",\"tags\":[],"
                    "\"steps\":[{\"op\":\"open\"}]}]}",
                    err),
               -1);
  cr_assert_eq(load("{\"format\":1,\"cases\":[{\"id\":\"a\",\"level\":\"MUST\",\"tags\":[\"T\"],"
                    "\"steps\":[]}]}",
                    err),
               -1);
  cr_assert_eq(load("{\"format\":1,\"cases\":[{\"id\":\"a\",\"level\":\"MUST\",\"tags\":[\"T\"],"
                    "\"transports\":\"carrier-pigeon\",\"steps\":[{\"op\":\"open\"}]}]}",
                    err),
               -1);
  cr_assert_eq(load("{\"format\":1,\"cases\":[{\"id\":\"a\",\"level\":\"MUST\",\"tags\":[\"T\"],"
                    "\"steps\":[{\"op\":\"open\"}]},{\"id\":\"a\",\"level\":\"MUST\","
                    "\"tags\":[\"T\"],\"steps\":[{\"op\":\"open\"}]}]}",
                    err),
               -1);
  cr_assert(strstr(err, "duplicate") != NULL);
}

/* "repeat": a bounded integer count, a non-empty body of ordinary steps (none nested),
 * and no only/needs/root/preamble of its own (they go on the steps inside). */
Test(steps, loader_checks_repeat) {
  char err[256];
  const char *fmt = "{\"format\":1,\"cases\":[{\"id\":\"a\",\"level\":\"MUST\",\"tags\":[\"T\"],"
                    "\"steps\":[{\"op\":\"open\"},{\"op\":\"repeat\"%s}]}]}";
  static const struct {
    const char *fields;
    int ok;
  } t[] = {
      {",\"count\":300,\"steps\":[{\"op\":\"frame\",\"opcode\":0,\"text\":\"x\"}]", 1},
      {",\"count\":2,\"steps\":[{\"op\":\"send\",\"text\":\"4x\",\"only\":\"polling\"}]", 1},
      {",\"count\":0,\"steps\":[{\"op\":\"close\"}]", 0},
      {",\"count\":2001,\"steps\":[{\"op\":\"close\"}]", 0},
      {",\"count\":1.5,\"steps\":[{\"op\":\"close\"}]", 0},
      {",\"count\":\"3\",\"steps\":[{\"op\":\"close\"}]", 0},
      {",\"count\":3", 0},
      {",\"count\":3,\"steps\":[]", 0},
      {",\"count\":3,\"steps\":[{\"op\":\"opne\"}]", 0},
      {",\"count\":3,\"steps\":[{\"op\":\"repeat\",\"count\":2,\"steps\":[{\"op\":\"close\"}]}]",
       0},
      {",\"count\":3,\"steps\":[{\"op\":\"close\",\"needs\":\"nothing\"}]", 0},
      {",\"count\":3,\"only\":\"polling\",\"steps\":[{\"op\":\"close\"}]", 0},
      {",\"count\":3,\"root\":\"x.y\",\"steps\":[{\"op\":\"close\"}]", 0},
  };
  for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
    char text[512];
    snprintf(text, sizeof text, fmt, t[i].fields);
    int rc = load(text, err);
    cr_expect_eq(rc, t[i].ok ? 1 : -1, "%s -> %d (%s)", t[i].fields, rc, rc < 0 ? err : "");
    if (!t[i].ok) cr_expect(strstr(err, "step 2") != NULL, "%s", err);
  }
  cr_assert_eq(CT_REPEAT_MAX, 2000);
}

Test(steps, repo_scenarios_load) {
  ct_cases cs = {0};
  char err[512];
  int n = ct_scenarios_load_dir(&cs, SIO_VECTORS_DIR "/scenarios", err, sizeof err);
  cr_assert_gt(n, 50, "%s", err);
  ct_cases_free(&cs);
}

/* Traceability: every tag a scenario case cites exists in spec/ (as "[TAG]"). */
static char *slurp(const char *path) {
  char *text = ct_read_file(path);
  cr_assert_not_null(text, "%s", path);
  return text;
}

Test(steps, scenario_tags_exist_in_spec) {
  char *eio = slurp(SIO_SOURCE_DIR "/spec/engine.io-v4.md");
  char *sio = slurp(SIO_SOURCE_DIR "/spec/socket.io-v5.md");
  /* issue 14: the v3 cases cite spec/engine.io-v3.md and spec/socket.io-v4.md */
  char *eio3 = slurp(SIO_SOURCE_DIR "/spec/engine.io-v3.md");
  char *sio4 = slurp(SIO_SOURCE_DIR "/spec/socket.io-v4.md");
  char *mp = slurp(SIO_SOURCE_DIR "/spec/msgpack.md");
  ct_cases cs = {0};
  char err[512];
  cr_assert_gt(ct_scenarios_load_dir(&cs, SIO_VECTORS_DIR "/scenarios", err, sizeof err), 0);
  for (size_t i = 0; i < cs.n; i++) {
    char *tags = ct_xstrdup(cs.v[i].tags);
    for (char *save = NULL, *t = strtok_r(tags, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
      char *needle = ct_xasprintf("[%s]", t);
      cr_expect(strstr(eio, needle) || strstr(sio, needle) || strstr(eio3, needle) ||
                    strstr(sio4, needle) || strstr(mp, needle),
                "%s cites unknown tag %s", cs.v[i].id, t);
      free(needle);
    }
    free(tags);
  }
  ct_cases_free(&cs);
  free(eio);
  free(sio);
  free(eio3);
  free(sio4);
  free(mp);
}

/* Issue 14: "protocols" (file default, per case) and "offers" are loader-checked; a step's
 * "protocol" too; msgpack needs endpoint sio. */
Test(steps, protocols_fields) {
  static const struct {
    const char *text;
    int ok;
    unsigned protos;
  } t[] = {
      {"{\"format\":1,\"cases\":[{\"id\":\"a.b\",\"tags\":[\"EIO-TPL-1\"],\"level\":\"MUST\","
       "\"steps\":[{\"op\":\"open\"}]}]}",
       1, CT_P_EIO4},
      {"{\"format\":1,\"protocols\":[\"eio3\"],\"cases\":[{\"id\":\"a.b\",\"tags\":[\"X\"],"
       "\"level\":\"MUST\",\"steps\":[{\"op\":\"open\"}]}]}",
       1, CT_P_EIO3},
      {"{\"format\":1,\"protocols\":[\"eio3\"],\"cases\":[{\"id\":\"a.b\",\"tags\":[\"X\"],"
       "\"level\":\"MUST\",\"protocols\":[\"eio4\",\"eio3\"],\"offers\":[\"eio4\"],"
       "\"steps\":[{\"op\":\"open\",\"protocol\":\"eio3\"}]}]}",
       1, CT_P_EIO4 | CT_P_EIO3},
      {"{\"format\":1,\"protocols\":[\"eio5\"],\"cases\":[]}", 0, 0},
      {"{\"format\":1,\"protocols\":[],\"cases\":[]}", 0, 0},
      {"{\"format\":1,\"cases\":[{\"id\":\"a.b\",\"tags\":[\"X\"],\"level\":\"MUST\","
       "\"protocols\":[\"eio3\",\"eio3\"],\"steps\":[{\"op\":\"open\"}]}]}",
       0, 0},
      {"{\"format\":1,\"cases\":[{\"id\":\"a.b\",\"tags\":[\"X\"],\"level\":\"MUST\","
       "\"protocols\":[\"msgpack\"],\"steps\":[{\"op\":\"open\"}]}]}",
       0, 0},
      {"{\"format\":1,\"cases\":[{\"id\":\"a.b\",\"tags\":[\"X\"],\"level\":\"MUST\","
       "\"steps\":[{\"op\":\"open\",\"protocol\":\"v3\"}]}]}",
       0, 0},
      {"{\"format\":1,\"cases\":[{\"id\":\"a.b\",\"tags\":[\"X\"],\"level\":\"MUST\","
       "\"refuses\":[\"eio3\"],\"steps\":[{\"op\":\"open\",\"refuses\":\"eio3\"}]}]}",
       1, CT_P_EIO4},
      {"{\"format\":1,\"cases\":[{\"id\":\"a.b\",\"tags\":[\"X\"],\"level\":\"MUST\","
       "\"refuses\":\"eio3\",\"steps\":[{\"op\":\"open\"}]}]}",
       0, 0},
      {"{\"format\":1,\"cases\":[{\"id\":\"a.b\",\"tags\":[\"X\"],\"level\":\"MUST\","
       "\"steps\":[{\"op\":\"open\",\"refuses\":\"v3\"}]}]}",
       0, 0},
  };
  for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
    ct_cases cs = {0};
    char err[512] = "";
    int rc = ct_scenarios_parse(&cs, t[i].text, "t.json", err, sizeof err);
    cr_expect_eq(rc >= 0, t[i].ok, "case %zu: %d (%s)", i, rc, err);
    if (t[i].ok && rc == 1) cr_expect_eq(cs.v[0].protocols, t[i].protos, "case %zu", i);
    ct_cases_free(&cs);
  }
  cr_expect_eq(ct_proto_parse("eio3"), CT_P_EIO3);
  cr_expect_eq(ct_proto_parse("json"), 0u);
  cr_expect_str_eq(ct_proto_suffix(CT_P_EIO4), "");
  cr_expect_str_eq(ct_proto_suffix(CT_P_EIO3), "/eio3");
}

/* The codec-vector families: every invalid entry without its own limits becomes a
 * live case with a closure check and a fresh-client check; entries with opts and
 * attachments-pending entries are left out. */
Test(steps, vector_families) {
  ct_cases cs = {0};
  char err[512];
  int n = ct_vectors_load(&cs, SIO_VECTORS_DIR, err, sizeof err);
  cr_assert_gt(n, 100, "%s", err);
  int eio = 0, sio = 0;
  for (size_t i = 0; i < cs.n; i++) {
    const ct_case *c = &cs.v[i];
    if (strncmp(c->id, "eio.invalid.", 12) == 0) eio++;
    if (strncmp(c->id, "sio.invalid.", 12) == 0) sio++;
    cr_assert_null(strstr(c->id, "attachments-pending"));
    cr_assert_null(strstr(c->id, "payload-too-large"), "%s has opts", c->id);
    cr_assert_not_null(c->steps);
    char *s = cJSON_PrintUnformatted(c->steps);
    cr_assert_not_null(strstr(s, "\"expect_close\""), "%s", c->id);
    cr_assert_not_null(strstr(s, "\"fresh\""), "%s", c->id);
    free(s);
    for (const cJSON *st = c->steps->child; st; st = st->next)
      cr_assert(ct_step_op_known(cJSON_GetObjectItem(st, "op")->valuestring));
  }
  cr_assert_gt(eio, 20);
  cr_assert_gt(sio, 50);
  ct_cases_free(&cs);
}

/* The sid-sample screen (sec.exposure.sid-*): duplicates, a counter behind a fixed
 * prefix, and a two-letter alphabet must each show in the figures the cases judge. */
Test(steps, sid_stats) {
  const char *dup[] = {"AAAAAAAAAAAAAAAAAAAA", "BBBBBBBBBBBBBBBBBBBB", "AAAAAAAAAAAAAAAAAAAA"};
  ct_sid_stats st;
  cr_assert_eq(ct_sid_stats_compute(dup, 1, &st), -1);
  cr_assert_eq(ct_sid_stats_compute(dup, 3, &st), 0);
  cr_assert_eq(st.n, 3);
  cr_assert_eq(st.duplicates, 1);
  cr_assert_eq(st.min_len, 20);
  cr_assert_eq(st.max_len, 20);

  char buf[64][21];
  const char *counter[64];
  for (int i = 0; i < 64; i++) {
    snprintf(buf[i], sizeof buf[i], "prefixprefixpre%05d", i);
    counter[i] = buf[i];
  }
  cr_assert_eq(ct_sid_stats_compute(counter, 64, &st), 0);
  cr_assert_eq(st.duplicates, 0);
  cr_assert_geq(st.min_consecutive_distance, 1);
  cr_assert_leq(st.min_consecutive_distance, 2);
  cr_assert_geq(st.longest_shared_prefix, 15);
  cr_assert_lt(st.entropy_bits, 16.0);

  /* two letters, all positions independent: about one bit per position, at most */
  char ab[128][21];
  const char *two[128];
  unsigned x = 12345;
  for (int i = 0; i < 128; i++) {
    for (int k = 0; k < 20; k++) {
      x = x * 1103515245u + 12345u;
      ab[i][k] = (x >> 16) & 1 ? 'a' : 'b';
    }
    ab[i][20] = 0;
    two[i] = ab[i];
  }
  cr_assert_eq(ct_sid_stats_compute(two, 128, &st), 0);
  cr_assert_gt(st.entropy_bits, 15.0);
  cr_assert_leq(st.entropy_bits, 20.0 + 1e-9);
}

/* --timeout-scale and the server's own timings: a wait computed from pingInterval /
 * pingTimeout is the server's clock. Scaled like a harness wait (the executor's old
 * snum + ct_ms), 0.5 made the ping bound 250 ms against a 300 ms interval, and every
 * heartbeat run failed "no packet within 250 ms". */
Test(steps, wait_scale_keeps_server_timings) {
  cJSON *v = vars();
  cJSON *st = cJSON_Parse("{\"timeout\":\"${pingInterval}+${pingTimeout}\",\"c\":2000,"
                          "\"span\":\"${pingTimeout}-100\",\"bad\":\"5+\",\"obj\":{}}");
  long out = 0;
  /* server-derived bound: never below 500 when shrunk, stretched when scale > 1 */
  cr_assert_eq(ct_step_wait(st, "timeout", 0, v, 0.5, 0, &out), 0);
  cr_assert_eq(out, 500);
  cr_assert_eq(ct_step_wait(st, "timeout", 0, v, 2.0, 0, &out), 0);
  cr_assert_eq(out, 1000);
  /* server-derived measured span: exactly the announced value both ways */
  cr_assert_eq(ct_step_wait(st, "span", 0, v, 0.5, 1, &out), 0);
  cr_assert_eq(out, 100);
  cr_assert_eq(ct_step_wait(st, "span", 0, v, 3.0, 1, &out), 0);
  cr_assert_eq(out, 100);
  /* harness-side waits (constants, defaults) scale as before */
  cr_assert_eq(ct_step_wait(st, "c", 0, v, 0.5, 0, &out), 0);
  cr_assert_eq(out, 1000);
  cr_assert_eq(ct_step_wait(st, "missing", 2000, v, 0.5, 0, &out), 0);
  cr_assert_eq(out, 1000);
  cr_assert_eq(ct_step_wait(st, "c", 0, v, 0, 1, &out), 0); /* scale unset = 1 */
  cr_assert_eq(out, 2000);
  cr_assert_eq(ct_step_wait(st, "bad", 0, v, 1.0, 0, &out), -1);
  cr_assert_eq(ct_step_wait(st, "obj", 0, v, 1.0, 0, &out), -1);
  cJSON_Delete(st);
  cJSON_Delete(v);
}

/* "fixed" (issue 16): the release that fixed a security case's advisory is kept on the
 * case; it is refused on a conformance case and when it is not a non-empty string. */
Test(steps, loader_fixed_release) {
  char err[256];
  const char *sec =
      "{\"format\":1,\"cases\":[{\"id\":\"sec.x\",\"level\":\"MUST\",\"tags\":[\"T\"],"
      "\"severity\":\"high\",\"fixed\":\"engine.io 6.6.7\","
      "\"steps\":[{\"op\":\"open\"}]}]}";
  ct_cases cs = {0};
  cr_assert_eq(ct_scenarios_parse(&cs, sec, "t.json", err, sizeof err), 1, "%s", err);
  cr_assert_str_eq(cs.v[0].fixed, "engine.io 6.6.7");
  ct_cases_free(&cs);
  cr_assert_eq(
      load("{\"format\":1,\"cases\":[{\"id\":\"eio.x\",\"level\":\"MUST\",\"tags\":[\"T\"],"
           "\"fixed\":\"engine.io 6.6.7\",\"steps\":[{\"op\":\"open\"}]}]}",
           err),
      -1);
  cr_assert(strstr(err, "fixed must be") != NULL, "%s", err);
  cr_assert_eq(
      load("{\"format\":1,\"cases\":[{\"id\":\"sec.x\",\"level\":\"MUST\",\"tags\":[\"T\"],"
           "\"severity\":\"high\",\"fixed\":\"\",\"steps\":[{\"op\":\"open\"}]}]}",
           err),
      -1);
}

/* --skip leaves out what it names, in the -c forms (a prefix, or one id@transport), after
 * the -c selection. */
Test(steps, plan_skips) {
  char err[256];
  const char *two =
      "{\"format\":1,\"cases\":["
      "{\"id\":\"a.one\",\"level\":\"MUST\",\"tags\":[\"T\"],\"steps\":[{\"op\":\"open\"}]},"
      "{\"id\":\"a.two\",\"level\":\"MUST\",\"tags\":[\"T\"],\"steps\":[{\"op\":\"open\"}]}]}";
  ct_cases cs = {0};
  cr_assert_eq(ct_scenarios_parse(&cs, two, "t.json", err, sizeof err), 2, "%s", err);
  ct_plan p;
  char *sel[] = {"a."};
  char *skip_case[] = {"a.two"};
  char *skip_run[] = {"a.one@websocket"};
  cr_assert_eq(ct_plan_build(&p, &cs, CT_TR_ALL, sel, 1, NULL, 0), 4);
  ct_plan_free(&p);
  cr_assert_eq(ct_plan_build(&p, &cs, CT_TR_ALL, sel, 1, skip_case, 1), 2);
  cr_assert_str_eq(p.items[0].c->id, "a.one");
  ct_plan_free(&p);
  cr_assert_eq(ct_plan_build(&p, &cs, CT_TR_ALL, NULL, 0, skip_run, 1), 3);
  ct_plan_free(&p);
  ct_cases_free(&cs);
}

/* Issue 14: one run per (case, protocol, transport); "id@tr/eio3" names one run, "id@tr"
 * the transport under every protocol; the default plan (CT_P_EIO4) is unchanged. */
Test(steps, plan_protocols) {
  ct_cases cs = {0};
  ct_case *a = ct_cases_add(&cs, "a.b", "t", "X", CT_MUST, CT_TR_ALL, 0, NULL);
  a->protocols = CT_P_EIO4 | CT_P_EIO3;
  ct_case *b = ct_cases_add(&cs, "a.c", "t", "X", CT_MUST, CT_TR_ALL, 0, NULL);
  b->protocols = CT_P_EIO3;
  ct_plan p;
  cr_expect_eq(ct_plan_build(&p, &cs, CT_TR_ALL, NULL, 0, NULL, 0), 2);
  ct_plan_free(&p);
  cr_expect_eq(ct_plan_build_protos(&p, &cs, CT_TR_ALL, CT_P_EIO4 | CT_P_EIO3, NULL, 0, NULL, 0),
               6);
  cr_expect_eq(p.items[0].proto, CT_P_EIO4);
  cr_expect_eq(p.items[2].proto, CT_P_EIO3);
  ct_plan_free(&p);
  char *one[] = {"a.b@polling/eio3"}, *tr[] = {"a.b@polling"}, *v4[] = {"a.b@websocket/eio4"};
  cr_expect_eq(ct_plan_build_protos(&p, &cs, CT_TR_ALL, CT_P_ALL, one, 1, NULL, 0), 1);
  cr_expect_eq(p.items[0].proto, CT_P_EIO3);
  ct_plan_free(&p);
  cr_expect_eq(ct_plan_build_protos(&p, &cs, CT_TR_ALL, CT_P_ALL, tr, 1, NULL, 0), 2);
  ct_plan_free(&p);
  cr_expect_eq(ct_plan_build_protos(&p, &cs, CT_TR_ALL, CT_P_ALL, v4, 1, NULL, 0), 1);
  ct_plan_free(&p);
  cr_expect_eq(ct_plan_build_protos(&p, &cs, CT_TR_ALL, CT_P_EIO3, NULL, 0, one, 1), 3);
  ct_plan_free(&p);
  ct_cases_free(&cs);
}
