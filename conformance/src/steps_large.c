/* Step op for the large-payload cases (issue 11): "need_payload" makes a case SKIP when
 * the message it is about to send would exceed the server's maxPayload (EIO-LIM-1),
 * so a fixed-size case never turns an announced limit into a failure. */
#include <stdio.h>

#include "ct.h"
#include "steps_priv.h"

/* "need_payload": "body" = the longest POST body or WebSocket message the case sends
 * (an expression: the fill's wire size, base64 included on polling). SKIP with the
 * reason when it exceeds ${maxPayload} (the open packet's, or the fallback of
 * --max-payload / the official default that client.c logs). */
void op_need_payload(step_ctx *x) {
  long body, limit;
  if (snum(x, "body", -1, &body) || body < 0) {
    if (!x->r->nverdicts) sfail(x, NULL, NULL, "need_payload needs body");
    return;
  }
  const cJSON *mp = cJSON_GetObjectItem(x->r->vars, "maxPayload");
  if (!cJSON_IsNumber(mp)) {
    sfail(x, NULL, NULL, "need_payload comes after an open step");
    return;
  }
  limit = (long)mp->valuedouble;
  ct_log(x->r, ".. largest message of this case: %ld bytes on the wire; maxPayload %ld", body,
         limit);
  if (body > limit)
    ct_skip(x->r, "needs a maxPayload of at least %ld bytes; the server's is %ld", body, limit);
}
