/* Values between the Socket.IO layer and the Redis adapter: JSON text with binary
 * placeholders (what sioref's Socket.IO layer keeps, SIO-BIN) to MessagePack with bin
 * values (what @socket.io/redis-adapter publishes, RA-6, RA-7), and back. MessagePack
 * itself is msgpack-c's; this module only maps values.
 * Spec tags: RA-6 (binary stays bin, no attachments), RA-7 (notepack.io's forms: shortest
 * integers, float64 for any other number, str/bin by length; any MessagePack accepted).
 *
 * JSON -> MessagePack follows what JSON.parse then notepack.io would do: a number that is
 * an integer (1, 1.0, 1e2, -0) is packed as the shortest integer, any other as float64;
 * strings are unescaped to UTF-8 (a lone surrogate escape to its 3-byte form); an object
 * whose "_placeholder" member is true is replaced by the bin of attachment "num".
 * MessagePack -> JSON follows what notepack.io's decoder then JSON.stringify would do:
 * numbers as JavaScript prints them (shortest round-trip digits; NaN and infinities as
 * null); strings escaped as JSON.stringify does (invalid UTF-8 bytes become U+FFFD); bin
 * values become placeholders numbered in document order, their bytes listed as
 * attachments; the timestamp extension becomes its ISO 8601 text (a Date's toJSON); map
 * keys that are integers become their decimal text; other extensions become null. */
#ifndef SIOREF_RA_VALUE_H
#define SIOREF_RA_VALUE_H

#include <msgpack.h>
#include <stdbool.h>
#include <stddef.h>

#include "sioref/span.h"

/* A growing byte buffer (owned P; free with ra_buf_free). OOM is sticky: appends after a
 * failed one do nothing. */
typedef struct ra_buf {
  char *p;
  size_t len, cap;
  bool oom;
} ra_buf;

void ra_buf_put(ra_buf *b, const void *d, size_t n);
void ra_buf_puts(ra_buf *b, const char *s);
/* Append the JSON string literal (with quotes) of the bytes S/N as JSON.stringify writes
 * it; invalid UTF-8 bytes become U+FFFD. */
void ra_buf_json_string(ra_buf *b, const char *s, size_t n);
void ra_buf_free(ra_buf *b);

/* Pack the JSON text JSON/LEN (borrowed; one value) into PK. ATT[0..N_ATT) are the
 * attachments its placeholders name. Nesting deeper than RA_MAX_DEPTH is refused.
 * Returns 0, REF_ERR_INVALID_JSON (not JSON), REF_ERR_BAD_PLACEHOLDER (a placeholder
 * whose num is not an attachment), REF_ERR_JSON_TOO_DEEP or REF_ERR_OUT_OF_MEMORY. */
#define RA_MAX_DEPTH 32
int ra_json_to_msgpack(msgpack_packer *pk, const uint8_t *json, size_t len, const ref_span *att,
                       size_t n_att);

/* The attachments found while writing JSON: spans into the MessagePack input (borrowed:
 * they live as long as it does). Owned array V; free with ra_bins_free. */
typedef struct ra_bins {
  ref_span *v;
  size_t n, cap;
} ra_bins;
void ra_bins_free(ra_bins *b);

/* Append O as JSON text to OUT; bin values become placeholders numbered from BINS->n on,
 * their bytes appended to BINS. Returns 0, REF_ERR_BAD_MSGPACK (a map key that is
 * neither a string nor an integer), REF_ERR_JSON_TOO_DEEP or REF_ERR_OUT_OF_MEMORY. */
int ra_msgpack_to_json(const msgpack_object *o, ra_buf *out, ra_bins *bins);

/* True when every array, map, str, bin and ext header of the MessagePack bytes P/LEN
 * (one value, then nothing) announces no more than the bytes left can hold. msgpack-c
 * allocates what a header announces before it reads the elements, so a 6-byte message
 * could otherwise ask for 64 GiB: check untrusted bytes with this first. Linear, no
 * allocation. */
bool ra_msgpack_bounded(const uint8_t *p, size_t len);

/* Append the number D as JavaScript's Number.prototype.toString writes it (JSON: NaN and
 * infinities as null). */
void ra_buf_number(ra_buf *b, double d);

#endif
