/*
 * metrics.h — the counters of the signalling server and GET /metrics.
 * Private to signaling/.
 *
 * The counters are relaxed atomics so that any thread may read them; they
 * are written on the main thread, once per connection event, never per
 * packet. The packet counters come from the relay's per-worker blocks
 * (relay/stats.h), summed when /metrics is read.
 */
#ifndef SV_SIGNALING_METRICS_H
#define SV_SIGNALING_METRICS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sv_signaling;

/* Why a join did not end in a working call. All but the last two refuse the
 * join message itself (closed: too early or ended; request: malformed join); ice and dtls count
 * PeerConnections that failed after it. */
typedef enum {
  SV_JOIN_FAIL_AUTH,
  SV_JOIN_FAIL_ROOM_FULL,
  SV_JOIN_FAIL_RESTARTING,
  SV_JOIN_FAIL_RELAY,
  SV_JOIN_FAIL_CLOSED,
  SV_JOIN_FAIL_REQUEST,
  SV_JOIN_FAIL_ICE,
  SV_JOIN_FAIL_DTLS,
  SV_JOIN_FAIL_COUNT,
} sv_join_fail;

typedef struct sv_metrics {
  _Atomic uint64_t joins; /* joins accepted */
  _Atomic uint64_t join_failures[SV_JOIN_FAIL_COUNT];
  _Atomic uint64_t recordings;     /* recording files finished (one per participant) */
  _Atomic uint64_t stills;         /* stills written */
  _Atomic uint64_t record_packets; /* packets the relay handed to recorders */
  _Atomic uint64_t record_dropped; /* ...and dropped because a recorder's tap was full */
  /* Connections refused or closed by the resource bounds (conn_guard.c). */
  _Atomic uint64_t refused_per_ip, refused_origin, closed_unjoined, closed_slow_request;
  /* Urgent requests withdrawn before anyone accepted (urgent.c): the
   * requester left, or cancelled. */
  _Atomic uint64_t urgent_left, urgent_cancelled;
} sv_metrics;

/* A recorder ended: its file (or still) and its tap's counts. */
void sv_metrics_recorder_done(sv_metrics *m, bool still, bool written, uint64_t packets,
                              uint64_t dropped);

void sv_metrics_join(sv_metrics *m);
void sv_metrics_join_failed(sv_metrics *m, sv_join_fail why);
/* A failed PeerConnection's reason sentence (relay/peer.c) → ice or dtls. */
sv_join_fail sv_metrics_pc_failure(const char *reason);

/* The Prometheus text exposition (format 0.0.4) of everything: a g_malloc'd
 * string the caller frees, its length in *len. Labels carry only fixed
 * words and worker numbers: no names, no room or participant ids. */
char *sv_metrics_render(struct sv_signaling *sig, size_t *len);

#endif
