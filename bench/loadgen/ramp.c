/*
 * ramp.c — samvei-loadgen's ramp: rooms and participants added step by
 * step, and the controller, a small state machine on a 50 ms timer, that
 * waits for each step's PeerConnections, lets the load settle, measures a
 * window (the server's CPU time and PSS, forwarded packets, loss, latency,
 * simulcast layers) and decides when to stop; the memory scenario's
 * shrink, churn and settle phases. main.c parses the options and writes
 * the result.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/loadgen/lg.h"

static lg_ramp_opts opt;
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
int lg_ramp_streams_per_room(void) {
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
  json_t *s = json_pack("{s:i,s:i,s:i,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:I,s:f,s:o,s:o,s:o}", "rooms",
                        (int)rooms->len, "participants", active_parts(), "forwarded_streams",
                        (int)rooms->len * lg_ramp_streams_per_room(), "window_s", dt,
                        "server_cpu_s", cpu, "server_cpu_frac", cpu / dt, "forwarded_pps", pps,
                        "sent_pps", (double)(lg.rtp_sent - c.sent0) / dt, "cpu_s_per_1000_pkts",
                        drecv ? cpu / ((double)drecv / 1000.0) : 0, "pps_per_core",
                        cpu > 0 ? (double)drecv / cpu : 0, "server_pss_kb",
                        (json_int_t)lg_proc_pss_kb(opt.server_pid), "loss", loss, "latency",
                        lg_hist_json(&lg.lat), "latency_keyframe", lg_hist_json(&lg.lat_key),
                        "latency_all", lg_hist_json(&all));
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
          (int)rooms->len * lg_ramp_streams_per_room(), pps, 100 * cpu / dt, 100 * loss,
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
                                  (int)rooms->len * lg_ramp_streams_per_room(), "reason", over));
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

gboolean lg_ramp_tick(gpointer data) {
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

void lg_ramp_init(const lg_ramp_opts *o, json_t *res) {
  opt = *o;
  result = res;
  rooms = g_ptr_array_new_with_free_func(g_free);
  steps = json_array();
  c.mem_points = json_array();
  c.receivers = json_array();
  loop = g_main_loop_new(NULL, FALSE);
  t_begin = lg_now_us();
}

void lg_ramp_run(void) {
  if (strcmp(opt.sc->name, "memory") == 0) memory_point(); /* 0 participants */
  begin_step();
  g_main_loop_run(loop);
}

void lg_ramp_report(bool simulcast) {
  if (simulcast)
    json_object_set_new(result, "receivers", c.receivers);
  else
    json_decref(c.receivers);
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
}

const char *lg_ramp_stop_reason(void) {
  return c.stop ? c.stop : "?";
}
