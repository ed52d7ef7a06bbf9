/* The msgpack bridge (sio_mp_bridge.h): msgpack packets to the Socket.IO layer's text
 * form and back. Every valid vector of vectors/msgpack/packets.json with dir both goes
 * msgpack -> text -> msgpack and must come back byte for byte (SIO-MP-14..16); a few
 * hand-made cases pin the text form and the refusals (SIO-MP-1, SIO-MP-3).
 * Spec: spec/msgpack.md. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sioref/err.h"
#include "sioref/sio_mp_bridge.h"
#include "sioref/sio_msgpack.h"
#include "vec.h"
#include "vec_runner.h"

/* What an emit callback received: up to 8 messages. */
typedef struct got {
  int n;
  bool bin[8];
  uint8_t *d[8];
  size_t len[8];
} got;

static int collect(void *ctx, bool binary, const uint8_t *data, size_t len) {
  got *g = ctx;
  cr_assert_lt(g->n, 8);
  g->bin[g->n] = binary;
  g->d[g->n] = malloc(len + 1);
  memcpy(g->d[g->n], data, len);
  g->d[g->n][len] = 0;
  g->len[g->n++] = len;
  return 0;
}

static void got_free(got *g) {
  for (int i = 0; i < g->n; i++) free(g->d[i]);
  memset(g, 0, sizeof *g);
}

static size_t unhex(const char *h, uint8_t *out) {
  size_t n = 0;
  for (; h[0] && h[1]; h += 2) {
    unsigned v;
    sscanf(h, "%2x", &v);
    out[n++] = (uint8_t)v;
  }
  return n;
}

static void expect_hex(const uint8_t *d, size_t n, const char *hex) {
  char buf[1024];
  cr_assert_lt(2 * n, sizeof buf);
  vec_hex_encode(d, n, buf);
  cr_assert_str_eq(buf, hex);
}

/* SIO-MP-14, SIO-MP-3: bin values become attachments of a BINARY_EVENT. */
Test(mp_bridge, binary_event_to_text) {
  /* {type:2, nsp:"/", data:["message","hé",<bin 0102>], id:5} */
  uint8_t m[128];
  size_t n = unhex("84a474797065"
                   "02"
                   "a36e7370a12f"
                   "a464617461"
                   "93a76d657373616765a368c3a9c4020102"
                   "a2696405",
                   m);
  got g = {0};
  cr_assert_eq(sio_mp_bridge_decode(m, n, true, 0, collect, &g), 0);
  cr_assert_eq(g.n, 2);
  cr_assert_not(g.bin[0]);
  cr_assert_str_eq((char *)g.d[0],
                   "51-5[\"message\",\"h\xc3\xa9\",{\"_placeholder\":true,\"num\":0}]");
  cr_assert(g.bin[1]);
  expect_hex(g.d[1], g.len[1], "0102");
  got_free(&g);
}

/* SIO-MP-1: a text Engine.IO message is no packet; decoder errors pass through. */
Test(mp_bridge, refusals) {
  got g = {0};
  cr_assert_eq(sio_mp_bridge_decode((const uint8_t *)"42[]", 4, false, 0, collect, &g),
               REF_ERR_BAD_MSGPACK);
  uint8_t m[64];
  size_t n = unhex("82a474797065"
                   "07"
                   "a36e7370a12f",
                   m); /* type 7 */
  cr_assert_eq(sio_mp_bridge_decode(m, n, true, 0, collect, &g), REF_ERR_BAD_PACKET_TYPE);
  n = unhex("82a474797065"
            "00"
            "a36e7370a32f612c",
            m); /* nsp "/a," */
  cr_assert_eq(sio_mp_bridge_decode(m, n, true, 0, collect, &g), REF_ERR_BAD_NAMESPACE);
  cr_assert_eq(g.n, 0);
}

/* SIO-MP-15, SIO-MP-16: the layer's CONNECT answer as notepack.io writes it. */
Test(mp_bridge, connect_reply_to_msgpack) {
  sio_mp_bridge b;
  sio_mp_bridge_init(&b);
  got g = {0};
  const char *t = "0{\"sid\":\"abc\"}";
  cr_assert_eq(sio_mp_bridge_push(&b, false, (const uint8_t *)t, strlen(t), collect, &g), 0);
  cr_assert_eq(g.n, 1);
  cr_assert(g.bin[0]);
  expect_hex(g.d[0], g.len[0],
             "83a474797065"
             "00"
             "a36e7370a12f"
             "a464617461"
             "81a3736964a3616263");
  got_free(&g);
  /* numbers: shortest ints, float 64 otherwise; an ack with an id on /x */
  t = "3/x,7[1,-1,300,2.5,null,true,\"\"]";
  cr_assert_eq(sio_mp_bridge_push(&b, false, (const uint8_t *)t, strlen(t), collect, &g), 0);
  expect_hex(g.d[0], g.len[0],
             "84a474797065"
             "03"
             "a36e7370a22f78"
             "a464617461"
             "9701ffcd012ccb4004000000000000c0c3a0"
             "a2696407");
  got_free(&g);
  sio_mp_bridge_reset(&b);
}

/* A binary packet is held until its attachments came, then sent as one message. */
Test(mp_bridge, binary_packet_waits_for_its_attachments) {
  sio_mp_bridge b;
  sio_mp_bridge_init(&b);
  got g = {0};
  const char *t = "52-[\"up\",{\"_placeholder\":true,\"num\":1},{\"_placeholder\":true,\"num\":0}]";
  cr_assert_eq(sio_mp_bridge_push(&b, false, (const uint8_t *)t, strlen(t), collect, &g), 0);
  cr_assert_eq(sio_mp_bridge_push(&b, true, (const uint8_t *)"\x0a", 1, collect, &g), 0);
  cr_assert_eq(g.n, 0);
  cr_assert_eq(sio_mp_bridge_push(&b, true, (const uint8_t *)"\x0b\x0c", 2, collect, &g), 0);
  cr_assert_eq(g.n, 1);
  expect_hex(g.d[0], g.len[0],
             "83a474797065"
             "02"
             "a36e7370a12f"
             "a464617461"
             "93a27570c4020b0cc4010a");
  got_free(&g);
  /* an attachment with nothing pending is misuse; text while one is pending drops it */
  cr_assert_eq(sio_mp_bridge_push(&b, true, (const uint8_t *)"\x01", 1, collect, &g),
               REF_ERR_INVALID_ARGUMENT);
  cr_assert_eq(sio_mp_bridge_push(&b, false, (const uint8_t *)t, strlen(t), collect, &g), 0);
  cr_assert_eq(sio_mp_bridge_push(&b, false, (const uint8_t *)"1", 1, collect, &g), 0);
  cr_assert_eq(g.n, 1);
  expect_hex(g.d[0], g.len[0],
             "82a474797065"
             "01"
             "a36e7370a12f");
  got_free(&g);
  sio_mp_bridge_reset(&b);
}

/* ---- every valid vector: msgpack -> text -> msgpack is the identity ---- */

static int forward(void *ctx, bool binary, const uint8_t *data, size_t len) {
  void **c = ctx;
  return sio_mp_bridge_push(c[0], binary, data, len, collect, c[1]);
}

static void roundtrip_entry(runner *r, const vec_entry *e) {
  r->id = e->id;
  r->entry_failed = false;
  if (e->error || e->dir != VEC_DIR_BOTH || e->nwire != 1) return;
  r->run++;
  sio_mp_bridge b;
  sio_mp_bridge_init(&b);
  got g = {0};
  void *ctx[2] = {&b, &g};
  int rc = sio_mp_bridge_decode(e->wire[0].bytes, e->wire[0].len, true, 0, forward, ctx);
  if (rc)
    fail(r, "refused: %s", ref_err_name(rc));
  else if (g.n != 1 || g.len[0] != e->wire[0].len ||
           memcmp(g.d[0], e->wire[0].bytes, g.len[0]) != 0)
    fail(r, "came back as %d messages, the first %zu bytes", g.n, g.n ? g.len[0] : 0);
  got_free(&g);
  sio_mp_bridge_reset(&b);
  if (r->entry_failed) r->failed++;
}

Test(mp_bridge, vectors_roundtrip) {
  runner r = {0};
  cr_assert_eq(runner_run_file(&r, SIO_VECTORS_DIR "/msgpack/packets.json", roundtrip_entry), 0);
  printf("msgpack bridge: %d vectors round-tripped, %d failed\n", r.run, r.failed);
  cr_assert_gt(r.run, 0);
  cr_assert_eq(r.failed, 0);
}
