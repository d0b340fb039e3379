/*
 * stats.h — per-worker counters. Each worker writes only its own block
 * (relaxed atomics, no sharing of cache lines between workers); readers on
 * any thread sum the blocks.
 */
#ifndef SV_STATS_H
#define SV_STATS_H

#include <stdatomic.h>
#include <stdint.h>

typedef struct sv_stats_block {
  _Atomic uint64_t rooms, peers;
  _Atomic uint64_t rtp_in, rtp_out, rtcp_in, rtcp_out;
  _Atomic uint64_t bytes_in, bytes_out;
  _Atomic uint64_t dropped_malformed, dropped_unknown;
  _Atomic uint64_t pli_sent, nack_received, retransmitted;
} __attribute__((aligned(64))) sv_stats_block;

#define SV_STAT_ADD(block, field, n)                                                               \
  atomic_fetch_add_explicit(&(block)->field, (uint64_t)(n), memory_order_relaxed)
#define SV_STAT_SUB(block, field, n)                                                               \
  atomic_fetch_sub_explicit(&(block)->field, (uint64_t)(n), memory_order_relaxed)
#define SV_STAT_GET(block, field) atomic_load_explicit(&(block)->field, memory_order_relaxed)

#endif
