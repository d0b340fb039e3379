/*
 * test_tap.c — the recorder's tap: packets come out in order with their
 * arrival time, a full ring drops (and counts) instead of waiting, packets
 * too big or empty are dropped, a closed tap takes nothing more, and a
 * consumer thread running alongside the producer sees every packet that
 * was not dropped, unchanged; the framing to samvei-record round-trips.
 */
#include <glib.h>

#include "check.h"
#include "common/common.h"
#include "common/tap.h"

static void fill(uint8_t *buf, size_t len, uint32_t seq) {
  for (size_t i = 0; i < len; i++)
    buf[i] = (uint8_t)(seq * 31u + i);
}

static void test_order_and_full(void) {
  sv_tap *t = sv_tap_new();
  uint8_t rtp[200];
  for (uint32_t i = 0; i < SV_TAP_SLOTS + 10; i++) {
    fill(rtp, sizeof rtp, i);
    bool ok = sv_tap_push(t, SV_TAP_VP8, 96, rtp, sizeof rtp, 1000 + i);
    CHECK(ok == (i < SV_TAP_SLOTS));
  }
  CHECK_EQ_INT(sv_tap_pushed(t), SV_TAP_SLOTS);
  CHECK_EQ_INT(sv_tap_dropped(t), 10);
  sv_tap_packet *p = g_new(sv_tap_packet, 1);
  for (uint32_t i = 0; i < SV_TAP_SLOTS; i++) {
    CHECK(sv_tap_pop(t, p));
    fill(rtp, sizeof rtp, i);
    CHECK_EQ_INT(p->arrival_us, 1000 + i);
    CHECK_EQ_INT(p->len, sizeof rtp);
    CHECK_EQ_INT(p->codec, SV_TAP_VP8);
    CHECK_EQ_INT(p->pt, 96);
    CHECK(memcmp(p->data, rtp, sizeof rtp) == 0);
  }
  CHECK(!sv_tap_pop(t, p));
  /* Room again once drained. */
  CHECK(sv_tap_push(t, SV_TAP_OPUS, 111, rtp, 20, 5));
  CHECK(sv_tap_pop(t, p) && p->codec == SV_TAP_OPUS && p->len == 20);
  g_free(p);
  sv_tap_unref(t);
}

static void test_bad_sizes_and_close(void) {
  sv_tap *t = sv_tap_new();
  static uint8_t big[SV_TAP_MAX_RTP + 1];
  CHECK(!sv_tap_push(t, SV_TAP_VP8, 96, big, sizeof big, 1));
  CHECK(!sv_tap_push(t, SV_TAP_VP8, 96, big, 0, 1));
  CHECK(sv_tap_push(t, SV_TAP_VP8, 96, big, SV_TAP_MAX_RTP, 1));
  CHECK_EQ_INT(sv_tap_dropped(t), 2);
  CHECK(!sv_tap_is_closed(t));
  sv_tap_close(t);
  CHECK(sv_tap_is_closed(t));
  CHECK(!sv_tap_push(t, SV_TAP_VP8, 96, big, 10, 2));
  sv_tap_packet *p = g_new(sv_tap_packet, 1);
  CHECK(sv_tap_pop(t, p) && p->len == SV_TAP_MAX_RTP); /* what was in it still comes out */
  CHECK(!sv_tap_pop(t, p));
  g_free(p);
  /* Two references: the first unref keeps it alive. */
  sv_tap_ref(t);
  sv_tap_unref(t);
  CHECK(sv_tap_is_closed(t));
  sv_tap_unref(t);
}

#define THREAD_PACKETS 200000

static gpointer consume(gpointer data) {
  sv_tap *t = data;
  sv_tap_packet *p = g_new(sv_tap_packet, 1);
  uint64_t last = 0, got = 0, bad = 0;
  uint8_t want[64];
  for (;;) {
    /* Closed before an empty pop: nothing more can come. */
    bool closed = sv_tap_is_closed(t);
    if (!sv_tap_pop(t, p)) {
      if (closed) break;
      continue;
    }
    fill(want, sizeof want, (uint32_t)p->arrival_us);
    if (p->arrival_us <= last || p->len != sizeof want || memcmp(p->data, want, sizeof want) != 0)
      bad++;
    last = p->arrival_us;
    got++;
  }
  g_free(p);
  return GSIZE_TO_POINTER(bad ? 0 : got);
}

static void test_threads(void) {
  sv_tap *t = sv_tap_new();
  GThread *th = g_thread_new("consumer", consume, sv_tap_ref(t));
  uint8_t rtp[64];
  for (uint32_t i = 1; i <= THREAD_PACKETS; i++) {
    fill(rtp, sizeof rtp, i);
    sv_tap_push(t, SV_TAP_H264, 102, rtp, sizeof rtp, i);
  }
  sv_tap_close(t);
  uint64_t got = GPOINTER_TO_SIZE(g_thread_join(th));
  CHECK(got > 0); /* 0: a packet came out corrupted or out of order */
  CHECK_EQ_INT(got + sv_tap_dropped(t), THREAD_PACKETS);
  CHECK_EQ_INT(got, sv_tap_pushed(t));
  sv_tap_unref(t);
  sv_tap_unref(t);
}

/* The framing to samvei-record: what the writer makes, the reader takes
 * back unchanged; a header the writer cannot make is refused. */
static void test_frame(void) {
  sv_tap_packet *p = g_new0(sv_tap_packet, 1), *q = g_new0(sv_tap_packet, 1);
  uint8_t hdr[SV_TAP_FRAME_HEADER];
  *p = (sv_tap_packet){
      .arrival_us = 0x0102030405060708ull, .len = 1200, .codec = SV_TAP_H264, .pt = 102};
  sv_tap_frame_header(p, hdr);
  CHECK(sv_tap_frame_parse(hdr, q));
  CHECK_EQ_INT(q->arrival_us, p->arrival_us);
  CHECK_EQ_INT(q->len, 1200);
  CHECK_EQ_INT(q->codec, SV_TAP_H264);
  CHECK_EQ_INT(q->pt, 102);
  static const struct {
    uint16_t len;
    uint8_t codec;
  } bad[] = {{0, SV_TAP_VP8}, {SV_TAP_MAX_RTP + 1, SV_TAP_VP8}, {100, 0}, {100, SV_TAP_H264 + 1}};
  for (size_t i = 0; i < SV_ARRAY_LEN(bad); i++) {
    p->len = bad[i].len;
    p->codec = bad[i].codec;
    sv_tap_frame_header(p, hdr);
    CHECK(!sv_tap_frame_parse(hdr, q));
  }
  p->len = SV_TAP_MAX_RTP;
  p->codec = SV_TAP_OPUS;
  sv_tap_frame_header(p, hdr);
  CHECK(sv_tap_frame_parse(hdr, q));
  hdr[15] = 1; /* the padding is zero */
  CHECK(!sv_tap_frame_parse(hdr, q));
  g_free(p);
  g_free(q);
}

int main(void) {
  RUN(test_order_and_full);
  RUN(test_frame);
  RUN(test_bad_sizes_and_close);
  RUN(test_threads);
  return check_summary();
}
