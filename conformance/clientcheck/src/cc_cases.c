/* The client cases (cc_cases.h): each is a C probe that scripts the server side byte for
 * byte with cc_script.h and grades the client under test against spec/engine.io-v4.md,
 * spec/socket.io-v5.md and spec/client-contract.md. Ids are client.<area>.<name>. */
#include "cc_cases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cc_script.h"

/* ---- helpers */

/* Wait for an EVENT from the client on "/" whose array equals WANT (a JSON text), ack id
 * as ACK says (-1: none, -2: any, else that id); 1 with *GOT_ACK, or 0 with the run
 * failed (WHAT names it). Other packets are left in place. */
static int expect_event(cc_ctx *x, const char *want, int ack, long long *got_ack, long timeout,
                        const char *what) {
  cJSON *w = cJSON_Parse(want);
  int64_t deadline = ct_now_ms() + timeout;
  char *last = NULL;
  int ok = 0;
  for (;;) {
    long left = (long)(deadline - ct_now_ms());
    const cs_event *e = left > 0 ? cc_wait_packet(x, "42", left) : NULL;
    if (!e) break;
    cc_sio s;
    if (cc_sio_parse(e->data, e->len, &s) == 0 && strcmp(s.nsp, "/") == 0) {
      int ack_ok = ack == -2 || (ack == -1 ? s.ack < 0 : s.ack == ack);
      if (s.data && cJSON_Compare(s.data, w, 1) && ack_ok) {
        if (got_ack) *got_ack = s.ack;
        ok = 1;
      }
    }
    free(last);
    last = ct_xstrndup(e->data, e->len);
    cc_sio_free(&s);
    if (ok) break;
  }
  if (!ok)
    ct_fail(x->r, want, last ? last : "(nothing)", "%s: no matching EVENT within %ld ms", what,
            timeout);
  free(last);
  cJSON_Delete(w);
  return ok;
}

/* Wait for an ACK (type 3) with id ID on "/" whose array equals WANT. */
static int expect_ack(cc_ctx *x, long long id, const char *want, long timeout, const char *what) {
  cJSON *w = cJSON_Parse(want);
  int64_t deadline = ct_now_ms() + timeout;
  char *last = NULL;
  int ok = 0;
  for (;;) {
    long left = (long)(deadline - ct_now_ms());
    const cs_event *e = left > 0 ? cc_wait_packet(x, "43", left) : NULL;
    if (!e) break;
    cc_sio s;
    if (cc_sio_parse(e->data, e->len, &s) == 0 && s.ack == id && s.data &&
        cJSON_Compare(s.data, w, 1) && strcmp(s.nsp, "/") == 0)
      ok = 1;
    free(last);
    last = ct_xstrndup(e->data, e->len);
    cc_sio_free(&s);
    if (ok) break;
  }
  if (!ok) {
    char exp[512];
    snprintf(exp, sizeof exp, "43%lld%s", id, want);
    ct_fail(x->r, exp, last ? last : "(nothing)", "%s: no matching ACK within %ld ms", what,
            timeout);
  }
  free(last);
  cJSON_Delete(w);
  return ok;
}

/* ---- handshake */

/* [EIO-HS-2] [CC-2]: the client reads the open packet and goes on with CONNECT. */
static void c_open_read(ct_run *r) {
  cc_ctx x;
  if (cc_begin(&x, r, NULL) < 0) return;
  if (cc_connect(&x, NULL) == 0) ct_pass(r);
  cc_end(&x);
}

/* [EIO-HS-2]: unknown members of the open packet are ignored. The extra members hold
 * the characters a hand-written scanner trips on (quotes, braces, nested arrays). */
static void c_extra_fields(ct_run *r) {
  cc_setup su = {.open_extra = "\"x-sioconform\":{\"a\":[1,{\"b\":null}],\"s\":\"}\\\"{\"},"
                               "\"pingIntervalX\":\"soon\",\"upgradesX\":[[]]"};
  cc_ctx x;
  if (cc_begin(&x, r, &su) < 0) return;
  r->open_graded = 1; /* this case grades the preamble itself */
  if (cc_connect(&x, NULL) == 0) ct_pass(r);
  cc_end(&x);
}

/* [EIO-HS-9] [EIO-TR-1]: every polling request after the handshake carries EIO=4,
 * transport=polling and the session's sid. */
static void c_sid_on_requests(ct_run *r) {
  cc_ctx x;
  if (cc_begin(&x, r, NULL) < 0) return;
  if (cc_connect(&x, NULL) < 0) goto out;
  cc_send(&x, "421[\"echo-ack\",\"sid\"]");
  if (!expect_ack(&x, 1, "[\"sid\"]", cc_ms(&x, 3000), "echo with ack")) goto out;
  cc_idle(&x, cc_ms(&x, 200));
  char want[64];
  snprintf(want, sizeof want, "sid=%s", x.sid);
  int n = 0;
  for (size_t i = 0; i < x.d.nev; i++) {
    const cs_event *e = &x.d.ev[i];
    if (e->kind != CS_EV_REQUEST || e->session != x.session) continue;
    if (n++ == 0 && !strstr(e->data, "sid=")) continue; /* the handshake itself */
    if (!strstr(e->data, want) || !strstr(e->data, "EIO=4") ||
        !strstr(e->data, "transport=polling")) {
      ct_fail(r, want, e->data, "a request of the session lacks sid, EIO=4 or transport=polling");
      goto out;
    }
  }
  if (n < 3)
    ct_fail(r, ">= 3 requests", NULL, "only %d requests seen", n);
  else
    ct_pass(r);
out:
  cc_end(&x);
}

/* Detection of a silent server: gone between (PI + PT - early) and (PI + PT + SLACK)
 * after T0. Grades R (SHOULD: [EIO-HB-6]). */
#define CC_SLACK_MS 1000
static void grade_silence(cc_ctx *x, int64_t t0, long pi, long pt) {
  int64_t at = 0;
  long bound = pi + pt + cc_ms(x, CC_SLACK_MS);
  if (!cc_wait_gone(x, bound + 200, &at)) {
    ct_fail(x->r, "session closed within pingInterval + pingTimeout + 1000 ms", NULL,
            "the client did not notice the silent server within %ld ms", bound);
    return;
  }
  long dt = (long)(at - t0);
  char got[96];
  snprintf(got, sizeof got, "closed %ld ms after the last packet", dt);
  if (dt > bound)
    ct_fail(x->r, "within pingInterval + pingTimeout + 1000 ms", got,
            "the silent server was detected late (%ld ms > %ld)", dt, bound);
  else if (dt < pi + pt - 100)
    ct_fail(x->r, "not before pingInterval + pingTimeout", got,
            "the client gave up before pingInterval + pingTimeout (%ld ms < %ld)", dt, pi + pt);
  else
    ct_pass(x->r);
}

/* [EIO-HS-10] [EIO-HB-6]: the timings come from the open packet (pingInterval 300,
 * pingTimeout 300 here, far from every library's defaults): a server that stays silent
 * after CONNECT is detected after about 600 ms, not after 25 s + 20 s. */
static void c_timings_honoured(ct_run *r) {
  cc_setup su = {.ping_interval = 300, .ping_timeout = 300};
  cc_ctx x;
  if (cc_begin(&x, r, &su) < 0) return;
  if (cc_connect(&x, NULL) == 0) grade_silence(&x, x.t_open, 300, 300);
  cc_end(&x);
}

/* ---- heartbeat */

/* [EIO-HB-2]: every ping is answered by a pong (no data) within pingTimeout. */
static void c_pong(ct_run *r) {
  cc_setup su = {.ping_interval = 300, .ping_timeout = 600};
  cc_ctx x;
  if (cc_begin(&x, r, &su) < 0) return;
  if (cc_connect(&x, NULL) < 0) goto out;
  for (int i = 1; i <= 3; i++) {
    cc_idle(&x, 250);
    cc_send(&x, "2");
    int64_t t = ct_now_ms();
    const cs_event *e = cc_wait_packet(&x, "3", 600);
    if (!e) {
      ct_fail(r, "3", NULL, "ping %d: no pong within pingTimeout (600 ms)", i);
      goto out;
    }
    if (e->len != 1) {
      ct_fail(r, "3", e->data, "ping %d: the pong carries data", i);
      goto out;
    }
    ct_log(r, "-- pong %d after %ld ms", i, (long)(e->at - t));
  }
  ct_pass(r);
out:
  cc_end(&x);
}

/* [EIO-HB-4]: heartbeats are the server's: a v4 client sends no ping of its own. */
static void c_no_client_ping(ct_run *r) {
  cc_setup su = {.ping_interval = 300, .ping_timeout = 600};
  cc_ctx x;
  if (cc_begin(&x, r, &su) < 0) return;
  if (cc_connect(&x, NULL) < 0) goto out;
  for (int i = 0; i < 4; i++) {
    cc_idle(&x, 300);
    cc_send(&x, "2");
    (void)cc_wait_packet(&x, "3", 600);
  }
  cc_idle(&x, 300);
  int pings = 0;
  for (size_t i = 0; i < x.d.nev; i++) {
    const cs_event *e = &x.d.ev[i];
    if (e->kind == CS_EV_PACKET && !e->binary && e->len >= 1 && e->data[0] == '2' &&
        e->session == x.session)
      pings++;
  }
  if (pings)
    ct_fail(r, "no ping from the client", NULL, "the client sent %d ping packet(s)", pings);
  else
    ct_pass(r);
out:
  cc_end(&x);
}

/* [EIO-HB-6]: after two answered pings the server goes silent (the connection stays
 * open): the client gives up pingInterval + pingTimeout after the last ping. */
static void c_silent_server(ct_run *r) {
  cc_setup su = {.ping_interval = 300, .ping_timeout = 400};
  cc_ctx x;
  if (cc_begin(&x, r, &su) < 0) return;
  if (cc_connect(&x, NULL) < 0) goto out;
  int64_t last = 0;
  for (int i = 0; i < 2; i++) {
    cc_idle(&x, 250);
    cc_send(&x, "2");
    last = ct_now_ms();
    if (!cc_wait_packet(&x, "3", 400)) {
      ct_preamble_fail(r, "client.heartbeat.pong", r->transport, "3", NULL, "no pong to ping %d",
                       i + 1);
      goto out;
    }
  }
  grade_silence(&x, last, 300, 400);
out:
  cc_end(&x);
}

/* ---- polling */

/* [EIO-PL-1] [EIO-PL-2]: three events in one body, each with an ack id, are all
 * decoded and answered in order. */
static void c_batched(ct_run *r) {
  cc_ctx x;
  if (cc_begin(&x, r, NULL) < 0) return;
  if (cc_connect(&x, NULL) < 0) goto out;
  const char *b[] = {"421[\"echo-ack\",\"a\"]", "422[\"echo-ack\",{\"n\":2}]",
                     "423[\"echo-ack\",3,[3]]"};
  cc_send_batch(&x, b, 3);
  if (expect_ack(&x, 1, "[\"a\"]", cc_ms(&x, 3000), "first of the batch") &&
      expect_ack(&x, 2, "[{\"n\":2}]", cc_ms(&x, 1000), "second of the batch") &&
      expect_ack(&x, 3, "[3,[3]]", cc_ms(&x, 1000), "third of the batch"))
    ct_pass(r);
out:
  cc_end(&x);
}

/* [EIO-TR-6]: the client never holds two GETs of one session at once, over a run with
 * several exchanges in both directions. */
static void c_one_get(ct_run *r) {
  cc_ctx x;
  if (cc_begin(&x, r, NULL) < 0) return;
  if (cc_connect(&x, NULL) < 0) goto out;
  for (int i = 1; i <= 4; i++) {
    char p[64], w[16];
    snprintf(p, sizeof p, "42%d[\"echo-ack\",%d]", i, i);
    snprintf(w, sizeof w, "[%d]", i);
    cc_send(&x, p);
    if (!expect_ack(&x, i, w, cc_ms(&x, 3000), "echo with ack")) goto out;
  }
  cc_idle(&x, cc_ms(&x, 500));
  cs_stats st;
  cs_core_stats(x.d.core, &st);
  if (st.get_overlaps)
    ct_fail(r, "one GET at a time", NULL, "%d GET(s) arrived while another was held",
            st.get_overlaps);
  else
    ct_pass(r);
out:
  cc_end(&x);
}

/* [EIO-PL-9]: with maxPayload 80 announced, six emits made at once go out in POST bodies
 * of at most 80 bytes (a body of one packet may be longer). SHOULD. */
static void c_max_payload(ct_run *r) {
  cc_setup su = {.max_payload = 80};
  cc_ctx x;
  if (cc_begin(&x, r, &su) < 0) return;
  if (cc_connect(&x, NULL) < 0) goto out;
  const char *b[6];
  char bufs[6][64];
  for (int i = 0; i < 6; i++) {
    snprintf(bufs[i], sizeof bufs[i], "42[\"emit\",\"payload-%d\",\"0123456789\"]", i);
    b[i] = bufs[i];
  }
  cc_send_batch(&x, b, 6);
  for (int i = 0; i < 6; i++) {
    char w[64];
    snprintf(w, sizeof w, "[\"payload-%d\",\"0123456789\"]", i);
    if (!expect_event(&x, w, -2, NULL, cc_ms(&x, 3000), "emit request")) goto out;
  }
  for (size_t i = 0; i < x.d.nev; i++) {
    const cs_event *e = &x.d.ev[i];
    if (e->kind != CS_EV_REQUEST || e->session != x.session || e->records < 2 || e->body_len <= 80)
      continue;
    char got[96];
    snprintf(got, sizeof got, "a body of %zu bytes holding %d packets", e->body_len, e->records);
    ct_fail(r, "bodies of at most maxPayload (80) bytes", got,
            "a POST body holds several packets and exceeds maxPayload");
    goto out;
  }
  ct_pass(r);
out:
  cc_end(&x);
}

/* ---- upgrade (polling runs that offer "websocket") */

/* Drive a session that offers the upgrade until the client is connected on "/" and, when
 * FAIL_PROBE is 0, upgraded: CONNECT answered whenever it comes, the probe answered
 * (3probe on the WebSocket, then noop on polling to end the held GET) or, with
 * FAIL_PROBE, every probe WebSocket closed at once. The "5" packet's event index in
 * *UPGRADED_AT (-1 when none). 0, or -1 with the run graded. */
static int upgrade_drive(cc_ctx *x, int fail_probe, long *upgraded_at) {
  ct_run *r = x->r;
  int connected = 0, probed = 0;
  *upgraded_at = -1;
  if (!cc_wait_open(x, cc_ms(x, 10000))) {
    ct_preamble_fail(r, "client.handshake.open-read", r->transport, "a handshake", NULL,
                     "the client never opened a session");
    return -1;
  }
  int64_t deadline = ct_now_ms() + cc_ms(x, 6000);
  while (ct_now_ms() < deadline && !(connected && (fail_probe ? probed : *upgraded_at >= 0))) {
    if (fail_probe && cc_wait(x, CS_EV_PROBE, NULL, 0)) {
      cc_close_probe(x);
      probed = 1;
      continue;
    }
    const cs_event *e = cc_next_packet(x, 100);
    if (!e) continue;
    if (!e->binary && e->len >= 2 && memcmp(e->data, "40", 2) == 0 && !connected) {
      char ans[80];
      snprintf(ans, sizeof ans, "40{\"sid\":\"sio-%s\"}", x->sid);
      cc_send(x, ans);
      connected = 1;
    } else if (!e->binary && e->len == 6 && memcmp(e->data, "2probe", 6) == 0 && !fail_probe) {
      cc_send_probe(x, "3probe");
      cc_send(x, "6");
    } else if (!e->binary && e->len == 1 && e->data[0] == '5' && e->transport == CS_TR_WEBSOCKET) {
      *upgraded_at = (long)(e - x->d.ev);
    }
  }
  if (!connected) {
    ct_preamble_fail(r, "client.handshake.open-read", r->transport, "40", NULL,
                     "no Socket.IO CONNECT within 6 s of the open packet");
    return -1;
  }
  if (!cc_wait(x, CS_EV_LINE, "connect", cc_ms(x, 3000))) {
    ct_preamble_fail(r, "client.sio.connect-answer", r->transport, "connect", NULL,
                     "the client did not report the connection");
    return -1;
  }
  return 0;
}

/* [EIO-UP-2] [EIO-UP-3] [EIO-UP-5]: offered "websocket", the client probes with 2probe
 * on a WebSocket carrying the sid, sends 5 after 3probe, then uses only the WebSocket:
 * an event sent there is acked there, and no polling request follows the 5. */
static void c_upgrade(ct_run *r) {
  cc_setup su = {.upgrade = 1};
  cc_ctx x;
  if (cc_begin(&x, r, &su) < 0) return;
  long at = -1;
  if (upgrade_drive(&x, 0, &at) < 0) goto out;
  if (at < 0) {
    ct_fail(r, "2probe, then 5 after 3probe", NULL,
            "the client did not complete the upgrade within 6 s");
    goto out;
  }
  cc_send(&x, "4211[\"echo-ack\",\"up\"]");
  const cs_event *a = cc_wait_packet(&x, "4311", cc_ms(&x, 3000));
  if (!a) {
    ct_fail(r, "4311[\"up\"]", NULL, "no ack over the upgraded WebSocket");
    goto out;
  }
  if (a->transport != CS_TR_WEBSOCKET) {
    ct_fail(r, "the ack over the WebSocket", "over polling", "the ack did not use the WebSocket");
    goto out;
  }
  cc_idle(&x, cc_ms(&x, 300));
  for (size_t i = (size_t)at + 1; i < x.d.nev; i++) {
    const cs_event *e = &x.d.ev[i];
    if (e->kind == CS_EV_REQUEST && e->session == x.session && strstr(e->data, "polling")) {
      ct_fail(r, "no polling request after 5", e->data, "a polling request after the upgrade");
      goto out;
    }
  }
  ct_pass(r);
out:
  cc_end(&x);
}

/* [EIO-UP-3] [EIO-UP-7]: when the probe WebSocket is closed unanswered, the client stays
 * on polling: still connected, an event is acked over polling. */
static void c_upgrade_failed(ct_run *r) {
  cc_setup su = {.upgrade = 1};
  cc_ctx x;
  if (cc_begin(&x, r, &su) < 0) return;
  long at = -1;
  if (upgrade_drive(&x, 1, &at) < 0) goto out;
  cc_idle(&x, cc_ms(&x, 300));
  if (cc_wait(&x, CS_EV_PROBE, NULL, 0)) cc_close_probe(&x); /* a retry fails the same way */
  cc_send(&x, "4212[\"echo-ack\",\"still\"]");
  if (!expect_ack(&x, 12, "[\"still\"]", cc_ms(&x, 3000),
                  "ack over polling after the failed probe"))
    goto out;
  if (cc_wait(&x, CS_EV_LINE, "disconnect", 0))
    ct_fail(r, "still connected", "disconnect", "the client gave up after the failed probe");
  else
    ct_pass(r);
out:
  cc_end(&x);
}

/* ---- Socket.IO */

/* [SIO-AUTH-1] [CC-1]: without auth the CONNECT carries no payload (or {}). */
static void c_connect_no_auth(ct_run *r) {
  cc_ctx x;
  if (cc_begin(&x, r, NULL) < 0) return;
  char *pk = NULL;
  if (cc_connect(&x, &pk) == 0) {
    if (strcmp(pk, "40") == 0 || strcmp(pk, "40{}") == 0)
      ct_pass(r);
    else
      ct_fail(r, "40 or 40{}", pk, "CONNECT without auth carries a payload");
  }
  free(pk);
  cc_end(&x);
}

/* [SIO-AUTH-1] [CC-1]: the auth object given is the CONNECT payload, unchanged. */
#define CC_AUTH "{\"token\":\"abc\",\"n\":[1,2.5,{\"k\":\"\\u00e9\\u2603\"}],\"ok\":true}"
static void c_connect_auth(ct_run *r) {
  cc_setup su = {.auth = CC_AUTH};
  cc_ctx x;
  if (cc_begin(&x, r, &su) < 0) return;
  char *pk = NULL;
  if (cc_connect(&x, &pk) == 0) {
    cc_sio s;
    cJSON *w = cJSON_Parse(CC_AUTH);
    if (cc_sio_parse(pk, strlen(pk), &s) == 0 && s.type == 0 && s.data &&
        cJSON_Compare(s.data, w, 1))
      ct_pass(r);
    else
      ct_fail(r, "40" CC_AUTH, pk, "the CONNECT payload is not the auth object given");
    cc_sio_free(&s);
    cJSON_Delete(w);
  }
  free(pk);
  cc_end(&x);
}

/* [SIO-NS-2] [CC-3]: the CONNECT answer makes the client report "connect". */
static void c_connect_answer(ct_run *r) {
  cc_ctx x;
  if (cc_begin(&x, r, NULL) < 0) return;
  if (cc_connect(&x, NULL) == 0) ct_pass(r);
  cc_end(&x);
}

/* [SIO-NS-3] [SIO-AUTH-2] [CC-7]: CONNECT_ERROR with data reaches the application. */
static void c_connect_error(ct_run *r) {
  cc_ctx x;
  if (cc_begin(&x, r, NULL) < 0) return;
  if (!cc_wait_open(&x, cc_ms(&x, 10000)) || !cc_wait_packet(&x, "40", cc_ms(&x, 5000))) {
    ct_preamble_fail(r, "client.handshake.open-read", r->transport, "40", NULL,
                     "no session or no CONNECT");
    goto out;
  }
  cc_send(&x, "44{\"message\":\"refused\",\"data\":{\"reason\":\"bad-token\",\"n\":[1]}}");
  const cs_event *e = cc_wait(&x, CS_EV_LINE, "connect_error", cc_ms(&x, 3000));
  if (!e) {
    ct_fail(r, "connect_error {\"message\":\"refused\",...}", NULL,
            "the client did not report the CONNECT_ERROR within 3 s");
    goto out;
  }
  cJSON *got = cJSON_Parse(e->data + strlen("connect_error"));
  cJSON *want =
      cJSON_Parse("{\"message\":\"refused\",\"data\":{\"reason\":\"bad-token\",\"n\":[1]}}");
  if (got && cJSON_Compare(got, want, 1))
    ct_pass(r);
  else
    ct_fail(r,
            "connect_error {\"message\":\"refused\",\"data\":{\"reason\":\"bad-token\",\"n\":[1]}}",
            e->data, "the reported error is not the server's message and data");
  cJSON_Delete(got);
  cJSON_Delete(want);
out:
  cc_end(&x);
}

/* [SIO-ACK-1] [CC-4]: an event with an ack id is acked once, with its arguments. */
static void c_echo_ack(ct_run *r) {
  cc_ctx x;
  if (cc_begin(&x, r, NULL) < 0) return;
  if (cc_connect(&x, NULL) < 0) goto out;
  cc_send(&x, "4217[\"echo-ack\",\"a\",{\"b\":[1,null]},3]");
  if (expect_ack(&x, 17, "[\"a\",{\"b\":[1,null]},3]", cc_ms(&x, 3000), "echo with ack 17"))
    ct_pass(r);
out:
  cc_end(&x);
}

/* [SIO-EV-1] [CC-5]: an event without ack id comes back as echo-back. */
static void c_echo_event(ct_run *r) {
  cc_ctx x;
  if (cc_begin(&x, r, NULL) < 0) return;
  if (cc_connect(&x, NULL) < 0) goto out;
  cc_send(&x, "42[\"echo\",1,\"x\",{\"u\":\"\\u00e9\"}]");
  if (expect_event(&x, "[\"echo-back\",1,\"x\",{\"u\":\"\\u00e9\"}]", -1, NULL, cc_ms(&x, 3000),
                   "echo-back"))
    ct_pass(r);
out:
  cc_end(&x);
}

/* [SIO-BIN-13] [EIO-PK-14] [CC-4]: a BINARY_EVENT's attachment (polling: `b` base64 in
 * the same body; WebSocket: a binary frame) is reassembled and acked as BINARY_ACK. */
static void c_binary_ack(ct_run *r) {
  cc_ctx x;
  if (cc_begin(&x, r, NULL) < 0) return;
  if (cc_connect(&x, NULL) < 0) goto out;
  static const unsigned char bin[] = {1, 2, 3, 0xff, 0};
  if (r->transport == CS_TR_POLLING) {
    const char *b[] = {"451-5[\"echo-ack\",{\"_placeholder\":true,\"num\":0}]"};
    ct_log(r, ">> (same body) b-base64 of 01 02 03 ff 00");
    cs_core_send(x.d.core, b[0], strlen(b[0]), 0);
    cs_core_send(x.d.core, bin, sizeof bin, 1);
    cs_core_flush(x.d.core);
  } else {
    cc_send(&x, "451-5[\"echo-ack\",{\"_placeholder\":true,\"num\":0}]");
    cc_send_bin(&x, bin, sizeof bin);
  }
  const cs_event *e = cc_wait_packet(&x, "46", cc_ms(&x, 3000));
  if (!e) {
    const cs_event *o = cc_next_packet(&x, 10);
    ct_fail(r, "461-5[{\"_placeholder\":true,\"num\":0}] + attachment", o ? o->data : NULL,
            "no BINARY_ACK within 3 s");
    goto out;
  }
  cc_sio s;
  cJSON *w = cJSON_Parse("[{\"_placeholder\":true,\"num\":0}]");
  int ok = cc_sio_parse(e->data, e->len, &s) == 0 && s.ack == 5 && s.attachments == 1 && s.data &&
           cJSON_Compare(s.data, w, 1);
  cc_sio_free(&s);
  cJSON_Delete(w);
  if (!ok) {
    ct_fail(r, "461-5[{\"_placeholder\":true,\"num\":0}]", e->data, "wrong BINARY_ACK header");
    goto out;
  }
  const cs_event *a = cc_wait(&x, CS_EV_PACKET, NULL, cc_ms(&x, 2000));
  if (!a || !a->binary || a->len != sizeof bin || memcmp(a->data, bin, sizeof bin) != 0)
    ct_fail(r, "attachment 0102 03ff 00", a ? (a->binary ? "other bytes" : a->data) : "(nothing)",
            "the attachment is not the one sent");
  else
    ct_pass(r);
out:
  cc_end(&x);
}

/* [SIO-ACK-1] [CC-6]: "emit" makes the client emit with an ack id; the server's ACK is
 * matched to it and its values come back as ack-result. */
static void c_ack_result(ct_run *r) {
  cc_ctx x;
  if (cc_begin(&x, r, NULL) < 0) return;
  if (cc_connect(&x, NULL) < 0) goto out;
  cc_send(&x, "42[\"emit\",\"hello\",1,{\"k\":[2]}]");
  long long id = -1;
  if (!expect_event(&x, "[\"hello\",1,{\"k\":[2]}]", -2, &id, cc_ms(&x, 3000), "emit request"))
    goto out;
  if (id < 0) {
    ct_fail(r, "42<id>[\"hello\",...]", NULL, "the emit carries no ack id");
    goto out;
  }
  char ack[96];
  snprintf(ack, sizeof ack, "43%lld[\"ok\",{\"v\":2}]", id);
  cc_send(&x, ack);
  if (expect_event(&x, "[\"ack-result\",\"hello\",\"ok\",{\"v\":2}]", -1, NULL, cc_ms(&x, 3000),
                   "ack-result"))
    ct_pass(r);
out:
  cc_end(&x);
}

/* [SIO-ACK-3] [SIO-ACK-1]: three emits outstanding at once carry three different ack
 * ids, and ACKs answered in reverse order reach the right callbacks. */
static void c_ack_ids(ct_run *r) {
  cc_ctx x;
  if (cc_begin(&x, r, NULL) < 0) return;
  if (cc_connect(&x, NULL) < 0) goto out;
  const char *names[3] = {"e1", "e2", "e3"};
  long long ids[3];
  for (int i = 0; i < 3; i++) {
    char p[64], w[64];
    snprintf(p, sizeof p, "42[\"emit\",\"%s\"]", names[i]);
    snprintf(w, sizeof w, "[\"%s\"]", names[i]);
    cc_send(&x, p);
    if (!expect_event(&x, w, -2, &ids[i], cc_ms(&x, 3000), "emit request")) goto out;
    if (ids[i] < 0) {
      ct_fail(r, "an ack id", NULL, "emit %s carries no ack id", names[i]);
      goto out;
    }
  }
  if (ids[0] == ids[1] || ids[1] == ids[2] || ids[0] == ids[2]) {
    char got[96];
    snprintf(got, sizeof got, "%lld, %lld, %lld", ids[0], ids[1], ids[2]);
    ct_fail(r, "three different ack ids", got, "ack ids repeat among outstanding emits");
    goto out;
  }
  for (int i = 2; i >= 0; i--) {
    char a[64];
    snprintf(a, sizeof a, "43%lld[%d]", ids[i], (i + 1) * 10);
    cc_send(&x, a);
  }
  for (int i = 2; i >= 0; i--) {
    char w[64];
    snprintf(w, sizeof w, "[\"ack-result\",\"%s\",%d]", names[i], (i + 1) * 10);
    if (!expect_event(&x, w, -1, NULL, cc_ms(&x, 3000), "ack-result")) goto out;
  }
  ct_pass(r);
out:
  cc_end(&x);
}

/* [SIO-DC-1] [SIO-DC-4] [CC-8]: "leave" makes the client leave "/": with DISCONNECT for
 * "/" (SIO-DC-1), or, "/" being its only namespace, by closing the Engine.IO session,
 * which disconnects every namespace without DISCONNECT packets (SIO-DC-4). Either way
 * the server sees the namespace left; anything else (nothing, or DISCONNECT with a
 * payload) fails. */
static void c_disconnect_request(ct_run *r) {
  cc_ctx x;
  if (cc_begin(&x, r, NULL) < 0) return;
  if (cc_connect(&x, NULL) < 0) goto out;
  cc_send(&x, "42[\"leave\"]");
  int64_t t = ct_now_ms();
  const cs_event *e = cc_wait_packet(&x, "41", cc_ms(&x, 3000));
  if (e) {
    if (e->len != 2)
      ct_fail(r, "41", e->data, "DISCONNECT for / carries more");
    else
      ct_pass(r);
    goto out;
  }
  long left = cc_ms(&x, 3000) - (long)(ct_now_ms() - t);
  if (cc_wait_wire_close(&x, left > 0 ? left : 0)) {
    ct_log(r, "-- no DISCONNECT: the client left by closing the Engine.IO session (SIO-DC-4)");
    ct_pass(r);
  } else {
    ct_fail(r, "41, or the session closed", NULL,
            "neither DISCONNECT nor a closed session within 3 s of the request");
  }
out:
  cc_end(&x);
}

/* [SIO-DC-3] [CC-9]: a server DISCONNECT for "/" is reported to the application. */
static void c_server_disconnect(ct_run *r) {
  cc_ctx x;
  if (cc_begin(&x, r, NULL) < 0) return;
  if (cc_connect(&x, NULL) < 0) goto out;
  cc_send(&x, "41");
  if (!cc_wait(&x, CS_EV_LINE, "disconnect", cc_ms(&x, 3000)))
    ct_fail(r, "disconnect <reason>", NULL,
            "the client did not report the server's DISCONNECT within 3 s");
  else
    ct_pass(r);
out:
  cc_end(&x);
}

/* [SIO-NS-11]: an event that arrives before the CONNECT answer (here: just before it,
 * in the same body on polling) is kept and delivered once connected. */
static void c_event_before_connect(ct_run *r) {
  cc_ctx x;
  if (cc_begin(&x, r, NULL) < 0) return;
  if (!cc_wait_open(&x, cc_ms(&x, 10000)) || !cc_wait_packet(&x, "40", cc_ms(&x, 5000))) {
    ct_preamble_fail(r, "client.handshake.open-read", r->transport, "40", NULL,
                     "no session or no CONNECT");
    goto out;
  }
  char ans[80];
  snprintf(ans, sizeof ans, "40{\"sid\":\"sio-%s\"}", x.sid);
  const char *b[] = {"42[\"echo\",\"early\"]", ans};
  cc_send_batch(&x, b, 2);
  if (expect_event(&x, "[\"echo-back\",\"early\"]", -1, NULL, cc_ms(&x, 3000),
                   "the early event echoed after the CONNECT answer"))
    ct_pass(r);
out:
  cc_end(&x);
}

/* Send a BINARY_EVENT header HEADER and its N attachments: one polling body (the
 * attachments as `b` records), or N + 1 WebSocket frames. */
static void send_binary_event(cc_ctx *x, const char *header, const unsigned char *const *bins,
                              const size_t *lens, int n) {
  if (x->r->transport == CS_TR_POLLING) {
    ct_log(x->r, ">> (one body) %s + %d b-base64 attachment(s)", header, n);
    cs_core_send(x->d.core, header, strlen(header), 0);
    for (int i = 0; i < n; i++) cs_core_send(x->d.core, bins[i], lens[i], 1);
    cs_core_flush(x->d.core);
  } else {
    cc_send(x, header);
    for (int i = 0; i < n; i++) cc_send_bin(x, bins[i], lens[i]);
  }
}

/* [SIO-BIN-13] [SIO-BIN-14] [CC-4]: three attachments, nested in an object and an array,
 * come back in a BINARY_ACK numbered depth-first, each attachment in place. */
static void c_binary_three(ct_run *r) {
  cc_ctx x;
  if (cc_begin(&x, r, NULL) < 0) return;
  if (cc_connect(&x, NULL) < 0) goto out;
  static const unsigned char b0[] = {0}, b1[] = {1, 1}, b2[] = {0xfe, 2, 0x1e};
  const unsigned char *bins[] = {b0, b1, b2};
  const size_t lens[] = {1, 2, 3};
  const char *shape = "[{\"a\":{\"_placeholder\":true,\"num\":0}},[{\"_placeholder\":true,"
                      "\"num\":1},{\"x\":{\"_placeholder\":true,\"num\":2}}]]";
  char header[400];
  snprintf(header, sizeof header, "453-9[\"echo-ack\",%s", shape + 1);
  send_binary_event(&x, header, bins, lens, 3);
  const cs_event *e = cc_wait_packet(&x, "46", cc_ms(&x, 3000));
  if (!e) {
    ct_fail(r, "463-9[...] + 3 attachments", NULL, "no BINARY_ACK within 3 s");
    goto out;
  }
  cc_sio s;
  cJSON *w = cJSON_Parse(shape);
  int ok = cc_sio_parse(e->data, e->len, &s) == 0 && s.ack == 9 && s.attachments == 3 && s.data &&
           cJSON_Compare(s.data, w, 1);
  cc_sio_free(&s);
  cJSON_Delete(w);
  if (!ok) {
    char exp[400];
    snprintf(exp, sizeof exp, "463-9%s", shape);
    ct_fail(r, exp, e->data, "wrong BINARY_ACK header (placeholders not depth-first?)");
    goto out;
  }
  for (int i = 0; i < 3; i++) {
    const cs_event *a = cc_wait(&x, CS_EV_PACKET, NULL, cc_ms(&x, 2000));
    if (!a || !a->binary || a->len != lens[i] || memcmp(a->data, bins[i], lens[i]) != 0) {
      ct_fail(r, "the three attachments in order", a ? (a->binary ? "other bytes" : a->data) : NULL,
              "attachment %d is not the one sent", i);
      goto out;
    }
  }
  ct_pass(r);
out:
  cc_end(&x);
}

/* [EIO-PK-7] [SIO-EV-1] [CC-5]: multi-byte UTF-8 and a character outside the BMP, as raw
 * UTF-8 and as a JSON surrogate-pair escape, come back as the same characters. */
static void c_utf8(ct_run *r) {
  cc_ctx x;
  if (cc_begin(&x, r, NULL) < 0) return;
  if (cc_connect(&x, NULL) < 0) goto out;
  cc_send(&x, "42[\"echo\",\"\xc3\xa9\xe2\x98\x83\xf0\x9f\x98\x80\",{\"k\":\"\\ud83d\\ude00\"}]");
  if (expect_event(
          &x,
          "[\"echo-back\",\"\xc3\xa9\xe2\x98\x83\xf0\x9f\x98\x80\",{\"k\":\"\xf0\x9f\x98\x80\"}]",
          -1, NULL, cc_ms(&x, 3000), "echo-back of UTF-8 text"))
    ct_pass(r);
out:
  cc_end(&x);
}

/* [SIO-ACK-1] [EIO-PL-1] [CC-4]: a 200 000-byte argument is acked whole. */
static void c_large(ct_run *r) {
  cc_ctx x;
  if (cc_begin(&x, r, NULL) < 0) return;
  if (cc_connect(&x, NULL) < 0) goto out;
  size_t n = 200000;
  char *big = ct_xmalloc(n + 1);
  for (size_t i = 0; i < n; i++) big[i] = (char)('a' + i % 26);
  big[n] = 0;
  char *pk = ct_xasprintf("4233[\"echo-ack\",\"%s\"]", big);
  char *want = ct_xasprintf("[\"%s\"]", big);
  ct_log(r, ">> 4233[\"echo-ack\",\"abc...\"] (a %zu-byte string)", n);
  cs_core_send(x.d.core, pk, strlen(pk), 0);
  cs_core_flush(x.d.core);
  if (expect_ack(&x, 33, want, cc_ms(&x, 5000), "ack of the large argument")) ct_pass(r);
  free(big);
  free(pk);
  free(want);
out:
  cc_end(&x);
}

/* [EIO-CL-1] [SIO-DC-4] [CC-9]: an Engine.IO close packet from the server ends the
 * session; the application is told it is disconnected. */
static void c_server_close(ct_run *r) {
  cc_ctx x;
  if (cc_begin(&x, r, NULL) < 0) return;
  if (cc_connect(&x, NULL) < 0) goto out;
  cc_send(&x, "1");
  if (!cc_wait(&x, CS_EV_LINE, "disconnect", cc_ms(&x, 3000)))
    ct_fail(r, "disconnect <reason>", NULL,
            "the client did not report the end of the session within 3 s of the close packet");
  else
    ct_pass(r);
out:
  cc_end(&x);
}

/* ---- the table */

typedef struct cc_def {
  const char *id, *title, *tags;
  ct_level level;
  unsigned tr;
  ct_probe_fn fn;
  int exclusive; /* timing-bound: runs alone */
} cc_def;

static const cc_def defs[] = {
    {"client.handshake.open-read", "the open packet is read and CONNECT follows", "EIO-HS-2,CC-2",
     CT_MUST, CT_TR_ALL, c_open_read, 0},
    {"client.handshake.extra-fields", "unknown members of the open packet are ignored", "EIO-HS-2",
     CT_MUST, CT_TR_ALL, c_extra_fields, 0},
    {"client.handshake.sid-on-requests", "every later polling request carries the sid",
     "EIO-HS-9,EIO-TR-1", CT_MUST, CT_TR_POLLING, c_sid_on_requests, 0},
    {"client.handshake.timings-honoured",
     "pingInterval/pingTimeout come from the open packet (silence detected after ~600 ms)",
     "EIO-HS-10,EIO-HB-6", CT_SHOULD, CT_TR_ALL, c_timings_honoured, 1},
    {"client.heartbeat.pong", "each ping is answered with a pong within pingTimeout", "EIO-HB-2",
     CT_MUST, CT_TR_ALL, c_pong, 1},
    {"client.heartbeat.no-client-ping", "the client sends no ping of its own", "EIO-HB-4",
     CT_SHOULD, CT_TR_ALL, c_no_client_ping, 0},
    {"client.heartbeat.silent-server",
     "a silent server is detected within pingInterval + pingTimeout + 1000 ms", "EIO-HB-6",
     CT_SHOULD, CT_TR_ALL, c_silent_server, 1},
    {"client.polling.batched-events", "three events in one 0x1e-batched body are all handled",
     "EIO-PL-1,EIO-PL-2", CT_MUST, CT_TR_POLLING, c_batched, 0},
    {"client.polling.one-get", "never two GETs of one session at once", "EIO-TR-6", CT_MUST,
     CT_TR_POLLING, c_one_get, 0},
    {"client.polling.max-payload", "POST bodies of several packets stay within maxPayload",
     "EIO-PL-9", CT_SHOULD, CT_TR_POLLING, c_max_payload, 0},
    {"client.upgrade.probe", "the upgrade: 2probe, 5 after 3probe, then only the WebSocket",
     "EIO-UP-2,EIO-UP-3,EIO-UP-5", CT_MUST, CT_TR_POLLING, c_upgrade, 0},
    {"client.upgrade.failed-probe", "a failed probe leaves the client on polling",
     "EIO-UP-3,EIO-UP-7", CT_MUST, CT_TR_POLLING, c_upgrade_failed, 0},
    {"client.sio.connect-no-auth", "CONNECT without auth carries no payload", "SIO-AUTH-1,CC-1",
     CT_MUST, CT_TR_ALL, c_connect_no_auth, 0},
    {"client.sio.connect-auth", "CONNECT carries the auth object unchanged", "SIO-AUTH-1,CC-1",
     CT_MUST, CT_TR_ALL, c_connect_auth, 0},
    {"client.sio.connect-answer", "the CONNECT answer is reported as connected", "SIO-NS-2,CC-3",
     CT_MUST, CT_TR_ALL, c_connect_answer, 0},
    {"client.sio.connect-error", "CONNECT_ERROR message and data reach the application",
     "SIO-NS-3,SIO-AUTH-2,CC-7", CT_MUST, CT_TR_ALL, c_connect_error, 0},
    {"client.sio.echo-ack", "an event with an ack id is acked with its arguments", "SIO-ACK-1,CC-4",
     CT_MUST, CT_TR_ALL, c_echo_ack, 0},
    {"client.sio.echo-event", "an event is delivered with its arguments in order", "SIO-EV-1,CC-5",
     CT_MUST, CT_TR_ALL, c_echo_event, 0},
    {"client.sio.binary-ack", "a binary attachment is reassembled and acked as BINARY_ACK",
     "SIO-BIN-13,EIO-PK-14,EIO-PL-1,CC-4", CT_MUST, CT_TR_ALL, c_binary_ack, 0},
    {"client.sio.ack-result", "a server ACK is matched to the client's emit", "SIO-ACK-1,CC-6",
     CT_MUST, CT_TR_ALL, c_ack_result, 0},
    {"client.sio.ack-ids", "outstanding ack ids are unique; ACKs reach their callbacks",
     "SIO-ACK-3,SIO-ACK-1,CC-6", CT_MUST, CT_TR_ALL, c_ack_ids, 0},
    {"client.sio.disconnect-request", "the client leaves with DISCONNECT on request",
     "SIO-DC-1,SIO-DC-4,CC-8", CT_MUST, CT_TR_ALL, c_disconnect_request, 0},
    {"client.sio.server-disconnect", "a server DISCONNECT is reported to the application",
     "SIO-DC-3,CC-9", CT_MUST, CT_TR_ALL, c_server_disconnect, 0},
    {"client.sio.event-before-connect", "an event before the CONNECT answer is delivered after it",
     "SIO-NS-11,CC-5", CT_MUST, CT_TR_ALL, c_event_before_connect, 0},
    {"client.sio.binary-three", "three nested attachments come back depth-first in a BINARY_ACK",
     "SIO-BIN-13,SIO-BIN-14,CC-4", CT_MUST, CT_TR_ALL, c_binary_three, 0},
    {"client.sio.utf8", "multi-byte UTF-8 and surrogate pairs come back unchanged",
     "EIO-PK-7,SIO-EV-1,CC-5", CT_MUST, CT_TR_ALL, c_utf8, 0},
    {"client.sio.large", "a 200 000-byte argument is acked whole", "SIO-ACK-1,EIO-PL-1,CC-4",
     CT_MUST, CT_TR_ALL, c_large, 0},
    {"client.sio.server-close", "an Engine.IO close packet is reported as a disconnect",
     "EIO-CL-1,SIO-DC-4,CC-9", CT_MUST, CT_TR_ALL, c_server_close, 0},
};

void cc_cases_register(ct_cases *cs) {
  for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
    const cc_def *d = &defs[i];
    ct_case *c = ct_cases_add(cs, d->id, d->title, d->tags, d->level, d->tr, 1, NULL);
    c->probe = d->fn;
    c->source = ct_xstrdup("conformance/clientcheck/src/cc_cases.c");
    c->needs = CT_NEED_ENGINE;
    c->exclusive = d->exclusive;
  }
}
