/* Small helpers shared by every harness module: a growable byte buffer, a monotonic
 * clock, SHA-1 and base64 (for the WebSocket handshake and polling binary packets). */
#ifndef CT_UTIL_H
#define CT_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* A growable byte buffer. DATA is owned by the buffer and always NUL-terminated
 * (one spare byte past LEN) so text can be printed directly. */
typedef struct ct_buf {
  unsigned char *data;
  size_t len;
  size_t cap;
} ct_buf;

/* Append LEN bytes. Aborts the process on out-of-memory (the harness is a CLI
 * tool: nothing useful can be done without memory). */
void ct_buf_add(ct_buf *b, const void *p, size_t len);
void ct_buf_adds(ct_buf *b, const char *s);
void ct_buf_printf(ct_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ct_buf_vprintf(ct_buf *b, const char *fmt, va_list ap);
/* Drop the first N bytes (N <= len). */
void ct_buf_consume(ct_buf *b, size_t n);
void ct_buf_reset(ct_buf *b);
void ct_buf_free(ct_buf *b);
/* Take ownership of the NUL-terminated data (never NULL); the buffer is left empty. */
char *ct_buf_steal(ct_buf *b);
/* Read the whole file PATH into OUT (emptied first; NUL-terminated after its LEN bytes).
 * Returns 0, or -1 when it cannot be opened or read (OUT then holds what was read). */
int ct_buf_read_file(ct_buf *out, const char *path);
/* The whole file PATH as a NUL-terminated string (caller frees), or NULL. */
char *ct_read_file(const char *path);

/* Milliseconds from a monotonic clock. */
int64_t ct_now_ms(void);
void ct_sleep_ms(int64_t ms);

/* xmalloc-style helpers: abort on out-of-memory. */
void *ct_xmalloc(size_t n);
void *ct_xrealloc(void *p, size_t n);
char *ct_xstrdup(const char *s);
char *ct_xstrndup(const char *s, size_t n);
char *ct_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* SHA-1 of IN into OUT[20]. */
void ct_sha1(const void *in, size_t len, unsigned char out[20]);

/* Base64 (RFC 4648 with padding). encode writes into OUT (must hold 4*ceil(len/3)+1
 * bytes, NUL-terminated) and returns the length. decode returns the decoded length
 * or -1 when IN is not canonical padded base64; OUT must hold len/4*3 bytes. */
size_t ct_b64_encode(const unsigned char *in, size_t len, char *out);
long ct_b64_decode(const char *in, size_t len, unsigned char *out);

/* Hex: encode LEN bytes into OUT (2*len+1). decode returns the length or -1. */
void ct_hex_encode(const unsigned char *in, size_t len, char *out);
long ct_hex_decode(const char *in, unsigned char *out, size_t cap);

/* Append a printable rendering of bytes to B: text as a JSON-ish escaped string,
 * cut after MAX bytes with a note. */
void ct_buf_add_escaped(ct_buf *b, const unsigned char *p, size_t len, size_t max);

/* A copy of P/LEN (caller frees) where every byte that is not part of well-formed
 * UTF-8, and every NUL, is written as \\xNN: report files must be valid UTF-8. */
char *ct_utf8_sanitize(const unsigned char *p, size_t len);

/* True when BUF/LEN is well-formed UTF-8. */
int ct_utf8_valid(const unsigned char *p, size_t len);

#endif
