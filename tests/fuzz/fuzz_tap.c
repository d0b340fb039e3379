/*
 * fuzz_tap.c — libFuzzer target for the recorder's input: the framed
 * packets samvei-record reads on its standard input (common/tap.h,
 * sv_tap_frame_parse, as media/record_main.c reads them), carried through
 * the tap ring (sv_tap_push / sv_tap_pop, as the relay and the pump
 * thread move them), and the H.264 parameter-set lookup the recorder runs
 * on each H.264 packet before its first SPS (media/h264.c).
 *
 * The input is the byte stream on the pipe. Frames are read until one is
 * refused or the input ends, as samvei-record does. Every frame accepted
 * must go through the ring unchanged, in order, and framed again must give
 * back the exact header it came with; a header that was refused must be
 * one the writer cannot make.
 */
#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "common/tap.h"
#include "media/h264.h"

typedef struct {
  const uint8_t *hdr, *data;
} frame_ref;

static sv_tap_packet out; /* too big for the stack of some fuzzers' threads */

/* Pops one packet and checks it against the oldest frame still queued. */
static void pop_one(sv_tap *tap, frame_ref *queue, size_t *tail, size_t head) {
  SV_ASSERT(*tail < head);
  SV_ASSERT(sv_tap_pop(tap, &out));
  const frame_ref *f = &queue[(*tail)++ % SV_TAP_SLOTS];
  uint8_t hdr[SV_TAP_FRAME_HEADER];
  sv_tap_frame_header(&out, hdr);
  SV_ASSERT(memcmp(hdr, f->hdr, sizeof hdr) == 0);
  SV_ASSERT(memcmp(out.data, f->data, out.len) == 0);
  int w = -1, h = -1;
  if (out.codec == SV_TAP_H264 && sv_h264_rtp_sps_size(out.data, out.len, &w, &h))
    SV_ASSERT(w > 0 && h > 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static frame_ref queue[SV_TAP_SLOTS];
  size_t head = 0, tail = 0;
  sv_tap *tap = sv_tap_new();
  sv_tap_packet *in = g_new(sv_tap_packet, 1);
  size_t off = 0;
  while (size - off >= SV_TAP_FRAME_HEADER) {
    const uint8_t *hdr = data + off;
    if (!sv_tap_frame_parse(hdr, in)) {
      /* Refused: the writer cannot have made this header. */
      SV_ASSERT(in->len == 0 || in->len > SV_TAP_MAX_RTP || in->codec < SV_TAP_OPUS ||
                in->codec > SV_TAP_H264 || hdr[12] || hdr[13] || hdr[14] || hdr[15]);
      break;
    }
    if (size - off - SV_TAP_FRAME_HEADER < in->len) break; /* the pipe ended mid-packet */
    const uint8_t *rtp = hdr + SV_TAP_FRAME_HEADER;
    off += SV_TAP_FRAME_HEADER + in->len;
    if (head - tail == SV_TAP_SLOTS) {
      /* Full: the next push is dropped and counted, and nothing waits. */
      uint64_t dropped = sv_tap_dropped(tap);
      SV_ASSERT(!sv_tap_push(tap, in->codec, in->pt, rtp, in->len, in->arrival_us));
      SV_ASSERT(sv_tap_dropped(tap) == dropped + 1);
      pop_one(tap, queue, &tail, head);
    }
    SV_ASSERT(sv_tap_push(tap, in->codec, in->pt, rtp, in->len, in->arrival_us));
    queue[head++ % SV_TAP_SLOTS] = (frame_ref){hdr, rtp};
    /* The consumer takes a packet after each one with an odd arrival time,
     * so the input decides when the ring fills. */
    if (in->arrival_us & 1) pop_one(tap, queue, &tail, head);
  }
  while (tail < head)
    pop_one(tap, queue, &tail, head);
  SV_ASSERT(!sv_tap_pop(tap, &out));
  sv_tap_close(tap);
  SV_ASSERT(!sv_tap_push(tap, SV_TAP_OPUS, 111, data, size ? 1 : 0, 0));
  sv_tap_unref(tap);
  g_free(in);
  return 0;
}
