/*
 * bwe.c — bandwidth estimation towards one subscriber (see relay/bwe.h):
 * the sent-packet history, feedback dispatch, the loss-based bound, the
 * final estimate, and the feedback timeout. The delay-based controller is
 * in bwe_delay.c and probing in bwe_probe.c (relay/bwe_int.h joins them).
 *
 * Each sent packet is remembered in a ring indexed by its transport-wide
 * seq. A feedback status is believed only for a packet the ring still
 * holds under that exact seq and has not already had reported received, so
 * duplicated, reordered, stale or invented feedback teaches nothing. A
 * packet first reported lost and later received counts as received.
 *
 * Loss is judged over windows of packets (at least 50 and 0.5 s, or 10 and
 * 1 s), counting only packets sent after the estimate last went down: the
 * loss a cut was meant to stop must not cut again, or a burst of tail drops
 * would collapse the estimate far below the link's capacity. The windows'
 * figures are smoothed (half each), and loss between 10 and 12 % cuts only
 * when the delay-based detector saw overuse within the last two seconds: a
 * queue that overflows shows in the delay first, while the steady random
 * loss of a poor radio link does not, and cutting for it (as GCC's plain
 * 10 % rule does) ratchets the estimate down by 5 % at every window that
 * happens to lose a little more than the average. Above 12 % it cuts
 * anyway (a policer drops without queueing).
 */
#include "relay/bwe.h"

#include <glib.h>

#include "common/common.h"
#include "relay/bwe_int.h"
#include "relay/twcc.h"

#define HISTORY             2048
#define HISTORY_MAX_AGE_US  10000000
#define LOSS_HIGH           0.10
#define LOSS_SEVERE         0.12 /* cuts without a delay signal above this */
#define LOSS_LOW            0.02
#define LOSS_CONGESTED_US   2000000 /* overuse this recent makes loss congestion */
#define LOSS_GROWTH         0.05    /* per second, while loss is low */
#define LOSS_WINDOW_PKTS    50
#define LOSS_WINDOW_US      500000
#define LOSS_WINDOW_MIN     10
#define LOSS_WINDOW_LONG_US 1000000
#define LOSS_MEMORY_US      5000000 /* a loss figure older than this is stale */
#define STREAM_TIMEOUT_US   2000000 /* feedback gap after which delays restart */
#define FEEDBACK_TIMEOUT_US 1000000
#define TIMEOUT_CUT_US      500000
#define TIMEOUT_CUT         0.8
#define DROP_RATIO          0.5 /* more than AIMD's cut at once: the link changed */
#define RECENT_DECREASE_US  1000000
#define DEFAULT_RTT_US      200000
#define LONG_AGO            (INT64_MIN / 4)

enum { PKT_EMPTY = 0, PKT_SENT, PKT_LOST, PKT_RECEIVED };

typedef struct sent_pkt {
  int64_t send_us;
  uint32_t bytes;
  uint16_t seq;
  uint16_t cluster; /* probe cluster id, 0 = none */
  uint8_t state;    /* PKT_* */
} sent_pkt;

/* Owned by the relay worker that sends to the subscriber. */
struct sv_bwe {
  sv_bwe_config cfg;
  sent_pkt history[HISTORY];
  bwe_delay delay;
  bwe_probe probe;

  /* Loss-based bound and its current window. */
  double loss_bps;
  uint32_t win_lost, win_recv;
  int64_t win_start_us, loss_min_send_us, last_loss_eval_us;
  double last_loss; /* smoothed over the windows since the last restart */
  bool have_loss;
  int64_t last_overuse_us;

  /* Feedback bookkeeping. */
  bool have_fb;
  int64_t last_fb_us;
  bool unacked;             /* packets went out since the last useful feedback, */
  int64_t first_unacked_us; /* the first of them at this time */
  int64_t last_cut_us;
  bool have_ref;
  uint32_t last_ref;
  int64_t ref_unwrapped;
  int64_t rtt_us; /* 0 = no sample yet */
  uint32_t fb_packets, fb_invalid;
  uint64_t padding_bytes;

  /* The final estimate. */
  double estimate;
  int64_t last_decrease_us;
};

/* ---- Final estimate ---------------------------------------------------- */

static double clamp_bps(const sv_bwe *b, double bps) {
  if (bps < b->cfg.min_bps) return b->cfg.min_bps;
  if (bps > b->cfg.max_bps) return b->cfg.max_bps;
  return bps;
}

/* Restarts the loss window: from now on only packets sent from now count. */
static void loss_window_restart(sv_bwe *b, int64_t now_us) {
  b->win_lost = b->win_recv = 0;
  b->win_start_us = now_us;
  b->loss_min_send_us = now_us;
  b->have_loss = false;
}

/* Recomputes the estimate from both controllers and reacts to a drop. */
static void combine(sv_bwe *b, int64_t now_us) {
  double before = b->estimate;
  double d = b->delay.aimd.bitrate;
  b->estimate = clamp_bps(b, d < b->loss_bps ? d : b->loss_bps);
  if (b->estimate >= before) return;
  b->last_decrease_us = now_us;
  loss_window_restart(b, now_us);
  if (b->estimate < DROP_RATIO * before) bwe_probe_on_drop(&b->probe, now_us);
}

/* ---- Loss-based bound -------------------------------------------------- */

static void loss_count(sv_bwe *b, const sent_pkt *p, bool received, bool was_lost) {
  if (p->send_us < b->loss_min_send_us) return;
  if (!received) {
    b->win_lost++;
  } else {
    b->win_recv++;
    if (was_lost && b->win_lost > 0) b->win_lost--;
  }
}

static void loss_evaluate(sv_bwe *b, int64_t now_us) {
  uint32_t n = b->win_lost + b->win_recv;
  int64_t span = now_us - b->win_start_us;
  bool full = (n >= LOSS_WINDOW_PKTS && span >= LOSS_WINDOW_US) ||
              (n >= LOSS_WINDOW_MIN && span >= LOSS_WINDOW_LONG_US);
  if (!full) return;
  double loss = (double)b->win_lost / n;
  double dt_s = (double)(now_us - b->last_loss_eval_us) / 1e6;
  if (dt_s > 1.0) dt_s = 1.0;
  if (dt_s < 0) dt_s = 0;
  loss = b->have_loss ? (b->last_loss + loss) / 2 : loss;
  b->last_loss = loss;
  b->have_loss = true;
  bool congested = now_us - b->last_overuse_us < LOSS_CONGESTED_US;
  if (loss > LOSS_SEVERE || (loss > LOSS_HIGH && congested))
    b->loss_bps = b->estimate * (1.0 - 0.5 * loss);
  else if (loss < LOSS_LOW)
    b->loss_bps *= 1.0 + LOSS_GROWTH * dt_s;
  b->loss_bps = clamp_bps(b, b->loss_bps);
  b->win_lost = b->win_recv = 0;
  b->win_start_us = now_us;
  b->last_loss_eval_us = now_us;
}

/* ---- Feedback ---------------------------------------------------------- */

typedef struct fb_ctx {
  sv_bwe *b;
  int64_t now_us;
  int64_t arrival_offset_us; /* reference-time unwrapping */
  int known;
  bool have_newest;
  int64_t newest_send_us;
} fb_ctx;

/* Returns what to add to the parser's arrival times so that they keep
 * increasing across the 24-bit reference time's wrap (~12.4 days). */
static int64_t unwrap_ref(sv_bwe *b, uint32_t ref) {
  if (!b->have_ref) {
    b->have_ref = true;
    b->last_ref = ref;
    b->ref_unwrapped = ref;
    return 0;
  }
  int32_t diff = (int32_t)((ref - b->last_ref) & 0xffffff);
  if (diff >= 0x800000) diff -= 0x1000000;
  int64_t unwrapped = b->ref_unwrapped + diff;
  if (diff > 0) {
    b->ref_unwrapped = unwrapped;
    b->last_ref = ref;
  }
  return (unwrapped - (int64_t)ref) * SV_TWCC_REF_UNIT_US;
}

static void on_status(void *user, uint16_t seq, bool received, int64_t arrival_us) {
  fb_ctx *x = user;
  sv_bwe *b = x->b;
  sent_pkt *p = &b->history[seq % HISTORY];
  if (p->state == PKT_EMPTY || p->seq != seq) return;
  if (x->now_us - p->send_us > HISTORY_MAX_AGE_US) return;
  if (p->state == PKT_RECEIVED || (!received && p->state == PKT_LOST)) return;
  x->known++;
  bool was_lost = p->state == PKT_LOST;
  p->state = received ? PKT_RECEIVED : PKT_LOST;
  loss_count(b, p, received, was_lost);
  arrival_us += x->arrival_offset_us;
  if (p->cluster)
    bwe_probe_on_status(&b->probe, p->cluster, received, was_lost, p->send_us, arrival_us,
                        p->bytes);
  if (!received) return;
  bwe_delay_on_packet(&b->delay, p->send_us, arrival_us, p->bytes, x->now_us);
  if (!x->have_newest || p->send_us > x->newest_send_us) {
    x->have_newest = true;
    x->newest_send_us = p->send_us;
  }
}

/* Send to feedback, including the receiver's feedback interval: an upper
 * bound on the round trip, smoothed. */
static void rtt_update(sv_bwe *b, int64_t sample_us) {
  if (sample_us < 1000) sample_us = 1000;
  if (sample_us > 10000000) sample_us = 10000000;
  b->rtt_us = b->rtt_us == 0 ? sample_us : (7 * b->rtt_us + sample_us) / 8;
}

static bwe_probe_env probe_env(const sv_bwe *b, int64_t now_us) {
  return (bwe_probe_env){
      .estimate_bps = b->estimate,
      .max_bps = b->cfg.max_bps,
      .overusing = b->delay.trend.usage == SV_BWE_OVERUSING,
      .lossy = b->last_loss > LOSS_HIGH && now_us - b->last_loss_eval_us < LOSS_MEMORY_US,
      .recently_decreased = now_us - b->last_decrease_us < RECENT_DECREASE_US,
      .rtt_us = b->rtt_us ? b->rtt_us : DEFAULT_RTT_US,
  };
}

int sv_bwe_on_feedback(sv_bwe *b, const uint8_t *pkt, size_t len, uint64_t now) {
  int64_t now_us = (int64_t)now;
  sv_twcc_info info;
  if (sv_twcc_parse_info(pkt, len, &info) < 0) {
    b->fb_invalid++;
    return SV_EINVAL;
  }
  b->fb_packets++;
  if (b->have_fb && now_us - b->last_fb_us > STREAM_TIMEOUT_US) bwe_delay_reset_detector(&b->delay);
  fb_ctx x = {.b = b, .now_us = now_us, .arrival_offset_us = unwrap_ref(b, info.ref_time)};
  if (sv_twcc_parse(pkt, len, on_status, &x) < 0 || x.known == 0) return 0;

  b->have_fb = true;
  b->last_fb_us = now_us;
  b->unacked = false;
  if (x.have_newest) rtt_update(b, now_us - x.newest_send_us);
  bwe_delay_update(&b->delay, now_us, b->rtt_us);
  if (b->delay.trend.usage == SV_BWE_OVERUSING) b->last_overuse_us = now_us;
  loss_evaluate(b, now_us);
  bwe_probe_env env = probe_env(b, now_us);
  double probed = bwe_probe_take_result(&b->probe, &env, now_us);
  if (probed > 0) {
    bwe_delay_raise(&b->delay, probed);
    if (b->loss_bps < probed) b->loss_bps = clamp_bps(b, probed);
  }
  combine(b, now_us);
  return 0;
}

/* ---- Sending and probing ----------------------------------------------- */

void sv_bwe_on_sent(sv_bwe *b, uint16_t seq, size_t bytes, bool probe, uint64_t now) {
  int64_t now_us = (int64_t)now;
  sent_pkt *p = &b->history[seq % HISTORY];
  p->seq = seq;
  p->send_us = now_us;
  p->bytes = bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)bytes;
  p->state = PKT_SENT;
  p->cluster = bwe_probe_on_sent(&b->probe, p->bytes, now_us);
  if (probe) b->padding_bytes += p->bytes;
  if (!b->unacked) {
    b->unacked = true;
    b->first_unacked_us = now_us;
  }
}

/* A subscriber whose feedback stopped while we kept sending is likely
 * behind a dead or saturated link that drops even the feedback: back off
 * step by step rather than keep the old estimate. */
static void feedback_timeout(sv_bwe *b, int64_t now_us) {
  if (!b->have_fb || !b->unacked) return;
  if (now_us - b->first_unacked_us < FEEDBACK_TIMEOUT_US) return;
  if (now_us - b->last_cut_us < TIMEOUT_CUT_US) return;
  b->last_cut_us = now_us;
  bwe_delay_cut(&b->delay, TIMEOUT_CUT, now_us);
  b->loss_bps = clamp_bps(b, b->loss_bps * TIMEOUT_CUT);
  combine(b, now_us);
}

size_t sv_bwe_padding_due(sv_bwe *b, uint32_t want_bps, uint64_t now) {
  int64_t now_us = (int64_t)now;
  feedback_timeout(b, now_us);
  bwe_probe_env env = probe_env(b, now_us);
  return bwe_probe_padding_due(&b->probe, &env, want_bps, now_us);
}

/* ---- Lifecycle and reading --------------------------------------------- */

/* Rates from hostile feedback can be anything; a cast out of range would
 * be undefined. */
static uint32_t to_u32(double v) {
  if (!(v > 0)) return 0;
  return v >= (double)UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

uint32_t sv_bwe_estimate_bps(const sv_bwe *b) {
  return to_u32(b->estimate);
}

void sv_bwe_get_stats(const sv_bwe *b, sv_bwe_stats *out) {
  *out = (sv_bwe_stats){
      .estimate_bps = to_u32(b->estimate),
      .delay_bps = to_u32(b->delay.aimd.bitrate),
      .loss_bps = to_u32(b->loss_bps),
      .acked_bps = to_u32(bwe_delay_acked_bps(&b->delay)),
      .usage = b->delay.trend.usage,
      .loss_fraction = b->last_loss,
      .rtt_ms = (uint32_t)(b->rtt_us / 1000),
      .probing = b->probe.round_active,
      .probes_raised = b->probe.rounds_raised,
      .probes_failed = b->probe.rounds_failed,
      .feedback_packets = b->fb_packets,
      .feedback_invalid = b->fb_invalid,
      .padding_bytes = b->padding_bytes,
  };
}

sv_bwe *sv_bwe_new(const sv_bwe_config *cfg, uint64_t now) {
  int64_t now_us = (int64_t)now;
  sv_bwe *b = g_new0(sv_bwe, 1);
  if (cfg) b->cfg = *cfg;
  if (!b->cfg.min_bps) b->cfg.min_bps = SV_BWE_DEFAULT_MIN_BPS;
  if (!b->cfg.max_bps) b->cfg.max_bps = SV_BWE_DEFAULT_MAX_BPS;
  if (b->cfg.max_bps < b->cfg.min_bps) b->cfg.max_bps = b->cfg.min_bps;
  if (!b->cfg.start_bps) b->cfg.start_bps = SV_BWE_DEFAULT_START_BPS;
  double start = clamp_bps(b, b->cfg.start_bps);
  bwe_delay_init(&b->delay, start, b->cfg.min_bps, b->cfg.max_bps);
  bwe_probe_init(&b->probe, now_us);
  b->loss_bps = b->estimate = start;
  b->win_start_us = b->last_loss_eval_us = now_us;
  b->loss_min_send_us = LONG_AGO;
  b->last_overuse_us = LONG_AGO;
  b->last_cut_us = b->last_decrease_us = LONG_AGO;
  return b;
}

void sv_bwe_free(sv_bwe *b) {
  g_free(b);
}
