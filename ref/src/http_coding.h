/* HTTP content coding of polling bodies for sioref (http_coding.c): which coding a
 * request's Accept-Encoding lets the server use, and the body coded with zlib. Sans-I/O
 * (no libwebsockets, no sockets): the adapter (lws_http.c) reads the header and writes
 * the result. Spec: spec/engine.io-v4.md section 13.2, EIO-CMP-8..EIO-CMP-10. */
#ifndef SIOREF_HTTP_CODING_H
#define SIOREF_HTTP_CODING_H

#include <stddef.h>
#include <stdint.h>

/* The coding to answer a request whose Accept-Encoding is ACCEPT (NULL: no header)
 * with: "gzip", "deflate", or NULL for none. The highest q-value wins (RFC 9110 section
 * 12.5.3), gzip before deflate on a tie (as engine.io's `accepts` picks); q=0 excludes
 * a coding, "*" stands for any coding not listed. No header: NULL (EIO-CMP-10: the
 * official servers compress only when asked). A malformed q-value excludes that
 * member. */
const char *sioref_coding_pick(const char *accept);

/* Code IN/LEN in CODING ("gzip": RFC 1952; "deflate": the zlib format, RFC 1950) into a
 * new buffer *BUF (caller frees) whose first HEADROOM bytes are left free (lws writes
 * need LWS_PRE bytes before the data); the coded bytes start at *BUF + HEADROOM and are
 * *OUT_LEN long. 0, or -1 (an unknown coding, no memory, a zlib failure). */
int sioref_coding_encode(const char *coding, const uint8_t *in, size_t len, size_t headroom,
                         uint8_t **buf, size_t *out_len);

#endif
