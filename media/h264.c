/*
 * h264.c — picture size from an H.264 SPS (see h264.h). Reads bits from a
 * copy without emulation prevention bytes; every read is bounds-checked, so
 * a malformed SPS gives false, never a read past the end.
 */
#include "media/h264.h"

#include <string.h>

#define SPS_MAX 512 /* bytes of an SPS we look at; real ones are tens of bytes */

typedef struct bits {
  const uint8_t *p;
  size_t len, pos; /* in bits */
  bool bad;
} bits;

static unsigned bit(bits *b) {
  if (b->pos >= b->len * 8) {
    b->bad = true;
    return 0;
  }
  unsigned v = (b->p[b->pos / 8] >> (7 - b->pos % 8)) & 1;
  b->pos++;
  return v;
}

static unsigned u(bits *b, int n) {
  unsigned v = 0;
  while (n-- > 0)
    v = (v << 1) | bit(b);
  return v;
}

/* Exp-Golomb ue(v); values over 2^31 are treated as malformed. */
static unsigned ue(bits *b) {
  int zeros = 0;
  while (!b->bad && bit(b) == 0)
    if (++zeros > 31) {
      b->bad = true;
      return 0;
    }
  return ((1u << zeros) - 1) + u(b, zeros);
}

static int se(bits *b) {
  unsigned k = ue(b);
  return (k & 1) ? (int)((k + 1) / 2) : -(int)(k / 2);
}

static void skip_scaling_list(bits *b, int size) {
  int last = 8, next = 8;
  for (int j = 0; j < size && !b->bad; j++) {
    /* delta_scale is -128..127; a hostile one is reduced first, so that
     * the sum cannot overflow. */
    if (next != 0) next = (last + se(b) % 256 + 256) % 256;
    last = next == 0 ? last : next;
  }
}

bool sv_h264_sps_size(const uint8_t *nal, size_t len, int *width, int *height) {
  if (len < 4 || (nal[0] & 0x1f) != 7) return false;
  uint8_t rbsp[SPS_MAX];
  size_t n = 0, zeros = 0;
  for (size_t i = 1; i < len && n < sizeof rbsp; i++) {
    if (zeros >= 2 && nal[i] == 3) { /* emulation prevention byte */
      zeros = 0;
      continue;
    }
    zeros = nal[i] == 0 ? zeros + 1 : 0;
    rbsp[n++] = nal[i];
  }
  bits b = {rbsp, n, 0, false};
  unsigned profile = u(&b, 8);
  u(&b, 16); /* constraint flags, level */
  ue(&b);    /* seq_parameter_set_id */
  unsigned chroma = 1, separate = 0;
  static const unsigned high[] = {100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135};
  for (size_t i = 0; i < sizeof high / sizeof high[0]; i++) {
    if (profile != high[i]) continue;
    chroma = ue(&b);
    if (chroma > 3) return false;
    if (chroma == 3) separate = bit(&b);
    ue(&b);      /* bit_depth_luma_minus8 */
    ue(&b);      /* bit_depth_chroma_minus8 */
    bit(&b);     /* qpprime_y_zero_transform_bypass_flag */
    if (bit(&b)) /* seq_scaling_matrix_present_flag */
      for (int k = 0; k < (chroma != 3 ? 8 : 12); k++)
        if (bit(&b)) skip_scaling_list(&b, k < 6 ? 16 : 64);
    break;
  }
  ue(&b); /* log2_max_frame_num_minus4 */
  unsigned poc = ue(&b);
  if (poc == 0) {
    ue(&b);
  } else if (poc == 1) {
    bit(&b);
    se(&b);
    se(&b);
    unsigned cycle = ue(&b);
    if (cycle > 255) return false;
    for (unsigned i = 0; i < cycle; i++)
      se(&b);
  } else if (poc != 2) {
    return false;
  }
  ue(&b);  /* max_num_ref_frames */
  bit(&b); /* gaps_in_frame_num_value_allowed_flag */
  unsigned w_mbs = ue(&b) + 1, h_units = ue(&b) + 1;
  unsigned frame_mbs_only = bit(&b);
  if (!frame_mbs_only) bit(&b); /* mb_adaptive_frame_field_flag */
  bit(&b);                      /* direct_8x8_inference_flag */
  unsigned crop_l = 0, crop_r = 0, crop_t = 0, crop_b = 0;
  if (bit(&b)) {
    crop_l = ue(&b);
    crop_r = ue(&b);
    crop_t = ue(&b);
    crop_b = ue(&b);
  }
  if (b.bad || w_mbs > 1024 || h_units > 1024) return false;
  unsigned array_type = separate ? 0 : chroma;
  unsigned sub_w = array_type == 1 || array_type == 2 ? 2 : 1;
  unsigned sub_h = array_type == 1 ? 2 : 1;
  unsigned unit_x = array_type == 0 ? 1 : sub_w;
  unsigned unit_y = (array_type == 0 ? 1 : sub_h) * (2 - frame_mbs_only);
  long w = (long)w_mbs * 16 - (long)unit_x * (crop_l + crop_r);
  long h = (long)h_units * 16 * (2 - frame_mbs_only) - (long)unit_y * (crop_t + crop_b);
  if (w <= 0 || h <= 0) return false;
  *width = (int)w;
  *height = (int)h;
  return true;
}

bool sv_h264_rtp_sps_size(const uint8_t *rtp, size_t len, int *width, int *height) {
  if (len < 12 || (rtp[0] >> 6) != 2) return false;
  size_t off = 12 + 4u * (rtp[0] & 0x0f);
  if (rtp[0] & 0x10) { /* header extension */
    if (off + 4 > len) return false;
    off += 4 + 4u * (((size_t)rtp[off + 2] << 8) | rtp[off + 3]);
  }
  size_t end = len;
  if (rtp[0] & 0x20) { /* padding */
    if (rtp[len - 1] > len) return false;
    end = len - rtp[len - 1];
  }
  if (off >= end) return false;
  const uint8_t *p = rtp + off;
  size_t n = end - off;
  unsigned type = p[0] & 0x1f;
  if (type == 7) return sv_h264_sps_size(p, n, width, height);
  if (type != 24) return false; /* STAP-A: 16-bit sizes, then NAL units */
  for (size_t i = 1; i + 2 <= n;) {
    size_t sz = ((size_t)p[i] << 8) | p[i + 1];
    i += 2;
    if (sz == 0 || i + sz > n) return false;
    if ((p[i] & 0x1f) == 7) return sv_h264_sps_size(p + i, sz, width, height);
    i += sz;
  }
  return false;
}
