/* Runs every vector in vectors/msgpack/ through sio_msgpack: decode (compared with the
 * vector's packet and binary list, or its error name) and, for dir both, encode the
 * decoded packet back to the wire byte for byte. Also shows that the runner fails on a
 * wrong vector. Spec tags: SIO-MP-* (whatever the vectors cite). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sioref/err.h"
#include "sioref/sio_msgpack.h"
#include "vec.h"
#include "vec_runner.h"

/* SIO-MP-14 as the vectors show it: bin values become placeholders numbered in
 * document order, their hex appended to BINS. */
static cJSON *to_json(const msgpack_object *o, cJSON *bins) {
  switch (o->type) {
  case MSGPACK_OBJECT_NIL:
    return cJSON_CreateNull();
  case MSGPACK_OBJECT_BOOLEAN:
    return cJSON_CreateBool(o->via.boolean);
  case MSGPACK_OBJECT_POSITIVE_INTEGER:
    return cJSON_CreateNumber((double)o->via.u64);
  case MSGPACK_OBJECT_NEGATIVE_INTEGER:
    return cJSON_CreateNumber((double)o->via.i64);
  case MSGPACK_OBJECT_FLOAT32:
  case MSGPACK_OBJECT_FLOAT64:
    return cJSON_CreateNumber(o->via.f64);
  case MSGPACK_OBJECT_STR: {
    char *s = strndup(o->via.str.ptr, o->via.str.size);
    cJSON *j = cJSON_CreateString(s);
    free(s);
    return j;
  }
  case MSGPACK_OBJECT_BIN: {
    char *hex = malloc(2 * o->via.bin.size + 1);
    vec_hex_encode((const uint8_t *)o->via.bin.ptr, o->via.bin.size, hex);
    cJSON_AddItemToArray(bins, cJSON_CreateString(hex));
    free(hex);
    cJSON *ph = cJSON_CreateObject();
    cJSON_AddTrueToObject(ph, "_placeholder");
    cJSON_AddNumberToObject(ph, "num", cJSON_GetArraySize(bins) - 1);
    return ph;
  }
  case MSGPACK_OBJECT_ARRAY: {
    cJSON *a = cJSON_CreateArray();
    for (uint32_t i = 0; i < o->via.array.size; i++)
      cJSON_AddItemToArray(a, to_json(&o->via.array.ptr[i], bins));
    return a;
  }
  case MSGPACK_OBJECT_MAP: {
    cJSON *m = cJSON_CreateObject();
    for (uint32_t i = 0; i < o->via.map.size; i++) {
      char *k = strndup(o->via.map.ptr[i].key.via.str.ptr, o->via.map.ptr[i].key.via.str.size);
      cJSON_AddItemToObject(m, k, to_json(&o->via.map.ptr[i].val, bins));
      free(k);
    }
    return m;
  }
  default:
    return NULL; /* ext: refused by the decoder */
  }
}

static void check_packet(runner *r, const vec_entry *e, const sio_mp_packet *p) {
  const cJSON *t = cJSON_GetObjectItemCaseSensitive(e->packet, "type");
  const cJSON *n = cJSON_GetObjectItemCaseSensitive(e->packet, "nsp");
  const cJSON *id = cJSON_GetObjectItemCaseSensitive(e->packet, "id");
  const cJSON *d = cJSON_GetObjectItemCaseSensitive(e->packet, "data");
  if (!cJSON_IsNumber(t) || t->valueint != p->type) return fail(r, "type %d", p->type);
  if (!cJSON_IsString(n) || strlen(n->valuestring) != p->nsp.len ||
      memcmp(n->valuestring, p->nsp.ptr, p->nsp.len) != 0)
    return fail(r, "nsp %.*s", (int)p->nsp.len, (const char *)p->nsp.ptr);
  if ((id != NULL) != p->has_id || (id && (uint64_t)id->valuedouble != p->id))
    return fail(r, "ack id differs");
  if ((d != NULL) != (p->data != NULL)) return fail(r, "data present/absent differs");
  cJSON *bins = cJSON_CreateArray();
  cJSON *got = p->data ? to_json(p->data, bins) : NULL;
  if (d && !cJSON_Compare(d, got, true)) {
    char *s = cJSON_PrintUnformatted(got);
    fail(r, "data %s", s);
    free(s);
  }
  cJSON *want_bins = e->binary ? cJSON_Duplicate(e->binary, true) : cJSON_CreateArray();
  if (!cJSON_Compare(want_bins, bins, true)) fail(r, "binary values differ");
  cJSON_Delete(want_bins);
  cJSON_Delete(got);
  cJSON_Delete(bins);
}

static void run_entry(runner *r, const vec_entry *e) {
  r->id = e->id;
  r->entry_failed = false;
  const vec_msg *m = &e->wire[0];
  sio_mp_msg msg;
  int rc = sio_mp_decode(m->bytes, m->len, (int)vec_opt(e, "maxJsonDepth", 0), &msg);
  if (e->nwire != 1 || e->wire_is_list)
    fail(r, "a msgpack vector holds exactly one message");
  else if (e->error) {
    if (rc >= 0)
      fail(r, "accepted, want %s", e->error);
    else if (strcmp(ref_err_name(rc), e->error) != 0)
      fail(r, "error %s, want %s", ref_err_name(rc), e->error);
  } else if (rc < 0) {
    fail(r, "refused: %s", ref_err_name(rc));
  } else {
    check_packet(r, e, &msg.pkt);
    if (e->dir == VEC_DIR_BOTH) { /* SIO-MP-15, SIO-MP-16: the canonical wire again */
      msgpack_sbuffer sb;
      msgpack_sbuffer_init(&sb);
      int erc = sio_mp_encode(&msg.pkt, &sb);
      if (erc != 0 || sb.size != m->len || memcmp(sb.data, m->bytes, m->len) != 0)
        fail(r, "re-encoding gives %zu bytes (rc %d), want the wire (%zu bytes)", sb.size, erc,
             m->len);
      msgpack_sbuffer_destroy(&sb);
    }
  }
  sio_mp_msg_free(&msg);
  r->run++;
  if (r->entry_failed) r->failed++;
}

static int run_file(runner *r, const char *path) { return runner_run_file(r, path, run_entry); }

Test(msgpack_vectors, every_file) {
  static const char *const expected[] = {"packets.json", "invalid.json"};
  runner_every_file(SIO_VECTORS_DIR "/msgpack", expected, sizeof expected / sizeof expected[0],
                    run_file, "Socket.IO msgpack");
}

/* The runner must be able to fail: a right vector passes; the same wire with another
 * expected namespace, or with a wrong error name, fails. */
Test(msgpack_vectors, wrong_vectors_fail) {
  /* {type: 1, nsp: "/a"} */
  static const char *const bodies[] = {
      "\"dir\":\"both\",\"wire\":{\"hex\":\"82a474797065 01a36e7370a22f61\"},"
      "\"packet\":{\"type\":1,\"nsp\":\"/a\"}",
      "\"dir\":\"both\",\"wire\":{\"hex\":\"82a47479706501a36e7370a22f61\"},"
      "\"packet\":{\"type\":1,\"nsp\":\"/a\"}",
      "\"dir\":\"both\",\"wire\":{\"hex\":\"82a47479706501a36e7370a22f61\"},"
      "\"packet\":{\"type\":1,\"nsp\":\"/b\"}",
      "\"dir\":\"decode\",\"wire\":{\"hex\":\"82a47479706501a36e7370a22f61\"},"
      "\"error\":\"bad-msgpack\"",
  };
  static const int want_failed[] = {-1, 0, 1, 1}; /* -1: the loader refuses the file */
  for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
    char text[1024];
    snprintf(text, sizeof text,
             "{\"format\":1,\"about\":\"local\",\"vectors\":[{\"id\":\"a\",\"reqs\":[\"SIO-MP-2\"],"
             "\"note\":\"n\",%s}]}",
             bodies[i]);
    runner r = {.quiet = true};
    int rc = runner_run_text(&r, "v.json", text, run_file);
    if (want_failed[i] < 0)
      cr_expect_eq(rc, -1, "case %zu: the loader should refuse it", i);
    else
      cr_expect(rc == 0 && r.run == 1 && r.failed == want_failed[i], "case %zu: %d run, %d failed",
                i, r.run, r.failed);
  }
}
