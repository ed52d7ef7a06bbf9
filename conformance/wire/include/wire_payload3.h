/* Engine.IO v3 polling payloads without I/O (spec/engine.io-v3.md section 3): the text
 * form "<length>:<packet>" whose length counts UTF-16 code units (EIO-TPL-1, EIO-TPL-2),
 * and the binary form "<marker><digit bytes>0xff<packet>" (EIO-TPL-10..12). The harness
 * speaks v3 through these when a case runs under --eio 3; they are our own reading of the
 * spec, not the reference server's codec (wire.cmake says why). */
#ifndef WIRE_PAYLOAD3_H
#define WIRE_PAYLOAD3_H

#include <stddef.h>

#include "wire_err.h"
#include "wire_http.h"

/* The UTF-16 length of the UTF-8 text P/N (EIO-TPL-2): one unit per character up to
 * U+FFFF, two for each 4-byte character. A byte that starts no well-formed character
 * counts one unit (the harness also measures what servers send, which may be broken). */
size_t wire_utf16_len(const unsigned char *p, size_t n);

/* Write the text segment prefix of the packet P/N ("12:") into OUT (at least 12 bytes,
 * NUL-terminated); returns its length. */
size_t wire_payload3_prefix(char *out, const unsigned char *p, size_t n);

/* Write the binary-payload segment head of a packet of N bytes (marker 0x00 for text,
 * 0x01 for binary, the digits as bytes 0x00..0x09, then 0xff) into OUT (at least 12
 * bytes); returns its length (EIO-TPL-10). */
size_t wire_payload3_bin_head(unsigned char *out, int binary, size_t n);

/* One packet of a v3 payload. PKT is its text form (type digit first; "b4..." for a
 * base64 binary packet of a text payload) or, for a binary segment of a binary payload,
 * the type byte followed by the data. */
typedef struct wire_payload3_rec {
  wire_span pkt;
  int binary; /* a binary segment of a binary payload (marker 0x01) */
} wire_payload3_rec;

/* Walks the segments of one body in order. */
typedef struct wire_payload3_iter {
  const unsigned char *p;
  size_t len, pos;
  int bin; /* the body is a binary payload (its first byte is 0x00 or 0x01) */
} wire_payload3_iter;

/* Start on BODY/LEN. A body whose first byte is 0x00 or 0x01 is read as a binary payload,
 * anything else as a text payload (a text payload starts with a digit). */
void wire_payload3_begin(wire_payload3_iter *it, const unsigned char *body, size_t len);

/* The next segment: WIRE_MORE with *REC set, WIRE_OK after the last, or a named error
 * (the rest of the body is then not read). Segments of length 0 are skipped
 * (EIO-TPL-4). */
int wire_payload3_next(wire_payload3_iter *it, wire_payload3_rec *rec);

#endif
