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
 *
 * This file parses the options, sets up the participants' environment and
 * writes the result; the ramp and its measurements are in ramp.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/loadgen/lg.h"
#include "relay/srtp.h"

lg_state lg;

/* simulcast: one camera in three layers to three viewers on different
 * links (by default none, 1 Mbit/s and 400 kbit/s: the top, middle and
 * lowest layer). */
static const lg_scenario scenarios[] = {
    {"1to1", 2, 2, true, 2, false},       {"4party", 4, 4, true, 1, false},
    {"presenter", 16, 1, true, 1, false}, {"audio", 2, 2, false, 10, false},
    {"memory", 2, 2, false, 10, false},   {"simulcast", 4, 1, true, 1, true},
    {"teaching", 51, 1, true, 1, false},
};

#define DEFAULT_CAPS "0,1000,400"

static lg_ramp_opts ramp = {.step = 0,
                            .max_rooms = 1000,
                            .max_parts = 200,
                            .churn = 1000,
                            .settle = 3,
                            .window = 10,
                            .time_limit = 600,
                            .join_timeout = 20,
                            .max_loss = 0.001,
                            .max_p99_ms = 5};

static struct {
  const char *out;
  int simulcast, twcc; /* -1 = as the scenario says */
  const char *caps;
} opt = {.simulcast = -1, .twcc = -1, .caps = DEFAULT_CAPS};

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
      ramp.server_pid = atoi(optarg);
      break;
    case 'S':
      ramp.step = atoi(optarg);
      break;
    case 'R':
      ramp.max_rooms = atoi(optarg);
      break;
    case 'P':
      ramp.max_parts = atoi(optarg);
      break;
    case 'C':
      ramp.churn = atoi(optarg);
      break;
    case 'e':
      ramp.settle = atof(optarg);
      break;
    case 'w':
      ramp.window = atof(optarg);
      break;
    case 't':
      ramp.time_limit = atof(optarg);
      break;
    case 'n':
      lg.samples_every = atoi(optarg);
      break;
    case 'l':
      ramp.max_loss = atof(optarg);
      break;
    case 'L':
      ramp.max_p99_ms = atof(optarg);
      break;
    case 'o':
      opt.out = optarg;
      break;
    case 'J':
      ramp.join_timeout = atof(optarg);
      break;
    case 'M':
      ramp.min_steps = atoi(optarg);
      break;
    case 'W':
      ramp.on_window = optarg;
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
  if (!server || !lg.url || !scen || ramp.server_pid <= 0 || lg.samples_every < 1) usage();
  if (strcmp(server, "samvei") == 0)
    lg.server = LG_SAMVEI;
  else if (strcmp(server, "janus") == 0)
    lg.server = LG_JANUS;
  else
    usage();
  for (size_t i = 0; i < G_N_ELEMENTS(scenarios); i++)
    if (strcmp(scenarios[i].name, scen) == 0) ramp.sc = &scenarios[i];
  if (!ramp.sc) usage();
  lg.simulcast = ramp.sc->video && (opt.simulcast >= 0 ? opt.simulcast : ramp.sc->simulcast);
  lg.twcc = opt.twcc >= 0 ? opt.twcc : lg.simulcast;
  if (lg.simulcast) {
    /* Caps only make sense with feedback: without it the relay never
     * learns of them, and forwards the top layer to everyone. */
    char **list = g_strsplit(opt.caps, ",", -1);
    for (char **c = list; *c && lg.n_caps < (int)G_N_ELEMENTS(lg.caps_kbps); c++)
      lg.caps_kbps[lg.n_caps++] = lg.twcc ? (uint32_t)strtoul(*c, NULL, 10) : 0;
    g_strfreev(list);
  }
  if (lg_proc_cpu_s(ramp.server_pid) < 0) {
    fprintf(stderr, "loadgen: no process %d to measure\n", ramp.server_pid);
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
  lg_media_init();
  /* teaching: samvei's rooms are group teachings, booked before the ramp
   * so that no step waits for the API. */
  if (strcmp(ramp.sc->name, "teaching") == 0 && lg.server == LG_SAMVEI &&
      lg_book_teaching(ramp.max_rooms, ramp.sc->publishers,
                       ramp.sc->room_size - ramp.sc->publishers))
    return 1;

  json_t *result = json_object();
  lg_ramp_init(&ramp, result);
  g_timeout_add_full(G_PRIORITY_HIGH, 2, media_tick, NULL, NULL);
  g_timeout_add(50, lg_ramp_tick, NULL);
  g_timeout_add_seconds(20, keepalive_tick, NULL);
  if (lg.twcc) g_timeout_add(FEEDBACK_MS, feedback_tick, NULL);
  lg_ramp_run();

  json_object_set_new(result, "server", json_string(server));
  json_object_set_new(result, "scenario", json_string(ramp.sc->name));
  json_object_set_new(result, "room_size", json_integer(ramp.sc->room_size));
  json_object_set_new(result, "publishers_per_room", json_integer(ramp.sc->publishers));
  json_object_set_new(result, "streams_per_room", json_integer(lg_ramp_streams_per_room()));
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
  }
  lg_ramp_report(lg.simulcast);
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
  fprintf(stderr, "loadgen: stopped: %s\n", lg_ramp_stop_reason());
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
