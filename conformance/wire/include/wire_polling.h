/* Engine.IO v4 polling bodies without I/O (EIO-PL-1): packets are separated by the
 * record separator 0x1e, and a packet that starts with 'b' is binary data in base64
 * (decoding the base64 is left to the caller). */
#ifndef WIRE_POLLING_H
#define WIRE_POLLING_H

#include <stddef.h>

#include "wire_http.h"

#define WIRE_POLLING_SEP 0x1e

/* One record of a body. RAW is the whole record; DATA is RAW without the 'b' of a
 * binary record (the base64 text), or RAW itself. */
typedef struct wire_polling_rec {
  wire_span raw;
  wire_span data;
  int binary;
} wire_polling_rec;

/* Walks the records of one body in order. */
typedef struct wire_polling_iter {
  const unsigned char *p;
  size_t len, pos;
  int done;
} wire_polling_iter;

void wire_polling_begin(wire_polling_iter *it, const unsigned char *body, size_t len);

/* The next record: 1 with *REC set, 0 after the last. A body with N separators has
 * N + 1 records, empty ones included (an empty body is one empty record): the
 * harness sees exactly what the server sent, and a client may skip empty records. */
int wire_polling_next(wire_polling_iter *it, wire_polling_rec *rec);

#endif
