/* The test-app contract (spec/contract.md) as the Socket.IO fuzz targets use it: its
 * namespaces and event names, and builders for the text of well-formed packets, so a
 * few script bytes reach the application. Shared by sio_server and eio_sio_glue. */
#ifndef SIOCONFORM_FUZZ_CONTRACT_H
#define SIOCONFORM_FUZZ_CONTRACT_H

#include <stddef.h>
#include <stdint.h>

#define FUZZ_NAMESPACE_COUNT 4
#define FUZZ_EVENT_COUNT     12

/* "/", the contract's "/custom" and "/auth", and "/nope" (a namespace it does not have). */
extern const char *const fuzz_namespaces[FUZZ_NAMESPACE_COUNT];

/* Every event name the contract app handles. */
extern const char *const fuzz_events[FUZZ_EVENT_COUNT];

/* The event name chosen by script byte E. */
const char *fuzz_event(uint8_t e);

/* Writes the namespace prefix of a packet for script byte N into OUT/CAP: nothing for
 * "/", "/x," otherwise. Returns what snprintf returns. */
int fuzz_nsp_prefix(char *out, size_t cap, uint8_t n);

/* Writes B/LEN as one JSON string literal into OUT (CAP >= 10), escaping every byte
 * that is not printable ASCII or is '"' or '\\' as \u00XX so it is always valid JSON;
 * bytes that do not fit are dropped. Returns the length written (NUL not counted). */
size_t fuzz_json_string(char *out, size_t cap, const uint8_t *b, size_t len);

#endif
