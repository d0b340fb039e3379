/*
 * api_consultations.c — /api/consultations: book, list (by day or ISO week,
 * team, status), get, reschedule, cancel, and the routes below one
 * consultation (.ics, invitations).
 *
 * The store appends "booked", "changed" and "cancelled" to the session log
 * itself; cancelling here also revokes each invitation, so the invitation
 * list says what the links do (they stop working either way).
 */
#include <stdio.h>
#include <string.h>

#include "common/common.h"
#include "signaling/api/api.h"
#include "signaling/signaling_int.h"

static const char *const kinds[] = {"guidance", "urgent", "follow-up", "group-teaching"};
static const char *const statuses[] = {"booked", "cancelled", "held"};

json_t *sv_api_consultation_json(const sv_consultation *c) {
  char *start = sv_api_time_iso(c->start), *end = sv_api_time_iso(c->end);
  char *created = sv_api_time_iso(c->created), *updated = sv_api_time_iso(c->updated);
  json_t *doc = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:s*,s:s*,s:s,s:s,s:s}", "id", c->id, "kind",
                          c->kind, "title", c->title, "start", start, "end", end, "durationMin",
                          (json_int_t)((c->end - c->start) / 60), "hostTeam",
                          c->host_team[0] ? c->host_team : NULL, "guestTeam",
                          c->guest_team[0] ? c->guest_team : NULL, "status", c->status, "created",
                          created, "updated", updated);
  g_free(start);
  g_free(end);
  g_free(created);
  g_free(updated);
  return doc;
}

static bool in_list(const char *s, const char *const *list, size_t n) {
  for (size_t i = 0; s && i < n; i++) {
    if (strcmp(s, list[i]) == 0) return true;
  }
  return false;
}

/* start, end (or durationMin) and title from obj into *c; on create all are
 * required. */
static bool times_from_json(json_t *obj, sv_consultation *c, bool create, sv_api_resp *resp) {
  const char *title;
  if (!sv_api_text_field(obj, "title", 199, SV_STORE_TITLE_MAX - 1, create, &title, resp))
    return false;
  if (title) g_strlcpy(c->title, title, sizeof c->title);
  json_t *start = json_object_get(obj, "start"), *end = json_object_get(obj, "end");
  json_t *dur = json_object_get(obj, "durationMin");
  int64_t length = c->end - c->start;
  if (start || create) {
    if (!sv_api_time_parse(start, &c->start)) {
      sv_api_error(resp, "bad-request",
                   "field 'start' must be an ISO 8601 time with a zone, e.g. "
                   "\"2026-11-23T10:00:00+01:00\" or \"2026-11-23T09:00:00Z\" (years 2000-2199)");
      return false;
    }
  }
  if (dur) {
    if (!json_is_integer(dur) || json_integer_value(dur) < 1 || json_integer_value(dur) > 24 * 60) {
      sv_api_error(resp, "bad-request", "field 'durationMin' must be an integer 1-1440");
      return false;
    }
    c->end = c->start + json_integer_value(dur) * 60;
  } else if (end) {
    if (!sv_api_time_parse(end, &c->end)) {
      sv_api_error(resp, "bad-request",
                   "field 'end' must be an ISO 8601 time with a zone (years 2000-2199)");
      return false;
    }
  } else if (create) {
    sv_api_error(resp, "bad-request", "give 'end' (an ISO 8601 time) or 'durationMin'");
    return false;
  } else {
    c->end = c->start + length; /* moved: the length stays */
  }
  if (c->end <= c->start || c->end - c->start > 24 * 3600) {
    sv_api_error(resp, "bad-request", "'end' must be after 'start', at most 24 hours later");
    return false;
  }
  return true;
}

static bool team_field(json_t *obj, const char *name, char *out, size_t size, sv_api_resp *resp) {
  json_t *v = json_object_get(obj, name);
  if (!v || json_is_null(v)) return true;
  const char *s = json_string_value(v);
  if (!s || strlen(s) >= size || !s[0]) {
    sv_api_error(resp, "bad-request", "field '%s' must be a team id", name);
    return false;
  }
  g_strlcpy(out, s, size);
  return true;
}

static void create(sv_signaling *sig, sv_api_call *call, sv_api_resp *resp) {
  json_t *obj = sv_api_body_object(call, resp);
  if (!obj) return;
  sv_consultation c;
  memset(&c, 0, sizeof c);
  json_t *kind = json_object_get(obj, "kind");
  const char *k = kind ? json_string_value(kind) : "guidance";
  if (!in_list(k, kinds, SV_ARRAY_LEN(kinds))) {
    sv_api_error(resp, "bad-request",
                 "field 'kind' must be \"guidance\", \"urgent\", \"follow-up\" or "
                 "\"group-teaching\"");
    goto out;
  }
  g_strlcpy(c.kind, k, sizeof c.kind);
  if (!times_from_json(obj, &c, true, resp) ||
      !team_field(obj, "hostTeam", c.host_team, sizeof c.host_team, resp) ||
      !team_field(obj, "guestTeam", c.guest_team, sizeof c.guest_team, resp))
    goto out;
  int err =
      sv_store_consultation_create(sig->db, &c, call->actor, g_get_real_time() / G_USEC_PER_SEC);
  if (err == SV_EINVAL) {
    sv_api_error(resp, "bad-request", "'hostTeam' or 'guestTeam' is not the id of a team");
  } else if (err < 0) {
    sv_api_store_error(resp, err, "the consultation");
  } else {
    sv_api_json(resp, 201, sv_api_consultation_json(&c));
  }
out:
  json_decref(obj);
}

/* The time zone of a day or week filter: `tz` (an IANA name such as
 * Europe/Oslo), else UTC. NULL when the name is unknown. */
static GTimeZone *query_tz(sv_api_call *call) {
  const char *tz = g_hash_table_lookup(call->query, "tz");
  if (!tz) return g_time_zone_new_utc();
  /* GLib reads the zone from a file named by it: only names like
   * Europe/Oslo or UTC, never a path of our choosing. */
  if (strlen(tz) > 64 || strstr(tz, "..") || tz[0] == '/') return NULL;
  for (const char *p = tz; *p; p++) {
    if (!g_ascii_isalnum(*p) && !strchr("/_+-", *p)) return NULL;
  }
  return g_time_zone_new_identifier(tz);
}

/* day=YYYY-MM-DD or week=YYYY-Www (ISO 8601 week, Monday first) into
 * [from, to) in zone. */
static bool parse_range(const char *day, const char *week, GTimeZone *zone, int64_t *from,
                        int64_t *to) {
  int y, m, d, w;
  char tail;
  GDateTime *start = NULL;
  int days = 1;
  if (day) {
    if (strlen(day) != 10 || sscanf(day, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
        !g_date_valid_dmy(d, m, y) || y < 2000 || y > 2199)
      return false;
    start = g_date_time_new(zone, y, m, d, 0, 0, 0);
  } else {
    if (strlen(week) < 7 || strlen(week) > 8 || sscanf(week, "%4d-W%2d%c", &y, &w, &tail) != 2 ||
        y < 2000 || y > 2199 || w < 1 || w > 53)
      return false;
    /* Week 1 is the week with January 4th in it. */
    GDateTime *jan4 = g_date_time_new(zone, y, 1, 4, 0, 0, 0);
    if (!jan4) return false;
    start = g_date_time_add_days(jan4, (w - 1) * 7 - (g_date_time_get_day_of_week(jan4) - 1));
    g_date_time_unref(jan4);
    if (start && (g_date_time_get_week_numbering_year(start) != y ||
                  g_date_time_get_week_of_year(start) != w)) {
      g_date_time_unref(start);
      return false; /* week 53 of a year that has 52 */
    }
    days = 7;
  }
  if (!start) return false;
  GDateTime *end = g_date_time_add_days(start, days);
  *from = g_date_time_to_unix(start);
  *to = g_date_time_to_unix(end);
  g_date_time_unref(start);
  g_date_time_unref(end);
  return true;
}

static void list(sv_signaling *sig, sv_api_call *call, sv_api_resp *resp) {
  const char *day = g_hash_table_lookup(call->query, "day");
  const char *week = g_hash_table_lookup(call->query, "week");
  const char *team = g_hash_table_lookup(call->query, "team");
  const char *status = g_hash_table_lookup(call->query, "status");
  sv_consultation_filter f = {.team = team, .status = status};
  if (status && !in_list(status, statuses, SV_ARRAY_LEN(statuses))) {
    sv_api_error(resp, "bad-request", "'status' must be \"booked\", \"cancelled\" or \"held\"");
    return;
  }
  if (day && week) {
    sv_api_error(resp, "bad-request", "give 'day' or 'week', not both");
    return;
  }
  if (day || week) {
    GTimeZone *zone = query_tz(call);
    if (!zone) {
      sv_api_error(resp, "bad-request",
                   "'tz' must be a time zone name such as "
                   "Europe/Oslo");
      return;
    }
    bool ok = parse_range(day, week, zone, &f.from, &f.to);
    g_time_zone_unref(zone);
    if (!ok) {
      sv_api_error(resp, "bad-request",
                   day ? "'day' must be a date YYYY-MM-DD (years 2000-2199)"
                       : "'week' must be an ISO week YYYY-Www, e.g. 2026-W48");
      return;
    }
  }
  sv_consultation *items = NULL;
  size_t n = 0;
  int err = sv_store_consultation_list(sig->db, &f, &items, &n);
  if (err < 0) {
    sv_api_store_error(resp, err, "the consultation list");
    return;
  }
  json_t *arr = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(arr, sv_api_consultation_json(&items[i]));
  g_free(items);
  sv_api_json(resp, 200, json_pack("{s:o}", "consultations", arr));
}

/* Invitations whose token no longer covers the moved consultation: made
 * for a later start, or expiring before the new end plus the grace. Their
 * links must be issued again (a signed token cannot be changed). */
static int stale_invitations(sv_signaling *sig, const sv_consultation *old,
                             const sv_consultation *now) {
  sv_invitation *invs = NULL;
  size_t n = 0, stale = 0;
  if (sv_store_invitation_list(sig->db, now->id, &invs, &n) < 0) return 0;
  for (size_t i = 0; i < n; i++) {
    if (invs[i].revoked) continue;
    if (now->start < old->start || invs[i].expires < now->end + (int64_t)sig->grace_after_min * 60)
      stale++;
  }
  g_free(invs);
  return (int)stale;
}

static void reschedule(sv_signaling *sig, sv_api_call *call, sv_consultation *c,
                       sv_api_resp *resp) {
  json_t *obj = sv_api_body_object(call, resp);
  if (!obj) return;
  sv_consultation old = *c;
  if (times_from_json(obj, c, false, resp)) {
    int err =
        sv_store_consultation_update(sig->db, c, call->actor, g_get_real_time() / G_USEC_PER_SEC);
    if (err == SV_ESTATE) {
      sv_api_error(resp, "conflict", "this consultation is cancelled: book a new one");
    } else if (err < 0) {
      sv_api_store_error(resp, err, "this consultation");
    } else if ((err = sv_store_consultation_get(sig->db, c->id, c)) < 0) {
      sv_api_store_error(resp, err, "this consultation");
    } else {
      json_t *doc = sv_api_consultation_json(c);
      json_object_set_new(doc, "staleInvitations", json_integer(stale_invitations(sig, &old, c)));
      sv_api_json(resp, 200, doc);
    }
  }
  json_decref(obj);
}

static void cancel(sv_signaling *sig, sv_api_call *call, sv_consultation *c, sv_api_resp *resp) {
  int64_t now = g_get_real_time() / G_USEC_PER_SEC;
  int err = sv_store_consultation_cancel(sig->db, c->id, call->actor, now);
  if (err == SV_ESTATE) {
    sv_api_error(resp, "conflict", "this consultation is cancelled");
    return;
  }
  if (err < 0) {
    sv_api_store_error(resp, err, "this consultation");
    return;
  }
  sv_invitation *invs = NULL;
  size_t n = 0;
  if (sv_store_invitation_list(sig->db, c->id, &invs, &n) == 0) {
    for (size_t i = 0; i < n; i++) {
      if (!invs[i].revoked) sv_store_invitation_revoke(sig->db, invs[i].id, call->actor, now);
    }
  }
  g_free(invs);
  /* Whoever is in its room now is told it ended and is out. */
  sv_links_recheck(sig);
  if ((err = sv_store_consultation_get(sig->db, c->id, c)) < 0) {
    sv_api_store_error(resp, err, "this consultation");
    return;
  }
  sv_api_json(resp, 200, sv_api_consultation_json(c));
}

void sv_api_consultations(sv_signaling *sig, sv_api_call *call, const char *rest,
                          sv_api_resp *resp) {
  int m = call->method;
  if (!rest[0] || strcmp(rest, "/") == 0) {
    if (m == LWSHUMETH_GET) {
      list(sig, call, resp);
      return;
    }
    if (m == LWSHUMETH_POST) {
      create(sig, call, resp);
      return;
    }
    sv_api_error(resp, "method-not-allowed", "use GET or POST on /api/consultations");
    return;
  }
  if (rest[0] != '/') {
    sv_api_error(resp, "not-found", "no such consultation");
    return;
  }
  /* /{id}, /{id}.ics, /{id}/invitations or /{id}/recordings */
  const char *id_start = rest + 1;
  size_t id_len = strcspn(id_start, "/.");
  const char *tail = id_start + id_len;
  char id[SV_STORE_ID_MAX];
  if (id_len == 0 || id_len >= sizeof id) {
    sv_api_error(resp, "not-found", "no such consultation");
    return;
  }
  memcpy(id, id_start, id_len);
  id[id_len] = '\0';
  bool ics = strcmp(tail, ".ics") == 0, invitations = strcmp(tail, "/invitations") == 0;
  bool recordings = strcmp(tail, "/recordings") == 0;
  if (tail[0] && !ics && !invitations && !recordings) {
    sv_api_error(resp, "not-found", "there is no API resource at this path");
    return;
  }
  sv_consultation c;
  int err = sv_store_consultation_get(sig->db, id, &c);
  if (err < 0) {
    sv_api_store_error(resp, err, "this consultation");
    return;
  }
  if (ics) {
    if (m != LWSHUMETH_GET) {
      sv_api_error(resp, "method-not-allowed", "use GET for .ics");
      return;
    }
    const char *lang;
    if (sv_api_ics_lang(call, &lang, resp))
      sv_api_ics(&c, g_get_real_time() / G_USEC_PER_SEC, lang, NULL, resp);
    return;
  }
  if (invitations) {
    sv_api_consultation_invitations(sig, call, &c, resp);
    return;
  }
  if (recordings) {
    if (m != LWSHUMETH_GET) {
      sv_api_error(resp, "method-not-allowed", "use GET for a consultation's recordings");
      return;
    }
    sv_api_json(resp, 200,
                json_pack("{s:s,s:o}", "consultation", c.id, "files",
                          sv_recording_files(sig, c.id, call->base_url)));
    return;
  }
  if (m == LWSHUMETH_GET) {
    sv_api_json(resp, 200, sv_api_consultation_json(&c));
    return;
  }
  if (m == LWSHUMETH_PATCH) {
    reschedule(sig, call, &c, resp);
    return;
  }
  if (m == LWSHUMETH_DELETE) {
    cancel(sig, call, &c, resp);
    return;
  }
  sv_api_error(resp, "method-not-allowed", "use GET, PATCH or DELETE on a consultation");
}
