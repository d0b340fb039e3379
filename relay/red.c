/*
 * red.c — reading RFC 2198 block headers (red.h).
 *
 *   redundant block header (F = 1): 1 bit F, 7 bits PT, 14 bits timestamp
 *   offset, 10 bits block length; primary block header (F = 0): 1 bit F,
 *   7 bits PT. The blocks' data follow all headers, in header order, the
 *   primary's last and running to the end of the payload.
 */
#include "relay/red.h"

#include "common/common.h"

int sv_red_primary(const uint8_t *p, size_t len, uint8_t *pt, size_t *off, size_t *plen) {
  size_t hdr = 0, data = 0;
  for (;;) {
    if (hdr >= len) return SV_EINVAL;
    if (!(p[hdr] & 0x80)) break; /* F = 0: the primary block's header */
    if (len - hdr < 4) return SV_EINVAL;
    data += (size_t)((p[hdr + 2] & 0x03) << 8 | p[hdr + 3]);
    hdr += 4;
  }
  *pt = p[hdr] & 0x7f;
  hdr += 1;
  if (data > len - hdr) return SV_EINVAL; /* redundant blocks longer than the packet */
  *off = hdr + data;
  *plen = len - *off;
  return 0;
}
