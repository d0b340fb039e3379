/*
 * forward.c — the per-packet path of a room, and its periodic RTCP.
 *
 * RTP from a publisher: parse, find the track by SSRC, keep it for NACKs,
 * then for every subscriber copy it into the worker's send buffer, rewrite
 * SSRC/sequence/timestamp/payload type for that subscriber's m-line, protect
 * and send. No allocation, lock or log line per packet.
 *
 * RTCP: a subscriber's PLI/FIR becomes one rate-limited PLI to the
 * publisher; its NACKs are answered from the track's retransmission buffer;
 * a publisher's SR is passed on to each subscriber with that subscriber's
 * SSRC, timestamp offset and counts (so lip sync and stats work); every
 * second each publisher gets receiver reports and a REMB.
 */
#include "relay/router_int.h"

#include <string.h>
#include <time.h>

#include "common/tap.h"
#include "relay/srtp.h"

#define REPORT_INTERVAL_US 1000000

uint64_t sv_now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static sv_track *track_by_ssrc(sv_part *p, uint32_t ssrc, uint8_t pt) {
  sv_track *by_pt = NULL;
  for (size_t i = 0; i < SV_MAX_TRACKS; i++) {
    sv_track *t = &p->tracks[i];
    if (!t->active) continue;
    if (t->ssrc == ssrc) return t;
    if (t->ssrc == 0 && t->codec.pt == pt && !by_pt) by_pt = t;
  }
  /* Offers without a=ssrc lines: latch the first SSRC seen with the PT. */
  if (by_pt) by_pt->ssrc = ssrc;
  return by_pt;
}

static bool out_ready(const sv_out *o) {
  return o->sub->sub && sv_peer_state(o->sub->sub) == SV_PC_STATE_CONNECTED;
}

/* Once per participant: the time from its join to the first video packet
 * forwarded to it, into the worker's histogram. */
static void record_first_video(sv_part *sub) {
  static const uint32_t bounds[SV_FTF_BUCKETS] = SV_FTF_BOUNDS_MS;
  sv_stats_block *st = sub->room->env->stats;
  uint64_t ms = (sv_now_us() - sub->joined_us) / 1000;
  size_t k = 0;
  while (k < SV_FTF_BUCKETS && ms > bounds[k])
    k++;
  sub->first_video = true;
  SV_STAT_ADD(st, ftf_bucket[k], 1);
  SV_STAT_ADD(st, ftf_sum_ms, ms);
  SV_STAT_ADD(st, ftf_count, 1);
}

static void send_to(sv_out *o, const uint8_t *buf, size_t len, const sv_rtp_header *h) {
  uint8_t *out = o->sub->room->env->scratch_out;
  memcpy(out, buf, len);
  sv_rtp_rewrite(out, o->codec.pt, (uint16_t)(h->seq + o->seq_delta), h->ts + o->ts_delta, o->ssrc);
  if (sv_peer_send_rtp(o->sub->sub, out, len) == 0) {
    o->packets++;
    o->octets += (uint32_t)h->payload_len;
    if (!o->sub->first_video && o->kind == SV_KIND_VIDEO) record_first_video(o->sub);
  }
}

void sv_forward_rtp(sv_part *p, uint8_t *buf, size_t len) {
  sv_stats_block *st = p->room->env->stats;
  sv_rtp_header h;
  if (len > SV_RTP_MTU || sv_rtp_parse(buf, len, &h) != 0) {
    SV_STAT_ADD(st, dropped_malformed, 1);
    return;
  }
  sv_track *t = track_by_ssrc(p, h.ssrc, h.pt);
  /* Unknown SSRC, or a payload type we did not negotiate (RTX, RED). */
  if (!t || h.pt != t->codec.pt) {
    SV_STAT_ADD(st, dropped_unknown, 1);
    return;
  }
  uint64_t now = sv_now_us();
  sv_rtp_stats_update(&t->stats, h.seq, h.ts, len, now);
  if (p->tap) {
    static const uint8_t tap_codec[] = {
        [SV_CODEC_OPUS] = SV_TAP_OPUS, [SV_CODEC_VP8] = SV_TAP_VP8, [SV_CODEC_H264] = SV_TAP_H264};
    uint8_t c = (size_t)t->codec.codec < sizeof tap_codec ? tap_codec[t->codec.codec] : 0;
    if (c) sv_tap_push(p->tap, (sv_tap_codec)c, h.pt, buf, len, now);
  }
  if (t->rtx) {
    sv_rtx_slot *slot = &t->rtx[h.seq & (SV_RTX_SLOTS - 1)];
    slot->seq = h.seq;
    slot->len = (uint16_t)len;
    memcpy(slot->data, buf, len);
  }
  for (size_t i = 0; i < t->n_outs; i++) {
    sv_out *o = t->outs[i];
    if (out_ready(o)) send_to(o, buf, len, &h);
  }
}

static void send_pli(sv_track *t) {
  sv_part *owner = t->owner;
  if (!owner->pub || sv_peer_state(owner->pub) != SV_PC_STATE_CONNECTED || t->ssrc == 0) {
    t->pli_pending = true; /* ask again once the publisher is up */
    return;
  }
  uint8_t pkt[64 + SV_SRTP_TRAILER];
  int n = sv_rtcp_build_pli(pkt, 64, owner->rtcp_ssrc, t->ssrc);
  if (n > 0 && sv_peer_send_rtcp(owner->pub, pkt, (size_t)n) == 0) {
    SV_STAT_ADD(owner->room->env->stats, pli_sent, 1);
    t->last_pli_us = sv_now_us();
    t->pli_pending = false;
  }
}

void sv_forward_request_keyframe(sv_track *t) {
  if (!t->active || t->kind != SV_KIND_VIDEO) return;
  if (sv_now_us() - t->last_pli_us >= SV_PLI_GAP_US)
    send_pli(t);
  else
    t->pli_pending = true;
}

void sv_forward_rtcp_from_publisher(sv_part *p, uint8_t *buf, size_t len) {
  sv_rtcp_iter it;
  sv_rtcp_item item;
  sv_rtcp_iter_init(&it, buf, len);
  while (sv_rtcp_next(&it, &item) == 1) {
    if (item.type != SV_RTCP_SR)
      continue; /* SDES, BYE and the publisher's own feedback need no action */
    sv_track *t = NULL;
    for (size_t i = 0; i < SV_MAX_TRACKS && !t; i++)
      if (p->tracks[i].active && p->tracks[i].ssrc == item.sender_ssrc) t = &p->tracks[i];
    if (!t) continue;
    t->sr_ntp = item.ntp;
    t->sr_rtp = item.rtp_ts;
    t->sr_arrival_us = sv_now_us();
    for (size_t i = 0; i < t->n_outs; i++) {
      sv_out *o = t->outs[i];
      if (!out_ready(o)) continue;
      uint8_t pkt[64 + SV_SRTP_TRAILER];
      int n = sv_rtcp_build_sr(pkt, 64, o->ssrc, item.ntp, item.rtp_ts + o->ts_delta, o->packets,
                               o->octets);
      if (n > 0 && sv_peer_send_rtcp(o->sub->sub, pkt, (size_t)n) == 0) {
        o->sr_lsr = (uint32_t)(item.ntp >> 16);
        o->sr_sent_us = t->sr_arrival_us;
      }
    }
  }
}

static sv_out *out_by_ssrc(sv_part *p, uint32_t ssrc) {
  for (size_t i = 0; i < p->n_outs; i++)
    if (p->outs[i].src && p->outs[i].ssrc == ssrc) return &p->outs[i];
  return NULL;
}

typedef struct nack_ctx {
  sv_out *out;
  uint32_t count;
} nack_ctx;

static void on_nack(void *user, uint16_t seq_out) {
  nack_ctx *c = user;
  sv_out *o = c->out;
  sv_track *t = o->src;
  uint16_t seq = (uint16_t)(seq_out - o->seq_delta);
  sv_rtx_slot *slot = &t->rtx[seq & (SV_RTX_SLOTS - 1)];
  if (slot->len == 0 || slot->seq != seq) return;
  sv_rtp_header h;
  if (sv_rtp_parse(slot->data, slot->len, &h) != 0) return;
  send_to(o, slot->data, slot->len, &h);
  c->count++;
}

/* RFC 3550 6.4.1: a report block on an SR we sent gives the round trip as
 * arrival - send time - DLSR. Implausible values (clock steps, reports on an
 * older SR) are skipped. */
static void take_rtt(sv_part *p, const sv_rtcp_item *item) {
  size_t n = sv_rtcp_report_count(item);
  uint64_t now = 0;
  for (size_t i = 0; i < n; i++) {
    sv_rtcp_report_block b;
    if (!sv_rtcp_report_get(item, i, &b) || !b.lsr) continue;
    sv_out *o = out_by_ssrc(p, b.ssrc);
    if (!o || o->sr_lsr != b.lsr || !o->sr_sent_us) continue;
    if (!now) now = sv_now_us();
    int64_t rtt = (int64_t)(now - o->sr_sent_us) - (int64_t)((uint64_t)b.dlsr * 1000000 / 65536);
    if (rtt < -2000 || rtt > 10000000) continue;
    p->rtt_sum_us += rtt > 0 ? (uint64_t)rtt : 0;
    p->rtt_samples++;
  }
}

void sv_forward_rtcp_from_subscriber(sv_part *p, uint8_t *buf, size_t len) {
  sv_stats_block *st = p->room->env->stats;
  sv_rtcp_iter it;
  sv_rtcp_item item;
  sv_rtcp_iter_init(&it, buf, len);
  while (sv_rtcp_next(&it, &item) == 1) {
    if (item.type == SV_RTCP_RR || item.type == SV_RTCP_SR) {
      take_rtt(p, &item);
    } else if (item.type == SV_RTCP_PSFB && item.fmt == 1) { /* PLI */
      sv_out *o = out_by_ssrc(p, item.media_ssrc);
      if (o) sv_forward_request_keyframe(o->src);
    } else if (item.type == SV_RTCP_PSFB && item.fmt == 4) { /* FIR */
      size_t n = sv_rtcp_fir_count(&item);
      for (size_t k = 0; k < n; k++) {
        sv_out *o = out_by_ssrc(p, sv_rtcp_fir_ssrc(&item, k));
        if (o) sv_forward_request_keyframe(o->src);
      }
    } else if (item.type == SV_RTCP_RTPFB && item.fmt == 1) { /* generic NACK */
      sv_out *o = out_by_ssrc(p, item.media_ssrc);
      if (!o || !o->src->rtx || !out_ready(o)) continue;
      nack_ctx c = {o, 0};
      SV_STAT_ADD(st, nack_received, 1);
      sv_rtcp_nack_foreach(&item, on_nack, &c);
      SV_STAT_ADD(st, retransmitted, c.count);
    }
  }
}

static void report_to_publisher(sv_part *p, uint64_t now) {
  if (!p->pub || sv_peer_state(p->pub) != SV_PC_STATE_CONNECTED) return;
  sv_rtcp_report_block blocks[SV_MAX_TRACKS];
  uint32_t video[SV_MAX_TRACKS];
  size_t nb = 0, nv = 0;
  for (size_t i = 0; i < SV_MAX_TRACKS; i++) {
    sv_track *t = &p->tracks[i];
    if (!t->active || t->ssrc == 0 || !t->stats.started) continue;
    sv_rtcp_report_block *b = &blocks[nb++];
    sv_rtp_stats_report(&t->stats, t->ssrc, b);
    if (b->cumulative_lost > t->lost_counted) {
      SV_STAT_ADD(p->room->env->stats, packets_lost, b->cumulative_lost - t->lost_counted);
      t->lost_counted = b->cumulative_lost;
    }
    if (t->sr_arrival_us) {
      b->lsr = (uint32_t)(t->sr_ntp >> 16);
      b->dlsr = (uint32_t)((now - t->sr_arrival_us) * 65536 / 1000000);
    }
    if (t->kind == SV_KIND_VIDEO) video[nv++] = t->ssrc;
  }
  if (nb == 0) return;
  uint8_t pkt[512 + SV_SRTP_TRAILER];
  int n = sv_rtcp_build_rr(pkt, 512, p->rtcp_ssrc, blocks, nb);
  if (n <= 0) return;
  size_t len = (size_t)n;
  if (nv > 0) {
    int m = sv_rtcp_build_remb(pkt + len, 512 - len, p->rtcp_ssrc,
                               (uint64_t)p->room->config->max_video_kbps * 1000, video, nv);
    if (m > 0) len += (size_t)m;
  }
  sv_peer_send_rtcp(p->pub, pkt, len);
}

void sv_forward_tick(sv_router *r) {
  uint64_t now = sv_now_us();
  bool report = now - r->last_report_us >= REPORT_INTERVAL_US;
  if (report) r->last_report_us = now;
  for (guint i = 0; i < r->parts->len; i++) {
    sv_part *p = g_ptr_array_index(r->parts, i);
    for (size_t k = 0; k < SV_MAX_TRACKS; k++) {
      sv_track *t = &p->tracks[k];
      if (t->active && t->pli_pending && now - t->last_pli_us >= SV_PLI_GAP_US) send_pli(t);
    }
    if (report) report_to_publisher(p, now);
  }
}
