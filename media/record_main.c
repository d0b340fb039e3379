/*
 * record_main.c — samvei-record: writes one participant's RTP into a file.
 *
 *   samvei-record --out BASE     (recording: BASE.webm for VP8, BASE.mkv for H.264)
 *   samvei-record --still FILE.png              (one decoded video frame)
 *   samvei-record --check     (are all the GStreamer elements it uses installed?
 *                              exit 0, or 1 naming the missing ones; exit 0
 *                              with a note on stderr when only the H.264
 *                              decoder for stills is missing)
 *
 * The server (media/recorder.c) starts one per recorded participant and
 * writes framed RTP packets (common/tap.h, sv_tap_frame_header) to its
 * standard input; end of input ends the recording. GStreamer runs here, in
 * a process of its own, so a plugin crash or leak never reaches the server.
 *
 * Recording: appsrc → rtpjitterbuffer → depayloader → webmmux
 * (VP8/Opus) or matroskamux (H.264/Opus) → filesink, no re-encoding. Only
 * gst-plugins-base and -good elements (and libav's H.264 decoder for a
 * still, which is optional: the slim image leaves libav out), so the server's image needs no more:
 * the muxer's Opus channels and H.264 picture size, which parser plugins would give, come from
 * capssetter, the size read from the first SPS (h264.c; H.264 before it is useless to the
 * depayloader anyway and is dropped). Buffer timestamps are the relay's arrival times, so the
 * jitter buffer orders, de-jitters and times packets across loss from RTP timestamps as a receiver
 * does. The pipeline is built once both kinds have arrived (or 1.5 s after the first packet), so a
 * participant without audio or video still gets a file. EOS on end of input finalises the file
 * (cues, duration); a killed server still leaves a readable file, since Matroska is written as it
 * goes.
 *
 * Still: the first decoded keyframe is written as a PNG and the program
 * exits. Exit status: 0 done, 1 nothing usable arrived or the pipeline
 * failed, 2 bad options, 3 a still of H.264 video without the H.264
 * decoder (avdec_h264, gstreamer1.0-libav) installed.
 */
#include <gst/app/app.h>
#include <gst/gst.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/tap.h"
#include "media/h264.h"
#include "media/media.h"

#define DECIDE_US    1500000      /* wait this long for the second kind before building */
#define H264_DECODER "avdec_h264" /* optional: only stills of H.264 video need it */

typedef struct rec {
  const char *out, *still;
  GstElement *pipe;
  GstElement *src[2]; /* audio, video appsrc, or NULL */
  uint8_t codec[2];   /* sv_tap_codec per kind, 0 = none seen */
  uint8_t pt[2];
  uint64_t first_us;
  int width, height; /* H.264: from the first SPS; 0 until then */
  bool built;
  int status;         /* an exit status decided early, 0 = none */
  GPtrArray *backlog; /* GstBuffer* (with kind in offset) until built */
} rec;

static int kind_of(uint8_t codec) {
  return codec == SV_TAP_OPUS ? 0 : 1;
}

static bool read_full(int fd, void *buf, size_t len) {
  uint8_t *p = buf;
  while (len > 0) {
    ssize_t n = read(fd, p, len);
    if (n <= 0) return false;
    p += n;
    len -= (size_t)n;
  }
  return true;
}

static char *branch(const rec *r, int kind) {
  uint8_t c = r->codec[kind];
  const char *enc = c == SV_TAP_OPUS ? "OPUS" : c == SV_TAP_VP8 ? "VP8" : "H264";
  gchar *depay =
      c == SV_TAP_OPUS  ? g_strdup("rtpopusdepay ! capssetter "
                                    "caps=\"audio/x-opus,channels=(int)2,rate=(int)48000\"")
      : c == SV_TAP_VP8 ? g_strdup("rtpvp8depay wait-for-keyframe=true")
      : r->still        ? g_strdup("rtph264depay wait-for-keyframe=true")
                        : g_strdup_printf("rtph264depay wait-for-keyframe=true ! "
                                                 "video/x-h264,stream-format=avc,alignment=au ! capssetter "
                                                 "caps=\"video/x-h264,width=(int)%d,height=(int)%d\"",
                                          r->width, r->height);
  const char *tail = r->still ? (c == SV_TAP_VP8 ? "! vp8dec ! videoconvert ! pngenc snapshot=true "
                                                   "! filesink name=sink location=\"%s\""
                                                 : "! avdec_h264 ! videoconvert ! pngenc "
                                                   "snapshot=true ! filesink name=sink "
                                                   "location=\"%s\"")
                              : "! queue ! mux.";
  gchar *t = g_strdup_printf(tail, r->still ? r->still : "");
  gchar *d = g_strdup_printf(
      "appsrc name=src%d is-live=true format=time do-timestamp=false "
      "caps=\"application/x-rtp,media=%s,encoding-name=%s,clock-rate=%d,payload=%u%s\" ! "
      "rtpjitterbuffer latency=300 ! %s %s ",
      kind, kind ? "video" : "audio", enc, kind ? 90000 : 48000, r->pt[kind],
      c == SV_TAP_H264 ? ",packetization-mode=(string)1" : "", depay, t);
  g_free(t);
  g_free(depay);
  return d;
}

static bool have_element(const char *name) {
  GstElementFactory *f = gst_element_factory_find(name);
  if (f) gst_object_unref(f);
  return f != NULL;
}

#define STILL_NO_DECODER 3

static bool build(rec *r) {
  if (r->still && r->codec[1] == SV_TAP_H264 && !have_element(H264_DECODER)) {
    fprintf(stderr, "samvei-record: a still of H.264 video needs %s (gstreamer1.0-libav)\n",
            H264_DECODER);
    r->status = STILL_NO_DECODER;
    return false;
  }
  GString *d = g_string_new(NULL);
  if (r->still) {
    if (!r->codec[1]) return false;
    gchar *b = branch(r, 1);
    g_string_append(d, b);
    g_free(b);
  } else {
    bool h264 = r->codec[1] == SV_TAP_H264;
    g_string_append_printf(d, "%s name=mux ! filesink location=\"%s%s\" ",
                           h264 ? "matroskamux" : "webmmux", r->out, h264 ? ".mkv" : ".webm");
    for (int k = 0; k < 2; k++) {
      if (!r->codec[k]) continue;
      if (r->codec[k] == SV_TAP_H264 && !r->width) continue; /* no SPS came: audio only */
      gchar *b = branch(r, k);
      g_string_append(d, b);
      g_free(b);
    }
  }
  GError *err = NULL;
  r->pipe = gst_parse_launch(d->str, &err);
  g_string_free(d, TRUE);
  if (!r->pipe || err) {
    fprintf(stderr, "samvei-record: pipeline: %s\n", err ? err->message : "unknown");
    g_clear_error(&err);
    return false;
  }
  for (int k = 0; k < 2; k++) {
    char name[16];
    snprintf(name, sizeof name, "src%d", k);
    r->src[k] = gst_bin_get_by_name(GST_BIN(r->pipe), name);
  }
  /* Running time = monotonic clock − first arrival, so a packet's arrival
   * time at the relay is directly its buffer time. */
  GstClock *clock = gst_system_clock_obtain();
  g_object_set(clock, "clock-type", GST_CLOCK_TYPE_MONOTONIC, NULL);
  gst_pipeline_use_clock(GST_PIPELINE(r->pipe), clock);
  gst_object_unref(clock);
  gst_element_set_start_time(r->pipe, GST_CLOCK_TIME_NONE);
  gst_element_set_base_time(r->pipe, (GstClockTime)r->first_us * 1000);
  gst_element_set_state(r->pipe, GST_STATE_PLAYING);
  r->built = true;
  return true;
}

static void push(rec *r, int kind, GstBuffer *buf) {
  if (r->src[kind])
    gst_app_src_push_buffer(GST_APP_SRC(r->src[kind]), buf);
  else
    gst_buffer_unref(buf);
}

/* A fatal pipeline error, or (still mode) EOS after the snapshot. */
static bool bus_done(rec *r, GstClockTime wait, bool *error) {
  GstBus *bus = gst_element_get_bus(r->pipe);
  GstMessage *m = gst_bus_timed_pop_filtered(bus, wait, GST_MESSAGE_ERROR | GST_MESSAGE_EOS);
  gst_object_unref(bus);
  if (!m) return false;
  if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR) {
    GError *e = NULL;
    gst_message_parse_error(m, &e, NULL);
    fprintf(stderr, "samvei-record: %s: %s\n", GST_OBJECT_NAME(m->src), e ? e->message : "?");
    g_clear_error(&e);
    *error = true;
  }
  gst_message_unref(m);
  return true;
}

/* Every element a pipeline above may use, but the H.264 decoder: without
 * it everything works but stills of H.264 video, which is said. */
static int check_elements(void) {
  static const char *const names[] = {
      "appsrc",     "rtpjitterbuffer", "rtpopusdepay", "rtpvp8depay", "rtph264depay",
      "capssetter", "queue",           "webmmux",      "matroskamux", "filesink",
      "vp8dec",     "videoconvert",    "pngenc"};
  GString *missing = g_string_new(NULL);
  for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
    if (!have_element(names[i])) g_string_append_printf(missing, " %s", names[i]);
  int rc = missing->len ? 1 : 0;
  if (rc)
    fprintf(stderr, "samvei-record: GStreamer elements missing:%s\n", missing->str);
  else if (!have_element(H264_DECODER))
    fprintf(stderr, "stills of H.264 video are off: %s is missing (gstreamer1.0-libav)\n",
            H264_DECODER);
  g_string_free(missing, TRUE);
  return rc;
}

int main(int argc, char **argv) {
  gchar *out = NULL, *still = NULL;
  gboolean check = FALSE;
  GOptionEntry entries[] = {
      {"out", 0, 0, G_OPTION_ARG_FILENAME, &out, "recording file (.webm or .mkv)", "FILE"},
      {"still", 0, 0, G_OPTION_ARG_FILENAME, &still, "write one video frame as PNG", "FILE"},
      {"check", 0, 0, G_OPTION_ARG_NONE, &check,
       "check that every GStreamer element needed is installed", NULL},
      {NULL, 0, 0, 0, NULL, NULL, NULL}};
  GError *err = NULL;
  GOptionContext *ctx = g_option_context_new("- write RTP from standard input to a file");
  g_option_context_add_main_entries(ctx, entries, NULL);
  g_option_context_add_group(ctx, gst_init_get_option_group());
  if (g_option_context_parse(ctx, &argc, &argv, &err) && check && !out && !still) {
    g_option_context_free(ctx);
    return check_elements();
  }
  if (err || (!out == !still)) {
    fprintf(stderr, "samvei-record: %s\n", err ? err->message : "give --out or --still");
    g_clear_error(&err);
    g_option_context_free(ctx);
    return 2;
  }
  g_option_context_free(ctx);

  rec r = {.out = out, .still = still, .backlog = g_ptr_array_new()};
  bool error = false, done = false;
  uint8_t hdr[SV_TAP_FRAME_HEADER];
  static sv_tap_packet frame;
  const uint8_t *data = frame.data;
  while (!done && !error && read_full(0, hdr, sizeof hdr)) {
    if (!sv_tap_frame_parse(hdr, &frame) || !read_full(0, frame.data, frame.len)) break;
    uint64_t arrival = frame.arrival_us;
    uint16_t len = frame.len;
    uint8_t codec = frame.codec, pt = frame.pt;
    int kind = kind_of(codec);
    if (!r.codec[kind]) {
      r.codec[kind] = codec;
      r.pt[kind] = pt;
    }
    if (pt != r.pt[kind]) continue; /* a second codec of the same kind is not recorded */
    if (codec == SV_TAP_H264 && !r.width && !sv_h264_rtp_sps_size(data, len, &r.width, &r.height))
      continue; /* nothing before the first SPS can be decoded */
    if (!r.first_us) r.first_us = arrival;
    GstBuffer *buf = gst_buffer_new_memdup(data, len);
    GST_BUFFER_PTS(buf) = (arrival - r.first_us) * 1000;
    if (!r.built) {
      GST_BUFFER_OFFSET(buf) = (guint64)kind;
      g_ptr_array_add(r.backlog, buf);
      bool video = r.codec[1] && (r.codec[1] != SV_TAP_H264 || r.width);
      bool both = still ? video : (r.codec[0] && video);
      if (both || arrival - r.first_us >= DECIDE_US) {
        if (!build(&r)) {
          error = true;
          break;
        }
        for (guint i = 0; i < r.backlog->len; i++) {
          GstBuffer *b = g_ptr_array_index(r.backlog, i);
          push(&r, (int)GST_BUFFER_OFFSET(b), b);
        }
        g_ptr_array_set_size(r.backlog, 0);
      }
      continue;
    }
    push(&r, kind, buf);
    if (r.still) done = bus_done(&r, 0, &error);
  }
  if (!r.built && r.backlog->len > 0 && !error && build(&r)) {
    for (guint i = 0; i < r.backlog->len; i++) {
      GstBuffer *b = g_ptr_array_index(r.backlog, i);
      push(&r, (int)GST_BUFFER_OFFSET(b), b);
    }
    g_ptr_array_set_size(r.backlog, 0);
  }
  for (guint i = 0; i < r.backlog->len; i++)
    gst_buffer_unref(g_ptr_array_index(r.backlog, i));
  g_ptr_array_free(r.backlog, TRUE);
  int status = r.built ? 0 : 1;
  if (r.pipe) {
    if (!done && !error) {
      for (int k = 0; k < 2; k++)
        if (r.src[k]) gst_app_src_end_of_stream(GST_APP_SRC(r.src[k]));
      if (!bus_done(&r, 10 * GST_SECOND, &error)) error = true;
    }
    if (error) status = 1;
    gst_element_set_state(r.pipe, GST_STATE_NULL);
    for (int k = 0; k < 2; k++)
      if (r.src[k]) gst_object_unref(r.src[k]);
    gst_object_unref(r.pipe);
  }
  if (still && status == 0 && !done) status = 1; /* input ended before a frame was decoded */
  if (r.status) status = r.status;
  g_free(out);
  g_free(still);
  return status;
}
