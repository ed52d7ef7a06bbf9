/* Strict RFC 8259 JSON scanner (what JSON.parse accepts), depth-limited and
 * allocation-free, plus the placeholder walk binary packets need.
 * Spec tags: SIO-PK-10 (strict JSON), SIO-PK-11 (depth), SIO-PK-14 (unescaped compare),
 * SIO-BIN-7 (what a placeholder is), SIO-BIN-8 (what a valid num is). */
#include "sioref/json_scan.h"

#include <string.h>

#include "sioref/err.h"

/* The cursor: P moves towards END; MAX_DEPTH is the caller's limit. */
typedef struct jcur {
  const uint8_t *p;
  const uint8_t *end;
  uint32_t max_depth;
} jcur;

/* What the placeholder walk needs while it runs. */
typedef struct jvisit {
  json_placeholder_fn fn;
  void *ctx;
} jvisit;

/* Hot loops below work on a local copy of the cursor and store it back once: the text
 * is uint8_t, which may alias the cursor itself, so a loop advancing c->p directly
 * makes the compiler store and reload it on every byte. */

/* JSON whitespace is exactly these four bytes: no form feed, no BOM, no NBSP. All
 * are <= ' ', so the usual byte (not whitespace) is told apart by one comparison. */
static bool is_ws(uint8_t b) {
  return b <= ' ' && (b == ' ' || b == '\t' || b == '\n' || b == '\r');
}

static void skip_ws(jcur *c) {
  const uint8_t *p = c->p;
  while (p < c->end && is_ws(*p)) p++;
  c->p = p;
}

static int hexval(uint8_t b) {
  if (b >= '0' && b <= '9') return b - '0';
  if (b >= 'a' && b <= 'f') return b - 'a' + 10;
  if (b >= 'A' && b <= 'F') return b - 'A' + 10;
  return -1;
}

static bool is_digit(uint8_t b) { return b >= '0' && b <= '9'; }

/* True for the bytes a string body may hold as they are: not the closing quote, not
 * a backslash (an escape follows), not a raw control character. Bytes >= 0x80 pass
 * (UTF-8, checked by the caller). */
static bool is_plain_string_byte(uint8_t b) { return b >= 0x20 && b != '"' && b != '\\'; }

/* At '"': scan a string, set CONTENTS to the bytes between the quotes. Lone
 * surrogate escapes are accepted, as JSON.parse accepts them. */
static int scan_string(jcur *c, ref_span *contents) {
  const uint8_t *p = c->p + 1; /* after the opening quote */
  const uint8_t *const start = p, *const end = c->end;
  for (;;) {
    while (p < end && is_plain_string_byte(*p)) p++;
    if (p >= end) return REF_ERR_INVALID_JSON; /* unterminated */
    if (*p == '"') break;
    if (*p != '\\') return REF_ERR_INVALID_JSON; /* raw control characters are not allowed */
    if (end - p < 2) return REF_ERR_INVALID_JSON;
    switch (p[1]) {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
      p += 2;
      break;
    case 'u':
      if (end - p < 6) return REF_ERR_INVALID_JSON;
      for (int i = 2; i < 6; i++)
        if (hexval(p[i]) < 0) return REF_ERR_INVALID_JSON;
      p += 6;
      break;
    default:
      return REF_ERR_INVALID_JSON;
    }
  }
  if (contents) *contents = (ref_span){start, (size_t)(p - start)};
  c->p = p + 1; /* past the closing quote */
  return 0;
}

/* Scan a number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?  UINT_OK says it was
 * digits only (no sign, fraction, exponent); VALUE is then its value, saturated. */
static int scan_number(jcur *c, bool *uint_ok, uint64_t *value) {
  const uint8_t *p = c->p, *const end = c->end;
  bool plain = true;
  uint64_t v = 0;
  if (p < end && *p == '-') {
    plain = false;
    p++;
  }
  if (p >= end || !is_digit(*p)) return REF_ERR_INVALID_JSON;
  if (*p == '0') {
    p++;
  } else {
    while (p < end && is_digit(*p)) {
      uint64_t d = (uint64_t)(*p - '0');
      v = (v > (UINT64_MAX - d) / 10) ? UINT64_MAX : v * 10 + d;
      p++;
    }
  }
  if (p < end && *p == '.') {
    plain = false;
    p++;
    if (p >= end || !is_digit(*p)) return REF_ERR_INVALID_JSON;
    while (p < end && is_digit(*p)) p++;
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    plain = false;
    p++;
    if (p < end && (*p == '+' || *p == '-')) p++;
    if (p >= end || !is_digit(*p)) return REF_ERR_INVALID_JSON;
    while (p < end && is_digit(*p)) p++;
  }
  c->p = p;
  if (uint_ok) *uint_ok = plain;
  if (value) *value = v;
  return 0;
}

/* At the first letter of true, false or null: LIT/N must follow, exactly. */
static int scan_literal(jcur *c, const char *lit, size_t n) {
  if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n) != 0) return REF_ERR_INVALID_JSON;
  c->p += n;
  return 0;
}

/* Everything a value scan may report about the value it just read. */
typedef struct jval {
  json_type type;
  ref_span str;  /* JSON_STRING: contents */
  bool uint_ok;  /* JSON_NUMBER: digits only */
  uint64_t uval; /* JSON_NUMBER: value when uint_ok */
} jval;

static int scan_value(jcur *c, uint32_t depth, jval *out, json_info *first, const jvisit *v);

/* At '{' (DEPTH already counts this object). Without V: validate. With V: validate
 * the members first (to learn whether this object is a placeholder), then either
 * report it or walk into its members' values. */
static int scan_object(jcur *c, uint32_t depth, const jvisit *v) {
  const uint8_t *open = c->p;
  bool ph_true = false, num_ok = false;
  uint64_t num = 0;
  c->p++;
  skip_ws(c);
  if (c->p < c->end && *c->p == '}') {
    c->p++;
    return 0;
  }
  for (;;) {
    skip_ws(c);
    if (c->p >= c->end || *c->p != '"') return REF_ERR_INVALID_JSON;
    ref_span key;
    int rc = scan_string(c, &key);
    if (rc) return rc;
    skip_ws(c);
    if (c->p >= c->end || *c->p != ':') return REF_ERR_INVALID_JSON;
    c->p++;
    jval val;
    rc = scan_value(c, depth, &val, NULL, NULL);
    if (rc) return rc;
    if (v) { /* JSON.parse keeps the last of repeated keys: so do we */
      if (json_string_equals(key, "_placeholder"))
        ph_true = (val.type == JSON_TRUE);
      else if (json_string_equals(key, "num")) {
        num_ok = val.type == JSON_NUMBER && val.uint_ok;
        num = val.uval;
      }
    }
    skip_ws(c);
    if (c->p >= c->end) return REF_ERR_INVALID_JSON;
    if (*c->p == ',') {
      c->p++;
      continue;
    }
    if (*c->p == '}') {
      c->p++;
      break;
    }
    return REF_ERR_INVALID_JSON;
  }
  if (!v) return 0;
  if (ph_true) { /* SIO-BIN-7: an object whose _placeholder is true stands for an attachment */
    json_placeholder ph = {num_ok, num_ok ? num : 0, {open, (size_t)(c->p - open)}};
    return v->fn(v->ctx, &ph);
  }
  /* Not a placeholder: walk the member values again, this time visiting. The text is
   * known valid now, so only the callback can fail. */
  const uint8_t *after = c->p;
  jcur w = {open + 1, after, c->max_depth};
  skip_ws(&w);
  while (w.p < after && *w.p == '"') {
    int rc = scan_string(&w, NULL);
    if (rc) return rc;
    skip_ws(&w);
    w.p++; /* ':' */
    jval val;
    rc = scan_value(&w, depth, &val, NULL, v);
    if (rc) return rc;
    skip_ws(&w);
    w.p++; /* ',' or '}' */
    skip_ws(&w);
  }
  return 0;
}

/* At '[' (DEPTH already counts this array). FIRST: record element 0 there. */
static int scan_array(jcur *c, uint32_t depth, json_info *first, const jvisit *v) {
  c->p++;
  skip_ws(c);
  if (c->p < c->end && *c->p == ']') {
    c->p++;
    return 0;
  }
  for (bool is_first = true;; is_first = false) {
    jval val;
    int rc = scan_value(c, depth, &val, NULL, v);
    if (rc) return rc;
    if (is_first && first) {
      first->first_type = val.type;
      if (val.type == JSON_STRING) { /* member by member: see scan_text */
        first->first_str.ptr = val.str.ptr;
        first->first_str.len = val.str.len;
      }
    }
    skip_ws(c);
    if (c->p >= c->end) return REF_ERR_INVALID_JSON;
    if (*c->p == ',') {
      c->p++;
      continue;
    }
    if (*c->p == ']') {
      c->p++;
      return 0;
    }
    return REF_ERR_INVALID_JSON;
  }
}

/* Scan one value (leading whitespace skipped; trailing left). DEPTH: levels open
 * around it. */
static int scan_value(jcur *c, uint32_t depth, jval *out, json_info *first, const jvisit *v) {
  skip_ws(c);
  if (c->p >= c->end) return REF_ERR_INVALID_JSON;
  out->type = JSON_NONE;
  out->uint_ok = false;
  out->uval = 0;
  switch (*c->p) {
  case '{':
    /* SIO-PK-11: each array or object opens one level; past the limit is refused */
    if (depth + 1 > c->max_depth) return REF_ERR_JSON_TOO_DEEP;
    out->type = JSON_OBJECT;
    return scan_object(c, depth + 1, v);
  case '[':
    if (depth + 1 > c->max_depth) return REF_ERR_JSON_TOO_DEEP;
    out->type = JSON_ARRAY;
    return scan_array(c, depth + 1, first, v);
  case '"':
    out->type = JSON_STRING;
    return scan_string(c, &out->str);
  case 't':
    out->type = JSON_TRUE;
    return scan_literal(c, "true", 4);
  case 'f':
    out->type = JSON_FALSE;
    return scan_literal(c, "false", 5);
  case 'n':
    out->type = JSON_NULL;
    return scan_literal(c, "null", 4);
  default:
    if (*c->p == '-' || is_digit(*c->p)) {
      out->type = JSON_NUMBER;
      return scan_number(c, &out->uint_ok, &out->uval);
    }
    return REF_ERR_INVALID_JSON;
  }
}

/* Shared entry: one value, surrounded by whitespace only. */
static int scan_text(const uint8_t *buf, size_t len, uint32_t max_depth, json_info *info,
                     const jvisit *v) {
  if ((!buf && len) || max_depth < 1 || max_depth > JSON_SCAN_MAX_DEPTH)
    return REF_ERR_INVALID_ARGUMENT;
  if (len == 0) return REF_ERR_INVALID_JSON;
  jcur c = {buf, buf + len, max_depth};
  json_info tmp;
  memset(&tmp, 0, sizeof tmp);
  jval val;
  skip_ws(&c);
  const uint8_t *start = c.p;
  int rc = scan_value(&c, 0, &val, &tmp, v);
  if (rc) return rc;
  const uint8_t *stop = c.p;
  skip_ws(&c);
  if (c.p != c.end) return REF_ERR_INVALID_JSON; /* trailing garbage */
  if (info) {
    /* Member by member: copying TMP whole, just after its members were written one by
     * one, makes the CPU wait (a wide load cannot take narrower pending stores). */
    info->type = val.type;
    info->value = (ref_span){start, (size_t)(stop - start)};
    info->first_type = tmp.first_type;
    info->first_str.ptr = tmp.first_str.ptr;
    info->first_str.len = tmp.first_str.len;
  }
  return 0;
}

int json_scan(const uint8_t *buf, size_t len, uint32_t max_depth, json_info *info) {
  return scan_text(buf, len, max_depth, info, NULL);
}

int json_visit_placeholders(const uint8_t *buf, size_t len, uint32_t max_depth,
                            json_placeholder_fn fn, void *ctx) {
  if (!fn) return REF_ERR_INVALID_ARGUMENT;
  int rc = scan_text(buf, len, max_depth, NULL, NULL); /* validate before reporting */
  if (rc) return rc;
  jvisit v = {fn, ctx};
  return scan_text(buf, len, max_depth, NULL, &v);
}

/* Decode one (possibly escaped) UTF-16 unit or raw byte at *P; returns the unit
 * value, or -1 at the end. Enough to compare with ASCII: any escape of a non-ASCII
 * unit, surrogates included, yields a value > 0x7f and so never matches. */
static long next_unit(const uint8_t **p, const uint8_t *end) {
  if (*p >= end) return -1;
  uint8_t b = *(*p)++;
  if (b != '\\') return b;
  if (*p >= end) return 0x10000; /* malformed: never equal */
  uint8_t e = *(*p)++;
  switch (e) {
  case 'b':
    return '\b';
  case 'f':
    return '\f';
  case 'n':
    return '\n';
  case 'r':
    return '\r';
  case 't':
    return '\t';
  case 'u': {
    if (end - *p < 4) return 0x10000;
    long u = 0;
    for (int i = 0; i < 4; i++) {
      int h = hexval((*p)[i]);
      if (h < 0) return 0x10000;
      u = u * 16 + h;
    }
    *p += 4;
    return u;
  }
  default:
    return e; /* '"', '\\', '/' */
  }
}

/* Four hex digits at P as a number, or -1. */
static long hex4(const uint8_t *p) {
  long u = 0;
  for (int i = 0; i < 4; i++) {
    int h = hexval(p[i]);
    if (h < 0) return -1;
    u = u * 16 + h;
  }
  return u;
}

size_t json_unescape_at(const uint8_t *p, const uint8_t *end, unsigned *cp) {
  if (end - p < 2 || p[0] != '\\') return 0;
  static const char plain[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
  for (size_t i = 0; i + 1 < sizeof plain; i += 2)
    if (p[1] == (uint8_t)plain[i]) {
      *cp = (uint8_t)plain[i + 1];
      return 2;
    }
  long hi;
  if (p[1] != 'u' || end - p < 6 || (hi = hex4(p + 2)) < 0) return 0;
  *cp = (unsigned)hi;
  if (hi >= 0xD800 && hi < 0xDC00 && end - p >= 12 && p[6] == '\\' && p[7] == 'u') {
    long lo = hex4(p + 8);
    if (lo >= 0xDC00 && lo < 0xE000) {
      *cp = 0x10000 + (((unsigned)hi - 0xD800) << 10) + ((unsigned)lo - 0xDC00);
      return 12;
    }
  }
  return 6;
}

size_t json_utf8_put(unsigned cp, uint8_t out[4]) {
  if (cp < 0x80) {
    out[0] = (uint8_t)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (uint8_t)(0xC0 | (cp >> 6));
    out[1] = (uint8_t)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (uint8_t)(0xE0 | (cp >> 12));
    out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (uint8_t)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (uint8_t)(0xF0 | (cp >> 18));
  out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
  out[3] = (uint8_t)(0x80 | (cp & 0x3F));
  return 4;
}

ref_span json_first_value(ref_span args) {
  size_t depth = 0, i = 0;
  bool in_str = false;
  for (; i < args.len; i++) {
    uint8_t c = args.ptr[i];
    if (in_str) {
      if (c == '\\')
        i++;
      else if (c == '"')
        in_str = false;
    } else if (c == '"')
      in_str = true;
    else if (c == '[' || c == '{')
      depth++;
    else if (c == ']' || c == '}')
      depth--;
    else if (c == ',' && depth == 0)
      break;
  }
  return (ref_span){args.ptr, i};
}

bool json_string_equals(ref_span escaped, const char *lit) {
  if (!lit || (!escaped.ptr && escaped.len)) return false;
  if (escaped.len == 0) return lit[0] == '\0';
  const uint8_t *p = escaped.ptr, *end = escaped.ptr + escaped.len;
  for (const char *l = lit; *l; l++)
    if (next_unit(&p, end) != (unsigned char)*l) return false;
  return p == end;
}
