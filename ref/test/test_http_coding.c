/* http_coding: the coding picked for an Accept-Encoding (q-values, "*", ties, no
 * header) and bodies coded in gzip and deflate, read back with zlib itself (EIO-CMP-8,
 * EIO-CMP-9, EIO-CMP-10). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "http_coding.h"

static void pick(const char *accept, const char *want) {
  const char *got = sioref_coding_pick(accept);
  if (!want)
    cr_assert_null(got, "%s: got %s", accept ? accept : "(none)", got ? got : "");
  else
    cr_assert(got && strcmp(got, want) == 0, "%s: got %s", accept, got ? got : "(none)");
}

Test(http_coding, pick) {
  pick(NULL, NULL);
  pick("", NULL);
  pick("identity", NULL);
  pick("br", NULL);
  pick("gzip", "gzip");
  pick("deflate", "deflate");
  pick("gzip, deflate, br", "gzip");
  pick("deflate, gzip", "gzip");          /* a tie: gzip first, as engine.io */
  pick("gzip;q=0.5, deflate", "deflate"); /* the higher q-value */
  pick("gzip;q=0, deflate", "deflate");   /* q=0: not acceptable */
  pick("gzip; q=0.000", NULL);
  pick("GZIP ; Q=1", "gzip");
  pick("*", "gzip");
  pick("*;q=0.1, gzip;q=0", "deflate");
  pick("*;q=0", NULL);
  pick("gzip;q=2", NULL); /* malformed: not an acceptance */
  pick("gzip;q=abc, deflate;q=0.2", "deflate");
  pick("x-gzip", "gzip");
  pick(" , ,gzip", "gzip");
}

static void round_trip(const char *coding, int window) {
  uint8_t in[5000];
  for (size_t i = 0; i < sizeof in; i++) in[i] = (uint8_t)("4hello "[i % 7]);
  uint8_t *buf = NULL;
  size_t n = 0;
  cr_assert_eq(sioref_coding_encode(coding, in, sizeof in, 16, &buf, &n), 0);
  cr_assert(n > 0 && n < 200, "%zu bytes", n);
  z_stream z;
  memset(&z, 0, sizeof z);
  cr_assert_eq(inflateInit2(&z, window), Z_OK);
  uint8_t out[6000];
  z.next_in = buf + 16;
  z.avail_in = (uInt)n;
  z.next_out = out;
  z.avail_out = sizeof out;
  cr_assert_eq(inflate(&z, Z_FINISH), Z_STREAM_END);
  cr_assert_eq(z.avail_in, 0, "one complete stream, nothing after it");
  cr_assert_eq(sizeof out - z.avail_out, sizeof in);
  cr_assert_eq(memcmp(out, in, sizeof in), 0);
  inflateEnd(&z);
  free(buf);
}

Test(http_coding, encode) {
  round_trip("gzip", 16 + 15); /* RFC 1952 */
  round_trip("deflate", 15);   /* the zlib format (RFC 1950), not raw DEFLATE */
  uint8_t *buf = NULL;
  size_t n = 0;
  cr_assert_eq(sioref_coding_encode("br", (const uint8_t *)"x", 1, 0, &buf, &n), -1);
  cr_assert_eq(sioref_coding_encode(NULL, (const uint8_t *)"x", 1, 0, &buf, &n), -1);
  cr_assert_eq(sioref_coding_encode("gzip", (const uint8_t *)"", 0, 0, &buf, &n), 0);
  cr_assert(n >= 20); /* an empty gzip member: header and trailer */
  free(buf);
}
