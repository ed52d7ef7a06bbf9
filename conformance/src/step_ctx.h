/* One step being run and the field helpers every op uses (step_ctx.c). Private to the
 * step interpreter (steps.c) and the op files (steps_basic.c, steps_net.c, steps_http.c,
 * steps_sec.c); not part of the harness's public interface. */
#ifndef CT_STEP_CTX_H
#define CT_STEP_CTX_H

#include <cjson/cJSON.h>

#include "ct_client.h"

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
/* The connection the step names ("conn", default "a"); NULL with the failure recorded. */
ct_conn *sconn(step_ctx *x);
/* The bytes a step names: text, sio (prefixed "4"), hex (binary), text_hex, or fill
 * {prefix, char, count | bytes | fit_body, suffix, binary, seed}. 0 with OUT/BINARY
 * filled, 1 when the step names none, -1 on error (recorded). */
int spayload(step_ctx *x, ct_buf *out, int *binary);

#endif
