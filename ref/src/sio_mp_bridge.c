/* msgpack packets <-> the Socket.IO layer's text form (see sio_mp_bridge.h).
 * Spec tags: SIO-MP-1 (binary messages only), SIO-MP-3 (types 0..4: BINARY_* map to 2
 * and 3), SIO-MP-14 (values: bin <-> attachments through placeholders), SIO-MP-15 and
 * SIO-MP-16 (packing, by sio_msgpack.c and msgpack-c). */
#include "sioref/sio_mp_bridge.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sioref/err.h"
#include "sioref/json_scan.h"
#include "sioref/sio_codec.h"
#include "sioref/sio_msgpack.h"

/* ---- a growing byte buffer --------------------------------------------------- */

typedef struct gbuf {
  uint8_t *p;
  size_t n, cap;
  bool oom;
} gbuf;

static void put(gbuf *b, const void *d, size_t n) {
  if (b->oom) return;
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->n + n + 1) cap *= 2;
    uint8_t *p = realloc(b->p, cap);
    if (!p) {
      b->oom = true;
      return;
    }
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->n, d, n);
  b->n += n;
}

static void puts_(gbuf *b, const char *s) { put(b, s, strlen(s)); }

/* ---- inbound: msgpack value -> JSON text, bin values -> placeholders ---------- */

typedef struct inbound {
  gbuf json;
  const msgpack_object_bin **bins; /* document order */
  size_t n_bins, cap_bins;
} inbound;

static void json_str(gbuf *b, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  put(b, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') {
      char e[2] = {'\\', (char)c};
      put(b, e, 2);
    } else if (c < 0x20) {
      char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
      put(b, e, 6);
    } else {
      put(b, &s[i], 1); /* the str is UTF-8 (SIO-MP-6, checked by the decoder) */
    }
  }
  put(b, "\"", 1);
}

/* The shortest of %.15g..%.17g that reads back as V (JSON has no NaN/Infinity: null). */
static void json_double(gbuf *b, double v) {
  char s[40];
  if (!isfinite(v)) {
    puts_(b, "null");
    return;
  }
  for (int prec = 15; prec <= 17; prec++) {
    snprintf(s, sizeof s, "%.*g", prec, v);
    if (strtod(s, NULL) == v) break;
  }
  puts_(b, s);
}

static int to_json(inbound *in, const msgpack_object *o) {
  char num[32];
  switch (o->type) {
  case MSGPACK_OBJECT_NIL:
    puts_(&in->json, "null");
    return 0;
  case MSGPACK_OBJECT_BOOLEAN:
    puts_(&in->json, o->via.boolean ? "true" : "false");
    return 0;
  case MSGPACK_OBJECT_POSITIVE_INTEGER:
    snprintf(num, sizeof num, "%llu", (unsigned long long)o->via.u64);
    puts_(&in->json, num);
    return 0;
  case MSGPACK_OBJECT_NEGATIVE_INTEGER:
    snprintf(num, sizeof num, "%lld", (long long)o->via.i64);
    puts_(&in->json, num);
    return 0;
  case MSGPACK_OBJECT_FLOAT32:
  case MSGPACK_OBJECT_FLOAT64:
    json_double(&in->json, o->via.f64);
    return 0;
  case MSGPACK_OBJECT_STR:
    json_str(&in->json, o->via.str.ptr, o->via.str.size);
    return 0;
  case MSGPACK_OBJECT_BIN: /* SIO-MP-14: a binary value, an attachment in the text form */
    if (in->n_bins == in->cap_bins) {
      size_t cap = in->cap_bins ? 2 * in->cap_bins : 4;
      const msgpack_object_bin **p = realloc(in->bins, cap * sizeof *p);
      if (!p) return REF_ERR_OUT_OF_MEMORY;
      in->bins = p;
      in->cap_bins = cap;
    }
    snprintf(num, sizeof num, "%zu}", in->n_bins);
    in->bins[in->n_bins++] = &o->via.bin;
    puts_(&in->json, "{\"_placeholder\":true,\"num\":");
    puts_(&in->json, num);
    return 0;
  case MSGPACK_OBJECT_ARRAY:
    put(&in->json, "[", 1);
    for (uint32_t i = 0; i < o->via.array.size; i++) {
      if (i) put(&in->json, ",", 1);
      int rc = to_json(in, &o->via.array.ptr[i]);
      if (rc) return rc;
    }
    put(&in->json, "]", 1);
    return 0;
  case MSGPACK_OBJECT_MAP:
    put(&in->json, "{", 1);
    for (uint32_t i = 0; i < o->via.map.size; i++) {
      const msgpack_object_kv *kv = &o->via.map.ptr[i];
      if (i) put(&in->json, ",", 1);
      json_str(&in->json, kv->key.via.str.ptr, kv->key.via.str.size); /* str keys: SIO-MP-7 */
      put(&in->json, ":", 1);
      int rc = to_json(in, &kv->val);
      if (rc) return rc;
    }
    put(&in->json, "}", 1);
    return 0;
  default: /* ext: refused by the decoder (SIO-MP-5) */
    return REF_ERR_BAD_MSGPACK;
  }
}

int sio_mp_bridge_decode(const uint8_t *data, size_t len, bool binary, int max_depth,
                         sio_mp_emit_fn emit, void *ctx) {
  if (!emit || (!data && len)) return REF_ERR_INVALID_ARGUMENT;
  if (!binary) return REF_ERR_BAD_MSGPACK; /* SIO-MP-1: a text message is no packet */
  sio_mp_msg m;
  int rc = sio_mp_decode(data, len, max_depth, &m);
  inbound in = {{NULL, 0, 0, false}, NULL, 0, 0};
  gbuf head = {NULL, 0, 0, false};
  if (rc) goto out;
  const sio_mp_packet *p = &m.pkt;
  /* the text form ends a namespace at ',': one holding it cannot be written there */
  if (memchr(p->nsp.ptr, ',', p->nsp.len)) {
    rc = REF_ERR_BAD_NAMESPACE;
    goto out;
  }
  if (p->data && (rc = to_json(&in, p->data))) goto out;
  int type = p->type;
  if (in.n_bins) {
    /* SIO-MP-3: an EVENT or ACK with binary values is a BINARY_* packet in text form;
     * the text form has no attachments on other types */
    if (type != SIO_PACKET_EVENT && type != SIO_PACKET_ACK) {
      rc = REF_ERR_BAD_PAYLOAD_SHAPE;
      goto out;
    }
    type += SIO_PACKET_BINARY_EVENT - SIO_PACKET_EVENT;
  }
  char num[32];
  snprintf(num, sizeof num, "%d", type);
  puts_(&head, num);
  if (in.n_bins) {
    snprintf(num, sizeof num, "%zu-", in.n_bins);
    puts_(&head, num);
  }
  if (!(p->nsp.len == 1 && p->nsp.ptr[0] == '/')) {
    put(&head, p->nsp.ptr, p->nsp.len);
    put(&head, ",", 1);
  }
  if (p->has_id) {
    snprintf(num, sizeof num, "%llu", (unsigned long long)p->id);
    puts_(&head, num);
  }
  if (in.json.n) put(&head, in.json.p, in.json.n);
  if (head.oom || in.json.oom) {
    rc = REF_ERR_OUT_OF_MEMORY;
    goto out;
  }
  rc = emit(ctx, false, head.p, head.n);
  for (size_t i = 0; rc == 0 && i < in.n_bins; i++)
    rc = emit(ctx, true, (const uint8_t *)in.bins[i]->ptr, in.bins[i]->size);
out:
  free(head.p);
  free(in.json.p);
  free(in.bins);
  sio_mp_msg_free(&m);
  return rc;
}

/* ---- outbound: JSON text (validated by the text codec) -> msgpack ------------- */

typedef struct jp {
  const uint8_t *p, *end;
  const uint8_t *const *att; /* attachments by placeholder num (binary packets) */
  const size_t *att_len;
  uint32_t n_att;
  gbuf tmp; /* a decoded string */
} jp;

static void ws(jp *j) {
  while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')) j->p++;
}

static void skip_value(jp *j);

static void skip_string(jp *j) {
  j->p++; /* '"' */
  while (j->p < j->end && *j->p != '"') j->p += *j->p == '\\' ? 2 : 1;
  j->p++;
}

static void skip_value(jp *j) {
  ws(j);
  if (j->p >= j->end) return;
  if (*j->p == '"') {
    skip_string(j);
  } else if (*j->p == '[' || *j->p == '{') {
    int depth = 0;
    do {
      if (*j->p == '"') {
        skip_string(j);
        continue;
      }
      if (*j->p == '[' || *j->p == '{') depth++;
      if (*j->p == ']' || *j->p == '}') depth--;
      j->p++;
    } while (depth > 0 && j->p < j->end);
  } else {
    while (j->p < j->end && !strchr(",]} \t\r\n", *j->p)) j->p++;
  }
  ws(j);
}

/* Elements of the array or object at J (J unchanged). */
static uint32_t count(const jp *j0) {
  jp j = *j0;
  j.p++; /* '[' or '{' */
  ws(&j);
  if (j.p < j.end && (*j.p == ']' || *j.p == '}')) return 0;
  bool obj = *j0->p == '{';
  uint32_t n = 0;
  while (j.p < j.end) {
    if (obj) {
      skip_value(&j); /* key */
      j.p++;          /* ':' */
    }
    skip_value(&j);
    n++;
    if (j.p >= j.end || *j.p != ',') break;
    j.p++;
  }
  return n;
}

static void put_utf8(gbuf *b, unsigned cp) {
  uint8_t u[4];
  put(b, u, json_utf8_put(cp, u));
}

/* Unescape the string at J into j->tmp (UTF-8; a lone surrogate becomes U+FFFD, as
 * msgpack str must be UTF-8). */
static void read_string(jp *j) {
  j->tmp.n = 0;
  j->p++;
  while (j->p < j->end && *j->p != '"') {
    if (*j->p != '\\') {
      put(&j->tmp, j->p++, 1);
      continue;
    }
    unsigned cp;
    size_t k = json_unescape_at(j->p, j->end, &cp);
    if (k == 0) break; /* (not reached: the text is valid JSON) */
    j->p += k;
    put_utf8(&j->tmp, cp >= 0xd800 && cp < 0xe000 ? 0xfffd : cp);
  }
  j->p++;
}

/* Is the object at J {"_placeholder":true,"num":N} with N an attachment? (SIO-BIN-7) */
static bool placeholder(const jp *j0, uint32_t *num) {
  if (!j0->n_att) return false;
  jp j = *j0;
  j.tmp = (gbuf){NULL, 0, 0, false};
  bool ph = false, has_num = false;
  j.p++;
  ws(&j);
  while (j.p < j.end && *j.p == '"') {
    read_string(&j);
    ws(&j);
    j.p++; /* ':' */
    ws(&j);
    const uint8_t *v = j.p;
    bool is_ph = j.tmp.n == 12 && memcmp(j.tmp.p, "_placeholder", 12) == 0;
    bool is_num = j.tmp.n == 3 && memcmp(j.tmp.p, "num", 3) == 0;
    skip_value(&j);
    if (is_ph) ph = j.p - v == 4 && memcmp(v, "true", 4) == 0;
    if (is_num) {
      char *end;
      unsigned long n = strtoul((const char *)v, &end, 10);
      has_num = (const uint8_t *)end == j.p && v < j.p && *v >= '0' && *v <= '9' && n < j0->n_att;
      *num = (uint32_t)n;
    }
    if (j.p < j.end && *j.p == ',') j.p++;
    ws(&j);
  }
  free(j.tmp.p);
  return ph && has_num;
}

static int pack_value(jp *j, msgpack_packer *pk) {
  ws(j);
  if (j->p >= j->end) return REF_ERR_INVALID_ARGUMENT;
  int rc = 0;
  uint8_t c = *j->p;
  if (c == '{') {
    uint32_t num = 0;
    if (placeholder(j, &num)) { /* SIO-MP-14: the attachment as bin */
      skip_value(j);
      return msgpack_pack_bin(pk, j->att_len[num]) ||
             msgpack_pack_bin_body(pk, j->att[num], j->att_len[num]);
    }
    rc = msgpack_pack_map(pk, count(j));
    j->p++;
    ws(j);
    while (!rc && j->p < j->end && *j->p == '"') {
      read_string(j);
      rc = j->tmp.oom || msgpack_pack_str(pk, j->tmp.n) ||
           msgpack_pack_str_body(pk, j->tmp.p, j->tmp.n);
      ws(j);
      j->p++; /* ':' */
      if (!rc) rc = pack_value(j, pk);
      if (j->p < j->end && *j->p == ',') j->p++;
      ws(j);
    }
    j->p++; /* '}' */
  } else if (c == '[') {
    rc = msgpack_pack_array(pk, count(j));
    j->p++;
    ws(j);
    while (!rc && j->p < j->end && *j->p != ']') {
      rc = pack_value(j, pk);
      if (j->p < j->end && *j->p == ',') j->p++;
      ws(j);
    }
    j->p++; /* ']' */
  } else if (c == '"') {
    read_string(j);
    rc = j->tmp.oom || msgpack_pack_str(pk, j->tmp.n) ||
         msgpack_pack_str_body(pk, j->tmp.p, j->tmp.n);
  } else if (c == 't' || c == 'f' || c == 'n') {
    rc = c == 't'   ? msgpack_pack_true(pk)
         : c == 'f' ? msgpack_pack_false(pk)
                    : msgpack_pack_nil(pk);
    skip_value(j);
  } else { /* a number: SIO-MP-16, integers in their shortest int form, others float 64 */
    const uint8_t *s = j->p;
    skip_value(j);
    char text[64];
    size_t n = (size_t)(j->p - s);
    while (n && strchr(" \t\r\n", s[n - 1])) n--;
    if (n >= sizeof text) n = sizeof text - 1; /* digits past 63 change nothing of a double */
    memcpy(text, s, n);
    text[n] = 0;
    double d = strtod(text, NULL);
    if (!strpbrk(text, ".eE")) { /* exact while it fits 64 bits */
      char *end;
      errno = 0;
      if (text[0] == '-') {
        long long v = strtoll(text, &end, 10);
        if (*end == 0 && errno == 0) return msgpack_pack_int64(pk, v);
      } else {
        unsigned long long v = strtoull(text, &end, 10);
        if (*end == 0 && errno == 0) return msgpack_pack_uint64(pk, v);
      }
    }
    /* an integral value written as 2.0 or 1e3 is an integer to JavaScript, too */
    if (d == floor(d) && fabs(d) < 9007199254740992.0)
      return d < 0 ? msgpack_pack_int64(pk, (long long)d) : msgpack_pack_uint64(pk, (uint64_t)d);
    rc = msgpack_pack_double(pk, d);
  }
  return rc;
}

void sio_mp_bridge_init(sio_mp_bridge *b) {
  if (b) memset(b, 0, sizeof *b);
}

void sio_mp_bridge_reset(sio_mp_bridge *b) {
  if (!b) return;
  for (uint32_t i = 0; i < b->have; i++) free(b->att[i]);
  free(b->att);
  free(b->att_len);
  free(b->header);
  memset(b, 0, sizeof *b);
}

/* Pack the text packet TEXT (with B's attachments) and emit it. */
static int pack_and_emit(sio_mp_bridge *b, const uint8_t *text, size_t len, sio_mp_emit_fn emit,
                         void *ctx) {
  sio_codec_opts o = {UINT32_MAX, JSON_SCAN_MAX_DEPTH, 0};
  sio_packet p;
  int rc = sio_packet_decode(text, len, &o, &p);
  if (rc) return REF_ERR_INVALID_ARGUMENT;
  int type = p.type >= SIO_PACKET_BINARY_EVENT ? (int)p.type - 3 : (int)p.type; /* SIO-MP-3 */
  msgpack_sbuffer sb;
  msgpack_sbuffer_init(&sb);
  msgpack_packer pk;
  msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
  /* SIO-MP-15: type, nsp, data, id */
  bool has_data = p.data.len > 0, has_id = p.ack_id >= 0;
  rc = msgpack_pack_map(&pk, 2 + has_data + has_id) || msgpack_pack_str(&pk, 4) ||
       msgpack_pack_str_body(&pk, "type", 4) || msgpack_pack_int(&pk, type) ||
       msgpack_pack_str(&pk, 3) || msgpack_pack_str_body(&pk, "nsp", 3) ||
       msgpack_pack_str(&pk, p.nsp.len) || msgpack_pack_str_body(&pk, p.nsp.ptr, p.nsp.len);
  static const uint8_t none[1];
  const uint8_t *dp = p.data.ptr ? p.data.ptr : none; /* no arithmetic on NULL */
  jp j = {dp,         dp + p.data.len, (const uint8_t *const *)b->att,
          b->att_len, b->have,         {NULL, 0, 0, false}};
  if (!rc && has_data)
    rc = msgpack_pack_str(&pk, 4) || msgpack_pack_str_body(&pk, "data", 4) || pack_value(&j, &pk);
  if (!rc && has_id)
    rc = msgpack_pack_str(&pk, 2) || msgpack_pack_str_body(&pk, "id", 2) ||
         msgpack_pack_uint64(&pk, (uint64_t)p.ack_id);
  free(j.tmp.p);
  rc = rc ? REF_ERR_OUT_OF_MEMORY : emit(ctx, true, (const uint8_t *)sb.data, sb.size);
  msgpack_sbuffer_destroy(&sb);
  return rc;
}

int sio_mp_bridge_push(sio_mp_bridge *b, bool binary, const uint8_t *data, size_t len,
                       sio_mp_emit_fn emit, void *ctx) {
  if (!b || !emit || (!data && len)) return REF_ERR_INVALID_ARGUMENT;
  static const uint8_t none[1];
  if (!data) data = none;
  int rc = 0;
  if (!binary) {
    /* Text while attachments are due: the pending packet's connection went away between
     * its header and its attachments (the layer stops sending to a closed client), so
     * that packet is dropped and this one stands on its own. */
    if (b->header) sio_mp_bridge_reset(b);
    sio_codec_opts o = {UINT32_MAX, JSON_SCAN_MAX_DEPTH, 0};
    sio_packet p;
    if (sio_packet_decode(data, len, &o, &p)) return REF_ERR_INVALID_ARGUMENT;
    if (p.attachments == 0) return pack_and_emit(b, data, len, emit, ctx);
    b->header = malloc(len ? len : 1);
    b->att = calloc(p.attachments, sizeof *b->att);
    b->att_len = calloc(p.attachments, sizeof *b->att_len);
    if (!b->header || !b->att || !b->att_len) {
      sio_mp_bridge_reset(b);
      return REF_ERR_OUT_OF_MEMORY;
    }
    memcpy(b->header, data, len);
    b->header_len = len;
    b->want = p.attachments;
    return 0;
  }
  if (!b->header) return REF_ERR_INVALID_ARGUMENT;
  uint8_t *copy = malloc(len ? len : 1);
  if (!copy) {
    sio_mp_bridge_reset(b);
    return REF_ERR_OUT_OF_MEMORY;
  }
  memcpy(copy, data, len);
  b->att[b->have] = copy;
  b->att_len[b->have++] = len;
  if (b->have == b->want) {
    rc = pack_and_emit(b, b->header, b->header_len, emit, ctx);
    sio_mp_bridge_reset(b);
  }
  return rc;
}
