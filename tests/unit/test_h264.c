/*
 * test_h264.c — the picture size from H.264 SPS units that x264 wrote
 * (High and Constrained Baseline, with and without cropping), from RTP
 * (a single NAL unit, a STAP-A with SPS, PPS and more), and malformed
 * input refused without reading past it.
 */
#include <glib.h>
#include <string.h>

#include "check.h"
#include "media/h264.h"

static size_t unhex(const char *hex, uint8_t *out) {
  size_t n = strlen(hex) / 2;
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    sscanf(hex + 2 * i, "%2x", &v);
    out[i] = (uint8_t)v;
  }
  return n;
}

static const struct {
  const char *hex;
  int w, h;
} sps[] = {
    {"67640014acd9416096c05a8303035280000003008000001e478a14cb", 352, 288},
    {"67640028acd940780227e5c05a808080a0000003002000000791e30632c0", 1920, 1080},
    {"6764001eacd940a02ff97016a0c0c0d4a0000003002000000791e2c5b2c0", 640, 360},
    {"6742c015d9016096c05a8303035280000003008000001e478b1724", 352, 288},
    {"6742c028d900780227e5c05a808080a0000003002000000791e30649", 1920, 1080},
    {"6742c01ed900a02ff97016a0c0c0d4a0000003002000000791e2c5c9", 640, 360},
};

static void test_sps(void) {
  for (size_t i = 0; i < G_N_ELEMENTS(sps); i++) {
    uint8_t nal[128];
    size_t n = unhex(sps[i].hex, nal);
    int w = 0, h = 0;
    CHECK(sv_h264_sps_size(nal, n, &w, &h));
    CHECK_EQ_INT(w, sps[i].w);
    CHECK_EQ_INT(h, sps[i].h);
  }
}

static void test_rtp(void) {
  uint8_t nal[128], pkt[256] = {0x80, 102, 0, 1, 0, 0, 0, 1, 0, 0, 0, 9};
  size_t n = unhex(sps[1].hex, nal);
  int w = 0, h = 0;
  /* Single NAL unit packet. */
  memcpy(pkt + 12, nal, n);
  CHECK(sv_h264_rtp_sps_size(pkt, 12 + n, &w, &h) && w == 1920 && h == 1080);
  /* STAP-A: a 3-byte unit first, then the SPS. */
  uint8_t *p = pkt + 12;
  p[0] = 24;
  p[1] = 0, p[2] = 3, p[3] = 0x68, p[4] = 0xce, p[5] = 0x38; /* a PPS-like unit */
  p[6] = 0, p[7] = (uint8_t)n;
  memcpy(p + 8, nal, n);
  w = h = 0;
  CHECK(sv_h264_rtp_sps_size(pkt, 12 + 8 + n, &w, &h) && w == 1920 && h == 1080);
  /* A STAP-A whose size runs past the packet. */
  p[7] = (uint8_t)(n + 40);
  CHECK(!sv_h264_rtp_sps_size(pkt, 12 + 8 + n, &w, &h));
  /* An IDR slice is no SPS. */
  p[0] = 0x65;
  CHECK(!sv_h264_rtp_sps_size(pkt, 12 + 8, &w, &h));
}

static void test_malformed(void) {
  uint8_t nal[128];
  size_t n = unhex(sps[0].hex, nal);
  int w, h;
  /* Every truncation either parses to a size or is refused; none reads on. */
  for (size_t k = 0; k < n; k++)
    (void)sv_h264_sps_size(nal, k, &w, &h);
  CHECK(!sv_h264_sps_size(nal, 3, &w, &h));
  /* All-zero bits after the header: ue() would never end. */
  uint8_t zeros[64] = {0x67};
  CHECK(!sv_h264_sps_size(zeros, sizeof zeros, &w, &h));
  /* All ones: every ue() is 0, so the smallest picture, one macroblock. */
  uint8_t ones[64];
  memset(ones, 0xff, sizeof ones);
  ones[0] = 0x67;
  CHECK(sv_h264_sps_size(ones, sizeof ones, &w, &h) && w == 16 && h == 16);
  uint8_t short_rtp[4] = {0x80, 102, 0, 1};
  CHECK(!sv_h264_rtp_sps_size(short_rtp, sizeof short_rtp, &w, &h));
}

int main(void) {
  RUN(test_sps);
  RUN(test_rtp);
  RUN(test_malformed);
  return check_summary();
}
