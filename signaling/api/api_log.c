/*
 * api_log.c — the session log and the monthly figures:
 * GET /api/audit (JSON or CSV, per consultation and period) and
 * GET /api/stats?month=YYYY-MM (per team, and per organisation: a
 * municipality's figures are the sum of its teams, its median wait is
 * computed over its own urgent requests).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "schedule/audit_export.h"
#include "signaling/api/api.h"
#include "signaling/signaling_int.h"

/* A query time: YYYY-MM-DD (midnight UTC; for an upper bound the end of
 * that day, so to=2026-11-30 includes the 30th) or ISO 8601 with a zone. */
static bool query_time(const char *s, bool upper, int64_t *out) {
  int y, m, d;
  char tail;
  if (strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3) {
    if (!g_date_valid_dmy(d, m, y) || y < 2000 || y > 2199) return false;
    GDateTime *dt = g_date_time_new_utc(y, m, d, 0, 0, 0);
    *out = g_date_time_to_unix(dt) + (upper ? 86400 : 0);
    g_date_time_unref(dt);
    return true;
  }
  json_t *v = json_string(s);
  bool ok = v && sv_api_time_parse(v, out);
  json_decref(v);
  return ok;
}

void sv_api_audit(sv_signaling *sig, sv_api_call *call, sv_api_resp *resp) {
  if (call->method != LWSHUMETH_GET) {
    sv_api_error(resp, "method-not-allowed", "use GET on /api/audit: the log is append-only");
    return;
  }
  const char *cons = g_hash_table_lookup(call->query, "consultation");
  const char *from = g_hash_table_lookup(call->query, "from");
  const char *to = g_hash_table_lookup(call->query, "to");
  const char *format = g_hash_table_lookup(call->query, "format");
  sv_audit_filter f = {.consultation = cons};
  if ((from && !query_time(from, false, &f.from)) || (to && !query_time(to, true, &f.to))) {
    sv_api_error(resp, "bad-request",
                 "'from' and 'to' must be dates YYYY-MM-DD or ISO 8601 times with a zone");
    return;
  }
  if (format && strcmp(format, "json") != 0 && strcmp(format, "csv") != 0) {
    sv_api_error(resp, "bad-request", "'format' must be json or csv");
    return;
  }
  if (cons && strlen(cons) >= SV_STORE_ID_MAX) {
    sv_api_error(resp, "bad-request", "'consultation' must be a consultation id");
    return;
  }
  sv_audit_event *events = NULL;
  size_t n = 0;
  int err = sv_store_audit_list(sig->db, &f, &events, &n);
  if (err < 0) {
    sv_api_store_error(resp, err, "the session log");
    return;
  }
  resp->status = 200;
  if (format && strcmp(format, "csv") == 0) {
    resp->body = sv_audit_export_csv(events, n);
    resp->type = "text/csv; charset=utf-8";
    resp->disposition = g_strdup_printf("attachment; filename=\"samvei-log%s%s.csv\"",
                                        cons ? "-" : "", cons ? cons : "");
    /* The id came from the query: keep the header to safe characters. */
    for (char *p = resp->disposition; *p; p++) {
      if (!g_ascii_isalnum(*p) && !strchr(" ;=\"-_.", *p)) *p = '_';
    }
  } else {
    char *arr = sv_audit_export_json(events, n);
    resp->body = g_strconcat("{\"events\":", arr, "}\n", NULL);
    g_free(arr);
    resp->type = "application/json";
  }
  resp->len = strlen(resp->body);
  g_free(events);
}

typedef struct org_sum {
  char organisation[SV_STORE_NAME_MAX];
  int held, urgent_requests, urgent_accepted;
  int64_t minutes, travel_km;
  GArray *waits; /* int64_t seconds, accepted urgent requests */
} org_sum;

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

static int64_t median(GArray *v) {
  if (v->len == 0) return 0;
  g_array_sort(v, cmp_i64);
  int64_t *a = (int64_t *)(void *)v->data;
  return v->len % 2 ? a[v->len / 2] : (a[v->len / 2 - 1] + a[v->len / 2]) / 2;
}

static org_sum *org_find(GPtrArray *orgs, const char *name) {
  for (guint i = 0; i < orgs->len; i++) {
    org_sum *o = g_ptr_array_index(orgs, i);
    if (strcmp(o->organisation, name) == 0) return o;
  }
  org_sum *o = g_new0(org_sum, 1);
  g_strlcpy(o->organisation, name, sizeof o->organisation);
  o->waits = g_array_new(FALSE, FALSE, sizeof(int64_t));
  g_ptr_array_add(orgs, o);
  return o;
}

static void org_free(gpointer p) {
  org_sum *o = p;
  g_array_unref(o->waits);
  g_free(o);
}

static const char *team_org(const sv_team_stats *stats, size_t n, const char *team) {
  for (size_t i = 0; team[0] && i < n; i++) {
    if (strcmp(stats[i].team, team) == 0)
      return stats[i].organisation[0] ? stats[i].organisation : stats[i].name;
  }
  return NULL;
}

void sv_api_stats(sv_signaling *sig, sv_api_call *call, sv_api_resp *resp) {
  if (call->method != LWSHUMETH_GET) {
    sv_api_error(resp, "method-not-allowed", "use GET on /api/stats");
    return;
  }
  const char *month = g_hash_table_lookup(call->query, "month");
  int y, m;
  char tail;
  if (!month || strlen(month) != 7 || sscanf(month, "%4d-%2d%c", &y, &m, &tail) != 2 || y < 2000 ||
      y > 2199 || m < 1 || m > 12) {
    sv_api_error(resp, "bad-request", "give 'month' as YYYY-MM, e.g. 2026-11");
    return;
  }
  sv_team_stats *stats = NULL;
  size_t n = 0;
  sv_urgent *urgent = NULL;
  size_t n_urgent = 0;
  int err = sv_store_stats_month(sig->db, y, m, &stats, &n);
  if (err == 0) err = sv_store_urgent_list(sig->db, NULL, false, &urgent, &n_urgent);
  if (err < 0) {
    g_free(stats);
    sv_api_store_error(resp, err, "the figures");
    return;
  }
  GDateTime *first = g_date_time_new_utc(y, m, 1, 0, 0, 0),
            *next = g_date_time_add_months(first, 1);
  int64_t from = g_date_time_to_unix(first), to = g_date_time_to_unix(next);
  g_date_time_unref(first);
  g_date_time_unref(next);

  json_t *teams = json_array();
  GPtrArray *orgs = g_ptr_array_new_with_free_func(org_free);
  for (size_t i = 0; i < n; i++) {
    const sv_team_stats *s = &stats[i];
    json_array_append_new(teams, json_pack("{s:s,s:s,s:s,s:s,s:i,s:I,s:i,s:i,s:I,s:I}", "team",
                                           s->team, "name", s->name, "kind", s->kind,
                                           "organisation", s->organisation, "held", s->held,
                                           "minutes", (json_int_t)s->minutes, "urgentRequests",
                                           s->urgent_requests, "urgentAccepted", s->urgent_accepted,
                                           "urgentMedianWaitS", (json_int_t)s->urgent_median_wait_s,
                                           "travelAvoidedKm", (json_int_t)s->travel_avoided_km));
    org_sum *o = org_find(orgs, s->organisation[0] ? s->organisation : s->name);
    o->held += s->held;
    o->minutes += s->minutes;
    o->travel_km += s->travel_avoided_km;
  }
  /* Urgent requests per organisation, counted once per organisation even
   * when both teams belong to it. */
  for (size_t i = 0; i < n_urgent; i++) {
    const sv_urgent *u = &urgent[i];
    if (u->requested_at < from || u->requested_at >= to) continue;
    const char *a = team_org(stats, n, u->from_team), *b = team_org(stats, n, u->to_team);
    const char *names[2] = {a, b && (!a || strcmp(a, b) != 0) ? b : NULL};
    for (int k = 0; k < 2; k++) {
      if (!names[k]) continue;
      org_sum *o = org_find(orgs, names[k]);
      o->urgent_requests++;
      if (u->accepted_at) {
        int64_t wait = u->accepted_at - u->requested_at;
        o->urgent_accepted++;
        g_array_append_val(o->waits, wait);
      }
    }
  }
  json_t *org_arr = json_array();
  for (guint i = 0; i < orgs->len; i++) {
    org_sum *o = g_ptr_array_index(orgs, i);
    json_array_append_new(
        org_arr,
        json_pack("{s:s,s:i,s:I,s:i,s:i,s:I,s:I}", "organisation", o->organisation, "held", o->held,
                  "minutes", (json_int_t)o->minutes, "urgentRequests", o->urgent_requests,
                  "urgentAccepted", o->urgent_accepted, "urgentMedianWaitS",
                  (json_int_t)median(o->waits), "travelAvoidedKm", (json_int_t)o->travel_km));
  }
  g_ptr_array_unref(orgs);
  g_free(stats);
  g_free(urgent);
  sv_api_json(resp, 200,
              json_pack("{s:s,s:o,s:o}", "month", month, "teams", teams, "organisations", org_arr));
}
