/* wire_ws: frame heads of every length class, masking, decoding of every truncation,
 * the 64-bit length rule, the per-frame rules (masking by side, RSV bits, reserved
 * opcodes, control frames) and the fragmentation rule. */
#include <criterion/criterion.h>

#include "wire_test_util.h"
#include "wire_ws.h"

static size_t frame(unsigned char *out, int fin, int rsv, int op, const char *payload, size_t len,
                    const unsigned char *mask) {
  size_t h = wire_ws_head(out, fin, rsv, op, len, mask);
  memcpy(out + h, payload, len);
  if (mask) wire_ws_mask(out + h, len, mask, 0);
  return h + len;
}

Test(wire_ws, head_length_classes) {
  unsigned char h[WIRE_WS_MAX_HEAD];
  cr_assert_eq(wire_ws_head(h, 1, 0, WIRE_WS_TEXT, 125, NULL), 2);
  cr_assert_eq(h[0], 0x81);
  cr_assert_eq(h[1], 125);
  cr_assert_eq(wire_ws_head(h, 1, 0, WIRE_WS_TEXT, 126, NULL), 4);
  cr_assert(h[1] == 126 && h[2] == 0 && h[3] == 126);
  cr_assert_eq(wire_ws_head(h, 1, 0, WIRE_WS_TEXT, 65535, NULL), 4);
  cr_assert(h[2] == 0xff && h[3] == 0xff);
  cr_assert_eq(wire_ws_head(h, 1, 0, WIRE_WS_TEXT, 65536, NULL), 10);
  cr_assert(h[1] == 127 && h[7] == 1 && h[8] == 0 && h[9] == 0);
  unsigned char mask[4] = {1, 2, 3, 4};
  cr_assert_eq(wire_ws_head(h, 0, 5, WIRE_WS_BINARY, 70000, mask), 14);
  cr_assert_eq(h[0], 0x52); /* fin 0, rsv 101, opcode 2 */
  cr_assert_eq(h[1], 0x80 | 127);
  cr_assert_eq(memcmp(h + 10, mask, 4), 0);
  /* values are written as given: rsv and opcode keep only their own bits */
  cr_assert_eq(wire_ws_head(h, 1, 0xff, 0xff, 0, NULL), 2);
  cr_assert_eq(h[0], 0xff);
}

Test(wire_ws, mask_in_pieces_equals_whole) {
  unsigned char mask[4] = {0x11, 0x22, 0x33, 0x44};
  unsigned char a[10], b[10];
  for (int i = 0; i < 10; i++) a[i] = b[i] = (unsigned char)('a' + i);
  wire_ws_mask(a, 10, mask, 0);
  wire_ws_mask(b, 3, mask, 0);
  wire_ws_mask(b + 3, 7, mask, 3);
  cr_assert_eq(memcmp(a, b, 10), 0);
  cr_assert_eq(a[0], 'a' ^ 0x11);
  cr_assert_eq(a[5], ('a' + 5) ^ 0x22);
  wire_ws_mask(a, 10, mask, 0);
  cr_assert_eq(memcmp(a, "abcdefghij", 10), 0);
}

/* Every truncation of a frame is WIRE_MORE, read from an exact-size block. */
static void every_cut(const unsigned char *f, size_t n) {
  wire_ws_frame fr;
  for (size_t cut = 0; cut < n; cut++) {
    unsigned char *b = exact(f, cut);
    cr_assert_eq(wire_ws_decode(b, cut, &fr), WIRE_MORE, "cut %zu of %zu", cut, n);
    free(b);
  }
  unsigned char *b = exact(f, n);
  cr_assert_eq(wire_ws_decode(b, n, &fr), WIRE_OK);
  cr_assert_eq(fr.head_len + fr.len, n);
  free(b);
}

Test(wire_ws, decode_roundtrip_every_truncation) {
  static unsigned char f[70000 + 14];
  char payload[70000];
  memset(payload, 'x', sizeof payload);
  unsigned char mask[4] = {9, 8, 7, 6};
  size_t sizes[] = {0, 5, 125, 126, 300, 65535, 65536, 70000};
  for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
    for (int m = 0; m < 2; m++) {
      size_t n = frame(f, 1, 0, WIRE_WS_TEXT, payload, sizes[k], m ? mask : NULL);
      if (sizes[k] <= 300) {
        every_cut(f, n);
      } else { /* the head's truncations, then one short of the payload */
        size_t cuts[] = {0, 1, 2, 3, 4, 5, 9, 10, 13, 14, 15, n / 2, n - 1};
        for (size_t c = 0; c < sizeof cuts / sizeof *cuts; c++) {
          unsigned char *b = exact(f, cuts[c]);
          wire_ws_frame fr;
          cr_assert_eq(wire_ws_decode(b, cuts[c], &fr), WIRE_MORE, "cut %zu", cuts[c]);
          free(b);
        }
      }
      wire_ws_frame fr;
      cr_assert_eq(wire_ws_decode(f, n, &fr), WIRE_OK);
      cr_assert(fr.fin && fr.opcode == WIRE_WS_TEXT && fr.len == sizes[k]);
      cr_assert_eq(fr.masked, m);
      cr_assert_eq(fr.payload, f + fr.head_len);
    }
  }
}

Test(wire_ws, decode_unmasks_to_the_payload) {
  unsigned char f[32];
  unsigned char mask[4] = {0xde, 0xad, 0xbe, 0xef};
  size_t n = frame(f, 1, 0, WIRE_WS_TEXT, "hello", 5, mask);
  wire_ws_frame fr;
  cr_assert_eq(wire_ws_decode(f, n, &fr), WIRE_OK);
  cr_assert_eq(memcmp(fr.mask, mask, 4), 0);
  unsigned char tmp[5];
  memcpy(tmp, fr.payload, 5);
  wire_ws_mask(tmp, 5, fr.mask, 0);
  cr_assert_eq(memcmp(tmp, "hello", 5), 0);
}

Test(wire_ws, decode_two_frames_back_to_back) {
  unsigned char f[32];
  size_t a = frame(f, 0, 0, WIRE_WS_TEXT, "ab", 2, NULL);
  size_t b = frame(f + a, 1, 0, WIRE_WS_CONT, "c", 1, NULL);
  wire_ws_frame fr;
  cr_assert_eq(wire_ws_decode(f, a + b, &fr), WIRE_OK);
  cr_assert(!fr.fin && fr.len == 2 && fr.head_len == 2);
  cr_assert_eq(wire_ws_decode(f + a, b, &fr), WIRE_OK);
  cr_assert(fr.fin && fr.opcode == WIRE_WS_CONT && fr.len == 1);
}

Test(wire_ws, oversized_lengths) {
  /* 64-bit length with the top bit set: a named error as soon as the length is there */
  unsigned char h[10] = {0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1};
  wire_ws_frame fr;
  unsigned char *b = exact(h, sizeof h);
  cr_assert_eq(wire_ws_decode(b, sizeof h, &fr), WIRE_E_WS_LENGTH);
  cr_assert_eq(wire_ws_decode_head(b, sizeof h, &fr), WIRE_E_WS_LENGTH);
  free(b);
  /* 2^63 - 1 is a legal length: the head decodes, the frame needs more */
  unsigned char g[10] = {0x82, 127, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  b = exact(g, sizeof g);
  cr_assert_eq(wire_ws_decode_head(b, sizeof g, &fr), WIRE_OK);
  cr_assert_eq(fr.len, 0x7fffffffffffffffULL);
  cr_assert_eq(fr.head_len, 10);
  cr_assert_eq(wire_ws_decode(b, sizeof g, &fr), WIRE_MORE);
  free(b);
}

Test(wire_ws, decode_reports_flags_without_judging) {
  unsigned char f[16];
  size_t n = frame(f, 1, 4, 3, "x", 1, NULL); /* RSV1, opcode 3 */
  wire_ws_frame fr;
  cr_assert_eq(wire_ws_decode(f, n, &fr), WIRE_OK);
  cr_assert_eq(fr.rsv, 4);
  cr_assert_eq(fr.opcode, 3);
  cr_assert_eq(wire_ws_check(&fr, 0), WIRE_E_WS_RSV);
}

static wire_err check(int fin, int rsv, int op, size_t len, int masked, int from_client) {
  unsigned char f[WIRE_WS_MAX_HEAD + 200];
  char payload[200] = {0};
  unsigned char mask[4] = {1, 1, 1, 1};
  size_t n = frame(f, fin, rsv, op, payload, len, masked ? mask : NULL);
  wire_ws_frame fr;
  cr_assert_eq(wire_ws_decode(f, n, &fr), WIRE_OK);
  return wire_ws_check(&fr, from_client);
}

Test(wire_ws, check_rules_in_order) {
  cr_assert_eq(check(1, 0, WIRE_WS_TEXT, 3, 0, 0), WIRE_OK);
  cr_assert_eq(check(1, 0, WIRE_WS_TEXT, 3, 1, 1), WIRE_OK);
  cr_assert_eq(check(1, 0, WIRE_WS_TEXT, 3, 1, 0), WIRE_E_WS_MASKED);
  cr_assert_eq(check(1, 0, WIRE_WS_TEXT, 3, 0, 1), WIRE_E_WS_UNMASKED);
  for (int rsv = 1; rsv < 8; rsv++) cr_assert_eq(check(1, rsv, 1, 0, 0, 0), WIRE_E_WS_RSV);
  for (int op = 0; op < 16; op++) {
    int reserved = (op >= 3 && op <= 7) || op >= 11;
    cr_assert_eq(check(1, 0, op, 0, 0, 0), reserved ? WIRE_E_WS_OPCODE : WIRE_OK, "op %d", op);
  }
  cr_assert_eq(check(0, 0, WIRE_WS_PING, 0, 0, 0), WIRE_E_WS_CONTROL_FRAGMENTED);
  cr_assert_eq(check(1, 0, WIRE_WS_CLOSE, 125, 0, 0), WIRE_OK);
  cr_assert_eq(check(1, 0, WIRE_WS_CLOSE, 126, 0, 0), WIRE_E_WS_CONTROL_LENGTH);
  cr_assert_eq(check(0, 0, WIRE_WS_TEXT, 126, 0, 0), WIRE_OK); /* data may be fragmented */
  /* masking is judged first, then RSV, then the opcode */
  cr_assert_eq(check(1, 2, 5, 0, 1, 0), WIRE_E_WS_MASKED);
  cr_assert_eq(check(1, 2, 5, 0, 0, 0), WIRE_E_WS_RSV);
}

Test(wire_ws, fragment_rule) {
  wire_ws_frame fr = {.opcode = WIRE_WS_CONT};
  cr_assert_eq(wire_ws_fragment_rule(0, &fr), WIRE_E_WS_CONT_WITHOUT_MESSAGE);
  cr_assert_eq(wire_ws_fragment_rule(WIRE_WS_TEXT, &fr), WIRE_OK);
  fr.opcode = WIRE_WS_BINARY;
  cr_assert_eq(wire_ws_fragment_rule(0, &fr), WIRE_OK);
  cr_assert_eq(wire_ws_fragment_rule(WIRE_WS_TEXT, &fr), WIRE_E_WS_MESSAGE_INTERLEAVED);
  fr.opcode = WIRE_WS_PING; /* control frames may come between fragments */
  cr_assert_eq(wire_ws_fragment_rule(WIRE_WS_TEXT, &fr), WIRE_OK);
  cr_assert_eq(wire_ws_fragment_rule(0, &fr), WIRE_OK);
}

Test(wire_ws, random_input_stays_in_bounds) {
  uint64_t seed = 1;
  unsigned char tmp[64];
  for (int i = 0; i < 20000; i++) {
    size_t n = test_rand(&seed) % sizeof tmp;
    for (size_t j = 0; j < n; j++) tmp[j] = (unsigned char)test_rand(&seed);
    if (n > 1 && (i & 1)) tmp[1] = (unsigned char)(tmp[1] % 4 == 0 ? 126 : tmp[1]);
    unsigned char *b = exact(tmp, n);
    wire_ws_frame fr;
    wire_err e = wire_ws_decode(b, n, &fr);
    cr_assert(e == WIRE_OK || e == WIRE_MORE || e == WIRE_E_WS_LENGTH);
    if (e == WIRE_OK) {
      cr_assert_leq(fr.head_len + fr.len, n);
      if (fr.len) cr_assert_eq(fr.payload[fr.len - 1], b[fr.head_len + fr.len - 1]);
    }
    free(b);
  }
}
