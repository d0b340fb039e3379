/*
 * store_pg.c — the PostgreSQL backend (libpq), for several nodes sharing one
 * database. Statements come with `?` placeholders and are numbered here
 * ($1, $2, ...); every value is sent as a text parameter whose type the
 * server infers from the column it meets.
 */
#include <libpq-fe.h>
#include <string.h>

#include "schedule/store_int.h"

/* SQLSTATE unique_violation. */
#define SV_PG_UNIQUE "23505"

static void ignore_notice(void *arg, const char *message) {}

int sv_store_pg_open(const char *url, void **db, char **error) {
  PGconn *conn = PQconnectdb(url);
  if (!conn || PQstatus(conn) != CONNECTION_OK) {
    /* libpq's message never includes the password. */
    char *msg = conn ? g_strstrip(g_strdup(PQerrorMessage(conn))) : g_strdup("out of memory");
    *error = g_strdup_printf("cannot connect to PostgreSQL: %s; check --database-url and that "
                             "the server is running",
                             msg);
    g_free(msg);
    PQfinish(conn);
    return SV_EIO;
  }
  /* Notices (e.g. "relation already exists, skipping") are not errors. */
  PQsetNoticeProcessor(conn, ignore_notice, NULL);
  PGresult *res = PQexec(conn, "SET client_min_messages = warning");
  PQclear(res);
  *db = conn;
  return 0;
}

static int result_error(PGconn *conn, PGresult *res, const char *sql) {
  const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
  if (state && strcmp(state, SV_PG_UNIQUE) == 0) return SV_EEXIST;
  char *msg = g_strstrip(g_strdup(res ? PQresultErrorMessage(res) : PQerrorMessage(conn)));
  SV_ERROR("store", "PostgreSQL: %s in: %s", msg, sql);
  g_free(msg);
  return SV_EIO;
}

static int pg_exec(void *db, const char *sql) {
  PGresult *res = PQexec(db, sql);
  ExecStatusType s = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  int err = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK ? 0 : result_error(db, res, sql);
  PQclear(res);
  return err;
}

/* "a = ? AND b = ?" → "a = $1 AND b = $2". The statements are samvei's own
 * and hold no '?' inside string literals. */
static char *number_placeholders(const char *sql) {
  GString *s = g_string_sized_new(strlen(sql) + 16);
  int n = 0;
  for (const char *p = sql; *p; p++) {
    if (*p == '?')
      g_string_append_printf(s, "$%d", ++n);
    else
      g_string_append_c(s, *p);
  }
  return g_string_free(s, FALSE);
}

static int pg_query(void *db, const char *sql, const sv_sql_param *params, size_t n,
                    sv_rows *rows) {
  char *numbered = number_placeholders(sql);
  const char **values = g_new0(const char *, n + 1);
  char **owned = g_new0(char *, n + 1);
  for (size_t i = 0; i < n; i++) {
    if (params[i].type == SV_SQL_INT) {
      owned[i] = g_strdup_printf("%" G_GINT64_FORMAT, params[i].i);
      values[i] = owned[i];
    } else {
      values[i] = params[i].text ? params[i].text : "";
    }
  }
  PGresult *res = PQexecParams(db, numbered, (int)n, NULL, values, NULL, NULL, 0);
  ExecStatusType s = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  int err = 0;
  if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
    err = result_error(db, res, sql);
  } else if (rows) {
    rows->n_rows = (size_t)PQntuples(res);
    rows->n_cols = (size_t)PQnfields(res);
    rows->cells = g_new0(char *, rows->n_rows * rows->n_cols + 1);
    for (size_t r = 0; r < rows->n_rows; r++)
      for (size_t c = 0; c < rows->n_cols; c++)
        if (!PQgetisnull(res, (int)r, (int)c))
          rows->cells[r * rows->n_cols + c] = g_strdup(PQgetvalue(res, (int)r, (int)c));
  }
  PQclear(res);
  for (size_t i = 0; i < n; i++)
    g_free(owned[i]);
  g_free(owned);
  g_free(values);
  g_free(numbered);
  return err;
}

static void pg_close(void *db) {
  PQfinish(db);
}

const sv_store_backend sv_store_pg_backend = {
    .name = "postgresql",
    .exec = pg_exec,
    .query = pg_query,
    .close = pg_close,
    .begin = "BEGIN",
    /* EXCLUSIVE conflicts with itself and with writers, not with readers:
     * one appender at a time reads the head and extends the chain. */
    .lock_audit = "LOCK TABLE audit_events IN EXCLUSIVE MODE",
    /* Held until the migrating transaction ends; the number is samvei's. */
    .lock_schema = "SELECT pg_advisory_xact_lock(7316170001)",
};
