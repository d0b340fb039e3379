/*
 * fuzz_h264.c — libFuzzer target for the recorder's H.264 SPS parser
 * (media/h264.c), which reads the picture size from the first SPS of a
 * participant's stream; the bytes come from the network through the relay.
 *
 * The input is read as a NAL unit (sv_h264_sps_size), as an RTP packet
 * (sv_h264_rtp_sps_size: single NAL unit or STAP-A), and as the payload of
 * an RTP packet the harness wraps around it, so both paths see every input.
 * A size is reported only when it is positive and within the parser's
 * limits (at most 1024 macroblocks, 16 pixels each, per side), and a
 * refusal leaves the caller's values alone.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "media/h264.h"

static void check_size(bool ok, int w, int h) {
  if (!ok) {
    SV_ASSERT(w == -1 && h == -1); /* untouched */
    return;
  }
  SV_ASSERT(w > 0 && w <= 1024 * 16);
  SV_ASSERT(h > 0 && h <= 1024 * 16 * 2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 4096) return 0;
  int w = -1, h = -1;
  bool ok = sv_h264_sps_size(data, size, &w, &h);
  check_size(ok, w, h);
  w = h = -1;
  ok = sv_h264_rtp_sps_size(data, size, &w, &h);
  check_size(ok, w, h);

  /* The same bytes as the payload of a minimal RTP packet. */
  uint8_t *pkt = malloc(12 + size);
  if (!pkt) return 0;
  static const uint8_t hdr[12] = {0x80, 102, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1};
  memcpy(pkt, hdr, sizeof hdr);
  if (size) memcpy(pkt + 12, data, size);
  w = h = -1;
  ok = sv_h264_rtp_sps_size(pkt, 12 + size, &w, &h);
  check_size(ok, w, h);
  /* A single NAL unit that is an SPS must give the same answer either way. */
  if (size > 0 && (data[0] & 0x1f) == 7) {
    int w2 = -1, h2 = -1;
    bool ok2 = sv_h264_sps_size(data, size, &w2, &h2);
    SV_ASSERT(ok == ok2 && (!ok || (w == w2 && h == h2)));
  }
  free(pkt);
  return 0;
}
