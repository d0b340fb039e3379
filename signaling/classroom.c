/*
 * classroom.c — group teaching on the wire (docs/protocol.md, "Group
 * teaching"): the host's make-presenter, revoke-presenter, give-floor and
 * take-floor, the attendee's raise-hand and lower-hand, the hand queue told
 * to presenters, the attendee count told to everyone, and what each person
 * is shown when someone starts or stops being seen, and what a dropped
 * connection keeps: a made presenter's role, and the floor for a while
 * (docs/protocol.md, "Reconnecting in a group teaching"). The rules
 * themselves (who may publish, who sees whom, the queue) are in teaching.c.
 *
 * The relay is told what each person may publish (sv_relay_allow_publish),
 * so an attendee's media can reach nobody even if a publish got through,
 * and the floor holder's tracks leave everyone's subscription the moment
 * the floor is taken back.
 */
#include <string.h>

#include "common/common.h"
#include "common/role.h"
#include "signaling/message.h"
#include "signaling/signaling_int.h"
#include "signaling/teaching.h"

/* Tells the relay what p may publish now. */
static void allow(sv_signaling *sig, sv_participant *p) {
  if (!sig->relay || p->waiting) return;
  bool audio = false, video = false;
  sv_teaching_may_publish(p, &audio, &video);
  int rc = sv_relay_allow_publish(sig->relay, p->room->id, p->id, audio, video);
  if (rc < 0)
    SV_ERROR("signaling", "relay refused the publish rights of %s in room %s: %s", p->id,
             p->room->id, sv_strerror(rc));
}

static bool is_staff(const sv_participant *o) {
  return !o->waiting && sv_teaching_is_presenter(o);
}

/* {"type":"hands",...}: the hand queue and the floor. */
static json_t *hands_json(const sv_room *room) {
  const sv_teaching *t = room->teaching;
  json_t *queue = json_array();
  for (guint i = 0; i < t->hands->len; i++) {
    const sv_participant *h = g_ptr_array_index(t->hands, i);
    json_array_append_new(queue, json_pack("{s:s,s:s}", "id", h->id, "name", h->name));
  }
  json_t *floor = t->floor ? json_pack("{s:s,s:s,s:b}", "id", t->floor->id, "name", t->floor->name,
                                       "video", t->floor_video)
                           : json_null();
  return json_pack("{s:s,s:o,s:o}", "type", "hands", "queue", queue, "floor", floor);
}

/* The hand queue and the floor, to the presenters (hosts included). */
static void send_hands(sv_room *room) {
  json_t *msg = hands_json(room);
  for (guint i = 0; i < room->participants->len; i++) {
    sv_participant *o = g_ptr_array_index(room->participants, i);
    if (is_staff(o)) sv_conn_send(o->conn, json_incref(msg));
  }
  json_decref(msg);
}

typedef struct count_timer {
  sv_signaling *sig;
  char *room;
} count_timer;

static void count_timer_free(gpointer data) {
  count_timer *ct = data;
  g_free(ct->room);
  g_free(ct);
}

static gboolean on_count_timer(gpointer data);

/* Tells everyone in room (but `except`, who is leaving) the attendee
 * count, at most once a second: a change inside the second is told when
 * it ends. */
static void tell_count(sv_signaling *sig, sv_room *room, const sv_participant *except) {
  sv_teaching *t = room->teaching;
  unsigned n = sv_teaching_attendees(room);
  if (except && !except->waiting && !sv_teaching_is_presenter(except) && n > 0) n--;
  gint64 now = g_get_monotonic_time();
  gint64 due = sv_teaching_count_due(t, n, now);
  if (due < 0) return;
  if (due > 0) {
    if (t->count_timer) return;
    count_timer *ct = g_new0(count_timer, 1);
    ct->sig = sig;
    ct->room = g_strdup(room->id);
    t->count_timer = g_timeout_add_full(G_PRIORITY_DEFAULT, (guint)((due + 999) / 1000),
                                        on_count_timer, ct, count_timer_free);
    return;
  }
  sv_teaching_count_told(t, n, now);
  sv_session_broadcast(room, except,
                       json_pack("{s:s,s:I}", "type", "attendee-count", "attendees", (json_int_t)n),
                       false);
}

static gboolean on_count_timer(gpointer data) {
  count_timer *ct = data;
  sv_room *room = sv_rooms_find(ct->sig->rooms, ct->room);
  if (room && room->teaching) {
    room->teaching->count_timer = 0; /* this source ends with the return */
    if (!ct->sig->closing) tell_count(ct->sig, room, NULL);
  }
  return G_SOURCE_REMOVE;
}

/* Who sees subject now (not subject): compare after a change with
 * tell_visibility(). */
static GPtrArray *viewers_of(sv_room *room, const sv_participant *subject) {
  GPtrArray *v = g_ptr_array_new();
  for (guint i = 0; i < room->participants->len; i++) {
    sv_participant *o = g_ptr_array_index(room->participants, i);
    if (o != subject && sv_teaching_sees(o, subject)) g_ptr_array_add(v, o);
  }
  return v;
}

/* After a change to subject: those who see it now and did not get
 * `participant-joined`; those who no longer do get `participant-left`
 * with left_reason; those who saw it and still do get `update` (stolen;
 * NULL = nothing). `before` (from viewers_of) is freed. */
static void tell_visibility(sv_room *room, sv_participant *subject, GPtrArray *before,
                            const char *left_reason, json_t *update) {
  json_t *joined = json_pack("{s:s,s:o}", "type", "participant-joined", "participant",
                             sv_session_participant_json(subject));
  json_t *left = json_pack("{s:s,s:s,s:s}", "type", "participant-left", "participant", subject->id,
                           "reason", left_reason ? left_reason : "left");
  for (guint i = 0; i < room->participants->len; i++) {
    sv_participant *o = g_ptr_array_index(room->participants, i);
    if (o == subject || o->waiting) continue;
    bool was = g_ptr_array_find(before, o, NULL), now = sv_teaching_sees(o, subject);
    if (!was && now) sv_conn_send(o->conn, json_incref(joined));
    if (was && !now) sv_conn_send(o->conn, json_incref(left));
    if (was && now && update) sv_conn_send(o->conn, json_incref(update));
  }
  json_decref(joined);
  json_decref(left);
  json_decref(update);
  g_ptr_array_free(before, TRUE);
}

/* The floor goes back from holder; by: who took it (a host's id, or the
 * holder's own when they lowered their hand). */
static void end_floor(sv_signaling *sig, sv_participant *holder, const char *by,
                      const char *actor) {
  sv_room *room = holder->room;
  GPtrArray *before = viewers_of(room, holder);
  sv_teaching_take_floor(room->teaching);
  allow(sig, holder); /* its tracks leave every subscription now */
  tell_visibility(room, holder, before, "floor-ended", NULL);
  sv_conn_send(holder->conn, json_pack("{s:s,s:b,s:s}", "type", "floor", "granted", 0, "by", by));
  sv_audit_participant(sig, holder, "floor-taken", actor, NULL);
  SV_INFO("signaling", "%s no longer has the floor in room %s", holder->id, room->id);
}

static unsigned made_presenters(const sv_room *room) {
  unsigned n = 0;
  for (guint i = 0; i < room->participants->len; i++)
    n += ((const sv_participant *)g_ptr_array_index(room->participants, i))->presenter;
  return n;
}

static void set_presenter(sv_conn *c, const sv_msg *m, bool on) {
  sv_signaling *sig = c->sig;
  sv_participant *t = sv_host_target(c, m, false);
  if (!t) return;
  sv_room *room = t->room;
  if (on && (sv_teaching_is_presenter(t) || sv_role_is(t->role, SV_ROLE_OBSERVER))) {
    sv_conn_send_error(c, m->id, "conflict", "participant '%s' is %s", t->id,
                       sv_teaching_is_presenter(t) ? "a presenter already"
                                                   : "an observer, who receives only");
    return;
  }
  if (!on && !t->presenter) {
    sv_conn_send_error(c, m->id, "conflict",
                       "participant '%s' was not made presenter (specialists always present)",
                       t->id);
    return;
  }
  if (on && made_presenters(room) >= SV_TEACHING_MAX_PRESENTERS) {
    sv_conn_send_error(c, m->id, "conflict",
                       "at most %d people can be made presenter; revoke one first",
                       SV_TEACHING_MAX_PRESENTERS);
    return;
  }
  GPtrArray *before = viewers_of(room, t);
  bool hands_changed = on && sv_teaching_forget(room->teaching, t);
  t->presenter = on;
  sv_teaching_remember_presenter(room->teaching, t, on);
  allow(sig, t);
  tell_visibility(
      room, t, before, "presenter-revoked",
      json_pack("{s:s,s:s,s:b}", "type", "participant-presenter", "participant", t->id, "on", on));
  sv_conn_send(t->conn, json_pack("{s:s,s:b,s:s,s:o}", "type", "presenter", "on", on, "by",
                                  c->participant->id, "participants", sv_session_list(room, t)));
  if (hands_changed) send_hands(room);
  tell_count(sig, room, NULL);
  sv_audit_participant(sig, t, on ? "presenter-made" : "presenter-revoked", c->participant->id,
                       NULL);
  SV_INFO("signaling", "%s %s %s in room %s", c->participant->id,
          on ? "made presenter" : "revoked presenter", t->id, room->id);
  sv_conn_send_ok(c, m->id, NULL);
}

static void give_floor(sv_conn *c, const sv_msg *m) {
  sv_signaling *sig = c->sig;
  sv_participant *t = sv_host_target(c, m, false);
  if (!t) return;
  sv_room *room = t->room;
  sv_teaching *teach = room->teaching;
  if (sv_teaching_is_presenter(t) || sv_role_is(t->role, SV_ROLE_OBSERVER)) {
    sv_conn_send_error(c, m->id, "conflict", "participant '%s' is %s", t->id,
                       sv_teaching_is_presenter(t) ? "a presenter, who may speak anyway"
                                                   : "an observer, who receives only");
    return;
  }
  if (teach->floor && teach->floor != t)
    end_floor(sig, teach->floor, c->participant->id, c->participant->id);
  GPtrArray *before = viewers_of(room, t);
  sv_teaching_give_floor(teach, t, m->video != 0);
  g_strlcpy(teach->floor_by, c->participant->id, sizeof teach->floor_by);
  sv_teaching_drop_kept_floor(teach); /* a floor kept for someone who dropped is gone */
  allow(sig, t);
  tell_visibility(room, t, before, NULL, NULL);
  sv_conn_send(t->conn, json_pack("{s:s,s:b,s:b,s:b,s:s}", "type", "floor", "granted", 1, "audio",
                                  1, "video", m->video != 0, "by", c->participant->id));
  send_hands(room);
  sv_audit_participant(sig, t, "floor-given", c->participant->id,
                       json_pack("{s:b}", "video", m->video != 0));
  SV_INFO("signaling", "%s gave %s the floor in room %s (%s)", c->participant->id, t->id, room->id,
          m->video ? "audio and video" : "audio only");
  sv_conn_send_ok(c, m->id, NULL);
}

static void take_floor(sv_conn *c, const sv_msg *m) {
  sv_room *room = c->participant->room;
  if (!room->teaching->floor) {
    /* A floor kept for a holder who dropped is taken back too. */
    if (sv_teaching_drop_kept_floor(room->teaching))
      sv_conn_send_ok(c, m->id, NULL);
    else
      sv_conn_send_error(c, m->id, "conflict", "nobody has the floor");
    return;
  }
  end_floor(c->sig, room->teaching->floor, c->participant->id, c->participant->id);
  send_hands(room);
  sv_conn_send_ok(c, m->id, NULL);
}

static void hand(sv_conn *c, const sv_msg *m, bool up) {
  sv_participant *p = c->participant;
  sv_room *room = p->room;
  sv_teaching *t = room->teaching;
  if (sv_teaching_is_presenter(p)) {
    sv_conn_send_error(c, m->id, "conflict", "presenters speak without raising a hand");
    return;
  }
  if (!sv_conn_take_fanout(c, g_get_monotonic_time())) {
    sv_conn_send_error(c, m->id, "rate-limited",
                       "at most %d of these a second are passed on; wait a moment",
                       (int)SV_FANOUT_RATE);
    return;
  }
  if (up) {
    if (t->floor == p) {
      sv_conn_send_error(c, m->id, "conflict", "you have the floor already");
      return;
    }
    bool was = sv_teaching_position(t, p) != 0;
    unsigned at = sv_teaching_raise(t, p);
    if (!was) {
      send_hands(room);
      sv_audit_participant(c->sig, p, "hand-raised", NULL, NULL);
    }
    sv_conn_send_ok(c, m->id, json_pack("{s:I}", "position", (json_int_t)at));
    return;
  }
  if (t->floor == p) { /* lowering one's hand hands the floor back */
    end_floor(c->sig, p, p->id, NULL);
    send_hands(room);
  } else if (sv_teaching_lower(t, p)) {
    send_hands(room);
    sv_audit_participant(c->sig, p, "hand-lowered", NULL, NULL);
  }
  sv_conn_send_ok(c, m->id, NULL);
}

void sv_classroom_handle(sv_conn *c, const sv_msg *m) {
  if (!sv_session_require_joined(c, m)) return;
  sv_participant *p = c->participant;
  if (!p->room->teaching) {
    sv_conn_send_error(c, m->id, "conflict",
                       "%s is for group-teaching consultations; this one is not", m->type_name);
    return;
  }
  bool host_only = m->type != SV_MSG_RAISE_HAND && m->type != SV_MSG_LOWER_HAND;
  if (host_only && !sv_host_require(c, m)) return;
  switch (m->type) {
  case SV_MSG_MAKE_PRESENTER:
  case SV_MSG_REVOKE_PRESENTER:
    set_presenter(c, m, m->type == SV_MSG_MAKE_PRESENTER);
    break;
  case SV_MSG_GIVE_FLOOR:
    give_floor(c, m);
    break;
  case SV_MSG_TAKE_FLOOR:
    take_floor(c, m);
    break;
  case SV_MSG_RAISE_HAND:
  case SV_MSG_LOWER_HAND:
    hand(c, m, m->type == SV_MSG_RAISE_HAND);
    break;
  default:
    break;
  }
}

void sv_classroom_reply_fields(const sv_participant *p, json_t *reply) {
  const sv_room *room = p->room;
  if (!room->teaching) return;
  json_object_set_new(reply, "presenter", json_boolean(sv_teaching_is_presenter(p)));
  json_object_set_new(reply, "attendees", json_integer(sv_teaching_attendees(room)));
}

/* Whether a leave reason is a dropped connection rather than a choice:
 * the person may well come back with the same link. */
static bool dropped(const char *reason) {
  return strcmp(reason, "disconnected") == 0 || strcmp(reason, "failed") == 0 ||
         strcmp(reason, "replaced") == 0;
}

void sv_classroom_restore_presenter(sv_signaling *sig, sv_participant *p) {
  sv_room *room = p->room;
  if (!room->teaching || p->waiting || sv_teaching_is_presenter(p)) return;
  if (!sv_teaching_was_made_presenter(room->teaching, p)) return;
  if (made_presenters(room) >= SV_TEACHING_MAX_PRESENTERS) {
    sv_teaching_remember_presenter(room->teaching, p, false);
    return;
  }
  p->presenter = true;
  sv_audit_participant(sig, p, "presenter-made", NULL, json_pack("{s:s}", "reason", "reconnected"));
  SV_INFO("signaling", "%s presents again in room %s (reconnected)", p->id, room->id);
}

/* p joined again with the link of a floor holder who dropped: the floor
 * is theirs again, told as when a host gives it. */
static void reclaim_floor(sv_signaling *sig, sv_participant *p) {
  sv_room *room = p->room;
  GPtrArray *before = viewers_of(room, p);
  bool video = false;
  const char *by = NULL;
  if (!sv_teaching_reclaim_floor(room->teaching, p, g_get_monotonic_time(), &video, &by)) {
    g_ptr_array_free(before, TRUE);
    return;
  }
  allow(sig, p);
  tell_visibility(room, p, before, NULL, NULL);
  json_t *msg = json_pack("{s:s,s:b,s:b,s:b,s:b}", "type", "floor", "granted", 1, "audio", 1,
                          "video", video, "resumed", 1);
  if (by && by[0]) json_object_set_new(msg, "by", json_string(by));
  sv_conn_send(p->conn, msg);
  send_hands(room);
  sv_audit_participant(sig, p, "floor-given", NULL,
                       json_pack("{s:b,s:s}", "video", video, "reason", "reconnected"));
  SV_INFO("signaling", "%s has the floor again in room %s (reconnected)", p->id, room->id);
}

void sv_classroom_after_join(sv_signaling *sig, sv_participant *p) {
  if (!p->room->teaching || p->waiting) return;
  if (!sv_teaching_is_presenter(p)) {
    allow(sig, p); /* receives only */
    reclaim_floor(sig, p);
  } else {
    sv_conn_send(p->conn, hands_json(p->room));
  }
  tell_count(sig, p->room, NULL);
}

void sv_classroom_before_leave(sv_signaling *sig, sv_participant *p, const char *reason) {
  sv_room *room = p->room;
  sv_teaching *t = room->teaching;
  if (!t) return;
  bool drop = dropped(reason);
  /* Someone who chose to go, or was sent off, presents no more when they
   * come back; a dropped connection keeps it. */
  if (!drop) sv_teaching_remember_presenter(t, p, false);
  if (drop && t->floor == p) sv_teaching_keep_floor(t, p, g_get_monotonic_time());
  bool kept = drop && t->kept_floor[0] && strcmp(t->kept_floor, p->token_hash) == 0;
  if (sv_teaching_forget(t, p) || kept) {
    sv_audit_participant(sig, p, "floor-taken", NULL,
                         json_pack("{s:s,s:b}", "reason", reason, "kept", kept));
    send_hands(room);
  }
  tell_count(sig, room, p);
}

void sv_classroom_broadcast(sv_room *room, json_t *msg, const sv_participant *by) {
  /* Attendees see no other attendee: `by` goes when they cannot see it,
   * and `agreed` keeps only the ids of people they see. */
  json_t *agreed = json_object_get(msg, "agreed");
  GHashTable *by_id = g_hash_table_new(g_str_hash, g_str_equal);
  for (guint i = 0; i < room->participants->len; i++) {
    sv_participant *o = g_ptr_array_index(room->participants, i);
    g_hash_table_insert(by_id, o->id, o);
  }
  for (guint i = 0; i < room->participants->len; i++) {
    sv_participant *o = g_ptr_array_index(room->participants, i);
    if (o->waiting) continue;
    if (sv_teaching_is_presenter(o)) {
      sv_conn_send(o->conn, json_incref(msg));
      continue;
    }
    json_t *copy = json_deep_copy(msg);
    if (by && !sv_teaching_sees(o, by)) {
      json_object_del(copy, "by");
      json_object_del(copy, "name");
    }
    if (json_is_array(agreed)) {
      json_t *seen = json_array();
      size_t k;
      json_t *id;
      json_array_foreach(agreed, k, id) {
        const char *aid = json_string_value(id);
        sv_participant *a = aid ? g_hash_table_lookup(by_id, aid) : NULL;
        if (a && sv_teaching_sees(o, a)) json_array_append(seen, id);
      }
      json_object_set_new(copy, "agreed", seen);
    }
    sv_conn_send(o->conn, copy);
  }
  g_hash_table_destroy(by_id);
  json_decref(msg);
}

void sv_classroom_to_presenters(sv_room *room, const sv_participant *also, json_t *msg) {
  for (guint i = 0; i < room->participants->len; i++) {
    sv_participant *o = g_ptr_array_index(room->participants, i);
    if (o == also || is_staff(o)) sv_conn_send(o->conn, json_incref(msg));
  }
  json_decref(msg);
}
