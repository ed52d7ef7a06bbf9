/* HTTP steps (steps_http.c): one request per connection (http, post) and HTTP/1.1
 * connection management on the polling transport (http_conn, http_flood). Private to the
 * step interpreter. */
#ifndef CT_STEPS_HTTP_H
#define CT_STEPS_HTTP_H

#include "step_ctx.h"

/* Check STATUS, BODY and (when RESP is not NULL) headers against the step's status,
 * body, body_match, body_json (+ body_prefix) and headers_expect fields; records the
 * failure. */
void check_response(step_ctx *x, int status, const ct_buf *body, const ct_http_resp *resp);
/* The step's "headers" object as raw header lines ("Name: value\r\n"...), with ${var}
 * substituted; NULL when absent (caller frees). */
char *build_headers(step_ctx *x);

void op_http(step_ctx *x);
void op_post(step_ctx *x);
void op_http_conn(step_ctx *x);
void op_http_flood(step_ctx *x);

#endif
