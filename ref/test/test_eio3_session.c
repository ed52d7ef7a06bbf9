/* Engine.IO v3 sessions on a virtual clock (spec/engine.io-v3.md): the open packet,
 * length-prefixed polling bodies (text, b64=1 and binary forms), binary WebSocket
 * messages with the type byte, the client-driven heartbeat, and v4 sessions beside them.
 * Tags: EIO-THS-1, EIO-THB-1..6, EIO-TTR-1..5, EIO-TPL-*, EIO-TPK-5/6.
 *
 * Each scenario is a script, one step per line: "<ms> <op> [arg] [=> expect]".
 *   new polling|websocket [b64] [v4]  open a session (v3 unless v4) at <ms>
 *   get          GET + pull: expect the body ("-" none, "hex:.." a binary body)
 *   body         pull the held GET again: expect as for get
 *   post TEXT    a text POST body; postbin HEX an octet-stream body: expect ok or an
 *                error name
 *   ws TEXT / wsbin HEX   one WebSocket message: expect ok or an error name
 *   pull         next WebSocket message: expect it ("-" none, "hex:.." binary)
 *   send TEXT / sendbin HEX   the application queues a message: expect ok or error
 *   attach / wsclosed / tick  the upgrade WebSocket opens / goes / timers run
 *   msg          the next message delivered to the application ("hex:" when binary)
 *   state        expect "open", "closing" or "closed:<reason text>"
 *   deadline     expect the next deadline in ms ("none")
 * Nothing sleeps: <ms> is handed to each call. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sioref/eio_session.h"
#include "sioref/err.h"

#define SID "AAAAAAAAAAAAAAAAAAAA"
/* The open packets at the timings of setup(): 110 and 99 UTF-16 units. */
#define OPEN_POLL                                                                                  \
  "0{\"sid\":\"" SID "\",\"upgrades\":[\"websocket\"],\"pingInterval\":300,"                       \
  "\"pingTimeout\":200,\"maxPayload\":100}"
#define OPEN_WS                                                                                    \
  "0{\"sid\":\"" SID "\",\"upgrades\":[],\"pingInterval\":300,\"pingTimeout\":200,"                \
  "\"maxPayload\":100}"

typedef struct rec {
  char msgs[16][128];
  int n_msgs, read;
} rec;

static rec R;
static eio_config CFG;

static void hex(const uint8_t *d, size_t n, char *out) {
  strcpy(out, "hex:");
  for (size_t i = 0; i < n; i++) sprintf(out + 4 + 2 * i, "%02x", d[i]);
}

static void on_message(void *user, eio_session *s, const uint8_t *d, size_t n, bool binary,
                       uint64_t now_ms) {
  (void)user, (void)s, (void)now_ms;
  if (R.n_msgs >= 16 || n >= 60) return;
  if (binary)
    hex(d, n, R.msgs[R.n_msgs]);
  else {
    memcpy(R.msgs[R.n_msgs], d, n);
    R.msgs[R.n_msgs][n] = 0;
  }
  R.n_msgs++;
}
static void on_close(void *user, eio_session *s, eio_close_reason reason, uint64_t now_ms) {
  (void)user, (void)s, (void)reason, (void)now_ms;
}
static void on_wake(void *user, eio_session *s) { (void)user, (void)s; }
static const eio_session_callbacks CB = {on_message, on_close, on_wake, NULL};

static void setup(void) {
  memset(&R, 0, sizeof R);
  eio_config_defaults(&CFG);
  CFG.ping_interval_ms = 300;
  CFG.ping_timeout_ms = 200;
  CFG.upgrade_timeout_ms = 1000;
  CFG.close_timeout_ms = 700;
  CFG.max_payload_bytes = 100;
  CFG.out_headroom = 16;
}

TestSuite(eio3, .init = setup);

/* HEX text -> bytes in OUT; returns the length. */
static size_t unhex(const char *h, uint8_t *out) {
  size_t n = 0;
  for (; h[0] && h[1]; h += 2) {
    unsigned v;
    cr_assert_eq(sscanf(h, "%2x", &v), 1, "bad hex %s", h);
    out[n++] = (uint8_t)v;
  }
  return n;
}

static const char *rc_name(int rc) { return rc == 0 ? "ok" : ref_err_name(rc); }

/* Render pulled output: text as is, binary as hex:.. */
static const char *show(const uint8_t *d, size_t n, bool binary) {
  static char buf[1024];
  cr_assert_lt(2 * n + 8, sizeof buf);
  if (binary)
    hex(d, n, buf);
  else {
    memcpy(buf, d, n);
    buf[n] = 0;
  }
  return buf;
}

static const char *state_text(eio_session *s) {
  static char buf[64];
  switch (eio_session_state_get(s)) {
  case EIO_SESSION_OPEN:
    return "open";
  case EIO_SESSION_CLOSING:
    return "closing";
  case EIO_SESSION_CLOSED:
    break;
  }
  snprintf(buf, sizeof buf, "closed:%s", eio_close_reason_text(eio_session_close_reason(s)));
  return buf;
}

/* Run one script (steps separated by '\n'). */
static void run(const char *script) {
  char *copy = strdup(script), *save = NULL;
  eio_session *s = NULL;
  int line = 0;
  for (char *ln = strtok_r(copy, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
    line++;
    char *want = strstr(ln, " => ");
    if (want) {
      *want = 0;
      want += 4;
    }
    char *end;
    uint64_t t = strtoull(ln, &end, 10);
    cr_assert(end != ln && *end == ' ', "line %d: no time: %s", line, ln);
    char *op = end + 1, *arg = strchr(op, ' ');
    if (arg) *arg++ = 0;
    const char *got = NULL;
    uint8_t buf[512];
    if (strcmp(op, "new") == 0) {
      eio_transport tr =
          strncmp(arg, "websocket", 9) == 0 ? EIO_TRANSPORT_WEBSOCKET : EIO_TRANSPORT_POLLING;
      int proto = strstr(arg, "v4") ? EIO_PROTOCOL_V4 : EIO_PROTOCOL_V3;
      eio_session_free(s);
      cr_assert_eq(
          eio_session_new_proto(&CFG, SID, tr, proto, strstr(arg, "b64") != NULL, t, &CB, NULL, &s),
          0);
      cr_assert_eq(eio_session_protocol(s), proto);
    } else if (strcmp(op, "get") == 0) {
      const uint8_t *b;
      size_t n;
      int rc = eio_session_poll_begin(s, t);
      got = rc < 0 ? rc_name(rc) : "-";
      if (rc == 0 && eio_session_poll_pull(s, &b, &n) == 1)
        got = show(b, n, eio_session_poll_binary(s));
    } else if (strcmp(op, "body") == 0) {
      const uint8_t *b;
      size_t n;
      got = eio_session_poll_pull(s, &b, &n) == 1 ? show(b, n, eio_session_poll_binary(s)) : "-";
    } else if (strcmp(op, "post") == 0 || strcmp(op, "postbin") == 0) {
      bool bin = op[4] == 'b';
      size_t n = bin ? unhex(arg, buf) : strlen(arg);
      got = rc_name(eio_session_poll_post_typed(s, bin ? buf : (const uint8_t *)arg, n, bin, t));
    } else if (strcmp(op, "ws") == 0 || strcmp(op, "wsbin") == 0) {
      bool bin = op[2] == 'b';
      size_t n = bin ? unhex(arg, buf) : strlen(arg);
      got = rc_name(eio_session_ws_message(s, bin ? buf : (const uint8_t *)arg, n, bin, t));
    } else if (strcmp(op, "send") == 0 || strcmp(op, "sendbin") == 0) {
      bool bin = op[4] == 'b';
      size_t n = bin ? unhex(arg, buf) : strlen(arg);
      got = rc_name(eio_session_send(s, bin ? buf : (const uint8_t *)arg, n, bin, t));
    } else if (strcmp(op, "pull") == 0) {
      const uint8_t *d;
      size_t n;
      bool bin;
      got = eio_session_ws_pull(s, &d, &n, &bin) == 1 ? show(d, n, bin) : "-";
    } else if (strcmp(op, "attach") == 0) {
      got = rc_name(eio_session_ws_attach(s, t));
    } else if (strcmp(op, "wsclosed") == 0) {
      eio_session_ws_closed(s, t);
    } else if (strcmp(op, "tick") == 0) {
      eio_session_tick(s, t);
    } else if (strcmp(op, "msg") == 0) {
      got = R.read < R.n_msgs ? R.msgs[R.read++] : "-";
    } else if (strcmp(op, "state") == 0) {
      got = state_text(s);
    } else if (strcmp(op, "deadline") == 0) {
      uint64_t d = eio_session_next_deadline(s);
      snprintf((char *)buf, sizeof buf, "%llu", (unsigned long long)d);
      got = d == EIO_NO_DEADLINE ? "none" : (char *)buf;
    } else {
      cr_assert_fail("line %d: unknown step %s", line, op);
    }
    if (want) {
      cr_assert_not_null(got, "line %d: %s gives nothing to compare", line, op);
      cr_assert_str_eq(got, want, "line %d (%s): got %s, want %s", line, op, got, want);
    }
  }
  eio_session_free(s);
  free(copy);
}

/* EIO-THS-1, EIO-TPL-9: the open packet in a length-prefixed body. */
Test(eio3, open_packet_polling) {
  run("0 new polling\n"
      "0 get => 110:" OPEN_POLL "\n"
      "0 state => open");
}

/* EIO-TTR-1: over WebSocket each packet is one message, no prefix. */
Test(eio3, open_packet_websocket) {
  run("0 new websocket\n"
      "0 pull => " OPEN_WS "\n"
      "0 pull => -");
}

/* EIO-THB-1, EIO-THB-2: the client pings, the server answers pong and never pings. */
Test(eio3, client_ping_gets_pong_server_never_pings) {
  run("0 new polling\n"
      "0 get => 110:" OPEN_POLL "\n"
      "100 post 1:2 => ok\n"
      "100 get => 1:3\n"
      "400 tick\n"
      "400 get => -\n"
      "400 state => open");
}

/* EIO-THB-3: no ping for pingInterval + pingTimeout closes, counted from the open
 * packet and restarted by each ping. */
Test(eio3, ping_timeout_is_interval_plus_timeout) {
  run("0 new websocket\n"
      "0 pull => " OPEN_WS "\n"
      "0 deadline => 500\n"
      "499 tick\n"
      "499 state => open\n"
      "450 ws 2 => ok\n"
      "450 pull => 3\n"
      "450 deadline => 950\n"
      "949 tick\n"
      "949 state => open\n"
      "950 tick\n"
      "950 state => closed:ping timeout");
}

/* EIO-THB-4 (we restart on ping only), EIO-THB-5: a client pong is ignored. */
Test(eio3, pong_and_messages_do_not_restart_the_timer) {
  run("0 new websocket\n"
      "0 pull => " OPEN_WS "\n"
      "100 ws 3 => ok\n"
      "200 ws 4hi => ok\n"
      "200 msg => hi\n"
      "200 deadline => 500\n"
      "500 tick\n"
      "500 state => closed:ping timeout");
}

/* EIO-THB-6: the probe is answered on the probe WebSocket and is no heartbeat. */
Test(eio3, probe_is_not_a_heartbeat_and_upgrade_completes) {
  run("0 new polling\n"
      "0 get => 110:" OPEN_POLL "\n"
      "100 attach => ok\n"
      "100 ws 2probe => ok\n"
      "100 pull => 3probe\n"
      "100 get => 1:6\n"
      "200 ws 5 => ok\n"
      "200 deadline => 500\n"
      "300 ws 2 => ok\n"
      "300 pull => 3\n"
      "300 deadline => 800");
}

/* EIO-TPL-2: lengths in UTF-16 units both ways. */
Test(eio3, polling_lengths_count_utf16_units) {
  run("0 new polling\n"
      "0 get => 110:" OPEN_POLL "\n"
      "1 post 2:4\xc3\xa9"
      "3:4\xf0\x9f\x98\x80 => ok\n"
      "1 msg => \xc3\xa9\n"
      "1 msg => \xf0\x9f\x98\x80\n"
      "2 send \xe2\x82\xac\xf0\x9f\x98\x80 => ok\n"
      "2 get => 4:4\xe2\x82\xac\xf0\x9f\x98\x80");
}

/* EIO-TPL-3, EIO-TTR-5: a byte-counted length is refused and closes the session. */
Test(eio3, byte_counted_length_closes) {
  run("0 new polling\n"
      "1 post 3:4\xc3\xa9 => bad-length-prefix\n"
      "1 state => closed:parse error");
}

/* EIO-TPL-8: maxPayload counts the body's bytes, before any segment. */
Test(eio3, oversize_body_is_refused) {
  char script[512];
  char body[120];
  memset(body, 'a', sizeof body - 1);
  body[sizeof body - 1] = 0;
  memcpy(body, "118:4", 5);
  snprintf(script, sizeof script, "0 new polling\n1 post %s => payload-too-large", body);
  run(script);
}

/* EIO-TTR-3, EIO-TPL-15: a queue holding binary goes out as a binary body. */
Test(eio3, binary_queue_gives_a_binary_body) {
  run("0 new polling\n"
      "0 get => 110:" OPEN_POLL "\n"
      "1 send hi => ok\n"
      "1 sendbin 0102 => ok\n"
      "1 get => hex:0003ff3468690103ff040102");
}

/* EIO-TTR-2: with b64=1 the same queue is a text body, binary as b4 + base64. */
Test(eio3, b64_client_gets_text_bodies) {
  run("0 new polling b64\n"
      "0 get => 110:" OPEN_POLL "\n"
      "1 send hi => ok\n"
      "1 sendbin 0102 => ok\n"
      "1 get => 3:4hi6:b4AQI=");
}

/* EIO-TPL-10..12, EIO-TTR-5: an octet-stream POST is a binary payload. */
Test(eio3, binary_post_is_a_binary_payload) {
  run("0 new polling\n"
      "1 postbin 0003ff3468690104ff04010203 => ok\n"
      "1 msg => hi\n"
      "1 msg => hex:010203\n"
      "2 postbin 0203ff346869 => bad-length-prefix\n"
      "2 state => closed:parse error");
}

/* EIO-TPK-3: a b4 text packet in a text body is a binary message. */
Test(eio3, b4_packet_in_text_body) {
  run("0 new polling\n"
      "1 post 6:b4AQI= => ok\n"
      "1 msg => hex:0102");
}

/* EIO-TPK-5, EIO-TPK-6, EIO-TTR-1: binary WebSocket messages carry the type byte. */
Test(eio3, websocket_binary_has_the_type_byte) {
  run("0 new websocket\n"
      "0 pull => " OPEN_WS "\n"
      "1 wsbin 04aabb => ok\n"
      "1 msg => hex:aabb\n"
      "2 sendbin ccdd => ok\n"
      "2 pull => hex:04ccdd\n"
      "3 wsbin 02aabb => bad-packet-type\n"
      "3 state => closed:parse error");
}

/* The final body of a held GET is a payload too (1:6 after an upgrade, 1:1 at close). */
Test(eio3, held_get_final_bodies_are_payloads) {
  run("0 new polling\n"
      "0 get => 110:" OPEN_POLL "\n"
      "1 get => -\n"
      "500 tick\n"
      "500 state => closed:ping timeout\n"
      "500 body => 1:1");
}

/* v4 sessions beside v3 ones keep their rules: the server pings, a client ping is ignored. */
Test(eio3, v4_session_unchanged) {
  run("0 new websocket v4\n"
      "0 pull => " OPEN_WS "\n"
      "0 deadline => 300\n"
      "100 ws 2 => ok\n"
      "100 pull => -\n"
      "300 tick\n"
      "300 pull => 2\n");
}

Test(eio3, bad_protocol_is_refused) {
  eio_session *s = NULL;
  cr_assert_eq(eio_session_new_proto(&CFG, SID, EIO_TRANSPORT_POLLING, 5, false, 0, &CB, NULL, &s),
               REF_ERR_INVALID_ARGUMENT);
  cr_assert_null(s);
}
