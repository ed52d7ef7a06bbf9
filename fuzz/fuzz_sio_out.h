/* The Socket.IO output oracle of the server fuzz targets (sio_server, eio_sio_glue):
 * every Socket.IO message a server writes to one client is fed to a reassembler of
 * our own codec with generous limits. The reassembler borrows its input until a
 * packet is complete, so each message is kept as an exact-size copy until then. */
#ifndef SIOCONFORM_FUZZ_SIO_OUT_H
#define SIOCONFORM_FUZZ_SIO_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sioref/sio_binary.h"
#include "sioref/sio_codec.h"

#define FUZZ_OUT_MAX_ATT 64 /* the layer may echo up to its input limit */

/* Limits of the output check: FUZZ_OUT_MAX_ATT attachments, JSON depth 1024. */
extern const sio_codec_opts fuzz_out_opts;

typedef struct fuzz_sio_out {
  sio_reasm reasm; /* the packets written so far, reassembled */
  ref_span slots[FUZZ_OUT_MAX_ATT];
  uint8_t **keep; /* copies of output messages the reassembler points into */
  size_t nkeep, capkeep;
} fuzz_sio_out;

/* Starts O empty (O owned by the caller, zeroed or not). A failure is a finding. */
void fuzz_sio_out_init(fuzz_sio_out *o);

/* Keeps an exact-size copy of DATA/LEN (borrowed) in O, so reading past LEN is caught,
 * and returns it; O owns it until the packet completes or O is forgotten. */
const uint8_t *fuzz_sio_out_keep(fuzz_sio_out *o, const uint8_t *data, size_t len);

/* Feeds COPY/LEN (from fuzz_sio_out_keep) to the reassembler as a text or binary
 * message; *P gets a completed packet. A completed packet frees the kept copies.
 * Returns the reassembler's result (negative: the output does not reassemble). */
int fuzz_sio_out_feed(fuzz_sio_out *o, bool binary, const uint8_t *copy, size_t len, sio_packet *p);

/* Frees every kept copy (the reassembler state is left as it is). */
void fuzz_sio_out_forget(fuzz_sio_out *o);

#endif
