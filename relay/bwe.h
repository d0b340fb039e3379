/*
 * bwe.h — send-side bandwidth estimation towards one subscriber, from its
 * transport-wide congestion control feedback (relay/twcc.h).
 *
 * The relay stamps every packet it sends to a subscriber with a
 * transport-wide sequence number and tells the estimator (sv_bwe_on_sent);
 * the subscriber's TWCC feedback comes back through sv_bwe_on_feedback. The
 * estimate is the smaller of two controllers (draft-ietf-rmcat-gcc-02):
 *
 *   - delay-based: inter-group delay variation → trendline (a linear
 *     regression over a window of smoothed accumulated delay, as libwebrtc
 *     does) → adaptive-threshold overuse detector → AIMD rate controller
 *     (multiplicative increase far from the last known capacity, additive
 *     near it; on overuse, 0.85 × the acknowledged bitrate);
 *   - loss-based: loss over 10 % cuts by (1 - 0.5 × loss), under 2 % lets
 *     the bound grow 5 %/s, in between holds; loss is counted only for
 *     packets sent after the estimate last went down, so one burst of tail
 *     drops is not punished twice;
 *
 * clamped to [min_bps, max_bps]. Because GCC cannot grow much past what is
 * actually acknowledged, and the relay may be sending little (a low
 * simulcast layer), the estimator also decides when to probe: it asks for
 * padding bursts (sv_bwe_padding_due) and, when the subscriber received a
 * burst at a rate without the link saturating, raises the estimate at once.
 *
 * Sans-IO: time is always an input (now_us, monotonic microseconds); it
 * never reads a clock, allocates after sv_bwe_new, logs or locks. Feedback
 * is hostile input and is checked before use. An sv_bwe belongs to the one
 * thread (relay worker) that sends to its subscriber.
 */
#ifndef SV_BWE_H
#define SV_BWE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sv_bwe sv_bwe;

/* Zero fields take defaults: start 300 kbit/s, min 30 kbit/s, max
 * 2.5 Mbit/s. start is clamped into [min, max]; max < min is raised to min. */
typedef struct sv_bwe_config {
  uint32_t start_bps, min_bps, max_bps;
} sv_bwe_config;

#define SV_BWE_DEFAULT_START_BPS 300000u
#define SV_BWE_DEFAULT_MIN_BPS   30000u
#define SV_BWE_DEFAULT_MAX_BPS   2500000u

/* Largest padding packet the caller should make of sv_bwe_padding_due's
 * answer (it may make smaller ones). */
#define SV_BWE_MAX_PADDING_PACKET 1200u

/* Creates an estimator (cfg NULL = defaults). The caller owns it and frees
 * it with sv_bwe_free. Aborts on out of memory, as g_new0 does; this is the
 * only allocation (about 50 KB: the sent-packet history). */
sv_bwe *sv_bwe_new(const sv_bwe_config *cfg, uint64_t now_us);
/* Frees b. NULL is fine. */
void sv_bwe_free(sv_bwe *b);

/* The relay sent a packet of `bytes` (the whole RTP packet as on the wire;
 * before SRTP is fine) with transport-wide seq `seq` at now_us. probe: it
 * was padding sent because sv_bwe_padding_due asked for it. The estimator
 * keeps the last 2048 sent packets; feedback for older ones is ignored.
 * Every packet sent while a probe cluster is running (media too) counts
 * towards that cluster. Can't fail. */
void sv_bwe_on_sent(sv_bwe *b, uint16_t seq, size_t bytes, bool probe, uint64_t now_us);

/* One TWCC feedback packet from the subscriber (the whole RTCP packet,
 * header included, as sv_rtcp_item.data/len gives it for type 205 fmt 15).
 * Returns 0, or SV_EINVAL for a malformed packet, which is ignored: nothing
 * changes but the feedback_invalid count. Statuses for unknown or already reported seqs are
 * skipped, so duplicated and reordered feedback is harmless. */
int sv_bwe_on_feedback(sv_bwe *b, const uint8_t *pkt, size_t len, uint64_t now_us);

/* Current estimate of what can be sent towards the subscriber, bits/s,
 * within [min_bps, max_bps]. Can't fail. */
uint32_t sv_bwe_estimate_bps(const sv_bwe *b);

/* Probing. want_bps is what the caller would send if the estimate allowed
 * it (the next simulcast layer up plus audio); 0 = no wish. Returns how
 * many bytes of padding the caller should send now, as padding packets of
 * at most SV_BWE_MAX_PADDING_PACKET bytes, calling sv_bwe_on_sent with
 * probe=true for each; 0 most of the time.
 *
 * The estimator probes when the estimate is below want_bps, the link is
 * not overused, loss is low, the estimate has not gone down in the last
 * second, and the wait it set last has passed. A probe round is two
 * clusters, at 1.5× and 2× the estimate capped at 1.2 × want_bps and
 * max_bps, each ~30 ms at its rate but at least 5 × 1200 bytes; every
 * packet sent during a cluster (media too) belongs to it, and the padding
 * asked for tops the cluster up to its rate, so calls every few ms spread
 * it out and calls every 10 ms send it in 10 ms steps. When a cluster's
 * feedback shows the subscriber got it at rate R (95 % of what it got if
 * it fell behind), an estimate below R is raised to R at once. A round
 * that raised the estimate and kept up with at least 70 % of its top rate
 * lets the next round follow at once (exponential probing up to want);
 * any other round makes the next wait 2 s, then 4, 8 and 15 s; an
 * estimate that falls by half at once (not just after a probe: the link
 * changed) brings the wait back to 2 s. Rounds whose feedback does not
 * come time out after 1 s + 3 × rtt.
 *
 * Call it every 10–100 ms and after each media packet sent to the
 * subscriber: it is a few comparisons when not probing. It also notices
 * missing feedback: when packets were sent but no feedback came for 1 s,
 * the estimate is cut by 20 % every 500 ms (once feedback has been seen
 * at all: a subscriber without TWCC keeps the start estimate). */
size_t sv_bwe_padding_due(sv_bwe *b, uint32_t want_bps, uint64_t now_us);

/* What the delay-based detector currently sees. */
typedef enum { SV_BWE_NORMAL = 0, SV_BWE_OVERUSING, SV_BWE_UNDERUSING } sv_bwe_usage;

/* A snapshot for metrics and debugging. */
typedef struct sv_bwe_stats {
  uint32_t estimate_bps;
  uint32_t delay_bps;     /* delay-based (AIMD) estimate */
  uint32_t loss_bps;      /* loss-based bound */
  uint32_t acked_bps;     /* acknowledged throughput, 0 = not yet known */
  sv_bwe_usage usage;     /* delay-based detector state */
  double loss_fraction;   /* over the last loss window, 0..1 */
  uint32_t rtt_ms;        /* send → feedback, smoothed; 0 = not yet known */
  bool probing;           /* a probe round is under way */
  uint32_t probes_raised; /* probe rounds that raised the estimate */
  uint32_t probes_failed; /* probe rounds that did not */
  uint32_t feedback_packets, feedback_invalid;
  uint64_t padding_bytes; /* sent with probe=true */
} sv_bwe_stats;

/* Fills *out. Can't fail. */
void sv_bwe_get_stats(const sv_bwe *b, sv_bwe_stats *out);

#endif
