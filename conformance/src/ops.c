/* The op table (ct_ops.h): the one place an op of the step language is declared. The
 * loader validates against it, the interpreter dispatches through it, and
 * `sioconform --list-ops` prints the README's op list from it. */
#include "ct_ops.h"

#include <string.h>

#include "ct_steps_sec.h"
#include "step_ctx.h"
#include "steps_basic.h"
#include "steps_http.h"
#include "steps_net.h"

/* clang-format off */
static const ct_op ops[] = {
  {"open",         op_open,         {NULL},                      0, "Engine.IO handshake on the case's path (or `path`); the first packet must be an open packet with a string `sid`"},
  {"sio_open",     op_sio_open,     {NULL},                      0, "`open` on the Socket.IO path, then CONNECT `/`, its answer and (with the contract app) the `auth` greeting"},
  {"send",         op_send,         {NULL},                      1, "one Engine.IO packet: a WebSocket message, or one POST that must be answered 200 unless `status` says otherwise"},
  {"post",         op_post,         {NULL},                      1, "a raw POST body on a polling session (joined packets, wrong content types, oversized bodies)"},
  {"poll",         op_poll,         {NULL},                      1, "start a GET now (manual polling)"},
  {"expect",       op_expect,       {NULL},                      0, "the connection's next packet matches (payload, `prefix`, `match`, `json`, `json_exact`) within `timeout`"},
  {"expect_none",  op_expect_none,  {NULL},                      0, "no packet other than pings and noops arrives for `ms`"},
  {"expect_close", op_expect_close, {NULL},                      0, "the session ends (WebSocket close or EOF, a refused GET) within `within`"},
  {"http",         op_http,         {"target", NULL},            1, "one raw HTTP request on a fresh TCP connection, its answer checked"},
  {"ws",           op_ws,           {"target", NULL},            1, "a raw WebSocket connection (`expect`: `open` or `refused`); `sid=` in the target joins a session"},
  {"frame",        op_frame,        {NULL},                      1, "one raw WebSocket frame (opcode, fin, rsv, mask, payload)"},
  {"sleep",        op_sleep,        {NULL},                      0, "wait `ms`, servicing the connections unless `pump` is false"},
  {"close",        op_close,        {NULL},                      1, "the client drops the connection (no close packet)"},
  {"raw",          op_raw,          {NULL},                      1, "bytes (`text`, `hex`) on a fresh TCP connection in one write; `expect`: `close` wants the server to end it"},
  {"set",          op_set,          {"var", "value", NULL},      0, "set a variable"},
  {"check",        op_check,        {"value", NULL},             0, "compare strings: `equals`, `differs` or `match`"},
  {"sid_sample",   op_sid_sample,   {NULL},                      1, "`count` polling handshakes: every sid matches `match` and all differ; with `stats`, entropy and distance screens (security pack)"},
  {"stopwatch",    op_stopwatch,    {"var", "action", NULL},     0, "`start` stores the clock in `var`; `stop` replaces it by the milliseconds since"},
  {"time_ratio",   op_time_ratio,   {"value", "baseline", NULL}, 0, "fails when `value` exceeds both `max_ratio` times `baseline` and `floor_ms` (security pack)"},
  {"http_conn",    op_http_conn,    {"requests", NULL},          1, "`requests` one after the other on persistent HTTP/1.1 connections (RFC 9112 §9.3, §9.6)"},
  {"http_flood",   op_http_flood,   {"target", NULL},            1, "`count` requests with `Connection: close`, each on its own connection; the server must close each"},
  {"need_payload", op_need_payload, {"body", NULL},              1, "SKIP the case when `body` bytes exceed `${maxPayload}`"},
  {"skip_unless",  op_skip_unless,  {"value", "reason", NULL},   0, "SKIP the case with `reason` unless `value` `equals`, `differs` from or `match`es (an optional feature not offered)"},
  {"repeat",       NULL,            {"count", "steps", NULL},    0, "run `steps` `count` times (1 to 2000), as if written out"},
};
/* clang-format on */

const ct_op *ct_op_find(const char *name) {
  for (size_t i = 0; name && i < sizeof ops / sizeof *ops; i++)
    if (strcmp(ops[i].name, name) == 0) return &ops[i];
  return NULL;
}

const ct_op *ct_ops_all(size_t *n) {
  *n = sizeof ops / sizeof *ops;
  return ops;
}

void ct_ops_markdown(ct_buf *out) {
  ct_buf_printf(out, "%s\n| op | required keys | does |\n|---|---|---|\n", CT_OPS_BEGIN);
  for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
    ct_buf_printf(out, "| `%s` | ", ops[i].name);
    for (int k = 0; ops[i].required[k]; k++)
      ct_buf_printf(out, "%s`%s`", k ? ", " : "", ops[i].required[k]);
    ct_buf_printf(out, " | %s |\n", ops[i].doc);
  }
  ct_buf_printf(out, "%s\n", CT_OPS_END);
}
