/*
 * store_invitations.c — invitations (who may join a consultation, in which
 * role, by the hash of their join token) and API keys (also kept only as
 * hashes). A leaked database yields neither usable links nor keys.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/role.h"
#include "schedule/store_int.h"

#define INV_COLS "id, consultation, role, name, token_hash, issued, expires, used, revoked"
/* The same columns of invitations aliased as i (in a join). */
#define INV_COLS_I                                                                                 \
  "i.id, i.consultation, i.role, i.name, i.token_hash, i.issued, i.expires, i.used, i.revoked"

static void inv_from_row(const sv_rows *rows, size_t r, sv_invitation *inv) {
  memset(inv, 0, sizeof *inv);
  SV_COPY(inv->id, sv_rows_text(rows, r, 0));
  SV_COPY(inv->consultation, sv_rows_text(rows, r, 1));
  SV_COPY(inv->role, sv_rows_text(rows, r, 2));
  SV_COPY(inv->name, sv_rows_text(rows, r, 3));
  SV_COPY(inv->token_hash, sv_rows_text(rows, r, 4));
  inv->issued = sv_rows_int(rows, r, 5);
  inv->expires = sv_rows_int(rows, r, 6);
  inv->used = sv_rows_int(rows, r, 7);
  inv->revoked = sv_rows_int(rows, r, 8);
}

int sv_store_invitation_add(sv_store *st, sv_invitation *inv, const char *actor, int64_t now) {
  sv_role role;
  if (sv_role_parse(inv->role, &role) != 0 || !inv->name[0] || !sv_store_is_hash(inv->token_hash))
    return SV_EINVAL;
  int err = sv_store_begin(st);
  if (err < 0) return err;
  sv_consultation c;
  if ((err = sv_store_consultation_get(st, inv->consultation, &c)) < 0) goto fail;
  sv_random_id(inv->id, SV_STORE_ID_LEN);
  inv->issued = now;
  inv->used = inv->revoked = 0;
  err = SV_SQL(st, NULL, "INSERT INTO invitations (" INV_COLS ") VALUES (?,?,?,?,?,?,?,0,0)",
               SQ_T(inv->id), SQ_T(inv->consultation), SQ_T(inv->role), SQ_T(inv->name),
               SQ_T(inv->token_hash), SQ_I(now), SQ_I(inv->expires));
  if (err < 0) goto fail;
  char *detail =
      sv_store_detail("{s:s,s:I}", "invitation", inv->id, "expires", (json_int_t)inv->expires);
  sv_audit_event ev;
  sv_store_audit_fill(&ev, now, inv->consultation, "invitation-issued", actor, detail);
  free(detail);
  SV_COPY(ev.role, inv->role);
  SV_COPY(ev.name, inv->name);
  if ((err = sv_store_audit_append_tx(st, &ev)) < 0) goto fail;
  return sv_store_commit(st);
fail:
  sv_store_rollback(st);
  return err;
}

static int inv_list(sv_store *st, const char *sql, const char *arg, sv_invitation **out,
                    size_t *n) {
  *out = NULL;
  *n = 0;
  sv_rows rows;
  int err = SV_SQL(st, &rows, sql, SQ_T(arg));
  if (err < 0) return err;
  if (rows.n_rows) *out = g_new0(sv_invitation, rows.n_rows);
  for (size_t r = 0; r < rows.n_rows; r++)
    inv_from_row(&rows, r, &(*out)[r]);
  *n = rows.n_rows;
  sv_rows_clear(&rows);
  return 0;
}

int sv_store_invitation_list(sv_store *st, const char *consultation, sv_invitation **out,
                             size_t *n) {
  return inv_list(st,
                  "SELECT " INV_COLS " FROM invitations WHERE consultation = ? ORDER BY issued, id",
                  consultation, out, n);
}

static int inv_one(sv_store *st, const char *sql, const char *arg, sv_invitation *out) {
  sv_invitation *list;
  size_t n;
  int err = inv_list(st, sql, arg, &list, &n);
  if (err < 0) return err;
  if (n == 0)
    err = SV_ENOENT;
  else
    *out = list[0];
  g_free(list);
  return err;
}

int sv_store_invitation_get(sv_store *st, const char *id, sv_invitation *out) {
  return inv_one(st, "SELECT " INV_COLS " FROM invitations WHERE id = ?", id, out);
}

int sv_store_invitation_by_hash(sv_store *st, const char *token_hash, sv_invitation *out) {
  return inv_one(st, "SELECT " INV_COLS " FROM invitations WHERE token_hash = ?", token_hash, out);
}

int sv_store_invitation_revoke(sv_store *st, const char *id, const char *actor, int64_t now) {
  int err = sv_store_begin(st);
  if (err < 0) return err;
  sv_invitation *list = NULL;
  size_t n;
  err = inv_list(st, "SELECT " INV_COLS " FROM invitations WHERE id = ?", id, &list, &n);
  if (err < 0) goto fail;
  if (n == 0) {
    err = SV_ENOENT;
    goto fail;
  }
  if (list[0].revoked) {
    err = SV_ESTATE;
    goto fail;
  }
  err = SV_SQL(st, NULL, "UPDATE invitations SET revoked = ? WHERE id = ?", SQ_I(now), SQ_T(id));
  if (err < 0) goto fail;
  char *detail = sv_store_detail("{s:s}", "invitation", list[0].id);
  sv_audit_event ev;
  sv_store_audit_fill(&ev, now, list[0].consultation, "invitation-revoked", actor, detail);
  free(detail);
  SV_COPY(ev.role, list[0].role);
  SV_COPY(ev.name, list[0].name);
  if ((err = sv_store_audit_append_tx(st, &ev)) < 0) goto fail;
  g_free(list);
  return sv_store_commit(st);
fail:
  g_free(list);
  sv_store_rollback(st);
  return err;
}

int sv_store_invitation_mark_used(sv_store *st, const char *token_hash, int64_t now) {
  sv_rows rows;
  int err = SV_SQL(st, &rows,
                   "UPDATE invitations SET used = CASE WHEN used = 0 THEN ? ELSE used END"
                   " WHERE token_hash = ? RETURNING id",
                   SQ_I(now), SQ_T(token_hash));
  if (err < 0) return err;
  if (rows.n_rows == 0) err = SV_ENOENT;
  sv_rows_clear(&rows);
  return err;
}

int sv_store_token_check(sv_store *st, const char *token_hash, sv_invitation *out) {
  sv_rows rows;
  int err = SV_SQL(st, &rows,
                   "SELECT " INV_COLS_I ", c.status FROM invitations i LEFT JOIN consultations c"
                   " ON c.id = i.consultation WHERE i.token_hash = ?",
                   SQ_T(token_hash));
  if (err < 0) return err;
  if (rows.n_rows == 0) {
    err = SV_ENOENT;
  } else {
    sv_invitation inv;
    inv_from_row(&rows, 0, &inv);
    /* A consultation that is gone counts as cancelled: its links open
     * nothing. */
    const char *status = sv_rows_text(&rows, 0, 9);
    if (inv.revoked != 0 || !status[0] || strcmp(status, "cancelled") == 0) err = SV_EAUTH;
    if (out) *out = inv;
  }
  sv_rows_clear(&rows);
  return err;
}

/* ---- API keys ---- */

static void key_from_row(const sv_rows *rows, size_t r, sv_apikey *k) {
  memset(k, 0, sizeof *k);
  SV_COPY(k->id, sv_rows_text(rows, r, 0));
  SV_COPY(k->name, sv_rows_text(rows, r, 1));
  k->created = sv_rows_int(rows, r, 2);
  k->revoked = sv_rows_int(rows, r, 3);
}

int sv_store_apikey_add(sv_store *st, const char *name, const char *key_hash, int64_t now,
                        char id_out[SV_STORE_ID_MAX]) {
  if (!name || !*name || strlen(name) >= SV_STORE_NAME_MAX || !sv_store_is_hash(key_hash))
    return SV_EINVAL;
  char id[SV_STORE_ID_MAX];
  sv_random_id(id, SV_STORE_ID_LEN);
  int err = SV_SQL(st, NULL,
                   "INSERT INTO api_keys (id, name, key_hash, created, revoked) VALUES (?,?,?,?,0)",
                   SQ_T(id), SQ_T(name), SQ_T(key_hash), SQ_I(now));
  if (err == 0 && id_out) memcpy(id_out, id, sizeof id);
  return err;
}

bool sv_store_apikey_check(sv_store *st, const char *key_hash, sv_apikey *out) {
  sv_rows rows;
  if (SV_SQL(st, &rows,
             "SELECT id, name, created, revoked FROM api_keys WHERE key_hash = ? AND revoked = 0",
             SQ_T(key_hash)) < 0)
    return false;
  bool ok = rows.n_rows > 0;
  if (ok && out) key_from_row(&rows, 0, out);
  sv_rows_clear(&rows);
  return ok;
}

int sv_store_apikey_revoke(sv_store *st, const char *id, int64_t now) {
  sv_rows rows;
  int err = SV_SQL(st, &rows, "SELECT revoked FROM api_keys WHERE id = ?", SQ_T(id));
  if (err < 0) return err;
  if (rows.n_rows == 0)
    err = SV_ENOENT;
  else if (sv_rows_int(&rows, 0, 0) != 0)
    err = SV_ESTATE;
  sv_rows_clear(&rows);
  if (err < 0) return err;
  return SV_SQL(st, NULL, "UPDATE api_keys SET revoked = ? WHERE id = ?", SQ_I(now), SQ_T(id));
}

int sv_store_apikey_list(sv_store *st, sv_apikey **out, size_t *n) {
  *out = NULL;
  *n = 0;
  sv_rows rows;
  int err = sv_store_query(
      st, "SELECT id, name, created, revoked FROM api_keys ORDER BY created, id", NULL, 0, &rows);
  if (err < 0) return err;
  if (rows.n_rows) *out = g_new0(sv_apikey, rows.n_rows);
  for (size_t r = 0; r < rows.n_rows; r++)
    key_from_row(&rows, r, &(*out)[r]);
  *n = rows.n_rows;
  sv_rows_clear(&rows);
  return 0;
}
