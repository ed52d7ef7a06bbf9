/* UTF-8 validation, shared by both protocol layers: Engine.IO text packets (EIO-PK-*)
 * and Socket.IO namespaces and payloads must be well-formed UTF-8. It sits below both
 * codecs so that neither has to include the other. */
#include "sioref/utf8.h"

#include <string.h>

/* The top bit of every byte of a 64-bit word: ASCII bytes have it clear. */
static const uint64_t ascii_high_bits = 0x8080808080808080u;

/* True when the 8 bytes at P are all ASCII. memcpy is the portable unaligned load;
 * compilers turn it into a single instruction. */
static bool ascii8(const uint8_t *p) {
  uint64_t w;
  memcpy(&w, p, sizeof w);
  return (w & ascii_high_bits) == 0;
}

bool ref_utf8_valid(const uint8_t *buf, size_t len) {
  if (!buf) return len == 0;
  size_t i = 0;
  while (i < len) {
    /* Protocol text is mostly ASCII: skip it a word at a time, then byte by byte. A
     * tail shorter than a word is done at once when the text's last 8 bytes (which
     * may overlap bytes already checked) are ASCII. */
    while (len - i >= 8 && ascii8(buf + i)) i += 8;
    if (len >= 8 && len - i < 8 && ascii8(buf + len - 8)) return true;
    while (i < len && buf[i] < 0x80) i++;
    if (i == len) break;
    uint8_t b = buf[i];
    size_t need;
    uint8_t lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (b >= 0xC2 && b <= 0xDF) {
      need = 1;
    } else if (b >= 0xE0 && b <= 0xEF) {
      need = 2;
      if (b == 0xE0) lo = 0xA0; /* overlong */
      if (b == 0xED) hi = 0x9F; /* UTF-16 surrogates U+D800..U+DFFF */
    } else if (b >= 0xF0 && b <= 0xF4) {
      need = 3;
      if (b == 0xF0) lo = 0x90; /* overlong */
      if (b == 0xF4) hi = 0x8F; /* above U+10FFFF */
    } else {
      return false; /* continuation byte, overlong C0/C1, or F5..FF */
    }
    if (len - i - 1 < need) return false;
    if (buf[i + 1] < lo || buf[i + 1] > hi) return false;
    for (size_t k = 2; k <= need; k++)
      if (buf[i + k] < 0x80 || buf[i + k] > 0xBF) return false;
    i += need + 1;
  }
  return true;
}
