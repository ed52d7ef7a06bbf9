/* A JSON scanner just large enough for the open packet: it walks one object, keeps the
 * five fields it knows and skips every other value (strings with escapes, numbers,
 * literals, nested arrays and objects up to a fixed depth) without building anything. */
#include "wire_open.h"

#include <string.h>

#define MAX_DEPTH 32

typedef struct scan {
  const unsigned char *p;
  size_t len, pos;
} scan;

static void ws(scan *s) {
  while (s->pos < s->len && (s->p[s->pos] == ' ' || s->p[s->pos] == '\t' || s->p[s->pos] == '\n' ||
                             s->p[s->pos] == '\r'))
    s->pos++;
}

static int peek(scan *s) { return s->pos < s->len ? s->p[s->pos] : -1; }

/* A string at POS; *OUT gets its raw bytes between the quotes. 0 or -1. */
static int string(scan *s, wire_span *out) {
  if (peek(s) != '"') return -1;
  size_t start = ++s->pos;
  while (s->pos < s->len && s->p[s->pos] != '"') {
    if (s->p[s->pos] < 0x20) return -1;
    if (s->p[s->pos] == '\\') s->pos++; /* the escaped byte is skipped whatever it is */
    s->pos++;
  }
  if (s->pos >= s->len) return -1;
  *out = (wire_span){s->p + start, s->pos - start};
  s->pos++;
  return 0;
}

/* A JSON number; *WHOLE gets its value when it is a whole number in 0..2^53 written
 * without fraction or exponent, else -1. Returns 0 or -1 (not a number). */
static int number(scan *s, int64_t *whole) {
  int plain = 1;
  if (peek(s) == '-') s->pos++, plain = 0;
  size_t d0 = s->pos;
  while (peek(s) >= '0' && peek(s) <= '9') s->pos++;
  size_t digits = s->pos - d0;
  if (digits == 0) return -1;
  if (digits > 1 && s->p[d0] == '0') return -1;
  if (peek(s) == '.') {
    plain = 0;
    s->pos++;
    size_t f0 = s->pos;
    while (peek(s) >= '0' && peek(s) <= '9') s->pos++;
    if (s->pos == f0) return -1;
  }
  if (peek(s) == 'e' || peek(s) == 'E') {
    plain = 0;
    s->pos++;
    if (peek(s) == '+' || peek(s) == '-') s->pos++;
    size_t e0 = s->pos;
    while (peek(s) >= '0' && peek(s) <= '9') s->pos++;
    if (s->pos == e0) return -1;
  }
  *whole = -1;
  if (plain && digits <= 16) {
    int64_t v = 0;
    for (size_t i = d0; i < d0 + digits; i++) v = v * 10 + (s->p[i] - '0');
    if (v <= ((int64_t)1 << 53)) *whole = v;
  }
  return 0;
}

static int literal(scan *s, const char *word) {
  size_t n = strlen(word);
  if (s->len - s->pos < n || memcmp(s->p + s->pos, word, n) != 0) return -1;
  s->pos += n;
  return 0;
}

/* Skip any JSON value at POS. 0 or -1. */
static int skip_value(scan *s, int depth) {
  if (depth > MAX_DEPTH) return -1;
  ws(s);
  int c = peek(s);
  wire_span sp;
  int64_t n;
  if (c == '"') return string(s, &sp);
  if (c == '-' || (c >= '0' && c <= '9')) return number(s, &n);
  if (c == 't') return literal(s, "true");
  if (c == 'f') return literal(s, "false");
  if (c == 'n') return literal(s, "null");
  if (c != '[' && c != '{') return -1;
  int close = c == '[' ? ']' : '}';
  s->pos++;
  ws(s);
  if (peek(s) == close) {
    s->pos++;
    return 0;
  }
  for (;;) {
    ws(s);
    if (close == '}') {
      if (string(s, &sp) < 0) return -1;
      ws(s);
      if (peek(s) != ':') return -1;
      s->pos++;
    }
    if (skip_value(s, depth + 1) < 0) return -1;
    ws(s);
    if (peek(s) == ',') {
      s->pos++;
      continue;
    }
    if (peek(s) != close) return -1;
    s->pos++;
    return 0;
  }
}

static int span_is(wire_span k, const char *s) {
  return k.len == strlen(s) && memcmp(k.p, s, k.len) == 0;
}

/* "upgrades": an array of strings. 0, -1 not JSON, -2 not an array of strings. */
static int upgrades(scan *s, wire_open *o) {
  size_t at = s->pos;
  if (peek(s) != '[') return skip_value(s, 1) < 0 ? -1 : -2;
  s->pos++;
  o->has_upgrades = 1;
  o->upgrades = 0;
  ws(s);
  if (peek(s) == ']') {
    s->pos++;
    return 0;
  }
  for (;;) {
    ws(s);
    wire_span name;
    if (peek(s) != '"') {
      s->pos = at;
      return skip_value(s, 1) < 0 ? -1 : -2;
    }
    if (string(s, &name) < 0) return -1;
    o->upgrades |= span_is(name, "websocket") ? WIRE_UPGRADE_WEBSOCKET : WIRE_UPGRADE_OTHER;
    ws(s);
    if (peek(s) == ',') {
      s->pos++;
      continue;
    }
    if (peek(s) != ']') return -1;
    s->pos++;
    return 0;
  }
}

wire_err wire_open_parse(const unsigned char *p, size_t len, wire_open *o) {
  memset(o, 0, sizeof *o);
  o->ping_interval = o->ping_timeout = o->max_payload = -1;
  if (len < 1 || p[0] != '0') return WIRE_E_OPEN_TYPE;
  scan s = {p, len, 1};
  ws(&s);
  if (peek(&s) != '{') return WIRE_E_OPEN_JSON;
  s.pos++;
  int have_sid = 0, bad_sid = 0, bad_field = 0;
  ws(&s);
  if (peek(&s) == '}') {
    s.pos++;
  } else {
    for (;;) {
      ws(&s);
      wire_span key;
      if (string(&s, &key) < 0) return WIRE_E_OPEN_JSON;
      ws(&s);
      if (peek(&s) != ':') return WIRE_E_OPEN_JSON;
      s.pos++;
      ws(&s);
      int64_t *num = span_is(key, "pingInterval")  ? &o->ping_interval
                     : span_is(key, "pingTimeout") ? &o->ping_timeout
                     : span_is(key, "maxPayload")  ? &o->max_payload
                                                   : NULL;
      if (span_is(key, "sid")) {
        have_sid = 1;
        bad_sid = peek(&s) != '"';
        if (bad_sid ? skip_value(&s, 1) < 0 : string(&s, &o->sid) < 0) return WIRE_E_OPEN_JSON;
        if (!bad_sid && o->sid.len == 0) bad_sid = 1;
      } else if (num) {
        int c = peek(&s);
        if (c == '-' || (c >= '0' && c <= '9')) {
          if (number(&s, num) < 0) return WIRE_E_OPEN_JSON;
          if (*num < 0) bad_field = 1;
        } else {
          if (skip_value(&s, 1) < 0) return WIRE_E_OPEN_JSON;
          bad_field = 1;
        }
      } else if (span_is(key, "upgrades")) {
        int rc = upgrades(&s, o);
        if (rc == -1) return WIRE_E_OPEN_JSON;
        if (rc == -2) bad_field = 1;
      } else if (skip_value(&s, 1) < 0) {
        return WIRE_E_OPEN_JSON;
      }
      ws(&s);
      if (peek(&s) == ',') {
        s.pos++;
        continue;
      }
      if (peek(&s) != '}') return WIRE_E_OPEN_JSON;
      s.pos++;
      break;
    }
  }
  ws(&s);
  if (s.pos != len) return WIRE_E_OPEN_JSON;
  if (!have_sid || bad_sid) return WIRE_E_OPEN_SID;
  if (bad_field) return WIRE_E_OPEN_FIELD;
  return WIRE_OK;
}
