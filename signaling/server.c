/*
 * server.c — starting and stopping the signalling server: checks the
 * configuration (TLS or loopback-only plain HTTP, readable certificate and
 * web root), creates the libwebsockets context on the caller's GMainLoop
 * (glib event library, "foreign loop") and one vhost with two protocols:
 * HTTP (http.c) and the samvei-v1 WebSocket (ws.c).
 */
#include <arpa/inet.h>
#include <limits.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "signaling/signaling_int.h"
#include "signaling/urgent.h"

/* protocols[0] also receives lws's generic callbacks and the upgrades that
 * name no subprotocol (which it refuses). rx_buffer_size bounds what one
 * RECEIVE callback delivers, not the message size: ws.c caps that. */
static const struct lws_protocols protocols[] = {
    {.name = "http", .callback = sv_http_callback, .per_session_data_size = sizeof(sv_http_pss)},
    {.name = SV_WS_PROTOCOL,
     .callback = sv_ws_callback,
     .per_session_data_size = sizeof(sv_ws_pss),
     .rx_buffer_size = 16384},
    {0},
};

/* WebSocket liveness: a tablet that drops off the network sends no close, so
 * lws pings a connection idle for 20 s and hangs up after 60 s without a
 * valid frame; the participant then leaves as "disconnected". */
static const lws_retry_bo_t idle_policy = {
    .secs_since_valid_ping = 20,
    .secs_since_valid_hangup = 60,
};

bool sv_signaling_is_loopback(const char *address) {
  struct in_addr a4;
  struct in6_addr a6;
  if (!address) return false;
  if (strcmp(address, "localhost") == 0) return true;
  if (inet_pton(AF_INET, address, &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
  if (inet_pton(AF_INET6, address, &a6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&a6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127;
  }
  return false;
}

/* libwebsockets logs through ours: its errors are usually a client's doing
 * (a failed TLS handshake), so they become warnings; the rest is debug. */
/* A flood (failing accepts, handshakes) repeats a line many times a
 * second: the warnings are rate-limited, the rest counted in the next. */
static void lws_log_bridge(int level, const char *line) {
  static sv_log_limit limit;
  size_t len = strlen(line);
  while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
    len--;
  if (!(level & LLL_ERR)) {
    SV_DEBUG("lws", "%.*s", (int)len, line);
    return;
  }
  uint64_t held = 0;
  if (!sv_log_limit_take(&limit, g_get_monotonic_time(), &held)) return;
  if (held)
    SV_WARN("lws", "%.*s (%" G_GUINT64_FORMAT " similar lines not logged)", (int)len, line, held);
  else
    SV_WARN("lws", "%.*s", (int)len, line);
}

/* lws reports a bad certificate only as "vhost creation failed"; loading it
 * once with OpenSSL first gives the operator a sentence naming the file. */
/* With into != NULL, a good pair is then loaded into that context too. */
static int check_tls_files(const char *cert, const char *key, SSL_CTX *into) {
  int rc = SV_EINVAL;
  SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
  char why[256] = "";
  if (!ctx) {
    SV_ERROR("signaling", "cannot create a TLS context (OpenSSL)");
    return SV_EIO;
  }
  if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
    ERR_error_string_n(ERR_get_error(), why, sizeof why);
    SV_ERROR("signaling",
             "cannot use certificate %s (%s): give a PEM certificate chain with --cert, e.g. from "
             "certs/make-dev-certs.sh",
             cert, why);
    goto out;
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    ERR_error_string_n(ERR_get_error(), why, sizeof why);
    SV_ERROR("signaling",
             "cannot use private key %s with certificate %s (%s): give the matching "
             "unencrypted PEM key with --key",
             key, cert, why);
    goto out;
  }
  /* The pair is good, so loading it into the live context cannot leave a
   * certificate without its key (unless the files change in between: then
   * the check below fails and the next SIGHUP repairs it). */
  if (into && (SSL_CTX_use_certificate_chain_file(into, cert) != 1 ||
               SSL_CTX_use_PrivateKey_file(into, key, SSL_FILETYPE_PEM) != 1 ||
               SSL_CTX_check_private_key(into) != 1)) {
    ERR_error_string_n(ERR_get_error(), why, sizeof why);
    SV_ERROR("signaling", "cannot load %s and %s into the running server (%s)", cert, key, why);
    rc = SV_EIO;
    goto out;
  }
  rc = 0;
out:
  ERR_clear_error();
  SSL_CTX_free(ctx);
  return rc;
}

static int check_config(const sv_signaling_config *config, sv_signaling *sig) {
  const char *web_root = config->web_root ? config->web_root : "web";
  char real[PATH_MAX];
  if (!!config->cert_path != !!config->key_path) {
    SV_ERROR("signaling", "give both --cert and --key for HTTPS, or neither for plain HTTP on a "
                          "loopback address");
    return SV_EINVAL;
  }
  if (!sig->tls && !sv_signaling_is_loopback(sig->bind_address)) {
    SV_ERROR("signaling",
             "refusing to serve plain HTTP on %s: browsers allow camera and microphone only over "
             "HTTPS; give --cert and --key (see certs/README.md), or bind to 127.0.0.1 for local "
             "development",
             sig->bind_address);
    return SV_EINVAL;
  }
  if (sig->tls) {
    int rc = check_tls_files(config->cert_path, config->key_path, NULL);
    if (rc < 0) return rc;
  }
  if (!realpath(web_root, real) || !g_file_test(real, G_FILE_TEST_IS_DIR)) {
    SV_ERROR("signaling",
             "web root %s is not a readable directory: give the client's folder "
             "with --web-root",
             web_root);
    return SV_EINVAL;
  }
  sig->web_root = g_strdup(real);
  return 0;
}

/* lws takes an interface name or an address; the wildcard addresses become
 * "all interfaces" (IPv4 only for 0.0.0.0) and localhost the IPv4 loopback. */
static const char *lws_iface(const char *bind, uint64_t *options) {
  if (strcmp(bind, "0.0.0.0") == 0) {
    *options |= LWS_SERVER_OPTION_DISABLE_IPV6;
    return NULL;
  }
  if (strcmp(bind, "::") == 0) return NULL;
  if (strcmp(bind, "localhost") == 0) {
    *options |= LWS_SERVER_OPTION_DISABLE_IPV6;
    return "127.0.0.1";
  }
  struct in_addr a4;
  if (inet_pton(AF_INET, bind, &a4) == 1) *options |= LWS_SERVER_OPTION_DISABLE_IPV6;
  return bind;
}

int sv_signaling_new(const sv_signaling_config *config, GMainLoop *loop, sv_signaling **out) {
  int rc = SV_EINVAL;
  sv_signaling *sig = g_new0(sv_signaling, 1);
  sig->bind_address = g_strdup(config->bind_address ? config->bind_address : "0.0.0.0");
  sig->allow_open_rooms = config->allow_open_rooms;
  sig->chat_off = config->chat_off;
  if (config->token_secret && config->token_secret_len)
    sig->token_secret = g_bytes_new(config->token_secret, config->token_secret_len);
  sig->grace_before_min = config->join_grace_before_min;
  sig->grace_after_min = config->join_grace_after_min;
  sig->waiting_open_min = config->waiting_room_open_min;
  sig->privacy_notice = g_strdup(config->privacy_notice);
  sig->accessibility_statement = g_strdup(config->accessibility_statement);
  sig->store = config->store;
  sig->store_user = config->store_user;
  sig->recordings = sv_recordings_new(config, sig);
  sig->db = config->db;
  sig->public_url = config->public_url && *config->public_url ? g_strdup(config->public_url) : NULL;
  sig->urgent = sv_urgent_desk_new(config->urgent_fallback_s);
  sig->ended = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  sig->tls = config->cert_path != NULL;
  sig->strict_transport = sig->tls && !sv_signaling_is_loopback(sig->bind_address);
  sig->max_message = config->max_message ? config->max_message : SV_DEFAULT_MAX_MSG;
  sig->max_room_size = config->max_room_size ? config->max_room_size : SV_DEFAULT_MAX_ROOM;
  sig->max_teaching_size =
      config->max_teaching_size ? config->max_teaching_size : SV_DEFAULT_MAX_TEACHING;
  sig->loop = loop;
  sig->version = g_strdup(config->version ? config->version : "unknown");
  sig->cert_path = g_strdup(config->cert_path);
  sig->key_path = g_strdup(config->key_path);
  sig->conns = g_ptr_array_new();
  if (config->turn_uris && *config->turn_uris && config->turn_secret && *config->turn_secret) {
    sig->turn_uris = g_strsplit(config->turn_uris, ",", -1);
    sig->turn_secret = g_strdup(config->turn_secret);
  }
  sig->turn_ttl = config->turn_ttl ? config->turn_ttl : 86400;
  sig->rooms = sv_rooms_new();
  sig->pending = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, sv_pending_free);
  sv_guard_init(sig, config);
  if ((rc = check_config(config, sig)) < 0) goto out;

  int lws_levels = LLL_ERR | (sv_log_get_level() >= SV_LOG_DEBUG ? LLL_WARN | LLL_NOTICE : 0);
  lws_set_log_level(lws_levels, lws_log_bridge);

  void *foreign_loops[1] = {loop};
  struct lws_context_creation_info info;
  memset(&info, 0, sizeof info);
  info.options = LWS_SERVER_OPTION_GLIB | LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
  if (sig->tls) info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
  info.foreign_loops = foreign_loops;
  info.user = sig;
  info.server_string = "samvei";
  info.gid = -1;
  info.uid = -1;
  /* lws stops accepting at this many of its own sockets and resumes as
   * they close (conn_guard.c); headers must arrive within body_s. */
  info.fd_limit_per_thread = sv_guard_fd_budget();
  info.timeout_secs_ah_idle = sig->body_s;
  sig->context = lws_create_context(&info);
  if (!sig->context) {
    SV_ERROR("signaling", "cannot start libwebsockets on the GLib main loop (is the "
                          "libwebsockets-evlib-glib package installed?)");
    rc = SV_EIO;
    goto out;
  }

  struct lws_context_creation_info vinfo;
  memset(&vinfo, 0, sizeof vinfo);
  vinfo.vhost_name = "samvei";
  vinfo.port = config->port;
  vinfo.options = LWS_SERVER_OPTION_FAIL_UPON_UNABLE_TO_BIND;
  vinfo.iface = lws_iface(sig->bind_address, &vinfo.options);
  vinfo.protocols = protocols;
  vinfo.user = sig;
  vinfo.keepalive_timeout = 30;
  vinfo.timeout_secs = sig->body_s;
  vinfo.retry_and_idle_policy = &idle_policy;
  /* WebSockets over HTTP/2 (RFC 8441) are not worth their corner cases here:
   * offer HTTP/1.1 only. */
  vinfo.alpn = "http/1.1";
  if (sig->tls) {
    /* lws reads this "context" option from the vhost's info too: without it
     * the vhost silently serves plain HTTP. The OS CA store is only for
     * client certificates, which samvei does not ask for. */
    vinfo.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT | LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS;
    vinfo.ssl_cert_filepath = config->cert_path;
    vinfo.ssl_private_key_filepath = config->key_path;
    vinfo.ssl_options_set = SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1;
  }
  sig->vhost = lws_create_vhost(sig->context, &vinfo);
  if (!sig->vhost) {
    SV_ERROR("signaling",
             "cannot listen on %s port %u: the port may be in use or the address "
             "not on this host; choose another with --bind / --port",
             sig->bind_address, config->port);
    rc = SV_EIO;
    goto out;
  }
  sig->port = lws_get_vhost_listen_port(sig->vhost);
  if (!sv_origins_init(&sig->origins, sig->public_url, sig->bind_address, sig->port, sig->tls,
                       config->allowed_origins)) {
    SV_ERROR("signaling", "--allowed-origins must be a comma-separated list of origins such as "
                          "https://portal.example.org (scheme, host and port only)");
    rc = SV_EINVAL;
    goto out;
  }
  if (sig->store)
    sig->links_timer = g_timeout_add_seconds(SV_LINKS_RECHECK_S, sv_links_on_timer, sig);
  SV_INFO("signaling", "listening on %s port %d (%s)%s%s", sig->bind_address, sig->port,
          sig->tls ? "https" : "plain http, loopback only",
          sig->allow_open_rooms ? "; open rooms allowed (development)" : "",
          sig->chat_off ? "; chat off" : "");
  *out = sig;
  return 0;

out:
  sv_signaling_free(sig);
  return rc;
}

void sv_signaling_free(sv_signaling *sig) {
  if (!sig) return;
  sig->closing = true;
  if (sig->links_timer) g_source_remove(sig->links_timer);
  if (sig->context) lws_context_destroy(sig->context);
  sv_recordings_free(sig->recordings);
  g_hash_table_destroy(sig->pending);
  sv_rooms_free(sig->rooms);
  g_hash_table_destroy(sig->ended);
  sv_urgent_desk_free(sig->urgent);
  g_free(sig->public_url);
  if (sig->token_secret) g_bytes_unref(sig->token_secret);
  g_free(sig->privacy_notice);
  g_free(sig->accessibility_statement);
  g_free(sig->bind_address);
  g_free(sig->web_root);
  g_free(sig->version);
  g_strfreev(sig->turn_uris);
  if (sig->turn_secret) memset(sig->turn_secret, 0, strlen(sig->turn_secret));
  g_free(sig->turn_secret);
  g_free(sig->cert_path);
  g_free(sig->key_path);
  if (sig->conns) g_ptr_array_unref(sig->conns);
  sv_guard_free(sig);
  g_free(sig);
}

void sv_signaling_set_relay(sv_signaling *sig, sv_relay *relay) {
  sig->relay = relay;
}

int sv_signaling_port(const sv_signaling *sig) {
  return sig->port;
}

bool sv_signaling_is_tls(const sv_signaling *sig) {
  return sig->tls;
}

int sv_signaling_reload_tls(sv_signaling *sig) {
  if (!sig->tls || !sig->tls_ctx) return SV_ESTATE;
  int rc = check_tls_files(sig->cert_path, sig->key_path, sig->tls_ctx);
  if (rc < 0) {
    SV_WARN("signaling", "TLS certificate not reloaded; the previous one stays in use");
    return SV_EINVAL;
  }
  SV_INFO("signaling", "reloaded TLS certificate %s and key %s for new connections", sig->cert_path,
          sig->key_path);
  return 0;
}

void sv_signaling_drain(sv_signaling *sig, unsigned retry_after_ms) {
  if (sig->draining) return;
  sig->draining = true;
  SV_INFO("signaling", "draining: refusing new joins, telling %u connected clients to come back",
          sig->conns->len);
  for (guint i = 0; i < sig->conns->len; i++) {
    sv_conn *c = g_ptr_array_index(sig->conns, i);
    /* Spread the reconnects: every client waits a different time. */
    uint32_t spread = 0;
    sv_random_bytes(&spread, sizeof spread);
    json_int_t after = retry_after_ms + (retry_after_ms ? spread % (retry_after_ms / 2 + 1) : 0);
    sv_conn_send(c, json_pack("{s:s,s:I}", "type", "server-restarting", "retryAfterMs", after));
  }
}

size_t sv_signaling_participant_count(const sv_signaling *sig) {
  return sv_rooms_participant_count(sig->rooms);
}
