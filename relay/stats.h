/*
 * stats.h — per-worker counters. Each worker writes only its own block
 * (relaxed atomics, no sharing of cache lines between workers); readers on
 * any thread sum the blocks.
 */
#ifndef SV_STATS_H
#define SV_STATS_H

#include <stdatomic.h>
#include <stdint.h>

/* Join-to-first-frame histogram: upper bounds of the buckets in
 * milliseconds (the last bucket, +Inf, is implicit). */
#define SV_FTF_BOUNDS_MS                                                                           \
  { 250, 500, 1000, 2000, 3000, 5000, 10000, 20000 }
#define SV_FTF_BUCKETS 8
/* Bandwidth-estimate histogram: upper bounds in kbit/s. */
#define SV_BWE_BOUNDS_KBPS                                                                         \
  { 100, 200, 300, 500, 800, 1200, 2000, 3000 }
#define SV_BWE_BUCKETS 8

typedef struct sv_stats_block {
  _Atomic uint64_t rooms, peers;
  _Atomic uint64_t rtp_in, rtp_out, rtcp_in, rtcp_out;
  _Atomic uint64_t bytes_in, bytes_out;
  _Atomic uint64_t dropped_malformed, dropped_unknown;
  /* Datagrams the kernel dropped on the relay's media sockets before it
   * read them: not from the selected ICE pair (relay/pathguard.h) or no
   * room in the socket's buffer. */
  _Atomic uint64_t dropped_kernel;
  _Atomic uint64_t pli_sent, pli_absorbed, nack_received, retransmitted;
  _Atomic uint64_t packets_lost; /* inbound RTP the publishers' sequence numbers say is missing */
  /* Join to first forwarded video packet, per participant: counts per
   * bucket (not cumulative; the last is +Inf), their sum and count. */
  _Atomic uint64_t ftf_bucket[SV_FTF_BUCKETS + 1];
  _Atomic uint64_t ftf_sum_ms, ftf_count;
  /* Bandwidth estimates towards subscribers, one sample per subscriber and
   * second, in the same bucket scheme (bounds SV_BWE_BOUNDS_KBPS). */
  _Atomic uint64_t bwe_bucket[SV_BWE_BUCKETS + 1];
  _Atomic uint64_t bwe_sum_kbps, bwe_count;
  _Atomic uint64_t layer_switches, video_paused, padding_bytes;
  _Atomic uint64_t red_forwarded, red_stripped; /* RED audio packets, by what subscribers took */
  _Atomic uint64_t nack_sent, rtx_received;     /* towards publishers, and their answers */
  /* ICE-TCP (relay/tcpbridge.c): connections accepted, closed by the
   * relay by reason, and packets dropped for a full buffer. */
  _Atomic uint64_t ice_tcp_accepted, ice_tcp_closed_timeout, ice_tcp_closed_bad,
      ice_tcp_closed_limit, ice_tcp_dropped;
} __attribute__((aligned(64))) sv_stats_block;

#define SV_STAT_ADD(block, field, n)                                                               \
  atomic_fetch_add_explicit(&(block)->field, (uint64_t)(n), memory_order_relaxed)
#define SV_STAT_SUB(block, field, n)                                                               \
  atomic_fetch_sub_explicit(&(block)->field, (uint64_t)(n), memory_order_relaxed)
/* Adds one sample v to a histogram of (block)->prefix##_bucket[n + 1],
 * prefix##_sum_<unit> and prefix##_count, with bucket i counting values up
 * to bounds[i] and the last one everything above. */
#define SV_STAT_HISTOGRAM(block, prefix, sum, bounds, n, v)                                        \
  do {                                                                                             \
    uint64_t sv_v_ = (v);                                                                          \
    size_t sv_k_ = 0;                                                                              \
    while (sv_k_ < (n) && sv_v_ > (bounds)[sv_k_])                                                 \
      sv_k_++;                                                                                     \
    SV_STAT_ADD(block, prefix##_bucket[sv_k_], 1);                                                 \
    SV_STAT_ADD(block, sum, sv_v_);                                                                \
    SV_STAT_ADD(block, prefix##_count, 1);                                                         \
  } while (0)
#define SV_STAT_GET(block, field) atomic_load_explicit(&(block)->field, memory_order_relaxed)

#endif
