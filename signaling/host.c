/*
 * host.c — what a host does (docs/protocol.md, "Hosts"): admit or reject
 * people waiting, remove a participant, end the consultation for everyone,
 * send a short message to the waiting room; and who leads the room when its
 * host leaves. sv_host_require() is the one check that the sender may act
 * as host, and sv_host_target() finds the participant a host message names,
 * for these and for the host messages of classroom.c, recording.c and
 * screenshare.c.
 *
 * Every specialist who is in the room (not waiting) is a host and may do all
 * of this; room->host names the one leading it, shown to everyone. When that
 * one leaves, another specialist present takes over (`host-changed`); with
 * none, everyone is told `host-away` and the waiting stay waiting until a
 * specialist joins, who then becomes host.
 */
#include <string.h>

#include "common/common.h"
#include "signaling/message.h"
#include "signaling/signaling_int.h"

void sv_host_after_leave(sv_signaling *sig, sv_room *room, bool was_host) {
  if (!was_host || room->host) return;
  for (guint i = 0; i < room->participants->len; i++) {
    sv_participant *o = g_ptr_array_index(room->participants, i);
    if (sv_participant_is_host(o)) {
      room->host = o;
      SV_INFO("signaling", "%s is now host of room %s", o->id, room->id);
      sv_session_broadcast(
          room, NULL,
          json_pack("{s:s,s:s,s:s}", "type", "host-changed", "host", o->id, "name", o->name), true);
      return;
    }
  }
  SV_INFO("signaling", "room %s has no host now", room->id);
  sv_session_broadcast(room, NULL, json_pack("{s:s}", "type", "host-away"), true);
}

bool sv_host_require(sv_conn *c, const sv_msg *m) {
  if (sv_participant_is_host(c->participant)) return true;
  sv_conn_send_error(c, m->id, "forbidden", "only a host (a specialist in the room) may send %s",
                     m->type_name);
  return false;
}

sv_participant *sv_host_target(sv_conn *c, const sv_msg *m, bool allow_waiting) {
  sv_participant *self = c->participant;
  sv_participant *t = sv_rooms_find_participant(c->sig->rooms, self->room->id, m->participant);
  if (!t) {
    sv_conn_send_error(c, m->id, "not-found",
                       "participant '%s' is not in this room (they may have left)", m->participant);
    return NULL;
  }
  if (t == self) {
    sv_conn_send_error(c, m->id, "conflict",
                       "%s is for someone else, not yourself (to go, send leave)", m->type_name);
    return NULL;
  }
  if (t->waiting && !allow_waiting) {
    sv_conn_send_error(c, m->id, "conflict",
                       "%s is for someone who is in the call; participant '%s' is waiting",
                       m->type_name, t->id);
    return NULL;
  }
  return t;
}

static void admit(sv_conn *c, const sv_msg *m) {
  sv_signaling *sig = c->sig;
  sv_participant *t = sv_host_target(c, m, true);
  if (!t) return;
  if (!t->waiting) {
    sv_conn_send_error(c, m->id, "conflict", "participant '%s' is not waiting", t->id);
    return;
  }
  if (sig->relay) {
    int rc = sv_relay_join(sig->relay, t->room->id, t->id);
    if (rc < 0) {
      SV_ERROR("signaling", "relay refused %s in room %s: %s", t->id, t->room->id, sv_strerror(rc));
      sv_conn_send_error(c, m->id, "internal",
                         "the media relay could not take this participant; retry once, then "
                         "report");
      return;
    }
  }
  t->waiting = false;
  sv_room *room = t->room;
  if (t->token_hash[0]) g_hash_table_add(room->admitted, g_strdup(t->token_hash));
  json_t *msg = json_pack("{s:s,s:s,s:o}", "type", "admitted", "by", c->participant->id,
                          "participants", sv_session_list(room, t));
  json_object_set_new(msg, "host", room->host ? json_string(room->host->id) : json_null());
  sv_classroom_reply_fields(t, msg);
  sv_conn_send(t->conn, msg);
  sv_session_tell_about(room, t,
                        json_pack("{s:s,s:o}", "type", "participant-joined", "participant",
                                  sv_session_participant_json(t)));
  sv_audit_participant(sig, t, "admitted", c->participant->id, NULL);
  sv_recording_after_join(sig, t);
  sv_classroom_after_join(sig, t);
  SV_INFO("signaling", "%s admitted %s to room %s", c->participant->id, t->id, room->id);
  sv_conn_send_ok(c, m->id, NULL);
}

/* reject and remove: the person is told why, then leaves the room. */
static void send_off(sv_conn *c, const sv_msg *m, bool reject) {
  sv_participant *t = sv_host_target(c, m, true);
  if (!t) return;
  if (reject && !t->waiting) {
    sv_conn_send_error(c, m->id, "conflict",
                       "participant '%s' is not waiting; use remove to end their participation",
                       t->id);
    return;
  }
  const char *event = reject ? "rejected" : "removed";
  /* A removed person's link no longer opens this room; a rejected one may
   * knock again (the host decides again). */
  if (!reject && t->token_hash[0]) {
    g_hash_table_remove(t->room->admitted, t->token_hash);
    g_hash_table_add(t->room->removed, g_strdup(t->token_hash));
  }
  sv_audit_participant(c->sig, t, event, c->participant->id, NULL);
  sv_conn_send(t->conn, json_pack("{s:s,s:s}", "type", event, "by", c->participant->id));
  SV_INFO("signaling", "%s %s %s from room %s", c->participant->id, event, t->id, t->room->id);
  sv_session_leave_participant(t->conn, event);
  sv_conn_send_ok(c, m->id, NULL);
}

/* Everyone gets `ended` and leaves; the room cannot be joined again (a
 * booked consultation's store remembers it across restarts). */
static void end_room(sv_conn *c, const sv_msg *m) {
  sv_signaling *sig = c->sig;
  sv_participant *self = c->participant;
  sv_room *room = self->room;
  char *room_id = g_strdup(room->id);
  sv_audit_participant(sig, self, "ended", self->id, NULL);
  sv_session_broadcast(
      room, NULL, json_pack("{s:s,s:s,s:s}", "type", "ended", "by", self->id, "name", self->name),
      true);
  /* Leaving frees participants and, with the last, the room: collect the
   * connections first. */
  GPtrArray *conns = g_ptr_array_new();
  for (guint i = 0; i < room->participants->len; i++)
    g_ptr_array_add(conns, ((sv_participant *)g_ptr_array_index(room->participants, i))->conn);
  for (guint i = 0; i < conns->len; i++)
    sv_session_leave_participant(g_ptr_array_index(conns, i), "ended");
  g_ptr_array_free(conns, TRUE);
  if (sig->store && sig->store->ended) sig->store->ended(sig->store_user, room_id);
  g_hash_table_add(sig->ended, room_id); /* takes room_id */
  SV_INFO("signaling", "room %s was ended by its host", room_id);
  sv_conn_send_ok(c, m->id, NULL);
}

static void waiting_message(sv_conn *c, const sv_msg *m) {
  if (!sv_conn_take_fanout(c, g_get_monotonic_time())) {
    sv_conn_send_error(c, m->id, "rate-limited",
                       "at most %d messages a second are passed on; wait a moment and send again",
                       (int)SV_FANOUT_RATE);
    return;
  }
  sv_participant *self = c->participant;
  sv_room *room = self->room;
  json_t *msg =
      json_pack("{s:s,s:s,s:s,s:s,s:I}", "type", "waiting-message", "from", self->id, "name",
                self->name, "text", m->text, "ts", (json_int_t)(g_get_real_time() / 1000));
  unsigned n = 0;
  for (guint i = 0; i < room->participants->len; i++) {
    sv_participant *o = g_ptr_array_index(room->participants, i);
    if (o->waiting) {
      sv_conn_send(o->conn, json_incref(msg));
      n++;
    }
  }
  json_decref(msg);
  sv_conn_send_ok(c, m->id, json_pack("{s:I}", "delivered", (json_int_t)n));
}

void sv_host_handle(sv_conn *c, const sv_msg *m) {
  sv_participant *p = c->participant;
  if (!p) {
    sv_conn_send_error(c, m->id, "conflict", "send join before %s", m->type_name);
    return;
  }
  if (!sv_host_require(c, m)) return;
  switch (m->type) {
  case SV_MSG_ADMIT:
    admit(c, m);
    break;
  case SV_MSG_REJECT:
    send_off(c, m, true);
    break;
  case SV_MSG_REMOVE:
    send_off(c, m, false);
    break;
  case SV_MSG_END:
    end_room(c, m);
    break;
  case SV_MSG_WAITING_MESSAGE:
    waiting_message(c, m);
    break;
  default:
    break;
  }
}
