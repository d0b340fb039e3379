/*
 * ws.c — the WebSocket side of a connection: accepting only /ws with
 * subprotocol samvei-v1, reassembling fragmented text messages under the
 * size cap, and the per-connection outgoing queue written on
 * SERVER_WRITEABLE. What the messages mean is session.c's business.
 *
 * Caps protect the server from a hostile or stuck client: a message over
 * max_message bytes is answered with `too-big` and the connection is closed
 * with 1009 (nothing over the cap is ever buffered), and a client that lets
 * more than SV_WS_MAX_QUEUED bytes pile up unread is dropped. A client that
 * sends faster than it reads the replies (a chat flood echoes back to it) is
 * not dropped but slowed: its reading pauses while its own queue is long.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/common.h"
#include "signaling/signaling_int.h"
#include "signaling/urgent.h"

/* One queued message: LWS_PRE bytes of head room for lws, then the text. */
typedef struct sv_out_msg {
  size_t len;
  unsigned char buf[];
} sv_out_msg;

#define SV_RX_KEEP             16384 /* a receive buffer grown past this is released after use */
#define SV_WRITES_PER_CALLBACK 16

/* A WebSocket is for a call (join) or for watching and asking urgent
 * guidance (urgent.c): one that has done neither after unjoined_s seconds
 * is closed (1008), so idle sockets cannot pile up. A connection that is
 * in a room at the check is never checked again. */
static gboolean on_unjoined_timeout(gpointer data) {
  sv_conn *c = data;
  c->unjoined_timer = 0;
  if (c->participant || sv_urgent_conn_busy(c)) return G_SOURCE_REMOVE;
  c->sig->metrics.closed_unjoined++;
  sv_guard_refused(c->sig, "closing a WebSocket from %s: no join within %u s", c->peer,
                   c->sig->unjoined_s);
  sv_conn_send_error(c, NULL, "join-timeout",
                     "send join within %u seconds of connecting; the connection is closed",
                     c->sig->unjoined_s);
  sv_conn_close_after_send(c, LWS_CLOSE_STATUS_POLICY_VIOLATION);
  return G_SOURCE_REMOVE;
}

static sv_conn *conn_new(sv_signaling *sig, struct lws *wsi) {
  sv_conn *c = g_new0(sv_conn, 1);
  c->sig = sig;
  c->wsi = wsi;
  c->rx = g_byte_array_new();
  g_queue_init(&c->out);
  lws_get_peer_simple(wsi, c->peer, sizeof c->peer);
  g_ptr_array_add(sig->conns, c);
  c->unjoined_timer = g_timeout_add_seconds(sig->unjoined_s, on_unjoined_timeout, c);
  return c;
}

static void conn_free(sv_conn *c) {
  if (c->unjoined_timer) g_source_remove(c->unjoined_timer);
  g_ptr_array_remove_fast(c->sig->conns, c);
  g_byte_array_unref(c->rx);
  g_queue_clear_full(&c->out, g_free);
  g_free(c);
}

static void kill_slow(sv_conn *c) {
  SV_WARN("signaling", "closing connection from %s: over %d bytes queued that it does not read",
          c->peer, SV_WS_MAX_QUEUED);
  g_queue_clear_full(&c->out, g_free);
  c->out_bytes = 0;
  c->dead = true;
  /* We may be inside another connection's callback: let lws close it from
   * its own loop iteration. */
  lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

void sv_conn_send_text(sv_conn *c, const char *text, size_t len) {
  if (c->dead || c->close_status) return;
  if (c->out_bytes + len > SV_WS_MAX_QUEUED) {
    kill_slow(c);
    return;
  }
  sv_out_msg *m = g_malloc(sizeof *m + LWS_PRE + len);
  m->len = len;
  memcpy(m->buf + LWS_PRE, text, len);
  g_queue_push_tail(&c->out, m);
  c->out_bytes += len;
  lws_callback_on_writable(c->wsi);
}

void sv_conn_send(sv_conn *c, json_t *msg) {
  /* json_pack() gives NULL for a string that is not UTF-8, which only a
   * broken relay string could cause: drop the message, keep the server. */
  if (!msg) {
    SV_WARN("signaling", "dropped a message to %s that could not be built as JSON", c->peer);
    return;
  }
  char *text = json_dumps(msg, JSON_COMPACT);
  SV_ASSERT(text); /* an object built by json_pack always serialises */
  sv_conn_send_text(c, text, strlen(text));
  free(text);
  json_decref(msg);
}

void sv_conn_send_ok(sv_conn *c, json_t *id, json_t *fields) {
  json_t *msg = json_pack("{s:s}", "type", "ok");
  if (id) json_object_set(msg, "id", id);
  if (fields) json_object_update(msg, fields);
  json_decref(fields);
  sv_conn_send(c, msg);
}

void sv_conn_send_error(sv_conn *c, json_t *id, const char *code, const char *fmt, ...) {
  char text[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  json_t *msg = json_pack("{s:s,s:s}", "type", "error", "code", code);
  if (id) json_object_set(msg, "id", id);
  json_t *m = json_string(text);
  /* A sentence that is not UTF-8 (a relay message cut in the middle of a
   * character) must not cost the client its error. */
  json_object_set_new(msg, "message", m ? m : json_string("(message not shown)"));
  sv_conn_send(c, msg);
}

void sv_conn_close_after_send(sv_conn *c, int status) {
  if (c->dead || c->close_status) return;
  c->close_status = status;
  lws_callback_on_writable(c->wsi);
}

bool sv_conn_take_fanout(sv_conn *c, gint64 now_us) {
  if (c->fanout_us == 0) {
    c->fanout_tokens = SV_FANOUT_BURST;
  } else if (now_us > c->fanout_us) {
    c->fanout_tokens += (double)(now_us - c->fanout_us) / G_USEC_PER_SEC * SV_FANOUT_RATE;
    if (c->fanout_tokens > SV_FANOUT_BURST) c->fanout_tokens = SV_FANOUT_BURST;
  }
  c->fanout_us = now_us;
  if (c->fanout_tokens < 1.0) return false;
  c->fanout_tokens -= 1.0;
  return true;
}

static void rx_reset(sv_conn *c) {
  c->rx_active = false;
  c->rx_count = 0;
  if (c->rx->len > SV_RX_KEEP) {
    g_byte_array_unref(c->rx);
    c->rx = g_byte_array_new();
  } else {
    g_byte_array_set_size(c->rx, 0);
  }
}

static void on_receive(sv_conn *c, const void *in, size_t len) {
  if (c->dead || c->close_status)
    return; /* closing: the rest of an oversized frame is dropped unread */
  if (!c->rx_active) {
    c->rx_active = true;
    c->rx_binary = lws_frame_is_binary(c->wsi);
  }
  if (len > c->sig->max_message - c->rx_count) {
    SV_INFO("signaling", "closing connection from %s: message over %zu bytes", c->peer,
            c->sig->max_message);
    rx_reset(c);
    sv_conn_send_error(c, NULL, "too-big",
                       "a message may be at most %zu bytes; the connection is closed",
                       c->sig->max_message);
    sv_conn_close_after_send(c, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE);
    return;
  }
  c->rx_count += len;
  if (!c->rx_binary) g_byte_array_append(c->rx, in, (guint)len);
  if (!lws_is_final_fragment(c->wsi) || lws_remaining_packet_payload(c->wsi) > 0) return;

  if (c->rx_binary)
    sv_conn_send_error(c, NULL, "bad-request",
                       "binary frames are not accepted: send each message as one JSON text frame");
  else
    sv_session_handle(c, (const char *)c->rx->data, c->rx->len);
  rx_reset(c);
  /* Backpressure: whoever makes the server talk faster than they listen
   * waits for their own replies to drain before being read again. */
  if (!c->rx_paused && !c->dead && c->out_bytes >= SV_WS_RX_PAUSE) {
    c->rx_paused = true;
    lws_rx_flow_control(c->wsi, 0);
  }
}

/* Writes queued messages until the socket would block (lws then keeps any
 * partial write itself and reports the pipe choked); returns -1 to close. */
static int on_writeable(sv_conn *c) {
  if (c->dead) return -1;
  for (int i = 0; i < SV_WRITES_PER_CALLBACK && !lws_send_pipe_choked(c->wsi); i++) {
    sv_out_msg *m = g_queue_pop_head(&c->out);
    if (!m) break;
    c->out_bytes -= m->len;
    int n = lws_write(c->wsi, m->buf + LWS_PRE, m->len, LWS_WRITE_TEXT);
    size_t len = m->len;
    g_free(m);
    if (n < 0 || (size_t)n < len) return -1;
  }
  if (c->rx_paused && c->out_bytes <= SV_WS_RX_RESUME) {
    c->rx_paused = false;
    lws_rx_flow_control(c->wsi, 1);
  }
  if (!g_queue_is_empty(&c->out)) {
    lws_callback_on_writable(c->wsi);
    return 0;
  }
  if (c->close_status) {
    static const char reason[] = "closing";
    lws_close_reason(c->wsi, (enum lws_close_status)c->close_status, (unsigned char *)reason,
                     sizeof reason - 1);
    return -1;
  }
  return 0;
}

/* Cross-site WebSocket hijacking: a page on another site may open a
 * WebSocket here (browsers send its Origin, and no same-origin rule
 * applies). An Origin that is not ours or allowed gets 403; no Origin at
 * all (not a browser) passes. */
static int check_origin(sv_signaling *sig, struct lws *wsi) {
  char origin[320] = "", host[256] = "";
  int len = lws_hdr_total_length(wsi, WSI_TOKEN_ORIGIN);
  if (len <= 0) return 0;
  bool too_long = len >= (int)sizeof origin;
  if (!too_long) lws_hdr_copy(wsi, origin, sizeof origin, WSI_TOKEN_ORIGIN);
  lws_hdr_copy(wsi, host, sizeof host, WSI_TOKEN_HOST);
  if (!too_long && sv_origins_allow(&sig->origins, origin, host)) return 0;
  char peer[64] = "";
  lws_get_peer_simple(wsi, peer, sizeof peer);
  sig->metrics.refused_origin++;
  sv_guard_refused(sig,
                   "refused a WebSocket from %s with Origin %.100s (403; see --allowed-origins)",
                   peer, too_long ? "(too long)" : origin);
  sv_http_refuse(sig, wsi, HTTP_STATUS_FORBIDDEN,
                 "{\"error\":{\"code\":\"forbidden-origin\",\"message\":\"WebSockets are accepted "
                 "only from this server's own pages (or an origin in --allowed-origins)\"}}\n");
  return 1;
}

/* Accepts the upgrade only on the WebSocket path. A request that names no
 * subprotocol lands on the HTTP protocol instead, which refuses it. */
static int filter_connection(sv_signaling *sig, struct lws *wsi) {
  char uri[16];
  if (sig->closing) return 1;
  if (lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI) <= 0 || strcmp(uri, SV_WS_PATH) != 0)
    return 1;
  return check_origin(sig, wsi);
}

int sv_ws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                   size_t len) {
  sv_ws_pss *pss = user;
  sv_signaling *sig = lws_context_user(lws_get_context(wsi));

  switch (reason) {
  case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
    return filter_connection(sig, wsi);
  case LWS_CALLBACK_ESTABLISHED:
    pss->conn = conn_new(sig, wsi);
    SV_DEBUG("signaling", "websocket from %s", pss->conn->peer);
    return 0;
  case LWS_CALLBACK_RECEIVE:
    if (pss && pss->conn) on_receive(pss->conn, in, len);
    return 0;
  case LWS_CALLBACK_SERVER_WRITEABLE:
    return pss && pss->conn ? on_writeable(pss->conn) : 0;
  case LWS_CALLBACK_CLOSED:
    if (pss && pss->conn) {
      sv_conn *c = pss->conn;
      pss->conn = NULL;
      sv_session_leave(c, "disconnected");
      sv_urgent_conn_closed(c);
      SV_DEBUG("signaling", "websocket from %s closed", c->peer);
      conn_free(c);
    }
    return 0;
  default:
    return 0;
  }
}
