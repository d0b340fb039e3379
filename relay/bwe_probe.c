/*
 * bwe_probe.c — probing for the bandwidth estimator (internal to
 * relay/bwe.c), after libwebrtc's ProbeController and ProbeBitrateEstimator.
 *
 * GCC only grows the estimate to about 1.5 × what the subscriber
 * acknowledges. A relay that forwards a 150 kbit/s layer because the link
 * once was bad would therefore never learn that the link got better. So
 * when the caller wants more than the estimate allows, the controller
 * sends a round of two short padding clusters (~30 ms, but at least five
 * full-size packets' worth) at rates above the estimate. Every packet sent
 * during a cluster, media or padding, belongs to it; when feedback for the
 * whole cluster is in, the rate at which the subscriber received it says
 * what the link carries: if it kept up with the send rate the link was not
 * saturated at that rate, and if it fell behind, what it did receive is
 * the capacity (we take 95 % of it). A result above the estimate raises it
 * at once.
 *
 * Probing costs a short queue on a link that cannot take it, so a round
 * that measured the capacity or found nothing makes the next wait longer
 * (2, 4, then 5 s). The wait stops growing at 5 s, as libwebrtc's periodic
 * probing in the application-limited region does: a link that widens gives
 * no sign of it but a probe, so the longest wait is also how late the
 * relay can notice that a capped link was lifted. A round that raised the estimate and was not held
 * back lets the next follow at once (exponential probing up to what the caller wants), and a sharp
 * drop of the estimate that the probing did not cause, which means the link changed, brings the
 * wait back to 2 s.
 */
#include <string.h>

#include "relay/bwe_int.h"

#define LEAD_US           5000    /* first call of a cluster sends this much at once */
#define HARD_STOP_US      100000  /* beyond twice its length, an unfilled cluster ends */
#define ROUND_TIMEOUT_US  1000000 /* feedback for a round, beyond 3 × rtt */
#define BACKOFF_BASE_US   2000000
#define BACKOFF_MAX_US    5000000
#define MIN_RECEIVED      4
#define MAX_INTERVAL_US   1000000
#define UNSATURATED       0.9  /* received at ≥ 90 % of the send rate: link kept up */
#define TARGET_FRACTION   0.95 /* of the receive rate, when it did not */
#define RAISE_RATIO       1.05 /* a round that raised less counts as failed */
#define MORE_RATIO        0.7  /* of the round's top rate: the link was not full */
#define WANT_HEADROOM     1.2
#define SELF_INFLICTED_US 2000000

static const double round_multipliers[BWE_PROBE_ROUND_MAX] = {1.5, 2.0};

static bwe_cluster *slot_of(bwe_probe *p, uint16_t id) {
  if (id == 0) return NULL;
  bwe_cluster *c = &p->slots[id % BWE_PROBE_SLOTS];
  return c->id == id ? c : NULL;
}

/* A cluster is 30 ms at its rate, but at least 5 full-size packets: at
 * low rates one media packet takes longer than 30 ms to pass the
 * bottleneck, and a cluster shorter than that is absorbed by the queue
 * without the receiver ever seeing the rate. */
static double target_bytes(const bwe_cluster *c) {
  double bytes = c->rate_bps * BWE_PROBE_DURATION_US / 8e6;
  double floor = (double)BWE_PROBE_MIN_PACKETS * SV_BWE_MAX_PADDING_PACKET;
  return bytes > floor ? bytes : floor;
}

/* How long the cluster should take at its rate. */
static int64_t target_us(const bwe_cluster *c) {
  return (int64_t)(target_bytes(c) * 8e6 / c->rate_bps);
}

static void cluster_start(bwe_probe *p, double rate_bps, int64_t now_us) {
  uint16_t id = p->next_id++;
  if (p->next_id == 0) p->next_id = 1;
  bwe_cluster *c = &p->slots[id % BWE_PROBE_SLOTS];
  memset(c, 0, sizeof *c);
  c->id = id;
  c->rate_bps = rate_bps;
  c->start_us = now_us;
  c->sending = true;
  p->sending_id = id;
  p->round_ids[p->round_started++] = id;
}

static bool cluster_full(const bwe_cluster *c, int64_t now_us) {
  if (now_us - c->start_us >= 2 * target_us(c) + HARD_STOP_US) return true;
  return (double)c->sent_bytes >= target_bytes(c) && c->sent_pkts >= BWE_PROBE_MIN_PACKETS;
}

static void cluster_stop(bwe_probe *p, bwe_cluster *c, int64_t now_us) {
  c->sending = false;
  p->sending_id = 0;
  if (p->round_started == p->round_n) {
    p->round_sent = true;
    p->round_sent_us = now_us;
  }
}

/* Padding that keeps the cluster at its rate: what the rate allows since
 * the start (plus a small lead so the first call sends something), less
 * what was sent, media included. Small amounts wait for the next call,
 * unless the cluster's time is up and only a few bytes or packets are
 * missing: then one small packet finishes it. */
static size_t cluster_pace(const bwe_cluster *c, int64_t now_us) {
  double target = target_bytes(c);
  double allowed = c->rate_bps * (double)(now_us - c->start_us + LEAD_US) / 8e6;
  bool time_up = allowed >= target;
  if (time_up) allowed = target;
  double due = allowed - (double)c->sent_bytes;
  if (due >= BWE_PROBE_MIN_PADDING) return (size_t)due;
  return time_up ? BWE_PROBE_MIN_PADDING : 0;
}

static int64_t backoff_us(int failures) {
  int64_t wait = BACKOFF_BASE_US;
  for (int i = 1; i < failures && wait < BACKOFF_MAX_US; i++)
    wait *= 2;
  return wait < BACKOFF_MAX_US ? wait : BACKOFF_MAX_US;
}

static void round_judge(bwe_probe *p, int64_t now_us) {
  p->round_active = false;
  p->round_end_us = now_us;
  if (p->round_raised)
    p->rounds_raised++;
  else
    p->rounds_failed++;
  /* Only a round that found the link carrying (nearly) all it was asked
   * to says there may be more room: go on at once. One that found the
   * capacity below its rates has measured it; asking again soon would only
   * measure it again. */
  if (p->round_raised && p->round_more) {
    p->failures = 0;
    p->next_probe_us = now_us;
  } else {
    p->failures++;
    p->next_probe_us = now_us + backoff_us(p->failures);
  }
}

/* Feedback that never comes (lost, or a subscriber that stopped sending
 * it) must not stall probing for good. */
static bool round_timed_out(const bwe_probe *p, const bwe_probe_env *env, int64_t now_us) {
  return p->round_sent && now_us - p->round_sent_us > 3 * env->rtt_us + ROUND_TIMEOUT_US;
}

static bool should_probe(const bwe_probe *p, const bwe_probe_env *env, double want_bps,
                         int64_t now_us) {
  if (want_bps <= env->estimate_bps || env->estimate_bps >= env->max_bps) return false;
  if (now_us < p->next_probe_us) return false;
  return !env->overusing && !env->lossy && !env->recently_decreased;
}

static void round_start(bwe_probe *p, const bwe_probe_env *env, double want_bps, int64_t now_us) {
  double cap = want_bps * WANT_HEADROOM;
  if (cap > env->max_bps) cap = env->max_bps;
  p->round_n = 0;
  for (int i = 0; i < BWE_PROBE_ROUND_MAX; i++) {
    double r = env->estimate_bps * round_multipliers[i];
    if (r > cap) r = cap;
    /* Clusters at (nearly) the same rate would say the same thing. */
    if (p->round_n > 0 && r <= p->round_rates[p->round_n - 1] * 1.05) continue;
    p->round_rates[p->round_n++] = r;
  }
  p->round_active = true;
  p->round_started = 0;
  p->round_sent = false;
  p->round_raised = p->round_more = false;
  cluster_start(p, p->round_rates[0], now_us);
}

size_t bwe_probe_padding_due(bwe_probe *p, const bwe_probe_env *env, double want_bps,
                             int64_t now_us) {
  bwe_cluster *c = slot_of(p, p->sending_id);
  if (c) {
    if (!cluster_full(c, now_us)) return cluster_pace(c, now_us);
    cluster_stop(p, c, now_us);
  }
  p->sending_id = 0;
  if (p->round_active && round_timed_out(p, env, now_us)) round_judge(p, now_us);
  if (p->round_active) {
    if (p->round_started >= p->round_n) return 0; /* waiting for feedback */
    cluster_start(p, p->round_rates[p->round_started], now_us);
  } else {
    if (!should_probe(p, env, want_bps, now_us)) return 0;
    round_start(p, env, want_bps, now_us);
  }
  return cluster_pace(slot_of(p, p->sending_id), now_us);
}

uint16_t bwe_probe_on_sent(bwe_probe *p, size_t bytes, int64_t now_us) {
  bwe_cluster *c = slot_of(p, p->sending_id);
  if (!c) return 0;
  c->sent_bytes += bytes;
  c->sent_pkts++;
  c->last_sent_us = now_us;
  if (cluster_full(c, now_us)) cluster_stop(p, c, now_us);
  return c->id;
}

void bwe_probe_on_status(bwe_probe *p, uint16_t id, bool received, bool was_lost, int64_t send_us,
                         int64_t arrival_us, size_t bytes) {
  bwe_cluster *c = slot_of(p, id);
  if (!c || c->resolved) return;
  if (!received) {
    c->lost_pkts++;
    return;
  }
  if (was_lost && c->lost_pkts > 0) c->lost_pkts--;
  if (c->recv_pkts == 0 || send_us < c->first_send_us) c->first_send_us = send_us;
  if (c->recv_pkts == 0 || send_us >= c->last_send_us) {
    c->last_send_us = send_us;
    c->last_send_size = bytes;
  }
  if (c->recv_pkts == 0 || arrival_us < c->first_recv_us) {
    c->first_recv_us = arrival_us;
    c->first_recv_size = bytes;
  }
  if (c->recv_pkts == 0 || arrival_us > c->last_recv_us) c->last_recv_us = arrival_us;
  c->recv_pkts++;
  c->recv_bytes += bytes;
}

/* The rate the cluster actually went out at: what was sent over how long
 * it took, but no faster than asked for (a caller that sent it in one go
 * took no time at all). */
static double cluster_sent_rate(const bwe_cluster *c) {
  int64_t span = c->last_sent_us - c->start_us;
  if (span < target_us(c)) span = target_us(c);
  double rate = (double)c->sent_bytes * 8e6 / (double)span;
  return rate < c->rate_bps ? rate : c->rate_bps;
}

/* What a fully reported cluster shows the link carried, bits/s, or 0 if it
 * shows nothing (too few packets got through, odd timing).
 *
 * The send and receive rates are measured alike (the send interval leaves
 * out the last packet sent's bytes, the receive interval the first
 * received's), so their ratio is meaningful even when the caller sent the
 * cluster in bursts that make each rate alone inexact. If the subscriber
 * kept up (≥ 90 %), the link carried the cluster's rate; if it fell
 * behind, the bottleneck spaced the packets evenly and the receive rate is
 * its capacity, of which we take 95 % so as not to overuse at once. */
static double cluster_rate(const bwe_cluster *c) {
  if (c->recv_pkts < MIN_RECEIVED || c->recv_pkts * 5 < c->sent_pkts * 4) return 0;
  int64_t send_us = c->last_send_us - c->first_send_us;
  int64_t recv_us = c->last_recv_us - c->first_recv_us;
  if (recv_us <= 0 || recv_us > MAX_INTERVAL_US || send_us > MAX_INTERVAL_US) return 0;
  double recv_rate = (double)(c->recv_bytes - c->first_recv_size) * 8e6 / (double)recv_us;
  double sent_rate = cluster_sent_rate(c);
  if (send_us < 1000) /* one burst: only the receive side tells */
    return recv_rate < sent_rate ? TARGET_FRACTION * recv_rate : sent_rate;
  double send_rate = (double)(c->recv_bytes - c->last_send_size) * 8e6 / (double)send_us;
  if (send_rate <= 0) return 0;
  double ratio = recv_rate / send_rate;
  if (ratio < UNSATURATED) {
    double r = TARGET_FRACTION * recv_rate;
    return r < sent_rate ? r : sent_rate;
  }
  return ratio < 1.0 ? sent_rate * ratio : sent_rate;
}

double bwe_probe_take_result(bwe_probe *p, const bwe_probe_env *env, int64_t now_us) {
  if (!p->round_active) return 0;
  double best = 0;
  bool all_resolved = p->round_started == p->round_n;
  for (int i = 0; i < p->round_started; i++) {
    bwe_cluster *c = slot_of(p, p->round_ids[i]);
    if (!c || c->resolved) continue;
    if (c->sending || c->recv_pkts + c->lost_pkts < c->sent_pkts) {
      all_resolved = false;
      continue;
    }
    c->resolved = true;
    double r = cluster_rate(c);
    if (r > best) best = r;
  }
  bool usable = best > env->estimate_bps && !env->overusing && !env->lossy;
  if (usable && best >= env->estimate_bps * RAISE_RATIO) {
    p->round_raised = true;
    if (best >= MORE_RATIO * p->round_rates[p->round_n - 1]) p->round_more = true;
  }
  if (all_resolved || round_timed_out(p, env, now_us)) round_judge(p, now_us);
  return usable ? best : 0;
}

void bwe_probe_on_drop(bwe_probe *p, int64_t now_us) {
  /* A drop that follows a probe is most likely the probe's own doing (it
   * overran the link), which says nothing new about the link. */
  if (p->round_active || now_us - p->round_end_us < SELF_INFLICTED_US) return;
  p->failures = 0;
  if (p->next_probe_us > now_us + BACKOFF_BASE_US) p->next_probe_us = now_us + BACKOFF_BASE_US;
}

void bwe_probe_init(bwe_probe *p, int64_t now_us) {
  memset(p, 0, sizeof *p);
  p->next_id = 1;
  p->next_probe_us = now_us;
  p->round_end_us = INT64_MIN / 4;
}
