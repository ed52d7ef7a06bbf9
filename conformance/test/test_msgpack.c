/* The harness's msgpack parser (ct_msgpack.h, issue 14): text forms to msgpack maps in
 * the shortest forms (SIO-MP-15, SIO-MP-16) and back, bin and ext values. */
#include <criterion/criterion.h>
#include <string.h>

#include "ct_msgpack.h"

static void hex_of(const ct_buf *b, char *out) { ct_hex_encode(b->data, b->len, out); }

static void round_trip(const char *text, const char *want_hex) {
  ct_buf m = {0}, t = {0};
  cr_assert_eq(ct_mp_from_text(text, strlen(text), &m), 0, "%s", text);
  if (want_hex) {
    char h[512];
    hex_of(&m, h);
    cr_expect_str_eq(h, want_hex, "%s", text);
  }
  cr_assert_eq(ct_mp_to_text(m.data, m.len, &t), 0, "%s", text);
  cr_expect_eq(t.len, strlen(text), "%s -> %.*s", text, (int)t.len, (char *)t.data);
  cr_expect(memcmp(t.data, text, t.len) == 0, "%s -> %.*s", text, (int)t.len, (char *)t.data);
  ct_buf_free(&m);
  ct_buf_free(&t);
}

Test(msgpack, text_round_trips) {
  if (!ct_mp_available()) cr_skip_test("built without msgpack-c");
  round_trip("0", "82a47479706500a36e7370a12f");
  round_trip("2[\"a\"]", "83a47479706502a36e7370a12fa46461746191a161");
  round_trip("2/chat,7[\"a\",1,-1,1.5,null,true,{\"k\":[]}]", NULL);
  round_trip("37[{\"$bin\":\"00ff\"}]", "84a47479706503a36e7370a12fa46461746191c40200ffa2696407");
  round_trip("4/auth,{\"message\":\"no\"}", NULL);
}

Test(msgpack, refused) {
  if (!ct_mp_available()) cr_skip_test("built without msgpack-c");
  ct_buf m = {0};
  cr_expect_eq(ct_mp_from_text("5", 1, &m), -1);       /* SIO-MP-3: no type 5 */
  cr_expect_eq(ct_mp_from_text("2[\"a\"", 5, &m), -1); /* bad JSON */
  cr_expect_eq(ct_mp_to_text((const unsigned char *)"\x92\x02\xa1/", 4, &m), -1); /* no map */
  cr_expect_eq(ct_mp_to_text((const unsigned char *)"\x82\xa4type\x02\xa3nsp\xa1/\x00", 14, &m),
               -1); /* a byte after the value */
  ct_buf_free(&m);
}

Test(msgpack, ext_reads_as_marker) {
  if (!ct_mp_available()) cr_skip_test("built without msgpack-c");
  /* {type: 0, data: {pid: ext 0}, nsp: "/"}: notepack's undefined */
  static const unsigned char p[] = {0x83, 0xa4, 't',  'y',  'p',  'e', 0x00, 0xa4, 'd',
                                    'a',  't',  'a',  0x81, 0xa3, 'p', 'i',  'd',  0xd4,
                                    0x00, 0x00, 0xa3, 'n',  's',  'p', 0xa1, '/'};
  ct_buf t = {0};
  cr_assert_eq(ct_mp_to_text(p, sizeof p, &t), 0);
  cr_expect_eq(t.len, strlen("0{\"pid\":{\"$ext\":0}}"));
  cr_expect(memcmp(t.data, "0{\"pid\":{\"$ext\":0}}", t.len) == 0, "%.*s", (int)t.len,
            (char *)t.data);
  ct_buf_free(&t);
}
