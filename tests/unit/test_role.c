/*
 * test_role.c — the two name tables: participant roles (common/role.h) and
 * PeerConnection kinds (relay/relay.h). Every name turns into its value and
 * back; anything else (NULL, "", another case, a teaching or urgent-link
 * word) is refused; who waits; and the room's view of roles on top.
 */
#include <string.h>

#include "check.h"
#include "common/common.h"
#include "common/role.h"
#include "relay/relay.h"
#include "signaling/room.h"

static void test_role_names_round_trip(void) {
  static const char *const expected[] = {"specialist", "municipal",   "patient",
                                         "relative",   "interpreter", "observer"};
  CHECK_EQ_INT(SV_ROLE_COUNT, SV_ARRAY_LEN(expected));
  for (int i = 0; i < SV_ROLE_COUNT; i++) {
    CHECK_STR(sv_role_name((sv_role)i), expected[i]);
    CHECK_STR(sv_role_names[i], expected[i]);
    sv_role r = SV_ROLE_COUNT;
    CHECK_EQ_INT(sv_role_parse(expected[i], &r), 0);
    CHECK_EQ_INT(r, i);
    CHECK(sv_role_is(expected[i], (sv_role)i));
    /* The room hands out the table's own string. */
    CHECK(sv_room_role(expected[i]) == sv_role_name((sv_role)i));
  }
  CHECK(sv_role_names[SV_ROLE_COUNT] == NULL);
  CHECK(sv_role_name(SV_ROLE_COUNT) == NULL);
}

static void test_role_refused(void) {
  static const char *const bad[] = {"",         "Specialist", "specialist ", "host",   "presenter",
                                    "attendee", "on-call",    "requester",   "publish"};
  sv_role r = SV_ROLE_OBSERVER;
  CHECK_EQ_INT(sv_role_parse(NULL, &r), SV_EINVAL);
  CHECK_EQ_INT(r, SV_ROLE_OBSERVER); /* untouched */
  CHECK(!sv_role_is(NULL, SV_ROLE_SPECIALIST));
  CHECK(sv_room_role(NULL) == NULL);
  for (size_t i = 0; i < SV_ARRAY_LEN(bad); i++) {
    CHECK_EQ_INT(sv_role_parse(bad[i], &r), SV_EINVAL);
    CHECK(sv_room_role(bad[i]) == NULL);
    CHECK(!sv_room_role_waits(bad[i]));
  }
  CHECK(!sv_role_is("municipal", SV_ROLE_SPECIALIST));
}

static void test_role_waits(void) {
  CHECK(!sv_role_waits(SV_ROLE_SPECIALIST));
  CHECK(!sv_role_waits(SV_ROLE_MUNICIPAL));
  CHECK(sv_role_waits(SV_ROLE_PATIENT));
  CHECK(sv_role_waits(SV_ROLE_RELATIVE));
  CHECK(sv_role_waits(SV_ROLE_INTERPRETER));
  CHECK(!sv_role_waits(SV_ROLE_OBSERVER));
  CHECK(sv_room_role_waits("patient"));
  CHECK(!sv_room_role_waits("observer"));
}

static void test_pc_kinds(void) {
  sv_pc_kind k = SV_PC_SUBSCRIBE;
  CHECK_EQ_INT(sv_pc_kind_parse("publish", &k), 0);
  CHECK_EQ_INT(k, SV_PC_PUBLISH);
  CHECK_EQ_INT(sv_pc_kind_parse("subscribe", &k), 0);
  CHECK_EQ_INT(k, SV_PC_SUBSCRIBE);
  CHECK_STR(sv_pc_kind_name(SV_PC_PUBLISH), "publish");
  CHECK_STR(sv_pc_kind_name(SV_PC_SUBSCRIBE), "subscribe");
  CHECK_STR(sv_pc_kind_names[SV_PC_PUBLISH], "publish");
  CHECK_STR(sv_pc_kind_names[SV_PC_SUBSCRIBE], "subscribe");
  CHECK(sv_pc_kind_names[2] == NULL);
  k = SV_PC_PUBLISH;
  CHECK_EQ_INT(sv_pc_kind_parse(NULL, &k), SV_EINVAL);
  CHECK_EQ_INT(sv_pc_kind_parse("", &k), SV_EINVAL);
  CHECK_EQ_INT(sv_pc_kind_parse("Publish", &k), SV_EINVAL);
  CHECK_EQ_INT(sv_pc_kind_parse("screen", &k), SV_EINVAL);
  CHECK_EQ_INT(k, SV_PC_PUBLISH); /* untouched */
}

int main(void) {
  RUN(test_role_names_round_trip);
  RUN(test_role_refused);
  RUN(test_role_waits);
  RUN(test_pc_kinds);
  return check_summary();
}
