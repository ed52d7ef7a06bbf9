/* Socket.IO helpers for the harness: connecting namespace "/" the way the contract's
 * app expects (SIO-NS-2: CONNECT "40", the server's CONNECT with a sid, then the app's
 * "auth" event, CT-12), accepting every order the official client accepts (SIO-NS-11:
 * events that arrive before the CONNECT answer are kept and read after it), and
 * discovering the contract's optional extensions. A preamble that really fails makes
 * the run BLOCKED by the root case that grades it (ct_preamble_fail). */
#include "ct_sio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_client.h"

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

/* The namespace that follows a packet type (and attachment count) at S[0..len): "/" when
 * none is written (SIO-PK-6). Returns 1 when it equals NSP. */
static int nsp_equals(const unsigned char *s, size_t len, const char *nsp) {
  if (len == 0 || s[0] != '/') return strcmp(nsp, "/") == 0;
  size_t n = 0;
  while (n < len && s[n] != ',') n++;
  return strlen(nsp) == n && memcmp(s, nsp, n) == 0;
}

int ct_sio_is_event_of(const ct_pkt *p, const char *nsp, long *attachments) {
  const unsigned char *s = p->data.data;
  size_t len = p->data.len, i = 2;
  /* Engine.IO MESSAGE "4", then Socket.IO EVENT "2" or BINARY_EVENT "5" */
  if (p->binary || len < 2 || s[0] != '4' || (s[1] != '2' && s[1] != '5')) return 0;
  long count = 0;
  if (s[1] == '5') {
    size_t d = i;
    while (i < len && s[i] >= '0' && s[i] <= '9' && i - d < 10) count = count * 10 + (s[i++] - '0');
    if (i == d || i >= len || s[i] != '-') return 0;
    i++;
  }
  if (!nsp_equals(s + i, len - i, nsp)) return 0;
  *attachments = count;
  return 1;
}

int ct_sio_answer_nsp(const char *lit, char *nsp, size_t nsplen) {
  if (!lit || lit[0] != '4' || (lit[1] != '0' && lit[1] != '4')) return 0;
  if (lit[2] != '/') {
    snprintf(nsp, nsplen, "/");
    return 1;
  }
  size_t n = strcspn(lit + 2, ",");
  snprintf(nsp, nsplen, "%.*s", (int)n, lit + 2);
  return 1;
}

int ct_defer_take(ct_defer *d, ct_run *r, ct_pkt *p) {
  long att = 0;
  if (d->bin_left > 0 && p->binary) {
    d->bin_left--;
  } else if (ct_sio_is_event_of(p, d->nsp, &att)) {
    d->bin_left = att;
  } else {
    return 0;
  }
  if (d->n == d->cap) {
    d->cap = d->cap ? d->cap * 2 : 4;
    d->v = ct_xrealloc(d->v, d->cap * sizeof *d->v);
  }
  d->v[d->n++] = *p;
  memset(p, 0, sizeof *p);
  if (r)
    ct_log(r, ".. set aside a packet of %s that came before its CONNECT answer (SIO-NS-11)",
           d->nsp);
  return 1;
}

void ct_defer_restore(ct_defer *d, ct_conn *c) {
  if (c) {
    ct_queue_unshift(c, d->v, d->n);
  } else {
    for (size_t i = 0; i < d->n; i++) ct_buf_free(&d->v[i].data);
  }
  free(d->v);
  d->v = NULL;
  d->n = d->cap = 0;
  d->bin_left = 0;
}

int ct_sio_await_answer(ct_conn *c, const char *nsp, int timeout_ms, ct_pkt *out) {
  ct_defer d;
  memset(&d, 0, sizeof d);
  snprintf(d.nsp, sizeof d.nsp, "%s", nsp);
  int64_t deadline = ct_now_ms() + timeout_ms;
  int rc;
  for (;;) {
    int64_t left = deadline - ct_now_ms();
    rc = ct_next_data(c, left > 0 ? (int)left : 0, out);
    if (rc != 1 || !ct_defer_take(&d, c->r, out)) break;
  }
  ct_defer_restore(&d, c);
  return rc;
}

/* The Socket.IO sid of connection NAME as the steps' variables "<NAME>.sio_sid" and
 * "sio_sid" (the last connection opened). */
static void set_sio_sid(ct_run *r, const char *name, const char *sid) {
  char k[64];
  snprintf(k, sizeof k, "%s.sio_sid", name);
  cJSON_DeleteItemFromObject(r->vars, k);
  cJSON_AddStringToObject(r->vars, k, sid);
  cJSON_DeleteItemFromObject(r->vars, "sio_sid");
  cJSON_AddStringToObject(r->vars, "sio_sid", sid);
}

ct_conn *ct_sio_open(ct_run *r, const char *name, unsigned transport) {
  return ct_sio_open_at(r, name, transport, NULL, 0);
}

ct_conn *ct_sio_open_at(ct_run *r, const char *name, unsigned transport, const char *host,
                        int port) {
  ct_conn *c = ct_open_at(r, name, transport, host, port, r->cfg->sio_path, NULL);
  if (!c) return NULL;
  /* SIO-FNS-1: under Engine.IO v3 (Socket.IO v4) "/" is connected at once and the server
   * sends a bare "40" unasked; the client sends no CONNECT */
  if (!c->eio3 && ct_send(c, 0, "40", 2) != 0) {
    ct_preamble_fail(r, CT_ROOT_SIO_CONNECT, transport, "CONNECT accepted", "send failed",
                     "%s: cannot send CONNECT", name);
    return NULL;
  }
  ct_pkt p;
  int wait = ct_ms(r, 2000);
  /* SIO-NS-2: the server answers CONNECT with CONNECT carrying {"sid": ...}; events of
   * "/" that come first are kept for later (SIO-NS-11), never taken as the answer */
  int rc = ct_sio_await_answer(c, "/", wait, &p);
  if (rc != 1) {
    ct_preamble_fail(r, CT_ROOT_SIO_CONNECT, transport, "40{\"sid\":...}",
                     rc < 0 ? c->close_why : "timeout", "%s: no CONNECT answer", name);
    return NULL;
  }
  int ok = !p.binary && p.data.len > 2 && memcmp(p.data.data, "40{", 3) == 0;
  if (c->eio3) {
    /* SIO-FNS-5: the socket id in "/" is the Engine.IO sid, never sent */
    ok = !p.binary && p.data.len == 2 && memcmp(p.data.data, "40", 2) == 0;
    if (ok) set_sio_sid(r, name, c->sid);
  } else if (ok) {
    cJSON *o = cJSON_ParseWithLength((const char *)p.data.data + 2, p.data.len - 2);
    const cJSON *sid = cJSON_GetObjectItem(o, "sid");
    ok = cJSON_IsString(sid);
    if (ok) set_sio_sid(r, name, sid->valuestring);
    cJSON_Delete(o);
  }
  if (!ok) {
    ct_buf b = {0};
    ct_pkt_render(&b, &p);
    ct_preamble_fail(r, CT_ROOT_SIO_CONNECT, transport, c->eio3 ? "40" : "40{\"sid\":\"...\"}",
                     (char *)b.data, "%s: bad CONNECT answer", name);
    ct_buf_free(&b);
    ct_buf_free(&p.data);
    return NULL;
  }
  ct_buf_free(&p.data);
  /* CT-12: the contract app greets every connection with "auth"; a server without the
   * app (discovery found none) sends nothing, and nothing is waited for */
  const ct_target *tg = &r->cfg->tgt;
  if (tg->discovered && !tg->app) return c;
  /* the greeting may have come before the answer: it was put back at the head */
  rc = ct_next_data(c, wait, &p);
  if (rc != 1) {
    ct_preamble_fail(r, CT_ROOT_GREETING, transport, "42[\"auth\",{}]",
                     rc < 0 ? c->close_why : "timeout", "%s: no auth event after CONNECT", name);
    return NULL;
  }
  ok = !p.binary && p.data.len > 9 && memcmp(p.data.data, "42[\"auth\"", 9) == 0;
  if (!ok) {
    ct_buf b = {0};
    ct_pkt_render(&b, &p);
    ct_preamble_fail(r, CT_ROOT_GREETING, transport, "42[\"auth\",{}]", (char *)b.data,
                     "%s: expected the auth event", name);
    ct_buf_free(&b);
  }
  ct_buf_free(&p.data);
  return ok ? c : NULL;
}
