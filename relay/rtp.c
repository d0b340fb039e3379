/*
 * rtp.c — the RTP half of the relay's per-packet path: RFC 7983
 * demultiplexing, header parsing and in-place rewriting, keyframe detection
 * for VP8 and H.264, and the RFC 3550 receive statistics that feed our
 * receiver reports. Everything works on caller-owned buffers and runs on a
 * relay worker for every packet, so nothing here allocates, locks or logs,
 * and every read is preceded by a length check: the bytes come from the
 * network.
 */
#include "relay/rtp.h"

#include "common/bytes.h"
#include "common/common.h"
#include "relay/sdp.h"

#include <string.h>

/* Classification reads only byte 0 (and byte 1 for RTP/RTCP), so it asks
 * for no more than that: whether the rest is long enough is the job of the
 * parser (and of SRTP's authentication) that runs next. */
sv_pkt_class sv_pkt_classify(const uint8_t *buf, size_t len) {
  if (!buf || len < 1) return SV_PKT_UNKNOWN;
  uint8_t b = buf[0];
  if (b <= 3) return SV_PKT_STUN;
  if (b >= 20 && b <= 63) return SV_PKT_DTLS;
  if (b >= 128 && b <= 191) {
    if (len < 2) return SV_PKT_UNKNOWN;
    /* RFC 5761 4: with rtcp-mux, RTCP packet types 192..223 occupy the RTP
     * payload types 64..95 with the marker bit set; we negotiate no RTP
     * payload type in that range, so the second byte decides. */
    if (buf[1] >= 192 && buf[1] <= 223) return SV_PKT_RTCP;
    return SV_PKT_RTP;
  }
  return SV_PKT_UNKNOWN;
}

int sv_rtp_parse(const uint8_t *buf, size_t len, sv_rtp_header *out) {
  if (!buf || !out || len < 12) return SV_EINVAL;
  if (buf[0] >> 6 != 2) return SV_EINVAL;
  bool padding = buf[0] & 0x20;
  bool extension = buf[0] & 0x10;
  size_t hlen = 12 + 4 * (size_t)(buf[0] & 0x0f);
  if (hlen > len) return SV_EINVAL;
  if (extension) {
    if (len - hlen < 4) return SV_EINVAL;
    size_t ext = 4 * (size_t)sv_rd16(buf + hlen + 2);
    hlen += 4;
    if (len - hlen < ext) return SV_EINVAL;
    hlen += ext;
  }
  size_t pad = 0;
  if (padding) {
    /* The count includes the count byte itself, so 0 is not a valid value,
     * and the padding must not eat into the header. */
    if (len == hlen) return SV_EINVAL;
    pad = buf[len - 1];
    if (pad == 0 || pad > len - hlen) return SV_EINVAL;
  }
  out->pt = buf[1] & 0x7f;
  out->marker = buf[1] & 0x80;
  out->seq = sv_rd16(buf + 2);
  out->ts = sv_rd32(buf + 4);
  out->ssrc = sv_rd32(buf + 8);
  out->header_len = hlen;
  out->payload_len = len - hlen - pad;
  return 0;
}

void sv_rtp_rewrite(uint8_t *buf, uint8_t pt, uint16_t seq, uint32_t ts, uint32_t ssrc) {
  buf[1] = (uint8_t)((buf[1] & 0x80) | (pt & 0x7f));
  sv_wr16(buf + 2, seq);
  sv_wr32(buf + 4, ts);
  sv_wr32(buf + 8, ssrc);
}

int sv_rtp_ext_get(const uint8_t *buf, const sv_rtp_header *h, uint8_t id, const uint8_t **val) {
  if (!(buf[0] & 0x10) || id == 0) return -1;
  size_t start = 12 + 4 * (size_t)(buf[0] & 0x0f);
  uint16_t profile = sv_rd16(buf + start);
  const uint8_t *p = buf + start + 4, *end = buf + h->header_len;
  bool one_byte = profile == 0xBEDE;
  if (!one_byte && (profile & 0xfff0) != 0x1000) return -1;
  while (p < end) {
    if (*p == 0) { /* padding between elements */
      p++;
      continue;
    }
    uint8_t eid;
    size_t elen;
    if (one_byte) {
      eid = *p >> 4;
      elen = (size_t)(*p & 0x0f) + 1;
      if (eid == 15) return -1; /* reserved: stop reading (RFC 8285 4.2) */
      p++;
    } else {
      if (end - p < 2) return -1;
      eid = p[0];
      elen = p[1];
      p += 2;
    }
    if ((size_t)(end - p) < elen) return -1;
    if (eid == id) {
      *val = p;
      return (int)elen;
    }
    p += elen;
  }
  return -1;
}

size_t sv_rtp_copy_out(uint8_t *out, const uint8_t *in, size_t len, const sv_rtp_header *h,
                       uint8_t twcc_id, uint16_t twcc_seq, const uint16_t *osn) {
  size_t fixed = 12 + 4 * (size_t)(in[0] & 0x0f), n = fixed;
  memcpy(out, in, fixed);
  out[0] &= (uint8_t)~0x10;
  if (twcc_id) {
    /* One one-byte element of 2 bytes, padded to a 32-bit word. */
    static const uint8_t profile[4] = {0xBE, 0xDE, 0x00, 0x01};
    out[0] |= 0x10;
    memcpy(out + n, profile, 4);
    out[n + 4] = (uint8_t)((twcc_id & 0x0f) << 4 | 1);
    sv_wr16(out + n + 5, twcc_seq);
    out[n + 7] = 0;
    n += 8;
  }
  if (osn) {
    out[0] &= (uint8_t)~0x20; /* RTX carries the payload without padding */
    sv_wr16(out + n, *osn);
    n += 2;
    memcpy(out + n, in + h->header_len, h->payload_len);
    return n + h->payload_len;
  }
  memcpy(out + n, in + h->header_len, len - h->header_len);
  return n + len - h->header_len;
}

/* RFC 7741 4.2/4.3: skip the VP8 payload descriptor, then look at the P bit
 * of the VP8 payload header, which is only there at the start of partition
 * 0 (S = 1, PID = 0). */
static bool vp8_is_keyframe(const uint8_t *p, size_t len) {
  if (len < 1) return false;
  uint8_t b0 = p[0];
  bool start = b0 & 0x10;
  uint8_t pid = b0 & 0x07;
  if (!start || pid != 0) return false;
  size_t off = 1;
  if (b0 & 0x80) { /* X: extension byte follows */
    if (off >= len) return false;
    uint8_t x = p[off++];
    if (x & 0x80) { /* I: PictureID, 7 or 15 bits (M) */
      if (off >= len) return false;
      off += (p[off] & 0x80) ? 2 : 1;
    }
    if (x & 0x40) /* L: TL0PICIDX */
      off++;
    if (x & 0x30) /* T or K: TID/Y/KEYIDX share one byte */
      off++;
  }
  if (off >= len) return false;
  return (p[off] & 0x01) == 0; /* P: 0 = key frame */
}

static bool h264_nal_is_key(uint8_t nal) {
  uint8_t type = nal & 0x1f;
  return type == 5 || type == 7; /* IDR slice, SPS */
}

/* RFC 6184 5.6–5.8: single NAL unit, STAP-A (24) and FU-A (28). Other
 * packetisations (STAP-B, MTAP, FU-B) belong to interleaved mode, which
 * browsers do not use. */
static bool h264_is_keyframe(const uint8_t *p, size_t len) {
  if (len < 1) return false;
  uint8_t type = p[0] & 0x1f;
  if (type >= 1 && type <= 23) return h264_nal_is_key(p[0]);
  if (type == 24) {
    size_t off = 1;
    while (len - off >= 2) {
      size_t size = sv_rd16(p + off);
      off += 2;
      if (size == 0 || size > len - off) return false;
      if (h264_nal_is_key(p[off])) return true;
      off += size;
    }
    return false;
  }
  if (type == 28) {
    if (len < 2) return false;
    uint8_t fu = p[1];
    return (fu & 0x80) && h264_nal_is_key(fu);
  }
  return false;
}

bool sv_rtp_is_keyframe(int codec, const uint8_t *payload, size_t len) {
  if (!payload) return false;
  switch (codec) {
  case SV_CODEC_VP8:
    return vp8_is_keyframe(payload, len);
  case SV_CODEC_H264:
    return h264_is_keyframe(payload, len);
  default:
    return false;
  }
}

/* RFC 3550 A.1 thresholds. */
#define SEQ_MOD      (1u << 16)
#define MAX_DROPOUT  3000u
#define MAX_MISORDER 100u

static void stats_init_seq(sv_rtp_stats *st, uint16_t seq) {
  st->base_seq = seq;
  st->max_seq = seq;
  st->cycles = 0;
  st->received = 0;
  st->received_prior = 0;
  st->expected_prior = 0;
}

/* Converts a microsecond time to RTP clock units, modulo 2^32 like RTP
 * timestamps. Split into seconds and remainder so that the product cannot
 * overflow for any realistic clock rate. */
static uint32_t us_to_clock(uint64_t us, uint32_t rate) {
  uint64_t sec = us / 1000000u, rem = us % 1000000u;
  return (uint32_t)(sec * rate + rem * rate / 1000000u);
}

void sv_rtp_stats_update(sv_rtp_stats *st, uint16_t seq, uint32_t ts, size_t bytes,
                         uint64_t arrival_us) {
  uint32_t arrival = st->clock_rate ? us_to_clock(arrival_us, st->clock_rate) : 0;
  /* Transit is kept modulo 2^32 so that timestamp wraparound does not show
   * up as a jump: only differences of consecutive transits matter. */
  uint32_t transit = arrival - ts;

  if (!st->started) {
    stats_init_seq(st, seq);
    st->started = true;
    st->received = 1;
    st->transit = transit;
    st->bytes += bytes;
    return;
  }

  uint16_t udelta = (uint16_t)(seq - st->max_seq);
  if (udelta < MAX_DROPOUT) {
    /* In order, possibly with a gap: a smaller number means we wrapped. */
    if (seq < st->max_seq) st->cycles += SEQ_MOD;
    st->max_seq = seq;
  } else if (udelta <= SEQ_MOD - MAX_MISORDER) {
    /* A very large jump: the sender restarted its sequence. A.1 waits for
     * a second packet to confirm; the stats struct has no room for that
     * and SRTP has already authenticated the packet, so restart now. */
    stats_init_seq(st, seq);
  }
  /* else: duplicate or reordered within MAX_MISORDER, counted below. */
  st->received++;
  st->bytes += bytes;

  if (st->clock_rate) {
    /* A.8: J += (|D| - J) / 16 */
    int32_t d = (int32_t)(transit - (uint32_t)st->transit);
    st->transit = transit;
    double ad = d < 0 ? -(double)d : (double)d;
    st->jitter += (ad - st->jitter) / 16.0;
  }
}

void sv_rtp_stats_report(sv_rtp_stats *st, uint32_t ssrc, sv_rtcp_report_block *out) {
  *out = (sv_rtcp_report_block){.ssrc = ssrc};
  if (!st->started) return;
  uint32_t ext_max = st->cycles + st->max_seq;
  /* A.3: expected counts from base_seq to the extended highest number. */
  int64_t expected = (int64_t)ext_max - (int64_t)st->base_seq + 1;
  int64_t lost = expected - (int64_t)st->received;
  if (lost > 0x7fffff) lost = 0x7fffff;
  if (lost < -0x800000) lost = -0x800000;

  uint32_t expected_interval = (uint32_t)expected - st->expected_prior;
  st->expected_prior = (uint32_t)expected;
  uint32_t received_interval = st->received - st->received_prior;
  st->received_prior = st->received;
  int64_t lost_interval = (int64_t)expected_interval - (int64_t)received_interval;
  int64_t fraction = 0;
  if (expected_interval != 0 && lost_interval > 0)
    fraction = (lost_interval << 8) / expected_interval;
  /* Everything lost would be 256, which the 8-bit field cannot carry. */
  if (fraction > 255) fraction = 255;

  out->fraction_lost = (uint8_t)fraction;
  out->cumulative_lost = (int32_t)lost;
  out->ext_highest_seq = ext_max;
  out->jitter = (uint32_t)st->jitter;
}
