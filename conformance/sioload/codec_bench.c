/* sioload-codec: throughput of the reference codecs (ref/: eio_codec, sio_codec,
 * sio_binary) on the packet set that ci/bench.d/codec-bench.js defines and measures with
 * the official JavaScript parsers, so ci/bench can put both side by side.
 * Exercises EIO-PK-* / EIO-PL-* (packets, payloads, base64) and SIO-PK-* / SIO-BIN-*
 * (packets, binary attachments); it also checks that our encoders produce exactly the
 * official wire bytes for every case.
 * Usage: sioload-codec CASES.json [--runs N] [--time-ms MS] [--json FILE] */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sioref/eio_codec.h"
#include "sioref/sio_binary.h"
#include "sioref/sio_codec.h"

#define MAX_PACKETS  16
#define MAX_MESSAGES 32
#define MAX_ATT      4
#define OUT_BYTES    (64 * 1024)

typedef struct blob {
  uint8_t *p;
  size_t n;
} blob;

typedef struct bpacket {
  sio_packet pkt;
  blob nsp, data;
  blob att[MAX_ATT];
  uint32_t n_att;
} bpacket;

typedef struct bcase {
  char id[40];
  bool polling;
  blob eio_binary; /* base64 case: the raw bytes */
  bpacket pk[MAX_PACKETS];
  size_t n_pk;
  blob msg[MAX_MESSAGES]; /* official WebSocket messages */
  bool msg_binary[MAX_MESSAGES];
  size_t n_msg;
  blob body; /* official polling body */
  size_t wire_bytes;
} bcase;

static uint8_t g_out[OUT_BYTES], g_tmp[MAX_PACKETS][OUT_BYTES / MAX_PACKETS], g_scratch[OUT_BYTES];
static volatile size_t g_sink;

static blob dup_str(const char *s) {
  blob b = {(uint8_t *)strdup(s), strlen(s)};
  return b;
}

static blob from_hex(const char *s) {
  size_t n = strlen(s) / 2;
  blob b = {malloc(n ? n : 1), n};
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    sscanf(s + 2 * i, "%2x", &v);
    b.p[i] = (uint8_t)v;
  }
  return b;
}

static const char *jstr(const cJSON *o, const char *k) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void free_case(bcase *bc) {
  free(bc->eio_binary.p);
  free(bc->body.p);
  for (size_t i = 0; i < bc->n_pk; i++) {
    free(bc->pk[i].nsp.p);
    free(bc->pk[i].data.p);
    for (uint32_t a = 0; a < bc->pk[i].n_att; a++) free(bc->pk[i].att[a].p);
  }
  for (size_t i = 0; i < bc->n_msg; i++) free(bc->msg[i].p);
  memset(bc, 0, sizeof *bc);
}

static int load_case(const cJSON *c, bcase *bc) {
  free_case(bc);
  snprintf(bc->id, sizeof bc->id, "%s", jstr(c, "id") ? jstr(c, "id") : "?");
  const char *tr = jstr(c, "transport");
  bc->polling = tr && strcmp(tr, "polling") == 0;
  if (jstr(c, "eio_binary_hex")) bc->eio_binary = from_hex(jstr(c, "eio_binary_hex"));
  const cJSON *pks = cJSON_GetObjectItemCaseSensitive(c, "packets"), *pj;
  cJSON_ArrayForEach(pj, pks) {
    if (bc->n_pk >= MAX_PACKETS) return -1;
    bpacket *b = &bc->pk[bc->n_pk++];
    b->nsp = dup_str(jstr(pj, "nsp") ? jstr(pj, "nsp") : "/");
    b->data = dup_str(jstr(pj, "data") ? jstr(pj, "data") : "");
    b->pkt.type = (sio_packet_type)cJSON_GetObjectItem(pj, "type")->valueint;
    b->pkt.ack_id = (int64_t)cJSON_GetObjectItem(pj, "ack")->valuedouble;
    b->pkt.attachments = (uint32_t)cJSON_GetObjectItem(pj, "attachments")->valueint;
    b->pkt.nsp = (ref_span){b->nsp.p, b->nsp.n};
    b->pkt.data = (ref_span){b->data.p, b->data.n};
    const cJSON *aj;
    cJSON_ArrayForEach(aj, cJSON_GetObjectItem(pj, "attachments_hex")) {
      if (b->n_att >= MAX_ATT) return -1;
      b->att[b->n_att++] = from_hex(aj->valuestring);
    }
  }
  if (jstr(c, "wire_body")) {
    bc->body = dup_str(jstr(c, "wire_body"));
    bc->wire_bytes = bc->body.n;
  }
  const cJSON *mj;
  cJSON_ArrayForEach(mj, cJSON_GetObjectItemCaseSensitive(c, "wire_messages")) {
    if (bc->n_msg >= MAX_MESSAGES) return -1;
    if (jstr(mj, "text")) {
      bc->msg[bc->n_msg] = dup_str(jstr(mj, "text"));
    } else {
      bc->msg[bc->n_msg] = from_hex(jstr(mj, "hex"));
      bc->msg_binary[bc->n_msg] = true;
    }
    bc->wire_bytes += bc->msg[bc->n_msg++].n;
  }
  return 0;
}

/* ---- decode: wire -> packets (returns packets decoded, < 0 on error) -------------- */

static int decode_case(const bcase *bc) {
  if (bc->eio_binary.p) { /* EIO-PK-*: 'b' + base64 on polling */
    eio_packet ep;
    int rc = eio_packet_decode_text(bc->body.p, bc->body.n, &ep);
    if (rc < 0 || ep.kind != EIO_DATA_BASE64) return -1;
    rc = eio_base64_decode(ep.data.ptr, ep.data.len, g_scratch, sizeof g_scratch);
    g_sink += (size_t)rc;
    return rc < 0 ? rc : 1;
  }
  ref_span slots[SIO_DEFAULT_MAX_ATTACHMENTS];
  sio_reasm r;
  sio_reasm_init(&r, NULL, slots, SIO_DEFAULT_MAX_ATTACHMENTS);
  sio_packet out;
  eio_packet ep;
  int done = 0, rc;
  if (bc->polling) { /* EIO-PL-*: split the body, then one Socket.IO packet each */
    eio_payload_iter it;
    if (eio_payload_iter_init(&it, bc->body.p, bc->body.n, 0, 0) < 0) return -1;
    while ((rc = eio_payload_next(&it, &ep)) == 1) {
      rc = sio_reasm_feed_text(&r, ep.data.ptr, ep.data.len, &out);
      if (rc < 0) return rc;
      done += rc == SIO_REASM_COMPLETE;
    }
    return rc < 0 ? rc : done;
  }
  for (size_t i = 0; i < bc->n_msg; i++) {
    if (bc->msg_binary[i]) {
      rc = eio_packet_decode_binary(bc->msg[i].p, bc->msg[i].n, &ep);
      if (rc < 0) return rc;
      rc = sio_reasm_feed_binary(&r, ep.data.ptr, ep.data.len, &out);
    } else {
      rc = eio_packet_decode_text(bc->msg[i].p, bc->msg[i].n, &ep);
      if (rc < 0) return rc;
      rc = sio_reasm_feed_text(&r, ep.data.ptr, ep.data.len, &out);
    }
    if (rc < 0) return rc;
    done += rc == SIO_REASM_COMPLETE;
  }
  g_sink += out.data.len;
  return done;
}

/* ---- encode: packets -> wire; CHECK compares with the official bytes -------------- */

static int sio_text(const bpacket *b, uint8_t *out, size_t cap) {
  if (b->pkt.type == SIO_PACKET_BINARY_EVENT || b->pkt.type == SIO_PACKET_BINARY_ACK) {
    uint8_t seen[SIO_DEFAULT_MAX_ATTACHMENTS];
    return sio_binary_encode_header(&b->pkt, seen, out, cap);
  }
  return sio_packet_encode(&b->pkt, out, cap);
}

static bool same(const uint8_t *a, size_t an, const blob *b) {
  return an == b->n && memcmp(a, b->p, an) == 0;
}

static int encode_case(const bcase *bc, bool check, bool *match) {
  if (bc->eio_binary.p) {
    eio_packet ep = {EIO_PACKET_MESSAGE, EIO_DATA_BINARY, {bc->eio_binary.p, bc->eio_binary.n}};
    int n = eio_packet_encode(&ep, EIO_TRANSPORT_POLLING, g_out, sizeof g_out);
    if (check) *match = n > 0 && same(g_out, (size_t)n, &bc->body);
    return n;
  }
  if (bc->polling) {
    eio_packet eps[MAX_PACKETS];
    for (size_t i = 0; i < bc->n_pk; i++) {
      int n = sio_text(&bc->pk[i], g_tmp[i], sizeof g_tmp[i]);
      if (n < 0 || (size_t)n > sizeof g_tmp[i]) return -1;
      eps[i] = (eio_packet){EIO_PACKET_MESSAGE, EIO_DATA_TEXT, {g_tmp[i], (size_t)n}};
    }
    int n = eio_payload_encode(eps, bc->n_pk, g_out, sizeof g_out);
    if (check) *match = n > 0 && same(g_out, (size_t)n, &bc->body);
    return n;
  }
  size_t m = 0;
  int total = 0;
  if (check) *match = true;
  for (size_t i = 0; i < bc->n_pk; i++) {
    const bpacket *b = &bc->pk[i];
    int n = sio_text(b, g_tmp[0], sizeof g_tmp[0]);
    if (n < 0 || (size_t)n > sizeof g_tmp[0]) return -1;
    eio_packet ep = {EIO_PACKET_MESSAGE, EIO_DATA_TEXT, {g_tmp[0], (size_t)n}};
    n = eio_packet_encode(&ep, EIO_TRANSPORT_WEBSOCKET, g_out, sizeof g_out);
    if (n < 0) return n;
    total += n;
    if (check) *match = *match && m < bc->n_msg && same(g_out, (size_t)n, &bc->msg[m]);
    m++;
    for (uint32_t a = 0; a < b->n_att; a++) {
      ep = (eio_packet){EIO_PACKET_MESSAGE, EIO_DATA_BINARY, {b->att[a].p, b->att[a].n}};
      n = eio_packet_encode(&ep, EIO_TRANSPORT_WEBSOCKET, g_out, sizeof g_out);
      if (n < 0) return n;
      total += n;
      if (check) *match = *match && m < bc->n_msg && same(g_out, (size_t)n, &bc->msg[m]);
      m++;
    }
  }
  if (check) *match = *match && m == bc->n_msg;
  return total;
}

/* ---- timing --------------------------------------------------------------------------- */

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static double measure(const bcase *bc, bool dec, double time_ms) {
  bool unused;
  uint64_t batch = 1;
  for (;;) { /* a batch of about 2 ms, as codec-bench.js does */
    uint64_t t = now_ns();
    for (uint64_t i = 0; i < batch; i++)
      g_sink += (size_t)(dec ? decode_case(bc) : encode_case(bc, false, &unused));
    if (now_ns() - t > 2000000ULL || batch > 10000000ULL) break;
    batch *= 2;
  }
  uint64_t ops = 0, t0 = now_ns(), end = t0 + (uint64_t)(time_ms * 1e6), t = t0;
  while (t < end) {
    for (uint64_t i = 0; i < batch; i++)
      g_sink += (size_t)(dec ? decode_case(bc) : encode_case(bc, false, &unused));
    ops += batch;
    t = now_ns();
  }
  return (double)(t - t0) / (double)ops;
}

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
  if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
    free(s);
    s = NULL;
  }
  if (s) s[n] = 0;
  fclose(f);
  return s;
}

int main(int argc, char **argv) {
  const char *cases_path = NULL, *json_path = NULL;
  int runs = 5;
  double time_ms = 300;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
      runs = atoi(argv[++i]);
    else if (strcmp(argv[i], "--time-ms") == 0 && i + 1 < argc)
      time_ms = atof(argv[++i]);
    else if (strcmp(argv[i], "--json") == 0 && i + 1 < argc)
      json_path = argv[++i];
    else if (argv[i][0] != '-' && !cases_path)
      cases_path = argv[i];
    else {
      fprintf(stderr, "usage: sioload-codec CASES.json [--runs N] [--time-ms MS] [--json FILE]\n");
      return 2;
    }
  }
  if (!cases_path || runs < 1 || runs > 50 || time_ms < 10 || time_ms > 10000) {
    fprintf(stderr, "usage: sioload-codec CASES.json [--runs 1..50] [--time-ms 10..10000]\n");
    return 2;
  }
  char *text = slurp(cases_path);
  cJSON *doc = text ? cJSON_Parse(text) : NULL;
  free(text);
  if (!doc) {
    fprintf(stderr, "sioload-codec: cannot read %s\n", cases_path);
    return 2;
  }
  FILE *out = json_path ? fopen(json_path, "w") : stdout;
  if (!out) {
    perror(json_path);
    return 2;
  }
  fprintf(out, "{\"tool\":\"sioload-codec\",\"impl\":\"sioref codecs\",\"results\":[");
  static bcase bc;
  const cJSON *cj;
  int idx = 0, rc = 0;
  cJSON_ArrayForEach(cj, cJSON_GetObjectItemCaseSensitive(doc, "cases")) {
    if (load_case(cj, &bc) < 0) {
      fprintf(stderr, "sioload-codec: case too large\n");
      return 2;
    }
    int d = decode_case(&bc);
    bool match = false;
    int e = encode_case(&bc, true, &match);
    size_t want = bc.eio_binary.p ? 1 : bc.n_pk;
    if (d != (int)want || e < 0) {
      fprintf(stderr, "sioload-codec: %s: decode %d (want %zu), encode %d\n", bc.id, d, want, e);
      rc = 1;
    }
    if (!match)
      fprintf(stderr, "sioload-codec: %s: encoding differs from the official wire\n", bc.id);
    fprintf(out, "%s\n {\"id\":\"%s\",\"wire_bytes\":%zu,\"encode_matches_official\":%s",
            idx++ ? "," : "", bc.id, bc.wire_bytes, match ? "true" : "false");
    double dn[50], en[50];
    for (int k = 0; k < runs; k++) {
      dn[k] = d > 0 ? measure(&bc, true, time_ms) : -1;
      en[k] = e > 0 ? measure(&bc, false, time_ms) : -1;
    }
    for (int which = 0; which < 2; which++) {
      fprintf(out, ",\"%s_ns\":[", which ? "encode" : "decode");
      for (int k = 0; k < runs; k++) fprintf(out, "%s%.1f", k ? "," : "", which ? en[k] : dn[k]);
      fprintf(out, "]");
    }
    fprintf(out, "}");
    fprintf(stderr, "[sioload-codec] %s: decode %.0f ns, encode %.0f ns\n", bc.id, dn[0], en[0]);
  }
  free_case(&bc);
  fprintf(out, "\n]}\n");
  if (out != stdout) fclose(out);
  cJSON_Delete(doc);
  return rc;
}
