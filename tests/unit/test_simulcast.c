/*
 * test_simulcast.c — layer choice with hysteresis, and the continuity of
 * what a subscriber sees across layer switches: sequence numbers,
 * timestamps, VP8 picture ID and TL0PICIDX (relay/simulcast.c, relay/vp8.c),
 * plus the header-extension rewrite every forwarded packet goes through
 * (relay/rtp.c sv_rtp_copy_out, sv_rtp_ext_get), and the grace before a
 * flowing video pauses for bandwidth (relay/adapt.c).
 */
#include "relay/simulcast.h"

#include "common/bytes.h"
#include "common/common.h"
#include "relay/router_int.h"
#include "relay/rtp.h"
#include "relay/sdp.h"
#include "relay/vp8.h"
#include "tests/unit/check.h"

static const uint32_t rates[3] = {150000, 500000, 1500000};

static void test_choose_fits(void) {
  CHECK_EQ_INT(sv_layer_choose(rates, 3, 0, 2, 3000000), 2);
  CHECK_EQ_INT(sv_layer_choose(rates, 3, 2, 2, 300000), 0);  /* down at once */
  CHECK_EQ_INT(sv_layer_choose(rates, 3, 2, 2, 1000000), 1); /* to the highest that fits */
  CHECK_EQ_INT(sv_layer_choose(rates, 3, 0, 1, 3000000), 1); /* the subscriber's limit */
  CHECK_EQ_INT(sv_layer_choose(rates, 3, 2, 0, 3000000), 0); /* a thumbnail */
  CHECK_EQ_INT(sv_layer_choose(rates, 1, 0, 2, 3000000), 0); /* one layer only */
}

static void test_choose_hysteresis(void) {
  /* Just above the next layer's rate is not enough to go up ... */
  CHECK_EQ_INT(sv_layer_choose(rates, 3, 0, 2, 520000), 0);
  /* ... but it is enough to stay once there. */
  CHECK_EQ_INT(sv_layer_choose(rates, 3, 1, 2, 520000), 1);
  CHECK_EQ_INT(sv_layer_choose(rates, 3, 0, 2, 580000), 1);
}

static void test_choose_pause(void) {
  CHECK_EQ_INT(sv_layer_choose(rates, 3, 0, 2, 100000), -1);
  /* The lowest layer is kept a little below its rate ... */
  CHECK_EQ_INT(sv_layer_choose(rates, 3, 0, 2, 120000), 0);
  /* ... but paused video comes back only with room over it. */
  CHECK_EQ_INT(sv_layer_choose(rates, 3, -1, 2, 120000), -1);
  CHECK_EQ_INT(sv_layer_choose(rates, 3, -1, 2, 160000), -1);
  CHECK_EQ_INT(sv_layer_choose(rates, 3, -1, 2, 170000), 0);
  /* A higher layer that stops fitting goes to the lowest, not to a pause. */
  CHECK_EQ_INT(sv_layer_choose(rates, 3, 2, 2, 120000), 0);
}

/* A budget too short for a flowing video's lowest layer pauses it only
 * once it has stayed short for the grace; a moment's dip does not, and a
 * paused video is not held on by it (relay/adapt.c). */
static void test_pause_grace(void) {
  sv_out o = {.kind = SV_KIND_VIDEO};
  sv_adapt_out_bound(&o);
  uint64_t t = 5000000;
  o.target = 1;
  CHECK_EQ_INT(sv_adapt_pause_grace(&o, -1, t), 0); /* short: lowest layer */
  o.target = 0;
  CHECK_EQ_INT(sv_adapt_pause_grace(&o, -1, t + SV_PAUSE_GRACE_US / 2), 0);
  CHECK_EQ_INT(sv_adapt_pause_grace(&o, 0, t + SV_PAUSE_GRACE_US * 3 / 4), 0); /* fits again */
  CHECK_EQ_INT(sv_adapt_pause_grace(&o, -1, t + SV_PAUSE_GRACE_US), 0);        /* a new grace */
  CHECK_EQ_INT(sv_adapt_pause_grace(&o, -1, t + SV_PAUSE_GRACE_US * 2 - 1), 0);
  CHECK_EQ_INT(sv_adapt_pause_grace(&o, -1, t + SV_PAUSE_GRACE_US * 2), -1); /* short for 1 s */
  o.target = -1;
  CHECK_EQ_INT(sv_adapt_pause_grace(&o, -1, t + SV_PAUSE_GRACE_US * 2 + 1), -1);
  CHECK_EQ_INT(sv_adapt_pause_grace(&o, 2, t + SV_PAUSE_GRACE_US * 3), 2);
}

/* Several videos share one link: the first ones keep their lowest layer,
 * the last pause; what is left lifts them in order. One video alone gets
 * what sv_layer_choose gives it. */
static void test_allocate(void) {
  int out[3];
  sv_layer_req two[2] = {{rates, 3, 0, 2}, {rates, 3, 0, 2}};
  sv_layer_allocate(two, 2, 260000, out); /* a 300 kbit/s link less audio */
  CHECK_EQ_INT(out[0], 0);
  CHECK_EQ_INT(out[1], -1);
  sv_layer_allocate(two, 2, 400000, out);
  CHECK_EQ_INT(out[0], 0);
  CHECK_EQ_INT(out[1], 0);
  sv_layer_allocate(two, 2, 2000000, out); /* the first one goes to the top */
  CHECK_EQ_INT(out[0], 2);
  CHECK_EQ_INT(out[1], 0);
  sv_layer_allocate(two, 2, 900000, out); /* the first goes up first */
  CHECK_EQ_INT(out[0], 1);
  CHECK_EQ_INT(out[1], 0);
  sv_layer_allocate(two, 2, 1200000, out);
  CHECK_EQ_INT(out[0], 1);
  CHECK_EQ_INT(out[1], 1);
  two[0].max_layer = 0; /* a thumbnail leaves the room to the other */
  sv_layer_allocate(two, 2, 2000000, out);
  CHECK_EQ_INT(out[0], 0);
  CHECK_EQ_INT(out[1], 2);
  /* Paused videos come back only with the resume margin. */
  sv_layer_req p[1] = {{rates, 3, -1, 2}};
  sv_layer_allocate(p, 1, 160000, out);
  CHECK_EQ_INT(out[0], -1);
  for (uint32_t b = 0; b < 3000000; b += 7919) {
    for (int cur = -1; cur <= 2; cur++) {
      sv_layer_req one[1] = {{rates, 3, cur, 2}};
      sv_layer_allocate(one, 1, b, out);
      CHECK_EQ_INT(out[0], sv_layer_choose(rates, 3, cur, 2, b));
    }
  }
}

/* Probing aims at sv_layer_want(): at any budget the allocation leaves
 * every video where it is, the wish must be higher, or a link whose
 * estimate sits in between would never probe and never go up. And at the
 * wish itself, a video does go up (the first one may take more than one
 * step, at the cost of one after it). */
static void test_want_matches_allocate(void) {
  static const uint32_t measured[3] = {210000, 330000, 1400000};
  const uint32_t *sets[2] = {rates, measured};
  int out[2];
  for (int s = 0; s < 2; s++) {
    for (int a = -1; a <= 2; a++) {
      for (int b = -1; b <= 2; b++) {
        sv_layer_req r[2] = {{sets[s], 3, a, 2}, {rates, 3, b, 2}};
        int now[2] = {a, b};
        uint64_t want = sv_layer_want(r, 2, now);
        if (a == 2 && b == 2) {
          CHECK_EQ_INT(want, 0); /* nothing can go up: no probing */
          continue;
        }
        CHECK(want > 0);
        sv_layer_allocate(r, 2, (uint32_t)want, out);
        CHECK(out[0] > a || out[1] > b);
        for (uint32_t budget = 0; budget < 4000000; budget += 1009) {
          sv_layer_allocate(r, 2, budget, out);
          if (out[0] == a && out[1] == b) CHECK(budget < want);
        }
      }
    }
  }
  sv_layer_req thumb[1] = {{rates, 3, 0, 0}}; /* a thumbnail wants no more */
  int zero = 0;
  CHECK_EQ_INT(sv_layer_want(thumb, 1, &zero), 0);
  sv_layer_req held[1] = {{rates, 0, -1, 2}}; /* held paused: no wish */
  int paused = -1;
  CHECK_EQ_INT(sv_layer_want(held, 1, &paused), 0);
}

/* A VP8 payload: descriptor with X, I (15-bit picture ID), L (TL0PICIDX). */
static size_t vp8_payload(uint8_t *p, uint16_t picid, uint8_t tl0, bool key) {
  p[0] = 0x90; /* X, S, PID 0 */
  p[1] = 0xc0; /* I, L */
  p[2] = (uint8_t)(0x80 | (picid >> 8));
  p[3] = (uint8_t)picid;
  p[4] = tl0;
  p[5] = key ? 0x00 : 0x01; /* VP8 header: P bit */
  p[6] = p[7] = 0;
  return 8;
}

static void test_vp8_desc(void) {
  uint8_t p[16];
  sv_vp8_desc d;
  size_t n = vp8_payload(p, 0x1234, 7, true);
  CHECK_EQ_INT(sv_vp8_desc_parse(p, n, &d), 0);
  CHECK(d.has_picid && d.picid_long && d.has_tl0);
  CHECK_EQ_INT(d.picid, 0x1234);
  CHECK_EQ_INT(d.tl0, 7);
  sv_vp8_desc_write(p, &d, 0x7fff, 200);
  CHECK_EQ_INT(sv_vp8_desc_parse(p, n, &d), 0);
  CHECK_EQ_INT(d.picid, 0x7fff);
  CHECK_EQ_INT(d.tl0, 200);
  CHECK(sv_rtp_is_keyframe(SV_CODEC_VP8, p, n));
  /* 7-bit picture ID, no TL0PICIDX. */
  uint8_t s[4] = {0x90, 0x80, 0x05, 0x00};
  CHECK_EQ_INT(sv_vp8_desc_parse(s, 4, &d), 0);
  CHECK(d.has_picid && !d.picid_long && !d.has_tl0);
  sv_vp8_desc_write(s, &d, 0x1ff, 0);
  CHECK_EQ_INT(s[2], 0x7f);
  /* Every truncation is refused or read within bounds. */
  for (size_t len = 0; len < 5; len++) {
    int rc = sv_vp8_desc_parse(p, len, &d);
    CHECK(rc == SV_EINVAL || len >= 5);
  }
  uint8_t nox[2] = {0x10, 0x00};
  CHECK_EQ_INT(sv_vp8_desc_parse(nox, 2, &d), 0);
  CHECK(!d.has_picid && !d.has_tl0);
}

/* Three layers each count their own seq/ts/picture ID; a subscriber moved
 * from one to another sees +1 in each and a timestamp that moves on with
 * the clock. */
static void test_outmap_continuity(void) {
  sv_outmap m = {0};
  sv_vp8_desc low = {
      .has_picid = true, .picid_long = true, .picid = 100, .has_tl0 = true, .tl0 = 3};
  uint16_t seq, pic;
  uint32_t ts;
  uint8_t tl0;
  uint64_t now = 1000000;
  sv_outmap_switch(&m, 5000, 90000, &low, 90000, now, 0xdeadbeef);
  uint16_t first_seq = 0;
  uint32_t first_ts = 0;
  uint16_t prev_seq = 0, prev_pic = 0;
  uint8_t prev_tl0 = 0;
  uint32_t prev_ts = 0;
  for (int i = 0; i < 30; i++) { /* 30 frames at 30 fps, one packet each */
    low.picid = (uint16_t)(100 + i);
    low.tl0 = (uint8_t)(3 + i);
    sv_outmap_apply(&m, (uint16_t)(5000 + i), 90000 + 3000u * (uint32_t)i, &low, &seq, &ts, &pic,
                    &tl0, now);
    if (i == 0) {
      first_seq = seq;
      first_ts = ts;
    } else {
      CHECK_EQ_INT((uint16_t)(seq - prev_seq), 1);
      CHECK_EQ_INT(ts - prev_ts, 3000);
      CHECK_EQ_INT((pic - prev_pic) & 0x7fff, 1);
      CHECK_EQ_INT((uint8_t)(tl0 - prev_tl0), 1);
    }
    prev_seq = seq, prev_ts = ts, prev_pic = pic, prev_tl0 = tl0;
    now += 33333;
  }
  (void)first_seq, (void)first_ts;
  /* Switch to the high layer, whose counters are elsewhere entirely. */
  sv_vp8_desc high = {
      .has_picid = true, .picid_long = true, .picid = 30000, .has_tl0 = true, .tl0 = 250};
  sv_outmap_switch(&m, 61000, 7777777, &high, 90000, now, 0);
  sv_outmap_apply(&m, 61000, 7777777, &high, &seq, &ts, &pic, &tl0, now);
  CHECK_EQ_INT((uint16_t)(seq - prev_seq), 1);
  CHECK_EQ_INT(ts - prev_ts, 3000); /* 33.3 ms at 90 kHz */
  CHECK_EQ_INT((pic - prev_pic) & 0x7fff, 1);
  CHECK_EQ_INT((uint8_t)(tl0 - prev_tl0), 1);
  /* A NACK for a packet of the old layer is not mapped into the new one;
   * one of the new layer is. */
  uint16_t in;
  CHECK(!sv_outmap_unmap(&m, prev_seq, &in));
  CHECK(sv_outmap_unmap(&m, seq, &in));
  CHECK_EQ_INT(in, 61000);
  CHECK(!sv_outmap_unmap(&m, (uint16_t)(seq + 5), &in)); /* never sent */
  /* A late packet of the new layer keeps its place, newest stays. */
  sv_outmap_apply(&m, 61002, 7777777 + 3000, &high, &seq, &ts, &pic, &tl0, now + 1000);
  uint16_t newest = seq;
  sv_outmap_apply(&m, 61001, 7777777, &high, &seq, &ts, &pic, &tl0, now + 2000);
  CHECK_EQ_INT((uint16_t)(newest - seq), 1);
  CHECK_EQ_INT(m.last_seq, newest);
}

static void test_outmap_wraps(void) {
  sv_outmap m = {0};
  uint16_t seq, pic;
  uint32_t ts;
  uint8_t tl0;
  sv_outmap_switch(&m, 65534, 0xfffffff0u, NULL, 48000, 0, 0xffff0000u);
  uint16_t a;
  sv_outmap_apply(&m, 65534, 0xfffffff0u, NULL, &a, &ts, &pic, &tl0, 0);
  sv_outmap_apply(&m, 65535, 0xfffffff0u + 960, NULL, &seq, &ts, &pic, &tl0, 20000);
  sv_outmap_apply(&m, 0, 0xfffffff0u + 1920, NULL, &seq, &ts, &pic, &tl0, 40000);
  CHECK_EQ_INT((uint16_t)(seq - a), 2);
  uint16_t in;
  CHECK(sv_outmap_unmap(&m, seq, &in));
  CHECK_EQ_INT(in, 0);
}

/* An RTP packet with a one-byte extension block (ids 1 and 10) and padding. */
static size_t packet_with_ext(uint8_t *b) {
  size_t n = 0;
  b[n++] = 0x80 | 0x20 | 0x10; /* V=2, P, X */
  b[n++] = 96;
  sv_wr16(b + n, 1234), n += 2;
  sv_wr32(b + n, 99999), n += 4;
  sv_wr32(b + n, 0x11223344), n += 4;
  b[n++] = 0xBE, b[n++] = 0xDE, b[n++] = 0, b[n++] = 2; /* 2 words */
  b[n++] = 0x10, b[n++] = 0x7f;                         /* id 1, 1 byte */
  b[n++] = 0xa1, b[n++] = 'q', b[n++] = 'x';            /* id 10, 2 bytes: "qx" */
  b[n++] = 0, b[n++] = 0, b[n++] = 0;                   /* padding to the word */
  for (int i = 0; i < 20; i++)
    b[n++] = (uint8_t)i;
  b[n++] = 0, b[n++] = 0, b[n++] = 3; /* 3 bytes of RTP padding */
  return n;
}

static void test_ext_and_copy(void) {
  uint8_t in[128], out[160];
  size_t len = packet_with_ext(in);
  sv_rtp_header h, o;
  CHECK_EQ_INT(sv_rtp_parse(in, len, &h), 0);
  const uint8_t *v;
  CHECK_EQ_INT(sv_rtp_ext_get(in, &h, 10, &v), 2);
  CHECK(v[0] == 'q' && v[1] == 'x');
  CHECK_EQ_INT(sv_rtp_ext_get(in, &h, 1, &v), 1);
  CHECK_EQ_INT(sv_rtp_ext_get(in, &h, 3, &v), -1);

  /* Stamped copy: only our element, payload and padding unchanged. */
  size_t n = sv_rtp_copy_out(out, in, len, &h, 5, 0xabcd, NULL);
  CHECK_EQ_INT(sv_rtp_parse(out, n, &o), 0);
  CHECK_EQ_INT(sv_rtp_ext_get(out, &o, 5, &v), 2);
  CHECK_EQ_INT(sv_rd16(v), 0xabcd);
  CHECK_EQ_INT(sv_rtp_ext_get(out, &o, 10, &v), -1);
  CHECK_EQ_INT(o.payload_len, 20);
  CHECK(memcmp(out + o.header_len, in + h.header_len, 20) == 0);

  /* Without TWCC: no extension at all. */
  n = sv_rtp_copy_out(out, in, len, &h, 0, 0, NULL);
  CHECK_EQ_INT(sv_rtp_parse(out, n, &o), 0);
  CHECK(!(out[0] & 0x10));
  CHECK_EQ_INT(o.header_len, 12);

  /* RTX: the OSN first, no padding. */
  uint16_t osn = 4242;
  n = sv_rtp_copy_out(out, in, len, &h, 5, 7, &osn);
  CHECK_EQ_INT(sv_rtp_parse(out, n, &o), 0);
  CHECK(!(out[0] & 0x20));
  CHECK_EQ_INT(o.payload_len, 22);
  CHECK_EQ_INT(sv_rd16(out + o.header_len), 4242);
  CHECK(memcmp(out + o.header_len + 2, in + h.header_len, 20) == 0);

  /* A malformed extension block (element longer than the block). */
  in[18] = 0xaf; /* id 10, 16 bytes */
  CHECK_EQ_INT(sv_rtp_ext_get(in, &h, 1, &v), 1);
  CHECK_EQ_INT(sv_rtp_ext_get(in, &h, 10, &v), -1);
}

int main(void) {
  RUN(test_choose_fits);
  RUN(test_choose_hysteresis);
  RUN(test_choose_pause);
  RUN(test_allocate);
  RUN(test_want_matches_allocate);
  RUN(test_pause_grace);
  RUN(test_vp8_desc);
  RUN(test_outmap_continuity);
  RUN(test_outmap_wraps);
  RUN(test_ext_and_copy);
  return check_summary();
}
