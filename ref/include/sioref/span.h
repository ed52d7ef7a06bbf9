/* A span: a pointer and a length into memory somebody else owns. Every decoder in
 * ref/ returns spans into the caller's input instead of copying, so a decoded packet
 * lives exactly as long as the buffer it was decoded from. */
#ifndef SIOREF_SPAN_H
#define SIOREF_SPAN_H

#include <stddef.h>
#include <stdint.h>

typedef struct ref_span {
  const uint8_t *ptr; /* borrowed; may be NULL only when len == 0 */
  size_t len;
} ref_span;

#endif
