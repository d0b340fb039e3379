/*
 * sig_samvei.c — a participant on samvei's signalling protocol v1
 * (docs/protocol.md), plus the WebSocket helpers both protocols use.
 *
 * join → publish (our offer, the server's answer) → the server's subscribe
 * offers, answered with subscribe-answer; candidates trickle both ways. Rooms
 * are open (the server runs with --allow-open-rooms), except the teaching
 * scenario's, which join booked group teachings with their tokens.
 */
#include <string.h>

#include "bench/loadgen/lg.h"

typedef struct ws_handlers {
  void (*on_open)(lg_part *p);
  void (*on_msg)(lg_part *p, json_t *msg);
} ws_handlers;

static ws_handlers handlers[2]; /* by lg.server */

static void on_ws_message(SoupWebsocketConnection *ws, gint type, GBytes *message, gpointer data) {
  lg_part *p = data;
  if (p->gone || type != SOUP_WEBSOCKET_DATA_TEXT) return;
  gsize len;
  const char *text = g_bytes_get_data(message, &len);
  json_error_t jerr;
  json_t *msg = json_loadb(text, len, 0, &jerr);
  if (!json_is_object(msg)) {
    LG_ERR("participant %d: a signalling message that is not a JSON object\n", p->index);
    json_decref(msg);
    return;
  }
  handlers[lg.server].on_msg(p, msg);
  json_decref(msg);
}

static void on_ws_closed(SoupWebsocketConnection *ws, gpointer data) {
  lg_part *p = data;
  if (!p->gone) LG_ERR("participant %d: the signalling connection closed\n", p->index);
}

static void on_ws_connected(GObject *src, GAsyncResult *res, gpointer data) {
  lg_part *p = data;
  GError *err = NULL;
  SoupWebsocketConnection *ws = soup_session_websocket_connect_finish(SOUP_SESSION(src), res, &err);
  if (!ws) {
    if (!g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      LG_ERR("participant %d: cannot connect to %s: %s\n", p->index, lg.url, err->message);
    g_error_free(err);
    return;
  }
  p->ws = ws;
  soup_websocket_connection_set_max_incoming_payload_size(ws, 1024 * 1024);
  soup_websocket_connection_set_keepalive_interval(ws, 0);
  g_signal_connect(ws, "message", G_CALLBACK(on_ws_message), p);
  g_signal_connect(ws, "closed", G_CALLBACK(on_ws_closed), p);
  handlers[lg.server].on_open(p);
}

void lg_ws_connect(lg_part *p, const char *protocol, void (*on_open)(lg_part *p),
                   void (*on_msg)(lg_part *p, json_t *msg)) {
  handlers[lg.server].on_open = on_open;
  handlers[lg.server].on_msg = on_msg;
  p->cancel = g_cancellable_new();
  SoupMessage *msg = soup_message_new(SOUP_METHOD_GET, lg.url);
  const char *protocols[] = {protocol, NULL};
  soup_session_websocket_connect_async(lg.session, msg, NULL, (char **)protocols,
                                       G_PRIORITY_DEFAULT, p->cancel, on_ws_connected, p);
  g_object_unref(msg);
}

void lg_ws_send(lg_part *p, json_t *msg) {
  if (p->ws && soup_websocket_connection_get_state(p->ws) == SOUP_WEBSOCKET_STATE_OPEN) {
    char *text = json_dumps(msg, JSON_COMPACT);
    soup_websocket_connection_send_text(p->ws, text);
    free(text);
  }
  json_decref(msg);
}

void lg_ws_close(lg_part *p) {
  if (p->cancel) {
    g_cancellable_cancel(p->cancel);
    g_clear_object(&p->cancel);
  }
  if (p->ws) {
    g_signal_handlers_disconnect_by_data(p->ws, p);
    if (soup_websocket_connection_get_state(p->ws) == SOUP_WEBSOCKET_STATE_OPEN)
      soup_websocket_connection_close(p->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    g_clear_object(&p->ws);
  }
}

void lg_sig_candidate(lg_part *p, bool is_pub, const char *cand) {
  if (lg.server == LG_SAMVEI)
    lg_samvei_candidate(p, is_pub, cand);
  else
    lg_janus_candidate(p, is_pub, cand);
}

/* ---- samvei ---- */

static void samvei_open(lg_part *p) {
  char name[32];
  snprintf(name, sizeof name, "lg%d", p->index);
  json_t *join = json_pack("{s:s,s:s,s:s,s:s}", "type", "join", "id", "join", "room", p->room->name,
                           "name", name);
  /* A booked group teaching: the token says the role; the notice is
   * acknowledged as the web client does. */
  if (p->token) {
    json_object_set_new(join, "token", json_string(p->token));
    json_object_set_new(join, "noticeAck", json_true());
  }
  lg_ws_send(p, join);
}

static void samvei_publish(lg_part *p) {
  char *offer = lg_part_make_offer(p);
  if (!offer) return;
  lg_ws_send(p, json_pack("{s:s,s:s,s:s}", "type", "publish", "id", "publish", "sdp", offer));
  g_free(offer);
}

static void samvei_msg(lg_part *p, json_t *msg) {
  const char *type = json_string_value(json_object_get(msg, "type"));
  const char *id = json_string_value(json_object_get(msg, "id"));
  if (!type) return;
  if (strcmp(type, "ok") == 0 && id && strcmp(id, "join") == 0) {
    if (p->publish) samvei_publish(p);
  } else if (strcmp(type, "ok") == 0 && id && strcmp(id, "publish") == 0) {
    const char *sdp = json_string_value(json_object_get(msg, "sdp"));
    if (!sdp || lg_part_take_answer(p, sdp) != 0) LG_ERR("participant %d: bad answer\n", p->index);
  } else if (strcmp(type, "subscribe") == 0) {
    const char *sdp = json_string_value(json_object_get(msg, "sdp"));
    json_int_t rev = json_integer_value(json_object_get(msg, "rev"));
    char *answer = sdp ? lg_part_answer_offer(p, sdp) : NULL;
    if (!answer) return;
    lg_ws_send(p,
               json_pack("{s:s,s:I,s:s}", "type", "subscribe-answer", "rev", rev, "sdp", answer));
    g_free(answer);
    sv_peer_release_candidates(p->sub);
  } else if (strcmp(type, "candidate") == 0) {
    const char *pc = json_string_value(json_object_get(msg, "pc"));
    const char *cand = json_string_value(json_object_get(msg, "candidate"));
    if (pc && cand) lg_part_remote_candidate(p, strcmp(pc, "publish") == 0, cand);
  } else if (strcmp(type, "error") == 0) {
    const char *m = json_string_value(json_object_get(msg, "message"));
    LG_ERR("participant %d: server error: %s\n", p->index, m ? m : "?");
  }
}

void lg_samvei_start(lg_part *p) {
  lg_ws_connect(p, "samvei-v1", samvei_open, samvei_msg);
}

void lg_samvei_candidate(lg_part *p, bool is_pub, const char *cand) {
  lg_ws_send(p, json_pack("{s:s,s:s,s:s,s:s}", "type", "candidate", "pc",
                          is_pub ? "publish" : "subscribe", "candidate", cand, "sdpMid", "0"));
}
