/* Unit tests aimed at the codecs' fast paths: the word-at-a-time ASCII skip of the UTF-8
 * check (every position relative to the 8-byte words and the overlapping last word),
 * the JSON string scan, and the unescaped-name shortcut of the reserved event check.
 * Each is compared with a slow reference written here.
 * Spec tags: EIO-PK-7 (UTF-8), SIO-PK-10 (strict JSON), SIO-PK-14 (reserved names),
 * SIO-PK-16 (UTF-8 in Socket.IO text). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sioref/eio_codec.h"
#include "sioref/err.h"
#include "sioref/json_scan.h"
#include "sioref/sio_codec.h"
#include "sioref/utf8.h"

/* Reference UTF-8 check by decoding code points: the sequence length comes from the
 * lead byte, then the value must need that many bytes (no overlong form), must not be
 * a UTF-16 surrogate and must not pass U+10FFFF. */
static bool ref_utf8(const uint8_t *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t b = s[i];
    size_t more;
    uint32_t cp, min;
    if (b < 0x80) {
      i++;
      continue;
    } else if ((b & 0xE0) == 0xC0) {
      more = 1, cp = b & 0x1F, min = 0x80;
    } else if ((b & 0xF0) == 0xE0) {
      more = 2, cp = b & 0x0F, min = 0x800;
    } else if ((b & 0xF8) == 0xF0) {
      more = 3, cp = b & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (n - i - 1 < more) return false;
    for (size_t k = 1; k <= more; k++) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = cp << 6 | (s[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += more + 1;
  }
  return true;
}

Test(utf8_fast, sequences_at_every_position) {
  const char *seqs[] = {
      "\xc3\xa9",
      "\xe2\x9c\x93",
      "\xf0\x9f\x98\x80",
      "\xf4\x8f\xbf\xbf",
      "\x80",
      "\xbf",
      "\xc0\x80",
      "\xc1\xbf",
      "\xc2",
      "\xe2\x9c",
      "\xf0\x9f\x98",
      "\xed\xa0\x80",
      "\xed\x9f\xbf",
      "\xe0\x9f\xbf",
      "\xf0\x8f\xbf\xbf",
      "\xf4\x90\x80\x80",
      "\xf5\x80\x80\x80",
      "\xfe",
      "\xff",
      "\xc3\x28",
  };
  uint8_t buf[64];
  for (size_t len = 0; len <= 40; len++) {
    for (size_t s = 0; s < sizeof seqs / sizeof seqs[0]; s++) {
      size_t sl = strlen(seqs[s]);
      for (size_t pos = 0; pos <= len; pos++) {
        /* LEN ASCII bytes with the sequence put in at POS */
        memset(buf, 'a', sizeof buf);
        memcpy(buf + pos, seqs[s], sl);
        size_t n = len + sl;
        cr_assert_eq(ref_utf8_valid(buf, n), ref_utf8(buf, n), "seq %zu at %zu of %zu", s, pos, n);
      }
    }
  }
}

Test(utf8_fast, every_byte_pair_at_word_edges) {
  uint8_t buf[32];
  const size_t positions[] = {0, 1, 6, 7, 8, 9, 14, 15, 16, 22, 23};
  for (size_t p = 0; p < sizeof positions / sizeof positions[0]; p++) {
    for (unsigned b1 = 0x80; b1 < 0x100; b1++) {
      for (unsigned b2 = 0; b2 < 0x100; b2++) {
        memset(buf, 'x', sizeof buf);
        buf[positions[p]] = (uint8_t)b1;
        buf[positions[p] + 1] = (uint8_t)b2;
        cr_assert_eq(ref_utf8_valid(buf, 25), ref_utf8(buf, 25), "%02x %02x at %zu", b1, b2,
                     positions[p]);
      }
    }
  }
}

Test(utf8_fast, last_word_overlap) {
  /* Texts of 8..24 bytes whose only non-ASCII byte sits in the last few bytes: the
   * overlapping last word must see it. */
  uint8_t buf[24];
  for (size_t n = 8; n <= sizeof buf; n++) {
    for (size_t pos = 0; pos < n; pos++) {
      memset(buf, 'q', sizeof buf);
      buf[pos] = 0x80;
      cr_assert(!ref_utf8_valid(buf, n), "stray continuation at %zu of %zu", pos, n);
      buf[pos] = 0x7f;
      cr_assert(ref_utf8_valid(buf, n));
    }
  }
}

/* Expected validity of the JSON text ["<prefix>B<rest>"] given only the byte B put in:
 * below 0x20 is a raw control character, '"' ends the string early (trailing garbage),
 * '\\' starts an escape whose validity depends on the next byte. */
static bool string_byte_ok(uint8_t b, uint8_t next) {
  if (b < 0x20 || b == '"') return false;
  if (b == '\\') return next && strchr("\"\\/bfnrt", next) != NULL;
  return true;
}

Test(json_fast, string_byte_at_every_position) {
  const char *body = "abcdefghijklmnopqrstuvwxyz0123456789";
  size_t bl = strlen(body);
  char text[64];
  for (size_t pos = 0; pos <= bl; pos++) {
    for (unsigned b = 0; b < 0x80; b++) {
      int n = snprintf(text, sizeof text, "[\"%.*s%c%s\"]", (int)pos, body, (char)b, body + pos);
      bool ok = string_byte_ok((uint8_t)b, (uint8_t)body[pos]);
      int rc = json_scan((const uint8_t *)text, (size_t)n, 4, NULL);
      cr_assert_eq(rc, ok ? 0 : REF_ERR_INVALID_JSON, "byte 0x%02x at %zu", b, pos);
    }
  }
  /* Escapes right at the end of the text, cut at every length. */
  const char *esc = "[\"a\\u00e9\\n\\\"\"]";
  size_t el = strlen(esc);
  for (size_t n = 0; n < el; n++)
    cr_assert_eq(json_scan((const uint8_t *)esc, n, 4, NULL), REF_ERR_INVALID_JSON, "cut %zu", n);
  cr_assert_eq(json_scan((const uint8_t *)esc, el, 4, NULL), 0);
}

Test(json_fast, numbers_and_literals_cut) {
  const char *texts[] = {"[-12.5e+3]", "[true]", "[false]", "[null]", "[0,1,23]"};
  for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
    size_t len = strlen(texts[t]);
    for (size_t n = 0; n < len; n++)
      cr_assert_eq(json_scan((const uint8_t *)texts[t], n, 4, NULL), REF_ERR_INVALID_JSON,
                   "%s cut at %zu", texts[t], n);
    cr_assert_eq(json_scan((const uint8_t *)texts[t], len, 4, NULL), 0, "%s", texts[t]);
  }
  cr_assert_eq(json_scan((const uint8_t *)"[tru]", 5, 4, NULL), REF_ERR_INVALID_JSON);
  cr_assert_eq(json_scan((const uint8_t *)"[nulll]", 7, 4, NULL), REF_ERR_INVALID_JSON);
}

static int decode(const char *s) {
  sio_packet p;
  return sio_packet_decode((const uint8_t *)s, strlen(s), NULL, &p);
}

Test(reserved_fast, names_plain_and_escaped) {
  const char *reserved[] = {
      "2[\"connect\"]",           "2[\"connect_error\"]",
      "2[\"disconnect\"]",        "2[\"disconnecting\"]",
      "2[\"newListener\"]",       "2[\"removeListener\"]",
      "2[\"\\u0064isconnect\"]",  "2[\"disconnectin\\u0067\"]",
      "2[\"new\\u004cistener\"]", "2[\"connect\\u005ferror\"]",
  };
  for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
    cr_assert_eq(decode(reserved[i]), REF_ERR_RESERVED_EVENT_NAME, "%s", reserved[i]);
  /* Same lengths or prefixes, but other names; escaped ones too. */
  const char *free_names[] = {"2[\"connecx\"]",
                              "2[\"message\"]",
                              "2[\"connect_errors\"]",
                              "2[\"disconnec\"]",
                              "2[\"newlistener\"]",
                              "2[\"removeListenex\"]",
                              "2[\"\"]",
                              "2[\"c\"]",
                              "2[\"connect\\n\"]",
                              "2[\"\\u0063onnecx\"]",
                              "2[\"connect\\/\"]",
                              "2[\"connec\\u0074_\"]",
                              "2[\"disconnecting_\"]"};
  for (size_t i = 0; i < sizeof free_names / sizeof free_names[0]; i++)
    cr_assert_eq(decode(free_names[i]), 0, "%s", free_names[i]);
}
