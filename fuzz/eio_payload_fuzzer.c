/* Fuzz target for the Engine.IO long-polling payload codec (a body of packets joined
 * by the record separator 0x1e), with a differential oracle against per-segment
 * decoding and a re-encoding round trip.
 * Spec tags exercised: EIO-PL-* (payload framing, limits), EIO-PK-* (each segment).
 *
 * Input: byte 0 = max_packets (0 = unlimited), byte 1 = max_payload in units of 4
 * bytes (0 = unlimited), byte 2 = how to cut the body into chunks for the
 * incremental reader (0: one chunk; else the seed of a small generator of chunk
 * lengths, up to (seed & 15) + 1 bytes, empty chunks allowed when bit 7 is set),
 * the rest is the body.
 * Oracles:
 *   - iterating the whole body returns, packet for packet, what decoding each
 *     0x1e-separated segment on its own returns, and stops at the same first error;
 *   - the incremental reader fed the body in chunks returns exactly the iterator's
 *     packets and its final result, however the body is cut;
 *   - the body limit is enforced up front and the packet limit never lets more than
 *     max_packets packets through;
 *   - every data span lies inside the body; an iterator that stopped stays stopped;
 *   - a fully valid body re-encodes (eio_payload_encode) to a body that iterates to
 *     the same packets, and re-encoding that gives the same bytes. */
#include "fuzz_check.h"
#include "fuzz_same.h"

#include "sioref/eio_codec.h"
#include "sioref/err.h"

#define SEP          0x1e
#define MAX_SEGMENTS 4096 /* bodies with more segments only check the prefix */

/* Iterate BODY fully into PKTS (at most CAP). Returns the count of packets, and the
 * terminating code (0 at a clean end, or the negative error) in *END. */
static size_t iterate(const uint8_t *body, size_t len, size_t max_payload, size_t max_packets,
                      eio_packet *pkts, size_t cap, int *end) {
  eio_payload_iter it;
  int rc = eio_payload_iter_init(&it, body, len, max_payload, max_packets);
  if (rc != 0) {
    *end = rc;
    return 0;
  }
  size_t n = 0;
  for (;;) {
    eio_packet p;
    rc = eio_payload_next(&it, &p);
    if (rc != 1) break;
    FUZZ_CHECK(fuzz_span_inside(p.data.ptr, p.data.len, body, len), "data span outside body");
    FUZZ_CHECK(max_packets == 0 || n < max_packets, "more packets than max_packets");
    if (n < cap) pkts[n] = p;
    n++;
    if (n > cap) break; /* beyond what we compare: stop early */
  }
  if (rc != 1) {
    FUZZ_CHECK(rc <= 0, "eio_payload_next returned a count other than 1");
    FUZZ_CHECK(rc == 0 || ref_err_name(rc) != NULL, "unknown error code");
    /* A finished or failed iterator stays where it stopped. */
    eio_packet again;
    FUZZ_CHECK(eio_payload_next(&it, &again) == rc, "iterator moved after it stopped");
  }
  *end = rc == 1 ? 1 : rc;
  return n;
}

/* The next chunk length from the generator state *X (xorshift32). */
static size_t next_chunk(uint32_t *x, uint8_t seed) {
  *x ^= *x << 13;
  *x ^= *x >> 17;
  *x ^= *x << 5;
  size_t most = (size_t)(seed & 15) + 1;
  size_t least = (seed & 0x80) ? 0 : 1;
  return least + *x % (most - least + 1);
}

/* EIO-PL-*: the incremental reader must agree with the whole-body iterator (WHOLE,
 * N packets, ending with END) however BODY is cut. */
static void check_reader(const uint8_t *body, size_t len, size_t max_payload, size_t max_packets,
                         uint8_t seed, const eio_packet *whole, size_t n, int end) {
  /* Storage as documented: min(body length, max_payload), exactly sized so that a
   * write past it is caught. */
  size_t cap = (max_payload && max_payload < len) ? max_payload : len;
  uint8_t *store = cap ? malloc(cap) : NULL;
  FUZZ_CHECK(cap == 0 || store != NULL, "out of memory");
  eio_payload_reader r;
  FUZZ_CHECK(eio_payload_reader_init(&r, store, cap, len, max_payload, max_packets) == 0,
             "reader init refused valid arguments");
  uint32_t x = 0x9e3779b9u ^ seed;
  size_t fed = 0, got = 0, rounds = 0;
  int rc, final_call = 0;
  for (;;) {
    size_t clen = seed ? next_chunk(&x, seed) : len - fed;
    if (clen > len - fed) clen = len - fed;
    if (fed == len) final_call++; /* the body is all in: an empty call must finish */
    const uint8_t *chunk = body + fed;
    size_t left = clen;
    eio_packet p;
    while ((rc = eio_payload_reader_next(&r, &chunk, &left, &p)) == EIO_READER_PACKET) {
      FUZZ_CHECK(got < n, "reader returned more packets than the iterator");
      FUZZ_CHECK(fuzz_span_inside(p.data.ptr, p.data.len, body, len) ||
                     fuzz_span_inside(p.data.ptr, p.data.len, store, cap),
                 "reader packet data outside the chunk and the store");
      fuzz_same_eio_packet(&whole[got], &p, "reader packet differs from the iterator's");
      got++;
    }
    FUZZ_CHECK(left <= clen && chunk == body + fed + (clen - left), "chunk pointer/length drift");
    fed += clen - left;
    if (rc != EIO_READER_MORE) break;
    FUZZ_CHECK(left == 0, "reader asked for more before using the chunk up");
    FUZZ_CHECK(final_call < 2, "reader asked for more after the whole body");
    if (++rounds > 64 + 64 * len) { /* cannot happen: the generator never sticks at 0 */
      free(store);
      return;
    }
  }
  if (end == 0) {
    FUZZ_CHECK(rc == EIO_READER_DONE, "reader did not finish where the iterator did");
    FUZZ_CHECK(fed == len, "reader finished before the end of the body");
  } else {
    FUZZ_CHECK(rc == end, "reader stopped with another error than the iterator");
  }
  FUZZ_CHECK(got == n, "reader and iterator returned different packet counts");
  /* Sticky: the reader stays where it stopped. */
  const uint8_t *none = body;
  size_t zero = 0;
  eio_packet p;
  FUZZ_CHECK(eio_payload_reader_next(&r, &none, &zero, &p) == rc, "reader moved after it stopped");
  free(store);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 3) return 0;
  size_t max_packets = data[0];
  size_t max_payload = (size_t)data[1] * 4;
  uint8_t seed = data[2];
  const uint8_t *body = data + 3;
  size_t len = size - 3;

  static eio_packet whole[MAX_SEGMENTS + 1];
  int end;
  size_t n = iterate(body, len, max_payload, max_packets, whole, MAX_SEGMENTS, &end);
  if (end != 1) check_reader(body, len, max_payload, max_packets, seed, whole, n, end);

  /* EIO-PL-*: a body over maxPayload is refused before any packet is read. */
  if (max_payload && len > max_payload) {
    FUZZ_CHECK(end == REF_ERR_PAYLOAD_TOO_LARGE && n == 0, "body over max_payload accepted");
    return 0;
  }
  FUZZ_CHECK(end != REF_ERR_PAYLOAD_TOO_LARGE, "body within max_payload refused");
  if (end == 1) return 0; /* more than MAX_SEGMENTS packets: prefix checked above */

  /* Reference: split at every separator and decode each segment alone. An empty
   * body is one empty segment. */
  size_t seg = 0, start = 0;
  int ref_end = 0;
  for (size_t i = 0; i <= len && seg <= MAX_SEGMENTS; i++) {
    if (i < len && body[i] != SEP) continue;
    eio_packet p;
    int rc = eio_packet_decode_text(body + start, i - start, &p);
    if (rc != 0) {
      ref_end = rc;
      break;
    }
    if (seg < n) fuzz_same_eio_packet(&whole[seg], &p, "payload packet differs from its segment");
    seg++;
    start = i + 1;
  }
  if (seg > MAX_SEGMENTS) return 0;
  if (end == REF_ERR_TOO_MANY_PACKETS) {
    /* The limit may be checked before or while decoding, but it only fires when the
     * body really has more packets than allowed, and every packet before it matched. */
    FUZZ_CHECK(max_packets != 0, "too-many-packets without a limit");
    size_t segments = 1;
    for (size_t i = 0; i < len; i++) segments += body[i] == SEP;
    FUZZ_CHECK(segments > max_packets, "too-many-packets within the limit");
    FUZZ_CHECK(n <= seg, "packets returned past the first bad segment");
    return 0;
  }
  FUZZ_CHECK(n == seg, "payload and segment decoding returned different packet counts");
  FUZZ_CHECK(end == ref_end, "payload and segment decoding stopped differently");
  if (ref_end == 0) FUZZ_CHECK(max_packets == 0 || n <= max_packets, "limit not enforced");
  if (end != 0 || n == 0) return 0;

  /* Round trip: encode the packets as a body and iterate it again. */
  uint8_t probe[1];
  int blen = eio_payload_encode(whole, n, probe, 0);
  FUZZ_CHECK(blen >= 0, "payload encoder refused decoded packets");
  uint8_t *b1 = malloc((size_t)blen + 1);
  FUZZ_CHECK(b1 != NULL, "out of memory");
  FUZZ_CHECK(eio_payload_encode(whole, n, b1, (size_t)blen) == blen, "payload encode length");
  static eio_packet again[MAX_SEGMENTS + 1];
  int end2;
  size_t n2 = iterate(b1, (size_t)blen, 0, 0, again, MAX_SEGMENTS, &end2);
  FUZZ_CHECK(end2 == 0 && n2 == n, "re-encoded body does not iterate to the same count");
  for (size_t i = 0; i < n; i++) fuzz_same_eio_packet(&whole[i], &again[i], "payload round trip");
  uint8_t *b2 = malloc((size_t)blen + 1);
  FUZZ_CHECK(b2 != NULL, "out of memory");
  FUZZ_CHECK(eio_payload_encode(again, n2, b2, (size_t)blen) == blen, "second encode length");
  FUZZ_CHECK(memcmp(b1, b2, (size_t)blen) == 0, "payload encoder is not stable");
  free(b2);
  free(b1);
  return 0;
}
