/* Fuzz target for Socket.IO binary packets: the attachment reassembler fed a
 * sequence of text and binary messages, checked step by step against a model built
 * from the stateless decoder, plus an independent placeholder check with cJSON and a
 * header re-encoding round trip.
 * Spec tags exercised: SIO-BIN-* (header + attachments, placeholders, ordering),
 * SIO-PK-* (the header and every text message are packets).
 *
 * Input: byte 0 holds the options (low nibble: max_attachments, high nibble:
 * max_json_depth, 0 = the default); then records, each one message:
 *   tag (bit 0: binary message, bit 1: the input "ends" after it: call finish),
 *   length (2 bytes, little endian; cut to what is left), bytes.
 * Oracles:
 *   - the reassembler never delivers a binary packet before all its attachments
 *     arrived, and then delivers exactly the header the decoder gives and the
 *     attachments in wire order (same pointers, same lengths);
 *   - a text message while idle gives the decoder's result (or the placeholder
 *     check's error for a binary header); text while attachments are pending is
 *     UNEXPECTED_TEXT, binary while idle UNEXPECTED_BINARY; finish() reports
 *     ATTACHMENTS_PENDING exactly when attachments are pending;
 *   - every accepted header's placeholders, judged independently with cJSON (the
 *     last "_placeholder"/"num" key wins, as JSON.parse does), are objects with
 *     "_placeholder": true and an integer num 0 <= num < count, each num once,
 *     every attachment used;
 *   - sio_binary_encode_header writes what sio_packet_encode writes for a valid
 *     header, and keeps the snprintf contract. */
#include "fuzz_check.h"
#include "fuzz_encode.h"
#include "fuzz_same.h"

#include <cjson/cJSON.h>
#include <math.h>

#include "sioref/err.h"
#include "sioref/sio_binary.h"
#include "sioref/sio_codec.h"

#define MAX_MESSAGES 512

typedef struct msg {
  uint8_t *buf; /* exact-size copy, so reading past the end is caught */
  size_t len;
  int binary;
  int finish;
} msg;

static int is_binary_type(sio_packet_type t) {
  return t == SIO_PACKET_BINARY_EVENT || t == SIO_PACKET_BINARY_ACK;
}

/* The last member of object O named KEY (JSON.parse keeps the last duplicate). */
static const cJSON *last_member(const cJSON *o, const char *key) {
  const cJSON *found = NULL;
  for (const cJSON *c = o->child; c; c = c->next)
    if (c->string && strcmp(c->string, key) == 0) found = c;
  return found;
}

/* Walk J marking placeholder nums in USED (N entries). Returns 0 when every
 * placeholder is well formed and in range and no num repeats, else -1. */
static int walk_placeholders(const cJSON *j, uint8_t *used, uint32_t n) {
  if (cJSON_IsObject(j)) {
    const cJSON *ph = last_member(j, "_placeholder");
    if (ph && cJSON_IsTrue(ph)) {
      const cJSON *num = last_member(j, "num");
      if (!num || !cJSON_IsNumber(num)) return -1;
      double v = num->valuedouble;
      if (!(v >= 0) || v != floor(v) || v >= (double)n) return -1;
      uint32_t k = (uint32_t)v;
      if (used[k]) return -1;
      used[k] = 1;
      return 0; /* a placeholder's own members are its data: not visited */
    }
  }
  for (const cJSON *c = j->child; c; c = c->next)
    if (walk_placeholders(c, used, n) != 0) return -1;
  return 0;
}

/* SIO-BIN-*: the header P was accepted: its placeholders must be right. */
static void check_placeholders(const sio_packet *p) {
  char *text = malloc(p->data.len + 1);
  FUZZ_CHECK(text != NULL, "out of memory");
  memcpy(text, p->data.ptr, p->data.len);
  text[p->data.len] = '\0';
  /* cJSON cannot judge texts holding \u0000 (it cuts strings there) or lone
   * surrogate escapes (it refuses them): such headers are skipped. */
  int judgeable = strstr(text, "\\u0000") == NULL;
  for (const char *s = text; judgeable && (s = strstr(s, "\\u")) != NULL; s++)
    if ((s[2] == 'd' || s[2] == 'D') && s[3] && strchr("89abcdefABCDEF", s[3])) judgeable = 0;
  if (judgeable) {
    cJSON *j = cJSON_ParseWithOpts(text, NULL, 1);
    FUZZ_CHECK(j != NULL, "accepted header payload is not JSON");
    uint8_t *used = calloc(p->attachments ? p->attachments : 1, 1);
    FUZZ_CHECK(used != NULL, "out of memory");
    FUZZ_CHECK(walk_placeholders(j, used, p->attachments) == 0,
               "accepted header has a malformed, out-of-range or duplicate placeholder");
    for (uint32_t i = 0; i < p->attachments; i++)
      FUZZ_CHECK(used[i], "accepted header leaves an attachment unused");
    free(used);
    cJSON_Delete(j);
  }
  free(text);
}

typedef struct header_of {
  const sio_packet *p;
  uint8_t *seen;
} header_of;

static int encode_header(const void *ctx, uint8_t *out, size_t cap) {
  const header_of *h = ctx;
  return sio_binary_encode_header(h->p, h->seen, out, cap);
}

/* The send side must write the header exactly as the packet encoder does. */
static void check_encode_header(const sio_packet *p) {
  uint8_t *seen = malloc(p->attachments);
  FUZZ_CHECK(seen != NULL, "out of memory");
  header_of h = {p, seen};
  int n;
  uint8_t *out =
      fuzz_encode_checked(encode_header, &h, "sio_binary_encode_header: snprintf contract", &n);
  FUZZ_CHECK(out != NULL && n > 0, "encode_header refused a header the reassembler accepted");
  uint8_t *ref = malloc((size_t)n + 1);
  FUZZ_CHECK(ref != NULL, "out of memory");
  FUZZ_CHECK(sio_packet_encode(p, ref, (size_t)n + 1) == n, "packet encoder length differs");
  FUZZ_CHECK(memcmp(out, ref, (size_t)n) == 0, "encode_header differs from sio_packet_encode");
  free(ref);
  free(out);
  free(seen);
}

/* Slice DATA into messages (exact-size copies). Returns the count. */
static size_t slice(const uint8_t *data, size_t size, msg *msgs) {
  size_t n = 0, pos = 0;
  while (pos < size && n < MAX_MESSAGES) {
    uint8_t tag = data[pos++];
    size_t len = 0;
    if (pos < size) len = data[pos++];
    if (pos < size) len |= (size_t)data[pos++] << 8;
    if (len > size - pos) len = size - pos;
    msgs[n].buf = malloc(len ? len : 1);
    FUZZ_CHECK(msgs[n].buf != NULL, "out of memory");
    if (len) memcpy(msgs[n].buf, data + pos, len);
    msgs[n].len = len;
    msgs[n].binary = tag & 1;
    msgs[n].finish = (tag >> 1) & 1;
    n++;
    pos += len;
  }
  return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  sio_codec_opts opts = {data[0] & 0x0f, data[0] >> 4, 0};
  uint32_t max_att = opts.max_attachments ? opts.max_attachments : SIO_DEFAULT_MAX_ATTACHMENTS;

  static msg msgs[MAX_MESSAGES];
  size_t nmsg = slice(data + 1, size - 1, msgs);

  ref_span *slots = malloc(max_att * sizeof *slots); /* exactly the documented minimum */
  FUZZ_CHECK(slots != NULL, "out of memory");
  sio_reasm r;
  FUZZ_CHECK(sio_reasm_init(&r, &opts, slots, max_att) == 0, "reasm init refused valid args");

  /* The model: idle, or pending with header H waiting for H.attachments messages. */
  int pending = 0;
  sio_packet h;
  size_t first_att = 0; /* index in msgs of the first attachment of H */
  uint32_t got = 0;

  for (size_t i = 0; i < nmsg; i++) {
    const msg *m = &msgs[i];
    sio_packet out;
    memset(&out, 0, sizeof out);
    if (!m->binary) {
      int rc = sio_reasm_feed_text(&r, m->buf, m->len, &out);
      if (pending) {
        FUZZ_CHECK(rc == REF_ERR_UNEXPECTED_TEXT, "text while attachments pending");
        pending = 0;
      } else {
        sio_packet ref;
        int dr = sio_packet_decode(m->buf, m->len, &opts, &ref);
        if (dr != 0) {
          FUZZ_CHECK(rc == dr, "reassembler and decoder disagree on a bad text message");
        } else if (!is_binary_type(ref.type)) {
          FUZZ_CHECK(rc == SIO_REASM_COMPLETE, "plain packet not delivered at once");
          fuzz_same_sio_packet(&ref, &out, "delivered plain packet differs from the decoder's");
        } else {
          FUZZ_CHECK(ref.attachments <= max_att, "decoder let too many attachments through");
          uint8_t *seen = malloc(ref.attachments ? ref.attachments : 1); /* exact scratch */
          FUZZ_CHECK(seen != NULL, "out of memory");
          int ck = sio_binary_check(&ref, opts.max_json_depth, seen);
          free(seen);
          if (ck != 0) {
            FUZZ_CHECK(rc == ck, "reassembler and placeholder check disagree");
          } else {
            FUZZ_CHECK(rc == SIO_REASM_NEED_MORE, "binary header not held for attachments");
            check_placeholders(&ref);
            check_encode_header(&ref);
            pending = 1;
            h = ref;
            first_att = i + 1;
            got = 0;
          }
        }
      }
    } else {
      int rc = sio_reasm_feed_binary(&r, m->buf, m->len, &out);
      if (!pending) {
        FUZZ_CHECK(rc == REF_ERR_UNEXPECTED_BINARY, "binary message while idle");
      } else if (++got < h.attachments) {
        FUZZ_CHECK(rc == SIO_REASM_NEED_MORE, "packet delivered before all its attachments");
      } else {
        FUZZ_CHECK(rc == SIO_REASM_COMPLETE, "packet not delivered after its last attachment");
        fuzz_same_sio_packet(&h, &out, "delivered header differs from the decoder's");
        for (uint32_t k = 0; k < h.attachments; k++) {
          const msg *a = &msgs[first_att + k];
          FUZZ_CHECK(r.slots[k].ptr == a->buf && r.slots[k].len == a->len,
                     "attachment slot is not the message in wire order");
        }
        pending = 0;
      }
    }
    if (m->finish) {
      int fr = sio_reasm_finish(&r);
      FUZZ_CHECK(fr == (pending ? REF_ERR_ATTACHMENTS_PENDING : 0), "finish mid-stream");
      pending = 0;
    }
  }
  int fr = sio_reasm_finish(&r);
  FUZZ_CHECK(fr == (pending ? REF_ERR_ATTACHMENTS_PENDING : 0), "finish at the end");
  FUZZ_CHECK(sio_reasm_finish(&r) == 0, "finish did not reset the reassembler");

  free(slots);
  for (size_t i = 0; i < nmsg; i++) free(msgs[i].buf);
  return 0;
}
