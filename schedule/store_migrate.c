/*
 * store_migrate.c — versioned schema migrations. Each migration is written
 * once, in order, and never edited after release: a database at version N
 * gets migrations N+1... applied in one transaction at open. The SQL is
 * shared by both backends (TEXT, BIGINT and INTEGER mean the same to both);
 * a migration may give a PostgreSQL variant where they differ.
 *
 * Timestamps are start_ts/end_ts because END is reserved in PostgreSQL.
 * Booleans are INTEGER 0/1 and "no time" is 0, so no column is NULL.
 */
#include <string.h>

#include "schedule/store_int.h"

typedef struct sv_migration {
  int version;
  const char *sql;
  const char *sql_pg; /* NULL = sql */
} sv_migration;

static const sv_migration migrations[] = {
    {1,
     "CREATE TABLE teams ("
     " id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL,"
     " organisation TEXT NOT NULL DEFAULT '', on_call INTEGER NOT NULL DEFAULT 0,"
     " distance_km INTEGER NOT NULL DEFAULT 0);"
     "CREATE TABLE consultations ("
     " id TEXT PRIMARY KEY, kind TEXT NOT NULL, title TEXT NOT NULL,"
     " start_ts BIGINT NOT NULL, end_ts BIGINT NOT NULL,"
     " host_team TEXT NOT NULL DEFAULT '', guest_team TEXT NOT NULL DEFAULT '',"
     " status TEXT NOT NULL, created BIGINT NOT NULL, updated BIGINT NOT NULL);"
     "CREATE INDEX consultations_start ON consultations (start_ts);"
     "CREATE TABLE invitations ("
     " id TEXT PRIMARY KEY, consultation TEXT NOT NULL, role TEXT NOT NULL,"
     " name TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, issued BIGINT NOT NULL,"
     " expires BIGINT NOT NULL, used BIGINT NOT NULL DEFAULT 0,"
     " revoked BIGINT NOT NULL DEFAULT 0);"
     "CREATE INDEX invitations_consultation ON invitations (consultation);"
     "CREATE TABLE api_keys ("
     " id TEXT PRIMARY KEY, name TEXT NOT NULL, key_hash TEXT NOT NULL UNIQUE,"
     " created BIGINT NOT NULL, revoked BIGINT NOT NULL DEFAULT 0);"
     "CREATE TABLE urgent_requests ("
     " id TEXT PRIMARY KEY, consultation TEXT NOT NULL, from_team TEXT NOT NULL DEFAULT '',"
     " to_team TEXT NOT NULL, requested_at BIGINT NOT NULL,"
     " accepted_at BIGINT NOT NULL DEFAULT 0, accepted_by TEXT NOT NULL DEFAULT '');"
     "CREATE INDEX urgent_requests_requested ON urgent_requests (requested_at);"
     "CREATE TABLE audit_events ("
     " seq BIGINT PRIMARY KEY, ts BIGINT NOT NULL, consultation TEXT NOT NULL DEFAULT '',"
     " event TEXT NOT NULL, participant TEXT NOT NULL DEFAULT '', role TEXT NOT NULL DEFAULT '',"
     " name TEXT NOT NULL DEFAULT '', actor TEXT NOT NULL DEFAULT '',"
     " detail TEXT NOT NULL DEFAULT '{}', prev_hash TEXT NOT NULL, hash TEXT NOT NULL);"
     "CREATE INDEX audit_events_consultation ON audit_events (consultation, seq);"
     "CREATE INDEX audit_events_ts ON audit_events (ts);"
     /* One row (id 1) once retention has deleted something: the seq and hash
      * of the last deleted event, where verification starts. */
     "CREATE TABLE audit_anchor ("
     " id INTEGER PRIMARY KEY, seq BIGINT NOT NULL, hash TEXT NOT NULL);",
     NULL},
    /* Urgent links (on-call and urgent-help) are stored so they can be
     * listed and revoked; a link is found by the SHA-256 of its token. */
    {2,
     "CREATE TABLE urgent_links ("
     " id TEXT PRIMARY KEY, team TEXT NOT NULL, role TEXT NOT NULL, name TEXT NOT NULL,"
     " to_team TEXT NOT NULL DEFAULT '', token_hash TEXT NOT NULL UNIQUE,"
     " created BIGINT NOT NULL, expires BIGINT NOT NULL, revoked BIGINT NOT NULL DEFAULT 0);"
     "CREATE INDEX urgent_links_team ON urgent_links (team);"
     "CREATE INDEX urgent_requests_from ON urgent_requests (from_team, requested_at);",
     NULL},
    /* When its host ended the consultation (0 = not ended): its links stay
     * refused across restarts. */
    {3, "ALTER TABLE consultations ADD COLUMN ended BIGINT NOT NULL DEFAULT 0;", NULL},
    /* A team's phone number: shown to a nurse whose urgent request nobody
     * has answered in time ('' = none). */
    {4, "ALTER TABLE teams ADD COLUMN phone TEXT NOT NULL DEFAULT '';", NULL},
};

static int current_version(sv_store *st) {
  sv_rows rows;
  if (sv_store_query(st, "SELECT MAX(version) FROM schema_version", NULL, 0, &rows) < 0)
    return SV_EIO;
  int v = (int)sv_rows_int(&rows, 0, 0);
  sv_rows_clear(&rows);
  return v;
}

int sv_store_migrate(sv_store *st, char **error) {
  int err = sv_store_begin(st);
  if (err < 0) goto fail_open;
  /* Two nodes starting together must not both migrate. */
  if (st->be->lock_schema && (err = sv_store_exec(st, st->be->lock_schema)) < 0) goto fail;
  err = sv_store_exec(st, "CREATE TABLE IF NOT EXISTS schema_version ("
                          " version INTEGER NOT NULL, applied BIGINT NOT NULL)");
  if (err < 0) goto fail;
  int v = current_version(st);
  if (v < 0) {
    err = v;
    goto fail;
  }
  int latest = migrations[SV_ARRAY_LEN(migrations) - 1].version;
  if (v > latest) {
    sv_store_rollback(st);
    *error = g_strdup_printf("the database is at schema version %d, newer than this samvei "
                             "knows (%d); run the newer samvei or restore a backup",
                             v, latest);
    return SV_ESTATE;
  }
  for (size_t i = 0; i < SV_ARRAY_LEN(migrations); i++) {
    const sv_migration *m = &migrations[i];
    if (m->version <= v) continue;
    const char *sql = m->sql_pg && st->be == &sv_store_pg_backend ? m->sql_pg : m->sql;
    if ((err = sv_store_exec(st, sql)) < 0) goto fail;
    int64_t now = g_get_real_time() / G_USEC_PER_SEC;
    if ((err = SV_SQL(st, NULL, "INSERT INTO schema_version (version, applied) VALUES (?, ?)",
                      SQ_I(m->version), SQ_I(now))) < 0)
      goto fail;
    SV_INFO("store", "%s: applied schema migration %d", st->be->name, m->version);
    v = m->version;
  }
  if ((err = sv_store_commit(st)) < 0) goto fail_open;
  st->schema_version = v;
  return 0;
fail:
  sv_store_rollback(st);
fail_open:
  *error = g_strdup_printf("cannot bring the %s database schema up to date (see the log "
                           "above); check its permissions and free space",
                           st->be->name);
  return err;
}
