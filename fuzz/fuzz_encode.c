/* The snprintf-contract oracle of the codec fuzz targets (see fuzz_encode.h). */
#include "fuzz_encode.h"

#include "fuzz_check.h"

uint8_t *fuzz_encode_checked(fuzz_encode_fn enc, const void *ctx, const char *what, int *len) {
  uint8_t probe[1] = {FUZZ_CANARY}; /* cap 0: a length query; the byte must stay untouched */
  int n = enc(ctx, probe, 0);
  *len = n;
  if (n < 0) return NULL;
  size_t need = (size_t)n;
  FUZZ_CHECK(probe[0] == FUZZ_CANARY, what);
  uint8_t *buf = malloc(need + FUZZ_SLACK);
  FUZZ_CHECK(buf != NULL, "out of memory");
  size_t half = need / 2;
  memset(buf, FUZZ_CANARY, need + FUZZ_SLACK);
  FUZZ_CHECK(enc(ctx, buf, half) == n, what); /* the length differs with a short buffer */
  for (size_t i = half; i < need + FUZZ_SLACK; i++)
    FUZZ_CHECK(buf[i] == FUZZ_CANARY, what); /* wrote past a short cap */
  memset(buf, FUZZ_CANARY, need + FUZZ_SLACK);
  FUZZ_CHECK(enc(ctx, buf, need) == n, what); /* the length differs with an exact buffer */
  for (size_t i = need; i < need + FUZZ_SLACK; i++)
    FUZZ_CHECK(buf[i] == FUZZ_CANARY, what); /* wrote past an exact cap */
  return buf;
}
