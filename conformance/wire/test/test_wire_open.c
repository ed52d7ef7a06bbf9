/* wire_open: the fields of the open packet, their absence, wrong types, and JSON that
 * is cut short or malformed (read from exact-size blocks). */
#include <criterion/criterion.h>

#include "wire_open.h"
#include "wire_test_util.h"

/* The block of the last parse stays allocated until the next, as O->sid points in it. */
static unsigned char *last;
static wire_err parse(const char *s, wire_open *o) {
  size_t n = strlen(s);
  free(last);
  last = exact(s, n);
  return wire_open_parse(last, n, o);
}

Test(wire_open, all_fields) {
  wire_open o;
  const char *s = "0{\"sid\":\"lv_VI97HAXpY6yYWAAAC\",\"upgrades\":[\"websocket\"],"
                  "\"pingInterval\":25000,\"pingTimeout\":20000,\"maxPayload\":1000000}";
  cr_assert_eq(parse(s, &o), WIRE_OK);
  cr_assert_eq(o.sid.len, 20);
  cr_assert_eq(memcmp(o.sid.p, "lv_VI97HAXpY6yYWAAAC", 20), 0);
  cr_assert(o.has_upgrades);
  cr_assert_eq(o.upgrades, WIRE_UPGRADE_WEBSOCKET);
  cr_assert_eq(o.ping_interval, 25000);
  cr_assert_eq(o.ping_timeout, 20000);
  cr_assert_eq(o.max_payload, 1000000);
}

Test(wire_open, optional_fields_absent_and_others_skipped) {
  wire_open o;
  cr_assert_eq(parse("0 { \"x\" : [1, {\"y\": [true, false, null, -1.5e3]}], \"sid\" : \"a\\\"b\" ,"
                     " \"upgrades\": [] } ",
                     &o),
               WIRE_OK);
  cr_assert_eq(o.sid.len, 4); /* escapes are kept as sent */
  cr_assert(o.has_upgrades && o.upgrades == 0);
  cr_assert_eq(o.ping_interval, -1);
  cr_assert_eq(o.ping_timeout, -1);
  cr_assert_eq(o.max_payload, -1); /* python-socketio omits it (EIO-HS-2) */
  cr_assert_eq(parse("0{\"sid\":\"s\",\"upgrades\":[\"websocket\",\"webtransport\"]}", &o),
               WIRE_OK);
  cr_assert_eq(o.upgrades, WIRE_UPGRADE_WEBSOCKET | WIRE_UPGRADE_OTHER);
}

Test(wire_open, errors) {
  wire_open o;
  cr_assert_eq(parse("", &o), WIRE_E_OPEN_TYPE);
  cr_assert_eq(parse("4{\"sid\":\"a\"}", &o), WIRE_E_OPEN_TYPE);
  cr_assert_eq(parse("0", &o), WIRE_E_OPEN_JSON);
  cr_assert_eq(parse("0[]", &o), WIRE_E_OPEN_JSON);
  cr_assert_eq(parse("0{\"sid\":\"a\"}x", &o), WIRE_E_OPEN_JSON);
  cr_assert_eq(parse("0{\"sid\":\"a\",}", &o), WIRE_E_OPEN_JSON);
  cr_assert_eq(parse("0{\"sid\" \"a\"}", &o), WIRE_E_OPEN_JSON);
  cr_assert_eq(parse("0{\"sid\":\"a\",\"x\":01}", &o), WIRE_E_OPEN_JSON);
  cr_assert_eq(parse("0{\"sid\":\"a\",\"x\":tru}", &o), WIRE_E_OPEN_JSON);
  cr_assert_eq(parse("0{\"sid\":\"a\x01\"}", &o), WIRE_E_OPEN_JSON);
  cr_assert_eq(parse("0{}", &o), WIRE_E_OPEN_SID);
  cr_assert_eq(parse("0{\"sid\":\"\"}", &o), WIRE_E_OPEN_SID);
  cr_assert_eq(parse("0{\"sid\":12}", &o), WIRE_E_OPEN_SID);
  cr_assert_eq(parse("0{\"sid\":\"a\",\"pingInterval\":\"25000\"}", &o), WIRE_E_OPEN_FIELD);
  cr_assert_eq(parse("0{\"sid\":\"a\",\"pingTimeout\":-1}", &o), WIRE_E_OPEN_FIELD);
  cr_assert_eq(parse("0{\"sid\":\"a\",\"maxPayload\":1.5}", &o), WIRE_E_OPEN_FIELD);
  cr_assert_eq(parse("0{\"sid\":\"a\",\"maxPayload\":99999999999999999}", &o), WIRE_E_OPEN_FIELD);
  cr_assert_eq(parse("0{\"sid\":\"a\",\"upgrades\":\"websocket\"}", &o), WIRE_E_OPEN_FIELD);
  cr_assert_eq(parse("0{\"sid\":\"a\",\"upgrades\":[1]}", &o), WIRE_E_OPEN_FIELD);
}

Test(wire_open, nesting_is_bounded) {
  char s[256] = "0{\"sid\":\"a\",\"x\":";
  for (int i = 0; i < 40; i++) strcat(s, "[");
  for (int i = 0; i < 40; i++) strcat(s, "]");
  strcat(s, "}");
  wire_open o;
  cr_assert_eq(parse(s, &o), WIRE_E_OPEN_JSON);
}

Test(wire_open, every_truncation_is_an_error) {
  const char *s = "0{\"sid\":\"abc\\\\\",\"upgrades\":[\"websocket\"],\"pingInterval\":300,"
                  "\"n\":{\"a\":[1e5,null]},\"maxPayload\":1000}";
  wire_open o;
  size_t n = strlen(s);
  for (size_t cut = 1; cut < n; cut++) {
    unsigned char *b = exact(s, cut);
    wire_err e = wire_open_parse(b, cut, &o);
    cr_assert(e == WIRE_E_OPEN_JSON, "cut %zu: %s", cut, wire_err_name(e));
    free(b);
  }
  cr_assert_eq(parse(s, &o), WIRE_OK);
  cr_assert_eq(o.max_payload, 1000);
}

Test(wire_open, err_names) {
  cr_assert_str_eq(wire_err_name(WIRE_E_OPEN_SID), "WIRE_E_OPEN_SID");
  cr_assert_str_eq(wire_err_name(WIRE_MORE), "WIRE_MORE");
  cr_assert_str_eq(wire_err_name((wire_err)-99), "WIRE_E_?");
}
