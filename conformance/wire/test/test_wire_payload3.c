/* wire_payload3: v3 text payloads counted in UTF-16 units, binary payloads, the errors,
 * every input cut at every length from an exact heap block (ASan catches overreads). */
#include <criterion/criterion.h>

#include "wire_payload3.h"
#include "wire_test_util.h"

typedef struct {
  char pkt[64];
  size_t len;
  int binary;
} seg_t;

/* Split S/N; returns the final result (WIRE_OK or an error), segments in OUT, their count in K. */
static int split(const void *s, size_t n, seg_t *out, size_t cap, size_t *k) {
  unsigned char *b = exact(s, n);
  wire_payload3_iter it;
  wire_payload3_begin(&it, n ? b : NULL, n);
  wire_payload3_rec r;
  int rc;
  *k = 0;
  while ((rc = wire_payload3_next(&it, &r)) == WIRE_MORE) {
    cr_assert_lt(*k, cap);
    memcpy(out[*k].pkt, r.pkt.p, r.pkt.len < 63 ? r.pkt.len : 63);
    out[*k].pkt[r.pkt.len < 63 ? r.pkt.len : 63] = 0;
    out[*k].len = r.pkt.len;
    out[*k].binary = r.binary;
    (*k)++;
  }
  free(b);
  return rc;
}

Test(wire_payload3, utf16_lengths) {
  cr_assert_eq(wire_utf16_len((const unsigned char *)"4hello", 6), 6);
  cr_assert_eq(wire_utf16_len((const unsigned char *)"4\xc3\xa9", 3), 2);         /* 4é */
  cr_assert_eq(wire_utf16_len((const unsigned char *)"4\xe2\x82\xac", 4), 2);     /* 4€ */
  cr_assert_eq(wire_utf16_len((const unsigned char *)"4\xf0\x9f\x98\x80", 5), 3); /* 4😀 */
  cr_assert_eq(wire_utf16_len((const unsigned char *)"\xff\xfe", 2), 2);          /* broken */
}

Test(wire_payload3, prefixes) {
  char p[12];
  cr_assert_eq(wire_payload3_prefix(p, (const unsigned char *)"4\xf0\x9f\x98\x80", 5), 2);
  cr_assert_str_eq(p, "3:");
  unsigned char h[12];
  cr_assert_eq(wire_payload3_bin_head(h, 0, 12), 4);
  cr_assert_eq(memcmp(h, "\x00\x01\x02\xff", 4), 0);
  cr_assert_eq(wire_payload3_bin_head(h, 1, 4), 3);
  cr_assert_eq(memcmp(h, "\x01\x04\xff", 3), 0);
}

Test(wire_payload3, text_segments) {
  seg_t s[8];
  size_t k;
  const char body[] = "6:4hello1:20:3:4\xf0\x9f\x98\x80";
  cr_assert_eq(split(body, sizeof body - 1, s, 8, &k), WIRE_OK);
  cr_assert_eq(k, 3); /* the 0: segment is skipped (EIO-TPL-4) */
  cr_assert_str_eq(s[0].pkt, "4hello");
  cr_assert_str_eq(s[1].pkt, "2");
  cr_assert_str_eq(s[2].pkt, "4\xf0\x9f\x98\x80");
  cr_assert_eq(split("0:", 2, s, 8, &k), WIRE_OK);
  cr_assert_eq(k, 0);
  cr_assert_eq(split("6:b4AQID", 8, s, 8, &k), WIRE_OK);
  cr_assert_str_eq(s[0].pkt, "b4AQID");
  cr_assert(!s[0].binary);
}

Test(wire_payload3, text_errors) {
  seg_t s[8];
  size_t k;
  static const char *const bad[] = {":4a",
                                    ("4hello\x1e"
                                     "4world"), /* one element: a v4 body */
                                    "6:4hell",
                                    "5:4hello",
                                    "6:4hello1",
                                    "3:4\xc3\xa9",
                                    "5:4\xf0\x9f\x98\x80",
                                    "2:4\xf0\x9f\x98\x80",
                                    " 6:4hello",
                                    "+6:4hello",
                                    "6.0:4hello",
                                    "00000000006:4hello"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    cr_assert_eq(split(bad[i], strlen(bad[i]), s, 8, &k), WIRE_E_V3_LENGTH, "%s", bad[i]);
  cr_assert_eq(split("", 0, s, 8, &k), WIRE_E_V3_EMPTY);
  cr_assert_eq(split("2:4\xff", 4, s, 8, &k), WIRE_E_V3_UTF8);
}

Test(wire_payload3, binary_segments) {
  seg_t s[8];
  size_t k;
  const unsigned char body[] = {0x00, 0x06, 0xff, '4',  'h',  'e',  'l',  'l',
                                'o',  0x01, 0x04, 0xff, 0x04, 0x01, 0x02, 0x03};
  cr_assert_eq(split(body, sizeof body, s, 8, &k), WIRE_OK);
  cr_assert_eq(k, 2);
  cr_assert_str_eq(s[0].pkt, "4hello");
  cr_assert(!s[0].binary);
  cr_assert(s[1].binary);
  cr_assert_eq(s[1].len, 4);
  cr_assert_eq(memcmp(s[1].pkt, "\x04\x01\x02\x03", 4), 0);
  static const struct {
    const char *hex;
    size_t n;
    int err;
  } bad[] = {{"\x00\x0c\xff"
              "4hello world",
              15, WIRE_E_V3_LENGTH},
             {"\x00\x01\x02", 3, WIRE_E_V3_LENGTH},
             {"\x00\xff"
              "4a",
              4, WIRE_E_V3_LENGTH},
             {"\x00\x09\xff"
              "4hi",
              6, WIRE_E_V3_LENGTH},
             {"\x01\x00\xff", 3, WIRE_E_V3_EMPTY}};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    cr_assert_eq(split(bad[i].hex, bad[i].n, s, 8, &k), bad[i].err, "case %zu", i);
}

/* every prefix of valid bodies and random bytes: a result, never an overread */
Test(wire_payload3, cuts_and_random) {
  seg_t s[64];
  size_t k;
  const char body[] = "6:4hello3:4\xf0\x9f\x98\x80"
                      "1:2";
  for (size_t n = 0; n <= sizeof body - 1; n++) split(body, n, s, 64, &k);
  uint64_t seed = 7;
  unsigned char buf[40];
  for (int i = 0; i < 20000; i++) {
    size_t n = test_rand(&seed) % sizeof buf;
    for (size_t j = 0; j < n; j++) {
      uint32_t r = test_rand(&seed);
      buf[j] = (unsigned char)(r % 4 == 0   ? r >> 8
                               : r % 4 == 1 ? '0' + (r >> 8) % 10
                               : r % 4 == 2 ? ':'
                                            : (r >> 8) % 3);
    }
    split(buf, n, s, 64, &k);
  }
}
