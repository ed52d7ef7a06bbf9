/* A WebSocket client (RFC 6455) with byte-level control: the harness can send any
 * frame (fragmented, unmasked, reserved bits, bad opcodes) and still read the server's
 * frames through a reassembler that answers pings and records close frames. */
#ifndef CT_WS_H
#define CT_WS_H

#include <stddef.h>

#include "ct_http.h"
#include "ct_util.h"
#include "wire_deflate.h"
#include "wire_ws.h" /* the opcodes WIRE_WS_* */

/* One decoded frame; PAYLOAD borrows from the decoder's input and is still masked
 * when MASKED (unmask with ct_ws_unmask). */
typedef struct ct_ws_frame {
  int fin, rsv, opcode, masked;
  unsigned char mask[4];
  const unsigned char *payload;
  size_t len;
} ct_ws_frame;

/* Append one frame to OUT. MASK: 4 bytes, or NULL for an unmasked frame (which a
 * client must never send: cases use it to test the server). RSV: the three reserved
 * bits as a number 0..7. */
void ct_ws_encode(ct_buf *out, int fin, int rsv, int opcode, const unsigned char *payload,
                  size_t len, const unsigned char *mask);

/* Decode one frame from BUF/LEN. Returns the bytes it spans (> 0), 0 when more bytes
 * are needed, -1 when the header is malformed (64-bit length with the top bit set). */
long ct_ws_decode(const unsigned char *buf, size_t len, ct_ws_frame *f);

/* XOR P/LEN in place with MASK (position 0 = mask[0]). */
void ct_ws_unmask(unsigned char *p, size_t len, const unsigned char mask[4]);

/* Sec-WebSocket-Accept for KEY (24-char base64 key): writes 28 chars + NUL. */
void ct_ws_accept_key(const char *key, char out[29]);

/* A client connection. */
typedef struct ct_ws {
  int fd;          /* -1 when closed */
  ct_buf rx;       /* unparsed bytes */
  ct_buf msg;      /* message being reassembled */
  int msg_op;      /* opcode of that message, 0 when none in progress */
  int closed;      /* 1 once the connection is over (close frame or EOF) */
  int close_code;  /* from the server's close frame; 0 none, 1005 empty */
  int got_close;   /* a close frame arrived (vs an abrupt EOF) */
  char error[128]; /* why a protocol error was flagged, "" when none */
  /* permessage-deflate (RFC 7692, EIO-CMP-*), both NULL unless negotiated
   * (ct_ws_negotiate): the server's messages with RSV1 are inflated, the client's data
   * messages are deflated while COMPRESS_OUT is set */
  wire_pmd *inflater, *deflater;
  int compress_out;
  int msg_compressed; /* the message being reassembled had RSV1 on its first frame */
} ct_ws;

/* Connect to HOST:PORT, send the upgrade request for TARGET with EXTRA header lines
 * (CRLF-terminated, may be NULL) and read the answer into RESP (caller frees).
 * Returns 0 on 101 with a correct accept key, -1 connect failure, -2 a response that
 * is not 101 (RESP holds it), -3 101 with a wrong accept key, -4 no answer. */
int ct_ws_connect(ct_ws *ws, const char *host, int port, const char *target, const char *extra,
                  int timeout_ms, ct_http_resp *resp);

/* Send one complete masked message (or control frame) with OPCODE. Returns 0 or -1. */
int ct_ws_send(ct_ws *ws, int opcode, const void *p, size_t len);
/* Send bytes exactly as given (pre-built frames). Returns 0 or -1. */
int ct_ws_send_raw(ct_ws *ws, const void *p, size_t len);

/* Take the next complete data message without blocking. Answers pings with pongs
 * and a close frame with a close frame. Returns 1 (OPCODE and OUT set; OUT is reset
 * first), 0 nothing complete yet, -1 closed (see closed/close_code/error). */
int ct_ws_next(ct_ws *ws, int *opcode, ct_buf *out);

void ct_ws_close(ct_ws *ws);

/* After a 101 to a request that offered OFFER (a Sec-WebSocket-Extensions value naming
 * permessage-deflate and its parameters), read the server's ANSWER (the response's
 * Sec-WebSocket-Extensions, NULL when absent) and set WS up to match it (EIO-CMP-2,
 * EIO-CMP-3). Returns 1 negotiated, 0 declined, -1 an answer that breaks RFC 7692 (WHY
 * then names the rule). */
int ct_ws_negotiate(ct_ws *ws, const char *offer, const char *answer, const char **why);
/* Free the compression state of WS (its connection may stay closed or be reused). */
void ct_ws_free_ext(ct_ws *ws);

#endif
