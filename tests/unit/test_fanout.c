/*
 * test_fanout.c — the per-connection allowance for messages that fan out
 * to a room (chat, waiting-message): a burst passes, then the rate; time
 * is an input, so no sleeps.
 */
#include <string.h>

#include "check.h"
#include "signaling/signaling_int.h"

static void test_burst_then_rate(void) {
  sv_conn c;
  memset(&c, 0, sizeof c);
  gint64 t = (gint64)1000 * G_USEC_PER_SEC;
  int passed = 0;
  for (int i = 0; i < 100; i++)
    passed += sv_conn_take_fanout(&c, t);
  CHECK_EQ_INT(passed, (int)SV_FANOUT_BURST);
  /* One second later: SV_FANOUT_RATE more, no more. */
  t += G_USEC_PER_SEC;
  passed = 0;
  for (int i = 0; i < 100; i++)
    passed += sv_conn_take_fanout(&c, t);
  CHECK_EQ_INT(passed, (int)SV_FANOUT_RATE);
  /* A long pause refills to the burst, not beyond. */
  t += (gint64)3600 * G_USEC_PER_SEC;
  passed = 0;
  for (int i = 0; i < 100; i++)
    passed += sv_conn_take_fanout(&c, t);
  CHECK_EQ_INT(passed, (int)SV_FANOUT_BURST);
  /* A clock that goes back gives nothing extra. */
  CHECK(!sv_conn_take_fanout(&c, t - G_USEC_PER_SEC));
}

int main(void) {
  RUN(test_burst_then_rate);
  return check_summary();
}
