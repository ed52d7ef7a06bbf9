/* The client cases of robustness and reconnection (cc_cases_robust.c): malformed and
 * oversize input from the server, a server that vanishes, and a client that reconnects
 * (where it offers reconnection, [CC-12]). Registered by the table in cc_cases.c. */
#ifndef CC_CASES_ROBUST_H
#define CC_CASES_ROBUST_H

#include "ct_verdict.h"

/* One probe for every client.robust.malformed-* case: the packet comes from a table
 * keyed by the case's id. */
void c_malformed(ct_run *r);
void c_oversize(ct_run *r);
void c_close_mid_binary(ct_run *r);
void c_vanish(ct_run *r);
void c_vanish_upgrade(ct_run *r);
void c_reconnect_new_session(ct_run *r);
void c_reconnect_backoff(ct_run *r);

#endif
