/*
 * twcc.h — transport-wide congestion control feedback
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01): parsing the RTCP
 * RTPFB FMT=15 packets a subscriber sends back, and building them (for
 * tests and fuzzer seeds). The relay's bandwidth estimator (relay/bwe.h)
 * reads subscriber feedback through this. Pure functions on caller-owned
 * buffers: no allocation, no locks, no logging; every read is bounded by a
 * length checked first, because the bytes come from the network.
 */
#ifndef SV_TWCC_H
#define SV_TWCC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SV_TWCC_FMT         15
#define SV_TWCC_REF_UNIT_US 64000 /* reference time unit */
#define SV_TWCC_DELTA_US    250   /* receive delta unit */
#define SV_TWCC_REF_WRAP_US ((int64_t)SV_TWCC_REF_UNIT_US << 24)

/* The fixed fields of one feedback packet. */
typedef struct sv_twcc_info {
  uint32_t sender_ssrc, media_ssrc;
  uint16_t base_seq;     /* transport-wide seq of the first status */
  uint16_t status_count; /* number of packet statuses */
  uint32_t ref_time;     /* 24-bit reference time in units of 64 ms, as sent */
  uint8_t fb_pkt_count;  /* feedback packet count (wraps at 256) */
} sv_twcc_info;

/* Validates a whole feedback packet (header, chunks, deltas, padding) and
 * fills *info. pkt/len is the whole RTCP packet, header included, as
 * sv_rtcp_item.data/len gives it; bytes past the packet's length field are
 * ignored. Returns the number of statuses, or SV_EINVAL for a malformed
 * packet (*info is then unspecified). Can be called with info NULL. */
int sv_twcc_parse_info(const uint8_t *pkt, size_t len, sv_twcc_info *info);

/* Calls cb once per packet status, in sequence order: seq is the
 * transport-wide sequence number, received false for "not received" (then
 * arrival_us is 0), and arrival_us the arrival time on the receiver's clock
 * in microseconds: ref_time × 64 ms + the cumulative deltas × 250 µs, with
 * ref_time read as unsigned (it wraps every 2^24 × 64 ms, ~12.4 days, which
 * sv_twcc_info.ref_time lets a caller detect). Only differences matter.
 * Returns the number of statuses, or SV_EINVAL for a malformed packet. The
 * whole packet is validated before the first callback, so on SV_EINVAL cb
 * is never called. */
int sv_twcc_parse(const uint8_t *pkt, size_t len,
                  void (*cb)(void *user, uint16_t seq, bool received, int64_t arrival_us),
                  void *user);

/* Builds one feedback packet at buf (capacity cap) for n statuses starting
 * at base_seq: arrival_us[i] is the arrival time of packet base_seq + i in
 * microseconds, or negative for "not received". The reference time is the
 * first arrival rounded down to 64 ms; deltas are rounded to 250 µs without
 * drift. Chunks are chosen greedily (run-length for long runs, 1-bit
 * vectors, 2-bit vectors where a large or negative delta needs them); the
 * packet is zero-padded to 32 bits. Returns its length in bytes,
 * SV_ENOMEM if cap is too small, or SV_EINVAL if n is 0 or over 65535, or a
 * delta does not fit the 16-bit field (±8.19 s: split the feedback). */
int sv_twcc_build(uint8_t *buf, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc,
                  uint8_t fb_count, uint16_t base_seq, const int64_t *arrival_us, size_t n);

#endif
