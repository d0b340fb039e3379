/*
 * api_urgent_links.c — /api/teams/{id}/urgent-links: make, list and revoke
 * the links for urgent guidance (urgent.c): an on-call page link for a
 * member of an on-call specialist team, and an "ask for urgent help" link
 * for municipal staff. Each link is stored by the hash of its token, so a
 * revoked one is refused at its next watch or request.
 */
#include <string.h>

#include "common/common.h"
#include "schedule/token.h"
#include "signaling/api/api.h"
#include "signaling/signaling_int.h"
#include "signaling/urgent.h"

/* POST /api/teams/{id}/urgent-links {"role":"on-call"|"requester","name":N,
 * "to":on-call team (requester), "days":validity} */
static void urgent_link(sv_signaling *sig, sv_api_call *call, const sv_team *team,
                        sv_api_resp *resp) {
  json_t *obj = sv_api_body_object(call, resp);
  if (!obj) return;
  const char *name, *role = json_string_value(json_object_get(obj, "role"));
  const sv_team *target = team;
  sv_team to;
  json_t *days_v = json_object_get(obj, "days");
  json_int_t days = days_v ? (json_is_integer(days_v) ? json_integer_value(days_v) : -1) : 30;
  if (!sv_api_text_field(obj, "name", 64, SV_API_MAX_TOKEN_NAME, true, &name, resp)) goto out;
  if (days < 1 || days > 365) {
    sv_api_error(resp, "bad-request", "field 'days' must be an integer 1-365 (default 30)");
    goto out;
  }
  if (!role || (strcmp(role, "on-call") != 0 && strcmp(role, "requester") != 0)) {
    sv_api_error(resp, "bad-request", "field 'role' must be \"on-call\" or \"requester\"");
    goto out;
  }
  bool on_call = strcmp(role, "on-call") == 0;
  if (on_call && !sv_team_takes_urgent(team)) {
    sv_api_error(resp, "conflict", "on-call links are for specialist teams with onCall true");
    goto out;
  }
  if (!on_call) {
    const char *to_id = json_string_value(json_object_get(obj, "to"));
    int err = to_id && strlen(to_id) < SV_STORE_ID_MAX ? sv_store_team_get(sig->db, to_id, &to)
                                                       : SV_EINVAL;
    if (err == SV_EINVAL || err == SV_ENOENT) {
      sv_api_error(resp, "bad-request",
                   "field 'to' must be the id of the on-call specialist team to ask");
      goto out;
    }
    if (err < 0) {
      sv_api_store_error(resp, err, "the team");
      goto out;
    }
    if (!sv_team_takes_urgent(&to)) {
      sv_api_error(resp, "bad-request", "team '%s' is not an on-call specialist team", to.id);
      goto out;
    }
    target = &to;
  }
  int64_t now = g_get_real_time() / G_USEC_PER_SEC;
  int64_t exp = now + (int64_t)days * 86400;
  char *token = NULL;
  if (sv_urgent_token_sign(sig, team->id, on_call, name, now, exp, &token) < 0) {
    sv_api_error(resp, "unavailable", "this server has no token secret");
    goto out;
  }
  sv_urgent_link stored;
  memset(&stored, 0, sizeof stored);
  g_strlcpy(stored.team, team->id, sizeof stored.team);
  g_strlcpy(stored.role, role, sizeof stored.role);
  g_strlcpy(stored.name, name, sizeof stored.name);
  g_strlcpy(stored.to_team, target->id, sizeof stored.to_team);
  stored.expires = exp;
  char hash[SV_TOKEN_HASH_LEN + 1];
  sv_token_hash(token, hash);
  int err = sv_store_urgent_link_add(sig->db, &stored, hash, now);
  if (err < 0) {
    g_free(token);
    sv_api_store_error(resp, err, "the link");
    goto out;
  }
  char *link = on_call ? g_strdup_printf("%s/oncall.html#token=%s", call->base_url, token)
                       : g_strdup_printf("%s/urgent.html?team=%s#token=%s", call->base_url,
                                         target->id, token);
  char *expires = sv_api_time_iso(exp);
  sv_api_json(resp, 201,
              json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "id", stored.id, "team", team->id, "role",
                        role, "name", name, "to", target->id, "expires", expires, "link", link));
  g_free(expires);
  g_free(link);
  g_free(token);
out:
  json_decref(obj);
}

static json_t *link_json(const sv_urgent_link *l) {
  char *created = sv_api_time_iso(l->created), *expires = sv_api_time_iso(l->expires);
  char *revoked = l->revoked ? sv_api_time_iso(l->revoked) : NULL;
  json_t *doc = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s?}", "id", l->id, "team", l->team,
                          "role", l->role, "name", l->name, "to", l->to_team, "created", created,
                          "expires", expires, "revoked", revoked);
  g_free(created);
  g_free(expires);
  g_free(revoked);
  return doc;
}

/* GET /api/teams/{id}/urgent-links */
static void list_links(sv_signaling *sig, const sv_team *team, sv_api_resp *resp) {
  sv_urgent_link *links = NULL;
  size_t n = 0;
  int err = sv_store_urgent_link_list(sig->db, team->id, &links, &n);
  if (err < 0) {
    sv_api_store_error(resp, err, "the link list");
    return;
  }
  json_t *arr = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(arr, link_json(&links[i]));
  g_free(links);
  sv_api_json(resp, 200, json_pack("{s:o}", "links", arr));
}

/* DELETE /api/teams/{id}/urgent-links/{link} */
static void revoke_link(sv_signaling *sig, const sv_team *team, const char *id, sv_api_resp *resp) {
  sv_urgent_link l;
  int err = strlen(id) < SV_STORE_ID_MAX ? sv_store_urgent_link_get(sig->db, id, &l) : SV_ENOENT;
  if (err == 0 && strcmp(l.team, team->id) != 0) err = SV_ENOENT;
  if (err == 0) err = sv_store_urgent_link_revoke(sig->db, id, g_get_real_time() / G_USEC_PER_SEC);
  if (err == SV_ESTATE) {
    sv_api_error(resp, "conflict", "this link is already revoked");
    return;
  }
  if (err < 0) {
    sv_api_store_error(resp, err, "this link");
    return;
  }
  SV_INFO("api", "urgent link %s of team %s revoked", id, team->id);
  resp->status = 204;
  resp->type = "application/json";
}

void sv_api_urgent_links(sv_signaling *sig, sv_api_call *call, const sv_team *team,
                         const char *rest, sv_api_resp *resp) {
  int m = call->method;
  if (!rest[0] || strcmp(rest, "/") == 0) {
    if (m == LWSHUMETH_POST)
      urgent_link(sig, call, team, resp);
    else if (m == LWSHUMETH_GET)
      list_links(sig, team, resp);
    else
      sv_api_error(resp, "method-not-allowed", "use GET or POST on urgent-links");
    return;
  }
  const char *id = rest + 1;
  if (!id[0] || strchr(id, '/')) {
    sv_api_error(resp, "not-found", "no such link");
    return;
  }
  if (m != LWSHUMETH_DELETE) {
    sv_api_error(resp, "method-not-allowed", "use DELETE to revoke an urgent link");
    return;
  }
  revoke_link(sig, team, id, resp);
}
