/*
 * rtcp.h — RTCP parsing and building for the relay (RFC 3550, RFC 4585,
 * RFC 5104, draft-alvestrand-rmcat-remb). Pure functions on caller-owned
 * buffers: no allocation, no locks, no logging; lengths checked before
 * every read. Handles compound and reduced-size (RFC 5506) packets.
 */
#ifndef SV_RTCP_H
#define SV_RTCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "relay/rtp.h"

enum {
  SV_RTCP_SR = 200,
  SV_RTCP_RR = 201,
  SV_RTCP_SDES = 202,
  SV_RTCP_BYE = 203,
  SV_RTCP_APP = 204,
  SV_RTCP_RTPFB = 205, /* fmt 1 = NACK */
  SV_RTCP_PSFB = 206,  /* fmt 1 = PLI, 4 = FIR, 15 = AFB (REMB) */
};

/* One packet of a compound RTCP packet. Pointers point into the input. */
typedef struct sv_rtcp_item {
  uint8_t type; /* SV_RTCP_* (other values are passed through as is) */
  uint8_t fmt;  /* count / FMT field (low 5 bits of byte 0) */
  uint32_t sender_ssrc;
  uint32_t media_ssrc; /* RTPFB/PSFB: media source; otherwise 0 */
  const uint8_t *data; /* the whole packet, header included */
  size_t len;          /* bytes of the whole packet */
  /* SR only */
  uint64_t ntp; /* NTP timestamp (64-bit) */
  uint32_t rtp_ts;
  uint32_t packets, octets;
} sv_rtcp_item;

typedef struct sv_rtcp_iter {
  const uint8_t *p;
  size_t left;
} sv_rtcp_iter;

void sv_rtcp_iter_init(sv_rtcp_iter *it, const uint8_t *buf, size_t len);
/* Returns 1 and fills *item for the next packet, 0 at the end, SV_EINVAL if
 * the rest is malformed (iteration stops there). */
int sv_rtcp_next(sv_rtcp_iter *it, sv_rtcp_item *item);

/* FIR entries (RFC 5104 4.3.1.1): number of FCI entries in item, and the
 * SSRC of entry i. */
size_t sv_rtcp_fir_count(const sv_rtcp_item *item);
uint32_t sv_rtcp_fir_ssrc(const sv_rtcp_item *item, size_t i);

/* Generic NACK (RFC 4585 6.2.1): calls cb once per lost sequence number
 * listed in the item (PID + BLP bits). Returns the count. */
size_t sv_rtcp_nack_foreach(const sv_rtcp_item *item, void (*cb)(void *user, uint16_t seq),
                            void *user);

/* RR report blocks carried in an SR or RR item: count and block i. */
size_t sv_rtcp_report_count(const sv_rtcp_item *item);
bool sv_rtcp_report_get(const sv_rtcp_item *item, size_t i, sv_rtcp_report_block *out);

/* Builders: each writes one RTCP packet at buf (capacity cap) and returns its
 * length in bytes, or SV_ENOMEM (negative) if cap is too small. */
int sv_rtcp_build_sr(uint8_t *buf, size_t cap, uint32_t ssrc, uint64_t ntp, uint32_t rtp_ts,
                     uint32_t packets, uint32_t octets);
int sv_rtcp_build_rr(uint8_t *buf, size_t cap, uint32_t sender_ssrc,
                     const sv_rtcp_report_block *blocks, size_t n_blocks);
int sv_rtcp_build_sdes_cname(uint8_t *buf, size_t cap, uint32_t ssrc, const char *cname);
int sv_rtcp_build_pli(uint8_t *buf, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc);
int sv_rtcp_build_fir(uint8_t *buf, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc,
                      uint8_t seq_nr);
int sv_rtcp_build_nack(uint8_t *buf, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc,
                       const uint16_t *seqs, size_t n_seqs);
int sv_rtcp_build_remb(uint8_t *buf, size_t cap, uint32_t sender_ssrc, uint64_t bitrate_bps,
                       const uint32_t *ssrcs, size_t n_ssrcs);

/* Rewrites, in place, every SSRC in a compound packet for which map()
 * returns a new value (sender SSRCs, media SSRCs, report-block SSRCs, FIR
 * FCI SSRCs). map returns 0 to leave an SSRC unchanged. Returns 0 or
 * SV_EINVAL for a malformed packet (left partly rewritten). */
int sv_rtcp_rewrite_ssrcs(uint8_t *buf, size_t len, uint32_t (*map)(void *user, uint32_t ssrc),
                          void *user);

/* Current wall-clock time as a 64-bit NTP timestamp. */
uint64_t sv_ntp_now(void);

#endif
