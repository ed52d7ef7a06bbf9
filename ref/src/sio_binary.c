/* Socket.IO binary packets: placeholder checks, the receive-side reassembler (one
 * header message, then exactly `attachments` binary messages) and the send-side
 * header encoder. Allocation-free: attachments are spans the caller keeps alive.
 * Spec tags: SIO-BIN-3..16 (reassembly, placeholders, encoding). */
#include "sioref/sio_binary.h"

#include <string.h>

#include "sioref/err.h"
#include "sioref/json_scan.h"

static bool is_binary_type(sio_packet_type t) {
  return t == SIO_PACKET_BINARY_EVENT || t == SIO_PACKET_BINARY_ACK;
}

/* Walk state for the placeholder check: one mark per attachment. */
typedef struct ph_marks {
  uint8_t *seen;
  uint32_t n;
} ph_marks;

static int on_placeholder(void *ctx, const json_placeholder *ph) {
  ph_marks *m = ctx;
  /* SIO-BIN-12: checked in the order SIO-BIN-8, -9, -10, in document order */
  if (!ph->num_ok) return REF_ERR_BAD_PLACEHOLDER;              /* SIO-BIN-8 */
  if (ph->num >= m->n) return REF_ERR_PLACEHOLDER_OUT_OF_RANGE; /* SIO-BIN-9 */
  /* SIO-BIN-10: each attachment has exactly one place */
  if (m->seen[ph->num]) return REF_ERR_PLACEHOLDER_DUPLICATE;
  m->seen[ph->num] = 1;
  return 0;
}

/* The check over a caller's mark array of N bytes. */
static int check_marks(ref_span data, uint32_t n, uint32_t depth, uint8_t *seen) {
  memset(seen, 0, n);
  ph_marks m = {seen, n};
  int rc = json_visit_placeholders(data.ptr, data.len, depth, on_placeholder, &m);
  if (rc) return rc;
  for (uint32_t i = 0; i < n; i++)
    if (!seen[i]) return REF_ERR_ATTACHMENT_UNUSED; /* SIO-BIN-11: no attachment goes unused */
  return 0;
}

int sio_binary_check(const sio_packet *p, uint32_t max_json_depth, uint8_t *seen) {
  if (!p || !seen || !is_binary_type(p->type) || p->attachments == 0)
    return REF_ERR_INVALID_ARGUMENT;
  uint32_t depth = max_json_depth ? max_json_depth : SIO_DEFAULT_MAX_JSON_DEPTH;
  return check_marks(p->data, p->attachments, depth, seen);
}

/* ---- receive side ------------------------------------------------------- */

static uint32_t eff_max_attachments(const sio_codec_opts *o) {
  return o->max_attachments ? o->max_attachments : SIO_DEFAULT_MAX_ATTACHMENTS;
}

int sio_reasm_init(sio_reasm *r, const sio_codec_opts *opts, ref_span *slots, uint32_t slot_cap) {
  if (!r || !slots) return REF_ERR_INVALID_ARGUMENT;
  /* Member by member rather than memset: for a struct this size compilers pick
   * "rep stos", slow to start, and a reassembler is set up per message in places. */
  r->opts = opts ? *opts : (sio_codec_opts){0, 0, 0};
  r->slots = NULL;
  r->slot_cap = 0;
  r->pending = false;
  r->header = (sio_packet){SIO_PACKET_CONNECT, {NULL, 0}, SIO_NO_ACK_ID, 0, {NULL, 0}};
  r->received = 0;
  if (slot_cap < eff_max_attachments(&r->opts)) return REF_ERR_INVALID_ARGUMENT;
  r->slots = slots;
  r->slot_cap = slot_cap;
  return 0;
}

/* Drop whatever was pending and pass the error on. */
static int reasm_fail(sio_reasm *r, int code) {
  r->pending = false;
  r->received = 0;
  return code;
}

int sio_reasm_feed_text(sio_reasm *r, const uint8_t *buf, size_t len, sio_packet *out) {
  if (!r || !r->slots || !out || (!buf && len)) return REF_ERR_INVALID_ARGUMENT;
  /* SIO-BIN-4: nothing but the attachments may come between a header and its last one */
  if (r->pending) return reasm_fail(r, REF_ERR_UNEXPECTED_TEXT);
  /* Decoded straight into OUT (written only on success): a copy through a local would
   * cost a store-forwarding stall on the hot path of every small packet. */
  int rc = sio_packet_decode(buf, len, &r->opts, out);
  if (rc) return rc;
  if (!is_binary_type(out->type)) return SIO_REASM_COMPLETE;
  sio_packet p = *out;
  /* The slots serve as the mark array for the check: one byte per span is enough. The
   * count was bounded by max_attachments, which the slots can hold. */
  uint32_t depth = r->opts.max_json_depth ? r->opts.max_json_depth : SIO_DEFAULT_MAX_JSON_DEPTH;
  rc = check_marks(p.data, p.attachments, depth, (uint8_t *)r->slots);
  if (rc) return rc;
  memset(r->slots, 0, sizeof r->slots[0] * p.attachments);
  r->header = p;
  r->pending = true;
  r->received = 0;
  return SIO_REASM_NEED_MORE;
}

int sio_reasm_feed_binary(sio_reasm *r, const uint8_t *buf, size_t len, sio_packet *out) {
  if (!r || !r->slots || !out || (!buf && len)) return REF_ERR_INVALID_ARGUMENT;
  if (!r->pending) return REF_ERR_UNEXPECTED_BINARY; /* SIO-BIN-5 */
  r->slots[r->received++] = (ref_span){buf, len};    /* SIO-BIN-3, SIO-BIN-13 */
  if (r->received < r->header.attachments) return SIO_REASM_NEED_MORE;
  r->pending = false;
  *out = r->header;
  return SIO_REASM_COMPLETE;
}

int sio_reasm_finish(sio_reasm *r) {
  if (!r) return REF_ERR_INVALID_ARGUMENT;
  if (r->pending) return reasm_fail(r, REF_ERR_ATTACHMENTS_PENDING); /* SIO-BIN-6 */
  return 0;
}

/* ---- send side ---------------------------------------------------------- */

/* SIO-BIN-14: the caller numbered the placeholders; we check they match the count.
 * SIO-BIN-16 (nothing between header and attachments) is the caller's to keep. */
int sio_binary_encode_header(const sio_packet *p, uint8_t *seen, uint8_t *out, size_t cap) {
  if (!p || !seen || !is_binary_type(p->type) || p->attachments == 0)
    return REF_ERR_INVALID_ARGUMENT;
  int rc = check_marks(p->data, p->attachments, SIO_DEFAULT_MAX_JSON_DEPTH, seen);
  if (rc) return rc;
  return sio_packet_encode(p, out, cap);
}
