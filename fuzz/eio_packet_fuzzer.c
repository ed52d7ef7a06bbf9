/* Fuzz target for the Engine.IO packet codec: text and binary decoding, the base64
 * and UTF-8 helpers, with round-trip and snprintf-contract oracles.
 * Spec tags exercised: EIO-PK-* (packet forms), EIO-PL-* (the 'b' + base64 polling
 * form of binary packets).
 *
 * Input: byte 0 selects the mode, the rest is one message.
 *   mode % 4 == 0: decode as a text message (WebSocket text / polling segment)
 *   mode % 4 == 1: decode as a binary WebSocket message
 *   mode % 4 == 2: base64 helpers on the raw bytes
 *   mode % 4 == 3: UTF-8 validator against an independent reference
 *   mode == 4:     encoder first: bytes 1-3 pick type, data kind and transport (out
 *                  of range values included), the rest is the data
 * Oracles (beyond "no crash, no out-of-bounds read"):
 *   - a decoded packet's data span lies inside the input;
 *   - decode -> encode -> decode gives the same packet, and encoding it again gives
 *     the same bytes (the encoder is a fixed point after one round); text holding
 *     0x1E is refused by the polling encoder (EIO-PL-8) and goes over WebSocket;
 *   - a binary message encodes back to itself on WebSocket, and to 'b' + base64 on
 *     polling, which decodes to the same bytes;
 *   - encoders keep the snprintf contract: same length with a short buffer and no
 *     byte written past CAP;
 *   - ref_utf8_valid agrees with a small reference validator;
 *   - whatever the encoder accepts (from any packet struct) decodes back to the same
 *     packet, as long as the text it wrote is UTF-8 (the encoder does not promise to
 *     check UTF-8; see fuzz/README.md). */
#include "fuzz_check.h"
#include "fuzz_encode.h"
#include "fuzz_same.h"

#include "sioref/eio_codec.h"
#include "sioref/err.h"
#include "sioref/utf8.h"

/* Strict UTF-8 check written from RFC 3629 table 3.7, independent of the codec's. */
static int model_utf8_valid(const uint8_t *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t c = s[i];
    size_t need;
    uint8_t lo = 0x80, hi = 0xBF;
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      need = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      need = 2;
      if (c == 0xE0) lo = 0xA0; /* no overlongs */
      if (c == 0xED) hi = 0x9F; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
      need = 3;
      if (c == 0xF0) lo = 0x90; /* no overlongs */
      if (c == 0xF4) hi = 0x8F; /* nothing above U+10FFFF */
    } else {
      return 0;
    }
    if (n - i - 1 < need) return 0;
    if (s[i + 1] < lo || s[i + 1] > hi) return 0;
    for (size_t k = 2; k <= need; k++)
      if (s[i + k] < 0x80 || s[i + k] > 0xBF) return 0;
    i += need + 1;
  }
  return 1;
}

typedef struct packet_for {
  const eio_packet *p;
  eio_transport transport;
} packet_for;

static int encode_packet(const void *ctx, uint8_t *out, size_t cap) {
  const packet_for *e = ctx;
  return eio_packet_encode(e->p, e->transport, out, cap);
}

/* Encode P for TRANSPORT into a fresh malloc'd buffer of exactly the reported length,
 * checking the snprintf contract on the way (fuzz_encode.h). Returns the buffer (caller
 * frees) and its length in *LEN, or NULL when the encoder refused the packet (*LEN then
 * holds the negative error). */
static uint8_t *encode_checked(const eio_packet *p, eio_transport transport, int *len) {
  packet_for e = {p, transport};
  return fuzz_encode_checked(encode_packet, &e, "eio_packet_encode: snprintf contract", len);
}

typedef struct bytes {
  const uint8_t *b;
  size_t len;
} bytes;

static int encode_base64(const void *ctx, uint8_t *out, size_t cap) {
  const bytes *in = ctx;
  return eio_base64_encode(in->b, in->len, out, cap);
}

/* Base64-decode a BASE64-kind packet's data into a malloc'd buffer; the decoder
 * accepted it, so the helper must too. Returns the buffer, length in *OUT_LEN. */
static uint8_t *unbase64(const eio_packet *p, size_t *out_len) {
  size_t cap = eio_base64_decoded_len(p->data.len);
  uint8_t *raw = malloc(cap ? cap : 1);
  FUZZ_CHECK(raw != NULL, "out of memory");
  int r = eio_base64_decode(p->data.ptr, p->data.len, raw, cap);
  FUZZ_CHECK(r >= 0, "a 'b' packet the decoder accepted is not decodable base64");
  FUZZ_CHECK((size_t)r <= cap, "eio_base64_decoded_len underestimates");
  *out_len = (size_t)r;
  return raw;
}

/* EIO-PK-*: text message round trip. */
static void fuzz_text(const uint8_t *data, size_t size) {
  eio_packet p;
  int rc = eio_packet_decode_text(data, size, &p);
  if (rc != 0) {
    FUZZ_CHECK(rc < 0 && ref_err_name(rc) != NULL, "decode_text returned an unknown code");
    return;
  }
  FUZZ_CHECK(p.type >= EIO_PACKET_OPEN && p.type <= EIO_PACKET_NOOP, "type out of range");
  FUZZ_CHECK(p.kind == EIO_DATA_TEXT || p.kind == EIO_DATA_BASE64, "text decode gave binary");
  FUZZ_CHECK(p.kind == EIO_DATA_TEXT || p.type == EIO_PACKET_MESSAGE, "binary kind on non-message");
  FUZZ_CHECK(fuzz_span_inside(p.data.ptr, p.data.len, data, size), "data span outside input");
  FUZZ_CHECK(model_utf8_valid(data, size), "decode_text accepted invalid UTF-8");

  /* EIO-PL-8: text holding 0x1E cannot travel over polling; the polling encoder must
   * refuse it, and the round trip goes over WebSocket instead. */
  int has_rs = p.kind == EIO_DATA_TEXT && p.data.len && memchr(p.data.ptr, 0x1e, p.data.len);
  eio_transport rt = has_rs ? EIO_TRANSPORT_WEBSOCKET : EIO_TRANSPORT_POLLING;
  if (has_rs) {
    uint8_t probe[1];
    FUZZ_CHECK(eio_packet_encode(&p, EIO_TRANSPORT_POLLING, probe, 0) < 0,
               "polling encoder accepted text holding 0x1E (EIO-PL-8)");
  }

  /* decode -> encode -> decode -> encode. */
  int n1;
  uint8_t *e1 = encode_checked(&p, rt, &n1);
  FUZZ_CHECK(e1 != NULL, "encoder refused a packet the decoder produced");
  eio_packet q;
  FUZZ_CHECK(eio_packet_decode_text(e1, (size_t)n1, &q) == 0, "re-encoded packet does not decode");
  fuzz_same_eio_packet(&p, &q, "decode -> encode -> decode changed the packet");
  int n2;
  uint8_t *e2 = encode_checked(&q, rt, &n2);
  FUZZ_CHECK(e2 && fuzz_bytes_eq(e1, (size_t)n1, e2, (size_t)n2), "encoder is not stable");
  free(e2);

  if (p.kind == EIO_DATA_TEXT && !has_rs) {
    /* The same packet on WebSocket is the same text. */
    int nw;
    uint8_t *ew = encode_checked(&p, EIO_TRANSPORT_WEBSOCKET, &nw);
    FUZZ_CHECK(ew && fuzz_bytes_eq(e1, (size_t)n1, ew, (size_t)nw),
               "text packet encodes differently on the two transports");
    free(ew);
  } else if (p.kind == EIO_DATA_BASE64) {
    /* EIO-PL-*: 'b' + base64 carries raw bytes; re-wrapping them as a binary packet
     * and encoding for polling must give base64 of the same bytes. */
    size_t rawlen;
    uint8_t *raw = unbase64(&p, &rawlen);
    eio_packet b = {EIO_PACKET_MESSAGE, EIO_DATA_BINARY, {raw, rawlen}};
    int nb;
    uint8_t *eb = encode_checked(&b, EIO_TRANSPORT_POLLING, &nb);
    FUZZ_CHECK(eb != NULL, "encoder refused a binary packet");
    eio_packet r;
    FUZZ_CHECK(eio_packet_decode_text(eb, (size_t)nb, &r) == 0,
               "re-encoded binary does not decode");
    FUZZ_CHECK(r.type == EIO_PACKET_MESSAGE && r.kind == EIO_DATA_BASE64, "binary lost its kind");
    size_t raw2len;
    uint8_t *raw2 = unbase64(&r, &raw2len);
    FUZZ_CHECK(fuzz_bytes_eq(raw, rawlen, raw2, raw2len), "binary bytes changed in a round trip");
    free(raw2);
    free(eb);
    free(raw);
  }
  free(e1);
}

/* A binary WebSocket message is a MESSAGE holding exactly the bytes. */
static void fuzz_binary(const uint8_t *data, size_t size) {
  eio_packet p;
  int rc = eio_packet_decode_binary(data, size, &p);
  if (rc != 0) {
    FUZZ_CHECK(rc < 0 && ref_err_name(rc) != NULL, "decode_binary returned an unknown code");
    return;
  }
  FUZZ_CHECK(p.type == EIO_PACKET_MESSAGE && p.kind == EIO_DATA_BINARY, "binary decode shape");
  FUZZ_CHECK(fuzz_bytes_eq(p.data.ptr, p.data.len, data, size), "binary data is not the input");
  FUZZ_CHECK(fuzz_span_inside(p.data.ptr, p.data.len, data, size), "data span outside input");

  int nw;
  uint8_t *ew = encode_checked(&p, EIO_TRANSPORT_WEBSOCKET, &nw);
  FUZZ_CHECK(ew && fuzz_bytes_eq(ew, (size_t)nw, data, size), "binary does not encode to itself");
  free(ew);

  int np;
  uint8_t *ep = encode_checked(&p, EIO_TRANSPORT_POLLING, &np);
  FUZZ_CHECK(ep != NULL, "encoder refused a binary packet for polling");
  FUZZ_CHECK(np >= 1 && ep[0] == 'b', "polling binary does not start with 'b'");
  eio_packet q;
  FUZZ_CHECK(eio_packet_decode_text(ep, (size_t)np, &q) == 0, "polling binary does not decode");
  FUZZ_CHECK(q.type == EIO_PACKET_MESSAGE && q.kind == EIO_DATA_BASE64, "polling binary kind");
  size_t rawlen;
  uint8_t *raw = unbase64(&q, &rawlen);
  FUZZ_CHECK(fuzz_bytes_eq(raw, rawlen, data, size), "polling binary round trip changed bytes");
  free(raw);
  free(ep);
}

/* Base64 helpers: decode anything; whatever decodes must re-encode to something that
 * decodes to the same bytes, and encoding arbitrary bytes must decode back. */
static void fuzz_base64(const uint8_t *data, size_t size) {
  uint8_t txt_probe[1]; /* cap-0 length queries get a valid pointer, not NULL */
  size_t cap = eio_base64_decoded_len(size);
  uint8_t *raw = malloc(cap + FUZZ_SLACK);
  FUZZ_CHECK(raw != NULL, "out of memory");
  memset(raw, FUZZ_CANARY, cap + FUZZ_SLACK);
  int r = eio_base64_decode(data, size, raw, cap);
  for (size_t i = cap; i < cap + FUZZ_SLACK; i++)
    FUZZ_CHECK(raw[i] == FUZZ_CANARY, "base64 decode wrote past cap");
  if (r >= 0) {
    FUZZ_CHECK((size_t)r <= cap, "base64 decode longer than decoded_len");
    /* A too-small buffer is an error, not a partial write past cap. */
    if (r > 0) {
      memset(raw + r, FUZZ_CANARY, cap + FUZZ_SLACK - (size_t)r);
      uint8_t *small = malloc((size_t)r - 1 + FUZZ_SLACK);
      FUZZ_CHECK(small != NULL, "out of memory");
      memset(small, FUZZ_CANARY, (size_t)r - 1 + FUZZ_SLACK);
      int s = eio_base64_decode(data, size, small, (size_t)r - 1);
      FUZZ_CHECK(s == REF_ERR_BUFFER_TOO_SMALL, "short base64 buffer not reported");
      for (size_t i = (size_t)r - 1; i < (size_t)r - 1 + FUZZ_SLACK; i++)
        FUZZ_CHECK(small[i] == FUZZ_CANARY, "base64 decode wrote past a short cap");
      free(small);
    }
    int n = eio_base64_encode(raw, (size_t)r, txt_probe, 0);
    FUZZ_CHECK(n >= 0, "base64 encode refused bytes");
    uint8_t *txt = malloc((size_t)n + 1);
    FUZZ_CHECK(txt != NULL, "out of memory");
    FUZZ_CHECK(eio_base64_encode(raw, (size_t)r, txt, (size_t)n) == n, "base64 encode length");
    uint8_t *back = malloc(eio_base64_decoded_len((size_t)n) + 1);
    FUZZ_CHECK(back != NULL, "out of memory");
    int b = eio_base64_decode(txt, (size_t)n, back, eio_base64_decoded_len((size_t)n));
    FUZZ_CHECK(b == r && fuzz_bytes_eq(back, (size_t)b, raw, (size_t)r), "base64 round trip");
    free(back);
    free(txt);
  } else {
    FUZZ_CHECK(r == REF_ERR_BAD_BASE64 || r == REF_ERR_BUFFER_TOO_SMALL, "base64 error code");
  }
  free(raw);

  /* Arbitrary bytes -> base64 -> bytes. */
  bytes in = {data, size};
  int n;
  uint8_t *txt =
      fuzz_encode_checked(encode_base64, &in, "eio_base64_encode: snprintf contract", &n);
  FUZZ_CHECK(txt != NULL, "base64 encode refused bytes");
  FUZZ_CHECK((size_t)n == (size + 2) / 3 * 4, "base64 length is not 4*ceil(n/3)");
  size_t bcap = eio_base64_decoded_len((size_t)n);
  uint8_t *back = malloc(bcap ? bcap : 1);
  FUZZ_CHECK(back != NULL, "out of memory");
  int b = eio_base64_decode(txt, (size_t)n, back, bcap);
  FUZZ_CHECK(b >= 0 && fuzz_bytes_eq(back, (size_t)b, data, size), "bytes -> base64 -> bytes");
  free(back);
  free(txt);
}

/* Encoder first: P is any packet; what the encoder accepts must decode back. */
static void fuzz_encoder(const uint8_t *data, size_t size) {
  if (size < 3) return;
  eio_packet p = {
      (eio_packet_type)(data[0] % 8), (eio_data_kind)(data[1] % 4), {data + 3, size - 3}};
  eio_transport t = (eio_transport)(data[2] % 3);
  uint8_t probe[1];
  int n = eio_packet_encode(&p, t, probe, 0);
  if (n < 0) {
    FUZZ_CHECK(n == REF_ERR_INVALID_ARGUMENT, "encoder error code");
    return;
  }
  FUZZ_CHECK(p.type <= EIO_PACKET_NOOP && p.kind <= EIO_DATA_BASE64 && t <= 1,
             "encoder accepted an out-of-range type, kind or transport");
  int len;
  uint8_t *out = encode_checked(&p, t, &len);
  FUZZ_CHECK(out != NULL && len == n, "encoder length changed between calls");
  eio_packet q;
  if (t == EIO_TRANSPORT_WEBSOCKET && p.kind != EIO_DATA_TEXT) {
    /* EIO-PK-14: binary goes as the raw bytes of a binary message. */
    const uint8_t *raw = p.data.ptr;
    size_t rawlen = p.data.len;
    uint8_t *dec = NULL;
    if (p.kind == EIO_DATA_BASE64) dec = unbase64(&p, &rawlen), raw = dec;
    FUZZ_CHECK(fuzz_bytes_eq(out, (size_t)len, raw, rawlen), "binary message is not the bytes");
    free(dec);
  } else if (ref_utf8_valid(out, (size_t)len)) {
    int rc = eio_packet_decode_text(out, (size_t)len, &q);
    if (rc != 0) fuzz_dump("encoded", out, (size_t)len);
    FUZZ_CHECK(rc == 0, "the decoder refuses what the encoder wrote");
    FUZZ_CHECK(q.type == p.type, "type changed in encode -> decode");
    if (p.kind == EIO_DATA_TEXT) {
      fuzz_same_eio_packet(&p, &q, "text packet changed in encode -> decode");
    } else {
      /* Polling binary: 'b' + base64 of the bytes (BINARY) or of the same base64. */
      FUZZ_CHECK(q.kind == EIO_DATA_BASE64, "binary packet lost its kind");
      size_t a, b;
      uint8_t *x = unbase64(&q, &a);
      uint8_t *y = p.kind == EIO_DATA_BASE64 ? unbase64(&p, &b) : NULL;
      FUZZ_CHECK(y ? fuzz_bytes_eq(x, a, y, b) : fuzz_bytes_eq(x, a, p.data.ptr, p.data.len),
                 "binary bytes changed in encode -> decode");
      free(y);
      free(x);
    }
  }
  free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  if (data[0] == 4) {
    fuzz_encoder(data + 1, size - 1);
    return 0;
  }
  uint8_t mode = data[0] % 4;
  const uint8_t *msg = data + 1;
  size_t len = size - 1;
  switch (mode) {
  case 0:
    fuzz_text(msg, len);
    break;
  case 1:
    fuzz_binary(msg, len);
    break;
  case 2:
    fuzz_base64(msg, len);
    break;
  default:
    FUZZ_CHECK(ref_utf8_valid(msg, len) == (model_utf8_valid(msg, len) != 0),
               "ref_utf8_valid disagrees with the reference validator");
    break;
  }
  return 0;
}
