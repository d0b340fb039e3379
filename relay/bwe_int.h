/*
 * bwe_int.h — the parts of the bandwidth estimator (relay/bwe.h), shared
 * by its files and by nothing else:
 *
 *   bwe.c        the public API, sent-packet history, feedback dispatch,
 *                the loss-based bound and the final estimate;
 *   bwe_delay.c  the delay-based controller: inter-arrival grouping,
 *                trendline overuse detector, acknowledged bitrate, AIMD;
 *   bwe_probe.c  probing: when and how fast to send padding clusters, and
 *                what their feedback says the link can carry.
 *
 * Times are microseconds: send times on the relay's clock (now_us), arrival
 * times on the subscriber's clock as TWCC reports them (only differences
 * are meaningful). Rates are bits/s as double.
 */
#ifndef SV_BWE_INT_H
#define SV_BWE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "relay/bwe.h"

/* ---- Delay-based controller (bwe_delay.c) ------------------------------ */

/* A group of packets sent within 5 ms of each other (one frame, one pacer
 * burst): delay variation is measured between groups, not packets. */
typedef struct bwe_group {
  bool valid;
  int64_t first_send_us, send_us; /* first and last send time */
  int64_t first_arrival_us, arrival_us;
  int64_t system_us; /* feedback time of the last packet */
} bwe_group;

#define BWE_TREND_WINDOW 20

typedef struct bwe_trendline {
  int num_deltas;
  double accumulated_ms, smoothed_ms;
  int64_t first_arrival_us;
  bool have_first;
  double x[BWE_TREND_WINDOW], y[BWE_TREND_WINDOW]; /* arrival ms, smoothed delay ms */
  int hist_n, hist_head;
  double prev_trend, threshold, time_over_using_ms;
  int overuse_counter;
  int64_t last_threshold_us;
  bool have_threshold_time;
  sv_bwe_usage usage;
} bwe_trendline;

/* Acknowledged bitrate: a Bayesian filter over fixed windows of arrival
 * time (libwebrtc's BitrateEstimator), plus the last few raw windows. */
#define BWE_ACK_RECENT 3

typedef struct bwe_acked {
  double estimate_kbps; /* < 0: none yet */
  double var;
  double sum_bytes;
  int64_t prev_us;
  bool have_prev;
  double window_ms;
  /* The rates of the last (up to) BWE_ACK_RECENT complete windows: a
   * ring, recent_at the slot the next one goes to. */
  double recent_kbps[BWE_ACK_RECENT];
  int n_recent, recent_at;
} bwe_acked;

typedef enum { BWE_HOLD = 0, BWE_INCREASE, BWE_DECREASE } bwe_rc_state;

typedef struct bwe_aimd {
  double bitrate;
  bwe_rc_state state;
  int64_t last_change_us;
  bool have_change;
  double link_kbps; /* capacity seen at the last overuses, < 0: unknown */
  double link_dev;
} bwe_aimd;

typedef struct bwe_delay {
  bwe_group cur, prev;
  int reordered;
  bwe_trendline trend;
  bwe_acked acked;
  bwe_aimd aimd;
  double min_bps, max_bps;
} bwe_delay;

void bwe_delay_init(bwe_delay *d, double start_bps, double min_bps, double max_bps);
/* Forgets the inter-arrival groups and trendline (after a feedback gap or a
 * jump of the receiver's clock); the rate controller keeps its state. */
void bwe_delay_reset_detector(bwe_delay *d);
/* One newly acknowledged packet, in feedback order. system_us = now. */
void bwe_delay_on_packet(bwe_delay *d, int64_t send_us, int64_t arrival_us, size_t bytes,
                         int64_t system_us);
/* After a feedback packet: runs the rate controller. */
void bwe_delay_update(bwe_delay *d, int64_t now_us, int64_t rtt_us);
/* Raises (never lowers) the delay-based estimate, after a probe. */
void bwe_delay_raise(bwe_delay *d, double bps);
/* Cuts the delay-based estimate by factor (feedback timeout). */
void bwe_delay_cut(bwe_delay *d, double factor, int64_t now_us);
/* Acknowledged bitrate, bits/s; < 0 if not known yet. */
double bwe_delay_acked_bps(const bwe_delay *d);

/* ---- Probing (bwe_probe.c) --------------------------------------------- */

#define BWE_PROBE_SLOTS       4
#define BWE_PROBE_ROUND_MAX   2
#define BWE_PROBE_MIN_PACKETS 5
#define BWE_PROBE_DURATION_US 30000
#define BWE_PROBE_MIN_PADDING 200

typedef struct bwe_cluster {
  uint16_t id; /* 0 = free */
  double rate_bps;
  int64_t start_us, last_sent_us;
  bool sending, resolved;
  size_t sent_bytes;
  int sent_pkts;
  /* From feedback. */
  int recv_pkts, lost_pkts;
  size_t recv_bytes;
  int64_t first_send_us, last_send_us, first_recv_us, last_recv_us;
  size_t last_send_size, first_recv_size;
} bwe_cluster;

/* What the probe controller needs to know about the rest of the estimator
 * when it decides. */
typedef struct bwe_probe_env {
  double estimate_bps, max_bps;
  bool overusing, lossy;
  bool recently_decreased; /* within the last second */
  int64_t rtt_us;
} bwe_probe_env;

typedef struct bwe_probe {
  bwe_cluster slots[BWE_PROBE_SLOTS];
  uint16_t next_id;
  uint16_t sending_id; /* cluster taking packets now, 0 = none */
  /* The round under way. */
  bool round_active;
  uint16_t round_ids[BWE_PROBE_ROUND_MAX];
  double round_rates[BWE_PROBE_ROUND_MAX];
  int round_n, round_started;
  bool round_sent;       /* its last cluster has finished sending ... */
  int64_t round_sent_us; /* ... at this time */
  bool round_raised;     /* a result raised the estimate by 5 % or more ... */
  bool round_more;       /* ... and came close to the round's top rate */
  int64_t round_end_us;  /* when the last round was judged */
  /* Scheduling. */
  int64_t next_probe_us;
  int failures;
  uint32_t rounds_raised, rounds_failed;
} bwe_probe;

void bwe_probe_init(bwe_probe *p, int64_t now_us);
/* Padding bytes due now; may start a round. */
size_t bwe_probe_padding_due(bwe_probe *p, const bwe_probe_env *env, double want_bps,
                             int64_t now_us);
/* A packet was sent: returns the id of the cluster it belongs to, or 0. */
uint16_t bwe_probe_on_sent(bwe_probe *p, size_t bytes, int64_t now_us);
/* Feedback for a packet that belongs to cluster id. */
void bwe_probe_on_status(bwe_probe *p, uint16_t id, bool received, bool was_lost, int64_t send_us,
                         int64_t arrival_us, size_t bytes);
/* After a feedback packet: returns the rate to raise the estimate to (the
 * best that a newly complete cluster shows the link carried, if above the
 * estimate and nothing argues against it), or 0; judges the round when all
 * its clusters are in. */
double bwe_probe_take_result(bwe_probe *p, const bwe_probe_env *env, int64_t now_us);
/* The estimate fell sharply: the link changed, probe again soon. */
void bwe_probe_on_drop(bwe_probe *p, int64_t now_us);

#endif
