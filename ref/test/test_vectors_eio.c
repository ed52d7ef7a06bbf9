/* Runs every Engine.IO vector in vectors/eio/ through the codec: decode (compared with
 * the vector's packet(s) or error name), encode where dir allows (byte-exact), encode
 * at a too-small capacity, and the incremental payload reader at every split of every
 * body. Also proves the runner itself fails on wrong vectors and malformed files.
 * Spec tags: EIO-PK-*, EIO-PL-* (whatever the vectors cite). */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sioref/eio_codec.h"
#include "sioref/err.h"
#include "vec.h"
#include "vec_runner.h"

static const char *const type_names[] = {"open",    "close",   "ping", "pong",
                                         "message", "upgrade", "noop"};

/* A decoded packet in comparable form (binary data decoded from base64). */
typedef struct got_pkt {
  eio_packet_type type;
  bool binary;
  uint8_t *bytes;
  size_t len;
} got_pkt;

static got_pkt capture(const eio_packet *p) {
  got_pkt g = {p->type, p->kind != EIO_DATA_TEXT, NULL, 0};
  if (p->kind == EIO_DATA_BASE64) {
    g.bytes = malloc(eio_base64_decoded_len(p->data.len) + 1);
    int n =
        eio_base64_decode(p->data.ptr, p->data.len, g.bytes, eio_base64_decoded_len(p->data.len));
    cr_assert_geq(n, 0, "decoder accepted base64 that eio_base64_decode refuses");
    g.len = (size_t)n;
  } else {
    g.bytes = malloc(p->data.len + 1);
    if (p->data.len) memcpy(g.bytes, p->data.ptr, p->data.len);
    g.len = p->data.len;
  }
  return g;
}

/* Compare with an expected {"type", "data"?, "binary"?}; NULL when equal. */
static const char *cmp_pkt(const cJSON *exp, const got_pkt *g) {
  static char why[256];
  const cJSON *t = cJSON_GetObjectItemCaseSensitive(exp, "type");
  const cJSON *d = cJSON_GetObjectItemCaseSensitive(exp, "data");
  const cJSON *b = cJSON_GetObjectItemCaseSensitive(exp, "binary");
  for (const cJSON *k = exp->child; k; k = k->next)
    if (strcmp(k->string, "type") && strcmp(k->string, "data") && strcmp(k->string, "binary"))
      return snprintf(why, sizeof why, "packet has unknown member %s", k->string), why;
  if (!cJSON_IsString(t)) return "packet type is not a string";
  if (strcmp(t->valuestring, type_names[g->type]) != 0)
    return snprintf(why, sizeof why, "type %s, want %s", type_names[g->type], t->valuestring), why;
  if (b) {
    if (d || !cJSON_IsString(b)) return "packet has both data and binary, or binary is not hex";
    if (!g->binary) return "got text data, want binary";
    char *hex = malloc(2 * g->len + 1);
    vec_hex_encode(g->bytes, g->len, hex);
    bool same = strcasecmp(hex, b->valuestring) == 0;
    snprintf(why, sizeof why, "binary %s, want %s", hex, b->valuestring);
    free(hex);
    return same ? NULL : why;
  }
  if (g->binary) return "got binary data, want text";
  if (d && !cJSON_IsString(d)) return "data is not a string";
  uint8_t *want;
  size_t wl;
  cr_assert_eq(vec_str_bytes(d ? d->valuestring : "", &want, &wl), 0);
  bool same = wl == g->len && memcmp(want, g->bytes, g->len) == 0;
  snprintf(why, sizeof why, "data \"%.*s\" (%zu bytes), want \"%s\" (%zu bytes)",
           (int)(g->len > 80 ? 80 : g->len), (const char *)g->bytes, g->len, (const char *)want,
           wl);
  free(want);
  return same ? NULL : why;
}

/* Build a packet from its vector JSON; binary bytes go to *OWNED (free it). */
static bool from_json(const cJSON *j, eio_packet *p, uint8_t **owned) {
  *owned = NULL;
  const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "type");
  const cJSON *d = cJSON_GetObjectItemCaseSensitive(j, "data");
  const cJSON *b = cJSON_GetObjectItemCaseSensitive(j, "binary");
  if (!cJSON_IsString(t)) return false;
  int type = -1;
  for (int i = 0; i < 7; i++)
    if (strcmp(type_names[i], t->valuestring) == 0) type = i;
  if (type < 0) return false;
  p->type = (eio_packet_type)type;
  if (b) {
    size_t n;
    if (!cJSON_IsString(b) || vec_hex_decode(b->valuestring, owned, &n) != 0) return false;
    p->kind = EIO_DATA_BINARY;
    p->data = (ref_span){*owned, n};
  } else {
    size_t n;
    if (d && !cJSON_IsString(d)) return false;
    if (vec_str_bytes(d ? d->valuestring : "", owned, &n) != 0) return false;
    p->kind = EIO_DATA_TEXT;
    p->data = (ref_span){*owned, n};
  }
  return true;
}

/* ---- payload decoding: whole-body iterator and chunked reader ---- */

typedef struct body_result {
  got_pkt *pk;
  int n, cap;
  int err;
} body_result;

static void body_free(body_result *r) {
  for (int i = 0; i < r->n; i++) free(r->pk[i].bytes);
  free(r->pk);
  r->pk = NULL;
  r->n = r->cap = 0;
}

static void body_add(runner *r, body_result *br, const eio_packet *p) {
  (void)r;
  if (br->n == br->cap) {
    br->cap = br->cap ? 2 * br->cap : 16;
    br->pk = realloc(br->pk, (size_t)br->cap * sizeof *br->pk);
    cr_assert_not_null(br->pk);
  }
  br->pk[br->n++] = capture(p);
}

static body_result decode_body(runner *r, const vec_msg *m, size_t max_payload,
                               size_t max_packets) {
  body_result br = {.n = 0};
  eio_payload_iter it;
  int rc = eio_payload_iter_init(&it, m->bytes, m->len, max_payload, max_packets);
  eio_packet p;
  if (rc == 0)
    while ((rc = eio_payload_next(&it, &p)) == 1) body_add(r, &br, &p);
  br.err = rc;
  return br;
}

/* Feed M in chunks ending at CUTS; compare with WHOLE. */
static void reader_matches(runner *r, const vec_msg *m, size_t max_payload, size_t max_packets,
                           const body_result *whole, const size_t *cuts, size_t ncuts,
                           const char *how) {
  body_result br = {.n = 0};
  uint8_t *store = malloc(m->len + 1);
  eio_payload_reader rd;
  cr_assert_eq(eio_payload_reader_init(&rd, store, m->len, m->len, max_payload, max_packets), 0);
  size_t start = 0;
  int rc = 0;
  for (size_t c = 0; c <= ncuts && rc >= 0 && rc != EIO_READER_DONE; c++) {
    size_t end = c < ncuts ? cuts[c] : m->len;
    uint8_t *chunk = malloc(end - start + 1); /* its own allocation: overreads show */
    memcpy(chunk, m->bytes + start, end - start);
    const uint8_t *cp = chunk;
    size_t cl = end - start;
    eio_packet p;
    while ((rc = eio_payload_reader_next(&rd, &cp, &cl, &p)) == EIO_READER_PACKET)
      body_add(r, &br, &p);
    free(chunk);
    start = end;
  }
  br.err = rc == EIO_READER_DONE ? 0 : rc;
  if (rc == EIO_READER_MORE) fail(r, "reader (%s) wants more after the whole body", how);
  bool same = br.err == whole->err && br.n == whole->n;
  for (int i = 0; same && i < br.n; i++)
    same = br.pk[i].type == whole->pk[i].type && br.pk[i].binary == whole->pk[i].binary &&
           br.pk[i].len == whole->pk[i].len &&
           (br.pk[i].len == 0 || memcmp(br.pk[i].bytes, whole->pk[i].bytes, br.pk[i].len) == 0);
  if (!same)
    fail(r, "reader (%s) gives %d packets/%s, iterator %d/%s", how, br.n, ref_err_name(br.err),
         whole->n, ref_err_name(whole->err));
  body_free(&br);
  free(store);
}

/* EIO-PL: chunking never changes the result: every split into two chunks, every pair
 * of cuts for short bodies, and 1-byte chunks. */
static void check_chunking(runner *r, const vec_msg *m, size_t mp, size_t mk,
                           const body_result *w) {
  reader_matches(r, m, mp, mk, w, NULL, 0, "one chunk");
  for (size_t i = 0; i <= m->len && !r->entry_failed; i++) {
    reader_matches(r, m, mp, mk, w, &i, 1, "two chunks");
    for (size_t j = i; m->len <= 64 && j <= m->len && !r->entry_failed; j++) {
      size_t cuts[2] = {i, j};
      reader_matches(r, m, mp, mk, w, cuts, 2, "three chunks");
    }
  }
  if (m->len > 1) {
    size_t *cuts = malloc(m->len * sizeof *cuts);
    for (size_t i = 0; i + 1 < m->len; i++) cuts[i] = i + 1;
    reader_matches(r, m, mp, mk, w, cuts, m->len - 1, "1-byte chunks");
    free(cuts);
  }
}

/* ---- one entry ---- */

static void check_encoded(runner *r, const eio_packet *ps, size_t n, bool body, eio_transport t,
                          const vec_msg *want) {
  int len = body ? eio_payload_encode(ps, n, NULL, 0) : eio_packet_encode(ps, t, NULL, 0);
  if (len < 0) return fail(r, "encode refused: %s", ref_err_name(len));
  uint8_t *buf = malloc((size_t)len + 8);
  memset(buf, 0xAA, (size_t)len + 8);
  int again = body ? eio_payload_encode(ps, n, buf, (size_t)len)
                   : eio_packet_encode(ps, t, buf, (size_t)len);
  bool binary_out = !body && t == EIO_TRANSPORT_WEBSOCKET && ps[0].kind != EIO_DATA_TEXT;
  if (again != len)
    fail(r, "encode length changed %d -> %d", len, again);
  else if ((size_t)len != want->len || memcmp(buf, want->bytes, want->len) != 0)
    fail(r, "encoded \"%.*s\" (%d bytes), want \"%s\" (%zu bytes)", len > 80 ? 80 : len, buf, len,
         (const char *)want->bytes, want->len);
  else if (t == EIO_TRANSPORT_WEBSOCKET && !body && binary_out != want->hex)
    fail(r, "encoded as a %s message, the wire is %s", binary_out ? "binary" : "text",
         want->hex ? "hex (binary)" : "text");
  /* snprintf style: one byte short still reports the full length, writes nothing past */
  if (len > 0) {
    memset(buf, 0xAA, (size_t)len + 8);
    int cut = body ? eio_payload_encode(ps, n, buf, (size_t)len - 1)
                   : eio_packet_encode(ps, t, buf, (size_t)len - 1);
    if (cut != len || buf[len - 1] != 0xAA)
      fail(r, "encode at cap %d wrote past it or changed length", len - 1);
  }
  free(buf);
}

static void run_entry(runner *r, const vec_entry *e, bool payload_file, bool invalid_file) {
  r->id = e->id;
  r->entry_failed = false;
  bool body = payload_file || (e->transport && strcmp(e->transport, "polling") == 0);
  size_t mp = (size_t)vec_opt(e, "maxPayload", 0), mk = (size_t)vec_opt(e, "maxPackets", 0);
  if (invalid_file != (e->error != NULL))
    fail(r, invalid_file ? "valid entry in an invalid file" : "error entry in a valid file");
  if (e->error && ref_err_from_name(e->error) == 1) fail(r, "unknown error name %s", e->error);
  if (e->nwire != 1 || e->wire_is_list) fail(r, "an Engine.IO vector holds exactly one message");
  if (payload_file && !e->packets && !e->error) fail(r, "payloads.json entries need packets");
  if (!payload_file && e->packets) fail(r, "packets (a list) only in payloads.json");
  if (r->entry_failed) {
    r->run++, r->failed++;
    return;
  }
  const vec_msg *m = &e->wire[0];

  if (vec_decodes(e)) {
    if (body) {
      body_result br = decode_body(r, m, mp, mk);
      if (e->error) {
        if (br.err >= 0)
          fail(r, "body accepted, want %s", e->error);
        else if (strcmp(ref_err_name(br.err), e->error) != 0)
          fail(r, "error %s, want %s", ref_err_name(br.err), e->error);
      } else {
        const cJSON *list = e->packets;
        int want_n = list ? cJSON_GetArraySize(list) : 1;
        if (br.err < 0)
          fail(r, "body refused: %s", ref_err_name(br.err));
        else if (br.n != want_n)
          fail(r, "%d packets, want %d", br.n, want_n);
        else
          for (int i = 0; i < br.n; i++) {
            const char *why = cmp_pkt(list ? cJSON_GetArrayItem(list, i) : e->packet, &br.pk[i]);
            if (why) fail(r, "packet %d: %s", i, why);
          }
      }
      check_chunking(r, m, mp, mk, &br);
      body_free(&br);
    } else {
      eio_packet p;
      int rc = m->hex ? eio_packet_decode_binary(m->bytes, m->len, &p)
                      : eio_packet_decode_text(m->bytes, m->len, &p);
      if (e->error) {
        if (rc >= 0)
          fail(r, "accepted, want %s", e->error);
        else if (strcmp(ref_err_name(rc), e->error) != 0)
          fail(r, "error %s, want %s", ref_err_name(rc), e->error);
      } else if (rc < 0) {
        fail(r, "refused: %s", ref_err_name(rc));
      } else {
        got_pkt g = capture(&p);
        const char *why = cmp_pkt(e->packet, &g);
        if (why) fail(r, "%s", why);
        free(g.bytes);
        /* decode -> encode (same form: a binary message stays one) -> the wire again,
         * byte for byte with dir both; a decode-only wire (e.g. the 'b' form on
         * WebSocket) re-encodes to something that decodes to the same packet */
        eio_transport t = m->hex ? EIO_TRANSPORT_WEBSOCKET : EIO_TRANSPORT_POLLING;
        if (!m->hex && memchr(m->bytes, 0x1e, m->len)) t = EIO_TRANSPORT_WEBSOCKET;
        if (!m->hex && p.kind == EIO_DATA_BASE64) t = EIO_TRANSPORT_POLLING;
        int n = eio_packet_encode(&p, t, NULL, 0);
        uint8_t *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
        if (n < 0)
          fail(r, "the encoder refuses the decoded packet: %s", ref_err_name(n));
        else {
          eio_packet_encode(&p, t, buf, (size_t)n);
          if (e->dir == VEC_DIR_BOTH && ((size_t)n != m->len || memcmp(buf, m->bytes, m->len) != 0))
            fail(r, "re-encoding the decoded packet is not the wire");
          eio_packet q;
          int rc2 = m->hex ? eio_packet_decode_binary(buf, (size_t)n, &q)
                           : eio_packet_decode_text(buf, (size_t)n, &q);
          got_pkt g1 = capture(&p), g2;
          if (rc2 != 0)
            fail(r, "the re-encoded packet does not decode: %s", ref_err_name(rc2));
          else {
            g2 = capture(&q);
            if (g1.type != g2.type || g1.binary != g2.binary || g1.len != g2.len ||
                (g1.len && memcmp(g1.bytes, g2.bytes, g1.len) != 0))
              fail(r, "decode -> encode -> decode changed the packet");
            free(g2.bytes);
          }
          free(g1.bytes);
        }
        free(buf);
      }
    }
  }

  if (vec_encodes(e) && !e->error) {
    if (payload_file) {
      int n = cJSON_GetArraySize(e->packets);
      eio_packet *ps = calloc((size_t)n + 1, sizeof *ps);
      uint8_t **owned = calloc((size_t)n + 1, sizeof *owned);
      bool ok = true;
      for (int i = 0; i < n; i++)
        ok = ok && from_json(cJSON_GetArrayItem(e->packets, i), &ps[i], &owned[i]);
      if (!ok)
        fail(r, "cannot build packets from the vector");
      else
        check_encoded(r, ps, (size_t)n, true, EIO_TRANSPORT_POLLING, m);
      for (int i = 0; i < n; i++) free(owned[i]);
      free(owned);
      free(ps);
    } else {
      eio_packet p;
      uint8_t *owned;
      if (!from_json(e->packet, &p, &owned))
        fail(r, "cannot build the packet from the vector");
      else if (body)
        check_encoded(r, &p, 1, false, EIO_TRANSPORT_POLLING, m);
      else {
        /* EIO-PK-14: the WebSocket form (a text packet is the same on both) */
        check_encoded(r, &p, 1, false, EIO_TRANSPORT_WEBSOCKET, m);
        /* ... unless its data holds 0x1E, which polling cannot carry (EIO-PL-8) */
        if (p.kind == EIO_DATA_TEXT && !memchr(p.data.ptr, 0x1e, p.data.len))
          check_encoded(r, &p, 1, false, EIO_TRANSPORT_POLLING, m);
        else if (p.kind == EIO_DATA_TEXT &&
                 eio_packet_encode(&p, EIO_TRANSPORT_POLLING, NULL, 0) >= 0)
          fail(r, "encoded text holding 0x1E for polling");
      }
      free(owned);
    }
  }
  r->run++;
  if (r->entry_failed) r->failed++;
}

/* Run every entry of PATH; returns -1 when the file is malformed. */
static int run_file(runner *r, const char *path) {
  vec_file f;
  char err[512];
  if (vec_file_load(path, &f, err, sizeof err) != 0) {
    printf("  MALFORMED %s\n", err);
    return -1;
  }
  const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
  bool payload_file = strcmp(base, "payloads.json") == 0;
  bool invalid_file = strcmp(base, "invalid.json") == 0;
  r->file = path;
  for (int i = 0; i < f.count; i++) run_entry(r, &f.entries[i], payload_file, invalid_file);
  vec_file_free(&f);
  return 0;
}

Test(eio_vectors, every_file) {
  static const char *const expected[] = {"packets.json", "payloads.json", "invalid.json"};
  runner_every_file(SIO_VECTORS_DIR "/eio", expected, sizeof expected / sizeof expected[0],
                    run_file, "Engine.IO");
}

/* ---- the runner must be able to fail ---- */

static char tmpdir[64];

static const char *write_tmp(const char *name, const char *text) {
  static char path[128];
  if (!tmpdir[0]) {
    strcpy(tmpdir, "/tmp/sioconform-vec-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
  }
  snprintf(path, sizeof path, "%s/%s", tmpdir, name);
  FILE *fp = fopen(path, "w");
  cr_assert_not_null(fp);
  fputs(text, fp);
  fclose(fp);
  return path;
}

static void rm_tmp(const char *path) {
  unlink(path);
  rmdir(tmpdir);
  tmpdir[0] = 0;
}

#define HEAD        "{\"format\":1,\"about\":\"local test data\",\"vectors\":["
#define E(id, rest) "{\"id\":\"" id "\",\"reqs\":[\"EIO-PK-3\"],\"note\":\"n\"," rest "}"

Test(eio_vectors, local_data_and_wrong_vectors) {
  /* right vectors: 0 failed */
  const char *ok = HEAD E(
      "a",
      "\"dir\":\"both\",\"wire\":{\"text\":\"4hi\"},\"packet\":{\"type\":\"message\","
      "\"data\":\"hi\"}") "," E("b",
                                "\"dir\":\"both\",\"wire\":{\"hex\":\"0102\"},"
                                "\"packet\":{\"type\":\"message\",\"binary\":"
                                "\"0102\"}") "," E("c", "\"dir\":\"both\",\"transport\":"
                                                        "\"polling\",\"wire\":{\"text\":"
                                                        "\"bAQI=\"},\"packet\":{"
                                                        "\"type\":\"message\",\"binary\":"
                                                        "\"0102\"}") "," E("d", "\"dir\":"
                                                                                "\"decode\","
                                                                                "\"wire\":{"
                                                                                "\"text\":\"2\"},"
                                                                                "\"packet\":{"
                                                                                "\"type\":"
                                                                                "\"ping\"}") "]}";
  runner r = {.quiet = true};
  const char *p = write_tmp("packets.json", ok);
  cr_assert_eq(run_file(&r, p), 0);
  rm_tmp(p);
  cr_assert_eq(r.run, 4);
  cr_assert_eq(r.failed, 0);
  const char *pl = HEAD E("p", "\"dir\":\"both\",\"wire\":{\"text\":\"4a\\u001e2\\u001ebAQ==\"},"
                               "\"packets\":[{\"type\":\"message\",\"data\":\"a\"},{\"type\":"
                               "\"ping\"},{\"type\":\"message\",\"binary\":\"01\"}]") "]}";
  r = (runner){.quiet = true};
  p = write_tmp("payloads.json", pl);
  cr_assert_eq(run_file(&r, p), 0);
  rm_tmp(p);
  cr_assert_eq(r.run, 1);
  cr_assert_eq(r.failed, 0);
  /* wrong vectors: each one counted as failed */
  const char *bad = HEAD E(
      "w1",
      "\"dir\":\"both\",\"wire\":{\"text\":\"4hi\"},\"packet\":{"
      "\"type\":\"message\",\"data\":\"ho\"}") "," E("w2",
                                                     "\"dir\":\"both\",\"wire\":{\"text\":"
                                                     "\"4hi\"},\"packet\":{\"type\":\"ping\","
                                                     "\"data\":"
                                                     "\"hi\"}") "," E("w3",
                                                                      "\"dir\":\"both\",\"wire\":"
                                                                      "{\"text\":\"0102\"},"
                                                                      "\"packet\":{\"type\":"
                                                                      "\"message\",\"binary\":"
                                                                      "\"0102\"}") "," E("w4",
                                                                                         "\"dir\""
                                                                                         ":\"enco"
                                                                                         "de\","
                                                                                         "\"wire"
                                                                                         "\":{"
                                                                                         "\"text"
                                                                                         "\":"
                                                                                         "\"4hi "
                                                                                         "\"},"
                                                                                         "\"packe"
                                                                                         "t\":{"
                                                                                         "\"type"
                                                                                         "\":"
                                                                                         "\"messa"
                                                                                         "ge\","
                                                                                         "\"data"
                                                                                         "\":"
                                                                                         "\"hi\""
                                                                                         "}") "]"
                                                                                              "}";
  r = (runner){.quiet = true};
  p = write_tmp("packets.json", bad);
  cr_assert_eq(run_file(&r, p), 0);
  rm_tmp(p);
  cr_assert_eq(r.run, 4);
  cr_assert_eq(r.failed, 4);
  const char *inv = HEAD E(
      "i1",
      "\"dir\":\"decode\",\"wire\":{\"text\":\"\"},\"error\":\"bad-"
      "packet-type\"") "," E("i2",
                             "\"dir\":\"decode\",\"wire\":{"
                             "\"text\":\"4a\"},\"error\":\"empty-"
                             "packet\"") "," E("i3",
                                               "\"dir\":\"decode\",\"transport\":\"polling\","
                                               "\"wire\":{\"text\":\"4a\\u001e\"},\"error\":"
                                               "\"empty-packet\"") "," E("i4",
                                                                         "\"dir\":\"decode\","
                                                                         "\"transport\":"
                                                                         "\"polling\","
                                                                         "\"opts\":{"
                                                                         "\"maxPackets\":1},"
                                                                         "\"wire\":{\"text\":"
                                                                         "\"4a\\u001e4b\"},"
                                                                         "\"error\":"
                                                                         "\"too-many-"
                                                                         "packets\"") "," E("i5",
                                                                                            "\"dir"
                                                                                            "\":"
                                                                                            "\"deco"
                                                                                            "de\","
                                                                                            "\"wire"
                                                                                            "\":{"
                                                                                            "\"text"
                                                                                            "\":"
                                                                                            "\"x\"}"
                                                                                            ",\"err"
                                                                                            "or\":"
                                                                                            "\"no-"
                                                                                            "such-"
                                                                                            "error"
                                                                                            "\"") "]}";
  r = (runner){.quiet = true};
  p = write_tmp("invalid.json", inv);
  cr_assert_eq(run_file(&r, p), 0);
  rm_tmp(p);
  cr_assert_eq(r.run, 5);
  cr_assert_eq(r.failed, 3, "i1, i2, i5 are wrong");
}

Test(eio_vectors, malformed_files_are_refused) {
  const char *cases[] = {
      "",
      "[]",
      "{\"format\":2,\"about\":\"x\",\"vectors\":[]}",
      "{\"format\":1,\"vectors\":[]}",
      HEAD E("a", "\"dir\":\"both\",\"wire\":{\"text\":\"4\"},\"packet\":{\"type\":"
                  "\"message\"}") "," E("a", "\"dir\":\"both\",\"wire\":{\"text\":\"4\"},"
                                             "\"packet\":{\"type\":\"message\"}") "]}",
      HEAD E("Bad_Id", "\"dir\":\"both\",\"wire\":{\"text\":\"4\"},\"packet\":{}") "]}",
      HEAD E("a", "\"dir\":\"sideways\",\"wire\":{\"text\":\"4\"},\"packet\":{}") "]}",
      HEAD E("a", "\"dir\":\"both\",\"wire\":{\"hex\":\"0g\"},\"packet\":{}") "]}",
      HEAD E("a", "\"dir\":\"both\",\"wire\":{\"text\":\"4\",\"hex\":\"00\"},\"packet\":{}") "]}",
      HEAD E("a", "\"dir\":\"both\",\"wire\":[],\"packet\":{}") "]}",
      HEAD E("a", "\"dir\":\"both\",\"packet\":{}") "]}",
      HEAD E("a", "\"dir\":\"both\",\"wire\":{\"text\":\"4\"}") "]}",
      HEAD E("a", "\"dir\":\"both\",\"wire\":{\"text\":\"4\"},\"packet\":{},\"error\":\"x\"") "]}",
      HEAD E("a", "\"dir\":\"both\",\"wire\":{\"text\":\"4\"},\"error\":\"empty-packet\"") "]}",
      HEAD E("a", "\"dir\":\"both\",\"wire\":{\"text\":\"4\"},\"packet\":{},\"extra\":1") "]}",
      HEAD E("a", "\"dir\":\"both\",\"transport\":\"carrier-pigeon\",\"wire\":{\"text\":\"4\"},"
                  "\"packet\":{}") "]}",
      HEAD E("a", "\"dir\":\"both\",\"opts\":{\"maxPayload\":-1},\"wire\":{\"text\":\"4\"},"
                  "\"packet\":{}") "]}",
      HEAD E("a", "\"dir\":\"both\",\"opts\":{\"maxBananas\":1},\"wire\":{\"text\":\"4\"},"
                  "\"packet\":{}") "]}",
      HEAD "{\"id\":\"a\",\"reqs\":[],\"note\":\"n\",\"dir\":\"both\",\"wire\":{\"text\":\"4\"}"
           ",\"packet\":{}}]}",
      HEAD "{\"id\":\"a\",\"reqs\":[\"X\"],\"dir\":\"both\",\"wire\":{\"text\":\"4\"},"
           "\"packet\":{}}]}",
      HEAD E("a", "\"dir\":\"both\",\"upstream\":{\"result\":\"x\"},\"wire\":{\"text\":\"4\"},"
                  "\"packet\":{}") "]}",
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const char *p = write_tmp("m.json", cases[i]);
    vec_file f;
    char err[256] = "";
    cr_expect_eq(vec_file_load(p, &f, err, sizeof err), -1, "case %zu loaded", i);
    cr_expect_neq(err[0], 0, "case %zu: no message", i);
    vec_file_free(&f);
    rm_tmp(p);
  }
  vec_file f;
  cr_assert_eq(vec_file_load("/nonexistent/x.json", &f, NULL, 0), -1);
}
