/*
 * sig_janus.c — a participant on Janus's JSON API over WebSocket
 * (subprotocol janus-protocol), VideoRoom plugin, multistream (Janus 1.x).
 *
 * create session → attach a publisher handle → create the room (an "already
 * exists" answer is fine) → join as publisher → publish (our offer, Janus's
 * answer). Publishers announced in "joined" or later events are subscribed
 * on one subscriber handle: join with their feeds, then "subscribe" for
 * newcomers; each offer from Janus is answered with "start". Janus puts its
 * candidates in its SDP; ours trickle. With simulcast publishers, each new
 * video stream of a subscriber is then configured with the substream that
 * samvei's relay would choose for the subscriber's link (p->want_layer), so
 * both servers forward the same layers.
 */
#include <string.h>

#include "bench/loadgen/lg.h"

static void send_janus(lg_part *p, const char *janus, const char *tx, int64_t handle, json_t *body,
                       json_t *jsep) {
  json_t *m = json_pack("{s:s,s:s}", "janus", janus, "transaction", tx);
  if (p->janus_session) json_object_set_new(m, "session_id", json_integer(p->janus_session));
  if (handle) json_object_set_new(m, "handle_id", json_integer(handle));
  if (body) json_object_set_new(m, "body", body);
  if (jsep) json_object_set_new(m, "jsep", jsep);
  lg_ws_send(p, m);
}

static void janus_open(lg_part *p) {
  send_janus(p, "create", "session", 0, NULL, NULL);
}

static void request_feeds(lg_part *p) {
  if (p->janus_sub_joining || !p->subscribe) return;
  json_t *streams = json_array();
  GHashTableIter it;
  gpointer key, val;
  g_hash_table_iter_init(&it, p->janus_feeds);
  while (g_hash_table_iter_next(&it, &key, &val)) {
    if (GPOINTER_TO_INT(val) != 0) continue; /* already asked for */
    json_array_append_new(streams, json_pack("{s:I}", "feed", *(gint64 *)key));
    g_hash_table_iter_replace(&it, GINT_TO_POINTER(1));
  }
  if (json_array_size(streams) == 0) {
    json_decref(streams);
    return;
  }
  if (!p->janus_sub_handle) {
    /* Attach first; the feeds are asked for again once attached. */
    json_decref(streams);
    g_hash_table_iter_init(&it, p->janus_feeds);
    while (g_hash_table_iter_next(&it, &key, &val))
      g_hash_table_iter_replace(&it, GINT_TO_POINTER(0));
    p->janus_sub_joining = true;
    json_t *m = json_pack("{s:s,s:s,s:I,s:s}", "janus", "attach", "transaction", "attach-sub",
                          "session_id", p->janus_session, "plugin", "janus.plugin.videoroom");
    lg_ws_send(p, m);
    return;
  }
  p->janus_sub_joining = true;
  json_t *body;
  if (!p->sub)
    body = json_pack("{s:s,s:s,s:I,s:o}", "request", "join", "ptype", "subscriber", "room",
                     p->room->janus_id, "streams", streams);
  else
    body = json_pack("{s:s,s:o}", "request", "subscribe", "streams", streams);
  send_janus(p, "message", "sub", p->janus_sub_handle, body, NULL);
}

static void note_publishers(lg_part *p, json_t *list) {
  size_t i;
  json_t *pub;
  json_array_foreach(list, i, pub) {
    json_int_t id = json_integer_value(json_object_get(pub, "id"));
    if (!id || id == p->janus_feed) continue;
    gint64 *k = g_new(gint64, 1);
    *k = id;
    if (g_hash_table_contains(p->janus_feeds, k)) {
      g_free(k);
      continue;
    }
    g_hash_table_insert(p->janus_feeds, k, GINT_TO_POINTER(0));
  }
  request_feeds(p);
}

/* Asks for substream p->want_layer on the video streams of the subscription
 * that have not been configured yet ("streams" of Janus's attached/updated
 * event: our m-lines, by mid). */
static void configure_layers(lg_part *p, json_t *streams) {
  if (!lg.simulcast || !json_is_array(streams)) return;
  if (!p->janus_sub_mids)
    p->janus_sub_mids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  json_t *list = json_array();
  size_t i;
  json_t *st;
  json_array_foreach(streams, i, st) {
    const char *type = json_string_value(json_object_get(st, "type"));
    const char *mid = json_string_value(json_object_get(st, "mid"));
    if (!type || !mid || strcmp(type, "video") != 0) continue;
    if (g_hash_table_contains(p->janus_sub_mids, mid)) continue;
    g_hash_table_add(p->janus_sub_mids, g_strdup(mid));
    json_array_append_new(list, json_pack("{s:s,s:i}", "mid", mid, "substream", p->want_layer));
  }
  if (json_array_size(list) == 0) {
    json_decref(list);
    return;
  }
  send_janus(p, "message", "configure", p->janus_sub_handle,
             json_pack("{s:s,s:o}", "request", "configure", "streams", list), NULL);
}

static void on_plugin_event(lg_part *p, int64_t sender, json_t *data, json_t *jsep) {
  const char *vr = json_string_value(json_object_get(data, "videoroom"));
  if (!vr) return;
  json_t *err = json_object_get(data, "error");
  if (err && json_integer_value(json_object_get(data, "error_code")) != 427) {
    LG_ERR("participant %d: janus: %s\n", p->index, json_string_value(err));
    return;
  }
  const char *jsdp = jsep ? json_string_value(json_object_get(jsep, "sdp")) : NULL;
  if (sender == p->janus_pub_handle) {
    if (strcmp(vr, "joined") == 0) {
      p->janus_feed = json_integer_value(json_object_get(data, "id"));
      if (p->publish) {
        char *offer = lg_part_make_offer(p);
        if (offer) {
          send_janus(p, "message", "publish", p->janus_pub_handle,
                     json_pack("{s:s}", "request", "publish"),
                     json_pack("{s:s,s:s}", "type", "offer", "sdp", offer));
          g_free(offer);
        }
      }
    }
    if (jsdp && p->pub && lg_part_take_answer(p, jsdp) != 0)
      LG_ERR("participant %d: bad answer from janus\n", p->index);
    json_t *pubs = json_object_get(data, "publishers");
    if (json_is_array(pubs)) note_publishers(p, pubs);
  } else if (sender == p->janus_sub_handle && jsdp) {
    char *answer = lg_part_answer_offer(p, jsdp);
    if (!answer) return;
    send_janus(p, "message", "start", p->janus_sub_handle, json_pack("{s:s}", "request", "start"),
               json_pack("{s:s,s:s}", "type", "answer", "sdp", answer));
    g_free(answer);
    sv_peer_release_candidates(p->sub);
    configure_layers(p, json_object_get(data, "streams"));
    p->janus_sub_joining = false;
    request_feeds(p);
  }
}

static void janus_msg(lg_part *p, json_t *msg) {
  const char *j = json_string_value(json_object_get(msg, "janus"));
  const char *tx = json_string_value(json_object_get(msg, "transaction"));
  if (!j) return;
  if (strcmp(j, "success") == 0 && tx) {
    json_int_t id = json_integer_value(json_object_get(json_object_get(msg, "data"), "id"));
    if (strcmp(tx, "session") == 0) {
      p->janus_session = id;
      lg_ws_send(p, json_pack("{s:s,s:s,s:I,s:s}", "janus", "attach", "transaction", "attach-pub",
                              "session_id", p->janus_session, "plugin", "janus.plugin.videoroom"));
    } else if (strcmp(tx, "attach-pub") == 0) {
      p->janus_pub_handle = id;
      /* The same settings as samvei's rooms: VP8 and Opus, no recording.
       * Everyone joins as a publisher first (to learn the feeds), so a
       * room takes as many publishers as it has people (subscribers are not
       * limited). */
      int pubs = p->room->size > 16 ? p->room->size : 16;
      json_t *body =
          json_pack("{s:s,s:I,s:i,s:s,s:s,s:i,s:b,s:b,s:i}", "request", "create", "room",
                    p->room->janus_id, "publishers", pubs, "videocodec", "vp8", "audiocodec",
                    "opus", "bitrate", 2000000, "record", 0, "notify_joining", 0, "fir_freq", 0);
      send_janus(p, "message", "room", p->janus_pub_handle, body, NULL);
    } else if (strcmp(tx, "room") == 0) {
      char name[32];
      snprintf(name, sizeof name, "lg%d", p->index);
      send_janus(p, "message", "join-pub", p->janus_pub_handle,
                 json_pack("{s:s,s:s,s:I,s:s}", "request", "join", "ptype", "publisher", "room",
                           p->room->janus_id, "display", name),
                 NULL);
    } else if (strcmp(tx, "attach-sub") == 0) {
      p->janus_sub_handle = id;
      p->janus_sub_joining = false;
      request_feeds(p);
    }
  } else if (strcmp(j, "event") == 0) {
    json_t *pd = json_object_get(msg, "plugindata");
    on_plugin_event(p, json_integer_value(json_object_get(msg, "sender")),
                    json_object_get(pd, "data"), json_object_get(msg, "jsep"));
  } else if (strcmp(j, "trickle") == 0) {
    json_t *c = json_object_get(msg, "candidate");
    const char *cand = json_string_value(json_object_get(c, "candidate"));
    int64_t sender = json_integer_value(json_object_get(msg, "sender"));
    if (cand) lg_part_remote_candidate(p, sender == p->janus_pub_handle, cand);
  } else if (strcmp(j, "error") == 0) {
    const char *m = json_string_value(json_object_get(json_object_get(msg, "error"), "reason"));
    LG_ERR("participant %d: janus error: %s\n", p->index, m ? m : "?");
  }
}

void lg_janus_start(lg_part *p) {
  if (!p->janus_feeds)
    p->janus_feeds = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
  lg_ws_connect(p, "janus-protocol", janus_open, janus_msg);
}

void lg_janus_candidate(lg_part *p, bool is_pub, const char *cand) {
  int64_t h = is_pub ? p->janus_pub_handle : p->janus_sub_handle;
  json_t *c = *cand
                  ? json_pack("{s:s,s:s,s:i}", "candidate", cand, "sdpMid", "0", "sdpMLineIndex", 0)
                  : json_pack("{s:b}", "completed", 1);
  json_t *m = json_pack("{s:s,s:s,s:I,s:I,s:o}", "janus", "trickle", "transaction", "trickle",
                        "session_id", p->janus_session, "handle_id", h, "candidate", c);
  lg_ws_send(p, m);
}

void lg_janus_keepalive(lg_part *p) {
  if (p->janus_session)
    lg_ws_send(p, json_pack("{s:s,s:s,s:I}", "janus", "keepalive", "transaction", "ka",
                            "session_id", p->janus_session));
}
