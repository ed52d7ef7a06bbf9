/* WebSocket framing, RFC 6455 section 5.2:
 *   byte 0: FIN, RSV1-3, opcode;  byte 1: MASK, 7-bit length;
 *   126 -> 16-bit length follows, 127 -> 64-bit length (top bit 0) follows;
 *   then the 4-byte masking key when MASK is set, then the payload. */
#include "wire_ws.h"

#include <string.h>

size_t wire_ws_head(unsigned char out[WIRE_WS_MAX_HEAD], int fin, int rsv, int opcode, uint64_t len,
                    const unsigned char *mask) {
  size_t n = 0;
  out[n++] = (unsigned char)((fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 15));
  unsigned char m = mask ? 0x80 : 0;
  if (len < 126) {
    out[n++] = (unsigned char)(m | len);
  } else if (len <= 0xFFFF) {
    out[n++] = m | 126;
    out[n++] = (unsigned char)(len >> 8);
    out[n++] = (unsigned char)len;
  } else {
    out[n++] = m | 127;
    for (int i = 7; i >= 0; i--) out[n++] = (unsigned char)(len >> (8 * i));
  }
  if (mask) {
    memcpy(out + n, mask, 4);
    n += 4;
  }
  return n;
}

void wire_ws_mask(unsigned char *p, size_t len, const unsigned char mask[4], uint64_t offset) {
  for (size_t i = 0; i < len; i++) p[i] ^= mask[(offset + i) & 3];
}

wire_err wire_ws_decode_head(const unsigned char *buf, size_t len, wire_ws_frame *f) {
  memset(f, 0, sizeof *f);
  if (len < 2) return WIRE_MORE;
  f->fin = buf[0] >> 7;
  f->rsv = (buf[0] >> 4) & 7;
  f->opcode = buf[0] & 15;
  f->masked = buf[1] >> 7;
  uint64_t plen = buf[1] & 127;
  size_t pos = 2;
  if (plen == 126) {
    if (len < 4) return WIRE_MORE;
    plen = (uint64_t)buf[2] << 8 | buf[3];
    pos = 4;
  } else if (plen == 127) {
    if (len < 10) return WIRE_MORE;
    plen = 0;
    for (int i = 0; i < 8; i++) plen = plen << 8 | buf[2 + i];
    if (plen >> 63) return WIRE_E_WS_LENGTH;
    pos = 10;
  }
  if (f->masked) {
    if (len < pos + 4) return WIRE_MORE;
    memcpy(f->mask, buf + pos, 4);
    pos += 4;
  }
  f->len = plen;
  f->head_len = pos;
  return WIRE_OK;
}

wire_err wire_ws_decode(const unsigned char *buf, size_t len, wire_ws_frame *f) {
  wire_err e = wire_ws_decode_head(buf, len, f);
  if (e != WIRE_OK) return e;
  /* compared as uint64_t: a length beyond size_t can never be complete in memory */
  if ((uint64_t)(len - f->head_len) < f->len) return WIRE_MORE;
  f->payload = buf + f->head_len;
  return WIRE_OK;
}

wire_err wire_ws_check(const wire_ws_frame *f, int from_client) {
  if (from_client && !f->masked) return WIRE_E_WS_UNMASKED;
  if (!from_client && f->masked) return WIRE_E_WS_MASKED;
  if (f->rsv) return WIRE_E_WS_RSV;
  if ((f->opcode >= 3 && f->opcode <= 7) || f->opcode >= 11) return WIRE_E_WS_OPCODE;
  if (f->opcode >= 8) {
    if (!f->fin) return WIRE_E_WS_CONTROL_FRAGMENTED;
    if (f->len > WIRE_WS_MAX_CONTROL) return WIRE_E_WS_CONTROL_LENGTH;
  }
  return WIRE_OK;
}

wire_err wire_ws_fragment_rule(int msg_opcode, const wire_ws_frame *f) {
  if (f->opcode >= 8) return WIRE_OK;
  if (f->opcode == WIRE_WS_CONT) return msg_opcode ? WIRE_OK : WIRE_E_WS_CONT_WITHOUT_MESSAGE;
  return msg_opcode ? WIRE_E_WS_MESSAGE_INTERLEAVED : WIRE_OK;
}
