/*
 * api_teams.c — /api/teams: list, create, get, change, delete teams; a
 * team's urgent-links go to api_urgent_links.c.
 */
#include <string.h>

#include "common/common.h"
#include "signaling/api/api.h"
#include "signaling/signaling_int.h"

json_t *sv_api_team_json(const sv_team *t) {
  return json_pack("{s:s,s:s,s:s,s:s,s:b,s:i,s:s}", "id", t->id, "name", t->name, "kind", t->kind,
                   "organisation", t->organisation, "onCall", t->on_call, "distanceKm",
                   t->distance_km, "phone", t->phone);
}

/* A phone number as a person dials it: digits, spaces, "+", "-", "(" and
 * ")", at most SV_STORE_PHONE_MAX - 1 characters, at least one digit
 * ("" clears it). */
static bool phone_ok(const char *p) {
  bool digit = false;
  size_t n = 0;
  for (; *p; p++, n++) {
    if (g_ascii_isdigit(*p))
      digit = true;
    else if (!strchr(" +-()", *p))
      return false;
  }
  return n == 0 || (digit && n < SV_STORE_PHONE_MAX);
}

/* Applies the fields present in obj to *t; with `create` name and kind are
 * required. Returns false with resp filled on bad input. */
static bool team_from_json(json_t *obj, sv_team *t, bool create, sv_api_resp *resp) {
  const char *name, *org;
  if (!sv_api_text_field(obj, "name", 64, SV_STORE_NAME_MAX - 1, create, &name, resp) ||
      !sv_api_text_field(obj, "organisation", 64, SV_STORE_NAME_MAX - 1, false, &org, resp))
    return false;
  if (name) g_strlcpy(t->name, name, sizeof t->name);
  if (org) g_strlcpy(t->organisation, org, sizeof t->organisation);
  json_t *kind = json_object_get(obj, "kind");
  if (kind || create) {
    const char *k = json_string_value(kind);
    if (!sv_team_kind_valid(k)) {
      sv_api_error(resp, "bad-request", "field 'kind' must be \"specialist\" or \"municipal\"");
      return false;
    }
    g_strlcpy(t->kind, k, sizeof t->kind);
  }
  json_t *on_call = json_object_get(obj, "onCall");
  if (on_call) {
    if (!json_is_boolean(on_call)) {
      sv_api_error(resp, "bad-request", "field 'onCall' must be true or false");
      return false;
    }
    t->on_call = json_is_true(on_call);
  }
  json_t *dist = json_object_get(obj, "distanceKm");
  if (dist) {
    if (!json_is_integer(dist) || json_integer_value(dist) < 0 || json_integer_value(dist) > 5000) {
      sv_api_error(resp, "bad-request",
                   "field 'distanceKm' must be an integer 0-5000 (one way, 0 = unknown)");
      return false;
    }
    t->distance_km = (int)json_integer_value(dist);
  }
  json_t *phone = json_object_get(obj, "phone");
  if (phone && !json_is_null(phone)) {
    const char *p = json_string_value(phone);
    if (!p || !phone_ok(p)) {
      sv_api_error(resp, "bad-request",
                   "field 'phone' must be a phone number of at most 31 characters (digits, "
                   "spaces, + - ( )), or \"\" for none");
      return false;
    }
    g_strlcpy(t->phone, p, sizeof t->phone);
  }
  return true;
}

static void list_teams(sv_signaling *sig, sv_api_resp *resp) {
  sv_team *teams = NULL;
  size_t n = 0;
  int err = sv_store_team_list(sig->db, &teams, &n);
  if (err < 0) {
    sv_api_store_error(resp, err, "the team list");
    return;
  }
  json_t *arr = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(arr, sv_api_team_json(&teams[i]));
  g_free(teams);
  sv_api_json(resp, 200, json_pack("{s:o}", "teams", arr));
}

static void create_team(sv_signaling *sig, sv_api_call *call, sv_api_resp *resp) {
  json_t *obj = sv_api_body_object(call, resp);
  if (!obj) return;
  sv_team t;
  memset(&t, 0, sizeof t);
  if (team_from_json(obj, &t, true, resp)) {
    int err = sv_store_team_create(sig->db, &t);
    if (err < 0)
      sv_api_store_error(resp, err, "the team");
    else
      sv_api_json(resp, 201, sv_api_team_json(&t));
  }
  json_decref(obj);
}

void sv_api_teams(sv_signaling *sig, sv_api_call *call, const char *rest, sv_api_resp *resp) {
  int m = call->method;
  if (!rest[0] || strcmp(rest, "/") == 0) {
    if (m == LWSHUMETH_GET) {
      list_teams(sig, resp);
      return;
    }
    if (m == LWSHUMETH_POST) {
      create_team(sig, call, resp);
      return;
    }
    sv_api_error(resp, "method-not-allowed", "use GET or POST on /api/teams");
    return;
  }
  char id[SV_STORE_ID_MAX];
  const char *slash = strchr(rest + 1, '/');
  size_t id_len = slash ? (size_t)(slash - rest - 1) : strlen(rest + 1);
  if (id_len == 0 || id_len >= sizeof id) {
    sv_api_error(resp, "not-found", "no such team");
    return;
  }
  memcpy(id, rest + 1, id_len);
  id[id_len] = '\0';
  sv_team t;
  int err = sv_store_team_get(sig->db, id, &t);
  if (err < 0) {
    sv_api_store_error(resp, err, "this team");
    return;
  }
  if (slash) {
    if (!g_str_has_prefix(slash, "/urgent-links") || (slash[13] != '\0' && slash[13] != '/')) {
      sv_api_error(resp, "not-found", "there is no API resource at this path");
      return;
    }
    sv_api_urgent_links(sig, call, &t, slash + 13, resp);
    return;
  }
  if (m == LWSHUMETH_GET) {
    sv_api_json(resp, 200, sv_api_team_json(&t));
    return;
  }
  if (m == LWSHUMETH_PATCH || m == LWSHUMETH_PUT) {
    json_t *obj = sv_api_body_object(call, resp);
    if (!obj) return;
    if (team_from_json(obj, &t, m == LWSHUMETH_PUT, resp)) {
      err = sv_store_team_update(sig->db, &t);
      if (err < 0)
        sv_api_store_error(resp, err, "this team");
      else
        sv_api_json(resp, 200, sv_api_team_json(&t));
    }
    json_decref(obj);
    return;
  }
  if (m == LWSHUMETH_DELETE) {
    err = sv_store_team_delete(sig->db, id);
    if (err == SV_ESTATE) {
      sv_api_error(resp, "conflict",
                   "this team is named by consultations or urgent requests; it stays so their "
                   "history keeps its team");
      return;
    }
    if (err < 0) {
      sv_api_store_error(resp, err, "this team");
      return;
    }
    resp->status = 204;
    resp->type = "application/json";
    return;
  }
  sv_api_error(resp, "method-not-allowed", "use GET, PATCH, PUT or DELETE on a team");
}
