/* The Engine.IO fuzz targets' input header (see fuzz_eio_config.h). */
#include "fuzz_eio_config.h"

uint8_t fuzz_eio_config_read(fuzz_reader *r, eio_config *c, unsigned payload_base,
                             unsigned payload_step, unsigned timeout_mask) {
  c->ping_interval_ms = 1u + fuzz_u8(r) * 4u; /* short timers: the clock moves */
  c->ping_timeout_ms = 1u + fuzz_u8(r) * 4u;
  c->max_payload_bytes = payload_base + fuzz_u8(r) * payload_step;
  uint8_t flags = fuzz_u8(r);
  c->allow_upgrades = !(flags & 1);
  c->out_headroom = (flags & 2) ? 16 : 0;
  c->upgrade_timeout_ms = 50u + ((flags >> 4) & timeout_mask) * 100u;
  c->close_timeout_ms = 100u + ((flags >> 4) & timeout_mask) * 100u;
  return flags;
}
