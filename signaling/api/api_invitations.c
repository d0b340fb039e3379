/*
 * api_invitations.c — invitations to a consultation: issue (a signed join
 * token in a link; only its hash is stored), list, revoke.
 *
 * A token is valid from the start minus the join grace (or the waiting
 * room's opening, whichever is earlier) to the end plus the grace after.
 * The link carries the token in the URL fragment, which browsers never send
 * to a server. The store appends "invitation-issued" and
 * "invitation-revoked" to the session log.
 *
 * GET /api/invitations/{id}.ics is that person's calendar file with their
 * link: the token is signed again from the stored claims (signing is
 * deterministic) and used only when its hash is the stored one, so the
 * database still holds no usable link.
 */
#include <string.h>

#include "common/common.h"
#include "common/role.h"
#include "schedule/token.h"
#include "signaling/api/api.h"
#include "signaling/signaling_int.h"

static json_t *time_or_null(int64_t t) {
  if (!t) return json_null();
  char *s = sv_api_time_iso(t);
  json_t *v = json_string(s);
  g_free(s);
  return v;
}

static json_t *invitation_json(const sv_invitation *inv) {
  json_t *doc = json_pack("{s:s,s:s,s:s,s:s}", "id", inv->id, "consultation", inv->consultation,
                          "role", inv->role, "name", inv->name);
  json_object_set_new(doc, "issued", time_or_null(inv->issued));
  json_object_set_new(doc, "expires", time_or_null(inv->expires));
  json_object_set_new(doc, "used", time_or_null(inv->used));
  json_object_set_new(doc, "revoked", time_or_null(inv->revoked));
  return doc;
}

/* The join link of an invitation: what the coordinator copies and what
 * the person's calendar file carries (g_free). */
static char *join_link(const sv_api_call *call, const char *room, const char *token) {
  return g_strdup_printf("%s/?room=%s#token=%s", call->base_url, room, token);
}

/* Signs the join token of (role, name) for consultation c, valid until
 * exp: from the earliest of the join grace and the waiting room's opening
 * before the start. The same input gives the same token (signing is
 * deterministic), which is how a person's calendar file gets their link
 * again. Answers the error itself and returns NULL when it cannot. */
static char *sign_link_token(const sv_signaling *sig, const sv_consultation *c, const char *role,
                             const char *name, int64_t exp, sv_api_resp *resp) {
  if (!sig->token_secret) {
    sv_api_error(resp, "unavailable", "this server has no token secret for invitation links");
    return NULL;
  }
  int before =
      sig->grace_before_min > sig->waiting_open_min ? sig->grace_before_min : sig->waiting_open_min;
  sv_token_claims claims;
  memset(&claims, 0, sizeof claims);
  g_strlcpy(claims.room, c->id, sizeof claims.room);
  g_strlcpy(claims.role, role, sizeof claims.role);
  g_strlcpy(claims.name, name, sizeof claims.name);
  claims.nbf = c->start - (int64_t)before * 60;
  claims.exp = exp;
  gsize secret_len = 0;
  const uint8_t *secret = g_bytes_get_data(sig->token_secret, &secret_len);
  char *token = NULL;
  if (sv_token_sign(secret, secret_len, &claims, &token) < 0) {
    sv_api_error(resp, "internal", "cannot sign the invitation");
    return NULL;
  }
  return token;
}

static void issue(sv_signaling *sig, sv_api_call *call, const sv_consultation *c,
                  sv_api_resp *resp) {
  json_t *obj = sv_api_body_object(call, resp);
  if (!obj) return;
  const char *name, *role = json_string_value(json_object_get(obj, "role"));
  char *token = NULL;
  sv_role role_value;
  if (sv_role_parse(role, &role_value) != 0) {
    sv_api_error(resp, "bad-request",
                 "field 'role' must be one of specialist, municipal, patient, relative, "
                 "interpreter, observer");
    goto out;
  }
  if (!sv_api_text_field(obj, "name", 64, SV_API_MAX_TOKEN_NAME, true, &name, resp)) goto out;
  int64_t now = g_get_real_time() / G_USEC_PER_SEC;
  if (strcmp(c->status, "cancelled") == 0) {
    sv_api_error(resp, "conflict", "this consultation is cancelled: book a new one");
    goto out;
  }
  int64_t exp = c->end + (int64_t)sig->grace_after_min * 60;
  if (exp <= now) {
    sv_api_error(resp, "conflict", "this consultation is over: book a new one");
    goto out;
  }
  token = sign_link_token(sig, c, role, name, exp, resp);
  if (!token) goto out;
  sv_invitation inv;
  memset(&inv, 0, sizeof inv);
  g_strlcpy(inv.consultation, c->id, sizeof inv.consultation);
  g_strlcpy(inv.role, role, sizeof inv.role);
  g_strlcpy(inv.name, name, sizeof inv.name);
  sv_token_hash(token, inv.token_hash);
  inv.expires = exp;
  int err = sv_store_invitation_add(sig->db, &inv, call->actor, now);
  if (err < 0) {
    sv_api_store_error(resp, err, "the invitation");
    goto out;
  }
  json_t *doc = invitation_json(&inv);
  char *link = join_link(call, c->id, token);
  json_object_set_new(doc, "link", json_string(link));
  json_object_set_new(doc, "token", json_string(token));
  g_free(link);
  sv_api_json(resp, 201, doc);
out:
  g_free(token);
  json_decref(obj);
}

void sv_api_consultation_invitations(sv_signaling *sig, sv_api_call *call, const sv_consultation *c,
                                     sv_api_resp *resp) {
  if (call->method == LWSHUMETH_POST) {
    issue(sig, call, c, resp);
    return;
  }
  if (call->method != LWSHUMETH_GET) {
    sv_api_error(resp, "method-not-allowed", "use GET or POST on invitations");
    return;
  }
  sv_invitation *invs = NULL;
  size_t n = 0;
  int err = sv_store_invitation_list(sig->db, c->id, &invs, &n);
  if (err < 0) {
    sv_api_store_error(resp, err, "the invitation list");
    return;
  }
  json_t *arr = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(arr, invitation_json(&invs[i]));
  g_free(invs);
  sv_api_json(resp, 200, json_pack("{s:o}", "invitations", arr));
}

/* GET /api/invitations/{id}.ics?lang=nb|en */
static void invitation_ics(sv_signaling *sig, sv_api_call *call, const char *id,
                           sv_api_resp *resp) {
  const char *lang;
  if (call->method != LWSHUMETH_GET) {
    sv_api_error(resp, "method-not-allowed", "use GET for .ics");
    return;
  }
  if (!sv_api_ics_lang(call, &lang, resp)) return;
  sv_invitation inv;
  sv_consultation c;
  int err = sv_store_invitation_get(sig->db, id, &inv);
  if (err == 0) err = sv_store_consultation_get(sig->db, inv.consultation, &c);
  if (err < 0) {
    sv_api_store_error(resp, err, "this invitation");
    return;
  }
  if (inv.revoked) {
    sv_api_error(resp, "not-found", "this invitation is revoked: its link no longer works");
    return;
  }
  char *token = sign_link_token(sig, &c, inv.role, inv.name, inv.expires, resp);
  if (!token) return;
  char hash[SV_TOKEN_HASH_LEN + 1];
  sv_token_hash(token, hash);
  if (strcmp(hash, inv.token_hash) != 0) {
    /* Moved since it was issued, or the secret or the grace changed: this
     * link cannot be made again. */
    sv_api_error(resp, "conflict",
                 "this invitation's link cannot be made again (the consultation moved or the "
                 "server's settings changed since): issue a new invitation");
  } else {
    char *link = join_link(call, c.id, token);
    sv_api_ics(&c, g_get_real_time() / G_USEC_PER_SEC, lang, link, resp);
    g_free(link);
  }
  memset(token, 0, strlen(token));
  g_free(token);
}

/* DELETE /api/invitations/{id}, GET /api/invitations/{id}.ics */
void sv_api_invitations(sv_signaling *sig, sv_api_call *call, const char *rest, sv_api_resp *resp) {
  char id[SV_STORE_ID_MAX];
  size_t len = strcspn(rest + 1, "/.");
  const char *tail = rest + 1 + len;
  if (!len || len >= sizeof id || (tail[0] && strcmp(tail, ".ics") != 0)) {
    sv_api_error(resp, "not-found", "no such invitation");
    return;
  }
  memcpy(id, rest + 1, len);
  id[len] = '\0';
  if (tail[0]) {
    invitation_ics(sig, call, id, resp);
    return;
  }
  if (call->method != LWSHUMETH_DELETE) {
    sv_api_error(resp, "method-not-allowed",
                 "use DELETE to revoke an invitation (list them under their consultation)");
    return;
  }
  int err =
      sv_store_invitation_revoke(sig->db, id, call->actor, g_get_real_time() / G_USEC_PER_SEC);
  if (err == SV_ESTATE) {
    sv_api_error(resp, "conflict", "this invitation is already revoked");
    return;
  }
  if (err < 0) {
    sv_api_store_error(resp, err, "this invitation");
    return;
  }
  /* Whoever is in the call with this link goes now, not at their next join. */
  sv_links_recheck(sig);
  resp->status = 204;
  resp->type = "application/json";
}
