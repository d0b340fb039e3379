/*
 * store_stats.c — monthly figures per team: consultations held, their
 * minutes, urgent requests with the median wait, and travel avoided.
 *
 * Minutes are the time people were actually there when the audit log
 * knows it (first "joined" to last "left" or "ended" of the consultation),
 * else the booked length (end - start): retention may have deleted the
 * events of an old month, and the figure should not drop to zero then.
 * Travel avoided counts one return trip (2 × distance_km) for each
 * municipal team with a distance taking part in a held consultation.
 */
#include <stdlib.h>
#include <string.h>

#include "schedule/store_int.h"

typedef struct team_acc {
  sv_team_stats stats;
  GArray *waits; /* int64_t seconds of accepted urgent requests */
} team_acc;

static team_acc *acc_for(GHashTable *index, team_acc *accs, const char *team) {
  if (!team || !*team) return NULL;
  gpointer i;
  if (!g_hash_table_lookup_extended(index, team, NULL, &i)) return NULL;
  return &accs[GPOINTER_TO_SIZE(i)];
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

static int64_t median(GArray *v) {
  if (v->len == 0) return 0;
  qsort(v->data, v->len, sizeof(int64_t), cmp_i64);
  int64_t *d = (int64_t *)v->data;
  return v->len % 2 ? d[v->len / 2] : (d[v->len / 2 - 1] + d[v->len / 2]) / 2;
}

static int64_t month_start(int year, int month) {
  GDateTime *dt = g_date_time_new_utc(year, month, 1, 0, 0, 0);
  int64_t t = g_date_time_to_unix(dt);
  g_date_time_unref(dt);
  return t;
}

int sv_store_stats_month(sv_store *st, int year, int month, sv_team_stats **out, size_t *n) {
  *out = NULL;
  *n = 0;
  if (month < 1 || month > 12 || year < 1970 || year > 9998) return SV_EINVAL;
  int64_t from = month_start(year, month);
  int64_t to = month == 12 ? month_start(year + 1, 1) : month_start(year, month + 1);

  sv_team *teams = NULL;
  size_t n_teams = 0;
  int err = sv_store_team_list(st, &teams, &n_teams);
  if (err < 0) return err;
  team_acc *accs = g_new0(team_acc, n_teams + 1);
  GHashTable *index = g_hash_table_new(g_str_hash, g_str_equal);
  for (size_t i = 0; i < n_teams; i++) {
    sv_team_stats *s = &accs[i].stats;
    SV_COPY(s->team, teams[i].id);
    SV_COPY(s->name, teams[i].name);
    SV_COPY(s->kind, teams[i].kind);
    SV_COPY(s->organisation, teams[i].organisation);
    accs[i].waits = g_array_new(FALSE, FALSE, sizeof(int64_t));
    g_hash_table_insert(index, accs[i].stats.team, GSIZE_TO_POINTER(i));
  }

  sv_rows rows = {0};
  err = SV_SQL(st, &rows,
               "SELECT c.start_ts, c.end_ts, c.host_team, c.guest_team,"
               " (SELECT MIN(a.ts) FROM audit_events a WHERE a.consultation = c.id"
               "  AND a.event = 'joined'),"
               " (SELECT MAX(a.ts) FROM audit_events a WHERE a.consultation = c.id"
               "  AND a.event IN ('left', 'ended'))"
               " FROM consultations c WHERE c.status = 'held' AND c.start_ts >= ?"
               " AND c.start_ts < ?",
               SQ_I(from), SQ_I(to));
  if (err < 0) goto out;
  for (size_t r = 0; r < rows.n_rows; r++) {
    int64_t start = sv_rows_int(&rows, r, 0), end = sv_rows_int(&rows, r, 1);
    const char *first = sv_rows_text(&rows, r, 4), *last = sv_rows_text(&rows, r, 5);
    int64_t seconds = end - start;
    if (*first && *last && sv_rows_int(&rows, r, 5) > sv_rows_int(&rows, r, 4))
      seconds = sv_rows_int(&rows, r, 5) - sv_rows_int(&rows, r, 4);
    team_acc *host = acc_for(index, accs, sv_rows_text(&rows, r, 2));
    team_acc *guest = acc_for(index, accs, sv_rows_text(&rows, r, 3));
    if (guest == host) guest = NULL;
    int64_t km = 0;
    for (int k = 0; k < 2; k++) {
      team_acc *a = k ? guest : host;
      const sv_team *t = a ? &teams[a - accs] : NULL;
      if (t && strcmp(t->kind, "municipal") == 0 && t->distance_km > 0)
        km += 2 * (int64_t)t->distance_km;
    }
    for (int k = 0; k < 2; k++) {
      team_acc *a = k ? guest : host;
      if (!a) continue;
      a->stats.held++;
      a->stats.minutes += seconds; /* seconds until the end, then rounded */
      a->stats.travel_avoided_km += km;
    }
  }
  sv_rows_clear(&rows);

  err = SV_SQL(st, &rows,
               "SELECT from_team, to_team, requested_at, accepted_at FROM urgent_requests"
               " WHERE requested_at >= ? AND requested_at < ?",
               SQ_I(from), SQ_I(to));
  if (err < 0) goto out;
  for (size_t r = 0; r < rows.n_rows; r++) {
    team_acc *asker = acc_for(index, accs, sv_rows_text(&rows, r, 0));
    team_acc *asked = acc_for(index, accs, sv_rows_text(&rows, r, 1));
    if (asker == asked) asker = NULL;
    int64_t accepted = sv_rows_int(&rows, r, 3);
    int64_t wait = accepted - sv_rows_int(&rows, r, 2);
    for (int k = 0; k < 2; k++) {
      team_acc *a = k ? asked : asker;
      if (!a) continue;
      a->stats.urgent_requests++;
      if (accepted) {
        a->stats.urgent_accepted++;
        g_array_append_val(a->waits, wait);
      }
    }
  }
  sv_rows_clear(&rows);

  *out = n_teams ? g_new0(sv_team_stats, n_teams) : NULL;
  for (size_t i = 0; i < n_teams; i++) {
    accs[i].stats.minutes = (accs[i].stats.minutes + 30) / 60;
    accs[i].stats.urgent_median_wait_s = median(accs[i].waits);
    (*out)[i] = accs[i].stats;
  }
  *n = n_teams;
out:
  sv_rows_clear(&rows);
  for (size_t i = 0; i < n_teams; i++)
    g_array_free(accs[i].waits, TRUE);
  g_free(accs);
  g_hash_table_destroy(index);
  g_free(teams);
  return err;
}
