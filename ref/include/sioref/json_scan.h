/* A strict, allocation-free JSON scanner: accepts exactly the texts JavaScript's
 * JSON.parse accepts (RFC 8259: whitespace is space, tab, CR and LF only; no raw
 * control characters in strings; escapes \" \\ \/ \b \f \n \r \t \uXXXX, lone
 * surrogates included, as JSON.parse takes them; numbers per the JSON grammar) and
 * refuses nesting deeper than a limit. It never builds a tree: it reports only what
 * the Socket.IO codec needs (the top-level type, the first array element) and can
 * walk a text to find binary placeholders.
 * Spec: spec/socket.io-v5.md, SIO-PK-* (payload is JSON), SIO-BIN-* (placeholders).
 *
 * The scanner looks at bytes, not characters: bytes >= 0x80 inside strings are taken
 * as they are, so check the text with ref_utf8_valid() first (the Socket.IO decoder
 * does). Bytes >= 0x80 outside strings are invalid JSON. */
#ifndef SIOREF_JSON_SCAN_H
#define SIOREF_JSON_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sioref/span.h"

/* Hard ceiling for any depth limit: the scanner recurses once per level, so this
 * bounds its stack use (a few hundred bytes per level). */
#define JSON_SCAN_MAX_DEPTH 1024u

typedef enum json_type {
  JSON_NONE = 0, /* no value (e.g. the first element of an empty array) */
  JSON_NULL,
  JSON_FALSE,
  JSON_TRUE,
  JSON_NUMBER,
  JSON_STRING,
  JSON_ARRAY,
  JSON_OBJECT,
} json_type;

typedef struct json_info {
  json_type type;       /* the top-level value's type */
  ref_span value;       /* the top-level value without surrounding whitespace */
  json_type first_type; /* top-level array: its first element's type; JSON_NONE if empty */
  ref_span first_str;   /* first element a string: its contents between the quotes, still
                           escaped; compare with json_string_equals() */
} json_info;

/* Validate BUF/LEN (borrowed) as one JSON text, nesting at most MAX_DEPTH arrays and
 * objects (one level each; 1 <= MAX_DEPTH <= JSON_SCAN_MAX_DEPTH). INFO (may be NULL)
 * is filled on success; its spans borrow from BUF.
 * Returns 0, REF_ERR_INVALID_JSON (including an empty or all-whitespace text),
 * REF_ERR_JSON_TOO_DEEP (reported at the first level too deep, scanning left to
 * right), or REF_ERR_INVALID_ARGUMENT (NULL BUF with LEN > 0, MAX_DEPTH out of range). */
int json_scan(const uint8_t *buf, size_t len, uint32_t max_depth, json_info *info);

/* True when the JSON string contents ESCAPED (between the quotes, as json_info gives
 * them; must be a valid JSON string body) unescape to exactly the NUL-terminated
 * ASCII string LIT, i.e. when JSON.parse would produce LIT. */
bool json_string_equals(ref_span escaped, const char *lit);

/* Unescape the one JSON string escape at P (the backslash; END ends the input): writes
 * its code point to *CP -- a \uD8xx\uDCxx pair joined into one, a lone surrogate left as
 * it is, as JSON.parse keeps it -- and returns the escape's length in bytes, backslash
 * included; 0 when P does not hold a valid escape. */
size_t json_unescape_at(const uint8_t *p, const uint8_t *end, unsigned *cp);

/* Code point CP (at most 0x10FFFF; a surrogate too, as its 3-byte form) as UTF-8 into
 * OUT. Returns the length, 1 to 4. */
size_t json_utf8_put(unsigned cp, uint8_t out[4]);

/* The first of the comma-separated JSON values ARGS (valid JSON, as json_scan checked,
 * e.g. an array's elements without the brackets): ARGS up to its first comma outside
 * any string, array or object, white space before that comma kept; all of ARGS when
 * there is none. */
ref_span json_first_value(ref_span args);

/* One binary placeholder: an object whose "_placeholder" member is the literal true
 * (the last one wins when a key repeats, as in JSON.parse). */
typedef struct json_placeholder {
  bool num_ok;    /* "num" present and a non-negative integer (digits only: no '-',
                     fraction or exponent) */
  uint64_t num;   /* its value when num_ok; saturates at UINT64_MAX */
  ref_span whole; /* the placeholder object's text */
} json_placeholder;

/* Called once per placeholder, in text order. Return 0 to go on; any other value stops
 * the walk and json_visit_placeholders() returns it. */
typedef int (*json_placeholder_fn)(void *ctx, const json_placeholder *ph);

/* Walk the JSON text BUF/LEN (borrowed; same rules and limits as json_scan) and call
 * FN(CTX, ...) for each placeholder. Objects nested inside a placeholder are its own
 * data and are not visited (socket.io-parser replaces the whole object). Costs up to
 * O(len * depth). Returns 0, the first nonzero value FN returned, or an error of
 * json_scan (nothing is reported for an invalid text: it is validated first). */
int json_visit_placeholders(const uint8_t *buf, size_t len, uint32_t max_depth,
                            json_placeholder_fn fn, void *ctx);

#endif
