/* Packet equality oracles shared by the codec fuzz targets: two decodes of the same
 * packet (after a round trip, or by two decoding paths) must agree field by field.
 * A difference is a finding (FUZZ_CHECK aborts with WHAT). */
#ifndef SIOCONFORM_FUZZ_SAME_H
#define SIOCONFORM_FUZZ_SAME_H

#include "sioref/eio_codec.h"
#include "sioref/sio_codec.h"

/* Type, kind and data bytes equal (eio_packet, eio_payload). */
void fuzz_same_eio_packet(const eio_packet *a, const eio_packet *b, const char *what);

/* Type, namespace, ack id, attachment count and data bytes equal (sio_packet,
 * sio_binary). */
void fuzz_same_sio_packet(const sio_packet *a, const sio_packet *b, const char *what);

#endif
