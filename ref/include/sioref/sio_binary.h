/* Socket.IO binary packets: BINARY_EVENT / BINARY_ACK travel as one text header
 * followed by exactly `attachments` binary messages; the header's JSON holds a
 * placeholder {"_placeholder":true,"num":i} where attachment i belongs.
 * Spec: spec/socket.io-v5.md, SIO-BIN-*.
 *
 * Three pieces, all allocation-free:
 *  - sio_binary_check(): validate a header's placeholders against its count;
 *  - sio_reasm: a reassembler fed one message at a time (receive side);
 *  - sio_binary_encode_header(): the send side (see the recipe below). */
#ifndef SIOREF_SIO_BINARY_H
#define SIOREF_SIO_BINARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sioref/sio_codec.h"
#include "sioref/span.h"

/* Check the placeholders of a decoded BINARY_EVENT / BINARY_ACK header P (its data
 * borrowed as decoded; MAX_JSON_DEPTH 0 = the default): every placeholder's num is a
 * non-negative integer (else REF_ERR_BAD_PLACEHOLDER), below P->attachments (else
 * REF_ERR_PLACEHOLDER_OUT_OF_RANGE), used once (else REF_ERR_PLACEHOLDER_DUPLICATE),
 * and every attachment is used (else REF_ERR_ATTACHMENT_UNUSED). The first problem in
 * text order is reported; ATTACHMENT_UNUSED only after the whole text was walked.
 * SEEN is caller scratch of P->attachments bytes (contents on return unspecified).
 * Returns 0, one of the errors above, a json_scan error, or REF_ERR_INVALID_ARGUMENT
 * (NULL argument, P not a binary type). Non-binary packets have no placeholders:
 * objects that look like one there are plain data, and nobody should call this. */
int sio_binary_check(const sio_packet *p, uint32_t max_json_depth, uint8_t *seen);

/* ---- receive side ----------------------------------------------------------
 * Transitions (one per message fed):
 *   IDLE    + text   -> decode; not binary: COMPLETE (stay IDLE);
 *                       binary: check placeholders, go PENDING (NEED_MORE)
 *   IDLE    + binary -> REF_ERR_UNEXPECTED_BINARY
 *   PENDING + binary -> store attachment; the last one: COMPLETE, back to IDLE
 *   PENDING + text   -> REF_ERR_UNEXPECTED_TEXT
 *   finish() while PENDING -> REF_ERR_ATTACHMENTS_PENDING
 * Any error drops the pending packet and returns to IDLE (a peer violation closes
 * the session anyway). The reassembler holds spans only: the caller keeps the header
 * message and every attachment alive until it has used the completed packet. */

#define SIO_REASM_NEED_MORE 0
#define SIO_REASM_COMPLETE  1

typedef struct sio_reasm {
  sio_codec_opts opts; /* decoder options (limits) */
  ref_span *slots;     /* caller array of slot_cap spans: attachments in wire order */
  uint32_t slot_cap;   /* must be >= the effective max_attachments */
  bool pending;        /* a binary header is waiting for attachments */
  sio_packet header;   /* the header while pending / the completed packet */
  uint32_t received;   /* attachments stored so far */
} sio_reasm;

/* Set up R. OPTS may be NULL (defaults). SLOTS (caller-owned, SLOT_CAP entries) must
 * hold the effective max_attachments spans; it doubles as scratch for the placeholder
 * check. Returns 0 or REF_ERR_INVALID_ARGUMENT (NULL R/SLOTS, SLOT_CAP too small). */
int sio_reasm_init(sio_reasm *r, const sio_codec_opts *opts, ref_span *slots, uint32_t slot_cap);

/* Feed one text message (the text of an Engine.IO MESSAGE; borrowed, keep it alive).
 * Returns SIO_REASM_COMPLETE with *OUT = the packet (non-binary packets), or
 * SIO_REASM_NEED_MORE (a binary header: attachments follow; *OUT then holds the
 * header, not yet usable), or an error of sio_packet_decode / sio_binary_check,
 * REF_ERR_UNEXPECTED_TEXT, REF_ERR_INVALID_ARGUMENT. */
int sio_reasm_feed_text(sio_reasm *r, const uint8_t *buf, size_t len, sio_packet *out);

/* Feed one binary message (an attachment; borrowed, keep it alive). Returns
 * SIO_REASM_COMPLETE with *OUT = the header packet (its attachments are
 * r->slots[0 .. out->attachments-1], in wire order, i.e. by placeholder num),
 * SIO_REASM_NEED_MORE, REF_ERR_UNEXPECTED_BINARY or REF_ERR_INVALID_ARGUMENT. */
int sio_reasm_feed_binary(sio_reasm *r, const uint8_t *buf, size_t len, sio_packet *out);

/* The input ended (connection closed, or a vector's list of messages ran out).
 * Returns 0 or REF_ERR_ATTACHMENTS_PENDING (and resets R to IDLE). */
int sio_reasm_finish(sio_reasm *r);

/* ---- send side -------------------------------------------------------------
 * Recipe: put the attachments in an array ATT[0..n-1]; write the JSON with a
 * placeholder {"_placeholder":true,"num":i} where ATT[i] belongs (each i exactly
 * once); set P->type = SIO_PACKET_BINARY_EVENT or _BINARY_ACK, P->attachments = n,
 * P->data = that JSON. sio_binary_encode_header() checks the template and writes the
 * header text. Send the header as one Engine.IO MESSAGE (text), then ATT[0], ...,
 * ATT[n-1] each as one binary MESSAGE, with nothing of the same socket in between. */

/* Write the header text of binary packet P into OUT (CAP bytes, snprintf style).
 * SEEN: caller scratch of P->attachments bytes, as for sio_binary_check.
 * Returns the full length, REF_ERR_INVALID_ARGUMENT (not a binary type, attachments 0,
 * bad namespace or ack id), or an error of sio_binary_check / json_scan (the template
 * must be valid JSON whose placeholders match P->attachments). */
int sio_binary_encode_header(const sio_packet *p, uint8_t *seen, uint8_t *out, size_t cap);

#endif
