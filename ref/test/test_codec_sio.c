/* Unit tests of the Socket.IO packet codec and of binary packets: every decode error
 * in rule order, spans into the input, encoder output and misuse, the reassembler's
 * transitions and the send-side header encoder.
 * Spec tags: SIO-PK-3..19, SIO-BIN-1..16. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sioref/eio_codec.h"
#include "sioref/err.h"
#include "sioref/sio_binary.h"
#include "sioref/sio_codec.h"
#include "sioref/json_scan.h"

static int dec_opts(const char *s, const sio_codec_opts *o, sio_packet *p) {
  return sio_packet_decode((const uint8_t *)s, strlen(s), o, p);
}
static int dec(const char *s, sio_packet *p) { return dec_opts(s, NULL, p); }

static bool span_is(ref_span sp, const char *s) {
  return sp.len == strlen(s) && (sp.len == 0 || memcmp(sp.ptr, s, sp.len) == 0);
}

Test(sio_decode, valid_forms) {
  sio_packet p;
  cr_assert_eq(dec("0", &p), 0);
  cr_assert_eq(p.type, SIO_PACKET_CONNECT);
  cr_assert(span_is(p.nsp, "/"));
  cr_assert_eq(p.ack_id, SIO_NO_ACK_ID);
  cr_assert_eq(p.data.len, 0);
  cr_assert_eq(dec("0/admin,{\"token\":\"x\"}", &p), 0);
  cr_assert(span_is(p.nsp, "/admin"));
  cr_assert(span_is(p.data, "{\"token\":\"x\"}"));
  cr_assert_eq(dec("0/admin", &p), 0, "namespace to the end, no ','");
  cr_assert(span_is(p.nsp, "/admin"));
  cr_assert_eq(dec("0/admin,", &p), 0);
  cr_assert(span_is(p.nsp, "/admin"));
  cr_assert_eq(dec("1/a,", &p), 0);
  cr_assert_eq(dec("2[\"hello\",1]", &p), 0);
  cr_assert_eq(p.ack_id, SIO_NO_ACK_ID);
  cr_assert_eq(dec("2/chat,12[\"hello\"]", &p), 0);
  cr_assert(span_is(p.nsp, "/chat"));
  cr_assert_eq(p.ack_id, 12);
  cr_assert_eq(dec("201[\"a\"]", &p), 0);
  cr_assert_eq(p.ack_id, 1, "leading zeros");
  cr_assert_eq(dec("2/,[\"a\"]", &p), 0);
  cr_assert(span_is(p.nsp, "/"));
  cr_assert_eq(dec("2/a b?x=\xc3\xa9,[\"a\"]", &p), 0);
  cr_assert(span_is(p.nsp, "/a b?x=\xc3\xa9"));
  cr_assert_eq(dec("39007199254740991[]", &p), 0);
  cr_assert_eq(p.ack_id, SIO_MAX_ACK_ID);
  cr_assert_eq(dec("30000000000000001[]", &p), 0, "16 digits");
  cr_assert_eq(dec("3/x,5[1,{}]", &p), 0);
  cr_assert_eq(dec("4{\"message\":\"no\"}", &p), 0);
  cr_assert_eq(dec("51-[\"a\",{\"_placeholder\":true,\"num\":0}]", &p), 0);
  cr_assert_eq(p.attachments, 1);
  cr_assert_eq(dec("610-/n,7[]", &p), 0);
  cr_assert_eq(p.attachments, 10);
  cr_assert_eq(p.ack_id, 7);
  cr_assert(span_is(p.nsp, "/n"));
  cr_assert_eq(dec("2 [\"a\"] ", &p), 0, "JSON whitespace around the payload");
  cr_assert_eq(dec("2[\"error\"]", &p), 0, "error is not reserved");
  cr_assert_eq(dec("2[\"__proto__\"]", &p), 0);
  cr_assert_eq(dec("0{\"_placeholder\":true,\"num\":5}", &p), 0, "SIO-PK-15: plain data");
}

Test(sio_decode, errors_in_rule_order) {
  sio_packet p;
  struct {
    const char *s;
    int err;
  } cases[] = {
      {"", REF_ERR_EMPTY_PACKET},
      {"7", REF_ERR_BAD_PACKET_TYPE},
      {"a", REF_ERR_BAD_PACKET_TYPE},
      {"\xff", REF_ERR_INVALID_UTF8},
      {"2[\"\xed\xa0\x80\"]", REF_ERR_INVALID_UTF8},
      {"5", REF_ERR_BAD_ATTACHMENT_COUNT},
      {"5-[\"a\"]", REF_ERR_BAD_ATTACHMENT_COUNT},
      {"51[\"a\"]", REF_ERR_BAD_ATTACHMENT_COUNT},
      {"51", REF_ERR_BAD_ATTACHMENT_COUNT},
      {"5+1-[\"a\"]", REF_ERR_BAD_ATTACHMENT_COUNT},
      {"5 1-[\"a\"]", REF_ERR_BAD_ATTACHMENT_COUNT},
      {"51.0-[\"a\"]", REF_ERR_BAD_ATTACHMENT_COUNT},
      {"50-[\"a\"]", REF_ERR_BAD_ATTACHMENT_COUNT},
      {"500-[\"a\"]", REF_ERR_BAD_ATTACHMENT_COUNT},
      {"500000000001-[\"a\"]", REF_ERR_BAD_ATTACHMENT_COUNT},
      {"511-[\"a\"]", REF_ERR_TOO_MANY_ATTACHMENTS},
      {"59999999999-[\"a\"]", REF_ERR_TOO_MANY_ATTACHMENTS},
      {"60000000011-1[]", REF_ERR_TOO_MANY_ATTACHMENTS},
      {"200000000000000001[\"a\"]", REF_ERR_ACK_ID_OUT_OF_RANGE},
      {"29007199254740992[\"a\"]", REF_ERR_ACK_ID_OUT_OF_RANGE},
      {"299999999999999999999[\"a\"]", REF_ERR_ACK_ID_OUT_OF_RANGE},
      {"01", REF_ERR_UNEXPECTED_ACK_ID},
      {"0/a,1{}", REF_ERR_UNEXPECTED_ACK_ID},
      {"11", REF_ERR_UNEXPECTED_ACK_ID},
      {"41{\"message\":\"x\"}", REF_ERR_UNEXPECTED_ACK_ID},
      {"3[]", REF_ERR_MISSING_ACK_ID},
      {"3", REF_ERR_MISSING_ACK_ID},
      {"61-[{\"_placeholder\":true,\"num\":0}]", REF_ERR_MISSING_ACK_ID},
      {"2[\"a\"", REF_ERR_INVALID_JSON},
      {"2 ", REF_ERR_INVALID_JSON},
      {"2,[\"a\"]", REF_ERR_INVALID_JSON},
      {"2['a']", REF_ERR_INVALID_JSON},
      {"2[\"a\"]x", REF_ERR_INVALID_JSON},
      {"0{\"a\":NaN}", REF_ERR_INVALID_JSON},
      {"2[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"a\"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
       REF_ERR_JSON_TOO_DEEP},
      {"0[]", REF_ERR_BAD_PAYLOAD_SHAPE},
      {"0\"x\"", REF_ERR_BAD_PAYLOAD_SHAPE},
      {"0null", REF_ERR_BAD_PAYLOAD_SHAPE},
      {"1{}", REF_ERR_BAD_PAYLOAD_SHAPE},
      {"1/a,{}", REF_ERR_BAD_PAYLOAD_SHAPE},
      {"2", REF_ERR_BAD_PAYLOAD_SHAPE},
      {"2/chat", REF_ERR_BAD_PAYLOAD_SHAPE},
      {"2{\"a\":1}", REF_ERR_BAD_PAYLOAD_SHAPE},
      {"2\"ev\"", REF_ERR_BAD_PAYLOAD_SHAPE},
      {"31{}", REF_ERR_BAD_PAYLOAD_SHAPE},
      {"31", REF_ERR_BAD_PAYLOAD_SHAPE},
      {"4", REF_ERR_BAD_PAYLOAD_SHAPE},
      {"4\"error\"", REF_ERR_BAD_PAYLOAD_SHAPE},
      {"4[]", REF_ERR_BAD_PAYLOAD_SHAPE},
      {"51-{}", REF_ERR_BAD_PAYLOAD_SHAPE},
      {"51-", REF_ERR_BAD_PAYLOAD_SHAPE},
      {"2[]", REF_ERR_BAD_EVENT_NAME},
      {"2[1]", REF_ERR_BAD_EVENT_NAME},
      {"2[null,\"a\"]", REF_ERR_BAD_EVENT_NAME},
      {"2[[\"a\"]]", REF_ERR_BAD_EVENT_NAME},
      {"51-[{\"_placeholder\":true,\"num\":0}]", REF_ERR_BAD_EVENT_NAME},
      {"2[\"connect\"]", REF_ERR_RESERVED_EVENT_NAME},
      {"2[\"connect_error\",1]", REF_ERR_RESERVED_EVENT_NAME},
      {"2[\"disconnect\"]", REF_ERR_RESERVED_EVENT_NAME},
      {"2[\"disconnecting\"]", REF_ERR_RESERVED_EVENT_NAME},
      {"2[\"newListener\"]", REF_ERR_RESERVED_EVENT_NAME},
      {"2[\"removeListener\"]", REF_ERR_RESERVED_EVENT_NAME},
      {"2[\"\\u0063onnect\"]", REF_ERR_RESERVED_EVENT_NAME},
      {"51-[\"disconnect\",{\"_placeholder\":true,\"num\":0}]", REF_ERR_RESERVED_EVENT_NAME},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    memset(&p, 0x5A, sizeof p);
    sio_packet before = p;
    int rc = dec(cases[i].s, &p);
    cr_assert_eq(rc, cases[i].err, "%s: got %s, want %s", cases[i].s, ref_err_name(rc),
                 ref_err_name(cases[i].err));
    cr_assert(memcmp(&p, &before, sizeof p) == 0, "%s: OUT changed on error", cases[i].s);
  }
  /* case sensitivity, near misses */
  cr_assert_eq(dec("2[\"Connect\"]", &p), 0);
  cr_assert_eq(dec("2[\"connect \"]", &p), 0);
  cr_assert_eq(dec("2[\"disconnected\"]", &p), 0);
  cr_assert_eq(sio_packet_decode(NULL, 0, NULL, &p), REF_ERR_EMPTY_PACKET);
  cr_assert_eq(sio_packet_decode(NULL, 1, NULL, &p), REF_ERR_INVALID_ARGUMENT);
  cr_assert_eq(sio_packet_decode((const uint8_t *)"0", 1, NULL, NULL), REF_ERR_INVALID_ARGUMENT);
}

Test(sio_decode, options) {
  sio_packet p;
  sio_codec_opts o = {2, 2, 0};
  cr_assert_eq(dec_opts("52-[\"a\",{\"_placeholder\":true,\"num\":0}]", &o, &p), 0);
  cr_assert_eq(dec_opts("53-[\"a\"]", &o, &p), REF_ERR_TOO_MANY_ATTACHMENTS);
  cr_assert_eq(dec_opts("2[\"a\",[1]]", &o, &p), 0);
  cr_assert_eq(dec_opts("2[\"a\",[[1]]]", &o, &p), REF_ERR_JSON_TOO_DEEP);
  o = (sio_codec_opts){0, JSON_SCAN_MAX_DEPTH + 1, 0};
  cr_assert_eq(dec_opts("0", &o, &p), REF_ERR_INVALID_ARGUMENT);
  o = (sio_codec_opts){100, 0, 0};
  cr_assert_eq(dec_opts("599-[\"a\"]", &o, &p), 0);
}

Test(sio_decode, event_name) {
  sio_packet p;
  ref_span name;
  cr_assert_eq(dec("2/x,3[\"h\\u00e9\",1]", &p), 0);
  cr_assert_eq(sio_packet_event_name(&p, &name), 0);
  cr_assert(span_is(name, "h\\u00e9"));
  cr_assert_eq(dec("0", &p), 0);
  cr_assert_eq(sio_packet_event_name(&p, &name), REF_ERR_BAD_STATE);
  cr_assert_eq(sio_packet_event_name(NULL, &name), REF_ERR_INVALID_ARGUMENT);
  sio_packet odd = {SIO_PACKET_EVENT, {(const uint8_t *)"/", 1}, -1, 0, {(const uint8_t *)"{}", 2}};
  cr_assert_eq(sio_packet_event_name(&odd, &name), REF_ERR_BAD_STATE, "not from the decoder");
}

static sio_packet mk(sio_packet_type t, const char *nsp, int64_t id, uint32_t att,
                     const char *data) {
  sio_packet p = {t,
                  {(const uint8_t *)nsp, nsp ? strlen(nsp) : 0},
                  id,
                  att,
                  {(const uint8_t *)data, data ? strlen(data) : 0}};
  return p;
}

/* Encode at every capacity: same length, nothing past cap, right prefix; and the
 * result decodes back to P. */
static void check_enc(const sio_packet *p, const char *want) {
  size_t wl = strlen(want);
  uint8_t buf[256];
  for (size_t cap = 0; cap <= wl + 1; cap++) {
    memset(buf, 0xAA, sizeof buf);
    int n = sio_packet_encode(p, cap ? buf : NULL, cap);
    cr_assert_eq(n, (int)wl, "%s at cap %zu: %d", want, cap, n);
    for (size_t i = cap; i < sizeof buf; i++) cr_assert_eq(buf[i], 0xAA);
    cr_assert(memcmp(buf, want, cap < wl ? cap : wl) == 0, "%s", want);
  }
  sio_packet back;
  sio_codec_opts o = {100, 0, 0};
  if (p->attachments == 0 || p->type < SIO_PACKET_BINARY_EVENT)
    cr_assert_eq(sio_packet_decode((const uint8_t *)want, wl, &o, &back), 0, "%s", want);
}

Test(sio_encode, forms) {
  sio_packet p = mk(SIO_PACKET_CONNECT, "/", -1, 0, NULL);
  check_enc(&p, "0");
  p = mk(SIO_PACKET_CONNECT, NULL, -1, 0, NULL);
  check_enc(&p, "0");
  p = mk(SIO_PACKET_CONNECT, "/admin", -1, 0, NULL);
  check_enc(&p, "0/admin,");
  p = mk(SIO_PACKET_CONNECT, "/admin", -1, 0, "{\"sid\":\"x\"}");
  check_enc(&p, "0/admin,{\"sid\":\"x\"}");
  p = mk(SIO_PACKET_DISCONNECT, "/", -1, 0, NULL);
  check_enc(&p, "1");
  p = mk(SIO_PACKET_EVENT, "/", 0, 0, "[\"a\"]");
  check_enc(&p, "20[\"a\"]");
  p = mk(SIO_PACKET_EVENT, "/c", SIO_MAX_ACK_ID, 0, "[\"a\",1]");
  check_enc(&p, "2/c,9007199254740991[\"a\",1]");
  p = mk(SIO_PACKET_ACK, "/", 12, 0, "[]");
  check_enc(&p, "312[]");
  p = mk(SIO_PACKET_CONNECT_ERROR, "/x", -1, 0, "{\"message\":\"Invalid namespace\"}");
  check_enc(&p, "4/x,{\"message\":\"Invalid namespace\"}");
  p = mk(SIO_PACKET_BINARY_EVENT, "/", -1, 1, "[\"a\",{\"_placeholder\":true,\"num\":0}]");
  check_enc(&p, "51-[\"a\",{\"_placeholder\":true,\"num\":0}]");
  p = mk(SIO_PACKET_BINARY_ACK, "/n", 3, 12, "[]");
  check_enc(&p, "612-/n,3[]");
}

Test(sio_encode, misuse) {
  uint8_t buf[64];
  sio_packet bad[] = {
      mk((sio_packet_type)7, "/", -1, 0, NULL),
      mk(SIO_PACKET_CONNECT, "admin", -1, 0, NULL),
      mk(SIO_PACKET_CONNECT, "/a,b", -1, 0, NULL),
      mk(SIO_PACKET_EVENT, "/", -2, 0, "[\"a\"]"),
      mk(SIO_PACKET_EVENT, "/", SIO_MAX_ACK_ID + 1, 0, "[\"a\"]"),
      mk(SIO_PACKET_BINARY_EVENT, "/", -1, 0, "[\"a\"]"),
      mk(SIO_PACKET_EVENT, "/", -1, 0, NULL),
      mk(SIO_PACKET_EVENT, "/", -1, 0, "[\"connect\"]"),
      mk(SIO_PACKET_EVENT, "/", -1, 0, "[1]"),
      mk(SIO_PACKET_EVENT, "/", -1, 0, "[\"a\""),
      mk(SIO_PACKET_DISCONNECT, "/", -1, 0, "{}"),
      mk(SIO_PACKET_CONNECT_ERROR, "/", -1, 0, "\"x\""),
      mk(SIO_PACKET_ACK, "/", 1, 0, "{}"),
      mk(SIO_PACKET_CONNECT, "/", 1, 0, NULL),
      mk(SIO_PACKET_CONNECT_ERROR, "/", 0, 0, "{}"),
      mk(SIO_PACKET_ACK, "/", -1, 0, "[]"),
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    cr_assert_eq(sio_packet_encode(&bad[i], buf, sizeof buf), REF_ERR_INVALID_ARGUMENT, "case %zu",
                 i);
  sio_packet p = mk(SIO_PACKET_CONNECT, "/", -1, 0, NULL);
  cr_assert_eq(sio_packet_encode(NULL, buf, sizeof buf), REF_ERR_INVALID_ARGUMENT);
  cr_assert_eq(sio_packet_encode(&p, NULL, 3), REF_ERR_INVALID_ARGUMENT);
  p.nsp = (ref_span){NULL, 3};
  cr_assert_eq(sio_packet_encode(&p, buf, sizeof buf), REF_ERR_INVALID_ARGUMENT);
}

/* ---- binary ---- */

#define PH(n) "{\"_placeholder\":true,\"num\":" #n "}"

static int check_header(const char *s, uint32_t depth) {
  sio_packet p;
  int rc = dec(s, &p);
  cr_assert_eq(rc, 0, "%s", s);
  uint8_t seen[16];
  return sio_binary_check(&p, depth, seen);
}

Test(sio_binary, placeholder_checks) {
  cr_assert_eq(check_header("51-[\"a\"," PH(0) "]", 0), 0);
  cr_assert_eq(check_header("53-[\"a\"," PH(2) ",{\"x\":[" PH(0) "]}," PH(1) "]", 0), 0);
  cr_assert_eq(check_header("51-[\"a\",{\"_placeholder\":true}]", 0), REF_ERR_BAD_PLACEHOLDER);
  cr_assert_eq(check_header("51-[\"a\",{\"_placeholder\":true,\"num\":-0}]", 0),
               REF_ERR_BAD_PLACEHOLDER);
  cr_assert_eq(check_header("51-[\"a\",{\"_placeholder\":true,\"num\":1e0}]", 0),
               REF_ERR_BAD_PLACEHOLDER);
  cr_assert_eq(check_header("51-[\"a\"," PH(1) "]", 0), REF_ERR_PLACEHOLDER_OUT_OF_RANGE);
  cr_assert_eq(check_header("51-[\"a\",{\"_placeholder\":true,\"num\":18446744073709551616}]", 0),
               REF_ERR_PLACEHOLDER_OUT_OF_RANGE);
  cr_assert_eq(check_header("52-[\"a\"," PH(0) "," PH(0) "]", 0), REF_ERR_PLACEHOLDER_DUPLICATE);
  cr_assert_eq(check_header("52-[\"a\"," PH(0) "]", 0), REF_ERR_ATTACHMENT_UNUSED);
  cr_assert_eq(check_header("52-[\"a\",{\"_placeholder\":\"true\",\"num\":1}," PH(0) "]", 0),
               REF_ERR_ATTACHMENT_UNUSED);
  /* document order decides which error comes first */
  cr_assert_eq(check_header("52-[\"a\"," PH(5) ",{\"_placeholder\":true}]", 0),
               REF_ERR_PLACEHOLDER_OUT_OF_RANGE);
  cr_assert_eq(check_header("52-[\"a\",{\"_placeholder\":true}," PH(5) "]", 0),
               REF_ERR_BAD_PLACEHOLDER);
  cr_assert_eq(check_header("61-0[" PH(0) "]", 0), 0);
  sio_packet p;
  uint8_t seen[4];
  cr_assert_eq(dec("2[\"a\"]", &p), 0);
  cr_assert_eq(sio_binary_check(&p, 0, seen), REF_ERR_INVALID_ARGUMENT);
  cr_assert_eq(sio_binary_check(NULL, 0, seen), REF_ERR_INVALID_ARGUMENT);
}

#define T(s) (const uint8_t *)(s), strlen(s)

Test(sio_binary, reassembler) {
  ref_span slots[SIO_DEFAULT_MAX_ATTACHMENTS];
  sio_reasm r;
  sio_packet p;
  cr_assert_eq(sio_reasm_init(&r, NULL, slots, 3), REF_ERR_INVALID_ARGUMENT, "too few slots");
  cr_assert_eq(sio_reasm_init(&r, NULL, NULL, 10), REF_ERR_INVALID_ARGUMENT);
  cr_assert_eq(sio_reasm_init(&r, NULL, slots, 10), 0);
  /* plain packets complete at once */
  cr_assert_eq(sio_reasm_feed_text(&r, T("2[\"a\"]"), &p), SIO_REASM_COMPLETE);
  cr_assert_eq(p.type, SIO_PACKET_EVENT);
  cr_assert_eq(sio_reasm_finish(&r), 0);
  /* a binary packet with two attachments */
  const char *hdr = "52-[\"up\"," PH(1) "," PH(0) "]";
  cr_assert_eq(sio_reasm_feed_text(&r, T(hdr), &p), SIO_REASM_NEED_MORE);
  uint8_t a0[] = {1, 2}, a1[] = {3};
  cr_assert_eq(sio_reasm_feed_binary(&r, a0, sizeof a0, &p), SIO_REASM_NEED_MORE);
  cr_assert_eq(sio_reasm_feed_binary(&r, a1, sizeof a1, &p), SIO_REASM_COMPLETE);
  cr_assert_eq(p.type, SIO_PACKET_BINARY_EVENT);
  cr_assert_eq(p.attachments, 2);
  cr_assert_eq(r.slots[0].ptr, a0);
  cr_assert_eq(r.slots[0].len, 2);
  cr_assert_eq(r.slots[1].ptr, a1);
  cr_assert_eq(sio_reasm_finish(&r), 0);
  /* an empty attachment is an attachment */
  cr_assert_eq(sio_reasm_feed_text(&r, T("61-/x,4[" PH(0) "]"), &p), SIO_REASM_NEED_MORE);
  cr_assert_eq(sio_reasm_feed_binary(&r, NULL, 0, &p), SIO_REASM_COMPLETE);
  cr_assert_eq(p.ack_id, 4);
  cr_assert_eq(r.slots[0].len, 0);
  /* errors */
  cr_assert_eq(sio_reasm_feed_binary(&r, a0, 2, &p), REF_ERR_UNEXPECTED_BINARY);
  cr_assert_eq(sio_reasm_feed_text(&r, T(hdr), &p), SIO_REASM_NEED_MORE);
  cr_assert_eq(sio_reasm_feed_text(&r, T("2[\"a\"]"), &p), REF_ERR_UNEXPECTED_TEXT);
  cr_assert(!r.pending, "an error resets");
  cr_assert_eq(sio_reasm_feed_text(&r, T(hdr), &p), SIO_REASM_NEED_MORE);
  cr_assert_eq(sio_reasm_feed_binary(&r, a0, 2, &p), SIO_REASM_NEED_MORE);
  cr_assert_eq(sio_reasm_finish(&r), REF_ERR_ATTACHMENTS_PENDING);
  cr_assert_eq(sio_reasm_finish(&r), 0);
  cr_assert_eq(sio_reasm_feed_text(&r, T("52-[\"a\"," PH(0) "]"), &p), REF_ERR_ATTACHMENT_UNUSED);
  cr_assert_eq(sio_reasm_feed_text(&r, T("5x"), &p), REF_ERR_BAD_ATTACHMENT_COUNT);
  cr_assert_eq(sio_reasm_feed_text(&r, T("511-[\"a\"]"), &p), REF_ERR_TOO_MANY_ATTACHMENTS);
  cr_assert_eq(sio_reasm_feed_text(&r, NULL, 2, &p), REF_ERR_INVALID_ARGUMENT);
  cr_assert_eq(sio_reasm_feed_binary(NULL, a0, 2, &p), REF_ERR_INVALID_ARGUMENT);
  cr_assert_eq(sio_reasm_finish(NULL), REF_ERR_INVALID_ARGUMENT);
  /* larger limits need more slots */
  sio_codec_opts o = {12, 0, 0};
  ref_span more[12];
  cr_assert_eq(sio_reasm_init(&r, &o, slots, 10), REF_ERR_INVALID_ARGUMENT);
  cr_assert_eq(sio_reasm_init(&r, &o, more, 12), 0);
  char big[512];
  int n = snprintf(big, sizeof big, "512-[\"a\"");
  for (int i = 0; i < 12; i++)
    n += snprintf(big + n, sizeof big - (size_t)n, ",{\"_placeholder\":true,\"num\":%d}", i);
  snprintf(big + n, sizeof big - (size_t)n, "]");
  cr_assert_eq(sio_reasm_feed_text(&r, T(big), &p), SIO_REASM_NEED_MORE);
  for (int i = 0; i < 11; i++)
    cr_assert_eq(sio_reasm_feed_binary(&r, a1, 1, &p), SIO_REASM_NEED_MORE);
  cr_assert_eq(sio_reasm_feed_binary(&r, a1, 1, &p), SIO_REASM_COMPLETE);
}

Test(sio_binary, encode_header) {
  uint8_t seen[4], buf[128];
  sio_packet p = mk(SIO_PACKET_BINARY_EVENT, "/", -1, 2, "[\"up\"," PH(0) ",{\"k\":" PH(1) "}]");
  int n = sio_binary_encode_header(&p, seen, buf, sizeof buf);
  const char *want = "52-[\"up\"," PH(0) ",{\"k\":" PH(1) "}]";
  cr_assert_eq(n, (int)strlen(want));
  cr_assert(memcmp(buf, want, (size_t)n) == 0);
  cr_assert_eq(sio_binary_encode_header(&p, seen, NULL, 0), n, "measure");
  p.attachments = 3;
  cr_assert_eq(sio_binary_encode_header(&p, seen, buf, sizeof buf), REF_ERR_ATTACHMENT_UNUSED);
  p.attachments = 1;
  cr_assert_eq(sio_binary_encode_header(&p, seen, buf, sizeof buf),
               REF_ERR_PLACEHOLDER_OUT_OF_RANGE);
  p = mk(SIO_PACKET_BINARY_ACK, "/", -1, 1, "[" PH(0) "]");
  cr_assert_eq(sio_binary_encode_header(&p, seen, buf, sizeof buf), REF_ERR_INVALID_ARGUMENT,
               "ack needs an id");
  p = mk(SIO_PACKET_EVENT, "/", -1, 1, "[\"a\"]");
  cr_assert_eq(sio_binary_encode_header(&p, seen, buf, sizeof buf), REF_ERR_INVALID_ARGUMENT);
  p = mk(SIO_PACKET_BINARY_ACK, "/", 9, 1, "[" PH(0) "]");
  cr_assert_eq(sio_binary_encode_header(&p, NULL, buf, sizeof buf), REF_ERR_INVALID_ARGUMENT);
  cr_assert_eq(sio_binary_encode_header(&p, seen, buf, sizeof buf), (int)strlen("61-9[" PH(0) "]"));
}

/* Fuzz finding N1: an encoder must not write text its own decoder refuses, so text that
 * is not valid UTF-8 is refused on the way out too (EIO-PK-7, SIO-PK-16, SIO-PK-19). */
Test(sio_encode, refuses_invalid_utf8) {
  static const uint8_t bad_data[] = "[\"a\xff\"]";
  static const uint8_t bad_nsp[] = "/\xc0\xaf";
  uint8_t out[64];
  sio_packet p = {SIO_PACKET_EVENT,
                  {(const uint8_t *)"/", 1},
                  SIO_NO_ACK_ID,
                  0,
                  {bad_data, sizeof bad_data - 1}};
  cr_assert_eq(sio_packet_encode(&p, out, sizeof out), REF_ERR_INVALID_ARGUMENT);
  p.data = (ref_span){(const uint8_t *)"[\"a\"]", 5};
  cr_assert_gt(sio_packet_encode(&p, out, sizeof out), 0,
               "the same packet with valid text encodes");
  p.nsp = (ref_span){bad_nsp, sizeof bad_nsp - 1};
  cr_assert_eq(sio_packet_encode(&p, out, sizeof out), REF_ERR_INVALID_ARGUMENT);

  eio_packet e = {EIO_PACKET_MESSAGE, EIO_DATA_TEXT, {bad_data, sizeof bad_data - 1}};
  cr_assert_eq(eio_packet_encode(&e, EIO_TRANSPORT_WEBSOCKET, out, sizeof out),
               REF_ERR_INVALID_ARGUMENT);
  cr_assert_eq(eio_packet_encode(&e, EIO_TRANSPORT_POLLING, out, sizeof out),
               REF_ERR_INVALID_ARGUMENT);
}
