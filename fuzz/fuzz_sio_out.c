/* The Socket.IO output oracle's reassembler and copy keeper (see fuzz_sio_out.h). */
#include "fuzz_sio_out.h"

#include "fuzz_check.h"

const sio_codec_opts fuzz_out_opts = {FUZZ_OUT_MAX_ATT, 1024, 0};

void fuzz_sio_out_init(fuzz_sio_out *o) {
  FUZZ_CHECK(sio_reasm_init(&o->reasm, &fuzz_out_opts, o->slots, FUZZ_OUT_MAX_ATT) == 0,
             "reasm_init");
}

const uint8_t *fuzz_sio_out_keep(fuzz_sio_out *o, const uint8_t *data, size_t len) {
  uint8_t *copy = malloc(len ? len : 1);
  FUZZ_CHECK(copy != NULL, "out of memory");
  if (len) memcpy(copy, data, len);
  if (o->nkeep == o->capkeep) {
    o->capkeep = o->capkeep ? 2 * o->capkeep : 8;
    o->keep = realloc(o->keep, o->capkeep * sizeof *o->keep);
    FUZZ_CHECK(o->keep != NULL, "out of memory");
  }
  o->keep[o->nkeep++] = copy;
  return copy;
}

int fuzz_sio_out_feed(fuzz_sio_out *o, bool binary, const uint8_t *copy, size_t len,
                      sio_packet *p) {
  int rc = binary ? sio_reasm_feed_binary(&o->reasm, copy, len, p)
                  : sio_reasm_feed_text(&o->reasm, copy, len, p);
  if (rc == SIO_REASM_COMPLETE) fuzz_sio_out_forget(o);
  return rc;
}

void fuzz_sio_out_forget(fuzz_sio_out *o) {
  for (size_t i = 0; i < o->nkeep; i++) free(o->keep[i]);
  free(o->keep);
  o->keep = NULL;
  o->nkeep = o->capkeep = 0;
}
