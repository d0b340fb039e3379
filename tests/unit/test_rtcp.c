/*
 * test_rtcp.c — unit tests for relay/rtcp.c: every builder's output parsed
 * back, compound packets walked in order, malformed input rejected, and
 * SSRC rewriting across a compound packet.
 */
#include "relay/rtcp.h"

#include <time.h>

#include "common/common.h"
#include "tests/unit/check.h"

static uint32_t rd32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Parses buf as exactly one RTCP packet. */
static int parse_one(const uint8_t *buf, size_t len, sv_rtcp_item *item) {
  sv_rtcp_iter it;
  sv_rtcp_iter_init(&it, buf, len);
  int r = sv_rtcp_next(&it, item);
  if (r != 1) return r;
  sv_rtcp_item extra;
  return sv_rtcp_next(&it, &extra) == 0 ? 1 : -100;
}

static void test_sr(void) {
  uint8_t b[64];
  uint64_t ntp = 0xe1234567890abcdeULL;
  int n = sv_rtcp_build_sr(b, sizeof b, 0xaabbccdd, ntp, 0x10203040, 1234, 567890);
  CHECK_EQ_INT(n, 28);
  CHECK_EQ_INT(b[0], 0x80);
  CHECK_EQ_INT(b[1], 200);
  CHECK_EQ_INT(b[3], 6);
  sv_rtcp_item it;
  CHECK_EQ_INT(parse_one(b, (size_t)n, &it), 1);
  CHECK_EQ_INT(it.type, SV_RTCP_SR);
  CHECK_EQ_INT(it.fmt, 0);
  CHECK_EQ_INT(it.len, 28);
  CHECK(it.data == b);
  CHECK_EQ_INT(it.sender_ssrc, 0xaabbccddu);
  CHECK_EQ_INT(it.media_ssrc, 0);
  CHECK(it.ntp == ntp);
  CHECK_EQ_INT(it.rtp_ts, 0x10203040u);
  CHECK_EQ_INT(it.packets, 1234);
  CHECK_EQ_INT(it.octets, 567890);
  CHECK_EQ_INT(sv_rtcp_report_count(&it), 0);
  sv_rtcp_report_block rb;
  CHECK(!sv_rtcp_report_get(&it, 0, &rb));
  CHECK_EQ_INT(sv_rtcp_build_sr(b, 27, 1, 2, 3, 4, 5), SV_ENOMEM);
}

static void test_rr(void) {
  sv_rtcp_report_block in[3] = {
      {.ssrc = 0x01020304,
       .fraction_lost = 51,
       .cumulative_lost = 2,
       .ext_highest_seq = 0x0001fffe,
       .jitter = 77,
       .lsr = 0x12345678,
       .dlsr = 65536},
      {.ssrc = 0x0a0b0c0d, .fraction_lost = 0, .cumulative_lost = -5, .ext_highest_seq = 9},
      {.ssrc = 0x0e0f1011, .fraction_lost = 255, .cumulative_lost = 0x1000000},
  };
  uint8_t b[128];
  int n = sv_rtcp_build_rr(b, sizeof b, 0xfeedface, in, 3);
  CHECK_EQ_INT(n, 8 + 3 * 24);
  sv_rtcp_item it;
  CHECK_EQ_INT(parse_one(b, (size_t)n, &it), 1);
  CHECK_EQ_INT(it.type, SV_RTCP_RR);
  CHECK_EQ_INT(it.fmt, 3);
  CHECK_EQ_INT(it.sender_ssrc, 0xfeedfaceu);
  CHECK_EQ_INT(sv_rtcp_report_count(&it), 3);
  sv_rtcp_report_block out;
  CHECK(sv_rtcp_report_get(&it, 0, &out));
  CHECK_EQ_INT(out.ssrc, 0x01020304);
  CHECK_EQ_INT(out.fraction_lost, 51);
  CHECK_EQ_INT(out.cumulative_lost, 2);
  CHECK_EQ_INT(out.ext_highest_seq, 0x0001fffe);
  CHECK_EQ_INT(out.jitter, 77);
  CHECK_EQ_INT(out.lsr, 0x12345678);
  CHECK_EQ_INT(out.dlsr, 65536);
  CHECK(sv_rtcp_report_get(&it, 1, &out));
  CHECK_EQ_INT(out.ssrc, 0x0a0b0c0d);
  CHECK_EQ_INT(out.cumulative_lost, -5);
  CHECK(sv_rtcp_report_get(&it, 2, &out));
  CHECK_EQ_INT(out.fraction_lost, 255);
  CHECK_EQ_INT(out.cumulative_lost, 0x7fffff); /* clamped to 24-bit */
  CHECK(!sv_rtcp_report_get(&it, 3, &out));

  /* Empty RR, too many blocks, too small a buffer. */
  CHECK_EQ_INT(sv_rtcp_build_rr(b, sizeof b, 1, NULL, 0), 8);
  CHECK_EQ_INT(parse_one(b, 8, &it), 1);
  CHECK_EQ_INT(sv_rtcp_report_count(&it), 0);
  sv_rtcp_report_block many[32] = {{0}};
  uint8_t big[1024];
  CHECK_EQ_INT(sv_rtcp_build_rr(big, sizeof big, 1, many, 32), SV_ENOMEM);
  CHECK_EQ_INT(sv_rtcp_build_rr(big, sizeof big, 1, many, 31), 8 + 31 * 24);
  CHECK_EQ_INT(sv_rtcp_build_rr(b, 8 + 24 - 1, 1, in, 1), SV_ENOMEM);
}

static void test_sdes(void) {
  /* Every CNAME length mod 4 lands on a 32-bit boundary with a null item. */
  const char *names[] = {"", "a", "ab", "abc", "abcd", "abcde", "user@host.example"};
  for (size_t k = 0; k < SV_ARRAY_LEN(names); k++) {
    uint8_t b[64];
    memset(b, 0xee, sizeof b);
    int n = sv_rtcp_build_sdes_cname(b, sizeof b, 0x12345678, names[k]);
    size_t cl = strlen(names[k]);
    CHECK(n > 0);
    CHECK_EQ_INT(n % 4, 0);
    CHECK_EQ_INT(n, (4 + 4 + 2 + cl + 1 + 3) / 4 * 4);
    sv_rtcp_item it;
    CHECK_EQ_INT(parse_one(b, (size_t)n, &it), 1);
    CHECK_EQ_INT(it.type, SV_RTCP_SDES);
    CHECK_EQ_INT(it.fmt, 1);
    CHECK_EQ_INT(it.sender_ssrc, 0x12345678);
    CHECK_EQ_INT(b[8], 1);
    CHECK_EQ_INT(b[9], cl);
    CHECK(memcmp(b + 10, names[k], cl) == 0);
    for (size_t i = 10 + cl; i < (size_t)n; i++)
      CHECK_EQ_INT(b[i], 0);
    CHECK_EQ_INT(b[n], 0xee); /* nothing written past the packet */
    CHECK_EQ_INT(sv_rtcp_build_sdes_cname(b, (size_t)n - 1, 1, names[k]), SV_ENOMEM);
  }
  char longname[300];
  memset(longname, 'x', sizeof longname);
  longname[256] = '\0';
  uint8_t big[512];
  CHECK_EQ_INT(sv_rtcp_build_sdes_cname(big, sizeof big, 1, longname), SV_EINVAL);
  longname[255] = '\0';
  CHECK_EQ_INT(sv_rtcp_build_sdes_cname(big, sizeof big, 1, longname), 268);
  CHECK_EQ_INT(sv_rtcp_build_sdes_cname(big, sizeof big, 1, NULL), SV_EINVAL);
}

static void test_pli(void) {
  uint8_t b[16];
  int n = sv_rtcp_build_pli(b, sizeof b, 0x11111111, 0x22222222);
  CHECK_EQ_INT(n, 12);
  sv_rtcp_item it;
  CHECK_EQ_INT(parse_one(b, (size_t)n, &it), 1);
  CHECK_EQ_INT(it.type, SV_RTCP_PSFB);
  CHECK_EQ_INT(it.fmt, 1);
  CHECK_EQ_INT(it.sender_ssrc, 0x11111111);
  CHECK_EQ_INT(it.media_ssrc, 0x22222222);
  CHECK_EQ_INT(sv_rtcp_fir_count(&it), 0);
  CHECK_EQ_INT(sv_rtcp_nack_foreach(&it, NULL, NULL), 0);
  CHECK_EQ_INT(sv_rtcp_build_pli(b, 11, 1, 2), SV_ENOMEM);
}

static void test_fir(void) {
  uint8_t b[32];
  int n = sv_rtcp_build_fir(b, sizeof b, 0x11111111, 0x33333333, 7);
  CHECK_EQ_INT(n, 20);
  sv_rtcp_item it;
  CHECK_EQ_INT(parse_one(b, (size_t)n, &it), 1);
  CHECK_EQ_INT(it.type, SV_RTCP_PSFB);
  CHECK_EQ_INT(it.fmt, 4);
  CHECK_EQ_INT(it.sender_ssrc, 0x11111111);
  CHECK_EQ_INT(it.media_ssrc, 0); /* RFC 5104: unused, the FCI names it */
  CHECK_EQ_INT(sv_rtcp_fir_count(&it), 1);
  CHECK_EQ_INT(sv_rtcp_fir_ssrc(&it, 0), 0x33333333);
  CHECK_EQ_INT(sv_rtcp_fir_ssrc(&it, 1), 0);
  CHECK_EQ_INT(b[16], 7);
  CHECK_EQ_INT(b[17] | b[18] | b[19], 0);
  CHECK_EQ_INT(sv_rtcp_build_fir(b, 19, 1, 2, 3), SV_ENOMEM);
}

typedef struct {
  uint16_t seqs[2048];
  size_t n;
} seq_list;

static void collect(void *user, uint16_t seq) {
  seq_list *l = user;
  if (l->n < SV_ARRAY_LEN(l->seqs)) l->seqs[l->n++] = seq;
}

static void test_nack(void) {
  /* Unsorted, with a duplicate, crossing the wrap: 65534, 65535, 0, 3 fit
   * one entry (PID 65534); 20 needs a second; 40 a third. */
  const uint16_t lost[] = {3, 65535, 40, 0, 20, 65534, 0};
  uint8_t b[64];
  int n = sv_rtcp_build_nack(b, sizeof b, 0xaaaa0001, 0xbbbb0002, lost, SV_ARRAY_LEN(lost));
  CHECK_EQ_INT(n, 12 + 3 * 4);
  sv_rtcp_item it;
  CHECK_EQ_INT(parse_one(b, (size_t)n, &it), 1);
  CHECK_EQ_INT(it.type, SV_RTCP_RTPFB);
  CHECK_EQ_INT(it.fmt, 1);
  CHECK_EQ_INT(it.sender_ssrc, 0xaaaa0001u);
  CHECK_EQ_INT(it.media_ssrc, 0xbbbb0002u);
  seq_list got = {.n = 0};
  CHECK_EQ_INT(sv_rtcp_nack_foreach(&it, collect, &got), 6);
  const uint16_t want[] = {65534, 65535, 0, 3, 20, 40};
  CHECK_EQ_INT(got.n, 6);
  for (size_t i = 0; i < got.n && i < 6; i++)
    CHECK_EQ_INT(got.seqs[i], want[i]);
  /* PID + BLP on the wire. */
  CHECK_EQ_INT(b[12] << 8 | b[13], 65534);
  CHECK_EQ_INT(b[14] << 8 | b[15], 0x1 | 0x2 | 0x10);
  CHECK_EQ_INT(sv_rtcp_nack_foreach(&it, NULL, NULL), 6);

  /* 17 consecutive seqs are exactly one entry; 18 are two. */
  uint16_t run[18];
  for (int i = 0; i < 18; i++)
    run[i] = (uint16_t)(1000 + i);
  CHECK_EQ_INT(sv_rtcp_build_nack(b, sizeof b, 1, 2, run, 17), 16);
  CHECK_EQ_INT(b[14] << 8 | b[15], 0xffff);
  CHECK_EQ_INT(sv_rtcp_build_nack(b, sizeof b, 1, 2, run, 18), 20);

  /* 256 seqs 100 apart each need their own entry: the 64-entry cap keeps
   * the oldest 64. */
  uint16_t sparse[256];
  for (int i = 0; i < 256; i++)
    sparse[i] = (uint16_t)(i * 100);
  uint8_t big[512];
  n = sv_rtcp_build_nack(big, sizeof big, 1, 2, sparse, 256);
  CHECK_EQ_INT(n, 12 + 64 * 4);
  CHECK_EQ_INT(parse_one(big, (size_t)n, &it), 1);
  got.n = 0;
  CHECK_EQ_INT(sv_rtcp_nack_foreach(&it, collect, &got), 64);
  CHECK_EQ_INT(got.seqs[0], 0);
  CHECK_EQ_INT(got.seqs[63], 6300);

  /* Capacity and empty input. */
  CHECK_EQ_INT(sv_rtcp_build_nack(b, 12 + 3 * 4 - 1, 1, 2, lost, SV_ARRAY_LEN(lost)), SV_ENOMEM);
  CHECK_EQ_INT(sv_rtcp_build_nack(b, sizeof b, 1, 2, lost, 0), SV_EINVAL);
}

/* Decodes a REMB's bitrate the way a receiver does. */
static uint64_t remb_bitrate(const uint8_t *b) {
  unsigned exp = b[17] >> 2;
  uint32_t mantissa = (uint32_t)(b[17] & 3) << 16 | (uint32_t)b[18] << 8 | b[19];
  return (uint64_t)mantissa << exp;
}

static void test_remb(void) {
  const uint32_t ssrcs[] = {0x01010101, 0x02020202};
  const uint64_t rates[] = {0, 1, 262143, 262144, 300000, 1500000, 2500000000ULL};
  for (size_t k = 0; k < SV_ARRAY_LEN(rates); k++) {
    uint8_t b[64];
    int n = sv_rtcp_build_remb(b, sizeof b, 0x99999999, rates[k], ssrcs, 2);
    CHECK_EQ_INT(n, 28);
    sv_rtcp_item it;
    CHECK_EQ_INT(parse_one(b, (size_t)n, &it), 1);
    CHECK_EQ_INT(it.type, SV_RTCP_PSFB);
    CHECK_EQ_INT(it.fmt, 15);
    CHECK_EQ_INT(it.sender_ssrc, 0x99999999u);
    CHECK_EQ_INT(it.media_ssrc, 0);
    CHECK(memcmp(b + 12, "REMB", 4) == 0);
    CHECK_EQ_INT(b[16], 2);
    CHECK_EQ_INT(rd32(b + 20), 0x01010101);
    CHECK_EQ_INT(rd32(b + 24), 0x02020202);
    uint64_t got = remb_bitrate(b);
    CHECK(got <= rates[k]);
    /* Within the 18-bit mantissa's precision. */
    CHECK(rates[k] - got <= rates[k] / (1u << 17));
    if (rates[k] < (1u << 18)) CHECK(got == rates[k]);
  }
  uint8_t b[64];
  CHECK_EQ_INT(sv_rtcp_build_remb(b, sizeof b, 1, 1000, NULL, 0), 20);
  CHECK_EQ_INT(sv_rtcp_build_remb(b, 27, 1, 1000, ssrcs, 2), SV_ENOMEM);
}

static void test_compound(void) {
  uint8_t b[256];
  size_t len = 0;
  int n = sv_rtcp_build_sr(b, sizeof b, 0x1000, 0x0102030405060708ULL, 9, 10, 11);
  CHECK(n > 0);
  len += (size_t)n;
  n = sv_rtcp_build_sdes_cname(b + len, sizeof b - len, 0x1000, "relay");
  CHECK(n > 0);
  len += (size_t)n;
  sv_rtcp_report_block rb = {.ssrc = 0x3000, .fraction_lost = 3};
  n = sv_rtcp_build_rr(b + len, sizeof b - len, 0x1000, &rb, 1);
  CHECK(n > 0);
  len += (size_t)n;
  n = sv_rtcp_build_pli(b + len, sizeof b - len, 0x1000, 0x3000);
  CHECK(n > 0);
  len += (size_t)n;
  const uint16_t seqs[] = {5};
  n = sv_rtcp_build_nack(b + len, sizeof b - len, 0x1000, 0x3000, seqs, 1);
  CHECK(n > 0);
  len += (size_t)n;

  const uint8_t types[] = {SV_RTCP_SR, SV_RTCP_SDES, SV_RTCP_RR, SV_RTCP_PSFB, SV_RTCP_RTPFB};
  sv_rtcp_iter iter;
  sv_rtcp_item it;
  sv_rtcp_iter_init(&iter, b, len);
  size_t k = 0, total = 0;
  int r;
  while ((r = sv_rtcp_next(&iter, &it)) == 1) {
    CHECK(k < SV_ARRAY_LEN(types));
    if (k < SV_ARRAY_LEN(types)) CHECK_EQ_INT(it.type, types[k]);
    CHECK_EQ_INT(it.sender_ssrc, 0x1000);
    CHECK(it.data == b + total);
    total += it.len;
    k++;
  }
  CHECK_EQ_INT(r, 0);
  CHECK_EQ_INT(k, 5);
  CHECK_EQ_INT(total, len);
  CHECK_EQ_INT(sv_rtcp_next(&iter, &it), 0); /* stays at the end */
}

static void test_malformed(void) {
  sv_rtcp_item it;
  uint8_t b[64];
  int n = sv_rtcp_build_pli(b, sizeof b, 1, 2);
  /* Truncated header, empty input. */
  CHECK_EQ_INT(parse_one(b, 3, &it), SV_EINVAL);
  CHECK_EQ_INT(parse_one(b, 0, &it), 0);
  CHECK_EQ_INT(parse_one(NULL, 12, &it), 0);
  /* Length field runs past the end. */
  CHECK_EQ_INT(parse_one(b, (size_t)n - 4, &it), SV_EINVAL);
  /* Bad version. */
  b[0] = 0x41;
  CHECK_EQ_INT(parse_one(b, (size_t)n, &it), SV_EINVAL);
  b[0] = 0x81;
  CHECK_EQ_INT(parse_one(b, (size_t)n, &it), 1);
  /* A feedback packet too short for its media SSRC. */
  b[3] = 1;
  CHECK_EQ_INT(parse_one(b, 8, &it), SV_EINVAL);
  b[3] = 2;
  /* Padding: count 0 and count larger than the packet are invalid. */
  b[0] = 0xa1;
  b[11] = 0;
  CHECK_EQ_INT(parse_one(b, (size_t)n, &it), SV_EINVAL);
  b[11] = 9;
  CHECK_EQ_INT(parse_one(b, (size_t)n, &it), SV_EINVAL);
  /* An SR whose report count does not fit. */
  n = sv_rtcp_build_sr(b, sizeof b, 1, 2, 3, 4, 5);
  b[0] = 0x81;
  CHECK_EQ_INT(parse_one(b, (size_t)n, &it), SV_EINVAL);
  /* A BYE claiming 3 SSRCs in 2 words. */
  const uint8_t bye[] = {0x83, 203, 0x00, 0x01, 0, 0, 0, 1};
  CHECK_EQ_INT(parse_one(bye, sizeof bye, &it), SV_EINVAL);
  /* A good packet followed by garbage: the first is returned, then the
   * iteration stops with SV_EINVAL and stays stopped. */
  n = sv_rtcp_build_pli(b, sizeof b, 1, 2);
  b[n] = 0x80;
  b[n + 1] = 201;
  sv_rtcp_iter iter;
  sv_rtcp_iter_init(&iter, b, (size_t)n + 2);
  CHECK_EQ_INT(sv_rtcp_next(&iter, &it), 1);
  CHECK_EQ_INT(sv_rtcp_next(&iter, &it), SV_EINVAL);
  CHECK_EQ_INT(sv_rtcp_next(&iter, &it), 0);
  /* Malformed input to rewrite is refused. */
  b[0] = 0x40;
  CHECK_EQ_INT(sv_rtcp_rewrite_ssrcs(b, (size_t)n, NULL, NULL), SV_EINVAL);
}

static void test_padding_and_unknown(void) {
  /* A reduced-size PLI with 4 bytes of padding, then an XR-like unknown
   * type that must be passed through. */
  const uint8_t pkt[] = {
      0xa1, 206, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 4, 0x80, 207, 0x00, 0x01, 0, 0, 0, 9,
  };
  sv_rtcp_iter iter;
  sv_rtcp_item it;
  sv_rtcp_iter_init(&iter, pkt, sizeof pkt);
  CHECK_EQ_INT(sv_rtcp_next(&iter, &it), 1);
  CHECK_EQ_INT(it.type, SV_RTCP_PSFB);
  CHECK_EQ_INT(it.len, 16);
  CHECK_EQ_INT(it.media_ssrc, 2);
  CHECK_EQ_INT(sv_rtcp_next(&iter, &it), 1);
  CHECK_EQ_INT(it.type, 207);
  CHECK_EQ_INT(it.len, 8);
  CHECK_EQ_INT(sv_rtcp_next(&iter, &it), 0);
  /* A padded NACK: the padding words are not FCI entries. */
  const uint8_t nack[] = {0xa1, 205, 0x00, 0x04, 0,    0,    0, 1, 0, 0,
                          0,    2,   0x00, 0x0a, 0x00, 0x01, 0, 0, 0, 4};
  CHECK_EQ_INT(parse_one(nack, sizeof nack, &it), 1);
  seq_list got = {.n = 0};
  CHECK_EQ_INT(sv_rtcp_nack_foreach(&it, collect, &got), 2);
  CHECK_EQ_INT(got.seqs[0], 10);
  CHECK_EQ_INT(got.seqs[1], 11);
}

typedef struct {
  uint32_t from[4], to[4];
  size_t n, calls;
} ssrc_map;

static uint32_t map_ssrc(void *user, uint32_t ssrc) {
  ssrc_map *m = user;
  m->calls++;
  for (size_t i = 0; i < m->n; i++)
    if (m->from[i] == ssrc) return m->to[i];
  return 0;
}

static void test_rewrite_ssrcs(void) {
  const uint32_t A = 0x0a0a0a0a, B = 0x0b0b0b0b, C = 0x0c0c0c0c;
  uint8_t b[512];
  size_t len = 0;
  len += (size_t)sv_rtcp_build_sr(b + len, sizeof b - len, A, 1, 2, 3, 4);
  sv_rtcp_report_block blocks[2] = {{.ssrc = B, .jitter = 0x0a0a0a0a}, {.ssrc = C}};
  len += (size_t)sv_rtcp_build_rr(b + len, sizeof b - len, A, blocks, 2);
  len += (size_t)sv_rtcp_build_sdes_cname(b + len, sizeof b - len, A, "ab");
  len += (size_t)sv_rtcp_build_pli(b + len, sizeof b - len, C, B);
  len += (size_t)sv_rtcp_build_fir(b + len, sizeof b - len, C, B, 1);
  const uint16_t seqs[] = {1, 2};
  len += (size_t)sv_rtcp_build_nack(b + len, sizeof b - len, C, B, seqs, 2);
  const uint32_t remb_ssrcs[] = {B, C, A};
  len += (size_t)sv_rtcp_build_remb(b + len, sizeof b - len, C, 100000, remb_ssrcs, 3);
  /* BYE for A and C, and an SDES with two chunks (A, then B with two
   * items: CNAME "x", NAME "yz"). */
  const uint8_t tail[] = {
      0x82, 203,  0x00, 0x02, 0x0a, 0x0a, 0x0a, 0x0a, 0x0c, 0x0c, 0x0c, 0x0c,
      0x82, 202,  0x00, 0x05, 0x0a, 0x0a, 0x0a, 0x0a, 0x01, 0x01, 'q',  0x00,
      0x0b, 0x0b, 0x0b, 0x0b, 0x01, 0x01, 'x',  0x02, 0x02, 'y',  'z',  0x00,
  };
  memcpy(b + len, tail, sizeof tail);
  len += sizeof tail;

  uint8_t orig[512];
  memcpy(orig, b, len);
  /* A → 0x1a1a1a1a and B → 0x1b1b1b1b; C is not mapped. */
  ssrc_map m = {.from = {A, B}, .to = {0x1a1a1a1a, 0x1b1b1b1b}, .n = 2};
  CHECK_EQ_INT(sv_rtcp_rewrite_ssrcs(b, len, map_ssrc, &m), 0);

  /* Byte by byte: each changed byte must be in a mapped SSRC's place,
   * and every A/B SSRC must be gone. */
  size_t changed = 0;
  for (size_t i = 0; i < len; i++) {
    if (b[i] == orig[i]) continue;
    changed++;
    CHECK((orig[i] == 0x0a && b[i] == 0x1a) || (orig[i] == 0x0b && b[i] == 0x1b));
  }
  /* A: SR sender, RR sender, SDES chunk, REMB list, BYE, SDES chunk = 6;
   * B: RR block, PLI media, FIR FCI, NACK media, REMB list, SDES 2nd chunk = 6. */
  CHECK_EQ_INT(changed, 12 * 4);
  /* The RR block's jitter happens to equal A and must stay. */
  CHECK_EQ_INT(rd32(b + 28 + 8 + 12), 0x0a0a0a0a);
  /* Parse again: values where expected. */
  sv_rtcp_iter iter;
  sv_rtcp_item it;
  sv_rtcp_iter_init(&iter, b, len);
  CHECK_EQ_INT(sv_rtcp_next(&iter, &it), 1);
  CHECK_EQ_INT(it.sender_ssrc, 0x1a1a1a1a);
  CHECK_EQ_INT(sv_rtcp_next(&iter, &it), 1);
  sv_rtcp_report_block rb;
  CHECK(sv_rtcp_report_get(&it, 0, &rb));
  CHECK_EQ_INT(rb.ssrc, 0x1b1b1b1b);
  CHECK(sv_rtcp_report_get(&it, 1, &rb));
  CHECK_EQ_INT(rb.ssrc, C);
  CHECK_EQ_INT(sv_rtcp_next(&iter, &it), 1); /* SDES */
  CHECK_EQ_INT(sv_rtcp_next(&iter, &it), 1); /* PLI */
  CHECK_EQ_INT(it.sender_ssrc, C);
  CHECK_EQ_INT(it.media_ssrc, 0x1b1b1b1b);
  CHECK_EQ_INT(sv_rtcp_next(&iter, &it), 1); /* FIR */
  CHECK_EQ_INT(sv_rtcp_fir_ssrc(&it, 0), 0x1b1b1b1b);
  CHECK_EQ_INT(it.media_ssrc, 0);

  /* A map that changes nothing leaves the bytes as they were. */
  memcpy(b, orig, len);
  ssrc_map none = {.n = 0};
  CHECK_EQ_INT(sv_rtcp_rewrite_ssrcs(b, len, map_ssrc, &none), 0);
  CHECK(memcmp(b, orig, len) == 0);
  CHECK(none.calls > 0);

  /* A broken SDES chunk (item running past the end) is SV_EINVAL. */
  const uint8_t bad_sdes[] = {0x81, 202, 0x00, 0x02, 0, 0, 0, 1, 0x01, 0x09, 'a', 'b'};
  uint8_t c[sizeof bad_sdes];
  memcpy(c, bad_sdes, sizeof c);
  CHECK_EQ_INT(sv_rtcp_rewrite_ssrcs(c, sizeof c, map_ssrc, &m), SV_EINVAL);
  /* An SDES chunk without its null item is SV_EINVAL as well. */
  const uint8_t no_end[] = {0x81, 202, 0x00, 0x02, 0, 0, 0, 1, 0x01, 0x02, 'a', 'b'};
  memcpy(c, no_end, sizeof c);
  CHECK_EQ_INT(sv_rtcp_rewrite_ssrcs(c, sizeof c, map_ssrc, &m), SV_EINVAL);
  /* A REMB whose SSRC count runs past the end. */
  uint8_t r[64];
  int n = sv_rtcp_build_remb(r, sizeof r, 1, 1000, remb_ssrcs, 1);
  r[16] = 5;
  CHECK_EQ_INT(sv_rtcp_rewrite_ssrcs(r, (size_t)n, map_ssrc, &m), SV_EINVAL);
}

static void test_ntp_now(void) {
  uint64_t ntp = sv_ntp_now();
  uint64_t unix_now = (uint64_t)time(NULL);
  uint64_t sec = ntp >> 32;
  CHECK(sec + 1 >= unix_now + 2208988800u);
  CHECK(sec <= unix_now + 2208988800u + 1);
  uint64_t later = sv_ntp_now();
  CHECK(later >= ntp);
}

int main(void) {
  RUN(test_sr);
  RUN(test_rr);
  RUN(test_sdes);
  RUN(test_pli);
  RUN(test_fir);
  RUN(test_nack);
  RUN(test_remb);
  RUN(test_compound);
  RUN(test_malformed);
  RUN(test_padding_and_unknown);
  RUN(test_rewrite_ssrcs);
  RUN(test_ntp_now);
  return check_summary();
}
