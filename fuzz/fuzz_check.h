/* Shared helpers for the fuzz targets: the libFuzzer entry-point prototypes and an
 * oracle check that aborts (so libFuzzer and the replay driver both report it). */
#ifndef SIOCONFORM_FUZZ_CHECK_H
#define SIOCONFORM_FUZZ_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The libFuzzer entry point every target defines. DATA/SIZE are owned by the caller
 * and valid only during the call. Returns 0 (libFuzzer reserves other values). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An oracle violation is a finding: print where and why, then abort so that
 * libFuzzer saves the input and the replay driver (and CTest) fail. */
#define FUZZ_CHECK(cond, what)                                                                     \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fprintf(stderr, "FUZZ ORACLE FAILED at %s:%d: %s (%s)\n", __FILE__, __LINE__, (what),        \
              #cond);                                                                              \
      abort();                                                                                     \
    }                                                                                              \
  } while (0)

/* True when the span PTR/LEN lies inside BUF/BUF_LEN (an empty span may be anywhere). */
static inline int fuzz_span_inside(const uint8_t *ptr, size_t len, const uint8_t *buf,
                                   size_t buf_len) {
  if (len == 0) return 1;
  if (!ptr || !buf) return 0;
  uintptr_t p = (uintptr_t)ptr, b = (uintptr_t)buf;
  return p >= b && p - b <= buf_len && len <= buf_len - (p - b);
}

/* Print WHAT and BYTES (printable ASCII as is, the rest as \xNN) to stderr, so an
 * oracle failure shows the offending data. At most 512 bytes are shown. */
static inline void fuzz_dump(const char *what, const uint8_t *bytes, size_t len) {
  fprintf(stderr, "%s (%zu bytes): \"", what, len);
  for (size_t i = 0; i < len && i < 512; i++) {
    if (bytes[i] >= 0x20 && bytes[i] < 0x7f && bytes[i] != '\\' && bytes[i] != '"')
      fputc(bytes[i], stderr);
    else
      fprintf(stderr, "\\x%02x", bytes[i]);
  }
  fprintf(stderr, "\"%s\n", len > 512 ? "..." : "");
}

/* Byte equality of two spans. */
static inline int fuzz_bytes_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen) {
  return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

#endif
