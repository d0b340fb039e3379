/*
 * peer.c — a headless WebRTC participant on GStreamer's webrtcbin.
 *
 * Two webrtcbins in one pipeline mirror the browser client: "pub" sends a
 * test pattern (and tone) on sendonly transceivers and offers; "sub" answers
 * the relay's subscribe offers and decodes what arrives. Signalling is the
 * samvei-v1 protocol over a libsoup WebSocket.
 *
 * webrtcbin calls back from its own threads; everything that touches the
 * WebSocket or our tables is marshalled to the main context first. Decoded
 * buffers are only counted (atomics), never kept.
 */
#include "media/media.h"

#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#define GST_USE_UNSTABLE_API
#include <gst/webrtc/webrtc.h>
#include <jansson.h>
#include <libsoup/soup.h>
#include <stdatomic.h>
#include <string.h>

#include "common/common.h"

/* One remote track as this peer receives it. Counters are written from
 * streaming threads, read from the main thread. */
typedef struct rtrack {
  char mid[16];
  char participant[64];
  char kind[8];
  char codec[8];
  _Atomic int64_t frames;   /* decoded video frames or audio buffers */
  _Atomic int64_t bytes;    /* RTP bytes received */
  _Atomic int64_t first_us; /* monotonic time of the first decoded buffer, 0 = none */
  gint64 last_bytes, last_report_us;
} rtrack;

struct sv_media_peer {
  sv_media_peer_config cfg;
  char *url, *room, *name, *token, *codec;
  FILE *out;
  void (*done)(void *user, const char *reason);
  void *user;
  bool finished;
  SoupSession *session;
  SoupWebsocketConnection *ws;
  GCancellable *cancel;
  GstElement *pipe, *pub, *sub;
  guint bus_watch;
  char self[64];
  int next_id;
  gint64 joined_us;
  char pub_mids[8][16];
  GMutex lock;           /* guards tracks against pad-added on streaming threads */
  GPtrArray *tracks;     /* rtrack*, owned */
  GHashTable *mid_owner; /* mid → participant, from the latest subscribe */
  GHashTable *mid_kind;
  guint pending_subscribes;
  guint timers[4];    /* host actions (record request/start/stop, capture) */
  char other[64];     /* the first other participant seen */
  bool pub_connected; /* the server said our publish PeerConnection is up */
  guint ready_poll;   /* waits for media both ways before the host actions */
  int consent_sent;   /* answered the current recording request */
};

static void emit(sv_media_peer *p, json_t *obj) {
  char *s = json_dumps(obj, JSON_COMPACT);
  fprintf(p->out, "%s\n", s);
  fflush(p->out);
  free(s);
  json_decref(obj);
}

static void finish(sv_media_peer *p, const char *reason) {
  if (p->finished) return;
  p->finished = true;
  emit(p, json_pack("{s:s,s:s}", "event", "stopped", "reason", reason));
  if (p->done) p->done(p->user, reason);
}

static void send_json(sv_media_peer *p, json_t *msg) {
  if (!p->ws || soup_websocket_connection_get_state(p->ws) != SOUP_WEBSOCKET_STATE_OPEN) {
    json_decref(msg);
    return;
  }
  char *s = json_dumps(msg, JSON_COMPACT);
  soup_websocket_connection_send_text(p->ws, s);
  free(s);
  json_decref(msg);
}

/* ---- marshalling from webrtcbin threads ---- */

typedef struct call {
  sv_media_peer *p;
  void (*fn)(sv_media_peer *p, struct call *c);
  GstElement *webrtc;
  GstWebRTCSessionDescription *desc;
  guint mline;
  char *text;
  uint32_t rev;
} call;

static gboolean run_call(gpointer data) {
  call *c = data;
  c->fn(c->p, c);
  return G_SOURCE_REMOVE;
}

static void free_call(gpointer data) {
  call *c = data;
  if (c->desc) gst_webrtc_session_description_free(c->desc);
  g_free(c->text);
  g_free(c);
}

static void post(sv_media_peer *p, call *c) {
  c->p = p;
  g_main_context_invoke_full(NULL, G_PRIORITY_DEFAULT, run_call, c, free_call);
}

/* ---- publish side ---- */

static void remember_mids(char mids[8][16], const GstSDPMessage *sdp) {
  memset(mids, 0, 8 * 16);
  for (guint i = 0; i < gst_sdp_message_medias_len(sdp) && i < 8; i++) {
    const char *mid = gst_sdp_media_get_attribute_val(gst_sdp_message_get_media(sdp, i), "mid");
    g_strlcpy(mids[i], mid ? mid : "", 16);
  }
}

static void do_send_publish(sv_media_peer *p, call *c) {
  gchar *text = gst_sdp_message_as_text(c->desc->sdp);
  remember_mids(p->pub_mids, c->desc->sdp);
  send_json(p, json_pack("{s:s,s:s,s:s}", "type", "publish", "id", "publish", "sdp", text));
  g_free(text);
}

static void on_offer_created(GstPromise *promise, gpointer data) {
  sv_media_peer *p = data;
  const GstStructure *reply = gst_promise_get_reply(promise);
  GstWebRTCSessionDescription *offer = NULL;
  if (reply) gst_structure_get(reply, "offer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &offer, NULL);
  gst_promise_unref(promise);
  if (!offer) return;
  g_signal_emit_by_name(p->pub, "set-local-description", offer, NULL);
  call *c = g_new0(call, 1);
  c->fn = do_send_publish;
  c->desc = offer;
  post(p, c);
}

static void on_negotiation_needed(GstElement *webrtc, gpointer data) {
  sv_media_peer *p = data;
  GstPromise *promise = gst_promise_new_with_change_func(on_offer_created, p, NULL);
  g_signal_emit_by_name(webrtc, "create-offer", NULL, promise);
}

static void do_send_candidate(sv_media_peer *p, call *c) {
  bool is_pub = c->webrtc == p->pub;
  const char *mid = is_pub && c->mline < 8 ? p->pub_mids[c->mline] : "0";
  send_json(p, json_pack("{s:s,s:s,s:s,s:s}", "type", "candidate", "pc",
                         is_pub ? "publish" : "subscribe", "candidate", c->text, "sdpMid", mid));
}

static void on_ice_candidate(GstElement *webrtc, guint mline, gchar *cand, gpointer data) {
  sv_media_peer *p = data;
  call *c = g_new0(call, 1);
  c->fn = do_send_candidate;
  c->webrtc = webrtc;
  c->mline = mline;
  c->text = g_strdup(cand);
  post(p, c);
}

static void set_remote(GstElement *webrtc, GstWebRTCSDPType type, const char *text) {
  GstSDPMessage *sdp = NULL;
  gst_sdp_message_new_from_text(text, &sdp);
  GstWebRTCSessionDescription *desc = gst_webrtc_session_description_new(type, sdp);
  g_signal_emit_by_name(webrtc, "set-remote-description", desc, NULL);
  gst_webrtc_session_description_free(desc);
}

/* ---- subscribe side ---- */

static void do_send_answer(sv_media_peer *p, call *c) {
  gchar *text = gst_sdp_message_as_text(c->desc->sdp);
  send_json(p, json_pack("{s:s,s:I,s:s}", "type", "subscribe-answer", "rev", (json_int_t)c->rev,
                         "sdp", text));
  g_free(text);
}

typedef struct answer_ctx {
  sv_media_peer *p;
  uint32_t rev;
} answer_ctx;

static void on_answer_created(GstPromise *promise, gpointer data) {
  answer_ctx *a = data;
  const GstStructure *reply = gst_promise_get_reply(promise);
  GstWebRTCSessionDescription *answer = NULL;
  if (reply) gst_structure_get(reply, "answer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &answer, NULL);
  gst_promise_unref(promise);
  if (answer) {
    g_signal_emit_by_name(a->p->sub, "set-local-description", answer, NULL);
    call *c = g_new0(call, 1);
    c->fn = do_send_answer;
    c->desc = answer;
    c->rev = a->rev;
    post(a->p, c);
  }
  g_free(a);
}

static void on_subscribe(sv_media_peer *p, json_t *msg) {
  json_t *rev = json_object_get(msg, "rev"), *sdp = json_object_get(msg, "sdp");
  json_t *tracks = json_object_get(msg, "tracks");
  if (!json_is_integer(rev) || !json_is_string(sdp)) return;
  g_mutex_lock(&p->lock);
  g_hash_table_remove_all(p->mid_owner);
  g_hash_table_remove_all(p->mid_kind);
  size_t i;
  json_t *t;
  json_array_foreach(tracks, i, t) {
    const char *mid = json_string_value(json_object_get(t, "mid"));
    const char *who = json_string_value(json_object_get(t, "participant"));
    const char *kind = json_string_value(json_object_get(t, "kind"));
    if (mid && who && kind) {
      g_hash_table_insert(p->mid_owner, g_strdup(mid), g_strdup(who));
      g_hash_table_insert(p->mid_kind, g_strdup(mid), g_strdup(kind));
    }
  }
  /* A track whose mid now carries someone else is a new track. */
  for (guint k = 0; k < p->tracks->len; k++) {
    rtrack *r = g_ptr_array_index(p->tracks, k);
    const char *who = g_hash_table_lookup(p->mid_owner, r->mid);
    if (who && strcmp(who, r->participant) != 0)
      g_strlcpy(r->participant, who, sizeof r->participant);
  }
  g_mutex_unlock(&p->lock);
  set_remote(p->sub, GST_WEBRTC_SDP_TYPE_OFFER, json_string_value(sdp));
  answer_ctx *a = g_new0(answer_ctx, 1);
  a->p = p;
  a->rev = (uint32_t)json_integer_value(rev);
  GstPromise *promise = gst_promise_new_with_change_func(on_answer_created, a, NULL);
  g_signal_emit_by_name(p->sub, "create-answer", NULL, promise);
}

static GstPadProbeReturn count_rtp(GstPad *pad, GstPadProbeInfo *info, gpointer data) {
  rtrack *r = data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
  if (buf) atomic_fetch_add(&r->bytes, (int64_t)gst_buffer_get_size(buf));
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn count_decoded(GstPad *pad, GstPadProbeInfo *info, gpointer data) {
  rtrack *r = data;
  if (atomic_fetch_add(&r->frames, 1) == 0) atomic_store(&r->first_us, g_get_monotonic_time());
  return GST_PAD_PROBE_OK;
}

/* Streaming thread: a new remote stream; decode it into a counting sink. */
static void on_pad_added(GstElement *webrtc, GstPad *pad, gpointer data) {
  sv_media_peer *p = data;
  if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC) return;
  GstCaps *caps = gst_pad_get_current_caps(pad);
  if (!caps) caps = gst_pad_query_caps(pad, NULL);
  const GstStructure *s = gst_caps_get_structure(caps, 0);
  const char *enc = gst_structure_get_string(s, "encoding-name");
  const char *chain = NULL, *codec = "";
  if (enc && g_ascii_strcasecmp(enc, "VP8") == 0) {
    chain = "rtpvp8depay ! vp8dec ! fakesink name=sink sync=false async=false";
    codec = "vp8";
  } else if (enc && g_ascii_strcasecmp(enc, "H264") == 0) {
    chain = "rtph264depay ! h264parse ! avdec_h264 ! fakesink name=sink sync=false async=false";
    codec = "h264";
  } else if (enc && g_ascii_strcasecmp(enc, "OPUS") == 0) {
    chain = "rtpopusdepay ! opusdec ! fakesink name=sink sync=false async=false";
    codec = "opus";
  }
  gst_caps_unref(caps);
  if (!chain) return;

  rtrack *r = g_new0(rtrack, 1);
  GstWebRTCRTPTransceiver *trans = NULL;
  g_object_get(pad, "transceiver", &trans, NULL);
  gchar *mid = NULL;
  if (trans) g_object_get(trans, "mid", &mid, NULL);
  g_strlcpy(r->mid, mid ? mid : "?", sizeof r->mid);
  g_strlcpy(r->codec, codec, sizeof r->codec);
  g_strlcpy(r->kind, strcmp(codec, "opus") == 0 ? "audio" : "video", sizeof r->kind);
  g_free(mid);
  if (trans) gst_object_unref(trans);
  g_mutex_lock(&p->lock);
  const char *who = g_hash_table_lookup(p->mid_owner, r->mid);
  g_strlcpy(r->participant, who ? who : "", sizeof r->participant);
  g_ptr_array_add(p->tracks, r);
  g_mutex_unlock(&p->lock);

  gchar *desc = g_strdup_printf("queue ! %s", chain);
  GError *err = NULL;
  GstElement *bin = gst_parse_bin_from_description(desc, TRUE, &err);
  g_free(desc);
  if (!bin) {
    g_clear_error(&err);
    return;
  }
  gst_bin_add(GST_BIN(p->pipe), bin);
  gst_element_sync_state_with_parent(bin);
  GstPad *sinkpad = gst_element_get_static_pad(bin, "sink");
  gst_pad_link(pad, sinkpad);
  gst_object_unref(sinkpad);
  gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, count_rtp, r, NULL);
  GstElement *sink = gst_bin_get_by_name(GST_BIN(bin), "sink");
  GstPad *spad = gst_element_get_static_pad(sink, "sink");
  gst_pad_add_probe(spad, GST_PAD_PROBE_TYPE_BUFFER, count_decoded, r, NULL);
  gst_object_unref(spad);
  gst_object_unref(sink);
}

/* ---- signalling ---- */

static gboolean on_bus(GstBus *bus, GstMessage *msg, gpointer data) {
  sv_media_peer *p = data;
  if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
    GError *err = NULL;
    gst_message_parse_error(msg, &err, NULL);
    char reason[300];
    snprintf(reason, sizeof reason, "media pipeline error from %s: %s", GST_OBJECT_NAME(msg->src),
             err ? err->message : "unknown");
    g_clear_error(&err);
    finish(p, reason);
  }
  return G_SOURCE_CONTINUE;
}

static void start_media(sv_media_peer *p) {
  if (gst_element_set_state(p->pipe, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    finish(p, "the media pipeline could not start");
}

/* ---- host actions and consent (docs/protocol.md, "Recording") ---- */

static gboolean on_action(gpointer data);

typedef struct action {
  sv_media_peer *p;
  int index;
} action;

static gboolean on_action(gpointer data) {
  action *a = data;
  sv_media_peer *p = a->p;
  p->timers[a->index] = 0;
  static const char *const types[] = {"record-request", "record-start", "record-stop", "capture"};
  json_t *msg = json_pack("{s:s,s:s}", "type", types[a->index], "id", types[a->index]);
  if (a->index == 3) json_object_set_new(msg, "participant", json_string(p->other));
  emit(p, json_pack("{s:s,s:s}", "event", "sent", "type", types[a->index]));
  send_json(p, msg);
  return G_SOURCE_REMOVE;
}

static void schedule_actions(sv_media_peer *p);

/* Host actions count from the moment media flows both ways (our publish is
 * connected and we decode someone's video), so that a slow start does not
 * eat into a recording's length. */
static gboolean on_ready_poll(gpointer data) {
  sv_media_peer *p = data;
  bool decoded = false;
  g_mutex_lock(&p->lock);
  for (guint i = 0; i < p->tracks->len && !decoded; i++) {
    rtrack *r = g_ptr_array_index(p->tracks, i);
    decoded = strcmp(r->kind, "video") == 0 && atomic_load(&r->frames) > 0;
  }
  g_mutex_unlock(&p->lock);
  if (!decoded || (p->cfg.publish && !p->pub_connected)) return G_SOURCE_CONTINUE;
  p->ready_poll = 0;
  emit(p, json_pack("{s:s}", "event", "media-ready"));
  schedule_actions(p);
  return G_SOURCE_REMOVE;
}

static void schedule_actions(sv_media_peer *p) {
  int at[4] = {p->cfg.record_request_s, p->cfg.record_start_s, p->cfg.record_stop_s,
               p->cfg.capture_s};
  for (int i = 0; i < 4; i++) {
    if (at[i] <= 0) continue;
    action *a = g_new0(action, 1);
    a->p = p;
    a->index = i;
    p->timers[i] =
        g_timeout_add_full(G_PRIORITY_DEFAULT, (guint)at[i] * 1000, on_action, a, g_free);
  }
}

static void on_recording(sv_media_peer *p, json_t *msg) {
  const char *state = json_string_value(json_object_get(msg, "state"));
  if (!state) return;
  if (strcmp(state, "asking") != 0) {
    p->consent_sent = 0;
    return;
  }
  if (p->cfg.consent == 0 || p->consent_sent) return;
  /* Already among those who agreed (the host who asked)? */
  size_t i;
  json_t *id;
  json_array_foreach(json_object_get(msg, "agreed"), i, id) {
    if (strcmp(json_string_value(id) ?: "", p->self) == 0) return;
  }
  p->consent_sent = 1;
  send_json(p, json_pack("{s:s,s:s,s:b}", "type", "record-consent", "id", "record-consent", "agree",
                         p->cfg.consent > 0));
}

/* A host asks for a still of our camera: answered as --consent says. */
static void on_capture_request(sv_media_peer *p, json_t *msg) {
  const char *request = json_string_value(json_object_get(msg, "request"));
  if (p->cfg.consent == 0 || !request) return;
  send_json(p, json_pack("{s:s,s:s,s:s,s:b}", "type", "capture-consent", "id", "capture-consent",
                         "request", request, "agree", p->cfg.consent > 0));
}

static void on_ws_message(SoupWebsocketConnection *ws, gint type, GBytes *bytes, gpointer data) {
  sv_media_peer *p = data;
  if (type != SOUP_WEBSOCKET_DATA_TEXT) return;
  gsize len;
  const char *text = g_bytes_get_data(bytes, &len);
  json_t *msg = json_loadb(text, len, 0, NULL);
  const char *t = msg ? json_string_value(json_object_get(msg, "type")) : NULL;
  if (!t) {
    json_decref(msg);
    return;
  }
  const char *id = json_string_value(json_object_get(msg, "id"));
  if (strcmp(t, "ok") == 0 && id && strcmp(id, "join") == 0) {
    g_strlcpy(p->self, json_string_value(json_object_get(msg, "self")) ?: "", sizeof p->self);
    p->joined_us = g_get_monotonic_time();
    emit(p, json_pack("{s:s,s:s,s:O}", "event", "joined", "self", p->self, "role",
                      json_object_get(msg, "role")));
    json_t *list = json_object_get(msg, "participants");
    size_t i;
    json_t *o;
    json_array_foreach(list, i, o) {
      const char *pid = json_string_value(json_object_get(o, "id"));
      if (pid && !p->other[0]) g_strlcpy(p->other, pid, sizeof p->other);
    }
    start_media(p);
    if (p->cfg.record_request_s || p->cfg.record_start_s || p->cfg.record_stop_s ||
        p->cfg.capture_s)
      p->ready_poll = g_timeout_add(200, on_ready_poll, p);
  } else if (strcmp(t, "ok") == 0 && id && strcmp(id, "publish") == 0) {
    set_remote(p->pub, GST_WEBRTC_SDP_TYPE_ANSWER, json_string_value(json_object_get(msg, "sdp")));
  } else if (strcmp(t, "error") == 0) {
    emit(p,
         json_pack("{s:s,s:O,s:O,s:O}", "event", "error", "id", json_object_get(msg, "id"), "code",
                   json_object_get(msg, "code"), "message", json_object_get(msg, "message")));
    if (id && (strcmp(id, "join") == 0 || strcmp(id, "publish") == 0))
      finish(p, "the server refused a request");
  } else if (strcmp(t, "subscribe") == 0) {
    on_subscribe(p, msg);
  } else if (strcmp(t, "candidate") == 0) {
    const char *pc = json_string_value(json_object_get(msg, "pc"));
    const char *cand = json_string_value(json_object_get(msg, "candidate"));
    if (pc && cand && *cand)
      g_signal_emit_by_name(strcmp(pc, "publish") == 0 ? p->pub : p->sub, "add-ice-candidate", 0,
                            cand);
  } else if (strcmp(t, "ok") == 0 && id && strcmp(id, "join") != 0 && strcmp(id, "publish") != 0) {
    emit(p, json_pack("{s:s,s:s,s:O?}", "event", "ok", "id", id, "state",
                      json_object_get(msg, "state")));
  } else if (strcmp(t, "pc-state") == 0 || strcmp(t, "participant-joined") == 0 ||
             strcmp(t, "participant-left") == 0 || strcmp(t, "recording") == 0 ||
             strcmp(t, "capture-ready") == 0 || strcmp(t, "capture-failed") == 0 ||
             strcmp(t, "captured") == 0 || strcmp(t, "capture-request") == 0) {
    if (strcmp(t, "participant-joined") == 0 && !p->other[0]) {
      const char *pid =
          json_string_value(json_object_get(json_object_get(msg, "participant"), "id"));
      if (pid) g_strlcpy(p->other, pid, sizeof p->other);
    }
    if (strcmp(t, "recording") == 0) on_recording(p, msg);
    if (strcmp(t, "capture-request") == 0) on_capture_request(p, msg);
    if (strcmp(t, "pc-state") == 0 &&
        strcmp(json_string_value(json_object_get(msg, "pc")) ?: "", "publish") == 0)
      p->pub_connected =
          strcmp(json_string_value(json_object_get(msg, "state")) ?: "", "connected") == 0;
    json_t *ev = json_deep_copy(msg);
    json_object_set_new(ev, "event", json_string(t));
    json_object_del(ev, "type");
    emit(p, ev);
  }
  json_decref(msg);
}

static void on_ws_closed(SoupWebsocketConnection *ws, gpointer data) {
  finish(data, "the signalling connection closed");
}

static void on_ws_connected(GObject *src, GAsyncResult *res, gpointer data) {
  sv_media_peer *p = data;
  GError *err = NULL;
  SoupWebsocketConnection *ws = soup_session_websocket_connect_finish(SOUP_SESSION(src), res, &err);
  if (!ws) {
    if (!g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      char reason[256];
      snprintf(reason, sizeof reason, "cannot connect to %s: %s", p->url, err->message);
      finish(p, reason);
    }
    g_error_free(err);
    return;
  }
  p->ws = ws;
  soup_websocket_connection_set_max_incoming_payload_size(ws, 1024 * 1024);
  g_signal_connect(ws, "message", G_CALLBACK(on_ws_message), p);
  g_signal_connect(ws, "closed", G_CALLBACK(on_ws_closed), p);
  json_t *join = json_pack("{s:s,s:s,s:s,s:s}", "type", "join", "id", "join", "room", p->room,
                           "name", p->name);
  /* A headless participant has no person to read the privacy notice; whoever
   * runs it with an invitation acknowledges it by doing so. */
  if (p->token) {
    json_object_set_new(join, "token", json_string(p->token));
    json_object_set_new(join, "noticeAck", json_true());
  }
  send_json(p, join);
}

static gboolean accept_any_cert(SoupMessage *msg, GTlsCertificate *cert, GTlsCertificateFlags e,
                                gpointer data) {
  return TRUE;
}

static char *pipeline_description(const sv_media_peer_config *c) {
  GString *d = g_string_new("webrtcbin name=pub bundle-policy=max-bundle "
                            "webrtcbin name=sub bundle-policy=max-bundle ");
  if (!c->publish) return g_string_free(d, FALSE);
  /* A file is decoded and paced to real time (clocksync), then scaled to
   * the requested size and rate like the test pattern. */
  if (c->file)
    g_string_append_printf(d,
                           "filesrc location=\"%s\" ! decodebin name=dec "
                           "dec. ! queue ! videoconvert ! videoscale ! videorate ! "
                           "video/x-raw,width=%d,height=%d,framerate=%d/1 ! clocksync ! queue ! ",
                           c->file, c->width, c->height, c->fps);
  else
    g_string_append_printf(
        d,
        "videotestsrc is-live=true pattern=ball ! "
        "video/x-raw,width=%d,height=%d,framerate=%d/1 ! videoconvert ! queue ! ",
        c->width, c->height, c->fps);
  if (strcmp(c->codec, "h264") == 0)
    g_string_append_printf(
        d,
        "x264enc tune=zerolatency speed-preset=ultrafast bitrate=%d key-int-max=%d ! "
        "video/x-h264,profile=constrained-baseline ! rtph264pay pt=102 config-interval=-1 "
        "aggregate-mode=zero-latency ! application/x-rtp,media=video,encoding-name=H264,"
        "payload=102,clock-rate=90000,packetization-mode=(string)1 ! pub. ",
        c->video_kbps, c->fps * 3);
  else
    g_string_append_printf(d,
                           "vp8enc deadline=1 cpu-used=8 target-bitrate=%d keyframe-max-dist=%d ! "
                           "rtpvp8pay pt=96 picture-id-mode=15-bit ! application/x-rtp,media=video,"
                           "encoding-name=VP8,payload=96,clock-rate=90000 ! pub. ",
                           c->video_kbps * 1000, c->fps * 3);
  if (c->audio)
    g_string_append_printf(d,
                           "%s ! audioconvert ! audioresample ! opusenc bitrate=32000 ! "
                           "rtpopuspay pt=111 ! application/x-rtp,media=audio,encoding-name=OPUS,"
                           "payload=111,clock-rate=48000 ! pub. ",
                           c->file ? "dec. ! queue ! audioconvert ! clocksync"
                                   : "audiotestsrc is-live=true wave=sine freq=440 volume=0.3");
  return g_string_free(d, FALSE);
}

int sv_media_peer_new(const sv_media_peer_config *config, FILE *out,
                      void (*done)(void *user, const char *reason), void *user,
                      sv_media_peer **out_peer) {
  if (!config->url || !config->room || !config->name || !config->codec ||
      (strcmp(config->codec, "vp8") != 0 && strcmp(config->codec, "h264") != 0) ||
      config->width <= 0 || config->height <= 0 || config->fps <= 0 || config->video_kbps <= 0 ||
      (config->file &&
       (strchr(config->file, '"') || !g_file_test(config->file, G_FILE_TEST_IS_REGULAR))))
    return SV_EINVAL;
  sv_media_peer *p = g_new0(sv_media_peer, 1);
  p->cfg = *config;
  p->url = g_strdup(config->url);
  p->room = g_strdup(config->room);
  p->name = g_strdup(config->name);
  p->token = g_strdup(config->token);
  p->codec = g_strdup(config->codec);
  p->cfg.url = p->url;
  p->cfg.room = p->room;
  p->cfg.name = p->name;
  p->cfg.token = p->token;
  p->cfg.codec = p->codec;
  p->out = out;
  p->done = done;
  p->user = user;
  g_mutex_init(&p->lock);
  p->tracks = g_ptr_array_new_with_free_func(g_free);
  p->mid_owner = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  p->mid_kind = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);

  char *desc = pipeline_description(&p->cfg);
  GError *err = NULL;
  p->pipe = gst_parse_launch(desc, &err);
  g_free(desc);
  if (!p->pipe || err) {
    fprintf(out, "{\"event\":\"error\",\"message\":\"pipeline: %s\"}\n",
            err ? err->message : "unknown");
    g_clear_error(&err);
    sv_media_peer_free(p);
    return SV_EINVAL;
  }
  GstBus *bus = gst_element_get_bus(p->pipe);
  p->bus_watch = gst_bus_add_watch(bus, on_bus, p);
  gst_object_unref(bus);
  p->pub = gst_bin_get_by_name(GST_BIN(p->pipe), "pub");
  p->sub = gst_bin_get_by_name(GST_BIN(p->pipe), "sub");
  /* Publish transceivers only send, like the browser client's. */
  GArray *trans = NULL;
  g_signal_emit_by_name(p->pub, "get-transceivers", &trans);
  for (guint i = 0; trans && i < trans->len; i++)
    g_object_set(g_array_index(trans, GstWebRTCRTPTransceiver *, i), "direction",
                 GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY, NULL);
  if (trans) g_array_unref(trans);
  g_signal_connect(p->pub, "on-negotiation-needed", G_CALLBACK(on_negotiation_needed), p);
  g_signal_connect(p->pub, "on-ice-candidate", G_CALLBACK(on_ice_candidate), p);
  g_signal_connect(p->sub, "on-ice-candidate", G_CALLBACK(on_ice_candidate), p);
  g_signal_connect(p->sub, "pad-added", G_CALLBACK(on_pad_added), p);
  /* The subscribe side needs a running pipeline before any offer arrives. */
  if (!config->publish) gst_element_set_state(p->pipe, GST_STATE_READY);

  p->session = soup_session_new();
  p->cancel = g_cancellable_new();
  SoupMessage *msg = soup_message_new(SOUP_METHOD_GET, p->url);
  if (!msg) {
    sv_media_peer_free(p);
    return SV_EINVAL;
  }
  if (config->insecure_tls)
    g_signal_connect(msg, "accept-certificate", G_CALLBACK(accept_any_cert), NULL);
  const char *protocols[] = {"samvei-v1", NULL};
  soup_session_websocket_connect_async(p->session, msg, NULL, (char **)protocols,
                                       G_PRIORITY_DEFAULT, p->cancel, on_ws_connected, p);
  g_object_unref(msg);
  *out_peer = p;
  return 0;
}

typedef struct lost_ctx {
  gint64 total;
} lost_ctx;

static gboolean sum_lost(GQuark field, const GValue *value, gpointer data) {
  lost_ctx *l = data;
  if (!GST_VALUE_HOLDS_STRUCTURE(value)) return TRUE;
  const GstStructure *s = gst_value_get_structure(value);
  GstWebRTCStatsType type;
  gint64 lost = 0;
  if (gst_structure_get(s, "type", GST_TYPE_WEBRTC_STATS_TYPE, &type, NULL) &&
      type == GST_WEBRTC_STATS_INBOUND_RTP && gst_structure_get_int64(s, "packets-lost", &lost) &&
      lost > 0)
    l->total += lost;
  return TRUE;
}

void sv_media_peer_report(sv_media_peer *p, bool final) {
  gint64 now = g_get_monotonic_time();
  json_t *list = json_array();
  lost_ctx lost = {0};
  if (p->sub) {
    GstPromise *promise = gst_promise_new();
    g_signal_emit_by_name(p->sub, "get-stats", NULL, promise);
    if (gst_promise_wait(promise) == GST_PROMISE_RESULT_REPLIED) {
      const GstStructure *st = gst_promise_get_reply(promise);
      if (st) gst_structure_foreach(st, sum_lost, &lost);
    }
    gst_promise_unref(promise);
  }
  g_mutex_lock(&p->lock);
  for (guint i = 0; i < p->tracks->len; i++) {
    rtrack *r = g_ptr_array_index(p->tracks, i);
    gint64 bytes = atomic_load(&r->bytes);
    gint64 first = atomic_load(&r->first_us);
    double kbps = 0;
    if (r->last_report_us && now > r->last_report_us)
      kbps = (double)(bytes - r->last_bytes) * 8.0 / (double)(now - r->last_report_us) * 1000.0;
    double avg = first && now > first ? (double)bytes * 8.0 / (double)(now - first) * 1000.0 : 0;
    r->last_bytes = bytes;
    r->last_report_us = now;
    json_array_append_new(
        list, json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:f,s:f,s:I}", "participant", r->participant,
                        "mid", r->mid, "kind", r->kind, "codec", r->codec, "decoded",
                        (json_int_t)atomic_load(&r->frames), "bytes", (json_int_t)bytes, "kbps",
                        final ? avg : kbps, "avg_kbps", avg, "first_frame_ms",
                        (json_int_t)(first && p->joined_us ? (first - p->joined_us) / 1000 : -1)));
  }
  g_mutex_unlock(&p->lock);
  emit(p, json_pack("{s:s,s:b,s:s,s:I,s:o}", "event", "stats", "final", final, "self", p->self,
                    "packets_lost", (json_int_t)lost.total, "tracks", list));
}

size_t sv_media_peer_count_video(sv_media_peer *p, int64_t min_frames) {
  GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
  g_mutex_lock(&p->lock);
  for (guint i = 0; i < p->tracks->len; i++) {
    rtrack *r = g_ptr_array_index(p->tracks, i);
    if (strcmp(r->kind, "video") == 0 && r->participant[0] && atomic_load(&r->frames) >= min_frames)
      g_hash_table_add(seen, r->participant);
  }
  size_t n = g_hash_table_size(seen);
  g_mutex_unlock(&p->lock);
  g_hash_table_unref(seen);
  return n;
}

void sv_media_peer_free(sv_media_peer *p) {
  if (!p) return;
  for (int i = 0; i < 4; i++)
    if (p->timers[i]) g_source_remove(p->timers[i]);
  if (p->ready_poll) g_source_remove(p->ready_poll);
  if (p->ws) {
    g_signal_handlers_disconnect_by_data(p->ws, p);
    if (soup_websocket_connection_get_state(p->ws) == SOUP_WEBSOCKET_STATE_OPEN) {
      soup_websocket_connection_send_text(p->ws, "{\"type\":\"leave\"}");
      soup_websocket_connection_close(p->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    }
    g_object_unref(p->ws);
  }
  if (p->cancel) {
    g_cancellable_cancel(p->cancel);
    g_object_unref(p->cancel);
  }
  if (p->bus_watch) g_source_remove(p->bus_watch);
  if (p->pipe) {
    gst_element_set_state(p->pipe, GST_STATE_NULL);
    if (p->pub) gst_object_unref(p->pub);
    if (p->sub) gst_object_unref(p->sub);
    gst_object_unref(p->pipe);
  }
  if (p->session) g_object_unref(p->session);
  g_ptr_array_unref(p->tracks);
  g_hash_table_unref(p->mid_owner);
  g_hash_table_unref(p->mid_kind);
  g_mutex_clear(&p->lock);
  g_free(p->url);
  g_free(p->room);
  g_free(p->name);
  g_free(p->token);
  g_free(p->codec);
  g_free(p);
}
