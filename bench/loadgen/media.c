/*
 * media.c — what publishers send and what subscribers count.
 *
 * Payloads are made once at start: random bytes behind a VP8 payload
 * descriptor (a keyframe's first packet carries the VP8 keyframe header, so
 * both servers recognise it) and random Opus-sized payloads. Every packet's
 * last 16 bytes are a stamp: magic, a keyframe flag, the simulcast layer and
 * the send time. A subscriber reads sequence numbers from the clear RTP
 * header of every packet and decrypts only one packet in lg.samples_every
 * to read the stamp, so the generator costs far less per packet than the
 * server under test.
 *
 * A simulcast publisher sends three layers (lg_layers) as a browser does:
 * each its own SSRC, sequence numbers, timestamps and picture IDs, each
 * packet with the mid and rid header extensions (RFC 8285 one-byte form),
 * keyframes per layer when a PLI/FIR names that layer's SSRC. In the
 * simulcast scenario a subscriber also notes the transport-wide sequence
 * number of each packet for its feedback (feedback.c), and counts RTX (NACK
 * answers and the relay's probe padding) apart from media.
 */
#include <string.h>
#include <time.h>

#include "bench/loadgen/lg.h"
#include "relay/rtcp.h"
#include "relay/simulcast.h"
#include "relay/srtp.h"

#define VIDEO_KBPS      1500
#define FPS             30
#define KEY_INTERVAL    (3 * FPS) /* a keyframe every ~3 s */
#define KEY_FRAME_BYTES 30000
#define MAX_PAYLOAD     1100
#define OPUS_BYTES      80 /* 32 kbit/s at 20 ms */
#define STAMP_LEN       16
#define STAMP_MAGIC     0x4c475453u /* "LGTS" */
#define AUDIO_BPS       45000       /* Opus on the wire (headers, SRTP tag), for layer_for_cap */

/* Quarter, half and full resolution at the rates the web client's
 * encodings ask for; a keyframe is smaller the smaller the picture. */
const lg_layer_spec lg_layers[LG_LAYERS] = {
    {"q", 150, 4000},
    {"h", 500, 10000},
    {"f", 1500, KEY_FRAME_BYTES},
};

static uint8_t noise[KEY_FRAME_BYTES + 2048];

int64_t lg_now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

void lg_media_init(void) {
  GRand *r = g_rand_new_with_seed(42);
  for (size_t i = 0; i < sizeof noise; i++)
    noise[i] = (uint8_t)g_rand_int(r);
  g_rand_free(r);
}

/* Bytes per delta frame for a stream of kbps with a keyframe of key_bytes
 * every KEY_INTERVAL frames: the rest of the interval's bytes, spread. */
static uint32_t delta_bytes(uint32_t kbps, uint32_t key_bytes) {
  size_t per_interval = (size_t)kbps * 1000 / 8 * KEY_INTERVAL / FPS;
  return (uint32_t)((per_interval - key_bytes) / (KEY_INTERVAL - 1));
}

void lg_media_setup_publisher(lg_part *p) {
  bool layers = p->video && lg.simulcast;
  p->n_out = !p->video ? 1 : layers ? 1 + LG_LAYERS : 2;
  int64_t now = lg_now_us();
  int64_t frame_at = now + g_random_int_range(0, 1000000 / FPS);
  for (int i = 0; i < p->n_out; i++) {
    lg_out_stream *s = &p->out[i];
    memset(s, 0, sizeof *s);
    s->video = i >= 1;
    s->layer = layers ? i - 1 : -1;
    s->key_bytes = s->layer >= 0 ? lg_layers[s->layer].key_bytes : KEY_FRAME_BYTES;
    s->delta_bytes =
        delta_bytes(s->layer >= 0 ? lg_layers[s->layer].kbps : VIDEO_KBPS, s->key_bytes);
    s->pt = s->video ? 96 : 111;
    s->ssrc = g_random_int() | 1;
    s->seq = (uint16_t)g_random_int();
    s->ts = g_random_int();
    s->picture_id = (uint16_t)(g_random_int() & 0x7fff);
    /* Spread publishers over the frame interval, so frames do not all leave
     * in the same tick. */
    s->next_us = now + g_random_int_range(0, s->video ? 1000000 / FPS : 20000);
    /* The layers of one camera are encoded from the same frame, together. */
    if (s->layer >= 0) s->next_us = frame_at;
    s->key_wanted = true;
    if (s->video) {
      s->ring = g_malloc0(sizeof *s->ring * LG_RING);
      s->ring_len = g_malloc0(sizeof *s->ring_len * LG_RING);
      s->ring_seq = g_malloc0(sizeof *s->ring_seq * LG_RING);
    }
  }
}

void lg_media_free(lg_part *p) {
  for (int i = 0; i < p->n_out; i++) {
    g_free(p->out[i].ring);
    g_free(p->out[i].ring_len);
    g_free(p->out[i].ring_seq);
    p->out[i].ring = NULL;
  }
  p->n_out = 0;
}

static void put32(uint8_t *b, uint32_t v) {
  b[0] = v >> 24;
  b[1] = v >> 16;
  b[2] = v >> 8;
  b[3] = v;
}

static void put64(uint8_t *b, uint64_t v) {
  put32(b, (uint32_t)(v >> 32));
  put32(b + 4, (uint32_t)v);
}

static uint32_t get32(const uint8_t *b) {
  return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Builds, protects and sends one packet; keeps a copy for NACKs. A
 * simulcast layer's packets carry the mid and rid extensions. */
static void send_packet(lg_part *p, lg_out_stream *s, const uint8_t *payload, size_t plen,
                        bool marker, bool key) {
  uint8_t buf[SV_RTP_MTU + SV_SRTP_TRAILER];
  size_t hl = 12;
  buf[0] = 0x80;
  buf[1] = (uint8_t)(s->pt | (marker ? 0x80 : 0));
  buf[2] = s->seq >> 8;
  buf[3] = (uint8_t)s->seq;
  put32(buf + 4, s->ts);
  put32(buf + 8, s->ssrc);
  if (s->layer >= 0 && p->ext_mid && p->ext_rid) {
    /* 0xBEDE, one word: mid "1" (the video m-line) and the one-letter rid. */
    buf[0] |= 0x10;
    buf[12] = 0xbe;
    buf[13] = 0xde;
    buf[14] = 0;
    buf[15] = 1;
    buf[16] = (uint8_t)(p->ext_mid << 4);
    buf[17] = '1';
    buf[18] = (uint8_t)(p->ext_rid << 4);
    buf[19] = (uint8_t)lg_layers[s->layer].rid[0];
    hl = 20;
  }
  memcpy(buf + hl, payload, plen);
  uint8_t *stamp = buf + hl + plen;
  put32(stamp, STAMP_MAGIC);
  stamp[4] = key;
  stamp[5] = (uint8_t)(s->layer + 1);
  stamp[6] = stamp[7] = 0;
  put64(stamp + 8, (uint64_t)lg_now_us());
  size_t len = hl + plen + STAMP_LEN;
  uint16_t seq = s->seq++;
  /* sv_peer_send_rtp does not say how long the protected packet is: the
   * peer's byte counter does. */
  uint64_t out0 = SV_STAT_GET(lg.env.stats, bytes_out);
  if (sv_peer_send_rtp(p->pub, buf, len) != 0) return;
  size_t plen_out = (size_t)(SV_STAT_GET(lg.env.stats, bytes_out) - out0);
  lg.rtp_sent++;
  if (s->ring) {
    /* sv_peer_send_rtp protected buf in place: the ring keeps the exact
     * packet that went out, ready to be sent again. */
    int slot = seq % LG_RING;
    if (plen_out <= sizeof s->ring[0]) {
      memcpy(s->ring[slot], buf, plen_out);
      s->ring_len[slot] = (uint16_t)plen_out;
      s->ring_seq[slot] = seq;
    }
  }
}

static void send_video_frame(lg_part *p, lg_out_stream *s) {
  bool key = s->key_wanted || s->frame % KEY_INTERVAL == 0;
  s->key_wanted = false;
  size_t total = key ? s->key_bytes : s->delta_bytes;
  size_t off = 0;
  uint8_t pl[MAX_PAYLOAD + 32];
  while (off < total) {
    size_t chunk = total - off > MAX_PAYLOAD ? MAX_PAYLOAD : total - off;
    size_t n = 0;
    /* VP8 payload descriptor (RFC 7741): X, S on the first packet, 15-bit
     * picture id. */
    pl[n++] = (uint8_t)(0x80 | (off == 0 ? 0x10 : 0));
    pl[n++] = 0x80;
    pl[n++] = (uint8_t)(0x80 | (s->picture_id >> 8));
    pl[n++] = (uint8_t)s->picture_id;
    if (off == 0) {
      /* VP8 frame header: P bit 0 for a keyframe, show_frame 1. */
      pl[n++] = key ? 0x10 : 0x11;
      pl[n++] = 0x00;
      pl[n++] = 0x00;
      if (key) {
        /* Start code and size (14-bit little-endian width and height):
         * 640x480 for a single stream, 320x180 / 640x360 / 1280x720 for
         * the layers. */
        static const uint8_t start[LG_LAYERS + 1][7] = {{0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01},
                                                        {0x9d, 0x01, 0x2a, 0x40, 0x01, 0xb4, 0x00},
                                                        {0x9d, 0x01, 0x2a, 0x80, 0x02, 0x68, 0x01},
                                                        {0x9d, 0x01, 0x2a, 0x00, 0x05, 0xd0, 0x02}};
        memcpy(pl + n, start[s->layer + 1], sizeof start[0]);
        n += sizeof start[0];
      }
    }
    memcpy(pl + n, noise + off, chunk);
    n += chunk;
    off += chunk;
    send_packet(p, s, pl, n, off >= total, key);
  }
  s->picture_id = (s->picture_id + 1) & 0x7fff;
  s->ts += 90000 / FPS;
  s->frame++;
}

static void send_audio_frame(lg_part *p, lg_out_stream *s) {
  send_packet(p, s, noise + (s->seq % 1024), OPUS_BYTES - STAMP_LEN, false, false);
  s->ts += 960;
}

void lg_media_tick(void) {
  int64_t now = lg_now_us();
  for (guint i = 0; i < lg.parts->len; i++) {
    lg_part *p = g_ptr_array_index(lg.parts, i);
    if (!p || p->gone || !p->pub_up) continue;
    for (int k = 0; k < p->n_out; k++) {
      lg_out_stream *s = &p->out[k];
      int64_t period = s->video ? 1000000 / FPS : 20000;
      /* Never send a backlog in one go after a stall: skip missed frames,
       * and count them (a busy machine shows up here first). */
      if (now - s->next_us > 10 * period) {
        lg.frames_skipped += (uint64_t)((now - s->next_us) / period);
        s->next_us = now;
      }
      while (s->next_us <= now) {
        if (s->video)
          send_video_frame(p, s);
        else
          send_audio_frame(p, s);
        s->next_us += period;
      }
    }
  }
}

static lg_in_stream *in_stream(lg_part *p, uint32_t ssrc) {
  for (int i = 0; i < p->n_in; i++)
    if (p->in[i].ssrc == ssrc) return &p->in[i];
  if (p->n_in == LG_MAX_STREAMS) return NULL;
  lg_in_stream *s = &p->in[p->n_in++];
  memset(s, 0, sizeof *s);
  s->ssrc = ssrc;
  return s;
}

/* The 16-bit value of one-byte header extension element id (RFC 8285) in
 * the clear header of an SRTP packet: true and *val set when present. The
 * relay and Janus both use the one-byte form. Bounded by len throughout. */
static bool ext_u16(const uint8_t *buf, size_t len, uint8_t id, uint16_t *val) {
  if (!id || len < 12 || !(buf[0] & 0x10)) return false;
  size_t off = 12 + 4 * (size_t)(buf[0] & 0x0f);
  if (len < off + 4 || buf[off] != 0xbe || buf[off + 1] != 0xde) return false;
  size_t end = off + 4 + 4 * (size_t)(buf[off + 2] << 8 | buf[off + 3]);
  if (end > len) return false;
  for (size_t i = off + 4; i < end;) {
    uint8_t b = buf[i];
    if (b == 0) { /* padding */
      i++;
      continue;
    }
    uint8_t eid = b >> 4;
    size_t elen = (size_t)(b & 0x0f) + 1;
    if (eid == 15 || i + 1 + elen > end) return false;
    if (eid == id) {
      if (elen != 2) return false;
      *val = (uint16_t)(buf[i + 1] << 8 | buf[i + 2]);
      return true;
    }
    i += 1 + elen;
  }
  return false;
}

bool lg_media_srtp_in(void *user, sv_peer *peer, const uint8_t *buf, size_t len) {
  lg_part *p = user;
  if (peer != p->sub || sv_pkt_classify(buf, len) != SV_PKT_RTP) return false; /* RTCP: decrypt */
  if (len < 12) return true;
  int64_t now = lg_now_us();
  uint16_t tseq;
  if (p->fb && ext_u16(buf, len, p->sub_twcc_id, &tseq))
    lg_fb_packet(p->fb, tseq, get32(buf + 8), len, now);
  /* RTX (NACK answers, probe padding) is counted apart: it is not a
   * forwarded media packet. */
  uint8_t pt = buf[1] & 0x7f;
  if (p->rtx_pt_mask[pt >> 5] & (1u << (pt & 31))) {
    lg.rtx_recv++;
    return true;
  }
  uint16_t seq = (uint16_t)(buf[2] << 8 | buf[3]);
  lg_in_stream *s = in_stream(p, get32(buf + 8));
  if (!s) return true;
  if (!s->started) {
    s->started = true;
    s->max_seq = seq;
    s->base = seq;
  } else if (sv_seq_newer(seq, s->max_seq)) {
    if (seq < s->max_seq) s->cycles += 65536;
    s->max_seq = seq;
  }
  s->received++;
  s->bytes += len;
  lg.rtp_recv++;
  if (!lg.measuring || ++p->sample_ctr % (uint32_t)lg.samples_every != 0) return true;
  uint8_t tmp[SV_PEER_SCRATCH];
  size_t n = len;
  if (n > sizeof tmp) return true;
  memcpy(tmp, buf, n);
  if (sv_peer_unprotect_rtp(peer, tmp, &n) != 0 || n < 12 + STAMP_LEN) return true;
  const uint8_t *stamp = tmp + n - STAMP_LEN;
  if (get32(stamp) != STAMP_MAGIC) return true;
  uint64_t sent = (uint64_t)get32(stamp + 8) << 32 | get32(stamp + 12);
  uint64_t d = (uint64_t)now > sent ? (uint64_t)now - sent : 0;
  lg.sampled++;
  lg_hist_add(stamp[4] ? &lg.lat_key : &lg.lat, d);
  s->layer_hits[stamp[5] <= LG_LAYERS ? stamp[5] : 0]++;
  return true;
}

int lg_media_in_layer(const lg_in_stream *s) {
  int best = -1;
  uint32_t hits = 0;
  for (int k = 0; k < LG_LAYERS; k++) {
    if (s->layer_hits[k + 1] > hits) {
      hits = s->layer_hits[k + 1];
      best = k;
    }
  }
  return best;
}

int lg_media_layer_for_cap(uint32_t cap_kbps) {
  if (cap_kbps == 0) return LG_LAYERS - 1;
  uint32_t bps[LG_LAYERS];
  for (int k = 0; k < LG_LAYERS; k++)
    bps[k] = lg_layers[k].kbps * 1000;
  uint32_t cap = cap_kbps * 1000;
  int k = sv_layer_choose(bps, LG_LAYERS, -1, LG_LAYERS - 1, cap > AUDIO_BPS ? cap - AUDIO_BPS : 0);
  return k < 0 ? 0 : k;
}

static lg_out_stream *out_by_ssrc(lg_part *p, uint32_t ssrc) {
  for (int k = 0; k < p->n_out; k++)
    if (p->out[k].ssrc == ssrc) return &p->out[k];
  return NULL;
}

/* A keyframe of the stream with ssrc, or of every video stream when the
 * request names none of ours. */
static void want_key(lg_part *p, uint32_t ssrc) {
  lg_out_stream *s = out_by_ssrc(p, ssrc);
  if (s && s->video) {
    s->key_wanted = true;
    return;
  }
  for (int k = 0; k < p->n_out; k++)
    if (p->out[k].video) p->out[k].key_wanted = true;
}

typedef struct nack_ctx {
  lg_part *p;
  lg_out_stream *s;
} nack_ctx;

static void on_nack(void *user, uint16_t seq) {
  nack_ctx *c = user;
  lg_out_stream *s = c->s;
  int slot = seq % LG_RING;
  if (!s->ring || s->ring_seq[slot] != seq || !s->ring_len[slot]) return;
  if (sv_peer_send_raw(c->p->pub, s->ring[slot], s->ring_len[slot]) == 0) lg.retrans++;
}

void lg_media_rtcp_in(void *user, sv_peer *peer, uint8_t *buf, size_t len) {
  lg_part *p = user;
  if (peer != p->pub) return;
  sv_rtcp_iter it;
  sv_rtcp_item item;
  sv_rtcp_iter_init(&it, buf, len);
  while (sv_rtcp_next(&it, &item) == 1) {
    if (item.type == SV_RTCP_PSFB && item.fmt == 1) {
      lg.pli_in++;
      want_key(p, item.media_ssrc);
    } else if (item.type == SV_RTCP_PSFB && item.fmt == 4) {
      lg.pli_in++;
      size_t n = sv_rtcp_fir_count(&item);
      for (size_t k = 0; k < n; k++)
        want_key(p, sv_rtcp_fir_ssrc(&item, k));
      if (n == 0) want_key(p, 0);
    } else if (item.type == SV_RTCP_RTPFB && item.fmt == 1) {
      nack_ctx c = {p, out_by_ssrc(p, item.media_ssrc)};
      if (!c.s || !c.s->video) continue;
      lg.nack_in++;
      sv_rtcp_nack_foreach(&item, on_nack, &c);
    }
  }
}

void lg_media_loss_totals(uint64_t *received, uint64_t *expected) {
  uint64_t r = 0, e = 0;
  for (guint i = 0; i < lg.parts->len; i++) {
    lg_part *p = g_ptr_array_index(lg.parts, i);
    if (!p) continue;
    for (int k = 0; k < p->n_in; k++) {
      lg_in_stream *s = &p->in[k];
      if (!s->started) continue;
      r += s->received;
      e += (uint64_t)s->cycles + s->max_seq - s->base + 1;
    }
  }
  *received = r;
  *expected = e;
}
