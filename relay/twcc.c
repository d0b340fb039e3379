/*
 * twcc.c — transport-wide congestion control feedback
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01, section 3.1).
 *
 * A feedback packet lists, from a base sequence number, one status per
 * packet: not received, received with a small delta (1 byte, 0..63.75 ms)
 * or received with a large or negative delta (2 bytes, signed). Statuses
 * are packed into 16-bit chunks (a run of one symbol, or a vector of 14
 * one-bit or 7 two-bit symbols); the receive deltas, in 250 µs units, follow
 * all the chunks. Because the deltas come after the chunks, parsing walks
 * the chunks twice: once to validate the packet and find where the deltas
 * start, once to report. That also means a malformed packet is rejected
 * before any callback runs, so the estimator never acts on half a packet.
 *
 * The symbol value is also the size of its delta in bytes (0, 1 or 2),
 * which both passes use. Symbol 3 is reserved and makes a packet invalid.
 */
#include "relay/twcc.h"

#include <string.h>

#include "common/bytes.h"
#include "common/common.h"
#include "relay/rtcp.h"

#define HDR_LEN      20 /* RTCP header, two SSRCs, base seq, count, ref time, fb count */
#define RUN_MAX      8191
#define VEC1_SYMBOLS 14
#define VEC2_SYMBOLS 7
#define SYM_LOST     0
#define SYM_SMALL    1
#define SYM_LARGE    2
#define SYM_RESERVED 3

/* Where the parts of a validated packet are. */
typedef struct layout {
  size_t chunks_end; /* offset of the first receive delta */
  sv_twcc_info info;
} layout;

/* Number of symbols a chunk carries (a run may be longer than the statuses
 * left; callers clamp). */
static unsigned chunk_capacity(uint16_t chunk) {
  if (!(chunk & 0x8000)) return chunk & 0x1fff;
  return (chunk & 0x4000) ? VEC2_SYMBOLS : VEC1_SYMBOLS;
}

/* Symbol i of a chunk; i < chunk_capacity(chunk). */
static unsigned chunk_symbol(uint16_t chunk, unsigned i) {
  if (!(chunk & 0x8000)) return (chunk >> 13) & 3;
  if (chunk & 0x4000) return (chunk >> (2 * (VEC2_SYMBOLS - 1 - i))) & 3;
  return (chunk >> (VEC1_SYMBOLS - 1 - i)) & 1;
}

/* Bytes of receive deltas the first n symbols of a chunk need, or -1 if
 * one of them is the reserved symbol. */
static long chunk_delta_bytes(uint16_t chunk, unsigned n) {
  if (!(chunk & 0x8000)) {
    unsigned s = chunk_symbol(chunk, 0);
    return s == SYM_RESERVED ? -1 : (long)s * n;
  }
  long bytes = 0;
  for (unsigned i = 0; i < n; i++) {
    unsigned s = chunk_symbol(chunk, i);
    if (s == SYM_RESERVED) return -1;
    bytes += s;
  }
  return bytes;
}

/* Checks the RTCP header and returns the packet's length without RTCP
 * padding, or 0 if it is not a well-formed TWCC feedback packet. */
static size_t feedback_body(const uint8_t *pkt, size_t len) {
  if (!pkt || len < 4 || pkt[0] >> 6 != 2) return 0;
  if ((pkt[0] & 0x1f) != SV_TWCC_FMT || pkt[1] != SV_RTCP_RTPFB) return 0;
  size_t plen = ((size_t)sv_rd16(pkt + 2) + 1) * 4;
  if (plen > len) return 0;
  size_t body = plen;
  if (pkt[0] & 0x20) {
    size_t pad = pkt[plen - 1];
    if (pad == 0 || pad > plen - 4) return 0;
    body -= pad;
  }
  return body >= HDR_LEN ? body : 0;
}

/* Validates the whole packet and fills *out. Returns 0 or SV_EINVAL. */
static int validate(const uint8_t *pkt, size_t len, layout *out) {
  size_t body = feedback_body(pkt, len);
  if (body == 0) return SV_EINVAL;
  sv_twcc_info *info = &out->info;
  info->sender_ssrc = sv_rd32(pkt + 4);
  info->media_ssrc = sv_rd32(pkt + 8);
  info->base_seq = sv_rd16(pkt + 12);
  info->status_count = sv_rd16(pkt + 14);
  info->ref_time = (uint32_t)pkt[16] << 16 | (uint32_t)pkt[17] << 8 | pkt[18];
  info->fb_pkt_count = pkt[19];

  size_t off = HDR_LEN, delta_bytes = 0;
  unsigned left = info->status_count;
  while (left > 0) {
    if (body - off < 2) return SV_EINVAL;
    uint16_t chunk = sv_rd16(pkt + off);
    off += 2;
    unsigned n = chunk_capacity(chunk);
    if (n > left) n = left;
    long bytes = chunk_delta_bytes(chunk, n);
    if (bytes < 0) return SV_EINVAL;
    delta_bytes += (size_t)bytes;
    left -= n;
  }
  if (body - off < delta_bytes) return SV_EINVAL;
  out->chunks_end = off;
  return 0;
}

int sv_twcc_parse_info(const uint8_t *pkt, size_t len, sv_twcc_info *info) {
  layout l;
  if (validate(pkt, len, &l) != 0) return SV_EINVAL;
  if (info) *info = l.info;
  return l.info.status_count;
}

int sv_twcc_parse(const uint8_t *pkt, size_t len,
                  void (*cb)(void *user, uint16_t seq, bool received, int64_t arrival_us),
                  void *user) {
  layout l;
  if (validate(pkt, len, &l) != 0) return SV_EINVAL;
  if (!cb) return l.info.status_count;

  /* validate() has checked that every chunk and delta read below lies
   * inside the packet. */
  const uint8_t *chunk_p = pkt + HDR_LEN, *delta_p = pkt + l.chunks_end;
  int64_t t = (int64_t)l.info.ref_time * SV_TWCC_REF_UNIT_US;
  uint16_t seq = l.info.base_seq;
  unsigned left = l.info.status_count;
  while (left > 0) {
    uint16_t chunk = sv_rd16(chunk_p);
    chunk_p += 2;
    unsigned n = chunk_capacity(chunk);
    if (n > left) n = left;
    for (unsigned i = 0; i < n; i++, seq++) {
      unsigned s = chunk_symbol(chunk, i);
      if (s == SYM_LOST) {
        cb(user, seq, false, 0);
        continue;
      }
      int64_t delta = s == SYM_SMALL ? (int64_t)delta_p[0] : (int64_t)(int16_t)sv_rd16(delta_p);
      delta_p += s;
      t += delta * SV_TWCC_DELTA_US;
      cb(user, seq, true, t);
    }
    left -= n;
  }
  return l.info.status_count;
}

/* ---- Building ---------------------------------------------------------- */

/* Walks the statuses of a packet being built, computing each one's symbol
 * and delta. Copies of a cursor look ahead without disturbing it. */
typedef struct cursor {
  const int64_t *arrival;
  size_t i, n;
  int64_t ref_us;
  int64_t prev_ticks; /* receive time of the last received packet, 250 µs ticks */
  int bad;            /* a delta does not fit 16 bits */
} cursor;

static int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Symbol of status c->i; stores its delta in *delta and advances. */
static unsigned cursor_next(cursor *c, int64_t *delta) {
  int64_t a = c->arrival[c->i++];
  *delta = 0;
  if (a < 0) return SYM_LOST;
  /* Rounding each arrival against the reference (not each delta against
   * the previous) keeps the rounding error from accumulating. */
  int64_t ticks = floor_div(a - c->ref_us + SV_TWCC_DELTA_US / 2, SV_TWCC_DELTA_US);
  *delta = ticks - c->prev_ticks;
  c->prev_ticks = ticks;
  if (*delta >= 0 && *delta <= 255) return SYM_SMALL;
  if (*delta < INT16_MIN || *delta > INT16_MAX) c->bad = 1;
  return SYM_LARGE;
}

/* Length of the run of equal symbols starting at c (at most max). */
static unsigned run_length(cursor c, unsigned max, unsigned *sym) {
  int64_t d;
  *sym = cursor_next(&c, &d);
  unsigned run = 1;
  while (run < max && c.i < c.n) {
    cursor probe = c;
    if (cursor_next(&probe, &d) != *sym) break;
    c = probe;
    run++;
  }
  return run;
}

/* True if the next k statuses (or fewer at the end) need no large delta. */
static bool fits_one_bit(cursor c, unsigned k) {
  int64_t d;
  for (unsigned i = 0; i < k && c.i < c.n; i++)
    if (cursor_next(&c, &d) == SYM_LARGE) return false;
  return true;
}

/* Encodes the next chunk at c and advances c past its statuses. */
static uint16_t next_chunk(cursor *c) {
  unsigned sym, left = (unsigned)(c->n - c->i);
  unsigned run = run_length(*c, left < RUN_MAX ? left : RUN_MAX, &sym);
  int64_t d;
  if (run >= VEC1_SYMBOLS || run == left || (run >= VEC2_SYMBOLS && !fits_one_bit(*c, 14))) {
    for (unsigned i = 0; i < run; i++)
      cursor_next(c, &d);
    return (uint16_t)(sym << 13 | run);
  }
  uint16_t chunk;
  if (fits_one_bit(*c, VEC1_SYMBOLS)) {
    chunk = 0x8000;
    for (unsigned i = 0; i < VEC1_SYMBOLS && c->i < c->n; i++)
      chunk |= (uint16_t)(cursor_next(c, &d) << (VEC1_SYMBOLS - 1 - i));
    return chunk;
  }
  chunk = 0xc000;
  for (unsigned i = 0; i < VEC2_SYMBOLS && c->i < c->n; i++)
    chunk |= (uint16_t)(cursor_next(c, &d) << (2 * (VEC2_SYMBOLS - 1 - i)));
  return chunk;
}

int sv_twcc_build(uint8_t *buf, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc,
                  uint8_t fb_count, uint16_t base_seq, const int64_t *arrival_us, size_t n) {
  if (!arrival_us || n == 0 || n > UINT16_MAX) return SV_EINVAL;
  if (!buf || cap < HDR_LEN) return SV_ENOMEM;
  int64_t ref = 0;
  for (size_t i = 0; i < n; i++) {
    if (arrival_us[i] >= 0) {
      ref = arrival_us[i] / SV_TWCC_REF_UNIT_US;
      break;
    }
  }
  cursor start = {.arrival = arrival_us, .n = n, .ref_us = ref * SV_TWCC_REF_UNIT_US};

  /* Chunks first, then a second walk writes the deltas after them. */
  size_t off = HDR_LEN;
  cursor c = start;
  while (c.i < c.n) {
    uint16_t chunk = next_chunk(&c);
    if (cap - off < 2) return SV_ENOMEM;
    sv_wr16(buf + off, chunk);
    off += 2;
  }
  if (c.bad) return SV_EINVAL;
  c = start;
  while (c.i < c.n) {
    int64_t delta;
    unsigned sym = cursor_next(&c, &delta);
    if (cap - off < sym) return SV_ENOMEM;
    if (sym == SYM_SMALL) buf[off] = (uint8_t)delta;
    if (sym == SYM_LARGE) sv_wr16(buf + off, (uint16_t)(int16_t)delta);
    off += sym;
  }
  while (off % 4) {
    if (cap - off < 1) return SV_ENOMEM;
    buf[off++] = 0;
  }
  buf[0] = 0x80 | SV_TWCC_FMT;
  buf[1] = SV_RTCP_RTPFB;
  sv_wr16(buf + 2, (uint16_t)(off / 4 - 1));
  sv_wr32(buf + 4, sender_ssrc);
  sv_wr32(buf + 8, media_ssrc);
  sv_wr16(buf + 12, base_seq);
  sv_wr16(buf + 14, (uint16_t)n);
  buf[16] = (uint8_t)(ref >> 16);
  buf[17] = (uint8_t)(ref >> 8);
  buf[18] = (uint8_t)ref;
  buf[19] = fb_count;
  return (int)off;
}
