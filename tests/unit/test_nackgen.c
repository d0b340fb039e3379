/*
 * test_nackgen.c — the relay's NACKs towards publishers (relay/nackgen.c),
 * driven with synthetic time: a gap is asked for after the reordering
 * delay, again after a round trip, given up after its tries or a second;
 * late packets and retransmissions fill it; a jump is a new start.
 */
#include "relay/nackgen.h"

#include "tests/unit/check.h"

static size_t due(sv_nackgen *g, uint64_t now, uint16_t *out) {
  return sv_nackgen_due(g, now, 50000, out, 16);
}

static void test_gap_asked_and_filled(void) {
  sv_nackgen g = {0};
  uint16_t out[16];
  sv_nackgen_packet(&g, 100, 0);
  sv_nackgen_packet(&g, 103, 1000);    /* 101 and 102 missing */
  CHECK_EQ_INT(due(&g, 2000, out), 0); /* could still be reordering */
  CHECK_EQ_INT(due(&g, 7000, out), 2);
  CHECK(out[0] == 101 || out[1] == 101);
  CHECK_EQ_INT(due(&g, 20000, out), 0);      /* not again before a round trip */
  CHECK(sv_nackgen_packet(&g, 101, 30000));  /* the retransmission */
  CHECK(!sv_nackgen_packet(&g, 101, 30001)); /* a duplicate fills nothing */
  CHECK_EQ_INT(due(&g, 70000, out), 1);
  CHECK_EQ_INT(out[0], 102);
}

static void test_give_up(void) {
  sv_nackgen g = {0};
  uint16_t out[16];
  sv_nackgen_packet(&g, 10, 0);
  sv_nackgen_packet(&g, 12, 0);
  size_t total = 0;
  for (uint64_t t = 0; t < 2000000; t += 10000)
    total += due(&g, t, out);
  CHECK_EQ_INT(total, SV_NACKGEN_TRIES);
  CHECK_EQ_INT(g.n, 0);
  /* A gap that is never answered is dropped after a second even with a
   * huge round trip. */
  sv_nackgen_packet(&g, 14, 3000000);
  due(&g, 3010000, out);
  CHECK_EQ_INT(sv_nackgen_due(&g, 4100000, 5000000, out, 16), 0);
  CHECK_EQ_INT(g.n, 0);
}

static void test_jump_and_wrap(void) {
  sv_nackgen g = {0};
  uint16_t out[16];
  sv_nackgen_packet(&g, 65534, 0);
  sv_nackgen_packet(&g, 1, 0); /* 65535 and 0 missing, across the wrap */
  CHECK_EQ_INT(due(&g, 10000, out), 2);
  sv_nackgen_packet(&g, 30000, 20000); /* a jump: new start, nothing owed */
  CHECK_EQ_INT(g.n, 0);
  CHECK_EQ_INT(due(&g, 100000, out), 0);
  /* More missing than fit: the newest are kept. */
  sv_nackgen_packet(&g, 30000 + SV_NACKGEN_MAX, 200000);
  CHECK_EQ_INT(g.n, SV_NACKGEN_MAX - 1);
  uint16_t big[SV_NACKGEN_MAX];
  CHECK_EQ_INT(sv_nackgen_due(&g, 300000, 0, big, 10), 10); /* capped by the caller */
}

int main(void) {
  RUN(test_gap_asked_and_filled);
  RUN(test_give_up);
  RUN(test_jump_and_wrap);
  return check_summary();
}
