/* wire_deflate: the examples of RFC 7692 section 7.2.3 ("Hello" alone, twice in one
 * context, a stored block, an empty message), round trips with and without context
 * takeover, a window smaller than the sender's, bad data, the inflate limit, the
 * answers to an offer, the HTTP codings and Accept-Encoding. */
#include <criterion/criterion.h>

#include "wire_deflate.h"
#include "wire_test_util.h"

static void expect_inflate(wire_pmd *z, const unsigned char *in, size_t n, const char *want) {
  wire_sink out = {0};
  unsigned char *b = exact(in, n);
  cr_assert_eq(wire_pmd_inflate(z, b, n, 0, &out), WIRE_OK);
  cr_assert_eq(out.len, strlen(want));
  cr_assert_eq(memcmp(out.p, want, out.len), 0);
  free(b);
  wire_sink_free(&out);
}

Test(wire_deflate, rfc7692_hello_examples) {
  static const unsigned char hello[] = {0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00};
  static const unsigned char again[] = {0xf2, 0x00, 0x11, 0x00, 0x00}; /* 7.2.3.2 */
  static const unsigned char stored[] = {0x00, 0x05, 0x00, 0xfa, 0xff, 'H',
                                         'e',  'l',  'l',  'o',  0x00}; /* 7.2.3.3 */
  static const unsigned char empty[] = {0x00};                          /* 7.2.3.6 */
  wire_pmd *z = wire_pmd_inflater(15, 0);
  expect_inflate(z, hello, sizeof hello, "Hello");
  expect_inflate(z, again, sizeof again, "Hello"); /* refers to the first message */
  expect_inflate(z, stored, sizeof stored, "Hello");
  expect_inflate(z, empty, sizeof empty, "");
  wire_pmd_end(z);
  /* without context takeover the second form has nothing to refer to */
  z = wire_pmd_inflater(15, 1);
  expect_inflate(z, hello, sizeof hello, "Hello");
  wire_sink out = {0};
  cr_assert_eq(wire_pmd_inflate(z, again, sizeof again, 0, &out), WIRE_E_CODING);
  wire_sink_free(&out);
  expect_inflate(z, hello, sizeof hello, "Hello"); /* reset after the error */
  wire_pmd_end(z);
}

Test(wire_deflate, deflate_hello_matches_rfc) {
  wire_pmd *d = wire_pmd_deflater(15, 0);
  wire_sink out = {0};
  cr_assert_eq(wire_pmd_deflate(d, (const unsigned char *)"Hello", 5, &out), WIRE_OK);
  static const unsigned char hello[] = {0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00};
  cr_assert_eq(out.len, sizeof hello);
  cr_assert_eq(memcmp(out.p, hello, sizeof hello), 0);
  out.len = 0;
  cr_assert_eq(wire_pmd_deflate(d, (const unsigned char *)"Hello", 5, &out), WIRE_OK);
  static const unsigned char again[] = {0xf2, 0x00, 0x11, 0x00, 0x00};
  cr_assert_eq(out.len, sizeof again);
  cr_assert_eq(memcmp(out.p, again, sizeof again), 0);
  out.len = 0;
  cr_assert_eq(wire_pmd_deflate(d, (const unsigned char *)"", 0, &out), WIRE_OK);
  cr_assert(out.len >= 1);
  wire_sink_free(&out);
  wire_pmd_end(d);
  /* no context takeover: the same bytes each time */
  d = wire_pmd_deflater(15, 1);
  for (int i = 0; i < 2; i++) {
    cr_assert_eq(wire_pmd_deflate(d, (const unsigned char *)"Hello", 5, &out), WIRE_OK);
    cr_assert_eq(out.len, sizeof hello);
    cr_assert_eq(memcmp(out.p, hello, sizeof hello), 0);
    out.len = 0;
  }
  wire_sink_free(&out);
  wire_pmd_end(d);
}

/* A text of N bytes with little redundancy inside (a generator's letters). */
static void blob(unsigned char *p, size_t n, uint64_t seed) {
  for (size_t i = 0; i < n; i++) p[i] = (unsigned char)('a' + test_rand(&seed) % 26);
}

Test(wire_deflate, round_trips_and_windows) {
  unsigned char msg[3000];
  blob(msg, 1500, 7);
  memcpy(msg + 1500, msg, 1500); /* a repeat 1500 bytes back */
  for (int take = 0; take < 2; take++) {
    wire_pmd *d = wire_pmd_deflater(15, !take), *i = wire_pmd_inflater(15, !take);
    for (int k = 0; k < 3; k++) {
      wire_sink c = {0}, o = {0};
      cr_assert_eq(wire_pmd_deflate(d, msg, sizeof msg, &c), WIRE_OK);
      cr_assert(c.len < 2000, "the repeat is found: %zu bytes", c.len);
      if (take && k) cr_assert(c.len < 100, "context takeover: %zu bytes", c.len);
      cr_assert_eq(wire_pmd_inflate(i, c.p, c.len, 0, &o), WIRE_OK);
      cr_assert_eq(o.len, sizeof msg);
      cr_assert_eq(memcmp(o.p, msg, sizeof msg), 0);
      wire_sink_free(&c);
      wire_sink_free(&o);
    }
    wire_pmd_end(d);
    wire_pmd_end(i);
  }
  /* a sender using a 2^15 window read by an inflater of 2^10: the reference 1500 bytes
   * back is beyond its window (EIO-CMP-3), while a 2^10 sender is read fine */
  wire_pmd *d15 = wire_pmd_deflater(15, 1), *d10 = wire_pmd_deflater(10, 1);
  wire_pmd *i10 = wire_pmd_inflater(10, 1);
  wire_sink c = {0}, o = {0};
  cr_assert_eq(wire_pmd_deflate(d15, msg, sizeof msg, &c), WIRE_OK);
  cr_assert_eq(wire_pmd_inflate(i10, c.p, c.len, 0, &o), WIRE_E_CODING);
  c.len = o.len = 0;
  cr_assert_eq(wire_pmd_deflate(d10, msg, sizeof msg, &c), WIRE_OK);
  cr_assert_eq(wire_pmd_inflate(i10, c.p, c.len, 0, &o), WIRE_OK);
  cr_assert_eq(o.len, sizeof msg);
  wire_sink_free(&c);
  wire_sink_free(&o);
  wire_pmd_end(d15);
  wire_pmd_end(d10);
  wire_pmd_end(i10);
}

Test(wire_deflate, bad_data_and_limit) {
  wire_pmd *i = wire_pmd_inflater(15, 0);
  wire_sink o = {0};
  static const unsigned char reserved[] = {0xff, 0xff, 0xff, 0xff}; /* block type 3 */
  cr_assert_eq(wire_pmd_inflate(i, reserved, sizeof reserved, 0, &o), WIRE_E_CODING);
  /* a final block followed by more data */
  static const unsigned char final_then[] = {0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07,
                                             0x00, 1,    2,    3,    4,    5};
  o.len = 0;
  cr_assert_eq(wire_pmd_inflate(i, final_then, sizeof final_then, 0, &o), WIRE_E_CODING);
  /* a final block alone is a whole message */
  o.len = 0;
  cr_assert_eq(wire_pmd_inflate(i, final_then, 7, 0, &o), WIRE_OK);
  cr_assert_eq(o.len, 5);
  /* a bomb: 1 MB of one letter is a few KB; the limit stops it */
  unsigned char *big = calloc(1, 1000000);
  memset(big, 'a', 1000000);
  wire_pmd *d = wire_pmd_deflater(15, 0);
  wire_sink c = {0};
  cr_assert_eq(wire_pmd_deflate(d, big, 1000000, &c), WIRE_OK);
  cr_assert(c.len < 5000);
  o.len = 0;
  cr_assert_eq(wire_pmd_inflate(i, c.p, c.len, 100000, &o), WIRE_E_TOO_LARGE);
  cr_assert_eq(o.len, 100000);
  free(big);
  wire_sink_free(&c);
  wire_sink_free(&o);
  wire_pmd_end(d);
  wire_pmd_end(i);
  /* every cut of a good message either inflates to a prefix or is refused: no crash */
  static const unsigned char hello[] = {0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00};
  for (size_t cut = 0; cut <= sizeof hello; cut++) {
    wire_pmd *k = wire_pmd_inflater(15, 1);
    unsigned char *b = exact(hello, cut);
    wire_sink x = {0};
    wire_pmd_inflate(k, b, cut, 0, &x);
    cr_assert(x.len <= 5);
    free(b);
    wire_sink_free(&x);
    wire_pmd_end(k);
  }
}

static wire_err answer(const char *v, const wire_pmd_params *offer, wire_pmd_params *out) {
  const char *why;
  return wire_pmd_answer(v, v ? strlen(v) : 0, offer, out, &why);
}

Test(wire_deflate, answers) {
  wire_pmd_params offer = {0}, a;
  offer.client_max_window_bits = -1;
  cr_assert_eq(answer(NULL, &offer, &a), WIRE_OK);
  cr_assert_eq(a.accepted, 0);
  cr_assert_eq(answer("  ", &offer, &a), WIRE_OK);
  cr_assert_eq(a.accepted, 0);
  cr_assert_eq(answer("permessage-deflate", &offer, &a), WIRE_OK);
  cr_assert_eq(a.accepted, 1);
  cr_assert_eq(answer("permessage-deflate; client_max_window_bits=10; server_no_context_takeover",
                      &offer, &a),
               WIRE_OK);
  cr_assert(a.client_max_window_bits == 10 && a.server_no_context_takeover);
  cr_assert_eq(answer("Permessage-Deflate;client_no_context_takeover;server_max_window_bits=\"9\"",
                      &offer, &a),
               WIRE_OK);
  cr_assert(a.client_no_context_takeover && a.server_max_window_bits == 9);
  /* refused answers */
  const char *badv[] = {
      "x-webkit-deflate-frame",
      "permessage-deflate, permessage-deflate",
      "permessage-deflate; foo",
      "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
      "permessage-deflate; server_no_context_takeover=1",
      "permessage-deflate; server_max_window_bits",
      "permessage-deflate; server_max_window_bits=7",
      "permessage-deflate; server_max_window_bits=16",
      "permessage-deflate; server_max_window_bits=010",
      "permessage-deflate; client_max_window_bits"};
  for (size_t k = 0; k < sizeof badv / sizeof *badv; k++)
    cr_assert_eq(answer(badv[k], &offer, &a), WIRE_E_PMD_ANSWER, "%s", badv[k]);
  /* client_max_window_bits only when offered; offered parameters bind the answer */
  wire_pmd_params plain = {0};
  cr_assert_eq(answer("permessage-deflate; client_max_window_bits=15", &plain, &a),
               WIRE_E_PMD_ANSWER);
  wire_pmd_params strict = {0, 1, 0, 10, 0};
  cr_assert_eq(answer("permessage-deflate; server_max_window_bits=10", &strict, &a),
               WIRE_E_PMD_ANSWER); /* server_no_context_takeover dropped */
  cr_assert_eq(answer("permessage-deflate; server_no_context_takeover", &strict, &a),
               WIRE_E_PMD_ANSWER); /* server_max_window_bits dropped */
  cr_assert_eq(answer("permessage-deflate; server_no_context_takeover; server_max_window_bits=11",
                      &strict, &a),
               WIRE_E_PMD_ANSWER);
  cr_assert_eq(answer("permessage-deflate; server_no_context_takeover; server_max_window_bits=9",
                      &strict, &a),
               WIRE_OK);
}

Test(wire_deflate, http_codings) {
  const char *text = "4hello hello hello hello hello";
  const char *codings[] = {"gzip", "deflate"};
  for (int k = 0; k < 2; k++) {
    wire_sink c = {0}, o = {0};
    cr_assert_eq(wire_http_encode_body(codings[k], (const unsigned char *)text, strlen(text), &c),
                 WIRE_OK);
    unsigned char *b = exact(c.p, c.len);
    cr_assert_eq(wire_http_decode_body(codings[k], b, c.len, 0, &o), WIRE_OK);
    cr_assert_eq(o.len, strlen(text));
    cr_assert_eq(memcmp(o.p, text, o.len), 0);
    /* the other format, a cut stream, bytes after the end: refused */
    o.len = 0;
    cr_assert_eq(wire_http_decode_body(codings[1 - k], b, c.len, 0, &o), WIRE_E_CODING);
    for (size_t cut = 0; cut < c.len; cut++) {
      o.len = 0;
      cr_assert_eq(wire_http_decode_body(codings[k], b, cut, 0, &o), WIRE_E_CODING, "cut %zu", cut);
    }
    free(b);
    unsigned char *more = malloc(c.len + 1);
    memcpy(more, c.p, c.len);
    more[c.len] = 'x';
    o.len = 0;
    cr_assert_eq(wire_http_decode_body(codings[k], more, c.len + 1, 0, &o), WIRE_E_CODING);
    o.len = 0;
    cr_assert_eq(wire_http_decode_body(codings[k], more, c.len, 5, &o), WIRE_E_TOO_LARGE);
    free(more);
    wire_sink_free(&c);
    wire_sink_free(&o);
  }
  wire_sink o = {0};
  cr_assert_eq(wire_http_decode_body("br", (const unsigned char *)"x", 1, 0, &o), WIRE_E_CODING);
  cr_assert_eq(wire_http_decode_body("identity", (const unsigned char *)"xy", 2, 0, &o), WIRE_OK);
  cr_assert_eq(o.len, 2);
  wire_sink_free(&o);
}

Test(wire_deflate, accept_encoding) {
  cr_assert(!wire_http_coding_accepted(NULL, "gzip"));
  cr_assert(wire_http_coding_accepted(NULL, "identity"));
  cr_assert(wire_http_coding_accepted("gzip", "gzip"));
  cr_assert(wire_http_coding_accepted("gzip, deflate, br", "deflate"));
  cr_assert(!wire_http_coding_accepted("gzip", "deflate"));
  cr_assert(!wire_http_coding_accepted("gzip;q=0, deflate", "gzip"));
  cr_assert(wire_http_coding_accepted("gzip;q=0, deflate", "deflate"));
  cr_assert(wire_http_coding_accepted("GZIP ; q=0.5", "gzip"));
  cr_assert(!wire_http_coding_accepted("gzip; q=0.000", "gzip"));
  cr_assert(wire_http_coding_accepted("*", "deflate"));
  cr_assert(!wire_http_coding_accepted("*, deflate;q=0", "deflate"));
  cr_assert(!wire_http_coding_accepted("*;q=0", "gzip"));
  cr_assert(wire_http_coding_accepted("", "identity"));
  cr_assert(!wire_http_coding_accepted("", "gzip"));
  cr_assert(!wire_http_coding_accepted("identity;q=0", "identity"));
}
