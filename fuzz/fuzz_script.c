/* Script reader and deterministic random source of the state-machine fuzz targets
 * (see fuzz_script.h). */
#include "fuzz_script.h"

uint8_t fuzz_u8(fuzz_reader *r) {
  if (!r->n) return 0;
  r->n--;
  return *r->p++;
}

uint16_t fuzz_u16(fuzz_reader *r) {
  /* Two statements: the order of the reads must not depend on the compiler. */
  uint8_t lo = fuzz_u8(r);
  uint8_t hi = fuzz_u8(r);
  return (uint16_t)(lo | (hi << 8));
}

const uint8_t *fuzz_take(fuzz_reader *r, size_t *len) {
  if (*len > r->n) *len = r->n;
  const uint8_t *b = r->p;
  r->p += *len;
  r->n -= *len;
  return b;
}

int fuzz_xorshift_fill(uint32_t *state, uint8_t *buf, size_t len) {
  for (size_t i = 0; i < len; i++) {
    *state ^= *state << 13;
    *state ^= *state >> 17;
    *state ^= *state << 5;
    buf[i] = (uint8_t)*state;
  }
  return 0;
}
