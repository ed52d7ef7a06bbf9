/* Reading a fuzz target's input as a script, and the deterministic random source the
 * state-machine targets hand to the code under test. Shared by eio_session,
 * sio_server and eio_sio_glue; gen_seeds.py writes scripts in this layout. */
#ifndef SIOCONFORM_FUZZ_SCRIPT_H
#define SIOCONFORM_FUZZ_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

/* The unread rest of the input: P/N borrowed from the fuzzer's buffer. */
typedef struct fuzz_reader {
  const uint8_t *p;
  size_t n;
} fuzz_reader;

/* The next byte, or 0 once the script is exhausted (a short script reads as zeros). */
uint8_t fuzz_u8(fuzz_reader *r);

/* The next two bytes as a little-endian number (low byte first), zeros past the end. */
uint16_t fuzz_u16(fuzz_reader *r);

/* *LEN bytes of the script, borrowed; *LEN shrinks to what is left at the end. */
const uint8_t *fuzz_take(fuzz_reader *r, size_t *len);

/* Fill BUF/LEN from the xorshift32 generator whose state is *STATE (never 0), so a
 * replay of an input is the same run. Always returns 0, as the sioref random
 * callbacks expect of a source that cannot fail. */
int fuzz_xorshift_fill(uint32_t *state, uint8_t *buf, size_t len);

#endif
