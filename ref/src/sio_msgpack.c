/* Socket.IO msgpack packets on msgpack-c: unpack one value, then check the packet rules
 * of spec/msgpack.md in its order (SIO-MP-4, 5, 6, 7, 8, 9, 12, 13, 11, 10), and pack
 * packets with the keys type, nsp, data, id (SIO-MP-15/16). */
#include "sioref/sio_msgpack.h"

#include <string.h>

#include "sioref/err.h"
#include "sioref/utf8.h"

#define SIO_MP_MAX_TYPE 4                            /* SIO-MP-3: CONNECT .. CONNECT_ERROR */
#define SIO_MP_MAX_ID   ((uint64_t)9007199254740991) /* 2^53-1 (SIO-MP-12) */

/* SIO-PK-14 (through SIO-MP-10): names a peer must not use for its own events. */
static const char *const reserved_events[] = {"connect",       "connect_error", "disconnect",
                                              "disconnecting", "newListener",   "removeListener"};

static bool str_is(const msgpack_object *o, const char *s) {
  size_t n = strlen(s);
  return o->type == MSGPACK_OBJECT_STR && o->via.str.size == n && memcmp(o->via.str.ptr, s, n) == 0;
}

/* Visit every value of O (map keys included) depth first; stops at the first error
 * CHECK returns. The recursion is bounded by msgpack-c's 32-level unpack stack. */
typedef int (*visit_fn)(const msgpack_object *o);

static int visit(const msgpack_object *o, visit_fn check) {
  int rc = check(o);
  if (rc) return rc;
  if (o->type == MSGPACK_OBJECT_ARRAY)
    for (uint32_t i = 0; i < o->via.array.size; i++)
      if ((rc = visit(&o->via.array.ptr[i], check))) return rc;
  if (o->type == MSGPACK_OBJECT_MAP)
    for (uint32_t i = 0; i < o->via.map.size; i++)
      if ((rc = visit(&o->via.map.ptr[i].key, check)) ||
          (rc = visit(&o->via.map.ptr[i].val, check)))
        return rc;
  return 0;
}

/* SIO-MP-5: no ext values. */
static int no_ext(const msgpack_object *o) {
  return o->type == MSGPACK_OBJECT_EXT ? REF_ERR_BAD_MSGPACK : 0;
}

/* SIO-MP-6: every str is UTF-8. */
static int utf8_strs(const msgpack_object *o) {
  if (o->type != MSGPACK_OBJECT_STR) return 0;
  return ref_utf8_valid((const uint8_t *)o->via.str.ptr, o->via.str.size) ? 0
                                                                          : REF_ERR_INVALID_UTF8;
}

/* SIO-MP-7: map keys are strs, each at most once per map. The quadratic duplicate scan
 * is bounded by the message size (maxPayload), like every other pass here. */
static int str_keys(const msgpack_object *o) {
  if (o->type != MSGPACK_OBJECT_MAP) return 0;
  const msgpack_object_kv *kv = o->via.map.ptr;
  for (uint32_t i = 0; i < o->via.map.size; i++) {
    if (kv[i].key.type != MSGPACK_OBJECT_STR) return REF_ERR_BAD_MSGPACK;
    for (uint32_t j = 0; j < i; j++)
      if (kv[j].key.via.str.size == kv[i].key.via.str.size &&
          (kv[i].key.via.str.size == 0 || /* msgpack-c gives an empty str no pointer */
           memcmp(kv[j].key.via.str.ptr, kv[i].key.via.str.ptr, kv[i].key.via.str.size) == 0))
        return REF_ERR_BAD_MSGPACK;
  }
  return 0;
}

/* Nesting of O: 1 per array or map level, 0 for a scalar. */
static int depth(const msgpack_object *o) {
  int d = 0;
  if (o->type == MSGPACK_OBJECT_ARRAY)
    for (uint32_t i = 0; i < o->via.array.size; i++) {
      int c = depth(&o->via.array.ptr[i]);
      d = c > d ? c : d;
    }
  else if (o->type == MSGPACK_OBJECT_MAP)
    for (uint32_t i = 0; i < o->via.map.size; i++) {
      int c = depth(&o->via.map.ptr[i].val);
      d = c > d ? c : d;
    }
  else
    return 0;
  return d + 1;
}

static const msgpack_object *member(const msgpack_object *map, const char *key) {
  for (uint32_t i = 0; i < map->via.map.size; i++)
    if (str_is(&map->via.map.ptr[i].key, key)) return &map->via.map.ptr[i].val;
  return NULL;
}

/* SIO-MP-10: the data shape per type, then the event name. */
static int check_shape(int type, const msgpack_object *data) {
  msgpack_object_type t = data ? data->type : MSGPACK_OBJECT_NIL;
  bool none = data == NULL, map = data && t == MSGPACK_OBJECT_MAP;
  bool arr = data && t == MSGPACK_OBJECT_ARRAY;
  bool ok = type == 0 ? none || map : type == 1 ? none : type == 4 ? map : arr;
  if (!ok) return REF_ERR_BAD_PAYLOAD_SHAPE;
  if (type != 2) return 0;
  if (data->via.array.size == 0 || data->via.array.ptr[0].type != MSGPACK_OBJECT_STR)
    return REF_ERR_BAD_EVENT_NAME; /* SIO-PK-13 */
  for (size_t i = 0; i < sizeof reserved_events / sizeof reserved_events[0]; i++)
    if (str_is(&data->via.array.ptr[0], reserved_events[i])) return REF_ERR_RESERVED_EVENT_NAME;
  return 0;
}

/* SIO-MP-5: notepack.io's undefined (fixext 1 of type 0 holding 0), which the official
 * client writes as the data of a CONNECT without auth. */
static bool is_undefined(const msgpack_object *o) {
  return o->type == MSGPACK_OBJECT_EXT && o->via.ext.type == 0 && o->via.ext.size == 1 &&
         o->via.ext.ptr[0] == 0;
}

/* visit() over ROOT, except SKIP (a value of the root map) when not NULL. */
static int visit_but(const msgpack_object *root, const msgpack_object *skip, visit_fn check) {
  if (!skip) return visit(root, check);
  int rc = check(root);
  for (uint32_t i = 0; !rc && i < root->via.map.size; i++)
    if ((rc = visit(&root->via.map.ptr[i].key, check)) == 0 && &root->via.map.ptr[i].val != skip)
      rc = visit(&root->via.map.ptr[i].val, check);
  return rc;
}

static int check_packet(const msgpack_object *root, int max_depth, sio_mp_packet *p) {
  int rc;
  /* SIO-MP-5: "data": undefined is no data (and not an ext to refuse) */
  const msgpack_object *undef = NULL;
  if (root->type == MSGPACK_OBJECT_MAP)
    for (uint32_t i = 0; i < root->via.map.size; i++)
      if (str_is(&root->via.map.ptr[i].key, "data") && is_undefined(&root->via.map.ptr[i].val))
        undef = &root->via.map.ptr[i].val;
  if ((rc = visit_but(root, undef, no_ext)) || (rc = visit(root, utf8_strs))) return rc;
  if (root->type != MSGPACK_OBJECT_MAP) return REF_ERR_BAD_MSGPACK; /* SIO-MP-7 */
  if ((rc = visit(root, str_keys))) return rc;
  const msgpack_object *type = member(root, "type"), *nsp = member(root, "nsp");
  const msgpack_object *id = member(root, "id"), *data = member(root, "data");
  if (data == undef) data = NULL;
  /* SIO-MP-8: an int (msgpack-c unpacks non-negative signed forms as positive) */
  if (!type || type->type != MSGPACK_OBJECT_POSITIVE_INTEGER || type->via.u64 > SIO_MP_MAX_TYPE)
    return REF_ERR_BAD_PACKET_TYPE;
  if (!nsp || nsp->type != MSGPACK_OBJECT_STR || nsp->via.str.size == 0 ||
      nsp->via.str.ptr[0] != '/')
    return REF_ERR_BAD_NAMESPACE; /* SIO-MP-9 */
  if (id && (id->type != MSGPACK_OBJECT_POSITIVE_INTEGER || id->via.u64 > SIO_MP_MAX_ID))
    return REF_ERR_BAD_ACK_ID; /* SIO-MP-12 */
  int t = (int)type->via.u64;
  if (id && (t == 0 || t == 1 || t == 4)) return REF_ERR_UNEXPECTED_ACK_ID; /* SIO-MP-13 */
  if (!id && t == 3) return REF_ERR_MISSING_ACK_ID;
  if (data && 1 + depth(data) > max_depth) return REF_ERR_JSON_TOO_DEEP; /* SIO-MP-11 */
  if ((rc = check_shape(t, data))) return rc;
  *p = (sio_mp_packet){t,
                       {(const uint8_t *)nsp->via.str.ptr, nsp->via.str.size},
                       id != NULL,
                       id ? id->via.u64 : 0,
                       data};
  return 0;
}

static uint64_t be(const uint8_t *p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; i++) v = v << 8 | p[i];
  return v;
}

/* SIO-MP-4 before msgpack-c sees the bytes: walk the value's headers flat (a count of
 * elements still due, no recursion) and refuse a container that declares more elements
 * than bytes remain, or a str/bin/ext longer than what remains: each is a truncated
 * value. msgpack-c allocates for a container's declared size before reading it, so a
 * 29-byte message declaring 2^32-1 pairs would make it ask for tens of gigabytes. */
static bool prescan(const uint8_t *b, size_t len) {
  uint64_t due = 1;
  size_t i = 0;
  while (due > 0) {
    if (i >= len) return false;
    uint8_t c = b[i++];
    due--;
    uint64_t items = 0, skip = 0;
    int hdr = 0; /* bytes of a length or count after the type byte */
    if (c <= 0x7f || c >= 0xe0 || c == 0xc0 || c == 0xc2 || c == 0xc3) {
    } else if (c <= 0x8f) {
      items = 2 * (uint64_t)(c & 0x0f);
    } else if (c <= 0x9f) {
      items = c & 0x0f;
    } else if (c <= 0xbf) {
      skip = c & 0x1f;
    } else if (c == 0xc1) {
      return false;
    } else if (c >= 0xc4 && c <= 0xc9) { /* bin 8/16/32, ext 8/16/32 (+ type byte) */
      hdr = 1 << ((c - 0xc4) % 3);
      if (i + (size_t)hdr > len) return false;
      skip = be(b + i, hdr) + (c >= 0xc7);
    } else if (c >= 0xca && c <= 0xd3) { /* float 32/64, uint, int */
      static const uint8_t width[] = {4, 8, 1, 2, 4, 8, 1, 2, 4, 8};
      skip = width[c - 0xca];
    } else if (c >= 0xd4 && c <= 0xd8) { /* fixext 1..16 (+ type byte) */
      skip = 1 + ((uint64_t)1 << (c - 0xd4));
    } else if (c >= 0xd9 && c <= 0xdb) { /* str 8/16/32 */
      hdr = 1 << (c - 0xd9);
      if (i + (size_t)hdr > len) return false;
      skip = be(b + i, hdr);
    } else { /* 0xdc..0xdf: array 16/32, map 16/32 */
      hdr = c & 1 ? 4 : 2;
      if (i + (size_t)hdr > len) return false;
      items = be(b + i, hdr) * (c >= 0xde ? 2 : 1);
    }
    i += (size_t)hdr;
    if (skip > len - i) return false;
    i += (size_t)skip;
    if (items > len - i) return false; /* every element takes a byte at least */
    due += items;
  }
  return true;
}

int sio_mp_decode(const uint8_t *buf, size_t len, int max_depth, sio_mp_msg *out) {
  if (!out) return REF_ERR_INVALID_ARGUMENT;
  memset(out, 0, sizeof *out);
  msgpack_unpacked_init(&out->up);
  if ((!buf && len) || max_depth < 0 || max_depth > SIO_MP_MAX_DEPTH)
    return REF_ERR_INVALID_ARGUMENT;
  if (max_depth == 0) max_depth = SIO_MP_MAX_DEPTH;
  if (!prescan(buf, len)) return REF_ERR_BAD_MSGPACK; /* SIO-MP-4: truncated */
  size_t off = 0;
  msgpack_unpack_return ur = msgpack_unpack_next(&out->up, (const char *)buf, len, &off);
  /* msgpack-c's unpack stack is SIO_MP_MAX_DEPTH deep: a deeper value fails with
   * NOMEM, which is SIO-MP-11's json-too-deep (a real allocation failure on a message
   * bounded by maxPayload is not told apart). */
  if (ur == MSGPACK_UNPACK_NOMEM_ERROR) return REF_ERR_JSON_TOO_DEEP;
  if (ur != MSGPACK_UNPACK_SUCCESS || off != len) return REF_ERR_BAD_MSGPACK; /* SIO-MP-4 */
  return check_packet(&out->up.data, max_depth, &out->pkt);
}

void sio_mp_msg_free(sio_mp_msg *m) {
  if (m) msgpack_unpacked_destroy(&m->up);
}

static int pack_str(msgpack_packer *pk, const void *s, size_t n) {
  return msgpack_pack_str(pk, n) || msgpack_pack_str_body(pk, s, n);
}

int sio_mp_encode(const sio_mp_packet *p, msgpack_sbuffer *out) {
  if (!p || !out || p->type < 0 || p->type > SIO_MP_MAX_TYPE || p->nsp.len == 0 || !p->nsp.ptr ||
      p->nsp.ptr[0] != '/' || (p->has_id && p->id > SIO_MP_MAX_ID))
    return REF_ERR_INVALID_ARGUMENT;
  msgpack_packer pk;
  msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
  /* SIO-MP-15: type, nsp, data, id; msgpack-c writes the shortest forms (SIO-MP-16) */
  int rc = msgpack_pack_map(&pk, 2 + (p->data != NULL) + p->has_id) || pack_str(&pk, "type", 4) ||
           msgpack_pack_int(&pk, p->type) || pack_str(&pk, "nsp", 3) ||
           pack_str(&pk, p->nsp.ptr, p->nsp.len);
  if (!rc && p->data) rc = pack_str(&pk, "data", 4) || msgpack_pack_object(&pk, *p->data);
  if (!rc && p->has_id) rc = pack_str(&pk, "id", 2) || msgpack_pack_uint64(&pk, p->id);
  return rc ? REF_ERR_OUT_OF_MEMORY : 0;
}
