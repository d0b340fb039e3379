/*
 * test_still_asks.c — the asks for consent to a still (still_asks.c): who
 * may answer, answering twice, an ask that is gone, time-outs and leaving.
 * Time is an input: no sleeps.
 */
#include <string.h>

#include "check.h"
#include "signaling/still_asks.h"

typedef struct {
  int n;
  char last[SV_STILL_ASK_ID_LEN + 1];
} seen;

static void count(const sv_still_ask *a, void *user) {
  seen *s = user;
  s->n++;
  strcpy(s->last, a->id);
}

static void test_answer(void) {
  sv_still_asks *t = sv_still_asks_new();
  CHECK(sv_still_asks_add(t, "r1", "room", "pguest", "phost", 30));
  CHECK(!sv_still_asks_add(t, "r1", "room", "pother", "phost", 30)); /* the id is taken */
  CHECK(sv_still_asks_open_for(t, "room", "pguest") != NULL);        /* busy while asked */
  CHECK(sv_still_asks_open_for(t, "room", "phost") == NULL);
  CHECK(sv_still_asks_open_for(t, "other", "pguest") == NULL);

  sv_still_ask a;
  CHECK_EQ_INT(sv_still_asks_answer(t, "r1", "room", "phost", &a), SV_STILL_ASK_NOT_YOURS);
  CHECK_EQ_INT(sv_still_asks_answer(t, "r1", "other", "pguest", &a), SV_STILL_ASK_GONE);
  CHECK_EQ_INT(sv_still_asks_answer(t, "nope", "room", "pguest", &a), SV_STILL_ASK_GONE);
  CHECK_EQ_INT(sv_still_asks_answer(t, NULL, "room", "pguest", &a), SV_STILL_ASK_GONE);
  CHECK_EQ_INT(sv_still_asks_answer(t, "r1", "room", "pguest", &a), SV_STILL_ASK_OK);
  CHECK_STR(a.host, "phost");
  CHECK_STR(a.target, "pguest");
  CHECK_STR(a.room, "room");
  CHECK(a.answered);
  /* Twice: refused, and the answered ask no longer makes the camera busy. */
  CHECK_EQ_INT(sv_still_asks_answer(t, "r1", "room", "pguest", &a), SV_STILL_ASK_ANSWERED);
  CHECK(sv_still_asks_open_for(t, "room", "pguest") == NULL);
  CHECK(sv_still_asks_add(t, "r2", "room", "pguest", "phost", 40)); /* asked again */
  CHECK_EQ_INT(sv_still_asks_count(t), 2);
  sv_still_asks_free(t);
}

static void test_expire(void) {
  sv_still_asks *t = sv_still_asks_new();
  seen s = {0};
  CHECK(sv_still_asks_add(t, "a", "room", "p1", "ph", 30));
  CHECK(sv_still_asks_add(t, "b", "room", "p2", "ph", 30));
  CHECK(sv_still_asks_add(t, "c", "room", "p3", "ph", 45));
  CHECK_EQ_INT(sv_still_asks_answer(t, "b", "room", "p2", NULL), SV_STILL_ASK_OK);
  CHECK_EQ_INT(sv_still_asks_expire(t, 29, count, &s), 0); /* not yet */
  CHECK_EQ_INT(s.n, 0);
  /* At the deadline: the open one times out (told), the answered one goes quietly. */
  CHECK_EQ_INT(sv_still_asks_expire(t, 30, count, &s), 1);
  CHECK_EQ_INT(s.n, 1);
  CHECK_STR(s.last, "a");
  CHECK_EQ_INT(sv_still_asks_count(t), 1);
  /* An answer after the time-out finds nothing: no still. */
  CHECK_EQ_INT(sv_still_asks_answer(t, "a", "room", "p1", NULL), SV_STILL_ASK_GONE);
  CHECK_EQ_INT(sv_still_asks_answer(t, "b", "room", "p2", NULL), SV_STILL_ASK_GONE);
  CHECK_EQ_INT(sv_still_asks_expire(t, 100, NULL, NULL), 1);
  CHECK_EQ_INT(sv_still_asks_count(t), 0);
  sv_still_asks_free(t);
}

static void test_drop(void) {
  sv_still_asks *t = sv_still_asks_new();
  seen s = {0};
  CHECK(sv_still_asks_add(t, "a", "room", "p1", "ph", 30));  /* p1's camera */
  CHECK(sv_still_asks_add(t, "b", "room", "p2", "p1", 30));  /* p1 asks */
  CHECK(sv_still_asks_add(t, "c", "room", "p3", "ph", 30));  /* not p1's */
  CHECK(sv_still_asks_add(t, "d", "other", "p1", "ph", 30)); /* another room's p1 */
  CHECK_EQ_INT(sv_still_asks_drop(t, "room", "p1", count, &s), 2);
  CHECK_EQ_INT(s.n, 2);
  CHECK_EQ_INT(sv_still_asks_count(t), 2);
  CHECK(sv_still_asks_open_for(t, "room", "p3") != NULL);
  CHECK(sv_still_asks_open_for(t, "other", "p1") != NULL);
  CHECK_EQ_INT(sv_still_asks_answer(t, "b", "room", "p2", NULL), SV_STILL_ASK_GONE);
  sv_still_asks_free(t);
}

static void test_bad_fields(void) {
  sv_still_asks *t = sv_still_asks_new();
  char long_id[SV_STILL_ASK_ID_LEN + 2];
  memset(long_id, 'x', sizeof long_id - 1);
  long_id[sizeof long_id - 1] = '\0';
  CHECK(!sv_still_asks_add(t, long_id, "room", "p1", "ph", 30));
  CHECK(!sv_still_asks_add(t, "", "room", "p1", "ph", 30));
  CHECK(!sv_still_asks_add(t, "a", "room", NULL, "ph", 30));
  CHECK_EQ_INT(sv_still_asks_count(t), 0);
  sv_still_asks_free(t);
  sv_still_asks_free(NULL);
}

int main(void) {
  RUN(test_answer);
  RUN(test_expire);
  RUN(test_drop);
  RUN(test_bad_fields);
  return check_summary();
}
