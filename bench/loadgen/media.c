/*
 * media.c — what publishers send and what subscribers count.
 *
 * Payloads are made once at start: random bytes behind a VP8 payload
 * descriptor (a keyframe's first packet carries the VP8 keyframe header, so
 * both servers recognise it) and random Opus-sized payloads. Every packet's
 * last 16 bytes are a stamp: magic, a keyframe flag and the send time. A
 * subscriber reads sequence numbers from the clear RTP header of every
 * packet and decrypts only one packet in lg.samples_every to read the stamp,
 * so the generator costs far less per packet than the server under test.
 */
#include <string.h>
#include <time.h>

#include "bench/loadgen/lg.h"
#include "relay/rtcp.h"
#include "relay/srtp.h"

#define VIDEO_KBPS      1500
#define FPS             30
#define KEY_INTERVAL    (3 * FPS) /* a keyframe every ~3 s */
#define KEY_FRAME_BYTES 30000
#define MAX_PAYLOAD     1100
#define OPUS_BYTES      80 /* 32 kbit/s at 20 ms */
#define STAMP_LEN       16
#define STAMP_MAGIC     0x4c475453u /* "LGTS" */

static uint8_t noise[KEY_FRAME_BYTES + 2048];
static size_t delta_frame_bytes;

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
  /* Bytes per second of video, minus one keyframe per interval, spread
   * over the delta frames. */
  size_t per_interval = (size_t)VIDEO_KBPS * 1000 / 8 * KEY_INTERVAL / FPS;
  delta_frame_bytes = (per_interval - KEY_FRAME_BYTES) / (KEY_INTERVAL - 1);
}

void lg_media_setup_publisher(lg_part *p) {
  p->n_out = p->video ? 2 : 1;
  int64_t now = lg_now_us();
  for (int i = 0; i < p->n_out; i++) {
    lg_out_stream *s = &p->out[i];
    memset(s, 0, sizeof *s);
    s->video = i == 1;
    s->pt = s->video ? 96 : 111;
    s->ssrc = g_random_int() | 1;
    s->seq = (uint16_t)g_random_int();
    s->ts = g_random_int();
    s->picture_id = (uint16_t)(g_random_int() & 0x7fff);
    /* Spread publishers over the frame interval, so frames do not all leave
     * in the same tick. */
    s->next_us = now + g_random_int_range(0, s->video ? 1000000 / FPS : 20000);
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

/* Builds, protects and sends one packet; keeps a copy for NACKs. */
static void send_packet(lg_part *p, lg_out_stream *s, const uint8_t *payload, size_t plen,
                        bool marker, bool key) {
  uint8_t buf[SV_RTP_MTU + SV_SRTP_TRAILER];
  buf[0] = 0x80;
  buf[1] = (uint8_t)(s->pt | (marker ? 0x80 : 0));
  buf[2] = s->seq >> 8;
  buf[3] = (uint8_t)s->seq;
  put32(buf + 4, s->ts);
  put32(buf + 8, s->ssrc);
  memcpy(buf + 12, payload, plen);
  uint8_t *stamp = buf + 12 + plen;
  put32(stamp, STAMP_MAGIC);
  stamp[4] = key;
  stamp[5] = stamp[6] = stamp[7] = 0;
  put64(stamp + 8, (uint64_t)lg_now_us());
  size_t len = 12 + plen + STAMP_LEN;
  uint16_t seq = s->seq++;
  if (sv_peer_send_rtp(p->pub, buf, len) != 0) return;
  lg.rtp_sent++;
  if (s->ring) {
    /* sv_peer_send_rtp protected buf in place: the ring keeps the exact
     * packet that went out, ready to be sent again. */
    size_t plen_out = len + 10;
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
  size_t total = key ? KEY_FRAME_BYTES : delta_frame_bytes;
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
        static const uint8_t start[] = {0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01};
        memcpy(pl + n, start, sizeof start);
        n += sizeof start;
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
      /* Never send a backlog in one go after a stall: skip missed frames. */
      if (now - s->next_us > 10 * period) s->next_us = now;
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

bool lg_media_srtp_in(void *user, sv_peer *peer, const uint8_t *buf, size_t len) {
  lg_part *p = user;
  if (peer != p->sub || sv_pkt_classify(buf, len) != SV_PKT_RTP) return false; /* RTCP: decrypt */
  int64_t now = lg_now_us();
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
  lg.rtp_recv++;
  if (!lg.measuring || ++p->sample_ctr % (uint32_t)lg.samples_every != 0) return true;
  uint8_t tmp[SV_PEER_SCRATCH];
  size_t n = len;
  memcpy(tmp, buf, n);
  if (sv_peer_unprotect_rtp(peer, tmp, &n) != 0 || n < 12 + STAMP_LEN) return true;
  const uint8_t *stamp = tmp + n - STAMP_LEN;
  if (get32(stamp) != STAMP_MAGIC) return true;
  uint64_t sent = (uint64_t)get32(stamp + 8) << 32 | get32(stamp + 12);
  uint64_t d = (uint64_t)now > sent ? (uint64_t)now - sent : 0;
  lg.sampled++;
  lg_hist_add(stamp[4] ? &lg.lat_key : &lg.lat, d);
  return true;
}

static void on_nack(void *user, uint16_t seq) {
  lg_part *p = user;
  lg_out_stream *s = &p->out[1];
  int slot = seq % LG_RING;
  if (!s->ring || s->ring_seq[slot] != seq || !s->ring_len[slot]) return;
  if (sv_peer_send_raw(p->pub, s->ring[slot], s->ring_len[slot]) == 0) lg.retrans++;
}

void lg_media_rtcp_in(void *user, sv_peer *peer, uint8_t *buf, size_t len) {
  lg_part *p = user;
  if (peer != p->pub) return;
  sv_rtcp_iter it;
  sv_rtcp_item item;
  sv_rtcp_iter_init(&it, buf, len);
  while (sv_rtcp_next(&it, &item) == 1) {
    if (item.type == SV_RTCP_PSFB && (item.fmt == 1 || item.fmt == 4)) {
      lg.pli_in++;
      for (int k = 0; k < p->n_out; k++)
        if (p->out[k].video) p->out[k].key_wanted = true;
    } else if (item.type == SV_RTCP_RTPFB && item.fmt == 1 && p->n_out == 2) {
      lg.nack_in++;
      sv_rtcp_nack_foreach(&item, on_nack, p);
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
