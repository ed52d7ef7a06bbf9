/* Unit tests of the table-driven base64 codec (eio_base64_*, the 'b' packet form and the
 * WebSocket re-encoding of base64 data) against a plain bit-by-bit reference written here.
 * Spec tags: EIO-PK-10, EIO-PK-11 (strict base64), EIO-PK-12 (canonical padding bits),
 * EIO-PK-7 (the UTF-8 check comes first), EIO-PK-14 (binary on WebSocket). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "sioref/eio_codec.h"
#include "sioref/err.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Reference encoder: a bit accumulator giving one character per 6 bits, then '='
 * up to a multiple of four. Returns the text length. */
static size_t ref_encode(const uint8_t *in, size_t n, uint8_t *out) {
  uint32_t acc = 0;
  int bits = 0;
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    acc = (acc << 8 | in[i]) & 0xFFFF;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out[o++] = (uint8_t)alphabet[acc >> bits & 63];
    }
  }
  if (bits > 0) out[o++] = (uint8_t)alphabet[acc << (6 - bits) & 63];
  while (o % 4) out[o++] = '=';
  return o;
}

/* Reference decoder, straight from the rules: length a multiple of 4, at most two '='
 * and only at the end, every other character in the alphabet, and the bits left over
 * after the last whole byte all zero. Returns the decoded length, or -1. */
static int ref_decode(const uint8_t *in, size_t len, uint8_t *out) {
  if (len % 4) return -1;
  size_t pad = 0;
  while (pad < len && in[len - 1 - pad] == '=') pad++;
  if (pad > 2) return -1;
  uint32_t acc = 0;
  int bits = 0, o = 0;
  for (size_t i = 0; i < len - pad; i++) {
    const char *hit = memchr(alphabet, in[i], 64);
    if (!hit) return -1;
    acc = (acc << 6 | (uint32_t)(hit - alphabet)) & 0xFFFF;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (uint8_t)(acc >> bits);
    }
  }
  if (acc & ((1u << bits) - 1)) return -1;
  return o;
}

/* Deterministic test bytes. */
static void fill(uint8_t *p, size_t n, uint32_t seed) {
  for (size_t i = 0; i < n; i++) {
    seed = seed * 1103515245u + 12345u;
    p[i] = (uint8_t)(seed >> 16);
  }
}

Test(base64, reference_self_check) {
  /* RFC 4648 section 10 test vectors, so the reference itself is known right. */
  const char *plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char *coded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for (size_t i = 0; i < 7; i++) {
    uint8_t out[16];
    size_t n = ref_encode((const uint8_t *)plain[i], strlen(plain[i]), out);
    cr_assert_eq(n, strlen(coded[i]));
    cr_assert(memcmp(out, coded[i], n) == 0, "%s", coded[i]);
    cr_assert_eq(ref_decode((const uint8_t *)coded[i], n, out), (int)strlen(plain[i]));
    cr_assert(memcmp(out, plain[i], strlen(plain[i])) == 0);
  }
  cr_assert_eq(ref_decode((const uint8_t *)"Zh==", 4, (uint8_t[4]){0}), -1, "leftover bits");
}

Test(base64, roundtrip_lengths_0_to_300) {
  static uint8_t in[300], want[400], enc[400], back[300];
  fill(in, sizeof in, 7);
  for (size_t n = 0; n <= sizeof in; n++) {
    size_t wn = ref_encode(in, n, want);
    int e = eio_base64_encode(in, n, enc, sizeof enc);
    cr_assert_eq(e, (int)wn, "length %zu", n);
    cr_assert(memcmp(enc, want, wn) == 0, "length %zu: encoding differs from the reference", n);
    cr_assert_eq(eio_base64_decode(enc, wn, back, sizeof back), (int)n, "length %zu", n);
    cr_assert(memcmp(back, in, n) == 0, "length %zu", n);
    cr_assert_eq(eio_base64_decode(enc, wn, back, n), (int)n, "an exact buffer is enough");
    if (n > 0) cr_assert_eq(eio_base64_decode(enc, wn, back, n - 1), REF_ERR_BUFFER_TOO_SMALL);
    /* The 'b' packet form accepts it and points at the text. */
    uint8_t pkt[401];
    pkt[0] = 'b';
    memcpy(pkt + 1, enc, wn);
    eio_packet p;
    cr_assert_eq(eio_packet_decode_text(pkt, wn + 1, &p), 0, "length %zu", n);
    cr_assert_eq(p.kind, EIO_DATA_BASE64);
    cr_assert_eq(p.data.len, wn);
  }
}

Test(base64, encode_cut_at_every_cap) {
  uint8_t in[40], want[64], out[64 + 1];
  fill(in, sizeof in, 99);
  for (size_t n = 0; n <= sizeof in; n++) {
    size_t wn = ref_encode(in, n, want);
    for (size_t cap = 0; cap <= wn; cap++) {
      memset(out, '#', sizeof out);
      cr_assert_eq(eio_base64_encode(in, n, cap ? out : NULL, cap), (int)wn);
      cr_assert(memcmp(out, want, cap) == 0, "length %zu cap %zu", n, cap);
      cr_assert_eq(out[cap], '#', "length %zu cap %zu: written past cap", n, cap);
    }
  }
}

/* One mutated text checked three ways against the reference: eio_base64_decode with
 * room, with no room (bad base64 must still win over the small buffer), and as a 'b'
 * packet (a byte >= 0x80 alone in ASCII text is invalid UTF-8, reported first). */
static void check_text(const uint8_t *t, size_t len, const char *what, size_t pos, int byte) {
  uint8_t want[400], got[400], pkt[401];
  int r = ref_decode(t, len, want);
  int rc = eio_base64_decode(t, len, got, sizeof got);
  if (r < 0) {
    cr_assert_eq(rc, REF_ERR_BAD_BASE64, "%s: byte 0x%02x at %zu accepted", what, byte, pos);
  } else {
    cr_assert_eq(rc, r, "%s: byte 0x%02x at %zu refused (%d)", what, byte, pos, rc);
    cr_assert(memcmp(got, want, (size_t)r) == 0, "%s: byte 0x%02x at %zu", what, byte, pos);
  }
  rc = eio_base64_decode(t, len, NULL, 0);
  cr_assert_eq(rc,
               r < 0    ? REF_ERR_BAD_BASE64
               : r == 0 ? 0
                        : REF_ERR_BUFFER_TOO_SMALL,
               "%s: byte 0x%02x at %zu, no room", what, byte, pos);
  pkt[0] = 'b';
  memcpy(pkt + 1, t, len);
  eio_packet p;
  int want_pkt = byte >= 0x80 ? REF_ERR_INVALID_UTF8 : r < 0 ? REF_ERR_BAD_BASE64 : 0;
  cr_assert_eq(eio_packet_decode_text(pkt, len + 1, &p), want_pkt, "%s: packet, byte 0x%02x at %zu",
               what, byte, pos);
}

Test(base64, every_byte_at_every_position) {
  /* Texts with no padding, one '=' and two '=', short and long (so both the inner
   * groups and the last group are hit), each byte value put at each position. */
  uint8_t in[60];
  fill(in, sizeof in, 3);
  const size_t lengths[] = {1, 2, 3, 4, 5, 6, 16, 17, 59, 60};
  for (size_t l = 0; l < sizeof lengths / sizeof lengths[0]; l++) {
    uint8_t text[100], t[100];
    size_t len = ref_encode(in, lengths[l], text);
    for (size_t pos = 0; pos < len; pos++) {
      for (int b = 0; b < 256; b++) {
        memcpy(t, text, len);
        t[pos] = (uint8_t)b;
        check_text(t, len, "mutated", pos, b);
      }
    }
  }
}

Test(base64, invalid_classes) {
  /* Length not a multiple of four, at every length up to 41. */
  uint8_t text[64];
  memset(text, 'A', sizeof text);
  for (size_t len = 1; len <= 41; len++)
    if (len % 4)
      cr_assert_eq(eio_base64_decode(text, len, (uint8_t[64]){0}, 64), REF_ERR_BAD_BASE64, "%zu",
                   len);
  /* Misplaced padding, every arrangement of '=' over one group after a good group. */
  for (unsigned mask = 1; mask < 16; mask++) {
    uint8_t t[8] = {'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A'};
    for (int k = 0; k < 4; k++)
      if (mask & (1u << k)) t[4 + k] = '=';
    bool ok = mask == 8 || mask == 12; /* "AAA=" and "AA==" */
    int rc = eio_base64_decode(t, 8, (uint8_t[8]){0}, 8);
    cr_assert_eq(rc, ok ? (mask == 8 ? 5 : 4) : REF_ERR_BAD_BASE64, "mask %u", mask);
    cr_assert_eq(ref_decode(t, 8, (uint8_t[8]){0}), ok ? (mask == 8 ? 5 : 4) : -1);
  }
  /* A padded group whose leftover bits are not zero: every last-digit value. */
  for (int v = 0; v < 64; v++) {
    uint8_t one[4] = {'A', 'A', (uint8_t)alphabet[v], '='};
    uint8_t two[4] = {'A', (uint8_t)alphabet[v], '=', '='};
    cr_assert_eq(eio_base64_decode(one, 4, (uint8_t[3]){0}, 3), (v & 0x03) ? REF_ERR_BAD_BASE64 : 2,
                 "AA%c=", alphabet[v]);
    cr_assert_eq(eio_base64_decode(two, 4, (uint8_t[3]){0}, 3), (v & 0x0F) ? REF_ERR_BAD_BASE64 : 1,
                 "A%c==", alphabet[v]);
  }
  /* A bad character deep inside a long text. */
  static uint8_t in[3000], big[4000], out[3000];
  fill(in, sizeof in, 5);
  size_t len = ref_encode(in, sizeof in, big);
  const uint8_t bad[] = {'!', '=', '-', '_', ' ', '\n', 0x00, 0x7f, 0x80, 0xff};
  for (size_t pos = 0; pos < len; pos += 7) {
    for (size_t k = 0; k < sizeof bad; k++) {
      uint8_t keep = big[pos];
      big[pos] = bad[k];
      cr_assert_eq(eio_base64_decode(big, len, out, sizeof out), REF_ERR_BAD_BASE64,
                   "0x%02x at %zu", bad[k], pos);
      big[pos] = keep;
    }
  }
  cr_assert_eq(eio_base64_decode(big, len, out, sizeof out), (int)sizeof in);
}

Test(base64, arguments) {
  uint8_t out[4];
  cr_assert_eq(eio_base64_decode(NULL, 0, NULL, 0), 0);
  cr_assert_eq(eio_base64_decode(NULL, 4, out, 4), REF_ERR_INVALID_ARGUMENT);
  cr_assert_eq(eio_base64_decode((const uint8_t *)"AAAA", 4, NULL, 3), REF_ERR_INVALID_ARGUMENT);
  cr_assert_eq(eio_base64_encode(NULL, 0, NULL, 0), 0);
  cr_assert_eq(eio_base64_encode(NULL, 3, out, 4), REF_ERR_INVALID_ARGUMENT);
  cr_assert_eq(eio_base64_encode((const uint8_t *)"abc", 3, NULL, 4), REF_ERR_INVALID_ARGUMENT);
}

Test(base64, websocket_reencode_cut_at_every_cap) {
  /* EIO-PK-14: base64 data sent on WebSocket goes out as its raw bytes. */
  uint8_t in[40], text[64], out[41];
  fill(in, sizeof in, 11);
  for (size_t n = 0; n <= sizeof in; n++) {
    size_t len = ref_encode(in, n, text);
    eio_packet p = {EIO_PACKET_MESSAGE, EIO_DATA_BASE64, {text, len}};
    for (size_t cap = 0; cap <= n; cap++) {
      memset(out, '#', sizeof out);
      cr_assert_eq(eio_packet_encode(&p, EIO_TRANSPORT_WEBSOCKET, cap ? out : NULL, cap), (int)n);
      cr_assert(memcmp(out, in, cap) == 0, "length %zu cap %zu", n, cap);
      cr_assert_eq(out[cap], '#', "length %zu cap %zu: written past cap", n, cap);
    }
    /* And the polling form writes the text back unchanged. */
    uint8_t poll[70];
    cr_assert_eq(eio_packet_encode(&p, EIO_TRANSPORT_POLLING, poll, sizeof poll), (int)len + 1);
    cr_assert_eq(poll[0], 'b');
    cr_assert(memcmp(poll + 1, text, len) == 0);
    if (len) { /* a bad character makes it local misuse */
      text[len / 2] = '!';
      cr_assert_eq(eio_packet_encode(&p, EIO_TRANSPORT_WEBSOCKET, out, sizeof out),
                   REF_ERR_INVALID_ARGUMENT);
    }
  }
}

Test(base64, binary_polling_encode_matches_reference) {
  static uint8_t in[300], want[402], out[402];
  fill(in, sizeof in, 13);
  for (size_t n = 0; n <= sizeof in; n += 1) {
    eio_packet p = {EIO_PACKET_MESSAGE, EIO_DATA_BINARY, {n ? in : NULL, n}};
    want[0] = 'b';
    size_t wn = ref_encode(in, n, want + 1) + 1;
    cr_assert_eq(eio_packet_encode(&p, EIO_TRANSPORT_POLLING, out, sizeof out), (int)wn);
    cr_assert(memcmp(out, want, wn) == 0, "length %zu", n);
    /* Cut: the prefix, nothing past cap. */
    size_t cap = wn / 2;
    memset(out, '#', sizeof out);
    cr_assert_eq(eio_packet_encode(&p, EIO_TRANSPORT_POLLING, out, cap), (int)wn);
    cr_assert(memcmp(out, want, cap) == 0);
    cr_assert_eq(out[cap], '#');
  }
}
