/*
 * store_int.h — inside the store: the backend function table and the small
 * SQL layer every table file is written against.
 *
 * A backend (store_sqlite.c, store_pg.c) only runs SQL: a script without
 * parameters (migrations) and one statement with bound parameters whose
 * result rows come back as text. Statements are written once with `?`
 * placeholders; the PostgreSQL backend numbers them ($1, $2, ...). Every
 * value is bound, never spliced into SQL text.
 */
#ifndef SV_STORE_INT_H
#define SV_STORE_INT_H

#include <glib.h>

#include "common/common.h"
#include "schedule/store.h"

typedef enum { SV_SQL_TEXT = 1, SV_SQL_INT } sv_sql_type;

typedef struct sv_sql_param {
  sv_sql_type type;
  const char *text; /* SV_SQL_TEXT; NULL binds "" */
  int64_t i;        /* SV_SQL_INT */
} sv_sql_param;

#define SQ_T(s) ((sv_sql_param){SV_SQL_TEXT, (s), 0})
#define SQ_I(n) ((sv_sql_param){SV_SQL_INT, NULL, (int64_t)(n)})

/* Result rows as text: cell (r, c) is cells[r * n_cols + c], NULL for SQL
 * NULL. Owned by the caller: sv_rows_clear(). */
typedef struct sv_rows {
  size_t n_rows, n_cols;
  char **cells;
} sv_rows;

void sv_rows_clear(sv_rows *rows);
/* Cell text, "" for NULL or out of range. */
const char *sv_rows_text(const sv_rows *rows, size_t r, size_t c);
/* Cell as an integer, 0 for NULL, out of range or not a number. */
int64_t sv_rows_int(const sv_rows *rows, size_t r, size_t c);

typedef struct sv_store_backend {
  const char *name;
  /* Runs a script of statements without parameters. */
  int (*exec)(void *db, const char *sql);
  /* Runs one statement; rows (may be NULL) receive the result. Returns 0,
   * SV_EEXIST for a unique-constraint violation, SV_EIO otherwise (logged). */
  int (*query)(void *db, const char *sql, const sv_sql_param *params, size_t n, sv_rows *rows);
  void (*close)(void *db);
  const char *begin;       /* starts a transaction that will write */
  const char *lock_audit;  /* taken inside it before reading the chain's head; NULL = none */
  const char *lock_schema; /* taken before migrating; NULL = none */
} sv_store_backend;

struct sv_store {
  const sv_store_backend *be;
  void *db;
  int schema_version;
};

/* Backends: on success *db is the connection. *error as sv_store_open(). */
int sv_store_sqlite_open(const char *path, void **db, char **error);
int sv_store_pg_open(const char *url, void **db, char **error);
extern const sv_store_backend sv_store_sqlite_backend;
extern const sv_store_backend sv_store_pg_backend;

/* Runs sql with params through the backend. */
int sv_store_query(sv_store *st, const char *sql, const sv_sql_param *params, size_t n,
                   sv_rows *rows);
#define SV_SQL(st, rows, sql, ...)                                                                 \
  sv_store_query((st), (sql), (const sv_sql_param[]){__VA_ARGS__},                                 \
                 sizeof((const sv_sql_param[]){__VA_ARGS__}) / sizeof(sv_sql_param), (rows))
/* Runs a parameterless script (tests use it to tamper with rows). */
int sv_store_exec(sv_store *st, const char *sql);

/* Transactions: begin starts a writing one (SQLite: BEGIN IMMEDIATE). */
int sv_store_begin(sv_store *st);
int sv_store_commit(sv_store *st);
void sv_store_rollback(sv_store *st);

/* Applies the migrations not yet applied (store_migrate.c). */
int sv_store_migrate(sv_store *st, char **error);

/* Appends ev inside an open transaction (audit.c): what every table file
 * uses to log its change together with it. */
int sv_store_audit_append_tx(sv_store *st, sv_audit_event *ev);
/* Fills an audit event for a table change (ts = now). */
void sv_store_audit_fill(sv_audit_event *ev, int64_t now, const char *consultation,
                         const char *event, const char *actor, const char *detail);

/* A compact JSON object text made with jansson's json_pack() format (so
 * values are escaped); the caller free()s it. */
char *sv_store_detail(const char *fmt, ...);

/* Copies src into a fixed array; false when it does not fit. */
bool sv_store_copy(char *dst, size_t size, const char *src);
#define SV_COPY(dst, src) sv_store_copy((dst), sizeof(dst), (src))
/* true for 64 lowercase hex digits. */
bool sv_store_is_hash(const char *s);

#endif
