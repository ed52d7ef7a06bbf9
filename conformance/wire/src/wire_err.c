/* Names of the wire results, for messages and test failures. */
#include "wire_err.h"

const char *wire_err_name(wire_err e) {
  switch (e) {
#define N(x)                                                                                       \
  case x:                                                                                          \
    return #x;
    N(WIRE_OK)
    N(WIRE_MORE)
    N(WIRE_E_WS_LENGTH)
    N(WIRE_E_WS_MASKED)
    N(WIRE_E_WS_UNMASKED)
    N(WIRE_E_WS_RSV)
    N(WIRE_E_WS_OPCODE)
    N(WIRE_E_WS_CONTROL_FRAGMENTED)
    N(WIRE_E_WS_CONTROL_LENGTH)
    N(WIRE_E_WS_CONT_WITHOUT_MESSAGE)
    N(WIRE_E_WS_MESSAGE_INTERLEAVED)
    N(WIRE_E_HTTP_VERSION)
    N(WIRE_E_HTTP_STATUS)
    N(WIRE_E_HTTP_REQUEST_LINE)
    N(WIRE_E_HTTP_OBS_FOLD)
    N(WIRE_E_HTTP_CONTENT_LENGTH)
    N(WIRE_E_HTTP_CHUNK)
    N(WIRE_E_HTTP_TRUNCATED)
    N(WIRE_E_OPEN_TYPE)
    N(WIRE_E_OPEN_JSON)
    N(WIRE_E_OPEN_SID)
    N(WIRE_E_OPEN_FIELD)
    N(WIRE_E_V3_LENGTH)
    N(WIRE_E_V3_UTF8)
    N(WIRE_E_V3_EMPTY)
    N(WIRE_E_PMD_ANSWER)
    N(WIRE_E_CODING)
    N(WIRE_E_TOO_LARGE)
#undef N
  }
  return "WIRE_E_?";
}
