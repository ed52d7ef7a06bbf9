/* Socket.IO clients of a cluster case (cl_peer.h), on the harness's client (client.c). */
#include "cl_peer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cl_ctx.h"
#include "ct_sio.h"

int cl_peer_open(ct_run *r, cl_peer *p, const char *name, int node, unsigned transport) {
  cl_ctx *x = cl_ctx_of(r);
  memset(p, 0, sizeof *p);
  p->node = node;
  p->next_ack = 1;
  snprintf(p->name, sizeof p->name, "%s", name);
  p->events = cJSON_CreateArray();
  const char *host = node == CL_VIA ? x->via_host : x->nodes[node].host;
  int port = node == CL_VIA ? x->via_port : x->nodes[node].port;
  ct_log(r, ".. %s: %s (%s:%d)", name, node == CL_VIA ? "through the load balancer" : "node", host,
         port);
  p->c = ct_sio_open_at(r, name, transport, host, port);
  if (!p->c) return -1;
  char k[64];
  snprintf(k, sizeof k, "%s.sio_sid", name);
  const cJSON *sid = cJSON_GetObjectItem(r->vars, k);
  if (cJSON_IsString(sid)) snprintf(p->sid, sizeof p->sid, "%s", sid->valuestring);
  return 0;
}

void cl_peer_free(cl_peer *p) {
  cJSON_Delete(p->events);
  p->events = NULL;
}

static int send_text(cl_peer *p, const char *text) { return ct_send(p->c, 0, text, strlen(text)); }

int cl_emit(cl_peer *p, const char *event, const char *args) {
  char *t = ct_xasprintf("42[\"%s\"%s%s]", event, args ? "," : "", args ? args : "");
  int rc = send_text(p, t);
  free(t);
  return rc;
}

int cl_answer(cl_peer *p, long id, const char *args) {
  char *t = ct_xasprintf("43%ld[%s]", id, args ? args : "");
  int rc = send_text(p, t);
  free(t);
  return rc;
}

/* Keep P's packet K when it is an EVENT of "/" ("42[...]" or "42<id>[...]") as
 * [id or -1, name, args...], or an ACK ("43<id>[...]") as [id, "$ack", [args]]; except
 * the ACK whose id is WANT (>= 0), handed to the caller in *OUT instead (returns 1).
 * Anything else is left out (the transcript has it). */
static int keep(cl_peer *p, const ct_pkt *k, long want, cJSON **out) {
  if (k->binary || k->data.len < 3 || k->data.data[0] != '4') return 0;
  const char *s = (const char *)k->data.data;
  char type = s[1];
  char *q = (char *)s + 2;
  long id = -1;
  if (*q >= '0' && *q <= '9') id = strtol(q, &q, 10);
  if (*q != '[' || (type != '2' && type != '3')) return 0;
  cJSON *a = cJSON_ParseWithLength(q, k->data.len - (size_t)(q - s));
  if (!cJSON_IsArray(a) || (type == '2' && !cJSON_IsString(cJSON_GetArrayItem(a, 0)))) {
    cJSON_Delete(a);
    return 0;
  }
  if (type == '3' && id >= 0 && id == want) {
    *out = a;
    return 1;
  }
  if (type == '3') {
    cJSON *e = cJSON_CreateArray();
    cJSON_AddItemToArray(e, cJSON_CreateString("$ack"));
    cJSON_AddItemToArray(e, a);
    a = e;
  }
  cJSON_InsertItemInArray(a, 0, cJSON_CreateNumber((double)id));
  cJSON_AddItemToArray(p->events, a);
  return 0;
}

int cl_ack(cl_peer *p, const char *event, const char *args, int timeout_ms, cJSON **out) {
  *out = NULL;
  long id = p->next_ack++;
  char *t = ct_xasprintf("42%ld[\"%s\"%s%s]", id, event, args ? "," : "", args ? args : "");
  int rc = send_text(p, t);
  free(t);
  if (rc != 0) return -1;
  int64_t deadline = ct_now_ms() + ct_ms(p->c->r, timeout_ms);
  for (;;) {
    int64_t left = deadline - ct_now_ms();
    ct_pkt k;
    int nr = ct_next(p->c, left > 0 ? (int)left : 0, &k);
    if (nr != 1) return nr;
    int got = keep(p, &k, id, out);
    ct_buf_free(&k.data);
    if (got) return 1;
  }
}

void cl_collect(ct_run *r, cl_peer *peers, int n, int ms) {
  if (ms > 0) ct_pump(r, ms);
  for (int i = 0; i < n; i++) {
    if (!peers[i].c) continue;
    ct_pkt k;
    while (ct_next(peers[i].c, 0, &k) == 1) {
      cJSON *a = NULL;
      keep(&peers[i], &k, -1, &a);
      ct_buf_free(&k.data);
    }
  }
}

int cl_count(const cl_peer *p, const char *event) {
  int n = 0;
  const cJSON *e;
  cJSON_ArrayForEach(e, p->events) {
    const cJSON *name = cJSON_GetArrayItem(e, 1);
    if (cJSON_IsString(name) && strcmp(name->valuestring, event) == 0) n++;
  }
  return n;
}

void cl_clear(cl_peer *p) {
  cJSON_Delete(p->events);
  p->events = cJSON_CreateArray();
}

void cl_wait_counts(ct_run *r, cl_peer *peers, int n, const char *event, const int *want,
                    int timeout_ms, int settle_ms) {
  int64_t deadline = ct_now_ms() + ct_ms(r, timeout_ms);
  for (;;) {
    cl_collect(r, peers, n, 0);
    int done = 1;
    for (int i = 0; i < n && done; i++)
      if (cl_count(&peers[i], event) < want[i]) done = 0;
    if (done || ct_now_ms() >= deadline) break;
    cl_collect(r, peers, n, 20);
  }
  cl_collect(r, peers, n, ct_ms(r, settle_ms));
}

void cl_counts_text(ct_buf *b, const cl_peer *peers, int n, const char *event) {
  for (int i = 0; i < n; i++)
    ct_buf_printf(b, "%s%s=%d", i ? " " : "", peers[i].name, cl_count(&peers[i], event));
}
