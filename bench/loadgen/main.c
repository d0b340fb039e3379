/*
 * main.c — samvei-loadgen: drives samvei or Janus VideoRoom with WebRTC
 * participants made of the relay's own code, ramps a scenario step by step
 * and writes what it measured as one JSON object.
 *
 *   samvei-loadgen --server samvei|janus --url ws://127.0.0.1:PORT/ws
 *                  --scenario 1to1|4party|presenter|audio|memory|simulcast|teaching
 *                  --server-pid PID [--step ROOMS] [--max-rooms N] [--settle S]
 *                  [--window S] [--simulcast] [--twcc|--no-twcc]
 *                  [--caps KBPS,...] [--out FILE] ...
 *
 * The teaching scenario (1 presenter, 50 attendees per room) joins samvei's
 * rooms as booked group teachings (book.c, with the API key in
 * $SAMVEI_API_KEY), and Janus's as VideoRooms of that size.
 *
 * Each step adds rooms, waits until their PeerConnections are up, lets the
 * load settle, then measures over a window: the server's CPU time and PSS
 * (from /proc/PID), packets the subscribers received, loss from sequence
 * numbers, and latency from sampled send stamps. The ramp stops when loss
 * exceeds --max-loss, p99 latency exceeds --max-p99-ms, or --max-rooms or
 * --time-limit is reached. The memory scenario joins audio-only 1:1 rooms up
 * to --max-parts participants (PSS at each step), then makes --churn
 * join/leave cycles and reports the PSS drift.
 *
 * The simulcast scenario (or --simulcast with a video scenario) has
 * publishers send three layers. Its subscribers answer like a browser
 * (transport-cc, RTX) and send transport-cc feedback (--no-twcc: neither),
 * each behind a virtual link cap taken in turn from --caps (0 = none), so
 * samvei's estimator gives them different layers; Janus's subscribers ask
 * for the layer samvei's rule gives that cap. Each window records which
 * layer every video stream came from (the stamps carry it).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/loadgen/lg.h"
#include "relay/srtp.h"

lg_state lg;

typedef struct scenario {
  const char *name;
  int room_size;
  int publishers; /* per room; the others only receive */
  bool video;
  int steps_rooms; /* default rooms per step */
  bool simulcast;  /* publishers send three layers; subscribers give feedback */
} scenario;

/* simulcast: one camera in three layers to three viewers on different
 * links (by default none, 1 Mbit/s and 400 kbit/s: the top, middle and
 * lowest layer). */
static const scenario scenarios[] = {
    {"1to1", 2, 2, true, 2, false},       {"4party", 4, 4, true, 1, false},
    {"presenter", 16, 1, true, 1, false}, {"audio", 2, 2, false, 10, false},
    {"memory", 2, 2, false, 10, false},   {"simulcast", 4, 1, true, 1, true},
    {"teaching", 51, 1, true, 1, false},
};

#define DEFAULT_CAPS "0,1000,400"

static struct {
  const scenario *sc;
  int server_pid;
  int step, max_rooms, max_parts, churn, min_steps;
  double settle, window, time_limit, join_timeout;
  double max_loss, max_p99_ms;
  const char *out;
  const char *on_window; /* run as "CMD start" / "CMD end" around each window */
  int simulcast, twcc;   /* -1 = as the scenario says */
  const char *caps;
} opt = {.simulcast = -1,
         .twcc = -1,
         .caps = DEFAULT_CAPS,
         .step = 0,
         .max_rooms = 1000,
         .max_parts = 200,
         .churn = 1000,
         .settle = 3,
         .window = 10,
         .time_limit = 600,
         .join_timeout = 20,
         .max_loss = 0.001,
         .max_p99_ms = 5};

static GMainLoop *loop;
static GPtrArray *rooms;
static json_t *result, *steps;
static lg_hist join_hist;
static int64_t t_begin;

/* ---- rooms and participants ---- */

static void part_start(lg_part *p) {
  p->t_start = lg_now_us();
  if (lg.server == LG_SAMVEI)
    lg_samvei_start(p);
  else
    lg_janus_start(p);
}

static lg_room *room_add(void) {
  lg_room *r = g_new0(lg_room, 1);
  r->index = (int)rooms->len;
  snprintf(r->name, sizeof r->name, "lg-%" G_GINT64_FORMAT "-%d", lg.run_id, r->index);
  r->janus_id = 1000 + r->index;
  r->size = opt.sc->room_size;
  if (lg_book_room_id(r->index)) g_strlcpy(r->name, lg_book_room_id(r->index), sizeof r->name);
  g_ptr_array_add(rooms, r);
  for (int i = 0; i < opt.sc->room_size; i++) {
    lg_part *p = g_new0(lg_part, 1);
    p->index = (int)lg.parts->len;
    p->room = r;
    p->publish = i < opt.sc->publishers;
    p->video = opt.sc->video;
    p->subscribe = true;
    p->token = lg_book_token(r->index, i);
    /* Caps in turn from the first participant that only receives, so the
     * viewers of a one-publisher room get the whole list. */
    if (lg.n_caps)
      p->cap_kbps = lg.caps_kbps[(i + opt.sc->room_size - opt.sc->publishers) % opt.sc->room_size %
                                 lg.n_caps];
    p->want_layer = lg_media_layer_for_cap(p->cap_kbps);
    g_ptr_array_add(lg.parts, p);
    r->n_parts++;
    part_start(p);
  }
  return r;
}

/* Leaves and frees everything but the struct (the caller frees it). */
static void part_leave(lg_part *p) {
  p->gone = true;
  lg_ws_close(p);
  lg_part_free_peers(p);
  if (p->janus_feeds) g_hash_table_unref(p->janus_feeds);
  p->janus_feeds = NULL;
  if (p->janus_sub_mids) g_hash_table_unref(p->janus_sub_mids);
  p->janus_sub_mids = NULL;
}

/* A participant is ready when everything it does is up: its publish
 * PeerConnection, and its subscribe one once anyone in its room publishes. */
static bool part_ready(const lg_part *p) {
  if (p->gone) return true;
  if (p->publish && !p->pub_up) return false;
  int others = opt.sc->publishers - (p->publish ? 1 : 0);
  if (others > 0 && !p->sub_up) return false;
  return true;
}

static int count_unready(int from) {
  int n = 0;
  for (guint i = (guint)from; i < lg.parts->len; i++) {
    lg_part *p = g_ptr_array_index(lg.parts, i);
    if (p && !part_ready(p)) n++;
  }
  return n;
}

static void record_joins(int from) {
  for (guint i = (guint)from; i < lg.parts->len; i++) {
    lg_part *p = g_ptr_array_index(lg.parts, i);
    if (!p || p->gone || p->join_counted || !part_ready(p)) continue;
    int64_t end = p->t_pub_up > p->t_sub_up ? p->t_pub_up : p->t_sub_up;
    lg_hist_add(&join_hist, (uint64_t)(end - p->t_start));
    p->join_counted = true;
  }
}

static int active_parts(void) {
  int n = 0;
  for (guint i = 0; i < lg.parts->len; i++) {
    lg_part *p = g_ptr_array_index(lg.parts, i);
    if (p && !p->gone) n++;
  }
  return n;
}

/* Forwarded streams per room: every published stream to every other
 * participant of the room. */
static int streams_per_room(void) {
  int per_pub = opt.sc->video ? 2 : 1;
  return opt.sc->publishers * per_pub * (opt.sc->room_size - 1);
}

/* ---- the controller: a small state machine on a 50 ms timer ---- */

typedef enum {
  PH_JOIN,    /* waiting for the step's participants */
  PH_SETTLE,  /* load on, not measured */
  PH_WINDOW,  /* measuring */
  PH_SHRINK,  /* memory scenario: most participants left, settling */
  PH_CHURN,   /* memory scenario: join/leave cycles */
  PH_SETTLE2, /* memory scenario: after churn */
  PH_DONE,
} phase;

static struct {
  phase ph;
  int64_t t_phase;
  int step_from; /* first participant of this step */
  double cpu_step0, cpu_prev_rate;
  int64_t t_step0;
  /* window snapshots */
  double cpu0, sys0, self0;
  uint64_t recv0, exp0, sent0, samp0, rtx0, fb0, vlost0, skip0;
  int64_t t0;
  int churned;
  long pss_before_churn, pss_full;
  const char *stop;
  json_t *mem_points;
  json_t *receivers; /* simulcast: per receiver, the last window's layers */
  double join_cpu_total;
  int join_cpu_n;
} c;

static void begin_step(void) {
  c.step_from = (int)lg.parts->len;
  c.cpu_step0 = lg_proc_cpu_s(opt.server_pid);
  c.t_step0 = lg_now_us();
  int n = opt.step ? opt.step : opt.sc->steps_rooms;
  for (int i = 0; i < n && (int)rooms->len < opt.max_rooms; i++)
    room_add();
  c.ph = PH_JOIN;
  c.t_phase = lg_now_us();
}

static void account_join_cpu(void) {
  /* CPU the server spent while the step joined, less what the media already
   * flowing would have cost over that time. */
  int n = (int)lg.parts->len - c.step_from;
  if (n <= 0) return;
  double dt = (double)(lg_now_us() - c.t_step0) / 1e6;
  double d = lg_proc_cpu_s(opt.server_pid) - c.cpu_step0 - c.cpu_prev_rate * dt;
  c.join_cpu_total += d > 0 ? d : 0;
  c.join_cpu_n += n;
}

static void run_hook(const char *what) {
  if (!opt.on_window) return;
  char *cmd = g_strdup_printf("%s %s", opt.on_window, what);
  GError *err = NULL;
  gint status = 0;
  if (!g_spawn_command_line_sync(cmd, NULL, NULL, &status, &err) || status != 0)
    LG_ERR("window hook '%s' failed: %s\n", cmd, err ? err->message : "non-zero exit");
  g_clear_error(&err);
  g_free(cmd);
}

/* Starts each received stream's window: its layer samples and bytes. */
static void streams_window_start(void) {
  for (guint i = 0; i < lg.parts->len; i++) {
    lg_part *p = g_ptr_array_index(lg.parts, i);
    for (int k = 0; p && k < p->n_in; k++) {
      memset(p->in[k].layer_hits, 0, sizeof p->in[k].layer_hits);
      p->in[k].bytes_mark = p->in[k].bytes;
    }
  }
}

/* Which layer each video stream came from in the window (by its sampled
 * stamps): counts per layer, streams without samples as "none", and how
 * many got the layer their receiver's link calls for. Also one entry per
 * receiver into c.receivers (the caller empties it first). */
static json_t *layers_json(double dt) {
  int count[LG_LAYERS] = {0}, match = 0, seen = 0;
  for (guint i = 0; i < lg.parts->len; i++) {
    lg_part *p = g_ptr_array_index(lg.parts, i);
    if (!p || p->gone) continue;
    json_t *mine = json_array();
    for (int k = 0; k < p->n_in; k++) {
      int l = lg_media_in_layer(&p->in[k]);
      if (l < 0) continue;
      count[l]++;
      seen++;
      match += l == p->want_layer;
      json_array_append_new(
          mine,
          json_pack("{s:I,s:s,s:f}", "ssrc", (json_int_t)p->in[k].ssrc, "layer", lg_layers[l].rid,
                    "kbps", (double)(p->in[k].bytes - p->in[k].bytes_mark) * 8 / dt / 1000));
    }
    if (json_array_size(mine))
      json_array_append_new(c.receivers, json_pack("{s:i,s:i,s:s,s:o}", "participant", p->index,
                                                   "cap_kbps", (int)p->cap_kbps, "want_layer",
                                                   lg_layers[p->want_layer].rid, "video", mine));
    else
      json_decref(mine);
  }
  int expected = opt.sc->video ? (int)rooms->len * opt.sc->publishers * (opt.sc->room_size - 1) : 0;
  json_t *j = json_object();
  for (int l = 0; l < LG_LAYERS; l++)
    json_object_set_new(j, lg_layers[l].rid, json_integer(count[l]));
  json_object_set_new(j, "none", json_integer(expected > seen ? expected - seen : 0));
  json_object_set_new(j, "as_wanted", json_integer(match));
  return j;
}

static void window_start(void) {
  run_hook("start");
  streams_window_start();
  memset(&lg.lat, 0, sizeof lg.lat);
  memset(&lg.lat_key, 0, sizeof lg.lat_key);
  lg.measuring = true;
  c.cpu0 = lg_proc_cpu(opt.server_pid, &c.sys0);
  c.self0 = lg_self_cpu_s();
  lg_media_loss_totals(&c.recv0, &c.exp0);
  c.sent0 = lg.rtp_sent;
  c.samp0 = lg.sampled;
  c.rtx0 = lg.rtx_recv;
  c.fb0 = lg.fb_sent;
  c.vlost0 = lg.fb_virt_lost;
  c.skip0 = lg.frames_skipped;
  c.t0 = lg_now_us();
}

/* Ends the window, records the step; returns the reason to stop or NULL. */
static const char *window_end(void) {
  lg.measuring = false;
  run_hook("end");
  double dt = (double)(lg_now_us() - c.t0) / 1e6;
  double sys;
  double cpu = lg_proc_cpu(opt.server_pid, &sys) - c.cpu0;
  sys -= c.sys0;
  double self = lg_self_cpu_s() - c.self0;
  uint64_t recv, exp;
  lg_media_loss_totals(&recv, &exp);
  uint64_t drecv = recv - c.recv0, dexp = exp - c.exp0;
  double loss = dexp ? 1.0 - (double)drecv / (double)dexp : 0;
  if (loss < 0) loss = 0;
  double pps = (double)drecv / dt;
  c.cpu_prev_rate = cpu / dt;
  lg_hist all = lg.lat;
  lg_hist_merge(&all, &lg.lat_key);
  json_t *s = json_pack(
      "{s:i,s:i,s:i,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:I,s:f,s:o,s:o,s:o}", "rooms", (int)rooms->len,
      "participants", active_parts(), "forwarded_streams", (int)rooms->len * streams_per_room(),
      "window_s", dt, "server_cpu_s", cpu, "server_cpu_frac", cpu / dt, "forwarded_pps", pps,
      "sent_pps", (double)(lg.rtp_sent - c.sent0) / dt, "cpu_s_per_1000_pkts",
      drecv ? cpu / ((double)drecv / 1000.0) : 0, "pps_per_core", cpu > 0 ? (double)drecv / cpu : 0,
      "server_pss_kb", (json_int_t)lg_proc_pss_kb(opt.server_pid), "loss", loss, "latency",
      lg_hist_json(&lg.lat), "latency_keyframe", lg_hist_json(&lg.lat_key), "latency_all",
      lg_hist_json(&all));
  json_object_set_new(s, "server_sys_s", json_real(sys));
  json_object_set_new(s, "loadgen_cpu_frac", json_real(self / dt));
  json_object_set_new(s, "frames_skipped", json_integer((json_int_t)(lg.frames_skipped - c.skip0)));
  if (lg.twcc) {
    json_object_set_new(s, "rtx_pps", json_real((double)(lg.rtx_recv - c.rtx0) / dt));
    json_object_set_new(s, "feedback_pps", json_real((double)(lg.fb_sent - c.fb0) / dt));
    json_object_set_new(s, "virtual_link_drops",
                        json_integer((json_int_t)(lg.fb_virt_lost - c.vlost0)));
  }
  if (lg.simulcast) {
    json_array_clear(c.receivers);
    json_object_set_new(s, "layers", layers_json(dt));
  }
  json_array_append_new(steps, s);
  double p99 = lg_hist_quantile(&all, 0.99) / 1000.0;
  fprintf(stderr,
          "loadgen: %s %s rooms=%u streams=%d fwd=%.0f pkt/s cpu=%.1f%% loss=%.4f%% p50=%.2f "
          "p99=%.2f ms (key p99 %.2f) gen cpu=%.0f%%\n",
          lg.server == LG_SAMVEI ? "samvei" : "janus", opt.sc->name, rooms->len,
          (int)rooms->len * streams_per_room(), pps, 100 * cpu / dt, 100 * loss,
          lg_hist_quantile(&lg.lat, 0.5) / 1000.0, p99,
          lg_hist_quantile(&lg.lat_key, 0.99) / 1000.0, 100 * self / dt);
  if (drecv == 0) return "no packets were forwarded";
  /* The first step over a limit is recorded; with --min-steps the ramp
   * goes on anyway, so that a noisy machine still yields a CPU curve. */
  const char *over = loss > opt.max_loss    ? "loss over the limit"
                     : p99 > opt.max_p99_ms ? "p99 latency over the limit"
                                            : NULL;
  json_object_set_new(s, "over_limit", over ? json_string(over) : json_null());
  if (over && !json_object_get(result, "first_over_limit"))
    json_object_set_new(result, "first_over_limit",
                        json_pack("{s:i,s:s}", "forwarded_streams",
                                  (int)rooms->len * streams_per_room(), "reason", over));
  if (over && (int)json_array_size(steps) >= opt.min_steps) return over;
  if ((int)rooms->len >= opt.max_rooms) return "room limit of the run";
  if (self / dt > 0.9) return "the load generator's core is saturated";
  if ((double)(lg_now_us() - t_begin) / 1e6 > opt.time_limit) return "time limit of the run";
  return NULL;
}

static void memory_point(void) {
  json_array_append_new(c.mem_points,
                        json_pack("{s:i,s:I}", "participants", active_parts(), "pss_kb",
                                  (json_int_t)lg_proc_pss_kb(opt.server_pid)));
}

/* Removes the oldest room still present. */
static void leave_oldest_room(void) {
  for (guint i = 0; i < rooms->len; i++) {
    lg_room *r = g_ptr_array_index(rooms, i);
    if (!r->n_parts) continue;
    for (guint k = 0; k < lg.parts->len; k++) {
      lg_part *p = g_ptr_array_index(lg.parts, k);
      if (p && p->room == r && !p->gone) {
        part_leave(p);
        g_free(p);
        g_ptr_array_index(lg.parts, k) = NULL;
      }
    }
    r->n_parts = 0;
    break;
  }
}

/* One churn step: the oldest room leaves and a new one joins. */
static void churn_one(void) {
  leave_oldest_room();
  room_add();
  c.churned += opt.sc->room_size;
}

static gboolean controller(gpointer data) {
  int64_t now = lg_now_us();
  double in_phase = (double)(now - c.t_phase) / 1e6;
  bool memory = strcmp(opt.sc->name, "memory") == 0;
  switch (c.ph) {
  case PH_JOIN: {
    record_joins(c.step_from);
    int unready = count_unready(c.step_from);
    if (unready && in_phase < opt.join_timeout) break;
    if (unready) {
      LG_ERR("%d participants did not connect within %.0f s\n", unready, opt.join_timeout);
      for (guint i = (guint)c.step_from; i < lg.parts->len; i++) {
        lg_part *p = g_ptr_array_index(lg.parts, i);
        if (p && !part_ready(p))
          fprintf(stderr, "loadgen: participant %d: ws %s, publish %s, subscribe %s\n", p->index,
                  p->ws ? "open" : "none", p->pub ? (p->pub_up ? "up" : "connecting") : "none",
                  p->sub ? (p->sub_up ? "up" : "connecting") : "none");
      }
      c.stop = "participants did not connect";
      c.ph = PH_DONE;
      break;
    }
    account_join_cpu();
    c.ph = PH_SETTLE;
    c.t_phase = now;
    break;
  }
  case PH_SETTLE:
    if (in_phase < opt.settle) break;
    if (memory) {
      memory_point();
      if (active_parts() >= opt.max_parts) {
        /* Churn with a small room count, so that the joins and leaves,
         * not the media of hundreds of participants, load the server. */
        c.pss_full = lg_proc_pss_kb(opt.server_pid);
        while (active_parts() > 20)
          leave_oldest_room();
        c.ph = PH_SHRINK;
        c.t_phase = now;
      } else {
        begin_step();
      }
      break;
    }
    window_start();
    c.ph = PH_WINDOW;
    c.t_phase = now;
    break;
  case PH_WINDOW:
    if (in_phase < opt.window) break;
    c.stop = window_end();
    if (c.stop)
      c.ph = PH_DONE;
    else
      begin_step();
    break;
  case PH_SHRINK:
    if (in_phase < opt.settle + 2) break;
    c.pss_before_churn = lg_proc_pss_kb(opt.server_pid);
    c.ph = PH_CHURN;
    c.step_from = (int)lg.parts->len;
    c.cpu_step0 = lg_proc_cpu_s(opt.server_pid);
    c.t_step0 = now;
    c.t_phase = now;
    break;
  case PH_CHURN: {
    /* Keep at most 10 rooms joining at once. */
    record_joins(0);
    int unready = count_unready(0);
    if (c.churned >= opt.churn && !unready) {
      account_join_cpu();
      c.ph = PH_SETTLE2;
      c.t_phase = now;
      break;
    }
    if (unready && in_phase > opt.join_timeout) {
      c.stop = "participants did not connect during churn";
      c.ph = PH_DONE;
      break;
    }
    if (unready < 2 * opt.sc->room_size * 5 && c.churned < opt.churn) {
      churn_one();
      c.t_phase = now;
    }
    break;
  }
  case PH_SETTLE2:
    if (in_phase < opt.settle + 2) break;
    json_object_set_new(result, "churn",
                        json_pack("{s:i,s:I,s:I,s:I,s:i}", "join_leave_cycles", c.churned,
                                  "pss_full_kb", (json_int_t)c.pss_full, "pss_before_kb",
                                  (json_int_t)c.pss_before_churn, "pss_after_kb",
                                  (json_int_t)lg_proc_pss_kb(opt.server_pid), "participants",
                                  active_parts()));
    c.stop = "memory scenario done";
    c.ph = PH_DONE;
    break;
  case PH_DONE:
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
  }
  if (c.ph != PH_DONE && (double)(now - t_begin) / 1e6 > opt.time_limit + 120) {
    c.stop = "hard time limit";
    c.ph = PH_DONE;
  }
  return G_SOURCE_CONTINUE;
}

static gboolean media_tick(gpointer data) {
  lg_media_tick();
  return G_SOURCE_CONTINUE;
}

static gboolean keepalive_tick(gpointer data) {
  if (lg.server != LG_JANUS) return G_SOURCE_CONTINUE;
  for (guint i = 0; i < lg.parts->len; i++) {
    lg_part *p = g_ptr_array_index(lg.parts, i);
    if (p && !p->gone) lg_janus_keepalive(p);
  }
  return G_SOURCE_CONTINUE;
}

/* transport-cc feedback from every subscriber that takes it, at the
 * interval a browser uses at these rates. */
#define FEEDBACK_MS 50

static gboolean feedback_tick(gpointer data) {
  int64_t now = lg_now_us();
  for (guint i = 0; i < lg.parts->len; i++) {
    lg_part *p = g_ptr_array_index(lg.parts, i);
    if (p && !p->gone && p->fb && p->sub_up) lg_fb_send(p->fb, p->sub, now);
  }
  return G_SOURCE_CONTINUE;
}

/* The SRTP profiles one side's PeerConnections negotiated, by name. */
static json_t *profile_names(uint32_t profiles) {
  json_t *names = json_array();
  for (int id = 0; id < 32; id++)
    if (profiles & (1u << id))
      json_array_append_new(names, json_string(sv_dtls_srtp_profile_name((sv_srtp_profile)id)));
  return names;
}

static void usage(void) {
  fprintf(stderr, "usage: samvei-loadgen --server samvei|janus --url WS_URL --scenario "
                  "1to1|4party|presenter|audio|memory|simulcast|teaching --server-pid PID "
                  "[--step ROOMS] [--max-rooms N] [--max-parts N] [--churn N] [--settle S] "
                  "[--window S] "
                  "[--time-limit S] [--samples-every N] [--max-loss F] [--max-p99-ms MS] "
                  "[--join-timeout S] [--min-steps N] [--on-window CMD] [--simulcast] "
                  "[--twcc|--no-twcc] [--caps KBPS,...] [--out FILE]\n");
  exit(2);
}

int main(int argc, char **argv) {
  static const struct option longopts[] = {{"server", 1, 0, 's'},
                                           {"url", 1, 0, 'u'},
                                           {"scenario", 1, 0, 'c'},
                                           {"server-pid", 1, 0, 'p'},
                                           {"step", 1, 0, 'S'},
                                           {"max-rooms", 1, 0, 'R'},
                                           {"max-parts", 1, 0, 'P'},
                                           {"churn", 1, 0, 'C'},
                                           {"settle", 1, 0, 'e'},
                                           {"window", 1, 0, 'w'},
                                           {"time-limit", 1, 0, 't'},
                                           {"samples-every", 1, 0, 'n'},
                                           {"max-loss", 1, 0, 'l'},
                                           {"max-p99-ms", 1, 0, 'L'},
                                           {"out", 1, 0, 'o'},
                                           {"join-timeout", 1, 0, 'J'},
                                           {"min-steps", 1, 0, 'M'},
                                           {"on-window", 1, 0, 'W'},
                                           {"simulcast", 0, 0, 'Y'},
                                           {"twcc", 0, 0, 'T'},
                                           {"no-twcc", 0, 0, 'N'},
                                           {"caps", 1, 0, 'K'},
                                           {0, 0, 0, 0}};
  const char *server = NULL, *scen = NULL;
  lg.samples_every = 8;
  int ch;
  while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
    switch (ch) {
    case 's':
      server = optarg;
      break;
    case 'u':
      lg.url = optarg;
      break;
    case 'c':
      scen = optarg;
      break;
    case 'p':
      opt.server_pid = atoi(optarg);
      break;
    case 'S':
      opt.step = atoi(optarg);
      break;
    case 'R':
      opt.max_rooms = atoi(optarg);
      break;
    case 'P':
      opt.max_parts = atoi(optarg);
      break;
    case 'C':
      opt.churn = atoi(optarg);
      break;
    case 'e':
      opt.settle = atof(optarg);
      break;
    case 'w':
      opt.window = atof(optarg);
      break;
    case 't':
      opt.time_limit = atof(optarg);
      break;
    case 'n':
      lg.samples_every = atoi(optarg);
      break;
    case 'l':
      opt.max_loss = atof(optarg);
      break;
    case 'L':
      opt.max_p99_ms = atof(optarg);
      break;
    case 'o':
      opt.out = optarg;
      break;
    case 'J':
      opt.join_timeout = atof(optarg);
      break;
    case 'M':
      opt.min_steps = atoi(optarg);
      break;
    case 'W':
      opt.on_window = optarg;
      break;
    case 'Y':
      opt.simulcast = 1;
      break;
    case 'T':
      opt.twcc = 1;
      break;
    case 'N':
      opt.twcc = 0;
      break;
    case 'K':
      opt.caps = optarg;
      break;
    default:
      usage();
    }
  }
  if (!server || !lg.url || !scen || opt.server_pid <= 0 || lg.samples_every < 1) usage();
  if (strcmp(server, "samvei") == 0)
    lg.server = LG_SAMVEI;
  else if (strcmp(server, "janus") == 0)
    lg.server = LG_JANUS;
  else
    usage();
  for (size_t i = 0; i < G_N_ELEMENTS(scenarios); i++)
    if (strcmp(scenarios[i].name, scen) == 0) opt.sc = &scenarios[i];
  if (!opt.sc) usage();
  lg.simulcast = opt.sc->video && (opt.simulcast >= 0 ? opt.simulcast : opt.sc->simulcast);
  lg.twcc = opt.twcc >= 0 ? opt.twcc : lg.simulcast;
  if (lg.simulcast) {
    /* Caps only make sense with feedback: without it the relay never
     * learns of them, and forwards the top layer to everyone. */
    char **list = g_strsplit(opt.caps, ",", -1);
    for (char **c = list; *c && lg.n_caps < (int)G_N_ELEMENTS(lg.caps_kbps); c++)
      lg.caps_kbps[lg.n_caps++] = lg.twcc ? (uint32_t)strtoul(*c, NULL, 10) : 0;
    g_strfreev(list);
  }
  if (lg_proc_cpu_s(opt.server_pid) < 0) {
    fprintf(stderr, "loadgen: no process %d to measure\n", opt.server_pid);
    return 1;
  }

  sv_log_set_level(SV_LOG_WARN);
  if (sv_srtp_global_init() != 0) return 1;
  sv_dtls_identity *identity = NULL;
  if (sv_dtls_identity_new(&identity) != 0) return 1;
  /* What Chrome offers in DTLS use_srtp, in its order: the server under
   * test picks from it as it would with a browser. */
  if (sv_dtls_identity_set_srtp_profiles(identity, LG_BROWSER_SRTP_PROFILES) != 0) return 1;
  static uint8_t scratch[SV_PEER_SCRATCH], scratch_out[SV_PEER_SCRATCH + SV_SRTP_TRAILER];
  static sv_stats_block stats;
  static char *addrs[] = {"127.0.0.1", NULL};
  lg.env.ctx = g_main_context_default();
  lg.env.identity = identity;
  lg.env.ice_addresses = addrs;
  lg.env.scratch = scratch;
  lg.env.scratch_out = scratch_out;
  lg.env.stats = &stats;
  lg.parts = g_ptr_array_new();
  lg.run_id = g_get_real_time() / 1000000;
  lg.session = soup_session_new_with_options("max-conns", 10000, "max-conns-per-host", 10000, NULL);
  rooms = g_ptr_array_new_with_free_func(g_free);
  lg_media_init();
  /* teaching: samvei's rooms are group teachings, booked before the ramp
   * so that no step waits for the API. */
  if (strcmp(opt.sc->name, "teaching") == 0 && lg.server == LG_SAMVEI &&
      lg_book_teaching(opt.max_rooms, opt.sc->publishers, opt.sc->room_size - opt.sc->publishers))
    return 1;

  result = json_object();
  steps = json_array();
  c.mem_points = json_array();
  c.receivers = json_array();
  loop = g_main_loop_new(NULL, FALSE);
  t_begin = lg_now_us();
  g_timeout_add_full(G_PRIORITY_HIGH, 2, media_tick, NULL, NULL);
  g_timeout_add(50, controller, NULL);
  g_timeout_add_seconds(20, keepalive_tick, NULL);
  if (lg.twcc) g_timeout_add(FEEDBACK_MS, feedback_tick, NULL);
  if (strcmp(opt.sc->name, "memory") == 0) memory_point(); /* 0 participants */
  begin_step();
  g_main_loop_run(loop);

  json_object_set_new(result, "server", json_string(server));
  json_object_set_new(result, "scenario", json_string(opt.sc->name));
  json_object_set_new(result, "room_size", json_integer(opt.sc->room_size));
  json_object_set_new(result, "publishers_per_room", json_integer(opt.sc->publishers));
  json_object_set_new(result, "streams_per_room", json_integer(streams_per_room()));
  json_object_set_new(result, "samples_every", json_integer(lg.samples_every));
  json_object_set_new(result, "simulcast", json_boolean(lg.simulcast));
  json_object_set_new(result, "twcc", json_boolean(lg.twcc));
  json_object_set_new(result, "srtp",
                      json_pack("{s:o,s:o}", "publish", profile_names(lg.pub_profiles), "subscribe",
                                profile_names(lg.sub_profiles)));
  if (lg.simulcast) {
    json_t *caps = json_array(), *layers = json_array();
    for (int i = 0; i < LG_LAYERS; i++)
      json_array_append_new(layers, json_pack("{s:s,s:i,s:i}", "rid", lg_layers[i].rid, "kbps",
                                              (int)lg_layers[i].kbps, "keyframe_bytes",
                                              (int)lg_layers[i].key_bytes));
    for (int i = 0; i < lg.n_caps; i++)
      json_array_append_new(caps, json_integer(lg.caps_kbps[i]));
    json_object_set_new(result, "simulcast_layers", layers);
    json_object_set_new(result, "caps_kbps", caps);
    json_object_set_new(result, "receivers", c.receivers);
  } else {
    json_decref(c.receivers);
  }
  json_object_set_new(result, "stop_reason", json_string(c.stop ? c.stop : "?"));
  json_object_set_new(result, "steps", steps);
  if (json_array_size(c.mem_points))
    json_object_set_new(result, "memory_points", c.mem_points);
  else
    json_decref(c.mem_points);
  json_object_set_new(result, "join", lg_hist_json(&join_hist));
  json_object_set_new(result, "join_cpu_ms",
                      json_real(c.join_cpu_n ? 1000.0 * c.join_cpu_total / c.join_cpu_n : 0));
  json_object_set_new(result, "joins_timed", json_integer(c.join_cpu_n));
  json_object_set_new(
      result, "totals",
      json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "rtp_sent", (json_int_t)lg.rtp_sent,
                "rtp_received", (json_int_t)lg.rtp_recv, "sampled", (json_int_t)lg.sampled,
                "pli_received", (json_int_t)lg.pli_in, "nack_received", (json_int_t)lg.nack_in,
                "retransmitted", (json_int_t)lg.retrans, "rtx_received", (json_int_t)lg.rtx_recv,
                "feedback_sent", (json_int_t)lg.fb_sent, "virtual_link_drops",
                (json_int_t)lg.fb_virt_lost, "errors", (json_int_t)lg.errors));
  int rc = 0;
  char *text = json_dumps(result, JSON_INDENT(1));
  if (opt.out) {
    FILE *f = fopen(opt.out, "w");
    if (!f || fputs(text, f) < 0) {
      fprintf(stderr, "loadgen: cannot write %s: %s\n", opt.out, strerror(errno));
      rc = 1;
    }
    if (f) fclose(f);
  } else {
    puts(text);
  }
  free(text);
  json_decref(result);
  fprintf(stderr, "loadgen: stopped: %s\n", c.stop ? c.stop : "?");
  if (getenv("LG_DEBUG")) {
    /* What every participant received, stream by stream. */
    for (guint i = 0; i < lg.parts->len; i++) {
      lg_part *p = g_ptr_array_index(lg.parts, i);
      for (int k = 0; p && k < p->n_in; k++)
        fprintf(stderr,
                "loadgen: participant %d ssrc %u: %" G_GUINT64_FORMAT
                " packets, sampled layers %u/%u/%u/%u\n",
                p->index, p->in[k].ssrc, p->in[k].received, p->in[k].layer_hits[0],
                p->in[k].layer_hits[1], p->in[k].layer_hits[2], p->in[k].layer_hits[3]);
    }
  }
  /* No teardown: participants, peers and the session are still live;
   * exiting closes every socket, and the servers notice. */
  return rc;
}
