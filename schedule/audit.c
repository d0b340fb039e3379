/*
 * audit.c — the append-only, hash-chained audit log.
 *
 * Each event's hash is the SHA-256 of its predecessor's hash and of its own
 * fields in a canonical form: a version tag, then every field as a
 * netstring ("<length>:<bytes>,") in a fixed order, so no two different
 * events serialise alike. Changing, removing or reordering a stored event
 * breaks the chain from that event on, and sv_store_audit_verify() names it.
 *
 * Appending reads the chain's head and inserts in one writing transaction
 * (SQLite: BEGIN IMMEDIATE; PostgreSQL: an exclusive table lock), so two
 * processes appending at once still make one chain. Retention deletes a
 * prefix of the chain and keeps the last deleted hash as the anchor.
 */
#include <jansson.h>
#include <stdarg.h>
#include <openssl/evp.h>
#include <string.h>

#include "schedule/store_int.h"

#define SV_AUDIT_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"
#define SV_AUDIT_PAGE    1000 /* events read per query while verifying */

#define EV_COLS                                                                                    \
  "seq, ts, consultation, event, participant, role, name, actor, detail, prev_hash, hash"

static void netstring(GString *s, const char *field) {
  g_string_append_printf(s, "%zu:%s,", strlen(field), field);
}

/* Writes the hex hash of ev (chained to ev->prev_hash) into out. */
static void audit_hash(const sv_audit_event *ev, char out[SV_STORE_HASH_MAX]) {
  GString *s = g_string_new("samvei-audit-v1\n");
  char num[32];
  g_snprintf(num, sizeof num, "%" G_GINT64_FORMAT, ev->seq);
  netstring(s, num);
  g_snprintf(num, sizeof num, "%" G_GINT64_FORMAT, ev->ts);
  netstring(s, num);
  netstring(s, ev->consultation);
  netstring(s, ev->event);
  netstring(s, ev->participant);
  netstring(s, ev->role);
  netstring(s, ev->name);
  netstring(s, ev->actor);
  netstring(s, ev->detail);
  netstring(s, ev->prev_hash);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  SV_ASSERT(EVP_Digest(s->str, s->len, md, &md_len, EVP_sha256(), NULL) == 1 && md_len == 32);
  for (unsigned i = 0; i < md_len; i++)
    g_snprintf(out + 2 * i, 3, "%02x", md[i]);
  g_string_free(s, TRUE);
}

static void event_from_row(const sv_rows *rows, size_t r, sv_audit_event *ev) {
  memset(ev, 0, sizeof *ev);
  ev->seq = sv_rows_int(rows, r, 0);
  ev->ts = sv_rows_int(rows, r, 1);
  SV_COPY(ev->consultation, sv_rows_text(rows, r, 2));
  SV_COPY(ev->event, sv_rows_text(rows, r, 3));
  SV_COPY(ev->participant, sv_rows_text(rows, r, 4));
  SV_COPY(ev->role, sv_rows_text(rows, r, 5));
  SV_COPY(ev->name, sv_rows_text(rows, r, 6));
  SV_COPY(ev->actor, sv_rows_text(rows, r, 7));
  SV_COPY(ev->detail, sv_rows_text(rows, r, 8));
  SV_COPY(ev->prev_hash, sv_rows_text(rows, r, 9));
  SV_COPY(ev->hash, sv_rows_text(rows, r, 10));
}

/* A field that did not fit its array when read back would hash differently:
 * verify compares with what is stored, so reading must not truncate. */
static bool row_fits(const sv_rows *rows, size_t r) {
  static const size_t sizes[] = {0,
                                 0,
                                 SV_STORE_ID_MAX,
                                 32,
                                 SV_STORE_ID_MAX,
                                 16,
                                 SV_STORE_NAME_MAX,
                                 SV_STORE_NAME_MAX,
                                 SV_STORE_DETAIL_MAX,
                                 SV_STORE_HASH_MAX,
                                 SV_STORE_HASH_MAX};
  for (size_t c = 2; c < SV_ARRAY_LEN(sizes); c++)
    if (strlen(sv_rows_text(rows, r, c)) >= sizes[c]) return false;
  return true;
}

void sv_store_audit_fill(sv_audit_event *ev, int64_t now, const char *consultation,
                         const char *event, const char *actor, const char *detail) {
  memset(ev, 0, sizeof *ev);
  ev->ts = now;
  SV_COPY(ev->consultation, consultation);
  SV_COPY(ev->event, event);
  SV_COPY(ev->actor, actor);
  SV_COPY(ev->detail, detail && *detail ? detail : "{}");
}

char *sv_store_detail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  json_t *j = json_vpack_ex(NULL, 0, fmt, ap);
  va_end(ap);
  SV_ASSERT(j != NULL); /* formats are fixed in the code */
  char *text = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  SV_ASSERT(text != NULL);
  return text;
}

static bool detail_ok(const char *detail) {
  json_t *j = json_loads(detail, JSON_REJECT_DUPLICATES, NULL);
  bool ok = j && json_is_object(j);
  json_decref(j);
  return ok;
}

/* The chain's head: the last event, else the retention anchor, else the
 * genesis (seq 0, hash of zeros). */
static int chain_head(sv_store *st, int64_t *seq, char hash[SV_STORE_HASH_MAX]) {
  sv_rows rows;
  int err = sv_store_query(st, "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1", NULL,
                           0, &rows);
  if (err < 0) return err;
  if (rows.n_rows == 0) {
    sv_rows_clear(&rows);
    err = sv_store_query(st, "SELECT seq, hash FROM audit_anchor WHERE id = 1", NULL, 0, &rows);
    if (err < 0) return err;
  }
  *seq = rows.n_rows ? sv_rows_int(&rows, 0, 0) : 0;
  g_strlcpy(hash, rows.n_rows ? sv_rows_text(&rows, 0, 1) : SV_AUDIT_GENESIS, SV_STORE_HASH_MAX);
  sv_rows_clear(&rows);
  return 0;
}

int sv_store_audit_append_tx(sv_store *st, sv_audit_event *ev) {
  if (!ev->event[0] || !detail_ok(ev->detail)) return SV_EINVAL;
  if (ev->ts == 0) ev->ts = g_get_real_time() / G_USEC_PER_SEC;
  int err;
  if (st->be->lock_audit && (err = sv_store_exec(st, st->be->lock_audit)) < 0) return err;
  int64_t last;
  if ((err = chain_head(st, &last, ev->prev_hash)) < 0) return err;
  ev->seq = last + 1;
  audit_hash(ev, ev->hash);
  err = SV_SQL(st, NULL, "INSERT INTO audit_events (" EV_COLS ") VALUES (?,?,?,?,?,?,?,?,?,?,?)",
               SQ_I(ev->seq), SQ_I(ev->ts), SQ_T(ev->consultation), SQ_T(ev->event),
               SQ_T(ev->participant), SQ_T(ev->role), SQ_T(ev->name), SQ_T(ev->actor),
               SQ_T(ev->detail), SQ_T(ev->prev_hash), SQ_T(ev->hash));
  if (err < 0) return err;
  if (strcmp(ev->event, "joined") == 0 && ev->consultation[0]) {
    err = SV_SQL(st, NULL,
                 "UPDATE consultations SET status = 'held', updated = ?"
                 " WHERE id = ? AND status = 'booked'",
                 SQ_I(ev->ts), SQ_T(ev->consultation));
  }
  return err;
}

int sv_store_audit_append(sv_store *st, sv_audit_event *ev) {
  if (!ev->event[0] || !detail_ok(ev->detail)) return SV_EINVAL;
  int err = sv_store_begin(st);
  if (err < 0) return err;
  if ((err = sv_store_audit_append_tx(st, ev)) < 0) {
    sv_store_rollback(st);
    return err;
  }
  return sv_store_commit(st);
}

int sv_store_audit_list(sv_store *st, const sv_audit_filter *f, sv_audit_event **out, size_t *n) {
  *out = NULL;
  *n = 0;
  GString *sql = g_string_new("SELECT " EV_COLS " FROM audit_events WHERE 1 = 1");
  sv_sql_param params[3];
  size_t np = 0;
  if (f && f->consultation && *f->consultation) {
    g_string_append(sql, " AND consultation = ?");
    params[np++] = SQ_T(f->consultation);
  }
  if (f && f->from) {
    g_string_append(sql, " AND ts >= ?");
    params[np++] = SQ_I(f->from);
  }
  if (f && f->to) {
    g_string_append(sql, " AND ts < ?");
    params[np++] = SQ_I(f->to);
  }
  g_string_append(sql, " ORDER BY seq");
  sv_rows rows;
  int err = sv_store_query(st, sql->str, params, np, &rows);
  g_string_free(sql, TRUE);
  if (err < 0) return err;
  if (rows.n_rows) *out = g_new0(sv_audit_event, rows.n_rows);
  for (size_t r = 0; r < rows.n_rows; r++)
    event_from_row(&rows, r, &(*out)[r]);
  *n = rows.n_rows;
  sv_rows_clear(&rows);
  return 0;
}

static char *iso_time(int64_t ts) {
  GDateTime *dt = g_date_time_new_from_unix_utc(ts);
  char *s = dt ? g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ") : g_strdup("(bad time)");
  if (dt) g_date_time_unref(dt);
  return s;
}

static char *broken(const sv_audit_event *ev, const char *what) {
  char *when = iso_time(ev->ts);
  char *s = g_strdup_printf("event %" G_GINT64_FORMAT " (%s, %s) %s", ev->seq, when,
                            ev->event[0] ? ev->event : "no event name", what);
  g_free(when);
  return s;
}

int sv_store_audit_verify(sv_store *st, int64_t *first_bad_seq, char **why, size_t *n_events) {
  *first_bad_seq = 0;
  *why = NULL;
  if (n_events) *n_events = 0;
  sv_rows rows;
  int err = sv_store_query(st, "SELECT seq, hash FROM audit_anchor WHERE id = 1", NULL, 0, &rows);
  if (err < 0) goto io;
  int64_t seq = rows.n_rows ? sv_rows_int(&rows, 0, 0) : 0;
  char prev[SV_STORE_HASH_MAX];
  g_strlcpy(prev, rows.n_rows ? sv_rows_text(&rows, 0, 1) : SV_AUDIT_GENESIS, sizeof prev);
  sv_rows_clear(&rows);
  size_t count = 0;
  for (;;) {
    err =
        SV_SQL(st, &rows, "SELECT " EV_COLS " FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?",
               SQ_I(seq), SQ_I(SV_AUDIT_PAGE));
    if (err < 0) goto io;
    for (size_t r = 0; r < rows.n_rows; r++) {
      sv_audit_event ev;
      event_from_row(&rows, r, &ev);
      const char *what = NULL;
      char computed[SV_STORE_HASH_MAX];
      if (!row_fits(&rows, r)) {
        what = "has a field longer than samvei writes: it was changed";
      } else if (ev.seq != seq + 1) {
        char *s = g_strdup_printf(
            "follows event %" G_GINT64_FORMAT ": the events between them were removed", seq);
        *why = broken(&ev, s);
        g_free(s);
      } else if (strcmp(ev.prev_hash, prev) != 0) {
        what = "does not chain to the event before it: that one or this one was changed";
      } else {
        audit_hash(&ev, computed);
        if (strcmp(computed, ev.hash) != 0) what = "was changed after it was written";
      }
      if (what) *why = broken(&ev, what);
      if (*why) {
        *first_bad_seq = ev.seq;
        sv_rows_clear(&rows);
        if (n_events) *n_events = count;
        return SV_ESTATE;
      }
      seq = ev.seq;
      g_strlcpy(prev, ev.hash, sizeof prev);
      count++;
    }
    size_t got = rows.n_rows;
    sv_rows_clear(&rows);
    if (got < SV_AUDIT_PAGE) break;
  }
  if (n_events) *n_events = count;
  return 0;
io:
  *why = g_strdup("cannot read the audit log from the database (see the log above)");
  return SV_EIO;
}

int sv_store_audit_retain(sv_store *st, int days, int64_t now, size_t *deleted) {
  if (deleted) *deleted = 0;
  if (days <= 0) return 0;
  /* Midnight UTC starting the oldest day that is kept. */
  int64_t cutoff = (now / 86400 - days) * 86400;
  int err = sv_store_begin(st);
  if (err < 0) return err;
  if (st->be->lock_audit && (err = sv_store_exec(st, st->be->lock_audit)) < 0) goto fail;
  /* Delete the prefix of the chain before the first event that is kept, so
   * what stays is one unbroken chain even if clocks ever went backwards. */
  sv_rows rows;
  err = SV_SQL(st, &rows,
               "SELECT COUNT(*), MIN(seq), MAX(seq), MIN(ts) FROM audit_events WHERE seq < "
               "COALESCE((SELECT MIN(seq) FROM audit_events WHERE ts >= ?),"
               " (SELECT MAX(seq) + 1 FROM audit_events))",
               SQ_I(cutoff));
  if (err < 0) goto fail;
  int64_t count = sv_rows_int(&rows, 0, 0), first = sv_rows_int(&rows, 0, 1),
          last = sv_rows_int(&rows, 0, 2), oldest = sv_rows_int(&rows, 0, 3);
  sv_rows_clear(&rows);
  if (count == 0) {
    sv_store_rollback(st);
    return 0;
  }
  err = SV_SQL(st, &rows, "SELECT hash FROM audit_events WHERE seq = ?", SQ_I(last));
  if (err < 0) goto fail;
  char anchor[SV_STORE_HASH_MAX];
  g_strlcpy(anchor, sv_rows_text(&rows, 0, 0), sizeof anchor);
  sv_rows_clear(&rows);
  if ((err = SV_SQL(st, NULL, "DELETE FROM audit_events WHERE seq <= ?", SQ_I(last))) < 0 ||
      (err = sv_store_exec(st, "DELETE FROM audit_anchor")) < 0 ||
      (err = SV_SQL(st, NULL, "INSERT INTO audit_anchor (id, seq, hash) VALUES (1, ?, ?)",
                    SQ_I(last), SQ_T(anchor))) < 0)
    goto fail;
  char *from = iso_time(oldest), *before = iso_time(cutoff);
  json_t *d = json_pack("{s:I,s:I,s:I,s:s,s:s,s:s,s:i}", "deleted", (json_int_t)count, "first_seq",
                        (json_int_t)first, "last_seq", (json_int_t)last, "oldest", from, "before",
                        before, "anchor", anchor, "retention_days", days);
  char *text = json_dumps(d, JSON_COMPACT);
  json_decref(d);
  g_free(from);
  g_free(before);
  sv_audit_event ev;
  sv_store_audit_fill(&ev, now, "", "retention", "samvei", text);
  free(text);
  if ((err = sv_store_audit_append_tx(st, &ev)) < 0) goto fail;
  if ((err = sv_store_commit(st)) < 0) return err;
  SV_INFO("store", "retention: deleted %" G_GINT64_FORMAT " audit events older than %d days", count,
          days);
  if (deleted) *deleted = (size_t)count;
  return 0;
fail:
  sv_store_rollback(st);
  return err;
}
