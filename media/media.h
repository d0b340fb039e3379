/*
 * media.h — the one public header of media/: GStreamer pipelines that need
 * the media itself: the headless WebRTC participant built on webrtcbin
 * (samvei-peer), a second, independent WebRTC stack that tests the relay
 * from outside, the way a browser does; and the recorder, which turns a
 * relay tap (common/tap.h) into a file through samvei-record.
 *
 * Everything here runs on the thread that runs the GMainLoop given to
 * sv_media_peer_new() (or the server's main thread, for the recorder);
 * GStreamer's own threads only touch counters.
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
  const char *file;  /* publish this media file (decoded, scaled, re-encoded) instead of
                      * the test pattern and tone; NULL: test sources */
  int width, height, fps;
  int video_kbps;
  bool audio;        /* also publish an Opus test tone */
  bool publish;      /* false: receive only */
  bool insecure_tls; /* accept any server certificate (dev CA) */
  /* Host actions, in seconds after media flows both ways (0 = never): ask to record,
   * start recording (refused without everyone's consent), stop recording,
   * take a still of the first other participant. */
  int record_request_s, record_start_s, record_stop_s, capture_s;
  int consent; /* answer to a recording request: 1 agree, -1 decline, 0 none */
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

/* ---- recorder ---- */

/* samvei-record reads the tap's packets on standard input, framed as
 * common/tap.h says (sv_tap_frame_header). */

struct sv_tap;
typedef struct sv_media_recorder sv_media_recorder;

/* Starts `program` (samvei-record) with `option` ("--out" for a recording,
 * "--still" for one PNG) and `path`, and a pump thread that moves packets
 * from a new tap to the program's standard input. Give
 * sv_media_recorder_tap() to the relay. `done` runs once on the main
 * context after the program exited, with its exit status (0 = the file is
 * written), and the recorder frees itself right after it returns.
 * Returns 0, or SV_EIO when the program cannot be started (nothing is
 * started then and done never runs). Main thread. */
int sv_media_recorder_start(const char *program, const char *option, const char *path,
                            void (*done)(void *user, int status), void *user,
                            sv_media_recorder **out);
/* The tap that feeds the recorder; borrowed, valid until done runs. */
struct sv_tap *sv_media_recorder_tap(sv_media_recorder *rec);
/* Runs `program --check` (every GStreamer element it needs is installed).
 * Returns 0, or an SV_E* code with *why (g_free) saying what is missing.
 * On 0, *why is NULL, or a note (g_free) on what works without an optional
 * element (stills of H.264 video without the H.264 decoder). */
int sv_media_recorder_check(const char *program, char **why);
/* Ends the input: what is buffered is written, then the program finalises
 * the file and exits (done follows). Safe to call more than once. */
void sv_media_recorder_stop(sv_media_recorder *rec);
/* Ends the input and kills the program (SIGKILL) for one that must not run
 * longer; done follows with status 128 + 9. Main thread, before done. */
void sv_media_recorder_kill(sv_media_recorder *rec);

#endif
