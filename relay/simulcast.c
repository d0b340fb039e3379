/*
 * simulcast.c — layer choice with hysteresis and the rewriting that keeps a
 * subscriber's stream continuous across layer switches (simulcast.h).
 */
#include "relay/simulcast.h"

#include "relay/rtp.h"

/* The highest layer a subscriber may get of n: its max_layer, within
 * [0, n - 1]. */
static int top_layer(size_t n, int max_layer) {
  int top = (int)n - 1;
  return max_layer < top ? (max_layer < 0 ? 0 : max_layer) : top;
}

int sv_layer_choose(const uint32_t *bps, size_t n, int current, int max_layer,
                    uint32_t budget_bps) {
  if (n == 0) return -1;
  int top = top_layer(n, max_layer);
  double budget = budget_bps;
  /* Paused: the lowest layer must fit with room to spare before video comes
   * back, or a link just at the edge would pause and resume every second. */
  if (current < 0 && budget < bps[0] * SV_LAYER_RESUME_MARGIN) return -1;
  if (budget < bps[0] * SV_LAYER_KEEP_MARGIN) return -1;
  if (current > top) current = top;
  /* Down at once to the highest layer that fits. */
  if (current >= 0 && bps[current] > budget) {
    while (current > 0 && bps[current] > budget)
      current--;
    return current; /* the lowest stays while above the keep margin */
  }
  if (current < 0) current = 0;
  /* Up only with a margin over the next layer's rate. */
  int best = current;
  for (int k = current + 1; k <= top; k++)
    if (bps[k] * SV_LAYER_UP_MARGIN <= budget) best = k;
  return best;
}

void sv_layer_allocate(const sv_layer_req *reqs, size_t n, uint32_t budget_bps, int *out) {
  double left = budget_bps;
  for (size_t i = 0; i < n; i++) {
    const sv_layer_req *r = &reqs[i];
    double floor = r->bps[0] * (r->current < 0 ? SV_LAYER_RESUME_MARGIN : SV_LAYER_KEEP_MARGIN);
    out[i] = r->n > 0 && left >= floor ? 0 : -1;
    if (out[i] == 0) left -= r->bps[0];
  }
  for (size_t i = 0; i < n; i++) {
    const sv_layer_req *r = &reqs[i];
    if (out[i] < 0) continue;
    int top = top_layer(r->n, r->max_layer);
    for (int k = top; k > 0; k--) {
      /* Up needs the margin; keeping (or going down to) a layer does not. */
      double need = r->bps[k] * (k > r->current ? SV_LAYER_UP_MARGIN : 1.0) - r->bps[0];
      if (need <= left) {
        out[i] = k;
        left -= r->bps[k] - r->bps[0];
        break;
      }
    }
  }
}

uint64_t sv_layer_want(const sv_layer_req *reqs, size_t n, const int *targets) {
  double want = 0;
  bool can_rise = false;
  for (size_t i = 0; i < n; i++) {
    const sv_layer_req *r = &reqs[i];
    if (r->n == 0) continue; /* held paused: no wish */
    int top = top_layer(r->n, r->max_layer);
    int next = targets[i] + 1;
    if (next > top) {
      want += targets[i] >= 0 ? r->bps[targets[i]] : 0;
      continue;
    }
    want += r->bps[next] * (next == 0 ? SV_LAYER_RESUME_MARGIN : SV_LAYER_UP_MARGIN);
    can_rise = true;
  }
  return can_rise ? (uint64_t)want + 1 : 0;
}

void sv_outmap_switch(sv_outmap *m, uint16_t seq, uint32_t ts, const sv_vp8_desc *vp8,
                      uint32_t clock_rate, uint64_t now_us, uint32_t seed) {
  if (!m->started) {
    m->started = true;
    m->last_seq = (uint16_t)(seed >> 16);
    m->last_ts = seed * 2654435761u;
    m->last_us = now_us;
    m->last_picid = (uint16_t)(seed & 0x7fff);
    m->last_tl0 = (uint8_t)(seed >> 8);
  }
  uint64_t ticks = ((now_us - m->last_us) * clock_rate + 500000) / 1000000;
  if (ticks == 0) ticks = 1;
  m->seq_delta = (uint16_t)(m->last_seq + 1 - seq);
  m->ts_delta = m->last_ts + (uint32_t)ticks - ts;
  if (vp8 && vp8->has_picid) m->picid_delta = (uint16_t)(m->last_picid + 1 - vp8->picid);
  if (vp8 && vp8->has_tl0) m->tl0_delta = (uint8_t)(m->last_tl0 + 1 - vp8->tl0);
  m->switch_seq = (uint16_t)(seq + m->seq_delta);
  m->last_seq = (uint16_t)(m->switch_seq - 1); /* so that apply() takes this one as newest */
}

void sv_outmap_apply(sv_outmap *m, uint16_t seq, uint32_t ts, const sv_vp8_desc *vp8,
                     uint16_t *seq_out, uint32_t *ts_out, uint16_t *picid_out, uint8_t *tl0_out,
                     uint64_t now_us) {
  *seq_out = (uint16_t)(seq + m->seq_delta);
  *ts_out = ts + m->ts_delta;
  *picid_out = vp8 && vp8->has_picid ? (uint16_t)((vp8->picid + m->picid_delta) & 0x7fff) : 0;
  *tl0_out = vp8 && vp8->has_tl0 ? (uint8_t)(vp8->tl0 + m->tl0_delta) : 0;
  if (!sv_seq_newer(*seq_out, m->last_seq)) return; /* a late packet: not the newest */
  m->last_seq = *seq_out;
  m->last_ts = *ts_out;
  m->last_us = now_us;
  /* 7-bit picture IDs wrap at 128: keep the count in 15 bits all the same,
   * so a switch to a 15-bit layer continues from the right value mod 128. */
  if (vp8 && vp8->has_picid) m->last_picid = *picid_out;
  if (vp8 && vp8->has_tl0) m->last_tl0 = *tl0_out;
}

bool sv_outmap_unmap(const sv_outmap *m, uint16_t out_seq, uint16_t *seq) {
  if (!m->started || sv_seq_newer(m->switch_seq, out_seq)) return false;
  if (sv_seq_newer(out_seq, m->last_seq)) return false; /* never sent */
  *seq = (uint16_t)(out_seq - m->seq_delta);
  return true;
}
