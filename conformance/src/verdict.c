/* Verdicts and the run record (ct_verdict.h). Enforces the harness rule that every
 * case-run ends with exactly one verdict (a second is logged and ignored), maps a failed
 * expectation to the case's level (MUST -> FAIL, SHOULD -> NON-STRICT, MAY -> INFO), and
 * turns a failed preamble into BLOCKED by its root case (one fault, one failure). */
#include "ct_verdict.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *ct_verdict_name(ct_verdict v) {
  switch (v) {
  case CT_V_PASS:
    return "PASS";
  case CT_V_FAIL:
    return "FAIL";
  case CT_V_NONSTRICT:
    return "NON-STRICT";
  case CT_V_INFO:
    return "INFO";
  case CT_V_SKIP:
    return "SKIP";
  case CT_V_BLOCKED:
    return "BLOCKED";
  default:
    return "NONE";
  }
}

void ct_log(ct_run *r, const char *fmt, ...) {
  ct_buf line = {0};
  ct_buf_printf(&line, "%6.0f ", (double)(ct_now_ms() - r->t0));
  va_list ap;
  va_start(ap, fmt);
  ct_buf_vprintf(&line, fmt, ap);
  va_end(ap);
  ct_buf_adds(&line, "\n");
  char *clean = ct_utf8_sanitize(line.data, line.len);
  /* a transcript is for reading: cap it so a flood cannot eat memory */
  if (r->log.len < 256 * 1024) ct_buf_adds(&r->log, clean);
  /* -v: live only when runs go one at a time; with --jobs the finished transcript is
   * printed whole (main.c), so runs never interleave */
  if (r->cfg && r->cfg->verbose && r->cfg->jobs <= 1) fprintf(stderr, "    %s", clean);
  free(clean);
  ct_buf_free(&line);
}

int ct_ms(const ct_run *r, long ms) {
  double s = r->cfg && r->cfg->tscale > 0 ? r->cfg->tscale : 1.0;
  return (int)(ms * s);
}

static int verdict_once(ct_run *r, ct_verdict v, const char *reason) {
  r->nverdicts++;
  if (r->nverdicts > 1) {
    ct_log(r, "!! second verdict %s ignored (%s)", ct_verdict_name(v), reason ? reason : "");
    return 0;
  }
  r->verdict = v;
  free(r->reason);
  r->reason =
      ct_utf8_sanitize((const unsigned char *)(reason ? reason : ""), reason ? strlen(reason) : 0);
  return 1;
}

void ct_pass(ct_run *r) { verdict_once(r, CT_V_PASS, ""); }

void ct_fail(ct_run *r, const char *expected, const char *actual, const char *fmt, ...) {
  ct_buf b = {0};
  va_list ap;
  va_start(ap, fmt);
  ct_buf_vprintf(&b, fmt, ap);
  va_end(ap);
  ct_verdict v = r->c->level == CT_MUST     ? CT_V_FAIL
                 : r->c->level == CT_SHOULD ? CT_V_NONSTRICT
                                            : CT_V_INFO;
  ct_log(r, "-- %s: %s", ct_verdict_name(v), (char *)b.data);
  if (verdict_once(r, v, (char *)b.data)) {
    free(r->expected);
    free(r->actual);
    r->expected =
        expected ? ct_utf8_sanitize((const unsigned char *)expected, strlen(expected)) : NULL;
    r->actual = actual ? ct_utf8_sanitize((const unsigned char *)actual, strlen(actual)) : NULL;
  }
  ct_buf_free(&b);
}

void ct_skip(ct_run *r, const char *fmt, ...) {
  ct_buf b = {0};
  va_list ap;
  va_start(ap, fmt);
  ct_buf_vprintf(&b, fmt, ap);
  va_end(ap);
  verdict_once(r, CT_V_SKIP, (char *)b.data);
  ct_buf_free(&b);
}

void ct_info(ct_run *r, const char *fmt, ...) {
  ct_buf b = {0};
  va_list ap;
  va_start(ap, fmt);
  ct_buf_vprintf(&b, fmt, ap);
  va_end(ap);
  verdict_once(r, CT_V_INFO, (char *)b.data);
  ct_buf_free(&b);
}

void ct_blocked(ct_run *r, const char *root, const char *fmt, ...) {
  ct_buf b = {0};
  va_list ap;
  va_start(ap, fmt);
  ct_buf_vprintf(&b, fmt, ap);
  va_end(ap);
  ct_log(r, "-- BLOCKED by %s: %s", root, (char *)b.data);
  if (verdict_once(r, CT_V_BLOCKED, (char *)b.data)) {
    free(r->blocked_by);
    r->blocked_by = ct_xstrdup(root);
  }
  ct_buf_free(&b);
}

/* The root that grades a preamble under the run's protocol: Engine.IO v3 / Socket.IO v4
 * has its own open packet and an implicit CONNECT (issue 14, vectors/scenarios/eio3.json). */
static const char *proto_root(const ct_run *r, const char *root) {
  static const char *const v3[][2] = {{"eio.handshake.open", "eio3.handshake.open"},
                                      {"sio.engine.handshake.open", "sio4.engine.handshake.open"},
                                      {"sio.connect.main-answer", "sio4.connect.main-implicit"},
                                      {"sio.connect.main", "sio4.connect.main-greeting"}};
  if (r->proto != CT_P_EIO3) return root;
  for (size_t i = 0; i < sizeof v3 / sizeof *v3; i++)
    if (strcmp(root, v3[i][0]) == 0) return v3[i][1];
  return root;
}

void ct_preamble_fail(ct_run *r, const char *root_case, unsigned transport, const char *expected,
                      const char *actual, const char *fmt, ...) {
  root_case = proto_root(r, root_case);
  ct_buf b = {0};
  va_list ap;
  va_start(ap, fmt);
  ct_buf_vprintf(&b, fmt, ap);
  va_end(ap);
  /* the root itself, or a step that checks this very preamble, grades it; anything else
   * could not check its own rule and is blocked by the root (one fault, one failure) */
  int self = r->c && r->c->id && strcmp(r->c->id, root_case) == 0;
  if (self || r->open_graded) {
    ct_fail(r, expected, actual, "%s", (char *)b.data);
  } else {
    char root[256];
    /* the root graded under the same protocol (issue 14: "...@polling/eio3") */
    snprintf(root, sizeof root, "%s@%s%s", root_case,
             transport == CT_TR_POLLING ? "polling" : "websocket", ct_proto_suffix(r->proto));
    if (actual)
      ct_blocked(r, root, "%s (got: %s)", (char *)b.data, actual);
    else
      ct_blocked(r, root, "%s", (char *)b.data);
  }
  ct_buf_free(&b);
}

void ct_run_free(ct_run *r) {
  free(r->run_id);
  free(r->reason);
  free(r->expected);
  free(r->actual);
  free(r->blocked_by);
  free(r->deviation);
  ct_buf_free(&r->log);
  cJSON_Delete(r->vars);
  memset(r, 0, sizeof *r);
}
