/* Runs every Engine.IO v3 vector in vectors/eio3/ through the v3 codec: decode
 * (compared with the vector's packet(s) or error name), encode where dir allows
 * (byte-exact, for WebSocket messages and both body forms), and encode one byte short
 * (snprintf style). Also shows that the runner fails on a wrong vector.
 * Spec tags: EIO-TPK-*, EIO-TPL-* (whatever the vectors cite). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "sioref/eio3_codec.h"
#include "sioref/err.h"
#include "vec.h"
#include "vec_runner.h"

static const char *const type_names[] = {"open",    "close",   "ping", "pong",
                                         "message", "upgrade", "noop"};

/* Compare packet P with an expected {"type", "data"?, "binary"?}; NULL when equal.
 * (The v4 suite has its own copy: the two suites stay independent.) */
static const char *cmp_pkt(const cJSON *exp, const eio_packet *p) {
  static char why[256];
  const cJSON *t = cJSON_GetObjectItemCaseSensitive(exp, "type");
  const cJSON *d = cJSON_GetObjectItemCaseSensitive(exp, "data");
  const cJSON *b = cJSON_GetObjectItemCaseSensitive(exp, "binary");
  if (!cJSON_IsString(t) || strcmp(t->valuestring, type_names[p->type]) != 0)
    return snprintf(why, sizeof why, "type %s, want %s", type_names[p->type],
                    cJSON_IsString(t) ? t->valuestring : "?"),
           why;
  uint8_t *want, *got = NULL;
  size_t wl, gl = p->data.len;
  if (b) {
    if (p->kind == EIO_DATA_TEXT) return "got text data, want binary";
    cr_assert_eq(vec_hex_decode(b->valuestring, &want, &wl), 0);
    if (p->kind == EIO_DATA_BASE64) {
      got = malloc(eio_base64_decoded_len(p->data.len) + 1);
      int n = eio_base64_decode(p->data.ptr, p->data.len, got, eio_base64_decoded_len(gl));
      cr_assert_geq(n, 0);
      gl = (size_t)n;
    }
  } else {
    if (p->kind != EIO_DATA_TEXT) return "got binary data, want text";
    cr_assert_eq(vec_str_bytes(d ? d->valuestring : "", &want, &wl), 0);
  }
  const uint8_t *g = got ? got : p->data.ptr;
  bool same = wl == gl && (gl == 0 || memcmp(want, g, gl) == 0);
  snprintf(why, sizeof why, "data differs (%zu bytes, want %zu)", gl, wl);
  free(want);
  free(got);
  return same ? NULL : why;
}

/* Build a packet from its vector JSON; the bytes go to *OWNED (free it). */
static bool from_json(const cJSON *j, eio_packet *p, uint8_t **owned) {
  const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "type");
  const cJSON *d = cJSON_GetObjectItemCaseSensitive(j, "data");
  const cJSON *b = cJSON_GetObjectItemCaseSensitive(j, "binary");
  *owned = NULL;
  int type = -1;
  for (int i = 0; cJSON_IsString(t) && i < 7; i++)
    if (strcmp(type_names[i], t->valuestring) == 0) type = i;
  if (type < 0) return false;
  size_t n;
  int rc = b ? vec_hex_decode(b->valuestring, owned, &n)
             : vec_str_bytes(d ? d->valuestring : "", owned, &n);
  if (rc != 0) return false;
  *p = (eio_packet){(eio_packet_type)type, b ? EIO_DATA_BINARY : EIO_DATA_TEXT, {*owned, n}};
  return true;
}

static void check_error(runner *r, int rc, const char *want) {
  if (rc >= 0)
    fail(r, "accepted, want %s", want);
  else if (strcmp(ref_err_name(rc), want) != 0)
    fail(r, "error %s, want %s", ref_err_name(rc), want);
}

static void decode_body(runner *r, const vec_entry *e, bool binary) {
  const vec_msg *m = &e->wire[0];
  eio3_payload_iter it;
  eio_packet p;
  int rc =
      eio3_payload_iter_init(&it, m->bytes, m->len, binary, (size_t)vec_opt(e, "maxPayload", 0),
                             (size_t)vec_opt(e, "maxPackets", 0));
  int n = 0, want_n = e->packets ? cJSON_GetArraySize(e->packets) : 0;
  while (rc == 0 && (rc = eio3_payload_next(&it, &p)) == 1) {
    rc = 0; /* one more packet: keep iterating */
    if (e->error) continue;
    if (n >= want_n) {
      fail(r, "more than %d packets", want_n);
      return;
    }
    const char *why = cmp_pkt(cJSON_GetArrayItem(e->packets, n), &p);
    if (why) fail(r, "packet %d: %s", n, why);
    n++;
  }
  if (e->error)
    check_error(r, rc, e->error);
  else if (rc < 0)
    fail(r, "body refused: %s", ref_err_name(rc));
  else if (n != want_n)
    fail(r, "%d packets, want %d", n, want_n);
}

/* Encode with ENC (NULL buffer first for the length), compare with M, then one byte
 * short: same length returned and nothing written past the cap. */
typedef int (*enc_fn)(const void *ctx, uint8_t *out, size_t cap);

static void check_encoded(runner *r, enc_fn enc, const void *ctx, const vec_msg *m) {
  int len = enc(ctx, NULL, 0);
  if (len < 0) return fail(r, "encode refused: %s", ref_err_name(len));
  uint8_t *buf = malloc((size_t)len + 8);
  memset(buf, 0xAA, (size_t)len + 8);
  if (enc(ctx, buf, (size_t)len) != len || (size_t)len != m->len ||
      memcmp(buf, m->bytes, m->len) != 0)
    fail(r, "encoded %d bytes, want the wire (%zu bytes)", len, m->len);
  if (len > 0) {
    memset(buf, 0xAA, (size_t)len + 8);
    if (enc(ctx, buf, (size_t)len - 1) != len || buf[len - 1] != 0xAA)
      fail(r, "encode at cap %d wrote past it or changed length", len - 1);
  }
  free(buf);
}

typedef struct enc_ctx {
  const eio_packet *pkts;
  size_t n;
  bool binary;
} enc_ctx;

static int enc_body(const void *c, uint8_t *out, size_t cap) {
  const enc_ctx *x = c;
  return eio3_payload_encode(x->pkts, x->n, x->binary, out, cap);
}

static int enc_packet(const void *c, uint8_t *out, size_t cap) {
  const enc_ctx *x = c;
  return eio3_packet_encode(x->pkts, x->binary, out, cap);
}

static void run_entry(runner *r, const vec_entry *e) {
  r->id = e->id;
  r->entry_failed = false;
  const vec_msg *m = &e->wire[0];
  bool body = e->content != NULL, binary = body && strcmp(e->content, "binary") == 0;
  if (e->nwire != 1 || e->wire_is_list) fail(r, "an Engine.IO vector holds exactly one message");
  if (!r->entry_failed && vec_decodes(e)) {
    if (body) {
      decode_body(r, e, binary);
    } else {
      eio_packet p;
      int rc = m->hex ? eio3_packet_decode_binary(m->bytes, m->len, &p)
                      : eio3_packet_decode_text(m->bytes, m->len, &p);
      if (e->error)
        check_error(r, rc, e->error);
      else if (rc < 0)
        fail(r, "refused: %s", ref_err_name(rc));
      else {
        const char *why = cmp_pkt(e->packet, &p);
        if (why) fail(r, "%s", why);
      }
    }
  }
  if (!r->entry_failed && vec_encodes(e) && !e->error) {
    const cJSON *list = body ? e->packets : NULL;
    size_t n = body ? (size_t)cJSON_GetArraySize(list) : 1;
    eio_packet *ps = calloc(n + 1, sizeof *ps);
    uint8_t **owned = calloc(n + 1, sizeof *owned);
    bool ok = true;
    for (size_t i = 0; i < n; i++)
      ok = ok && from_json(body ? cJSON_GetArrayItem(list, (int)i) : e->packet, &ps[i], &owned[i]);
    if (!ok)
      fail(r, "cannot build packets from the vector");
    else {
      /* EIO-TPK-6: a hex wire is a binary WebSocket message; a text body writes binary
       * packets as b4 + base64 (EIO-TTR-2), a binary body uses 00/01 segments */
      enc_ctx c = {ps, n, body ? binary : m->hex};
      check_encoded(r, body ? enc_body : enc_packet, &c, m);
    }
    for (size_t i = 0; i < n; i++) free(owned[i]);
    free(owned);
    free(ps);
  }
  r->run++;
  if (r->entry_failed) r->failed++;
}

static int run_file(runner *r, const char *path) { return runner_run_file(r, path, run_entry); }

Test(eio3_vectors, every_file) {
  static const char *const expected[] = {"packets.json", "payloads.json", "invalid.json"};
  runner_every_file(SIO_VECTORS_DIR "/eio3", expected, sizeof expected / sizeof expected[0],
                    run_file, "Engine.IO v3");
}

/* The runner must be able to fail: a right vector passes, the same vector with a
 * byte-counted length (the bug EIO-TPL-2 names) or a wrong expected packet fails. */
Test(eio3_vectors, wrong_vectors_fail) {
  static const char *const bodies[] = {
      ("{\"id\":\"a\",\"reqs\":[\"EIO-TPL-2\"],\"note\":\"n\",\"dir\":\"both\",\"content\":"
       "\"text\","
       "\"wire\":{\"text\":\"2:4\\u00e9\"},\"packets\":[{\"type\":\"message\",\"data\":\"\\u00e9\"}"
       "]"
       "}"),
      ("{\"id\":\"a\",\"reqs\":[\"EIO-TPL-2\"],\"note\":\"n\",\"dir\":\"both\",\"content\":"
       "\"text\","
       "\"wire\":{\"text\":\"3:4\\u00e9\"},\"packets\":[{\"type\":\"message\",\"data\":\"\\u00e9\"}"
       "]"
       "}"),
      ("{\"id\":\"a\",\"reqs\":[\"EIO-TPK-5\"],\"note\":\"n\",\"dir\":\"both\","
       "\"wire\":{\"hex\":\"0401\"},\"packets\":[],\"packet\":{\"type\":\"message\",\"binary\":"
       "\"02\"}}"),
      ("{\"id\":\"a\",\"reqs\":[\"EIO-TPK-5\"],\"note\":\"n\",\"dir\":\"both\","
       "\"wire\":{\"hex\":\"0401\"},\"packet\":{\"type\":\"message\",\"binary\":\"02\"}}"),
  };
  static const int want_failed[] = {0, 1, -1, 1}; /* -1: the loader refuses the file */
  for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
    char text[1024];
    snprintf(text, sizeof text, "{\"format\":1,\"about\":\"local\",\"vectors\":[%s]}", bodies[i]);
    runner r = {.quiet = true};
    int rc = runner_run_text(&r, "v.json", text, run_file);
    if (want_failed[i] < 0)
      cr_expect_eq(rc, -1, "case %zu: the loader should refuse it", i);
    else
      cr_expect(rc == 0 && r.run == 1 && r.failed == want_failed[i], "case %zu: %d run, %d failed",
                i, r.run, r.failed);
  }
}
