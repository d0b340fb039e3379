/*
 * test_store.c — the storage suite for records, run against one backend per
 * process: `test_store sqlite` or `test_store pg` (store_fixture.h).
 *
 * Covers: opening errors, migrations on reopen keep everything, a newer
 * schema refused, CRUD and list filters for teams, consultations and
 * invitations, revoked tokens, API keys, urgent requests and links. (The
 * audit chain, retention and the monthly figures are in test_store_audit.c,
 * the export formats in test_audit_export.c.)
 */
#include "store_fixture.h"

static void test_open_errors(void) {
  sv_store *st = NULL;
  char *error = NULL;
  CHECK_EQ_INT(sv_store_open("mysql://x", data_dir, &st, &error), SV_EINVAL);
  CHECK(st == NULL && error && strstr(error, "postgres://"));
  g_free(error);
  error = NULL;
  CHECK_EQ_INT(
      sv_store_open("postgres://nobody@127.0.0.1:1/none?connect_timeout=2", NULL, &st, &error),
      SV_EIO);
  CHECK(st == NULL && error && strstr(error, "cannot connect to PostgreSQL"));
  g_free(error);
  /* A data "directory" that is a file. */
  char *file = g_build_filename(data_dir, "not-a-dir", NULL);
  CHECK(g_file_set_contents(file, "x", 1, NULL));
  error = NULL;
  CHECK_EQ_INT(sv_store_open(NULL, file, &st, &error), SV_EIO);
  CHECK(st == NULL && error && strstr(error, "--data-dir"));
  g_free(error);
  /* samvei.db that is not a database. */
  char *dir = g_build_filename(data_dir, "garbage", NULL);
  char *db = g_build_filename(dir, "samvei.db", NULL);
  g_mkdir_with_parents(dir, 0700);
  CHECK(g_file_set_contents(db, "this is not a database, it is a text file of some length....", -1,
                            NULL));
  error = NULL;
  CHECK_EQ_INT(sv_store_open(NULL, dir, &st, &error), SV_EIO);
  CHECK(st == NULL && error && strstr(error, "samvei.db"));
  g_free(error);
  g_free(db);
  g_free(dir);
  g_free(file);
}

static void test_reopen_keeps_everything(void) {
  sv_store *st = fresh();
  CHECK_STR(sv_store_backend_name(st), url ? "postgresql" : "sqlite");
  /* At least the urgent links' migration; later ones may follow. */
  int latest = sv_store_schema_version(st);
  CHECK(latest >= 2);
  sv_team t;
  make_team(st, &t, "Ambulant sårteam", "specialist", 0);
  sv_consultation c;
  make_consultation(st, &c, t.id, NULL, now + 3600, 30);
  sv_invitation inv = {0};
  g_strlcpy(inv.consultation, c.id, sizeof inv.consultation);
  g_strlcpy(inv.role, "patient", sizeof inv.role);
  g_strlcpy(inv.name, "Kari", sizeof inv.name);
  hash_of("token-1", inv.token_hash);
  inv.expires = now + 7200;
  CHECK_EQ_INT(sv_store_invitation_add(st, &inv, "coordinator", now), 0);
  append(st, c.id, "joined", now + 3600, "Kari", "{}");
  sv_store_close(st);

  st = open_store(); /* a restart: migrations find nothing to do */
  CHECK_EQ_INT(sv_store_schema_version(st), latest);
  sv_team t2;
  CHECK_EQ_INT(sv_store_team_get(st, t.id, &t2), 0);
  CHECK_STR(t2.name, "Ambulant sårteam");
  sv_consultation c2;
  CHECK_EQ_INT(sv_store_consultation_get(st, c.id, &c2), 0);
  CHECK_STR(c2.title, "Sårveiledning");
  CHECK_STR(c2.status, "held"); /* the joined event marked it */
  sv_invitation i2;
  CHECK_EQ_INT(sv_store_invitation_by_hash(st, inv.token_hash, &i2), 0);
  CHECK_STR(i2.id, inv.id);
  sv_audit_event *evs;
  size_t n;
  CHECK_EQ_INT(sv_store_audit_list(st, NULL, &evs, &n), 0);
  CHECK_EQ_INT(n, 3);
  if (n == 3) {
    CHECK_STR(evs[0].event, "booked");
    CHECK_STR(evs[1].event, "invitation-issued");
    CHECK_STR(evs[1].name, "Kari");
    CHECK_STR(evs[2].event, "joined");
  }
  g_free(evs);
  int64_t bad;
  char *why;
  size_t count;
  CHECK_EQ_INT(sv_store_audit_verify(st, &bad, &why, &count), 0);
  CHECK_EQ_INT(count, 3);
  sv_rows rows;
  CHECK_EQ_INT(sv_store_query(st, "SELECT COUNT(*) FROM schema_version", NULL, 0, &rows), 0);
  CHECK_EQ_INT(sv_rows_int(&rows, 0, 0), latest); /* each migration applied once */
  sv_rows_clear(&rows);
  sv_store_close(st);
}

/* A database from a newer samvei is refused, not half-used. */
static void test_newer_schema_refused(void) {
  sv_store *st = fresh();
  CHECK_EQ_INT(SV_SQL(st, NULL, "INSERT INTO schema_version (version, applied) VALUES (?, ?)",
                      SQ_I(99), SQ_I(now)),
               0);
  sv_store_close(st);
  char *error = NULL;
  st = NULL;
  CHECK_EQ_INT(sv_store_open(url, data_dir, &st, &error), SV_ESTATE);
  CHECK(st == NULL && error && strstr(error, "schema version 99"));
  g_free(error);
  /* Put back, it opens again. */
  sv_rows rows;
  st = NULL;
  if (url) {
    /* Remove the row through a second connection that skips migrations:
     * the backend's own open. */
    void *db = NULL;
    error = NULL;
    CHECK_EQ_INT(sv_store_pg_open(url, &db, &error), 0);
    if (db) {
      CHECK_EQ_INT(sv_store_pg_backend.exec(db, "DELETE FROM schema_version WHERE version = 99"),
                   0);
      sv_store_pg_backend.close(db);
    }
    g_free(error);
  } else {
    void *db = NULL;
    char *path = g_build_filename(data_dir, "samvei.db", NULL);
    CHECK_EQ_INT(sv_store_sqlite_open(path, &db, &error), 0);
    if (db) {
      CHECK_EQ_INT(
          sv_store_sqlite_backend.exec(db, "DELETE FROM schema_version WHERE version = 99"), 0);
      sv_store_sqlite_backend.close(db);
    }
    g_free(path);
  }
  st = open_store();
  CHECK_EQ_INT(sv_store_query(st, "SELECT MAX(version) FROM schema_version", NULL, 0, &rows), 0);
  CHECK_EQ_INT(sv_rows_int(&rows, 0, 0), sv_store_schema_version(st)); /* 99 is gone */
  sv_rows_clear(&rows);
  sv_store_close(st);
}

static void test_teams(void) {
  sv_store *st = fresh();
  sv_team a, b;
  make_team(st, &b, "Hjemmesykepleien Lenvik", "municipal", 85);
  make_team(st, &a, "Ambulant geriatrisk team", "specialist", 0);
  CHECK(strlen(a.id) == SV_STORE_ID_LEN && strcmp(a.id, b.id) != 0);
  sv_team bad = {0};
  g_strlcpy(bad.name, "X", sizeof bad.name);
  g_strlcpy(bad.kind, "hospital", sizeof bad.kind);
  CHECK_EQ_INT(sv_store_team_create(st, &bad), SV_EINVAL);
  g_strlcpy(bad.kind, "municipal", sizeof bad.kind);
  bad.name[0] = '\0';
  CHECK_EQ_INT(sv_store_team_create(st, &bad), SV_EINVAL);

  a.on_call = true;
  g_strlcpy(a.organisation, "UNN", sizeof a.organisation);
  g_strlcpy(a.phone, "+47 77 00 00 00", sizeof a.phone);
  CHECK_EQ_INT(sv_store_team_update(st, &a), 0);
  sv_team got;
  CHECK_EQ_INT(sv_store_team_get(st, a.id, &got), 0);
  CHECK(got.on_call);
  CHECK_STR(got.phone, "+47 77 00 00 00");
  CHECK_STR(got.organisation, "UNN");
  CHECK_STR(got.kind, "specialist");
  CHECK_EQ_INT(sv_store_team_get(st, "nope", &got), SV_ENOENT);
  sv_team ghost = a;
  g_strlcpy(ghost.id, "nope", sizeof ghost.id);
  CHECK_EQ_INT(sv_store_team_update(st, &ghost), SV_ENOENT);

  sv_team *list;
  size_t n;
  CHECK_EQ_INT(sv_store_team_list(st, &list, &n), 0);
  CHECK_EQ_INT(n, 2);
  if (n == 2) {
    CHECK_STR(list[0].name, "Ambulant geriatrisk team");
    CHECK_EQ_INT(list[1].distance_km, 85);
  }
  g_free(list);

  sv_consultation c;
  make_consultation(st, &c, a.id, b.id, now, 30);
  CHECK_EQ_INT(sv_store_team_delete(st, a.id), SV_ESTATE); /* a consultation names it */
  sv_team spare;
  make_team(st, &spare, "Spare", "municipal", 0);
  CHECK_EQ_INT(sv_store_team_delete(st, spare.id), 0);
  CHECK_EQ_INT(sv_store_team_delete(st, spare.id), SV_ENOENT);
  CHECK_EQ_INT(sv_store_team_get(st, spare.id, &got), SV_ENOENT);
  sv_store_close(st);
}

static void test_consultations(void) {
  sv_store *st = fresh();
  sv_team s, m, m2;
  make_team(st, &s, "Spesialist", "specialist", 0);
  make_team(st, &m, "Kommune A", "municipal", 40);
  make_team(st, &m2, "Kommune B", "municipal", 0);
  sv_consultation c1, c2, c3;
  make_consultation(st, &c1, s.id, m.id, now, 30);         /* now .. +30 min */
  make_consultation(st, &c2, s.id, m2.id, now + 7200, 60); /* +2 h .. +3 h */
  make_consultation(st, &c3, s.id, "", now + 86400, 45);   /* tomorrow, no guest team */
  CHECK_STR(c1.status, "booked");
  CHECK_EQ_INT(c1.created, now);

  sv_consultation bad = c1;
  bad.end = bad.start;
  CHECK_EQ_INT(sv_store_consultation_create(st, &bad, NULL, now), SV_EINVAL);
  bad = c1;
  g_strlcpy(bad.kind, "party", sizeof bad.kind);
  CHECK_EQ_INT(sv_store_consultation_create(st, &bad, NULL, now), SV_EINVAL);
  bad = c1;
  g_strlcpy(bad.host_team, "no-such-team", sizeof bad.host_team);
  CHECK_EQ_INT(sv_store_consultation_create(st, &bad, NULL, now), SV_EINVAL);

  /* Reschedule. */
  sv_consultation r = c2;
  r.start += 600;
  r.end += 600;
  g_strlcpy(r.title, "Oppfølging etter utskriving", sizeof r.title);
  CHECK_EQ_INT(sv_store_consultation_update(st, &r, "coordinator", now + 5), 0);
  sv_consultation got;
  CHECK_EQ_INT(sv_store_consultation_get(st, c2.id, &got), 0);
  CHECK_EQ_INT(got.start, c2.start + 600);
  CHECK_STR(got.title, "Oppfølging etter utskriving");
  CHECK_EQ_INT(got.updated, now + 5);
  CHECK_EQ_INT(got.created, now);

  /* Cancel, twice. */
  CHECK_EQ_INT(sv_store_consultation_cancel(st, c3.id, "coordinator", now + 9), 0);
  CHECK_EQ_INT(sv_store_consultation_cancel(st, c3.id, "coordinator", now + 9), SV_ESTATE);
  CHECK_EQ_INT(sv_store_consultation_update(st, &c3, "coordinator", now + 9), SV_ESTATE);
  CHECK_EQ_INT(sv_store_consultation_cancel(st, "nope", NULL, now), SV_ENOENT);

  /* Filters. */
  sv_consultation *list;
  size_t n;
  sv_consultation_filter f = {.from = now + 1800, .to = now + 86400};
  CHECK_EQ_INT(sv_store_consultation_list(st, &f, &list, &n), 0);
  CHECK_EQ_INT(n, 1); /* c1 ends at +1800 (not overlapping), c3 starts at +86400 */
  if (n == 1) CHECK_STR(list[0].id, c2.id);
  g_free(list);
  f = (sv_consultation_filter){.from = now + 1799, .to = now + 86401};
  CHECK_EQ_INT(sv_store_consultation_list(st, &f, &list, &n), 0);
  CHECK_EQ_INT(n, 3);
  if (n == 3) {
    CHECK_STR(list[0].id, c1.id); /* by start */
    CHECK_STR(list[2].id, c3.id);
  }
  g_free(list);
  f = (sv_consultation_filter){.team = m.id};
  CHECK_EQ_INT(sv_store_consultation_list(st, &f, &list, &n), 0);
  CHECK_EQ_INT(n, 1);
  g_free(list);
  f = (sv_consultation_filter){.team = s.id, .status = "cancelled"};
  CHECK_EQ_INT(sv_store_consultation_list(st, &f, &list, &n), 0);
  CHECK_EQ_INT(n, 1);
  if (n == 1) CHECK_STR(list[0].id, c3.id);
  g_free(list);
  CHECK_EQ_INT(sv_store_consultation_list(st, NULL, &list, &n), 0);
  CHECK_EQ_INT(n, 3);
  g_free(list);

  /* Every change is in the log, with who did it. */
  sv_audit_event *evs;
  sv_audit_filter af = {.consultation = c2.id};
  CHECK_EQ_INT(sv_store_audit_list(st, &af, &evs, &n), 0);
  CHECK_EQ_INT(n, 2);
  if (n == 2) {
    CHECK_STR(evs[0].event, "booked");
    CHECK_STR(evs[1].event, "changed");
    CHECK_STR(evs[1].actor, "coordinator");
    CHECK(strstr(evs[1].detail, "\"old_start\"") != NULL);
  }
  g_free(evs);
  af.consultation = c3.id;
  CHECK_EQ_INT(sv_store_audit_list(st, &af, &evs, &n), 0);
  CHECK_EQ_INT(n, 2);
  if (n == 2) CHECK_STR(evs[1].event, "cancelled");
  g_free(evs);
  sv_store_close(st);
}

/* A consultation its host ended says so (and when) from then on; the
 * first time counts. */
static void test_consultation_ended(void) {
  sv_store *st = fresh();
  sv_team s;
  make_team(st, &s, "Spesialist", "specialist", 0);
  sv_consultation c, got;
  make_consultation(st, &c, s.id, "", now, 30);
  CHECK_EQ_INT(c.ended, 0);
  CHECK_EQ_INT(sv_store_consultation_mark_ended(st, c.id, now + 60), 0);
  CHECK_EQ_INT(sv_store_consultation_mark_ended(st, c.id, now + 120), 0);
  CHECK_EQ_INT(sv_store_consultation_get(st, c.id, &got), 0);
  CHECK_EQ_INT(got.ended, now + 60);
  CHECK_STR(got.status, "booked"); /* ending is not cancelling */
  CHECK_EQ_INT(sv_store_consultation_mark_ended(st, "nope", now), SV_ENOENT);
  sv_store_close(st);
}

static void test_invitations_and_tokens(void) {
  sv_store *st = fresh();
  sv_consultation c, other;
  make_consultation(st, &c, NULL, NULL, now, 30);
  make_consultation(st, &other, NULL, NULL, now, 30);
  sv_invitation a = {0}, b = {0}, o = {0};
  g_strlcpy(a.consultation, c.id, sizeof a.consultation);
  g_strlcpy(a.role, "patient", sizeof a.role);
  g_strlcpy(a.name, "Ola", sizeof a.name);
  hash_of("tok-a", a.token_hash);
  a.expires = now + 3600;
  b = a;
  g_strlcpy(b.role, "specialist", sizeof b.role);
  hash_of("tok-b", b.token_hash);
  o = a;
  g_strlcpy(o.consultation, other.id, sizeof o.consultation);
  hash_of("tok-o", o.token_hash);
  CHECK_EQ_INT(sv_store_invitation_add(st, &a, "coordinator", now), 0);
  CHECK_EQ_INT(sv_store_invitation_add(st, &b, "coordinator", now + 1), 0);
  CHECK_EQ_INT(sv_store_invitation_add(st, &o, "coordinator", now), 0);
  sv_invitation dup = a;
  CHECK_EQ_INT(sv_store_invitation_add(st, &dup, NULL, now), SV_EEXIST);
  sv_invitation bad = a;
  hash_of("tok-bad", bad.token_hash);
  g_strlcpy(bad.role, "admin", sizeof bad.role);
  CHECK_EQ_INT(sv_store_invitation_add(st, &bad, NULL, now), SV_EINVAL);
  g_strlcpy(bad.role, "patient", sizeof bad.role);
  g_strlcpy(bad.token_hash, "not-a-hash", sizeof bad.token_hash);
  CHECK_EQ_INT(sv_store_invitation_add(st, &bad, NULL, now), SV_EINVAL);
  hash_of("tok-bad", bad.token_hash);
  g_strlcpy(bad.consultation, "nope", sizeof bad.consultation);
  CHECK_EQ_INT(sv_store_invitation_add(st, &bad, NULL, now), SV_ENOENT);

  sv_invitation *list;
  size_t n;
  CHECK_EQ_INT(sv_store_invitation_list(st, c.id, &list, &n), 0);
  CHECK_EQ_INT(n, 2);
  if (n == 2) {
    CHECK_STR(list[0].id, a.id);
    CHECK_STR(list[1].role, "specialist");
    CHECK_EQ_INT(list[1].used, 0);
  }
  g_free(list);

  CHECK_EQ_INT(sv_store_invitation_mark_used(st, a.token_hash, now + 60), 0);
  CHECK_EQ_INT(sv_store_invitation_mark_used(st, a.token_hash, now + 120), 0);
  sv_invitation got;
  CHECK_EQ_INT(sv_store_invitation_by_hash(st, a.token_hash, &got), 0);
  CHECK_EQ_INT(got.used, now + 60); /* the first join stays */
  char unknown[SV_STORE_HASH_MAX];
  hash_of("never-issued", unknown);
  CHECK_EQ_INT(sv_store_invitation_mark_used(st, unknown, now), SV_ENOENT);
  CHECK_EQ_INT(sv_store_invitation_by_hash(st, unknown, &got), SV_ENOENT);
  /* By id, as the per-invitation calendar file reads it. */
  CHECK_EQ_INT(sv_store_invitation_get(st, b.id, &got), 0);
  CHECK_STR(got.token_hash, b.token_hash);
  CHECK_STR(got.consultation, b.consultation);
  CHECK_EQ_INT(sv_store_invitation_get(st, "no-such-id", &got), SV_ENOENT);

  sv_invitation checked;
  CHECK_EQ_INT(sv_store_token_check(st, a.token_hash, &checked), 0);
  CHECK_STR(checked.consultation, c.id);
  /* Unknown is not "valid": the caller refuses it for a booked room. */
  CHECK_EQ_INT(sv_store_token_check(st, unknown, NULL), SV_ENOENT);
  CHECK_EQ_INT(sv_store_invitation_revoke(st, a.id, "coordinator", now + 200), 0);
  CHECK_EQ_INT(sv_store_invitation_revoke(st, a.id, "coordinator", now + 200), SV_ESTATE);
  CHECK_EQ_INT(sv_store_invitation_revoke(st, "nope", NULL, now), SV_ENOENT);
  CHECK_EQ_INT(sv_store_token_check(st, a.token_hash, NULL), SV_EAUTH);
  CHECK_EQ_INT(sv_store_token_check(st, b.token_hash, NULL), 0);
  /* Cancelling the consultation stops its remaining links. */
  CHECK_EQ_INT(sv_store_consultation_cancel(st, c.id, NULL, now + 300), 0);
  CHECK_EQ_INT(sv_store_token_check(st, b.token_hash, NULL), SV_EAUTH);
  CHECK_EQ_INT(sv_store_token_check(st, o.token_hash, NULL), 0);

  sv_audit_event *evs;
  sv_audit_filter af = {.consultation = c.id};
  CHECK_EQ_INT(sv_store_audit_list(st, &af, &evs, &n), 0);
  CHECK_EQ_INT(n, 5); /* booked, issued ×2, revoked, cancelled */
  if (n == 5) {
    CHECK_STR(evs[1].event, "invitation-issued");
    CHECK_STR(evs[3].event, "invitation-revoked");
    CHECK_STR(evs[3].role, "patient");
    for (size_t i = 0; i < n; i++)
      CHECK(strstr(evs[i].detail, "tok-") == NULL);
  }
  g_free(evs);
  sv_store_close(st);
}

/* A database that cannot answer must not make a link count as valid (the
 * old check said "not revoked" on any error). */
static void test_token_check_fails_closed(void) {
  sv_store *st = fresh();
  char h[SV_STORE_HASH_MAX];
  hash_of("tok-x", h);
  CHECK_EQ_INT(sv_store_exec(st, "ALTER TABLE invitations RENAME TO invitations_gone"), 0);
  int err = sv_store_token_check(st, h, NULL);
  CHECK(err < 0 && err != SV_ENOENT);
  CHECK_EQ_INT(sv_store_exec(st, "ALTER TABLE invitations_gone RENAME TO invitations"), 0);
  sv_store_close(st);
}

static void test_apikeys(void) {
  sv_store *st = fresh();
  char h1[SV_STORE_HASH_MAX], h2[SV_STORE_HASH_MAX];
  hash_of("key-one", h1);
  hash_of("key-two", h2);
  char id[SV_STORE_ID_MAX] = "";
  CHECK_EQ_INT(sv_store_apikey_add(st, "admin", h1, now, id), 0);
  CHECK_EQ_INT(strlen(id), SV_STORE_ID_LEN);
  CHECK_EQ_INT(sv_store_apikey_add(st, "again", h1, now, NULL), SV_EEXIST);
  CHECK_EQ_INT(sv_store_apikey_add(st, "", h2, now, NULL), SV_EINVAL);
  CHECK_EQ_INT(sv_store_apikey_add(st, "x", "plain-key", now, NULL), SV_EINVAL);
  sv_apikey k;
  CHECK(sv_store_apikey_check(st, h1, &k));
  CHECK_STR(k.name, "admin");
  CHECK(!sv_store_apikey_check(st, h2, NULL));
  CHECK_EQ_INT(sv_store_apikey_revoke(st, id, now + 1), 0);
  CHECK_EQ_INT(sv_store_apikey_revoke(st, id, now + 1), SV_ESTATE);
  CHECK_EQ_INT(sv_store_apikey_revoke(st, "nope", now + 1), SV_ENOENT);
  CHECK(!sv_store_apikey_check(st, h1, NULL));
  sv_apikey *list;
  size_t n;
  CHECK_EQ_INT(sv_store_apikey_list(st, &list, &n), 0);
  CHECK_EQ_INT(n, 1);
  if (n == 1) CHECK_EQ_INT(list[0].revoked, now + 1);
  g_free(list);
  /* Only the hash is kept. */
  sv_rows rows;
  CHECK_EQ_INT(sv_store_query(st, "SELECT key_hash FROM api_keys", NULL, 0, &rows), 0);
  CHECK_STR(sv_rows_text(&rows, 0, 0), h1);
  sv_rows_clear(&rows);
  sv_store_close(st);
}

static void test_urgent(void) {
  sv_store *st = fresh();
  sv_team s, m;
  make_team(st, &s, "Vakt", "specialist", 0);
  make_team(st, &m, "Sykehjem", "municipal", 12);
  sv_urgent u = {0};
  g_strlcpy(u.consultation, "roomurgent1", sizeof u.consultation);
  g_strlcpy(u.from_team, m.id, sizeof u.from_team);
  g_strlcpy(u.to_team, s.id, sizeof u.to_team);
  CHECK_EQ_INT(sv_store_urgent_add(st, &u, "nurse", now), 0);
  sv_urgent u2 = u;
  CHECK_EQ_INT(sv_store_urgent_add(st, &u2, "nurse", now + 10), 0);
  sv_urgent bad = {0};
  CHECK_EQ_INT(sv_store_urgent_add(st, &bad, NULL, now), SV_EINVAL);
  sv_urgent *list;
  size_t n;
  CHECK_EQ_INT(sv_store_urgent_list(st, s.id, true, &list, &n), 0);
  CHECK_EQ_INT(n, 2);
  if (n == 2) CHECK_STR(list[0].id, u2.id); /* newest first */
  g_free(list);
  CHECK_EQ_INT(sv_store_urgent_accept(st, u.id, "Dr. Hansen", now + 95), 0);
  CHECK_EQ_INT(sv_store_urgent_accept(st, u.id, "Dr. Berg", now + 96), SV_ESTATE);
  CHECK_EQ_INT(sv_store_urgent_accept(st, "nope", "x", now), SV_ENOENT);
  sv_urgent got;
  CHECK_EQ_INT(sv_store_urgent_get(st, u.id, &got), 0);
  CHECK_EQ_INT(got.accepted_at, now + 95);
  CHECK_STR(got.accepted_by, "Dr. Hansen");
  CHECK_EQ_INT(sv_store_urgent_list(st, s.id, true, &list, &n), 0);
  CHECK_EQ_INT(n, 1);
  g_free(list);
  CHECK_EQ_INT(sv_store_urgent_list(st, NULL, false, &list, &n), 0);
  CHECK_EQ_INT(n, 2);
  g_free(list);
  sv_audit_event *evs;
  sv_audit_filter af = {.consultation = "roomurgent1"};
  CHECK_EQ_INT(sv_store_audit_list(st, &af, &evs, &n), 0);
  CHECK_EQ_INT(n, 3);
  if (n == 3) {
    CHECK_STR(evs[2].event, "urgent-accept");
    CHECK(strstr(evs[2].detail, "\"wait_s\":95") != NULL);
  }
  g_free(evs);
  /* A request withdrawn before an accept: logged with its reason. */
  CHECK_EQ_INT(sv_store_urgent_withdrawn(st, u2.id, "cancelled", "nurse", now + 20), 0);
  CHECK_EQ_INT(sv_store_urgent_withdrawn(st, "nope", "left", "nurse", now), SV_ENOENT);
  CHECK_EQ_INT(sv_store_audit_list(st, &af, &evs, &n), 0);
  CHECK_EQ_INT(n, 4);
  if (n == 4) {
    CHECK_STR(evs[3].event, "urgent-withdrawn");
    CHECK(strstr(evs[3].detail, "\"reason\":\"cancelled\"") != NULL);
    CHECK(strstr(evs[3].detail, u2.id) != NULL);
  }
  g_free(evs);
  sv_store_close(st);
}

/* Urgent links are stored by their token's hash, listed per team and
 * revoked; the hourly count of a team's requests backs its limit. */
static void test_urgent_links(void) {
  sv_store *st = fresh();
  sv_team s, m;
  make_team(st, &s, "Vakt", "specialist", 0);
  make_team(st, &m, "Sykehjem", "municipal", 12);
  char h1[SV_STORE_HASH_MAX], h2[SV_STORE_HASH_MAX], h3[SV_STORE_HASH_MAX];
  hash_of("urgent-token-one", h1);
  hash_of("urgent-token-two", h2);
  hash_of("never-stored", h3);
  sv_urgent_link l1 = {0}, l2 = {0};
  g_strlcpy(l1.team, m.id, sizeof l1.team);
  g_strlcpy(l1.role, "requester", sizeof l1.role);
  g_strlcpy(l1.name, "Kari", sizeof l1.name);
  g_strlcpy(l1.to_team, s.id, sizeof l1.to_team);
  l1.expires = now + 86400;
  l2 = l1;
  g_strlcpy(l2.team, s.id, sizeof l2.team);
  g_strlcpy(l2.role, "on-call", sizeof l2.role);
  CHECK_EQ_INT(sv_store_urgent_link_add(st, &l1, h1, now), 0);
  CHECK_EQ_INT(sv_store_urgent_link_add(st, &l2, h2, now + 1), 0);
  CHECK_EQ_INT(strlen(l1.id), SV_STORE_ID_LEN);
  CHECK(strcmp(l1.id, l2.id) != 0);
  sv_urgent_link bad = {0};
  CHECK_EQ_INT(sv_store_urgent_link_add(st, &bad, h3, now), SV_EINVAL);
  CHECK_EQ_INT(sv_store_urgent_link_add(st, &l1, "plain", now), SV_EINVAL);
  sv_urgent_link got;
  CHECK_EQ_INT(sv_store_urgent_link_check(st, h1, &got), 0);
  CHECK_STR(got.id, l1.id);
  CHECK_STR(got.to_team, s.id);
  CHECK_EQ_INT(sv_store_urgent_link_check(st, h3, NULL), SV_ENOENT);
  sv_urgent_link *list;
  size_t n;
  CHECK_EQ_INT(sv_store_urgent_link_list(st, m.id, &list, &n), 0);
  CHECK_EQ_INT(n, 1);
  g_free(list);
  CHECK_EQ_INT(sv_store_urgent_link_list(st, NULL, &list, &n), 0);
  CHECK_EQ_INT(n, 2);
  if (n == 2) CHECK_STR(list[0].id, l1.id); /* oldest first */
  g_free(list);
  CHECK_EQ_INT(sv_store_urgent_link_revoke(st, l1.id, now + 5), 0);
  CHECK_EQ_INT(sv_store_urgent_link_revoke(st, l1.id, now + 6), SV_ESTATE);
  CHECK_EQ_INT(sv_store_urgent_link_revoke(st, "nope", now), SV_ENOENT);
  CHECK_EQ_INT(sv_store_urgent_link_check(st, h1, &got), SV_EAUTH);
  CHECK_EQ_INT(got.revoked, now + 5);
  CHECK_EQ_INT(sv_store_urgent_link_check(st, h2, NULL), 0);
  /* The hourly count: requests from the team at or after `since`. */
  sv_urgent u = {0};
  g_strlcpy(u.consultation, "roomurgent2", sizeof u.consultation);
  g_strlcpy(u.from_team, m.id, sizeof u.from_team);
  g_strlcpy(u.to_team, s.id, sizeof u.to_team);
  CHECK_EQ_INT(sv_store_urgent_add(st, &u, "nurse", now - 4000), 0);
  CHECK_EQ_INT(sv_store_urgent_add(st, &u, "nurse", now - 10), 0);
  CHECK_EQ_INT(sv_store_urgent_add(st, &u, "nurse", now), 0);
  int count = -1;
  CHECK_EQ_INT(sv_store_urgent_count_since(st, m.id, now - 3600, &count), 0);
  CHECK_EQ_INT(count, 2);
  CHECK_EQ_INT(sv_store_urgent_count_since(st, s.id, now - 3600, &count), 0);
  CHECK_EQ_INT(count, 0);
  sv_store_close(st);
}

int main(int argc, char **argv) {
  int rc = store_fixture_begin(argc, argv);
  if (rc != 0) return rc;
  RUN(test_open_errors);
  RUN(test_reopen_keeps_everything);
  RUN(test_newer_schema_refused);
  RUN(test_teams);
  RUN(test_consultations);
  RUN(test_consultation_ended);
  RUN(test_invitations_and_tokens);
  RUN(test_token_check_fails_closed);
  RUN(test_apikeys);
  RUN(test_urgent);
  RUN(test_urgent_links);
  return store_fixture_end();
}
