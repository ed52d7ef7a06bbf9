/* Tests for the Engine.IO session state machine on a virtual clock: open packet,
 * batching, heartbeat, upgrade, close, limits (EIO-HS, EIO-TR, EIO-HB, EIO-UP, EIO-CL,
 * EIO-LIM). Nothing here sleeps: time is a number handed to each call. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sioref/eio_session.h"

#define SID "AAAAAAAAAAAAAAAAAAAA"

typedef struct rec {
  char msgs[16][64];
  bool bin[16];
  int n_msgs;
  int closes;
  eio_close_reason reason;
  int wakes;
  int deadline_reports;
  uint64_t deadline; /* the last one reported */
} rec;

static rec R;
static eio_config CFG;

static void on_message(void *user, eio_session *s, const uint8_t *d, size_t n, bool binary,
                       uint64_t now_ms) {
  (void)user;
  (void)s;
  (void)now_ms;
  if (R.n_msgs < 16 && n < 64) {
    memcpy(R.msgs[R.n_msgs], d, n);
    R.msgs[R.n_msgs][n] = 0;
    R.bin[R.n_msgs] = binary;
  }
  R.n_msgs++;
}
static void on_close(void *user, eio_session *s, eio_close_reason reason, uint64_t now_ms) {
  (void)user;
  (void)s;
  (void)now_ms;
  R.closes++;
  R.reason = reason;
}
static void on_wake(void *user, eio_session *s) {
  (void)user;
  (void)s;
  R.wakes++;
}
static void on_deadline(void *user, eio_session *s, uint64_t d) {
  (void)user;
  /* reported on the way out, so it is already the session's own answer */
  cr_assert_eq(d, eio_session_next_deadline(s));
  R.deadline_reports++;
  R.deadline = d;
}
static const eio_session_callbacks CB = {on_message, on_close, on_wake, on_deadline};

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

static eio_session *open_session(eio_transport t, uint64_t now) {
  eio_session *s = NULL;
  cr_assert_eq(eio_session_new(&CFG, SID, t, now, &CB, NULL, &s), 0);
  return s;
}

/* Pull the held GET's body as a string ("" when not ready). */
static const char *poll_body(eio_session *s) {
  static char buf[512];
  const uint8_t *b;
  size_t n;
  int rc = eio_session_poll_pull(s, &b, &n);
  if (rc != 1) return "";
  cr_assert_lt(n, sizeof buf);
  memcpy(buf, b, n);
  buf[n] = 0;
  return buf;
}

/* GET, then pull at once. */
static const char *get_now(eio_session *s, uint64_t now) {
  cr_assert_eq(eio_session_poll_begin(s, now), 0);
  return poll_body(s);
}

static const char *ws_next(eio_session *s) {
  static char buf[512];
  const uint8_t *d;
  size_t n;
  bool bin;
  int rc = eio_session_ws_pull(s, &d, &n, &bin);
  if (rc != 1) return "";
  memcpy(buf, d, n);
  buf[n] = 0;
  return buf;
}

static int post(eio_session *s, const char *body, uint64_t now) {
  return eio_session_poll_post(s, (const uint8_t *)body, strlen(body), now);
}

static int ws_text(eio_session *s, const char *msg, uint64_t now) {
  return eio_session_ws_message(s, (const uint8_t *)msg, strlen(msg), false, now);
}

TestSuite(session, .init = setup);

Test(session, open_packet_polling) {
  eio_session *s = open_session(EIO_TRANSPORT_POLLING, 0);
  cr_assert_str_eq(get_now(s, 0), "0{\"sid\":\"" SID "\",\"upgrades\":[\"websocket\"],"
                                  "\"pingInterval\":300,\"pingTimeout\":200,\"maxPayload\":100}");
  eio_session_free(s);
}

Test(session, open_packet_websocket_has_no_upgrades) {
  eio_session *s = open_session(EIO_TRANSPORT_WEBSOCKET, 0);
  cr_assert_str_eq(ws_next(s), "0{\"sid\":\"" SID "\",\"upgrades\":[],"
                               "\"pingInterval\":300,\"pingTimeout\":200,\"maxPayload\":100}");
  cr_assert_str_eq(ws_next(s), "");
  eio_session_free(s);
}

Test(session, output_headroom_is_free) {
  eio_session *s = open_session(EIO_TRANSPORT_WEBSOCKET, 0);
  const uint8_t *d;
  size_t n;
  bool bin;
  cr_assert_eq(eio_session_ws_pull(s, &d, &n, &bin), 1);
  /* The headroom bytes belong to the caller: writing them must not corrupt data. */
  memset((uint8_t *)d - 16, 0xAA, 16);
  cr_assert_eq(d[0], '0');
  eio_session_free(s);
}

Test(session, get_is_held_until_a_packet_is_queued) {
  eio_session *s = open_session(EIO_TRANSPORT_POLLING, 0);
  get_now(s, 0);
  cr_assert_eq(eio_session_poll_begin(s, 10), 0);
  cr_assert_not(eio_session_poll_ready(s));
  cr_assert_str_eq(poll_body(s), "");
  int w = R.wakes;
  cr_assert_eq(eio_session_send(s, (const uint8_t *)"hi", 2, false, 20), 0);
  cr_assert_gt(R.wakes, w);
  cr_assert(eio_session_poll_ready(s));
  cr_assert_str_eq(poll_body(s), "4hi");
  eio_session_free(s);
}

Test(session, queued_packets_are_batched_in_one_body) {
  eio_session *s = open_session(EIO_TRANSPORT_POLLING, 0);
  get_now(s, 0);
  eio_session_send(s, (const uint8_t *)"a", 1, false, 1);
  eio_session_send(s, (const uint8_t *)"b", 1, false, 1);
  const uint8_t raw[] = {1, 2, 3};
  eio_session_send(s, raw, 3, true, 1);
  cr_assert_str_eq(get_now(s, 2), "4a\x1e"
                                  "4b\x1e"
                                  "bAQID");
  eio_session_free(s);
}

Test(session, post_delivers_packets_in_order) {
  eio_session *s = open_session(EIO_TRANSPORT_POLLING, 0);
  cr_assert_eq(post(s,
                    "4x\x1e"
                    "4y\x1e"
                    "bAQID",
                    5),
               0);
  cr_assert_eq(R.n_msgs, 3);
  cr_assert_str_eq(R.msgs[0], "x");
  cr_assert_str_eq(R.msgs[1], "y");
  cr_assert(R.bin[2]);
  cr_assert_eq(memcmp(R.msgs[2], "\x01\x02\x03", 3), 0);
  cr_assert_eq(eio_session_state_get(s), EIO_SESSION_OPEN);
  eio_session_free(s);
}

Test(session, bad_post_closes_after_earlier_packets) {
  eio_session *s = open_session(EIO_TRANSPORT_POLLING, 0);
  cr_assert_lt(post(s,
                    "4x\x1e"
                    "9bad",
                    5),
               0);
  cr_assert_eq(R.n_msgs, 1);
  cr_assert_eq(R.closes, 1);
  cr_assert_eq(R.reason, EIO_CLOSE_PARSE_ERROR);
  eio_session_free(s);
}

Test(session, oversize_post_is_refused_and_closes) {
  eio_session *s = open_session(EIO_TRANSPORT_POLLING, 0);
  char big[200];
  memset(big, 'a', sizeof big - 1);
  big[0] = '4';
  big[sizeof big - 1] = 0;
  cr_assert_eq(post(s, big, 5), REF_ERR_PAYLOAD_TOO_LARGE);
  cr_assert_eq(R.n_msgs, 0); /* EIO-TR-10: not delivered */
  cr_assert_eq(eio_session_state_get(s), EIO_SESSION_CLOSED);
  eio_session_free(s);
}

Test(session, post_at_exactly_max_payload_is_accepted) {
  eio_session *s = open_session(EIO_TRANSPORT_POLLING, 0);
  char body[101];
  memset(body, 'a', 100);
  body[0] = '4';
  body[100] = 0;
  cr_assert_eq(post(s, body, 5), 0);
  cr_assert_eq(R.n_msgs, 1);
  eio_session_free(s);
}

Test(session, concurrent_get_closes_and_held_get_gets_close_packet) {
  eio_session *s = open_session(EIO_TRANSPORT_POLLING, 0);
  get_now(s, 0);
  cr_assert_eq(eio_session_poll_begin(s, 10), 0);
  cr_assert_eq(eio_session_poll_begin(s, 11), REF_ERR_POLL_OVERLAP);
  cr_assert_eq(R.reason, EIO_CLOSE_TRANSPORT_ERROR);
  cr_assert_str_eq(poll_body(s), "1");
  eio_session_free(s);
}

Test(session, first_ping_after_ping_interval) {
  eio_session *s = open_session(EIO_TRANSPORT_POLLING, 1000);
  get_now(s, 1000);
  cr_assert_eq(eio_session_next_deadline(s), 1300);
  eio_session_tick(s, 1299);
  cr_assert_eq(eio_session_poll_begin(s, 1299), 0);
  cr_assert_not(eio_session_poll_ready(s));
  eio_session_tick(s, 1300);
  cr_assert_str_eq(poll_body(s), "2");
  cr_assert_eq(eio_session_next_deadline(s), 1500);
  eio_session_free(s);
}

Test(session, pong_restarts_the_interval) {
  eio_session *s = open_session(EIO_TRANSPORT_WEBSOCKET, 0);
  ws_next(s);
  eio_session_tick(s, 300);
  cr_assert_str_eq(ws_next(s), "2");
  cr_assert_eq(ws_text(s, "3", 350), 0);
  cr_assert_eq(eio_session_next_deadline(s), 650);
  eio_session_tick(s, 649);
  cr_assert_str_eq(ws_next(s), "");
  eio_session_tick(s, 650);
  cr_assert_str_eq(ws_next(s), "2");
  cr_assert_eq(eio_session_state_get(s), EIO_SESSION_OPEN);
  eio_session_free(s);
}

Test(session, missed_pong_closes_at_ping_timeout) {
  eio_session *s = open_session(EIO_TRANSPORT_POLLING, 0);
  get_now(s, 0);
  eio_session_tick(s, 300);
  cr_assert_str_eq(get_now(s, 300), "2");
  eio_session_poll_begin(s, 310);
  eio_session_tick(s, 499);
  cr_assert_eq(eio_session_state_get(s), EIO_SESSION_OPEN);
  eio_session_tick(s, 500);
  cr_assert_eq(eio_session_state_get(s), EIO_SESSION_CLOSED);
  cr_assert_eq(R.reason, EIO_CLOSE_PING_TIMEOUT);
  cr_assert_str_eq(poll_body(s), "1");
  cr_assert_eq(eio_session_next_deadline(s), EIO_NO_DEADLINE);
  eio_session_free(s);
}

Test(session, only_pong_stops_the_timeout) {
  eio_session *s = open_session(EIO_TRANSPORT_WEBSOCKET, 0);
  ws_next(s);
  eio_session_tick(s, 300);
  ws_next(s);
  cr_assert_eq(ws_text(s, "4still here", 400), 0); /* EIO-HB-7 */
  cr_assert_eq(ws_text(s, "2", 450), 0);           /* EIO-HB-4: ignored */
  eio_session_tick(s, 500);
  cr_assert_eq(R.reason, EIO_CLOSE_PING_TIMEOUT);
  cr_assert(eio_session_ws_want_close(s));
  eio_session_free(s);
}

Test(session, unsolicited_pong_is_harmless) {
  eio_session *s = open_session(EIO_TRANSPORT_WEBSOCKET, 0);
  cr_assert_eq(ws_text(s, "3", 100), 0);
  cr_assert_eq(eio_session_state_get(s), EIO_SESSION_OPEN);
  eio_session_free(s);
}

Test(session, client_open_packet_closes) {
  eio_session *s = open_session(EIO_TRANSPORT_WEBSOCKET, 0);
  cr_assert_lt(ws_text(s, "0", 10), 0); /* EIO-HS-11 */
  cr_assert_eq(R.reason, EIO_CLOSE_PARSE_ERROR);
  eio_session_free(s);
}

Test(session, undecodable_ws_message_closes) {
  eio_session *s = open_session(EIO_TRANSPORT_WEBSOCKET, 0);
  cr_assert_lt(ws_text(s, "x", 10), 0);
  cr_assert_eq(eio_session_state_get(s), EIO_SESSION_CLOSED);
  cr_assert(eio_session_ws_want_close(s));
  eio_session_free(s);
}

Test(session, oversize_ws_message_closes) {
  eio_session *s = open_session(EIO_TRANSPORT_WEBSOCKET, 0);
  uint8_t big[101];
  memset(big, 'a', sizeof big);
  big[0] = '4';
  cr_assert_eq(eio_session_ws_message(s, big, sizeof big, false, 10), REF_ERR_PAYLOAD_TOO_LARGE);
  cr_assert_eq(R.n_msgs, 0);
  cr_assert_eq(eio_session_state_get(s), EIO_SESSION_CLOSED);
  eio_session_free(s);
}

Test(session, ws_binary_message_is_delivered_raw) {
  eio_session *s = open_session(EIO_TRANSPORT_WEBSOCKET, 0);
  const uint8_t raw[] = {0, 1, 255};
  cr_assert_eq(eio_session_ws_message(s, raw, 3, true, 10), 0);
  cr_assert_eq(R.n_msgs, 1);
  cr_assert(R.bin[0]);
  eio_session_free(s);
}

Test(session, client_close_over_polling_releases_held_get_with_noop) {
  eio_session *s = open_session(EIO_TRANSPORT_POLLING, 0);
  get_now(s, 0);
  eio_session_poll_begin(s, 5);
  cr_assert_eq(post(s, "1", 6), 0);
  cr_assert_eq(R.reason, EIO_CLOSE_CLIENT);
  cr_assert_str_eq(poll_body(s), "6"); /* EIO-CL-2 */
  eio_session_free(s);
}

Test(session, client_close_over_ws_wants_ws_closed) {
  eio_session *s = open_session(EIO_TRANSPORT_WEBSOCKET, 0);
  ws_next(s);
  cr_assert_eq(ws_text(s, "1", 6), 0);
  cr_assert_eq(R.reason, EIO_CLOSE_CLIENT);
  cr_assert(eio_session_ws_want_close(s)); /* EIO-CL-3 */
  eio_session_free(s);
}

Test(session, server_close_polling_flushes_then_close_packet) {
  eio_session *s = open_session(EIO_TRANSPORT_POLLING, 0);
  get_now(s, 0);
  eio_session_send(s, (const uint8_t *)"bye", 3, false, 1);
  eio_session_close(s, 2);
  cr_assert_eq(eio_session_state_get(s), EIO_SESSION_CLOSING);
  cr_assert_eq(eio_session_send(s, (const uint8_t *)"late", 4, false, 3), REF_ERR_BAD_STATE);
  cr_assert_eq(R.closes, 0);
  cr_assert_str_eq(get_now(s, 4), "4bye\x1e"
                                  "1");
  cr_assert_eq(R.closes, 1);
  cr_assert_eq(R.reason, EIO_CLOSE_SERVER);
  eio_session_free(s);
}

Test(session, server_close_nobody_collects_times_out) {
  eio_session *s = open_session(EIO_TRANSPORT_POLLING, 0);
  get_now(s, 0);
  eio_session_close(s, 100);
  cr_assert_eq(eio_session_next_deadline(s), 800);
  eio_session_tick(s, 799);
  cr_assert_eq(R.closes, 0);
  eio_session_tick(s, 800);
  cr_assert_eq(R.closes, 1);
  eio_session_free(s);
}

Test(session, server_close_ws_sends_close_then_wants_close) {
  eio_session *s = open_session(EIO_TRANSPORT_WEBSOCKET, 0);
  ws_next(s);
  eio_session_send(s, (const uint8_t *)"x", 1, false, 1);
  eio_session_close(s, 2);
  cr_assert_not(eio_session_ws_want_close(s));
  cr_assert_str_eq(ws_next(s), "4x");
  cr_assert_str_eq(ws_next(s), "1");
  cr_assert(eio_session_ws_want_close(s));
  cr_assert_eq(R.reason, EIO_CLOSE_SERVER);
  eio_session_free(s);
}

Test(session, ws_gone_closes_session) {
  eio_session *s = open_session(EIO_TRANSPORT_WEBSOCKET, 0);
  eio_session_ws_closed(s, 5);
  cr_assert_eq(R.reason, EIO_CLOSE_TRANSPORT_CLOSE);
  cr_assert_not(eio_session_ws_attached(s));
  eio_session_free(s);
}

Test(session, aborted_held_get_closes_session) {
  eio_session *s = open_session(EIO_TRANSPORT_POLLING, 0);
  get_now(s, 0);
  eio_session_poll_begin(s, 5);
  eio_session_poll_aborted(s, 6);
  cr_assert_eq(R.reason, EIO_CLOSE_TRANSPORT_ERROR); /* EIO-TR-12 */
  eio_session_free(s);
}

Test(session, upgrade_full_sequence) {
  eio_session *s = open_session(EIO_TRANSPORT_POLLING, 0);
  get_now(s, 0);
  cr_assert_eq(eio_session_poll_begin(s, 10), 0); /* a GET is held */
  cr_assert_eq(eio_session_ws_attach(s, 20), 0);
  cr_assert(eio_session_upgrading(s));
  cr_assert_str_eq(ws_next(s), ""); /* nothing before the probe */
  cr_assert_eq(ws_text(s, "2probe", 30), 0);
  cr_assert_str_eq(ws_next(s), "3probe"); /* EIO-UP-3 */
  cr_assert(eio_session_poll_ready(s));
  cr_assert_str_eq(poll_body(s), "6"); /* EIO-UP-4 */
  cr_assert_eq(ws_text(s, "5", 40), 0);
  cr_assert_eq(eio_session_transport(s), EIO_TRANSPORT_WEBSOCKET);
  eio_session_send(s, (const uint8_t *)"after", 5, false, 50);
  cr_assert_str_eq(ws_next(s), "4after");
  /* EIO-UP-6: polling and a second WebSocket are refused; the session is unaffected. */
  cr_assert_eq(eio_session_poll_begin(s, 60), REF_ERR_TRANSPORT_MISMATCH);
  cr_assert_eq(post(s, "4x", 60), REF_ERR_TRANSPORT_MISMATCH);
  cr_assert_eq(eio_session_ws_attach(s, 60), REF_ERR_UPGRADE_REFUSED);
  cr_assert_eq(eio_session_state_get(s), EIO_SESSION_OPEN);
  /* the heartbeat goes on over the WebSocket */
  eio_session_tick(s, 300);
  cr_assert_str_eq(ws_next(s), "2");
  eio_session_free(s);
}

Test(session, packets_queued_during_upgrade_are_delivered_once_in_order) {
  eio_session *s = open_session(EIO_TRANSPORT_POLLING, 0);
  get_now(s, 0);
  eio_session_send(s, (const uint8_t *)"A", 1, false, 1);
  eio_session_ws_attach(s, 2);
  ws_text(s, "2probe", 3);
  cr_assert_str_eq(ws_next(s), "3probe");
  cr_assert_str_eq(get_now(s, 4), "4A"); /* polling still carries packets until "5" */
  eio_session_send(s, (const uint8_t *)"B", 1, false, 5);
  eio_session_send(s, (const uint8_t *)"C", 1, false, 5);
  cr_assert_eq(ws_text(s, "5", 6), 0);
  cr_assert_str_eq(ws_next(s), "4B");
  cr_assert_str_eq(ws_next(s), "4C");
  cr_assert_str_eq(ws_next(s), "");
  eio_session_free(s);
}

Test(session, held_get_after_switch_gets_noop) {
  eio_session *s = open_session(EIO_TRANSPORT_POLLING, 0);
  get_now(s, 0);
  eio_session_ws_attach(s, 2);
  ws_text(s, "2probe", 3);
  ws_next(s);
  /* the client did not pause polling in time: a GET held over the switch */
  cr_assert_str_eq(get_now(s, 4), "6");
  eio_session_poll_begin(s, 5);
  eio_session_send(s, (const uint8_t *)"Q", 1, false, 5);
  cr_assert_str_eq(poll_body(s), "4Q");
  eio_session_poll_begin(s, 6);
  ws_text(s, "5", 7);
  cr_assert_str_eq(poll_body(s), "6");
  eio_session_free(s);
}

Test(session, upgrade_without_probe_is_refused) {
  eio_session *s = open_session(EIO_TRANSPORT_POLLING, 0);
  get_now(s, 0);
  eio_session_ws_attach(s, 1);
  cr_assert_eq(ws_text(s, "5", 2), REF_ERR_UPGRADE_REFUSED);
  cr_assert(eio_session_ws_want_close(s)); /* EIO-UP-8 */
  cr_assert_eq(eio_session_transport(s), EIO_TRANSPORT_POLLING);
  cr_assert_eq(eio_session_state_get(s), EIO_SESSION_OPEN);
  eio_session_ws_closed(s, 3);
  cr_assert_eq(eio_session_state_get(s), EIO_SESSION_OPEN);
  /* a later, proper upgrade still works */
  cr_assert_eq(eio_session_ws_attach(s, 4), 0);
  cr_assert_eq(ws_text(s, "2probe", 5), 0);
  cr_assert_eq(ws_text(s, "5", 6), 0);
  cr_assert_eq(eio_session_transport(s), EIO_TRANSPORT_WEBSOCKET);
  eio_session_free(s);
}

Test(session, message_on_probe_ws_ends_upgrade_only) {
  eio_session *s = open_session(EIO_TRANSPORT_POLLING, 0);
  get_now(s, 0);
  eio_session_ws_attach(s, 1);
  ws_text(s, "2probe", 2);
  ws_next(s);
  cr_assert_eq(ws_text(s, "4hello", 3), REF_ERR_UPGRADE_REFUSED);
  cr_assert_eq(R.n_msgs, 0);
  cr_assert(eio_session_ws_want_close(s));
  cr_assert_eq(eio_session_state_get(s), EIO_SESSION_OPEN);
  eio_session_free(s);
}

Test(session, second_probe_ws_is_refused) {
  eio_session *s = open_session(EIO_TRANSPORT_POLLING, 0);
  cr_assert_eq(eio_session_ws_attach(s, 1), 0);
  cr_assert_eq(eio_session_ws_attach(s, 2), REF_ERR_UPGRADE_REFUSED);
  eio_session_free(s);
}

Test(session, ws_session_cannot_be_upgraded) {
  eio_session *s = open_session(EIO_TRANSPORT_WEBSOCKET, 0);
  cr_assert_eq(eio_session_ws_attach(s, 1), REF_ERR_UPGRADE_REFUSED);
  cr_assert_eq(eio_session_poll_begin(s, 1), REF_ERR_TRANSPORT_MISMATCH);
  eio_session_free(s);
}

Test(session, upgrade_timeout_closes_probe_only) {
  eio_session *s = open_session(EIO_TRANSPORT_POLLING, 0);
  get_now(s, 0);
  eio_session_ws_attach(s, 100);
  cr_assert_eq(eio_session_next_deadline(s), 300); /* the ping comes first */
  eio_session_tick(s, 300);
  cr_assert_str_eq(get_now(s, 300), "2");
  post(s, "3", 310);
  eio_session_tick(s, 1099);
  cr_assert_not(eio_session_ws_want_close(s));
  eio_session_tick(s, 1100); /* EIO-UP-7 */
  cr_assert(eio_session_ws_want_close(s));
  cr_assert_eq(eio_session_state_get(s), EIO_SESSION_OPEN);
  eio_session_free(s);
}

Test(session, session_close_during_probe_closes_probe) {
  eio_session *s = open_session(EIO_TRANSPORT_POLLING, 0);
  get_now(s, 0);
  eio_session_ws_attach(s, 1);
  eio_session_abort(s, EIO_CLOSE_SERVER, 2);
  cr_assert(eio_session_ws_want_close(s));
  eio_session_free(s);
}

Test(session, upgrades_disabled) {
  CFG.allow_upgrades = false;
  eio_session *s = open_session(EIO_TRANSPORT_POLLING, 0);
  cr_assert(strstr(get_now(s, 0), "\"upgrades\":[]") != NULL);
  cr_assert_eq(eio_session_ws_attach(s, 1), REF_ERR_UPGRADE_REFUSED);
  eio_session_free(s);
}

Test(session, close_reason_texts) {
  cr_assert_str_eq(eio_close_reason_text(EIO_CLOSE_PING_TIMEOUT), "ping timeout");
  cr_assert_str_eq(eio_close_reason_text(EIO_CLOSE_SERVER), "forced close");
  cr_assert_str_eq(eio_close_reason_text(EIO_CLOSE_PARSE_ERROR), "parse error");
}

Test(session, bad_arguments) {
  eio_session *s = NULL;
  cr_assert_eq(eio_session_new(&CFG, "short", EIO_TRANSPORT_POLLING, 0, &CB, NULL, &s),
               REF_ERR_INVALID_ARGUMENT);
  cr_assert_eq(eio_session_new(NULL, SID, EIO_TRANSPORT_POLLING, 0, &CB, NULL, &s),
               REF_ERR_INVALID_ARGUMENT);
  s = open_session(EIO_TRANSPORT_POLLING, 0);
  const uint8_t *b;
  size_t n;
  cr_assert_eq(eio_session_poll_pull(s, &b, &n), REF_ERR_BAD_STATE); /* no GET held */
  eio_session_free(s);
}

Test(session, send_refuses_text_a_poll_body_cannot_carry) {
  eio_session *s = open_session(EIO_TRANSPORT_POLLING, 0);
  cr_assert_eq(eio_session_send(s,
                                (const uint8_t *)"a\x1e"
                                                 "b",
                                3, false, 1),
               REF_ERR_INVALID_ARGUMENT);
  cr_assert_eq(eio_session_send(s, (const uint8_t *)"\xff", 1, false, 1), REF_ERR_INVALID_ARGUMENT);
  cr_assert_eq(eio_session_send(s,
                                (const uint8_t *)"a\x1e"
                                                 "b",
                                3, true, 1),
               0); /* binary */
  cr_assert_str_eq(get_now(s, 2), "0{\"sid\":\"" SID "\",\"upgrades\":[\"websocket\"],"
                                  "\"pingInterval\":300,\"pingTimeout\":200,\"maxPayload\":100}"
                                  "\x1e"
                                  "bYR5i");
  eio_session_free(s);
  s = open_session(EIO_TRANSPORT_WEBSOCKET, 0);
  cr_assert_eq(eio_session_send(s,
                                (const uint8_t *)"a\x1e"
                                                 "b",
                                3, false, 1),
               0);
  eio_session_free(s);
}

Test(session, empty_post_body_closes) {
  eio_session *s = open_session(EIO_TRANSPORT_POLLING, 0);
  cr_assert_eq(eio_session_poll_post(s, NULL, 0, 1), REF_ERR_EMPTY_PACKET); /* EIO-TR-9 */
  cr_assert_eq(R.reason, EIO_CLOSE_PARSE_ERROR);
  eio_session_free(s);
}

/* The router keeps a timer heap from these reports: every timer change is reported
 * once, with the value eio_session_next_deadline() gives afterwards. */
Test(session, deadline_reports_follow_every_timer_change) {
  eio_session *s = open_session(EIO_TRANSPORT_POLLING, 0);
  cr_assert_eq(eio_session_next_deadline(s), 300); /* known at creation, not reported */
  cr_assert_eq(R.deadline_reports, 0);
  get_now(s, 0);
  cr_assert_eq(R.deadline_reports, 0); /* output alone moves no timer */
  eio_session_tick(s, 300);            /* ping sent: now the pong deadline */
  cr_assert_eq(R.deadline_reports, 1);
  cr_assert_eq(R.deadline, 500);
  cr_assert_str_eq(get_now(s, 310), "2");
  cr_assert_eq(post(s, "3", 320), 0); /* pong: the next ping */
  cr_assert_eq(R.deadline, 620);
  cr_assert_eq(eio_session_ws_attach(s, 400), 0); /* an upgrade: its timeout is earlier */
  cr_assert_eq(R.deadline, 620);
  CFG.upgrade_timeout_ms = 100; /* borrowed by the session: takes effect at once */
  eio_session_ws_closed(s, 401);
  cr_assert_eq(eio_session_ws_attach(s, 402), 0);
  cr_assert_eq(R.deadline, 502);
  cr_assert_eq(ws_text(s, "4junk", 403), REF_ERR_UPGRADE_REFUSED); /* upgrade given up */
  cr_assert_eq(R.deadline, 620);
  int before = R.deadline_reports;
  eio_session_close(s, 404); /* closing: only the close timeout is left */
  cr_assert_eq(R.deadline, 404 + 700);
  eio_session_abort(s, EIO_CLOSE_SERVER, 405);
  cr_assert_eq(R.deadline, EIO_NO_DEADLINE);
  cr_assert_gt(R.deadline_reports, before);
  eio_session_free(s);
}

/* EIO-CL-4: an orderly close during an upgrade lets the client finish the switch and
 * delivers the CLOSE packet on the WebSocket; the probe is not cut off under it. */
Test(session, orderly_close_during_probe_finishes_on_the_websocket) {
  eio_session *s = open_session(EIO_TRANSPORT_POLLING, 0);
  get_now(s, 0);
  cr_assert_eq(eio_session_ws_attach(s, 1), 0);
  cr_assert_eq(ws_text(s, "2probe", 2), 0);
  cr_assert_str_eq(ws_next(s), "3probe");
  eio_session_close(s, 3);
  cr_assert_not(eio_session_ws_want_close(s));
  cr_assert_eq(ws_text(s, "5", 4), 0); /* the switch goes through */
  cr_assert_eq(eio_session_transport(s), EIO_TRANSPORT_WEBSOCKET);
  cr_assert_str_eq(ws_next(s), "1");
  cr_assert_eq(eio_session_state_get(s), EIO_SESSION_CLOSED);
  cr_assert_eq(R.reason, EIO_CLOSE_SERVER);
  cr_assert(eio_session_ws_want_close(s));
  eio_session_free(s);
}

/* ... or on the poll, when that comes first; the probe is closed after it. */
Test(session, orderly_close_during_probe_finishes_on_the_poll) {
  eio_session *s = open_session(EIO_TRANSPORT_POLLING, 0);
  get_now(s, 0);
  cr_assert_eq(eio_session_ws_attach(s, 1), 0);
  eio_session_close(s, 3);
  cr_assert_not(eio_session_ws_want_close(s));
  cr_assert_str_eq(get_now(s, 4), "1");
  cr_assert_eq(eio_session_state_get(s), EIO_SESSION_CLOSED);
  cr_assert(eio_session_ws_want_close(s));
  eio_session_free(s);
}
