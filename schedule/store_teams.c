/*
 * store_teams.c — the teams table: specialist teams and municipal units,
 * their organisation, on-call flag, distance (for travel avoided) and phone
 * number (the fall-back of an unanswered urgent request).
 */
#include <string.h>

#include "schedule/store_int.h"

#define TEAM_COLS "id, name, kind, organisation, on_call, distance_km, phone"

static void team_from_row(const sv_rows *rows, size_t r, sv_team *t) {
  memset(t, 0, sizeof *t);
  SV_COPY(t->id, sv_rows_text(rows, r, 0));
  SV_COPY(t->name, sv_rows_text(rows, r, 1));
  SV_COPY(t->kind, sv_rows_text(rows, r, 2));
  SV_COPY(t->organisation, sv_rows_text(rows, r, 3));
  t->on_call = sv_rows_int(rows, r, 4) != 0;
  t->distance_km = (int)sv_rows_int(rows, r, 5);
  SV_COPY(t->phone, sv_rows_text(rows, r, 6));
}

bool sv_team_kind_valid(const char *kind) {
  return kind && (strcmp(kind, "specialist") == 0 || strcmp(kind, "municipal") == 0);
}

bool sv_team_takes_urgent(const sv_team *t) {
  return t->on_call && strcmp(t->kind, "specialist") == 0;
}

static int check(const sv_team *t) {
  if (!t->name[0] || t->distance_km < 0 || !sv_team_kind_valid(t->kind)) return SV_EINVAL;
  return 0;
}

int sv_store_team_create(sv_store *st, sv_team *team) {
  int err = check(team);
  if (err < 0) return err;
  sv_random_id(team->id, SV_STORE_ID_LEN);
  return SV_SQL(st, NULL, "INSERT INTO teams (" TEAM_COLS ") VALUES (?, ?, ?, ?, ?, ?, ?)",
                SQ_T(team->id), SQ_T(team->name), SQ_T(team->kind), SQ_T(team->organisation),
                SQ_I(team->on_call ? 1 : 0), SQ_I(team->distance_km), SQ_T(team->phone));
}

int sv_store_team_get(sv_store *st, const char *id, sv_team *out) {
  sv_rows rows;
  int err = SV_SQL(st, &rows, "SELECT " TEAM_COLS " FROM teams WHERE id = ?", SQ_T(id));
  if (err < 0) return err;
  if (rows.n_rows == 0)
    err = SV_ENOENT;
  else
    team_from_row(&rows, 0, out);
  sv_rows_clear(&rows);
  return err;
}

int sv_store_team_update(sv_store *st, const sv_team *team) {
  int err = check(team);
  if (err < 0) return err;
  sv_rows rows;
  err = SV_SQL(st, &rows,
               "UPDATE teams SET name = ?, kind = ?, organisation = ?, on_call = ?,"
               " distance_km = ?, phone = ? WHERE id = ? RETURNING id",
               SQ_T(team->name), SQ_T(team->kind), SQ_T(team->organisation),
               SQ_I(team->on_call ? 1 : 0), SQ_I(team->distance_km), SQ_T(team->phone),
               SQ_T(team->id));
  if (err < 0) return err;
  if (rows.n_rows == 0) err = SV_ENOENT;
  sv_rows_clear(&rows);
  return err;
}

int sv_store_team_delete(sv_store *st, const char *id) {
  sv_rows rows;
  int err = sv_store_begin(st);
  if (err < 0) return err;
  err = SV_SQL(st, &rows,
               "SELECT (SELECT COUNT(*) FROM consultations WHERE host_team = ? OR guest_team = ?)"
               " + (SELECT COUNT(*) FROM urgent_requests WHERE from_team = ? OR to_team = ?)",
               SQ_T(id), SQ_T(id), SQ_T(id), SQ_T(id));
  if (err < 0) goto fail;
  bool used = sv_rows_int(&rows, 0, 0) > 0;
  sv_rows_clear(&rows);
  if (used) {
    err = SV_ESTATE;
    goto fail;
  }
  err = SV_SQL(st, &rows, "DELETE FROM teams WHERE id = ? RETURNING id", SQ_T(id));
  if (err < 0) goto fail;
  used = rows.n_rows > 0;
  sv_rows_clear(&rows);
  if (!used) {
    err = SV_ENOENT;
    goto fail;
  }
  return sv_store_commit(st);
fail:
  sv_store_rollback(st);
  return err;
}

int sv_store_team_list(sv_store *st, sv_team **out, size_t *n) {
  *out = NULL;
  *n = 0;
  sv_rows rows;
  int err = sv_store_query(st, "SELECT " TEAM_COLS " FROM teams ORDER BY name, id", NULL, 0, &rows);
  if (err < 0) return err;
  if (rows.n_rows) *out = g_new0(sv_team, rows.n_rows);
  for (size_t r = 0; r < rows.n_rows; r++)
    team_from_row(&rows, r, &(*out)[r]);
  *n = rows.n_rows;
  sv_rows_clear(&rows);
  return 0;
}
