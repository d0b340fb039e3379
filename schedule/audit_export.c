/*
 * audit_export.c — audit events → JSON array text and CSV text.
 */
#include "schedule/audit_export.h"

#include <glib.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static char *iso_time(int64_t ts) {
  GDateTime *dt = g_date_time_new_from_unix_utc(ts);
  char *s = dt ? g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ") : g_strdup("");
  if (dt) g_date_time_unref(dt);
  return s;
}

char *sv_audit_export_json(const sv_audit_event *events, size_t n) {
  json_t *list = json_array();
  for (size_t i = 0; i < n; i++) {
    const sv_audit_event *e = &events[i];
    json_t *detail = json_loads(e->detail, 0, NULL);
    if (!detail) detail = json_string(e->detail); /* shown as stored, never dropped */
    char *time = iso_time(e->ts);
    json_array_append_new(list, json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:s,s:s}",
                                          "seq", (json_int_t)e->seq, "ts", (json_int_t)e->ts,
                                          "time", time, "consultation", e->consultation, "event",
                                          e->event, "participant", e->participant, "role", e->role,
                                          "name", e->name, "actor", e->actor, "detail", detail,
                                          "prev_hash", e->prev_hash, "hash", e->hash));
    g_free(time);
  }
  char *text = json_dumps(list, JSON_COMPACT | JSON_ENSURE_ASCII);
  json_decref(list);
  char *out = g_strdup(text ? text : "[]");
  free(text);
  return out;
}

static void csv_field(GString *s, const char *v, bool text, bool last) {
  bool formula = text && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' ||
                          v[0] == '\t' || v[0] == '\r');
  bool quote = strpbrk(v, ",\"\r\n") != NULL;
  if (quote) g_string_append_c(s, '"');
  if (formula) g_string_append_c(s, '\'');
  for (const char *p = v; *p; p++) {
    if (*p == '"') g_string_append_c(s, '"');
    g_string_append_c(s, *p);
  }
  if (quote) g_string_append_c(s, '"');
  g_string_append(s, last ? "\r\n" : ",");
}

char *sv_audit_export_csv(const sv_audit_event *events, size_t n) {
  GString *s = g_string_new("seq,ts,time,consultation,event,participant,role,name,actor,detail,"
                            "prev_hash,hash\r\n");
  for (size_t i = 0; i < n; i++) {
    const sv_audit_event *e = &events[i];
    char num[32];
    g_snprintf(num, sizeof num, "%" G_GINT64_FORMAT, e->seq);
    csv_field(s, num, false, false);
    g_snprintf(num, sizeof num, "%" G_GINT64_FORMAT, e->ts);
    csv_field(s, num, false, false);
    char *time = iso_time(e->ts);
    csv_field(s, time, false, false);
    g_free(time);
    csv_field(s, e->consultation, true, false);
    csv_field(s, e->event, true, false);
    csv_field(s, e->participant, true, false);
    csv_field(s, e->role, true, false);
    csv_field(s, e->name, true, false);
    csv_field(s, e->actor, true, false);
    csv_field(s, e->detail, false, false);
    csv_field(s, e->prev_hash, false, false);
    csv_field(s, e->hash, false, true);
  }
  return g_string_free(s, FALSE);
}
