/*
 * test_speaker.c — who is speaking (relay/speaker.c), in simulated time:
 * 50 audio packets a second per person, a tick every 100 ms as the
 * router's.
 */
#include "relay/speaker.h"

#include "tests/unit/check.h"

#define TICK_US 100000
#define LOUD    20  /* -20 dBov: speech */
#define NOISE   55  /* -55 dBov: a quiet room */
#define SILENT  127 /* muted: digital silence */

typedef struct room {
  sv_speech people[3];
  const sv_speech *all[3];
  sv_speaker sp;
  uint64_t now;
  int switches;
  const sv_speech *last;
} room;

static void room_init(room *r) {
  *r = (room){0};
  for (int i = 0; i < 3; i++)
    r->all[i] = &r->people[i];
}

/* One tick with levels[i] for person i's five packets; returns the index
 * of the speaker after it, or -1. */
static int tick(room *r, const uint8_t levels[3]) {
  for (int i = 0; i < 3; i++) {
    for (int k = 0; k < 5; k++)
      sv_speech_packet(&r->people[i], levels[i]);
    sv_speech_update(&r->people[i], TICK_US / 1e6);
  }
  r->now += TICK_US;
  const sv_speech *s = sv_speaker_choose(&r->sp, r->all, 3, r->now);
  if (s != r->last && r->last) r->switches++;
  r->last = s;
  return s ? (int)(s - r->people) : -1;
}

/* Ticks until person `want` is the speaker; returns seconds, or -1. */
static double until(room *r, const uint8_t levels[3], int want, double limit_s) {
  for (double t = 0; t <= limit_s; t += TICK_US / 1e6)
    if (tick(r, levels) == want) return t + TICK_US / 1e6;
  return -1;
}

static void test_one_speaks(void) {
  room r;
  room_init(&r);
  const uint8_t quiet[3] = {NOISE, SILENT, NOISE};
  for (int i = 0; i < 50; i++)
    CHECK_EQ_INT(tick(&r, quiet), -1); /* room noise is nobody speaking */
  const uint8_t b_speaks[3] = {NOISE, LOUD, SILENT};
  double t = until(&r, b_speaks, 1, 5);
  printf("  B starts speaking in a quiet room: the speaker after %.1f s\n", t);
  CHECK(t > 0 && t <= 0.35);
  /* Muted (digital silence) or talking, the V flag does not matter. */
  CHECK_EQ_INT(tick(&r, (const uint8_t[3]){NOISE, LOUD | 0x80, SILENT}), 1);
}

static void test_turns(void) {
  room r;
  room_init(&r);
  const uint8_t a_speaks[3] = {LOUD, SILENT, SILENT};
  const uint8_t c_speaks[3] = {SILENT, SILENT, LOUD};
  CHECK(until(&r, a_speaks, 0, 5) > 0);
  for (int i = 0; i < 50; i++)
    tick(&r, a_speaks);
  /* C answers, A listens: C takes over within a few seconds. */
  double t = until(&r, c_speaks, 2, 10);
  printf("  A spoke 5 s, now C: C is the speaker after %.1f s\n", t);
  CHECK(t >= 1.0 && t <= 3.5);
  /* A short interjection from A (0.5 s) does not take the picture. */
  r.switches = 0;
  for (int i = 0; i < 5; i++)
    tick(&r, a_speaks);
  for (int i = 0; i < 30; i++)
    CHECK_EQ_INT(tick(&r, c_speaks), 2);
  CHECK_EQ_INT(r.switches, 0);
  /* A and C in a quick back-and-forth of 0.6 s each: few switches. */
  for (int i = 0; i < 20; i++)
    for (int k = 0; k < 6; k++)
      tick(&r, i % 2 ? a_speaks : c_speaks);
  printf("  24 s of 0.6 s turns: %d switches\n", r.switches);
  CHECK(r.switches <= 2);
}

static void test_silence_and_forget(void) {
  room r;
  room_init(&r);
  const uint8_t a_speaks[3] = {LOUD, SILENT, SILENT};
  const uint8_t nobody[3] = {SILENT, SILENT, SILENT};
  CHECK(until(&r, a_speaks, 0, 5) > 0);
  /* The speaker who falls silent stays the speaker until someone speaks. */
  for (int i = 0; i < 100; i++)
    CHECK_EQ_INT(tick(&r, nobody), 0);
  /* Anyone who speaks then takes it at once. */
  CHECK(until(&r, (const uint8_t[3]){SILENT, LOUD, SILENT}, 1, 0.35) > 0);
  /* The speaker leaves. */
  sv_speaker_forget(&r.sp, &r.people[1]);
  CHECK(r.sp.current == NULL);
  sv_speaker_forget(&r.sp, &r.people[0]); /* someone else: nothing */
  CHECK(sv_speaker_choose(&r.sp, r.all, 0, r.now) == NULL);
}

int main(void) {
  RUN(test_one_speaks);
  RUN(test_turns);
  RUN(test_silence_and_forget);
  return check_summary();
}
