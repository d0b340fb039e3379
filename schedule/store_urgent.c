/*
 * store_urgent.c — urgent guidance requests: a municipal team asks an
 * on-call specialist team for help now; the first member to accept wins.
 * The wait from request to accept feeds the monthly figures. The links
 * that let people watch or ask are stored too, so they can be revoked.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "schedule/store_int.h"

#define URG_COLS "id, consultation, from_team, to_team, requested_at, accepted_at, accepted_by"

static void from_row(const sv_rows *rows, size_t r, sv_urgent *u) {
  memset(u, 0, sizeof *u);
  SV_COPY(u->id, sv_rows_text(rows, r, 0));
  SV_COPY(u->consultation, sv_rows_text(rows, r, 1));
  SV_COPY(u->from_team, sv_rows_text(rows, r, 2));
  SV_COPY(u->to_team, sv_rows_text(rows, r, 3));
  u->requested_at = sv_rows_int(rows, r, 4);
  u->accepted_at = sv_rows_int(rows, r, 5);
  SV_COPY(u->accepted_by, sv_rows_text(rows, r, 6));
}

int sv_store_urgent_add(sv_store *st, sv_urgent *u, const char *actor, int64_t now) {
  if (!u->consultation[0] || !u->to_team[0]) return SV_EINVAL;
  int err = sv_store_begin(st);
  if (err < 0) return err;
  sv_random_id(u->id, SV_STORE_ID_LEN);
  u->requested_at = now;
  u->accepted_at = 0;
  u->accepted_by[0] = '\0';
  err = SV_SQL(st, NULL, "INSERT INTO urgent_requests (" URG_COLS ") VALUES (?,?,?,?,?,0,'')",
               SQ_T(u->id), SQ_T(u->consultation), SQ_T(u->from_team), SQ_T(u->to_team), SQ_I(now));
  if (err < 0) goto fail;
  char *detail = sv_store_detail("{s:s,s:s,s:s}", "request", u->id, "from_team", u->from_team,
                                 "to_team", u->to_team);
  sv_audit_event ev;
  sv_store_audit_fill(&ev, now, u->consultation, "urgent-request", actor, detail);
  free(detail);
  if ((err = sv_store_audit_append_tx(st, &ev)) < 0) goto fail;
  return sv_store_commit(st);
fail:
  sv_store_rollback(st);
  return err;
}

int sv_store_urgent_get(sv_store *st, const char *id, sv_urgent *out) {
  sv_rows rows;
  int err = SV_SQL(st, &rows, "SELECT " URG_COLS " FROM urgent_requests WHERE id = ?", SQ_T(id));
  if (err < 0) return err;
  if (rows.n_rows == 0)
    err = SV_ENOENT;
  else
    from_row(&rows, 0, out);
  sv_rows_clear(&rows);
  return err;
}

int sv_store_urgent_accept(sv_store *st, const char *id, const char *accepted_by, int64_t now) {
  int err = sv_store_begin(st);
  if (err < 0) return err;
  sv_urgent u;
  if ((err = sv_store_urgent_get(st, id, &u)) < 0) goto fail;
  /* The condition on accepted_at makes the first accept win even when two
   * nodes race: the second one's UPDATE matches no row. */
  sv_rows rows;
  err = SV_SQL(st, &rows,
               "UPDATE urgent_requests SET accepted_at = ?, accepted_by = ?"
               " WHERE id = ? AND accepted_at = 0 RETURNING id",
               SQ_I(now), SQ_T(accepted_by), SQ_T(id));
  if (err < 0) goto fail;
  bool won = rows.n_rows > 0;
  sv_rows_clear(&rows);
  if (!won) {
    err = SV_ESTATE;
    goto fail;
  }
  char *detail =
      sv_store_detail("{s:s,s:I}", "request", u.id, "wait_s", (json_int_t)(now - u.requested_at));
  sv_audit_event ev;
  sv_store_audit_fill(&ev, now, u.consultation, "urgent-accept", accepted_by, detail);
  free(detail);
  if ((err = sv_store_audit_append_tx(st, &ev)) < 0) goto fail;
  return sv_store_commit(st);
fail:
  sv_store_rollback(st);
  return err;
}

int sv_store_urgent_withdrawn(sv_store *st, const char *id, const char *reason, const char *actor,
                              int64_t now) {
  sv_urgent u;
  int err = sv_store_urgent_get(st, id, &u);
  if (err < 0) return err;
  char *detail = sv_store_detail("{s:s,s:s}", "request", u.id, "reason", reason);
  sv_audit_event ev;
  sv_store_audit_fill(&ev, now, u.consultation, "urgent-withdrawn", actor, detail);
  free(detail);
  return sv_store_audit_append(st, &ev);
}

int sv_store_urgent_list(sv_store *st, const char *team, bool waiting_only, sv_urgent **out,
                         size_t *n) {
  *out = NULL;
  *n = 0;
  GString *sql = g_string_new("SELECT " URG_COLS " FROM urgent_requests WHERE 1 = 1");
  sv_sql_param params[1];
  size_t np = 0;
  if (team && *team) {
    g_string_append(sql, " AND to_team = ?");
    params[np++] = SQ_T(team);
  }
  if (waiting_only) g_string_append(sql, " AND accepted_at = 0");
  g_string_append(sql, " ORDER BY requested_at DESC, id");
  sv_rows rows;
  int err = sv_store_query(st, sql->str, params, np, &rows);
  g_string_free(sql, TRUE);
  if (err < 0) return err;
  if (rows.n_rows) *out = g_new0(sv_urgent, rows.n_rows);
  for (size_t r = 0; r < rows.n_rows; r++)
    from_row(&rows, r, &(*out)[r]);
  *n = rows.n_rows;
  sv_rows_clear(&rows);
  return 0;
}

int sv_store_urgent_count_since(sv_store *st, const char *from_team, int64_t since, int *n) {
  *n = 0;
  sv_rows rows;
  int err = SV_SQL(st, &rows,
                   "SELECT COUNT(*) FROM urgent_requests WHERE from_team = ? AND requested_at >= ?",
                   SQ_T(from_team), SQ_I(since));
  if (err < 0) return err;
  if (rows.n_rows) *n = (int)sv_rows_int(&rows, 0, 0);
  sv_rows_clear(&rows);
  return 0;
}

/* ---- urgent links ---- */

#define LINK_COLS "id, team, role, name, to_team, created, expires, revoked"

static void link_from_row(const sv_rows *rows, size_t r, sv_urgent_link *l) {
  memset(l, 0, sizeof *l);
  SV_COPY(l->id, sv_rows_text(rows, r, 0));
  SV_COPY(l->team, sv_rows_text(rows, r, 1));
  SV_COPY(l->role, sv_rows_text(rows, r, 2));
  SV_COPY(l->name, sv_rows_text(rows, r, 3));
  SV_COPY(l->to_team, sv_rows_text(rows, r, 4));
  l->created = sv_rows_int(rows, r, 5);
  l->expires = sv_rows_int(rows, r, 6);
  l->revoked = sv_rows_int(rows, r, 7);
}

int sv_store_urgent_link_add(sv_store *st, sv_urgent_link *l, const char *token_hash, int64_t now) {
  if (!l->team[0] || !l->role[0] || !sv_store_is_hash(token_hash)) return SV_EINVAL;
  sv_random_id(l->id, SV_STORE_ID_LEN);
  l->created = now;
  l->revoked = 0;
  return SV_SQL(st, NULL,
                "INSERT INTO urgent_links (" LINK_COLS ", token_hash) VALUES (?,?,?,?,?,?,?,0,?)",
                SQ_T(l->id), SQ_T(l->team), SQ_T(l->role), SQ_T(l->name), SQ_T(l->to_team),
                SQ_I(now), SQ_I(l->expires), SQ_T(token_hash));
}

static int link_one(sv_store *st, const char *sql, const char *key, sv_urgent_link *out) {
  sv_rows rows;
  int err = sv_store_query(st, sql, (sv_sql_param[]){SQ_T(key)}, 1, &rows);
  if (err < 0) return err;
  sv_urgent_link l;
  if (rows.n_rows == 0) {
    err = SV_ENOENT;
  } else {
    link_from_row(&rows, 0, &l);
    if (out) *out = l;
  }
  sv_rows_clear(&rows);
  return err;
}

int sv_store_urgent_link_get(sv_store *st, const char *id, sv_urgent_link *out) {
  return link_one(st, "SELECT " LINK_COLS " FROM urgent_links WHERE id = ?", id, out);
}

int sv_store_urgent_link_check(sv_store *st, const char *token_hash, sv_urgent_link *out) {
  sv_urgent_link l;
  int err =
      link_one(st, "SELECT " LINK_COLS " FROM urgent_links WHERE token_hash = ?", token_hash, &l);
  if (err < 0) return err;
  if (out) *out = l;
  return l.revoked ? SV_EAUTH : 0;
}

int sv_store_urgent_link_revoke(sv_store *st, const char *id, int64_t now) {
  sv_urgent_link l;
  int err = sv_store_urgent_link_get(st, id, &l);
  if (err < 0) return err;
  if (l.revoked) return SV_ESTATE;
  return SV_SQL(st, NULL, "UPDATE urgent_links SET revoked = ? WHERE id = ?", SQ_I(now), SQ_T(id));
}

int sv_store_urgent_link_list(sv_store *st, const char *team, sv_urgent_link **out, size_t *n) {
  *out = NULL;
  *n = 0;
  bool all = !team || !*team;
  sv_rows rows;
  int err = sv_store_query(st,
                           all ? "SELECT " LINK_COLS " FROM urgent_links ORDER BY created, id"
                               : "SELECT " LINK_COLS
                                 " FROM urgent_links WHERE team = ? ORDER BY created, id",
                           (sv_sql_param[]){SQ_T(all ? "" : team)}, all ? 0 : 1, &rows);
  if (err < 0) return err;
  if (rows.n_rows) *out = g_new0(sv_urgent_link, rows.n_rows);
  for (size_t r = 0; r < rows.n_rows; r++)
    link_from_row(&rows, r, &(*out)[r]);
  *n = rows.n_rows;
  sv_rows_clear(&rows);
  return 0;
}
