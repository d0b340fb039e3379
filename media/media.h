/*
 * media.h — the one public header of media/: GStreamer pipelines that need
 * the media itself. For now that is the headless WebRTC participant built on
 * webrtcbin (samvei-peer), a second, independent WebRTC stack that tests
 * the relay from outside, the way a browser does.
 *
 * Everything here runs on the thread that runs the GMainLoop given to
 * sv_media_peer_new(); GStreamer's own threads only touch counters.
 */
#ifndef SV_MEDIA_H
#define SV_MEDIA_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct sv_media_peer sv_media_peer;

typedef struct sv_media_peer_config {
  const char *url; /* ws://127.0.0.1:PORT/ws or wss://HOST:PORT/ws */
  const char *room;
  const char *name;
  const char *token; /* NULL: open rooms only */
  const char *codec; /* "vp8" or "h264" */
  int width, height, fps;
  int video_kbps;
  bool audio;        /* also publish an Opus test tone */
  bool publish;      /* false: receive only */
  bool insecure_tls; /* accept any server certificate (dev CA) */
} sv_media_peer_config;

/* Connects, joins and starts publishing and subscribing. Progress and
 * errors go to `out` as JSON lines; `done` fires (once) when the peer stops
 * for good: the connection failed or closed, or a request was refused, with
 * a reason. Returns 0, or SV_EINVAL for a bad config (nothing started).
 * *out_peer is owned by the caller: sv_media_peer_free(). */
int sv_media_peer_new(const sv_media_peer_config *config, FILE *out,
                      void (*done)(void *user, const char *reason), void *user,
                      sv_media_peer **out_peer);
/* Writes one JSON line with every remote track's counters: participant,
 * mid, kind, codec, frames decoded (video) or audio buffers decoded, RTP
 * bytes and bitrate, packets lost, first-frame time since joining. */
void sv_media_peer_report(sv_media_peer *peer, bool final);
/* How many remote participants this peer decoded at least min_frames video
 * frames from. */
size_t sv_media_peer_count_video(sv_media_peer *peer, int64_t min_frames);
/* Sends leave, stops the pipeline and frees. NULL is fine. */
void sv_media_peer_free(sv_media_peer *peer);

#endif
