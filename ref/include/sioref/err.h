/* One error enum for every layer of the reference implementation.
 *
 * Convention (see ../../../spec and DESIGN): 0 is success, a positive value is a
 * length or a count, a negative value is one of the codes below. The ranges say
 * who is at fault:
 *   -1   .. -99   local misuse or resource trouble (the caller's bug; nothing changed)
 *   -100 .. -149  Engine.IO peer violation caught by the codec (wire form)
 *   -150 .. -199  Engine.IO peer violation caught by the session (sequence, state)
 *   -200 .. -249  Socket.IO peer violation caught by the codec
 *   -250 .. -299  Socket.IO peer violation caught by the server layer
 *   <= -900       fatal: the reference code itself is broken
 * Each code has a stable kebab-case name used by vectors/errors.json and the vector
 * files, and one sentence for humans. Every codec-range name appears in some invalid
 * vector (ci/check-trace); session-range names are exercised by the state-machine tests. The table
 * is an X-macro so the enum, the names and the sentences can never drift apart; a test compares it
 * with errors.json. */
#ifndef SIOREF_ERR_H
#define SIOREF_ERR_H

#define REF_ERR_TABLE(X)                                                                           \
  X(INVALID_ARGUMENT, -1, "invalid-argument", "a required argument was NULL or out of range")      \
  X(OUT_OF_MEMORY, -2, "out-of-memory", "an allocation failed")                                    \
  X(BAD_STATE, -3, "bad-state", "the call is not allowed in the object's current state")           \
  X(BUFFER_TOO_SMALL, -4, "buffer-too-small", "the caller's output buffer is too small")           \
  X(EMPTY_PACKET, -100, "empty-packet", "a packet had no bytes at all, not even a type")           \
  X(BAD_PACKET_TYPE, -101, "bad-packet-type", "the packet type is not one the protocol defines")   \
  X(BAD_BASE64, -102, "bad-base64", "a base64-encoded binary packet is not valid base64")          \
  X(INVALID_UTF8, -103, "invalid-utf8", "text that must be UTF-8 is not valid UTF-8")              \
  X(PAYLOAD_TOO_LARGE, -104, "payload-too-large", "a message or body exceeds maxPayload")          \
  X(TOO_MANY_PACKETS, -105, "too-many-packets", "a polling body holds more packets than allowed")  \
  X(BAD_LENGTH_PREFIX, -106, "bad-length-prefix",                                                  \
    "a v3 payload segment's marker, length or ':' is malformed, or its length overruns the body")  \
  X(POLL_OVERLAP, -150, "poll-overlap", "a second polling GET arrived while one was held")         \
  X(UPGRADE_REFUSED, -151, "upgrade-refused", "the session cannot take this upgrade now")          \
  X(TRANSPORT_MISMATCH, -152, "transport-mismatch",                                                \
    "a request came on a transport the session no longer uses")                                    \
  X(UNEXPECTED_PACKET, -153, "unexpected-packet",                                                  \
    "the client sent a packet type only a server may send (open, noop) or upgrade out of turn")    \
  X(BAD_ATTACHMENT_COUNT, -200, "bad-attachment-count",                                            \
    "the attachment count is missing, not a positive integer, or not followed by '-'")             \
  X(TOO_MANY_ATTACHMENTS, -201, "too-many-attachments",                                            \
    "the attachment count exceeds the configured limit")                                           \
  X(ACK_ID_OUT_OF_RANGE, -202, "ack-id-out-of-range",                                              \
    "the ack id has too many digits or exceeds 2^53-1")                                            \
  X(INVALID_JSON, -203, "invalid-json", "the payload is not valid JSON text")                      \
  X(JSON_TOO_DEEP, -204, "json-too-deep", "the JSON payload nests deeper than allowed")            \
  X(BAD_PAYLOAD_SHAPE, -205, "bad-payload-shape",                                                  \
    "the payload is missing or has the wrong JSON type for this packet type")                      \
  X(BAD_EVENT_NAME, -206, "bad-event-name", "an event's first element is missing or not a string") \
  X(RESERVED_EVENT_NAME, -207, "reserved-event-name",                                              \
    "the event name is reserved and must not be sent")                                             \
  X(MISSING_ACK_ID, -208, "missing-ack-id", "an ACK or BINARY_ACK packet has no ack id")           \
  X(UNEXPECTED_ACK_ID, -209, "unexpected-ack-id",                                                  \
    "a CONNECT, DISCONNECT or CONNECT_ERROR packet carries an ack id")                             \
  X(BAD_PLACEHOLDER, -210, "bad-placeholder", "a placeholder's num is not a non-negative integer") \
  X(PLACEHOLDER_OUT_OF_RANGE, -211, "placeholder-out-of-range",                                    \
    "a placeholder refers to an attachment that does not exist")                                   \
  X(PLACEHOLDER_DUPLICATE, -212, "placeholder-duplicate",                                          \
    "two placeholders refer to the same attachment")                                               \
  X(ATTACHMENT_UNUSED, -213, "attachment-unused",                                                  \
    "an attachment is not referred to by any placeholder")                                         \
  X(UNEXPECTED_BINARY, -214, "unexpected-binary",                                                  \
    "a binary message arrived while no attachments were expected")                                 \
  X(UNEXPECTED_TEXT, -215, "unexpected-text",                                                      \
    "a text message arrived while attachments were still expected")                                \
  X(ATTACHMENTS_PENDING, -216, "attachments-pending",                                              \
    "the input ended before every declared attachment arrived")                                    \
  X(BAD_MSGPACK, -217, "bad-msgpack",                                                              \
    "a msgpack packet is not one well-formed map with string keys and no ext values")              \
  X(BAD_NAMESPACE, -218, "bad-namespace",                                                          \
    "the namespace is missing, not a string, or does not start with '/'")                          \
  X(BAD_ACK_ID, -219, "bad-ack-id", "the ack id is not an integer from 0 to 2^53-1")               \
  X(INTERNAL, -900, "internal", "an internal invariant was broken (a bug in sioref)")

typedef enum ref_err {
  REF_OK = 0,
#define REF_ERR_ENUM_(sym, code, name, text) REF_ERR_##sym = (code),
  REF_ERR_TABLE(REF_ERR_ENUM_)
#undef REF_ERR_ENUM_
} ref_err;

/* The stable vector name of a code ("bad-packet-type"), or NULL for a code not in
 * the table. 0 maps to "ok". Returns a static string; never fails otherwise. */
const char *ref_err_name(int code);

/* One human sentence for a code, or NULL for a code not in the table. Static. */
const char *ref_err_text(int code);

/* The code whose vector name is NAME, or 1 when no code has that name (1 is never
 * an error code, so callers can tell). NAME must be NUL-terminated. */
int ref_err_from_name(const char *name);

/* Number of entries in the table (not counting REF_OK), and the code at index I
 * (0 <= I < count), for tests and tools that enumerate every code. */
int ref_err_count(void);
int ref_err_at(int i);

#endif
