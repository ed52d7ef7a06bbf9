/* Ops that touch only the run itself (steps_basic.c). Private to the step interpreter. */
#ifndef CT_STEPS_BASIC_H
#define CT_STEPS_BASIC_H

#include "step_ctx.h"

void op_sleep(step_ctx *x);
void op_poll(step_ctx *x);
void op_close(step_ctx *x);
void op_set(step_ctx *x);
void op_check(step_ctx *x);

#endif
