/* The scripted server core without sockets: requests in, responses and events out, with
 * times given by the test (a virtual clock; nothing sleeps). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "cs_core.h"
#include "wire_ws.h"

static cs_opts opts(void) {
  cs_opts o = {.path = "/socket.io/",
               .ping_interval = 300,
               .ping_timeout = 200,
               .max_payload = 1000,
               .open_extra = NULL,
               .upgrades = 0};
  return o;
}

/* Everything the core has to write on C, as a string (binary-safe up to LEN). */
static size_t take(cs_core *s, int c, char *out, size_t cap) {
  const unsigned char *p;
  size_t n = cs_core_output(s, c, &p);
  cr_assert_lt(n, cap);
  memcpy(out, p, n);
  out[n] = 0;
  cs_core_written(s, c, n);
  return n;
}

static void feed(cs_core *s, int c, const char *p, int64_t now) {
  cs_core_input(s, c, p, strlen(p), now);
}

static const char *body_of(const char *resp) {
  const char *b = strstr(resp, "\r\n\r\n");
  cr_assert(b);
  return b + 4;
}

static void handshake(cs_core *s, int c) {
  feed(s, c, "GET /socket.io/?EIO=4&transport=polling&t=x HTTP/1.1\r\nHost: h\r\n\r\n", 1000);
  char out[2048];
  take(s, c, out, sizeof out);
  cr_assert(strncmp(out, "HTTP/1.1 200", 12) == 0, "%s", out);
  cs_event e;
  cr_assert(cs_core_next_event(s, &e));
  cr_assert_eq(e.kind, CS_EV_REQUEST);
  cs_event_free(&e);
  cr_assert(cs_core_next_event(s, &e));
  cr_assert_eq(e.kind, CS_EV_OPEN);
  cr_assert_eq(e.transport, CS_TR_POLLING);
  cr_assert_eq(e.at, 1000);
  cs_event_free(&e);
}

/* A WebSocket handshake request on C: a new session, or with SID an upgrade of it. */
static void ws_request(cs_core *s, int c, const char *sid, int64_t now) {
  char req[512];
  snprintf(req, sizeof req,
           "GET /socket.io/?EIO=4&transport=websocket%s%s HTTP/1.1\r\nUpgrade: websocket\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
           sid ? "&sid=" : "", sid ? sid : "");
  feed(s, c, req, now);
}

Test(cs_core, polling_open_packet_with_extra_members) {
  cs_opts o = opts();
  o.open_extra = "\"x\":{\"y\":[1]}";
  cs_core *s = cs_core_new(&o);
  int c = cs_core_accept(s);
  feed(s, c, "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\n\r\n", 5);
  char out[2048];
  take(s, c, out, sizeof out);
  cr_assert_str_eq(body_of(out), "0{\"sid\":\"cs-sid-1\",\"upgrades\":[],\"pingInterval\":300,"
                                 "\"pingTimeout\":200,\"maxPayload\":1000,\"x\":{\"y\":[1]}}");
  cs_core_free(s);
}

Test(cs_core, post_batched_body_with_base64_binary) {
  cs_opts o = opts();
  cs_core *s = cs_core_new(&o);
  int c = cs_core_accept(s);
  handshake(s, c);
  const char body[] = "40\x1e"
                      "42[\"x\"]\x1e"
                      "bAQI=";
  char req[512];
  snprintf(req, sizeof req,
           "POST /socket.io/?EIO=4&transport=polling&sid=cs-sid-1 HTTP/1.1\r\n"
           "Content-Length: %zu\r\n\r\n%s",
           strlen(body), body);
  feed(s, c, req, 2000);
  char out[1024];
  take(s, c, out, sizeof out);
  cr_assert_str_eq(body_of(out), "ok");
  cs_event e;
  cr_assert(cs_core_next_event(s, &e));
  cr_assert_eq(e.kind, CS_EV_REQUEST);
  cs_event_free(&e);
  const char *want[] = {"40", "42[\"x\"]"};
  for (int i = 0; i < 2; i++) {
    cr_assert(cs_core_next_event(s, &e));
    cr_assert_eq(e.kind, CS_EV_PACKET);
    cr_assert_str_eq(e.data, want[i]);
    cr_assert_eq(e.binary, 0);
    cr_assert_eq(e.at, 2000);
    cs_event_free(&e);
  }
  cr_assert(cs_core_next_event(s, &e));
  cr_assert_eq(e.binary, 1);
  cr_assert_eq(e.len, 2);
  cr_assert(memcmp(e.data, "\x01\x02", 2) == 0);
  cs_event_free(&e);
  cr_assert_not(cs_core_next_event(s, &e));
  cs_core_free(s);
}

Test(cs_core, held_get_answered_with_one_batched_body) {
  cs_opts o = opts();
  cs_core *s = cs_core_new(&o);
  int c = cs_core_accept(s);
  handshake(s, c);
  feed(s, c, "GET /socket.io/?EIO=4&transport=polling&sid=cs-sid-1 HTTP/1.1\r\n\r\n", 10);
  const unsigned char *p;
  cr_assert_eq(cs_core_output(s, c, &p), 0); /* held: nothing queued */
  cs_stats st;
  cs_core_stats(s, &st);
  cr_assert_eq(st.held, 1);
  cs_core_send(s, "42[\"a\"]", 7, 0);
  cs_core_send(s, "\x01\xff", 2, 1);
  cr_assert_eq(cs_core_output(s, c, &p), 0); /* gathered until the flush */
  cs_core_flush(s);
  char out[1024];
  take(s, c, out, sizeof out);
  cr_assert_str_eq(body_of(out), "42[\"a\"]\x1e"
                                 "bAf8=");
  cs_core_free(s);
}

Test(cs_core, second_get_while_held_is_reported) {
  cs_opts o = opts();
  cs_core *s = cs_core_new(&o);
  int c = cs_core_accept(s);
  handshake(s, c);
  int c2 = cs_core_accept(s);
  feed(s, c, "GET /socket.io/?EIO=4&transport=polling&sid=cs-sid-1 HTTP/1.1\r\n\r\n", 10);
  feed(s, c2, "GET /socket.io/?EIO=4&transport=polling&sid=cs-sid-1 HTTP/1.1\r\n\r\n", 20);
  char out[1024];
  take(s, c2, out, sizeof out);
  cr_assert(strncmp(out, "HTTP/1.1 400", 12) == 0);
  cs_event e;
  int overlap = 0;
  while (cs_core_next_event(s, &e)) {
    if (e.kind == CS_EV_GET_OVERLAP) {
      overlap++;
      cr_assert_eq(e.at, 20);
    }
    cs_event_free(&e);
  }
  cr_assert_eq(overlap, 1);
  cs_stats st;
  cs_core_stats(s, &st);
  cr_assert_eq(st.get_overlaps, 1);
  cr_assert_eq(st.held, 1); /* the first GET is still held */
  cs_core_free(s);
}

Test(cs_core, unknown_sid_and_wrong_eio_refused) {
  cs_opts o = opts();
  cs_core *s = cs_core_new(&o);
  int c = cs_core_accept(s);
  handshake(s, c);
  feed(s, c, "GET /socket.io/?EIO=4&transport=polling&sid=nope HTTP/1.1\r\n\r\n", 1);
  char out[1024];
  take(s, c, out, sizeof out);
  cr_assert_str_eq(body_of(out), "{\"code\":1,\"message\":\"Session ID unknown\"}");
  feed(s, c, "GET /socket.io/?EIO=3&transport=polling HTTP/1.1\r\n\r\n", 2);
  take(s, c, out, sizeof out);
  cr_assert(strstr(body_of(out), "\"code\":5"));
  cs_core_free(s);
}

/* A masked client frame. */
static size_t client_frame(unsigned char *out, int opcode, const void *p, size_t len) {
  static const unsigned char mask[4] = {1, 2, 3, 4};
  size_t h = wire_ws_head(out, 1, 0, opcode, len, mask);
  memcpy(out + h, p, len);
  wire_ws_mask(out + h, len, mask, 0);
  return h + len;
}

Test(cs_core, websocket_handshake_frames_and_close) {
  cs_opts o = opts();
  cs_core *s = cs_core_new(&o);
  int c = cs_core_accept(s);
  /* the RFC 6455 section 1.3 example key and answer */
  feed(s, c,
       "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nUpgrade: websocket\r\n"
       "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
       "Sec-WebSocket-Version: 13\r\n\r\n",
       7);
  char out[2048];
  size_t n = take(s, c, out, sizeof out);
  cr_assert(strstr(out, "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), "%s", out);
  const char *f = strstr(out, "\r\n\r\n") + 4;
  wire_ws_frame fr;
  cr_assert_eq(wire_ws_decode((const unsigned char *)f, n - (size_t)(f - out), &fr), WIRE_OK);
  cr_assert_eq(fr.opcode, WIRE_WS_TEXT);
  cr_assert(fr.len > 10 && memcmp(fr.payload, "0{\"sid\":\"cs-sid-1\",\"upgrades\":[]", 31) == 0);
  /* a text frame, a binary frame and a close, in one read cut at every byte */
  unsigned char in[256];
  size_t k = client_frame(in, WIRE_WS_TEXT, "40", 2);
  k += client_frame(in + k, WIRE_WS_BINARY, "\x00\x01", 2);
  k += client_frame(in + k, WIRE_WS_CLOSE, "\x03\xe8", 2);
  for (size_t i = 0; i < k; i++) cs_core_input(s, c, in + i, 1, 100 + (int64_t)i);
  cs_event e;
  int kinds[8], nk = 0;
  while (cs_core_next_event(s, &e)) {
    if (e.kind == CS_EV_PACKET && !e.binary) cr_assert_str_eq(e.data, "40");
    if (e.kind == CS_EV_PACKET && e.binary) cr_assert(e.len == 2 && e.data[1] == 1);
    if (nk < 8) kinds[nk++] = e.kind;
    cs_event_free(&e);
  }
  cr_assert_eq(nk, 5);
  cr_assert_eq(kinds[2], CS_EV_PACKET);
  cr_assert_eq(kinds[3], CS_EV_PACKET);
  cr_assert_eq(kinds[4], CS_EV_WS_CLOSE);
  cr_assert_not(cs_core_should_close(s, c)); /* the close answer is still to be written */
  take(s, c, out, sizeof out);
  cr_assert(cs_core_should_close(s, c));
  /* a send after the upgrade goes out as a frame at once (no flush needed) */
  cs_core_closed(s, c);
  cs_core_free(s);
}

Test(cs_core, unmasked_client_frame_is_reported) {
  cs_opts o = opts();
  cs_core *s = cs_core_new(&o);
  int c = cs_core_accept(s);
  ws_request(s, c, NULL, 1);
  char out[1024];
  take(s, c, out, sizeof out);
  unsigned char fr[16];
  size_t h = wire_ws_head(fr, 1, 0, WIRE_WS_TEXT, 2, NULL);
  memcpy(fr + h, "40", 2);
  cs_core_input(s, c, fr, h + 2, 2);
  cs_event e;
  int bad = 0;
  while (cs_core_next_event(s, &e)) {
    if (e.kind == CS_EV_BAD) {
      bad = 1;
      cr_assert_str_eq(e.data, "WIRE_E_WS_UNMASKED");
    }
    cs_event_free(&e);
  }
  cr_assert(bad);
  cr_assert(cs_core_should_close(s, c));
  cs_core_free(s);
}

Test(cs_core, drop_closes_every_connection_silently) {
  cs_opts o = opts();
  cs_core *s = cs_core_new(&o);
  int c = cs_core_accept(s);
  handshake(s, c);
  feed(s, c, "GET /socket.io/?EIO=4&transport=polling&sid=cs-sid-1 HTTP/1.1\r\n\r\n", 10);
  cs_core_send(s, "2", 1, 0);
  cs_core_drop(s);
  const unsigned char *p;
  cr_assert_eq(cs_core_output(s, c, &p), 0);
  cr_assert(cs_core_should_close(s, c));
  cs_core_flush(s); /* nothing held any more: no effect */
  cr_assert_eq(cs_core_output(s, c, &p), 0);
  cs_core_free(s);
}

Test(cs_core, upgrade_probe_then_5_switches_the_session) {
  cs_opts o = opts();
  o.upgrades = 1;
  cs_core *s = cs_core_new(&o);
  int c = cs_core_accept(s);
  handshake(s, c);
  int w = cs_core_accept(s);
  ws_request(s, w, "cs-sid-1", 50);
  char out[1024];
  size_t n = take(s, w, out, sizeof out);
  cr_assert(strncmp(out, "HTTP/1.1 101", 12) == 0);
  cr_assert_eq(strstr(out, "\r\n\r\n") + 4 - out, (long)n); /* no open packet on a probe */
  unsigned char in[64];
  size_t k = client_frame(in, WIRE_WS_TEXT, "2probe", 6);
  cs_core_input(s, w, in, k, 60);
  cs_core_send_probe(s, "3probe", 6);
  n = take(s, w, out, sizeof out);
  cr_assert_eq(n, 8);
  cr_assert(memcmp(out + 2, "3probe", 6) == 0);
  k = client_frame(in, WIRE_WS_TEXT, "5", 1);
  cs_core_input(s, w, in, k, 70);
  cs_stats st;
  cs_core_stats(s, &st);
  cr_assert_eq(st.transport, CS_TR_WEBSOCKET);
  cs_core_send(s, "42[]", 4, 0); /* now a frame on the upgraded WebSocket */
  n = take(s, w, out, sizeof out);
  cr_assert_eq(n, 6);
  /* [EIO-UP-6]: polling with the sid is refused with code 3 afterwards */
  feed(s, c, "GET /socket.io/?EIO=4&transport=polling&sid=cs-sid-1 HTTP/1.1\r\n\r\n", 80);
  take(s, c, out, sizeof out);
  cr_assert(strstr(body_of(out), "\"code\":3"));
  cs_event e;
  int probes = 0;
  while (cs_core_next_event(s, &e)) {
    probes += e.kind == CS_EV_PROBE;
    cs_event_free(&e);
  }
  cr_assert_eq(probes, 1);
  cs_core_free(s);
}

Test(cs_core, failed_probe_leaves_the_polling_session) {
  cs_opts o = opts();
  o.upgrades = 1;
  cs_core *s = cs_core_new(&o);
  int c = cs_core_accept(s);
  handshake(s, c);
  int w = cs_core_accept(s);
  ws_request(s, w, "cs-sid-1", 50);
  char out[1024];
  take(s, w, out, sizeof out);
  cs_core_close_probe(s);
  cr_assert(cs_core_should_close(s, w));
  cs_stats st;
  cs_core_stats(s, &st);
  cr_assert_eq(st.transport, CS_TR_POLLING);
  feed(s, c, "GET /socket.io/?EIO=4&transport=polling&sid=cs-sid-1 HTTP/1.1\r\n\r\n", 80);
  cs_core_send(s, "42[]", 4, 0);
  cs_core_flush(s);
  take(s, c, out, sizeof out);
  cr_assert_str_eq(body_of(out), "42[]");
  cs_core_free(s);
}

Test(cs_core, forget_answers_the_held_get_and_every_later_request_with_code_1) {
  cs_opts o = opts();
  cs_core *s = cs_core_new(&o);
  int c = cs_core_accept(s);
  handshake(s, c);
  feed(s, c, "GET /socket.io/?EIO=4&transport=polling&sid=cs-sid-1 HTTP/1.1\r\n\r\n", 10);
  const unsigned char *p;
  cr_assert_eq(cs_core_output(s, c, &p), 0);
  cs_core_forget(s);
  char out[1024];
  take(s, c, out, sizeof out);
  cr_assert(strncmp(out, "HTTP/1.1 400", 12) == 0, "%s", out);
  cr_assert_str_eq(body_of(out), "{\"code\":1,\"message\":\"Session ID unknown\"}");
  /* the old sid, and an empty one, are unknown from now on */
  feed(s, c,
       "POST /socket.io/?EIO=4&transport=polling&sid=cs-sid-1 HTTP/1.1\r\n"
       "Content-Length: 1\r\n\r\n1",
       20);
  take(s, c, out, sizeof out);
  cr_assert(strstr(body_of(out), "\"code\":1"), "%s", out);
  feed(s, c, "GET /socket.io/?EIO=4&transport=polling&sid= HTTP/1.1\r\n\r\n", 21);
  take(s, c, out, sizeof out);
  cr_assert(strstr(body_of(out), "\"code\":1"), "%s", out);
  /* a new handshake opens session 2 */
  feed(s, c, "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\n\r\n", 30);
  take(s, c, out, sizeof out);
  cr_assert(strstr(body_of(out), "\"sid\":\"cs-sid-2\""), "%s", out);
  cs_core_free(s);
}

Test(cs_core, forget_closes_the_websocket_without_a_byte) {
  cs_opts o = opts();
  cs_core *s = cs_core_new(&o);
  int c = cs_core_accept(s);
  ws_request(s, c, NULL, 1);
  char out[2048];
  take(s, c, out, sizeof out);
  cr_assert(strncmp(out, "HTTP/1.1 101", 12) == 0);
  cs_core_send(s, "42[\"lost\"]", 10, 0); /* queued, then dropped by the forget */
  cs_core_forget(s);
  const unsigned char *p;
  cr_assert_eq(cs_core_output(s, c, &p), 0);
  cr_assert(cs_core_should_close(s, c));
  cs_core_free(s);
}

Test(cs_core, refuse_turns_away_the_next_handshakes_with_code_4) {
  cs_opts o = opts();
  cs_core *s = cs_core_new(&o);
  int c = cs_core_accept(s);
  cs_core_refuse(s, 2);
  char out[2048];
  for (int i = 0; i < 2; i++) {
    feed(s, c, "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\n\r\n", i);
    take(s, c, out, sizeof out);
    cr_assert(strncmp(out, "HTTP/1.1 400", 12) == 0, "%s", out);
    cr_assert_str_eq(body_of(out), "{\"code\":4,\"message\":\"Forbidden\"}");
  }
  cs_stats st;
  cs_core_stats(s, &st);
  cr_assert_eq(st.sessions, 0);
  cr_assert_eq(st.requests, 2); /* each attempt is still reported (the case times them) */
  cs_event e;
  for (int i = 0; i < 2; i++) {
    cr_assert(cs_core_next_event(s, &e));
    cr_assert_eq(e.kind, CS_EV_REQUEST);
    cr_assert_eq(e.at, i);
    cs_event_free(&e);
  }
  cr_assert_not(cs_core_next_event(s, &e));
  handshake(s, c);
  cs_core_stats(s, &st);
  cr_assert_eq(st.sessions, 1);
  cs_core_free(s);
}
