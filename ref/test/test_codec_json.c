/* Unit tests of the strict JSON scanner: what JSON.parse accepts and refuses, depth
 * limits, first-element reporting, unescaped comparison and the placeholder walk.
 * Spec tags: SIO-PK-10, SIO-PK-11, SIO-PK-14, SIO-BIN-7, SIO-BIN-8. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sioref/err.h"
#include "sioref/json_scan.h"

static int scan(const char *s, uint32_t depth, json_info *ji) {
  return json_scan((const uint8_t *)s, strlen(s), depth, ji);
}

Test(json, accepts_what_json_parse_accepts) {
  const char *ok[] = {
      "0",
      "-0",
      "1",
      "-1",
      "10",
      "1.5",
      "-1.5e10",
      "1E+2",
      "1e-2",
      "0.0",
      "123456789012345678901234567890",
      "true",
      "false",
      "null",
      "\"\"",
      "\"a\"",
      "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
      "\"\\u0041\\uABcd\"",
      "\"\\ud800\"",
      "\"\\udc00\\ud800\"",
      "\"\x7f\"",
      "\"\xc3\xa9\"",
      "[]",
      "{}",
      "[1,2,[3,{}]]",
      "{\"a\":1,\"a\":2}",
      " \t\r\n[ 1 , 2 ]\n\t\r ",
      "{\"\":{\"\":[]}}",
      "[\"\\u0000\"]",
  };
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
    cr_assert_eq(scan(ok[i], 32, NULL), 0, "%s", ok[i]);
}

Test(json, refuses_the_rest) {
  const char *bad[] = {
      "",
      " ",
      "01",
      "-",
      "+1",
      "1.",
      ".5",
      "1e",
      "1e+",
      "0x1",
      "NaN",
      "Infinity",
      "-Infinity",
      "tru",
      "True",
      "nul",
      "'a'",
      "\"a",
      "\"\\x\"",
      "\"\\u12\"",
      "\"\\u12G4\"",
      "\"\t\"",
      "\"\n\"",
      "\"\x01\"",
      "[1,]",
      "[,1]",
      "[1 2]",
      "{\"a\"}",
      "{\"a\":}",
      "{a:1}",
      "{\"a\":1,}",
      "{,}",
      "[",
      "]",
      "{",
      "1 2",
      "[]]",
      "[] x",
      "\f[]",
      "\v1",
      "\xc2\xa0"
      "1",
      "\xef\xbb\xbf"
      "1",
      "[1]/*c*/",
      "//c\n1",
      "[\xc3\xa9]",
      "\"\\",
      "{\"a\":1 \"b\":2}",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    cr_assert_eq(scan(bad[i], 32, NULL), REF_ERR_INVALID_JSON, "case %zu: %s", i, bad[i]);
}

Test(json, depth) {
  char buf[200];
  for (int d = 1; d <= 40; d++) {
    size_t n = 0;
    for (int i = 0; i < d; i++) buf[n++] = (i % 2) ? '[' : '[';
    for (int i = 0; i < d; i++) buf[n++] = ']';
    buf[n] = 0;
    cr_assert_eq(scan(buf, 32, NULL), d <= 32 ? 0 : REF_ERR_JSON_TOO_DEEP, "depth %d", d);
  }
  cr_assert_eq(scan("[{\"a\":[{}]}]", 4, NULL), 0);
  cr_assert_eq(scan("[{\"a\":[{}]}]", 3, NULL), REF_ERR_JSON_TOO_DEEP);
  cr_assert_eq(scan("1", 1, NULL), 0);
  cr_assert_eq(scan("[]", 1, NULL), 0);
  cr_assert_eq(scan("1", 0, NULL), REF_ERR_INVALID_ARGUMENT);
  cr_assert_eq(scan("1", JSON_SCAN_MAX_DEPTH + 1, NULL), REF_ERR_INVALID_ARGUMENT);
  cr_assert_eq(json_scan(NULL, 1, 32, NULL), REF_ERR_INVALID_ARGUMENT);
  cr_assert_eq(json_scan(NULL, 0, 32, NULL), REF_ERR_INVALID_JSON);
  /* the deepest allowed nesting works (bounded recursion) */
  static char deep[2 * JSON_SCAN_MAX_DEPTH + 1];
  memset(deep, '[', JSON_SCAN_MAX_DEPTH);
  memset(deep + JSON_SCAN_MAX_DEPTH, ']', JSON_SCAN_MAX_DEPTH);
  cr_assert_eq(scan(deep, JSON_SCAN_MAX_DEPTH, NULL), 0);
}

Test(json, info) {
  json_info ji;
  cr_assert_eq(scan("  [\"ev\\n\", 1] ", 32, &ji), 0);
  cr_assert_eq(ji.type, JSON_ARRAY);
  cr_assert_eq(ji.first_type, JSON_STRING);
  cr_assert_eq(ji.first_str.len, 4);
  cr_assert(memcmp(ji.first_str.ptr, "ev\\n", 4) == 0);
  cr_assert_eq(ji.value.len, 11);
  cr_assert_eq(scan("[]", 32, &ji), 0);
  cr_assert_eq(ji.first_type, JSON_NONE);
  cr_assert_eq(scan("[[\"x\"]]", 32, &ji), 0);
  cr_assert_eq(ji.first_type, JSON_ARRAY, "only the top-level array's first element");
  cr_assert_eq(scan("{\"a\":[\"x\"]}", 32, &ji), 0);
  cr_assert_eq(ji.type, JSON_OBJECT);
  cr_assert_eq(ji.first_type, JSON_NONE);
  const struct {
    const char *s;
    json_type t;
  } types[] = {{"null", JSON_NULL}, {"true", JSON_TRUE},   {"false", JSON_FALSE},
               {"-2", JSON_NUMBER}, {"\"\"", JSON_STRING}, {"{}", JSON_OBJECT}};
  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
    char arr[32];
    snprintf(arr, sizeof arr, "[%s]", types[i].s);
    cr_assert_eq(scan(types[i].s, 32, &ji), 0);
    cr_assert_eq(ji.type, types[i].t);
    cr_assert_eq(scan(arr, 32, &ji), 0);
    cr_assert_eq(ji.first_type, types[i].t);
  }
}

static bool eq(const char *escaped, const char *lit) {
  return json_string_equals((ref_span){(const uint8_t *)escaped, strlen(escaped)}, lit);
}

Test(json, string_equals) {
  cr_assert(eq("connect", "connect"));
  cr_assert(eq("\\u0063onnect", "connect"));
  cr_assert(eq("\\u0063\\u006F\\u006e\\u006Eect", "connect"));
  cr_assert(eq("a\\/b", "a/b"));
  cr_assert(eq("\\\"\\\\\\b\\f\\n\\r\\t", "\"\\\b\f\n\r\t"));
  cr_assert(!eq("Connect", "connect"));
  cr_assert(!eq("connect ", "connect"));
  cr_assert(!eq("connec", "connect"));
  cr_assert(!eq("\\u0063onnect\\u0000", "connect"));
  cr_assert(!eq("\\ud800", ""));
  cr_assert(eq("", ""));
  cr_assert(!eq("", "a"));
  cr_assert(json_string_equals((ref_span){NULL, 0}, ""));
  cr_assert(!json_string_equals((ref_span){NULL, 0}, NULL));
}

typedef struct found {
  int n;
  bool ok[8];
  uint64_t num[8];
  char whole[8][64];
  int stop_at; /* return 99 on this call (1-based); 0 never */
} found;

static int collect(void *ctx, const json_placeholder *ph) {
  found *f = ctx;
  cr_assert_lt(f->n, 8);
  f->ok[f->n] = ph->num_ok;
  f->num[f->n] = ph->num;
  size_t l = ph->whole.len < 63 ? ph->whole.len : 63;
  memcpy(f->whole[f->n], ph->whole.ptr, l);
  f->whole[f->n][l] = 0;
  f->n++;
  return f->n == f->stop_at ? 99 : 0;
}

static found walk(const char *s, int stop_at, int *rc) {
  found f;
  memset(&f, 0, sizeof f);
  f.stop_at = stop_at;
  *rc = json_visit_placeholders((const uint8_t *)s, strlen(s), 32, collect, &f);
  return f;
}

Test(json, placeholders) {
  int rc;
  found f = walk("[\"ev\",{\"_placeholder\":true,\"num\":0},[{\"num\":1,\"_placeholder\":true}]]",
                 0, &rc);
  cr_assert_eq(rc, 0);
  cr_assert_eq(f.n, 2);
  cr_assert(f.ok[0] && f.num[0] == 0);
  cr_assert(f.ok[1] && f.num[1] == 1);
  cr_assert_str_eq(f.whole[0], "{\"_placeholder\":true,\"num\":0}");
  /* not placeholders */
  f = walk("[{\"_placeholder\":\"true\",\"num\":0},{\"_placeholder\":1},{\"_placeholder\":false},"
           "{\"placeholder\":true},{\"_placeholder\":true,\"_placeholder\":false}]",
           0, &rc);
  cr_assert_eq(rc, 0);
  cr_assert_eq(f.n, 0);
  /* the last repeated key wins, as in JSON.parse; escaped keys count */
  f = walk("{\"a\":{\"_placeholder\":false,\"_placeholder\":true,\"num\":\"x\",\"num\":3}}", 0,
           &rc);
  cr_assert_eq(f.n, 1);
  cr_assert(f.ok[0] && f.num[0] == 3);
  f = walk("[{\"\\u005fplaceholder\":true,\"n\\u0075m\":2}]", 0, &rc);
  cr_assert_eq(f.n, 1);
  cr_assert(f.ok[0] && f.num[0] == 2);
  /* bad nums */
  const char *bad[] = {"-1", "-0", "0.5", "1.0", "1e0", "\"0\"", "null", "true", "[0]", "{}"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char s[96];
    snprintf(s, sizeof s, "[{\"_placeholder\":true,\"num\":%s}]", bad[i]);
    f = walk(s, 0, &rc);
    cr_assert_eq(f.n, 1, "%s", s);
    cr_assert(!f.ok[0], "%s", s);
  }
  f = walk("[{\"_placeholder\":true}]", 0, &rc);
  cr_assert(f.n == 1 && !f.ok[0], "missing num");
  f = walk("[{\"_placeholder\":true,\"num\":99999999999999999999999}]", 0, &rc);
  cr_assert(f.ok[0] && f.num[0] == UINT64_MAX, "saturates");
  /* nested inside a placeholder: not visited */
  f = walk("[{\"_placeholder\":true,\"num\":0,\"x\":{\"_placeholder\":true,\"num\":1}}]", 0, &rc);
  cr_assert_eq(f.n, 1);
  /* top-level placeholder object; deep nesting */
  f = walk("{\"_placeholder\":true,\"num\":7}", 0, &rc);
  cr_assert(f.n == 1 && f.num[0] == 7);
  f = walk("[[[[{\"k\":[{\"_placeholder\":true,\"num\":1}]}]]]]", 0, &rc);
  cr_assert(f.n == 1 && f.num[0] == 1);
  /* the callback stops the walk */
  f = walk("[{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]", 1, &rc);
  cr_assert_eq(rc, 99);
  cr_assert_eq(f.n, 1);
  /* invalid text: error, nothing reported */
  f = walk("[{\"_placeholder\":true,\"num\":0}", 0, &rc);
  cr_assert_eq(rc, REF_ERR_INVALID_JSON);
  cr_assert_eq(f.n, 0);
  cr_assert_eq(json_visit_placeholders((const uint8_t *)"1", 1, 32, NULL, NULL),
               REF_ERR_INVALID_ARGUMENT);
}

static size_t unesc(const char *s, unsigned *cp) {
  return json_unescape_at((const uint8_t *)s, (const uint8_t *)s + strlen(s), cp);
}

/* The helpers the adapter, the contract app and the msgpack bridge unescape with. */
Test(json, unescape_at) {
  unsigned cp = 0;
  const char *two[] = {"\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t"};
  const unsigned want[] = {'"', '\\', '/', '\b', '\f', '\n', '\r', '\t'};
  for (size_t i = 0; i < sizeof two / sizeof *two; i++) {
    cr_assert_eq(unesc(two[i], &cp), 2, "%s", two[i]);
    cr_assert_eq(cp, want[i], "%s", two[i]);
  }
  cr_assert(unesc("\\u00e9x", &cp) == 6 && cp == 0xE9);
  cr_assert(unesc("\\uD83D\\uDE00", &cp) == 12 && cp == 0x1F600, "a pair is joined");
  cr_assert(unesc("\\ud83d\\ude00", &cp) == 12 && cp == 0x1F600, "lower-case hex");
  cr_assert(unesc("\\uD83Dx", &cp) == 6 && cp == 0xD83D, "a lone high surrogate stays");
  cr_assert(unesc("\\uD83D\\u0041", &cp) == 6 && cp == 0xD83D, "not a pair");
  cr_assert(unesc("\\uDE00", &cp) == 6 && cp == 0xDE00, "a lone low surrogate stays");
  const char *bad[] = {"", "\\", "\\x", "\\u12", "\\u12g4", "x"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    cr_assert_eq(unesc(bad[i], &cp), 0, "%s", bad[i]);
}

Test(json, utf8_put) {
  uint8_t u[4];
  cr_assert(json_utf8_put(0x41, u) == 1 && u[0] == 0x41);
  cr_assert(json_utf8_put(0xE9, u) == 2 && memcmp(u, "\xC3\xA9", 2) == 0);
  cr_assert(json_utf8_put(0xD83D, u) == 3 && memcmp(u, "\xED\xA0\xBD", 3) == 0);
  cr_assert(json_utf8_put(0x1F600, u) == 4 && memcmp(u, "\xF0\x9F\x98\x80", 4) == 0);
}

static size_t first_len(const char *s) {
  return json_first_value((ref_span){(const uint8_t *)s, strlen(s)}).len;
}

Test(json, first_value) {
  cr_assert_eq(first_len(""), 0);
  cr_assert_eq(first_len("1"), 1);
  cr_assert_eq(first_len("1 ,2"), 2, "white space before the comma kept");
  cr_assert_eq(first_len("\"a,\\\"b\",2"), 7, "commas and quotes in a string");
  cr_assert_eq(first_len("[1,{\"k\":[2,3]}],4"), 15, "commas inside containers");
}
