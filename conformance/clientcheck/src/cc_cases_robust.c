/* The client cases of robustness and reconnection (cc_cases_robust.h). A robustness case
 * sends something the client may ignore or refuse and grades only that the client
 * neither crashes nor hangs [CC-13] (cc_grade_survive); a reconnection case turns the
 * client's reconnection on ([CC-12], SIOCONFORM_RECONNECT) and times its new sessions. */
#include "cc_cases_robust.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cc_script.h"

#define PH0 "{\"_placeholder\":true,\"num\":0}"
#define PH1 "{\"_placeholder\":true,\"num\":1}"

/* The malformed input of each client.robust.malformed-<name> case: TEXT (a whole
 * Engine.IO text packet, or with RAW the whole polling record / WebSocket text frame),
 * then NBIN one-byte attachments, then AFTER (NULL: none). */
typedef struct malformed {
  const char *name, *text;
  int raw, nbin;
  const char *after;
} malformed;

static const malformed table[] = {
    {"bad-eio-type", "9[\"x\"]", 0, 0, NULL},
    {"empty-sio", "4", 0, 0, NULL},
    {"bad-sio-type", "47[\"echo\",1]", 0, 0, NULL},
    {"bad-json", "42[\"echo\",{\"a\":", 0, 0, NULL},
    {"event-not-array", "42{\"echo\":1}", 0, 0, NULL},
    {"event-name-number", "42[7,\"echo\"]", 0, 0, NULL},
    {"zero-attachments", "450-[\"echo\",1]", 0, 0, NULL},
    {"huge-attachment-count", "4599999999999-[\"echo\"," PH0 "]", 0, 1, NULL},
    {"placeholder-out-of-range", "451-[\"echo\",{\"_placeholder\":true,\"num\":3}]", 0, 1, NULL},
    {"text-mid-binary", "452-[\"echo\"," PH0 "," PH1 "]", 0, 1, "42[\"echo\",\"t\"]"},
    {"stray-binary", NULL, 0, 1, NULL},
    {"bad-base64", "b!!not*base64", 1, 0, NULL},
    {"unknown-namespace", "42/nowhere,[\"echo\",1]", 0, 0, NULL},
};

static const malformed *lookup(const char *id) {
  const char *p = strstr(id, "malformed-");
  if (!p) return NULL;
  p += strlen("malformed-");
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (strcmp(table[i].name, p) == 0) return &table[i];
  return NULL;
}

/* [CC-13] with the rule the input breaks (the case's tags): the client ignores it or
 * closes, and neither crashes nor hangs. */
void c_malformed(ct_run *r) {
  const malformed *m = lookup(r->c->id);
  if (!m) {
    ct_fail(r, NULL, NULL, "harness: no malformed input for %s", r->c->id);
    return;
  }
  cc_ctx x;
  if (cc_start(&x, r, NULL) < 0) return;
  static const unsigned char one[] = {0x5a};
  if (m->text) {
    ct_log(r, ">> (malformed) %s%s", m->text, m->raw ? " (raw)" : "");
    if (m->raw)
      cs_core_send_raw(x.d.core, m->text, strlen(m->text));
    else
      cs_core_send(x.d.core, m->text, strlen(m->text), 0);
  }
  for (int i = 0; i < m->nbin; i++) {
    ct_log(r, ">> binary 1 byte (5a)");
    cs_core_send(x.d.core, one, 1, 1);
  }
  if (m->after) {
    ct_log(r, ">> %s", m->after);
    cs_core_send(x.d.core, m->after, strlen(m->after), 0);
  }
  cs_core_flush(x.d.core);
  cc_grade_survive(&x);
  cc_end(&x);
}

/* [CC-13]: a body far over the announced maxPayload (a 3 MB argument to an event nobody
 * handles; the open packet says 1 000 000): the client copes or closes. */
void c_oversize(ct_run *r) {
  cc_ctx x;
  if (cc_start(&x, r, NULL) < 0) return;
  size_t n = 3 * 1000 * 1000;
  ct_buf b = {0};
  ct_buf_adds(&b, "42[\"nobody-listens\",\"");
  for (size_t i = 0; i < n; i++) ct_buf_add(&b, "x", 1);
  ct_buf_adds(&b, "\"]");
  ct_log(r, ">> 42[\"nobody-listens\",\"xxx...\"] (%zu bytes)", b.len);
  cs_core_send(x.d.core, b.data, b.len, 0);
  cs_core_flush(x.d.core);
  ct_buf_free(&b);
  cc_grade_survive(&x);
  cc_end(&x);
}

/* The server vanished (every connection closed, nothing listens): within 3 s the app is
 * told, "disconnect" when it was CONNECTED [CC-9], else by connect_error or the
 * subject's clean exit [CC-10]; the client does not crash. */
static void grade_vanished(cc_ctx *x, int connected) {
  ct_run *r = x->r;
  const cs_event *e = connected ? cc_wait_line(x, "disconnect", "/", cc_ms(x, 3000)) : NULL;
  if (!connected) {
    int64_t until = ct_now_ms() + cc_ms(x, 3000);
    while (!e && ct_now_ms() < until) {
      e = cc_wait(x, CS_EV_LINE, "connect_error", 0);
      if (!e) e = cc_wait(x, CS_EV_EXIT, "status 0", 0);
      if (!e) cc_idle(x, 50);
    }
  }
  cc_idle(x, 200);
  const cs_event *ex = cc_wait(x, CS_EV_EXIT, NULL, 0);
  if (ex && strcmp(ex->data, "status 0") != 0)
    ct_fail(r, "disconnect, no crash", ex->data, "the client crashed when the server vanished");
  else if (!e)
    ct_fail(r, connected ? "disconnect <reason>" : "connect_error, or a clean exit", NULL,
            "the client did not report the vanished server within 3 s");
  else
    ct_pass(r);
}

/* [SIO-BIN-6] [CC-9]: the server vanishes between a BINARY_EVENT's first and second
 * attachment: the partial event is dropped and the disconnect reported. */
void c_close_mid_binary(ct_run *r) {
  cc_ctx x;
  if (cc_start(&x, r, NULL) < 0) return;
  static const unsigned char a[] = {1, 2};
  const unsigned char *bins[] = {a};
  const size_t lens[] = {sizeof a};
  cc_send_binary(&x, "452-[\"echo\"," PH0 "," PH1 "]", bins, lens, 1);
  cc_idle(&x, 100);
  ct_log(r, "xx the server vanishes (second attachment never sent)");
  cs_drive_vanish(&x.d);
  grade_vanished(&x, 1);
  if (r->verdict == CT_V_PASS && cc_count_packets(&x, "45")) ct_log(r, "(a partial echo went out)");
  cc_end(&x);
}

/* [CC-9] [EIO-TR-12]: the server vanishes after CONNECT: the app is told. */
void c_vanish(ct_run *r) {
  cc_ctx x;
  if (cc_start(&x, r, NULL) < 0) return;
  ct_log(r, "xx the server vanishes");
  cs_drive_vanish(&x.d);
  grade_vanished(&x, 1);
  cc_end(&x);
}

/* [EIO-UP-2] [CC-9]: the server vanishes while the client probes the WebSocket: the app
 * is told; the client does not hang on the half-done upgrade. */
void c_vanish_upgrade(ct_run *r) {
  cc_setup su = {.upgrade = 1};
  cc_ctx x;
  if (cc_begin(&x, r, &su) < 0) return;
  if (!cc_wait_open(&x, cc_ms(&x, 10000))) {
    ct_preamble_fail(r, "client.handshake.open-read", r->transport, "a handshake", NULL,
                     "the client never opened a session");
    goto out;
  }
  /* CONNECT is answered when it comes before the probe or just after it (python-engineio
   * probes first and sends CONNECT only once the upgrade is settled) */
  int connected = 0, probed = 0;
  int64_t until = ct_now_ms() + cc_ms(&x, 3000);
  while (!probed && ct_now_ms() < until) {
    probed = cc_wait_packet(&x, "2probe", 50) != NULL;
    if (!connected && cc_wait_packet(&x, "40", probed ? cc_ms(&x, 300) : 0)) {
      char ans[80];
      snprintf(ans, sizeof ans, "40{\"sid\":\"sio-%s\"}", x.sid);
      cc_send(&x, ans);
      connected = cc_wait(&x, CS_EV_LINE, "connect", cc_ms(&x, 1000)) != NULL;
    }
  }
  if (!probed) {
    ct_preamble_fail(r, "client.upgrade.probe", r->transport, "2probe", NULL,
                     "the client did not probe the offered upgrade within 3 s");
    goto out;
  }
  ct_log(r, "xx the server vanishes during the probe%s", connected ? "" : " (before CONNECT)");
  cs_drive_vanish(&x.d);
  grade_vanished(&x, connected);
out:
  cc_end(&x);
}

/* ---- reconnection [CC-12] */

#define CC_RECONNECT "100,400" /* first delay 100 ms, at most 400 ms */

/* Wait for a new session (an open packet after the case's): follow it, and return the
 * handshake request that opened it (NULL after TIMEOUT). */
static const cs_event *wait_new_session(cc_ctx *x, long timeout) {
  int64_t deadline = ct_now_ms() + timeout;
  const cs_event *req = NULL;
  size_t i = 0;
  for (;;) {
    for (; i < x->d.nev; i++) {
      const cs_event *e = &x->d.ev[i];
      if (e->kind == CS_EV_REQUEST) req = e;
      if (e->kind == CS_EV_OPEN && e->session > x->session) {
        x->session = e->session;
        x->t_open = e->at;
        snprintf(x->sid, sizeof x->sid, "%s", e->data);
        return req;
      }
    }
    if (ct_now_ms() >= deadline) return NULL;
    cc_idle(x, 50);
  }
}

/* The client reconnects: a new handshake without sid, CONNECT for "/" again, answered,
 * "connect" reported. 1, or 0 with the run failed. */
static int expect_reconnect(cc_ctx *x, const char *old_sid, long timeout) {
  ct_run *r = x->r;
  const cs_event *req = wait_new_session(x, timeout);
  if (!req) {
    ct_fail(r, "a new handshake", NULL, "the client did not open a new session within %ld ms",
            timeout);
    return 0;
  }
  if (strstr(req->data, "sid=")) {
    ct_fail(r, "a handshake without sid", req->data, "the new handshake carries a sid");
    return 0;
  }
  const cs_event *c = cc_wait_packet(x, "40", cc_ms(x, 3000));
  if (!c) {
    ct_fail(r, "40 on the new session", NULL, "no CONNECT on the new session");
    return 0;
  }
  char ans[80];
  snprintf(ans, sizeof ans, "40{\"sid\":\"sio-%s\"}", x->sid);
  cc_send(x, ans);
  if (!cc_wait_line(x, "connect", "/", cc_ms(x, 3000))) {
    ct_fail(r, "connect", NULL, "the reconnection was not reported");
    return 0;
  }
  /* the new session's requests name the new sid, never the old one */
  char old[48];
  snprintf(old, sizeof old, "sid=%s", old_sid);
  for (size_t i = 0; i < x->d.nev; i++) {
    const cs_event *e = &x->d.ev[i];
    const char *p = e->kind == CS_EV_REQUEST && e->at >= x->t_open ? strstr(e->data, old) : NULL;
    if (p && (p[strlen(old)] == 0 || p[strlen(old)] == '&')) {
      ct_fail(r, "the new sid", e->data, "a request after the new handshake names the old sid");
      return 0;
    }
  }
  return 1;
}

/* Start with reconnection on [CC-12], connected; let a GET be held, then lose the session
 * as a restarted server would (cs_core_forget: polling gets 400 "Session ID unknown",
 * a WebSocket is closed), refusing the next REFUSE handshakes. The old sid in OLD. 0,
 * or -1 with the run graded and ended. */
static int start_and_lose(cc_ctx *x, ct_run *r, int refuse, char *old, size_t oldlen) {
  cc_setup su = {.reconnect = CC_RECONNECT};
  if (cc_start(x, r, &su) < 0) return -1;
  snprintf(old, oldlen, "%s", x->sid);
  cc_idle(x, 100);
  ct_log(r, "xx the server loses the session (%s)%s",
         r->transport == CS_TR_POLLING ? "400 {\"code\":1,\"message\":\"Session ID unknown\"}"
                                       : "its WebSocket closed",
         refuse ? " and refuses the next handshakes" : "");
  cs_core_refuse(x->d.core, refuse);
  cs_core_forget(x->d.core);
  return 0;
}

/* client.reconnect.new-session [CC-14] [EIO-HS-1] and client.polling.session-unknown
 * [EIO-TR-2] [CC-14]: the session is lost; the client reconnects with a new handshake, a
 * new sid and CONNECT again, and the new session carries an echo-ack. */
void c_reconnect_new_session(ct_run *r) {
  cc_ctx x;
  char old[32];
  if (start_and_lose(&x, r, 0, old, sizeof old) < 0) return;
  if (expect_reconnect(&x, old, cc_ms(&x, 3000)) &&
      cc_echo_ack(&x, 61, "\"again\"", "echo-ack on the new session"))
    ct_pass(r);
  cc_end(&x);
}

/* [CC-15]: with first delay 100 ms and at most 400 ms configured, the server refuses four
 * handshakes after losing the session: the gaps between the client's attempts grow (the
 * fourth at least 1.5 times the second) and none exceeds 400 ms + 300 ms of slack; the
 * fifth attempt is served. SHOULD. */
void c_reconnect_backoff(ct_run *r) {
  cc_ctx x;
  char old[32];
  if (start_and_lose(&x, r, 4, old, sizeof old) < 0) return;
  size_t from = x.d.nev; /* the handshake attempts come after the loss */
  int64_t t0 = ct_now_ms();
  if (!expect_reconnect(&x, old, cc_ms(&x, 4000))) goto out;
  int64_t at[8];
  int n = 0;
  for (size_t i = from; i < x.d.nev && n < 8; i++) {
    const cs_event *e = &x.d.ev[i];
    if (e->kind == CS_EV_REQUEST && !strstr(e->data, "sid=")) at[n++] = e->at;
  }
  if (n < 5) {
    ct_fail(r, "5 handshake attempts", NULL, "only %d handshake attempts seen", n);
    goto out;
  }
  char got[160];
  long g[5];
  int len = 0;
  for (int i = 0; i < 5; i++) {
    g[i] = (long)(at[i] - (i ? at[i - 1] : t0));
    len += snprintf(got + len, sizeof got - (size_t)len, "%s%ld", i ? ", " : "gaps ", g[i]);
  }
  ct_log(r, "-- %s ms", got);
  for (int i = 1; i < 5; i++)
    if (g[i] > 400 + cc_ms(&x, 300)) {
      ct_fail(r, "every gap <= 400 ms + 300 ms", got, "a reconnection delay exceeds its maximum");
      goto out;
    }
  if (g[3] * 2 < g[1] * 3)
    ct_fail(r, "the 4th gap >= 1.5 x the 2nd", got, "the reconnection delay does not grow");
  else
    ct_pass(r);
out:
  cc_end(&x);
}
