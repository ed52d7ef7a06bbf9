/* The client cases of the Engine.IO layer (cc_cases_eio.h): handshake, heartbeat, polling
 * and upgrade, each scripting the server side byte for byte with cc_script.h. */
#include "cc_cases_eio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cc_script.h"

/* ---- handshake */

/* [EIO-HS-2] [CC-2]: the client reads the open packet and goes on with CONNECT. */
void c_open_read(ct_run *r) {
  cc_ctx x;
  if (cc_begin(&x, r, NULL) < 0) return;
  if (cc_connect(&x, NULL) == 0) ct_pass(r);
  cc_end(&x);
}

/* [EIO-HS-2]: unknown members of the open packet are ignored. The extra members hold
 * the characters a hand-written scanner trips on (quotes, braces, nested arrays). */
void c_extra_fields(ct_run *r) {
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
void c_sid_on_requests(ct_run *r) {
  cc_ctx x;
  if (cc_start(&x, r, NULL) < 0) return;
  if (!cc_echo_ack(&x, 1, "\"sid\"", "echo with ack")) goto out;
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
void c_timings_honoured(ct_run *r) {
  cc_setup su = {.ping_interval = 300, .ping_timeout = 300};
  cc_ctx x;
  if (cc_begin(&x, r, &su) < 0) return;
  if (cc_connect(&x, NULL) == 0) grade_silence(&x, x.t_open, 300, 300);
  cc_end(&x);
}

/* ---- heartbeat */

/* [EIO-HB-2]: every ping is answered by a pong (no data) within pingTimeout. The
 * timeout announced is long (1500 ms), so that a loaded machine cannot fake a missing
 * pong; the pings come 100 ms apart, well within the announced interval. */
void c_pong(ct_run *r) {
  cc_setup su = {.ping_interval = 300, .ping_timeout = 1500};
  cc_ctx x;
  if (cc_start(&x, r, &su) < 0) return;
  for (int i = 1; i <= 3; i++) {
    cc_idle(&x, 100);
    cc_send(&x, "2");
    int64_t t = ct_now_ms();
    const cs_event *e = cc_wait_packet(&x, "3", 1500);
    if (!e) {
      ct_fail(r, "3", NULL, "ping %d: no pong within pingTimeout (1500 ms)", i);
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
void c_no_client_ping(ct_run *r) {
  cc_setup su = {.ping_interval = 300, .ping_timeout = 600};
  cc_ctx x;
  if (cc_start(&x, r, &su) < 0) return;
  /* three announced intervals: a client that pings on its own (the v3 way) does so once
   * per interval */
  for (int i = 0; i < 3; i++) {
    cc_idle(&x, 250);
    cc_send(&x, "2");
    (void)cc_wait_packet(&x, "3", 600);
  }
  cc_idle(&x, 150);
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
  cc_end(&x);
}

/* [EIO-HB-6]: after two answered pings the server goes silent (the connection stays
 * open): the client gives up pingInterval + pingTimeout after the last ping. */
void c_silent_server(ct_run *r) {
  cc_setup su = {.ping_interval = 300, .ping_timeout = 400};
  cc_ctx x;
  if (cc_start(&x, r, &su) < 0) return;
  int64_t last = 0;
  for (int i = 0; i < 2; i++) {
    cc_idle(&x, 100);
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

/* [EIO-HB-6] [EIO-HB-2]: pings that keep coming keep the session alive: with
 * pingInterval 300 and pingTimeout 300 announced, the server pings about every 160 ms,
 * eight times (1.3 s, more than twice pingInterval + pingTimeout); the client answers
 * each and stays. */
void c_timer_reset(ct_run *r) {
  cc_setup su = {.ping_interval = 300, .ping_timeout = 300};
  cc_ctx x;
  if (cc_start(&x, r, &su) < 0) return;
  for (int i = 1; i <= 8; i++) {
    cc_idle(&x, 150);
    cc_send(&x, "2");
    if (!cc_wait_packet(&x, "3", 400)) {
      ct_fail(r, "3", NULL, "ping %d: no pong within 400 ms", i);
      goto out;
    }
  }
  if (cc_wait_gone(&x, 0, NULL))
    ct_fail(r, "the session kept", "the client left",
            "the client closed a session whose server kept pinging");
  else
    ct_pass(r);
out:
  cc_end(&x);
}

/* [EIO-HS-1]: the handshake is a GET on /socket.io/ with EIO=4 and the transport, and
 * no sid. */
void c_handshake_query(ct_run *r) {
  cc_ctx x;
  if (cc_start(&x, r, NULL) < 0) return;
  const char *tr = r->transport == CS_TR_POLLING ? "transport=polling" : "transport=websocket";
  for (size_t i = 0; i < x.d.nev; i++) {
    const cs_event *e = &x.d.ev[i];
    if (e->kind != CS_EV_REQUEST) continue;
    if (strncmp(e->data, "GET /socket.io/?", 16) != 0 || !strstr(e->data, "EIO=4") ||
        !strstr(e->data, tr) || strstr(e->data, "sid="))
      ct_fail(r, "GET /socket.io/?EIO=4&transport=... without sid", e->data,
              "the handshake request is not as EIO-HS-1 says");
    else
      ct_pass(r);
    goto out;
  }
  ct_fail(r, "a handshake request", NULL, "no request seen");
out:
  cc_end(&x);
}

/* [EIO-ERR-1] [CC-7] [CC-13]: a handshake refused with 400 {"code":4,...} is reported to
 * the application as a connect_error; the client neither crashes nor retries (its
 * reconnection is off). */
void c_handshake_refused(ct_run *r) {
  cc_ctx x;
  if (cc_begin(&x, r, NULL) < 0) return;
  cs_core_refuse(x.d.core, 100);
  const cs_event *e = cc_wait(&x, CS_EV_LINE, "connect_error", cc_ms(&x, 5000));
  cc_idle(&x, 300);
  const cs_event *ex = cc_wait(&x, CS_EV_EXIT, NULL, 0);
  if (ex && strcmp(ex->data, "status 0") != 0)
    ct_fail(r, "connect_error, no crash", ex->data, "the client crashed on a refused handshake");
  else if (!e)
    ct_fail(r, "connect_error <json>", NULL,
            "the client did not report the refused handshake within 5 s");
  else
    ct_pass(r);
  cc_end(&x);
}

/* ---- polling */

/* [EIO-PL-1] [EIO-PL-2]: three events in one body, each with an ack id, are all
 * decoded and answered in order. */
void c_batched(ct_run *r) {
  cc_ctx x;
  if (cc_start(&x, r, NULL) < 0) return;
  const char *b[] = {"421[\"echo-ack\",\"a\"]", "422[\"echo-ack\",{\"n\":2}]",
                     "423[\"echo-ack\",3,[3]]"};
  cc_send_batch(&x, b, 3);
  if (cc_expect_ack(&x, 1, "[\"a\"]", cc_ms(&x, 3000), "first of the batch") &&
      cc_expect_ack(&x, 2, "[{\"n\":2}]", cc_ms(&x, 1000), "second of the batch") &&
      cc_expect_ack(&x, 3, "[3,[3]]", cc_ms(&x, 1000), "third of the batch"))
    ct_pass(r);
  cc_end(&x);
}

/* [EIO-PL-1] [EIO-PK-10] [SIO-BIN-3]: one body holds a BINARY_EVENT, its two
 * attachments as `b` records and a plain event; both are answered. */
void c_batched_binary(ct_run *r) {
  cc_ctx x;
  if (cc_start(&x, r, NULL) < 0) return;
  static const unsigned char a[] = {0, 0x1e, 0xff}, b[] = {'b', '6', '4'};
  const char *h = "452-21[\"echo-ack\",{\"_placeholder\":true,\"num\":0},"
                  "[{\"_placeholder\":true,\"num\":1}]]";
  ct_log(r, ">> (one body) %s, b-base64 00 1e ff, b-base64 'b64', 4222[\"echo-ack\",\"t\"]", h);
  cs_core_send(x.d.core, h, strlen(h), 0);
  cs_core_send(x.d.core, a, sizeof a, 1);
  cs_core_send(x.d.core, b, sizeof b, 1);
  const char *t = "4222[\"echo-ack\",\"t\"]";
  cs_core_send(x.d.core, t, strlen(t), 0);
  cs_core_flush(x.d.core);
  const unsigned char *bins[] = {a, b};
  const size_t lens[] = {sizeof a, sizeof b};
  if (cc_expect_binary(&x, 6, "/", 21,
                       "[{\"_placeholder\":true,\"num\":0},[{\"_placeholder\":true,\"num\":1}]]",
                       bins, lens, 2, NULL, cc_ms(&x, 3000), "the batched binary event") &&
      cc_expect_ack(&x, 22, "[\"t\"]", cc_ms(&x, 2000), "the event after it"))
    ct_pass(r);
  cc_end(&x);
}

/* [EIO-TR-6]: the client never holds two GETs of one session at once, over a run with
 * several exchanges in both directions. */
void c_one_get(ct_run *r) {
  cc_ctx x;
  if (cc_start(&x, r, NULL) < 0) return;
  for (int i = 1; i <= 4; i++) {
    char p[64], w[16];
    snprintf(p, sizeof p, "42%d[\"echo-ack\",%d]", i, i);
    snprintf(w, sizeof w, "[%d]", i);
    cc_send(&x, p);
    if (!cc_expect_ack(&x, i, w, cc_ms(&x, 3000), "echo with ack")) goto out;
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
void c_max_payload(ct_run *r) {
  cc_setup su = {.max_payload = 80};
  cc_ctx x;
  if (cc_start(&x, r, &su) < 0) return;
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
    if (!cc_expect_event(&x, w, -2, NULL, cc_ms(&x, 3000), "emit request")) goto out;
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
static int upgrade_drive(cc_ctx *x, int fail_probe, int buffered, long *upgraded_at) {
  ct_run *r = x->r;
  int connected = 0, probed = 0;
  *upgraded_at = -1;
  if (!cc_wait_open(x, cc_ms(x, 10000))) {
    ct_preamble_fail(r, "client.handshake.open-read", r->transport, "a handshake", NULL,
                     "the client never opened a session");
    return -1;
  }
  int64_t deadline = ct_now_ms() + cc_ms(x, 3000);
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
      if (buffered) {
        /* the emit request must reach the client during the pause: in the body that
         * ends its pending GET, so wait (1 s at most) until a GET is held */
        cs_stats st;
        int64_t until = ct_now_ms() + cc_ms(x, 1000);
        for (cs_core_stats(x->d.core, &st); !st.held && ct_now_ms() < until;
             cs_core_stats(x->d.core, &st))
          cc_idle(x, 10);
      }
      if (buffered) {
        cs_stats st;
        cs_core_stats(x->d.core, &st);
        if (!st.held) {
          /* a client that probes before it polls (python-engineio) has no GET open: no
           * packet can reach it during the pause, so the rule has nothing to grade */
          ct_skip(r, "no GET pending when the probe was answered: nothing can reach the "
                     "client during the upgrade's pause");
          return -1;
        }
      }
      cc_send_probe(x, "3probe");
      if (buffered) {
        /* an emit request in the body that ends the held GET: the client's emit falls
         * in the pause, to be flushed over the WebSocket [EIO-UP-5] */
        const char *b[] = {"42[\"emit\",\"during\"]", "6"};
        cc_send_batch(x, b, 2);
      } else {
        cc_send(x, "6");
      }
    } else if (!e->binary && e->len == 1 && e->data[0] == '5' && e->transport == CS_TR_WEBSOCKET) {
      *upgraded_at = (long)(e - x->d.ev);
    }
  }
  if (!connected) {
    ct_preamble_fail(r, "client.handshake.open-read", r->transport, "40", NULL,
                     "no Socket.IO CONNECT within 3 s of the open packet");
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
void c_upgrade(ct_run *r) {
  cc_setup su = {.upgrade = 1};
  cc_ctx x;
  if (cc_begin(&x, r, &su) < 0) return;
  long at = -1;
  if (upgrade_drive(&x, 0, 0, &at) < 0) goto out;
  if (at < 0) {
    ct_fail(r, "2probe, then 5 after 3probe", NULL,
            "the client did not complete the upgrade within 3 s");
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
void c_upgrade_failed(ct_run *r) {
  cc_setup su = {.upgrade = 1};
  cc_ctx x;
  if (cc_begin(&x, r, &su) < 0) return;
  long at = -1;
  if (upgrade_drive(&x, 1, 0, &at) < 0) goto out;
  cc_idle(&x, cc_ms(&x, 300));
  if (cc_wait(&x, CS_EV_PROBE, NULL, 0)) cc_close_probe(&x); /* a retry fails the same way */
  if (!cc_echo_ack(&x, 12, "\"still\"", "ack over polling after the failed probe")) goto out;
  if (cc_wait(&x, CS_EV_LINE, "disconnect", 0))
    ct_fail(r, "still connected", "disconnect", "the client gave up after the failed probe");
  else
    ct_pass(r);
out:
  cc_end(&x);
}

/* [EIO-UP-5] [EIO-UP-2]: a packet the client sends while the upgrade is under way (here
 * the answer to an emit request read after 3probe) is sent once, over the WebSocket
 * after 5, not by a polling POST. */
void c_upgrade_buffered(ct_run *r) {
  cc_setup su = {.upgrade = 1};
  cc_ctx x;
  if (cc_begin(&x, r, &su) < 0) return;
  long at = -1;
  if (upgrade_drive(&x, 0, 1, &at) < 0) goto out;
  if (at < 0) {
    ct_preamble_fail(r, "client.upgrade.probe", r->transport, "2probe, then 5 after 3probe", NULL,
                     "the client did not complete the upgrade within 3 s");
    goto out;
  }
  long long id = -1;
  if (!cc_expect_event(&x, "[\"during\"]", -2, &id, cc_ms(&x, 3000),
                       "the emit made during the upgrade"))
    goto out;
  cc_idle(&x, cc_ms(&x, 300));
  int n = 0;
  for (size_t i = 0; i < x.d.nev; i++) {
    const cs_event *e = &x.d.ev[i];
    if (e->kind != CS_EV_PACKET || e->binary || e->session != x.session ||
        !strstr(e->data, "[\"during\"]"))
      continue;
    n++;
    if (e->transport == CS_TR_POLLING) {
      ct_fail(r, "over the WebSocket after 5", "a polling POST",
              "a packet of the upgrade's pause went out over polling");
      goto out;
    }
  }
  if (n != 1)
    ct_fail(r, "once", NULL, "the emit made during the upgrade was sent %d times", n);
  else
    ct_pass(r);
out:
  cc_end(&x);
}

/* [EIO-UP-1]: allowed to upgrade but offered nothing ("upgrades":[]), the client stays on
 * polling: no WebSocket request at all. */
void c_upgrade_not_offered(ct_run *r) {
  cc_setup su = {.upgrade = 1, .no_offer = 1};
  cc_ctx x;
  if (cc_start(&x, r, &su) < 0) return;
  if (!cc_echo_ack(&x, 31, "\"p\"", "echo with ack")) goto out;
  cc_idle(&x, cc_ms(&x, 500));
  for (size_t i = 0; i < x.d.nev; i++) {
    const cs_event *e = &x.d.ev[i];
    if (e->kind == CS_EV_REQUEST && strstr(e->data, "transport=websocket")) {
      ct_fail(r, "no WebSocket request", e->data, "the client upgraded although not offered");
      goto out;
    }
  }
  ct_pass(r);
out:
  cc_end(&x);
}
