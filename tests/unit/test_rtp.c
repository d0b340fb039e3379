/*
 * test_rtp.c — unit tests for relay/rtp.c: demultiplexing, header parsing
 * and rewriting, VP8/H.264 keyframe detection and RFC 3550 receive
 * statistics, on packets built byte by byte.
 */
#include "relay/rtp.h"

#include "common/common.h"
#include "relay/sdp.h"
#include "tests/unit/check.h"

/* A VP8 keyframe: V=2 P=1 X=1 CC=0, marker + PT 96, seq 0x1234,
 * ts 0xdeadbeef, SSRC 0x11223344, a one-word one-byte-header extension,
 * VP8 descriptor with X/I (15-bit PictureID), VP8 key frame header, and 3
 * bytes of padding. */
static const uint8_t vp8_key[] = {
    0xb0, 0xe0, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 0x11, 0x22, 0x33, 0x44, /* fixed */
    0xbe, 0xde, 0x00, 0x01, 0x10, 0xaa, 0x00, 0x00,                         /* ext */
    0x90, 0x80, 0x81, 0x23,                   /* descriptor: X S, I, M PictureID */
    0x50, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x80, /* frame tag (P=0), start code, width */
    0x02, 0xe0, 0x01,                         /* height */
    0x00, 0x00, 0x03,                         /* padding */
};

/* A VP8 delta frame: no extension or padding, S=1 PID=0, P=1. */
static const uint8_t vp8_delta[] = {
    0x80, 0x60, 0x12, 0x35, 0xde, 0xad, 0xbe, 0xef, 0x11,
    0x22, 0x33, 0x44, 0x10, 0x31, 0x02, 0x00, 0xaa, 0xbb,
};

static void test_classify(void) {
  uint8_t b[2] = {0, 0};
  static const struct {
    uint8_t first;
    sv_pkt_class want;
  } cases[] = {
      {0, SV_PKT_STUN},  {3, SV_PKT_STUN},  {4, SV_PKT_UNKNOWN},   {19, SV_PKT_UNKNOWN},
      {20, SV_PKT_DTLS}, {63, SV_PKT_DTLS}, {64, SV_PKT_UNKNOWN},  {127, SV_PKT_UNKNOWN},
      {128, SV_PKT_RTP}, {191, SV_PKT_RTP}, {192, SV_PKT_UNKNOWN}, {255, SV_PKT_UNKNOWN},
  };
  for (size_t i = 0; i < SV_ARRAY_LEN(cases); i++) {
    b[0] = cases[i].first;
    b[1] = 96;
    CHECK_EQ_INT(sv_pkt_classify(b, 2), cases[i].want);
  }
  /* RTCP by the second byte: PT 200 (SR) .. 223; RTP PT 96 with marker is
   * 224, PT 64..95 with marker would be 192..223. */
  b[0] = 0x80;
  b[1] = 200;
  CHECK_EQ_INT(sv_pkt_classify(b, 2), SV_PKT_RTCP);
  b[1] = 192;
  CHECK_EQ_INT(sv_pkt_classify(b, 2), SV_PKT_RTCP);
  b[1] = 223;
  CHECK_EQ_INT(sv_pkt_classify(b, 2), SV_PKT_RTCP);
  b[1] = 0x80 | 96;
  CHECK_EQ_INT(sv_pkt_classify(b, 2), SV_PKT_RTP);
  b[1] = 191;
  CHECK_EQ_INT(sv_pkt_classify(b, 2), SV_PKT_RTP);
  b[1] = 96;
  CHECK_EQ_INT(sv_pkt_classify(b, 2), SV_PKT_RTP);
  /* Too short to read the second byte, or empty. */
  CHECK_EQ_INT(sv_pkt_classify(b, 1), SV_PKT_UNKNOWN);
  CHECK_EQ_INT(sv_pkt_classify(b, 0), SV_PKT_UNKNOWN);
  CHECK_EQ_INT(sv_pkt_classify(NULL, 5), SV_PKT_UNKNOWN);
  b[0] = 22; /* DTLS handshake needs only one byte to classify */
  CHECK_EQ_INT(sv_pkt_classify(b, 1), SV_PKT_DTLS);
}

static void test_parse_vp8_key(void) {
  sv_rtp_header h;
  CHECK_EQ_INT(sv_rtp_parse(vp8_key, sizeof vp8_key, &h), 0);
  CHECK_EQ_INT(h.pt, 96);
  CHECK(h.marker);
  CHECK_EQ_INT(h.seq, 0x1234);
  CHECK_EQ_INT(h.ts, 0xdeadbeefu);
  CHECK_EQ_INT(h.ssrc, 0x11223344u);
  CHECK_EQ_INT(h.header_len, 20);
  CHECK_EQ_INT(h.payload_len, sizeof vp8_key - 20 - 3);
  CHECK(sv_rtp_is_keyframe(SV_CODEC_VP8, vp8_key + h.header_len, h.payload_len));
  /* The same bytes are not an H.264 keyframe (0x90: forbidden bit, type 16). */
  CHECK(!sv_rtp_is_keyframe(SV_CODEC_H264, vp8_key + h.header_len, h.payload_len));
  CHECK(!sv_rtp_is_keyframe(SV_CODEC_OPUS, vp8_key + h.header_len, h.payload_len));
  CHECK(!sv_rtp_is_keyframe(SV_CODEC_UNKNOWN, vp8_key + h.header_len, h.payload_len));
}

static void test_parse_vp8_delta(void) {
  sv_rtp_header h;
  CHECK_EQ_INT(sv_rtp_parse(vp8_delta, sizeof vp8_delta, &h), 0);
  CHECK(!h.marker);
  CHECK_EQ_INT(h.pt, 96);
  CHECK_EQ_INT(h.header_len, 12);
  CHECK_EQ_INT(h.payload_len, 6);
  CHECK(!sv_rtp_is_keyframe(SV_CODEC_VP8, vp8_delta + 12, h.payload_len));
}

static void test_parse_csrc_and_padding_only(void) {
  /* CC=2, P=1, no payload at all: 4 bytes of padding (Chrome's probes). */
  const uint8_t pkt[] = {0xa2, 0x6f, 0x00, 0x01, 0, 0, 0, 1, 0, 0, 0, 2,
                         0,    0,    0,    3,    0, 0, 0, 4, 0, 0, 0, 4};
  sv_rtp_header h;
  CHECK_EQ_INT(sv_rtp_parse(pkt, sizeof pkt, &h), 0);
  CHECK_EQ_INT(h.pt, 111);
  CHECK_EQ_INT(h.header_len, 20);
  CHECK_EQ_INT(h.payload_len, 0);
}

static void test_parse_malformed(void) {
  sv_rtp_header h;
  uint8_t b[64];
  memcpy(b, vp8_key, sizeof vp8_key);
  size_t n = sizeof vp8_key;
  CHECK_EQ_INT(sv_rtp_parse(b, 11, &h), SV_EINVAL);
  CHECK_EQ_INT(sv_rtp_parse(NULL, n, &h), SV_EINVAL);
  /* Version 1 and 3. */
  b[0] = 0x70;
  CHECK_EQ_INT(sv_rtp_parse(b, n, &h), SV_EINVAL);
  b[0] = 0xf0;
  CHECK_EQ_INT(sv_rtp_parse(b, n, &h), SV_EINVAL);
  /* CSRC count 15 runs past the end. */
  b[0] = 0x8f;
  CHECK_EQ_INT(sv_rtp_parse(b, n, &h), SV_EINVAL);
  /* Extension header cut off, then extension length past the end. */
  b[0] = 0x90;
  CHECK_EQ_INT(sv_rtp_parse(b, 14, &h), SV_EINVAL);
  CHECK_EQ_INT(sv_rtp_parse(b, 16, &h), SV_EINVAL);
  CHECK_EQ_INT(sv_rtp_parse(b, 20, &h), 0); /* exactly the extension, no payload */
  b[15] = 0xff;
  CHECK_EQ_INT(sv_rtp_parse(b, n, &h), SV_EINVAL);
  b[15] = 0x01;
  /* Padding count 0, padding over the header, padding with no room. */
  b[0] = 0xb0;
  b[n - 1] = 0;
  CHECK_EQ_INT(sv_rtp_parse(b, n, &h), SV_EINVAL);
  b[n - 1] = (uint8_t)(n - 20 + 1);
  CHECK_EQ_INT(sv_rtp_parse(b, n, &h), SV_EINVAL);
  b[n - 1] = (uint8_t)(n - 20);
  CHECK_EQ_INT(sv_rtp_parse(b, n, &h), 0);
  CHECK_EQ_INT(h.payload_len, 0);
  CHECK_EQ_INT(sv_rtp_parse(b, 20, &h), SV_EINVAL);
}

static void test_rewrite(void) {
  uint8_t b[sizeof vp8_key];
  memcpy(b, vp8_key, sizeof b);
  sv_rtp_rewrite(b, 100, 0xfffe, 0x01020304, 0xcafebabe);
  sv_rtp_header h;
  CHECK_EQ_INT(sv_rtp_parse(b, sizeof b, &h), 0);
  CHECK_EQ_INT(h.pt, 100);
  CHECK(h.marker);
  CHECK_EQ_INT(h.seq, 0xfffe);
  CHECK_EQ_INT(h.ts, 0x01020304u);
  CHECK_EQ_INT(h.ssrc, 0xcafebabeu);
  CHECK_EQ_INT(b[0], vp8_key[0]);
  CHECK(memcmp(b + 12, vp8_key + 12, sizeof b - 12) == 0);
  /* PT is 7 bits: a value with bit 7 set must not touch the marker. */
  uint8_t d[sizeof vp8_delta];
  memcpy(d, vp8_delta, sizeof d);
  sv_rtp_rewrite(d, 0x80 | 111, 1, 2, 3);
  CHECK_EQ_INT(sv_rtp_parse(d, sizeof d, &h), 0);
  CHECK(!h.marker);
  CHECK_EQ_INT(h.pt, 111);
  /* Round trip back to the original. */
  sv_rtp_rewrite(b, 96, 0x1234, 0xdeadbeef, 0x11223344);
  CHECK(memcmp(b, vp8_key, sizeof b) == 0);
}

static void test_vp8_descriptor(void) {
  /* No X: descriptor is one byte. */
  const uint8_t plain_key[] = {0x10, 0x00, 0x00, 0x00};
  const uint8_t plain_delta[] = {0x10, 0x01};
  /* Not the start of a partition, or not partition 0. */
  const uint8_t not_start[] = {0x00, 0x00};
  const uint8_t pid1[] = {0x11, 0x00};
  /* X with I (7-bit), L, T and K all present: 5 descriptor bytes. */
  const uint8_t all_ext_key[] = {0x90, 0xf0, 0x05, 0x07, 0x40, 0x00};
  const uint8_t all_ext_delta[] = {0x90, 0xf0, 0x05, 0x07, 0x40, 0x01};
  /* Only K present (shares the T byte). */
  const uint8_t k_only[] = {0x90, 0x10, 0x20, 0x00};
  /* Truncated inside the descriptor / before the payload header. */
  const uint8_t trunc_x[] = {0x90};
  const uint8_t trunc_i[] = {0x90, 0x80};
  const uint8_t trunc_m[] = {0x90, 0x80, 0x81, 0x23};
  CHECK(sv_rtp_is_keyframe(SV_CODEC_VP8, plain_key, sizeof plain_key));
  CHECK(!sv_rtp_is_keyframe(SV_CODEC_VP8, plain_delta, sizeof plain_delta));
  CHECK(!sv_rtp_is_keyframe(SV_CODEC_VP8, not_start, sizeof not_start));
  CHECK(!sv_rtp_is_keyframe(SV_CODEC_VP8, pid1, sizeof pid1));
  CHECK(sv_rtp_is_keyframe(SV_CODEC_VP8, all_ext_key, sizeof all_ext_key));
  CHECK(!sv_rtp_is_keyframe(SV_CODEC_VP8, all_ext_delta, sizeof all_ext_delta));
  CHECK(sv_rtp_is_keyframe(SV_CODEC_VP8, k_only, sizeof k_only));
  CHECK(!sv_rtp_is_keyframe(SV_CODEC_VP8, trunc_x, sizeof trunc_x));
  CHECK(!sv_rtp_is_keyframe(SV_CODEC_VP8, trunc_i, sizeof trunc_i));
  CHECK(!sv_rtp_is_keyframe(SV_CODEC_VP8, trunc_m, sizeof trunc_m));
  CHECK(!sv_rtp_is_keyframe(SV_CODEC_VP8, plain_key, 0));
  CHECK(!sv_rtp_is_keyframe(SV_CODEC_VP8, NULL, 4));
}

static void test_h264(void) {
  /* Single NAL units. */
  const uint8_t idr[] = {0x65, 0x88, 0x84};
  const uint8_t sps[] = {0x67, 0x42, 0xc0, 0x1f};
  const uint8_t pps[] = {0x68, 0xce, 0x3c, 0x80};
  const uint8_t slice[] = {0x41, 0x9a, 0x02};
  CHECK(sv_rtp_is_keyframe(SV_CODEC_H264, idr, sizeof idr));
  CHECK(sv_rtp_is_keyframe(SV_CODEC_H264, sps, sizeof sps));
  CHECK(!sv_rtp_is_keyframe(SV_CODEC_H264, pps, sizeof pps));
  CHECK(!sv_rtp_is_keyframe(SV_CODEC_H264, slice, sizeof slice));

  /* A whole RTP packet carrying STAP-A with SPS, PPS and IDR. */
  const uint8_t stap_pkt[] = {
      0x80, 0xe6, 0x00, 0x07, 0x00, 0x00, 0x0b, 0xb8, 0xab, 0xcd, 0xef, 0x01, /* PT 102 */
      0x78,                                                                   /* STAP-A */
      0x00, 0x04, 0x67, 0x42, 0xc0, 0x1f,                                     /* SPS */
      0x00, 0x04, 0x68, 0xce, 0x3c, 0x80,                                     /* PPS */
      0x00, 0x03, 0x65, 0x88, 0x84,                                           /* IDR */
  };
  sv_rtp_header h;
  CHECK_EQ_INT(sv_rtp_parse(stap_pkt, sizeof stap_pkt, &h), 0);
  CHECK_EQ_INT(h.pt, 102);
  CHECK(h.marker);
  CHECK(sv_rtp_is_keyframe(SV_CODEC_H264, stap_pkt + h.header_len, h.payload_len));

  /* STAP-A with the IDR last, after PPS and a slice. */
  const uint8_t stap_idr_last[] = {0x78, 0x00, 0x02, 0x68, 0xce, 0x00, 0x02,
                                   0x41, 0x9a, 0x00, 0x02, 0x65, 0x88};
  CHECK(sv_rtp_is_keyframe(SV_CODEC_H264, stap_idr_last, sizeof stap_idr_last));
  /* STAP-A without SPS/IDR. */
  const uint8_t stap_none[] = {0x78, 0x00, 0x02, 0x68, 0xce, 0x00, 0x02, 0x41, 0x9a};
  CHECK(!sv_rtp_is_keyframe(SV_CODEC_H264, stap_none, sizeof stap_none));
  /* STAP-A whose first size runs past the end: nothing is read from it. */
  const uint8_t stap_bad[] = {0x78, 0x00, 0x09, 0x67, 0x42};
  CHECK(!sv_rtp_is_keyframe(SV_CODEC_H264, stap_bad, sizeof stap_bad));
  const uint8_t stap_zero[] = {0x78, 0x00, 0x00, 0x67};
  CHECK(!sv_rtp_is_keyframe(SV_CODEC_H264, stap_zero, sizeof stap_zero));
  const uint8_t stap_short[] = {0x78, 0x00};
  CHECK(!sv_rtp_is_keyframe(SV_CODEC_H264, stap_short, sizeof stap_short));

  /* FU-A: start of an IDR, middle, end, start of a non-IDR slice. */
  const uint8_t fu_start_idr[] = {0x7c, 0x85, 0x88, 0x84};
  const uint8_t fu_mid_idr[] = {0x7c, 0x05, 0x11, 0x22};
  const uint8_t fu_end_idr[] = {0x7c, 0x45, 0x11};
  const uint8_t fu_start_slice[] = {0x5c, 0x81, 0x9a};
  const uint8_t fu_trunc[] = {0x7c};
  CHECK(sv_rtp_is_keyframe(SV_CODEC_H264, fu_start_idr, sizeof fu_start_idr));
  CHECK(!sv_rtp_is_keyframe(SV_CODEC_H264, fu_mid_idr, sizeof fu_mid_idr));
  CHECK(!sv_rtp_is_keyframe(SV_CODEC_H264, fu_end_idr, sizeof fu_end_idr));
  CHECK(!sv_rtp_is_keyframe(SV_CODEC_H264, fu_start_slice, sizeof fu_start_slice));
  CHECK(!sv_rtp_is_keyframe(SV_CODEC_H264, fu_trunc, sizeof fu_trunc));
  CHECK(!sv_rtp_is_keyframe(SV_CODEC_H264, idr, 0));
}

static void test_seq_newer(void) {
  CHECK(sv_seq_newer(1, 0));
  CHECK(sv_seq_newer(0, 65535));
  CHECK(!sv_seq_newer(65535, 0));
  CHECK(!sv_seq_newer(5, 5));
}

/* Feeds seqs with perfectly paced timestamps (90 kHz, 40 ms per frame). */
static void feed(sv_rtp_stats *st, const uint16_t *seqs, size_t n) {
  for (size_t i = 0; i < n; i++)
    sv_rtp_stats_update(st, seqs[i], 3600u * seqs[i], 1000, 1000000 + 40000u * seqs[i]);
}

static void test_stats_in_order(void) {
  sv_rtp_stats st = {.clock_rate = 90000};
  for (uint16_t s = 100; s < 200; s++)
    sv_rtp_stats_update(&st, s, 3600u * s, 1200, 5000000 + 40000u * s);
  CHECK(st.started);
  CHECK_EQ_INT(st.received, 100);
  CHECK_EQ_INT(st.bytes, 120000);
  sv_rtcp_report_block b;
  sv_rtp_stats_report(&st, 0x55, &b);
  CHECK_EQ_INT(b.ssrc, 0x55);
  CHECK_EQ_INT(b.fraction_lost, 0);
  CHECK_EQ_INT(b.cumulative_lost, 0);
  CHECK_EQ_INT(b.ext_highest_seq, 199);
  CHECK_EQ_INT(b.jitter, 0);
  CHECK_EQ_INT(b.lsr, 0);
  CHECK_EQ_INT(b.dlsr, 0);
  CHECK(st.jitter == 0.0);
}

static void test_stats_not_started(void) {
  sv_rtp_stats st = {.clock_rate = 48000};
  sv_rtcp_report_block b;
  sv_rtp_stats_report(&st, 7, &b);
  CHECK_EQ_INT(b.ssrc, 7);
  CHECK_EQ_INT(b.ext_highest_seq, 0);
  CHECK_EQ_INT(b.cumulative_lost, 0);
}

static void test_stats_loss(void) {
  sv_rtp_stats st = {.clock_rate = 90000};
  const uint16_t first[] = {0, 1, 2, 5, 6, 7, 8, 9}; /* 3 and 4 lost */
  feed(&st, first, SV_ARRAY_LEN(first));
  sv_rtcp_report_block b;
  sv_rtp_stats_report(&st, 1, &b);
  CHECK_EQ_INT(b.ext_highest_seq, 9);
  CHECK_EQ_INT(b.cumulative_lost, 2);
  CHECK_EQ_INT(b.fraction_lost, 2 * 256 / 10);
  /* Next interval: 10..19 with no loss: fraction back to 0, total stays. */
  for (uint16_t s = 10; s < 20; s++)
    feed(&st, &s, 1);
  sv_rtp_stats_report(&st, 1, &b);
  CHECK_EQ_INT(b.fraction_lost, 0);
  CHECK_EQ_INT(b.cumulative_lost, 2);
  /* Next: 20..23 received, 24..27 lost, 28 received: 4 of 9 lost. */
  const uint16_t third[] = {20, 21, 22, 23, 28};
  feed(&st, third, SV_ARRAY_LEN(third));
  sv_rtp_stats_report(&st, 1, &b);
  CHECK_EQ_INT(b.fraction_lost, 4 * 256 / 9);
  CHECK_EQ_INT(b.cumulative_lost, 6);
  /* The late arrival of 3 and 4 lowers the total (not the next fraction). */
  const uint16_t late[] = {3, 4, 29};
  feed(&st, late, SV_ARRAY_LEN(late));
  sv_rtp_stats_report(&st, 1, &b);
  CHECK_EQ_INT(b.fraction_lost, 0);
  CHECK_EQ_INT(b.cumulative_lost, 4);
  /* Nothing arrived since: all zeros interval. */
  sv_rtp_stats_report(&st, 1, &b);
  CHECK_EQ_INT(b.fraction_lost, 0);
  CHECK_EQ_INT(b.ext_highest_seq, 29);
}

static void test_stats_reorder_and_duplicates(void) {
  sv_rtp_stats st = {.clock_rate = 90000};
  const uint16_t seqs[] = {10, 11, 13, 12, 14, 16, 15};
  feed(&st, seqs, SV_ARRAY_LEN(seqs));
  sv_rtcp_report_block b;
  sv_rtp_stats_report(&st, 1, &b);
  CHECK_EQ_INT(b.ext_highest_seq, 16);
  CHECK_EQ_INT(b.cumulative_lost, 0);
  CHECK_EQ_INT(b.fraction_lost, 0);
  /* A duplicate makes received exceed expected: lost goes negative. */
  const uint16_t dup[] = {16, 17, 17};
  feed(&st, dup, SV_ARRAY_LEN(dup));
  sv_rtp_stats_report(&st, 1, &b);
  CHECK_EQ_INT(b.cumulative_lost, -2);
  CHECK_EQ_INT(b.fraction_lost, 0);
}

static void test_stats_wraparound(void) {
  sv_rtp_stats st = {.clock_rate = 90000};
  uint16_t s = 65530;
  for (int i = 0; i < 12; i++, s++) /* 65530..65535, 0..5 */
    sv_rtp_stats_update(&st, s, 1000u + 3600u * (uint32_t)i, 100, 40000u * (uint64_t)i);
  sv_rtcp_report_block b;
  sv_rtp_stats_report(&st, 1, &b);
  CHECK_EQ_INT(st.cycles, 65536);
  CHECK_EQ_INT(b.ext_highest_seq, 65536 + 5);
  CHECK_EQ_INT(b.cumulative_lost, 0);
  CHECK_EQ_INT(b.fraction_lost, 0);
  CHECK_EQ_INT(b.jitter, 0);
  /* A late packet from before the wrap does not add a cycle. */
  sv_rtp_stats_update(&st, 65533, 1000u + 3600u * 3, 100, 40000u * 3);
  CHECK_EQ_INT(st.cycles, 65536);
  CHECK_EQ_INT(st.max_seq, 5);
}

static void test_stats_restart(void) {
  sv_rtp_stats st = {.clock_rate = 90000};
  const uint16_t seqs[] = {100, 101, 102};
  feed(&st, seqs, SV_ARRAY_LEN(seqs));
  /* A jump of more than MAX_DROPOUT: the sender restarted. */
  sv_rtp_stats_update(&st, 40000, 0, 100, 2000000);
  sv_rtp_stats_update(&st, 40001, 3600, 100, 2040000);
  sv_rtcp_report_block b;
  sv_rtp_stats_report(&st, 1, &b);
  CHECK_EQ_INT(b.ext_highest_seq, 40001);
  CHECK_EQ_INT(b.cumulative_lost, 0);
  CHECK_EQ_INT(b.fraction_lost, 0);
  CHECK_EQ_INT(st.received, 2);
}

static void test_stats_jitter(void) {
  /* 48 kHz audio, 20 ms packets: perfectly paced stays at 0. */
  sv_rtp_stats st = {.clock_rate = 48000};
  uint32_t ts = 0xfffff000u; /* crosses the timestamp wrap on the way */
  for (uint16_t s = 0; s < 50; s++, ts += 960)
    sv_rtp_stats_update(&st, s, ts, 80, 123456789 + 20000u * s);
  CHECK(st.jitter == 0.0);
  /* One packet 10 ms late: D = 480 units, J = 480/16 = 30. */
  sv_rtp_stats_update(&st, 50, ts, 80, 123456789 + 20000u * 50 + 10000);
  CHECK_EQ_INT((int)st.jitter, 30);
  sv_rtcp_report_block b;
  sv_rtp_stats_report(&st, 1, &b);
  CHECK_EQ_INT(b.jitter, 30);
  /* Without a clock rate jitter is not computed. */
  sv_rtp_stats none = {0};
  sv_rtp_stats_update(&none, 1, 0, 10, 0);
  sv_rtp_stats_update(&none, 2, 99999, 10, 1);
  CHECK(none.jitter == 0.0);
}

int main(void) {
  RUN(test_classify);
  RUN(test_parse_vp8_key);
  RUN(test_parse_vp8_delta);
  RUN(test_parse_csrc_and_padding_only);
  RUN(test_parse_malformed);
  RUN(test_rewrite);
  RUN(test_vp8_descriptor);
  RUN(test_h264);
  RUN(test_seq_newer);
  RUN(test_stats_in_order);
  RUN(test_stats_not_started);
  RUN(test_stats_loss);
  RUN(test_stats_reorder_and_duplicates);
  RUN(test_stats_wraparound);
  RUN(test_stats_restart);
  RUN(test_stats_jitter);
  return check_summary();
}
