/* Runs every Socket.IO vector in vectors/sio/ through the codec: each entry's messages
 * go through the reassembler (text -> feed_text, hex -> feed_binary, then finish); the
 * result is compared with the vector's packet (JSON semantically, placeholders as
 * {_placeholder, num}) and attachments, or with its error name. Entries whose dir
 * allows it are encoded (header + attachments) and compared byte for byte. Also proves
 * the runner fails on wrong vectors.
 * Spec tags: SIO-PK-*, SIO-BIN-* (whatever the vectors cite). */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sioref/err.h"
#include "sioref/sio_binary.h"
#include "sioref/sio_codec.h"
#include "vec.h"
#include "vec_runner.h"

/* One source, two suites: test_vectors_sio (vectors/sio, protocol v5) and, built with
 * SIO_VECTOR_PROTOCOL=4, test_vectors_sio4 (vectors/sio4, spec/socket.io-v4.md). */
#ifndef SIO_VECTOR_PROTOCOL
#define SIO_VECTOR_PROTOCOL SIO_PROTOCOL_V5
#endif
#define PROTO SIO_VECTOR_PROTOCOL

/* SIO-BIN-7: a placeholder carries only its num; compare {_placeholder, num} only.
 * Returns a new tree (cJSON_Delete it). */
static cJSON *canon(const cJSON *j) {
  if (cJSON_IsObject(j)) {
    const cJSON *ph = cJSON_GetObjectItemCaseSensitive(j, "_placeholder");
    cJSON *o = cJSON_CreateObject();
    if (cJSON_IsTrue(ph)) {
      cJSON_AddTrueToObject(o, "_placeholder");
      const cJSON *num = cJSON_GetObjectItemCaseSensitive(j, "num");
      if (num) cJSON_AddItemToObject(o, "num", cJSON_Duplicate(num, true));
      return o;
    }
    for (const cJSON *c = j->child; c; c = c->next) cJSON_AddItemToObject(o, c->string, canon(c));
    return o;
  }
  if (cJSON_IsArray(j)) {
    cJSON *a = cJSON_CreateArray();
    for (const cJSON *c = j->child; c; c = c->next) cJSON_AddItemToArray(a, canon(c));
    return a;
  }
  return cJSON_Duplicate(j, true);
}

/* JSON equality: member order does not matter (cJSON_Compare is exponential in the
 * nesting of objects, since it walks every object twice). */
static bool json_eq(const cJSON *a, const cJSON *b) {
  if ((a->type & 0xFF) != (b->type & 0xFF)) return false;
  if (cJSON_IsNumber(a)) return a->valuedouble == b->valuedouble;
  if (cJSON_IsString(a)) return strcmp(a->valuestring, b->valuestring) == 0;
  if (cJSON_IsArray(a)) {
    const cJSON *x = a->child, *y = b->child;
    for (; x && y; x = x->next, y = y->next)
      if (!json_eq(x, y)) return false;
    return !x && !y;
  }
  if (cJSON_IsObject(a)) {
    if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b)) return false;
    for (const cJSON *x = a->child; x; x = x->next) {
      const cJSON *y = cJSON_GetObjectItemCaseSensitive(b, x->string);
      if (!y || !json_eq(x, y)) return false;
    }
    return true;
  }
  return true; /* null, true, false: the type says it all */
}

static bool span_eq_str(ref_span sp, const char *s) {
  uint8_t *b;
  size_t n;
  cr_assert_eq(vec_str_bytes(s, &b, &n), 0);
  bool eq = n == sp.len && (n == 0 || memcmp(b, sp.ptr, n) == 0);
  free(b);
  return eq;
}

/* Compare a completed packet (and its attachments) with the entry. */
static void cmp_packet(runner *r, const vec_entry *e, const sio_packet *p, const ref_span *att) {
  const cJSON *x = e->packet;
  for (const cJSON *k = x->child; k; k = k->next)
    if (strcmp(k->string, "type") && strcmp(k->string, "nsp") && strcmp(k->string, "id") &&
        strcmp(k->string, "attachments") && strcmp(k->string, "data"))
      return fail(r, "packet has unknown member %s", k->string);
  const cJSON *t = cJSON_GetObjectItemCaseSensitive(x, "type");
  const cJSON *nsp = cJSON_GetObjectItemCaseSensitive(x, "nsp");
  const cJSON *id = cJSON_GetObjectItemCaseSensitive(x, "id");
  const cJSON *att_n = cJSON_GetObjectItemCaseSensitive(x, "attachments");
  const cJSON *data = cJSON_GetObjectItemCaseSensitive(x, "data");
  if (!cJSON_IsNumber(t) || t->valuedouble != (double)p->type)
    fail(r, "type %d, want %g", p->type, cJSON_IsNumber(t) ? t->valuedouble : -1.0);
  if (!cJSON_IsString(nsp))
    fail(r, "packet.nsp is not a string");
  else if (!span_eq_str(p->nsp, nsp->valuestring))
    fail(r, "nsp \"%.*s\", want \"%s\"", (int)p->nsp.len, (const char *)p->nsp.ptr,
         nsp->valuestring);
  if ((id != NULL) != (p->ack_id >= 0))
    fail(r, "ack id %lld, vector %s one", (long long)p->ack_id, id ? "has" : "has no");
  else if (id && (!cJSON_IsNumber(id) || id->valuedouble != (double)p->ack_id))
    fail(r, "ack id %lld, want %g", (long long)p->ack_id,
         cJSON_IsNumber(id) ? id->valuedouble : -1.0);
  bool binary = p->type == SIO_PACKET_BINARY_EVENT || p->type == SIO_PACKET_BINARY_ACK;
  if ((att_n != NULL) != binary)
    fail(r, "attachments present on a %s packet", binary ? "binary" : "non-binary");
  else if (att_n && (!cJSON_IsNumber(att_n) || att_n->valuedouble != (double)p->attachments))
    fail(r, "attachments %u, want %g", p->attachments,
         cJSON_IsNumber(att_n) ? att_n->valuedouble : -1.0);
  if ((data != NULL) != (p->data.len > 0))
    fail(r, "payload %s, vector %s", p->data.len ? "present" : "absent",
         data ? "has one" : "has none");
  else if (data) {
    cJSON *got = vec_parse_json(p->data.ptr, p->data.len);
    if (!got) {
      fail(r, "cJSON cannot parse the decoded payload \"%.*s\"", (int)p->data.len,
           (const char *)p->data.ptr);
    } else {
      cJSON *a = binary ? canon(got) : cJSON_Duplicate(got, true);
      cJSON *b = binary ? canon(data) : cJSON_Duplicate(data, true);
      if (!json_eq(a, b)) {
        char *ga = vec_print_json(a), *gb = vec_print_json(b);
        fail(r, "payload %s, want %s", ga, gb);
        free(ga);
        free(gb);
      }
      cJSON_Delete(a);
      cJSON_Delete(b);
      cJSON_Delete(got);
    }
  }
  int want_bins = e->binary ? cJSON_GetArraySize(e->binary) : 0;
  if (binary && !e->binary) fail(r, "binary packet without a \"binary\" list");
  if (binary && want_bins != (int)p->attachments)
    fail(r, "%d attachments listed, %u declared", want_bins, p->attachments);
  for (int i = 0; binary && i < want_bins && i < (int)p->attachments; i++) {
    const char *hex = cJSON_GetArrayItem(e->binary, i)->valuestring;
    char *got = malloc(2 * att[i].len + 1);
    vec_hex_encode(att[i].ptr, att[i].len, got);
    if (strcasecmp(got, hex) != 0) fail(r, "attachment %d is %s, want %s", i, got, hex);
    free(got);
  }
}

/* decode -> encode -> decode is stable; with dir both the re-encoding is the wire. */
static void check_roundtrip(runner *r, const vec_entry *e, const sio_codec_opts *o,
                            const sio_packet *p) {
  bool binary = p->type == SIO_PACKET_BINARY_EVENT || p->type == SIO_PACKET_BINARY_ACK;
  uint8_t *seen = calloc(p->attachments + 1, 1);
  int n = binary ? sio_binary_encode_header(p, seen, NULL, 0)
                 : sio_packet_encode_proto(p, PROTO, NULL, 0);
  if (n < 0) {
    free(seen);
    return fail(r, "the encoder refuses the decoded packet: %s", ref_err_name(n));
  }
  uint8_t *buf = malloc((size_t)n + 1);
  if (binary)
    sio_binary_encode_header(p, seen, buf, (size_t)n);
  else
    sio_packet_encode_proto(p, PROTO, buf, (size_t)n);
  sio_packet q;
  int rc = sio_packet_decode(buf, (size_t)n, o, &q);
  if (rc != 0)
    fail(r, "the re-encoded packet does not decode: %s", ref_err_name(rc));
  else if (q.type != p->type || q.ack_id != p->ack_id || q.attachments != p->attachments ||
           q.nsp.len != p->nsp.len || memcmp(q.nsp.ptr, p->nsp.ptr, q.nsp.len) != 0 ||
           q.data.len != p->data.len ||
           (q.data.len && memcmp(q.data.ptr, p->data.ptr, q.data.len) != 0))
    fail(r, "decode -> encode -> decode changed the packet");
  if (e->dir == VEC_DIR_BOTH &&
      (e->wire[0].len != (size_t)n || memcmp(e->wire[0].bytes, buf, (size_t)n) != 0))
    fail(r, "re-encoding the decoded packet gives \"%.*s\", not the wire", n, buf);
  free(buf);
  free(seen);
}

static void decode_entry(runner *r, const vec_entry *e, const sio_codec_opts *o) {
  uint32_t cap = o->max_attachments ? o->max_attachments : SIO_DEFAULT_MAX_ATTACHMENTS;
  ref_span *slots = calloc(cap, sizeof *slots);
  sio_reasm ra;
  cr_assert_eq(sio_reasm_init(&ra, o, slots, cap), 0);
  int rc = 0, complete = 0;
  sio_packet p, got;
  memset(&got, 0, sizeof got);
  for (size_t i = 0; i < e->nwire && rc >= 0; i++) {
    const vec_msg *m = &e->wire[i];
    rc = m->hex ? sio_reasm_feed_binary(&ra, m->bytes, m->len, &p)
                : sio_reasm_feed_text(&ra, m->bytes, m->len, &p);
    if (rc == SIO_REASM_COMPLETE) {
      complete++;
      got = p;
    }
  }
  if (rc >= 0) rc = sio_reasm_finish(&ra);
  if (e->error) {
    if (rc >= 0)
      fail(r, "accepted (%d packets), want %s", complete, e->error);
    else if (strcmp(ref_err_name(rc), e->error) != 0)
      fail(r, "error %s, want %s", ref_err_name(rc), e->error);
  } else if (rc < 0) {
    fail(r, "refused: %s", ref_err_name(rc));
  } else if (complete != 1) {
    fail(r, "%d packets completed, want 1", complete);
  } else {
    cmp_packet(r, e, &got, slots);
    check_roundtrip(r, e, o, &got);
  }
  /* a single text message decodes the same without the reassembler */
  if (e->nwire == 1 && !e->wire[0].hex) {
    int d = sio_packet_decode(e->wire[0].bytes, e->wire[0].len, o, &p);
    bool binary = d == 0 && (p.type == SIO_PACKET_BINARY_EVENT || p.type == SIO_PACKET_BINARY_ACK);
    if (!binary && d != (rc > 0 ? 0 : rc) && !(d == 0 && rc == REF_ERR_ATTACHMENTS_PENDING))
      fail(r, "sio_packet_decode says %s, the reassembler %s", ref_err_name(d), ref_err_name(rc));
  }
  free(slots);
}

static void encode_entry(runner *r, const vec_entry *e) {
  const cJSON *x = e->packet;
  const cJSON *t = cJSON_GetObjectItemCaseSensitive(x, "type");
  const cJSON *nsp = cJSON_GetObjectItemCaseSensitive(x, "nsp");
  const cJSON *id = cJSON_GetObjectItemCaseSensitive(x, "id");
  const cJSON *att = cJSON_GetObjectItemCaseSensitive(x, "attachments");
  const cJSON *data = cJSON_GetObjectItemCaseSensitive(x, "data");
  if (!cJSON_IsNumber(t) || !cJSON_IsString(nsp)) return fail(r, "cannot build the packet");
  uint8_t *nspb;
  size_t nspl;
  cr_assert_eq(vec_str_bytes(nsp->valuestring, &nspb, &nspl), 0);
  char *text = data ? vec_print_json(data) : NULL;
  sio_packet p = {(sio_packet_type)(int)t->valuedouble,
                  {nspb, nspl},
                  id ? (int64_t)id->valuedouble : SIO_NO_ACK_ID,
                  att ? (uint32_t)att->valuedouble : 0,
                  {(const uint8_t *)text, text ? strlen(text) : 0}};
  bool binary = p.type == SIO_PACKET_BINARY_EVENT || p.type == SIO_PACKET_BINARY_ACK;
  uint8_t *seen = calloc(p.attachments + 1, 1);
  int len = binary ? sio_binary_encode_header(&p, seen, NULL, 0)
                   : sio_packet_encode_proto(&p, PROTO, NULL, 0);
  if (len < 0) {
    fail(r, "encode refused: %s", ref_err_name(len));
  } else {
    uint8_t *buf = malloc((size_t)len + 8);
    memset(buf, 0xAA, (size_t)len + 8);
    int again = binary ? sio_binary_encode_header(&p, seen, buf, (size_t)len)
                       : sio_packet_encode_proto(&p, PROTO, buf, (size_t)len);
    size_t want_msgs = 1 + (binary && e->binary ? (size_t)cJSON_GetArraySize(e->binary) : 0);
    if (again != len)
      fail(r, "encode length changed");
    else if (e->nwire != want_msgs)
      fail(r, "the wire has %zu messages, the encoder sends %zu", e->nwire, want_msgs);
    else if (e->wire[0].hex || e->wire[0].len != (size_t)len ||
             memcmp(e->wire[0].bytes, buf, (size_t)len) != 0)
      fail(r, "encoded \"%.*s\", want \"%s\"", len, buf, (const char *)e->wire[0].bytes);
    for (size_t i = 1; i < e->nwire && i < want_msgs; i++) {
      /* SIO-BIN-14: then the attachments, in num order, as binary messages */
      uint8_t *b;
      size_t bl;
      cr_assert_eq(vec_hex_decode(cJSON_GetArrayItem(e->binary, (int)i - 1)->valuestring, &b, &bl),
                   0);
      if (!e->wire[i].hex || e->wire[i].len != bl || memcmp(e->wire[i].bytes, b, bl) != 0)
        fail(r, "message %zu is not attachment %zu as a binary message", i, i - 1);
      free(b);
    }
    if (len > 0) { /* snprintf style at one byte short */
      memset(buf, 0xAA, (size_t)len + 8);
      int cut = binary ? sio_binary_encode_header(&p, seen, buf, (size_t)len - 1)
                       : sio_packet_encode_proto(&p, PROTO, buf, (size_t)len - 1);
      if (cut != len || buf[len - 1] != 0xAA)
        fail(r, "encode at cap %d wrote past it or changed length", len - 1);
    }
    free(buf);
  }
  free(seen);
  free(text);
  free(nspb);
}

static void run_entry(runner *r, const vec_entry *e, bool invalid_file) {
  r->id = e->id;
  r->entry_failed = false;
  r->run++;
  if (invalid_file != (e->error != NULL))
    fail(r, invalid_file ? "valid entry in an invalid file" : "error entry in a valid file");
  if (e->error && ref_err_from_name(e->error) == 1) fail(r, "unknown error name %s", e->error);
  if (e->packets || e->transport)
    fail(r, "packets / transport do not belong in a Socket.IO vector");
  sio_codec_opts o = {(uint32_t)vec_opt(e, "maxAttachments", 0),
                      (uint32_t)vec_opt(e, "maxJsonDepth", 0), PROTO};
  if (!r->entry_failed) {
    if (vec_decodes(e)) decode_entry(r, e, &o);
    if (vec_encodes(e) && e->packet) encode_entry(r, e);
  }
  if (r->entry_failed) r->failed++;
}

static int run_file(runner *r, const char *path) {
  vec_file f;
  char err[512];
  if (vec_file_load(path, &f, err, sizeof err) != 0) {
    printf("  MALFORMED %s\n", err);
    return -1;
  }
  const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
  r->file = path;
  for (int i = 0; i < f.count; i++) run_entry(r, &f.entries[i], strcmp(base, "invalid.json") == 0);
  vec_file_free(&f);
  return 0;
}

Test(sio_vectors, every_file) {
  static const char *const expected[] = {"packets.json", "binary.json", "invalid.json"};
#if PROTO == SIO_PROTOCOL_V4
  runner_every_file(SIO_VECTORS_DIR "/sio4", expected, sizeof expected / sizeof expected[0],
                    run_file, "Socket.IO v4");
#else
  runner_every_file(SIO_VECTORS_DIR "/sio", expected, sizeof expected / sizeof expected[0],
                    run_file, "Socket.IO");
#endif
}

/* ---- the runner must be able to fail ---- */

static runner run_text(const char *name, const char *text) {
  runner r = {.quiet = true};
  cr_assert_eq(runner_run_text(&r, name, text, run_file), 0);
  return r;
}

#define HEAD        "{\"format\":1,\"about\":\"local test data\",\"vectors\":["
#define E(id, rest) "{\"id\":\"" id "\",\"reqs\":[\"SIO-PK-2\"],\"note\":\"n\"," rest "}"
#define PH0         "{\\\"_placeholder\\\":true,\\\"num\\\":0}"

#if PROTO == SIO_PROTOCOL_V5
Test(sio_vectors, local_data_and_wrong_vectors) {
  runner r = run_text("packets.json",
                      HEAD E("a", "\"dir\":\"both\",\"wire\":{\"text\":\"2/"
                                  "chat,3[\\\"hi\\\",{\\\"a\\\":[1,2.5,null]}]\"},"
                                  "\"packet\":{\"type\":2,"
                                  "\"nsp\":\"/"
                                  "chat\",\"id\":3,\"data\":[\"hi\",{\"a\":[1,2.5,null]}"
                                  "]}") "," E("b", "\"dir\":\"decode\",\"wire\":{\"text\":"
                                                   "\"0{ \\\"b\\\":1, "
                                                   "\\\"a\\\":\\\"x\\\\u0000\\\" "
                                                   "}\"},\"packet\":{\"type\":0,\"nsp\":\"/"
                                                   "\",\"data\":{\"a\":\"x\\u0000\",\"b\":1}"
                                                   "}") "," E("c", "\"dir\":\"both\",\"wire\":{"
                                                                   "\"text\":\"0/"
                                                                   "a,\"},\"packet\":{\"type\":"
                                                                   "0,\"nsp\":\"/a\"}") "]}");
  cr_assert_eq(r.run, 3);
  cr_assert_eq(r.failed, 0);
  r = run_text("binary.json",
               HEAD E("bin", "\"dir\":\"both\",\"wire\":[{\"text\":\"51-[\\\"up\\\"," PH0
                             "]\"},{\"hex\":\"00ff\"}],\"packet\":{\"type\":5,\"nsp\":\"/"
                             "\",\"attachments\":1,\"data\":[\"up\",{\"_placeholder\":true,\"num\":"
                             "0}]},\"binary\":[\"00ff\"]") "]}");
  cr_assert_eq(r.run, 1);
  cr_assert_eq(r.failed, 0);
  r = run_text(
      "packets.json",
      HEAD E(
          "w1",
          "\"dir\":\"decode\",\"wire\":{\"text\":\"2[\\\"hi\\\"]\"},\"packet\":{\"type\":"
          "2,\"nsp\":\"/\",\"data\":[\"ho\"]}") "," E("w2",
                                                      "\"dir\":\"decode\",\"wire\":{"
                                                      "\"text\":\"2[\\\"hi\\\"]\"},"
                                                      "\"packet\":{\"type\":2,"
                                                      "\"nsp\":\"/"
                                                      "x\",\"data\":[\"hi\"]}") "," E("w3",
                                                                                      "\"dir\":"
                                                                                      "\"decode"
                                                                                      "\","
                                                                                      "\"wire\":"
                                                                                      "{\"text\""
                                                                                      ":\"21["
                                                                                      "\\\"hi\\"
                                                                                      "\"]\"},"
                                                                                      "\"packet"
                                                                                      "\":{"
                                                                                      "\"type\":"
                                                                                      "2,"
                                                                                      "\"nsp\":"
                                                                                      "\"/"
                                                                                      "\","
                                                                                      "\"data\":"
                                                                                      "[\"hi\"]"
                                                                                      "}") "," E("w"
                                                                                                 "4",
                                                                                                 "\"dir\":\"encode\",\"wire\":{\"text\":\"2["
                                                                                                 "\\\"hi\\\" "
                                                                                                 "]"
                                                                                                 "\"},\"packet\":{\"type\":2,\"nsp\":\"/"
                                                                                                 "\",\"data\":[\"hi\"]}") "," E("w5",
                                                                                                                                "\"dir\":"
                                                                                                                                "\"decode\","
                                                                                                                                "\"wire\":{"
                                                                                                                                "\"text\":\"2["
                                                                                                                                "\\\"a\\\\u0000"
                                                                                                                                "\\\"]\"},"
                                                                                                                                "\"packet\":{"
                                                                                                                                "\"type\":2,"
                                                                                                                                "\"nsp\":\"/"
                                                                                                                                "\",\"data\":["
                                                                                                                                "\"a\"]}") "]}");
  cr_assert_eq(r.run, 5);
  cr_assert_eq(r.failed, 5);
  r = run_text("binary.json",
               HEAD E("wb", "\"dir\":\"decode\",\"wire\":[{\"text\":\"51-[\\\"up\\\"," PH0
                            "]\"},{\"hex\":\"00ff\"}],\"packet\":{\"type\":5,\"nsp\":\"/"
                            "\",\"attachments\":1,\"data\":[\"up\",{\"_placeholder\":true,\"num\":"
                            "0}]},\"binary\":[\"00fe\"]") "]}");
  cr_assert_eq(r.failed, 1);
  r = run_text(
      "invalid.json",
      HEAD E("i1",
             "\"dir\":\"decode\",\"wire\":{\"text\":\"2[]\"},\"error\":\"bad-event-"
             "name\"") "," E("i2",
                             "\"dir\":\"decode\",\"wire\":[{\"text\":\"51-["
                             "\\\"up\\\"," PH0 "]\"}],\"error\":\"attachments-"
                             "pending\"") "," E("i3",
                                                "\"dir\":\"decode\",\"wire\":{\"text\":\"2["
                                                "\\\"a\\\"]\"},\"error\":"
                                                "\"invalid-json\"") "," E("i4",
                                                                          "\"dir\":\"decode\","
                                                                          "\"wire\":{\"text\":\"2[]"
                                                                          "\"},"
                                                                          "\"error\":\"invalid-"
                                                                          "json\"") "]}");
  cr_assert_eq(r.run, 4);
  cr_assert_eq(r.failed, 2, "i3 and i4 are wrong");
}
#else
/* Protocol v4 is in force: a v5 CONNECT with an auth object, kept as a valid packet, and
 * a v5 object CONNECT_ERROR refused as if v4 forbade it, both fail (SIO-FPK-3, SIO-FPK-4);
 * the v4 forms pass. */
Test(sio_vectors, v4_rules_apply) {
  runner r = run_text(
      "packets.json",
      HEAD E(
          "ok1",
          "\"dir\":\"both\",\"wire\":{\"text\":\"4/a,\\\"no\\\"\"},"
          "\"packet\":{\"type\":4,\"nsp\":\"/a\",\"data\":\"no\"}") "," E("ok2",
                                                                          "\"dir\":\"both\","
                                                                          "\"wire\":{\"text\":"
                                                                          "\"0\"},"
                                                                          "\"packet\":{"
                                                                          "\"type\":0,\"nsp\":"
                                                                          "\"/\"}") "," E("w1",
                                                                                          "\"di"
                                                                                          "r\":"
                                                                                          "\"de"
                                                                                          "code"
                                                                                          "\","
                                                                                          "\"wi"
                                                                                          "re\""
                                                                                          ":{"
                                                                                          "\"te"
                                                                                          "xt\""
                                                                                          ":\"0"
                                                                                          "{}"
                                                                                          "\"},"
                                                                                          "\"pa"
                                                                                          "cket"
                                                                                          "\":{"
                                                                                          "\"ty"
                                                                                          "pe\""
                                                                                          ":0,"
                                                                                          "\"ns"
                                                                                          "p\":"
                                                                                          "\"/"
                                                                                          "\","
                                                                                          "\"da"
                                                                                          "ta\""
                                                                                          ":{}"
                                                                                          "}") "]"
                                                                                               "}");
  cr_assert_eq(r.run, 3);
  cr_assert_eq(r.failed, 1, "w1 is a v5 CONNECT");
  r = run_text("invalid.json",
               HEAD E("i1", "\"dir\":\"decode\",\"wire\":{\"text\":"
                            "\"4\\\"no\\\"\"},\"error\":\"bad-payload-shape\"") "]}");
  cr_assert_eq(r.failed, 1, "a string ERROR is valid in v4");
}
#endif
