/*
 * test_pliguard.c — a keyframe request shortly after a complete repair is
 * held back once; a repeat, a late one, or one after an incomplete repair
 * goes to the publisher (relay/pliguard.h).
 */
#include "relay/pliguard.h"

#include "tests/unit/check.h"

#define MS 1000u

static void test_held_once_after_repair(void) {
  sv_pli_guard g = {0};
  uint64_t t = 1000000 * MS;
  CHECK(!sv_pli_guard_absorb(&g, t)); /* no NACK yet: straight through */
  sv_pli_guard_nack(&g, true, t);
  CHECK(sv_pli_guard_absorb(&g, t + 50 * MS));   /* the repair is on its way: held */
  CHECK(!sv_pli_guard_absorb(&g, t + 250 * MS)); /* asked again: it is needed */
  /* A second loss burst within the second: the next PLI passes. */
  sv_pli_guard_nack(&g, true, t + 600 * MS);
  CHECK(!sv_pli_guard_absorb(&g, t + 650 * MS));
  /* After the gap, held once more. */
  sv_pli_guard_nack(&g, true, t + 1200 * MS);
  CHECK(sv_pli_guard_absorb(&g, t + 1300 * MS));
}

static void test_passes_when_repair_cannot_help(void) {
  sv_pli_guard g = {0};
  uint64_t t = 5000000 * MS;
  sv_pli_guard_nack(&g, true, t);
  CHECK(!sv_pli_guard_absorb(&g, t + 301 * MS)); /* too long after the repair */
  sv_pli_guard_nack(&g, true, t + 400 * MS);
  sv_pli_guard_nack(&g, false, t + 410 * MS); /* a packet the buffer no longer has */
  CHECK(!sv_pli_guard_absorb(&g, t + 420 * MS));
}

int main(void) {
  RUN(test_held_once_after_repair);
  RUN(test_passes_when_repair_cannot_help);
  return check_summary();
}
