/*
 * test_teaching.c — the rules of group teaching (signaling/teaching.c)
 * without sockets: who may publish, who sees whom (attendees never see
 * each other), the hand queue in order, the floor, what a leaving
 * participant leaves behind, what a reconnect with the same link gets
 * back (a made presenter's role, a kept floor within its time), and the
 * pacing of the attendee count.
 */
#include "check.h"
#include "common/common.h"
#include "signaling/room.h"
#include "signaling/teaching.h"

static sv_participant *add(sv_rooms *rooms, const char *room, const char *name, const char *role) {
  sv_participant *p = NULL;
  CHECK_EQ_INT(sv_rooms_add(rooms, room, name, 200, NULL, &p), 0);
  p->role = sv_room_role(role);
  return p;
}

/* A lecture: one specialist (host), three attendees. */
typedef struct lecture {
  sv_rooms *rooms;
  sv_room *room;
  sv_participant *host, *a, *b, *c;
} lecture;

static void lecture_open(lecture *l) {
  l->rooms = sv_rooms_new();
  l->host = add(l->rooms, "hall", "Dr. Berg", "specialist");
  l->room = l->host->room;
  l->room->teaching = sv_teaching_new();
  l->a = add(l->rooms, "hall", "Anne", "municipal");
  l->b = add(l->rooms, "hall", "Bjørn", "municipal");
  l->c = add(l->rooms, "hall", "Cecilie", "municipal");
}

static void test_ordinary_room_unchanged(void) {
  sv_rooms *rooms = sv_rooms_new();
  sv_participant *host = add(rooms, "r", "Dr. Berg", "specialist");
  sv_participant *nurse = add(rooms, "r", "Ola", "municipal");
  sv_participant *patient = add(rooms, "r", "Kari", "patient");
  sv_participant *obs = add(rooms, "r", "Student", "observer");
  patient->waiting = true;
  CHECK(sv_teaching_sees(nurse, host));
  CHECK(sv_teaching_sees(host, nurse));
  CHECK(sv_teaching_sees(nurse, obs));
  CHECK(sv_teaching_sees(host, patient));   /* hosts see the waiting */
  CHECK(!sv_teaching_sees(nurse, patient)); /* nobody else does */
  CHECK(!sv_teaching_sees(patient, host));  /* the waiting see nobody */
  CHECK(sv_teaching_is_presenter(nurse));   /* no teaching: everyone counts as one */
  bool a = false, v = false;
  CHECK(sv_teaching_may_publish(nurse, &a, &v) && a && v);
  CHECK(!sv_teaching_may_publish(obs, &a, &v) && !a && !v);
  CHECK_EQ_INT(sv_teaching_attendees(host->room), 0);
  sv_rooms_free(rooms);
}

static void test_attendees_see_presenters_only(void) {
  lecture l;
  lecture_open(&l);
  CHECK(sv_teaching_is_presenter(l.host));
  CHECK(!sv_teaching_is_presenter(l.a));
  CHECK(sv_teaching_sees(l.a, l.host));
  CHECK(!sv_teaching_sees(l.a, l.b));
  CHECK(!sv_teaching_sees(l.b, l.a));
  CHECK(sv_teaching_sees(l.host, l.a)); /* presenters see everyone */
  CHECK_EQ_INT(sv_teaching_attendees(l.room), 3);
  /* A host makes b a presenter: everyone sees b, b sees everyone. */
  l.b->presenter = true;
  CHECK(sv_teaching_sees(l.a, l.b));
  CHECK(sv_teaching_sees(l.b, l.a));
  CHECK(!sv_teaching_sees(l.a, l.c));
  CHECK_EQ_INT(sv_teaching_attendees(l.room), 2);
  /* Someone waiting is no attendee yet and seen by hosts only. */
  sv_participant *w = add(l.rooms, "hall", "Pasient", "patient");
  w->waiting = true;
  CHECK_EQ_INT(sv_teaching_attendees(l.room), 2);
  CHECK(sv_teaching_sees(l.host, w));
  CHECK(!sv_teaching_sees(l.b, w)); /* a presenter who is not a host */
  CHECK(!sv_teaching_sees(l.a, w));
  sv_rooms_free(l.rooms);
}

static void test_publish_rights(void) {
  lecture l;
  lecture_open(&l);
  bool a = true, v = true;
  CHECK(sv_teaching_may_publish(l.host, &a, &v) && a && v);
  CHECK(!sv_teaching_may_publish(l.a, &a, &v) && !a && !v);
  sv_teaching_give_floor(l.room->teaching, l.a, false);
  CHECK(sv_teaching_may_publish(l.a, &a, &v) && a && !v); /* audio only */
  CHECK(!sv_teaching_may_publish(l.b, NULL, NULL));
  sv_teaching_give_floor(l.room->teaching, l.a, true);
  CHECK(sv_teaching_may_publish(l.a, &a, &v) && a && v);
  CHECK(sv_teaching_take_floor(l.room->teaching) == l.a);
  CHECK(!sv_teaching_may_publish(l.a, &a, &v) && !a && !v);
  l.c->presenter = true;
  CHECK(sv_teaching_may_publish(l.c, &a, &v) && a && v);
  sv_rooms_free(l.rooms);
}

static void test_hand_queue_in_order(void) {
  lecture l;
  lecture_open(&l);
  sv_teaching *t = l.room->teaching;
  CHECK_EQ_INT(sv_teaching_raise(t, l.b), 1);
  CHECK_EQ_INT(sv_teaching_raise(t, l.a), 2);
  CHECK_EQ_INT(sv_teaching_raise(t, l.c), 3);
  CHECK_EQ_INT(sv_teaching_raise(t, l.b), 1); /* twice: keeps its place */
  CHECK_EQ_INT(t->hands->len, 3);
  CHECK(sv_teaching_lower(t, l.a));
  CHECK(!sv_teaching_lower(t, l.a));
  CHECK_EQ_INT(sv_teaching_position(t, l.c), 2);
  CHECK_EQ_INT(sv_teaching_position(t, l.a), 0);
  /* The floor: its holder's hand goes down, the rest keep their order. */
  CHECK(sv_teaching_give_floor(t, l.c, false) == NULL);
  CHECK(t->floor == l.c && !t->floor_video);
  CHECK_EQ_INT(sv_teaching_position(t, l.c), 0);
  CHECK_EQ_INT(sv_teaching_position(t, l.b), 1);
  /* The floor to another: the one before is returned for the caller to end. */
  CHECK(sv_teaching_give_floor(t, l.b, true) == l.c);
  CHECK(t->floor == l.b && t->floor_video);
  CHECK_EQ_INT(t->hands->len, 0);
  CHECK(sv_teaching_take_floor(t) == l.b);
  CHECK(sv_teaching_take_floor(t) == NULL);
  sv_rooms_free(l.rooms);
}

static void test_floor_holder_is_seen_while_it_lasts(void) {
  lecture l;
  lecture_open(&l);
  sv_teaching *t = l.room->teaching;
  CHECK(!sv_teaching_sees(l.b, l.a));
  sv_teaching_give_floor(t, l.a, false);
  CHECK(sv_teaching_sees(l.b, l.a)); /* everyone sees and hears them */
  CHECK(sv_teaching_sees(l.c, l.a));
  CHECK(!sv_teaching_sees(l.a, l.b)); /* but they still see no other attendee */
  sv_teaching_take_floor(t);
  CHECK(!sv_teaching_sees(l.b, l.a));
  sv_rooms_free(l.rooms);
}

static void test_leaving_frees_hand_and_floor(void) {
  lecture l;
  lecture_open(&l);
  sv_teaching *t = l.room->teaching;
  sv_teaching_raise(t, l.a);
  sv_teaching_raise(t, l.b);
  sv_teaching_give_floor(t, l.c, true);
  CHECK(!sv_teaching_forget(t, l.host)); /* nothing of the host's */
  /* Removing participants from the table forgets them (no dangling
   * pointers for ASan to find). */
  sv_rooms_remove(l.rooms, l.a);
  CHECK_EQ_INT(t->hands->len, 1);
  CHECK(g_ptr_array_index(t->hands, 0) == l.b);
  sv_rooms_remove(l.rooms, l.c);
  CHECK(t->floor == NULL && !t->floor_video);
  CHECK(sv_teaching_forget(t, l.b));
  CHECK_EQ_INT(t->hands->len, 0);
  CHECK_EQ_INT(sv_teaching_attendees(l.room), 1);
  sv_rooms_free(l.rooms);
}

/* A later join with the same link: a new participant with that token hash. */
static sv_participant *rejoin(lecture *l, const char *name, const char *hash) {
  sv_participant *p = add(l->rooms, "hall", name, "municipal");
  g_strlcpy(p->token_hash, hash, sizeof p->token_hash);
  return p;
}

static void test_made_presenter_remembered_by_link(void) {
  lecture l;
  lecture_open(&l);
  sv_teaching *t = l.room->teaching;
  g_strlcpy(l.a->token_hash, "aaaa", sizeof l.a->token_hash);
  l.a->presenter = true;
  sv_teaching_remember_presenter(t, l.a, true);
  sv_teaching_remember_presenter(t, l.b, true); /* no link: not remembered */
  sv_rooms_remove(l.rooms, l.a);
  sv_participant *again = rejoin(&l, "Anne", "aaaa");
  CHECK(!sv_teaching_is_presenter(again)); /* until classroom.c restores it */
  CHECK(sv_teaching_was_made_presenter(t, again));
  CHECK(!sv_teaching_was_made_presenter(t, l.b));
  CHECK(!sv_teaching_was_made_presenter(t, l.c));
  sv_teaching_remember_presenter(t, again, false); /* revoked */
  CHECK(!sv_teaching_was_made_presenter(t, again));
  sv_rooms_free(l.rooms);
}

static void test_floor_kept_for_a_dropped_holder(void) {
  lecture l;
  lecture_open(&l);
  sv_teaching *t = l.room->teaching;
  gint64 now = 100 * G_USEC_PER_SEC;
  g_strlcpy(l.a->token_hash, "aaaa", sizeof l.a->token_hash);
  sv_teaching_give_floor(t, l.a, true);
  g_strlcpy(t->floor_by, l.host->id, sizeof t->floor_by);
  sv_teaching_keep_floor(t, l.b, now); /* not b's floor: nothing */
  CHECK(t->floor == l.a && !t->kept_floor[0]);
  sv_teaching_keep_floor(t, l.a, now);
  CHECK(t->floor == NULL); /* nobody has it meanwhile */
  sv_rooms_remove(l.rooms, l.a);
  /* Another link does not get it. */
  sv_participant *other = rejoin(&l, "Other", "bbbb");
  CHECK(!sv_teaching_reclaim_floor(t, other, now + 1, NULL, NULL));
  /* The same link within the time: the floor, with video, from the host. */
  sv_participant *again = rejoin(&l, "Anne", "aaaa");
  bool video = false;
  const char *by = NULL;
  CHECK(sv_teaching_reclaim_floor(t, again, now + SV_TEACHING_FLOOR_KEEP_US, &video, &by));
  CHECK(t->floor == again && t->floor_video && video);
  CHECK_STR(by, l.host->id);
  CHECK_STR(t->floor_by, l.host->id);
  CHECK(!t->kept_floor[0]);
  CHECK(sv_teaching_sees(l.b, again));

  /* Too late: gone. */
  sv_teaching_keep_floor(t, again, now);
  sv_rooms_remove(l.rooms, again);
  sv_participant *late = rejoin(&l, "Anne", "aaaa");
  CHECK(!sv_teaching_reclaim_floor(t, late, now + SV_TEACHING_FLOOR_KEEP_US + 1, NULL, NULL));
  CHECK(t->floor == NULL && !t->kept_floor[0]);

  /* Given to someone else meanwhile (the host drops the kept one). */
  sv_teaching_give_floor(t, late, false);
  sv_teaching_keep_floor(t, late, now);
  CHECK(sv_teaching_drop_kept_floor(t));
  CHECK(!sv_teaching_drop_kept_floor(t));
  sv_teaching_give_floor(t, l.c, false);
  sv_rooms_remove(l.rooms, late);
  sv_participant *back = rejoin(&l, "Anne", "aaaa");
  CHECK(!sv_teaching_reclaim_floor(t, back, now + 1, NULL, NULL));
  CHECK(t->floor == l.c);

  /* A holder without a link keeps nothing. */
  sv_teaching_keep_floor(t, l.c, now);
  CHECK(t->floor == NULL && !t->kept_floor[0]);
  sv_rooms_free(l.rooms);
}

static void test_count_told_at_most_once_a_second(void) {
  sv_teaching *t = sv_teaching_new();
  gint64 now = 50 * G_USEC_PER_SEC;
  CHECK_EQ_INT(sv_teaching_count_due(t, 0, now), 0); /* never told: now */
  sv_teaching_count_told(t, 1, now);
  CHECK(sv_teaching_count_due(t, 1, now + 10) < 0); /* told already */
  CHECK_EQ_INT(sv_teaching_count_due(t, 2, now + 200000), SV_TEACHING_COUNT_GAP_US - 200000);
  CHECK_EQ_INT(sv_teaching_count_due(t, 2, now + SV_TEACHING_COUNT_GAP_US), 0);
  sv_teaching_count_told(t, 2, now + SV_TEACHING_COUNT_GAP_US);
  CHECK(sv_teaching_count_due(t, 2, now + 5 * SV_TEACHING_COUNT_GAP_US) < 0);
  CHECK_EQ_INT(sv_teaching_count_due(t, 1, now + 5 * SV_TEACHING_COUNT_GAP_US), 0);
  sv_teaching_free(t);
  sv_teaching_free(NULL);
}

int main(void) {
  RUN(test_ordinary_room_unchanged);
  RUN(test_attendees_see_presenters_only);
  RUN(test_publish_rights);
  RUN(test_hand_queue_in_order);
  RUN(test_floor_holder_is_seen_while_it_lasts);
  RUN(test_leaving_frees_hand_and_floor);
  RUN(test_made_presenter_remembered_by_link);
  RUN(test_floor_kept_for_a_dropped_holder);
  RUN(test_count_told_at_most_once_a_second);
  return check_summary();
}
