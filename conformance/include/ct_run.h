/* One case-run from start to end (run.c). */
#ifndef CT_RUN_H
#define CT_RUN_H

#include "ct_client.h"

/* Run case C on TRANSPORT into R (caller frees with ct_run_free): SKIP when the target
 * lacks a need, else the probe or the steps; always exactly one verdict; the run's
 * connections are torn down before it returns. */
void ct_run_case(ct_run *r, const ct_case *c, const ct_config *cfg, unsigned transport);
/* The same under protocol PROTO (CT_P_*; issue 14). */
void ct_run_case_proto(ct_run *r, const ct_case *c, const ct_config *cfg, unsigned transport,
                       unsigned proto);

#endif
