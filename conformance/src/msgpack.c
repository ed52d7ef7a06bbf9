/* The msgpack parser on the harness side (ct_msgpack.h). */
#include "ct_msgpack.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef CT_HAVE_MSGPACK
#include <msgpack.h>

int ct_mp_available(void) { return 1; }

static int buf_write(void *data, const char *p, size_t n) {
  ct_buf_add((ct_buf *)data, p, n);
  return 0;
}

/* A JSON value as msgpack in its shortest forms (SIO-MP-16): whole numbers within 2^53 as
 * ints, others as float 64; {"$bin": "hex"} as bin (SIO-MP-14). */
static int pack_json(msgpack_packer *pk, const cJSON *v, int depth) {
  if (depth > 64) return -1;
  if (cJSON_IsNull(v)) return msgpack_pack_nil(pk);
  if (cJSON_IsTrue(v)) return msgpack_pack_true(pk);
  if (cJSON_IsFalse(v)) return msgpack_pack_false(pk);
  if (cJSON_IsNumber(v)) {
    double d = v->valuedouble;
    if (d == floor(d) && fabs(d) <= 9007199254740992.0)
      return d < 0 ? msgpack_pack_int64(pk, (int64_t)d) : msgpack_pack_uint64(pk, (uint64_t)d);
    return msgpack_pack_double(pk, d);
  }
  if (cJSON_IsString(v)) {
    size_t l = strlen(v->valuestring);
    return msgpack_pack_str(pk, l) || msgpack_pack_str_body(pk, v->valuestring, l);
  }
  if (cJSON_IsArray(v)) {
    if (msgpack_pack_array(pk, (size_t)cJSON_GetArraySize(v))) return -1;
    const cJSON *e;
    cJSON_ArrayForEach(e, v) if (pack_json(pk, e, depth + 1)) return -1;
    return 0;
  }
  if (cJSON_IsObject(v)) {
    const cJSON *bin = cJSON_GetObjectItem(v, "$bin");
    if (cJSON_IsString(bin) && cJSON_GetArraySize(v) == 1) {
      size_t hl = strlen(bin->valuestring);
      unsigned char *b = ct_xmalloc(hl / 2 + 1);
      long k = ct_hex_decode(bin->valuestring, b, hl / 2 + 1);
      int rc = k < 0 || msgpack_pack_bin(pk, (size_t)k) || msgpack_pack_bin_body(pk, b, (size_t)k);
      free(b);
      return rc ? -1 : 0;
    }
    if (msgpack_pack_map(pk, (size_t)cJSON_GetArraySize(v))) return -1;
    const cJSON *e;
    cJSON_ArrayForEach(e, v) {
      size_t l = strlen(e->string);
      if (msgpack_pack_str(pk, l) || msgpack_pack_str_body(pk, e->string, l) ||
          pack_json(pk, e, depth + 1))
        return -1;
    }
    return 0;
  }
  return -1;
}

int ct_mp_from_text(const char *p, size_t n, ct_buf *out) {
  if (n < 1 || p[0] < '0' || p[0] > '4') return -1; /* SIO-MP-3: types 0..4 only */
  size_t i = 1;
  const char *nsp = "/";
  size_t nl = 1;
  if (i < n && p[i] == '/') {
    size_t s = i;
    while (i < n && p[i] != ',') i++;
    nsp = p + s;
    nl = i - s;
    if (i < n) i++; /* the comma */
  }
  int has_id = 0;
  unsigned long long id = 0;
  while (i < n && p[i] >= '0' && p[i] <= '9') {
    has_id = 1;
    id = id * 10 + (unsigned long long)(p[i++] - '0');
  }
  cJSON *data = NULL;
  if (i < n) {
    data = cJSON_ParseWithLength(p + i, n - i);
    if (!data) return -1;
  }
  msgpack_packer pk;
  msgpack_packer_init(&pk, out, buf_write);
  /* SIO-MP-15: type, nsp, data, id */
  int rc = msgpack_pack_map(&pk, 2u + (data != NULL) + (unsigned)has_id) ||
           msgpack_pack_str(&pk, 4) || msgpack_pack_str_body(&pk, "type", 4) ||
           msgpack_pack_uint8(&pk, (uint8_t)(p[0] - '0')) || msgpack_pack_str(&pk, 3) ||
           msgpack_pack_str_body(&pk, "nsp", 3) || msgpack_pack_str(&pk, nl) ||
           msgpack_pack_str_body(&pk, nsp, nl);
  if (!rc && data)
    rc = msgpack_pack_str(&pk, 4) || msgpack_pack_str_body(&pk, "data", 4) ||
         pack_json(&pk, data, 0);
  if (!rc && has_id)
    rc = msgpack_pack_str(&pk, 2) || msgpack_pack_str_body(&pk, "id", 2) ||
         msgpack_pack_uint64(&pk, id);
  cJSON_Delete(data);
  return rc ? -1 : 0;
}

/* A msgpack value as JSON; bin as {"$bin": "hex"}; ext refused. */
static cJSON *to_json(const msgpack_object *o, int depth) {
  if (depth > 64) return NULL;
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
    char *s = ct_xstrndup(o->via.str.ptr, o->via.str.size);
    cJSON *j = cJSON_CreateString(s);
    free(s);
    return j;
  }
  case MSGPACK_OBJECT_BIN: {
    char *h = ct_xmalloc(2 * o->via.bin.size + 1);
    ct_hex_encode((const unsigned char *)o->via.bin.ptr, o->via.bin.size, h);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "$bin", h);
    free(h);
    return j;
  }
  case MSGPACK_OBJECT_ARRAY: {
    cJSON *a = cJSON_CreateArray();
    for (uint32_t k = 0; k < o->via.array.size; k++) {
      cJSON *e = to_json(&o->via.array.ptr[k], depth + 1);
      if (!e) {
        cJSON_Delete(a);
        return NULL;
      }
      cJSON_AddItemToArray(a, e);
    }
    return a;
  }
  case MSGPACK_OBJECT_MAP: {
    cJSON *m = cJSON_CreateObject();
    for (uint32_t k = 0; k < o->via.map.size; k++) {
      const msgpack_object_kv *kv = &o->via.map.ptr[k];
      cJSON *e = kv->key.type == MSGPACK_OBJECT_STR ? to_json(&kv->val, depth + 1) : NULL;
      if (!e) {
        cJSON_Delete(m);
        return NULL;
      }
      char *key = ct_xstrndup(kv->key.via.str.ptr, kv->key.via.str.size);
      cJSON_AddItemToObject(m, key, e);
      free(key);
    }
    return m;
  }
  case MSGPACK_OBJECT_EXT: {
    /* SIO-MP-5 refuses ext values; the harness still reads them, as {"$ext": TYPE}, so a
     * case can grade a server that sends one (notepack writes undefined as ext 0) */
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "$ext", o->via.ext.type);
    return j;
  }
  default:
    return NULL;
  }
}

static const msgpack_object *map_get(const msgpack_object *m, const char *k) {
  size_t kl = strlen(k);
  for (uint32_t i = 0; i < m->via.map.size; i++) {
    const msgpack_object *key = &m->via.map.ptr[i].key;
    if (key->type == MSGPACK_OBJECT_STR && key->via.str.size == kl &&
        memcmp(key->via.str.ptr, k, kl) == 0)
      return &m->via.map.ptr[i].val;
  }
  return NULL;
}

int ct_mp_to_text(const unsigned char *p, size_t n, ct_buf *out) {
  msgpack_unpacked u;
  msgpack_unpacked_init(&u);
  size_t off = 0;
  int rc = -1;
  if (msgpack_unpack_next(&u, (const char *)p, n, &off) == MSGPACK_UNPACK_SUCCESS && off == n &&
      u.data.type == MSGPACK_OBJECT_MAP) {
    const msgpack_object *type = map_get(&u.data, "type"), *nsp = map_get(&u.data, "nsp");
    const msgpack_object *data = map_get(&u.data, "data"), *id = map_get(&u.data, "id");
    if (type && type->type == MSGPACK_OBJECT_POSITIVE_INTEGER && type->via.u64 <= 9 && nsp &&
        nsp->type == MSGPACK_OBJECT_STR) {
      rc = 0;
      ct_buf_printf(out, "%u", (unsigned)type->via.u64);
      /* the text form leaves "/" out and ends another namespace with "," */
      if (!(nsp->via.str.size == 1 && nsp->via.str.ptr[0] == '/')) {
        ct_buf_add(out, nsp->via.str.ptr, nsp->via.str.size);
        ct_buf_adds(out, ",");
      }
      if (id && id->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
        ct_buf_printf(out, "%llu", (unsigned long long)id->via.u64);
      else if (id)
        rc = -1;
      if (!rc && data) {
        cJSON *j = to_json(data, 0);
        char *s = j ? cJSON_PrintUnformatted(j) : NULL;
        if (s)
          ct_buf_adds(out, s);
        else
          rc = -1;
        free(s);
        cJSON_Delete(j);
      }
    }
  }
  msgpack_unpacked_destroy(&u);
  return rc;
}

#else /* built without msgpack-c */

int ct_mp_available(void) { return 0; }
int ct_mp_from_text(const char *p, size_t n, ct_buf *out) {
  (void)p, (void)n, (void)out;
  return -1;
}
int ct_mp_to_text(const unsigned char *p, size_t n, ct_buf *out) {
  (void)p, (void)n, (void)out;
  return -1;
}

#endif
