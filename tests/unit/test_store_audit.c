/*
 * test_store_audit.c — the storage suite for the audit trail, run against
 * one backend per process: `test_store_audit sqlite` or `test_store_audit
 * pg` (store_fixture.h).
 *
 * Covers: the audit chain (append, verify, concurrent appends from two
 * processes, tampering named by seq), retention with its anchor, and the
 * monthly figures. (The export formats are in test_audit_export.c.)
 */
#include <sys/wait.h>
#include <unistd.h>

#include "store_fixture.h"

static void test_audit_chain(void) {
  sv_store *st = fresh();
  int64_t bad;
  char *why;
  size_t count = 99;
  CHECK_EQ_INT(sv_store_audit_verify(st, &bad, &why, &count), 0); /* empty is intact */
  CHECK_EQ_INT(count, 0);
  append(st, "room1", "waiting", now, "Kari", "{\"notice_ack\":true}");
  append(st, "room1", "admitted", now + 5, "Kari", "{}");
  append(st, "room2", "joined", now + 6, "Per", "{}");
  append(st, "room1", "left", now + 65, "Kari", "{\"duration_s\":60}");
  sv_audit_event ev = {0};
  g_strlcpy(ev.event, "joined", sizeof ev.event);
  g_strlcpy(ev.detail, "[1,2]", sizeof ev.detail);
  CHECK_EQ_INT(sv_store_audit_append(st, &ev), SV_EINVAL); /* detail must be an object */
  g_strlcpy(ev.detail, "{", sizeof ev.detail);
  CHECK_EQ_INT(sv_store_audit_append(st, &ev), SV_EINVAL);
  ev.event[0] = '\0';
  g_strlcpy(ev.detail, "{}", sizeof ev.detail);
  CHECK_EQ_INT(sv_store_audit_append(st, &ev), SV_EINVAL);

  sv_audit_event *evs;
  size_t n;
  sv_audit_filter f = {.consultation = "room1"};
  CHECK_EQ_INT(sv_store_audit_list(st, &f, &evs, &n), 0);
  CHECK_EQ_INT(n, 3);
  if (n == 3) {
    CHECK_STR(evs[0].event, "waiting");
    CHECK_STR(evs[1].event, "admitted");
    CHECK_STR(evs[2].event, "left");
    CHECK_EQ_INT(evs[0].seq, 1);
    CHECK_EQ_INT(evs[2].seq, 4);
    CHECK_STR(evs[2].detail, "{\"duration_s\":60}");
    CHECK_STR(evs[0].prev_hash, "0000000000000000000000000000000000000000000000000000000000000000");
  }
  g_free(evs);
  f = (sv_audit_filter){.from = now + 5, .to = now + 65};
  CHECK_EQ_INT(sv_store_audit_list(st, &f, &evs, &n), 0);
  CHECK_EQ_INT(n, 2);
  if (n == 2) CHECK_EQ_INT(evs[1].seq, 3);
  g_free(evs);
  CHECK_EQ_INT(sv_store_audit_verify(st, &bad, &why, &count), 0);
  CHECK_EQ_INT(count, 4);
  CHECK(why == NULL && bad == 0);
  sv_store_close(st);
}

/* Two processes, each with its own connection, append at the same time:
 * the result must still be one unbroken chain with every event. */
static void test_audit_concurrent(void) {
  sv_store *st = fresh();
  sv_store_close(st);
  enum { PER_CHILD = 40 };
  pid_t pids[2];
  for (int c = 0; c < 2; c++) {
    pids[c] = fork();
    if (pids[c] == 0) {
      sv_store *mine = open_store();
      int failures = 0;
      for (int i = 0; i < PER_CHILD; i++) {
        sv_audit_event ev = {0};
        g_strlcpy(ev.event, c ? "joined" : "left", sizeof ev.event);
        g_strlcpy(ev.detail, "{}", sizeof ev.detail);
        g_snprintf(ev.consultation, sizeof ev.consultation, "room%d", c);
        if (sv_store_audit_append(mine, &ev) < 0) failures++;
      }
      sv_store_close(mine);
      _exit(failures ? 1 : 0);
    }
  }
  for (int c = 0; c < 2; c++) {
    int status = 0;
    waitpid(pids[c], &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  st = open_store();
  int64_t bad;
  char *why;
  size_t count;
  CHECK_EQ_INT(sv_store_audit_verify(st, &bad, &why, &count), 0);
  CHECK_EQ_INT(count, 2 * PER_CHILD);
  g_free(why);
  sv_store_close(st);
}

static void check_broken(sv_store *st, int64_t seq, const char *words) {
  int64_t bad = 0;
  char *why = NULL;
  CHECK_EQ_INT(sv_store_audit_verify(st, &bad, &why, NULL), SV_ESTATE);
  CHECK_EQ_INT(bad, seq);
  char *name = g_strdup_printf("event %" G_GINT64_FORMAT " (", seq);
  CHECK(why && strstr(why, name) && strstr(why, words));
  if (why && (!strstr(why, name) || !strstr(why, words))) fprintf(stderr, "  why: %s\n", why);
  g_free(name);
  g_free(why);
}

static void test_audit_tamper(void) {
  sv_store *st = fresh();
  for (int i = 0; i < 6; i++)
    append(st, "room1", i % 2 ? "joined" : "left", now + i, "Kari", "{}");
  /* An edit through the database's own SQL, as someone with file access
   * would make it. */
  CHECK_EQ_INT(sv_store_exec(st, "UPDATE audit_events SET detail = '{\"duration_s\":1}'"
                                 " WHERE seq = 3"),
               0);
  check_broken(st, 3, "was changed");
  /* The message names the event's time too. */
  check_broken(st, 3, "2026-09-21T14:13:22Z");
  /* Put back exactly as it was, the chain is intact again. */
  CHECK_EQ_INT(sv_store_exec(st, "UPDATE audit_events SET detail = '{}' WHERE seq = 3"), 0);
  int64_t bad;
  char *why;
  CHECK_EQ_INT(sv_store_audit_verify(st, &bad, &why, NULL), 0);
  sv_store_close(st);

  st = fresh();
  for (int i = 0; i < 6; i++)
    append(st, "room1", "joined", now + i, "Kari", "{}");
  CHECK_EQ_INT(sv_store_exec(st, "UPDATE audit_events SET name = 'Someone else' WHERE seq = 5"), 0);
  check_broken(st, 5, "joined");
  sv_store_close(st);

  st = fresh();
  for (int i = 0; i < 6; i++)
    append(st, "room1", "joined", now + i, "Kari", "{}");
  CHECK_EQ_INT(sv_store_exec(st, "DELETE FROM audit_events WHERE seq = 2"), 0);
  check_broken(st, 3, "removed");
  sv_store_close(st);

  st = fresh();
  for (int i = 0; i < 6; i++)
    append(st, "room1", "joined", now + i, "Kari", "{}");
  CHECK_EQ_INT(sv_store_exec(st, "UPDATE audit_events SET hash = (SELECT hash FROM audit_events"
                                 " WHERE seq = 1) WHERE seq = 4"),
               0);
  check_broken(st, 4, "changed");
  sv_store_close(st);
}

static void test_retention(void) {
  sv_store *st = fresh();
  const int64_t day = 86400;
  int64_t today = now / day * day;
  append(st, "old", "joined", today - 10 * day + 100, "A", "{}");
  append(st, "old", "left", today - 9 * day + 100, "A", "{}");
  append(st, "old", "joined", today - 5 * day + 1, "B", "{}"); /* first kept day */
  append(st, "new", "joined", now, "C", "{}");
  size_t deleted = 99;
  CHECK_EQ_INT(sv_store_audit_retain(st, 0, now, &deleted), 0); /* 0 = keep forever */
  CHECK_EQ_INT(deleted, 0);
  CHECK_EQ_INT(sv_store_audit_retain(st, 5, now, &deleted), 0);
  CHECK_EQ_INT(deleted, 2);
  sv_audit_event *evs;
  size_t n;
  CHECK_EQ_INT(sv_store_audit_list(st, NULL, &evs, &n), 0);
  CHECK_EQ_INT(n, 3);
  if (n == 3) {
    CHECK_EQ_INT(evs[0].seq, 3);
    CHECK_STR(evs[2].event, "retention");
    CHECK(strstr(evs[2].detail, "\"deleted\":2") != NULL);
    CHECK(strstr(evs[2].detail, "\"last_seq\":2") != NULL);
  }
  g_free(evs);
  int64_t bad;
  char *why;
  size_t count;
  CHECK_EQ_INT(sv_store_audit_verify(st, &bad, &why, &count), 0);
  CHECK_EQ_INT(count, 3);
  /* Nothing more to delete: no second retention event. */
  CHECK_EQ_INT(sv_store_audit_retain(st, 5, now, &deleted), 0);
  CHECK_EQ_INT(deleted, 0);
  append(st, "new", "left", now + 10, "C", "{}");
  sv_store_close(st);
  st = open_store();
  CHECK_EQ_INT(sv_store_audit_verify(st, &bad, &why, &count), 0);
  CHECK_EQ_INT(count, 4);
  /* The first kept event is still checked against the anchor. */
  CHECK_EQ_INT(sv_store_exec(st, "UPDATE audit_events SET name = 'X' WHERE seq = 3"), 0);
  check_broken(st, 3, "changed");
  /* Everything older than a day: the whole chain goes, the anchor carries it. */
  CHECK_EQ_INT(sv_store_exec(st, "UPDATE audit_events SET name = 'B' WHERE seq = 3"), 0);
  CHECK_EQ_INT(sv_store_audit_retain(st, 1, now + 3 * day, &deleted), 0);
  CHECK_EQ_INT(deleted, 4);
  CHECK_EQ_INT(sv_store_audit_verify(st, &bad, &why, &count), 0);
  CHECK_EQ_INT(count, 1);
  sv_store_close(st);
}

static void test_stats(void) {
  sv_store *st = fresh();
  sv_team s, m, far, other;
  make_team(st, &s, "Spesialist", "specialist", 0);
  make_team(st, &m, "Kommune nær", "municipal", 0); /* distance unknown */
  make_team(st, &far, "Kommune fjern", "municipal", 40);
  make_team(st, &other, "Annen", "specialist", 0);
  /* September 2026 (now is the 21st). */
  sv_consultation a, b, c, d, e;
  make_consultation(st, &a, s.id, far.id, now, 60);
  make_consultation(st, &b, s.id, m.id, now + 86400, 60);
  make_consultation(st, &c, s.id, far.id, now + 2 * 86400, 45);  /* never held */
  make_consultation(st, &d, s.id, far.id, now - 40 * 86400, 30); /* August */
  make_consultation(st, &e, other.id, "", now, 30);
  /* a: held, people there 10:00 → 10:31:30 by the log. */
  append(st, a.id, "joined", now + 120, "Kari", "{}");
  append(st, a.id, "left", now + 120 + 1890, "Kari", "{}");
  /* b and d held by status only: their booked length counts. */
  CHECK_EQ_INT(sv_store_consultation_mark_held(st, b.id, now), 0);
  CHECK_EQ_INT(sv_store_consultation_mark_held(st, d.id, now), 0);
  CHECK_EQ_INT(sv_store_consultation_mark_held(st, "nope", now), SV_ENOENT);
  /* Urgent: waits 60 and 180 accepted, one still waiting → median 120. */
  int64_t waits[] = {60, 180, -1};
  for (int i = 0; i < 3; i++) {
    sv_urgent u = {0};
    g_strlcpy(u.consultation, "urgentroom", sizeof u.consultation);
    g_strlcpy(u.from_team, far.id, sizeof u.from_team);
    g_strlcpy(u.to_team, s.id, sizeof u.to_team);
    CHECK_EQ_INT(sv_store_urgent_add(st, &u, NULL, now + i * 1000), 0);
    if (waits[i] > 0)
      CHECK_EQ_INT(sv_store_urgent_accept(st, u.id, "Dr", now + i * 1000 + waits[i]), 0);
  }
  sv_team_stats *stats;
  size_t n;
  CHECK_EQ_INT(sv_store_stats_month(st, 2026, 13, &stats, &n), SV_EINVAL);
  CHECK_EQ_INT(sv_store_stats_month(st, 2026, 9, &stats, &n), 0);
  CHECK_EQ_INT(n, 4);
  for (size_t i = 0; i < n; i++) {
    sv_team_stats *t = &stats[i];
    if (strcmp(t->team, s.id) == 0) {
      CHECK_EQ_INT(t->held, 2);
      CHECK_EQ_INT(t->minutes, 32 + 60); /* 1890 s rounds to 32 */
      CHECK_EQ_INT(t->urgent_requests, 3);
      CHECK_EQ_INT(t->urgent_accepted, 2);
      CHECK_EQ_INT(t->urgent_median_wait_s, 120);
      CHECK_EQ_INT(t->travel_avoided_km, 80);
    } else if (strcmp(t->team, far.id) == 0) {
      CHECK_EQ_INT(t->held, 1);
      CHECK_EQ_INT(t->minutes, 32);
      CHECK_EQ_INT(t->urgent_requests, 3);
      CHECK_EQ_INT(t->travel_avoided_km, 80);
      CHECK_STR(t->organisation, "Helse Nord");
    } else if (strcmp(t->team, m.id) == 0) {
      CHECK_EQ_INT(t->held, 1);
      CHECK_EQ_INT(t->minutes, 60);
      CHECK_EQ_INT(t->travel_avoided_km, 0);
      CHECK_EQ_INT(t->urgent_requests, 0);
      CHECK_EQ_INT(t->urgent_median_wait_s, 0);
    } else {
      CHECK_EQ_INT(t->held, 0);
    }
  }
  g_free(stats);
  CHECK_EQ_INT(sv_store_stats_month(st, 2026, 8, &stats, &n), 0);
  for (size_t i = 0; i < n; i++)
    if (strcmp(stats[i].team, s.id) == 0) {
      CHECK_EQ_INT(stats[i].held, 1);
      CHECK_EQ_INT(stats[i].minutes, 30);
      CHECK_EQ_INT(stats[i].urgent_requests, 0);
    }
  g_free(stats);
  sv_store_close(st);
}

int main(int argc, char **argv) {
  int rc = store_fixture_begin(argc, argv);
  if (rc != 0) return rc;
  RUN(test_audit_chain);
  RUN(test_audit_concurrent);
  RUN(test_audit_tamper);
  RUN(test_retention);
  RUN(test_stats);
  return store_fixture_end();
}
