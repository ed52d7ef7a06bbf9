/* Helpers shared by the wire tests: inputs copied into heap blocks of exactly their
 * length, so that under AddressSanitizer a decoder reading one byte too far fails. */
#ifndef WIRE_TEST_UTIL_H
#define WIRE_TEST_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A heap copy of P/N (N may be 0: a 1-byte block is then allocated but never valid). */
static inline unsigned char *exact(const void *p, size_t n) {
  unsigned char *b = malloc(n ? n : 1);
  if (n) memcpy(b, p, n);
  return b;
}

/* A small deterministic generator for the random-input tests (no clock, no seed file). */
static inline uint32_t test_rand(uint64_t *s) {
  *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
  return (uint32_t)(*s >> 33);
}

#endif
