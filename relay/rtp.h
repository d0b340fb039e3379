/*
 * rtp.h — RTP on the data path: RFC 7983 demultiplexing, header parsing,
 * in-place rewriting, receive statistics for RTCP reports. Pure functions
 * on caller-owned buffers: no allocation, no locks, no logging. Every
 * function checks lengths before it reads; none asserts on input.
 */
#ifndef SV_RTP_H
#define SV_RTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SV_RTP_MTU 1500

typedef enum {
  SV_PKT_UNKNOWN = 0,
  SV_PKT_STUN, /* first byte 0..3 */
  SV_PKT_DTLS, /* 20..63 */
  SV_PKT_RTP,  /* 128..191 and not RTCP */
  SV_PKT_RTCP, /* 128..191 and payload type 192..223 (RFC 5761) */
} sv_pkt_class;

/* Classifies a datagram by its first bytes (RFC 7983 + RFC 5761). */
sv_pkt_class sv_pkt_classify(const uint8_t *buf, size_t len);

typedef struct sv_rtp_header {
  uint8_t pt;
  bool marker;
  uint16_t seq;
  uint32_t ts;
  uint32_t ssrc;
  size_t header_len;  /* fixed header + CSRCs + extension */
  size_t payload_len; /* without padding */
} sv_rtp_header;

/* Parses an RTP header (version 2, CSRCs, extension, padding checked against
 * len). Returns 0 or SV_EINVAL. */
int sv_rtp_parse(const uint8_t *buf, size_t len, sv_rtp_header *out);

/* Overwrites payload type (keeping the marker bit), sequence number,
 * timestamp and SSRC of the RTP packet in buf. buf must hold >= 12 bytes
 * (a packet sv_rtp_parse accepted). Can't fail. */
void sv_rtp_rewrite(uint8_t *buf, uint8_t pt, uint16_t seq, uint32_t ts, uint32_t ssrc);

/* Header extensions (RFC 8285): finds element id in the packet buf that
 * sv_rtp_parse accepted as h, one-byte (0xBEDE) or two-byte (0x100x) form.
 * Returns the element's length and sets *val to its first byte, or -1 when
 * the packet has no such element or its extension block is malformed. */
int sv_rtp_ext_get(const uint8_t *buf, const sv_rtp_header *h, uint8_t id, const uint8_t **val);

/* Copies the RTP packet in[0..len) (parsed as h) to out, replacing its
 * header extensions with what the relay sends: the transport-wide sequence
 * number twcc_seq as one-byte element twcc_id (no extension at all when
 * twcc_id is 0). With osn non-NULL the copy is an RTX packet (RFC 4588):
 * the 2-byte original sequence number precedes the payload and padding is
 * dropped. out must have room for len + SV_RTP_OUT_EXTRA bytes. Returns the
 * length written. Can't fail. */
#define SV_RTP_OUT_EXTRA 10
size_t sv_rtp_copy_out(uint8_t *out, const uint8_t *in, size_t len, const sv_rtp_header *h,
                       uint8_t twcc_id, uint16_t twcc_seq, const uint16_t *osn);

/* True if the RTP payload starts a keyframe for the codec
 * (VP8 payload descriptor + P bit; H.264 IDR/SPS in single NAL, STAP-A or
 * FU-A start). Unknown codec or short payload: false. codec is sv_codec. */
bool sv_rtp_is_keyframe(int codec, const uint8_t *payload, size_t len);

/* Sequence-number arithmetic (RFC 3550 A.1). */
static inline bool sv_seq_newer(uint16_t a, uint16_t b) {
  return a != b && (uint16_t)(a - b) < 0x8000;
}

/* Receive statistics of one incoming stream, as RFC 3550 A.1/A.3/A.8 keep
 * them, for building report blocks. Zero-initialise, then update per packet. */
typedef struct sv_rtp_stats {
  bool started;
  uint16_t max_seq;
  uint32_t cycles; /* shifted count of seq number cycles (<< 16) */
  uint32_t base_seq;
  uint32_t received;
  uint32_t expected_prior, received_prior;
  uint32_t clock_rate;
  int64_t transit; /* last relative transit time, in clock units */
  double jitter;   /* in clock units */
  uint64_t bytes;
} sv_rtp_stats;

/* Updates stats with one packet; arrival_us is a monotonic microsecond time.
 * Can't fail. */
void sv_rtp_stats_update(sv_rtp_stats *st, uint16_t seq, uint32_t ts, size_t bytes,
                         uint64_t arrival_us);

typedef struct sv_rtcp_report_block {
  uint32_t ssrc;
  uint8_t fraction_lost;
  int32_t cumulative_lost; /* 24-bit signed on the wire */
  uint32_t ext_highest_seq;
  uint32_t jitter;
  uint32_t lsr;  /* middle 32 bits of the last SR's NTP time */
  uint32_t dlsr; /* delay since that SR, 1/65536 s */
} sv_rtcp_report_block;

/* Fills a report block from stats (fraction lost since the previous call,
 * which it advances). lsr/dlsr are left 0 for the caller. Can't fail. */
void sv_rtp_stats_report(sv_rtp_stats *st, uint32_t ssrc, sv_rtcp_report_block *out);

#endif
