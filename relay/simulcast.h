/*
 * simulcast.h — the two decisions a forwarder makes per subscriber about a
 * simulcast video, kept free of sockets and clocks so they are tested with
 * synthetic input:
 *
 *  - which layer fits the subscriber's bandwidth (sv_layer_choose), with
 *    hysteresis so an estimate that wobbles does not flip layers;
 *  - how the packets of whichever layer is forwarded become one continuous
 *    stream for the subscriber (sv_outmap): sequence numbers, timestamps,
 *    VP8 picture ID and TL0PICIDX go on from where the last layer left off.
 */
#ifndef SV_SIMULCAST_H
#define SV_SIMULCAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "relay/vp8.h"

/* Up only when the budget has this much room over the next layer's rate;
 * the lowest layer is kept until the budget falls below this share of its
 * rate (a link at its capacity makes the estimate swing around it, and a
 * pause costs more than a little queueing), and back from a pause only
 * with this much over it. */
#define SV_LAYER_UP_MARGIN     1.15
#define SV_LAYER_KEEP_MARGIN   0.75
#define SV_LAYER_RESUME_MARGIN 1.1

/* Picks the layer for a budget of budget_bps (what the subscriber's link
 * takes, less its audio): bps[i] is layer i's rate (lowest first, n of
 * them), current the layer forwarded now (-1 = none), max_layer the
 * highest the subscriber wants. Returns a layer index, or -1 when not even
 * the lowest layer fits (video pauses). Can't fail. */
int sv_layer_choose(const uint32_t *bps, size_t n, int current, int max_layer, uint32_t budget_bps);

/* One video a subscriber receives, for sv_layer_allocate(). */
typedef struct sv_layer_req {
  const uint32_t *bps; /* each layer's rate, lowest first */
  size_t n;            /* layers */
  int current;         /* the layer it has now (its target), -1 = paused */
  int max_layer;       /* the highest the subscriber wants of it */
} sv_layer_req;

/* Shares one subscriber's budget among the n videos it receives, first
 * come first served (reqs in priority order): every video gets its lowest
 * layer while the budget lasts (the rest pause), then each in turn goes as
 * high as what is left allows. The margins of sv_layer_choose() apply, so a
 * single video gets exactly what sv_layer_choose() gives it. Writes one
 * layer (or -1) per video into out. Can't fail. */
void sv_layer_allocate(const sv_layer_req *reqs, size_t n, uint32_t budget_bps, int *out);

/* The budget at which sv_layer_allocate() would lift each of the n videos
 * one step above targets[i] (its layer now; -1 = paused, so back to the
 * lowest), with the same margins; a video already at its top (or held,
 * n = 0) counts what its layer takes now. This is what probing aims at, so
 * an estimate below it is one the allocation cannot rise on, and one at it
 * is one it does. 0 when no video can go up. Can't fail. */
uint64_t sv_layer_want(const sv_layer_req *reqs, size_t n, const int *targets);

/* One subscriber's view of one publisher's video across layer switches.
 * Zero-initialise; the first sv_outmap_switch() starts it. */
typedef struct sv_outmap {
  bool started;
  uint16_t seq_delta;
  uint32_t ts_delta;
  uint16_t picid_delta;
  uint8_t tl0_delta;
  uint16_t last_seq;   /* the newest sequence number sent */
  uint32_t last_ts;    /* and its timestamp */
  uint64_t last_us;    /* when it was sent */
  uint16_t last_picid; /* the newest picture ID and TL0PICIDX sent (VP8) */
  uint8_t last_tl0;
  uint16_t switch_seq; /* first sequence number sent of the current layer */
} sv_outmap;

/* Makes the packet (seq, ts, vp8) of a newly chosen layer the next one of
 * the subscriber's stream: the sequence number follows the last one sent,
 * the timestamp advances by the time since then (clock_rate Hz, at least
 * one tick), the picture ID and TL0PICIDX follow theirs. vp8 may be NULL.
 * The first call picks the starting values from seed (random bits, so a
 * stream never starts where another ended). Can't fail. */
void sv_outmap_switch(sv_outmap *m, uint16_t seq, uint32_t ts, const sv_vp8_desc *vp8,
                      uint32_t clock_rate, uint64_t now_us, uint32_t seed);

/* The subscriber's sequence number, timestamp and (for VP8) picture ID /
 * TL0PICIDX for a packet of the current layer; remembers the newest. */
void sv_outmap_apply(sv_outmap *m, uint16_t seq, uint32_t ts, const sv_vp8_desc *vp8,
                     uint16_t *seq_out, uint32_t *ts_out, uint16_t *picid_out, uint8_t *tl0_out,
                     uint64_t now_us);

/* For a NACK of the subscriber's sequence number out_seq: the layer's own
 * number, if out_seq was sent from the current layer (older ones belong to
 * a layer whose numbers no longer map). */
bool sv_outmap_unmap(const sv_outmap *m, uint16_t out_seq, uint16_t *seq);

#endif
