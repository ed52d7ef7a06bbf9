/* One case-run from start to end (ct_run.h): SKIP when the target lacks what the case
 * needs, else the case's probe or its steps; a run that returns without a verdict is
 * FAIL "no verdict" (a harness defect); then the client tears the run's connections
 * down. The top of the per-run stack: it calls discovery's needs rules, the steps and
 * the client, and none of them calls back. */
#include "ct_run.h"

#include <string.h>

#include "ct_discover.h"
#include "ct_steps.h"

void ct_run_case(ct_run *r, const ct_case *c, const ct_config *cfg, unsigned transport) {
  ct_run_case_proto(r, c, cfg, transport, CT_P_EIO4);
}

void ct_run_case_proto(ct_run *r, const ct_case *c, const ct_config *cfg, unsigned transport,
                       unsigned proto) {
  memset(r, 0, sizeof *r);
  r->c = c;
  r->cfg = cfg;
  r->transport = transport;
  r->proto = proto;
  r->run_id = ct_xasprintf("%s@%s%s", c->id, transport == CT_TR_POLLING ? "polling" : "websocket",
                           ct_proto_suffix(proto));
  r->vars = cJSON_CreateObject();
  r->t0 = ct_now_ms();
  char why[300];
  /* a missing need (discovery, an extension) is SKIP with its reason, never FAIL */
  /* "offers": what the target must serve besides the run's own protocol (issue 14) */
  unsigned lack = cfg->tgt.protocols ? c->offers & ~cfg->tgt.protocols : 0;
  /* "refuses": a case about the refusal of a protocol means nothing on a target that
   * serves it (EIO=3 is a v3 handshake on a server that allows v3: EIO-TVER-2) */
  if (!ct_proto_met(cfg, proto, why, sizeof why) ||
      (lack && !ct_proto_met(cfg, lack, why, sizeof why)) ||
      ct_proto_offered(cfg, c->refuses, why, sizeof why) ||
      !ct_need_met(cfg, c, transport, why, sizeof why)) {
    ct_skip(r, "%s", why);
  } else if (c->probe) {
    c->probe(r);
  } else if (c->steps) {
    ct_steps_run(r);
  }
  if (r->nverdicts == 0) {
    r->verdict = CT_V_FAIL;
    r->reason = ct_xstrdup("no verdict (harness defect: the case returned without one)");
  }
  ct_conns_teardown(r, 1);
  r->ms = (double)(ct_now_ms() - r->t0);
}
