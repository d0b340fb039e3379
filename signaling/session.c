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
#include "common/role.h"
#include "signaling/message.h"
#include "schedule/token.h"
#include "signaling/signaling_int.h"
#include "signaling/teaching.h"
#include "signaling/turn.h"
#include "signaling/urgent.h"

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
  case SV_EFULL:
    return "room-full";
  default:
    return "internal";
  }
}

void sv_pending_free(gpointer data) {
  sv_pending *p = data;
  json_decref(p->id);
  g_free(p);
}

json_t *sv_session_participant_json(const sv_participant *p) {
  json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:b,s:b,s:b}", "id", p->id, "name", p->name, "role",
                        p->role, "state", p->waiting ? "waiting" : "joined", "audioOnly",
                        p->audio_only, "audio", !p->mic_muted, "video", !p->camera_off);
  if (p->room->teaching) {
    json_object_set_new(o, "presenter", json_boolean(sv_teaching_is_presenter(p)));
    json_object_set_new(o, "floor", json_boolean(p->room->teaching->floor == p));
  }
  return o;
}

void sv_session_broadcast(sv_room *room, const sv_participant *except, json_t *msg,
                          bool to_waiting) {
  SV_ASSERT(msg); /* built from validated UTF-8 strings */
  char *text = json_dumps(msg, JSON_COMPACT);
  SV_ASSERT(text);
  size_t len = strlen(text);
  for (guint i = 0; i < room->participants->len; i++) {
    sv_participant *p = g_ptr_array_index(room->participants, i);
    if (p != except && (to_waiting || !p->waiting)) sv_conn_send_text(p->conn, text, len);
  }
  free(text);
  json_decref(msg);
}

void sv_session_tell_about(sv_room *room, const sv_participant *subject, json_t *msg) {
  SV_ASSERT(msg);
  char *text = json_dumps(msg, JSON_COMPACT);
  SV_ASSERT(text);
  size_t len = strlen(text);
  for (guint i = 0; i < room->participants->len; i++) {
    sv_participant *p = g_ptr_array_index(room->participants, i);
    if (p != subject && sv_teaching_sees(p, subject)) sv_conn_send_text(p->conn, text, len);
  }
  free(text);
  json_decref(msg);
}

void sv_session_to_hosts(sv_room *room, json_t *msg) {
  SV_ASSERT(msg);
  for (guint i = 0; i < room->participants->len; i++) {
    sv_participant *p = g_ptr_array_index(room->participants, i);
    if (sv_participant_is_host(p)) sv_conn_send(p->conn, json_incref(msg));
  }
  json_decref(msg);
}

/* Everyone in the room is listed to everyone in it, observers included;
 * the waiting are listed to hosts only, and see nobody until admitted. In
 * group teaching an attendee is listed the presenters and the floor holder
 * only (teaching.h). */
json_t *sv_session_list(const sv_room *room, const sv_participant *viewer) {
  json_t *list = json_array();
  for (guint i = 0; i < room->participants->len; i++) {
    sv_participant *o = g_ptr_array_index(room->participants, i);
    if (o != viewer && sv_teaching_sees(viewer, o))
      json_array_append_new(list, sv_session_participant_json(o));
  }
  return list;
}

void sv_session_media_state(sv_signaling *sig, sv_participant *p, bool up, const char *why) {
  if (up == (p->media_us != 0)) return;
  if (up) {
    p->media_us = g_get_monotonic_time();
    sv_audit_participant(sig, p, "media-started", NULL, NULL);
    return;
  }
  gint64 seconds = (g_get_monotonic_time() - p->media_us) / G_USEC_PER_SEC;
  p->media_us = 0;
  sv_audit_participant(
      sig, p, "media-stopped", NULL,
      json_pack("{s:s,s:I}", "reason", why ? why : "closed", "duration_s", (json_int_t)seconds));
}

/* Counts and logs a refused join (the caller sends the error). */
static void note_join_refused(sv_conn *c, const sv_msg *m, const char *code, const char *why) {
  sv_metrics_join_failed(&c->sig->metrics,
                         strcmp(code, "too-early") == 0 || strcmp(code, "ended") == 0
                             ? SV_JOIN_FAIL_CLOSED
                         : strcmp(code, "bad-request") == 0 ? SV_JOIN_FAIL_REQUEST
                                                            : SV_JOIN_FAIL_AUTH);
  SV_INFO("signaling", "join of room %s from %s refused: %s: %s", m->room, c->peer, code, why);
}

static void send_join_error(sv_conn *c, const sv_msg *m, const char *code, const char *why) {
  note_join_refused(c, m, code, why);
  sv_conn_send_error(c, m->id, code, "%s", why);
}

/* A link the shared check refused (linkcheck.c): its code and sentence,
 * with `reason` (one word a client maps to its own text) and, for
 * too-early, `opensAt`. */
static void send_link_error(sv_conn *c, const sv_msg *m, const sv_link_check *link) {
  note_join_refused(c, m, link->code, link->message);
  json_t *msg =
      json_pack("{s:s,s:s,s:s}", "type", "error", "code", link->code, "reason", link->reason);
  json_t *text = json_string(link->message);
  json_object_set_new(msg, "message", text ? text : json_string("(message not shown)"));
  if (m->id) json_object_set(msg, "id", m->id);
  if (link->status == SV_LINK_TOO_EARLY) {
    char *when = sv_api_time_iso(link->opens_at);
    json_object_set_new(msg, "opensAt", json_string(when));
    g_free(when);
  }
  sv_conn_send(c, msg);
}

/* The checks before a seat: not in a room already, not draining, a token
 * when rooms are not open, the link (checked as GET /api/link checks it,
 * filling *link) and the privacy notice. Sends the error and returns false
 * when one fails. */
static bool may_join(sv_conn *c, const sv_msg *m, sv_link_check *link) {
  sv_signaling *sig = c->sig;
  if (c->participant) {
    sv_conn_send_error(c, m->id, "conflict",
                       "this connection is already in room '%s'; send leave before joining again",
                       c->participant->room->id);
    return false;
  }
  if (sig->draining) {
    sv_metrics_join_failed(&sig->metrics, SV_JOIN_FAIL_RESTARTING);
    sv_conn_send_error(c, m->id, "restarting",
                       "the server is restarting; join again in a few seconds");
    return false;
  }
  if (!m->token && !sig->allow_open_rooms) {
    send_join_error(c, m, "unauthorized",
                    "joining needs an invitation link: open the link from your invitation "
                    "(the join message needs its 'token')");
    return false;
  }
  if (!sv_link_check_run(sig, m->room, m->token, g_get_real_time() / G_USEC_PER_SEC, link)) {
    send_link_error(c, m, link);
    return false;
  }
  if (m->token && !m->notice_ack) {
    send_join_error(c, m, "bad-request",
                    "acknowledge the privacy notice before joining (send \"noticeAck\": true)");
    return false;
  }
  return true;
}

/* One link, one seat: joining again with the same link (a tablet whose
 * old connection has not timed out yet, or a second window) takes over
 * from the old connection in room_id, which is told `replaced`. */
static void take_over_link(sv_signaling *sig, const char *room_id, const char *hash) {
  sv_room *room = hash[0] ? sv_rooms_find(sig->rooms, room_id) : NULL;
  for (guint i = 0; room && i < room->participants->len; i++) {
    sv_participant *old = g_ptr_array_index(room->participants, i);
    if (strcmp(old->token_hash, hash) != 0) continue;
    sv_conn *old_conn = old->conn;
    sv_conn_send(old_conn, json_pack("{s:s}", "type", "replaced"));
    sv_session_leave_participant(old_conn, "replaced");
    return;
  }
}

/* Puts p into the relay's room unless it waits. Sends the error, takes p
 * out of the room again and returns false when the relay refuses. */
static bool join_relay(sv_conn *c, const sv_msg *m, sv_participant *p) {
  sv_signaling *sig = c->sig;
  if (!sig->relay || p->waiting) return true;
  int rc = sv_relay_join(sig->relay, m->room, p->id);
  if (rc >= 0) return true;
  SV_ERROR("signaling", "relay refused %s in room %s: %s", p->id, m->room, sv_strerror(rc));
  sv_rooms_remove(sig->rooms, p);
  sv_metrics_join_failed(&sig->metrics, SV_JOIN_FAIL_RELAY);
  sv_conn_send_error(c, m->id, "internal",
                     "the media relay could not add you to the room; retry once, then report");
  return false;
}

/* Takes a seat for c in m->room as the link says (role, name, the room's
 * kind): in the call, or in the waiting room for a waiting role not yet
 * admitted with this link. Sends the error and returns NULL when the room
 * is full or the relay refuses. */
static sv_participant *take_seat(sv_conn *c, const sv_msg *m, const sv_link_check *link) {
  sv_signaling *sig = c->sig;
  const char *hash = link->id;
  /* The display name comes from the invitation when it carries one. */
  char name[SV_MESSAGE_MAX_NAME * 4 + 1];
  g_strlcpy(name, link->name[0] ? link->name : m->name, sizeof name);
  /* A group-teaching consultation holds a lecture hall; the others a room. */
  bool teaching = link->known && link->info.teaching;
  size_t max = teaching ? sig->max_teaching_size : sig->max_room_size;
  sv_participant *p = NULL;
  if (sv_rooms_add(sig->rooms, m->room, name, max, c, &p) < 0) {
    sv_metrics_join_failed(&sig->metrics, SV_JOIN_FAIL_ROOM_FULL);
    sv_conn_send_error(c, m->id, "room-full",
                       "room '%s' already has the maximum of %zu participants; try later", m->room,
                       max);
    return NULL;
  }
  if (teaching && !p->room->teaching) p->room->teaching = sv_teaching_new();
  if (link->role) p->role = link->role;
  g_strlcpy(p->token_hash, hash, sizeof p->token_hash);
  /* Someone a host already admitted comes back in directly (a reconnect). */
  p->waiting =
      sv_room_role_waits(p->role) && !(hash[0] && g_hash_table_contains(p->room->admitted, hash));
  p->notice_ack = m->notice_ack;
  sv_classroom_restore_presenter(sig, p);
  if (hash[0] && sig->store && sig->store->token_used)
    sig->store->token_used(sig->store_user, hash);
  if (!join_relay(c, m, p)) return NULL;
  c->participant = p;
  sv_metrics_join(&sig->metrics);
  return p;
}

/* The booked consultation's window, kind and title for the join reply. */
static json_t *consultation_json(const sv_signaling_consultation *info) {
  json_t *cons =
      json_pack("{s:I,s:I,s:s}", "start", (json_int_t)info->start, "end", (json_int_t)info->end,
                "kind", info->teaching ? "group-teaching" : "consultation");
  json_t *title = json_string(info->title);
  if (title) json_object_set_new(cons, "title", title);
  return cons;
}

/* The `ok` to join: who p is, whom it sees, the host, the room's features,
 * the consultation (when booked) and the TURN servers. */
static void send_join_reply(sv_conn *c, const sv_msg *m, const sv_participant *p,
                            const sv_link_check *link) {
  sv_signaling *sig = c->sig;
  sv_room *room = p->room;
  json_t *reply =
      json_pack("{s:s,s:s,s:s,s:o}", "self", p->id, "role", p->role, "state",
                p->waiting ? "waiting" : "joined", "participants", sv_session_list(room, p));
  json_object_set_new(reply, "host", room->host ? json_string(room->host->id) : json_null());
  sv_classroom_reply_fields(p, reply);
  json_object_set_new(reply, "features", json_pack("{s:b}", "chat", !sig->chat_off));
  if (link->known) json_object_set_new(reply, "consultation", consultation_json(&link->info));
  json_t *ice = sv_turn_ice_servers(sig->turn_uris, sig->turn_secret, sig->turn_ttl, p->id,
                                    g_get_real_time() / G_USEC_PER_SEC);
  if (ice) json_object_set_new(reply, "iceServers", ice);
  sv_conn_send_ok(c, m->id, reply);
}

/* Tells the room about p: the hosts that p waits, or those who see p that
 * p joined; everyone that p became host; p itself, waiting, that no host is
 * there yet. */
static void tell_room(sv_conn *c, sv_participant *p, bool new_host) {
  sv_room *room = p->room;
  json_t *self = sv_session_participant_json(p);
  if (p->waiting) {
    sv_session_to_hosts(room,
                        json_pack("{s:s,s:o}", "type", "participant-waiting", "participant", self));
  } else {
    sv_session_tell_about(
        room, p, json_pack("{s:s,s:o}", "type", "participant-joined", "participant", self));
  }
  if (new_host && room->participants->len > 1) {
    sv_session_broadcast(
        room, p, json_pack("{s:s,s:s,s:s}", "type", "host-changed", "host", p->id, "name", p->name),
        true);
  }
  if (p->waiting && !room->host) sv_conn_send(c, json_pack("{s:s}", "type", "host-away"));
}

/* What follows p's arrival, told: the audit event, recording and group
 * teaching catch up with p, and the log line. */
static void after_join(sv_conn *c, const sv_msg *m, sv_participant *p) {
  sv_signaling *sig = c->sig;
  sv_room *room = p->room;
  sv_audit_participant(
      sig, p, p->waiting ? "waiting" : "joined", NULL,
      json_pack("{s:b,s:b}", "notice_ack", p->notice_ack, "token", m->token != NULL));
  if (!p->waiting) sv_recording_after_join(sig, p);
  sv_classroom_after_join(sig, p);
  SV_LOG_IDS(SV_LOG_INFO, "signaling", p->id, room->id,
             "%s %s room %s as %s from %s (%u in the room; privacy notice %s)", p->id,
             p->waiting ? "waits in" : "joined", room->id, p->role, c->peer,
             room->participants->len, p->notice_ack ? "acknowledged" : "not acknowledged");
}

static void on_join(sv_conn *c, const sv_msg *m) {
  sv_link_check link;
  if (!may_join(c, m, &link)) return;
  take_over_link(c->sig, m->room, link.id);
  sv_participant *p = take_seat(c, m, &link);
  if (!p) return;
  /* The first host in the room leads it. */
  bool new_host = !p->room->host && sv_participant_is_host(p);
  if (new_host) p->room->host = p;
  send_join_reply(c, m, p, &link);
  tell_room(c, p, new_host);
  after_join(c, m, p);
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
  sv_session_leave_participant(c, reason);
}

void sv_session_leave_participant(sv_conn *c, const char *reason) {
  sv_signaling *sig = c->sig;
  sv_participant *p = c->participant;
  if (!p) return;
  c->participant = NULL;
  if (sig->closing) {
    sv_rooms_remove(sig->rooms, p);
    return;
  }
  sv_room *room = p->room;
  sv_recording_before_leave(sig, p);
  if (sig->relay && !p->waiting) sv_relay_leave(sig->relay, room->id, p->id);
  drop_pending(sig, p->id);
  SV_LOG_IDS(SV_LOG_INFO, "signaling", p->id, room->id, "%s left room %s (%s, %u remain)", p->id,
             room->id, reason, room->participants->len - 1);
  gint64 duration = (g_get_monotonic_time() - p->joined_us) / G_USEC_PER_SEC;
  sv_session_media_state(sig, p, false, reason);
  sv_screenshare_before_leave(sig, p, reason);
  if (strcmp(reason, "removed") != 0 && strcmp(reason, "rejected") != 0)
    sv_audit_participant(
        sig, p, "left", NULL,
        json_pack("{s:s,s:I}", "reason", reason, "duration_s", (json_int_t)duration));
  /* Everyone is told, except when the whole room is ending. */
  if (strcmp(reason, "ended") != 0) {
    json_t *msg = json_pack("{s:s,s:s,s:s}", "type", "participant-left", "participant", p->id,
                            "reason", reason);
    if (p->waiting) {
      sv_session_to_hosts(room, msg);
    } else {
      sv_session_tell_about(room, p, msg);
    }
  }
  sv_classroom_before_leave(sig, p, reason);
  bool was_host = room->host == p;
  if (was_host) room->host = NULL;
  bool last = room->participants->len == 1;
  sv_rooms_remove(sig->rooms, p); /* frees the room when p was the last */
  if (was_host && !last && strcmp(reason, "ended") != 0) sv_host_after_leave(sig, room, true);
}

/* The state check every message after join shares: the waiting have no
 * media and no chat until a host admits them. */
bool sv_session_require_joined(sv_conn *c, const sv_msg *m) {
  if (c->participant && !c->participant->waiting) return true;
  if (c->participant)
    sv_conn_send_error(c, m->id, "conflict",
                       "you are in the waiting room: %s works once the host has admitted you",
                       m->type_name);
  else
    sv_conn_send_error(c, m->id, "conflict", "send join before %s", m->type_name);
  return false;
}

bool sv_session_require_relay(sv_conn *c, const sv_msg *m) {
  if (c->sig->relay) return true;
  sv_conn_send_error(c, m->id, "internal",
                     "the media relay is not running; retry once, then report");
  return false;
}

static void on_publish(sv_conn *c, const sv_msg *m) {
  sv_signaling *sig = c->sig;
  if (!sv_session_require_joined(c, m)) return;
  sv_participant *p = c->participant;
  if (sv_role_is(p->role, SV_ROLE_OBSERVER)) {
    sv_conn_send_error(c, m->id, "forbidden",
                       "observers receive only: joining as an observer does not allow sending "
                       "audio or video");
    return;
  }
  if (!sv_teaching_may_publish(p, NULL, NULL)) {
    sv_conn_send_error(c, m->id, "forbidden",
                       "attendees of a group teaching receive only; raise your hand and a host "
                       "may give you the floor");
    return;
  }
  if (!sv_session_require_relay(c, m)) return;
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
  if (!sv_session_require_joined(c, m) || !sv_session_require_relay(c, m)) return;
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
  if (!sv_session_require_joined(c, m) || !sv_session_require_relay(c, m)) return;
  sv_participant *p = c->participant;
  sv_pc_kind pc = SV_PC_SUBSCRIBE;
  sv_pc_kind_parse(m->pc, &pc); /* one of the two: the message's field rules say so */
  int rc =
      sv_relay_candidate(c->sig->relay, p->room->id, p->id, pc, m->candidate, m->mid ? m->mid : "");
  if (rc < 0) {
    sv_conn_send_error(c, m->id, sv_session_error_code(rc),
                       "the relay cannot take this candidate (%s)", sv_strerror(rc));
    return;
  }
  if (m->id) sv_conn_send_ok(c, m->id, NULL);
}

/* The client's network changed: the relay restarts ICE on its subscribe
 * connection and sends a new subscribe offer (the publish connection
 * restarts through a new `publish` offer). */
static void on_ice_restart(sv_conn *c, const sv_msg *m) {
  if (!sv_session_require_joined(c, m) || !sv_session_require_relay(c, m)) return;
  sv_participant *p = c->participant;
  int rc = sv_relay_restart_ice(c->sig->relay, p->room->id, p->id);
  if (rc < 0) {
    sv_conn_send_error(c, m->id, sv_session_error_code(rc), "the relay cannot restart ICE (%s)",
                       sv_strerror(rc));
    return;
  }
  if (m->id) sv_conn_send_ok(c, m->id, NULL);
}

/* Chat goes to everyone in the room, the sender included, so all see the
 * same order. Its text is never logged or stored: the audit log gets only
 * `chat-used`, once per participant and join. */
static void on_chat(sv_conn *c, const sv_msg *m) {
  if (c->sig->chat_off) {
    sv_conn_send_error(c, m->id, "unsupported", "chat is turned off on this server (--chat off)");
    return;
  }
  if (!sv_session_require_joined(c, m)) return;
  if (!sv_conn_take_fanout(c, g_get_monotonic_time())) {
    sv_conn_send_error(c, m->id, "rate-limited",
                       "at most %d chat messages a second are passed on; wait a moment and send "
                       "again",
                       (int)SV_FANOUT_RATE);
    return;
  }
  sv_participant *p = c->participant;
  json_int_t ts = (json_int_t)(g_get_real_time() / 1000);
  json_t *chat = json_pack("{s:s,s:s,s:s,s:s,s:I}", "type", "chat", "from", p->id, "name", p->name,
                           "text", m->text, "ts", ts);
  if (sv_teaching_is_presenter(p))
    sv_session_broadcast(p->room, NULL, chat, false);
  else /* an attendee of a group teaching: to the presenters, and back */
    sv_classroom_to_presenters(p->room, p, chat);
  if (!p->chat_used) sv_audit_participant(c->sig, p, "chat-used", NULL, NULL);
  p->chat_used = true;
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
    /* The JSON parser's sentence may quote the frame ("... near '<text>'"),
     * which can be chat text: the log keeps only what comes before. */
    const char *near = strstr(err.message, " near '");
    SV_DEBUG("signaling", "refused a message from %s: %s: %.*s", c->peer, err.code,
             near ? (int)(near - err.message) : (int)strlen(err.message), err.message);
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
  case SV_MSG_ICE_RESTART:
    on_ice_restart(c, &m);
    break;
  case SV_MSG_ADMIT:
  case SV_MSG_REJECT:
  case SV_MSG_REMOVE:
  case SV_MSG_END:
  case SV_MSG_WAITING_MESSAGE:
    sv_host_handle(c, &m);
    break;
  case SV_MSG_RECORD_REQUEST:
  case SV_MSG_RECORD_CONSENT:
  case SV_MSG_RECORD_START:
  case SV_MSG_RECORD_STOP:
  case SV_MSG_RECORDINGS:
  case SV_MSG_CAPTURE:
  case SV_MSG_CAPTURE_CONSENT:
    sv_recording_handle(c, &m);
    break;
  case SV_MSG_URGENT_WATCH:
  case SV_MSG_URGENT_REQUEST:
  case SV_MSG_URGENT_ACCEPT:
  case SV_MSG_URGENT_CANCEL:
    sv_urgent_handle(c, &m);
    break;
  case SV_MSG_LAYER:
  case SV_MSG_AUDIO_ONLY:
    sv_adapt_handle(c, &m);
    break;
  case SV_MSG_MEDIA_STATE:
    sv_media_state_handle(c, &m);
    break;
  case SV_MSG_MAKE_PRESENTER:
  case SV_MSG_REVOKE_PRESENTER:
  case SV_MSG_RAISE_HAND:
  case SV_MSG_LOWER_HAND:
  case SV_MSG_GIVE_FLOOR:
  case SV_MSG_TAKE_FLOOR:
    sv_classroom_handle(c, &m);
    break;
  case SV_MSG_STOP_SHARE:
    sv_screenshare_handle(c, &m);
    break;
  }
  sv_message_clear(&m);
}
