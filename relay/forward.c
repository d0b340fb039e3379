/*
 * forward.c — the per-packet path of a room, and its periodic RTCP.
 *
 * RTP from a publisher: parse, find the track and layer by SSRC (a
 * simulcast layer's SSRC is learnt from the rid header extension), keep it
 * for NACKs, then for every subscriber that receives this layer copy it
 * into the worker's send buffer with the relay's own header extension (the
 * subscriber's transport-wide sequence number), rewrite SSRC, sequence
 * number, timestamp and payload type (and the VP8 picture IDs) so the
 * subscriber sees one continuous stream whichever layer it gets, protect and
 * send. A subscriber moves to another layer only at a keyframe of it. No
 * allocation, lock or log line per packet.
 *
 * RTCP: a subscriber's PLI/FIR becomes one rate-limited PLI to the
 * publisher's layer it receives; its NACKs are answered from the layer's
 * retransmission buffer (as RTX when it took RTX); its transport-cc
 * feedback feeds its bandwidth estimate (relay/bwe.c), which adapt.c turns
 * into a layer choice. A publisher's SR is passed on to each subscriber
 * with that subscriber's SSRC, timestamp offset and counts (so lip sync and
 * stats work); every second each publisher gets receiver reports and a
 * REMB of what its subscribers can use.
 */
#include "relay/router_int.h"

#include <string.h>
#include <time.h>

#include "common/bytes.h"
#include "common/tap.h"
#include "relay/bwe.h"
#include "relay/red.h"
#include "relay/srtp.h"

#define REPORT_INTERVAL_US 1000000

uint64_t sv_now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* The layer of p's tracks that sends with ssrc. Offers without a=ssrc
 * lines: a simulcast layer is found by the RID its packets carry, a single
 * stream latches the first SSRC seen with its payload type. */
static sv_layer *layer_by_ssrc(sv_part *p, const uint8_t *buf, const sv_rtp_header *h,
                               sv_track **track) {
  sv_track *by_pt = NULL;
  for (size_t i = 0; i < SV_MAX_TRACKS; i++) {
    sv_track *t = &p->tracks[i];
    if (!t->active) continue;
    for (size_t k = 0; k < t->n_layers; k++) {
      if (t->layers[k].ssrc == h->ssrc) {
        *track = t;
        return &t->layers[k];
      }
    }
    if (t->codec.pt != h->pt) continue;
    if (t->n_layers > 1 && t->rid_ext) {
      const uint8_t *rid;
      int n = sv_rtp_ext_get(buf, h, t->rid_ext, &rid);
      for (size_t k = 0; n > 0 && k < t->n_layers; k++) {
        sv_layer *l = &t->layers[k];
        if (!l->ssrc && strlen(l->rid) == (size_t)n && memcmp(l->rid, rid, (size_t)n) == 0) {
          l->ssrc = h->ssrc;
          *track = t;
          return l;
        }
      }
    } else if (t->n_layers == 1 && t->layers[0].ssrc == 0 && !by_pt) {
      by_pt = t;
    }
  }
  if (!by_pt) return NULL;
  by_pt->layers[0].ssrc = h->ssrc;
  *track = by_pt;
  return &by_pt->layers[0];
}

/* The layer whose retransmissions (RFC 4588) arrive with this SSRC: known
 * from a=ssrc-group:FID, or learnt from the repaired-rid extension of a
 * simulcast layer's RTX, or, for a single stream, its only RTX stream. */
static sv_layer *layer_by_rtx(sv_part *p, const uint8_t *buf, const sv_rtp_header *h,
                              sv_track **track) {
  for (size_t i = 0; i < SV_MAX_TRACKS; i++) {
    sv_track *t = &p->tracks[i];
    if (!t->active || !t->rtx_pt || t->rtx_pt != h->pt) continue;
    for (size_t k = 0; k < t->n_layers; k++) {
      if (t->layers[k].rtx_ssrc == h->ssrc) {
        *track = t;
        return &t->layers[k];
      }
    }
    const uint8_t *rid;
    int n = t->n_layers > 1 && t->rrid_ext ? sv_rtp_ext_get(buf, h, t->rrid_ext, &rid) : -1;
    for (size_t k = 0; k < t->n_layers; k++) {
      sv_layer *l = &t->layers[k];
      bool match = t->n_layers == 1 ||
                   (n > 0 && strlen(l->rid) == (size_t)n && memcmp(l->rid, rid, (size_t)n) == 0);
      if (match && !l->rtx_ssrc) {
        l->rtx_ssrc = h->ssrc;
        *track = t;
        return l;
      }
    }
  }
  return NULL;
}

static bool out_ready(const sv_out *o) {
  return o->sub->sub && sv_peer_state(o->sub->sub) == SV_PC_STATE_CONNECTED;
}

/* Once per participant: the time from its join to the first video packet
 * forwarded to it, into the worker's histogram. */
static void record_first_video(sv_part *sub, uint64_t now) {
  static const uint32_t bounds[SV_FTF_BUCKETS] = SV_FTF_BOUNDS_MS;
  sub->first_video = true;
  SV_STAT_HISTOGRAM(sub->room->env->stats, ftf, ftf_sum_ms, bounds, SV_FTF_BUCKETS,
                    (now - sub->joined_us) / 1000);
}

/* Stamps the subscriber's transport-wide sequence number (when it takes
 * transport-cc), protects and sends out[0..len), and tells the estimator. */
static int send_stamped(sv_part *sub, uint8_t *out, size_t len, uint16_t twcc_seq, bool probe,
                        uint64_t now) {
  int rc = sv_peer_send_rtp(sub->sub, out, len);
  if (rc == 0 && sub->bwe) sv_bwe_on_sent(sub->bwe, twcc_seq, len, probe, now);
  return rc;
}

size_t sv_forward_build(sv_out *o, const uint8_t *buf, size_t len, const sv_rtp_header *h,
                        uint8_t pt, uint64_t now, uint8_t *out) {
  sv_part *sub = o->sub;
  size_t n = sv_rtp_copy_out(out, buf, len, h, sub->twcc_id, sub->twcc_seq, NULL);
  sv_rtp_header oh;
  sv_vp8_desc vp8, *d = NULL;
  if (sv_rtp_parse(out, n, &oh) != 0) return 0; /* cannot happen: built from a parsed packet */
  if (o->codec.codec == SV_CODEC_VP8 &&
      sv_vp8_desc_parse(out + oh.header_len, oh.payload_len, &vp8) == 0)
    d = &vp8;
  uint16_t seq, picid;
  uint32_t ts;
  uint8_t tl0;
  sv_outmap_apply(&o->map, h->seq, h->ts, d, &seq, &ts, &picid, &tl0, now);
  if (d) sv_vp8_desc_write(out + oh.header_len, d, picid, tl0);
  sv_rtp_rewrite(out, pt, seq, ts, o->ssrc);
  if (sub->twcc_id) sub->twcc_seq++;
  return n;
}

static void send_to(sv_out *o, const uint8_t *buf, size_t len, const sv_rtp_header *h, uint8_t pt,
                    uint64_t now) {
  sv_part *sub = o->sub;
  uint8_t *out = sub->room->env->scratch_out;
  uint16_t twcc_seq = sub->twcc_seq;
  size_t n = sv_forward_build(o, buf, len, h, pt, now, out);
  if (n > 0 && send_stamped(sub, out, n, twcc_seq, false, now) == 0) {
    o->packets++;
    o->octets += (uint32_t)h->payload_len;
    if (!sub->first_video && o->kind == SV_KIND_VIDEO) record_first_video(sub, now);
  }
  /* A probe cluster is paced over a few tens of milliseconds: asking after
   * each packet (audio alone comes every 20 ms) keeps it close to its rate. */
  if (sub->want_bps) sv_forward_probe_due(sub, now);
}

size_t sv_forward_build_resend(sv_out *o, uint16_t out_seq, bool probe, uint64_t now,
                               uint8_t *out) {
  sv_track *t = o->src;
  uint16_t seq;
  if (!t || o->layer < 0 || !sv_outmap_unmap(&o->map, out_seq, &seq)) return 0;
  sv_layer *l = &t->layers[o->layer];
  if (!l->rtx) return 0;
  const sv_rtx_slot *slot = &l->rtx[seq & (SV_RTX_SLOTS - 1)];
  sv_rtp_header h;
  if (slot->len == 0 || slot->seq != seq || sv_rtp_parse(slot->data, slot->len, &h) != 0) return 0;
  if (!o->rtx_pt) {
    if (probe) return 0;
    return sv_forward_build(o, slot->data, slot->len, &h, o->codec.pt, now, out);
  }
  sv_part *sub = o->sub;
  size_t n = sv_rtp_copy_out(out, slot->data, slot->len, &h, sub->twcc_id, sub->twcc_seq, &out_seq);
  sv_rtp_header oh;
  sv_vp8_desc vp8;
  if (sv_rtp_parse(out, n, &oh) != 0) return 0;
  /* The payload starts after the OSN; its VP8 IDs are the subscriber's. */
  if (o->codec.codec == SV_CODEC_VP8 &&
      sv_vp8_desc_parse(out + oh.header_len + 2, oh.payload_len - 2, &vp8) == 0) {
    uint16_t s, picid;
    uint32_t ts;
    uint8_t tl0;
    sv_outmap m = o->map; /* a copy: a resend must not move "newest" */
    sv_outmap_apply(&m, h.seq, h.ts, &vp8, &s, &ts, &picid, &tl0, now);
    sv_vp8_desc_write(out + oh.header_len + 2, &vp8, picid, tl0);
  }
  sv_rtp_rewrite(out, o->rtx_pt, o->rtx_seq++, h.ts + o->map.ts_delta, o->rtx_ssrc);
  if (sub->twcc_id) sub->twcc_seq++;
  return n;
}

/* Sends the layer's packet out_seq (o's numbering) again to o; returns the
 * bytes sent, 0 when it cannot. */
static size_t resend(sv_out *o, uint16_t out_seq, bool probe, uint64_t now) {
  sv_part *sub = o->sub;
  uint8_t *out = sub->room->env->scratch_out;
  uint16_t twcc_seq = sub->twcc_seq;
  size_t n = sv_forward_build_resend(o, out_seq, probe, now, out);
  if (n == 0 || send_stamped(sub, out, n, twcc_seq, probe, now) != 0) return 0;
  return n;
}

/* Padding-only RTX packets (no OSN, RFC 4588 section 4 allows them; a
 * receiver counts them for its feedback and drops them), for probing when
 * there is nothing recent to resend. Returns the bytes sent. */
static size_t send_padding(sv_out *o, size_t bytes, uint64_t now) {
  enum { PAD = 255 }; /* the most one padding count byte can say */
  sv_part *sub = o->sub;
  uint8_t in[12 + PAD];
  size_t sent = 0;
  memset(in, 0, sizeof in);
  in[0] = 0x80 | 0x20; /* V=2, P */
  in[sizeof in - 1] = PAD;
  sv_rtp_header h = {.header_len = 12, .payload_len = 0};
  while (sent < bytes) {
    uint8_t *out = sub->room->env->scratch_out;
    uint16_t twcc_seq = sub->twcc_seq;
    size_t n = sv_rtp_copy_out(out, in, sizeof in, &h, sub->twcc_id, twcc_seq, NULL);
    sv_rtp_rewrite(out, o->rtx_pt, o->rtx_seq++, o->map.last_ts, o->rtx_ssrc);
    if (sub->twcc_id) sub->twcc_seq++;
    if (send_stamped(sub, out, n, twcc_seq, true, now) != 0) break;
    sent += n;
  }
  return sent;
}

size_t sv_forward_probe(sv_out *o, size_t bytes, uint64_t now) {
  if (!o->rtx_pt) return 0;
  /* Padding that is useful first: the newest packets of the layer o
   * receives, again (a receiver drops the duplicates after counting them);
   * then plain padding. */
  size_t sent = 0;
  for (uint16_t i = 0; i < 32 && sent < bytes && o->layer >= 0; i++) {
    size_t n = resend(o, (uint16_t)(o->map.last_seq - i), true, now);
    if (n == 0) break;
    sent += n;
  }
  if (sent < bytes) sent += send_padding(o, bytes - sent, now);
  return sent;
}

void sv_forward_probe_due(sv_part *sub, uint64_t now) {
  size_t pad = sv_bwe_padding_due(sub->bwe, sub->want_bps, now);
  for (size_t i = 0; i < sub->n_outs && pad > 0; i++) {
    sv_out *o = &sub->outs[i];
    if (!o->src || o->kind != SV_KIND_VIDEO || !o->rtx_pt) continue;
    size_t sent = sv_forward_probe(o, pad, now);
    SV_STAT_ADD(sub->room->env->stats, padding_bytes, sent);
    pad = sent >= pad ? 0 : pad - sent;
  }
}

/* The Opus packet a RED packet protects: its header and primary block
 * alone, into pkt[SV_RTP_MTU] with *h describing it. False for malformed
 * RED (counted, and dropped by the caller). */
static bool red_to_opus(sv_stats_block *st, const uint8_t *buf, const sv_rtp_header *red,
                        uint8_t opus_pt, uint8_t *pkt, size_t *len, sv_rtp_header *h) {
  uint8_t pt;
  size_t off, n;
  if (sv_red_primary(buf + red->header_len, red->payload_len, &pt, &off, &n) != 0) {
    SV_STAT_ADD(st, dropped_malformed, 1);
    return false;
  }
  memcpy(pkt, buf, red->header_len);
  pkt[0] &= (uint8_t)~0x20; /* the padding stays behind */
  pkt[1] = (uint8_t)((pkt[1] & 0x80) | (opus_pt & 0x7f));
  memcpy(pkt + red->header_len, buf + red->header_len + off, n);
  *len = red->header_len + n;
  return sv_rtp_parse(pkt, *len, h) == 0;
}

/* A RED packet for a subscriber that did not take RED: its primary block
 * alone, as the Opus packet it protects (what was redundant is lost to this
 * subscriber, which could not have used it). */
static void send_red_stripped(sv_out *o, const uint8_t *buf, const sv_rtp_header *h, uint64_t now) {
  uint8_t pkt[SV_RTP_MTU];
  size_t n;
  sv_rtp_header sh;
  sv_stats_block *st = o->sub->room->env->stats;
  if (!red_to_opus(st, buf, h, o->codec.pt, pkt, &n, &sh)) return;
  send_to(o, pkt, n, &sh, o->codec.pt, now);
  SV_STAT_ADD(st, red_stripped, 1);
}

/* Whether o forwards a packet of layer k of its track; moves o to its
 * target layer at a keyframe of it. */
static bool out_takes(sv_out *o, sv_track *t, int k, const uint8_t *buf, const sv_rtp_header *h,
                      bool keyframe, uint64_t now) {
  if (o->kind == SV_KIND_AUDIO) {
    if (!o->map.started) sv_outmap_switch(&o->map, h->seq, h->ts, NULL, 48000, now, o->ssrc);
    return true;
  }
  if (o->sub->audio_only || o->target < 0) return false;
  if (o->layer == k) return true;
  /* A single stream needs no keyframe to start: the browser asks for one. */
  bool start = o->target == k && (keyframe || (t->n_layers == 1 && !o->map.started));
  if (!start) return false;
  sv_vp8_desc vp8, *d = NULL;
  if (o->codec.codec == SV_CODEC_VP8 &&
      sv_vp8_desc_parse(buf + h->header_len, h->payload_len, &vp8) == 0)
    d = &vp8;
  if (o->layer >= 0) SV_STAT_ADD(o->sub->room->env->stats, layer_switches, 1);
  sv_outmap_switch(&o->map, h->seq, h->ts, d, 90000, now, o->ssrc);
  o->layer = k;
  return true;
}

/* Hands a packet to the recording tap; RED as the Opus it protects, which
 * is what the recorder depayloads. */
static void tap_push(sv_part *p, const sv_track *t, const uint8_t *buf, size_t len,
                     const sv_rtp_header *h, uint64_t now) {
  static const uint8_t tap_codec[] = {
      [SV_CODEC_OPUS] = SV_TAP_OPUS, [SV_CODEC_VP8] = SV_TAP_VP8, [SV_CODEC_H264] = SV_TAP_H264};
  uint8_t c = (size_t)t->codec.codec < sizeof tap_codec ? tap_codec[t->codec.codec] : 0;
  if (!c) return;
  if (t->red_pt && h->pt == t->red_pt) {
    uint8_t pkt[SV_RTP_MTU];
    size_t n;
    sv_rtp_header oh;
    if (red_to_opus(p->room->env->stats, buf, h, t->codec.pt, pkt, &n, &oh))
      sv_tap_push(p->tap, (sv_tap_codec)c, t->codec.pt, pkt, n, now);
    return;
  }
  sv_tap_push(p->tap, (sv_tap_codec)c, h->pt, buf, len, now);
}

/* Asks the publisher for what layer l is missing, when it is due. */
static void nack_publisher(sv_track *t, sv_layer *l, uint64_t now) {
  sv_part *owner = t->owner;
  if (l->nack.n == 0 || !(t->codec.fb & SV_FB_NACK) || !owner->pub ||
      sv_peer_state(owner->pub) != SV_PC_STATE_CONNECTED)
    return;
  uint16_t seqs[32];
  size_t n = sv_nackgen_due(&l->nack, now, 0, seqs, SV_ARRAY_LEN(seqs));
  if (n == 0) return;
  uint8_t pkt[256 + SV_SRTP_TRAILER];
  int len = sv_rtcp_build_nack(pkt, 256, owner->rtcp_ssrc, l->ssrc, seqs, n);
  if (len > 0 && sv_peer_send_rtcp(owner->pub, pkt, (size_t)len) == 0)
    SV_STAT_ADD(owner->room->env->stats, nack_sent, 1);
}

/* One media packet of layer l of track t, from the publisher or rebuilt
 * from its retransmission, to everyone who receives that layer. */
static void forward_media(sv_part *p, sv_track *t, sv_layer *l, uint8_t *buf, size_t len,
                          const sv_rtp_header *hp, uint64_t now) {
  sv_stats_block *st = p->room->env->stats;
  sv_rtp_header h = *hp;
  int k = (int)(l - t->layers);
  sv_rtp_stats_update(&l->stats, h.seq, h.ts, len, now);
  l->rate_bytes += len;
  /* A recording takes one stream: the top layer (kept on while tapped). */
  if (p->tap && k == (int)t->n_layers - 1) tap_push(p, t, buf, len, &h, now);
  bool keyframe = false;
  if (l->rtx) {
    sv_rtx_slot *slot = &l->rtx[h.seq & (SV_RTX_SLOTS - 1)];
    slot->seq = h.seq;
    slot->len = (uint16_t)len;
    memcpy(slot->data, buf, len);
    keyframe = sv_rtp_is_keyframe(t->codec.codec, buf + h.header_len, h.payload_len);
    sv_nackgen_packet(&l->nack, h.seq, now);
    nack_publisher(t, l, now);
  }
  if (t->level_ext) {
    const uint8_t *level;
    if (sv_rtp_ext_get(buf, &h, t->level_ext, &level) >= 1) sv_speech_packet(&p->speech, *level);
  }
  bool red = t->red_pt && h.pt == t->red_pt;
  for (size_t i = 0; i < t->n_outs; i++) {
    sv_out *o = t->outs[i];
    if (!out_ready(o) || !out_takes(o, t, k, buf, &h, keyframe, now)) continue;
    if (!red) {
      send_to(o, buf, len, &h, o->codec.pt, now);
    } else if (o->red_pt && !o->sub->strip_red) {
      send_to(o, buf, len, &h, o->red_pt, now);
      SV_STAT_ADD(st, red_forwarded, 1);
    } else {
      send_red_stripped(o, buf, &h, now);
    }
  }
}

/* A retransmission from the publisher: the original packet is rebuilt
 * (RFC 4588: its sequence number from the OSN, the media SSRC and payload
 * type) and forwarded only when it fills a gap the relay asked about, so
 * the publisher's own probing with RTX costs subscribers nothing. */
static void forward_rtx(sv_part *p, sv_track *t, sv_layer *l, const uint8_t *buf,
                        const sv_rtp_header *h, uint64_t now) {
  if (h->payload_len < 2 || !l->ssrc) return; /* padding, or a layer not seen yet */
  uint16_t osn = sv_rd16(buf + h->header_len);
  if (!sv_nackgen_packet(&l->nack, osn, now)) return;
  uint8_t pkt[SV_RTP_MTU];
  size_t n = h->header_len + h->payload_len - 2;
  memcpy(pkt, buf, h->header_len);
  pkt[0] &= (uint8_t)~0x20;
  memcpy(pkt + h->header_len, buf + h->header_len + 2, h->payload_len - 2);
  sv_rtp_rewrite(pkt, t->codec.pt, osn, h->ts, l->ssrc);
  sv_rtp_header oh;
  if (sv_rtp_parse(pkt, n, &oh) != 0) return;
  SV_STAT_ADD(p->room->env->stats, rtx_received, 1);
  forward_media(p, t, l, pkt, n, &oh, now);
}

void sv_forward_rtp(sv_part *p, uint8_t *buf, size_t len) {
  sv_stats_block *st = p->room->env->stats;
  sv_rtp_header h;
  if (len > SV_RTP_MTU || sv_rtp_parse(buf, len, &h) != 0) {
    SV_STAT_ADD(st, dropped_malformed, 1);
    return;
  }
  sv_track *t = NULL;
  sv_layer *l = layer_by_ssrc(p, buf, &h, &t);
  if (!l && (l = layer_by_rtx(p, buf, &h, &t))) {
    forward_rtx(p, t, l, buf, &h, sv_now_us());
    return;
  }
  /* Unknown SSRC, or a payload type we did not negotiate. */
  if (!l || (h.pt != t->codec.pt && (!t->red_pt || h.pt != t->red_pt))) {
    SV_STAT_ADD(st, dropped_unknown, 1);
    return;
  }
  forward_media(p, t, l, buf, len, &h, sv_now_us());
}

static void send_pli(sv_track *t, sv_layer *l, uint64_t now) {
  sv_part *owner = t->owner;
  if (!owner->pub || sv_peer_state(owner->pub) != SV_PC_STATE_CONNECTED || l->ssrc == 0) {
    l->pli_pending = true; /* ask again once the publisher is up */
    return;
  }
  uint8_t pkt[64 + SV_SRTP_TRAILER];
  int n = sv_rtcp_build_pli(pkt, 64, owner->rtcp_ssrc, l->ssrc);
  if (n > 0 && sv_peer_send_rtcp(owner->pub, pkt, (size_t)n) == 0) {
    SV_STAT_ADD(owner->room->env->stats, pli_sent, 1);
    l->last_pli_us = now;
    l->pli_pending = false;
  }
}

void sv_forward_request_keyframe(sv_track *t, int layer) {
  if (!t->active || t->kind != SV_KIND_VIDEO) return;
  uint64_t now = sv_now_us();
  for (size_t k = 0; k < t->n_layers; k++) {
    if (layer >= 0 && (size_t)layer != k) continue;
    sv_layer *l = &t->layers[k];
    if (now - l->last_pli_us >= SV_PLI_GAP_US)
      send_pli(t, l, now);
    else
      l->pli_pending = true;
  }
}

void sv_forward_out_keyframe(sv_out *o) {
  if (!o->src || o->kind != SV_KIND_VIDEO) return;
  int k = o->target >= 0 ? o->target : o->layer;
  if (k >= 0) sv_forward_request_keyframe(o->src, k);
}

void sv_forward_rtcp_from_publisher(sv_part *p, uint8_t *buf, size_t len) {
  sv_rtcp_iter it;
  sv_rtcp_item item;
  sv_rtcp_iter_init(&it, buf, len);
  while (sv_rtcp_next(&it, &item) == 1) {
    if (item.type != SV_RTCP_SR)
      continue; /* SDES, BYE and the publisher's own feedback need no action */
    sv_track *t = NULL;
    sv_layer *l = NULL;
    for (size_t i = 0; i < SV_MAX_TRACKS && !l; i++) {
      sv_track *c = &p->tracks[i];
      for (size_t k = 0; c->active && k < c->n_layers && !l; k++)
        if (c->layers[k].ssrc == item.sender_ssrc) t = c, l = &c->layers[k];
    }
    if (!l) continue;
    int k = (int)(l - t->layers);
    l->sr_ntp = item.ntp;
    l->sr_rtp = item.rtp_ts;
    l->sr_arrival_us = sv_now_us();
    for (size_t i = 0; i < t->n_outs; i++) {
      sv_out *o = t->outs[i];
      /* Only the layer a subscriber receives maps onto its timestamps. */
      if (!out_ready(o) || o->layer != k || !o->map.started) continue;
      uint8_t pkt[64 + SV_SRTP_TRAILER];
      int n = sv_rtcp_build_sr(pkt, 64, o->ssrc, item.ntp, item.rtp_ts + o->map.ts_delta,
                               o->packets, o->octets);
      if (n > 0 && sv_peer_send_rtcp(o->sub->sub, pkt, (size_t)n) == 0) {
        o->sr_lsr = (uint32_t)(item.ntp >> 16);
        o->sr_sent_us = l->sr_arrival_us;
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
  uint64_t now;
  uint32_t asked, count;
} nack_ctx;

static void on_nack(void *user, uint16_t seq_out) {
  nack_ctx *c = user;
  c->asked++;
  if (resend(c->out, seq_out, false, c->now) > 0) c->count++;
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
      if (o && sv_pli_guard_absorb(&o->pli_guard, sv_now_us()))
        SV_STAT_ADD(st, pli_absorbed, 1); /* retransmissions are repairing it */
      else if (o)
        sv_forward_out_keyframe(o);
    } else if (item.type == SV_RTCP_PSFB && item.fmt == 4) { /* FIR */
      size_t n = sv_rtcp_fir_count(&item);
      for (size_t k = 0; k < n; k++) {
        sv_out *o = out_by_ssrc(p, sv_rtcp_fir_ssrc(&item, k));
        if (o) sv_forward_out_keyframe(o);
      }
    } else if (item.type == SV_RTCP_RTPFB && item.fmt == 1) { /* generic NACK */
      sv_out *o = out_by_ssrc(p, item.media_ssrc);
      if (!o || !out_ready(o)) continue;
      nack_ctx c = {o, sv_now_us(), 0, 0};
      SV_STAT_ADD(st, nack_received, 1);
      sv_rtcp_nack_foreach(&item, on_nack, &c);
      sv_pli_guard_nack(&o->pli_guard, c.asked > 0 && c.count == c.asked, c.now);
      SV_STAT_ADD(st, retransmitted, c.count);
    } else if (item.type == SV_RTCP_RTPFB && item.fmt == 15 && p->bwe) { /* transport-cc */
      sv_bwe_on_feedback(p->bwe, item.data, item.len, sv_now_us());
    }
  }
}

static void report_to_publisher(sv_part *p, uint64_t now) {
  if (!p->pub || sv_peer_state(p->pub) != SV_PC_STATE_CONNECTED) return;
  enum { MAX_STREAMS = SV_MAX_TRACKS * SV_MAX_LAYERS };
  sv_rtcp_report_block blocks[MAX_STREAMS];
  uint32_t video[MAX_STREAMS];
  uint64_t remb = 0;
  size_t nb = 0, nv = 0;
  for (size_t i = 0; i < SV_MAX_TRACKS; i++) {
    sv_track *t = &p->tracks[i];
    if (!t->active) continue;
    for (size_t k = 0; k < t->n_layers; k++) {
      sv_layer *l = &t->layers[k];
      if (l->ssrc == 0 || !l->stats.started) continue;
      sv_rtcp_report_block *b = &blocks[nb++];
      sv_rtp_stats_report(&l->stats, l->ssrc, b);
      if (b->cumulative_lost > l->lost_counted) {
        SV_STAT_ADD(p->room->env->stats, packets_lost, b->cumulative_lost - l->lost_counted);
        l->lost_counted = b->cumulative_lost;
      }
      if (l->sr_arrival_us) {
        b->lsr = (uint32_t)(l->sr_ntp >> 16);
        b->dlsr = (uint32_t)((now - l->sr_arrival_us) * 65536 / 1000000);
      }
      if (t->kind == SV_KIND_VIDEO) video[nv++] = l->ssrc;
    }
    if (t->kind == SV_KIND_VIDEO) remb += sv_adapt_remb_bps(t, p->room->config->max_video_kbps);
  }
  if (nb == 0) return;
  uint8_t pkt[1024 + SV_SRTP_TRAILER];
  int n = sv_rtcp_build_rr(pkt, 1024, p->rtcp_ssrc, blocks, nb);
  if (n <= 0) return;
  size_t len = (size_t)n;
  if (nv > 0) {
    int m = sv_rtcp_build_remb(pkt + len, 1024 - len, p->rtcp_ssrc, remb, video, nv);
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
      for (size_t j = 0; t->active && j < t->n_layers; j++) {
        sv_layer *l = &t->layers[j];
        if (l->pli_pending && now - l->last_pli_us >= SV_PLI_GAP_US) send_pli(t, l, now);
        nack_publisher(t, l, now); /* retries while no packet comes */
        sv_adapt_layer_rate(l, now);
      }
    }
  }
  sv_adapt_tick(r, now);
  for (guint i = 0; report && i < r->parts->len; i++)
    report_to_publisher(g_ptr_array_index(r->parts, i), now);
}

void sv_forward_part_free(sv_part *p) {
  sv_speaker_forget(&p->room->speaker, &p->speech);
  sv_bwe_free(p->bwe);
  p->bwe = NULL;
  /* The gauge counts subscribers here now. */
  if (p->video_paused) SV_STAT_SUB(p->room->env->stats, video_paused, 1);
  p->video_paused = false;
}
