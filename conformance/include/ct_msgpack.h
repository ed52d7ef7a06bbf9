/* The msgpack parser on the harness side (msgpack.c; spec/msgpack.md, issue 14): a
 * Socket.IO packet in its text form ("2/chat,12[\"x\",1]", as the cases write it) to the
 * one msgpack map {type, nsp, data?, id?} a msgpack server takes (SIO-MP-1, SIO-MP-2,
 * SIO-MP-15, SIO-MP-16), and a received map back to that text form, so that the cases'
 * expectations read the same under both parsers. Binary values travel as msgpack bin
 * and read back as {"$bin": "<hex>"} (SIO-MP-14); an ext value a server sends reads as
 * {"$ext": TYPE}, so that a case can see it (SIO-MP-5). Built on msgpack-c (Debian's
 * libmsgpack-dev), never on ref/'s codec: the reference is one of the servers checked. */
#ifndef CT_MSGPACK_H
#define CT_MSGPACK_H

#include <stddef.h>

#include "ct_util.h"

/* 1 when the harness was built with msgpack-c (--parser msgpack needs it). */
int ct_mp_available(void);

/* Encode the text packet P/N (no Engine.IO "4" in front) into OUT. Returns 0, or -1 when
 * P is not a packet the msgpack parser can carry (attachments, a type above 4, bad JSON). */
int ct_mp_from_text(const char *p, size_t n, ct_buf *out);

/* Decode one msgpack packet P/N into its text form in OUT (no "4" in front). Returns 0, or
 * -1 when P is not one map with an int type and a str nsp. */
int ct_mp_to_text(const unsigned char *p, size_t n, ct_buf *out);

#endif
