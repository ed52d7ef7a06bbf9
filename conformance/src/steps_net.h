/* Network steps on Engine.IO sessions and raw sockets (steps_net.c), dispatched through
 * the op table (ops.c). Private to the step interpreter. */
#ifndef CT_STEPS_NET_H
#define CT_STEPS_NET_H

#include "step_ctx.h"

void op_open(step_ctx *x);
void op_sio_open(step_ctx *x);
void op_send(step_ctx *x);
void op_expect(step_ctx *x);
void op_expect_none(step_ctx *x);
void op_expect_close(step_ctx *x);
void op_ws(step_ctx *x);
void op_frame(step_ctx *x);
void op_raw(step_ctx *x);
void op_need_payload(step_ctx *x);
void op_skip_unless(step_ctx *x);

#endif
