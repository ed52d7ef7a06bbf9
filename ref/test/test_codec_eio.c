/* Unit tests of the Engine.IO codec: every error path, UTF-8 and base64 edge cases,
 * snprintf-style encoders at every small capacity, and the incremental payload reader
 * against the whole-body iterator at every split.
 * Spec tags: EIO-PK-1..14, EIO-PL-1..7. */
#include <criterion/criterion.h>
#include <string.h>

#include "sioref/eio_codec.h"
#include "sioref/err.h"
#include "sioref/utf8.h"

#define S(lit) ((const uint8_t *)(lit)), (sizeof(lit) - 1)

static int dec(const char *s, size_t n, eio_packet *p) {
  return eio_packet_decode_text((const uint8_t *)s, n, p);
}

Test(eio_decode, types_and_data) {
  eio_packet p;
  for (int t = 0; t <= 6; t++) {
    char m[8] = {(char)('0' + t), 'x', 'y'};
    cr_assert_eq(dec(m, 3, &p), 0);
    cr_assert_eq(p.type, (eio_packet_type)t);
    cr_assert_eq(p.kind, EIO_DATA_TEXT);
    cr_assert_eq(p.data.len, 2);
    cr_assert_eq(p.data.ptr, (const uint8_t *)m + 1, "data borrows from the input");
  }
  cr_assert_eq(dec("4", 1, &p), 0);
  cr_assert_eq(p.data.len, 0);
  cr_assert_eq(dec("4\0a", 3, &p), 0, "NUL inside data is data (EIO-PK-3)");
  cr_assert_eq(p.data.len, 2);
}

Test(eio_decode, errors) {
  eio_packet p;
  cr_assert_eq(dec("", 0, &p), REF_ERR_EMPTY_PACKET);
  cr_assert_eq(dec(NULL, 0, &p), REF_ERR_EMPTY_PACKET);
  const char *bad[] = {"7", "9x", "B", " 4", "a", "/", "-1"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    cr_assert_eq(dec(bad[i], strlen(bad[i]), &p), REF_ERR_BAD_PACKET_TYPE, "%s", bad[i]);
  cr_assert_eq(dec("\0"
                   "4",
                   2, &p),
               REF_ERR_BAD_PACKET_TYPE);
  cr_assert_eq(dec("4\xff", 2, &p), REF_ERR_INVALID_UTF8);
  cr_assert_eq(eio_packet_decode_text(NULL, 3, &p), REF_ERR_INVALID_ARGUMENT);
  cr_assert_eq(eio_packet_decode_text(S("4"), NULL), REF_ERR_INVALID_ARGUMENT);
  cr_assert_eq(eio_packet_decode_binary(NULL, 1, &p), REF_ERR_INVALID_ARGUMENT);
  cr_assert_eq(eio_packet_decode_binary(S("\x01\x02"), NULL), REF_ERR_INVALID_ARGUMENT);
}

Test(eio_decode, binary_message) {
  eio_packet p;
  cr_assert_eq(eio_packet_decode_binary(S("\xff\x00\x34"), &p), 0);
  cr_assert_eq(p.type, EIO_PACKET_MESSAGE);
  cr_assert_eq(p.kind, EIO_DATA_BINARY);
  cr_assert_eq(p.data.len, 3);
  cr_assert_eq(eio_packet_decode_binary(NULL, 0, &p), 0, "empty binary message is valid");
  cr_assert_eq(p.data.len, 0);
}

Test(eio_decode, base64_form) {
  eio_packet p;
  cr_assert_eq(dec("b", 1, &p), 0);
  cr_assert_eq(p.kind, EIO_DATA_BASE64);
  cr_assert_eq(p.data.len, 0);
  cr_assert_eq(dec("bAQID", 5, &p), 0);
  cr_assert_eq(p.type, EIO_PACKET_MESSAGE);
  uint8_t out[8];
  cr_assert_eq(eio_base64_decode(p.data.ptr, p.data.len, out, sizeof out), 3);
  cr_assert(memcmp(out, "\x01\x02\x03", 3) == 0);
  const char *bad[] = {
      "bA",     "bAQ=",  "bAQI",  "bA===", "bAQ==AQID", "bAQ=D",  "bAQ I",  "bAQ-_",
      "bAQ\nI", "b====", "b=AQI", "bAR==", "bAQJ=",     "b AQID", "bAQID ", "bAQ==\n"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    cr_assert_eq(dec(bad[i], strlen(bad[i]), &p), REF_ERR_BAD_BASE64, "%s", bad[i]);
  const char *good[] = {"bAA==", "bAAA=", "bAAAA", "b/+8=", "bSGVsbG8="};
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
    cr_assert_eq(dec(good[i], strlen(good[i]), &p), 0, "%s", good[i]);
}

Test(eio_utf8, edges) {
  struct {
    const char *s;
    bool ok;
  } cases[] = {
      {"", true},
      {"abc", true},
      {"\xc2\x80", true},          /* U+0080 */
      {"\xdf\xbf", true},          /* U+07FF */
      {"\xe0\xa0\x80", true},      /* U+0800 */
      {"\xed\x9f\xbf", true},      /* U+D7FF */
      {"\xee\x80\x80", true},      /* U+E000 */
      {"\xef\xbf\xbf", true},      /* U+FFFF */
      {"\xf0\x90\x80\x80", true},  /* U+10000 */
      {"\xf4\x8f\xbf\xbf", true},  /* U+10FFFF */
      {"\xc0\x80", false},         /* overlong NUL */
      {"\xc1\xbf", false},         /* overlong */
      {"\xe0\x9f\xbf", false},     /* overlong 3-byte */
      {"\xf0\x8f\xbf\xbf", false}, /* overlong 4-byte */
      {"\xed\xa0\x80", false},     /* U+D800 */
      {"\xed\xbf\xbf", false},     /* U+DFFF */
      {"\xf4\x90\x80\x80", false}, /* U+110000 */
      {"\xf5\x80\x80\x80", false},
      {"\xff", false},
      {"\x80", false},         /* stray continuation */
      {"\xc2", false},         /* truncated */
      {"\xe2\x82", false},     /* truncated */
      {"\xf0\x9f\x98", false}, /* truncated */
      {"\xe2\x28\xa1", false}, /* bad continuation */
      {"a\xc2\x41", false},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    cr_assert_eq(ref_utf8_valid((const uint8_t *)cases[i].s, strlen(cases[i].s)), cases[i].ok,
                 "case %zu", i);
  cr_assert(ref_utf8_valid(NULL, 0));
  cr_assert(!ref_utf8_valid(NULL, 1));
}

Test(eio_base64, roundtrip_all_lengths) {
  uint8_t in[64], enc[100], back[64];
  for (size_t i = 0; i < sizeof in; i++) in[i] = (uint8_t)(i * 37 + 11);
  for (size_t n = 0; n <= sizeof in; n++) {
    int e = eio_base64_encode(in, n, enc, sizeof enc);
    cr_assert_eq(e, (int)((n + 2) / 3 * 4));
    cr_assert_geq(eio_base64_decoded_len((size_t)e), n);
    int d = eio_base64_decode(enc, (size_t)e, back, sizeof back);
    cr_assert_eq(d, (int)n);
    cr_assert(memcmp(in, back, n) == 0);
    if (n > 0)
      cr_assert_eq(eio_base64_decode(enc, (size_t)e, back, n - 1), REF_ERR_BUFFER_TOO_SMALL);
  }
  cr_assert_eq(eio_base64_encode(NULL, 1, enc, 4), REF_ERR_INVALID_ARGUMENT);
  cr_assert_eq(eio_base64_decode(S("AQID"), NULL, 3), REF_ERR_INVALID_ARGUMENT);
}

Test(eio_base64, encode_small_caps) {
  const uint8_t in[] = {0xde, 0xad, 0xbe, 0xef};
  uint8_t full[16];
  int n = eio_base64_encode(in, 4, full, sizeof full);
  cr_assert_eq(n, 8);
  cr_assert(memcmp(full, "3q2+7w==", 8) == 0);
  for (size_t cap = 0; cap <= 9; cap++) {
    uint8_t buf[16];
    memset(buf, 0xAA, sizeof buf);
    cr_assert_eq(eio_base64_encode(in, 4, buf, cap), 8);
    for (size_t i = cap; i < sizeof buf; i++) cr_assert_eq(buf[i], 0xAA, "wrote past cap %zu", cap);
    cr_assert(memcmp(buf, full, cap < 8 ? cap : 8) == 0);
  }
  cr_assert_eq(eio_base64_encode(in, 4, NULL, 0), 8, "NULL out with cap 0 measures");
}

/* Encode P for T into buffers of every capacity up to the full length: the return
 * value never changes, nothing is written past cap, the prefix is right. */
static void check_caps(const eio_packet *p, eio_transport t, const char *want, size_t wantlen) {
  uint8_t buf[256];
  for (size_t cap = 0; cap <= wantlen + 1; cap++) {
    memset(buf, 0xAA, sizeof buf);
    int n = eio_packet_encode(p, t, cap ? buf : NULL, cap);
    cr_assert_eq(n, (int)wantlen, "cap %zu", cap);
    for (size_t i = cap; i < sizeof buf; i++) cr_assert_eq(buf[i], 0xAA, "past cap %zu", cap);
    cr_assert(memcmp(buf, want, cap < wantlen ? cap : wantlen) == 0);
  }
}

Test(eio_encode, forms) {
  eio_packet p = {EIO_PACKET_MESSAGE, EIO_DATA_TEXT, {S("hello")}};
  check_caps(&p, EIO_TRANSPORT_POLLING, "4hello", 6);
  check_caps(&p, EIO_TRANSPORT_WEBSOCKET, "4hello", 6);
  p = (eio_packet){EIO_PACKET_PING, EIO_DATA_TEXT, {NULL, 0}};
  check_caps(&p, EIO_TRANSPORT_POLLING, "2", 1);
  p = (eio_packet){EIO_PACKET_MESSAGE, EIO_DATA_BINARY, {S("\x01\x02\x03\x04")}};
  check_caps(&p, EIO_TRANSPORT_POLLING, "bAQIDBA==", 9);
  check_caps(&p, EIO_TRANSPORT_WEBSOCKET, "\x01\x02\x03\x04", 4);
  p = (eio_packet){EIO_PACKET_MESSAGE, EIO_DATA_BASE64, {S("AQIDBA==")}};
  check_caps(&p, EIO_TRANSPORT_POLLING, "bAQIDBA==", 9);
  check_caps(&p, EIO_TRANSPORT_WEBSOCKET, "\x01\x02\x03\x04", 4);
  p = (eio_packet){EIO_PACKET_MESSAGE, EIO_DATA_BINARY, {NULL, 0}};
  check_caps(&p, EIO_TRANSPORT_POLLING, "b", 1);
  check_caps(&p, EIO_TRANSPORT_WEBSOCKET, "", 0);
}

Test(eio_encode, misuse) {
  uint8_t buf[16];
  eio_packet p = {EIO_PACKET_PING, EIO_DATA_BINARY, {S("x")}};
  cr_assert_eq(eio_packet_encode(&p, EIO_TRANSPORT_POLLING, buf, sizeof buf),
               REF_ERR_INVALID_ARGUMENT, "EIO-PK-2: only messages carry binary");
  p = (eio_packet){(eio_packet_type)7, EIO_DATA_TEXT, {S("x")}};
  cr_assert_eq(eio_packet_encode(&p, EIO_TRANSPORT_POLLING, buf, sizeof buf),
               REF_ERR_INVALID_ARGUMENT);
  p = (eio_packet){EIO_PACKET_MESSAGE, EIO_DATA_BASE64, {S("AQ=")}};
  cr_assert_eq(eio_packet_encode(&p, EIO_TRANSPORT_POLLING, buf, sizeof buf),
               REF_ERR_INVALID_ARGUMENT);
  p = (eio_packet){EIO_PACKET_MESSAGE, (eio_data_kind)9, {S("AQ=")}};
  cr_assert_eq(eio_packet_encode(&p, EIO_TRANSPORT_POLLING, buf, sizeof buf),
               REF_ERR_INVALID_ARGUMENT);
  p = (eio_packet){EIO_PACKET_MESSAGE, EIO_DATA_TEXT, {NULL, 3}};
  cr_assert_eq(eio_packet_encode(&p, EIO_TRANSPORT_POLLING, buf, sizeof buf),
               REF_ERR_INVALID_ARGUMENT);
  p = (eio_packet){EIO_PACKET_MESSAGE, EIO_DATA_TEXT, {S("x")}};
  cr_assert_eq(eio_packet_encode(&p, (eio_transport)5, buf, sizeof buf), REF_ERR_INVALID_ARGUMENT);
  cr_assert_eq(eio_packet_encode(&p, EIO_TRANSPORT_POLLING, NULL, 4), REF_ERR_INVALID_ARGUMENT);
  cr_assert_eq(eio_packet_encode(NULL, EIO_TRANSPORT_POLLING, buf, 4), REF_ERR_INVALID_ARGUMENT);
  p = (eio_packet){EIO_PACKET_MESSAGE,
                   EIO_DATA_TEXT,
                   {S("a\x1e"
                      "b")}};
  cr_assert_eq(eio_packet_encode(&p, EIO_TRANSPORT_POLLING, buf, sizeof buf),
               REF_ERR_INVALID_ARGUMENT, "EIO-PL-8");
  cr_assert_eq(eio_payload_encode(&p, 1, buf, sizeof buf), REF_ERR_INVALID_ARGUMENT);
  cr_assert_eq(eio_packet_encode(&p, EIO_TRANSPORT_WEBSOCKET, buf, sizeof buf), 4);
  cr_assert_eq(eio_payload_encode(NULL, 1, buf, 4), REF_ERR_INVALID_ARGUMENT);
  cr_assert_eq(eio_payload_encode(&p, 0, NULL, 0), REF_ERR_INVALID_ARGUMENT,
               "EIO-PL-1: no empty body");
}

Test(eio_payload, encode) {
  eio_packet ps[3] = {{EIO_PACKET_MESSAGE, EIO_DATA_TEXT, {S("a")}},
                      {EIO_PACKET_MESSAGE, EIO_DATA_BINARY, {S("\x01")}},
                      {EIO_PACKET_PING, EIO_DATA_TEXT, {NULL, 0}}};
  const char want[] = "4a\x1e"
                      "bAQ==\x1e"
                      "2";
  size_t wl = sizeof want - 1;
  uint8_t buf[64];
  for (size_t cap = 0; cap <= wl; cap++) {
    memset(buf, 0xAA, sizeof buf);
    cr_assert_eq(eio_payload_encode(ps, 3, cap ? buf : NULL, cap), (int)wl);
    cr_assert_eq(buf[cap], 0xAA);
    cr_assert(memcmp(buf, want, cap) == 0);
  }
  eio_packet bad = {EIO_PACKET_OPEN, EIO_DATA_BINARY, {S("\x01")}};
  cr_assert_eq(eio_payload_encode(&bad, 1, buf, sizeof buf), REF_ERR_INVALID_ARGUMENT);
}

/* ---- payload iterator and incremental reader ---- */

typedef struct result {
  int n;
  eio_packet_type type[16];
  eio_data_kind kind[16];
  char data[16][64];
  size_t len[16];
  int err; /* 0 when the body ended cleanly */
} result;

static void record(result *r, const eio_packet *p) {
  cr_assert_lt(r->n, 16);
  r->type[r->n] = p->type;
  r->kind[r->n] = p->kind;
  cr_assert_lt(p->data.len, 64);
  if (p->data.len) memcpy(r->data[r->n], p->data.ptr, p->data.len);
  r->len[r->n] = p->data.len;
  r->n++;
}

static result run_iter(const uint8_t *body, size_t len, size_t max_payload, size_t max_packets) {
  result r;
  memset(&r, 0, sizeof r);
  eio_payload_iter it;
  int rc = eio_payload_iter_init(&it, body, len, max_payload, max_packets);
  if (rc) {
    r.err = rc;
    eio_packet p;
    cr_assert_eq(eio_payload_next(&it, &p), rc, "init error sticks");
    return r;
  }
  eio_packet p;
  while ((rc = eio_payload_next(&it, &p)) == 1) record(&r, &p);
  r.err = rc;
  cr_assert_eq(eio_payload_next(&it, &p), rc, "the end state sticks");
  return r;
}

/* Feed BODY in chunks whose ends are CUTS[0..ncuts-1] (increasing offsets). */
static result run_reader(const uint8_t *body, size_t len, size_t max_payload, size_t max_packets,
                         const size_t *cuts, size_t ncuts) {
  result r;
  memset(&r, 0, sizeof r);
  uint8_t store[256];
  eio_payload_reader rd;
  cr_assert_eq(eio_payload_reader_init(&rd, store, sizeof store, len, max_payload, max_packets), 0);
  size_t start = 0;
  eio_packet p;
  for (size_t c = 0; c <= ncuts; c++) {
    size_t end = c < ncuts ? cuts[c] : len;
    /* copy the chunk so that nothing can read past it unnoticed (ASan/valgrind) */
    uint8_t *chunk = malloc(end - start + 1);
    memcpy(chunk, body + start, end - start);
    const uint8_t *cp = chunk;
    size_t cl = end - start;
    int rc;
    while ((rc = eio_payload_reader_next(&rd, &cp, &cl, &p)) == EIO_READER_PACKET) record(&r, &p);
    free(chunk);
    if (rc < 0) {
      r.err = rc;
      return r;
    }
    if (rc == EIO_READER_DONE) {
      cr_assert_eq(end, len, "done before the body ended");
      return r;
    }
    start = end;
  }
  cr_assert_fail("reader never finished");
  return r;
}

static void same(const result *a, const result *b, const char *what) {
  cr_assert_eq(a->n, b->n, "%s: packet count %d vs %d", what, a->n, b->n);
  cr_assert_eq(a->err, b->err, "%s: error %d vs %d", what, a->err, b->err);
  for (int i = 0; i < a->n; i++) {
    cr_assert_eq(a->type[i], b->type[i], "%s", what);
    cr_assert_eq(a->kind[i], b->kind[i], "%s", what);
    cr_assert_eq(a->len[i], b->len[i], "%s", what);
    cr_assert(memcmp(a->data[i], b->data[i], a->len[i]) == 0, "%s", what);
  }
}

/* EIO-PL-*: the reader gives the iterator's result at every split, into 1-byte chunks
 * and at every pair of cuts. */
static void check_splits(const char *body, size_t len, size_t max_payload, size_t max_packets) {
  const uint8_t *b = (const uint8_t *)body;
  result whole = run_iter(b, len, max_payload, max_packets);
  result r = run_reader(b, len, max_payload, max_packets, NULL, 0);
  same(&whole, &r, "one chunk");
  for (size_t i = 0; i <= len; i++) {
    r = run_reader(b, len, max_payload, max_packets, &i, 1);
    same(&whole, &r, "two chunks");
    for (size_t j = i; j <= len; j++) {
      size_t cuts[2] = {i, j};
      r = run_reader(b, len, max_payload, max_packets, cuts, 2);
      same(&whole, &r, "three chunks");
    }
  }
  size_t cuts[128];
  cr_assert_lt(len, 128);
  for (size_t i = 0; i < len; i++) cuts[i] = i + 1;
  r = run_reader(b, len, max_payload, max_packets, cuts, len ? len - 1 : 0);
  same(&whole, &r, "1-byte chunks");
}

#define B(lit) lit, (sizeof(lit) - 1)

Test(eio_payload, iterator_results) {
  result r = run_iter((const uint8_t *)B("4hello\x1e"
                                         "2\x1e"
                                         "bAQ=="),
                      0, 0);
  cr_assert_eq(r.n, 3);
  cr_assert_eq(r.err, 0);
  cr_assert_eq(r.kind[2], EIO_DATA_BASE64);
  r = run_iter((const uint8_t *)B(""), 0, 0);
  cr_assert_eq(r.err, REF_ERR_EMPTY_PACKET);
  r = run_iter((const uint8_t *)B("4a\x1e"), 0, 0);
  cr_assert_eq(r.n, 1);
  cr_assert_eq(r.err, REF_ERR_EMPTY_PACKET);
  r = run_iter((const uint8_t *)B("\x1e"
                                  "4a"),
               0, 0);
  cr_assert_eq(r.err, REF_ERR_EMPTY_PACKET);
  r = run_iter((const uint8_t *)B("4a\x1e\x1e"
                                  "4b"),
               0, 0);
  cr_assert_eq(r.err, REF_ERR_EMPTY_PACKET);
  r = run_iter((const uint8_t *)B("4a\x1e"
                                  "4b\x1e"
                                  "4c"),
               0, 2);
  cr_assert_eq(r.n, 2);
  cr_assert_eq(r.err, REF_ERR_TOO_MANY_PACKETS);
  r = run_iter((const uint8_t *)B("4a\x1e"
                                  "9\x1e"
                                  "4c"),
               0, 2);
  cr_assert_eq(r.err, REF_ERR_BAD_PACKET_TYPE, "EIO-PL-6: an earlier error comes first");
  r = run_iter((const uint8_t *)B("4a\x1e"
                                  "4b"),
               4, 0);
  cr_assert_eq(r.n, 0);
  cr_assert_eq(r.err, REF_ERR_PAYLOAD_TOO_LARGE);
  r = run_iter((const uint8_t *)B("4a\x1e"
                                  "4b"),
               5, 0);
  cr_assert_eq(r.n, 2);
  r = run_iter((const uint8_t *)B("4\xc3\xa9\x1e"
                                  "4\xc3"),
               0, 0);
  cr_assert_eq(r.err, REF_ERR_INVALID_UTF8);
}

Test(eio_payload, reader_every_split) {
  struct {
    const char *body;
    size_t len, max_payload, max_packets;
  } cases[] = {
      {B("4hello"), 0, 0},
      {B("4hello\x1e"
         "2\x1e"
         "bAQ==\x1e"
         "6"),
       0, 0},
      {B(""), 0, 0},
      {B("\x1e"), 0, 0},
      {B("4a\x1e"), 0, 0},
      {B("\x1e"
         "4a"),
       0, 0},
      {B("4a\x1e\x1e"
         "4b"),
       0, 0},
      {B("4a\x1e"
         "4b\x1e"
         "4c"),
       0, 2},
      {B("4a\x1e"
         "4b\x1e"),
       0, 2},
      {B("4a\x1e"
         "4b\x1e"),
       0, 3},
      {B("4a\x1e"
         "4b"),
       0, 2},
      {B("4a\x1e"
         "4b"),
       4, 0},
      {B("\x1e"
         "4b"),
       2, 0},
      {B("4a\x1e"
         "4b"),
       5, 0},
      {B("4a\x1e"
         "xb\x1e"
         "4c"),
       0, 0},
      {B("4\xc3\xa9\x1e"
         "4\xc3"),
       0, 0},
      {B("b\x1e"
         "bAA=\x1e"
         "bA"),
       0, 0},
      {B("4"), 0, 1},
      {B("4\x1e"
         "4"),
       0, 1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    check_splits(cases[i].body, cases[i].len, cases[i].max_payload, cases[i].max_packets);
}

Test(eio_payload, reader_misuse) {
  uint8_t store[4];
  eio_payload_reader rd;
  eio_packet p;
  cr_assert_eq(eio_payload_reader_init(NULL, store, 4, 1, 0, 0), REF_ERR_INVALID_ARGUMENT);
  cr_assert_eq(eio_payload_reader_init(&rd, NULL, 4, 1, 0, 0), REF_ERR_INVALID_ARGUMENT);
  /* more bytes than declared */
  cr_assert_eq(eio_payload_reader_init(&rd, store, sizeof store, 2, 0, 0), 0);
  const uint8_t *c = (const uint8_t *)"4ab";
  size_t n = 3;
  cr_assert_eq(eio_payload_reader_next(&rd, &c, &n, &p), REF_ERR_INVALID_ARGUMENT);
  /* a cut segment that does not fit the storage */
  cr_assert_eq(eio_payload_reader_init(&rd, store, 2, 6, 0, 0), 0);
  c = (const uint8_t *)"4abcd";
  n = 3;
  cr_assert_eq(eio_payload_reader_next(&rd, &c, &n, &p), REF_ERR_BUFFER_TOO_SMALL);
  cr_assert_eq(eio_payload_reader_next(&rd, &c, &n, &p), REF_ERR_BUFFER_TOO_SMALL, "sticky");
  /* a segment whole inside one chunk needs no storage at all */
  cr_assert_eq(eio_payload_reader_init(&rd, NULL, 0, 5, 0, 0), 0);
  c = (const uint8_t *)"4abcd";
  n = 5;
  cr_assert_eq(eio_payload_reader_next(&rd, &c, &n, &p), EIO_READER_PACKET);
  cr_assert_eq(p.data.len, 4);
  cr_assert_eq(eio_payload_reader_next(&rd, &c, &n, &p), EIO_READER_DONE);
  cr_assert_eq(eio_payload_reader_next(&rd, &c, &n, NULL), REF_ERR_INVALID_ARGUMENT);
}

/* An empty POST body can reach the iterator as (NULL, 0): it must behave exactly like a
 * real empty body (one empty packet, EIO-PL-2) with no arithmetic on a NULL pointer,
 * which UBSan reports in the sanitizer build. */
Test(eio_payload, null_empty_body) {
  eio_payload_iter it;
  eio_packet p;
  cr_assert_eq(eio_payload_iter_init(&it, NULL, 0, 0, 0), 0);
  cr_assert_eq(eio_payload_next(&it, &p), REF_ERR_EMPTY_PACKET);
  cr_assert_eq(eio_payload_next(&it, &p), REF_ERR_EMPTY_PACKET, "the error sticks");
  cr_assert_eq(eio_payload_iter_init(&it, NULL, 1, 0, 0), REF_ERR_INVALID_ARGUMENT);
}
