/*
 * store_fixture.h — what the storage suites share: the backend a process
 * runs against (`TEST sqlite`, a temporary data directory, or `TEST pg`,
 * the PostgreSQL at $SAMVEI_TEST_PG_URL, which tests/pg/with-postgres.sh
 * starts; without it the pg run fails rather than skips), an empty
 * database per test, and helpers that add teams, consultations and audit
 * events. Included by test_store.c and test_store_audit.c after check.h.
 */
#ifndef SV_TEST_STORE_FIXTURE_H
#define SV_TEST_STORE_FIXTURE_H

#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "common/common.h"
#include "schedule/store.h"
#include "schedule/store_int.h"
#include "schedule/token.h"

static const char *url;                /* NULL = SQLite */
static char *data_dir;                 /* SQLite's temporary data directory */
static const int64_t now = 1790000000; /* 2026-09-21T14:13:20Z */

static inline sv_store *open_store(void) {
  sv_store *st = NULL;
  char *error = NULL;
  int err = sv_store_open(url, data_dir, &st, &error);
  if (err < 0) {
    fprintf(stderr, "cannot open the store: %s\n", error);
    g_free(error);
    exit(1);
  }
  return st;
}

/* An empty database: every table dropped, then migrated again. */
static inline sv_store *fresh(void) {
  sv_store *st = open_store();
  CHECK_EQ_INT(sv_store_exec(st, "DROP TABLE IF EXISTS teams; DROP TABLE IF EXISTS consultations;"
                                 "DROP TABLE IF EXISTS invitations; DROP TABLE IF EXISTS api_keys;"
                                 "DROP TABLE IF EXISTS urgent_requests;"
                                 "DROP TABLE IF EXISTS urgent_links;"
                                 "DROP TABLE IF EXISTS audit_events;"
                                 "DROP TABLE IF EXISTS audit_anchor;"
                                 "DROP TABLE IF EXISTS schema_version"),
               0);
  sv_store_close(st);
  return open_store();
}

static inline void make_team(sv_store *st, sv_team *t, const char *name, const char *kind, int km) {
  memset(t, 0, sizeof *t);
  g_strlcpy(t->name, name, sizeof t->name);
  g_strlcpy(t->kind, kind, sizeof t->kind);
  g_strlcpy(t->organisation, "Helse Nord", sizeof t->organisation);
  t->distance_km = km;
  CHECK_EQ_INT(sv_store_team_create(st, t), 0);
}

static inline void make_consultation(sv_store *st, sv_consultation *c, const char *host,
                                     const char *guest, int64_t start, int minutes) {
  memset(c, 0, sizeof *c);
  g_strlcpy(c->kind, "guidance", sizeof c->kind);
  g_strlcpy(c->title, "Sårveiledning", sizeof c->title);
  c->start = start;
  c->end = start + minutes * 60;
  g_strlcpy(c->host_team, host ? host : "", sizeof c->host_team);
  g_strlcpy(c->guest_team, guest ? guest : "", sizeof c->guest_team);
  CHECK_EQ_INT(sv_store_consultation_create(st, c, "coordinator", now), 0);
}

static inline void append(sv_store *st, const char *room, const char *event, int64_t ts,
                          const char *name, const char *detail) {
  sv_audit_event ev = {0};
  ev.ts = ts;
  g_strlcpy(ev.consultation, room, sizeof ev.consultation);
  g_strlcpy(ev.event, event, sizeof ev.event);
  g_strlcpy(ev.participant, "p1", sizeof ev.participant);
  g_strlcpy(ev.role, "patient", sizeof ev.role);
  g_strlcpy(ev.name, name, sizeof ev.name);
  g_strlcpy(ev.detail, detail, sizeof ev.detail);
  CHECK_EQ_INT(sv_store_audit_append(st, &ev), 0);
  CHECK(ev.seq > 0 && strlen(ev.hash) == 64);
}

static inline void hash_of(const char *token, char out[SV_STORE_HASH_MAX]) {
  sv_token_hash(token, out);
}

/* Reads the backend from argv; returns 0, or the exit code for a bad call. */
static inline int store_fixture_begin(int argc, char **argv) {
  if (argc != 2 || (strcmp(argv[1], "sqlite") != 0 && strcmp(argv[1], "pg") != 0)) {
    fprintf(stderr, "usage: %s sqlite|pg\n", argc > 0 ? argv[0] : "test_store");
    return 2;
  }
  sv_log_set_level(SV_LOG_WARN);
  if (strcmp(argv[1], "pg") == 0) {
    url = getenv("SAMVEI_TEST_PG_URL");
    if (!url || !*url) {
      fprintf(stderr,
              "%s pg: SAMVEI_TEST_PG_URL is not set; run it through "
              "tests/pg/with-postgres.sh\n",
              argv[0]);
      return 1;
    }
  }
  data_dir = g_dir_make_tmp("samvei-store-XXXXXX", NULL);
  return 0;
}

/* Removes the temporary data directory; returns the exit code for ctest. */
static inline int store_fixture_end(void) {
  char *cmd = g_strdup_printf("rm -rf '%s'", data_dir);
  if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", data_dir);
  g_free(cmd);
  g_free(data_dir);
  return check_summary();
}

#endif
