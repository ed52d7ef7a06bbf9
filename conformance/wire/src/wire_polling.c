/* The polling body splitter (EIO-PL-1, EIO-PL-2). */
#include "wire_polling.h"

#include <string.h>

void wire_polling_begin(wire_polling_iter *it, const unsigned char *body, size_t len) {
  it->p = body;
  it->len = len;
  it->pos = 0;
  it->done = 0;
}

int wire_polling_next(wire_polling_iter *it, wire_polling_rec *rec) {
  if (it->done) return 0;
  size_t start = it->pos, i = start;
  while (i < it->len && it->p[i] != WIRE_POLLING_SEP) i++;
  if (i == it->len) it->done = 1;
  it->pos = i + 1;
  /* an empty body has no bytes to point at: its one record is (NULL, 0) then */
  const unsigned char *seg = it->p ? it->p + start : NULL;
  rec->raw = (wire_span){seg, i - start};
  rec->binary = i > start && seg[0] == 'b';
  rec->data = rec->binary ? (wire_span){seg + 1, i - start - 1} : rec->raw;
  return 1;
}
