/* What cluster cases check with (cl_check.h). */
#include "cl_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cl_ctx.h"

/* The room names of a run: unique per case and transport, "ct-" as CT-36 wants. */
void cl_room_name(const ct_run *r, const char *what, char *out, size_t len) {
  const char *id = strrchr(r->c->id, '.');
  snprintf(out, len, "ct-cl-%s-%s-%c", id ? id + 1 : r->c->id, what,
           r->transport == CT_TR_POLLING ? 'p' : 'w');
}

/* SKIP unless every node announces extension NAME (CT-30); 0 when they all do. */
int cl_need_all(ct_run *r, const char *name) {
  cl_ctx *x = cl_ctx_of(r);
  for (int i = 0; i < x->n; i++)
    if (!cl_node_has(x, i, name)) {
      ct_skip(r, "node %d (%s) does not announce the \"%s\" extension", i + 1, x->nodes[i].url,
              name);
      return -1;
    }
  return 0;
}

void cl_free_peers(cl_peer *p, int n) {
  for (int i = 0; i < n; i++) cl_peer_free(&p[i]);
}

/* Open one client per node for nodes [0, N) named PREFIX1, PREFIX2, ... into P. */
int cl_open_per_node(ct_run *r, cl_peer *p, int n, const char *prefix) {
  for (int i = 0; i < n; i++) {
    char name[16];
    snprintf(name, sizeof name, "%s%d", prefix, i + 1);
    if (cl_peer_open(r, &p[i], name, i, r->transport) != 0) return -1;
  }
  return 0;
}

/* An ack of EVENT(ARGS) on P with one string argument equal to WANT (the contract's
 * join/leave acks). 0, or -1 with the failure recorded. */
int cl_ack_eq(ct_run *r, cl_peer *p, const char *event, const char *args, const char *want) {
  cJSON *a = NULL;
  int rc = cl_ack(p, event, args, CL_WAIT_MS, &a);
  const cJSON *v = cJSON_GetArrayItem(a, 0);
  int ok = rc == 1 && cJSON_IsString(v) && strcmp(v->valuestring, want) == 0;
  if (!ok) {
    char *got = a ? cJSON_PrintUnformatted(a) : NULL;
    char *exp = ct_xasprintf("an ack [\"%s\"]", want);
    ct_fail(r, exp,
            got       ? got
            : rc == 0 ? "no ack"
                      : "connection closed",
            "%s: %s(%s) was not acked as the contract says", p->name, event, args);
    free(exp);
    free(got);
  }
  cJSON_Delete(a);
  return ok ? 0 : -1;
}

/* Compare the counts of EVENT on every peer with WANT; FAIL naming WHAT when they differ. */
int cl_check_counts(ct_run *r, cl_peer *p, int n, const char *event, const int *want,
                    const char *what) {
  for (int i = 0; i < n; i++)
    if (cl_count(&p[i], event) != want[i]) {
      ct_buf e = {0}, a = {0};
      for (int k = 0; k < n; k++) ct_buf_printf(&e, "%s%s=%d", k ? " " : "", p[k].name, want[k]);
      cl_counts_text(&a, p, n, event);
      int got = cl_count(&p[i], event);
      ct_fail(r, (char *)e.data, (char *)a.data, "%s: %s got \"%s\" %d times, not %d (%s)", what,
              p[i].name, event, got, want[i],
              got > want[i] ? (want[i] ? "a duplicate delivery" : "a delivery to a non-target")
                            : "a missed delivery");
      ct_buf_free(&e);
      ct_buf_free(&a);
      return -1;
    }
  return 0;
}

int cl_pair_nodes(const cl_ctx *x) { return x->n < CL_PAIR_NODES ? x->n : CL_PAIR_NODES; }

/* The node ids of P[0..N) (CT-51) into IDS. 0, or -1 with the failure recorded. */
int cl_node_ids(ct_run *r, cl_peer *p, int n, char ids[][128]) {
  for (int i = 0; i < n; i++) {
    cJSON *a = NULL;
    int rc = cl_ack(&p[i], "node-id", NULL, CL_WAIT_MS, &a);
    const cJSON *v = cJSON_GetArrayItem(a, 0);
    int ok = rc == 1 && cJSON_IsString(v);
    if (ok) snprintf(ids[i], 128, "%s", v->valuestring);
    cJSON_Delete(a);
    if (!ok) {
      ct_fail(r, "an ack with the node's id", rc == 0 ? "no ack" : "no string",
              "%s: node-id not answered (CT-51)", p[i].name);
      return -1;
    }
  }
  return 0;
}

/* The answers of a server-side emit or a broadcast with acks (CT-55, CT-56): ACK is the
 * ack's argument array; its first member must be {"responses": [...]} without "error".
 * Each response's KEY member (a string) must be one of WANT[0..N) (SELF excluded, -1 for
 * none), each exactly once; with ARG, each response's "arg" must equal it. */
int cl_check_responses(ct_run *r, const cJSON *ack, const char *key, char want[][128], int n,
                       int self, const char *arg, const char *what) {
  const cJSON *o = cJSON_GetArrayItem(ack, 0);
  const cJSON *resp = cJSON_GetObjectItem(o, "responses");
  const cJSON *err = cJSON_GetObjectItem(o, "error");
  char *got = ack ? cJSON_PrintUnformatted(ack) : ct_xstrdup("no ack");
  ct_buf e = {0};
  ct_buf_adds(&e, "one answer from each of:");
  for (int i = 0; i < n; i++)
    if (i != self) ct_buf_printf(&e, " %s", want[i]);
  int seen[CT_MAX_CONNS] = {0};
  const char *why = NULL;
  if (!cJSON_IsArray(resp)) why = "no responses array";
  if (!why && err) why = "an error (not every answer arrived in time)";
  const cJSON *v;
  if (!why) cJSON_ArrayForEach(v, resp) {
      const cJSON *k = cJSON_GetObjectItem(v, key);
      const cJSON *a = cJSON_GetObjectItem(v, "arg");
      int hit = -1;
      for (int i = 0; cJSON_IsString(k) && i < n; i++)
        if (i != self && strcmp(want[i], k->valuestring) == 0) hit = i;
      if (hit < 0) {
        why = "an answer from no expected responder";
        break;
      }
      if (seen[hit]++) {
        why = "a responder answered twice";
        break;
      }
      if (arg && (!cJSON_IsString(a) || strcmp(a->valuestring, arg) != 0)) {
        why = "an answer that does not carry the argument";
        break;
      }
    }
  for (int i = 0; !why && i < n; i++)
    if (i != self && !seen[i]) why = "a responder is missing";
  if (why) ct_fail(r, (char *)e.data, got, "%s: %s", what, why);
  ct_buf_free(&e);
  free(got);
  return why ? -1 : 0;
}
