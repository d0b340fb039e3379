/*
 * fuzz_rtp.c — libFuzzer target for relay/rtp.c: everything the relay does
 * with an inbound datagram before it forwards it (classify, parse, keyframe
 * detection for both video codecs, the VP8 payload descriptor whose
 * picture ID and TL0PICIDX the forwarder rewrites, receive statistics,
 * rewrite), on arbitrary bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "relay/rtp.h"
#include "relay/sdp.h"
#include "relay/vp8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  (void)sv_pkt_classify(data, size);
  /* The keyframe detectors also see raw bytes, as if they were a payload. */
  (void)sv_rtp_is_keyframe(SV_CODEC_VP8, data, size);
  (void)sv_rtp_is_keyframe(SV_CODEC_H264, data, size);

  sv_rtp_header h;
  if (sv_rtp_parse(data, size, &h) != 0) return 0;
  if (h.header_len + h.payload_len > size)
    abort(); /* the parser promised the payload is inside the buffer */
  const uint8_t *payload = data + h.header_len;
  (void)sv_rtp_is_keyframe(SV_CODEC_VP8, payload, h.payload_len);
  (void)sv_rtp_is_keyframe(SV_CODEC_H264, payload, h.payload_len);
  /* What the parser says it found must be inside the payload. */
  sv_vp8_desc d;
  if (sv_vp8_desc_parse(payload, h.payload_len, &d) == 0 &&
      ((d.has_picid && d.picid_off + (d.picid_long ? 2u : 1u) > h.payload_len) ||
       (d.has_tl0 && d.tl0_off + 1u > h.payload_len)))
    abort();

  /* Statistics from the header fields, with the input as a clock. */
  sv_rtp_stats st = {.clock_rate = 90000};
  sv_rtcp_report_block rb;
  sv_rtp_stats_update(&st, h.seq, h.ts, size, (uint64_t)h.ts * 11);
  sv_rtp_stats_update(&st, (uint16_t)(h.seq ^ h.ssrc), h.ts + h.ssrc, size, h.ssrc);
  sv_rtp_stats_report(&st, h.ssrc, &rb);

  /* Rewrite a copy the way the forwarder does; the result must parse
   * to the same lengths. */
  uint8_t *copy = malloc(size);
  if (!copy) return 0;
  memcpy(copy, data, size);
  sv_rtp_rewrite(copy, (uint8_t)(h.pt + 1), (uint16_t)(h.seq + 7), h.ts + 90000, ~h.ssrc);
  sv_rtp_header h2;
  if (sv_rtp_parse(copy, size, &h2) != 0 || h2.header_len != h.header_len ||
      h2.payload_len != h.payload_len || h2.marker != h.marker ||
      h2.pt != (uint8_t)((h.pt + 1) & 0x7f) || h2.ssrc != ~h.ssrc)
    abort();
  free(copy);
  return 0;
}
