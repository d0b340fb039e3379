/*
 * http.c — plain HTTP next to the WebSocket: the web client from the web
 * root, GET /healthz, GET /metrics (metrics.c), and the security headers every response carries.
 * Requests under /api (except GET /api/notice, GET /api/accessibility and
 * the download links /api/recordings/<key>, whose random key is the
 * authorisation) go to api/api_http.c. /accessibility is the accessibility
 * statement page (accessibility.html).
 *
 * Files are read whole (the client is a few small ES modules; a cap guards
 * against surprises) and written in chunks on HTTP_WRITEABLE. A path is
 * served only if it names a regular file whose real path lies inside the web
 * root: no "..", no hidden files, no symlinks out.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/common.h"
#include "signaling/gzip.h"
#include "signaling/signaling_int.h"

#define SV_HTTP_MAX_FILE (32 * 1024 * 1024)
#define SV_HTTP_CHUNK    (16 * 1024)
#define SV_HTTP_MAX_PATH 1024

static const struct {
  const char *ext, *type;
} mime_types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".ico", "image/x-icon"},
    {".json", "application/json"},
    {".webmanifest", "application/manifest+json"},
    {".txt", "text/plain; charset=utf-8"},
    {".woff2", "font/woff2"},
};

static const char *mime_type(const char *path) {
  const char *dot = strrchr(path, '.');
  for (size_t i = 0; dot && i < SV_ARRAY_LEN(mime_types); i++) {
    if (g_ascii_strcasecmp(dot, mime_types[i].ext) == 0) return mime_types[i].type;
  }
  return "application/octet-stream";
}

/* A Host header is reflected into the CSP only if it looks like host[:port]. */
bool sv_http_host_is_safe(const char *host) {
  if (!*host) return false;
  for (const char *p = host; *p; p++) {
    if (!g_ascii_isalnum(*p) && !strchr(".-:[]", *p)) return false;
  }
  return true;
}

static int add_header(struct lws *wsi, const char *name, const char *value, unsigned char **p,
                      unsigned char *end) {
  return lws_add_http_header_by_name(wsi, (const unsigned char *)name, (const unsigned char *)value,
                                     (int)strlen(value), p, end);
}

/* The headers of every response. The CSP allows only this origin (and its
 * WebSocket, named explicitly for browsers whose 'self' does not cover
 * ws:/wss:); camera and microphone are allowed for this origin alone. */
static int add_security_headers(sv_signaling *sig, struct lws *wsi, bool no_store,
                                unsigned char **p, unsigned char *end) {
  char host[256] = "", csp[768];
  if (lws_hdr_copy(wsi, host, sizeof host, WSI_TOKEN_HOST) <= 0 || !sv_http_host_is_safe(host))
    host[0] = '\0';
  snprintf(csp, sizeof csp,
           "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
           "media-src 'self' blob:; connect-src 'self'%s%s; object-src 'none'; base-uri 'none'; "
           "form-action 'self'; frame-ancestors 'none'",
           host[0] ? (sig->tls ? " wss://" : " ws://") : "", host);
  if (add_header(wsi, "content-security-policy:", csp, p, end) ||
      add_header(wsi, "x-content-type-options:", "nosniff", p, end) ||
      add_header(wsi, "x-frame-options:", "DENY", p, end) ||
      add_header(wsi, "referrer-policy:", "no-referrer", p, end) ||
      add_header(wsi, "cross-origin-opener-policy:", "same-origin", p, end) ||
      add_header(wsi, "permissions-policy:",
                 "camera=(self), microphone=(self), display-capture=(self), fullscreen=(self), "
                 "geolocation=(), payment=(), usb=()",
                 p, end) ||
      add_header(wsi, "cache-control:", no_store ? "no-store" : "no-cache", p, end))
    return -1;
  if (sig->strict_transport &&
      add_header(wsi, "strict-transport-security:", "max-age=31536000", p, end))
    return -1;
  return 0;
}

static int add_extra_headers(struct lws *wsi, const char *const *extra, unsigned char **p,
                             unsigned char *end) {
  for (size_t i = 0; extra && extra[i]; i += 2) {
    if (extra[i + 1] && add_header(wsi, extra[i], extra[i + 1], p, end)) return -1;
  }
  return 0;
}

/* Writes the status line and headers, then lets HTTP_WRITEABLE send the body
 * (taken over; g_free'd). Returns what the lws callback should return. */
static int respond_with(sv_signaling *sig, struct lws *wsi, sv_http_pss *pss, unsigned status,
                        const char *type, char *body, size_t len, bool head_only, bool no_store,
                        const char *const *extra) {
  unsigned char buf[LWS_PRE + 2048];
  unsigned char *start = buf + LWS_PRE, *p = start, *end = buf + sizeof buf - 1;
  g_free(pss->body);
  pss->body = NULL;
  if (lws_add_http_common_headers(wsi, status, type, len, &p, end) ||
      add_security_headers(sig, wsi, no_store, &p, end) ||
      (status == HTTP_STATUS_METHOD_NOT_ALLOWED &&
       add_header(wsi, "allow:", extra ? "GET, POST, PUT, PATCH, DELETE" : "GET, HEAD", &p, end)) ||
      add_extra_headers(wsi, extra, &p, end) ||
      lws_finalize_write_http_header(wsi, start, &p, end)) {
    g_free(body);
    return -1;
  }
  if (head_only || len == 0) {
    g_free(body);
    return lws_http_transaction_completed(wsi) ? -1 : 0;
  }
  pss->body = body;
  pss->len = len;
  pss->sent = 0;
  lws_callback_on_writable(wsi);
  return 0;
}

static int respond(sv_signaling *sig, struct lws *wsi, sv_http_pss *pss, unsigned status,
                   const char *type, char *body, size_t len, bool head_only, bool no_store) {
  return respond_with(sig, wsi, pss, status, type, body, len, head_only, no_store, NULL);
}

int sv_http_respond_api(sv_signaling *sig, struct lws *wsi, sv_http_pss *pss, sv_api_resp *resp) {
  /* Empty pairs are skipped; the list always ends with NULL. */
  const char *extra[] = {"content-disposition:", resp->disposition, "www-authenticate:",
                         resp->status == 401 ? "Bearer realm=\"samvei\"" : NULL, NULL};
  int rc = respond_with(sig, wsi, pss, resp->status, resp->type ? resp->type : "application/json",
                        resp->body, resp->len, false, true, extra);
  g_free(resp->disposition);
  resp->body = resp->disposition = NULL;
  return rc;
}

static int respond_text(sv_signaling *sig, struct lws *wsi, sv_http_pss *pss, unsigned status,
                        const char *text, bool head_only) {
  return respond(sig, wsi, pss, status, "text/plain; charset=utf-8", g_strdup(text), strlen(text),
                 head_only, true);
}

static int write_body(struct lws *wsi, sv_http_pss *pss) {
  if (!pss->body) return 0;
  size_t n = pss->len - pss->sent;
  if (n > SV_HTTP_CHUNK) n = SV_HTTP_CHUNK;
  bool last = pss->sent + n == pss->len;
  unsigned char *chunk = g_malloc(LWS_PRE + n);
  memcpy(chunk + LWS_PRE, pss->body + pss->sent, n);
  int written = lws_write(wsi, chunk + LWS_PRE, n, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP);
  g_free(chunk);
  if (written < 0 || (size_t)written < n) return -1;
  pss->sent += n;
  if (!last) {
    lws_callback_on_writable(wsi);
    return 0;
  }
  g_free(pss->body);
  pss->body = NULL;
  return lws_http_transaction_completed(wsi) ? -1 : 0;
}

char *sv_http_resolve(const char *web_root, const char *path) {
  if (path[0] != '/' || strlen(path) > SV_HTTP_MAX_PATH || strchr(path, '\\')) return NULL;
  /* No segment may start with '.': that refuses "..", "." and hidden files. */
  for (const char *s = path; (s = strchr(s, '/')); s++) {
    if (s[1] == '.') return NULL;
  }
  char *joined = g_strconcat(web_root, path, NULL);
  char *file = NULL, real[PATH_MAX];
  struct stat st;
  if (!realpath(joined, real) || stat(real, &st) != 0) goto out;
  if (S_ISDIR(st.st_mode)) {
    char *index = g_build_filename(real, "index.html", NULL);
    bool ok = realpath(index, real) && stat(real, &st) == 0;
    g_free(index);
    if (!ok) goto out;
  }
  size_t root_len = strlen(web_root);
  if (!S_ISREG(st.st_mode) || strncmp(real, web_root, root_len) != 0 || real[root_len] != '/')
    goto out;
  file = g_strdup(real);
out:
  g_free(joined);
  return file;
}

static int serve_file(sv_signaling *sig, struct lws *wsi, sv_http_pss *pss, const char *path,
                      bool head_only) {
  char *file = sv_http_resolve(sig->web_root, path);
  if (!file) return respond_text(sig, wsi, pss, HTTP_STATUS_NOT_FOUND, "Not found\n", head_only);
  char *body = NULL;
  gsize len = 0;
  GError *error = NULL;
  struct stat st;
  if (stat(file, &st) != 0 || st.st_size > SV_HTTP_MAX_FILE ||
      !g_file_get_contents(file, &body, &len, &error)) {
    SV_WARN("signaling", "cannot serve %s: %s", file, error ? error->message : "too big");
    g_clear_error(&error);
    g_free(file);
    return respond_text(sig, wsi, pss, HTTP_STATUS_INTERNAL_SERVER_ERROR, "Server error\n",
                        head_only);
  }
  const char *type = mime_type(file);
  /* HTML is never stored: it names the modules, and a stale page would load
   * a client that no longer matches the server. The rest is revalidated. */
  bool no_store = g_str_has_prefix(type, "text/html");
  g_free(file);
  /* Text goes compressed to a browser that takes gzip: on a narrow link
   * the call page is a quarter of the bytes. */
  const char *gz_headers[] = {"content-encoding:", "gzip", "vary:", "accept-encoding", NULL};
  const char *const *extra = NULL;
  char ae[256];
  if (sv_gzip_worth(type, len) &&
      lws_hdr_copy(wsi, ae, sizeof ae, WSI_TOKEN_HTTP_ACCEPT_ENCODING) > 0 &&
      sv_gzip_accepted(ae)) {
    size_t zlen;
    char *z = sv_gzip(body, len, &zlen);
    if (z) {
      g_free(body);
      body = z;
      len = zlen;
      extra = gz_headers;
    }
  }
  return respond_with(sig, wsi, pss, HTTP_STATUS_OK, type, body, len, head_only, no_store, extra);
}

static int serve_health(sv_signaling *sig, struct lws *wsi, sv_http_pss *pss, bool head_only) {
  char *body = g_strdup_printf("{\"status\":\"ok\",\"rooms\":%zu,\"participants\":%zu}\n",
                               sv_rooms_count(sig->rooms), sv_rooms_participant_count(sig->rooms));
  return respond(sig, wsi, pss, HTTP_STATUS_OK, "application/json", body, strlen(body), head_only,
                 true);
}

static int serve_metrics(sv_signaling *sig, struct lws *wsi, sv_http_pss *pss, bool head_only) {
  size_t len = 0;
  char *body = sv_metrics_render(sig, &len);
  return respond(sig, wsi, pss, HTTP_STATUS_OK, "text/plain; version=0.0.4; charset=utf-8", body,
                 len, head_only, true);
}

/* A configured text as {"<key>": text}, or {"<key>": null} when there is
 * none (the client shows its own): the privacy notice, the accessibility
 * statement. */
static int serve_text_doc(sv_signaling *sig, struct lws *wsi, sv_http_pss *pss, const char *key,
                          const char *value, bool head_only) {
  json_t *doc = json_pack("{s:o}", key, value ? json_string(value) : json_null());
  char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
  json_decref(doc);
  char *body = text ? g_strdup(text) : g_strdup_printf("{\"%s\":null}", key);
  free(text);
  return respond(sig, wsi, pss, HTTP_STATUS_OK, "application/json", body, strlen(body), head_only,
                 true);
}

/* A recording or still by its download key (recording.c hands keys to
 * hosts in the call and to API-key holders). Streamed from disk by lws in
 * chunks as the socket drains, so a large recording neither fills memory
 * nor stalls the main loop. */
static int serve_recording(sv_signaling *sig, struct lws *wsi, sv_http_pss *pss, const char *key,
                           bool head_only) {
  char *file = NULL;
  const char *type = NULL;
  if (!sv_recording_download(sig, key, &file, &type))
    return respond_text(sig, wsi, pss, HTTP_STATUS_NOT_FOUND, "Not found\n", head_only);
  /* The file's own name (a time stamp and an opaque id) for "Save as". */
  char disposition[160];
  snprintf(disposition, sizeof disposition, "attachment; filename=\"%s\"", strrchr(file, '/') + 1);
  unsigned char headers[2048], *p = headers;
  if (add_header(wsi, "content-disposition:", disposition, &p, headers + sizeof headers) ||
      add_security_headers(sig, wsi, true, &p, headers + sizeof headers)) {
    g_free(file);
    return -1;
  }
  int n = lws_serve_http_file(wsi, file, type, (const char *)headers, (int)(p - headers));
  g_free(file);
  /* < 0: lws could not open it (closed); > 0: done (keep-alive handled). */
  if (n < 0) return -1;
  if (n > 0 && lws_http_transaction_completed(wsi)) return -1;
  return 0;
}

static int on_http(sv_signaling *sig, struct lws *wsi, sv_http_pss *pss, const char *path) {
  char *uri = NULL;
  int uri_len = 0;
  int method = lws_http_get_uri_and_method(wsi, &uri, &uri_len);
  bool head_only = method == LWSHUMETH_HEAD;
  bool download = g_str_has_prefix(path, "/api/recordings/");
  bool open_api = strcmp(path, "/api/notice") == 0 || strcmp(path, "/api/accessibility") == 0;
  if (g_str_has_prefix(path, "/api/") && !open_api && !download)
    return sv_http_api_begin(sig, wsi, pss, path, method);
  if (method != LWSHUMETH_GET && !head_only)
    return respond_text(sig, wsi, pss, HTTP_STATUS_METHOD_NOT_ALLOWED,
                        "Only GET and HEAD are served here\n", false);
  if (strcmp(path, "/healthz") == 0) return serve_health(sig, wsi, pss, head_only);
  if (strcmp(path, "/metrics") == 0) return serve_metrics(sig, wsi, pss, head_only);
  if (strcmp(path, "/api/notice") == 0)
    return serve_text_doc(sig, wsi, pss, "notice", sig->privacy_notice, head_only);
  if (strcmp(path, "/api/accessibility") == 0)
    return serve_text_doc(sig, wsi, pss, "statement", sig->accessibility_statement, head_only);
  if (strcmp(path, "/accessibility") == 0)
    return serve_file(sig, wsi, pss, "/accessibility.html", head_only);
  if (download) return serve_recording(sig, wsi, pss, path + strlen("/api/recordings/"), head_only);
  if (strcmp(path, SV_WS_PATH) == 0)
    return respond_text(
        sig, wsi, pss, HTTP_STATUS_BAD_REQUEST,
        "This is the WebSocket endpoint: connect with subprotocol " SV_WS_PROTOCOL "\n", head_only);
  return serve_file(sig, wsi, pss, path, head_only);
}

/* Request smuggling: with both Content-Length and
 * Transfer-Encoding, a proxy in front may frame the body by one and
 * libwebsockets frames it by Content-Length, so a second request can hide
 * in the body. libwebsockets does not read chunked request bodies either,
 * so with Transfer-Encoding alone the body would be parsed as the next
 * request. Either gets 400 and the connection is closed, before any body
 * is read. Returns what the filter callback returns (nonzero: close). */
static int filter_request(sv_signaling *sig, struct lws *wsi) {
  if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) <= 0) return 0;
  bool both = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0;
  char peer[64] = "";
  lws_get_peer_simple(wsi, peer, sizeof peer);
  SV_INFO("signaling", "refused a request from %s with Transfer-Encoding%s (400, closed)", peer,
          both ? " and Content-Length" : "");
  return sv_http_refuse(
      sig, wsi, HTTP_STATUS_BAD_REQUEST,
      both ? "{\"error\":{\"code\":\"bad-request\",\"message\":\"a request may not carry both "
             "Content-Length and Transfer-Encoding; send the body with Content-Length only\"}}\n"
           : "{\"error\":{\"code\":\"bad-request\",\"message\":\"send the body with a "
             "Content-Length header (chunked bodies are not read)\"}}\n");
}

int sv_http_refuse(sv_signaling *sig, struct lws *wsi, unsigned status, const char *json_body) {
  size_t len = strlen(json_body);
  unsigned char buf[LWS_PRE + 2048];
  unsigned char *start = buf + LWS_PRE, *p = start, *end = buf + sizeof buf - 1;
  if (lws_add_http_common_headers(wsi, status, "application/json", len, &p, end) ||
      add_security_headers(sig, wsi, true, &p, end) ||
      (status == HTTP_STATUS_UNAUTHORIZED &&
       add_header(wsi, "www-authenticate:", "Bearer realm=\"samvei\"", &p, end)) ||
      add_header(wsi, "connection:", "close", &p, end) ||
      lws_finalize_write_http_header(wsi, start, &p, end))
    return -1;
  unsigned char *out = g_malloc(LWS_PRE + len);
  memcpy(out + LWS_PRE, json_body, len);
  lws_write(wsi, out + LWS_PRE, len, LWS_WRITE_HTTP_FINAL);
  g_free(out);
  return -1;
}

static void drop_api(sv_http_pss *pss) {
  if (pss->body_timer) g_source_remove(pss->body_timer);
  pss->body_timer = 0;
  sv_api_call_free(pss->api);
  pss->api = NULL;
}

int sv_http_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                     size_t len) {
  sv_http_pss *pss = user;
  sv_signaling *sig = lws_context_user(lws_get_context(wsi));

  switch (reason) {
  case LWS_CALLBACK_FILTER_NETWORK_CONNECTION:
    return sig ? sv_guard_accept(sig, (int)(intptr_t)in) : 0;
  case LWS_CALLBACK_WSI_CREATE:
    if (sig) sv_guard_created(sig, wsi);
    return 0;
  case LWS_CALLBACK_WSI_DESTROY:
    /* user is whatever protocol the connection ended in: not ours to read. */
    if (sig) sv_guard_destroyed(sig, wsi);
    return 0;
  case LWS_CALLBACK_FILTER_HTTP_CONNECTION:
    return sig ? filter_request(sig, wsi) : 0;
  case LWS_CALLBACK_HTTP:
    return on_http(sig, wsi, pss, in ? (const char *)in : "/");
  case LWS_CALLBACK_HTTP_WRITEABLE:
    return pss ? write_body(wsi, pss) : 0;
  case LWS_CALLBACK_HTTP_BODY:
    /* Kept for an /api request (up to its cap), else read and dropped. */
    if (pss && pss->api) sv_http_api_body(pss->api, in, len);
    return 0;
  case LWS_CALLBACK_HTTP_BODY_COMPLETION:
    if (pss && pss->body_timer) {
      g_source_remove(pss->body_timer);
      pss->body_timer = 0;
    }
    if (pss && pss->api) return sv_http_api_finish(sig, wsi, pss);
    /* The 405 was prepared on LWS_CALLBACK_HTTP; its body goes out now. */
    if (pss && pss->body) lws_callback_on_writable(wsi);
    return 0;
  case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
  case LWS_CALLBACK_CLOSED_HTTP:
    /* lws frees the per-session data after each transaction, and this is
     * the callback that always comes before it. */
    if (pss) {
      g_free(pss->body);
      pss->body = NULL;
      drop_api(pss);
    }
    return 0;
  case LWS_CALLBACK_OPENSSL_LOAD_EXTRA_SERVER_VERIFY_CERTS:
    /* The one place lws hands out the vhost's SSL_CTX: kept for reloading
     * the certificate on SIGHUP (sv_signaling_reload_tls). */
    if (sig) sig->tls_ctx = user;
    return 0;
  case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
    /* An upgrade that asked for no subprotocol (or none we speak). */
    return 1;
  default:
    return lws_callback_http_dummy(wsi, reason, user, in, len);
  }
}
