/*
 * api_link.c — GET /api/link: what an invitation link says right now, so
 * the join page can tell a person as the page opens (docs/api.md).
 *
 * The token travels in `Authorization: Bearer`, never in the URL, so it
 * stays out of access logs (api_http.c logs the path only). No API key:
 * the link is its own credential, and the answer is no more than a join
 * with it would say. It is checked exactly as a join checks it
 * (sv_link_check_run, linkcheck.c), read only: no seat is taken and the
 * invitation is not marked used. It costs what a join attempt costs; a
 * made-up token is refused after one HMAC, before the store is asked.
 */
#include <string.h>

#include "common/common.h"
#include "signaling/api/api.h"
#include "signaling/signaling_int.h"

#define ROOM_MAX 64 /* as the join message's `room` */

static bool room_ok(const char *room) {
  size_t n = strlen(room);
  if (n < 1 || n > ROOM_MAX) return false;
  for (const char *p = room; *p; p++) {
    if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_') return false;
  }
  return true;
}

static void set_time(json_t *doc, const char *key, int64_t t) {
  char *iso = sv_api_time_iso(t);
  json_object_set_new(doc, key, json_string(iso));
  g_free(iso);
}

/* The answer for a check that ran: status, and what the person may see. */
static json_t *link_json(const sv_link_check *link, int64_t now) {
  json_t *doc = json_pack("{s:s}", "status", sv_link_status_name(link->status));
  if (link->reason && strcmp(link->reason, sv_link_status_name(link->status)) != 0)
    json_object_set_new(doc, "reason", json_string(link->reason));
  if (link->role) json_object_set_new(doc, "role", json_string(link->role));
  if (link->name[0]) {
    json_t *name = json_string(link->name);
    if (name) json_object_set_new(doc, "name", name);
  }
  bool open = link->status == SV_LINK_OK || link->status == SV_LINK_TOO_EARLY;
  if (open && link->known) {
    json_t *title = json_string(link->info.title);
    if (title) json_object_set_new(doc, "title", title);
    set_time(doc, "start", link->info.start);
    set_time(doc, "end", link->info.end);
    json_object_set_new(doc, "kind",
                        json_string(link->info.teaching ? "group-teaching" : "consultation"));
  }
  if (link->status == SV_LINK_TOO_EARLY) set_time(doc, "opensAt", link->opens_at);
  set_time(doc, "now", now);
  return doc;
}

void sv_api_link(sv_signaling *sig, sv_api_call *call, sv_api_resp *resp) {
  if (call->method != LWSHUMETH_GET) {
    sv_api_error(resp, "method-not-allowed", "only GET is served at /api/link");
    return;
  }
  const char *auth = call->auth;
  if (!auth || g_ascii_strncasecmp(auth, "Bearer ", 7) != 0) {
    sv_api_error(resp, "unauthorized",
                 "send the invitation's token as 'Authorization: Bearer <token>'");
    return;
  }
  const char *token = auth + 7;
  while (*token == ' ')
    token++;
  const char *room = g_hash_table_lookup(call->query, "room");
  if (room && !room_ok(room)) {
    sv_api_error(resp, "bad-request", "query 'room' must be 1-64 characters [A-Za-z0-9_-]");
    return;
  }
  int64_t now = g_get_real_time() / G_USEC_PER_SEC;
  sv_link_check link;
  sv_link_check_run(sig, room, token, now, &link);
  if (link.status == SV_LINK_UNAVAILABLE) {
    sv_api_error(resp, "unavailable", "%s", link.message);
    return;
  }
  sv_api_json(resp, 200, link_json(&link, now));
}
