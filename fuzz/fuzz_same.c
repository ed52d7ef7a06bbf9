/* Packet equality oracles of the codec fuzz targets (see fuzz_same.h). */
#include "fuzz_same.h"

#include "fuzz_check.h"

void fuzz_same_eio_packet(const eio_packet *a, const eio_packet *b, const char *what) {
  FUZZ_CHECK(a->type == b->type, what);
  FUZZ_CHECK(a->kind == b->kind, what);
  FUZZ_CHECK(fuzz_bytes_eq(a->data.ptr, a->data.len, b->data.ptr, b->data.len), what);
}

void fuzz_same_sio_packet(const sio_packet *a, const sio_packet *b, const char *what) {
  FUZZ_CHECK(a->type == b->type, what);
  FUZZ_CHECK(fuzz_bytes_eq(a->nsp.ptr, a->nsp.len, b->nsp.ptr, b->nsp.len), what);
  FUZZ_CHECK(a->ack_id == b->ack_id, what);
  FUZZ_CHECK(a->attachments == b->attachments, what);
  FUZZ_CHECK(fuzz_bytes_eq(a->data.ptr, a->data.len, b->data.ptr, b->data.len), what);
}
