/* Tests of ra_value.c: numbers as JavaScript prints them, JSON <-> MessagePack as
 * JSON.parse/notepack.io/JSON.stringify map them, checked by hand and against every
 * MessagePack payload of vectors/redis-adapter/messages.json (recorded from the official
 * adapter: its bytes must come out of our packer exactly). Spec tags: RA-6, RA-7. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <criterion/criterion.h>

#include "sioref/err.h"
#include "sioref/ra_value.h"
#include "vec.h"

static char *num(double d) {
  static char out[64];
  ra_buf b = {0};
  ra_buf_number(&b, d);
  cr_assert(!b.oom);
  snprintf(out, sizeof out, "%s", b.p);
  ra_buf_free(&b);
  return out;
}

Test(ra_value, numbers_print_as_javascript_does) {
  cr_assert_str_eq(num(0.1), "0.1");
  cr_assert_str_eq(num(-1.5), "-1.5");
  cr_assert_str_eq(num(123.456), "123.456");
  cr_assert_str_eq(num(1e21), "1e+21");
  cr_assert_str_eq(num(1e20), "100000000000000000000");
  cr_assert_str_eq(num(1e-7), "1e-7");
  cr_assert_str_eq(num(1.5e-7), "1.5e-7");
  cr_assert_str_eq(num(0.000001), "0.000001");
  cr_assert_str_eq(num(0.1 + 0.2), "0.30000000000000004");
  cr_assert_str_eq(num(1.7976931348623157e308), "1.7976931348623157e+308");
  cr_assert_str_eq(num(5e-324), "5e-324");
  cr_assert_str_eq(num(-0.0), "0");
  cr_assert_str_eq(num(NAN), "null");
  cr_assert_str_eq(num(INFINITY), "null");
  cr_assert_str_eq(num(3.0), "3");
}

/* JSON -> MessagePack -> JSON. */
static char *round_trip(const char *json, uint8_t *mp, size_t *mp_len) {
  static char out[1024];
  msgpack_sbuffer sb;
  msgpack_sbuffer_init(&sb);
  msgpack_packer pk;
  msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
  ref_span att[1] = {{(const uint8_t *)"\x01\x02", 2}};
  int rc = ra_json_to_msgpack(&pk, (const uint8_t *)json, strlen(json), att, 1);
  cr_assert_eq(rc, 0, "%s: %d", json, rc);
  if (mp) {
    memcpy(mp, sb.data, sb.size);
    *mp_len = sb.size;
  }
  msgpack_unpacked up;
  msgpack_unpacked_init(&up);
  cr_assert_eq(msgpack_unpack_next(&up, sb.data, sb.size, NULL), MSGPACK_UNPACK_SUCCESS);
  ra_buf b = {0};
  ra_bins bins = {0};
  cr_assert_eq(ra_msgpack_to_json(&up.data, &b, &bins), 0);
  snprintf(out, sizeof out, "%s", b.p);
  ra_buf_free(&b);
  ra_bins_free(&bins);
  msgpack_unpacked_destroy(&up);
  msgpack_sbuffer_destroy(&sb);
  return out;
}

Test(ra_value, json_round_trip_as_json_stringify) {
  cr_assert_str_eq(round_trip(" [1, 1.0, 1e2, -0, -7, 2.5, true, false, null] ", NULL, NULL),
                   "[1,1,100,0,-7,2.5,true,false,null]");
  cr_assert_str_eq(round_trip("{\"a\":{\"b\":[\"x\\u0041\\n\\\"\"]}}", NULL, NULL),
                   "{\"a\":{\"b\":[\"xA\\n\\\"\"]}}");
  cr_assert_str_eq(round_trip("\"\\ud83d\\ude00 \\u00e9 \\u0001\\/\"", NULL, NULL),
                   "\"\xF0\x9F\x98\x80 \xC3\xA9 \\u0001/\"");
  cr_assert_str_eq(round_trip("[{\"_placeholder\":true,\"num\":0}]", NULL, NULL),
                   "[{\"_placeholder\":true,\"num\":0}]");
  cr_assert_str_eq(round_trip("18446744073709551614", NULL, NULL), "18446744073709551614");
  /* past 2^64: a double, as JavaScript reads it */
  cr_assert_str_eq(round_trip("18446744073709551616", NULL, NULL), "18446744073709552000");
  cr_assert_str_eq(round_trip("-9223372036854775807", NULL, NULL), "-9223372036854775807");
}

Test(ra_value, integers_and_floats_in_their_notepack_forms) {
  uint8_t mp[64];
  size_t n;
  round_trip("127", mp, &n);
  cr_assert(n == 1 && mp[0] == 0x7f);
  round_trip("128", mp, &n);
  cr_assert(n == 2 && mp[0] == 0xcc);
  round_trip("-32", mp, &n);
  cr_assert(n == 1 && mp[0] == 0xe0);
  round_trip("-33", mp, &n);
  cr_assert(n == 2 && mp[0] == 0xd0);
  round_trip("3000", mp, &n);
  cr_assert(n == 3 && mp[0] == 0xcd);
  round_trip("1.5", mp, &n);
  cr_assert(n == 9 && mp[0] == 0xcb);
  round_trip("[{\"_placeholder\":true,\"num\":0}]", mp, &n);
  cr_assert(n == 5 && mp[1] == 0xc4 && mp[2] == 2 && mp[3] == 1 && mp[4] == 2);
}

Test(ra_value, bad_input_is_refused) {
  msgpack_sbuffer sb;
  msgpack_sbuffer_init(&sb);
  msgpack_packer pk;
  msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
  const char *bad[] = {"", "[", "{\"a\"}", "[1,]", "tru", "\"x", "1 2", "[1.2.3]"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    cr_assert_lt(ra_json_to_msgpack(&pk, (const uint8_t *)bad[i], strlen(bad[i]), NULL, 0), 0, "%s",
                 bad[i]);
  const char *ph = "{\"_placeholder\":true,\"num\":1}";
  cr_assert_eq(ra_json_to_msgpack(&pk, (const uint8_t *)ph, strlen(ph), NULL, 0),
               REF_ERR_BAD_PLACEHOLDER);
  char deep[200];
  memset(deep, '[', 100);
  memset(deep + 100, ']', 100);
  cr_assert_eq(ra_json_to_msgpack(&pk, (const uint8_t *)deep, 200, NULL, 0), REF_ERR_JSON_TOO_DEEP);
  msgpack_sbuffer_destroy(&sb);
}

Test(ra_value, strings_escape_as_json_stringify_and_replace_bad_utf8) {
  ra_buf b = {0};
  ra_buf_json_string(&b, "a\x01\b\f\x7f\xff\xc3\xa9\"\\", 10);
  cr_assert_str_eq(b.p, "\"a\\u0001\\b\\f\x7f\xEF\xBF\xBD\xC3\xA9\\\"\\\\\"");
  ra_buf_free(&b);
}

/* ---- every MessagePack payload the official adapter published, byte for byte */

static size_t unhex(const char *h, uint8_t *out) {
  size_t n = strlen(h) / 2;
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    sscanf(h + 2 * i, "%2x", &v);
    out[i] = (uint8_t)v;
  }
  return n;
}

/* Replace {"$bin": hex} by placeholders, collecting the bytes. */
static void bins_to_placeholders(cJSON *v, ref_span *att, size_t *n_att, uint8_t *store) {
  if (cJSON_IsObject(v)) {
    cJSON *bin = cJSON_GetObjectItemCaseSensitive(v, "$bin");
    if (bin && cJSON_IsString(bin)) {
      size_t off = *n_att * 64;
      size_t len = unhex(bin->valuestring, store + off);
      att[*n_att] = (ref_span){store + off, len};
      cJSON_DeleteItemFromObjectCaseSensitive(v, "$bin");
      cJSON_AddTrueToObject(v, "_placeholder");
      cJSON_AddNumberToObject(v, "num", (double)(*n_att)++);
      return;
    }
  }
  for (cJSON *c = v->child; c; c = c->next) bins_to_placeholders(c, att, n_att, store);
}

/* The file PATH, read whole (vec_read_file). */
static char *slurp(const char *path) {
  size_t len;
  char *s = vec_read_file(path, &len);
  cr_assert_not_null(s, "%s", path);
  return s;
}

Test(ra_value, every_recorded_msgpack_payload_packs_byte_for_byte) {
  char *text = slurp(SIO_VECTORS_DIR "/redis-adapter/messages.json");
  cJSON *root = cJSON_Parse(text);
  cr_assert_not_null(root);
  int checked = 0;
  cJSON *vec;
  cJSON_ArrayForEach(vec, cJSON_GetObjectItem(root, "vectors")) {
    cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItem(vec, "messages")) {
      if (strcmp(cJSON_GetObjectItem(m, "encoding")->valuestring, "msgpack") != 0) continue;
      cJSON *dec = cJSON_Duplicate(cJSON_GetObjectItem(m, "decoded"), 1);
      ref_span att[4];
      size_t n_att = 0;
      uint8_t store[4 * 64];
      bins_to_placeholders(dec, att, &n_att, store);
      char *json = cJSON_PrintUnformatted(dec);
      msgpack_sbuffer sb;
      msgpack_sbuffer_init(&sb);
      msgpack_packer pk;
      msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
      cr_assert_eq(ra_json_to_msgpack(&pk, (const uint8_t *)json, strlen(json), att, n_att), 0);
      uint8_t want[1024];
      size_t wn = unhex(cJSON_GetObjectItem(m, "hex")->valuestring, want);
      cr_assert(sb.size == wn && memcmp(sb.data, want, wn) == 0, "%s: packed differently",
                cJSON_GetObjectItem(vec, "id")->valuestring);
      cr_assert(ra_msgpack_bounded(want, wn));
      cr_assert(!ra_msgpack_bounded(want, wn - 1), "cut short");
      /* and back: the same value, bins as placeholders */
      msgpack_unpacked up;
      msgpack_unpacked_init(&up);
      cr_assert_eq(msgpack_unpack_next(&up, (const char *)want, wn, NULL), MSGPACK_UNPACK_SUCCESS);
      ra_buf b = {0};
      ra_bins bins = {0};
      cr_assert_eq(ra_msgpack_to_json(&up.data, &b, &bins), 0);
      cJSON *back = cJSON_Parse(b.p);
      cr_assert(cJSON_Compare(back, dec, 1), "%s: %s", cJSON_GetObjectItem(vec, "id")->valuestring,
                b.p);
      cr_assert_eq(bins.n, n_att);
      for (size_t i = 0; i < n_att; i++)
        cr_assert(bins.v[i].len == att[i].len &&
                  memcmp(bins.v[i].ptr, att[i].ptr, att[i].len) == 0);
      cJSON_Delete(back);
      ra_buf_free(&b);
      ra_bins_free(&bins);
      msgpack_unpacked_destroy(&up);
      msgpack_sbuffer_destroy(&sb);
      free(json);
      cJSON_Delete(dec);
      checked++;
    }
  }
  cr_assert_geq(checked, 10);
  cJSON_Delete(root);
  free(text);
}

Test(ra_value, msgpack_headers_are_bounded_by_the_bytes) {
  static const uint8_t ok1[] = {0x92, 0x01, 0xa1, 'x'};
  static const uint8_t ok2[] = {0xc4, 0x02, 0x01, 0x02};
  static const uint8_t ok3[] = {0xd6, 0xff, 0, 0, 0, 1};
  cr_assert(ra_msgpack_bounded(ok1, sizeof ok1));
  cr_assert(ra_msgpack_bounded(ok2, sizeof ok2));
  cr_assert(ra_msgpack_bounded(ok3, sizeof ok3));
  static const uint8_t bad[][6] = {
      {0xdd, 0xff, 0xff, 0xff, 0xff, 0x00}, /* array32 of 4G elements in 6 bytes */
      {0xdf, 0xff, 0xff, 0xff, 0xff, 0x00}, /* map32 */
      {0xdb, 0xff, 0xff, 0xff, 0xff, 0x00}, /* str32 */
      {0xc6, 0x00, 0x00, 0x01, 0x00, 0x00}, /* bin32 of 256 bytes */
      {0x93, 0x01, 0x02, 0x00, 0x00, 0x00}, /* trailing bytes after the array */
      {0xc1, 0, 0, 0, 0, 0},                /* never used */
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    cr_assert(!ra_msgpack_bounded(bad[i], 6), "case %zu", i);
  cr_assert(!ra_msgpack_bounded(ok1, 0));
}
