/* The snprintf-contract oracle of the codec fuzz targets: an encoder given CAP bytes
 * returns the full length it needs whatever CAP is, and writes nothing from CAP on.
 * Shared by eio_packet, sio_packet and sio_binary. */
#ifndef SIOCONFORM_FUZZ_ENCODE_H
#define SIOCONFORM_FUZZ_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#define FUZZ_CANARY 0xA5 /* fills bytes an encoder must leave untouched */
#define FUZZ_SLACK  16   /* canary bytes checked past every cap */

/* An encoder under test: writes into OUT/CAP what CTX describes and returns the
 * length it needs (negative: refused), as the sioref encoders do. */
typedef int (*fuzz_encode_fn)(const void *ctx, uint8_t *out, size_t cap);

/* Runs ENC with cap 0 (a length query: the one probe byte stays untouched), then with
 * half and with all of the reported length on canary-filled buffers, and checks that
 * each reports the same length and leaves every byte from its cap on untouched (WHAT
 * names the encoder in a finding). Returns a malloc'd buffer holding the encoding
 * (caller frees) and its length in *LEN; NULL when the encoder refused (*LEN is then
 * its negative error). */
uint8_t *fuzz_encode_checked(fuzz_encode_fn enc, const void *ctx, const char *what, int *len);

#endif
