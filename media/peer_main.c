/*
 * peer_main.c — samvei-peer: a headless participant for tests and load.
 *
 *   samvei-peer --url ws://127.0.0.1:8443/ws --room R --name N [--codec vp8|h264]
 *               [--duration SEC] [--width W --height H --fps F --kbps K] [--no-audio]
 *               [--file PATH] [--receive-only] [--token T] [--insecure]
 *               [--expect-peers K --min-frames N]
 *               [--record-request S --record-start S --record-stop S --capture S]
 *               [--consent yes|no]
 *
 * Prints JSON lines: joined, participant events, a stats line every
 * --interval seconds and a final one with "final":true. Exit status: 0 when
 * it ran for --duration (and, with --expect-peers, decoded at least N video
 * frames from each of K other participants), 1 when the server refused or the
 * connection failed, 2 for bad options, 3 when the expectation was not met.
 */
#include <gst/gst.h>
#include <stdlib.h>
#include <string.h>

#include "media/media.h"

typedef struct run {
  GMainLoop *loop;
  guint deadline;
  sv_media_peer *peer;
  int status;
  int interval;
} run;

static void on_done(void *user, const char *reason) {
  run *r = user;
  r->status = 1;
  g_main_loop_quit(r->loop);
}

static gboolean on_stats(gpointer data) {
  run *r = data;
  sv_media_peer_report(r->peer, false);
  return G_SOURCE_CONTINUE;
}

static gboolean on_deadline(gpointer data) {
  run *r = data;
  r->deadline = 0;
  g_main_loop_quit(r->loop);
  return G_SOURCE_REMOVE;
}

int main(int argc, char **argv) {
  gchar *url = NULL, *room = NULL, *name = NULL, *token = NULL, *codec = NULL, *file = NULL;
  gint duration = 10, width = 320, height = 240, fps = 15, kbps = 300, interval = 1;
  gint expect_peers = 0, min_frames = 30;
  gboolean no_audio = FALSE, receive_only = FALSE, insecure = FALSE;
  gint record_request = 0, record_start = 0, record_stop = 0, capture = 0;
  gchar *consent = NULL;
  GOptionEntry entries[] = {
      {"url", 0, 0, G_OPTION_ARG_STRING, &url, "signalling URL (ws://…/ws or wss://…/ws)", "URL"},
      {"room", 0, 0, G_OPTION_ARG_STRING, &room, "room to join", "ROOM"},
      {"name", 0, 0, G_OPTION_ARG_STRING, &name, "display name", "NAME"},
      {"token", 0, 0, G_OPTION_ARG_STRING, &token, "invitation token", "TOKEN"},
      {"codec", 0, 0, G_OPTION_ARG_STRING, &codec, "video codec: vp8 (default) or h264", "C"},
      {"duration", 0, 0, G_OPTION_ARG_INT, &duration, "seconds to stay (default 10)", "SEC"},
      {"interval", 0, 0, G_OPTION_ARG_INT, &interval, "seconds between stats lines (1)", "SEC"},
      {"file", 0, 0, G_OPTION_ARG_FILENAME, &file,
       "publish this media file instead of the test pattern (with --no-audio if it has no audio)",
       "PATH"},
      {"width", 0, 0, G_OPTION_ARG_INT, &width, "video width (320)", "W"},
      {"height", 0, 0, G_OPTION_ARG_INT, &height, "video height (240)", "H"},
      {"fps", 0, 0, G_OPTION_ARG_INT, &fps, "frames per second (15)", "F"},
      {"kbps", 0, 0, G_OPTION_ARG_INT, &kbps, "video bitrate in kbit/s (300)", "K"},
      {"no-audio", 0, 0, G_OPTION_ARG_NONE, &no_audio, "publish video only", NULL},
      {"receive-only", 0, 0, G_OPTION_ARG_NONE, &receive_only, "publish nothing", NULL},
      {"insecure", 0, 0, G_OPTION_ARG_NONE, &insecure, "accept any TLS certificate", NULL},
      {"expect-peers", 0, 0, G_OPTION_ARG_INT, &expect_peers,
       "fail (exit 3) unless video from this many others was decoded", "K"},
      {"min-frames", 0, 0, G_OPTION_ARG_INT, &min_frames, "frames that count as decoded (30)", "N"},
      {"record-request", 0, 0, G_OPTION_ARG_INT, &record_request,
       "host: ask to record SEC seconds after media flows both ways", "SEC"},
      {"record-start", 0, 0, G_OPTION_ARG_INT, &record_start,
       "host: send record-start SEC seconds after media flows", "SEC"},
      {"record-stop", 0, 0, G_OPTION_ARG_INT, &record_stop,
       "host: stop recording SEC seconds after media flows", "SEC"},
      {"capture", 0, 0, G_OPTION_ARG_INT, &capture,
       "host: take a still of the first other participant after SEC seconds", "SEC"},
      {"consent", 0, 0, G_OPTION_ARG_STRING, &consent,
       "answer recording and still requests: yes or no (default: do not answer)", "ANSWER"},
      {NULL, 0, 0, 0, NULL, NULL, NULL}};
  GError *err = NULL;
  GOptionContext *ctx = g_option_context_new("- headless samvei participant (webrtcbin)");
  g_option_context_add_main_entries(ctx, entries, NULL);
  g_option_context_add_group(ctx, gst_init_get_option_group());
  if (!g_option_context_parse(ctx, &argc, &argv, &err) || !url || !room || !name) {
    fprintf(stderr, "samvei-peer: %s\n",
            err ? err->message : "--url, --room and --name are needed");
    g_clear_error(&err);
    g_option_context_free(ctx);
    return 2;
  }
  g_option_context_free(ctx);

  sv_media_peer_config cfg = {.url = url,
                              .room = room,
                              .name = name,
                              .token = token,
                              .codec = codec ? codec : "vp8",
                              .file = file,
                              .width = width,
                              .height = height,
                              .fps = fps,
                              .video_kbps = kbps,
                              .audio = !no_audio,
                              .publish = !receive_only,
                              .insecure_tls = insecure,
                              .record_request_s = record_request,
                              .record_start_s = record_start,
                              .record_stop_s = record_stop,
                              .capture_s = capture,
                              .consent = !consent                      ? 0
                                         : strcmp(consent, "yes") == 0 ? 1
                                                                       : -1};
  run r = {.loop = g_main_loop_new(NULL, FALSE), .interval = interval > 0 ? interval : 1};
  int rc = sv_media_peer_new(&cfg, stdout, on_done, &r, &r.peer);
  if (rc != 0) {
    fprintf(stderr, "samvei-peer: invalid options (codec must be vp8 or h264, sizes > 0, "
                    "--file an existing file)\n");
    r.status = 2;
  } else {
    guint stats = g_timeout_add_seconds((guint)r.interval, on_stats, &r);
    r.deadline = g_timeout_add_seconds((guint)(duration > 0 ? duration : 10), on_deadline, &r);
    g_main_loop_run(r.loop);
    g_source_remove(stats);
    if (r.deadline) g_source_remove(r.deadline);
    sv_media_peer_report(r.peer, true);
    if (r.status == 0 && expect_peers > 0 &&
        sv_media_peer_count_video(r.peer, min_frames) < (size_t)expect_peers) {
      fprintf(stderr, "samvei-peer: decoded %d+ video frames from fewer than %d participants\n",
              min_frames, expect_peers);
      r.status = 3;
    }
    sv_media_peer_free(r.peer);
  }
  g_main_loop_unref(r.loop);
  g_free(url);
  g_free(room);
  g_free(name);
  g_free(token);
  g_free(file);
  g_free(codec);
  g_free(consent);
  gst_deinit();
  return r.status;
}
