/* UTF-8 validation used by both codec layers (a project-wide helper, hence ref_). */
#ifndef SIOREF_UTF8_H
#define SIOREF_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when BUF/LEN is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
 * BUF may be NULL only when LEN is 0. */
bool ref_utf8_valid(const uint8_t *buf, size_t len);

#endif
