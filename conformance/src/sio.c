/* Socket.IO helpers for the harness: connecting namespace "/" the way the contract's
 * app expects (SIO-CONN-*: CONNECT "40", the server's CONNECT with a sid, then the
 * app's "auth" event), and discovering the contract's optional extensions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct.h"

int ct_next_data(ct_conn *c, int timeout_ms, ct_pkt *out) {
  int64_t deadline = ct_now_ms() + timeout_ms;
  for (;;) {
    int64_t left = deadline - ct_now_ms();
    int rc = ct_next(c, left > 0 ? (int)left : 0, out);
    if (rc != 1) return rc;
    if (!out->binary && out->data.len == 1 && out->data.data[0] == '6') {
      ct_buf_free(&out->data);
      continue;
    }
    return 1;
  }
}

ct_conn *ct_sio_open(ct_run *r, const char *name, unsigned transport) {
  ct_conn *c = ct_open(r, name, transport, r->cfg->sio_path, NULL);
  if (!c) return NULL;
  if (ct_send(c, 0, "40", 2) != 0) {
    ct_fail(r, "CONNECT accepted", "send failed", "%s: cannot send CONNECT", name);
    return NULL;
  }
  ct_pkt p;
  int wait = ct_ms(r, 2000);
  /* SIO-CONN-2: the server answers CONNECT with CONNECT carrying {"sid": ...} */
  if (ct_next_data(c, wait, &p) != 1) {
    ct_fail(r, "40{\"sid\":...}", c->closed ? c->close_why : "timeout", "%s: no CONNECT answer",
            name);
    return NULL;
  }
  int ok = !p.binary && p.data.len > 2 && memcmp(p.data.data, "40{", 3) == 0;
  if (ok) {
    cJSON *o = cJSON_ParseWithLength((const char *)p.data.data + 2, p.data.len - 2);
    const cJSON *sid = cJSON_GetObjectItem(o, "sid");
    ok = cJSON_IsString(sid);
    if (ok) {
      char k[64];
      snprintf(k, sizeof k, "%s.sio_sid", name);
      cJSON_DeleteItemFromObject(r->vars, k);
      cJSON_AddStringToObject(r->vars, k, sid->valuestring);
      cJSON_DeleteItemFromObject(r->vars, "sio_sid");
      cJSON_AddStringToObject(r->vars, "sio_sid", sid->valuestring);
    }
    cJSON_Delete(o);
  }
  if (!ok) {
    ct_buf b = {0};
    ct_pkt_render(&b, &p);
    ct_fail(r, "40{\"sid\":\"...\"}", (char *)b.data, "%s: bad CONNECT answer", name);
    ct_buf_free(&b);
    ct_buf_free(&p.data);
    return NULL;
  }
  ct_buf_free(&p.data);
  /* the contract app greets every connection with "auth" */
  if (ct_next_data(c, wait, &p) != 1) {
    ct_fail(r, "42[\"auth\",{}]", c->closed ? c->close_why : "timeout",
            "%s: no auth event after CONNECT", name);
    return NULL;
  }
  ok = !p.binary && p.data.len > 9 && memcmp(p.data.data, "42[\"auth\"", 9) == 0;
  if (!ok) {
    ct_buf b = {0};
    ct_pkt_render(&b, &p);
    ct_fail(r, "42[\"auth\",{}]", (char *)b.data, "%s: expected the auth event", name);
    ct_buf_free(&b);
  }
  ct_buf_free(&p.data);
  return ok ? c : NULL;
}
