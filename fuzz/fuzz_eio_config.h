/* The 4-byte input header of the fuzz targets that drive the Engine.IO router
 * (eio_session, eio_sio_glue): it picks the session configuration, with short timers
 * so that the virtual clock reaches them. gen_seeds.py writes this header. */
#ifndef SIOCONFORM_FUZZ_EIO_CONFIG_H
#define SIOCONFORM_FUZZ_EIO_CONFIG_H

#include "fuzz_script.h"

#include "sioref/eio_session.h"

/* Reads the header from R into C (owned by the caller, already given its defaults):
 *   byte 0: ping interval 1 + 4*b ms;  byte 1: ping timeout 1 + 4*b ms;
 *   byte 2: maxPayload PAYLOAD_BASE + PAYLOAD_STEP*b bytes;
 *   byte 3 (flags): bit 0 no upgrades, bit 1 16 bytes of headroom, and
 *     t = (flags >> 4) & TIMEOUT_MASK: upgrade timeout 50 + 100*t ms, close timeout
 *     100 + 100*t ms. The other bits are the target's own.
 * Returns the flags byte. */
uint8_t fuzz_eio_config_read(fuzz_reader *r, eio_config *c, unsigned payload_base,
                             unsigned payload_step, unsigned timeout_mask);

#endif
