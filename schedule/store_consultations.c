/*
 * store_consultations.c — booked consultations: create, get, reschedule,
 * cancel, list. Each change appends its audit event in the same
 * transaction.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "schedule/store_int.h"

#define CONS_COLS                                                                                  \
  "id, kind, title, start_ts, end_ts, host_team, guest_team, status, created, updated, ended"

static const char *const kinds[] = {"guidance", "urgent", "follow-up", "group-teaching"};

static void from_row(const sv_rows *rows, size_t r, sv_consultation *c) {
  memset(c, 0, sizeof *c);
  SV_COPY(c->id, sv_rows_text(rows, r, 0));
  SV_COPY(c->kind, sv_rows_text(rows, r, 1));
  SV_COPY(c->title, sv_rows_text(rows, r, 2));
  c->start = sv_rows_int(rows, r, 3);
  c->end = sv_rows_int(rows, r, 4);
  SV_COPY(c->host_team, sv_rows_text(rows, r, 5));
  SV_COPY(c->guest_team, sv_rows_text(rows, r, 6));
  SV_COPY(c->status, sv_rows_text(rows, r, 7));
  c->created = sv_rows_int(rows, r, 8);
  c->updated = sv_rows_int(rows, r, 9);
  c->ended = sv_rows_int(rows, r, 10);
}

static int team_exists(sv_store *st, const char *id) {
  if (!id[0]) return 0;
  sv_team t;
  int err = sv_store_team_get(st, id, &t);
  return err == SV_ENOENT ? SV_EINVAL : err;
}

static int check_times(const sv_consultation *c) {
  return c->title[0] && c->end > c->start ? 0 : SV_EINVAL;
}

int sv_store_consultation_create(sv_store *st, sv_consultation *c, const char *actor, int64_t now) {
  bool kind_ok = false;
  for (size_t i = 0; i < SV_ARRAY_LEN(kinds); i++)
    kind_ok |= strcmp(c->kind, kinds[i]) == 0;
  if (!kind_ok || check_times(c) < 0) return SV_EINVAL;
  int err = sv_store_begin(st);
  if (err < 0) return err;
  if ((err = team_exists(st, c->host_team)) < 0 || (err = team_exists(st, c->guest_team)) < 0)
    goto fail;
  sv_random_id(c->id, SV_STORE_ID_LEN);
  SV_COPY(c->status, "booked");
  c->created = c->updated = now;
  c->ended = 0;
  err = SV_SQL(st, NULL, "INSERT INTO consultations (" CONS_COLS ") VALUES (?,?,?,?,?,?,?,?,?,?,?)",
               SQ_T(c->id), SQ_T(c->kind), SQ_T(c->title), SQ_I(c->start), SQ_I(c->end),
               SQ_T(c->host_team), SQ_T(c->guest_team), SQ_T(c->status), SQ_I(now), SQ_I(now),
               SQ_I(0));
  if (err < 0) goto fail;
  char *detail = sv_store_detail("{s:s,s:I,s:I}", "kind", c->kind, "start", (json_int_t)c->start,
                                 "end", (json_int_t)c->end);
  sv_audit_event ev;
  sv_store_audit_fill(&ev, now, c->id, "booked", actor, detail);
  free(detail);
  if ((err = sv_store_audit_append_tx(st, &ev)) < 0) goto fail;
  return sv_store_commit(st);
fail:
  sv_store_rollback(st);
  return err;
}

int sv_store_consultation_get(sv_store *st, const char *id, sv_consultation *out) {
  sv_rows rows;
  int err = SV_SQL(st, &rows, "SELECT " CONS_COLS " FROM consultations WHERE id = ?", SQ_T(id));
  if (err < 0) return err;
  if (rows.n_rows == 0)
    err = SV_ENOENT;
  else
    from_row(&rows, 0, out);
  sv_rows_clear(&rows);
  return err;
}

int sv_store_consultation_update(sv_store *st, const sv_consultation *c, const char *actor,
                                 int64_t now) {
  if (check_times(c) < 0) return SV_EINVAL;
  int err = sv_store_begin(st);
  if (err < 0) return err;
  sv_consultation old;
  if ((err = sv_store_consultation_get(st, c->id, &old)) < 0) goto fail;
  if (strcmp(old.status, "cancelled") == 0) {
    err = SV_ESTATE;
    goto fail;
  }
  err = SV_SQL(st, NULL,
               "UPDATE consultations SET title = ?, start_ts = ?, end_ts = ?, updated = ?"
               " WHERE id = ?",
               SQ_T(c->title), SQ_I(c->start), SQ_I(c->end), SQ_I(now), SQ_T(c->id));
  if (err < 0) goto fail;
  char *detail =
      sv_store_detail("{s:I,s:I,s:I,s:I,s:b}", "old_start", (json_int_t)old.start, "old_end",
                      (json_int_t)old.end, "start", (json_int_t)c->start, "end", (json_int_t)c->end,
                      "title_changed", strcmp(old.title, c->title) != 0);
  sv_audit_event ev;
  sv_store_audit_fill(&ev, now, c->id, "changed", actor, detail);
  free(detail);
  if ((err = sv_store_audit_append_tx(st, &ev)) < 0) goto fail;
  return sv_store_commit(st);
fail:
  sv_store_rollback(st);
  return err;
}

int sv_store_consultation_cancel(sv_store *st, const char *id, const char *actor, int64_t now) {
  int err = sv_store_begin(st);
  if (err < 0) return err;
  sv_consultation old;
  if ((err = sv_store_consultation_get(st, id, &old)) < 0) goto fail;
  if (strcmp(old.status, "cancelled") == 0) {
    err = SV_ESTATE;
    goto fail;
  }
  err = SV_SQL(st, NULL, "UPDATE consultations SET status = 'cancelled', updated = ? WHERE id = ?",
               SQ_I(now), SQ_T(id));
  if (err < 0) goto fail;
  sv_audit_event ev;
  sv_store_audit_fill(&ev, now, id, "cancelled", actor, "{}");
  if ((err = sv_store_audit_append_tx(st, &ev)) < 0) goto fail;
  return sv_store_commit(st);
fail:
  sv_store_rollback(st);
  return err;
}

int sv_store_consultation_mark_held(sv_store *st, const char *id, int64_t now) {
  sv_rows rows;
  int err = SV_SQL(st, &rows,
                   "UPDATE consultations SET status = CASE WHEN status = 'booked' THEN 'held'"
                   " ELSE status END, updated = CASE WHEN status = 'booked' THEN ? ELSE updated"
                   " END WHERE id = ? RETURNING id",
                   SQ_I(now), SQ_T(id));
  if (err < 0) return err;
  if (rows.n_rows == 0) err = SV_ENOENT;
  sv_rows_clear(&rows);
  return err;
}

int sv_store_consultation_mark_ended(sv_store *st, const char *id, int64_t now) {
  sv_rows rows;
  int err = SV_SQL(st, &rows,
                   "UPDATE consultations SET ended = CASE WHEN ended = 0 THEN ? ELSE ended END"
                   " WHERE id = ? RETURNING id",
                   SQ_I(now), SQ_T(id));
  if (err < 0) return err;
  if (rows.n_rows == 0) err = SV_ENOENT;
  sv_rows_clear(&rows);
  return err;
}

int sv_store_consultation_list(sv_store *st, const sv_consultation_filter *f, sv_consultation **out,
                               size_t *n) {
  *out = NULL;
  *n = 0;
  /* The statement is chosen from fixed clauses; every value is bound. */
  GString *sql = g_string_new("SELECT " CONS_COLS " FROM consultations WHERE 1 = 1");
  sv_sql_param params[5];
  size_t np = 0;
  if (f && f->to) {
    g_string_append(sql, " AND start_ts < ?");
    params[np++] = SQ_I(f->to);
  }
  if (f && f->from) {
    g_string_append(sql, " AND end_ts > ?");
    params[np++] = SQ_I(f->from);
  }
  if (f && f->team && *f->team) {
    g_string_append(sql, " AND (host_team = ? OR guest_team = ?)");
    params[np++] = SQ_T(f->team);
    params[np++] = SQ_T(f->team);
  }
  if (f && f->status && *f->status) {
    g_string_append(sql, " AND status = ?");
    params[np++] = SQ_T(f->status);
  }
  g_string_append(sql, " ORDER BY start_ts, id");
  sv_rows rows;
  int err = sv_store_query(st, sql->str, params, np, &rows);
  g_string_free(sql, TRUE);
  if (err < 0) return err;
  if (rows.n_rows) *out = g_new0(sv_consultation, rows.n_rows);
  for (size_t r = 0; r < rows.n_rows; r++)
    from_row(&rows, r, &(*out)[r]);
  *n = rows.n_rows;
  sv_rows_clear(&rows);
  return 0;
}
