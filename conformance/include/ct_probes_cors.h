/* CORS with a configured origin (issue 16, item 3 "Reach"; spec/engine.io-v4.md section
 * 11, EIO-CORS-2, EIO-CORS-3): C probes run when the server under test was started with
 * --cors-origin O (spec/contract.md CT-6) and sioconform is told O with its own
 * --cors-origin. */
#ifndef CT_PROBES_CORS_H
#define CT_PROBES_CORS_H

#include "ct_case.h"

/* Add the configured-origin cases, each on the echo path and on the Socket.IO path:
 * {eio,sio.engine}.cors.configured.{allowed-origin,foreign-origin,preflight,credentials}.
 * main.c adds them only when --cors-origin is given, so runs without it keep their case
 * list (and their counts). */
void ct_probes_cors_register(ct_cases *cs);

#endif
