/* The step interpreter's entry point (steps.c; the op table is ct_ops.h). */
#ifndef CT_STEPS_PUB_H
#define CT_STEPS_PUB_H

#include "ct_verdict.h"

/* Run the scenario steps of R's case in order; the first failing step decides the
 * verdict, a case whose steps all hold passes. */
void ct_steps_run(ct_run *r);

#endif
