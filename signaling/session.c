/*
 * session.c — what each client message does (docs/protocol.md, "Client →
 * server"): join and leave rooms, chat, and hand publish / subscribe-answer
 * / candidate to the relay. Messages arrive here already validated against
 * their tables (message.c); identity always comes from the connection.
 *
 * Logs say who joined or left which room, by participant id and role; never
 * names, chat text or SDP.
 */
#include <string.h>

#include "common/common.h"
#include "signaling/message.h"
#include "signaling/signaling_int.h"
#include "signaling/turn.h"

const char *sv_session_error_code(int err) {
  switch (err) {
  case SV_EINVAL:
  case SV_ETOOBIG:
  case SV_EUNSUPP:
    return "bad-request";
  case SV_ENOENT:
    return "not-found";
  case SV_ESTATE:
  case SV_EEXIST:
    return "conflict";
  case SV_EAUTH:
    return "unauthorized";
  default:
    return "internal";
  }
}

void sv_pending_free(gpointer data) {
  sv_pending *p = data;
  json_decref(p->id);
  g_free(p);
}

static json_t *participant_json(const sv_participant *p) {
  return json_pack("{s:s,s:s,s:s}", "id", p->id, "name", p->name, "role", p->role);
}

/* Sends msg (stolen) to everyone in room except `except` (may be NULL). */
static void broadcast(sv_room *room, const sv_participant *except, json_t *msg) {
  SV_ASSERT(msg); /* built from validated UTF-8 strings */
  char *text = json_dumps(msg, JSON_COMPACT);
  SV_ASSERT(text);
  size_t len = strlen(text);
  for (guint i = 0; i < room->participants->len; i++) {
    sv_participant *p = g_ptr_array_index(room->participants, i);
    if (p != except) sv_conn_send_text(p->conn, text, len);
  }
  free(text);
  json_decref(msg);
}

static void on_join(sv_conn *c, const sv_msg *m) {
  sv_signaling *sig = c->sig;
  if (c->participant) {
    sv_conn_send_error(c, m->id, "conflict",
                       "this connection is already in room '%s'; send leave before joining again",
                       c->participant->room->id);
    return;
  }
  if (sig->draining) {
    sv_metrics_join_failed(&sig->metrics, SV_JOIN_FAIL_RESTARTING);
    sv_conn_send_error(c, m->id, "restarting",
                       "the server is restarting; join again in a few seconds");
    return;
  }
  /* Tokens arrive with the consultations feature (schedule/); until then the
   * only way in is an open room, which is a development setting. */
  if (!sig->allow_open_rooms) {
    sv_metrics_join_failed(&sig->metrics, SV_JOIN_FAIL_AUTH);
    sv_conn_send_error(c, m->id, "unauthorized",
                       "joining needs an invitation link, and invitations come with the "
                       "consultations feature; for development, start the server with "
                       "--allow-open-rooms");
    return;
  }

  sv_participant *p = NULL;
  if (sv_rooms_add(sig->rooms, m->room, m->name, sig->max_room_size, c, &p) < 0) {
    sv_metrics_join_failed(&sig->metrics, SV_JOIN_FAIL_ROOM_FULL);
    sv_conn_send_error(c, m->id, "room-full",
                       "room '%s' already has the maximum of %zu participants; try later", m->room,
                       sig->max_room_size);
    return;
  }
  if (sig->relay) {
    int rc = sv_relay_join(sig->relay, m->room, p->id);
    if (rc < 0) {
      SV_ERROR("signaling", "relay refused %s in room %s: %s", p->id, m->room, sv_strerror(rc));
      sv_rooms_remove(sig->rooms, p);
      sv_metrics_join_failed(&sig->metrics, SV_JOIN_FAIL_RELAY);
      sv_conn_send_error(c, m->id, "internal",
                         "the media relay could not add you to the room; retry once, then report");
      return;
    }
  }
  c->participant = p;
  sv_metrics_join(&sig->metrics);

  sv_room *room = p->room;
  json_t *others = json_array();
  for (guint i = 0; i < room->participants->len; i++) {
    sv_participant *o = g_ptr_array_index(room->participants, i);
    if (o != p) json_array_append_new(others, participant_json(o));
  }
  json_t *ok = json_pack("{s:s,s:s,s:s,s:o}", "self", p->id, "role", p->role, "state", "joined",
                         "participants", others);
  json_t *ice = sv_turn_ice_servers(sig->turn_uris, sig->turn_secret, sig->turn_ttl, p->id,
                                    g_get_real_time() / G_USEC_PER_SEC);
  if (ice) json_object_set_new(ok, "iceServers", ice);
  sv_conn_send_ok(c, m->id, ok);
  broadcast(
      room, p,
      json_pack("{s:s,s:o}", "type", "participant-joined", "participant", participant_json(p)));
  SV_LOG_IDS(SV_LOG_INFO, "signaling", p->id, room->id, "%s joined room %s as %s (%u in the room)",
             p->id, room->id, p->role, room->participants->len);
}

/* Drops the publishes of participant `pid` still waiting for the relay. */
static void drop_pending(sv_signaling *sig, const char *pid) {
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init(&it, sig->pending);
  while (g_hash_table_iter_next(&it, NULL, &value)) {
    if (strcmp(((sv_pending *)value)->participant, pid) == 0) g_hash_table_iter_remove(&it);
  }
}

void sv_session_leave(sv_conn *c, const char *reason) {
  sv_signaling *sig = c->sig;
  sv_participant *p = c->participant;
  if (!p) return;
  c->participant = NULL;
  if (sig->closing) {
    sv_rooms_remove(sig->rooms, p);
    return;
  }
  if (sig->relay) sv_relay_leave(sig->relay, p->room->id, p->id);
  drop_pending(sig, p->id);
  SV_LOG_IDS(SV_LOG_INFO, "signaling", p->id, p->room->id, "%s left room %s (%s, %u remain)", p->id,
             p->room->id, reason, p->room->participants->len - 1);
  broadcast(p->room, p,
            json_pack("{s:s,s:s,s:s}", "type", "participant-left", "participant", p->id, "reason",
                      reason));
  sv_rooms_remove(sig->rooms, p);
}

/* The state check every message after join shares. */
static bool require_joined(sv_conn *c, const sv_msg *m) {
  if (c->participant) return true;
  sv_conn_send_error(c, m->id, "conflict", "send join before %s", m->type_name);
  return false;
}

static bool require_relay(sv_conn *c, const sv_msg *m) {
  if (c->sig->relay) return true;
  sv_conn_send_error(c, m->id, "internal",
                     "the media relay is not running; retry once, then report");
  return false;
}

static void on_publish(sv_conn *c, const sv_msg *m) {
  sv_signaling *sig = c->sig;
  if (!require_joined(c, m) || !require_relay(c, m)) return;
  sv_participant *p = c->participant;
  int64_t request = ++sig->next_request;
  int rc = sv_relay_publish(sig->relay, p->room->id, p->id, request, m->sdp);
  if (rc < 0) {
    sv_conn_send_error(c, m->id, sv_session_error_code(rc), "the relay cannot take this offer (%s)",
                       sv_strerror(rc));
    return;
  }
  sv_pending *pending = g_new0(sv_pending, 1);
  memcpy(pending->participant, p->id, sizeof pending->participant);
  pending->id = m->id ? json_incref(m->id) : NULL;
  g_hash_table_insert(sig->pending, g_memdup2(&request, sizeof request), pending);
}

static void on_subscribe_answer(sv_conn *c, const sv_msg *m) {
  if (!require_joined(c, m) || !require_relay(c, m)) return;
  sv_participant *p = c->participant;
  int rc = sv_relay_subscribe_answer(c->sig->relay, p->room->id, p->id, m->rev, m->sdp);
  if (rc < 0) {
    sv_conn_send_error(c, m->id, sv_session_error_code(rc),
                       "the relay cannot take this answer (%s)", sv_strerror(rc));
    return;
  }
  if (m->id) sv_conn_send_ok(c, m->id, NULL);
}

static void on_candidate(sv_conn *c, const sv_msg *m) {
  if (!require_joined(c, m) || !require_relay(c, m)) return;
  sv_participant *p = c->participant;
  sv_pc_kind pc = strcmp(m->pc, "publish") == 0 ? SV_PC_PUBLISH : SV_PC_SUBSCRIBE;
  int rc =
      sv_relay_candidate(c->sig->relay, p->room->id, p->id, pc, m->candidate, m->mid ? m->mid : "");
  if (rc < 0) {
    sv_conn_send_error(c, m->id, sv_session_error_code(rc),
                       "the relay cannot take this candidate (%s)", sv_strerror(rc));
    return;
  }
  if (m->id) sv_conn_send_ok(c, m->id, NULL);
}

/* Chat goes to everyone in the room, the sender included, so all see the
 * same order. It is never logged or stored. */
static void on_chat(sv_conn *c, const sv_msg *m) {
  if (!require_joined(c, m)) return;
  sv_participant *p = c->participant;
  json_int_t ts = (json_int_t)(g_get_real_time() / 1000);
  broadcast(p->room, NULL,
            json_pack("{s:s,s:s,s:s,s:s,s:I}", "type", "chat", "from", p->id, "name", p->name,
                      "text", m->text, "ts", ts));
  if (m->id) sv_conn_send_ok(c, m->id, NULL);
}

static void on_leave(sv_conn *c, const sv_msg *m) {
  if (!c->participant) {
    sv_conn_send_error(c, m->id, "conflict", "not in a room: there is nothing to leave");
    return;
  }
  sv_session_leave(c, "left");
  sv_conn_send_ok(c, m->id, NULL);
}

void sv_session_handle(sv_conn *c, const char *data, size_t len) {
  sv_msg m;
  sv_msg_error err;
  if (sv_message_parse(data, len, &m, &err) < 0) {
    SV_DEBUG("signaling", "refused a message from %s: %s: %s", c->peer, err.code, err.message);
    sv_conn_send_error(c, err.id, err.code, "%s", err.message);
    sv_message_error_clear(&err);
    return;
  }
  switch (m.type) {
  case SV_MSG_JOIN:
    on_join(c, &m);
    break;
  case SV_MSG_PUBLISH:
    on_publish(c, &m);
    break;
  case SV_MSG_SUBSCRIBE_ANSWER:
    on_subscribe_answer(c, &m);
    break;
  case SV_MSG_CANDIDATE:
    on_candidate(c, &m);
    break;
  case SV_MSG_CHAT:
    on_chat(c, &m);
    break;
  case SV_MSG_LEAVE:
    on_leave(c, &m);
    break;
  }
  sv_message_clear(&m);
}
