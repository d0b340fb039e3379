/*
 * store.c — opening and closing the store, choosing the backend from the
 * database URL, and the SQL helpers (rows, transactions) the table files
 * share.
 */
#include <errno.h>
#include <string.h>

#include "schedule/store_int.h"

int sv_store_open(const char *database_url, const char *data_dir, sv_store **out, char **error) {
  *out = NULL;
  *error = NULL;
  sv_store *st = g_new0(sv_store, 1);
  int err;
  if (!database_url || !*database_url) {
    if (!data_dir || !*data_dir) data_dir = ".";
    if (g_mkdir_with_parents(data_dir, 0700) < 0) {
      *error = g_strdup_printf("cannot create the data directory %s: %s; give a writable "
                               "--data-dir",
                               data_dir, g_strerror(errno));
      err = SV_EIO;
      goto fail;
    }
    char *path = g_build_filename(data_dir, "samvei.db", NULL);
    st->be = &sv_store_sqlite_backend;
    err = sv_store_sqlite_open(path, &st->db, error);
    g_free(path);
  } else if (g_str_has_prefix(database_url, "postgres://") ||
             g_str_has_prefix(database_url, "postgresql://")) {
    st->be = &sv_store_pg_backend;
    err = sv_store_pg_open(database_url, &st->db, error);
  } else {
    *error = g_strdup("--database-url must start with postgres:// or postgresql:// (or be "
                      "empty for SQLite in the data directory)");
    err = SV_EINVAL;
    goto fail;
  }
  if (err < 0) goto fail;
  err = sv_store_migrate(st, error);
  if (err < 0) goto fail;
  *out = st;
  return 0;
fail:
  sv_store_close(st);
  return err;
}

void sv_store_close(sv_store *st) {
  if (!st) return;
  if (st->db) st->be->close(st->db);
  g_free(st);
}

const char *sv_store_backend_name(const sv_store *st) {
  return st->be->name;
}

int sv_store_schema_version(const sv_store *st) {
  return st->schema_version;
}

int sv_store_query(sv_store *st, const char *sql, const sv_sql_param *params, size_t n,
                   sv_rows *rows) {
  if (rows) memset(rows, 0, sizeof *rows);
  return st->be->query(st->db, sql, params, n, rows);
}

int sv_store_exec(sv_store *st, const char *sql) {
  return st->be->exec(st->db, sql);
}

int sv_store_begin(sv_store *st) {
  return st->be->exec(st->db, st->be->begin);
}

int sv_store_commit(sv_store *st) {
  int err = st->be->exec(st->db, "COMMIT");
  if (err < 0) sv_store_rollback(st);
  return err;
}

void sv_store_rollback(sv_store *st) {
  st->be->exec(st->db, "ROLLBACK");
}

void sv_rows_clear(sv_rows *rows) {
  if (!rows || !rows->cells) return;
  for (size_t i = 0; i < rows->n_rows * rows->n_cols; i++)
    g_free(rows->cells[i]);
  g_free(rows->cells);
  memset(rows, 0, sizeof *rows);
}

const char *sv_rows_text(const sv_rows *rows, size_t r, size_t c) {
  if (r >= rows->n_rows || c >= rows->n_cols) return "";
  const char *s = rows->cells[r * rows->n_cols + c];
  return s ? s : "";
}

int64_t sv_rows_int(const sv_rows *rows, size_t r, size_t c) {
  const char *s = sv_rows_text(rows, r, c);
  /* PostgreSQL writes booleans as t/f. */
  if (strcmp(s, "t") == 0) return 1;
  return g_ascii_strtoll(s, NULL, 10);
}

bool sv_store_copy(char *dst, size_t size, const char *src) {
  if (!src) src = "";
  return g_strlcpy(dst, src, size) < size;
}

bool sv_store_is_hash(const char *s) {
  if (!s || strlen(s) != 64) return false;
  for (size_t i = 0; i < 64; i++)
    if (!g_ascii_isdigit(s[i]) && !(s[i] >= 'a' && s[i] <= 'f')) return false;
  return true;
}
