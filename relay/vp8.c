/*
 * vp8.c — reading and rewriting the picture ID and TL0PICIDX of a VP8
 * payload descriptor (RFC 7741 4.2), for layer switches in the forwarder.
 */
#include "relay/vp8.h"

#include "common/common.h"

int sv_vp8_desc_parse(const uint8_t *p, size_t len, sv_vp8_desc *d) {
  *d = (sv_vp8_desc){0};
  if (len < 1) return SV_EINVAL;
  if (!(p[0] & 0x80)) return 0; /* X = 0: no picture ID, no TL0PICIDX */
  if (len < 2) return SV_EINVAL;
  uint8_t x = p[1];
  size_t off = 2;
  if (x & 0x80) { /* I */
    if (off >= len) return SV_EINVAL;
    d->has_picid = true;
    d->picid_off = off;
    if (p[off] & 0x80) { /* M: 15 bits */
      if (off + 1 >= len) return SV_EINVAL;
      d->picid_long = true;
      d->picid = (uint16_t)((p[off] & 0x7f) << 8 | p[off + 1]);
      off += 2;
    } else {
      d->picid = p[off] & 0x7f;
      off += 1;
    }
  }
  if (x & 0x40) { /* L */
    if (off >= len) return SV_EINVAL;
    d->has_tl0 = true;
    d->tl0_off = off;
    d->tl0 = p[off];
  }
  return 0;
}

void sv_vp8_desc_write(uint8_t *p, const sv_vp8_desc *d, uint16_t picid, uint8_t tl0) {
  if (d->has_picid) {
    if (d->picid_long) {
      p[d->picid_off] = (uint8_t)(0x80 | ((picid >> 8) & 0x7f));
      p[d->picid_off + 1] = (uint8_t)picid;
    } else {
      p[d->picid_off] = (uint8_t)(picid & 0x7f);
    }
  }
  if (d->has_tl0) p[d->tl0_off] = tl0;
}
