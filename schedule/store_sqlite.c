/*
 * store_sqlite.c — the SQLite backend: one file in the data directory, WAL
 * journal (readers never block the writer), a busy timeout so the server
 * and `samvei audit ...` can use the file at the same time.
 */
#include <sqlite3.h>
#include <string.h>

#include "schedule/store_int.h"

/* How long a statement waits for another process's write lock. */
#define SV_SQLITE_BUSY_MS 10000

int sv_store_sqlite_open(const char *path, void **db, char **error) {
  sqlite3 *h = NULL;
  int rc = sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (rc != SQLITE_OK) {
    *error = g_strdup_printf("cannot open the database %s: %s; check that the data directory "
                             "is writable",
                             path, h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
    sqlite3_close(h);
    return SV_EIO;
  }
  sqlite3_busy_timeout(h, SV_SQLITE_BUSY_MS);
  char *msg = NULL;
  if (sqlite3_exec(h, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", NULL, NULL, &msg) !=
      SQLITE_OK) {
    *error = g_strdup_printf("cannot use the database %s: %s (is it a SQLite file?)", path,
                             msg ? msg : sqlite3_errmsg(h));
    sqlite3_free(msg);
    sqlite3_close(h);
    return SV_EIO;
  }
  *db = h;
  return 0;
}

static int sqlite_exec(void *db, const char *sql) {
  char *msg = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK) return 0;
  SV_ERROR("store", "SQLite: %s", msg ? msg : sqlite3_errmsg(db));
  sqlite3_free(msg);
  return SV_EIO;
}

static int sqlite_query(void *db, const char *sql, const sv_sql_param *params, size_t n,
                        sv_rows *rows) {
  sqlite3_stmt *stmt = NULL;
  int err = SV_EIO;
  GPtrArray *cells = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
    SV_ERROR("store", "SQLite: %s in: %s", sqlite3_errmsg(db), sql);
    goto out;
  }
  for (size_t i = 0; i < n; i++) {
    int rc = params[i].type == SV_SQL_INT
                 ? sqlite3_bind_int64(stmt, (int)i + 1, params[i].i)
                 : sqlite3_bind_text(stmt, (int)i + 1, params[i].text ? params[i].text : "", -1,
                                     SQLITE_STATIC);
    if (rc != SQLITE_OK) {
      SV_ERROR("store", "SQLite: cannot bind parameter %zu: %s", i + 1, sqlite3_errmsg(db));
      goto out;
    }
  }
  size_t n_cols = (size_t)sqlite3_column_count(stmt);
  cells = g_ptr_array_new();
  size_t n_rows = 0;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    for (size_t c = 0; c < n_cols; c++) {
      const unsigned char *t = sqlite3_column_text(stmt, (int)c);
      g_ptr_array_add(cells, t ? g_strdup((const char *)t) : NULL);
    }
    n_rows++;
  }
  if (rc != SQLITE_DONE) {
    int ext = sqlite3_extended_errcode(db);
    if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY) {
      err = SV_EEXIST;
    } else {
      SV_ERROR("store", "SQLite: %s in: %s", sqlite3_errmsg(db), sql);
    }
    goto out;
  }
  if (rows) {
    rows->n_rows = n_rows;
    rows->n_cols = n_cols;
    rows->cells = (char **)g_ptr_array_free(cells, FALSE);
    cells = NULL;
  }
  err = 0;
out:
  if (cells) {
    g_ptr_array_set_free_func(cells, g_free);
    g_ptr_array_free(cells, TRUE);
  }
  sqlite3_finalize(stmt);
  return err;
}

static void sqlite_close(void *db) {
  sqlite3_close(db);
}

const sv_store_backend sv_store_sqlite_backend = {
    .name = "sqlite",
    .exec = sqlite_exec,
    .query = sqlite_query,
    .close = sqlite_close,
    /* IMMEDIATE takes the write lock at once, so a transaction that reads
     * the chain's head and then appends cannot interleave with another
     * process doing the same. */
    .begin = "BEGIN IMMEDIATE",
    .lock_audit = NULL,
    .lock_schema = NULL,
};
