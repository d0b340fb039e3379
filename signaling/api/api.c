/*
 * api.c — the REST API's front: API-key authentication, routing by path
 * prefix to the resource files, and the helpers they share (errors, JSON
 * in and out, times).
 *
 * Every /api path except GET /api/notice and GET /api/accessibility
 * (served by http.c) and GET /api/link (api_link.c: the invitation's
 * token instead) needs
 * `Authorization: Bearer <key>`; the store keeps only the key's SHA-256.
 * The key's name becomes the actor of what the request changes in the
 * session log.
 */
#include "signaling/api/api.h"

#include <libwebsockets.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/common.h"
#include "schedule/token.h"
#include "signaling/signaling_int.h"

void sv_api_call_free(sv_api_call *call) {
  if (!call) return;
  g_free(call->path);
  if (call->query) g_hash_table_destroy(call->query);
  if (call->auth) memset(call->auth, 0, strlen(call->auth));
  g_free(call->auth);
  g_free(call->base_url);
  if (call->body) g_byte_array_unref(call->body);
  g_free(call);
}

static const struct {
  const char *code;
  unsigned status;
} error_status[] = {
    {"bad-request", 400}, {"unauthorized", 401},       {"forbidden", 403},
    {"not-found", 404},   {"method-not-allowed", 405}, {"conflict", 409},
    {"too-big", 413},     {"internal", 500},           {"unavailable", 503},
};

void sv_api_json(sv_api_resp *resp, unsigned status, json_t *doc) {
  char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
  json_decref(doc);
  g_free(resp->body);
  resp->status = status;
  resp->type = "application/json";
  if (!text) {
    /* Only a string that is not UTF-8 makes jansson refuse; inputs are
     * checked, so this is a bug, not a client's doing. */
    resp->status = 500;
    resp->body = g_strdup("{\"error\":{\"code\":\"internal\",\"message\":\"cannot encode the "
                          "response\"}}\n");
  } else {
    resp->body = g_strconcat(text, "\n", NULL);
    free(text);
  }
  resp->len = strlen(resp->body);
}

void sv_api_error(sv_api_resp *resp, const char *code, const char *fmt, ...) {
  char message[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);
  unsigned status = 500;
  for (size_t i = 0; i < SV_ARRAY_LEN(error_status); i++) {
    if (strcmp(error_status[i].code, code) == 0) status = error_status[i].status;
  }
  /* The message may quote input that is not UTF-8: jansson refuses such a
   * string, so it is made valid first. */
  char *valid = g_utf8_make_valid(message, -1);
  sv_api_json(resp, status, json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", valid));
  g_free(valid);
}

void sv_api_store_error(sv_api_resp *resp, int err, const char *what) {
  switch (err) {
  case SV_ENOENT:
    sv_api_error(resp, "not-found", "%s does not exist", what);
    break;
  case SV_ESTATE:
  case SV_EEXIST:
    sv_api_error(resp, "conflict", "%s cannot be changed like that in its current state", what);
    break;
  case SV_EINVAL:
    sv_api_error(resp, "bad-request", "%s: a field is not valid", what);
    break;
  default:
    sv_api_error(resp, "internal",
                 "the database failed (see the server log); retry once, then "
                 "report");
  }
}

json_t *sv_api_body_object(const sv_api_call *call, sv_api_resp *resp) {
  if (!call->body || call->body->len == 0) {
    sv_api_error(resp, "bad-request", "send a JSON object as the request body");
    return NULL;
  }
  json_error_t jerr;
  json_t *doc =
      json_loadb((const char *)call->body->data, call->body->len, JSON_REJECT_DUPLICATES, &jerr);
  if (!doc) {
    sv_api_error(resp, "bad-request", "the body is not valid JSON (line %d, column %d): %s",
                 jerr.line, jerr.column, jerr.text);
    return NULL;
  }
  if (!json_is_object(doc)) {
    json_decref(doc);
    sv_api_error(resp, "bad-request", "the body must be a JSON object");
    return NULL;
  }
  return doc;
}

char *sv_api_time_iso(int64_t t) {
  GDateTime *dt = g_date_time_new_from_unix_utc(t);
  if (!dt) return g_strdup("1970-01-01T00:00:00Z");
  char *s = g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ");
  g_date_time_unref(dt);
  return s;
}

/* Years 2000-2199 cover every real booking and keep arithmetic far from
 * overflow. */
#define SV_API_TIME_MIN 946684800LL  /* 2000-01-01 */
#define SV_API_TIME_MAX 7258118400LL /* 2200-01-01 */

bool sv_api_time_parse(json_t *value, int64_t *out) {
  int64_t t;
  if (json_is_integer(value)) {
    t = json_integer_value(value);
  } else if (json_is_string(value)) {
    const char *s = json_string_value(value);
    /* A zone is required: a time without one is ambiguous between the
     * coordinator's and the server's clock. */
    if (strlen(s) < 20 || strlen(s) > 40 || (s[10] != 'T' && s[10] != 't')) return false;
    GDateTime *dt = g_date_time_new_from_iso8601(s, NULL);
    if (!dt) return false;
    t = g_date_time_to_unix(dt);
    g_date_time_unref(dt);
  } else {
    return false;
  }
  if (t < SV_API_TIME_MIN || t > SV_API_TIME_MAX) return false;
  *out = t;
  return true;
}

bool sv_api_text_field(json_t *obj, const char *name, size_t max, size_t max_bytes, bool required,
                       const char **out, sv_api_resp *resp) {
  json_t *v = json_object_get(obj, name);
  *out = NULL;
  if (!v || json_is_null(v)) {
    if (!required) return true;
    sv_api_error(resp, "bad-request", "field '%s' is missing: a text of 1-%zu characters", name,
                 max);
    return false;
  }
  const char *s = json_is_string(v) ? json_string_value(v) : NULL;
  bool ok = s != NULL;
  size_t chars = ok ? g_utf8_strlen(s, -1) : 0;
  ok = ok && chars >= 1 && chars <= max && strlen(s) <= max_bytes;
  ok = ok && sv_text_plain(s);
  if (ok) {
    /* Not only white space. */
    bool blank = true;
    for (const char *p = s; *p; p++)
      blank = blank && g_ascii_isspace(*p);
    ok = !blank;
  }
  if (!ok) {
    sv_api_error(resp, "bad-request",
                 "field '%s' must be a text of 1-%zu characters (at most %zu bytes of UTF-8) "
                 "without control characters",
                 name, max, max_bytes);
    return false;
  }
  *out = s;
  return true;
}

/* Authorization: Bearer <key>, checked against the stored hashes. */
bool sv_api_authenticate(sv_signaling *sig, sv_api_call *call, sv_api_resp *resp) {
  const char *auth = call->auth;
  if (!auth || g_ascii_strncasecmp(auth, "Bearer ", 7) != 0 || !auth[7]) {
    sv_api_error(resp, "unauthorized",
                 "send an API key as 'Authorization: Bearer <key>' (an admin makes one with "
                 "'samvei apikey create --name NAME')");
    return false;
  }
  const char *key = auth + 7;
  while (*key == ' ')
    key++;
  char hash[SV_TOKEN_HASH_LEN + 1];
  sv_token_hash(key, hash);
  sv_apikey info;
  memset(&info, 0, sizeof info);
  if (strlen(key) > 256 || !sv_store_apikey_check(sig->db, hash, &info)) {
    sv_api_error(resp, "unauthorized", "this API key is not valid (unknown or revoked)");
    return false;
  }
  g_strlcpy(call->actor, info.name, sizeof call->actor);
  return true;
}

void sv_api_handle(sv_signaling *sig, sv_api_call *call, sv_api_resp *resp) {
  memset(resp, 0, sizeof *resp);
  if (call->too_big) {
    sv_api_error(resp, "too-big", "the request body is over %d bytes", SV_API_MAX_BODY);
    return;
  }
  if (call->no_length) {
    sv_api_error(resp, "bad-request",
                 "send the body with a Content-Length header (chunked bodies are not read)");
    return;
  }
  if (call->too_many_query) {
    sv_api_error(resp, "bad-request",
                 "a request may have at most %d query parameters; send fewer (each filter once)",
                 SV_API_MAX_QUERY);
    return;
  }
  if (call->bad_query) {
    sv_api_error(resp, "bad-request",
                 "every query parameter must be UTF-8 text of at most %d bytes", SV_API_MAX_VALUE);
    return;
  }
  /* The link's own token is its credential there, not an API key. */
  if (strcmp(call->path, "/api/link") == 0) {
    sv_api_link(sig, call, resp);
    return;
  }
  if (!sig->db) {
    sv_api_error(resp, "unavailable", "this server runs without a database: the API is off");
    return;
  }
  if (!sv_api_authenticate(sig, call, resp)) return;
  const char *path = call->path;
  if (g_str_has_prefix(path, "/api/teams") && (!path[10] || path[10] == '/'))
    sv_api_teams(sig, call, path + 10, resp);
  else if (g_str_has_prefix(path, "/api/consultations") && (!path[18] || strchr("/.", path[18])))
    sv_api_consultations(sig, call, path + 18, resp);
  else if (g_str_has_prefix(path, "/api/invitations/"))
    sv_api_invitations(sig, call, path + 16, resp);
  else if (strcmp(path, "/api/audit") == 0)
    sv_api_audit(sig, call, resp);
  else if (strcmp(path, "/api/stats") == 0)
    sv_api_stats(sig, call, resp);
  else
    sv_api_error(resp, "not-found", "there is no API resource at this path (see docs/api.md)");
}
