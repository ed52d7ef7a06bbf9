/* The results of every wire decoder: WIRE_OK, WIRE_MORE (the input stops before the
 * item does; call again with more bytes), or one named error (negative). A decoder
 * never reads past the length it is given, whatever the bytes say. */
#ifndef WIRE_ERR_H
#define WIRE_ERR_H

typedef enum wire_err {
  WIRE_OK = 0,
  WIRE_MORE = 1,
  /* WebSocket (RFC 6455 section 5) */
  WIRE_E_WS_LENGTH = -1,               /* 64-bit payload length with the top bit set (5.2) */
  WIRE_E_WS_MASKED = -2,               /* a server frame is masked (5.1) */
  WIRE_E_WS_UNMASKED = -3,             /* a client frame is not masked (5.1) */
  WIRE_E_WS_RSV = -4,                  /* reserved bits set, no extension agreed (5.2) */
  WIRE_E_WS_OPCODE = -5,               /* reserved opcode 3-7 or 11-15 (5.2) */
  WIRE_E_WS_CONTROL_FRAGMENTED = -6,   /* control frame without FIN (5.5) */
  WIRE_E_WS_CONTROL_LENGTH = -7,       /* control frame payload over 125 bytes (5.5) */
  WIRE_E_WS_CONT_WITHOUT_MESSAGE = -8, /* continuation frame with no message open (5.4) */
  WIRE_E_WS_MESSAGE_INTERLEAVED = -9,  /* new data message before the last one ended (5.4) */
  /* HTTP/1.1 (RFC 9112) */
  WIRE_E_HTTP_VERSION = -20,        /* does not start with "HTTP/" (response) */
  WIRE_E_HTTP_STATUS = -21,         /* no three-digit status code */
  WIRE_E_HTTP_REQUEST_LINE = -22,   /* not METHOD SP TARGET SP HTTP/1.x */
  WIRE_E_HTTP_OBS_FOLD = -23,       /* a header line starts with SP or HT (5.2) */
  WIRE_E_HTTP_CONTENT_LENGTH = -24, /* Content-Length that is not a decimal number (6.3) */
  WIRE_E_HTTP_CHUNK = -25,          /* chunk size that is not hexadecimal, or too big (7.1) */
  WIRE_E_HTTP_TRUNCATED = -26,      /* the connection ended inside the message */
  /* Engine.IO open packet (EIO-HS-2) */
  WIRE_E_OPEN_TYPE = -40,  /* the packet is not an open packet ("0...") */
  WIRE_E_OPEN_JSON = -41,  /* its data is not one JSON object */
  WIRE_E_OPEN_SID = -42,   /* no "sid", or not a non-empty string */
  WIRE_E_OPEN_FIELD = -43, /* a known field of the wrong type (numbers: whole, >= 0) */
  /* Engine.IO v3 polling payloads (spec/engine.io-v3.md section 3) */
  WIRE_E_V3_LENGTH = -60, /* a bad or overrunning length prefix (EIO-TPL-3, EIO-TPL-13) */
  WIRE_E_V3_UTF8 = -61,   /* a text segment that is not UTF-8 (EIO-TPL-7) */
  WIRE_E_V3_EMPTY = -62,  /* an empty body, or an empty binary segment (EIO-TPL-5, -14) */
  /* Compression (spec/engine.io-v4.md section 13) */
  WIRE_E_PMD_ANSWER = -80, /* a permessage-deflate answer that breaks RFC 7692 (EIO-CMP-2, -3) */
  WIRE_E_CODING = -81,     /* data that does not inflate / decode in its coding (EIO-CMP-6, -9) */
  WIRE_E_TOO_LARGE = -82,  /* inflated past the caller's limit (EIO-CMP-7) */
} wire_err;

/* The enumerator's name, e.g. "WIRE_E_WS_RSV"; "WIRE_E_?" for a value not listed. */
const char *wire_err_name(wire_err e);

#endif
