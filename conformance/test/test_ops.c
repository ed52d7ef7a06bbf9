/* The op table (ct_ops.h) is the one list of the step language's ops. This test fails
 * when the three users disagree: the generated op list in vectors/scenarios/README.md
 * (its block must equal `sioconform --list-ops`, and its field table must name the same
 * ops in the same order), the loader (accepts every op with its required keys, refuses
 * each required key missing and any op not in the table), and the dispatcher (every op
 * but "repeat", which the interpreter unrolls, has a function). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_ops.h"
#include "ct_run.h"
#include "ct_scenario.h"

static char *slurp(const char *file) {
  char *text = ct_read_file(file);
  cr_assert_not_null(text, "cannot open %s", file);
  return text;
}

#define README SIO_VECTORS_DIR "/scenarios/README.md"

Test(ops, readme_block_is_generated) {
  char *doc = slurp(README);
  ct_buf want = {0};
  ct_ops_markdown(&want);
  const char *begin = strstr(doc, CT_OPS_BEGIN);
  cr_assert_not_null(begin, "%s has no op-list block (marker %s)", README, CT_OPS_BEGIN);
  const char *end = strstr(begin, CT_OPS_END);
  cr_assert_not_null(end, "%s: the op-list block has no end marker", README);
  end += strlen(CT_OPS_END) + 1; /* the newline after the marker */
  size_t len = (size_t)(end - begin);
  cr_assert(len == want.len && memcmp(begin, want.data, len) == 0,
            "the op list in %s differs from the op table; regenerate it with "
            "`sioconform --list-ops`. Wanted:\n%s",
            README, (char *)want.data);
  ct_buf_free(&want);
  free(doc);
}

/* The field table below the block ("| op | fields | does |") documents each op's keys:
 * one row per op, in the table's order. */
Test(ops, readme_field_table_names_every_op) {
  char *doc = slurp(README);
  const char *p = strstr(doc, "\n| op | fields | does |\n");
  cr_assert_not_null(p, "%s has no field table", README);
  p = strchr(p + 1, '\n') + 1; /* header */
  p = strchr(p, '\n') + 1;     /* separator */
  size_t n, k = 0;
  const ct_op *ops = ct_ops_all(&n);
  while (strncmp(p, "| `", 3) == 0) {
    const char *q = strchr(p + 3, '`');
    cr_assert_lt(k, n, "the field table has a row %.*s that the op table lacks", (int)(q - p - 3),
                 p + 3);
    cr_assert(strlen(ops[k].name) == (size_t)(q - p - 3) && !strncmp(ops[k].name, p + 3, q - p - 3),
              "field table row %zu is %.*s, the op table says %s", k + 1, (int)(q - p - 3), p + 3,
              ops[k].name);
    k++;
    p = strchr(p, '\n') + 1;
  }
  cr_assert_eq(k, n, "the field table has %zu rows, the op table %zu ops", k, n);
  free(doc);
}

/* A one-case scenario file whose only step is op NAME with its required keys, but
 * without key SKIP (NULL: all of them). */
static int load_one(const char *name, const char *skip, char *err, size_t errlen) {
  const ct_op *op = ct_op_find(name);
  cJSON *step = cJSON_CreateObject();
  cJSON_AddStringToObject(step, "op", name);
  for (int k = 0; op && op->required[k]; k++) {
    const char *key = op->required[k];
    if (skip && strcmp(key, skip) == 0) continue;
    if (strcmp(key, "count") == 0)
      cJSON_AddNumberToObject(step, key, 2);
    else if (strcmp(key, "steps") == 0)
      cJSON_AddItemToObject(step, key, cJSON_Parse("[{\"op\": \"poll\"}]"));
    else
      cJSON_AddStringToObject(step, key, "1");
  }
  cJSON *file = cJSON_Parse("{\"format\": 1, \"cases\": [{\"id\": \"t.op\", \"title\": \"t\", "
                            "\"tags\": [\"EIO-X-1\"], \"level\": \"MUST\", \"steps\": []}]}");
  cJSON_AddItemToArray(
      cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(file, "cases"), 0), "steps"),
      step);
  char *text = cJSON_PrintUnformatted(file);
  ct_cases cs = {0};
  int rc = ct_scenarios_parse(&cs, text, "t.json", err, errlen);
  ct_cases_free(&cs);
  free(text);
  cJSON_Delete(file);
  return rc;
}

Test(ops, loader_accepts_exactly_the_table) {
  size_t n;
  const ct_op *ops = ct_ops_all(&n);
  char err[256];
  for (size_t i = 0; i < n; i++) {
    cr_assert_eq(load_one(ops[i].name, NULL, err, sizeof err), 1, "op %s refused: %s", ops[i].name,
                 err);
    for (int k = 0; ops[i].required[k]; k++) {
      cr_assert_eq(load_one(ops[i].name, ops[i].required[k], err, sizeof err), -1,
                   "op %s loaded without its required \"%s\"", ops[i].name, ops[i].required[k]);
    }
    /* the dispatcher: every op runs through the table (repeat is unrolled) */
    cr_assert(ops[i].run || strcmp(ops[i].name, "repeat") == 0, "op %s has no function",
              ops[i].name);
  }
  cr_assert_eq(load_one("no_such_op", NULL, err, sizeof err), -1);
  cr_assert_not_null(strstr(err, "unknown op no_such_op"), "%s", err);
}

/* A failing step says what is wrong in words a case author understands, naming the
 * variable: never internal shorthand such as "no value for ${...}". Runs without a
 * server: each step fails before any I/O. */
static char *reason_of(const char *steps_json) {
  ct_case c;
  memset(&c, 0, sizeof c);
  c.id = (char *)"t.msg";
  c.title = (char *)"t";
  c.tags = (char *)"EIO-X-1";
  c.level = CT_MUST;
  c.transports = CT_TR_ALL;
  c.steps = cJSON_Parse(steps_json);
  ct_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.tscale = 1;
  cfg.sio_path = "/socket.io/";
  cfg.eio_path = "/engine.io/";
  ct_run r;
  ct_run_case(&r, &c, &cfg, CT_TR_POLLING);
  cr_assert_eq(r.verdict, CT_V_FAIL);
  char *reason = ct_xstrdup(r.reason);
  ct_run_free(&r);
  cJSON_Delete(c.steps);
  return reason;
}

Test(ops, failure_messages_name_the_variable) {
  static const struct {
    const char *steps, *want;
  } t[] = {
      {"[{\"op\": \"set\", \"var\": \"x\", \"value\": \"${nope}\"}]",
       "step 1 (set): field \"value\" uses ${nope}, which has no value: no earlier step set it"},
      {"[{\"op\": \"sleep\", \"ms\": \"${pingInterval}+1\"}]",
       "step 1 (sleep): field \"ms\" uses ${pingInterval}, which has no value: no open packet of "
       "this case carried it"},
      {"[{\"op\": \"sleep\", \"ms\": \"5/2\"}]",
       "step 1 (sleep): field \"ms\" must be a number, or numbers and ${variables} joined by +, - "
       "and *"},
      {"[{\"op\": \"stopwatch\", \"var\": \"t\", \"action\": \"stop\"}]",
       "step 1 (stopwatch): stopwatch t was stopped before a step started it"},
      {"[{\"op\": \"poll\", \"conn\": \"z\"}]",
       "step 1 (poll): no connection named \"z\": an open, sio_open or ws step must open it first"},
  };
  for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
    char *reason = reason_of(t[i].steps);
    cr_expect_str_eq(reason, t[i].want);
    free(reason);
  }
}
