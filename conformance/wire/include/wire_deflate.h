/* Compression on the wire without I/O (spec/engine.io-v4.md section 13, EIO-CMP-*):
 * the permessage-deflate extension of RFC 7692 (the answer to an offer checked and
 * read, messages deflated and inflated with or without context takeover) and the HTTP
 * content codings gzip and deflate of polling bodies (RFC 9110 section 8.4.1). Built on
 * zlib, which allocates its own state; outputs go to a growing caller-owned sink. No
 * sockets, no clock. */
#ifndef WIRE_DEFLATE_H
#define WIRE_DEFLATE_H

#include <stddef.h>

#include "wire_err.h"

/* The parameters of a permessage-deflate offer or answer (RFC 7692 section 7.1).
 * Window bits: 0 = parameter absent, 8..15 = its value; for client_max_window_bits in
 * an offer, -1 = present without a value ("the client can take any value"). */
typedef struct wire_pmd_params {
  int accepted; /* an answer: 1 when it holds a permessage-deflate element */
  int server_no_context_takeover, client_no_context_takeover;
  int server_max_window_bits, client_max_window_bits;
} wire_pmd_params;

/* Read the server's Sec-WebSocket-Extensions answer VALUE/LEN (VALUE NULL or empty: no
 * extension accepted) to the client's offer OFFER into OUT. WIRE_OK (OUT->accepted 0 or
 * 1), or WIRE_E_PMD_ANSWER with WHY (may be NULL; a static sentence) naming the first
 * RFC 7692 / RFC 6455 rule the answer breaks: an extension not offered, more than one
 * element, an unknown or repeated parameter, a bad value, client_max_window_bits not in
 * the offer, a missing server_no_context_takeover that was offered, a
 * server_max_window_bits larger than offered or absent when offered (EIO-CMP-2,
 * EIO-CMP-3). */
wire_err wire_pmd_answer(const char *value, size_t len, const wire_pmd_params *offer,
                         wire_pmd_params *out, const char **why);

/* A growing output buffer; P is malloc'd (free it), LEN bytes used of CAP. */
typedef struct wire_sink {
  unsigned char *p;
  size_t len, cap;
} wire_sink;
void wire_sink_free(wire_sink *s);

/* One direction of permessage-deflate: a deflater (the sender's side) or an inflater
 * (the receiver's). Opaque zlib state; wire_pmd_end frees it. */
typedef struct wire_pmd wire_pmd;

/* A deflater using WINDOW_BITS (8..15; zlib takes 8 as 9, RFC 7692 section 7.1.2.1
 * allows a smaller window than announced, never a larger one) that starts every message
 * afresh when NO_TAKEOVER, else keeps its context (EIO-CMP-4, EIO-CMP-5). NULL when
 * zlib has no memory. */
wire_pmd *wire_pmd_deflater(int window_bits, int no_takeover);
/* An inflater for a peer that refers at most 2^WINDOW_BITS back (8..15) and resets
 * between messages when NO_TAKEOVER. NULL on no memory. */
wire_pmd *wire_pmd_inflater(int window_bits, int no_takeover);
void wire_pmd_end(wire_pmd *z);

/* Compress one whole message IN/LEN (may be empty) into OUT (appended): DEFLATE data
 * ending with a sync flush whose 00 00 ff ff tail is removed (RFC 7692 section 7.2.1).
 * WIRE_OK or WIRE_E_CODING (zlib failed). */
wire_err wire_pmd_deflate(wire_pmd *z, const unsigned char *in, size_t len, wire_sink *out);

/* Inflate one whole compressed message IN/LEN (its frames' payloads joined) into OUT
 * (appended), the 00 00 ff ff tail added first (section 7.2.2). WIRE_OK,
 * WIRE_E_CODING (not valid DEFLATE data, a reference beyond the window, or data after a
 * final block), WIRE_E_TOO_LARGE (more than LIMIT bytes inflated: the rest is not
 * produced; LIMIT 0 = no limit). After an error the inflater is reset. */
wire_err wire_pmd_inflate(wire_pmd *z, const unsigned char *in, size_t len, size_t limit,
                          wire_sink *out);

/* Decode an HTTP body IN/LEN in content coding CODING ("gzip" or "x-gzip": RFC 1952;
 * "deflate": the zlib format of RFC 1950, as RFC 9110 section 8.4.1.2 defines it;
 * "identity": copied) into OUT (appended). WIRE_OK; WIRE_E_CODING (not one complete
 * stream of that format, bytes after its end, or a coding not listed here);
 * WIRE_E_TOO_LARGE (more than LIMIT bytes, LIMIT 0 = none). */
wire_err wire_http_decode_body(const char *coding, const unsigned char *in, size_t len,
                               size_t limit, wire_sink *out);

/* Encode IN/LEN in CODING ("gzip" or "deflate", as above) into OUT (appended), for
 * tests and servers. WIRE_OK or WIRE_E_CODING. */
wire_err wire_http_encode_body(const char *coding, const unsigned char *in, size_t len,
                               wire_sink *out);

/* Does the Accept-Encoding value ACCEPT (NULL: no header) accept CODING (RFC 9110
 * section 12.5.3)? Listed with a q-value above 0, or covered by "*" with one above 0
 * and not listed with q=0. "identity" is acceptable unless excluded. No header: only
 * identity (the stricter reading EIO-CMP-10 takes). 1 yes, 0 no. */
int wire_http_coding_accepted(const char *accept, const char *coding);

#endif
