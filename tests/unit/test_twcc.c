/*
 * test_twcc.c — unit tests for relay/twcc.c: known feedback packets byte by
 * byte (run-length chunks, one- and two-bit status vectors, small, large
 * and negative deltas, reference time, zero and RTCP padding), build→parse
 * round trips, malformed packets, and every truncation of a valid packet
 * parsed from a buffer of exactly that size (so ASan sees any overread).
 */
#include "relay/twcc.h"

#include <stdlib.h>

#include "common/common.h"
#include "relay/rtcp.h"
#include "tests/unit/check.h"

#define MAX_STATUSES 6000

typedef struct {
  size_t n;
  uint16_t seq[MAX_STATUSES];
  bool received[MAX_STATUSES];
  int64_t arrival[MAX_STATUSES];
} statuses;

static void collect(void *user, uint16_t seq, bool received, int64_t arrival_us) {
  statuses *s = user;
  if (s->n >= MAX_STATUSES) return;
  s->seq[s->n] = seq;
  s->received[s->n] = received;
  s->arrival[s->n] = arrival_us;
  s->n++;
}

static statuses got; /* too big for the stack */

static int parse(const uint8_t *p, size_t len) {
  got.n = 0;
  return sv_twcc_parse(p, len, collect, &got);
}

/* One run-length chunk of five small deltas, reference time 16 (1.024 s),
 * one byte of zero padding. */
static const uint8_t run_small[] = {
    0x8f, 0xcd, 0x00, 0x06, 0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22, /* hdr, SSRCs */
    0x00, 0x64, 0x00, 0x05, 0x00, 0x00, 0x10, 0x07, /* base 100, count 5, ref 16, fb 7 */
    0x20, 0x05,                                     /* run: received small × 5 */
    0x04, 0x00, 0xff, 0x01, 0x08,                   /* deltas */
    0x00,                                           /* zero padding */
};

static void test_run_length(void) {
  sv_twcc_info info;
  CHECK_EQ_INT(sv_twcc_parse_info(run_small, sizeof run_small, &info), 5);
  CHECK_EQ_INT(info.sender_ssrc, 0x11111111u);
  CHECK_EQ_INT(info.media_ssrc, 0x22222222u);
  CHECK_EQ_INT(info.base_seq, 100);
  CHECK_EQ_INT(info.status_count, 5);
  CHECK_EQ_INT(info.ref_time, 16);
  CHECK_EQ_INT(info.fb_pkt_count, 7);
  CHECK_EQ_INT(parse(run_small, sizeof run_small), 5);
  CHECK_EQ_INT(got.n, 5);
  static const int64_t want[] = {1025000, 1025000, 1088750, 1089000, 1091000};
  for (size_t i = 0; i < 5; i++) {
    CHECK_EQ_INT(got.seq[i], 100 + i);
    CHECK(got.received[i]);
    CHECK_EQ_INT(got.arrival[i], want[i]);
  }
  /* A NULL callback still validates and counts. */
  CHECK_EQ_INT(sv_twcc_parse(run_small, sizeof run_small, NULL, NULL), 5);
}

/* A one-bit vector: received, lost, received, received, ten lost, then
 * received (count 14); base seq 65534 so the seqs wrap. */
static const uint8_t vec1[] = {
    0x8f, 0xcd, 0x00, 0x06, 0,    0,    0,    1,    0, 0, 0, 2, /* */
    0xff, 0xfe, 0x00, 0x0e, 0xff, 0xff, 0xff, 0x00, /* base 65534, count 14, ref 2^24-1 */
    0xac, 0x01,                                     /* 1 0 1 1 0 0 0 0 0 0 0 0 0 1 */
    0x01, 0x02, 0x03, 0x04,                         /* four small deltas */
    0x00, 0x00,                                     /* zero padding */
};

static void test_one_bit_vector(void) {
  CHECK_EQ_INT(parse(vec1, sizeof vec1), 14);
  CHECK_EQ_INT(got.n, 14);
  CHECK_EQ_INT(got.seq[0], 65534);
  CHECK_EQ_INT(got.seq[1], 65535);
  CHECK_EQ_INT(got.seq[2], 0);
  CHECK_EQ_INT(got.seq[13], 11);
  int64_t base = (int64_t)0xffffff * 64000;
  CHECK(got.received[0] && !got.received[1] && got.received[2] && got.received[3]);
  CHECK(got.received[13]);
  for (size_t i = 4; i < 13; i++)
    CHECK(!got.received[i] && got.arrival[i] == 0);
  CHECK_EQ_INT(got.arrival[0], base + 250);
  CHECK_EQ_INT(got.arrival[2], base + 750);
  CHECK_EQ_INT(got.arrival[3], base + 1500);
  CHECK_EQ_INT(got.arrival[13], base + 2500);
}

/* A two-bit vector: small, large, lost, negative large, small, and two
 * unused symbols (count 5), then RTCP padding (P bit, 4 bytes). */
static const uint8_t vec2_padded[] = {
    0xaf, 0xcd, 0x00, 0x07, 0,    0,    0,    1,    0, 0, 0, 2, /* P=1 */
    0x00, 0x0a, 0x00, 0x05, 0x00, 0x00, 0x01, 0xff,             /* base 10, count 5, ref 1 */
    0xd8, 0x90,                                                 /* 01 10 00 10 01 00 00 */
    0x08, 0x04, 0x00, 0xff, 0xd8, 0x04,                         /* +2 ms, +256 ms, -10 ms, +1 ms */
    0x00, 0x00, 0x00, 0x04,                                     /* RTCP padding */
};

static void test_two_bit_vector(void) {
  sv_twcc_info info;
  CHECK_EQ_INT(sv_twcc_parse_info(vec2_padded, sizeof vec2_padded, &info), 5);
  CHECK_EQ_INT(info.fb_pkt_count, 255);
  CHECK_EQ_INT(parse(vec2_padded, sizeof vec2_padded), 5);
  CHECK_EQ_INT(got.n, 5);
  CHECK(got.received[0] && got.received[1] && !got.received[2] && got.received[3]);
  CHECK_EQ_INT(got.arrival[0], 64000 + 2000);
  CHECK_EQ_INT(got.arrival[1], 64000 + 2000 + 256000);
  CHECK_EQ_INT(got.arrival[3], 64000 + 2000 + 256000 - 10000);
  CHECK_EQ_INT(got.arrival[4], 64000 + 2000 + 256000 - 10000 + 1000);
}

/* Several chunks of different kinds; the final run is longer than the
 * statuses left, and bytes after the packet's length are ignored. */
static const uint8_t mixed[] = {
    0x8f, 0xcd, 0x00, 0x08, 0,    0,    0,    1,    0, 0, 0, 2, /* */
    0x01, 0x00, 0x00, 0x0e, 0x00, 0x00, 0x00, 0x00,             /* base 256, count 14, ref 0 */
    0x00, 0x03,                                                 /* run: lost × 3 */
    0xe4, 0x01,                                     /* 2-bit: large small lost×4 small */
    0x20, 0x0a,                                     /* run: small × 10 (4 used) */
    0x80, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, /* -32768 ticks, then small */
    0x00, 0x00,                                     /* zero padding */
    0xde, 0xad,                                     /* beyond the length field */
};

static void test_mixed_chunks(void) {
  CHECK_EQ_INT(parse(mixed, sizeof mixed), 14);
  CHECK_EQ_INT(got.n, 14);
  for (size_t i = 0; i < 3; i++)
    CHECK(!got.received[i]);
  CHECK(got.received[3] && got.received[4] && !got.received[5] && !got.received[8]);
  CHECK(got.received[9] && got.received[13]);
  int64_t t0 = -32768 * 250; /* the most negative large delta */
  CHECK_EQ_INT(got.arrival[3], t0);
  CHECK_EQ_INT(got.arrival[4], t0 + 250);
  CHECK_EQ_INT(got.arrival[9], t0 + 750);
  CHECK_EQ_INT(got.arrival[10], t0 + 1500);
  CHECK_EQ_INT(got.arrival[13], t0 + 21 * 250);
  CHECK_EQ_INT(got.seq[13], 269);
}

static void test_malformed(void) {
  uint8_t b[64];
  /* Wrong FMT, wrong type, wrong version. */
  memcpy(b, run_small, sizeof run_small);
  b[0] = 0x81;
  CHECK_EQ_INT(parse(b, sizeof run_small), SV_EINVAL);
  memcpy(b, run_small, sizeof run_small);
  b[1] = SV_RTCP_PSFB;
  CHECK_EQ_INT(parse(b, sizeof run_small), SV_EINVAL);
  memcpy(b, run_small, sizeof run_small);
  b[0] = 0x4f;
  CHECK_EQ_INT(parse(b, sizeof run_small), SV_EINVAL);
  /* Length field past the buffer. */
  memcpy(b, run_small, sizeof run_small);
  b[3] = 7;
  CHECK_EQ_INT(parse(b, sizeof run_small), SV_EINVAL);
  /* A count that needs more chunks than there are bytes. */
  memcpy(b, run_small, sizeof run_small);
  b[15] = 200;
  CHECK_EQ_INT(parse(b, sizeof run_small), SV_EINVAL);
  CHECK_EQ_INT(got.n, 0); /* no callback before the packet is known good */
  /* Deltas that run past the end: the run claims six small deltas. */
  memcpy(b, run_small, sizeof run_small);
  b[15] = 6;
  b[21] = 6;
  CHECK_EQ_INT(parse(b, sizeof run_small), 6); /* the padding byte is the 6th */
  b[15] = 7;
  b[21] = 7;
  CHECK_EQ_INT(parse(b, sizeof run_small), SV_EINVAL);
  /* The reserved symbol, in a run and in a two-bit vector. */
  memcpy(b, run_small, sizeof run_small);
  b[20] = 0x60;
  CHECK_EQ_INT(parse(b, sizeof run_small), SV_EINVAL);
  memcpy(b, vec2_padded, sizeof vec2_padded);
  b[20] = 0xdc; /* 01 11 ... */
  CHECK_EQ_INT(parse(b, sizeof vec2_padded), SV_EINVAL);
  /* A reserved symbol past the status count is not looked at. */
  memcpy(b, vec2_padded, sizeof vec2_padded);
  b[21] = 0x93; /* last symbol 11, unused */
  CHECK_EQ_INT(parse(b, sizeof vec2_padded), 5);
  /* Padding bit with a zero or oversized pad count. */
  memcpy(b, vec2_padded, sizeof vec2_padded);
  b[sizeof vec2_padded - 1] = 0;
  CHECK_EQ_INT(parse(b, sizeof vec2_padded), SV_EINVAL);
  b[sizeof vec2_padded - 1] = 32;
  CHECK_EQ_INT(parse(b, sizeof vec2_padded), SV_EINVAL);
  /* Padding that eats into the deltas. */
  b[sizeof vec2_padded - 1] = 8;
  CHECK_EQ_INT(parse(b, sizeof vec2_padded), SV_EINVAL);
  /* Shorter than the fixed header; NULL. */
  CHECK_EQ_INT(parse(run_small, 16), SV_EINVAL);
  CHECK_EQ_INT(parse(NULL, 0), SV_EINVAL);
  CHECK_EQ_INT(sv_twcc_parse_info(NULL, 100, NULL), SV_EINVAL);
  /* No statuses at all is well-formed and reports nothing. */
  memcpy(b, run_small, 20);
  b[3] = 4;
  b[14] = b[15] = 0;
  CHECK_EQ_INT(parse(b, 20), 0);
  CHECK_EQ_INT(got.n, 0);
}

/* Parses every prefix of p from a heap buffer of exactly that size, once
 * as is (the length field then overruns) and once with the length field
 * shrunk to the prefix; either way there must be no overread and no
 * success beyond what the bytes hold. */
static void check_truncations(const uint8_t *p, size_t len) {
  for (size_t k = 0; k < len; k++) {
    uint8_t *b = malloc(k ? k : 1);
    memcpy(b, p, k);
    CHECK_EQ_INT(parse(b, k), SV_EINVAL);
    if (k >= 4 && k % 4 == 0) {
      b[0] &= (uint8_t)~0x20; /* the padding would no longer be at the end */
      b[2] = (uint8_t)((k / 4 - 1) >> 8);
      b[3] = (uint8_t)(k / 4 - 1);
      int r = parse(b, k);
      CHECK(r == SV_EINVAL || (r >= 0 && got.n == (size_t)r));
      r = sv_twcc_parse_info(b, k, NULL);
      CHECK(r == SV_EINVAL || r >= 0);
    }
    free(b);
  }
}

static void test_truncations(void) {
  check_truncations(run_small, sizeof run_small);
  check_truncations(vec1, sizeof vec1);
  check_truncations(vec2_padded, sizeof vec2_padded);
  check_truncations(mixed, sizeof mixed - 2);
  static int64_t arr[300];
  for (size_t i = 0; i < 300; i++)
    arr[i] = i % 17 == 3 ? -1 : (int64_t)(i * 1000 + (i % 5 == 0 ? 70000 : 0));
  static uint8_t b[2048];
  int n = sv_twcc_build(b, sizeof b, 1, 2, 3, 4, arr, 300);
  CHECK(n > 0);
  if (n > 0) check_truncations(b, (size_t)n);
}

/* Builds from arr, parses back and compares within the 250 µs rounding. */
static void round_trip(const int64_t *arr, size_t n, uint16_t base) {
  static uint8_t b[1 << 18];
  int len = sv_twcc_build(b, sizeof b, 0xabcdef01, 0x12345678, 42, base, arr, n);
  CHECK(len > 0 && len % 4 == 0);
  if (len <= 0) return;
  sv_twcc_info info;
  CHECK_EQ_INT(sv_twcc_parse_info(b, (size_t)len, &info), n);
  CHECK_EQ_INT(info.fb_pkt_count, 42);
  CHECK_EQ_INT(info.base_seq, base);
  CHECK_EQ_INT(parse(b, (size_t)len), n);
  CHECK_EQ_INT(got.n, n < MAX_STATUSES ? n : MAX_STATUSES);
  int64_t offset = INT64_MIN; /* parsed - original, the same for every packet */
  size_t bad = 0;
  for (size_t i = 0; i < got.n; i++) {
    if (got.seq[i] != (uint16_t)(base + i) || got.received[i] != (arr[i] >= 0)) bad++;
    if (arr[i] < 0) continue;
    /* Each arrival is rounded to the nearest tick against a multiple of
     * 64 ms, so parsed - original is within ±125 µs of a constant that is
     * 0 unless the reference time wrapped. */
    int64_t d = got.arrival[i] - arr[i];
    if (offset == INT64_MIN) {
      const int64_t w = SV_TWCC_REF_WRAP_US;
      offset = (d >= 0 ? d + w / 2 : d - w / 2) / w * w; /* nearest multiple of the wrap */
    }
    if (d - offset > 125 || d - offset < -125) bad++;
  }
  CHECK_EQ_INT(bad, 0);
}

static uint32_t rng_state = 12345;
static uint32_t rnd(void) {
  rng_state = rng_state * 1103515245u + 12345u;
  return rng_state >> 8;
}

static void test_round_trips(void) {
  static int64_t arr[5000];
  /* All received, steady 1 ms spacing: run-length chunks. */
  for (size_t i = 0; i < 5000; i++)
    arr[i] = 5000000 + (int64_t)i * 1000;
  round_trip(arr, 5000, 65000);
  /* A single status, received; a single status, lost. */
  round_trip(arr, 1, 7);
  arr[0] = -1;
  round_trip(arr, 1, 7);
  /* Random loss, reordering (negative deltas), gaps over 64 ms. */
  for (int trial = 0; trial < 50; trial++) {
    size_t n = 1 + rnd() % 600;
    int64_t t = (int64_t)(rnd() % 100000000);
    for (size_t i = 0; i < n; i++) {
      uint32_t r = rnd() % 100;
      t += r < 5 ? 70000 + rnd() % 100000 : rnd() % 3000;
      arr[i] = r >= 90 ? -1 : (r < 10 ? t - (int64_t)(rnd() % 20000) : t);
      if (arr[i] < 0 && r < 10) arr[i] = 0;
    }
    round_trip(arr, n, (uint16_t)rnd());
  }
  /* Long runs of lost packets between received ones. */
  for (size_t i = 0; i < 3000; i++)
    arr[i] = (i % 1000 == 0) ? (int64_t)i * 2000 : -1;
  round_trip(arr, 3000, 1);
  /* Arrivals past the 24-bit reference time wrap. */
  for (size_t i = 0; i < 20; i++)
    arr[i] = SV_TWCC_REF_WRAP_US + 123456 + (int64_t)i * 20000;
  round_trip(arr, 20, 3);
}

/* The builder picks each chunk kind where it fits: a run for 20 equal
 * statuses, a one-bit vector for alternating lost/received, a two-bit
 * vector around a large delta. */
static void test_build_chunk_kinds(void) {
  int64_t arr[41];
  for (size_t i = 0; i < 20; i++)
    arr[i] = (int64_t)i * 1000;
  for (size_t i = 20; i < 34; i++)
    arr[i] = i % 2 ? (int64_t)i * 1000 : -1;
  for (size_t i = 34; i < 41; i++)
    arr[i] = (int64_t)i * 1000 + (i == 36 ? 100000 : 0);
  uint8_t b[256];
  int n = sv_twcc_build(b, sizeof b, 1, 2, 0, 100, arr, 41);
  CHECK(n > 26);
  if (n <= 26) return;
  CHECK_EQ_INT(b[20] >> 5, 1); /* run of "received, small" */
  CHECK_EQ_INT(b[21], 20);     /* ... 20 long */
  CHECK_EQ_INT(b[22] >> 6, 2); /* one-bit vector */
  CHECK_EQ_INT(b[24] >> 6, 3); /* two-bit vector */
  round_trip(arr, 41, 100);
}

static void test_build_errors(void) {
  uint8_t b[256];
  int64_t arr[4] = {0, 1000, 10000000, 10001000};
  CHECK_EQ_INT(sv_twcc_build(b, sizeof b, 1, 2, 0, 0, arr, 4), SV_EINVAL); /* 10 s gap */
  CHECK_EQ_INT(sv_twcc_build(b, sizeof b, 1, 2, 0, 0, arr, 0), SV_EINVAL);
  CHECK_EQ_INT(sv_twcc_build(b, sizeof b, 1, 2, 0, 0, NULL, 2), SV_EINVAL);
  CHECK_EQ_INT(sv_twcc_build(b, 20, 1, 2, 0, 0, arr, 2), SV_ENOMEM);
  CHECK_EQ_INT(sv_twcc_build(b, 23, 1, 2, 0, 0, arr, 2), SV_ENOMEM);
  CHECK_EQ_INT(sv_twcc_build(b, 24, 1, 2, 0, 0, arr, 2), 24);
  /* An all-lost feedback has reference time 0 and no deltas. */
  int64_t lost[3] = {-1, -1, -1};
  CHECK_EQ_INT(sv_twcc_build(b, sizeof b, 1, 2, 0, 0, lost, 3), 24);
  CHECK_EQ_INT(parse(b, 24), 3);
  CHECK(!got.received[0] && !got.received[2]);
}

int main(void) {
  RUN(test_run_length);
  RUN(test_one_bit_vector);
  RUN(test_two_bit_vector);
  RUN(test_mixed_chunks);
  RUN(test_malformed);
  RUN(test_truncations);
  RUN(test_round_trips);
  RUN(test_build_chunk_kinds);
  RUN(test_build_errors);
  return check_summary();
}
