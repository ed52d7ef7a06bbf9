/* Private to the step executor (steps.c) and the ops kept in their own files
 * (steps_http.c): the per-step context and the field helpers every op uses. Not part
 * of the harness's public interface. */
#ifndef CT_STEPS_PRIV_H
#define CT_STEPS_PRIV_H

#include <cjson/cJSON.h>

#include "ct.h"

/* One step being run: the run, its 1-based index, its op name and its JSON object. */
typedef struct step_ctx {
  ct_run *r;
  int index;
  const char *op;
  const cJSON *s;
  const char *root; /* a preamble step's root case ("root" field): its failure is BLOCKED */
} step_ctx;

/* A string field as is (no substitution), or NULL. Borrowed from the step. */
const char *sget(const step_ctx *x, const char *k);
/* Fail the run for this step ("step N (op): ..."); EXPECTED and ACTUAL may be NULL. */
void sfail(step_ctx *x, const char *expected, const char *actual, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A string field with ${var} substitution; NULL when absent (caller frees). On an
 * unknown variable the step fails and *BAD is set. */
char *sstr(step_ctx *x, const char *k, int *bad);
/* A number field (a JSON number or an expression); DEF when absent. 0, or -1 with the
 * failure recorded. */
int snum(step_ctx *x, const char *k, long def, long *out);
/* A wait field (a number or an expression; DEF when absent) in milliseconds under
 * --timeout-scale, by ct_step_wait's rule (a wait from the server's announced timings is
 * never shrunk; SPAN: a measured span, never scaled when server-derived). 0, or -1 with
 * the failure recorded. */
int swait(step_ctx *x, const char *k, long def, int span, long *out);
/* Check STATUS, BODY and (when RESP is not NULL) headers against the step's status,
 * body, body_match, body_json (+ body_prefix) and headers_expect fields; records the
 * failure. */
void check_response(step_ctx *x, int status, const ct_buf *body, const ct_http_resp *resp);
/* The step's "headers" object as raw header lines ("Name: value\r\n"...), with ${var}
 * substituted; NULL when absent (caller frees). */
char *build_headers(step_ctx *x);

/* Ops in steps.c, dispatched through the op table (ops.c). */
void op_open(step_ctx *x);
void op_sio_open(step_ctx *x);
void op_send(step_ctx *x);
void op_post(step_ctx *x);
void op_poll(step_ctx *x);
void op_expect(step_ctx *x);
void op_expect_none(step_ctx *x);
void op_expect_close(step_ctx *x);
void op_http(step_ctx *x);
void op_ws(step_ctx *x);
void op_frame(step_ctx *x);
void op_sleep(step_ctx *x);
void op_close(step_ctx *x);
void op_raw(step_ctx *x);
void op_set(step_ctx *x);
void op_check(step_ctx *x);
void op_sid_sample(step_ctx *x);
void op_stopwatch(step_ctx *x);
void op_time_ratio(step_ctx *x);

/* Ops in steps_http.c (HTTP/1.1 on the polling transport, issue 11). */
void op_http_conn(step_ctx *x);
void op_http_flood(step_ctx *x);
/* Op in steps_large.c (large payloads, issue 11). */
void op_need_payload(step_ctx *x);

#endif
