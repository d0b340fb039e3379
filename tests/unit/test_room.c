/*
 * test_room.c — the signalling server's room table: roles by joining order,
 * the size cap, lookups by (room, participant), and rooms disappearing when
 * their last participant leaves.
 */
#include <string.h>

#include "check.h"
#include "common/common.h"
#include "signaling/room.h"

static void test_roles_and_lookup(void) {
  sv_rooms *rooms = sv_rooms_new();
  sv_participant *a = NULL, *b = NULL, *c = NULL;
  CHECK_EQ_INT(sv_rooms_add(rooms, "r1", "Kari", 16, NULL, &a), 0);
  CHECK_EQ_INT(sv_rooms_add(rooms, "r1", "Ola", 16, NULL, &b), 0);
  CHECK_EQ_INT(sv_rooms_add(rooms, "r2", "Per", 16, NULL, &c), 0);
  CHECK_STR(a->role, "specialist");
  CHECK_STR(b->role, "municipal");
  CHECK_STR(c->role, "specialist"); /* first in its own room */
  CHECK(strcmp(a->id, b->id) != 0);
  CHECK_EQ_INT(strlen(a->id), SV_PARTICIPANT_ID_LEN);
  CHECK(a->id[0] == 'p');
  CHECK(sv_rooms_find_participant(rooms, "r1", b->id) == b);
  CHECK(sv_rooms_find_participant(rooms, "r2", b->id) == NULL); /* other room */
  CHECK(sv_rooms_find_participant(rooms, "nope", a->id) == NULL);
  CHECK_EQ_INT(sv_rooms_count(rooms), 2);
  CHECK_EQ_INT(sv_rooms_participant_count(rooms), 3);
  sv_rooms_free(rooms);
}

static void test_cap_and_removal(void) {
  sv_rooms *rooms = sv_rooms_new();
  sv_participant *p[3] = {NULL};
  for (int i = 0; i < 3; i++)
    CHECK_EQ_INT(sv_rooms_add(rooms, "small", "N", 3, NULL, &p[i]), 0);
  sv_participant *extra = NULL;
  CHECK_EQ_INT(sv_rooms_add(rooms, "small", "N", 3, NULL, &extra), SV_EFULL);
  CHECK(extra == NULL);
  CHECK_EQ_INT(sv_rooms_participant_count(rooms), 3);
  char gone[SV_PARTICIPANT_ID_LEN + 1];
  g_strlcpy(gone, p[1]->id, sizeof gone);
  sv_rooms_remove(rooms, p[1]);
  CHECK(sv_rooms_find_participant(rooms, "small", gone) == NULL);
  CHECK_EQ_INT(sv_rooms_add(rooms, "small", "N", 3, NULL, &extra), 0); /* room again */
  sv_rooms_remove(rooms, p[0]);
  sv_rooms_remove(rooms, p[2]);
  sv_rooms_remove(rooms, extra);
  CHECK(sv_rooms_find(rooms, "small") == NULL); /* empty rooms are deleted */
  CHECK_EQ_INT(sv_rooms_count(rooms), 0);
  sv_rooms_free(rooms);
}

int main(void) {
  RUN(test_roles_and_lookup);
  RUN(test_cap_and_removal);
  return check_summary();
}
