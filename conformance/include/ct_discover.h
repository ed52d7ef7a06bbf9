/* Discovery: probe the target once before the cases (which path speaks Engine.IO,
 * whether the contract's echo path and base app are there, which extensions are
 * announced, which transports are open, the timings), and decide from the results
 * whether a case's needs are met. Issue 11, item 1; conformance/README.md, "Needs". */
#ifndef CT_DISCOVER_H
#define CT_DISCOVER_H

#include <stddef.h>
#include <stdio.h>

#include "ct_client.h"

/* Probe the target named by CFG (host, port, paths, tscale) and fill CFG->tgt and
 * CFG->extensions (an array the caller frees with cJSON_Delete, or NULL). Every probe is
 * bounded in time (a few seconds at most, scaled by --timeout-scale): the official Node
 * server leaves a request on an unknown path hanging.
 * Returns 0 when the Socket.IO path or the echo path speaks Engine.IO; -1 when neither
 * does or the server cannot be reached, with one line in WHY naming what answered. */
int ct_discover(ct_config *cfg, char *why, size_t whylen);

/* Does the target offer protocol PROTO (CT_P_*; issue 14)? 1 yes or not probed; 0 with the
 * SKIP reason in REASON. */
int ct_proto_met(const ct_config *cfg, unsigned proto, char *reason, size_t len);
/* Does the discovered target offer one of the CT_P_* in PROTOS? 1 with REASON saying
 * which and how discovery saw it (for "refuses": a refusal case SKIPs there); 0 when it
 * offers none of them or nothing was discovered. */
int ct_proto_offered(const ct_config *cfg, unsigned protos, char *reason, size_t len);

/* Does the target offer NEED? Always 1 when nothing was discovered (unit tests, fuzzing). */
int ct_target_offers(const ct_config *cfg, ct_need need);

/* Can case C run on TRANSPORT against what discovery found (its need, its transport, its
 * extension)? 1 yes; 0 no, with the SKIP reason in REASON. */
int ct_need_met(const ct_config *cfg, const ct_case *c, unsigned transport, char *reason,
                size_t len);

/* Does the server still answer an Engine.IO handshake within TIMEOUT_MS (scaled by the
 * caller)? Uses the path and transport discovery found working. 1 yes, 0 no; WHY says
 * what happened when not. */
int ct_target_alive(const ct_config *cfg, int timeout_ms, char *why, size_t whylen);

/* The discovery results as a JSON object for the reports (caller frees). NULL when
 * nothing was discovered. */
cJSON *ct_discovery_json(const ct_config *cfg);

/* One line of text for the HTML summary and JUnit properties, e.g. "Engine.IO on
 * /socket.io/ (polling, websocket); echo path /engine.io/: absent; ...". Caller frees. */
char *ct_discovery_line(const ct_config *cfg);

/* The header printed before the cases: what was found, and for each missing need how
 * many of the N selected runs (CASES[i] on TRANSPORTS[i]) need it. */
void ct_discovery_print(FILE *f, const ct_config *cfg, const ct_case *const *cases,
                        const unsigned *transports, size_t n);

#endif
