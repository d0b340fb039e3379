/*
 * vp8.h — the VP8 RTP payload descriptor (RFC 7741 4.2) as far as a relay
 * that switches simulcast layers must touch it: the picture ID and
 * TL0PICIDX, which a decoder uses to notice lost frames. Each layer counts
 * them on its own, so a subscriber that is moved to another layer would see
 * a jump it takes for loss; the forwarder rewrites them into one sequence.
 * Pure functions on caller-owned bytes, lengths checked before each read.
 */
#ifndef SV_VP8_H
#define SV_VP8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sv_vp8_desc {
  bool has_picid;
  bool picid_long; /* 15-bit picture ID (M bit), else 7-bit */
  uint16_t picid;
  size_t picid_off; /* offset of the picture ID's first byte in the payload */
  bool has_tl0;
  uint8_t tl0;
  size_t tl0_off;
} sv_vp8_desc;

/* Reads the descriptor at the start of an RTP payload. Returns 0, or
 * SV_EINVAL when it is cut short (nothing in *d is meaningful then). */
int sv_vp8_desc_parse(const uint8_t *payload, size_t len, sv_vp8_desc *d);

/* Writes picid (masked to the descriptor's 7 or 15 bits) and tl0 into the
 * payload that sv_vp8_desc_parse read as d; fields the descriptor lacks are
 * left alone. Can't fail. */
void sv_vp8_desc_write(uint8_t *payload, const sv_vp8_desc *d, uint16_t picid, uint8_t tl0);

#endif
