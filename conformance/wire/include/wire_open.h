/* The Engine.IO v4 open packet without I/O (EIO-HS-2): '0' followed by a JSON object
 * with sid, upgrades, pingInterval, pingTimeout and maxPayload. A small scanner of its
 * own reads it (no JSON library): the harness and sioload stay independent of ref/,
 * and a client needs only these five fields. */
#ifndef WIRE_OPEN_H
#define WIRE_OPEN_H

#include <stddef.h>
#include <stdint.h>

#include "wire_http.h"

/* Bits of wire_open.upgrades. */
#define WIRE_UPGRADE_WEBSOCKET 1u
#define WIRE_UPGRADE_OTHER     2u /* any other name in the list */

typedef struct wire_open {
  wire_span sid;         /* the string's bytes between the quotes, escapes not decoded */
  int has_upgrades;      /* "upgrades" present (an array of strings) */
  unsigned upgrades;     /* WIRE_UPGRADE_* bits */
  int64_t ping_interval; /* ms; -1 when absent */
  int64_t ping_timeout;  /* ms; -1 when absent */
  int64_t max_payload;   /* bytes; -1 when absent (EIO-HS-2 wants it, python omits it) */
} wire_open;

/* Parse the open packet P/LEN (type digit included, e.g. `0{"sid":"x",...}`) into O.
 * Other keys are skipped; of a repeated key the last value is kept, and a wrong value
 * of a known key is an error even when repeated correctly later.
 * WIRE_OK, WIRE_E_OPEN_TYPE, WIRE_E_OPEN_JSON (not exactly one object, nesting
 * deeper than 32), WIRE_E_OPEN_SID, WIRE_E_OPEN_FIELD (a number that is not a whole
 * number from 0 to 2^53, an "upgrades" that is not an array of strings). */
wire_err wire_open_parse(const unsigned char *p, size_t len, wire_open *o);

#endif
