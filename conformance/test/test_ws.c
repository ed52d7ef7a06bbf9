/* Unit tests for the WebSocket framing of the harness client (RFC 6455 section 5):
 * header lengths, masking, decode of partial input, and the handshake accept key. */
#include <criterion/criterion.h>
#include <string.h>

#include "ct_ws.h"

Test(ws, encode_small_masked) {
  ct_buf b = {0};
  unsigned char mask[4] = {1, 2, 3, 4};
  ct_ws_encode(&b, 1, 0, WIRE_WS_TEXT, (const unsigned char *)"abc", 3, mask);
  cr_assert_eq(b.len, 2 + 4 + 3);
  cr_assert_eq(b.data[0], 0x81);
  cr_assert_eq(b.data[1], 0x80 | 3);
  cr_assert_eq(b.data[6], 'a' ^ 1);
  cr_assert_eq(b.data[8], 'c' ^ 3);
  ct_buf_free(&b);
}

Test(ws, encode_lengths_and_flags) {
  unsigned char payload[70000];
  memset(payload, 'x', sizeof payload);
  ct_buf b = {0};
  ct_ws_encode(&b, 0, 5, WIRE_WS_BINARY, payload, 126, NULL);
  cr_assert_eq(b.data[0], 0x52); /* fin 0, rsv 101, opcode 2 */
  cr_assert_eq(b.data[1], 126);
  cr_assert_eq(b.data[2], 0);
  cr_assert_eq(b.data[3], 126);
  cr_assert_eq(b.len, 4 + 126);
  ct_buf_reset(&b);
  ct_ws_encode(&b, 1, 0, WIRE_WS_BINARY, payload, 70000, NULL);
  cr_assert_eq(b.data[1], 127);
  cr_assert_eq(b.data[7], (70000 >> 16) & 0xff);
  cr_assert_eq(b.data[9], 70000 & 0xff);
  cr_assert_eq(b.len, 10 + 70000);
  ct_buf_free(&b);
}

Test(ws, decode_roundtrip_and_partial) {
  ct_buf b = {0};
  unsigned char mask[4] = {9, 8, 7, 6};
  ct_ws_encode(&b, 1, 0, WIRE_WS_TEXT, (const unsigned char *)"hello", 5, mask);
  ct_ws_frame f;
  for (size_t cut = 0; cut < b.len; cut++) cr_assert_eq(ct_ws_decode(b.data, cut, &f), 0);
  cr_assert_eq(ct_ws_decode(b.data, b.len, &f), (long)b.len);
  cr_assert(f.fin && f.masked && f.opcode == WIRE_WS_TEXT && f.len == 5);
  unsigned char tmp[5];
  memcpy(tmp, f.payload, 5);
  ct_ws_unmask(tmp, 5, f.mask);
  cr_assert_eq(memcmp(tmp, "hello", 5), 0);
  ct_buf_free(&b);
}

Test(ws, decode_rejects_64bit_top_bit) {
  unsigned char h[10] = {0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1};
  ct_ws_frame f;
  cr_assert_eq(ct_ws_decode(h, sizeof h, &f), -1);
}

Test(ws, accept_key_rfc_example) {
  char out[29];
  ct_ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", out);
  cr_assert_str_eq(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}
