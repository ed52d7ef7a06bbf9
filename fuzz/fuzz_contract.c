/* The contract's namespaces and events and the packet-text builders of the Socket.IO
 * fuzz targets (see fuzz_contract.h; CT-* in spec/contract.md). */
#include "fuzz_contract.h"

#include <stdio.h>
#include <string.h>

const char *const fuzz_namespaces[FUZZ_NAMESPACE_COUNT] = {"/", "/custom", "/auth", "/nope"};

const char *const fuzz_events[FUZZ_EVENT_COUNT] = {
    "message",     "message-with-ack", "extensions",  "join",          "leave",    "to-room",
    "to-room-all", "broadcast",        "request-ack", "disconnect-me", "close-me", "auth"};

const char *fuzz_event(uint8_t e) { return fuzz_events[e % FUZZ_EVENT_COUNT]; }

int fuzz_nsp_prefix(char *out, size_t cap, uint8_t n) {
  const char *ns = fuzz_namespaces[n % FUZZ_NAMESPACE_COUNT];
  return strcmp(ns, "/") == 0 ? snprintf(out, cap, "%s", "") : snprintf(out, cap, "%s,", ns);
}

size_t fuzz_json_string(char *out, size_t cap, const uint8_t *b, size_t len) {
  size_t o = 0;
  out[o++] = '"';
  for (size_t i = 0; i < len && o + 8 < cap; i++) {
    uint8_t c = b[i];
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
      out[o++] = (char)c;
    else
      o += (size_t)snprintf(out + o, cap - o, "\\u%04x", c);
  }
  out[o++] = '"';
  out[o] = '\0';
  return o;
}
