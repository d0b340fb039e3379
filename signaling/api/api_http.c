/*
 * api_http.c — the HTTP side of an /api request: copies the method, path,
 * query, Authorization header and base URL out of lws while the headers
 * are there, collects the body (at most SV_API_MAX_BODY bytes are kept;
 * more is read, dropped and answered with 413), hands the call to
 * sv_api_handle() and writes its response.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/common.h"
#include "signaling/api/api.h"
#include "signaling/signaling_int.h"

#define SV_API_MAX_AUTH 1024

#define SV_API_MAX_FRAGMENT (SV_API_MAX_VALUE + 64) /* one name=value, bytes */

/* A pair that is not UTF-8 or too long marks the call bad: a filter
 * silently dropped would widen a listing. */
void sv_http_api_query_add(sv_api_call *call, const char *frag, size_t len) {
  if (len >= SV_API_MAX_FRAGMENT || !g_utf8_validate(frag, (gssize)len, NULL)) {
    call->bad_query = true;
    return;
  }
  const char *eq = memchr(frag, '=', len);
  if (eq && (size_t)(frag + len - eq - 1) > SV_API_MAX_VALUE) {
    call->bad_query = true;
    return;
  }
  if (!eq || eq == frag) return;
  /* The first value of a name counts; empty values count as absent. */
  char *name = g_strndup(frag, (gsize)(eq - frag));
  if (eq + 1 < frag + len && !g_hash_table_contains(call->query, name)) {
    g_hash_table_insert(call->query, name, g_strndup(eq + 1, (gsize)(frag + len - eq - 1)));
    return;
  }
  g_free(name);
}

/* Copies the query's name=value pairs; more than SV_API_MAX_QUERY of them
 * mark the call (answered with 400). */
static void read_query(struct lws *wsi, sv_api_call *call) {
  char frag[SV_API_MAX_FRAGMENT];
  for (int i = 0; i < SV_API_MAX_QUERY; i++) {
    if (lws_hdr_fragment_length(wsi, WSI_TOKEN_HTTP_URI_ARGS, i) >= (int)sizeof frag) {
      call->bad_query = true;
      continue;
    }
    int n = lws_hdr_copy_fragment(wsi, frag, sizeof frag, WSI_TOKEN_HTTP_URI_ARGS, i);
    if (n < 0) break;
    sv_http_api_query_add(call, frag, strnlen(frag, sizeof frag));
  }
  /* One more is refused, not ignored: it could be the filter that mattered. */
  if (lws_hdr_fragment_length(wsi, WSI_TOKEN_HTTP_URI_ARGS, SV_API_MAX_QUERY) > 0)
    call->too_many_query = true;
}

static char *base_url(sv_signaling *sig, struct lws *wsi) {
  if (sig->public_url) return g_strdup(sig->public_url);
  char host[256] = "";
  if (lws_hdr_copy(wsi, host, sizeof host, WSI_TOKEN_HOST) <= 0 || !sv_http_host_is_safe(host))
    g_strlcpy(host, "localhost", sizeof host);
  return g_strdup_printf("%s://%s", sig->tls ? "https" : "http", host);
}

static const char *method_name(int method) {
  static const char *const names[] = {"GET",   "POST",   "OPTIONS", "PUT",
                                      "PATCH", "DELETE", "CONNECT", "HEAD"};
  return method >= 0 && method < (int)SV_ARRAY_LEN(names) ? names[method] : "?";
}

/* Logs method, path, status and the key's name: never the query (it may
 * name a consultation's period) or the body. */
static int finish(sv_signaling *sig, struct lws *wsi, sv_http_pss *pss) {
  sv_api_call *call = pss->api;
  pss->api = NULL;
  sv_api_resp resp;
  sv_api_handle(sig, call, &resp);
  SV_INFO("api", "%s %s -> %u%s%s", method_name(call->method), call->path, resp.status,
          call->actor[0] ? " by " : "", call->actor);
  sv_api_call_free(call);
  return sv_http_respond_api(sig, wsi, pss, &resp);
}

/* The body must arrive within body_s seconds: a client that trickles it
 * would hold the connection (and its memory) for as long as it liked. */
static gboolean on_body_timeout(gpointer data) {
  struct lws *wsi = data;
  sv_http_pss *pss = lws_wsi_user(wsi);
  sv_signaling *sig = lws_context_user(lws_get_context(wsi));
  char peer[64] = "";
  lws_get_peer_simple(wsi, peer, sizeof peer);
  sig->metrics.closed_slow_request++;
  sv_guard_refused(sig, "closed an /api request from %s: its body did not arrive within %u s", peer,
                   sig->body_s);
  if (pss) pss->body_timer = 0;
  /* Shut down at once (lws notices the hang-up on its next poll), and
   * have lws free it. */
  shutdown(lws_get_socket_fd(wsi), SHUT_RDWR);
  lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
  return G_SOURCE_REMOVE;
}

/* A request with a body: whoever may not use the API is answered (401)
 * before the body is read, so an unknown client holds nothing. /api/link
 * carries its own credential and no key. */
static int await_body(sv_signaling *sig, struct lws *wsi, sv_http_pss *pss, sv_api_call *call) {
  if (sig->db && strcmp(call->path, "/api/link") != 0) {
    sv_api_resp resp;
    memset(&resp, 0, sizeof resp);
    if (!sv_api_authenticate(sig, call, &resp)) {
      SV_INFO("api", "%s %s -> %u before its body (closed)", method_name(call->method), call->path,
              resp.status);
      char *body = g_strndup(resp.body, resp.len);
      g_free(resp.body);
      g_free(resp.disposition);
      int rc = sv_http_refuse(sig, wsi, resp.status, body);
      g_free(body);
      return rc;
    }
  }
  if (pss->body_timer) g_source_remove(pss->body_timer);
  pss->body_timer = g_timeout_add_seconds(sig->body_s, on_body_timeout, wsi);
  return 0;
}

int sv_http_api_begin(sv_signaling *sig, struct lws *wsi, sv_http_pss *pss, const char *path,
                      int method) {
  sv_api_call *call = g_new0(sv_api_call, 1);
  call->method = method;
  call->path = g_strdup(path);
  call->query = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  call->body = g_byte_array_new();
  call->base_url = base_url(sig, wsi);
  read_query(wsi, call);
  int auth_len = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_AUTHORIZATION);
  if (auth_len > 0 && auth_len < SV_API_MAX_AUTH) {
    call->auth = g_malloc0((gsize)auth_len + 1);
    if (lws_hdr_copy(wsi, call->auth, auth_len + 1, WSI_TOKEN_HTTP_AUTHORIZATION) < 0)
      call->auth[0] = '\0';
  }
  sv_api_call_free(pss->api);
  pss->api = call;
  /* A body comes when there is a Content-Length: wait for it (lws reads
   * it whatever the method). */
  char cl[32] = "";
  long long declared = 0;
  if (lws_hdr_copy(wsi, cl, sizeof cl, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0)
    declared = strtoll(cl, NULL, 10);
  if (declared > SV_API_MAX_BODY) call->too_big = true;
  if (declared > 0) return await_body(sig, wsi, pss, call);
  /* lws reads request bodies by Content-Length only. */
  call->no_length = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0;
  return finish(sig, wsi, pss);
}

void sv_http_api_body(sv_api_call *call, const void *in, size_t len) {
  if (call->too_big) return;
  if (len > SV_API_MAX_BODY - call->body->len) {
    call->too_big = true;
    return;
  }
  g_byte_array_append(call->body, in, (guint)len);
}

int sv_http_api_finish(sv_signaling *sig, struct lws *wsi, sv_http_pss *pss) {
  return finish(sig, wsi, pss);
}
