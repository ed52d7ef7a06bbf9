/* Interpreter of the scenario step language (vectors/scenarios/README.md): runs a
 * case's steps in order on the run's connections and records exactly one verdict; the
 * first failed step decides it (through the case's level), and a case whose steps all
 * hold passes. Every op runs through the op table (ops.c); "repeat" is unrolled here.
 * Decides which steps are preambles (a failure there is BLOCKED by the root case). Spec
 * tags live in the scenario files, on the cases. */
#include "ct_steps.h"

#include <string.h>

#include "ct_discover.h"
#include "ct_ops.h"
#include "step_ctx.h"

static void run_steps(ct_run *r, const cJSON *steps, int *i, int *acted);

/* "repeat": its steps COUNT times (the loader bounds it), numbered and graded exactly as
 * if they were written out; the repeat itself has no step number. Stops at a verdict.
 * A flood would fill the transcript (capped at 256 KiB) with the same lines and push out
 * what comes after it, so the first REPEAT_SHOWN iterations and the last are written
 * out and the ones between go to a scratch transcript, emptied after each iteration and
 * kept only when an iteration records a verdict (its lines then follow a note). */
#define REPEAT_SHOWN 3

/* Put the run's transcript back after HIDDEN quiet iterations; SCRATCH held the last. */
static void repeat_unhide(ct_run *r, ct_buf *kept, int first, int hidden, int failed) {
  ct_buf scratch = r->log;
  r->log = *kept;
  ct_log(r, ".. repeat: iterations %d to %d ran; their lines are left out%s", first,
         first + hidden - 1, failed ? ", but for the last, which decided the run:" : "");
  if (failed && scratch.len && r->log.len < 256 * 1024)
    ct_buf_add(&r->log, scratch.data, scratch.len);
  ct_buf_free(&scratch);
}

static void op_repeat(ct_run *r, const cJSON *s, int *i, int *acted) {
  int count = cJSON_GetObjectItem(s, "count")->valueint;
  ct_buf kept = {0};
  int hidden = 0, first = 0;
  for (int k = 0; k < count && !r->nverdicts; k++) {
    int quiet = k >= REPEAT_SHOWN && k < count - 1;
    if (quiet && !hidden) { /* the run's transcript aside; lines go to a scratch one */
      kept = r->log;
      r->log = (ct_buf){0};
      first = k + 1;
    } else if (!quiet && hidden) {
      repeat_unhide(r, &kept, first, hidden, 0);
      hidden = 0;
    }
    if (quiet) {
      r->log.len = 0; /* only the latest quiet iteration is kept */
      hidden++;
    }
    run_steps(r, cJSON_GetObjectItem(s, "steps"), i, acted);
  }
  if (hidden) repeat_unhide(r, &kept, first, hidden, r->nverdicts > 0);
}

void ct_steps_run(ct_run *r) {
  cJSON_AddStringToObject(r->vars, "path", ct_case_path(r));
  cJSON_AddStringToObject(r->vars, "eio_path", r->cfg->eio_path);
  cJSON_AddStringToObject(r->vars, "sio_path", r->cfg->sio_path);
  cJSON_AddStringToObject(r->vars, "transport",
                          r->transport == CT_TR_POLLING ? "polling" : "websocket");
  /* issue 14: the Engine.IO version of the run (raw targets write EIO=${eio}) */
  cJSON_AddStringToObject(r->vars, "eio", ct_run_eio(r) == 3 ? "3" : "4");
  int i = 0, acted = 0;
  run_steps(r, r->c->steps, &i, &acted);
  if (!r->nverdicts) ct_pass(r);
}

/* Run STEPS in order until one records a verdict; *I numbers the steps, *ACTED says the
 * case has acted on the server (both carry across a repeat's body). */
static void run_steps(ct_run *r, const cJSON *steps, int *i, int *acted) {
  const cJSON *s;
  cJSON_ArrayForEach(s, steps) {
    if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(s, "op")), "repeat") == 0) {
      op_repeat(r, s, i, acted);
      if (r->nverdicts) return;
      continue;
    }
    step_ctx x = {r, ++*i, cJSON_GetStringValue(cJSON_GetObjectItem(s, "op")), s, NULL};
    const char *only = cJSON_GetStringValue(cJSON_GetObjectItem(s, "only"));
    if (only && strcmp(only, r->transport == CT_TR_POLLING ? "polling" : "websocket") != 0)
      continue;
    /* "protocol": the step belongs to the run of that protocol only (issue 14), e.g. the
     * open packet's shape, which differs between Engine.IO v3 and v4 */
    const char *proto = cJSON_GetStringValue(cJSON_GetObjectItem(s, "protocol"));
    if (proto && ct_proto_parse(proto) != (r->proto ? r->proto : CT_P_EIO4)) continue;
    /* "refuses": a step about the refusal of a protocol the target serves is left out */
    char rwhy[200];
    const char *ref = cJSON_GetStringValue(cJSON_GetObjectItem(s, "refuses"));
    if (ref && ct_proto_offered(r->cfg, ct_proto_parse(ref), rwhy, sizeof rwhy)) {
      ct_log(r, ".. step %d (%s) left out: %s", *i, x.op, rwhy);
      continue;
    }
    /* "needs": a step the target cannot serve (e.g. an echo round trip proving liveness
     * when the echo path is absent) is left out, and the transcript says so */
    ct_need sneed;
    if (ct_need_parse(cJSON_GetStringValue(cJSON_GetObjectItem(s, "needs")), &sneed) == 0 &&
        !ct_target_offers(r->cfg, sneed)) {
      ct_log(r, ".. step %d (%s) left out: the target has no %s", *i, x.op, ct_need_name(sneed));
      continue;
    }
    const char *op = x.op;
    /* One fault, one failure: a preamble step that fails makes the run BLOCKED by the
     * root case grading it. open/sio_open are preambles until the case first acts on
     * the server (a later handshake is a check: "the server still serves"), unless
     * "preamble" says otherwise; any step naming a "root" is a preamble. */
    const cJSON *pf = cJSON_GetObjectItem(s, "preamble");
    int is_open = strcmp(op, "open") == 0 || strcmp(op, "sio_open") == 0;
    x.root = cJSON_GetStringValue(cJSON_GetObjectItem(s, "root"));
    int preamble = x.root || (is_open && (cJSON_IsBool(pf) ? cJSON_IsTrue(pf) : !*acted));
    r->open_graded = !preamble;
    const ct_op *def = ct_op_find(op);
    if (!preamble && (!def || def->acts)) *acted = 1;
    if (def && def->run)
      def->run(&x);
    else /* the loader refuses these; a case built in code could still carry one */
      sfail(&x, NULL, NULL, "the step language has no op \"%s\"", op ? op : "(none)");
    r->open_graded = 0;
    if (r->nverdicts) return;
  }
}
