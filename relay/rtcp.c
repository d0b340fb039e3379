/*
 * rtcp.c — RTCP for the relay: walking compound (and RFC 5506 reduced-size)
 * packets, reading the feedback the relay acts on (PLI, FIR, NACK, report
 * blocks), building the packets it sends (SR, RR, SDES, PLI, FIR, NACK,
 * REMB), and rewriting SSRCs when feedback crosses from one PeerConnection
 * to another. It runs on a relay worker per packet: no allocation, no
 * locks, no logging, and every read is bounded by a length that was checked
 * first, because the bytes come from the network.
 */
#include "relay/rtcp.h"

#include <string.h>
#include <time.h>

#include "common/bytes.h"
#include "common/common.h"

#define HDR_LEN        4
#define FB_HDR_LEN     12 /* header + sender SSRC + media SSRC (RFC 4585 6.1) */
#define SR_HDR_LEN     28
#define RR_HDR_LEN     8
#define BLOCK_LEN      24
#define FIR_FCI_LEN    8
#define NACK_FCI_LEN   4
#define NACK_MAX_FCI   64  /* entries per NACK we build: 17 seqs each */
#define NACK_MAX_SEQS  256 /* input seqs considered; more is no sane NACK */
#define MAX_COUNT      31  /* RC/SC field width */
#define REMB_FMT       15
#define NTP_UNIX_DELTA 2208988800u /* seconds from 1900 to 1970 */

/* Writes the common header: V=2, no padding, count/FMT, type, and the
 * length in 32-bit words minus one. len is always a multiple of 4 here. */
static void put_header(uint8_t *p, uint8_t fmt, uint8_t type, size_t len) {
  p[0] = (uint8_t)(0x80 | (fmt & 0x1f));
  p[1] = type;
  sv_wr16(p + 2, (uint16_t)(len / 4 - 1));
}

/* Bytes of a packet without its padding. sv_rtcp_next has validated the
 * padding of the items it returns; items made by hand get the same check so
 * that the accessors stay in bounds whatever they are given. */
static size_t body_len(const sv_rtcp_item *item) {
  if (!item || !item->data || item->len < HDR_LEN) return 0;
  if (!(item->data[0] & 0x20)) return item->len;
  size_t pad = item->data[item->len - 1];
  if (pad == 0 || pad > item->len - HDR_LEN) return 0;
  return item->len - pad;
}

void sv_rtcp_iter_init(sv_rtcp_iter *it, const uint8_t *buf, size_t len) {
  it->p = buf;
  it->left = buf ? len : 0;
}

/* Checks that the fixed part each known type declares fits in body bytes,
 * so that accessors and rewriting never need to second-guess an item. */
static bool fits(uint8_t type, uint8_t count, size_t body) {
  switch (type) {
  case SV_RTCP_SR:
    return body >= SR_HDR_LEN + (size_t)count * BLOCK_LEN;
  case SV_RTCP_RR:
    return body >= RR_HDR_LEN + (size_t)count * BLOCK_LEN;
  case SV_RTCP_BYE:
    return body >= HDR_LEN + (size_t)count * 4;
  case SV_RTCP_SDES:
    return count == 0 || body >= HDR_LEN + 4;
  case SV_RTCP_APP:
    return body >= 12; /* header, SSRC, name */
  case SV_RTCP_RTPFB:
  case SV_RTCP_PSFB:
    return body >= FB_HDR_LEN;
  default:
    return true;
  }
}

int sv_rtcp_next(sv_rtcp_iter *it, sv_rtcp_item *item) {
  if (it->left == 0 || !it->p) return 0;
  const uint8_t *p = it->p;
  size_t left = it->left;
  /* Whatever happens below, a malformed rest ends the iteration. */
  it->left = 0;
  if (left < HDR_LEN || p[0] >> 6 != 2) return SV_EINVAL;
  size_t len = ((size_t)sv_rd16(p + 2) + 1) * 4;
  if (len > left) return SV_EINVAL;
  size_t body = len;
  if (p[0] & 0x20) {
    size_t pad = p[len - 1];
    if (pad == 0 || pad > len - HDR_LEN) return SV_EINVAL;
    body -= pad;
  }
  uint8_t type = p[1], count = p[0] & 0x1f;
  if (!fits(type, count, body)) return SV_EINVAL;

  *item = (sv_rtcp_item){.type = type, .fmt = count, .data = p, .len = len};
  switch (type) {
  case SV_RTCP_SR:
    item->ntp = sv_rd64(p + 8);
    item->rtp_ts = sv_rd32(p + 16);
    item->packets = sv_rd32(p + 20);
    item->octets = sv_rd32(p + 24);
    item->sender_ssrc = sv_rd32(p + 4);
    break;
  case SV_RTCP_RTPFB:
  case SV_RTCP_PSFB:
    item->media_ssrc = sv_rd32(p + 8);
    item->sender_ssrc = sv_rd32(p + 4);
    break;
  case SV_RTCP_RR:
  case SV_RTCP_APP:
    item->sender_ssrc = sv_rd32(p + 4);
    break;
  case SV_RTCP_SDES:
  case SV_RTCP_BYE:
    /* The first chunk / SSRC is the sender's own (RFC 3550 6.5, 6.6). */
    if (count > 0) item->sender_ssrc = sv_rd32(p + 4);
    break;
  default:
    break;
  }
  it->p = p + len;
  it->left = left - len;
  return 1;
}

size_t sv_rtcp_fir_count(const sv_rtcp_item *item) {
  size_t body = body_len(item);
  if (body < FB_HDR_LEN || item->type != SV_RTCP_PSFB || item->fmt != 4) return 0;
  return (body - FB_HDR_LEN) / FIR_FCI_LEN;
}

uint32_t sv_rtcp_fir_ssrc(const sv_rtcp_item *item, size_t i) {
  if (i >= sv_rtcp_fir_count(item)) return 0;
  return sv_rd32(item->data + FB_HDR_LEN + i * FIR_FCI_LEN);
}

size_t sv_rtcp_nack_foreach(const sv_rtcp_item *item, void (*cb)(void *user, uint16_t seq),
                            void *user) {
  size_t body = body_len(item);
  if (body < FB_HDR_LEN || item->type != SV_RTCP_RTPFB || item->fmt != 1) return 0;
  size_t n = 0;
  for (size_t off = FB_HDR_LEN; body - off >= NACK_FCI_LEN; off += NACK_FCI_LEN) {
    uint16_t pid = sv_rd16(item->data + off);
    uint16_t blp = sv_rd16(item->data + off + 2);
    if (cb) cb(user, pid);
    n++;
    for (unsigned bit = 0; bit < 16; bit++) {
      if (!(blp & (1u << bit))) continue;
      if (cb) cb(user, (uint16_t)(pid + bit + 1));
      n++;
    }
  }
  return n;
}

/* Offset of the first report block in an SR or RR, or 0 for other types. */
static size_t blocks_offset(const sv_rtcp_item *item) {
  if (item->type == SV_RTCP_SR) return SR_HDR_LEN;
  if (item->type == SV_RTCP_RR) return RR_HDR_LEN;
  return 0;
}

size_t sv_rtcp_report_count(const sv_rtcp_item *item) {
  size_t body = body_len(item);
  if (body == 0) return 0;
  size_t off = blocks_offset(item);
  if (off == 0 || body < off) return 0;
  size_t fit = (body - off) / BLOCK_LEN;
  return item->fmt < fit ? item->fmt : fit;
}

bool sv_rtcp_report_get(const sv_rtcp_item *item, size_t i, sv_rtcp_report_block *out) {
  if (i >= sv_rtcp_report_count(item)) return false;
  const uint8_t *b = item->data + blocks_offset(item) + i * BLOCK_LEN;
  int32_t lost = (int32_t)((uint32_t)b[5] << 16 | (uint32_t)b[6] << 8 | b[7]);
  if (lost & 0x800000) /* sign-extend the 24-bit field */
    lost -= 0x1000000;
  out->ssrc = sv_rd32(b);
  out->fraction_lost = b[4];
  out->cumulative_lost = lost;
  out->ext_highest_seq = sv_rd32(b + 8);
  out->jitter = sv_rd32(b + 12);
  out->lsr = sv_rd32(b + 16);
  out->dlsr = sv_rd32(b + 20);
  return true;
}

int sv_rtcp_build_sr(uint8_t *buf, size_t cap, uint32_t ssrc, uint64_t ntp, uint32_t rtp_ts,
                     uint32_t packets, uint32_t octets) {
  if (!buf || cap < SR_HDR_LEN) return SV_ENOMEM;
  put_header(buf, 0, SV_RTCP_SR, SR_HDR_LEN);
  sv_wr32(buf + 4, ssrc);
  sv_wr64(buf + 8, ntp);
  sv_wr32(buf + 16, rtp_ts);
  sv_wr32(buf + 20, packets);
  sv_wr32(buf + 24, octets);
  return SR_HDR_LEN;
}

static void put_block(uint8_t *b, const sv_rtcp_report_block *rb) {
  int32_t lost = rb->cumulative_lost;
  if (lost > 0x7fffff) lost = 0x7fffff;
  if (lost < -0x800000) lost = -0x800000;
  uint32_t wire = (uint32_t)lost & 0xffffff;
  sv_wr32(b, rb->ssrc);
  b[4] = rb->fraction_lost;
  b[5] = (uint8_t)(wire >> 16);
  b[6] = (uint8_t)(wire >> 8);
  b[7] = (uint8_t)wire;
  sv_wr32(b + 8, rb->ext_highest_seq);
  sv_wr32(b + 12, rb->jitter);
  sv_wr32(b + 16, rb->lsr);
  sv_wr32(b + 20, rb->dlsr);
}

/* More than 31 blocks do not fit the RC field: that is SV_ENOMEM too (the
 * caller sends a second RR). */
int sv_rtcp_build_rr(uint8_t *buf, size_t cap, uint32_t sender_ssrc,
                     const sv_rtcp_report_block *blocks, size_t n_blocks) {
  if (n_blocks > MAX_COUNT) return SV_ENOMEM;
  if (n_blocks > 0 && !blocks) return SV_EINVAL;
  size_t len = RR_HDR_LEN + n_blocks * BLOCK_LEN;
  if (!buf || cap < len) return SV_ENOMEM;
  put_header(buf, (uint8_t)n_blocks, SV_RTCP_RR, len);
  sv_wr32(buf + 4, sender_ssrc);
  for (size_t i = 0; i < n_blocks; i++)
    put_block(buf + RR_HDR_LEN + i * BLOCK_LEN, &blocks[i]);
  return (int)len;
}

/* One chunk with one CNAME item, then the null item that ends the chunk
 * and zero padding to the next 32-bit boundary (RFC 3550 6.5). A CNAME over
 * 255 bytes cannot be encoded: SV_EINVAL. */
int sv_rtcp_build_sdes_cname(uint8_t *buf, size_t cap, uint32_t ssrc, const char *cname) {
  if (!cname) return SV_EINVAL;
  size_t n = strlen(cname);
  if (n > 255) return SV_EINVAL;
  /* header + SSRC + type + length + text + at least one null byte */
  size_t len = (HDR_LEN + 4 + 2 + n + 1 + 3) & ~(size_t)3;
  if (!buf || cap < len) return SV_ENOMEM;
  memset(buf, 0, len);
  put_header(buf, 1, SV_RTCP_SDES, len);
  sv_wr32(buf + 4, ssrc);
  buf[8] = 1; /* CNAME */
  buf[9] = (uint8_t)n;
  memcpy(buf + 10, cname, n);
  return (int)len;
}

static int build_fb(uint8_t *buf, size_t cap, size_t len, uint8_t fmt, uint8_t type,
                    uint32_t sender_ssrc, uint32_t media_ssrc) {
  if (!buf || cap < len) return SV_ENOMEM;
  put_header(buf, fmt, type, len);
  sv_wr32(buf + 4, sender_ssrc);
  sv_wr32(buf + 8, media_ssrc);
  return (int)len;
}

int sv_rtcp_build_pli(uint8_t *buf, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc) {
  return build_fb(buf, cap, FB_HDR_LEN, 1, SV_RTCP_PSFB, sender_ssrc, media_ssrc);
}

/* RFC 5104 4.3.1.2: the header's media SSRC is unused and SHALL be 0; the
 * stream asked for a keyframe is named in the FCI. */
int sv_rtcp_build_fir(uint8_t *buf, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc,
                      uint8_t seq_nr) {
  int len = build_fb(buf, cap, FB_HDR_LEN + FIR_FCI_LEN, 4, SV_RTCP_PSFB, sender_ssrc, 0);
  if (len < 0) return len;
  sv_wr32(buf + FB_HDR_LEN, media_ssrc);
  buf[FB_HDR_LEN + 4] = seq_nr;
  memset(buf + FB_HDR_LEN + 5, 0, 3);
  return len;
}

/* Orders sequence numbers around the first one, so that a list that
 * crosses 65535 → 0 sorts as a run and packs into few PID/BLP entries. */
static void sort_seqs(uint16_t *s, size_t n) {
  if (n == 0) return;
  uint16_t ref = (uint16_t)(s[0] - 0x8000);
  for (size_t i = 1; i < n; i++) {
    uint16_t v = s[i], key = (uint16_t)(v - ref);
    size_t j = i;
    while (j > 0 && (uint16_t)(s[j - 1] - ref) > key) {
      s[j] = s[j - 1];
      j--;
    }
    s[j] = v;
  }
}

/* Packs seqs (any order, duplicates allowed) into PID + BLP entries. Only
 * the first NACK_MAX_SEQS inputs are looked at and at most NACK_MAX_FCI
 * entries are written (the oldest, after sorting): a longer list means the
 * stream is broken and a keyframe request is the better answer. No seqs:
 * SV_EINVAL, as a NACK must carry at least one entry. */
int sv_rtcp_build_nack(uint8_t *buf, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc,
                       const uint16_t *seqs, size_t n_seqs) {
  if (!seqs || n_seqs == 0) return SV_EINVAL;
  uint16_t s[NACK_MAX_SEQS];
  size_t n = n_seqs < NACK_MAX_SEQS ? n_seqs : NACK_MAX_SEQS;
  memcpy(s, seqs, n * sizeof s[0]);
  sort_seqs(s, n);

  /* First pass counts entries so that the capacity check happens before
   * anything is written. */
  size_t entries = 0;
  uint16_t pid = 0;
  for (size_t i = 0; i < n && entries <= NACK_MAX_FCI; i++) {
    if (entries == 0 || (uint16_t)(s[i] - pid) > 16) {
      pid = s[i];
      entries++;
    }
  }
  if (entries > NACK_MAX_FCI) entries = NACK_MAX_FCI;
  size_t len = FB_HDR_LEN + entries * NACK_FCI_LEN;
  int r = build_fb(buf, cap, len, 1, SV_RTCP_RTPFB, sender_ssrc, media_ssrc);
  if (r < 0) return r;

  size_t e = 0;
  uint16_t blp = 0;
  for (size_t i = 0; i < n; i++) {
    uint16_t d = (uint16_t)(s[i] - pid);
    if (e > 0 && d == 0) continue; /* duplicate of the PID */
    if (e > 0 && d <= 16) {
      blp |= (uint16_t)(1u << (d - 1));
      continue;
    }
    if (e > 0) sv_wr16(buf + FB_HDR_LEN + (e - 1) * NACK_FCI_LEN + 2, blp);
    if (e == entries) break;
    pid = s[i];
    blp = 0;
    sv_wr16(buf + FB_HDR_LEN + e * NACK_FCI_LEN, pid);
    e++;
  }
  /* The last entry's BLP (rewritten unchanged if the cap ended the loop). */
  sv_wr16(buf + FB_HDR_LEN + (e - 1) * NACK_FCI_LEN + 2, blp);
  return r;
}

/* draft-alvestrand-rmcat-remb 2.2: PSFB FMT 15, media SSRC 0, "REMB",
 * the SSRC count, a 6-bit exponent and 18-bit mantissa, then the SSRCs
 * the estimate applies to. The mantissa is rounded down, so the estimate
 * sent is never above the one given. */
int sv_rtcp_build_remb(uint8_t *buf, size_t cap, uint32_t sender_ssrc, uint64_t bitrate_bps,
                       const uint32_t *ssrcs, size_t n_ssrcs) {
  if (n_ssrcs > 255) return SV_ENOMEM;
  if (n_ssrcs > 0 && !ssrcs) return SV_EINVAL;
  size_t len = FB_HDR_LEN + 8 + 4 * n_ssrcs;
  int r = build_fb(buf, cap, len, REMB_FMT, SV_RTCP_PSFB, sender_ssrc, 0);
  if (r < 0) return r;
  unsigned exp = 0;
  while ((bitrate_bps >> exp) >= (1u << 18))
    exp++;
  uint32_t mantissa = (uint32_t)(bitrate_bps >> exp);
  memcpy(buf + 12, "REMB", 4);
  buf[16] = (uint8_t)n_ssrcs;
  buf[17] = (uint8_t)(exp << 2 | mantissa >> 16);
  sv_wr16(buf + 18, (uint16_t)mantissa);
  for (size_t i = 0; i < n_ssrcs; i++)
    sv_wr32(buf + 20 + 4 * i, ssrcs[i]);
  return r;
}

/* Maps the SSRC at p in place. 0 is never an SSRC worth mapping: it marks
 * an unused field (FIR and REMB media SSRC). */
static void map_at(uint8_t *p, uint32_t (*map)(void *, uint32_t), void *user) {
  uint32_t old = sv_rd32(p);
  if (old == 0) return;
  uint32_t v = map(user, old);
  if (v != 0) sv_wr32(p, v);
}

/* SDES chunks: an SSRC, then items (type, length, text) up to a null
 * item, then padding to the next 32-bit boundary. */
static int rewrite_sdes(uint8_t *p, size_t body, unsigned count, uint32_t (*map)(void *, uint32_t),
                        void *user) {
  size_t off = HDR_LEN;
  for (unsigned c = 0; c < count; c++) {
    if (body - off < 4) return SV_EINVAL;
    map_at(p + off, map, user);
    off += 4;
    for (;;) {
      if (off >= body) return SV_EINVAL;
      if (p[off] == 0) break;
      if (body - off < 2 || body - off - 2 < p[off + 1]) return SV_EINVAL;
      off += 2 + (size_t)p[off + 1];
    }
    off = (off + 4) & ~(size_t)3; /* past the null byte, to the boundary */
    if (off > body) return SV_EINVAL;
  }
  return 0;
}

static int rewrite_item(uint8_t *p, const sv_rtcp_item *item, uint32_t (*map)(void *, uint32_t),
                        void *user) {
  size_t body = body_len(item);
  switch (item->type) {
  case SV_RTCP_SR:
  case SV_RTCP_RR: {
    map_at(p + 4, map, user);
    size_t off = blocks_offset(item), n = sv_rtcp_report_count(item);
    for (size_t i = 0; i < n; i++)
      map_at(p + off + i * BLOCK_LEN, map, user);
    return 0;
  }
  case SV_RTCP_SDES:
    return rewrite_sdes(p, body, item->fmt, map, user);
  case SV_RTCP_BYE:
    for (size_t i = 0; i < item->fmt; i++)
      map_at(p + HDR_LEN + 4 * i, map, user);
    return 0;
  case SV_RTCP_APP:
    map_at(p + 4, map, user);
    return 0;
  case SV_RTCP_RTPFB:
    map_at(p + 4, map, user);
    map_at(p + 8, map, user);
    return 0;
  case SV_RTCP_PSFB: {
    map_at(p + 4, map, user);
    map_at(p + 8, map, user);
    if (item->fmt == 4) {
      size_t n = sv_rtcp_fir_count(item);
      for (size_t i = 0; i < n; i++)
        map_at(p + FB_HDR_LEN + i * FIR_FCI_LEN, map, user);
    } else if (item->fmt == REMB_FMT && body >= FB_HDR_LEN + 8 &&
               memcmp(p + FB_HDR_LEN, "REMB", 4) == 0) {
      size_t n = p[16];
      if ((body - FB_HDR_LEN - 8) / 4 < n) return SV_EINVAL;
      for (size_t i = 0; i < n; i++)
        map_at(p + 20 + 4 * i, map, user);
    }
    return 0;
  }
  default:
    return 0; /* other types carry no SSRC we know how to find */
  }
}

int sv_rtcp_rewrite_ssrcs(uint8_t *buf, size_t len, uint32_t (*map)(void *user, uint32_t ssrc),
                          void *user) {
  if (!map) return SV_EINVAL;
  sv_rtcp_iter it;
  sv_rtcp_item item;
  int r;
  sv_rtcp_iter_init(&it, buf, len);
  while ((r = sv_rtcp_next(&it, &item)) == 1) {
    /* The iterator hands out const pointers into buf; the same offset in
     * the writable buffer is the packet to rewrite. */
    uint8_t *p = buf + (item.data - buf);
    if (rewrite_item(p, &item, map, user) != 0) return SV_EINVAL;
  }
  return r;
}

uint64_t sv_ntp_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  uint64_t sec = (uint64_t)ts.tv_sec + NTP_UNIX_DELTA;
  uint64_t frac = ((uint64_t)ts.tv_nsec << 32) / 1000000000u;
  return sec << 32 | frac;
}
