/*
 * bwe_delay.c — the delay-based half of the bandwidth estimator
 * (draft-ietf-rmcat-gcc-02 section 5, with libwebrtc's trendline filter in
 * place of the draft's Kalman filter). Internal to relay/bwe.c.
 *
 * Acknowledged packets are grouped by send time (a group is what was sent
 * within 5 ms: a frame or a pacer burst). For consecutive groups the
 * inter-group delay variation d = arrival delta - send delta says whether a
 * queue is building. The trendline filter accumulates d, smooths it, and
 * fits a line through the last 20 points; its slope, scaled, is compared
 * with an adaptive threshold to decide overusing / normal / underusing. The
 * AIMD controller turns that into a rate: decrease to 0.85 × acknowledged
 * throughput on overuse, hold while queues drain, otherwise increase —
 * multiplicatively (8 %/s) while the link's capacity is unknown, additively
 * (about a packet per response time) near the capacity seen at past
 * overuses.
 */
#include <math.h>
#include <string.h>

#include "relay/bwe_int.h"

#define GROUP_US            5000    /* send-time length of a group */
#define BURST_US            5000    /* arrivals this close belong to one burst */
#define MAX_BURST_US        100000  /* ... for at most this long */
#define CLOCK_JUMP_US       3000000 /* receiver clock jumped: start over */
#define REORDER_RESET       3       /* consecutive reordered groups before a reset */
#define SMOOTHING           0.9
#define THRESHOLD_GAIN      4.0
#define MIN_DELTAS_GAIN     60
#define OVERUSE_TIME_MS     10.0
#define THRESHOLD_INIT      12.5
#define THRESHOLD_MIN       6.0
#define THRESHOLD_MAX       600.0
#define K_UP                0.0087
#define K_DOWN              0.039
#define MAX_ADAPT_OFFSET    15.0
#define ACK_INITIAL_WINDOW  500.0 /* ms */
#define ACK_WINDOW          150.0 /* ms */
#define BETA                0.85
#define MIN_INCREASE_BPS_S  4000.0
#define DEFAULT_RTT_US      200000
#define REDUCE_INTERVAL_MIN 10000
#define REDUCE_INTERVAL_MAX 200000

/* ---- Trendline overuse detector ---------------------------------------- */

static void trend_init(bwe_trendline *t) {
  memset(t, 0, sizeof *t);
  t->threshold = THRESHOLD_INIT;
  t->time_over_using_ms = -1;
  t->usage = SV_BWE_NORMAL;
}

/* Slope of the least-squares line through the window, or the previous
 * trend if the points are degenerate (all at one arrival time). */
static double trend_slope(const bwe_trendline *t) {
  double sx = 0, sy = 0;
  for (int i = 0; i < t->hist_n; i++) {
    sx += t->x[i];
    sy += t->y[i];
  }
  double mx = sx / t->hist_n, my = sy / t->hist_n, num = 0, den = 0;
  for (int i = 0; i < t->hist_n; i++) {
    num += (t->x[i] - mx) * (t->y[i] - my);
    den += (t->x[i] - mx) * (t->x[i] - mx);
  }
  return den > 0 ? num / den : t->prev_trend;
}

/* The threshold follows |modified trend| slowly, so that a stream of
 * self-inflicted but harmless jitter stops counting as overuse, and the
 * detector is not starved by competing TCP flows (gcc-02 5.4). Spikes far
 * above it (a sudden capacity drop) are not learned. */
static void trend_adapt_threshold(bwe_trendline *t, double modified, int64_t now_us) {
  if (!t->have_threshold_time) {
    t->last_threshold_us = now_us;
    t->have_threshold_time = true;
  }
  double m = fabs(modified);
  if (m > t->threshold + MAX_ADAPT_OFFSET) {
    t->last_threshold_us = now_us;
    return;
  }
  double k = m < t->threshold ? K_DOWN : K_UP;
  double dt_ms = (double)(now_us - t->last_threshold_us) / 1000.0;
  if (dt_ms > 100) dt_ms = 100;
  if (dt_ms < 0) dt_ms = 0;
  t->threshold += k * (m - t->threshold) * dt_ms;
  if (t->threshold < THRESHOLD_MIN) t->threshold = THRESHOLD_MIN;
  if (t->threshold > THRESHOLD_MAX) t->threshold = THRESHOLD_MAX;
  t->last_threshold_us = now_us;
}

static void trend_detect(bwe_trendline *t, double trend, double send_delta_ms, int64_t now_us) {
  if (t->num_deltas < 2) {
    t->usage = SV_BWE_NORMAL;
    return;
  }
  int n = t->num_deltas < MIN_DELTAS_GAIN ? t->num_deltas : MIN_DELTAS_GAIN;
  double modified = n * trend * THRESHOLD_GAIN;
  if (modified > t->threshold) {
    /* Overuse must last (10 ms, two samples) and not be easing off. */
    if (t->time_over_using_ms < 0)
      t->time_over_using_ms = send_delta_ms / 2;
    else
      t->time_over_using_ms += send_delta_ms;
    t->overuse_counter++;
    if (t->time_over_using_ms > OVERUSE_TIME_MS && t->overuse_counter > 1 &&
        trend >= t->prev_trend) {
      t->time_over_using_ms = 0;
      t->overuse_counter = 0;
      t->usage = SV_BWE_OVERUSING;
    }
  } else if (modified < -t->threshold) {
    t->time_over_using_ms = -1;
    t->overuse_counter = 0;
    t->usage = SV_BWE_UNDERUSING;
  } else {
    t->time_over_using_ms = -1;
    t->overuse_counter = 0;
    t->usage = SV_BWE_NORMAL;
  }
  t->prev_trend = trend;
  trend_adapt_threshold(t, modified, now_us);
}

static void trend_update(bwe_trendline *t, double recv_delta_ms, double send_delta_ms,
                         int64_t arrival_us) {
  if (t->num_deltas < 1000) t->num_deltas++;
  if (!t->have_first) {
    t->first_arrival_us = arrival_us;
    t->have_first = true;
  }
  t->accumulated_ms += recv_delta_ms - send_delta_ms;
  t->smoothed_ms = SMOOTHING * t->smoothed_ms + (1 - SMOOTHING) * t->accumulated_ms;
  int i; /* the oldest point makes room once the window is full */
  if (t->hist_n < BWE_TREND_WINDOW) {
    i = t->hist_n++;
  } else {
    i = t->hist_head;
    t->hist_head = (i + 1) % BWE_TREND_WINDOW;
  }
  t->x[i] = (double)(arrival_us - t->first_arrival_us) / 1000.0;
  t->y[i] = t->smoothed_ms;
  double trend = t->hist_n == BWE_TREND_WINDOW ? trend_slope(t) : t->prev_trend;
  trend_detect(t, trend, send_delta_ms, arrival_us);
}

/* ---- Inter-arrival grouping -------------------------------------------- */

/* A packet arriving right behind the group, having been sent a little
 * later but arriving sooner than the send gap, was held up with it (a
 * burst through a queue): it belongs to that group. */
static bool belongs_to_burst(const bwe_group *g, int64_t send_us, int64_t arrival_us) {
  int64_t arrival_delta = arrival_us - g->arrival_us;
  int64_t send_delta = send_us - g->send_us;
  if (send_delta == 0) return true;
  return arrival_delta - send_delta < 0 && arrival_delta <= BURST_US &&
         arrival_us - g->first_arrival_us < MAX_BURST_US;
}

static void group_start(bwe_group *g, int64_t send_us, int64_t arrival_us) {
  g->valid = true;
  g->first_send_us = g->send_us = send_us;
  g->first_arrival_us = g->arrival_us = arrival_us;
}

void bwe_delay_reset_detector(bwe_delay *d) {
  d->cur.valid = d->prev.valid = false;
  d->reordered = 0;
  trend_init(&d->trend);
}

/* Closes the current group against the previous one and feeds the
 * trendline. Returns false if the detector had to be reset. */
static bool group_close(bwe_delay *d) {
  if (!d->prev.valid) return true;
  int64_t send_delta = d->cur.send_us - d->prev.send_us;
  int64_t arrival_delta = d->cur.arrival_us - d->prev.arrival_us;
  int64_t system_delta = d->cur.system_us - d->prev.system_us;
  if (arrival_delta - system_delta >= CLOCK_JUMP_US) {
    bwe_delay_reset_detector(d);
    return false;
  }
  if (arrival_delta < 0) {
    /* The group was reordered after its arrival was stamped. */
    if (++d->reordered >= REORDER_RESET) {
      bwe_delay_reset_detector(d);
      return false;
    }
    return true;
  }
  d->reordered = 0;
  trend_update(&d->trend, (double)arrival_delta / 1000.0, (double)send_delta / 1000.0,
               d->cur.arrival_us);
  return true;
}

static void group_add(bwe_delay *d, int64_t send_us, int64_t arrival_us, int64_t system_us) {
  bwe_group *g = &d->cur;
  if (!g->valid) {
    group_start(g, send_us, arrival_us);
  } else if (send_us < g->first_send_us) {
    return; /* sent before the current group: reordered, no information */
  } else if (!belongs_to_burst(g, send_us, arrival_us) && send_us - g->first_send_us > GROUP_US) {
    if (group_close(d)) d->prev = *g;
    group_start(g, send_us, arrival_us);
  } else if (send_us > g->send_us) {
    g->send_us = send_us;
  }
  /* Packets reordered within a group: the group is complete when its last
   * packet is in. */
  if (arrival_us > g->arrival_us) g->arrival_us = arrival_us;
  g->system_us = system_us;
}

/* ---- Acknowledged bitrate ---------------------------------------------- */

static void acked_init(bwe_acked *a) {
  memset(a, 0, sizeof *a);
  a->estimate_kbps = -1;
  a->var = 50;
}

/* Sums bytes into windows of arrival time; returns a window's rate in
 * kbit/s when one completes, else -1. */
static double acked_window(bwe_acked *a, int64_t at_us, size_t bytes, double window_ms) {
  if (a->have_prev && at_us < a->prev_us) {
    /* Late packets from reordered feedback: count them in the current
     * window; only a big jump back means the clock is not the same. */
    if (a->prev_us - at_us < 1000000) {
      a->sum_bytes += (double)bytes;
      return -1;
    }
    a->have_prev = false;
    a->sum_bytes = 0;
    a->window_ms = 0;
  }
  if (a->have_prev) {
    double gap_ms = (double)(at_us - a->prev_us) / 1000.0;
    a->window_ms += gap_ms;
    if (gap_ms > window_ms) { /* nothing for a whole window */
      a->sum_bytes = 0;
      a->window_ms = fmod(a->window_ms, window_ms);
    }
  }
  a->prev_us = at_us;
  a->have_prev = true;
  double sample = -1;
  if (a->window_ms >= window_ms) {
    sample = 8.0 * a->sum_bytes / window_ms;
    a->window_ms -= window_ms;
    a->sum_bytes = 0;
  }
  a->sum_bytes += (double)bytes;
  return sample;
}

/* A sample far from the estimate is trusted less, so a single odd window
 * (a keyframe, a gap between frames) moves the estimate little, while a
 * lasting change wins within a few windows. */
static void acked_update(bwe_acked *a, int64_t at_us, size_t bytes) {
  double window = a->estimate_kbps < 0 ? ACK_INITIAL_WINDOW : ACK_WINDOW;
  double sample = acked_window(a, at_us, bytes, window);
  if (sample < 0) return;
  a->recent_kbps[a->recent_at] = sample;
  a->recent_at = (a->recent_at + 1) % BWE_ACK_RECENT;
  if (a->n_recent < BWE_ACK_RECENT) a->n_recent++;
  if (a->estimate_kbps < 0) {
    a->estimate_kbps = sample;
    return;
  }
  double uncertainty =
      a->estimate_kbps > 0 ? 10.0 * fabs(a->estimate_kbps - sample) / a->estimate_kbps : 10.0;
  double sample_var = uncertainty * uncertainty;
  double pred_var = a->var + 5.0;
  a->estimate_kbps = (sample_var * a->estimate_kbps + pred_var * sample) / (sample_var + pred_var);
  if (a->estimate_kbps < 0) a->estimate_kbps = 0;
  a->var = sample_var * pred_var / (sample_var + pred_var);
}

double bwe_delay_acked_bps(const bwe_delay *d) {
  return d->acked.estimate_kbps < 0 ? -1 : d->acked.estimate_kbps * 1000.0;
}

/* What to cut to on overuse. While the link is overused the receiver gets
 * what the bottleneck passes, so the latest windows are the best measure
 * of its capacity: after a sudden drop the filtered estimate lags by a
 * second or more, and after a probe overran a link we were sending little
 * on, the filtered estimate is what we sent, not what the link carries.
 * The last few windows (~450 ms), not one: a receiver short of CPU stamps
 * arrivals in bunches, and a single 150 ms window that fell in a stall
 * holds a fraction of what the link carried. */
static double throughput_for_decrease(const bwe_delay *d) {
  const bwe_acked *a = &d->acked;
  if (a->n_recent == 0) return bwe_delay_acked_bps(d);
  double sum = 0;
  for (int i = 0; i < a->n_recent; i++)
    sum += a->recent_kbps[i];
  return sum / a->n_recent * 1000.0;
}

/* ---- AIMD rate controller ---------------------------------------------- */

static void link_update(bwe_aimd *a, double sample_kbps) {
  const double alpha = 0.05;
  if (a->link_kbps < 0)
    a->link_kbps = sample_kbps;
  else
    a->link_kbps = (1 - alpha) * a->link_kbps + alpha * sample_kbps;
  double norm = a->link_kbps > 1.0 ? a->link_kbps : 1.0;
  double err = a->link_kbps - sample_kbps;
  a->link_dev = (1 - alpha) * a->link_dev + alpha * err * err / norm;
  if (a->link_dev < 0.4) a->link_dev = 0.4;
  if (a->link_dev > 2.5) a->link_dev = 2.5;
}

static double link_spread_kbps(const bwe_aimd *a) {
  return 3.0 * sqrt(a->link_kbps * a->link_dev);
}

static void link_reset(bwe_aimd *a) {
  a->link_kbps = -1;
  a->link_dev = 0.4;
}

/* About one packet per response time: near the capacity, probe upwards
 * gently (gcc-02 5.5, libwebrtc's near-max increase). */
static double additive_increase(const bwe_aimd *a, double dt_s, int64_t rtt_us) {
  double frame_bits = a->bitrate / 30.0;
  double packets = ceil(frame_bits / (1200.0 * 8.0));
  if (packets < 1) packets = 1;
  double response_s = (double)(rtt_us + 100000) / 1e6;
  double rate = (frame_bits / packets) / response_s;
  if (rate < MIN_INCREASE_BPS_S) rate = MIN_INCREASE_BPS_S;
  return rate * dt_s;
}

static double multiplicative_increase(const bwe_aimd *a, double dt_s) {
  double alpha = pow(1.08, dt_s < 1.0 ? dt_s : 1.0);
  double inc = a->bitrate * (alpha - 1.0);
  return inc > 1000 ? inc : 1000;
}

static void aimd_change_state(bwe_aimd *a, sv_bwe_usage usage, int64_t now_us) {
  switch (usage) {
  case SV_BWE_NORMAL:
    if (a->state == BWE_HOLD) {
      a->last_change_us = now_us;
      a->have_change = true;
      a->state = BWE_INCREASE;
    }
    break;
  case SV_BWE_OVERUSING:
    a->state = BWE_DECREASE;
    break;
  case SV_BWE_UNDERUSING:
    a->state = BWE_HOLD; /* queues are draining: wait for them */
    break;
  }
}

static void aimd_increase(bwe_aimd *a, double throughput, int64_t now_us, int64_t rtt_us) {
  if (throughput >= 0 && a->link_kbps >= 0 &&
      throughput / 1000.0 > a->link_kbps + link_spread_kbps(a))
    link_reset(a); /* well past the old capacity: it changed */
  /* Never run far ahead of what is acknowledged: the estimate would mean
   * nothing (gcc-02 5.5: at most 1.5 × the received rate). */
  double limit = throughput >= 0 ? 1.5 * throughput + 10000 : INFINITY;
  if (a->bitrate < limit) {
    double dt_s = a->have_change ? (double)(now_us - a->last_change_us) / 1e6 : 0;
    if (dt_s < 0) dt_s = 0;
    double inc =
        a->link_kbps >= 0 ? additive_increase(a, dt_s, rtt_us) : multiplicative_increase(a, dt_s);
    double next = a->bitrate + inc;
    a->bitrate = next < limit ? next : limit;
  }
  a->last_change_us = now_us;
  a->have_change = true;
}

static void aimd_decrease(bwe_aimd *a, double throughput, int64_t now_us) {
  double next = throughput >= 0 ? BETA * throughput : BETA * a->bitrate;
  if (next > 5000) next -= 5000;
  if (next > a->bitrate && a->link_kbps >= 0) next = BETA * a->link_kbps * 1000.0;
  if (next < a->bitrate) a->bitrate = next; /* never raise on overuse */
  if (throughput >= 0) {
    if (a->link_kbps >= 0 && throughput / 1000.0 < a->link_kbps - link_spread_kbps(a))
      link_reset(a);
    link_update(a, throughput / 1000.0);
  }
  a->state = BWE_HOLD; /* stay put until the queue has drained */
  a->last_change_us = now_us;
  a->have_change = true;
}

/* While overuse persists, cut again only once per round trip (the last cut
 * has not shown yet), unless the estimate is twice what gets through. */
static bool time_to_reduce(const bwe_delay *d, double throughput, int64_t now_us, int64_t rtt_us) {
  const bwe_aimd *a = &d->aimd;
  if (!a->have_change) return true;
  int64_t interval = rtt_us;
  if (interval < REDUCE_INTERVAL_MIN) interval = REDUCE_INTERVAL_MIN;
  if (interval > REDUCE_INTERVAL_MAX) interval = REDUCE_INTERVAL_MAX;
  if (now_us - a->last_change_us >= interval) return true;
  return throughput >= 0 && throughput < 0.5 * a->bitrate;
}

static void clamp_rate(bwe_delay *d) {
  if (d->aimd.bitrate < d->min_bps) d->aimd.bitrate = d->min_bps;
  if (d->aimd.bitrate > d->max_bps) d->aimd.bitrate = d->max_bps;
}

void bwe_delay_update(bwe_delay *d, int64_t now_us, int64_t rtt_us) {
  if (rtt_us <= 0) rtt_us = DEFAULT_RTT_US;
  bwe_aimd *a = &d->aimd;
  double throughput = throughput_for_decrease(d);
  sv_bwe_usage usage = d->trend.usage;
  if (usage == SV_BWE_OVERUSING && !time_to_reduce(d, throughput, now_us, rtt_us)) return;
  aimd_change_state(a, usage, now_us);
  if (a->state == BWE_INCREASE)
    aimd_increase(a, bwe_delay_acked_bps(d), now_us, rtt_us);
  else if (a->state == BWE_DECREASE)
    aimd_decrease(a, throughput, now_us);
  clamp_rate(d);
}

void bwe_delay_raise(bwe_delay *d, double bps) {
  if (bps <= d->aimd.bitrate) return;
  d->aimd.bitrate = bps;
  /* A probe found room above the old capacity estimate: forget it, so
   * growth from here is multiplicative again. */
  if (d->aimd.link_kbps >= 0 && bps / 1000.0 > d->aimd.link_kbps + link_spread_kbps(&d->aimd))
    link_reset(&d->aimd);
  clamp_rate(d);
}

void bwe_delay_cut(bwe_delay *d, double factor, int64_t now_us) {
  d->aimd.bitrate *= factor;
  d->aimd.state = BWE_HOLD;
  d->aimd.last_change_us = now_us;
  d->aimd.have_change = true;
  clamp_rate(d);
}

void bwe_delay_on_packet(bwe_delay *d, int64_t send_us, int64_t arrival_us, size_t bytes,
                         int64_t system_us) {
  acked_update(&d->acked, arrival_us, bytes);
  group_add(d, send_us, arrival_us, system_us);
}

void bwe_delay_init(bwe_delay *d, double start_bps, double min_bps, double max_bps) {
  memset(d, 0, sizeof *d);
  d->min_bps = min_bps;
  d->max_bps = max_bps;
  bwe_delay_reset_detector(d);
  acked_init(&d->acked);
  d->aimd.bitrate = start_bps;
  d->aimd.state = BWE_HOLD;
  link_reset(&d->aimd);
}
