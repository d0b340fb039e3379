/*
 * test_red.c — RFC 2198 block headers (relay/red.c): the primary Opus
 * payload found behind zero, one and two redundant blocks, and packets
 * whose headers or blocks run past their end refused.
 */
#include "relay/red.h"

#include "common/common.h"
#include "tests/unit/check.h"

/* Builds a RED payload: n_red redundant blocks of red_len bytes (filled with
 * 0xAA), then a primary of prim_len bytes (0x11, 0x12, ...). */
static size_t build(uint8_t *b, int n_red, size_t red_len, size_t prim_len) {
  size_t n = 0;
  for (int i = 0; i < n_red; i++) {
    uint16_t ts_off = (uint16_t)(960 * (n_red - i));
    b[n++] = 0x80 | 111;
    b[n++] = (uint8_t)(ts_off >> 6);
    b[n++] = (uint8_t)((ts_off & 0x3f) << 2 | (red_len >> 8));
    b[n++] = (uint8_t)red_len;
  }
  b[n++] = 111;
  for (int i = 0; i < n_red; i++)
    for (size_t k = 0; k < red_len; k++)
      b[n++] = 0xAA;
  for (size_t k = 0; k < prim_len; k++)
    b[n++] = (uint8_t)(0x11 + k);
  return n;
}

static void test_primary(void) {
  uint8_t b[512];
  uint8_t pt;
  size_t off, len;
  for (int n_red = 0; n_red <= 2; n_red++) {
    size_t n = build(b, n_red, 60, 70);
    CHECK_EQ_INT(sv_red_primary(b, n, &pt, &off, &len), 0);
    CHECK_EQ_INT(pt, 111);
    CHECK_EQ_INT(len, 70);
    CHECK_EQ_INT(off, (size_t)n_red * 4 + 1 + (size_t)n_red * 60);
    CHECK_EQ_INT(b[off], 0x11);
  }
  /* A long redundant block (10-bit length: up to 1023). */
  uint8_t big[1200];
  size_t n = build(big, 1, 1000, 50);
  CHECK_EQ_INT(sv_red_primary(big, n, &pt, &off, &len), 0);
  CHECK_EQ_INT(len, 50);
  /* DTX: an empty primary is still a primary. */
  n = build(b, 1, 20, 0);
  CHECK_EQ_INT(sv_red_primary(b, n, &pt, &off, &len), 0);
  CHECK_EQ_INT(len, 0);
}

static void test_malformed(void) {
  uint8_t b[512] = {0};
  uint8_t pt;
  size_t off, len;
  CHECK_EQ_INT(sv_red_primary(b, 0, &pt, &off, &len), SV_EINVAL);
  /* Only redundant headers, no primary header. */
  size_t n = build(b, 2, 10, 10);
  CHECK_EQ_INT(sv_red_primary(b, 8, &pt, &off, &len), SV_EINVAL);
  /* A block longer than the packet. */
  n = build(b, 1, 60, 10);
  CHECK_EQ_INT(sv_red_primary(b, 4 + 1 + 30, &pt, &off, &len), SV_EINVAL);
  b[3] = 0xff; /* claims 255 + (high bits) bytes */
  b[2] |= 0x03;
  CHECK_EQ_INT(sv_red_primary(b, n, &pt, &off, &len), SV_EINVAL);
  /* Every truncation of a good packet: refused, or a primary inside it. */
  n = build(b, 2, 30, 40);
  for (size_t cut = 0; cut <= n; cut++) {
    int rc = sv_red_primary(b, cut, &pt, &off, &len);
    CHECK(rc == SV_EINVAL || (rc == 0 && off + len == cut));
  }
}

int main(void) {
  RUN(test_primary);
  RUN(test_malformed);
  return check_summary();
}
