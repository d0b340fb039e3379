/*
 * feedback.c — a subscriber's transport-cc receive side, as a browser runs
 * it: the arrival time of every packet that carries the transport-wide
 * sequence number, reported back every LG_FB_INTERVAL_MS in RTCP transport-cc
 * feedback (built with the relay's own sv_twcc_build). With feedback the
 * relay's bandwidth estimator and layer choice run for real; without it the
 * relay keeps its start estimate.
 *
 * A subscriber may also sit behind a virtual bottleneck of cap_kbps, modelled
 * on the tc tbf the weak-link browser tests use (tests/e2e/netns.mjs: a
 * bucket of cap/30 kbit, at least 32 kbit, and 200 ms of queue): a packet
 * leaves when the bucket holds enough tokens, after those queued before it,
 * and the feedback reports that departure time, or "not received" when it
 * would wait more than FB_QUEUE_US. That is what such a link does to the
 * arrival times a receiver sees, without shaping the packets themselves:
 * they still arrive at once and are counted as usual, so the loss figures
 * of the run stay those of the server, and the virtual drops are counted
 * apart (lg.fb_virt_lost).
 *
 * No allocation after lg_fb_new; main thread only.
 */
#include <string.h>

#include "bench/loadgen/lg.h"
#include "relay/srtp.h"
#include "relay/twcc.h"

#define FB_RING       2048   /* statuses kept (power of two): ~5 s of 3 Mbit/s */
#define FB_MAX_STATUS 400    /* per feedback packet, so one fits an MTU */
#define FB_QUEUE_US   200000 /* the virtual link's queue (tbf latency) */

struct lg_fb {
  uint32_t cap_bps;    /* 0 = no virtual bottleneck */
  uint32_t ssrc;       /* our sender SSRC in the feedback */
  uint32_t media_ssrc; /* a media SSRC we receive (browsers name one) */
  uint8_t count;       /* feedback packet count */
  bool started;
  int64_t next;         /* unwrapped seq of the first status not yet reported */
  int64_t max;          /* highest unwrapped seq noted */
  int64_t link_free_us; /* the virtual link has sent everything queued by then */
  double tokens;        /* bytes in its bucket at link_free_us */
  double burst;         /* the bucket's size in bytes */
  int64_t arrival[FB_RING];
  int64_t seq_of[FB_RING]; /* the unwrapped seq whose arrival a slot holds */
};

lg_fb *lg_fb_new(uint32_t cap_kbps) {
  lg_fb *f = g_new0(lg_fb, 1);
  f->cap_bps = cap_kbps * 1000;
  f->burst = (cap_kbps / 30 > 32 ? cap_kbps / 30 : 32) * 1000 / 8;
  f->tokens = f->burst;
  f->ssrc = g_random_int() | 1;
  for (size_t i = 0; i < FB_RING; i++)
    f->seq_of[i] = -1;
  return f;
}

void lg_fb_free(lg_fb *f) {
  g_free(f);
}

void lg_fb_packet(lg_fb *f, uint16_t seq, uint32_t ssrc, size_t len, int64_t now_us) {
  int64_t u;
  f->media_ssrc = ssrc;
  if (!f->started) {
    f->started = true;
    f->next = f->max = u = seq;
  } else {
    u = f->max + (int16_t)(seq - (uint16_t)f->max);
  }
  if (u < f->next) return; /* already reported as lost */
  /* A gap the ring cannot span (a stall): report from here on. */
  if (u - f->next >= FB_RING) f->next = u;
  int64_t t = now_us;
  if (f->cap_bps) {
    /* The packet reaches the head of the queue at start; it leaves once
     * the bucket, refilled at the cap since the last departure, holds it. */
    int64_t start = f->link_free_us > now_us ? f->link_free_us : now_us;
    double rate = f->cap_bps / 8e6; /* bytes per µs */
    double tokens = f->tokens + (double)(start - f->link_free_us) * rate;
    if (tokens > f->burst) tokens = f->burst;
    int64_t leave = start;
    if (tokens < (double)len) leave += (int64_t)(((double)len - tokens) / rate) + 1;
    if (leave - now_us > FB_QUEUE_US) {
      lg.fb_virt_lost++; /* the queue is full: dropped, reported as lost */
      if (u > f->max) f->max = u;
      return;
    }
    f->tokens = tokens + (double)(leave - start) * rate - (double)len;
    if (f->tokens < 0) f->tokens = 0;
    f->link_free_us = leave;
    t = leave;
  }
  f->arrival[u & (FB_RING - 1)] = t;
  f->seq_of[u & (FB_RING - 1)] = u;
  if (u > f->max) f->max = u;
}

void lg_fb_send(lg_fb *f, sv_peer *peer, int64_t now_us) {
  (void)now_us;
  if (!f->started || !peer || sv_peer_state(peer) != SV_PC_STATE_CONNECTED) return;
  while (f->next <= f->max) {
    int64_t n = f->max - f->next + 1;
    if (n > FB_MAX_STATUS) n = FB_MAX_STATUS;
    int64_t arrival[FB_MAX_STATUS];
    for (int64_t i = 0; i < n; i++) {
      int64_t u = f->next + i;
      size_t slot = (size_t)u & (FB_RING - 1);
      arrival[i] = f->seq_of[slot] == u ? f->arrival[slot] : -1;
    }
    uint8_t buf[20 + 2 * FB_MAX_STATUS + 2 * FB_MAX_STATUS + 4 + SV_SRTP_TRAILER];
    int len = sv_twcc_build(buf, sizeof buf - SV_SRTP_TRAILER, f->ssrc, f->media_ssrc, f->count,
                            (uint16_t)f->next, arrival, (size_t)n);
    f->next += n;
    if (len <= 0) {
      LG_ERR("cannot build transport-cc feedback: %s\n", sv_strerror(len));
      continue;
    }
    f->count++;
    if (sv_peer_send_rtcp(peer, buf, (size_t)len) == 0) lg.fb_sent++;
  }
}
