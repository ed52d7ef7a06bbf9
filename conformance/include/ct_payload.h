/* Large-payload helpers for the step language (issue 11, "Depth"): deterministic fills
 * of an exact byte length (multi-byte UTF-8 text, binary), the byte-exact comparison
 * that names the first differing offset, and the split of a Socket.IO packet into its
 * header and JSON. Pure functions over caller buffers, unit-tested without a server. */
#ifndef CT_PAYLOAD_H
#define CT_PAYLOAD_H

#include <stddef.h>

#include "ct_util.h"

/* maxPayload assumed when the open packet omits it (EIO-HS-2 makes it mandatory) and
 * no --max-payload is given: the official server's default maxHttpBufferSize (1e6). */
#define CT_DEFAULT_MAX_PAYLOAD 1000000L

/* Append exactly BYTES bytes of text to OUT: UNIT (a well-formed UTF-8 string, NULL or
 * empty = "a") repeated while a whole copy fits, then ASCII 'a' up to BYTES, so the
 * result is well-formed UTF-8 of the exact length whatever the unit's character widths. */
void ct_fill_text(ct_buf *out, const char *unit, size_t bytes);

/* Append N pseudo-random bytes to OUT, the same for the same SEED (a linear congruential
 * generator): every byte value occurs, and a shifted, dropped or repeated block changes
 * the bytes at once, so a comparison locates it. */
void ct_fill_binary(ct_buf *out, size_t n, unsigned seed);

/* The largest binary length whose polling form ('b' + padded base64, EIO-PK-10) is at
 * most BODY bytes; 0 when BODY < 5. */
size_t ct_b64_fit(long body);

/* The first offset where A/ALEN and B/BLEN differ: -1 when they are equal; the shorter
 * length when one is a prefix of the other. */
long ct_first_diff(const void *a, size_t alen, const void *b, size_t blen);

/* Describe a mismatch for a report: EXP and ACT get "N bytes of text|binary, around
 * byte K: ..." (a short escaped window at the first difference) and WHY gets "got M
 * bytes where N were expected; first difference at byte K". A, B: the expected and the
 * received bytes. */
void ct_diff_describe(const unsigned char *a, size_t alen, int a_binary, const unsigned char *b,
                      size_t blen, int b_binary, ct_buf *exp, ct_buf *act, ct_buf *why);

/* Split an Engine.IO message that carries a Socket.IO packet ("4" + type digit +
 * ["N-"] + ["/nsp,"] + [ack id] + JSON, SIO-PK-*) at the start of its JSON. Returns 0
 * and *OFF = the JSON's offset, or -1 when P is not such a packet or has no JSON. */
int ct_sio_json_offset(const unsigned char *p, size_t len, size_t *off);

#endif
