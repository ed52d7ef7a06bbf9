/* Cluster cases through the load balancer, and a node going down (cl_cases_lb.h).
 *
 * One fault, one failure: a balancer without sticky sessions breaks every polling
 * session, so CL_ROOT_STICKY alone grades it (CT-57) and the other polling cases through
 * the balancer first make the same check, quietly, and are BLOCKED by it when it fails,
 * rather than failing each on its own symptom. */
#include "cl_cases_lb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cl_cases.h"
#include "cl_check.h"
#include "cl_kill.h"
#include "ct_sio.h"

static int need_via(ct_run *r) {
  if (cl_ctx_of(r)->has_via) return 0;
  ct_skip(r, "no load balancer given (--via LB_URL)");
  return -1;
}

/* Add HINT to R's reason when R failed (a verdict the harness's client recorded). */
static void hint(ct_run *r, const char *text) {
  if (r->verdict != CT_V_FAIL || !r->reason) return;
  if (strstr(text, "WebSocket did not pass") && !strstr(r->reason, "WebSocket handshake")) return;
  char *s = ct_xasprintf("%s -- %s", r->reason, text);
  free(r->reason);
  r->reason = s;
}

/* R failed a preamble (BLOCKED by whatever root the harness's client named): it is
 * blocked by ROOT, the case that grades that step through the balancer. */
static void reroot(ct_run *r, const char *root) {
  if (r->verdict != CT_V_BLOCKED) return;
  free(r->blocked_by);
  r->blocked_by = ct_xstrdup(root);
}

/* Does a WebSocket handshake (no session) pass the balancer? 1 yes, 0 no. Logged. */
static int ws_passes(ct_run *r) {
  cl_ctx *x = cl_ctx_of(r);
  ct_ws ws;
  memset(&ws, 0, sizeof ws);
  ws.fd = -1;
  char *t = ct_xasprintf("%s?EIO=4&transport=websocket", r->cfg->sio_path);
  ct_http_resp resp;
  int rc = ct_ws_connect(&ws, x->via_host, x->via_port, t, NULL, ct_ms(r, 3000), &resp);
  ct_log(r, ".. a plain WebSocket through the balancer: %s (HTTP %d)", rc == 0 ? "101" : "refused",
         resp.status);
  ct_http_resp_free(&resp);
  ct_ws_close(&ws);
  ct_buf_free(&ws.rx);
  ct_buf_free(&ws.msg);
  free(t);
  return rc == 0;
}

/* One request to the balancer, logged. 1 with OUT (caller frees), or <= 0. */
static int lb_do(ct_run *r, const char *method, const char *target, const char *body,
                 int timeout_ms, ct_http_resp *out) {
  cl_ctx *x = cl_ctx_of(r);
  ct_http_req req = {.method = method,
                     .target = target,
                     .headers = body ? "Content-Type: text/plain;charset=UTF-8\r\n" : NULL,
                     .body = (const unsigned char *)body,
                     .body_len = body ? strlen(body) : 0};
  ct_log(r, "-> lb %s %s%s%s", method, target, body ? " " : "", body ? body : "");
  int rc = ct_http_do(x->via_host, x->via_port, &req, ct_ms(r, timeout_ms), out);
  if (rc == 1)
    ct_log(r, "<- lb %d %.*s", out->status, (int)(out->body.len > 120 ? 120 : out->body.len),
           out->body.data ? (char *)out->body.data : "");
  else
    ct_log(r, "<- lb no response (%d)", rc);
  return rc;
}

/* Is RESP the Engine.IO "Session ID unknown" refusal (HTTP 400, code 1, EIO-ERR-1)? */
static int session_unknown(const ct_http_resp *resp) {
  if (resp->status != 400) return 0;
  cJSON *j = cJSON_ParseWithLength((const char *)resp->body.data, resp->body.len);
  const cJSON *code = cJSON_GetObjectItem(j, "code");
  int yes = cJSON_IsNumber(code) && code->valueint == 1;
  cJSON_Delete(j);
  return yes;
}

/* A polling session through the balancer: the handshake, then CONNECT and ROUNDS
 * message-with-ack round trips, each a POST and a GET, every one on a new TCP connection
 * (so a balancer that picks a node per connection or per request gets every chance to
 * pick another). GRADED: a request answered "Session ID unknown" is this run's FAIL
 * (CT-57); otherwise the run is BLOCKED by CL_ROOT_STICKY. Returns 0 when every request
 * reached the session's node, -1 with the verdict recorded (GRADED < 0: nothing recorded,
 * the transcript says what happened). */
static int sticky_probe(ct_run *r, int rounds, int graded) {
  cl_ctx *x = cl_ctx_of(r);
  const char *path = r->cfg->sio_path;
  ct_http_resp resp;
  char *t = ct_xasprintf("%s?EIO=4&transport=polling", path);
  int rc = lb_do(r, "GET", t, NULL, 3000, &resp);
  free(t);
  if (rc != 1 || resp.status != 200 || resp.body.len < 2 || resp.body.data[0] != '0') {
    char got[64];
    snprintf(got, sizeof got, rc == 1 ? "HTTP %d" : "no response", rc == 1 ? resp.status : 0);
    if (rc == 1) ct_http_resp_free(&resp);
    if (graded < 0) return -1;
    ct_fail(r, "HTTP 200 with an open packet", got,
            "a polling handshake through the balancer %s failed", x->via_url);
    return -1;
  }
  size_t end = 1;
  while (end < resp.body.len && resp.body.data[end] != 0x1e) end++;
  cJSON *o = cJSON_ParseWithLength((const char *)resp.body.data + 1, end - 1);
  ct_http_resp_free(&resp);
  const cJSON *sid = cJSON_GetObjectItem(o, "sid");
  const cJSON *pi = cJSON_GetObjectItem(o, "pingInterval");
  if (!cJSON_IsString(sid)) {
    cJSON_Delete(o);
    if (graded < 0) return -1;
    ct_fail(r, "an open packet with a sid", "none", "the handshake through the balancer");
    return -1;
  }
  /* a GET with nothing to send is held up to pingInterval (EIO-POLL-2) */
  int get_ms = 3000 + (cJSON_IsNumber(pi) ? (int)pi->valuedouble : 25000);
  char *st = ct_xasprintf("%s?EIO=4&transport=polling&sid=%s", path, sid->valuestring);
  cJSON_Delete(o);
  int nreq = 2 + 2 * rounds, failed = 0;
  ct_buf seen = {0};
  for (int k = 0; k < nreq && !failed; k++) {
    int post = k % 2 == 0;
    char body[96];
    if (k == 0)
      snprintf(body, sizeof body, "40");
    else
      snprintf(body, sizeof body, "42%d[\"message-with-ack\",%d]", k / 2, k / 2);
    rc = lb_do(r, post ? "POST" : "GET", st, post ? body : NULL, post ? 3000 : get_ms, &resp);
    if (rc == 1 && resp.status == 200) {
      if (!post) ct_buf_add(&seen, resp.body.data, resp.body.len);
      ct_http_resp_free(&resp);
      continue;
    }
    failed = 1;
    char got[200] = "no response";
    if (rc == 1)
      snprintf(got, sizeof got, "HTTP %d %.*s", resp.status,
               (int)(resp.body.len > 80 ? 80 : resp.body.len),
               resp.body.data ? (char *)resp.body.data : "");
    int unknown = rc == 1 && session_unknown(&resp);
    if (rc == 1) ct_http_resp_free(&resp);
    if (graded < 0) {
      ct_log(r, ".. request %d: %s", k + 2, got);
    } else if (unknown && !graded) {
      ct_blocked(r, CL_ROOT_STICKY "@polling",
                 "the balancer sent request %d of a polling session to a node that does not "
                 "hold it (no sticky sessions)",
                 k + 2);
    } else if (unknown) {
      ct_fail(r, "every request of the session reaches the node that holds it", got,
              "request %d of polling session %s through the balancer was answered \"Session ID "
              "unknown\": the balancer sent it to another node; polling through a balancer "
              "needs sticky sessions (nginx ip_hash, or a cookie)",
              k + 2, strstr(st, "sid=") + 4);
    } else {
      ct_fail(r, "HTTP 200", got, "request %d of a polling session through the balancer failed",
              k + 2);
    }
  }
  /* the round trips came back on the session (CT-14): the node held it throughout */
  for (int i = 1; !failed && i <= rounds; i++) {
    char want[48];
    snprintf(want, sizeof want, "43%d[%d]", i, i);
    if (!seen.data || !strstr((char *)seen.data, want)) {
      if (graded >= 0)
        ct_fail(r, want, seen.data ? (char *)seen.data : "nothing",
                "the ack of round trip %d did not come back through the balancer", i);
      failed = 1;
    }
  }
  if (lb_do(r, "POST", st, "1", 3000, &resp) == 1) ct_http_resp_free(&resp);
  ct_buf_free(&seen);
  free(st);
  return failed ? -1 : 0;
}

void cl_case_sticky(ct_run *r) {
  if (need_via(r) < 0) return;
  cl_ctx *x = cl_ctx_of(r);
  /* more requests than nodes: a round-robin balancer cannot keep them all on one */
  if (sticky_probe(r, x->n + 1, 1) == 0) ct_pass(r);
}

void cl_case_lb_websocket(ct_run *r) {
  if (need_via(r) < 0) return;
  cl_peer p;
  r->open_graded = 1; /* the handshake through the balancer is what this case checks */
  if (cl_peer_open(r, &p, "lb", CL_VIA, CT_TR_WEBSOCKET) != 0) {
    hint(r, "the WebSocket did not pass the balancer: does the proxy forward the Upgrade and "
            "Connection headers (nginx: proxy_set_header Upgrade $http_upgrade; "
            "Connection \"upgrade\")?");
    cl_peer_free(&p);
    return;
  }
  r->open_graded = 0;
  if (cl_ack_eq(r, &p, "message-with-ack", "\"through\"", "through") == 0) ct_pass(r);
  cl_peer_free(&p);
}

void cl_case_lb_upgrade(ct_run *r) {
  if (need_via(r) < 0) return;
  if (sticky_probe(r, 1, 0) != 0) return;
  cl_ctx *x = cl_ctx_of(r);
  r->open_graded = 1;
  ct_conn *a = ct_open_at(r, "lb", CT_TR_POLLING, x->via_host, x->via_port, r->cfg->sio_path, NULL);
  if (!a) return;
  /* EIO-UP-2: a WebSocket carrying the session's sid, through the same balancer */
  ct_conn *w = ct_conn_new(r, "lbws", CT_TR_WEBSOCKET);
  snprintf(w->host, sizeof w->host, "%s", x->via_host);
  w->port = x->via_port;
  snprintf(w->sid, sizeof w->sid, "%s", a->sid);
  char *t = ct_xasprintf("%s?EIO=4&transport=websocket&sid=%s", r->cfg->sio_path, a->sid);
  ct_http_resp resp;
  ct_log(r, "-> lbws WS GET %s", t);
  int rc = ct_ws_connect(&w->ws, x->via_host, x->via_port, t, NULL, ct_ms(r, 3000), &resp);
  free(t);
  ct_log(r, "<- lbws WS handshake %d (HTTP %d)", rc, resp.status);
  int status = resp.status;
  ct_http_resp_free(&resp);
  if (rc != 0 && !ws_passes(r)) {
    /* no WebSocket passes at all: cluster.lb.websocket grades that */
    ct_blocked(r, "cluster.lb.websocket@websocket",
               "no WebSocket passes the balancer (HTTP %d to the upgrade)", status);
    return;
  }
  if (rc != 0) {
    char got[64];
    snprintf(got, sizeof got, "HTTP %d", status);
    ct_fail(r, "HTTP 101 Switching Protocols", got,
            "the upgrade of a polling session did not pass the balancer: does the proxy forward "
            "the Upgrade and Connection headers?");
    return;
  }
  ct_pkt k;
  int ok = ct_send(w, 0, "2probe", 6) == 0;
  int nr = ok ? ct_next_data(w, ct_ms(r, 2000), &k) : -1;
  ok = nr == 1 && !k.binary && k.data.len == 6 && memcmp(k.data.data, "3probe", 6) == 0;
  if (nr == 1) ct_buf_free(&k.data);
  if (!ok) {
    ct_fail(r, "3probe", nr == 0 ? "nothing" : "another packet or a close",
            "the probe through the balancer was not answered (EIO-UP-3)");
    return;
  }
  ct_send(w, 0, "5", 1);
  ct_conn_close(a); /* the polling side is done (EIO-UP-4) */
  cl_peer q;
  memset(&q, 0, sizeof q);
  q.c = w;
  q.node = CL_VIA;
  q.next_ack = 1;
  snprintf(q.name, sizeof q.name, "lbws");
  q.events = cJSON_CreateArray();
  ok = ct_send(w, 0, "40", 2) == 0 && ct_sio_await_answer(w, "/", ct_ms(r, 2000), &k) == 1;
  if (ok) {
    ok = !k.binary && k.data.len > 2 && memcmp(k.data.data, "40{", 3) == 0;
    ct_buf_free(&k.data);
  }
  if (!ok)
    ct_fail(r, "40{\"sid\":...}", "no CONNECT answer",
            "CONNECT over the upgraded WebSocket through the balancer");
  else if (cl_ack_eq(r, &q, "message-with-ack", "\"upgraded\"", "upgraded") == 0)
    ct_pass(r);
  cl_peer_free(&q);
}

void cl_case_lb_idle(ct_run *r) {
  if (need_via(r) < 0) return;
  if (r->transport == CT_TR_POLLING && sticky_probe(r, 1, 0) != 0) return;
  cl_ctx *x = cl_ctx_of(r);
  cl_peer p;
  /* the session itself is graded by the cases before: sticky polling, a WebSocket */
  if (cl_peer_open(r, &p, "lb", CL_VIA, r->transport) != 0) {
    reroot(r, r->transport == CT_TR_POLLING ? CL_ROOT_STICKY "@polling"
                                            : "cluster.lb.websocket@websocket");
    cl_peer_free(&p);
    return;
  }
  long pi = p.c->ping_interval, pt = p.c->ping_timeout;
  /* a proxy whose read timeout is shorter than pingInterval cuts a connection between two
   * pings: twice that long idle finds it whatever the phase */
  long idle = x->idle_ms ? x->idle_ms : 2 * pi + pt + 500;
  ct_log(r, ".. idle for %ld ms (pingInterval %ld, pingTimeout %ld)", idle, pi, pt);
  int64_t t0 = ct_now_ms();
  while (!p.c->closed && ct_now_ms() - t0 < idle) ct_pump(r, 100);
  if (p.c->closed) {
    char exp[96];
    snprintf(exp, sizeof exp, "the session open after %ld ms idle", idle);
    ct_fail(r, exp, p.c->close_why,
            "the idle connection through the balancer ended after %ld ms: the proxy's read "
            "timeout is shorter than the server's pingInterval (%ld ms) plus a margin "
            "(nginx: proxy_read_timeout)",
            (long)(ct_now_ms() - t0), pi);
  } else if (cl_ack_eq(r, &p, "message-with-ack", "\"after idle\"", "after idle") == 0) {
    ct_pass(r);
  }
  cl_peer_free(&p);
}

/* The failover case's clients: on the node to stop, d1 (the run's transport) and d1p
 * (polling); one on each other node (s1..); through the balancer, lb and lbp (polling),
 * when there is one. After the stop: d2 and d2p come back (through the balancer, else on
 * a node still up), and lb2/lbp2 replace lb/lbp if their node was the one stopped. */
void cl_case_failover(ct_run *r) {
  cl_ctx *x = cl_ctx_of(r);
  if (!x->kill_node) {
    ct_skip(r, "no way to stop a node was given (--kill N=PID or --kill-cmd N=CMD)");
    return;
  }
  if (cl_need_all(r, "rooms") < 0) return;
  int k = x->kill_node - 1;
  cl_peer p[CT_MAX_CONNS];
  memset(p, 0, sizeof p);
  int np = 0, ok = 1;
  char room[96], args[160];
  cl_room_name(r, "f", room, sizeof room);
  snprintf(args, sizeof args, "\"%s\"", room);
  ok = cl_peer_open(r, &p[np++], "d1", k, r->transport) == 0 &&
       cl_peer_open(r, &p[np++], "d1p", k, CT_TR_POLLING) == 0;
  const int s0 = np; /* the first survivor */
  for (int i = 0; ok && i < x->n && np < CT_MAX_CONNS - 6; i++) {
    if (i == k) continue;
    char name[16];
    snprintf(name, sizeof name, "s%d", i + 1);
    ok = cl_peer_open(r, &p[np++], name, i, r->transport) == 0;
  }
  const int nsurv = np - s0, lb0 = np;
  /* a balancer fault is its own case's (CL_ROOT_STICKY, cluster.lb.websocket): a client
   * the balancer cannot carry goes to a node directly instead, and the transcript says so */
  unsigned lb_tr = 0;
  if (x->has_via) {
    if (r->transport != CT_TR_WEBSOCKET || ws_passes(r)) lb_tr |= r->transport;
    if (sticky_probe(r, 1, -1) == 0) lb_tr |= CT_TR_POLLING;
    if (lb_tr != (r->transport | CT_TR_POLLING))
      ct_log(r,
             ".. the balancer carries polling: %s, WebSocket: %s; the clients it cannot carry "
             "connect to the nodes directly",
             lb_tr & CT_TR_POLLING ? "yes" : "no", lb_tr & CT_TR_WEBSOCKET ? "yes" : "no");
  }
  if (ok && (lb_tr & r->transport)) ok = cl_peer_open(r, &p[np++], "lb", CL_VIA, r->transport) == 0;
  const int lbp0 = np;
  if (ok && (lb_tr & CT_TR_POLLING))
    ok = cl_peer_open(r, &p[np++], "lbp", CL_VIA, CT_TR_POLLING) == 0;
  const int nbefore = np;
  for (int i = 0; ok && i < np; i++) ok = cl_ack_eq(r, &p[i], "join", args, room) == 0;
  if (!ok) {
    cl_free_peers(p, np);
    return;
  }
  char why[300], done[200] = "";
  cl_node *nd = &x->nodes[k];
  int krc = cl_kill_node(x->kill_pid, x->kill_cmd, nd->host, nd->port, 5000, why, sizeof why, done,
                         sizeof done);
  nd->down = 1;
  if (krc != 0) {
    ct_fail(r, "the node stopped", why, "could not stop node %d: %s", k + 1, why);
    cl_free_peers(p, np);
    return;
  }
  ct_log(r, ".. node %d (%s): %s", k + 1, nd->url, done);
  /* the stopped node's sessions end (a closed connection, or a failed poll) */
  long wait = p[0].c->ping_interval + p[0].c->ping_timeout + 1000;
  int64_t t0 = ct_now_ms();
  while ((!p[0].c->closed || !p[1].c->closed) && ct_now_ms() - t0 < wait) ct_pump(r, 50);
  for (int i = 0; i < 2; i++)
    if (!p[i].c->closed) {
      ct_fail(r, "the session on the stopped node ends", "still open",
              "%s's session on node %d did not end within %ld ms of the stop", p[i].name, k + 1,
              wait);
      cl_free_peers(p, np);
      return;
    }
  ct_pump(r, ct_ms(r, 300)); /* the balancer's clients end too when they were on that node */
  int back = 0;
  for (int i = 0; i < x->n; i++)
    if (!x->nodes[i].down) {
      back = i;
      break;
    }
  r->open_graded = 1;
  ok = cl_peer_open(r, &p[np++], "d2", lb_tr & r->transport ? CL_VIA : back, r->transport) == 0 &&
       cl_peer_open(r, &p[np++], "d2p", lb_tr & CT_TR_POLLING ? CL_VIA : back, CT_TR_POLLING) == 0;
  if (ok && lb0 < lbp0 && p[lb0].c->closed)
    ok = cl_peer_open(r, &p[np++], "lb2", CL_VIA, r->transport) == 0;
  if (ok && lbp0 < nbefore && p[lbp0].c->closed)
    ok = cl_peer_open(r, &p[np++], "lbp2", CL_VIA, CT_TR_POLLING) == 0;
  r->open_graded = 0;
  if (!ok) {
    hint(r, x->has_via ? "a client of the stopped node could not reconnect through the balancer"
                       : "a client of the stopped node could not reconnect to another node");
    cl_free_peers(p, np);
    return;
  }
  for (int i = nbefore; ok && i < np; i++) ok = cl_ack_eq(r, &p[i], "join", args, room) == 0;
  /* the nodes still up go on sharing a room broadcast: every live client once */
  int want[CT_MAX_CONNS];
  for (int i = 0; i < np; i++) {
    want[i] = !p[i].c->closed;
    cl_clear(&p[i]);
  }
  if (ok) {
    char msg[200];
    snprintf(msg, sizeof msg, "\"%s\",\"after the stop\"", room);
    ok = cl_emit(&p[s0], "to-room-all", msg) == 0;
    cl_wait_counts(r, p, np, "room-message", want, CL_WAIT_MS, CL_SETTLE_MS);
    ok = ok && cl_check_counts(r, p, np, "room-message", want, "to-room-all after the stop") == 0;
  }
  /* and answer server-side events: the adapter counts only the nodes still subscribed */
  int all_cluster = 1;
  for (int i = 0; i < x->n; i++)
    if (!x->nodes[i].down && !cl_node_has(x, i, "cluster")) all_cluster = 0;
  if (ok && all_cluster) {
    char ids[CT_MAX_CONNS][128];
    ok = cl_node_ids(r, p + s0, nsurv, ids) == 0;
    cJSON *a = NULL;
    int rc = ok ? cl_ack(&p[s0], "server-side-emit", "\"after the stop\"", 7000, &a) : 0;
    if (ok && rc != 1)
      ct_fail(r, "an ack with the other nodes' answers", rc == 0 ? "no ack in 7 s" : "closed",
              "server-side-emit after the stop: not acked");
    ok = ok && rc == 1 &&
         cl_check_responses(r, a, "node", ids, nsurv, 0, "after the stop",
                            "server-side-emit after the stop") == 0;
    cJSON_Delete(a);
  }
  if (ok) ct_pass(r);
  cl_free_peers(p, np);
}
